//! Media bodies over HTTP: narrations, lesson PDFs and certificates are answered with
//! `Accept-Ranges`, a strong `ETag`, conditional requests and one byte range.

use actix_web::http::header::{self, ContentEncoding};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};

use crate::routes::range::{self, RangeAnswer};

/// Answer a GET for a media body: `Accept-Ranges`, a strong `ETag`, `If-None-Match` (304),
/// `If-Range`, one `Range` (206) or an unsatisfiable one (416 with `bytes */LEN`).
pub fn respond(
    req: &HttpRequest,
    body: Vec<u8>,
    etag: &str,
    content_type: &str,
    disposition: &str,
) -> HttpResponse {
    let etag = format!("\"{etag}\"");
    let len = body.len() as u64;
    let header_str = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let matches = |value: &str| {
        value
            .split(',')
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == "*" || t == etag)
    };
    let mut response = if header_str(header::IF_NONE_MATCH).is_some_and(matches) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    if header_str(header::IF_NONE_MATCH).is_some_and(matches) {
        return response.finish();
    }
    // `If-Range` with another validator: the file changed, send it whole.
    let range = match header_str(header::IF_RANGE) {
        Some(validator) if validator.trim() != etag => None,
        _ => header_str(header::RANGE),
    };
    response
        .insert_header(ContentEncoding::Identity)
        .insert_header((header::CONTENT_DISPOSITION, disposition.to_owned()))
        .content_type(content_type.to_owned());
    match range::answer(range, len) {
        RangeAnswer::Full => response.body(body),
        RangeAnswer::Partial { start, end } => {
            response
                .status(StatusCode::PARTIAL_CONTENT)
                .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")));
            let mut body = body;
            body.truncate(end as usize + 1);
            body.drain(..start as usize);
            response.body(body)
        }
        RangeAnswer::Unsatisfiable => response
            .status(StatusCode::RANGE_NOT_SATISFIABLE)
            .insert_header((header::CONTENT_RANGE, format!("bytes */{len}")))
            .finish(),
    }
}
