//! Routing: the JSON API, the pages, static files, and the answers for what matches nothing.

pub mod api;
pub mod assets;
pub mod csrf;
pub mod error;
pub mod export;
pub mod figures;
pub mod kept_pages;
pub mod lesson_view;
pub mod media_body;
pub mod multipart;
pub mod page_cache;
pub mod pages;
pub mod range;
pub mod rate_limit;
pub mod session;
pub mod state;
pub mod templates;

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError, UrlencodedError};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::routes::error::ForRequest;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.app_data(
        web::JsonConfig::default()
            .limit(64 * 1024)
            .error_handler(json_error),
    )
    .app_data(web::PathConfig::default().error_handler(path_error))
    .app_data(web::QueryConfig::default().error_handler(query_error))
    .app_data(
        web::FormConfig::default()
            .limit(64 * 1024)
            .error_handler(form_error),
    )
    .configure(api::configure)
    .configure(pages::configure)
    .route("/static/{path:.*}", web::get().to(assets::serve))
    .route("/figures/{name}", web::get().to(figures::serve))
    .default_service(web::to(not_found));
}

async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    Err(AppError::NotFound.for_request(&req))
}

pub(crate) fn json_error(error: JsonPayloadError, req: &HttpRequest) -> actix_web::Error {
    let error = match error {
        JsonPayloadError::OverflowKnownLength { .. } | JsonPayloadError::Overflow { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => AppError::UnsupportedMediaType,
        JsonPayloadError::Deserialize(e) => AppError::invalid(format!("Invalid JSON body: {e}")),
        other => AppError::invalid(format!("Invalid request body: {other}")),
    };
    error.for_request(req)
}

fn path_error(error: PathError, req: &HttpRequest) -> actix_web::Error {
    AppError::invalid(format!("Invalid path: {error}")).for_request(req)
}

pub(crate) fn form_error(error: UrlencodedError, req: &HttpRequest) -> actix_web::Error {
    let error = match error {
        UrlencodedError::Overflow { .. } => AppError::PayloadTooLarge,
        UrlencodedError::ContentType => AppError::UnsupportedMediaType,
        other => AppError::invalid(format!("Invalid form: {other}")),
    };
    error.for_request(req)
}

fn query_error(error: QueryPayloadError, req: &HttpRequest) -> actix_web::Error {
    AppError::invalid(format!("Invalid query string: {error}")).for_request(req)
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
