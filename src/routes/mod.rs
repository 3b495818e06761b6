//! Routing: the JSON API, the pages, static files, and the answers for what matches nothing.

pub mod api;
pub mod assets;
pub mod pages;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{ApiError, AppError, PageError};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().error_handler(json_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .configure(api::configure)
        .configure(pages::configure)
        .route("/static/{path:.*}", web::get().to(assets::serve))
        .default_service(web::to(not_found));
}

/// An error in the shape the requested path calls for: JSON under `/api`, HTML elsewhere.
pub fn error_for(req: &HttpRequest, error: AppError) -> actix_web::Error {
    if req.path().starts_with("/api/") {
        ApiError(error).into()
    } else {
        PageError(error).into()
    }
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    Err(error_for(&req, AppError::NotFound))
}

fn json_error(error: JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let error = match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => AppError::invalid(format!("Invalid JSON body: {e}")),
        other => AppError::invalid(format!("Invalid request body: {other}")),
    };
    error_for(req, error)
}

fn path_error(error: PathError, req: &HttpRequest) -> actix_web::Error {
    error_for(req, AppError::invalid(format!("Invalid path: {error}")))
}

fn query_error(error: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    error_for(
        req,
        AppError::invalid(format!("Invalid query string: {error}")),
    )
}

/// Headers every answer carries: no inline script, no framing, no sniffing.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             media-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'",
        ))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "strict-origin-when-cross-origin"))
        .add(("X-Frame-Options", "DENY"))
}
