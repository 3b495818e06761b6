//! Webhook endpoints admins registered.

use sqlx::Row as _;

use super::{Db, Row, WriteTx};

/// An endpoint, with its secret.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    /// The event types it hears.
    pub events: Vec<String>,
    pub secret: String,
    pub created_at: String,
}

fn endpoint_from(row: &Row) -> Result<Endpoint, sqlx::Error> {
    let events: String = row.try_get("events")?;
    Ok(Endpoint {
        id: row.try_get("id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| sqlx::Error::ColumnDecode {
            index: "events".into(),
            source: e.into(),
        })?,
        secret: row.try_get("secret")?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn insert(tx: &mut WriteTx, endpoint: &Endpoint) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, events, secret, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&endpoint.id)
    .bind(&endpoint.url)
    .bind(serde_json::Value::from(endpoint.events.clone()).to_string())
    .bind(&endpoint.secret)
    .bind(&endpoint.created_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every endpoint, oldest first.
pub async fn all(db: &Db) -> Result<Vec<Endpoint>, sqlx::Error> {
    sqlx::query(
        "SELECT id, url, events, secret, created_at FROM webhook_endpoints ORDER BY created_at, id",
    )
    .fetch_all(&db.read)
    .await?
    .iter()
    .map(endpoint_from)
    .collect()
}

pub async fn by_id(db: &Db, id: &str) -> Result<Option<Endpoint>, sqlx::Error> {
    sqlx::query("SELECT id, url, events, secret, created_at FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await?
        .as_ref()
        .map(endpoint_from)
        .transpose()
}

/// The endpoints that hear `event_type`, read inside the write that records the event.
pub async fn hearing(tx: &mut WriteTx, event_type: &str) -> Result<Vec<Endpoint>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, url, events, secret, created_at FROM webhook_endpoints")
        .fetch_all(&mut **tx)
        .await?;
    let mut hearing = Vec::new();
    for row in &rows {
        let endpoint = endpoint_from(row)?;
        if endpoint.events.iter().any(|e| e == event_type) {
            hearing.push(endpoint);
        }
    }
    Ok(hearing)
}

/// Delete an endpoint and its deliveries; false when there was none.
pub async fn delete(tx: &mut WriteTx, id: &str) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE endpoint_id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() > 0)
}
