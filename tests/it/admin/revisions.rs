//! Revisions of an imported lesson: an admin edit is a new one, an older one can be read and
//! restored (as a newer revision still).

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{admin_token, call, edit, ADMIN_EMAIL};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    an_admin_edit_of_an_imported_lesson_is_revision_2,
    an_older_revision_keeps_its_source_and_author,
    restoring_an_older_revision_makes_a_new_one,
);

const SLUG: &str = "transformer-revolution";
const ORIGINAL_TITLE: &str = "title = \"The Transformer Revolution & How LLMs Work\"";

/// The imported lesson's current state in the admin.
async fn current(app: &TestApp, token: &str) -> Value {
    let (_, current) = send(call(
        app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution",
        Some(token),
    ))
    .await;
    current
}

/// The imported source, and the same with another title.
async fn sources(app: &TestApp, token: &str) -> (String, String) {
    let original = current(app, token).await["source"]
        .as_str()
        .unwrap()
        .to_owned();
    let edited = original.replace(ORIGINAL_TITLE, "title = \"Edited in the admin\"");
    assert_ne!(edited, original);
    (original, edited)
}

/// An app with an admin (its token) who edited the imported lesson; its original source.
async fn with_edit(backend: Backend) -> (TestApp, String, String) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (original, edited) = sources(&app, &token).await;
    assert_eq!(edit(&app, &token, SLUG, &edited).await.0, 200);
    (app, token, original)
}

/// An imported lesson (no slug needed in an edit that keeps the file's slug).
async fn an_admin_edit_of_an_imported_lesson_is_revision_2(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    assert_eq!(
        current(&app, &token).await["source_path"],
        "ai-foundations/01-transformer-revolution.md"
    );
    let (_, edited) = sources(&app, &token).await;
    let (status, saved) = edit(&app, &token, SLUG, &edited).await;
    assert_eq!(
        (status, saved["revision"].as_i64()),
        (200, Some(2)),
        "{saved}"
    );
    let (_, lesson) = app.get_json("/api/v1/lessons/transformer-revolution").await;
    assert_eq!(lesson["title"], "Edited in the admin");
}

async fn an_older_revision_keeps_its_source_and_author(backend: Backend) {
    let (app, token, original) = with_edit(backend).await;
    let (status, old) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution/revisions/1",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(old["source"], original.as_str());
    assert_eq!(old["author"], "content import");
}

async fn restoring_an_older_revision_makes_a_new_one(backend: Backend) {
    let (app, token, _) = with_edit(backend).await;
    let (status, saved) = send(call(
        &app,
        Method::POST,
        "/api/v1/admin/lessons/transformer-revolution/revisions/1/restore",
        Some(&token),
    ))
    .await;
    assert_eq!((status, saved["revision"].as_i64()), (200, Some(3)));
    let (_, lesson) = app.get_json("/api/v1/lessons/transformer-revolution").await;
    assert_eq!(
        lesson["title"],
        "The Transformer Revolution & How LLMs Work"
    );
    let (_, revisions) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution/revisions",
        Some(&token),
    ))
    .await;
    let authors: Vec<_> = revisions["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["author"].clone())
        .collect();
    assert_eq!(
        authors,
        [
            json!(ADMIN_EMAIL),
            json!(ADMIN_EMAIL),
            json!("content import")
        ]
    );
}
