//! The billing events already applied.

use super::lessons::Tx;
use super::now;

/// Mark billing event `id` applied; `false` when it already was (the caller changes nothing).
pub async fn claim_billing_event(tx: &mut Tx, id: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO billing_events (id, applied_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING",
    )
    .bind(id)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
