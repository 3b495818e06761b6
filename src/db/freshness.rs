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
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::watch;

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
#[derive(Debug)]
pub struct Kept<T> {
    entries: HashMap<String, (Version, T)>,
}

impl<T> Default for Kept<T> {
    fn default() -> Self {
        Kept {
            entries: HashMap::new(),
        }
    }
}

impl<T: Clone> Kept<T> {
    /// At most this many values per thread; when full, all are let go.
    const CAPACITY: usize = 1024;

    pub fn get(&self, key: &str, version: Version) -> Option<T> {
        self.entries
            .get(key)
            .filter(|(at, _)| *at == version)
            .map(|(_, value)| value.clone())
    }

    pub fn put(&mut self, key: String, version: Version, value: T) {
        if self.entries.len() >= Self::CAPACITY && !self.entries.contains_key(&key) {
            self.entries.clear();
        }
        self.entries.insert(key, (version, value));
    }
}

#[cfg(test)]
mod tests {
    use sqlx::Executor;

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
        kept.put("a".to_owned(), old, 7);
        assert_eq!(kept.get("a", old), Some(7));
        assert_eq!(kept.get("a", new), None, "a newer database misses");
        assert_eq!(kept.get("b", old), None);
        kept.put("a".to_owned(), new, 8);
        assert_eq!(kept.get("a", new), Some(8));
        for n in 1..Kept::<i32>::CAPACITY {
            kept.put(n.to_string(), new, 0);
        }
        assert_eq!(kept.get("a", new), Some(8), "full, not over");
        kept.put("one more".to_owned(), new, 0);
        assert_eq!(kept.get("a", new), None, "over: all let go");
        assert_eq!(kept.get("one more", new), Some(0));
    }
}
