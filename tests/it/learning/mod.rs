//! Learning: progress, bookmarks and quizzes (API.md section 5), through the API and the
//! pages, with two users, under concurrency, and across a lesson edit.

mod concurrency;
mod export;
mod pages;
mod policies;
mod privacy;
mod progress;
mod quizzes;
mod revisions;

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::common::{bundled_content, right_answer, send, TestApp};

const FREE_LESSON: &str = "transformer-revolution";
const PLUS_LESSON: &str = "prompting-playbook";

/// The right answers of a bundled lesson's quiz, read from its source: question id → the
/// answer as an attempt sends it (choice ids, or one number).
fn answer_key(file: &str) -> BTreeMap<String, Value> {
    let text =
        std::fs::read_to_string(bundled_content().join("ai-foundations").join(file)).unwrap();
    let source = lectern::content::source::parse(&text, None).unwrap();
    source
        .quiz
        .unwrap()
        .questions
        .into_iter()
        .map(|q| (q.id.clone(), right_answer(&q)))
        .collect()
}

/// The answers of the bundled flagship lesson's quiz.
fn flagship_key() -> BTreeMap<String, Value> {
    answer_key("01-transformer-revolution.md")
}

/// The choice ids of a choice question's answer; `None` for a number answer.
fn choices(answer: &Value) -> Option<Vec<usize>> {
    answer
        .as_array()
        .map(|ids| ids.iter().map(|id| id.as_u64().unwrap() as usize).collect())
}

/// A request with a Bearer token from the app's own client.
fn bearer(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(token)
}

/// `PUT /api/v1/lessons/{slug}/progress`: the answer.
async fn put_progress(app: &TestApp, token: &str, slug: &str, body: Value) -> (u16, Value) {
    send(
        bearer(
            app,
            reqwest::Method::PUT,
            &format!("/api/v1/lessons/{slug}/progress"),
            token,
        )
        .json(&body),
    )
    .await
}

/// `POST /api/v1/lessons/{slug}/quiz/attempts` with `answers`: the answer.
async fn attempt(app: &TestApp, token: &str, slug: &str, answers: Value) -> (u16, Value) {
    send(
        bearer(
            app,
            reqwest::Method::POST,
            &format!("/api/v1/lessons/{slug}/quiz/attempts"),
            token,
        )
        .json(&json!({ "answers": answers })),
    )
    .await
}

/// A GET with a Bearer token: the answer.
async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    send(bearer(app, reqwest::Method::GET, path, token)).await
}

/// The entry of `slug` in a progress overview.
fn lesson_entry<'a>(progress: &'a Value, slug: &str) -> &'a Value {
    progress["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} listed in {progress}"))
}
