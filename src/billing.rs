//! The billing provider's events (API.md section 9): a subscription changed. The signature
//! is checked over the raw body before anything is parsed; each event id is applied once,
//! in the same transaction as the plan change it makes.
//!
//! An event for an email with no account is `ignored` and not recorded, so the provider's
//! retry applies it once the account exists. An event type other than
//! `subscription.updated` / `subscription.deleted` is `ignored` too.

use ring::hmac;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts;
use crate::db::{billing as events, users, Db};
use crate::error::AppError;
use crate::names::Email;
use crate::plans::Plan;

/// How far (seconds) a signature's timestamp may be from now.
pub const TOLERANCE_SECONDS: i64 = 300;

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
    fn of(status: &'static str) -> Outcome {
        Outcome {
            status,
            plan: None,
            reason: None,
        }
    }
}

/// Check, parse and apply one event: `signature` is the `Lectern-Signature` header, `now`
/// the current Unix time.
pub async fn receive(
    db: &Db,
    secret: &[u8],
    signature: &str,
    body: &[u8],
    now: i64,
) -> Result<Outcome, AppError> {
    verify(secret, signature, body, now).map_err(AppError::invalid)?;
    let event: Event = serde_json::from_slice(body)
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
    let email = Email::parse(&event.data.email).map_err(|e| AppError::invalid_field("email", e))?;
    let mut tx = db.begin_write().await?;
    let Some(user) = users::by_email_in(&mut tx, &email).await? else {
        return Ok(Outcome {
            reason: Some("unknown_email"),
            ..Outcome::of("ignored")
        });
    };
    if !events::claim_billing_event(&mut tx, &event.id).await? {
        return Ok(Outcome::of("already_applied"));
    }
    let author = format!("billing event {}", event.id);
    accounts::change_plan(&mut tx, &user.id, plan, &author).await?;
    tx.commit().await?;
    tracing::info!(event = %event.id, user = %user.id, plan = plan.id(), "billing event applied");
    Ok(Outcome {
        plan: Some(plan),
        ..Outcome::of("applied")
    })
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
