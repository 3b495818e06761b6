//! A lesson's life through the admin API: draft, publish, edit, unpublish, delete.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::admin::{
    act, admin_token, call, create, edit, lesson_source, markdown, ADMIN_EMAIL,
};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    a_new_lesson_is_a_draft_at_revision_1,
    a_taken_slug_is_refused,
    drafts_are_hidden_from_readers_and_shown_to_admins,
    the_admin_list_shows_drafts_with_their_revision,
    publishing_shows_the_lesson_to_readers,
    an_edit_is_a_new_revision_live_at_once,
    only_an_admins_page_links_to_the_admin,
    an_edit_keeps_the_slug_and_unknown_lessons_are_404,
    revisions_are_listed_with_their_author,
    unpublishing_hides_the_lesson_from_readers_only,
    a_deleted_lesson_is_gone_and_its_slug_free,
);

const SLUG: &str = "admin-written";
const PATH: &str = "/api/v1/lessons/admin-written";
const PAGE: &str = "/lessons/admin-written";

fn first_source() -> String {
    lesson_source(SLUG, "Written in the admin", "First words.")
}

/// An app with an admin (its token), a reader (theirs) and the lesson as a draft.
async fn with_draft(backend: Backend) -> (TestApp, String, String) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (reader, _) = app.sign_up("reader@example.com").await;
    let (status, body) = create(&app, &token, &first_source()).await;
    assert_eq!(status, 201, "{body}");
    (app, token, reader)
}

/// As `with_draft`, with the lesson published.
async fn with_published(backend: Backend) -> (TestApp, String, String) {
    let (app, token, reader) = with_draft(backend).await;
    assert_eq!(act(&app, &token, SLUG, "publish").await.0, 200);
    (app, token, reader)
}

/// The lesson page as a signed-in reader (no cookie, the Bearer token).
async fn page_as(app: &TestApp, token: &str) -> String {
    let response = call(app, Method::GET, PAGE, Some(token))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn a_new_lesson_is_a_draft_at_revision_1(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, body) = create(&app, &token, &first_source()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body,
        json!({"slug": "admin-written", "status": "draft", "revision": 1})
    );
}

async fn a_taken_slug_is_refused(backend: Backend) {
    let (app, token, _) = with_draft(backend).await;
    let (status, body) = create(&app, &token, &first_source()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("slug_taken"))
    );
}

async fn drafts_are_hidden_from_readers_and_shown_to_admins(backend: Backend) {
    let (app, token, reader) = with_draft(backend).await;
    assert_eq!(send(call(&app, Method::GET, PATH, None)).await.0, 404);
    assert_eq!(
        send(call(&app, Method::GET, PATH, Some(&reader))).await.0,
        404
    );
    assert_eq!(app.get(PAGE).await.status(), 404);
    let (status, lesson) = send(call(&app, Method::GET, PATH, Some(&token))).await;
    assert_eq!(status, 200);
    assert!(lesson["html"].as_str().unwrap().contains("First words."));
    let (_, list) = app.get_json("/api/v1/lessons").await;
    assert!(!list.to_string().contains("admin-written"));
}

async fn the_admin_list_shows_drafts_with_their_revision(backend: Backend) {
    let (app, token, _) = with_draft(backend).await;
    let (status, list) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let row = list["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["slug"] == "admin-written")
        .expect("the draft is listed");
    assert_eq!(
        (row["status"].as_str(), row["revision"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(row["title"], "Written in the admin");
    assert!(
        list["lessons"].as_array().unwrap().len() > 1,
        "imported lessons listed too"
    );
}

async fn publishing_shows_the_lesson_to_readers(backend: Backend) {
    let (app, token, reader) = with_draft(backend).await;
    let (status, body) = act(&app, &token, SLUG, "publish").await;
    assert_eq!(
        (status, body),
        (200, json!({"slug": "admin-written", "status": "published"}))
    );
    let (status, lesson) = app.get_json(PATH).await;
    assert_eq!(status, 200);
    assert!(lesson["html"].as_str().unwrap().contains("First words."));
    let (status, page) = app.get_text(PAGE).await;
    assert_eq!(status, 200);
    assert!(page.contains("First words."));
    assert!(page_as(&app, &reader).await.contains("First words."));
    let (_, list) = app.get_json("/api/v1/lessons").await;
    assert!(list.to_string().contains("admin-written"));
}

async fn an_edit_is_a_new_revision_live_at_once(backend: Backend) {
    let (app, token, reader) = with_published(backend).await;
    let edited = lesson_source(SLUG, "Written in the admin", "Second words.");
    let (status, body) = edit(&app, &token, SLUG, &edited).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"slug": "admin-written", "status": "published", "revision": 2})
        )
    );
    let (_, lesson) = app.get_json(PATH).await;
    let html = lesson["html"].as_str().unwrap();
    assert!(html.contains("Second words.") && !html.contains("First words."));
    for page in [app.get_text(PAGE).await.1, page_as(&app, &reader).await] {
        assert!(
            page.contains("Second words.") && !page.contains("First words."),
            "pages show the edit at once, to visitors and signed-in readers alike"
        );
    }
}

/// The admin's page links to the admin; a reader's, served after it, does not.
async fn only_an_admins_page_links_to_the_admin(backend: Backend) {
    let (app, token, reader) = with_published(backend).await;
    let admin_page = call(&app, Method::GET, PAGE, Some(&token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin_page.contains("href=\"/admin\""));
    assert!(!page_as(&app, &reader).await.contains("href=\"/admin\""));
}

async fn an_edit_keeps_the_slug_and_unknown_lessons_are_404(backend: Backend) {
    let (app, token, _) = with_published(backend).await;
    let renamed = lesson_source("another-slug", "Written in the admin", "x");
    let (status, body) = edit(&app, &token, SLUG, &renamed).await;
    assert_eq!(status, 400);
    assert!(body["error"]["fields"]["slug"].is_string(), "{body}");
    let (status, _) = send(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/nobody-wrote-this",
            Some(&token),
        ),
        &lesson_source("nobody-wrote-this", "T", "x"),
    ))
    .await;
    assert_eq!(status, 404);
}

async fn revisions_are_listed_with_their_author(backend: Backend) {
    let (app, token, _) = with_published(backend).await;
    let edited = lesson_source(SLUG, "Written in the admin", "Second words.");
    assert_eq!(edit(&app, &token, SLUG, &edited).await.0, 200);
    let (status, body) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/admin-written/revisions",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let revisions = body["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["revision"], 2);
    for revision in revisions {
        assert_eq!(revision["author"], ADMIN_EMAIL);
        assert!(revision["created_at"].as_str().unwrap().ends_with('Z'));
    }
}

async fn unpublishing_hides_the_lesson_from_readers_only(backend: Backend) {
    let (app, token, _) = with_published(backend).await;
    let (status, body) = act(&app, &token, SLUG, "unpublish").await;
    assert_eq!(
        (status, body),
        (200, json!({"slug": "admin-written", "status": "draft"}))
    );
    assert_eq!(app.get_json(PATH).await.0, 404);
    assert_eq!(app.get(PAGE).await.status(), 404);
    assert_eq!(
        send(call(&app, Method::GET, PATH, Some(&token))).await.0,
        200
    );
}

async fn a_deleted_lesson_is_gone_and_its_slug_free(backend: Backend) {
    let (app, token, _) = with_draft(backend).await;
    let response = call(
        &app,
        Method::DELETE,
        "/api/v1/admin/lessons/admin-written",
        Some(&token),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        send(call(&app, Method::GET, PATH, Some(&token))).await.0,
        404
    );
    for (method, action) in [(Method::POST, "/publish"), (Method::DELETE, "")] {
        let url = format!("/api/v1/admin/lessons/admin-written{action}");
        assert_eq!(send(call(&app, method, &url, Some(&token))).await.0, 404);
    }
    // The slug is free again.
    assert_eq!(create(&app, &token, &first_source()).await.0, 201);
}
