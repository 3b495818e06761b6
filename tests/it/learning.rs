//! Learning: progress, bookmarks and quizzes (API.md section 5), through the API and the
//! pages, with two users, under concurrency, and across a lesson edit.

use crate::common;

use std::collections::BTreeMap;

use common::{spawn, test_settings, Backend, TestApp, TEST_PASSWORD};
use lectern::catalog::Catalog;
use lectern::content::import::import_dir;
use lectern::db::Db;
use serde_json::{json, Value};

on_both_backends!(
    progress_never_goes_down_and_keeps_the_first_completion,
    progress_lists_every_published_lesson,
    quiz_attempts_are_scored_on_the_server,
    bad_quiz_answers_are_refused_and_nothing_is_stored,
    users_never_see_each_others_learning,
    concurrent_progress_and_quiz_writes_are_consistent,
    export_holds_learning_and_deletion_removes_it,
    attempts_keep_the_revision_they_were_scored_against,
);

const FREE_LESSON: &str = "transformer-revolution";
const PLUS_LESSON: &str = "prompting-playbook";

/// The quiz answers of a bundled lesson, read from its source: question id → choice ids.
fn answer_key(file: &str) -> BTreeMap<String, Vec<usize>> {
    let text = std::fs::read_to_string(common::bundled_content().join("ai-foundations").join(file))
        .unwrap();
    let source = lectern::content::source::parse(&text, None).unwrap();
    source
        .quiz
        .unwrap()
        .questions
        .into_iter()
        .map(|q| (q.id, q.answer))
        .collect()
}

fn flagship_key() -> BTreeMap<String, Vec<usize>> {
    answer_key("01-transformer-revolution.md")
}

async fn send(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn bearer(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    app.client.request(method, app.url(path)).bearer_auth(token)
}

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

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    send(bearer(app, reqwest::Method::GET, path, token)).await
}

fn lesson_entry<'a>(progress: &'a Value, slug: &str) -> &'a Value {
    progress["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} listed in {progress}"))
}

async fn progress_never_goes_down_and_keeps_the_first_completion(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("reader@example.com").await;

    let (status, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 40})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"slug": FREE_LESSON, "status": "in_progress", "percent": 40, "completed_at": null})
    );
    let (_, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 25})).await;
    assert_eq!(body["percent"], 40, "percent never goes down");
    let (_, body) = put_progress(&app, &token, FREE_LESSON, json!({"percent": 62.9})).await;
    assert_eq!(body["percent"], 62, "fractions are rounded down");

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

    let (status, body) = put_progress(&app, &token, PLUS_LESSON, json!({"percent": 50})).await;
    assert_eq!(
        status, 403,
        "a free reader cannot record progress on a Plus lesson"
    );
    assert_eq!(body["error"]["code"], "plan_required");
    assert_eq!(body["error"]["required_plan"], "plus");

    let (status, body) = put_progress(&app, &token, "no-such-lesson", json!({"percent": 50})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );

    let anonymous = reqwest::Client::new()
        .put(app.url(&format!("/api/v1/lessons/{FREE_LESSON}/progress")))
        .json(&json!({"percent": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

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

async fn quiz_attempts_are_scored_on_the_server(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("quizzer@example.com").await;
    let key = flagship_key();

    // Before any attempt, neither the page nor the JSON holds the key, even signed in.
    let (_, lesson) = get(&app, &token, &format!("/api/v1/lessons/{FREE_LESSON}")).await;
    let text = lesson.to_string();
    assert!(text.contains("\"questions\""), "the quiz is there");
    assert!(!text.contains("\"explanation\"") && !text.contains("\"answer\""));

    // Everything wrong but the first question; one question left out.
    let mut answers = serde_json::Map::new();
    for (i, (id, choices)) in key.iter().enumerate() {
        if i == key.len() - 1 {
            continue;
        }
        let given: Vec<usize> = if i == 0 {
            choices.clone()
        } else if choices.len() > 1 {
            vec![choices[0]]
        } else {
            vec![(0..).find(|c| !choices.contains(c)).unwrap()]
        };
        answers.insert(id.clone(), json!(given));
    }
    let (status, first) = attempt(&app, &token, FREE_LESSON, Value::Object(answers)).await;
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
        assert_eq!(result["correct_choice_ids"], json!(key[id]), "{id}");
        assert!(!result["explanation"].as_str().unwrap().is_empty());
    }

    let all_right: serde_json::Map<_, _> =
        key.iter().map(|(id, c)| (id.clone(), json!(c))).collect();
    let (status, second) = attempt(&app, &token, FREE_LESSON, Value::Object(all_right)).await;
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

    // A locked lesson's quiz cannot be attempted; anonymous is 401; unknown lesson 404.
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
    let single = key.iter().find(|(_, c)| c.len() == 1).unwrap().0.clone();
    let multiple = key.iter().find(|(_, c)| c.len() > 1).unwrap().0.clone();
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
    assert_eq!(list, json!({"attempts": []}), "nothing stored");
}

async fn users_never_see_each_others_learning(backend: Backend) {
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
    assert_eq!(list, json!({"attempts": []}));
    let (_, export) = get(&app, &bob, "/api/v1/me/export").await;
    assert_eq!(
        (
            &export["progress"],
            &export["bookmarks"],
            &export["quiz_attempts"]
        ),
        (&json!([]), &json!([]), &json!([]))
    );
    // Bob's own writes do not touch Alice's record.
    put_progress(&app, &bob, FREE_LESSON, json!({"completed": true})).await;
    let removed = bearer(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/lessons/{FREE_LESSON}/bookmark"),
        &bob,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(removed.status(), 204);
    let (_, progress) = get(&app, &alice, "/api/v1/me/progress").await;
    let entry = lesson_entry(&progress, FREE_LESSON);
    assert_eq!(
        (entry["percent"].as_i64(), entry["bookmarked"].as_bool()),
        (Some(75), Some(true))
    );
    assert_eq!(entry["quiz"]["attempts"], 1);

    // Alice removes her bookmark; removing twice is fine; an unknown lesson is 404.
    for _ in 0..2 {
        let removed = bearer(
            &app,
            reqwest::Method::DELETE,
            &format!("/api/v1/lessons/{FREE_LESSON}/bookmark"),
            &alice,
        )
        .send()
        .await
        .unwrap();
        assert_eq!(removed.status(), 204);
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

async fn concurrent_progress_and_quiz_writes_are_consistent(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("busy@example.com").await;
    let key = flagship_key();
    let all_right: serde_json::Map<_, _> =
        key.iter().map(|(id, c)| (id.clone(), json!(c))).collect();
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

    // Concurrent first writes of the same row (a fresh lesson) do not collide either.
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

async fn export_holds_learning_and_deletion_removes_it(backend: Backend) {
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

    let deleted = bearer(&app, reqwest::Method::DELETE, "/api/v1/me", &token)
        .json(&json!({"password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let db = Db::connect(&app.settings).await.unwrap();
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

async fn attempts_keep_the_revision_they_were_scored_against(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    let course = content.path().join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"Demo.\"\n",
    )
    .unwrap();
    let lesson = |answer: &str, explanation: &str| {
        format!(
            "+++\ntitle = \"Edited\"\nslug = \"edited\"\nsummary = \"S.\"\ncourse = \"demo\"\nposition = 1\n\
             access = \"free\"\nupdated = 2026-05-01\n\n[quiz]\npass_percent = 50\n\n[[quiz.questions]]\n\
             id = \"q1\"\nprompt = \"Pick\"\nchoices = [\"a\", \"b\", \"c\"]\nanswer = [{answer}]\n\
             explanation = \"{explanation}\"\n+++\nBody.\n"
        )
    };
    std::fs::write(course.join("edited.md"), lesson("1", "First key: b.")).unwrap();
    let (settings, _data) = test_settings(backend, content.path()).await;
    let db = Db::connect(&settings).await.unwrap();
    import_dir(&db, content.path()).await.unwrap();
    let catalog = Catalog::load(&db).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let user = lectern::db::users::insert(
        &mut tx,
        "edit@example.com",
        "Ed",
        "x",
        lectern::db::users::Role::Learner,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let answers: BTreeMap<String, Vec<i64>> = [("q1".to_owned(), vec![1])].into();

    let snapshot = catalog.snapshot();
    let v1 = snapshot.lesson("edited").unwrap();
    let first = lectern::learning::attempt_quiz(&db, &user, v1, &answers)
        .await
        .unwrap();
    assert!(first.scored.passed);

    std::fs::write(course.join("edited.md"), lesson("2", "Second key: c.")).unwrap();
    import_dir(&db, content.path()).await.unwrap();
    let snapshot = catalog.reload(&db).await.unwrap();
    let v2 = snapshot.lesson("edited").unwrap();
    assert_eq!(v2.revision, 2);
    let second = lectern::learning::attempt_quiz(&db, &user, v2, &answers)
        .await
        .unwrap();
    assert!(
        !second.scored.passed,
        "the same answer is wrong under the new key"
    );
    assert_eq!(
        second.stats.best_percent,
        Some(100),
        "the earlier best is kept"
    );

    let stored = lectern::learning::attempts(&db, &user, v2).await.unwrap();
    assert_eq!(stored.len(), 2);
    let (newest, oldest) = (&stored[0], &stored[1]);
    assert_eq!(
        (oldest.revision, oldest.percent, oldest.passed),
        (1, 100, true)
    );
    assert_eq!(
        (newest.revision, newest.percent, newest.passed),
        (2, 0, false)
    );
    let old_results = lectern::learning::stored_results(oldest);
    assert_eq!(old_results[0].correct_choice_ids, [1]);
    assert_eq!(old_results[0].chosen_choice_ids, [1]);
    assert_eq!(old_results[0].explanation, "First key: b.");
    assert_eq!(
        lectern::learning::stored_results(newest)[0].explanation,
        "Second key: c."
    );
    db.close().await;
}

/// The lesson page, the account dashboard and the catalog, as a browser without JavaScript
/// uses them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_work_without_javascript() {
    let app = spawn(Backend::Sqlite).await;
    let key = flagship_key();
    let lesson_path = format!("/lessons/{FREE_LESSON}");

    // Anonymous readers see the questions, disabled, and an invitation back to the quiz.
    let (_, page) = app.get_text(&lesson_path).await;
    assert!(page.contains("disabled"));
    assert!(page.contains(&format!("/signup?next=/lessons/{FREE_LESSON}%23quiz")));
    assert!(
        !page.contains("progress.js"),
        "no progress script for anonymous readers"
    );
    let response = app
        .post(&format!("{lesson_path}/quiz"))
        .form(&[("q1", "0")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        format!("/signup?next=/lessons/{FREE_LESSON}%23quiz")
    );

    let signup = app
        .post("/signup")
        .form(&[
            ("name", "Page Reader"),
            ("email", "pages@example.com"),
            ("password", TEST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 303);

    let (status, page) = app.get_text(&lesson_path).await;
    assert_eq!(status, 200);
    assert!(page.contains("Mark as complete") && page.contains("Bookmark"));
    assert!(
        !page.contains("disabled"),
        "a signed-in reader's questions can be answered, though a visitor's page came first"
    );
    assert!(page.contains(&format!("data-progress-slug=\"{FREE_LESSON}\"")));
    assert!(page.contains("/static/js/progress.js?v="));
    let source = std::fs::read_to_string(
        common::bundled_content().join("ai-foundations/01-transformer-revolution.md"),
    )
    .unwrap();
    let explanation = source
        .lines()
        .find_map(|l| l.strip_prefix("explanation = \""))
        .map(|rest| rest.trim_end_matches('"'))
        .unwrap();
    let probe = &explanation[..explanation.len().min(40)];
    assert!(
        !page.contains(probe),
        "no explanation before an attempt, signed in either"
    );
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    let (status, script) = app.get_text("/static/js/progress.js").await;
    assert_eq!(status, 200);
    assert!(script.contains("/progress"));

    // The quiz: checkboxes repeat their name; the page comes back scored.
    let mut form = vec![("csrf_token".to_owned(), csrf.clone())];
    for (id, choices) in &key {
        for choice in choices {
            form.push((id.clone(), choice.to_string()));
        }
    }
    let forged: Vec<_> = form
        .iter()
        .map(|(k, v)| {
            if k == "csrf_token" {
                (k.clone(), "00".to_owned())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let refused = app
        .post(&format!("{lesson_path}/quiz"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "a wrong CSRF token is refused");
    let scored = app
        .post(&format!("{lesson_path}/quiz"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(scored.status(), 200);
    let page = scored.text().await.unwrap();
    assert!(
        page.contains(&format!("{n} of {n} correct", n = key.len())),
        "score shown"
    );
    assert!(page.contains("you passed"));
    assert!(page.contains(probe), "explanations shown after the attempt");
    assert!(page.contains("Correct answer"));
    assert!(page.contains("Best score 100% · 1 attempt"));

    // A retake with one wrong answer shows which one was wrong, and the best is kept.
    let mut retake = vec![("csrf_token".to_owned(), csrf.clone())];
    let (first_id, first_choices) = key.iter().next().unwrap();
    let wrong = (0..4).find(|c| !first_choices.contains(c)).unwrap();
    retake.push((first_id.clone(), wrong.to_string()));
    let page = app
        .post(&format!("{lesson_path}/quiz"))
        .form(&retake)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Incorrect") && page.contains("Your answer") && page.contains("Not answered")
    );
    assert!(page.contains("Best score 100% · 2 attempts"));
    // The page read afterwards shows the record, not the scored questions of an attempt.
    let (_, page) = app.get_text(&lesson_path).await;
    assert!(page.contains("Your best score: 100% · passed · 2 attempts."));
    assert!(
        page.contains("<fieldset class=\"question\">"),
        "the questions, unscored"
    );
    assert!(!page.contains("question-verdict") && !page.contains("Your answer"));

    // Mark as complete and bookmark, by form, each redirecting back.
    let done = app
        .post(&format!("{lesson_path}/complete"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(
        done.headers()["location"],
        format!("{lesson_path}#progress")
    );
    let marked = app
        .post(&format!("{lesson_path}/bookmark"))
        .form(&[("csrf_token", csrf.as_str()), ("action", "add")])
        .send()
        .await
        .unwrap();
    assert_eq!(marked.status(), 303);
    let (_, page) = app.get_text(&lesson_path).await;
    assert!(page.contains("You completed this lesson"));
    assert!(page.contains("Bookmarked"));
    assert!(page.contains("Your best score: 100%"));

    // Reading another lesson part-way makes it the one to continue.
    let progress = app
        .client
        .put(app.url("/api/v1/lessons/tokens-and-embeddings/progress"))
        .header("origin", &app.address)
        .json(&json!({"percent": 50}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        progress.status(),
        200,
        "the page script's cookie request works"
    );

    let (status, account) = app.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(account.contains("Continue where you left off"));
    assert!(account.contains("href=\"/lessons/tokens-and-embeddings\""));
    assert!(
        account.contains("1 of 8 lessons completed") || account.contains("1 of "),
        "course bar"
    );
    assert!(account.contains("Quiz best 100% · passed"));
    assert!(account.contains("In progress · 50%"));
    assert!(account.contains("id=\"bookmarks\""));
    assert!(account.contains(&format!("action=\"/lessons/{FREE_LESSON}/bookmark\"")));

    // Remove the bookmark from /account.
    let removed = app
        .post(&format!("{lesson_path}/bookmark"))
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("action", "remove"),
            ("back", "account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 303);
    assert_eq!(removed.headers()["location"], "/account#bookmarks");
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains("No bookmarks yet"));

    let (_, catalog) = app.get_text("/").await;
    assert!(
        catalog.contains("learning-completed"),
        "the catalog ticks completed lessons"
    );
    assert!(catalog.contains("In progress · 50%"));
}
