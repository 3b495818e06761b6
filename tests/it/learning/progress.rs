//! Reading progress through the API: recorded, never lower, completed once, refused when
//! malformed, locked, unknown or anonymous, and listed for every published lesson.

use serde_json::json;

use super::{bearer, get, lesson_entry, put_progress, FREE_LESSON, PLUS_LESSON};
use crate::common::{spawn, Backend, TestApp};

on_both_backends!(
    progress_is_recorded_in_progress,
    progress_never_goes_down,
    fractions_are_rounded_down,
    completion_is_100_percent_and_keeps_the_first_time,
    bad_progress_is_refused,
    progress_on_a_plus_lesson_needs_plus,
    progress_on_an_unknown_lesson_is_404,
    progress_needs_a_sign_in,
    progress_lists_every_published_lesson,
);

/// An app with a signed-up reader; their token.
async fn with_reader(backend: Backend) -> (TestApp, String) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("reader@example.com").await;
    (app, token)
}

async fn progress_is_recorded_in_progress(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (status, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 40})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"slug": FREE_LESSON, "status": "in_progress", "percent": 40, "completed_at": null})
    );
}

async fn progress_never_goes_down(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    put_progress(&app, &token, FREE_LESSON, json!({"percent": 40})).await;
    let (_, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 25})).await;
    assert_eq!(body["percent"], 40, "percent never goes down");
}

async fn fractions_are_rounded_down(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (_, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 62.9})).await;
    assert_eq!(body["percent"], 62, "fractions are rounded down");
}

async fn completion_is_100_percent_and_keeps_the_first_time(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    put_progress(&app, &token, FREE_LESSON, json!({"percent": 40})).await;
    let (status, done) = put_progress(&app, &token, FREE_LESSON, json!({"completed": true})).await;
    assert_eq!(status, 200);
    assert_eq!(
        (done["status"].as_str(), done["percent"].as_i64()),
        (Some("completed"), Some(100))
    );
    let first = done["completed_at"].as_str().unwrap().to_owned();
    assert!(
        chrono::DateTime::parse_from_rfc3339(&first).is_ok(),
        "{first}"
    );
    // A later completion would carry a later time.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let (_, again) = put_progress(
        &app,
        &token,
        FREE_LESSON,
        json!({"percent": 10, "completed": true}),
    )
    .await;
    assert_eq!(
        again["completed_at"],
        first.as_str(),
        "the first completion is kept"
    );
    let (_, lower) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 5})).await;
    assert_eq!(
        (lower["status"].as_str(), lower["percent"].as_i64()),
        (Some("completed"), Some(100))
    );

    let (_, progress) = get(&app, &token, "/api/v1/me/progress").await;
    assert_eq!(
        lesson_entry(&progress, "tokens-and-embeddings")["status"],
        "not_started"
    );
    assert_eq!(
        lesson_entry(&progress, FREE_LESSON)["completed_at"],
        first.as_str()
    );
}

async fn bad_progress_is_refused(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    for bad in [
        json!({"percent": 101}),
        json!({"percent": -1}),
        json!({}),
        json!({"percent": "half"}),
    ] {
        let (status, body) = put_progress(&app, &token, "tokens-and-embeddings", bad.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("invalid_input")),
            "{bad}"
        );
    }
}

async fn progress_on_a_plus_lesson_needs_plus(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (status, body) = put_progress(&app, &token, PLUS_LESSON, json!({"percent": 50})).await;
    assert_eq!(
        status, 403,
        "a free reader cannot record progress on a Plus lesson"
    );
    assert_eq!(body["error"]["code"], "plan_required");
    assert_eq!(body["error"]["required_plan"], "plus");
}

async fn progress_on_an_unknown_lesson_is_404(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (status, body) = put_progress(&app, &token, "no-such-lesson", json!({"percent": 50})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

async fn progress_needs_a_sign_in(backend: Backend) {
    let app = spawn(backend).await;
    let anonymous = reqwest::Client::new()
        .put(app.url(&format!("/api/v1/lessons/{FREE_LESSON}/progress")))
        .json(&json!({"percent": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

async fn progress_lists_every_published_lesson(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("lister@example.com").await;
    put_progress(&app, &token, FREE_LESSON, json!({"completed": true})).await;
    put_progress(
        &app,
        &token,
        "tokens-and-embeddings",
        json!({"percent": 50}),
    )
    .await;
    let bookmark = bearer(
        &app,
        reqwest::Method::PUT,
        "/api/v1/lessons/attention-step-by-step/bookmark",
        &token,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(bookmark.status(), 204);

    let (status, progress) = get(&app, &token, "/api/v1/me/progress").await;
    assert_eq!(status, 200);
    let (_, catalog) = app.get_json("/api/v1/lessons").await;
    let published: Vec<_> = catalog["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["slug"].clone())
        .collect();
    let listed: Vec<_> = progress["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["slug"].clone())
        .collect();
    assert_eq!(
        listed, published,
        "every published lesson, in catalog order"
    );

    let entry = lesson_entry(&progress, "tokens-and-embeddings");
    let mut keys: Vec<_> = entry.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bookmarked",
            "completed_at",
            "percent",
            "quiz",
            "slug",
            "status"
        ]
    );
    assert_eq!(entry["status"], "in_progress");
    assert_eq!(
        entry["quiz"],
        json!({"attempts": 0, "best_percent": null, "passed": false})
    );
    assert_eq!(
        lesson_entry(&progress, "attention-step-by-step")["bookmarked"],
        true
    );
    assert_eq!(lesson_entry(&progress, FREE_LESSON)["status"], "completed");

    let courses = progress["courses"].as_array().unwrap();
    assert_eq!(courses.len(), 1);
    let total = published.len();
    assert_eq!(
        courses[0],
        json!({"slug": "ai-foundations", "completed_lessons": 1, "total_lessons": total, "percent": 100 / total})
    );
}
