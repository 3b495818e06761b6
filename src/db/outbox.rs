//! The outbox: messages to deliver (mails and webhook events), each written in the
//! transaction of the change that causes it, and claimed by one worker at a time.

use sqlx::Row as _;

use super::{now, Backend, Db, Row, WriteTx};

/// What a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Mail,
    Webhook,
}

impl Kind {
    fn id(self) -> &'static str {
        match self {
            Kind::Mail => "mail",
            Kind::Webhook => "webhook",
        }
    }
}

/// A message to queue.
pub struct NewMessage<'a> {
    pub kind: Kind,
    /// The mail's Message-ID, or the event id (`webhook-id`): the same on every attempt.
    pub message_id: &'a str,
    pub recipient: Option<&'a str>,
    pub endpoint_id: Option<&'a str>,
    /// A mail's purpose (`password_reset`, …) or an event's type (`lesson.completed`, …).
    pub event_type: &'a str,
    pub payload: &'a str,
}

pub async fn insert(tx: &mut WriteTx, message: &NewMessage<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    sqlx::query(
        "INSERT INTO outbox (id, kind, message_id, recipient, endpoint_id, event_type, payload, \
         created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(uuid::Uuid::new_v4().simple().to_string())
    .bind(message.kind.id())
    .bind(message.message_id)
    .bind(message.recipient)
    .bind(message.endpoint_id)
    .bind(message.event_type)
    .bind(message.payload)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Mails queued for `recipient` since `since`, counted inside the write that would add one,
/// so that concurrent requests cannot both pass a limit.
pub async fn mails_to_since(
    tx: &mut WriteTx,
    recipient: &str,
    since: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND kind = 'mail' AND created_at > $2",
    )
    .bind(recipient)
    .bind(since)
    .fetch_one(&mut **tx)
    .await
}

/// Drop the mail not yet sent to an address whose account is being deleted: its links died
/// with the account.
pub async fn forget_mail_to(tx: &mut WriteTx, recipient: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM outbox WHERE kind = 'mail' AND recipient = $1 AND status = 'pending'")
        .bind(recipient)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A message a worker has claimed.
#[derive(Debug)]
pub struct Claimed {
    pub id: String,
    pub kind: Kind,
    pub message_id: String,
    pub recipient: Option<String>,
    pub endpoint_id: Option<String>,
    pub event_type: String,
    pub payload: String,
    /// Attempts made, this one included.
    pub attempts: i64,
    pub created_at: String,
}

fn claimed_from(row: &Row) -> Result<Claimed, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(Claimed {
        id: row.try_get("id")?,
        kind: if kind == "mail" {
            Kind::Mail
        } else {
            Kind::Webhook
        },
        message_id: row.try_get("message_id")?,
        recipient: row.try_get("recipient")?,
        endpoint_id: row.try_get("endpoint_id")?,
        event_type: row.try_get("event_type")?,
        payload: row
            .try_get::<Option<String>, _>("payload")?
            .unwrap_or_default(),
        attempts: row.try_get("attempts")?,
        created_at: row.try_get("created_at")?,
    })
}

/// When the earliest pending message is due (a read: a worker with nothing to do writes
/// nothing).
pub async fn next_due(db: &Db) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT MIN(CASE WHEN claimed_until IS NULL OR claimed_until < next_attempt_at \
         THEN next_attempt_at ELSE claimed_until END) FROM outbox WHERE status = 'pending'",
    )
    .fetch_one(&db.read)
    .await
}

/// Claim up to `limit` messages due at `now`, for this worker until `lease_until`, and count
/// the attempt. A message another worker holds (an unexpired claim) is skipped; on
/// PostgreSQL, rows another instance is claiming at this moment are skipped too rather than
/// waited for.
pub async fn claim(
    db: &Db,
    now: &str,
    lease_until: &str,
    limit: i64,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let rows = sqlx::query(&format!(
        "UPDATE outbox SET claimed_until = $2, attempts = attempts + 1 WHERE id IN (\
         SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (claimed_until IS NULL OR claimed_until < $1) \
         ORDER BY next_attempt_at LIMIT $3 {lock}) \
         RETURNING id, kind, message_id, recipient, endpoint_id, event_type, payload, attempts, \
         created_at"
    ))
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(&db.write)
    .await?;
    rows.iter().map(claimed_from).collect()
}

/// The outcome of one attempt.
pub enum Outcome<'a> {
    Delivered {
        status_code: Option<i64>,
    },
    RetryAt {
        at: &'a str,
        status_code: Option<i64>,
        error: &'a str,
    },
    Failed {
        status_code: Option<i64>,
        error: &'a str,
    },
}

/// Record an attempt's outcome and release the claim. A delivered mail's body (which holds
/// a link's raw token) leaves the table, and so does a mail that failed for good.
pub async fn settle(db: &Db, id: &str, outcome: Outcome<'_>) -> Result<(), sqlx::Error> {
    let at = now();
    let query = match outcome {
        Outcome::Delivered { status_code } => sqlx::query(
            "UPDATE outbox SET status = 'delivered', delivered_at = $2, last_status_code = $3, \
             last_error = NULL, claimed_until = NULL, \
             payload = CASE WHEN kind = 'mail' THEN NULL ELSE payload END WHERE id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(status_code),
        Outcome::RetryAt {
            at: next,
            status_code,
            error,
        } => sqlx::query(
            "UPDATE outbox SET next_attempt_at = $2, last_status_code = $3, last_error = $4, \
             claimed_until = NULL WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(next)
        .bind(status_code)
        .bind(error),
        Outcome::Failed { status_code, error } => sqlx::query(
            "UPDATE outbox SET status = 'failed', last_status_code = $2, last_error = $3, \
             claimed_until = NULL, \
             payload = CASE WHEN kind = 'mail' THEN NULL ELSE payload END WHERE id = $1",
        )
        .bind(id)
        .bind(status_code)
        .bind(error),
    };
    query.execute(&db.write).await?;
    Ok(())
}

/// The SMTP server took a mail again after refusing: make every mail waiting out a retry
/// delay due now, instead of at its next (possibly hours away) retry.
pub async fn mail_is_back(db: &Db) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1 WHERE kind = 'mail' AND status = 'pending' \
         AND attempts >= 1 AND next_attempt_at > $1 AND claimed_until IS NULL",
    )
    .bind(now())
    .execute(&db.write)
    .await?;
    Ok(())
}

/// Make a failed or pending webhook delivery due now; false when the endpoint has no such
/// delivery.
pub async fn retry_now(db: &Db, endpoint_id: &str, message_id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $3, claimed_until = NULL \
         WHERE endpoint_id = $1 AND message_id = $2 AND status IN ('pending', 'failed')",
    )
    .bind(endpoint_id)
    .bind(message_id)
    .bind(now())
    .execute(&db.write)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One delivery to an endpoint, as its log shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Delivery {
    pub event_id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub delivered_at: Option<String>,
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: &Db,
    endpoint_id: &str,
    limit: i64,
) -> Result<Vec<Delivery>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT message_id, event_type, status, attempts, last_status_code, last_error, \
         created_at, next_attempt_at, delivered_at FROM outbox \
         WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(endpoint_id)
    .bind(limit)
    .fetch_all(&db.read)
    .await?;
    rows.iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            Ok(Delivery {
                event_id: row.try_get("message_id")?,
                event_type: row.try_get("event_type")?,
                next_attempt_at: match status.as_str() {
                    "pending" => row.try_get("next_attempt_at")?,
                    _ => None,
                },
                status,
                attempts: row.try_get("attempts")?,
                last_status_code: row.try_get("last_status_code")?,
                last_error: row.try_get("last_error")?,
                created_at: row.try_get("created_at")?,
                delivered_at: row.try_get("delivered_at")?,
            })
        })
        .collect()
}
