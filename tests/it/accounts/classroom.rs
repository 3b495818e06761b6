//! Rate limits stop guessing, not classrooms (API.md section 3): a hundred readers behind one
//! address sign up and log in with the default limits; failed log-ins from that address are
//! refused from the 21st, right password or wrong, also on another instance of the site.

use futures_util::future::join_all;
use serde_json::json;

use crate::common::{
    bundled_content, spawn_settings, test_settings, two_instances_with, Backend, TestApp,
    TEST_PASSWORD,
};

/// The defaults of `LECTERN_AUTH_RATE_LIMIT` and `LECTERN_SIGNUP_RATE_LIMIT`.
const FAILURES_PER_MINUTE: u32 = 20;
const SIGN_UPS_PER_HOUR: u32 = 300;

async fn with_default_limits() -> TestApp {
    let (mut settings, data) = test_settings(Backend::Sqlite, &bundled_content()).await;
    settings.auth_rate_limit = FAILURES_PER_MINUTE;
    settings.signup_rate_limit = SIGN_UPS_PER_HOUR;
    spawn_settings(settings, data).await
}

async fn status(request: reqwest::RequestBuilder) -> u16 {
    request.send().await.unwrap().status().as_u16()
}

async fn log_in(app: &TestApp, email: &str, password: &str) -> u16 {
    status(
        app.post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": password})),
    )
    .await
}

/// Every reader of a class, `at_once` at a time.
async fn each_reader<F, Fut>(readers: usize, at_once: usize, act: F) -> Vec<u16>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = u16>,
{
    let mut statuses = Vec::with_capacity(readers);
    let indexes: Vec<usize> = (0..readers).collect();
    for chunk in indexes.chunks(at_once) {
        statuses.extend(join_all(chunk.iter().map(|&i| act(i))).await);
    }
    statuses
}

fn reader(i: usize) -> String {
    format!("reader{i}@school.example")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_readers_behind_one_address_sign_up_and_log_in() {
    let app = with_default_limits().await;
    let signed_up = each_reader(100, 10, |i| {
        status(app.post("/api/v1/auth/signup").json(&json!({
            "email": reader(i),
            "password": TEST_PASSWORD,
            "name": format!("Reader {i}"),
        })))
    })
    .await;
    assert!(signed_up.iter().all(|s| *s == 201), "{signed_up:?}");
    let logged_in = each_reader(100, 10, |i| {
        let email = reader(i);
        let app = &app;
        async move { log_in(app, &email, TEST_PASSWORD).await }
    })
    .await;
    assert!(logged_in.iter().all(|s| *s == 200), "{logged_in:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_twenty_failures_every_log_in_from_the_address_waits() {
    let app = with_default_limits().await;
    let (_, user) = app.sign_up("teacher@school.example").await;
    let email = user["email"].as_str().unwrap().to_owned();
    let mut statuses = Vec::new();
    for _ in 0..40 {
        statuses.push(log_in(&app, &email, "not the password at all").await);
    }
    let first_refused = statuses
        .iter()
        .position(|s| *s == 429)
        .expect("some are 429");
    assert!(first_refused <= 20, "the 21st at the latest: {statuses:?}");
    assert!(statuses[..first_refused].iter().all(|s| *s == 401));
    assert!(
        statuses[first_refused..].iter().all(|s| *s == 429),
        "{statuses:?}"
    );
    let right = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 429, "the right password waits too");
    let wait: u64 = right.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_are_limited_per_address_per_hour() {
    let (mut settings, data) = test_settings(Backend::Sqlite, &bundled_content()).await;
    settings.signup_rate_limit = 3;
    let app = spawn_settings(settings, data).await;
    for i in 0..3 {
        let body = json!({"email": reader(i), "password": TEST_PASSWORD, "name": "R"});
        assert_eq!(
            status(app.post("/api/v1/auth/signup").json(&body)).await,
            201
        );
    }
    let body = json!({"email": reader(3), "password": TEST_PASSWORD, "name": "R"});
    assert_eq!(
        status(app.post("/api/v1/auth/signup").json(&body)).await,
        429
    );
    assert_eq!(
        log_in(&app, &reader(0), TEST_PASSWORD).await,
        200,
        "log-ins are not sign-ups"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn failures_on_one_instance_count_on_the_other() {
    let (first, second) = two_instances_with(|settings| {
        settings.auth_rate_limit = FAILURES_PER_MINUTE;
    })
    .await;
    first.sign_up("guessed@school.example").await;
    for i in 0..FAILURES_PER_MINUTE {
        let app = if i % 2 == 0 { &first } else { &second };
        assert_eq!(
            log_in(app, "guessed@school.example", "a wrong guess").await,
            401
        );
    }
    for app in [&first, &second] {
        assert_eq!(
            log_in(app, "guessed@school.example", TEST_PASSWORD).await,
            429
        );
    }
}
