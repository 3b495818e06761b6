//! `POST /api/v1/billing/webhook` (API.md section 9): a billing provider tells us a
//! subscription changed. The signature is checked over the raw body before anything is
//! parsed; each event id is applied once.
//!
//! An event for an email with no account is answered 200 `{"status": "ignored"}` and not
//! recorded, so the provider's retry applies it once the account exists. An event type
//! other than `subscription.updated` / `subscription.deleted` is answered 200 `ignored` too.

use actix_web::{web, HttpRequest, HttpResponse};
use ring::hmac;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::read_limited;
use crate::db::{media as events, users};
use crate::error::{ApiError, AppError};
use crate::plans::Plan;
use crate::state::AppState;

/// How far (seconds) a signature's timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

pub const SIGNATURE_HEADER: &str = "Lectern-Signature";

/// The largest event body accepted, in bytes.
const MAX_EVENT_BYTES: usize = 64 * 1024;

/// A billing event.
#[derive(Deserialize, ToSchema)]
pub struct Event {
    id: String,
    /// `subscription.updated` (sets `plan`) or `subscription.deleted` (sets `free`).
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize, ToSchema)]
pub struct EventData {
    email: String,
    plan: Option<String>,
}

/// Whether `header` (`t=<unix>,v1=<hex>[,v1=<hex>…]`) signs `body` with `secret` at a time
/// within the tolerance of `now`. Every `v1` is compared in constant time.
pub fn verify(secret: &[u8], header: &str, body: &[u8], now: i64) -> Result<(), &'static str> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", sig)) => signatures.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or("The signature has no valid timestamp.")?;
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err("The signature's timestamp is too far from now.");
    }
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
    let signed = [format!("{timestamp}.").as_bytes(), body].concat();
    if signatures
        .iter()
        .any(|sig| hmac::verify(&key, &signed, sig).is_ok())
    {
        Ok(())
    } else {
        Err("The signature does not match.")
    }
}

/// What became of an event.
#[derive(Serialize, ToSchema)]
pub struct Outcome {
    #[schema(value_type = String, pattern = "^(applied|already_applied|ignored)$")]
    status: &'static str,
    /// The plan set, when applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    plan: Option<Plan>,
    /// Why it was ignored, when the email has no account (`unknown_email`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    reason: Option<&'static str>,
}

impl Outcome {
    fn of(status: &'static str) -> HttpResponse {
        HttpResponse::Ok().json(Outcome {
            status,
            plan: None,
            reason: None,
        })
    }
}

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
    verify(
        secret.expose().as_bytes(),
        header,
        &body,
        chrono::Utc::now().timestamp(),
    )
    .map_err(AppError::invalid)?;

    let event: Event = serde_json::from_slice(&body)
        .map_err(|e| AppError::invalid(format!("Invalid event: {e}")))?;
    let plan = match event.kind.as_str() {
        "subscription.updated" => event
            .data
            .plan
            .as_deref()
            .and_then(Plan::parse)
            .ok_or_else(|| AppError::invalid_field("plan", "plan must be free, plus or pro"))?,
        "subscription.deleted" => Plan::Free,
        _ => return Ok(Outcome::of("ignored")),
    };
    let email = crate::accounts::validate::email(&event.data.email)
        .map_err(|e| AppError::invalid_field("email", e))?;
    let Some(user) = users::by_email(&state.db, &email).await? else {
        return Ok(HttpResponse::Ok().json(Outcome {
            status: "ignored",
            plan: None,
            reason: Some("unknown_email"),
        }));
    };
    let mut tx = state.db.begin_write().await?;
    if !events::claim_billing_event(&mut tx, &event.id).await? {
        return Ok(Outcome::of("already_applied"));
    }
    crate::accounts::change_plan(&mut tx, &user, plan, &format!("billing event {}", event.id))
        .await?;
    tx.commit().await?;
    tracing::info!(event = %event.id, user = %user.id, plan = plan.id(), "billing event applied");
    Ok(HttpResponse::Ok().json(Outcome {
        status: "applied",
        plan: Some(plan),
        reason: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret);
        hex::encode(hmac::sign(
            &key,
            &[format!("{t}.").as_bytes(), body].concat(),
        ))
    }

    #[test]
    fn signatures_are_checked() {
        let body = br#"{"id":"evt_1"}"#;
        let now = 1_800_000_000;
        let good = sign(b"s3cret", now, body);
        assert!(verify(b"s3cret", &format!("t={now},v1={good}"), body, now).is_ok());
        let other = sign(b"old", now, body);
        assert!(verify(
            b"s3cret",
            &format!("t={now},v1={other},v1={good}"),
            body,
            now
        )
        .is_ok());
        assert!(verify(b"s3cret", &format!("t={now},v1={other}"), body, now).is_err());
        assert!(verify(b"s3cret", &format!("t={now},v1={good}"), b"{}", now).is_err());
        assert!(verify(b"s3cret", &format!("t={now},v1={good}"), body, now + 301).is_err());
        assert!(verify(b"s3cret", &format!("t={now},v1={good}"), body, now - 301).is_err());
        assert!(verify(b"s3cret", &format!("v1={good}"), body, now).is_err());
        assert!(verify(b"s3cret", "garbage", body, now).is_err());
    }
}
