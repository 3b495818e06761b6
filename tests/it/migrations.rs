//! Migrations carry what is already stored into a new shape: a database made by the
//! migrations before quiz policies (0001–0014), holding attempts, comes out of the app's
//! own migrations with each learner's first attempt ready for item analysis.

use std::path::Path;

use serde_json::{json, Value};
use sqlx::migrate::Migrator;
use sqlx::Connection as _;

use crate::common::admin::{admin_token, call};
use crate::common::{bundled_content, send, spawn_settings, test_settings, Backend};

on_both_backends!(attempts_made_before_quiz_policies_feed_item_analysis);

const SLUG: &str = "transformer-revolution";

/// One question of a stored attempt: its id, whether it was right, the choices picked.
type Item<'a> = (&'a str, bool, &'a [usize]);

/// A stored attempt's results as the first plan wrote them.
fn results(items: &[Item]) -> String {
    let items: Vec<Value> = items
        .iter()
        .map(|(id, correct, picks)| {
            json!({"question_id": id, "correct": correct, "chosen_choice_ids": picks,
                   "correct_choice_ids": [0], "explanation": "Because."})
        })
        .collect();
    Value::from(items).to_string()
}

async fn attempts_made_before_quiz_policies_feed_item_analysis(backend: Backend) {
    let (settings, data) = test_settings(backend, &bundled_content()).await;
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let mut migrator = Migrator::new(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(folder),
    )
    .await
    .expect("the migrations folder");
    let before: Vec<_> = migrator
        .migrations
        .iter()
        .filter(|m| m.version < 15)
        .cloned()
        .collect();
    migrator.migrations = before.into();

    sqlx::any::install_default_drivers();
    let url = match backend {
        Backend::Sqlite => format!("{}?mode=rwc", settings.database_url()),
        Backend::Postgres => settings.database_url(),
    };
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("connect");
    migrator.run(&mut conn).await.expect("migrations 0001–0014");
    for user in ["u1", "u2"] {
        sqlx::query(
            "INSERT INTO users (id, email, name, password_hash, plan, role, created_at, \
             updated_at) VALUES ($1, $2, $1, 'x', 'free', 'learner', \
             '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z')",
        )
        .bind(user)
        .bind(format!("{user}@example.com"))
        .execute(&mut conn)
        .await
        .expect("a learner");
    }
    // u1's first attempt (with a question the lesson no longer has), u1's second (which
    // item analysis must not read) and u2's first.
    let attempts: [(&str, &[Item]); 3] = [
        (
            "u1",
            &[
                ("q1", true, &[1]),
                ("q2", false, &[0, 2]),
                ("gone", true, &[0]),
            ],
        ),
        ("u1", &[("q1", false, &[3]), ("q2", false, &[3])]),
        ("u2", &[("q1", false, &[0])]),
    ];
    for (user, items) in attempts {
        sqlx::query(
            "INSERT INTO quiz_attempts (user_id, slug, revision, answers, results, score, total, \
             percent, passed, created_at) VALUES ($1, $2, 1, '{}', $3, 0, 9, 0, 0, \
             '2026-01-02T00:00:00.000000Z')",
        )
        .bind(user)
        .bind(SLUG)
        .bind(results(items))
        .execute(&mut conn)
        .await
        .expect("an attempt");
    }
    conn.close().await.expect("close");

    let app = spawn_settings(settings, data).await;
    let admin = admin_token(&app).await;
    let path = format!("/api/v1/admin/lessons/{SLUG}/analytics");
    let (status, report) = send(call(&app, reqwest::Method::GET, &path, Some(&admin))).await;
    assert_eq!(status, 200, "{report}");
    let quiz = &report["quiz"];
    assert_eq!(
        (quiz["learners"].clone(), quiz["attempts"].clone()),
        (json!(2), json!(3))
    );
    let question = |id: &str| {
        quiz["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["id"] == id)
            .unwrap_or_else(|| panic!("{id} in {quiz}"))
            .clone()
    };
    let picked = |q: &Value| -> Vec<i64> {
        q["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["picked"].as_i64().unwrap())
            .collect()
    };
    let q1 = question("q1");
    assert_eq!(
        (q1["answered"].clone(), q1["facility"].clone()),
        (json!(2), json!(0.5))
    );
    assert_eq!(picked(&q1)[..4], [1, 1, 0, 0], "{q1}");
    let q2 = question("q2");
    assert_eq!(
        (q2["answered"].clone(), q2["facility"].clone()),
        (json!(1), json!(0.0))
    );
    assert_eq!(picked(&q2)[..4], [1, 0, 1, 0], "{q2}");
    assert_eq!(question("q3")["answered"], 0);
}
