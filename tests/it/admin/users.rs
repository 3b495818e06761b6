//! Users through the admin API: found by name or email, their plan changed, each change
//! recorded with its author.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{admin_token, call, ADMIN_EMAIL};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    users_are_found_by_name_or_email,
    a_plan_change_answers_with_the_user,
    a_bad_plan_or_an_unknown_user_is_refused,
    plan_changes_are_recorded_with_their_author,
);

/// An app with an admin (its token) and two learners; Grace's user.
async fn with_users(backend: Backend) -> (TestApp, String, Value) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (_, grace) = app.sign_up("grace.hopper@example.com").await;
    let (_, _) = app.sign_up("alan@example.com").await;
    (app, token, grace)
}

async fn put_plan(app: &TestApp, token: &str, path: &str, plan: &str) -> (u16, Value) {
    send(call(app, Method::PUT, path, Some(token)).json(&json!({ "plan": plan }))).await
}

fn plan_path(user: &Value) -> String {
    format!("/api/v1/admin/users/{}/plan", user["id"].as_str().unwrap())
}

async fn users_are_found_by_name_or_email(backend: Backend) {
    let (app, token, _) = with_users(backend).await;
    let (status, found) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=HOPPER",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let emails: Vec<_> = found["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].clone())
        .collect();
    assert_eq!(emails, [json!("grace.hopper@example.com")]);
    let (_, found) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=test%20reader",
        Some(&token),
    ))
    .await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        2,
        "by name: {found}"
    );
    let (_, found) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=%25",
        Some(&token),
    ))
    .await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        0,
        "% is not a wildcard"
    );
    let (_, all) = send(call(&app, Method::GET, "/api/v1/admin/users", Some(&token))).await;
    assert_eq!(all["users"].as_array().unwrap().len(), 3);
}

async fn a_plan_change_answers_with_the_user(backend: Backend) {
    let (app, token, grace) = with_users(backend).await;
    let (status, user) = put_plan(&app, &token, &plan_path(&grace), "pro").await;
    assert_eq!(status, 200);
    assert_eq!(
        (user["id"].as_str(), user["plan"].as_str()),
        (grace["id"].as_str(), Some("pro"))
    );
}

async fn a_bad_plan_or_an_unknown_user_is_refused(backend: Backend) {
    let (app, token, grace) = with_users(backend).await;
    let (status, body) = put_plan(&app, &token, &plan_path(&grace), "gold").await;
    assert_eq!(status, 400);
    assert!(body["error"]["fields"]["plan"].is_string());
    let (status, _) = put_plan(
        &app,
        &token,
        "/api/v1/admin/users/no-such-user/plan",
        "plus",
    )
    .await;
    assert_eq!(status, 404);
}

/// Two changes with refused ones between them: the two are recorded, newest first.
async fn plan_changes_are_recorded_with_their_author(backend: Backend) {
    let (app, token, grace) = with_users(backend).await;
    let path = plan_path(&grace);
    assert_eq!(put_plan(&app, &token, &path, "pro").await.0, 200);
    assert_eq!(put_plan(&app, &token, &path, "gold").await.0, 400);
    let unknown = "/api/v1/admin/users/no-such-user/plan";
    assert_eq!(put_plan(&app, &token, unknown, "plus").await.0, 404);
    let (status, _) = put_plan(&app, &token, &path, "plus").await;
    assert_eq!(status, 200);

    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    let changes = lectern::db::admin::plan_changes(&db, grace["id"].as_str().unwrap())
        .await
        .unwrap();
    db.close().await;
    let changes: Vec<_> = changes
        .iter()
        .map(|(from, to, author, _)| (from.as_str(), to.as_str(), author.as_str()))
        .collect();
    assert_eq!(
        changes,
        [("pro", "plus", ADMIN_EMAIL), ("free", "pro", ADMIN_EMAIL)]
    );
}
