//! Test databases on the PostgreSQL server named by `LECTERN_TEST_POSTGRES_URL`: each test
//! gets a fresh one, dropped when the test ends, whether it passed or failed.
//!
//! The `postgres::` tests are ignored unless that variable is set (`build.rs` turns it into
//! the `lectern_postgres` cfg). Under `CI=true` they always run, and fail without a server.

use sqlx::Connection;

/// The environment variable naming the test server.
pub const URL_VARIABLE: &str = "LECTERN_TEST_POSTGRES_URL";

/// A database of its own on the test server, dropped (with any connections still open to
/// it) when this value is dropped, also while a failed test unwinds.
pub struct TestDatabase {
    server_url: String,
    name: String,
}

impl TestDatabase {
    /// Create an empty database on the test server.
    pub async fn create() -> TestDatabase {
        let server_url = std::env::var(URL_VARIABLE).unwrap_or_else(|_| {
            panic!("{URL_VARIABLE} is not set: a PostgreSQL test needs a server (see README, \"Test it\")")
        });
        let name = format!("lectern_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = sqlx::PgConnection::connect(&server_url)
            .await
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {server_url}: {e}"));
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create test database");
        TestDatabase { server_url, name }
    }

    /// The URL an instance connects with.
    pub fn url(&self) -> String {
        let (prefix, _) = self
            .server_url
            .rsplit_once('/')
            .expect("a database URL with a path");
        format!("{prefix}/{}", self.name)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let server_url = self.server_url.clone();
        let statement = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop runs inside the test's runtime, which cannot wait on a future here: the
        // statement runs on a thread with a runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&server_url).await?;
                sqlx::query(&statement).execute(&mut conn).await?;
                conn.close().await?;
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop the test database {}: {e}", self.name),
            Err(_) => eprintln!("dropping the test database {} panicked", self.name),
        }
    }
}
