//! The operator's commands on a running site's database: `lectern set-plan` and
//! `lectern create-admin` take effect on the user's very next request.

use serde_json::{json, Value};

use super::bearer_get;
use crate::common::{spawn, Backend, TestApp};

on_both_backends!(
    a_plan_set_by_the_operator_shows_on_the_next_request,
    a_plan_set_by_the_operator_is_recorded_with_its_author,
    a_promotion_resets_the_password_and_sessions,
);

const PLUS_LESSON: &str = "/api/v1/lessons/prompting-playbook";

/// Run `lectern` with `args` (and `env`) on the app's data folder and database; it succeeds.
fn lectern(app: &TestApp, args: &[&str], env: &[(&str, &str)]) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(args)
        .env("LECTERN_DATA_DIR", &app.settings.data_dir)
        .envs(
            app.settings
                .database_url
                .as_ref()
                .map(|url| ("LECTERN_DATABASE_URL", url)),
        )
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn set_plus(app: &TestApp) {
    lectern(
        app,
        &["set-plan", "--email", "pat@example.com", "--plan", "plus"],
        &[],
    );
}

fn locked(body: &Value) -> bool {
    body["locked"].as_bool().unwrap()
}

/// The operator's command changes the plan; the same token sees it on the next request.
async fn a_plan_set_by_the_operator_shows_on_the_next_request(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("pat@example.com").await;
    let (_, before) = bearer_get(&app, PLUS_LESSON, &token).await;
    assert!(locked(&before));
    set_plus(&app);
    let (_, after) = bearer_get(&app, PLUS_LESSON, &token).await;
    assert!(
        !locked(&after),
        "a plan change takes effect on the very next request"
    );
    let (_, me) = bearer_get(&app, "/api/v1/me", &token).await;
    assert_eq!(
        (me["plan"].as_str(), &me["id"]),
        (Some("plus"), &user["id"])
    );
}

async fn a_plan_set_by_the_operator_is_recorded_with_its_author(backend: Backend) {
    let app = spawn(backend).await;
    let (_, user) = app.sign_up("pat@example.com").await;
    set_plus(&app);
    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    let changes = lectern::db::admin::plan_changes(&db, user["id"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(changes.len(), 1);
    let (from, to, author, _) = &changes[0];
    assert_eq!(
        (from.as_str(), to.as_str(), author.as_str()),
        ("free", "plus", "lectern set-plan"),
        "the change is recorded with its author"
    );
}

async fn a_promotion_resets_the_password_and_sessions(backend: Backend) {
    let app = spawn(backend).await;
    let (token, _) = app.sign_up("pat@example.com").await;
    lectern(
        &app,
        &[
            "create-admin",
            "--email",
            "pat@example.com",
            "--name",
            "Pat",
        ],
        &[("LECTERN_ADMIN_PASSWORD", "the admin passphrase")],
    );
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &token).await.0,
        401,
        "promotion resets the password and sessions"
    );
    let admin = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "pat@example.com", "password": "the admin passphrase"}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(admin["user"]["role"], "admin");
}
