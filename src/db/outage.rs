//! Telling a database that cannot answer right now (503, try again) from a fault (500).
//!
//! Unavailable: no connection within the pool's acquire timeout, a connection that broke
//! (I/O, TLS), PostgreSQL refusing or cancelling work (SQLSTATE class 08 connection
//! exception, 53 insufficient resources such as a full disk, 57 operator intervention such
//! as `statement_timeout` or a shutdown), SQLite busy or locked past its `busy_timeout`,
//! and a full disk (SQLite `SQLITE_FULL`, or `ENOSPC` from a file write).

use sqlx::error::DatabaseError;
use sqlx::postgres::PgDatabaseError;
use sqlx::sqlite::SqliteError;

/// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_FULL: i32 = 13;

/// Whether this database error means "not now" rather than "wrong".
pub fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(error) => database_error_is_unavailable(error.as_ref()),
        _ => false,
    }
}

fn database_error_is_unavailable(error: &dyn DatabaseError) -> bool {
    if let Some(error) = error.try_downcast_ref::<PgDatabaseError>() {
        return matches!(error.code().get(..2), Some("08" | "53" | "57"));
    }
    if let Some(error) = error.try_downcast_ref::<SqliteError>() {
        let primary = error
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .map(|code| code & 0xff);
        return matches!(primary, Some(SQLITE_BUSY | SQLITE_LOCKED | SQLITE_FULL));
    }
    false
}

/// Whether anything in this error's chain is an unavailable database or a full disk.
pub fn chain_is_unavailable(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        if let Some(error) = cause.downcast_ref::<sqlx::Error>() {
            is_unavailable(error)
        } else if let Some(error) = cause.downcast_ref::<std::io::Error>() {
            error.kind() == std::io::ErrorKind::StorageFull
        } else {
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lost_connections_are_unavailable_and_bad_queries_are_not() {
        assert!(is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(is_unavailable(&sqlx::Error::Io(std::io::Error::from(
            std::io::ErrorKind::ConnectionReset
        ))));
        assert!(!is_unavailable(&sqlx::Error::RowNotFound));
        assert!(!is_unavailable(&sqlx::Error::ColumnNotFound("x".into())));
    }

    #[test]
    fn a_full_disk_anywhere_in_the_chain_is_unavailable() {
        let full = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::StorageFull))
            .context("could not write /data/audio/x.mp3");
        assert!(chain_is_unavailable(&full));
        let denied =
            anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::PermissionDenied));
        assert!(!chain_is_unavailable(&denied));
        let pool = anyhow::Error::from(sqlx::Error::PoolTimedOut).context("reloading");
        assert!(chain_is_unavailable(&pool));
    }

    #[tokio::test]
    async fn sqlite_busy_and_full_are_unavailable_and_constraint_errors_are_not() {
        use sqlx::{Connection, Executor};
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let mut holder = sqlx::SqliteConnection::connect(&url).await.unwrap();
        holder
            .execute("CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t VALUES (1)")
            .await
            .unwrap();
        let duplicate = holder
            .execute("INSERT INTO t VALUES (1)")
            .await
            .unwrap_err();
        assert!(!is_unavailable(&duplicate), "{duplicate}");

        holder.execute("BEGIN IMMEDIATE").await.unwrap();
        let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
        other.execute("PRAGMA busy_timeout = 0").await.unwrap();
        let busy = other.execute("BEGIN IMMEDIATE").await.unwrap_err();
        assert!(is_unavailable(&busy), "{busy}");
        holder.execute("ROLLBACK").await.unwrap();

        // A database not allowed to grow is full.
        let page_count: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut holder)
            .await
            .unwrap();
        holder
            .execute(format!("PRAGMA max_page_count = {page_count}").as_str())
            .await
            .unwrap();
        let full = holder
            .execute("INSERT INTO t SELECT id + 1000 FROM t; CREATE TABLE u (x BLOB); INSERT INTO u VALUES (zeroblob(100000))")
            .await
            .unwrap_err();
        assert!(is_unavailable(&full), "{full}");
    }
}
