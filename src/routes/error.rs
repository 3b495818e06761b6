//! `AppError` answered over HTTP: its status, the contract's JSON under `/api`, a friendly
//! HTML page everywhere else. A 500 never shows the fault.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::content::markdown::escape_into;
use crate::error::AppError;
use crate::routes::page_cache::HTML;

/// `Retry-After` of a 503: about how long a pool takes to notice the database is back.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

/// The HTTP status of each error.
pub fn status(error: &AppError) -> StatusCode {
    match error {
        AppError::InvalidInput { .. } | AppError::InvalidToken => StatusCode::BAD_REQUEST,
        AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::PlanRequired(_) | AppError::CsrfFailed => {
            StatusCode::FORBIDDEN
        }
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict { .. } => StatusCode::CONFLICT,
        AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn retry_after(error: &AppError) -> Option<u64> {
    match error {
        AppError::RateLimited { retry_after } => Some(*retry_after),
        AppError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECONDS),
        _ => None,
    }
}

fn log_if_internal(error: &AppError) {
    match error {
        AppError::Internal(source) => tracing::error!(error = ?source, "internal error"),
        AppError::Unavailable(source) => {
            tracing::warn!(error = %format!("{source:#}"), "unavailable")
        }
        _ => {}
    }
}

/// An answer shaped for the request's path: JSON under `/api`, an HTML page elsewhere.
pub trait ForRequest {
    fn for_request(self, req: &HttpRequest) -> actix_web::Error;
}

impl ForRequest for AppError {
    fn for_request(self, req: &HttpRequest) -> actix_web::Error {
        if req.path().starts_with("/api/") {
            ApiError(self).into()
        } else {
            PageError(self).into()
        }
    }
}

/// An error answered as JSON (every route under `/api`).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError(error.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        status(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        log_if_internal(&self.0);
        let mut response = HttpResponse::build(status(&self.0));
        if let Some(seconds) = retry_after(&self.0) {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if let AppError::MethodNotAllowed { allow, .. } = &self.0 {
            response.insert_header((header::ALLOW, allow.join(", ")));
        }
        response.json(self.0.body())
    }
}

/// An error answered as an HTML page (every route outside `/api`).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PageError(#[from] pub AppError);

impl From<sqlx::Error> for PageError {
    fn from(error: sqlx::Error) -> Self {
        PageError(error.into())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        status(&self.0)
    }

    fn error_response(&self) -> HttpResponse {
        log_if_internal(&self.0);
        let status = status(&self.0);
        let (title, message) = match &self.0 {
            AppError::NotFound => (
                "Page not found",
                "We could not find that page. It may have moved, or the link may be mistyped."
                    .to_owned(),
            ),
            AppError::Internal(_) => (
                "Something went wrong",
                "Something went wrong on our side. Please try again in a moment.".to_owned(),
            ),
            AppError::Unavailable(_) => (
                "Back in a moment",
                "Lectern cannot reach its data just now. Please try again in a few seconds."
                    .to_owned(),
            ),
            other => ("Something is not right", other.to_string()),
        };
        let mut response = HttpResponse::build(status);
        if let Some(seconds) = retry_after(&self.0) {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response
            .content_type(HTML)
            .body(error_page(status, title, &message))
    }
}

/// A self-contained error page: it must render even when templates or the database fail.
fn error_page(status: StatusCode, title: &str, message: &str) -> String {
    let mut escaped = String::with_capacity(message.len());
    escape_into(&mut escaped, message);
    let message = escaped;
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Lectern</title><link rel=\"stylesheet\" href=\"/static/css/site.css\"></head>\
<body><header class=\"site-header\"><a class=\"brand\" href=\"/\">Lectern</a></header>\
<main id=\"main\" class=\"page error-page\"><p class=\"error-status\">{code}</p><h1>{title}</h1>\
<p>{message}</p><p><a class=\"button\" href=\"/\">Back to the catalog</a></p></main></body></html>",
        code = status.as_u16(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_are_500_and_unavailable_ones_503_with_retry_after() {
        let error = AppError::internal(anyhow::anyhow!("disk on fire"));
        assert_eq!(status(&error), StatusCode::INTERNAL_SERVER_ERROR);
        let error = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(status(&error), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&error), Some(UNAVAILABLE_RETRY_AFTER_SECONDS));
        let error = AppError::from(sqlx::Error::RowNotFound);
        assert_eq!(status(&error), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn error_pages_escape_messages() {
        let page = error_page(StatusCode::BAD_REQUEST, "Oops", "<script>alert(1)</script>");
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
