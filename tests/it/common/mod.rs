//! Test helpers: spawn the app on port 0 with a fresh database, as a client would meet it.
//!
//! Every suite runs on SQLite. Suites written with `on_both_backends!` also run on
//! PostgreSQL (a fresh database per test) when `LECTERN_TEST_POSTGRES_URL` names a server
//! such as `postgres://postgres@127.0.0.1:5432/test`; without it those runs are skipped with
//! a printed reason, except under `CI=true`, where a missing PostgreSQL fails the run.
#![allow(dead_code)]

pub mod pdf;
pub mod webdriver;

use std::path::{Path, PathBuf};

use lectern::config::Settings;
use lectern::startup::Application;
use sqlx::Connection;

/// A password that passes the rules.
pub const TEST_PASSWORD: &str = "a quiet lectern at dawn";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    _data: tempfile::TempDir,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The bundled course shipped in the repository.
pub fn bundled_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Settings for a test instance with its own data folder and database.
/// `None` when the backend is PostgreSQL and no server is configured (the run is skipped).
pub async fn test_settings(
    backend: Backend,
    content: &Path,
) -> Option<(Settings, tempfile::TempDir)> {
    let data = tempfile::tempdir().expect("temp dir");
    let database_url = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(fresh_postgres_database().await?),
    };
    let settings = Settings {
        bind: "127.0.0.1:0".into(),
        data_dir: data.path().to_path_buf(),
        database_url,
        content_dir: content.to_path_buf(),
        public_url: None,
        jwt_secret: None,
        billing_webhook_secret: None,
        trusted_proxies: Vec::new(),
        auth_rate_limit: 1000,
        tokenize_rate_limit: 10_000,
        log: "warn".into(),
    };
    Some((settings, data))
}

/// Start an instance on a free port, serving `content`.
pub async fn spawn_with(backend: Backend, content: &Path) -> Option<TestApp> {
    let (settings, data) = test_settings(backend, content).await?;
    Some(spawn_settings(settings, data).await)
}

pub async fn spawn_settings(settings: Settings, data: tempfile::TempDir) -> TestApp {
    lectern::telemetry::init_logging(&std::env::var("TEST_LOG").unwrap_or_else(|_| "warn".into()));
    let app = Application::build(settings.clone())
        .await
        .expect("the app builds");
    let address = format!("http://{}", app.address());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        settings,
        _data: data,
    }
}

/// Start an instance with the bundled course.
pub async fn spawn(backend: Backend) -> Option<TestApp> {
    spawn_with(backend, &bundled_content()).await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        let body = response.json().await.expect("a JSON body");
        (status, body)
    }

    /// A request as a same-origin page of this site would send it.
    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .header("origin", &self.address)
    }

    /// Sign up a new learner through the API; returns the token and the user.
    pub async fn sign_up(&self, email: &str) -> (String, serde_json::Value) {
        let response = self
            .post("/api/v1/auth/signup")
            .json(&serde_json::json!({
                "email": email,
                "password": TEST_PASSWORD,
                "name": "Test Reader",
            }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "sign-up succeeds");
        let body: serde_json::Value = response.json().await.expect("json");
        (
            body["token"].as_str().expect("a token").to_owned(),
            body["user"].clone(),
        )
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.text().await.expect("a text body"))
    }
}

/// Send a request; its status and JSON body (`null` when the body is not JSON).
pub async fn send(request: reqwest::RequestBuilder) -> (u16, serde_json::Value) {
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(serde_json::Value::Null);
    (status, body)
}

/// A request with a Bearer token and no cookie, so each call proves the token alone.
pub fn bearer(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
}

/// Create an empty database on the configured PostgreSQL server and return its URL.
async fn fresh_postgres_database() -> Option<String> {
    let Ok(base) = std::env::var("LECTERN_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("CI=true but LECTERN_TEST_POSTGRES_URL is not set: the PostgreSQL suite cannot be skipped");
        }
        eprintln!("skipping the PostgreSQL run: LECTERN_TEST_POSTGRES_URL is not set");
        return None;
    };
    let name = format!("lectern_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (prefix, _) = base.rsplit_once('/').expect("a database URL with a path");
    Some(format!("{prefix}/{name}"))
}

/// Define one test per backend from an async function taking a `Backend`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}
