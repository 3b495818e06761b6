//! Raw request bodies, read with a size limit and answered in the contract's shape:
//! 415 for another content type, 413 when larger than allowed.

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use futures_util::StreamExt as _;

use crate::error::AppError;

/// Read a body of at most `max` bytes, whatever its type: 413 when larger.
pub async fn read_limited(
    req: &HttpRequest,
    mut payload: web::Payload,
    max: usize,
) -> Result<Vec<u8>, AppError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > max) {
        return Err(AppError::PayloadTooLarge);
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::invalid(format!("Invalid request body: {e}")))?;
        if body.len() + chunk.len() > max {
            return Err(AppError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.to_vec())
}

/// Read a body of `content_type` of at most `max` bytes: 415 for another type, 413 when
/// larger.
pub async fn read_typed(
    req: &HttpRequest,
    payload: web::Payload,
    content_type: &str,
    max: usize,
) -> Result<Vec<u8>, AppError> {
    let sent = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = sent.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(content_type) {
        return Err(AppError::UnsupportedMediaType);
    }
    read_limited(req, payload, max).await
}
