//! SQLite: the reads every signed-in page makes (the session's user, the reader's record of
//! a lesson) run on the request's own thread, through a read-only connection that each
//! thread opens once, instead of a round trip to a pooled connection's worker thread.
//!
//! It is only a shortcut: whatever it cannot do at once (a lock held elsewhere, a file that
//! will not open) returns `None`, and the caller asks the pool, which waits and reports as
//! every other query does. Rows are decoded by the same functions on both paths
//! ([`Columns`]).

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use thread_local::ThreadLocal;

/// The per-thread read-only connections to one SQLite file.
pub struct LocalReads {
    path: PathBuf,
    /// Each thread locks only its own (never contended), `close` all of them.
    connections: ThreadLocal<Mutex<Option<Connection>>>,
    closed: AtomicBool,
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
        }
    }

    /// Close every thread's connection (at shutdown, so that the pool's last connection
    /// can checkpoint the WAL); later reads go to the pool.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
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
        if statement.parameter_count() != args.len() {
            return None;
        }
        for (number, arg) in (1..).zip(args) {
            let index = statement.parameter_index(&format!("${number}")).ok()??;
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
