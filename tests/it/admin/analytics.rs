//! Analytics, the gradebook and a fresh start (API.md section 15): numbers checked against
//! values worked out by hand for five learners with known answers, a CSV that parses and
//! stays inert in a spreadsheet, and limits an admin can lift.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{act, admin_token, call, create};
use crate::common::{send, spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    analytics_match_the_hand_worked_numbers,
    the_gradebook_parses_and_formulas_stay_inert,
    a_fresh_start_lifts_the_limit_and_keeps_the_history,
    analytics_are_for_admins_only,
);

const SLUG: &str = "measured";

/// Three questions: q1 (key a), q2 (key a and b), q3 (key b, which everyone gets).
fn source(policy: &str) -> String {
    format!(
        r#"+++
title = "Measured"
slug = "{SLUG}"
summary = "A lesson whose quiz is measured."
course = "ai-foundations"
position = 40
access = "free"
updated = 2026-05-01

[quiz]
pass_percent = 70
{policy}

[[quiz.questions]]
id = "q1"
prompt = "First"
choices = ["a", "b", "c"]
answer = [0]

[[quiz.questions]]
id = "q2"
prompt = "Second"
choices = ["a", "b", "c", "d"]
answer = [0, 1]

[[quiz.questions]]
id = "q3"
prompt = "Third"
choices = ["a", "b"]
answer = [1]
+++
Body.
"#
    )
}

async fn with_lesson(backend: Backend, policy: &str) -> (TestApp, String) {
    let app = spawn(backend).await;
    let admin = admin_token(&app).await;
    let (status, body) = create(&app, &admin, &source(policy)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(act(&app, &admin, SLUG, "publish").await.0, 200);
    (app, admin)
}

/// Sign up `name`; their token and id.
async fn learner(app: &TestApp, name: &str, email: &str) -> (String, String) {
    let (status, body) = send(app.post("/api/v1/auth/signup").json(&json!({
        "email": email, "password": TEST_PASSWORD, "name": name,
    })))
    .await;
    assert_eq!(status, 201, "{body}");
    (
        body["token"].as_str().unwrap().to_owned(),
        body["user"]["id"].as_str().unwrap().to_owned(),
    )
}

async fn as_user(
    app: &TestApp,
    token: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let request = call(app, method, path, Some(token));
    send(match body {
        Some(body) => request.json(&body),
        None => request,
    })
    .await
}

async fn attempt(app: &TestApp, token: &str, answers: Value) -> (u16, Value) {
    let path = format!("/api/v1/lessons/{SLUG}/quiz/attempts");
    as_user(
        app,
        token,
        Method::POST,
        &path,
        Some(json!({ "answers": answers })),
    )
    .await
}

/// Five learners: their first attempts (right or wrong per question: 111, 111, 101, 001,
/// 001), how far they read (100, 80, 50, 25, 10), and a second, perfect attempt by the
/// last one.
async fn five_learners(app: &TestApp) {
    let firsts = [
        ("Ada", json!({"q1": [0], "q2": [0, 1], "q3": [1]}), 100),
        ("Bo", json!({"q1": [0], "q2": [1, 0], "q3": [1]}), 80),
        ("Cy", json!({"q1": [0], "q2": [0], "q3": [1]}), 50),
        ("Di", json!({"q1": [1], "q2": [2], "q3": [1]}), 25),
        (
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            json!({"q1": [1], "q2": [0, 2], "q3": [1]}),
            10,
        ),
    ];
    let mut last = String::new();
    for (i, (name, answers, percent)) in firsts.into_iter().enumerate() {
        let (token, _) = learner(app, name, &format!("learner{i}@example.com")).await;
        let (status, body) = attempt(app, &token, answers).await;
        assert_eq!(status, 201, "{body}");
        let path = format!("/api/v1/lessons/{SLUG}/progress");
        let (status, body) = as_user(
            app,
            &token,
            Method::PUT,
            &path,
            Some(json!({"percent": percent})),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        last = token;
    }
    let (status, _) = attempt(app, &last, json!({"q1": [0], "q2": [0, 1], "q3": [1]})).await;
    assert_eq!(status, 201);
}

fn close(value: &Value, expected: f64) {
    let got = value
        .as_f64()
        .unwrap_or_else(|| panic!("a number, got {value}"));
    assert!((got - expected).abs() < 1e-9, "{got} is not {expected}");
}

async fn analytics_match_the_hand_worked_numbers(backend: Backend) {
    let (app, admin) = with_lesson(backend, "").await;
    five_learners(&app).await;
    let path = format!("/api/v1/admin/lessons/{SLUG}/analytics");
    let (status, report) = as_user(&app, &admin, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (report["readers"].clone(), report["completed"].clone()),
        (json!(5), json!(1))
    );
    assert_eq!(
        report["funnel"],
        json!([{"percent": 25, "readers": 4}, {"percent": 50, "readers": 3},
               {"percent": 75, "readers": 2}, {"percent": 100, "readers": 1}])
    );
    let quiz = &report["quiz"];
    assert_eq!(
        (quiz["learners"].clone(), quiz["attempts"].clone()),
        (json!(5), json!(6))
    );
    // Ada, Bo and (on the second attempt) the last learner passed: 3 of 5.
    close(&quiz["pass_rate"], 0.6);
    // Attempts scored 100, 100, 66, 33, 33 and 100.
    close(&quiz["mean_percent"], 432.0 / 6.0);
    let questions = quiz["questions"].as_array().unwrap();
    // q1: right 1,1,1,0,0; the rest 2,2,1,1,1. n=5, Σx=3, Σy=7, Σxy=5, Σy²=11:
    // r = (5·5 − 3·7) / √((5·3 − 9)(5·11 − 49)) = 4/6.
    let q1 = &questions[0];
    assert_eq!(q1["answered"], 5);
    close(&q1["facility"], 0.6);
    close(&q1["discrimination"], 4.0 / 6.0);
    assert_eq!(
        q1["choices"],
        json!([
            {"id": 0, "text": "a", "correct": true, "picked": 3},
            {"id": 1, "text": "b", "correct": false, "picked": 2},
            {"id": 2, "text": "c", "correct": false, "picked": 0},
        ])
    );
    assert_eq!(q1["flags"], json!(["unpicked_distractor"]));
    // q2: right 1,1,0,0,0; the rest 2,2,2,1,1. Σx=2, Σy=8, Σxy=4, Σy²=14: r = 4/6.
    let q2 = &questions[1];
    close(&q2["facility"], 0.4);
    close(&q2["discrimination"], 4.0 / 6.0);
    let picked: Vec<_> = q2["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["picked"].clone())
        .collect();
    assert_eq!(
        picked,
        [json!(4), json!(2), json!(2), json!(0)],
        "first attempts only"
    );
    // q3: everyone right, so nothing to correlate.
    let q3 = &questions[2];
    close(&q3["facility"], 1.0);
    assert!(q3["discrimination"].is_null(), "{q3}");
    assert_eq!(q3["flags"], json!(["too_easy", "unpicked_distractor"]));

    // The page shows the same, drawn and tabled.
    let response = call(
        &app,
        Method::GET,
        &format!("/admin/lessons/{SLUG}/analytics"),
        Some(&admin),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert_eq!(
        page.matches("<svg class=\"chart\"").count(),
        5,
        "funnel, facility, three choice charts"
    );
    assert!(
        page.contains("<td>0.67</td>"),
        "the discrimination in the table"
    );
    assert!(
        page.contains("Almost everyone gets it right"),
        "the flag is explained"
    );
    assert!(page.contains("<dd>60 %</dd>"), "the pass rate");
    assert_eq!(
        page.matches("<script").count(),
        page.matches("<script src=\"/static/js/search.js").count(),
        "no JavaScript needed: the only script is the header's search box"
    );
}

async fn the_gradebook_parses_and_formulas_stay_inert(backend: Backend) {
    let (app, admin) = with_lesson(backend, "").await;
    five_learners(&app).await;
    let response = call(
        &app,
        Method::GET,
        "/api/v1/admin/courses/ai-foundations/gradebook.csv",
        Some(&admin),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = response.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(&header[..3], ["name", "email", "plan"]);
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let (read, best, passed) = (
        column(&format!("{SLUG} read %")),
        column(&format!("{SLUG} best quiz %")),
        column(&format!("{SLUG} passed")),
    );
    assert_eq!((header.len() - 3) % 3, 0, "three columns per lesson");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 5, "one row per learner with progress");
    let ada = rows.iter().find(|r| &r[0] == "Ada").unwrap();
    assert_eq!((&ada[1], &ada[2]), ("learner0@example.com", "free"));
    assert_eq!(
        (&ada[read], &ada[best], &ada[passed]),
        ("100", "100", "yes")
    );
    let cy = rows.iter().find(|r| &r[0] == "Cy").unwrap();
    assert_eq!((&cy[read], &cy[best], &cy[passed]), ("50", "66", "no"));
    let evil = rows.iter().find(|r| r[0].contains("HYPERLINK")).unwrap();
    assert_eq!(
        &evil[0], "'=HYPERLINK(\"http://evil.example\",\"x\")",
        "inert, and whole"
    );
    assert_eq!(
        (&evil[read], &evil[best], &evil[passed]),
        ("10", "100", "yes")
    );
    for row in &rows {
        for cell in row.iter() {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell}");
        }
    }
    let (status, _) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/courses/nope/gradebook.csv",
        Some(&admin),
    ))
    .await;
    assert_eq!(status, 404);
}

async fn a_fresh_start_lifts_the_limit_and_keeps_the_history(backend: Backend) {
    let (app, admin) = with_lesson(backend, "max_attempts = 1").await;
    let (token, id) = learner(&app, "Eli", "eli@example.com").await;
    let wrong = json!({"q1": [2]});
    assert_eq!(attempt(&app, &token, wrong.clone()).await.0, 201);
    let (status, body) = attempt(&app, &token, wrong.clone()).await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (409, json!("attempts_exhausted"))
    );

    // The page lists Eli for a fresh start.
    let page = call(
        &app,
        Method::GET,
        &format!("/admin/lessons/{SLUG}/analytics"),
        Some(&admin),
    )
    .send()
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(
        page.contains("Give a fresh start") && page.contains("eli@example.com"),
        "{page}"
    );

    let reset = format!("/api/v1/admin/lessons/{SLUG}/quiz/reset");
    let (status, _) = as_user(
        &app,
        &token,
        Method::POST,
        &reset,
        Some(json!({"user_id": id})),
    )
    .await;
    assert_eq!(status, 403, "not for learners");
    let (status, _) = as_user(
        &app,
        &admin,
        Method::POST,
        &reset,
        Some(json!({"user_id": "nobody"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = as_user(
        &app,
        &admin,
        Method::POST,
        &reset,
        Some(json!({"user": id})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, body) = as_user(
        &app,
        &admin,
        Method::POST,
        &reset,
        Some(json!({"user_id": id})),
    )
    .await;
    assert_eq!(status, 204, "{body}");

    let (status, body) = attempt(&app, &token, wrong).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["attempts_left"], 0);
    let path = format!("/api/v1/lessons/{SLUG}/quiz/attempts");
    let (_, list) = as_user(&app, &token, Method::GET, &path, None).await;
    assert_eq!(
        list["attempts"].as_array().unwrap().len(),
        2,
        "the history stays"
    );
    assert_eq!(
        (list["max_attempts"].clone(), list["attempts_left"].clone()),
        (json!(1), json!(0))
    );
}

async fn analytics_are_for_admins_only(backend: Backend) {
    let (app, _) = with_lesson(backend, "").await;
    let (token, _) = learner(&app, "Fay", "fay@example.com").await;
    for path in [
        format!("/api/v1/admin/lessons/{SLUG}/analytics"),
        "/api/v1/admin/courses/ai-foundations/gradebook.csv".to_owned(),
    ] {
        let anonymous = reqwest::Client::new().get(app.url(&path));
        assert_eq!(send(anonymous).await.0, 401, "{path}");
        assert_eq!(
            as_user(&app, &token, Method::GET, &path, None).await.0,
            403,
            "{path}"
        );
    }
}
