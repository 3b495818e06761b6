//! Helpers for tests that act as an admin: an admin account, requests with or without a
//! Bearer token, and lesson sources sent as Markdown.

use reqwest::Method;
use serde_json::{json, Value};

use super::{send, TestApp, TEST_PASSWORD};

pub const ADMIN_EMAIL: &str = "admin@example.com";

/// Create an admin in the app's database and log in through the API; returns the token.
pub async fn admin_token(app: &TestApp) -> String {
    let db = lectern::db::Db::connect(&app.settings).await.expect("db");
    let passwords = lectern::auth::password::Passwords::new(1);
    lectern::accounts::create_admin(&db, &passwords, ADMIN_EMAIL, "Ada Admin", TEST_PASSWORD)
        .await
        .expect("create admin");
    db.close().await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A request without cookies, with a Bearer token when given.
pub fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = reqwest::Client::new().request(method, app.url(path));
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

/// A request carrying a lesson source.
pub fn markdown(request: reqwest::RequestBuilder, text: &str) -> reqwest::RequestBuilder {
    request
        .header("content-type", "text/markdown; charset=utf-8")
        .body(text.to_owned())
}

/// The source of a free lesson in the bundled course.
pub fn lesson_source(slug: &str, title: &str, body: &str) -> String {
    format!(
        r#"+++
title = "{title}"
slug = "{slug}"
summary = "A lesson written in the admin."
course = "ai-foundations"
position = 20
access = "free"
updated = 2026-05-01
+++
{body}
"#
    )
}

/// `POST /api/v1/admin/lessons` with `text`: the answer.
pub async fn create(app: &TestApp, token: &str, text: &str) -> (u16, Value) {
    send(markdown(
        call(app, Method::POST, "/api/v1/admin/lessons", Some(token)),
        text,
    ))
    .await
}

/// `PUT /api/v1/admin/lessons/{slug}` with `text`: the answer.
pub async fn edit(app: &TestApp, token: &str, slug: &str, text: &str) -> (u16, Value) {
    let path = format!("/api/v1/admin/lessons/{slug}");
    send(markdown(call(app, Method::PUT, &path, Some(token)), text)).await
}

/// `POST /api/v1/admin/lessons/{slug}/{action}` (publish, unpublish): the answer.
pub async fn act(app: &TestApp, token: &str, slug: &str, action: &str) -> (u16, Value) {
    let path = format!("/api/v1/admin/lessons/{slug}/{action}");
    send(call(app, Method::POST, &path, Some(token))).await
}
