//! `POST /api/v1/billing/webhook` (API.md section 9): the body is read whole, within its
//! limit, and handed to `billing::receive`, which checks, parses and applies it.

use actix_web::{web, HttpRequest, HttpResponse};

use super::body::read_limited;
use crate::billing::{self, Event, Outcome};
use crate::error::AppError;
use crate::routes::error::ApiError;
use crate::routes::state::AppState;

pub const SIGNATURE_HEADER: &str = "Lectern-Signature";
/// The largest event body accepted, in bytes.
const MAX_EVENT_BYTES: usize = 64 * 1024;

#[utoipa::path(post, path = "/api/v1/billing/webhook", tag = "billing",
    params((
        "Lectern-Signature" = String, Header,
        description = "`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`; several `v1=` may be present"
    )),
    request_body = Event,
    responses(
        (status = 200, description = "Applied, already applied (once only), or ignored", body = Outcome),
        (status = 400, description = "`invalid_input`: a bad or missing signature, a timestamp more than 300 s from now, or a malformed event"),
        (status = 404, description = "`not_found`: no webhook secret is configured"),
        (status = 413, description = "`payload_too_large`"),
    ))]
pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let secret = state
        .settings
        .billing_webhook_secret
        .as_ref()
        .ok_or(AppError::NotFound)?;
    let body = read_limited(&req, payload, MAX_EVENT_BYTES).await?;
    let header = req
        .headers()
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| AppError::invalid("The Lectern-Signature header is missing."))?;
    let outcome = billing::receive(
        &state.db,
        secret.expose().as_bytes(),
        header,
        &body,
        chrono::Utc::now().timestamp(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(outcome))
}
