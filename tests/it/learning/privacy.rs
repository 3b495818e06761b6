//! Two users: neither sees nor changes the other's progress, bookmarks or attempts; removing a
//! bookmark is idempotent.

use serde_json::json;

use super::{attempt, bearer, get, lesson_entry, put_progress, FREE_LESSON};
use crate::common::{spawn, Backend, TestApp};

on_both_backends!(
    a_new_users_record_is_empty_beside_anothers,
    one_users_writes_leave_anothers_record_alone,
    removing_a_bookmark_twice_is_fine_and_unknown_lessons_are_404,
);

/// An app where Alice has progress (75%), a bookmark and an attempt on the free lesson, and
/// Bob has just signed up; their tokens.
async fn alice_and_bob(backend: Backend) -> (TestApp, String, String) {
    let app = spawn(backend).await;
    let (alice, _) = app.sign_up("alice@example.com").await;
    let (bob, _) = app.sign_up("bob@example.com").await;
    put_progress(&app, &alice, FREE_LESSON, json!({"percent": 75})).await;
    bearer(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/lessons/{FREE_LESSON}/bookmark"),
        &alice,
    )
    .send()
    .await
    .unwrap();
    let (status, _) = attempt(&app, &alice, FREE_LESSON, json!({})).await;
    assert_eq!(status, 201);
    (app, alice, bob)
}

async fn remove_bookmark(app: &TestApp, token: &str) -> reqwest::StatusCode {
    bearer(
        app,
        reqwest::Method::DELETE,
        &format!("/api/v1/lessons/{FREE_LESSON}/bookmark"),
        token,
    )
    .send()
    .await
    .unwrap()
    .status()
}

async fn a_new_users_record_is_empty_beside_anothers(backend: Backend) {
    let (app, _, bob) = alice_and_bob(backend).await;
    let (_, progress) = get(&app, &bob, "/api/v1/me/progress").await;
    assert_eq!(
        lesson_entry(&progress, FREE_LESSON),
        &json!({"slug": FREE_LESSON, "status": "not_started", "percent": 0, "completed_at": null,
                "bookmarked": false, "quiz": {"attempts": 0, "best_percent": null, "passed": false}})
    );
    let (_, list) = get(
        &app,
        &bob,
        &format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts"),
    )
    .await;
    assert_eq!(
        list,
        json!({"attempts": [], "max_attempts": null, "attempts_left": null})
    );
    let (_, export) = get(&app, &bob, "/api/v1/me/export").await;
    assert_eq!(
        (
            &export["progress"],
            &export["bookmarks"],
            &export["quiz_attempts"]
        ),
        (&json!([]), &json!([]), &json!([]))
    );
}

/// Bob's own writes do not touch Alice's record.
async fn one_users_writes_leave_anothers_record_alone(backend: Backend) {
    let (app, alice, bob) = alice_and_bob(backend).await;
    put_progress(&app, &bob, FREE_LESSON, json!({"completed": true})).await;
    assert_eq!(remove_bookmark(&app, &bob).await, 204);
    let (_, progress) = get(&app, &alice, "/api/v1/me/progress").await;
    let entry = lesson_entry(&progress, FREE_LESSON);
    assert_eq!(
        (entry["percent"].as_i64(), entry["bookmarked"].as_bool()),
        (Some(75), Some(true))
    );
    assert_eq!(entry["quiz"]["attempts"], 1);
}

/// Alice removes her bookmark; removing twice is fine; an unknown lesson is 404.
async fn removing_a_bookmark_twice_is_fine_and_unknown_lessons_are_404(backend: Backend) {
    let (app, alice, _) = alice_and_bob(backend).await;
    for _ in 0..2 {
        assert_eq!(remove_bookmark(&app, &alice).await, 204);
    }
    let (_, progress) = get(&app, &alice, "/api/v1/me/progress").await;
    assert_eq!(lesson_entry(&progress, FREE_LESSON)["bookmarked"], false);
    let unknown = bearer(
        &app,
        reqwest::Method::PUT,
        "/api/v1/lessons/nope/bookmark",
        &alice,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(unknown.status(), 404);
}
