//! Courses through the admin API: created empty, changed in place, refused when malformed.

use reqwest::Method;
use serde_json::json;

use crate::common::admin::{act, admin_token, call, create, lesson_source};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    a_new_course_is_created_empty,
    a_changed_course_keeps_its_lessons_and_place,
    a_bad_course_is_refused_naming_its_fields,
);

const PATH: &str = "/api/v1/admin/courses/prompt-craft";

async fn put_course(
    app: &TestApp,
    token: &str,
    title: &str,
    summary: &str,
) -> (u16, serde_json::Value) {
    send(
        call(app, Method::PUT, PATH, Some(token))
            .json(&json!({"title": title, "summary": summary})),
    )
    .await
}

async fn a_new_course_is_created_empty(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, course) = put_course(&app, &token, "Prompt Craft", "Writing prompts.").await;
    assert_eq!(status, 200, "{course}");
    assert_eq!(
        course,
        json!({
            "slug": "prompt-craft",
            "title": "Prompt Craft",
            "summary": "Writing prompts.",
            "reading_minutes": 0,
            "has_glossary": false,
            "lessons": []
        })
    );
}

/// A new course, then a lesson in it; changing the course keeps its place.
async fn a_changed_course_keeps_its_lessons_and_place(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, course) = put_course(&app, &token, "Prompt Craft", "Writing prompts.").await;
    assert_eq!(status, 200, "{course}");
    let source = lesson_source("first-prompt", "First prompt", "Hello.")
        .replace("course = \"ai-foundations\"", "course = \"prompt-craft\"");
    assert_eq!(create(&app, &token, &source).await.0, 201);
    assert_eq!(act(&app, &token, "first-prompt", "publish").await.0, 200);
    let (status, course) = put_course(&app, &token, "Prompt Craft II", "Better prompts.").await;
    assert_eq!(status, 200);
    assert_eq!(course["title"], "Prompt Craft II");
    assert_eq!(course["lessons"][0]["slug"], "first-prompt");
    let (_, courses) = app.get_json("/api/v1/courses").await;
    let slugs: Vec<_> = courses["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("ai-foundations"), json!("prompt-craft")]);
}

async fn a_bad_course_is_refused_naming_its_fields(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, body) = send(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/courses/Bad%20Slug",
            Some(&token),
        )
        .json(&json!({"title": "", "summary": "x"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["fields"]["slug"].is_string() && body["error"]["fields"]["title"].is_string()
    );
}
