//! SQLite: the reads every signed-in page makes (the session's user, the reader's record of
//! a lesson) run on the request's own thread, through a read-only connection that each
//! thread opens once, instead of a round trip to a pooled connection's worker thread.
//!
//! It is only a shortcut: whatever it cannot do at once (a lock held elsewhere, a file that
//! will not open) returns `None`, and the caller asks the pool, which waits and reports as
//! every other query does. Rows are decoded by the same functions on both paths
//! ([`Columns`]).
//!
//! What was read can also be kept ([`Kept`]) and used again for as long as the database's
//! [`Version`] is unchanged: the WAL index header, which SQLite rewrites at every commit of
//! every connection in every process, read from the memory SQLite shares between them. A
//! read transaction costs two file-lock system calls; looking at the header costs none.

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::c_void;
use std::path::PathBuf;
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use rusqlite::{ffi, Connection, OpenFlags};
use thread_local::ThreadLocal;

/// The placeholders a statement read here may have, in order.
const PLACEHOLDERS: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

/// The per-thread read-only connections to one SQLite file.
pub struct LocalReads {
    path: PathBuf,
    /// Each thread locks only its own (never contended), `close` all of them.
    connections: ThreadLocal<Mutex<Option<Connection>>>,
    closed: AtomicBool,
    watch: RwLock<Watch>,
}

impl std::fmt::Debug for LocalReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalReads")
            .field("path", &self.path)
            .finish()
    }
}

impl LocalReads {
    pub fn new(path: PathBuf) -> LocalReads {
        LocalReads {
            path,
            connections: ThreadLocal::new(),
            closed: AtomicBool::new(false),
            watch: RwLock::new(Watch::Untried),
        }
    }

    /// The database's version: it changes with every commit, by any connection of any
    /// process. `None` when it cannot be read (not in WAL mode, or closed).
    pub fn version(&self) -> Option<Version> {
        {
            let watch = self.watch.read().unwrap_or_else(|p| p.into_inner());
            match &*watch {
                Watch::Open(header) => return header.read(),
                Watch::Unavailable => return None,
                Watch::Untried => {}
            }
        }
        let mut watch = self.watch.write().unwrap_or_else(|p| p.into_inner());
        if matches!(*watch, Watch::Untried) {
            *watch = match self.open().ok().and_then(WalHeader::of) {
                Some(header) => Watch::Open(header),
                None => Watch::Unavailable,
            };
        }
        match &*watch {
            Watch::Open(header) => header.read(),
            _ => None,
        }
    }

    /// Close every thread's connection (at shutdown, so that the pool's last connection
    /// can checkpoint the WAL); later reads go to the pool.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        *self.watch.write().unwrap_or_else(|p| p.into_inner()) = Watch::Unavailable;
        for connection in self.connections.iter() {
            if let Ok(mut connection) = connection.lock() {
                connection.take();
            }
        }
    }

    /// The first row of `sql` decoded, or no row; `None` when it could not be read here.
    /// `args[i]` is bound to the placeholder `$i+1`, wherever the statement first names it.
    pub fn optional<T>(
        &self,
        sql: &str,
        args: &[&str],
        decode: impl FnOnce(&LocalRow) -> Result<T, sqlx::Error>,
    ) -> Option<Result<Option<T>, sqlx::Error>> {
        if self.closed.load(Ordering::Relaxed) {
            return None;
        }
        let mut slot = self.connections.get_or(Mutex::default).try_lock().ok()?;
        if slot.is_none() {
            *slot = Some(self.open().ok()?);
        }
        let connection = slot.as_ref()?;
        let mut statement = connection.prepare_cached(sql).ok()?;
        if statement.parameter_count() != args.len() || args.len() > PLACEHOLDERS.len() {
            return None;
        }
        for (placeholder, arg) in PLACEHOLDERS.iter().zip(args) {
            let index = statement.parameter_index(placeholder).ok()??;
            statement.raw_bind_parameter(index, arg).ok()?;
        }
        let mut rows = statement.raw_query();
        match rows.next() {
            Ok(Some(row)) => Some(decode(&LocalRow::new(row)).map(Some)),
            Ok(None) => Some(Ok(None)),
            Err(_) => None,
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // Never wait on this thread: a busy database is the pool's to wait for.
        connection.busy_timeout(Duration::ZERO)?;
        Ok(connection)
    }
}

/// A version of the database: the header of its WAL index, which SQLite rewrites, with a
/// new change counter and checksum, at every commit (<https://sqlite.org/walformat.html>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Version([u8; WAL_HEADER]);

/// The size of the WAL index header; the index keeps two copies of it, one after the other.
const WAL_HEADER: usize = 48;

enum Watch {
    Untried,
    Open(WalHeader),
    Unavailable,
}

/// The WAL index header of the database, in the memory SQLite shares between all of its
/// connections, mapped through a connection kept open for it.
struct WalHeader {
    copies: *const [u8; WAL_HEADER],
    /// Keeps the mapping alive: dropping it unmaps `copies`.
    _connection: Connection,
}

// SAFETY: `copies` points into memory mapped for as long as `_connection` lives, and is only
// read, the way SQLite's own readers do; the connection is never used again.
unsafe impl Send for WalHeader {}
unsafe impl Sync for WalHeader {}

impl WalHeader {
    /// Map the header through `connection`, when the database is in WAL mode.
    fn of(connection: Connection) -> Option<WalHeader> {
        let mode: String = connection
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .ok()?;
        if !mode.eq_ignore_ascii_case("wal") {
            return None;
        }
        // A read maps the WAL index.
        connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .ok()?;
        // SAFETY: the file and its methods belong to the open connection; region 0 of the
        // WAL index starts with the header's two copies.
        let copies = unsafe {
            let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
            let found = ffi::sqlite3_file_control(
                connection.handle(),
                c"main".as_ptr(),
                ffi::SQLITE_FCNTL_FILE_POINTER,
                (&raw mut file).cast::<c_void>(),
            );
            if found != ffi::SQLITE_OK || file.is_null() || (*file).pMethods.is_null() {
                return None;
            }
            let map = (*(*file).pMethods).xShmMap?;
            let mut region: *mut c_void = std::ptr::null_mut();
            if map(file, 0, 32 * 1024, 0, &mut region) != ffi::SQLITE_OK || region.is_null() {
                return None;
            }
            region.cast_const().cast::<[u8; WAL_HEADER]>()
        };
        Some(WalHeader {
            copies,
            _connection: connection,
        })
    }

    /// The header, when its two copies agree (a commit writes the second copy first).
    fn read(&self) -> Option<Version> {
        // SAFETY: see `WalHeader`; both copies lie in region 0.
        let (first, second) = unsafe {
            let first = std::ptr::read_volatile(self.copies);
            fence(Ordering::Acquire);
            (first, std::ptr::read_volatile(self.copies.add(1)))
        };
        // Byte 12 is `isInit`: zero while the index is being rebuilt.
        (first == second && first[12] != 0).then_some(Version(first))
    }
}

/// Values read here that each thread keeps for as long as the database's version is the
/// one they were read at (read the version first, then the value).
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

/// A row of either path, read by column name.
pub trait Columns {
    fn column<T: Column>(&self, name: &str) -> Result<T, sqlx::Error>;
}

/// A value both drivers decode.
pub trait Column:
    for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}

impl<T> Column for T where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + rusqlite::types::FromSql
{
}

impl Columns for sqlx::any::AnyRow {
    fn column<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        sqlx::Row::try_get(self, name)
    }
}

/// A row read here. A name is looked for from the column after the one found last, so
/// decoding columns in the statement's order compares one name each.
pub struct LocalRow<'r> {
    row: &'r rusqlite::Row<'r>,
    next: Cell<usize>,
}

impl<'r> LocalRow<'r> {
    fn new(row: &'r rusqlite::Row<'r>) -> LocalRow<'r> {
        LocalRow {
            row,
            next: Cell::new(0),
        }
    }
}

impl Columns for LocalRow<'_> {
    fn column<T: Column>(&self, name: &str) -> Result<T, sqlx::Error> {
        let statement = self.row.as_ref();
        let start = self.next.get();
        let index = (start..statement.column_count())
            .chain(0..start)
            .find(|&i| {
                statement
                    .column_name(i)
                    .is_ok_and(|found| found.eq_ignore_ascii_case(name))
            })
            .ok_or_else(|| sqlx::Error::ColumnNotFound(name.to_owned()))?;
        self.next.set(index + 1);
        self.row
            .get(index)
            .map_err(|error| sqlx::Error::ColumnDecode {
                index: name.to_owned(),
                source: Box::new(error),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_row_and_no_row_and_gives_way_when_it_cannot_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (id TEXT, n INTEGER); \
                 INSERT INTO t VALUES ('a', 7);",
            )
            .unwrap();
        let reads = LocalReads::new(path);
        let sql = "SELECT n FROM t WHERE id = $1";
        let n = |row: &LocalRow| row.column::<i64>("n");
        assert_eq!(reads.optional(sql, &["a"], n).unwrap().unwrap(), Some(7));
        assert_eq!(reads.optional(sql, &["b"], n).unwrap().unwrap(), None);
        // Placeholders are bound by number, whatever order the statement names them in.
        let both = "SELECT n FROM t WHERE n = $2 AND id = $1";
        assert_eq!(
            reads.optional(both, &["a", "7"], n).unwrap().unwrap(),
            Some(7)
        );
        // A statement given the wrong number of values is not answered here.
        assert!(reads.optional(sql, &["a", "b"], n).is_none());
        // A committed write is seen at once by the thread's kept connection.
        writer.execute("UPDATE t SET n = 8", []).unwrap();
        assert_eq!(reads.optional(sql, &["a"], n).unwrap().unwrap(), Some(8));
        // A bad statement or a missing file is not answered here: the pool will.
        assert!(reads.optional("SELECT nope FROM t", &[], n).is_none());
        let missing = LocalReads::new(dir.path().join("missing.db"));
        assert!(missing.optional(sql, &["a"], n).is_none());
        // Once closed, nothing is read here any more.
        reads.close();
        assert!(reads.optional(sql, &["a"], n).is_none());
    }

    #[test]
    fn the_version_changes_with_every_commit_by_any_connection() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let writer = Connection::open(&path).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1);",
            )
            .unwrap();
        let reads = LocalReads::new(path);
        let first = reads.version().expect("a WAL database has a version");
        let n = |row: &LocalRow| row.column::<i64>("n");
        assert_eq!(
            reads.optional("SELECT n FROM t", &[], n).unwrap().unwrap(),
            Some(1)
        );
        assert_eq!(reads.version(), Some(first), "reading changes nothing");
        writer.execute("UPDATE t SET n = 2", []).unwrap();
        let second = reads.version().unwrap();
        assert_ne!(second, first);
        writer.execute("INSERT INTO t VALUES (2)", []).unwrap();
        assert_ne!(reads.version().unwrap(), second, "every commit of a change");
        let before = reads.version().unwrap();
        writer
            .execute_batch("BEGIN; UPDATE t SET n = 3; ROLLBACK;")
            .unwrap();
        assert_eq!(
            reads.version(),
            Some(before),
            "a rolled back write is no commit"
        );
        writer
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
        let checkpointed = reads.version().unwrap();
        writer.execute("UPDATE t SET n = 4", []).unwrap();
        assert_ne!(reads.version().unwrap(), checkpointed, "a new WAL too");
        reads.close();
        assert_eq!(reads.version(), None);
    }

    #[test]
    fn without_wal_there_is_no_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t (n INTEGER);")
            .unwrap();
        assert_eq!(LocalReads::new(path).version(), None);
        assert_eq!(
            LocalReads::new(dir.path().join("missing.db")).version(),
            None
        );
    }

    #[test]
    fn a_kept_value_is_for_its_version_only() {
        let (old, new) = (Version([1; WAL_HEADER]), Version([2; WAL_HEADER]));
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

    #[test]
    fn columns_are_found_by_name_whatever_order_they_are_read_in() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER); INSERT INTO t VALUES (1, 2, 3);",
            )
            .unwrap();
        let reads = LocalReads::new(path);
        let read = |row: &LocalRow| {
            let names = ["c", "A", "b", "c", "a"];
            names.map(|name| row.column::<i64>(name).unwrap())
        };
        let found = reads.optional("SELECT a, b, c FROM t", &[], |row| Ok(read(row)));
        assert_eq!(found.unwrap().unwrap(), Some([3, 1, 2, 3, 1]));
        let missing = reads.optional("SELECT a FROM t", &[], |row| row.column::<i64>("b"));
        assert!(matches!(
            missing.unwrap(),
            Err(sqlx::Error::ColumnNotFound(name)) if name == "b"
        ));
    }
}
