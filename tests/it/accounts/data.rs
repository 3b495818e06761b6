//! A reader's own data: exported on request, deleted with the password only.

use serde_json::json;

use super::bearer_get;
use crate::common::{spawn, Backend, TEST_PASSWORD};

on_both_backends!(
    the_export_holds_the_account,
    a_wrong_password_deletes_nothing,
    a_deleted_account_is_gone,
);

async fn the_export_holds_the_account(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("sam@example.com").await;
    let (status, export) = bearer_get(&app, "/api/v1/me/export", &token).await;
    assert_eq!(status, 200);
    assert_eq!(export["account"]["email"], "sam@example.com");
    assert_eq!(export["account"]["id"], user["id"]);
}

async fn a_wrong_password_deletes_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("sam@example.com").await;
    let refused = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &token).await.0,
        200,
        "nothing deleted"
    );
}

async fn a_deleted_account_is_gone(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("sam@example.com").await;
    let deleted = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(bearer_get(&app, "/api/v1/me", &token).await.0, 401);
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "sam@example.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
}
