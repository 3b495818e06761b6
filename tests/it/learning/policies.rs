//! Quiz policies (API.md section 15): attempts that run out (under a burst too), each
//! `reveal` mode, number and token-count questions, shuffled choices, and the page and
//! the no-JavaScript form that say what is left.

use futures_util::future::join_all;
use serde_json::{json, Value};

use super::{attempt, get};
use crate::common::admin::{act, admin_token, create};
use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

on_both_backends!(
    of_a_burst_for_the_last_attempt_exactly_one_is_taken,
    each_reveal_mode_shows_the_key_when_it_says,
    number_questions_take_one_number_within_their_tolerance,
    a_token_count_key_is_tiktokens_count,
);

/// tiktoken's count of "Hello, world!" in o200k_base: "Hello" "," " world" "!".
const HELLO_WORLD_TOKENS: u32 = 4;

/// A lesson whose quiz has a choice, a number and a token-count question, under `policy`
/// (lines for `[quiz]`).
fn source(slug: &str, policy: &str) -> String {
    format!(
        r#"+++
title = "Policies {slug}"
slug = "{slug}"
summary = "A quiz with policies."
course = "ai-foundations"
position = 30
access = "free"
updated = 2026-05-01

[quiz]
pass_percent = 60
{policy}

[[quiz.questions]]
id = "q1"
prompt = "Pick b."
choices = ["a", "b", "c", "d"]
answer = [1]
explanation = "Because b is the second letter."

[[quiz.questions]]
id = "q2"
kind = "number"
prompt = "How many layers?"
answer_number = 12
tolerance = 0.5
explanation = "Twelve layers."

[[quiz.questions]]
id = "q3"
kind = "token_count"
prompt = "How many o200k_base tokens is the text below?"
text = "Hello, world!"
encoding = "o200k_base"
+++
A lesson body.
"#
    )
}

/// An app with the lesson published and a reader (their token).
async fn with_lesson(backend: Backend, slug: &str, policy: &str) -> (TestApp, String) {
    let app = spawn(backend).await;
    let admin = admin_token(&app).await;
    let (status, body) = create(&app, &admin, &source(slug, policy)).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(act(&app, &admin, slug, "publish").await.0, 200);
    let (reader, _) = app.sign_up("policies@example.com").await;
    (app, reader)
}

fn right() -> Value {
    json!({"q1": [1], "q2": 12, "q3": HELLO_WORLD_TOKENS})
}

fn wrong() -> Value {
    json!({"q1": [0], "q2": 3, "q3": 100})
}

async fn attempts_list(app: &TestApp, token: &str, slug: &str) -> Value {
    let (status, list) = get(app, token, &format!("/api/v1/lessons/{slug}/quiz/attempts")).await;
    assert_eq!(status, 200, "{list}");
    list
}

async fn of_a_burst_for_the_last_attempt_exactly_one_is_taken(backend: Backend) {
    let (app, reader) = with_lesson(backend, "burst", "max_attempts = 3").await;
    let (_, lesson) = get(&app, &reader, "/api/v1/lessons/burst").await;
    assert_eq!(lesson["quiz"]["max_attempts"], 3);
    for left in [2, 1] {
        let (status, body) = attempt(&app, &reader, "burst", wrong()).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(
            (body["max_attempts"].clone(), body["attempts_left"].clone()),
            (json!(3), json!(left))
        );
    }
    let burst = (0..12).map(|_| attempt(&app, &reader, "burst", right()));
    let outcomes = join_all(burst).await;
    let taken = outcomes.iter().filter(|(status, _)| *status == 201).count();
    assert_eq!(taken, 1, "{outcomes:?}");
    for (status, body) in outcomes.iter().filter(|(status, _)| *status != 201) {
        assert_eq!(*status, 409, "{body}");
        assert_eq!(body["error"]["code"], "attempts_exhausted", "{body}");
    }
    let list = attempts_list(&app, &reader, "burst").await;
    assert_eq!(list["attempts"].as_array().unwrap().len(), 3);
    assert_eq!(
        (list["max_attempts"].clone(), list["attempts_left"].clone()),
        (json!(3), json!(0))
    );
    let (status, _) = attempt(&app, &reader, "burst", right()).await;
    assert_eq!(status, 409, "still exhausted");
}

/// The key of question q1 and its explanation, as an attempt's results show them.
fn key_of(report: &Value) -> (Value, Value) {
    let q1 = &report["results"][0];
    assert_eq!(q1["question_id"], "q1");
    assert!(
        q1["correct"].is_boolean(),
        "whether it was right always shows: {report}"
    );
    (q1["correct_choice_ids"].clone(), q1["explanation"].clone())
}

fn shown(report: &Value) -> bool {
    match key_of(report) {
        (Value::Null, Value::Null) => {
            assert!(report["results"][1]["correct_number"].is_null(), "{report}");
            assert_eq!(report["revealed"], false);
            false
        }
        (ids, explanation) => {
            assert_eq!(ids, json!([1]), "{report}");
            assert_eq!(explanation, "Because b is the second letter.");
            assert_eq!(report["results"][1]["correct_number"], 12.0);
            assert_eq!(report["revealed"], true);
            true
        }
    }
}

async fn each_reveal_mode_shows_the_key_when_it_says(backend: Backend) {
    // (slug, policy, attempts in order with whether each shows the key)
    type Case = (&'static str, &'static str, Vec<(Value, bool)>);
    let cases: [Case; 4] = [
        (
            "always",
            "reveal = \"always\"",
            vec![(wrong(), true), (right(), true)],
        ),
        (
            "after-passing",
            "reveal = \"after_passing\"",
            vec![(wrong(), false), (right(), true), (wrong(), true)],
        ),
        (
            "after-last",
            "reveal = \"after_last_attempt\"\nmax_attempts = 2",
            vec![(right(), false), (wrong(), true)],
        ),
        (
            "never",
            "reveal = \"never\"",
            vec![(right(), false), (wrong(), false)],
        ),
    ];
    for (slug, policy, steps) in cases {
        let (app, reader) = with_lesson(backend, slug, policy).await;
        for (i, (answers, expected)) in steps.into_iter().enumerate() {
            let (status, report) = attempt(&app, &reader, slug, answers).await;
            assert_eq!(status, 201, "{report}");
            assert_eq!(
                shown(&report),
                expected,
                "{slug}, attempt {}: {report}",
                i + 1
            );
        }
    }
}

async fn number_questions_take_one_number_within_their_tolerance(backend: Backend) {
    let (app, reader) = with_lesson(backend, "numbers", "").await;
    let (_, lesson) = get(&app, &reader, "/api/v1/lessons/numbers").await;
    let q2 = &lesson["quiz"]["questions"][1];
    assert_eq!(
        (q2["kind"].clone(), q2["choices"].clone()),
        (json!("number"), json!([]))
    );
    assert!(
        !lesson.to_string().contains("answer_number"),
        "no key before an attempt"
    );
    for (given, correct) in [
        (json!(12), true),
        (json!(12.5), true),
        (json!(11.5), true),
        (json!(12.51), false),
        (json!(13), false),
    ] {
        let (status, report) = attempt(
            &app,
            &reader,
            "numbers",
            json!({"q1": [1], "q2": given.clone()}),
        )
        .await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(
            report["results"][1]["correct"], correct,
            "{given}: {report}"
        );
        assert_eq!(
            report["results"][1]["chosen_number"],
            given.as_f64().unwrap()
        );
    }
    let before = attempts_list(&app, &reader, "numbers").await["attempts"]
        .as_array()
        .unwrap()
        .len();
    for bad in [
        json!({"q2": [12]}),
        json!({"q2": "12"}),
        json!({"q1": 1}),
        json!({"q3": [4]}),
    ] {
        let (status, body) = attempt(&app, &reader, "numbers", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input");
    }
    let after = attempts_list(&app, &reader, "numbers").await["attempts"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing stored for a wrong shape");
}

async fn a_token_count_key_is_tiktokens_count(backend: Backend) {
    let (app, reader) = with_lesson(backend, "counting", "").await;
    let (_, lesson) = get(&app, &reader, "/api/v1/lessons/counting").await;
    let q3 = &lesson["quiz"]["questions"][2];
    assert_eq!(q3["kind"], "token_count");
    assert_eq!(
        (q3["text"].clone(), q3["encoding"].clone()),
        (json!("Hello, world!"), json!("o200k_base"))
    );
    for (given, correct) in [
        (HELLO_WORLD_TOKENS, true),
        (HELLO_WORLD_TOKENS + 1, false),
        (HELLO_WORLD_TOKENS - 1, false),
    ] {
        let (status, report) = attempt(&app, &reader, "counting", json!({"q3": given})).await;
        assert_eq!(status, 201, "{report}");
        assert_eq!(
            report["results"][2]["correct"], correct,
            "{given}: {report}"
        );
    }
    // The box's own count agrees.
    let (status, counted) = crate::common::send(
        app.post("/api/v1/tokenize")
            .json(&json!({"text": "Hello, world!", "encoding": "o200k_base"})),
    )
    .await;
    assert_eq!(status, 200, "{counted}");
    assert_eq!(counted["count"], HELLO_WORLD_TOKENS);
}

/// A reader signed up through the form, so the page's forms (and their CSRF token) work.
async fn page_reader(app: &TestApp, slug: &str) -> String {
    let signup = app
        .post("/signup")
        .form(&[
            ("name", "Page Reader"),
            ("email", "page-policies@example.com"),
            ("password", TEST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signup.status(), 303);
    let (_, page) = app.get_text(&format!("/lessons/{slug}")).await;
    page.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned()
}

/// The order of question q1's choices on a page.
fn choice_order(page: &str) -> Vec<String> {
    page.split("name=\"q1\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_page_and_the_form_follow_the_policies() {
    let app = spawn(Backend::Sqlite).await;
    let admin = admin_token(&app).await;
    let policy = "max_attempts = 2\nreveal = \"after_last_attempt\"\nshuffle_choices = true";
    assert_eq!(create(&app, &admin, &source("paged", policy)).await.0, 201);
    assert_eq!(act(&app, &admin, "paged", "publish").await.0, 200);
    let csrf = page_reader(&app, "paged").await;

    let (_, page) = app.get_text("/lessons/paged").await;
    assert!(page.contains("2 attempts"), "the limit is said");
    assert!(
        page.contains("shown after your last attempt"),
        "what is revealed when"
    );
    assert!(page.contains("You have 2 attempts at this quiz."));
    assert!(
        page.contains("<code>Hello, world!</code>"),
        "the text to count"
    );
    assert!(
        page.contains("type=\"number\""),
        "number questions take a number"
    );
    let order = choice_order(&page);
    let mut ids = order.clone();
    ids.sort();
    assert_eq!(ids, ["0", "1", "2", "3"], "{order:?}");
    let (_, again) = app.get_text("/lessons/paged").await;
    assert_eq!(choice_order(&again), order, "the reader's own stable order");

    let form = |q1: &str, q2: &str, q3: &str| {
        vec![
            ("csrf_token", csrf.clone()),
            ("q1", q1.to_owned()),
            ("q2", q2.to_owned()),
            ("q3", q3.to_owned()),
        ]
    };
    let first = app
        .post("/lessons/paged/quiz")
        .form(&form("0", "3", ""))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    assert!(
        first.contains("1 of 2 left"),
        "attempts left after the first"
    );
    assert!(
        !first.contains("Because b is the second letter."),
        "no explanation before the last"
    );
    assert!(!first.contains("Correct answer"), "no key before the last");
    assert!(
        first.contains("Not answered"),
        "an empty number box is left out"
    );
    assert!(first.contains("Count it yourself in the token box"));
    assert!(
        first.contains("?text=Hello%2C%20world%21&amp;encoding=o200k_base#see-the-tokens"),
        "the box is linked with the text filled in"
    );

    let last = app
        .post("/lessons/paged/quiz")
        .form(&form("1", "12.2", "4"))
        .send()
        .await
        .unwrap();
    assert_eq!(last.status(), 200);
    let last = last.text().await.unwrap();
    assert!(
        last.contains("Because b is the second letter."),
        "the key on the last attempt"
    );
    assert!(last.contains("The answer: <strong>12</strong>"), "{last}");
    assert!(
        last.contains("You have used all 2 attempts"),
        "no attempt left, no button"
    );
    assert!(
        !last.contains(">Check my answers"),
        "the submit button is gone"
    );

    let refused = app
        .post("/lessons/paged/quiz")
        .form(&form("1", "12", "4"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 409, "the form is held to the limit too");
}
