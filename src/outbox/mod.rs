//! The delivery worker: sends what the outbox holds (mails and webhook events) at once, and
//! again with growing delays while the SMTP server or the receiver is down.
//!
//! Messages are committed with the change that causes them (see `db::outbox`), so a request
//! never waits on delivery, and a process killed between the commit and the delivery loses
//! nothing: the next worker (this process after a restart, or another instance) finds the
//! message still pending. A worker claims a message for `LEASE` before sending it; a worker
//! that dies mid-send leaves a claim that runs out, and the message is sent again, with the
//! same Message-ID or `webhook-id`. Delivery is at least once.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::db::outbox::{self, Claimed, Kind, Outcome};
use crate::db::Db;

/// Delays before the retries of a message that failed: the first within a minute, the whole
/// run a little over 24 hours. After the last retry fails the message is `failed`.
const RETRY_DELAYS: [Duration; 7] = [
    Duration::from_secs(30),
    Duration::from_secs(2 * 60),
    Duration::from_secs(10 * 60),
    Duration::from_secs(60 * 60),
    Duration::from_secs(3 * 60 * 60),
    Duration::from_secs(8 * 60 * 60),
    Duration::from_secs(12 * 60 * 60),
];

/// How long a claim holds: longer than any one attempt may take (SMTP's timeout is 30 s, a
/// receiver's 10 s).
const LEASE: Duration = Duration::from_secs(60);

/// How often an idle worker looks for messages other processes committed.
const POLL: Duration = Duration::from_secs(1);

/// Messages claimed and sent at once.
const BATCH: i64 = 32;

/// The result of one attempt to deliver a message.
pub enum Attempt {
    Delivered {
        status_code: Option<i64>,
    },
    Failed {
        status_code: Option<i64>,
        error: String,
    },
    /// The message can never be delivered (its endpoint was deleted): no retry.
    Undeliverable {
        error: String,
    },
}

/// A handle that wakes the worker when a message was committed.
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    /// Tell the worker a message is waiting (after the commit that wrote it).
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// What carries one kind of message (mail's transport, webhooks' HTTP client).
pub trait Courier: Send + Sync + 'static {
    fn send(&self, db: &Db, message: &Claimed) -> impl Future<Output = Attempt> + Send;
}

/// What the worker sends with.
pub struct Couriers<M, W> {
    pub mail: M,
    pub webhooks: W,
    /// Multiplies the retry delays: 1 in production, smaller in tests.
    pub retry_scale: f64,
}

/// Start the worker on this runtime. It runs until the runtime stops.
pub fn start<M: Courier, W: Courier>(db: Db, outbox: &Outbox, couriers: Couriers<M, W>) {
    let wake = Arc::clone(&outbox.wake);
    let couriers = Arc::new(couriers);
    tokio::spawn(async move {
        loop {
            let pause = match work(&db, &couriers).await {
                Ok(pause) => pause,
                Err(error) => {
                    tracing::warn!("the outbox worker could not read the outbox: {error}");
                    POLL
                }
            };
            if !pause.is_zero() {
                let _ = tokio::time::timeout(pause, wake.notified()).await;
            }
        }
    });
}

/// Send what is due; how long to wait before looking again.
async fn work<M: Courier, W: Courier>(
    db: &Db,
    couriers: &Arc<Couriers<M, W>>,
) -> Result<Duration, sqlx::Error> {
    let now = Utc::now();
    let Some(due) = outbox::next_due(db).await? else {
        return Ok(POLL);
    };
    let due = DateTime::parse_from_rfc3339(&due).map_or(now, |at| at.with_timezone(&Utc));
    if due > now {
        return Ok((due - now).to_std().unwrap_or(POLL).min(POLL));
    }
    let claimed = outbox::claim(db, &stamp(now), &stamp(now + LEASE), BATCH).await?;
    let full = claimed.len() as i64 == BATCH;
    let mut sends = JoinSet::new();
    for message in claimed {
        let db = db.clone();
        let couriers = Arc::clone(couriers);
        sends.spawn(async move { deliver(&db, &couriers, message).await });
    }
    while let Some(sent) = sends.join_next().await {
        if let Ok(Err(error)) = sent {
            tracing::warn!("the outbox worker could not record a delivery: {error}");
        }
    }
    // A full batch may have left more waiting: look again at once.
    Ok(if full {
        Duration::ZERO
    } else {
        Duration::from_millis(1)
    })
}

async fn deliver<M: Courier, W: Courier>(
    db: &Db,
    couriers: &Couriers<M, W>,
    message: Claimed,
) -> Result<(), sqlx::Error> {
    let attempt = match message.kind {
        Kind::Mail => couriers.mail.send(db, &message).await,
        Kind::Webhook => couriers.webhooks.send(db, &message).await,
    };
    let outcome = match &attempt {
        Attempt::Delivered { status_code } => {
            if message.kind == Kind::Mail && message.attempts > 1 {
                // The SMTP server is back: what waits for it need not wait out its delay.
                outbox::mail_is_back(db).await?;
            }
            Outcome::Delivered {
                status_code: *status_code,
            }
        }
        Attempt::Undeliverable { error } => Outcome::Failed {
            status_code: None,
            error,
        },
        Attempt::Failed { status_code, error } => {
            let retry = usize::try_from(message.attempts - 1)
                .ok()
                .and_then(|n| RETRY_DELAYS.get(n));
            match retry {
                Some(delay) => {
                    let at = Utc::now() + delay.mul_f64(couriers.retry_scale);
                    tracing::info!(
                        kind = ?message.kind,
                        id = %message.message_id,
                        attempts = message.attempts,
                        "delivery failed ({error}); retrying at {}",
                        stamp(at)
                    );
                    return outbox::settle(
                        db,
                        &message.id,
                        Outcome::RetryAt {
                            at: &stamp(at),
                            status_code: *status_code,
                            error,
                        },
                    )
                    .await;
                }
                None => Outcome::Failed {
                    status_code: *status_code,
                    error,
                },
            }
        }
    };
    if let Outcome::Failed { error, .. } = &outcome {
        tracing::warn!(
            kind = ?message.kind,
            id = %message.message_id,
            attempts = message.attempts,
            "delivery failed for good: {error}"
        );
    }
    outbox::settle(db, &message.id, outcome).await
}

fn stamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_start_within_a_minute_and_last_over_a_day() {
        assert!(RETRY_DELAYS[0] <= Duration::from_secs(60));
        assert!(RETRY_DELAYS.windows(2).all(|w| w[0] < w[1]), "growing");
        let total: Duration = RETRY_DELAYS.iter().sum();
        assert!(total >= Duration::from_secs(24 * 60 * 60), "{total:?}");
        assert!(RETRY_DELAYS.len() + 1 >= 6, "at least 6 attempts");
        assert!(
            LEASE > Duration::from_secs(30),
            "a claim outlasts an attempt"
        );
    }
}
