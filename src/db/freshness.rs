//! The one freshness rule: what this process may keep in memory, and for how long.
//!
//! Every cache of data read from the database is stamped with the database's [`Version`]
//! when it was read, and is used again only while the version is unchanged:
//!
//! - this process's own commits move the version as they commit ([`super::WriteTx::commit`]
//!   and the progress queue), so the next request it serves sees them;
//! - on SQLite, commits by other processes (`lectern import`, `lectern set-plan`, another
//!   instance on the same file) are noticed by a watcher that asks SQLite's documented
//!   `PRAGMA data_version` on a connection of its own every [`WATCH_INTERVAL`], so they are
//!   seen well within a second;
//! - on PostgreSQL, other instances commit where this one cannot watch cheaply, so there is
//!   no version: nothing read per reader is kept, and the catalog reads its generation on
//!   every request.
//!
//! The catalog and the pages rendered from it are keyed on the catalog's generation (a row
//! the content changes bump), which the catalog checks again whenever the version moves.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::{watch, OnceCell};

/// How often the watcher asks SQLite whether another connection committed.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(200);

/// A version of the database as this process knows it: equal versions, equal data.
pub type Version = u64;

/// The database's version, shared by every clone of the `Db`.
#[derive(Debug, Default)]
pub struct Versions {
    current: AtomicU64,
}

impl Versions {
    pub fn current(&self) -> Version {
        self.current.load(Ordering::Acquire)
    }

    /// A commit happened: whatever was read before it may be stale.
    pub fn bump(&self) {
        self.current.fetch_add(1, Ordering::AcqRel);
    }
}

/// Stops the watcher when the database is closed.
#[derive(Debug)]
pub struct Watcher {
    stop: watch::Sender<bool>,
}

impl Watcher {
    /// Watch the SQLite database at `url` for commits by any other connection, moving
    /// `versions` for each. Runs until [`Watcher::stop`] or until the `Watcher` is dropped.
    pub async fn start(url: &str, versions: Arc<Versions>) -> Result<Watcher, sqlx::Error> {
        let mut connection = AnyConnection::connect(url).await?;
        let mut last = data_version(&mut connection).await?;
        let (stop, mut stopped) = watch::channel(false);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(WATCH_INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = ticks.tick() => {}
                    _ = stopped.changed() => break,
                }
                match data_version(&mut connection).await {
                    Ok(now) if now != last => {
                        last = now;
                        versions.bump();
                    }
                    Ok(_) => {}
                    // A busy or failing database: whatever it holds, it may have changed.
                    Err(error) => {
                        tracing::debug!(%error, "could not read the data version");
                        versions.bump();
                    }
                }
            }
            let _ = connection.close().await;
        });
        Ok(Watcher { stop })
    }

    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

/// SQLite's `data_version`: it changes on this connection whenever another connection
/// commits a change to the database file.
async fn data_version(connection: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(connection)
        .await
}

/// Values read from the database that a thread keeps for as long as the database's version
/// is the one they were read at (read the version first, then the value).
///
/// A value is kept in a cell that the first request to miss it fills: the requests of
/// the thread that miss it at the same time wait for that one read instead of each reading.
/// Every commit moves the version, so without this a thread serving many readers would send
/// one query per waiting request after each commit.
#[derive(Debug)]
pub struct Kept<T> {
    entries: HashMap<String, (Version, Rc<OnceCell<T>>)>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            entries: HashMap::new(),
        }
    }
}

impl<T> Kept<T> {
    /// At most this many values per thread; when full, all are let go.
    const CAPACITY: usize = 1024;

    /// The cell of `key` at `version`: filled already, being filled by another request of
    /// this thread, or new (and the caller fills it).
    pub fn cell(&mut self, key: &str, version: Version) -> Rc<OnceCell<T>> {
        if let Some((at, cell)) = self.entries.get(key) {
            if *at == version {
                return Rc::clone(cell);
            }
        }
        if self.entries.len() >= Self::CAPACITY && !self.entries.contains_key(key) {
            self.entries.clear();
        }
        let cell = Rc::new(OnceCell::new());
        self.entries
            .insert(key.to_owned(), (version, Rc::clone(&cell)));
        cell
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Executor;

    use std::cell::{Cell, RefCell};

    use super::*;

    /// A scratch SQLite database in WAL mode with a table `t (n)`: its folder, its URL and a
    /// connection to write with.
    async fn wal_database() -> (tempfile::TempDir, String, AnyConnection) {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let mut writer = AnyConnection::connect(&url).await.unwrap();
        writer
            .execute("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER)")
            .await
            .unwrap();
        (dir, url, writer)
    }

    #[tokio::test]
    async fn the_watcher_sees_every_commit_by_another_connection() {
        let (_dir, url, mut writer) = wal_database().await;
        let versions = Arc::new(Versions::default());
        let watcher = Watcher::start(&url, Arc::clone(&versions)).await.unwrap();
        let moved_from = |before: Version| {
            let versions = Arc::clone(&versions);
            async move {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
                while versions.current() == before {
                    assert!(tokio::time::Instant::now() < deadline, "no new version");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        for change in ["INSERT INTO t VALUES (1)", "UPDATE t SET n = 2"] {
            let before = versions.current();
            writer.execute(change).await.unwrap();
            moved_from(before).await;
        }
        watcher.stop();
    }

    #[tokio::test]
    async fn data_version_moves_with_commits_of_other_connections_only() {
        let (_dir, url, mut writer) = wal_database().await;
        let mut watching = AnyConnection::connect(&url).await.unwrap();
        let first = data_version(&mut watching).await.unwrap();
        writer.execute("INSERT INTO t VALUES (1)").await.unwrap();
        let second = data_version(&mut watching).await.unwrap();
        assert_ne!(second, first, "a commit");

        let mut tx = writer.begin().await.unwrap();
        tx.execute("INSERT INTO t VALUES (2)").await.unwrap();
        tx.rollback().await.unwrap();
        writer.execute("SELECT count(*) FROM t").await.unwrap();
        watching.execute("SELECT count(*) FROM t").await.unwrap();
        assert_eq!(
            data_version(&mut watching).await.unwrap(),
            second,
            "a rollback, a read or the connection's own read is no commit"
        );

        writer
            .execute("PRAGMA wal_checkpoint(TRUNCATE)")
            .await
            .unwrap();
        let checkpointed = data_version(&mut watching).await.unwrap();
        writer.execute("UPDATE t SET n = 3").await.unwrap();
        assert_ne!(
            data_version(&mut watching).await.unwrap(),
            checkpointed,
            "a commit into a new WAL"
        );
    }

    #[test]
    fn a_kept_value_is_for_its_version_only() {
        let (old, new) = (1, 2);
        let mut kept = Kept::default();
        let _ = kept.cell("a", old).set(7);
        assert_eq!(kept.cell("a", old).get(), Some(&7));
        assert_eq!(kept.cell("a", new).get(), None, "a newer database misses");
        assert_eq!(kept.cell("b", old).get(), None);
        let _ = kept.cell("a", new).set(8);
        assert_eq!(kept.cell("a", new).get(), Some(&8));
        for n in 2..Kept::<i32>::CAPACITY {
            let _ = kept.cell(&n.to_string(), new).set(0);
        }
        assert_eq!(kept.cell("a", new).get(), Some(&8), "full, not over");
        let _ = kept.cell("one more", new).set(0);
        assert_eq!(kept.cell("a", new).get(), None, "over: all let go");
        assert_eq!(kept.cell("one more", new).get(), Some(&0));
    }

    #[tokio::test]
    async fn requests_that_miss_together_wait_for_one_read() {
        let kept = RefCell::new(Kept::default());
        let reads = Cell::new(0);
        let read = || async {
            reads.set(reads.get() + 1);
            tokio::task::yield_now().await;
            Ok::<_, ()>(reads.get())
        };
        let request = || async {
            let cell = kept.borrow_mut().cell("reader", 1);
            *cell.get_or_try_init(read).await.unwrap()
        };
        let answers = futures_util::future::join_all((0..32).map(|_| request())).await;
        assert_eq!(reads.get(), 1, "one read for 32 requests");
        assert!(answers.iter().all(|a| *a == 1));
        let cell = kept.borrow_mut().cell("reader", 2);
        assert_eq!(
            *cell.get_or_try_init(read).await.unwrap(),
            2,
            "a new version reads again"
        );
        let failed = kept.borrow_mut().cell("other", 2);
        assert!(failed.get_or_try_init(|| async { Err(()) }).await.is_err());
        let again = kept.borrow_mut().cell("other", 2);
        assert_eq!(
            *again.get_or_try_init(read).await.unwrap(),
            3,
            "a failed read is not kept"
        );
    }
}
