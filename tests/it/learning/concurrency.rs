//! Concurrent writes of one reader: progress and quiz attempts on the same lesson, and first
//! writes of the same row, all answered and consistent.

use serde_json::{json, Value};

use super::{flagship_key, get, lesson_entry, FREE_LESSON};
use crate::common::{spawn, Backend};

on_both_backends!(
    concurrent_progress_and_quiz_writes_are_consistent,
    concurrent_first_writes_of_one_row_do_not_collide,
);

/// 64 concurrent pairs of a progress write and a quiz attempt on one lesson.
async fn concurrent_progress_and_quiz_writes_are_consistent(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("busy@example.com").await;
    let key = flagship_key();
    let all_right: serde_json::Map<_, _> = key
        .iter()
        .map(|(id, answer)| (id.clone(), answer.clone()))
        .collect();
    let mut tasks = Vec::new();
    for i in 0..64u32 {
        let client = app.client.clone();
        let progress_url = app.url(&format!("/api/v1/lessons/{FREE_LESSON}/progress"));
        let quiz_url = app.url(&format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts"));
        let token = token.clone();
        let answers = if i == 17 {
            Value::Object(all_right.clone())
        } else {
            json!({})
        };
        tasks.push(tokio::spawn(async move {
            let progress = client
                .put(progress_url)
                .bearer_auth(&token)
                .json(&json!({"percent": (i * 7) % 100}))
                .send();
            let quiz = client
                .post(quiz_url)
                .bearer_auth(&token)
                .json(&json!({"answers": answers}))
                .send();
            let (progress, quiz) = tokio::join!(progress, quiz);
            let (progress, quiz) = (progress.unwrap(), quiz.unwrap());
            (
                progress.status().as_u16(),
                progress.text().await.unwrap(),
                quiz.status().as_u16(),
                quiz.text().await.unwrap(),
            )
        }));
    }
    for task in tasks {
        let (progress_status, progress_body, quiz_status, quiz_body) = task.await.unwrap();
        assert_eq!(progress_status, 200, "{progress_body}");
        assert_eq!(quiz_status, 201, "{quiz_body}");
        assert!(!progress_body.contains("locked") && !quiz_body.contains("locked"));
    }
    let expected_max = (0..64u32).map(|i| (i * 7) % 100).max().unwrap();
    let (_, progress) = get(&app, &token, "/api/v1/me/progress").await;
    let entry = lesson_entry(&progress, FREE_LESSON);
    assert_eq!(entry["percent"], expected_max, "the largest percent wins");
    assert_eq!(entry["status"], "in_progress");
    assert_eq!(
        entry["quiz"],
        json!({"attempts": 64, "best_percent": 100, "passed": true})
    );
    let (_, list) = get(
        &app,
        &token,
        &format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts"),
    )
    .await;
    assert_eq!(list["attempts"].as_array().unwrap().len(), 64);
}

/// Concurrent first writes of the same row (a fresh lesson) do not collide either.
async fn concurrent_first_writes_of_one_row_do_not_collide(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("busy@example.com").await;
    let mut firsts = Vec::new();
    for i in 0..64u32 {
        let request = app
            .client
            .put(app.url("/api/v1/lessons/tokens-and-embeddings/progress"))
            .bearer_auth(&token)
            .json(&json!({"percent": i, "completed": i == 63}));
        firsts.push(tokio::spawn(async move {
            request.send().await.unwrap().status().as_u16()
        }));
    }
    for first in firsts {
        assert_eq!(first.await.unwrap(), 200);
    }
    let (_, progress) = get(&app, &token, "/api/v1/me/progress").await;
    let entry = lesson_entry(&progress, "tokens-and-embeddings");
    assert_eq!(
        (entry["status"].as_str(), entry["percent"].as_i64()),
        (Some("completed"), Some(100))
    );
}
