//! A user's export as a file to save: the one answer of `GET /api/v1/me/export` and of the
//! account page's download.

use actix_web::http::header;
use actix_web::HttpResponse;

use crate::accounts::Export;

/// `export` as `lectern-export.json`.
pub fn download(export: &Export) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"lectern-export.json\"",
        ))
        .json(export)
}
