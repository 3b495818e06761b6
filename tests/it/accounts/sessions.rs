//! Ending sessions: a log-out revokes the token used, a password change every earlier one.

use serde_json::{json, Value};

use super::{bearer_get, log_in};
use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    a_log_out_revokes_only_the_token_used,
    a_password_change_revokes_every_earlier_token,
    a_password_change_needs_the_current_password,
);

/// A password change with `token`.
async fn change_password(
    app: &TestApp,
    token: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(token)
        .json(&json!({"current_password": current, "new_password": new}))
        .send()
        .await
        .unwrap()
}

async fn a_log_out_revokes_only_the_token_used(backend: Backend) {
    let app = spawn(backend).await;
    let (first, _) = app.sign_up("lin@example.com").await;
    let second = log_in(&app, "lin@example.com").await;
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &first).await.0,
        401,
        "the token used is revoked"
    );
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &second).await.0,
        200,
        "other sessions live on"
    );
}

async fn a_password_change_revokes_every_earlier_token(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("lin@example.com").await;
    let second = log_in(&app, "lin@example.com").await;
    let third = log_in(&app, "lin@example.com").await;
    let change = change_password(&app, &second, TEST_PASSWORD, "a brand new passphrase").await;
    assert_eq!(change.status(), 200);
    let fresh = change.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bearer_get(&app, "/api/v1/me", &second).await.0, 401);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &third).await.0,
        401,
        "every earlier token stops"
    );
    assert_eq!(bearer_get(&app, "/api/v1/me", &fresh).await.0, 200);
}

async fn a_password_change_needs_the_current_password(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("lin@example.com").await;
    let wrong = change_password(&app, &token, "not it at all", "another new passphrase").await;
    assert_eq!(wrong.status(), 400);
    assert!(
        wrong.json::<Value>().await.unwrap()["error"]["fields"]["current_password"].is_string()
    );
}
