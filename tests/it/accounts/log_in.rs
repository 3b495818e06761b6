//! Logging in through the API: a session cookie and a token, tokens only where they belong,
//! and failures that all look alike.

use serde_json::{json, Value};

use super::bearer_get;
use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    a_log_in_sets_a_strict_session_cookie,
    the_log_in_cookie_works,
    a_bad_token_is_401,
    tokens_in_a_url_are_ignored,
    log_in_failures_look_the_same,
    repeated_failures_back_off_even_the_right_password,
);

/// An app where Ada has signed up; her token.
async fn with_ada(backend: Backend) -> (TestApp, String) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("  Ada@Example.com ").await;
    (app, token)
}

async fn log_in_as_ada(app: &TestApp) -> reqwest::Response {
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "ada@EXAMPLE.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    login
}

async fn a_log_in_sets_a_strict_session_cookie(backend: Backend) {
    let (app, _) = with_ada(backend).await;
    let login = log_in_as_ada(&app).await;
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lectern_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} has {attribute}");
    }
    assert!(
        !cookie.contains("Domain") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");
}

async fn the_log_in_cookie_works(backend: Backend) {
    let (app, _) = with_ada(backend).await;
    log_in_as_ada(&app).await;
    let (status, anonymous) = app.get_json("/api/v1/me").await;
    assert_eq!(
        (status, anonymous["error"]["code"].as_str()),
        (200, None),
        "the cookie from log-in works"
    );
}

async fn a_bad_token_is_401(backend: Backend) {
    let (app, _) = with_ada(backend).await;
    let (status, _) = bearer_get(&app, "/api/v1/me", "not-a-token").await;
    assert_eq!(status, 401);
}

async fn tokens_in_a_url_are_ignored(backend: Backend) {
    let (app, token) = with_ada(backend).await;
    let fresh = reqwest::Client::new();
    let response = fresh
        .get(app.url(&format!("/api/v1/me?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "tokens in a URL are ignored");
}

/// A log-in attempt: status and body.
async fn attempt(app: &TestApp, email: &str, password: &str) -> (u16, String) {
    let response = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn log_in_failures_look_the_same(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("grace@example.com").await;
    let (unknown_status, unknown_body) =
        attempt(&app, "nobody@example.com", "whatever-password").await;
    let (wrong_status, wrong_body) = attempt(&app, "grace@example.com", "wrong-password-1").await;
    assert_eq!(unknown_status, 401);
    assert_eq!(
        (wrong_status, &wrong_body),
        (unknown_status, &unknown_body),
        "identical answers"
    );
    let body: Value = serde_json::from_str(&wrong_body).unwrap();
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

/// After repeated failures the account backs off: even the right password gets the same
/// generic answer until the back-off passes.
async fn repeated_failures_back_off_even_the_right_password(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("grace@example.com").await;
    let (_, unknown_body) = attempt(&app, "nobody@example.com", "whatever-password").await;
    attempt(&app, "grace@example.com", "wrong-password-1").await;
    for _ in 0..5 {
        attempt(&app, "grace@example.com", "wrong-password-2").await;
    }
    let (status, body) = attempt(&app, "grace@example.com", TEST_PASSWORD).await;
    assert_eq!((status, body), (401, unknown_body));
}
