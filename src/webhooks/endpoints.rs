//! The endpoints admins register (API.md section 16), and what they do with them: list,
//! delete, read an endpoint's delivery log, ping it, retry a delivery. No HTTP here: the
//! JSON handlers and the admin page both call these.

use std::collections::BTreeMap;

use serde::Serialize;

use super::address;
use super::courier::check_url;
use super::events::{self, Event, TYPES};
use super::signature;
use crate::db::outbox::{self, Delivery};
use crate::db::webhooks::{self as store, Endpoint};
use crate::db::{now, Db};
use crate::error::AppError;

/// The longest URL an endpoint may have.
const MAX_URL_CHARS: usize = 2000;

/// Deliveries an endpoint's log shows, newest first.
const LOG_LENGTH: i64 = 100;

/// A new endpoint, with its secret: the only answer that shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Registered {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// `whsec_` and the base64 of 32 random bytes: the key of every delivery's signature.
    pub secret: String,
    pub created_at: String,
}

/// An endpoint as lists show it: without its secret.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Listed {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub created_at: String,
}

impl Listed {
    fn of(endpoint: Endpoint) -> Listed {
        Listed {
            id: endpoint.id,
            url: endpoint.url,
            events: endpoint.events,
            created_at: endpoint.created_at,
        }
    }
}

/// Register an endpoint for `events`. The URL must be http(s) and, unless `allow_private`,
/// reach only public addresses: an IP address is checked as written, a host name as it
/// resolves now (and again at every delivery, see `address`). Both fields are checked at
/// once, so a form can show each error beside its field.
pub async fn register(
    db: &Db,
    allow_private: bool,
    url: &str,
    events: &[String],
) -> Result<Registered, AppError> {
    let url = url.trim();
    let mut fields = BTreeMap::new();
    if let Err(error) = check_reachable(url, allow_private).await {
        fields.insert("url".to_owned(), error);
    }
    let events = match event_types(events) {
        Ok(events) => events,
        Err(error) => {
            fields.insert("events".to_owned(), error);
            Vec::new()
        }
    };
    if !fields.is_empty() {
        return Err(AppError::InvalidInput {
            message: "The endpoint needs another look.".into(),
            fields,
        });
    }
    let endpoint = Endpoint {
        id: format!("ep_{}", uuid::Uuid::new_v4().simple()),
        url: url.to_owned(),
        events,
        secret: signature::new_secret(),
        created_at: now(),
    };
    let mut tx = db.begin_write().await?;
    store::insert(&mut tx, &endpoint).await?;
    tx.commit().await?;
    Ok(Registered {
        id: endpoint.id,
        url: endpoint.url,
        events: endpoint.events,
        secret: endpoint.secret,
        created_at: endpoint.created_at,
    })
}

/// Why `url` may not be an endpoint, if it may not.
async fn check_reachable(url: &str, allow_private: bool) -> Result<(), String> {
    if url.chars().count() > MAX_URL_CHARS {
        return Err(format!(
            "The URL may be at most {MAX_URL_CHARS} characters."
        ));
    }
    let parsed = check_url(url, allow_private)?;
    if let Some(host) = parsed.domain() {
        let port = parsed.port_or_known_default().unwrap_or(80);
        address::resolve_allowed(host, port, allow_private).await?;
    }
    Ok(())
}

/// The event types asked for, each once, in the order given.
fn event_types(asked: &[String]) -> Result<Vec<String>, String> {
    if asked.is_empty() {
        return Err(format!("Choose at least one event: {}.", TYPES.join(", ")));
    }
    let mut types: Vec<String> = Vec::new();
    for kind in asked {
        let kind = kind.trim();
        if !TYPES.contains(&kind) {
            return Err(format!(
                "{kind:?} is not an event; the events are {}.",
                TYPES.join(", ")
            ));
        }
        if !types.iter().any(|t| t == kind) {
            types.push(kind.to_owned());
        }
    }
    Ok(types)
}

/// Every endpoint, oldest first.
pub async fn list(db: &Db) -> Result<Vec<Listed>, AppError> {
    Ok(store::all(db).await?.into_iter().map(Listed::of).collect())
}

/// Delete an endpoint and its deliveries; 404 when there is none.
pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    let mut tx = db.begin_write().await?;
    if !store::delete(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// An endpoint's latest deliveries, newest first; 404 for an unknown endpoint.
pub async fn deliveries(db: &Db, id: &str) -> Result<Vec<Delivery>, AppError> {
    store::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    Ok(outbox::deliveries(db, id, LOG_LENGTH).await?)
}

/// Queue a `ping` event for this endpoint alone; its event id. 404 for an unknown endpoint.
pub async fn ping(db: &Db, id: &str) -> Result<String, AppError> {
    store::by_id(db, id).await?.ok_or(AppError::NotFound)?;
    let mut tx = db.begin_write().await?;
    let event_id = events::send_to(&mut tx, id, &Event::Ping).await?;
    tx.commit().await?;
    Ok(event_id)
}

/// Try a failed (or pending) delivery again now; 404 when the endpoint has no such
/// delivery to retry.
pub async fn retry(db: &Db, id: &str, event_id: &str) -> Result<(), AppError> {
    if outbox::retry_now(db, id, event_id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_known_types_each_once() {
        let asked =
            |list: &[&str]| event_types(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            asked(&["quiz.passed", "user.created", "quiz.passed"]).unwrap(),
            ["quiz.passed", "user.created"]
        );
        assert!(asked(&[]).unwrap_err().contains("at least one"));
        assert!(asked(&["ping"])
            .unwrap_err()
            .contains("\"ping\" is not an event"));
        assert!(asked(&["user.created", "user.emailed"]).is_err());
    }

    #[tokio::test]
    async fn inside_addresses_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://localhost:9/hook",
            "http://[::1]/",
        ] {
            let error = check_reachable(url, false).await.unwrap_err();
            assert!(error.contains("loopback or private"), "{url}: {error}");
            assert!(check_reachable(url, true).await.is_ok(), "{url}");
        }
        assert!(check_reachable("ftp://example.com/", true).await.is_err());
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_CHARS));
        assert!(check_reachable(&long, true).await.is_err());
    }
}
