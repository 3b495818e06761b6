//! Narrations uploaded through the admin: checked, measured, and their 30-second preview cut
//! and served at once.

use reqwest::Method;

use crate::common::admin::{act, admin_token, call, create, lesson_source};
use crate::common::{bundled_content, send, spawn, Backend, TestApp};

on_both_backends!(
    a_lesson_without_a_narration_has_no_audio,
    bad_uploads_are_refused,
    an_upload_is_measured_and_its_preview_cut_at_once,
    the_preview_is_served_at_once,
    a_narration_for_an_unknown_lesson_is_404,
);

const AUDIO: &str = "/api/v1/admin/lessons/narrated/audio";

/// An app with an admin (its token) and a published lesson, `narrated`, without audio.
async fn with_lesson(backend: Backend) -> (TestApp, String) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, _) = create(
        &app,
        &token,
        &lesson_source("narrated", "Narrated", "Body."),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = act(&app, &token, "narrated", "publish").await;
    assert_eq!(status, 200);
    (app, token)
}

/// The bundled course's narration.
fn mp3() -> Vec<u8> {
    std::fs::read(bundled_content().join("ai-foundations/01-transformer-revolution.mp3")).unwrap()
}

fn upload(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: Vec<u8>,
    content_type: &'static str,
) -> reqwest::RequestBuilder {
    call(app, Method::PUT, path, token)
        .header("content-type", content_type)
        .body(body)
}

async fn a_lesson_without_a_narration_has_no_audio(backend: Backend) {
    let (app, _) = with_lesson(backend).await;
    let (_, before) = send(call(&app, Method::GET, "/api/v1/lessons/narrated", None)).await;
    assert_eq!(before["has_audio"], false);
}

async fn bad_uploads_are_refused(backend: Backend) {
    let (app, token) = with_lesson(backend).await;
    let not_audio = b"definitely not audio".to_vec();
    let (status, body) = send(upload(&app, AUDIO, Some(&token), not_audio, "audio/mpeg")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    let (status, _) = send(upload(&app, AUDIO, Some(&token), mp3(), "text/plain")).await;
    assert_eq!(status, 415);
    let (status, _) = send(upload(&app, AUDIO, None, mp3(), "audio/mpeg")).await;
    assert_eq!(status, 401);
}

async fn an_upload_is_measured_and_its_preview_cut_at_once(backend: Backend) {
    let (app, token) = with_lesson(backend).await;
    let (status, body) = send(upload(&app, AUDIO, Some(&token), mp3(), "audio/mpeg")).await;
    assert_eq!(status, 200, "{body}");
    let duration = body["duration_seconds"].as_f64().unwrap();
    let preview = body["preview_seconds"].as_f64().unwrap();
    assert!(duration > 60.0, "the whole narration: {duration}");
    assert!(
        preview > 25.0 && preview <= 30.0,
        "the preview is cut at once: {preview}"
    );
}

async fn the_preview_is_served_at_once(backend: Backend) {
    let (app, token) = with_lesson(backend).await;
    let mp3 = mp3();
    let (status, _) = send(upload(&app, AUDIO, Some(&token), mp3.clone(), "audio/mpeg")).await;
    assert_eq!(status, 200);
    let (_, after) = send(call(&app, Method::GET, "/api/v1/lessons/narrated", None)).await;
    assert_eq!(after["has_audio"], true, "live at once");
    let response = reqwest::get(app.url("/api/v1/lessons/narrated/audio/preview"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    let served = response.bytes().await.unwrap();
    assert!(
        served.len() < mp3.len(),
        "the preview is only the first seconds"
    );
}

async fn a_narration_for_an_unknown_lesson_is_404(backend: Backend) {
    let (app, token) = with_lesson(backend).await;
    let path = "/api/v1/admin/lessons/no-such/audio";
    let (status, _) = send(upload(&app, path, Some(&token), mp3(), "audio/mpeg")).await;
    assert_eq!(status, 404);
}
