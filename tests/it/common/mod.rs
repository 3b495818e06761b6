//! Test helpers: spawn the app on port 0 with a fresh database, as a client would meet it.
//!
//! Every suite runs on SQLite. Suites written with `on_both_backends!` also run on
//! PostgreSQL (a fresh database per test, see `postgres`) when `LECTERN_TEST_POSTGRES_URL`
//! names a server such as `postgres://postgres@127.0.0.1:5432/test`; without it those runs
//! are reported as ignored, except under `CI=true`, where they run and fail without a server.

pub mod admin;
pub mod mail;
pub mod pdf;
pub mod postgres;
pub mod server;
pub mod webdriver;

use std::path::{Path, PathBuf};

use lectern::config::Settings;
use lectern::startup::Application;

use postgres::TestDatabase;

/// A password that passes the rules.
pub const TEST_PASSWORD: &str = "a quiet lectern at dawn";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub settings: Settings,
    _data: TestData,
}

/// What a test instance leaves behind, removed when dropped: its data folder and, on
/// PostgreSQL, the database it made.
pub struct TestData {
    folder: tempfile::TempDir,
    database: Option<TestDatabase>,
}

impl TestData {
    /// An empty data folder (for a second instance on a database another one made).
    pub fn folder() -> TestData {
        TestData {
            folder: tempfile::tempdir().expect("temp dir"),
            database: None,
        }
    }

    pub fn path(&self) -> &Path {
        self.folder.path()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The right answer to `question` as an attempt sends it: its choices, or its one number
/// (for a `token_count` question, the count the tokenizer made at parse time).
pub fn right_answer(question: &lectern::content::quiz::Question) -> serde_json::Value {
    match question.answer_number {
        Some(number) => serde_json::json!(number),
        None => serde_json::json!(question.answer),
    }
}

/// The bundled course shipped in the repository.
pub fn bundled_content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// Settings for a test instance with its own data folder and database.
pub async fn test_settings(backend: Backend, content: &Path) -> (Settings, TestData) {
    let database = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(TestDatabase::create().await),
    };
    let data = TestData {
        folder: tempfile::tempdir().expect("temp dir"),
        database,
    };
    let database_url = data.database.as_ref().map(TestDatabase::url);
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
        signup_rate_limit: 10_000,
        tokenize_rate_limit: 10_000,
        metrics_token: None,
        smtp_url: None,
        mail_from: None,
        webhooks_allow_private: false,
        outbox_retry_scale: 1.0,
        log: "warn".into(),
    };
    (settings, data)
}

/// Start an instance on a free port, serving `content`.
pub async fn spawn_with(backend: Backend, content: &Path) -> TestApp {
    let (settings, data) = test_settings(backend, content).await;
    spawn_settings(settings, data).await
}

pub async fn spawn_settings(settings: Settings, data: TestData) -> TestApp {
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
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &bundled_content()).await
}

/// Two instances on one fresh PostgreSQL database with the same JWT secret, each with a
/// data folder of its own.
pub async fn two_instances() -> (TestApp, TestApp) {
    two_instances_with(|_| {}).await
}

/// `two_instances`, with settings that `adjust` changes for both.
pub async fn two_instances_with(adjust: fn(&mut Settings)) -> (TestApp, TestApp) {
    let (mut settings, data) = test_settings(Backend::Postgres, &bundled_content()).await;
    adjust(&mut settings);
    settings.jwt_secret = Some(
        "one secret shared by every instance of the site"
            .parse()
            .expect("a long enough secret"),
    );
    let other_data = TestData::folder();
    let mut other_settings = settings.clone();
    other_settings.data_dir = other_data.path().to_path_buf();
    let first = spawn_settings(settings, data).await;
    let second = spawn_settings(other_settings, other_data).await;
    (first, second)
}

impl TestApp {
    /// A connection pool on the instance's own database, to look at what it stored.
    pub async fn database(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        let url = self.settings.database_url();
        let url = match url.strip_prefix("sqlite://") {
            Some(path) => format!("sqlite://{path}?mode=rw"),
            None => url,
        };
        sqlx::any::AnyPoolOptions::new()
            .max_connections(2)
            .connect(&url)
            .await
            .expect("the test connects to the app's database")
    }

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
                #[cfg_attr(not(lectern_postgres), ignore = "set LECTERN_TEST_POSTGRES_URL to run it")]
                async fn $name() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            )*
        }
    };
}
