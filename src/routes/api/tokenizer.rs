//! `GET /api/v1/tokenizer/encodings` and `POST /api/v1/tokenize` (API.md section 7).

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, AppError};
use crate::state::AppState;
use crate::tokenizer::{self, Encoding, DEFAULT_MAX_SEGMENTS};

/// Longest text accepted, in bytes.
pub const MAX_TEXT_BYTES: usize = 1024 * 1024;
/// Longest request body: the text may be JSON-escaped to several times its size.
pub const MAX_BODY_BYTES: usize = 8 * MAX_TEXT_BYTES;
/// Texts up to this size are tokenized on the request's worker; longer ones on the
/// blocking pool, so a 1 MiB request never holds up the pages beside it.
const INLINE_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
pub struct TokenizeBody {
    text: String,
    encoding: Option<String>,
    #[serde(default)]
    count_only: bool,
}

pub async fn encodings() -> HttpResponse {
    let encodings: Vec<_> = Encoding::ALL
        .iter()
        .map(|e| json!({ "id": e.id(), "default": e.is_default(), "description": e.description() }))
        .collect();
    HttpResponse::Ok().json(json!({ "encodings": encodings }))
}

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
fn answer(encoding: Encoding, text: &str, count_only: bool) -> serde_json::Value {
    let characters = text.chars().count();
    if count_only {
        return json!({
            "encoding": encoding.id(),
            "count": tokenizer::count(encoding, text),
            "characters": characters,
        });
    }
    let ids = tokenizer::encode(encoding, text);
    let (segments, elided) = tokenizer::segments_limited(encoding, text, DEFAULT_MAX_SEGMENTS);
    json!({
        "encoding": encoding.id(),
        "count": ids.len(),
        "characters": characters,
        "ids": ids,
        "segments": segments,
        "segments_elided": elided,
    })
}
