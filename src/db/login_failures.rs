//! Failed log-ins by client address over the last minute (`accounts` decides what they
//! mean). Times are Unix milliseconds.

use sqlx::Row as _;

use super::Db;

/// How long a failure counts, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;

/// The failures of `address` in the minute before `now_ms`, and when the oldest of them
/// stops counting.
pub async fn recent(
    db: &Db,
    address: &str,
    now_ms: i64,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS failures, MIN(failed_at_ms) AS oldest FROM login_failures \
         WHERE address = $1 AND failed_at_ms > $2",
    )
    .bind(address)
    .bind(now_ms - WINDOW_MS)
    .fetch_one(&db.read)
    .await?;
    let oldest: Option<i64> = row.try_get("oldest")?;
    Ok((row.try_get("failures")?, oldest.map(|at| at + WINDOW_MS)))
}

/// Record a failure of `address` at `now_ms`, and forget those that no longer count.
pub async fn record(db: &Db, address: &str, now_ms: i64) -> Result<(), sqlx::Error> {
    let mut tx = db.begin_write().await?;
    sqlx::query("INSERT INTO login_failures (address, failed_at_ms) VALUES ($1, $2)")
        .bind(address)
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM login_failures WHERE failed_at_ms <= $1")
        .bind(now_ms - WINDOW_MS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
