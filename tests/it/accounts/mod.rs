//! Accounts and the security around them, tried from outside as an attacker would.

mod classroom;
mod cli;
mod data;
mod forms;
mod hardening;
mod input;
mod log_in;
mod mail_pages;
mod sessions;
mod sign_up;

use serde_json::{json, Value};

use crate::common::{TestApp, TEST_PASSWORD};

/// A GET with a Bearer token: the status and JSON body (`null` when not JSON).
async fn bearer_get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Log in through the API with the test password; the new token.
async fn log_in(app: &TestApp, email: &str) -> String {
    app.post("/api/v1/auth/login")
        .json(&json!({"email": email, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}
