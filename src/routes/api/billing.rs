//! `POST /api/v1/billing/webhook` (API.md section 9): a billing provider tells us a
//! subscription changed. The signature is checked over the raw body before anything is
//! parsed; each event id is applied once.
//!
//! An event for an email with no account is answered 200 `{"status": "ignored"}` and not
//! recorded, so the provider's retry applies it once the account exists. An event type
//! other than `subscription.updated` / `subscription.deleted` is answered 200 `ignored` too.

use actix_web::{web, HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;

use crate::db::{media as events, users};
use crate::error::{ApiError, AppError};
use crate::plans::Plan;
use crate::state::AppState;

/// How far (seconds) a signature's timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

pub const SIGNATURE_HEADER: &str = "Lectern-Signature";

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    data: EventData,
}

#[derive(Deserialize)]
struct EventData {
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
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| "Invalid secret.")?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    if signatures
        .iter()
        .any(|sig| mac.clone().verify_slice(sig).is_ok())
    {
        Ok(())
    } else {
        Err("The signature does not match.")
    }
}

pub async fn webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let secret = state
        .settings
        .billing_webhook_secret
        .as_ref()
        .ok_or(AppError::NotFound)?;
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
        _ => return Ok(HttpResponse::Ok().json(json!({ "status": "ignored" }))),
    };
    let email = crate::accounts::validate::email(&event.data.email)
        .map_err(|e| AppError::invalid_field("email", e))?;
    let Some(user) = users::by_email(&state.db, &email).await? else {
        return Ok(
            HttpResponse::Ok().json(json!({ "status": "ignored", "reason": "unknown_email" }))
        );
    };
    let mut tx = state.db.begin_write().await?;
    if !events::claim_billing_event(&mut tx, &event.id).await? {
        return Ok(HttpResponse::Ok().json(json!({ "status": "already_applied" })));
    }
    crate::accounts::change_plan(&mut tx, &user, plan, &format!("billing event {}", event.id))
        .await?;
    tx.commit().await?;
    tracing::info!(event = %event.id, user = %user.id, plan = plan.id(), "billing event applied");
    Ok(HttpResponse::Ok().json(json!({ "status": "applied", "plan": plan.id() })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &[u8], t: i64, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
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
