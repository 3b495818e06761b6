//! Contract section 1, "Freshness": a change committed by another process (`lectern import`,
//! `lectern set-plan`, `lectern create-admin`) is served by a running instance within a
//! second, with no restart: pages, JSON, quiz scoring, plans and roles alike.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common;
use common::{bearer, spawn_settings, test_settings, Backend, TestApp};
use serde_json::json;

/// How long a test waits for a change to show. The contract's figure is one second; the
/// watcher's own is a fifth of one (see `db::freshness`), and a shared CI machine can add
/// to any wait, so the test allows twice the contract before it calls the rule broken.
const DEADLINE: Duration = Duration::from_secs(2);

fn lesson(body: &str, answer: usize) -> String {
    format!(
        r#"+++
title = "Changing"
slug = "changing"
summary = "A lesson that changes while the site runs."
course = "demo"
position = 1
access = "free"
updated = 2026-12-01

[quiz]
pass_percent = 100

[[quiz.questions]]
id = "q1"
prompt = "Which one?"
choices = ["first", "second"]
answer = [{answer}]
explanation = "Because."
+++
{body}
"#
    )
}

fn pro_lesson() -> &'static str {
    r#"+++
title = "Deep"
slug = "deep"
summary = "For Pro readers."
course = "demo"
position = 2
access = "pro"
updated = 2026-12-01
+++
The teaser of deep.

<!-- more -->
The rest of deep, for Pro readers.
"#
}

fn write_course(dir: &Path, body: &str, answer: usize) {
    let course = dir.join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"A demo course.\"\n",
    )
    .unwrap();
    std::fs::write(course.join("changing.md"), lesson(body, answer)).unwrap();
    std::fs::write(course.join("deep.md"), pro_lesson()).unwrap();
}

async fn spawn(backend: Backend) -> (TestApp, tempfile::TempDir) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path(), "The first text of the lesson.", 0);
    let (settings, data) = test_settings(backend, content.path()).await;
    (spawn_settings(settings, data).await, content)
}

/// Run the `lectern` binary against the app's database, as an operator would beside it.
fn lectern(app: &TestApp, args: &[&str], env: &[(&str, &str)]) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command
        .args(args)
        .env("LECTERN_DATA_DIR", &app.settings.data_dir)
        .env("LECTERN_CONTENT_DIR", &app.settings.content_dir)
        .env("LECTERN_LOG", "warn")
        .envs(env.iter().copied());
    if let Some(url) = &app.settings.database_url {
        command.env("LECTERN_DATABASE_URL", url);
    }
    let output = command.output().expect("lectern runs");
    assert!(
        output.status.success(),
        "lectern {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Ask until `check` holds, for at most `DEADLINE` after `since`; how long it took.
async fn within_deadline<F, Fut>(since: Instant, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    loop {
        if check().await {
            let took = since.elapsed();
            eprintln!("{what}: seen after {} ms", took.as_millis());
            return took;
        }
        assert!(
            since.elapsed() < DEADLINE,
            "{what}: not seen within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn text(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let mut request = reqwest::Client::new().get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().text().await.unwrap()
}

async fn an_import_beside_the_running_server_is_served(backend: Backend) {
    let (app, content) = spawn(backend).await;
    let (token, _) = app.sign_up("reader@example.com").await;
    // Everything a reader can be served is read, and so kept, before the change.
    for _ in 0..3 {
        assert!(text(&app, "/lessons/changing", None)
            .await
            .contains("The first text"));
        assert!(text(&app, "/lessons/changing", Some(&token))
            .await
            .contains("The first text"));
        assert!(text(&app, "/api/v1/lessons/changing", None)
            .await
            .contains("The first text"));
    }

    write_course(content.path(), "The second text, imported later.", 1);
    lectern(&app, &["import"], &[]);
    let imported = Instant::now();
    within_deadline(imported, "the visitor's page", || async {
        text(&app, "/lessons/changing", None)
            .await
            .contains("The second text")
    })
    .await;
    within_deadline(imported, "the reader's page", || async {
        text(&app, "/lessons/changing", Some(&token))
            .await
            .contains("The second text")
    })
    .await;
    let (status, body) = app.get_json("/api/v1/lessons/changing").await;
    assert_eq!(status, 200);
    assert!(body["html"].as_str().unwrap().contains("The second text"));

    // The quiz is scored against the imported revision: choice 1 is now the answer.
    let (status, scored) = common::send(
        bearer(
            &app,
            reqwest::Method::POST,
            "/api/v1/lessons/changing/quiz/attempts",
            &token,
        )
        .json(&json!({"answers": {"q1": [1]}})),
    )
    .await;
    assert_eq!(status, 201, "{scored}");
    assert_eq!(scored["passed"], true, "{scored}");
    assert_eq!(scored["results"][0]["correct_choice_ids"], json!([1]));
}

async fn plans_and_roles_set_from_the_command_line_are_served(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let (token, _) = app.sign_up("grower@example.com").await;
    let lesson = |token: String| {
        let app = &app;
        async move {
            let (_, body) = common::send(bearer(
                app,
                reqwest::Method::GET,
                "/api/v1/lessons/deep",
                &token,
            ))
            .await;
            body
        }
    };
    for _ in 0..3 {
        assert_eq!(lesson(token.clone()).await["locked"], true);
        assert!(!text(&app, "/lessons/deep", Some(&token))
            .await
            .contains("The rest of deep"));
    }
    lectern(
        &app,
        &["set-plan", "--email", "grower@example.com", "--plan", "pro"],
        &[],
    );
    let set = Instant::now();
    within_deadline(set, "the new plan on the page", || async {
        text(&app, "/lessons/deep", Some(&token))
            .await
            .contains("The rest of deep")
    })
    .await;
    assert_eq!(lesson(token.clone()).await["locked"], false);

    let admin_lessons = |token: String| {
        let app = &app;
        async move {
            common::send(bearer(
                app,
                reqwest::Method::GET,
                "/api/v1/admin/lessons",
                &token,
            ))
            .await
            .0
        }
    };
    assert_eq!(admin_lessons(token.clone()).await, 403);
    // Promoting an account sets its password, which ends its sessions.
    lectern(
        &app,
        &[
            "create-admin",
            "--email",
            "grower@example.com",
            "--name",
            "Grower",
        ],
        &[("LECTERN_ADMIN_PASSWORD", common::TEST_PASSWORD)],
    );
    let promoted = Instant::now();
    within_deadline(promoted, "the ended session", || async {
        admin_lessons(token.clone()).await == 401
    })
    .await;
    let (status, login) = common::send(app.post("/api/v1/auth/login").json(&json!({
        "email": "grower@example.com",
        "password": common::TEST_PASSWORD,
    })))
    .await;
    assert_eq!(status, 200, "{login}");
    let admin = login["token"].as_str().unwrap().to_owned();
    assert_eq!(login["user"]["role"], "admin");
    assert_eq!(admin_lessons(admin).await, 200);
}

on_both_backends!(
    an_import_beside_the_running_server_is_served,
    plans_and_roles_set_from_the_command_line_are_served,
);
