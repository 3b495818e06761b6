//! One error type for the whole application, rendered as the contract's JSON under `/api`
//! and as a friendly HTML page everywhere else. A 500 never shows the fault.

use std::collections::BTreeMap;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

use crate::db::outage;
use crate::plans::Plan;

/// `Retry-After` of a 503: about how long a pool takes to notice the database is back.
const UNAVAILABLE_RETRY_AFTER_SECONDS: u64 = 5;

/// What went wrong, in the contract's vocabulary (API.md section 2).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{message}")]
    InvalidInput {
        message: String,
        fields: BTreeMap<String, String>,
    },
    #[error("Sign in to continue.")]
    Unauthenticated,
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    #[error("You are not allowed to do that.")]
    Forbidden,
    #[error("This needs the {} plan.", .0.name())]
    PlanRequired(Plan),
    #[error("The request did not come from this site.")]
    CsrfFailed,
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        missing: Option<Vec<String>>,
    },
    #[error("This route does not answer {method}; it answers {}.", .allow.join(", "))]
    MethodNotAllowed {
        method: String,
        allow: Vec<&'static str>,
    },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Unsupported content type.")]
    UnsupportedMediaType,
    #[error("Too many requests; try again in {retry_after} seconds.")]
    RateLimited { retry_after: u64 },
    /// The database does not answer in time, or the disk is full (see `db::outage`).
    #[error("The service is unavailable for a moment; try again in a few seconds.")]
    Unavailable(#[source] anyhow::Error),
    #[error("Something went wrong on our side.")]
    Internal(#[source] anyhow::Error),
}

impl AppError {
    /// A 400 without a field to blame.
    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::InvalidInput {
            message: message.into(),
            fields: BTreeMap::new(),
        }
    }

    /// A 400 that names the field at fault.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        AppError::InvalidInput {
            fields: BTreeMap::from([(field.to_owned(), message.clone())]),
            message,
        }
    }

    /// A failure on our side: 503 `unavailable` when the database cannot answer now or the
    /// disk is full, else 500 `internal`.
    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        let error = error.into();
        if outage::chain_is_unavailable(&error) {
            AppError::Unavailable(error)
        } else {
            AppError::Internal(error)
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::InvalidInput { .. } => StatusCode::BAD_REQUEST,
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

    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput { .. } => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::PlanRequired(_) => "plan_required",
            AppError::CsrfFailed => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The contract's body: `{"error": {"code", "message", ...extra keys}}`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        match self {
            AppError::InvalidInput { fields, .. } if !fields.is_empty() => {
                error["fields"] = json!(fields);
            }
            AppError::PlanRequired(plan) => error["required_plan"] = json!(plan.id()),
            AppError::Conflict {
                missing: Some(missing),
                ..
            } => error["missing"] = json!(missing),
            _ => {}
        }
        json!({ "error": error })
    }

    /// This error as the request's path calls for: JSON under `/api`, an HTML page elsewhere.
    pub fn for_request(self, req: &actix_web::HttpRequest) -> actix_web::Error {
        if req.path().starts_with("/api/") {
            ApiError(self).into()
        } else {
            PageError(self).into()
        }
    }

    fn log_if_internal(&self) {
        match self {
            AppError::Internal(source) => tracing::error!(error = ?source, "internal error"),
            AppError::Unavailable(source) => {
                tracing::warn!(error = %format!("{source:#}"), "unavailable")
            }
            _ => {}
        }
    }

    fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::RateLimited { retry_after } => Some(*retry_after),
            AppError::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER_SECONDS),
            _ => None,
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(error)
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
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log_if_internal();
        let mut response = HttpResponse::build(self.0.status());
        if let Some(seconds) = self.0.retry_after() {
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
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log_if_internal();
        let status = self.0.status();
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
        if let Some(seconds) = self.0.retry_after() {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response
            .content_type(crate::page_cache::HTML)
            .body(error_page(status, title, &message))
    }
}

/// A self-contained error page: it must render even when templates or the database fail.
fn error_page(status: StatusCode, title: &str, message: &str) -> String {
    let message = html_escape(message);
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

fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_follow_the_contract() {
        let body = AppError::PlanRequired(Plan::Plus).body();
        assert_eq!(body["error"]["code"], "plan_required");
        assert_eq!(body["error"]["required_plan"], "plus");

        let body = AppError::invalid_field("email", "Enter a valid email address.").body();
        assert_eq!(body["error"]["code"], "invalid_input");
        assert_eq!(
            body["error"]["fields"]["email"],
            "Enter a valid email address."
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = AppError::internal(anyhow::anyhow!("disk on fire at /secret/path"));
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!error.body().to_string().contains("secret"));
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        let error = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.body()["error"]["code"], "unavailable");
        assert_eq!(error.retry_after(), Some(UNAVAILABLE_RETRY_AFTER_SECONDS));
        let error = AppError::from(sqlx::Error::RowNotFound);
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn error_pages_escape_messages() {
        let page = error_page(StatusCode::BAD_REQUEST, "Oops", "<script>alert(1)</script>");
        assert!(!page.contains("<script>alert"));
        assert!(page.contains("&lt;script&gt;"));
    }
}
