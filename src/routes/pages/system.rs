//! `GET /healthz` and `GET /metrics`.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::routes::error::PageError;
use crate::routes::rate_limit::client_ip;
use crate::routes::state::AppState;
use crate::telemetry::Metrics;

/// 200 when the database answers, 503 when it does not.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    match state.db.ping().await {
        Ok(()) => HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })),
        Err(error) => {
            tracing::warn!(%error, "health check failed");
            HttpResponse::ServiceUnavailable().json(serde_json::json!({ "status": "unavailable" }))
        }
    }
}

/// Prometheus text, for a loopback client (the address found through trusted proxies, so
/// a proxy on this host does not make every visitor local), or, with `LECTERN_METRICS_TOKEN`
/// set, for any client that brings it as a Bearer token; else 401.
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, PageError> {
    let allowed = match &state.settings.metrics_token {
        Some(token) => req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            // Digests compare in time that says nothing of the token.
            .is_some_and(|given| Sha256::digest(given.trim()) == Sha256::digest(token.expose())),
        None => client_ip(&req, &state.settings.trusted_proxies)
            .to_canonical()
            .is_loopback(),
    };
    if !allowed {
        return Err(AppError::Unauthenticated.into());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics.render()))
}
