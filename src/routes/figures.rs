//! Lesson figures at their content-addressed URLs, `/figures/<sha256>.<ext>`: the name
//! never changes what it answers, so it is cached for good. An SVG answer carries a policy
//! of its own, so a script inside one never runs, even when it is opened by itself.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::content::figures::FigureKind;
use crate::db;
use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::media_body;
use crate::routes::state::AppState;

/// What an SVG figure may do when shown: draw, with its own inline styles, and nothing else.
pub const SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /figures/{name}`.
pub async fn serve(
    req: HttpRequest,
    state: web::Data<AppState>,
    name: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let name = name.into_inner();
    let (sha256, kind) = parse_name(&name).ok_or(AppError::NotFound)?;
    let body = db::media::blob(&state.db, &name)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound)?;
    let mut response = media_body::respond(&req, body, sha256, kind.media_type(), "inline");
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if kind == FigureKind::Svg {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(SVG_POLICY),
        );
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    Ok(response)
}

/// `<sha256>.<ext>` with a lower-case hex hash and a figure's extension.
fn parse_name(name: &str) -> Option<(&str, FigureKind)> {
    let (sha256, ext) = name.split_once('.')?;
    let hex = sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    Some((sha256, FigureKind::from_ext(ext)?)).filter(|_| hex)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashes_with_a_figure_extension_are_names() {
        let sha = "a".repeat(64);
        assert_eq!(
            parse_name(&format!("{sha}.svg")),
            Some((sha.as_str(), FigureKind::Svg))
        );
        assert!(parse_name(&format!("{sha}.mp3")).is_none());
        assert!(parse_name(&format!("{sha}.preview.mp3")).is_none());
        assert!(parse_name("abc.png").is_none());
        assert!(parse_name(&format!("{}.png", "A".repeat(64))).is_none());
    }
}
