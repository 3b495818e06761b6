//! Quiz attempts through the API: scored on the server, the key sent only after an attempt,
//! the best kept, attempts listed, refused when malformed, locked, anonymous or unknown.

use serde_json::{json, Value};

use super::{attempt, choices, flagship_key, get, lesson_entry, FREE_LESSON, PLUS_LESSON};
use crate::common::{spawn, Backend, TestApp};

on_both_backends!(
    the_key_is_not_sent_before_an_attempt,
    an_attempt_is_scored_per_question,
    the_best_score_is_kept,
    attempts_are_listed_newest_first,
    attempts_need_the_plan_a_sign_in_and_a_lesson,
    bad_quiz_answers_are_refused_and_nothing_is_stored,
);

/// An app with a signed-up reader; their token.
async fn with_reader(backend: Backend) -> (TestApp, String) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("quizzer@example.com").await;
    (app, token)
}

/// Everything wrong but the first question; the last question left out.
fn mostly_wrong() -> Value {
    let key = flagship_key();
    let mut answers = serde_json::Map::new();
    for (i, (id, answer)) in key.iter().enumerate() {
        if i == key.len() - 1 {
            continue;
        }
        let given = match choices(answer) {
            _ if i == 0 => answer.clone(),
            Some(right) if right.len() > 1 => json!([right[0]]),
            Some(right) => json!([(0..).find(|c| !right.contains(c)).unwrap()]),
            None => json!(answer.as_f64().unwrap() + 1000.0),
        };
        answers.insert(id.clone(), given);
    }
    Value::Object(answers)
}

fn all_right() -> Value {
    Value::Object(
        flagship_key()
            .iter()
            .map(|(id, answer)| (id.clone(), answer.clone()))
            .collect(),
    )
}

/// Before any attempt, neither the page nor the JSON holds the key, even signed in.
async fn the_key_is_not_sent_before_an_attempt(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (_, lesson) = get(&app, &token, &format!("/api/v1/lessons/{FREE_LESSON}")).await;
    let text = lesson.to_string();
    assert!(text.contains("\"questions\""), "the quiz is there");
    assert!(!text.contains("\"explanation\"") && !text.contains("\"answer\""));
}

async fn an_attempt_is_scored_per_question(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let key = flagship_key();
    let (status, first) = attempt(&app, &token, FREE_LESSON, mostly_wrong()).await;
    assert_eq!(status, 201, "{first}");
    let mut keys: Vec<_> = first.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    for expected in [
        "attempt_id",
        "best_percent",
        "passed",
        "percent",
        "results",
        "score",
        "total",
    ] {
        assert!(keys.iter().any(|k| k == expected), "{expected} in {keys:?}");
    }
    assert_eq!(first["total"], key.len());
    assert_eq!(first["score"], 1);
    assert_eq!(first["passed"], false);
    let results = first["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        key.len(),
        "a result per question, left-out ones included"
    );
    assert_eq!(results[0]["correct"], true);
    let last = results.last().unwrap();
    assert_eq!(
        last["correct"], false,
        "a question left out counts as wrong"
    );
    for result in results {
        // Results come in the quiz's order; the key is sorted by id.
        let id = result["question_id"].as_str().unwrap();
        match choices(&key[id]) {
            Some(right) => assert_eq!(result["correct_choice_ids"], json!(right), "{id}"),
            None => assert_eq!(result["correct_number"], key[id], "{id}"),
        }
        assert!(!result["explanation"].as_str().unwrap().is_empty());
    }
}

async fn the_best_score_is_kept(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (status, second) = attempt(&app, &token, FREE_LESSON, all_right()).await;
    assert_eq!(status, 201);
    assert_eq!(
        (second["percent"].as_i64(), second["passed"].as_bool()),
        (Some(100), Some(true))
    );
    assert_eq!(second["best_percent"], 100);

    let (_, third) = attempt(&app, &token, FREE_LESSON, json!({})).await;
    assert_eq!(
        (third["score"].as_i64(), third["best_percent"].as_i64()),
        (Some(0), Some(100)),
        "best is kept"
    );
}

async fn attempts_are_listed_newest_first(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (_, first) = attempt(&app, &token, FREE_LESSON, mostly_wrong()).await;
    let (_, second) = attempt(&app, &token, FREE_LESSON, all_right()).await;
    let (_, third) = attempt(&app, &token, FREE_LESSON, json!({})).await;
    let (status, list) = get(
        &app,
        &token,
        &format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts"),
    )
    .await;
    assert_eq!(status, 200);
    let ids: Vec<_> = list["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [
            third["attempt_id"].clone(),
            second["attempt_id"].clone(),
            first["attempt_id"].clone()
        ],
        "newest first"
    );
    for entry in list["attempts"].as_array().unwrap() {
        for field in ["id", "percent", "passed", "created_at"] {
            assert!(!entry[field].is_null(), "{field} in {entry}");
        }
    }

    let (_, progress) = get(&app, &token, "/api/v1/me/progress").await;
    assert_eq!(
        lesson_entry(&progress, FREE_LESSON)["quiz"],
        json!({"attempts": 3, "best_percent": 100, "passed": true})
    );
}

/// A locked lesson's quiz cannot be attempted; anonymous is 401; unknown lesson 404.
async fn attempts_need_the_plan_a_sign_in_and_a_lesson(backend: Backend) {
    let (app, token) = with_reader(backend).await;
    let (status, body) = attempt(&app, &token, PLUS_LESSON, json!({})).await;
    assert_eq!(
        (status, body["error"]["required_plan"].as_str()),
        (403, Some("plus"))
    );
    assert_eq!(body["error"]["code"], "plan_required");
    let anonymous = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts")))
        .json(&json!({"answers": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    let (status, _) = attempt(&app, &token, "no-such-lesson", json!({})).await;
    assert_eq!(status, 404);
}

async fn bad_quiz_answers_are_refused_and_nothing_is_stored(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("careless@example.com").await;
    let key = flagship_key();
    let with_choices = |wanted: fn(usize) -> bool| {
        key.iter()
            .find(|(_, answer)| choices(answer).is_some_and(|right| wanted(right.len())))
            .unwrap()
            .0
            .clone()
    };
    let single = with_choices(|n| n == 1);
    let multiple = with_choices(|n| n > 1);
    let cases = [
        (json!({"q404": [0]}), "q404", "no question"),
        (
            json!({ single.clone(): [99] }),
            single.as_str(),
            "no choice 99",
        ),
        (
            json!({ single.clone(): [-1] }),
            single.as_str(),
            "no choice -1",
        ),
        (
            json!({ multiple.clone(): [0, 0] }),
            multiple.as_str(),
            "twice",
        ),
        (
            json!({ single.clone(): [0, 1] }),
            single.as_str(),
            "single choice",
        ),
    ];
    for (answers, question, text) in cases {
        let (status, body) = attempt(&app, &token, FREE_LESSON, answers.clone()).await;
        assert_eq!(status, 400, "{answers}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(text) && message.contains(question),
            "{message}"
        );
        assert!(
            body["error"]["fields"][format!("answers.{question}")].is_string(),
            "{body}"
        );
    }
    let (status, _) = attempt(&app, &token, FREE_LESSON, json!({ single: ["zero"] })).await;
    assert_eq!(status, 400, "a choice id must be an integer");
    let (_, list) = get(
        &app,
        &token,
        &format!("/api/v1/lessons/{FREE_LESSON}/quiz/attempts"),
    )
    .await;
    assert_eq!(
        list,
        json!({"attempts": [], "max_attempts": null, "attempts_left": null}),
        "nothing stored"
    );
}
