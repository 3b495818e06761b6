//! One error type for the whole application, in the contract's vocabulary (API.md section 2).
//! It knows no HTTP: `routes::error` answers it as the contract's JSON under `/api` and as a
//! friendly HTML page everywhere else.

use std::collections::BTreeMap;

use serde_json::json;

use crate::db::outage;
use crate::plans::Plan;

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
    /// A mailed link's token that is unknown, used or expired (API.md section 12).
    #[error("This link has expired or has already been used. Ask for a new one.")]
    InvalidToken,
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

    pub fn code(&self) -> &'static str {
        match self {
            AppError::InvalidInput { .. } => "invalid_input",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::PlanRequired(_) => "plan_required",
            AppError::CsrfFailed => "csrf_failed",
            AppError::NotFound => "not_found",
            AppError::InvalidToken => "invalid_token",
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
}

impl From<sqlx::Error> for AppError {
    fn from(error: sqlx::Error) -> Self {
        AppError::internal(error)
    }
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
        assert_eq!(error.code(), "internal");
        assert!(!error.body().to_string().contains("secret"));
    }

    #[test]
    fn an_unreachable_database_is_unavailable_not_internal() {
        let error = AppError::from(sqlx::Error::PoolTimedOut);
        assert_eq!(error.body()["error"]["code"], "unavailable");
        assert_eq!(AppError::from(sqlx::Error::RowNotFound).code(), "internal");
    }
}
