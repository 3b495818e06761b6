//! `GET /api/v1/tokenizer/encodings` and `POST /api/v1/tokenize` (API.md section 7).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::routes::error::ApiError;
use crate::routes::state::AppState;
use crate::tokenizer::{self, Encoding, Segment, DEFAULT_MAX_SEGMENTS};

/// Longest text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;
/// Longest request body: the text may be JSON-escaped to several times its size.
pub const MAX_BODY_BYTES: usize = 8 * MAX_TEXT_BYTES;
/// Texts up to this size are tokenized on the request's worker; longer ones on the
/// blocking pool, so a 1 MiB request never holds up the pages beside it.
const INLINE_BYTES: usize = 64 * 1024;

/// The JSON extractor's settings for `POST /api/v1/tokenize`: room for a 1 MiB text.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(MAX_BODY_BYTES)
        .error_handler(crate::routes::json_error)
}

#[derive(Deserialize, ToSchema)]
pub struct TokenizeBody {
    /// At most 1 MiB of UTF-8.
    text: String,
    /// An id from `/api/v1/tokenizer/encodings`; `o200k_base` when left out.
    encoding: Option<String>,
    /// Only `{encoding, count, characters}`.
    #[serde(default)]
    count_only: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EncodingInfo {
    id: &'static str,
    default: bool,
    description: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct EncodingList {
    encodings: Vec<EncodingInfo>,
}

/// The tokens of a text; `ids` and `segments` are left out with `count_only`.
#[derive(Serialize, ToSchema)]
pub struct Tokenized {
    encoding: &'static str,
    count: usize,
    /// Unicode scalar values.
    characters: usize,
    /// Exactly what tiktoken's `encode_ordinary` gives.
    #[serde(skip_serializing_if = "Option::is_none")]
    ids: Option<Vec<u32>>,
    /// The input cut into the smallest pieces holding whole tokens and whole characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    segments: Option<Vec<Segment>>,
    /// Whether segments past the cap were left out (`count` and `ids` stay exact).
    #[serde(skip_serializing_if = "Option::is_none")]
    segments_elided: Option<bool>,
}

#[utoipa::path(get, path = "/api/v1/tokenizer/encodings", tag = "tokenizer",
    responses((status = 200, description = "The encodings the counter knows", body = EncodingList)))]
pub async fn encodings() -> HttpResponse {
    let encodings = Encoding::ALL
        .iter()
        .map(|e| EncodingInfo {
            id: e.id(),
            default: e.is_default(),
            description: e.description(),
        })
        .collect();
    HttpResponse::Ok().json(EncodingList { encodings })
}

#[utoipa::path(post, path = "/api/v1/tokenize", tag = "tokenizer",
    request_body = TokenizeBody,
    responses(
        (status = 200, description = "The text's tokens", body = Tokenized),
        (status = 400, description = "`invalid_input`, e.g. an unknown encoding"),
        (status = 413, description = "`payload_too_large`: text over 1 MiB"),
        (status = 415, description = "`unsupported_media_type`"),
        (status = 429, description = "`rate_limited`"),
    ))]
pub async fn tokenize(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<TokenizeBody>,
) -> Result<HttpResponse, ApiError> {
    state.tokenize_limiter.check(&req)?;
    let body = body.into_inner();
    if body.text.len() > MAX_TEXT_BYTES {
        return Err(AppError::PayloadTooLarge.into());
    }
    let encoding = match body.encoding.as_deref() {
        None => Encoding::O200kBase,
        Some(id) => Encoding::parse(id).ok_or_else(|| {
            AppError::invalid_field(
                "encoding",
                format!("Unknown encoding {id:?}; see /api/v1/tokenizer/encodings."),
            )
        })?,
    };
    let answer = if body.text.len() <= INLINE_BYTES {
        answer(encoding, &body.text, body.count_only)
    } else {
        web::block(move || answer(encoding, &body.text, body.count_only))
            .await
            .map_err(AppError::internal)?
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// The contract's answer; past `DEFAULT_MAX_SEGMENTS` segments the rest are elided
/// (`segments_elided: true`) while `count` and `ids` stay exact.
fn answer(encoding: Encoding, text: &str, count_only: bool) -> Tokenized {
    let characters = text.chars().count();
    if count_only {
        return Tokenized {
            encoding: encoding.id(),
            count: tokenizer::count(encoding, text),
            characters,
            ids: None,
            segments: None,
            segments_elided: None,
        };
    }
    let ids = tokenizer::encode(encoding, text);
    let (segments, elided) = tokenizer::segments_limited(encoding, text, DEFAULT_MAX_SEGMENTS);
    Tokenized {
        encoding: encoding.id(),
        count: ids.len(),
        characters,
        ids: Some(ids),
        segments: Some(segments),
        segments_elided: Some(elided),
    }
}
