//! A reader's learning in their data export, and gone with their account.

use serde_json::{json, Value};

use super::{attempt, bearer, flagship_key, get, put_progress, FREE_LESSON};
use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    the_export_holds_progress_bookmarks_and_attempts,
    deleting_the_account_removes_its_learning,
);

/// An app with a reader who has progress (50%), a bookmark and an attempt (first question
/// right) on the free lesson; their token and user.
async fn with_learning(backend: Backend) -> (TestApp, String, Value) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("leaver@example.com").await;
    put_progress(&app, &token, FREE_LESSON, json!({"percent": 50})).await;
    bearer(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/lessons/{FREE_LESSON}/bookmark"),
        &token,
    )
    .send()
    .await
    .unwrap();
    let key = flagship_key();
    let (first_id, first_choices) = key.iter().next().unwrap();
    attempt(
        &app,
        &token,
        FREE_LESSON,
        json!({ first_id.clone(): first_choices }),
    )
    .await;
    (app, token, user)
}

async fn the_export_holds_progress_bookmarks_and_attempts(backend: Backend) {
    let (app, token, _) = with_learning(backend).await;
    let key = flagship_key();
    let (first_id, first_choices) = key.iter().next().unwrap();
    let (status, export) = get(&app, &token, "/api/v1/me/export").await;
    assert_eq!(status, 200);
    assert_eq!(export["progress"][0]["slug"], FREE_LESSON);
    assert_eq!(export["progress"][0]["percent"], 50);
    assert_eq!(export["bookmarks"][0]["slug"], FREE_LESSON);
    let stored = &export["quiz_attempts"][0];
    assert_eq!(stored["slug"], FREE_LESSON);
    assert_eq!(stored["revision"], 1);
    assert_eq!(stored["answers"][first_id], json!(first_choices));
    assert_eq!(stored["results"][0]["correct"], true);
    assert_eq!(
        stored["results"][0]["chosen_choice_ids"],
        json!(first_choices)
    );
    assert!(
        stored["results"][0]["correct_choice_ids"].is_null()
            && stored["results"][0]["explanation"].is_null(),
        "no answer key in an export, whatever the quiz reveals: {stored}"
    );
}

async fn deleting_the_account_removes_its_learning(backend: Backend) {
    let (app, token, user) = with_learning(backend).await;
    let deleted = bearer(&app, reqwest::Method::DELETE, "/api/v1/me", &token)
        .json(&json!({"password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    for table in ["progress", "bookmarks", "quiz_attempts"] {
        let count: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
                .bind(user["id"].as_str().unwrap())
                .fetch_one(&db.read)
                .await
                .unwrap();
        assert_eq!(count, 0, "{table} rows of a deleted account are gone");
    }
    db.close().await;
}
