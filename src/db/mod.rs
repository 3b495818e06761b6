//! The database: one set of portable SQL over SQLite (embedded, the default) or PostgreSQL.
//!
//! Queries use `$1, $2, …` placeholders numbered in order of first appearance (SQLite binds
//! them by position), TEXT for ids and RFC 3339 times, BIGINT for numbers and flags.
//! On SQLite every write goes through a single writer connection and opens with
//! `BEGIN IMMEDIATE`, so no request ever meets "database is locked".
//!
//! No request waits on the database for long: see the timeouts below. When they run out
//! the request answers 503 `unavailable` (see `outage`), and the pools reconnect by
//! themselves once the database answers again.

pub mod admin;
pub mod analytics;
pub mod billing;
pub mod certificates;
pub mod figures;
pub mod freshness;
pub mod learning;
pub mod lessons;
pub mod login_failures;
pub mod mail_links;
pub mod media;
pub mod outage;
pub mod outbox;
pub mod progress_queue;
pub mod users;
pub mod webhooks;

use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyConnection, AnyPool, Connection, Executor, Transaction};

use crate::config::Settings;

/// Longest a request waits for a connection: a free one from the pool, pinged first, or a
/// new one connected (retried while the server refuses). Past it, 503.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// PostgreSQL: longest one statement may run on the server before it is cancelled (503).
/// Migrations run without it.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite: longest a statement waits for a lock another process holds (`lectern import`
/// running beside the server, say) before it fails as busy (503).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(3);

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// Which engine sits behind the pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Connection pools: `read` for queries, `write` for anything that changes data.
/// On PostgreSQL both are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: AnyPool,
    write: AnyPool,
    backend: Backend,
    /// Progress writes waiting for a group commit (SQLite).
    progress_queue: Arc<progress_queue::ProgressQueue>,
    /// The database's version (see `freshness`), moved by every commit made here.
    versions: Arc<freshness::Versions>,
    /// SQLite: notices other processes' commits. None on PostgreSQL.
    watcher: Option<Arc<freshness::Watcher>>,
}

/// The sqlx row type every data-access module decodes from.
pub type Row = AnyRow;

impl Db {
    /// Connect (creating the SQLite file and data folder when needed) and run migrations.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let url = settings.database_url();
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = pool_options(16)
                .after_connect(|conn, _meta| {
                    Box::pin(set_statement_timeout(conn, STATEMENT_TIMEOUT))
                })
                .connect(&url)
                .await
                .with_context(|| {
                    format!("could not connect to PostgreSQL at {}", redact_url(&url))
                })?;
            Db {
                read: pool.clone(),
                write: pool,
                backend: Backend::Postgres,
                progress_queue: Default::default(),
                versions: Default::default(),
                watcher: None,
            }
        } else if let Some(path) = url.strip_prefix("sqlite://") {
            Self::open_sqlite(path).await?
        } else {
            anyhow::bail!("LECTERN_DATABASE_URL must start with sqlite:// or postgres://");
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn open_sqlite(path: &str) -> anyhow::Result<Db> {
        let file = std::path::Path::new(path.split('?').next().unwrap_or(path));
        if let Some(parent) = file.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("could not create the data folder {}", parent.display())
            })?;
        }
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let open = |max| {
            pool_options(max)
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(
                            format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {};",
                                BUSY_TIMEOUT.as_millis()
                            )
                            .as_str(),
                        )
                        .await?;
                        Ok(())
                    })
                })
                .after_release(|conn, _meta| {
                    // SQLite ends a transaction by itself on some errors (a full disk, say);
                    // the driver's ROLLBACK then fails and it still counts the transaction
                    // open, so every later BEGIN would fail. Such a connection is closed
                    // (a fresh one is opened when needed), never reused. The ping lets the
                    // queued rollback of a dropped transaction finish first; a connection
                    // out of any transaction (every read) needs no such wait.
                    Box::pin(async move {
                        if conn.is_in_transaction() {
                            conn.ping().await?;
                        }
                        Ok(!conn.is_in_transaction())
                    })
                })
                // A local file cannot drop a connection the way a server can: no ping
                // (a round trip to the connection's thread) before each query.
                .test_before_acquire(false)
                .connect(&url)
        };
        let write = open(1)
            .await
            .with_context(|| format!("could not open the SQLite database {}", file.display()))?;
        let read = open(8).await?;
        let versions = Arc::<freshness::Versions>::default();
        let watcher = freshness::Watcher::start(&url, Arc::clone(&versions)).await?;
        Ok(Db {
            read,
            write,
            backend: Backend::Sqlite,
            progress_queue: Default::default(),
            versions,
            watcher: Some(Arc::new(watcher)),
        })
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        let mut conn = self.write.acquire().await?;
        if self.backend == Backend::Postgres {
            // A migration may rewrite a large table: no statement timeout for it.
            set_statement_timeout(&mut conn, Duration::ZERO).await?;
        }
        migrator
            .run(&mut *conn)
            .await
            .context("could not run database migrations")?;
        if self.backend == Backend::Postgres {
            set_statement_timeout(&mut conn, STATEMENT_TIMEOUT).await?;
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The database's version, when this process sees every commit to it within a second
    /// (SQLite); `None` on PostgreSQL, where other instances commit unseen. What is read at
    /// a version may be kept while the version is unchanged (see `freshness`).
    pub fn version(&self) -> Option<freshness::Version> {
        self.watcher.as_ref().map(|_| self.versions.current())
    }

    /// Start a write transaction; on SQLite it takes the write lock up front.
    pub async fn begin_write(&self) -> Result<WriteTx, sqlx::Error> {
        let tx = match self.backend {
            Backend::Sqlite => self.write.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.write.begin().await?,
        };
        Ok(WriteTx {
            tx,
            versions: Arc::clone(&self.versions),
        })
    }

    /// Whether the database answers: used by `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
    }

    /// Close every connection (on shutdown, so the SQLite WAL is checkpointed).
    pub async fn close(&self) {
        if let Some(watcher) = &self.watcher {
            watcher.stop();
        }
        self.write.close().await;
        self.read.close().await;
    }
}

/// A write transaction: committing it moves the database's version, so that nothing read
/// before the commit is used again.
#[derive(Debug)]
pub struct WriteTx {
    tx: Transaction<'static, Any>,
    versions: Arc<freshness::Versions>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let committed = self.tx.commit().await;
        // A failed commit may still have been written (a lost connection): count it.
        self.versions.bump();
        committed
    }
}

impl Deref for WriteTx {
    type Target = AnyConnection;

    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}

/// Pools ping an idle connection before handing it out (within the acquire timeout), so a
/// connection the database or the network dropped is replaced instead of failing a request,
/// and one that no longer answers costs at most `ACQUIRE_TIMEOUT`.
fn pool_options(max_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .test_before_acquire(true)
}

/// PostgreSQL: cancel this connection's statements after `limit` (zero: never).
async fn set_statement_timeout(
    conn: &mut sqlx::AnyConnection,
    limit: Duration,
) -> Result<(), sqlx::Error> {
    conn.execute(format!("SET statement_timeout = {}", limit.as_millis()).as_str())
        .await
        .map(|_| ())
}

/// A database URL fit for logs: the password replaced.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// The current time as an RFC 3339 UTC string, the one format every stored time uses.
pub fn now() -> String {
    thread_local! {
        /// The last millisecond formatted on this thread: pages ask many times a millisecond.
        static LAST: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
    }
    let now = chrono::Utc::now();
    let millis = now.timestamp_millis();
    LAST.with_borrow_mut(|(at, text)| {
        if *at != millis {
            *text = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            *at = millis;
        }
        text.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_the_current_millisecond_in_the_stored_format() {
        let before = chrono::Utc::now().timestamp_millis();
        let (first, second) = (now(), now());
        let after = chrono::Utc::now().timestamp_millis();
        assert!(first <= second, "{first} then {second}");
        assert_eq!(second.len(), "2026-11-30T01:02:03.456Z".len(), "{second}");
        let at = chrono::DateTime::parse_from_rfc3339(&second)
            .unwrap()
            .timestamp_millis();
        assert!(
            (before..=after).contains(&at),
            "{before} <= {at} <= {after}"
        );
    }

    #[tokio::test]
    async fn a_failed_commit_on_a_full_database_does_not_break_the_writer() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&format!("{}/t.db", dir.path().display()))
            .await
            .unwrap();
        let mut tx = db.begin_write().await.unwrap();
        tx.execute("CREATE TABLE t (x BLOB)").await.unwrap();
        tx.commit().await.unwrap();

        // The writer may not grow the file: the next big write fails as full.
        let mut conn = db.write.acquire().await.unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        conn.execute(format!("PRAGMA max_page_count = {pages}").as_str())
            .await
            .unwrap();
        drop(conn);
        let mut tx = db.begin_write().await.unwrap();
        let failed = async {
            sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        }
        .await
        .unwrap_err();
        assert!(outage::is_unavailable(&failed), "{failed}");

        let mut tx = db.begin_write().await.expect("the writer still begins");
        tx.execute("INSERT INTO t VALUES (x'00')").await.unwrap();
        tx.commit().await.unwrap();
    }

    /// The schema's CHECK constraints keep such values out; a database written by a newer
    /// version, or by hand, may still hold one.
    #[tokio::test]
    async fn a_value_the_code_does_not_know_is_a_decode_error_not_a_default() {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&format!("{}/t.db", dir.path().display()))
            .await
            .unwrap();
        let row = |plan: &str, role: &str| {
            sqlx::query(
                "SELECT 'u1' AS id, 'ada@example.com' AS email, 'Ada' AS name, \
                 $1 AS plan, $2 AS role, 'now' AS created_at, 0 AS email_verified",
            )
            .bind(plan.to_owned())
            .bind(role.to_owned())
            .fetch_one(&db.read)
        };
        let known = users::user_from(&row("plus", "admin").await.unwrap()).unwrap();
        assert_eq!(
            (known.plan, known.role),
            (crate::plans::Plan::Plus, users::Role::Admin)
        );
        for (plan, role, unknown) in [
            ("platinum", "learner", "platinum"),
            ("free", "owner", "owner"),
        ] {
            let error = users::user_from(&row(plan, role).await.unwrap()).unwrap_err();
            assert!(error.to_string().contains(unknown), "{error}");
        }
        let status = |text: &'static str| {
            sqlx::query("SELECT $1 AS status")
                .bind(text)
                .fetch_one(&db.read)
        };
        let published = status("published").await.unwrap();
        assert_eq!(
            lessons::Status::decode(&published, "status").unwrap(),
            lessons::Status::Published
        );
        let error =
            lessons::Status::decode(&status("archived").await.unwrap(), "status").unwrap_err();
        assert!(error.to_string().contains("archived"), "{error}");
    }

    #[test]
    fn urls_lose_their_password_in_logs() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/lectern"),
            "postgres://app:***@db:5432/lectern"
        );
        assert_eq!(redact_url("postgres://db/lectern"), "postgres://db/lectern");
    }
}
