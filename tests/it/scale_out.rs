//! Two `lectern serve` instances on different ports and one PostgreSQL database behave as one
//! site: accounts, sessions, progress, quiz attempts, plans and lessons are shared; only caches
//! and rate-limit counters are per instance (README, "Running several instances").

use crate::common;

use common::{bearer, send, two_instances, TestApp, TEST_PASSWORD};
use serde_json::{json, Value};

/// Log in through the API with a client of its own (the app's cookie jar is left alone).
async fn log_in(app: &TestApp, email: &str) -> String {
    let (status, body) = send(
        reqwest::Client::new()
            .post(app.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": TEST_PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "log-in succeeds: {body}");
    body["token"].as_str().expect("a token").to_owned()
}

/// An admin created in the shared database, logged in through `app`.
async fn admin_token(app: &TestApp) -> String {
    let email = "operator@example.com";
    let db = lectern::db::Db::connect(&app.settings).await.expect("db");
    let passwords = lectern::auth::password::Passwords::new(1);
    lectern::accounts::create_admin(&db, &passwords, email, "Olive Operator", TEST_PASSWORD)
        .await
        .expect("create admin");
    db.close().await;
    log_in(app, email).await
}

fn lesson_progress<'a>(progress: &'a Value, slug: &str) -> &'a Value {
    progress["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .find(|lesson| lesson["slug"] == slug)
        .unwrap_or_else(|| panic!("{slug} is listed"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn two_instances_on_one_database_work_as_one_site() {
    let (first, second) = two_instances().await;
    let (first_lesson, second_lesson) = {
        let (status, body) = first.get_json("/api/v1/lessons").await;
        assert_eq!(status, 200);
        let lessons = body["lessons"].as_array().expect("lessons");
        let free: Vec<&str> = lessons
            .iter()
            .filter(|lesson| lesson["access"] == "free")
            .map(|lesson| lesson["slug"].as_str().expect("a slug"))
            .collect();
        assert!(free.len() >= 2, "the bundled course has free lessons");
        (free[0].to_owned(), free[1].to_owned())
    };

    // Sign up on the first, log in on the second; each token works on both.
    let email = "traveller@example.com";
    let (signup_token, user) = first.sign_up(email).await;
    let login_token = log_in(&second, email).await;
    for (app, token) in [(&first, &login_token), (&second, &signup_token)] {
        let (status, me) = send(bearer(app, reqwest::Method::GET, "/api/v1/me", token)).await;
        assert_eq!((status, &me["id"]), (200, &user["id"]));
    }

    // Progress written through both instances is one record, read the same from either.
    let (status, _) = send(
        bearer(
            &first,
            reqwest::Method::PUT,
            &format!("/api/v1/lessons/{first_lesson}/progress"),
            &signup_token,
        )
        .json(&json!({"percent": 40})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, saved) = send(
        bearer(
            &second,
            reqwest::Method::PUT,
            &format!("/api/v1/lessons/{first_lesson}/progress"),
            &login_token,
        )
        .json(&json!({"percent": 25})),
    )
    .await;
    assert_eq!(
        (status, saved["percent"].as_i64()),
        (200, Some(40)),
        "the second instance sees the first's higher percent and keeps it"
    );
    let (status, _) = send(
        bearer(
            &second,
            reqwest::Method::PUT,
            &format!("/api/v1/lessons/{second_lesson}/progress"),
            &login_token,
        )
        .json(&json!({"percent": 100, "completed": true})),
    )
    .await;
    assert_eq!(status, 200);
    let mut views = Vec::new();
    for (app, token) in [(&first, &signup_token), (&second, &login_token)] {
        let (status, progress) = send(bearer(
            app,
            reqwest::Method::GET,
            "/api/v1/me/progress",
            token,
        ))
        .await;
        assert_eq!(status, 200);
        assert_eq!(lesson_progress(&progress, &first_lesson)["percent"], 40);
        assert_eq!(
            lesson_progress(&progress, &second_lesson)["status"],
            "completed"
        );
        views.push(progress);
    }
    assert_eq!(views[0], views[1], "both instances give the same progress");

    // A bookmark set on one is seen by the other.
    let (status, _) = send(bearer(
        &first,
        reqwest::Method::PUT,
        &format!("/api/v1/lessons/{second_lesson}/bookmark"),
        &signup_token,
    ))
    .await;
    assert_eq!(status, 204);
    let (_, progress) = send(bearer(
        &second,
        reqwest::Method::GET,
        "/api/v1/me/progress",
        &login_token,
    ))
    .await;
    assert_eq!(
        lesson_progress(&progress, &second_lesson)["bookmarked"],
        true
    );

    // A logout on one instance ends that session on the other, and only that session.
    let (status, _) = send(bearer(
        &first,
        reqwest::Method::POST,
        "/api/v1/auth/logout",
        &login_token,
    ))
    .await;
    assert_eq!(status, 204);
    let (status, error) = send(bearer(
        &second,
        reqwest::Method::GET,
        "/api/v1/me",
        &login_token,
    ))
    .await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (401, &json!("unauthenticated"))
    );
    let (status, _) = send(bearer(
        &second,
        reqwest::Method::GET,
        "/api/v1/me",
        &signup_token,
    ))
    .await;
    assert_eq!(status, 200, "the other session is untouched");

    // A password change on the second revokes every earlier token on the first.
    let (status, changed) = send(
        bearer(
            &second,
            reqwest::Method::PUT,
            "/api/v1/me/password",
            &signup_token,
        )
        .json(&json!({
            "current_password": TEST_PASSWORD,
            "new_password": "another quiet lectern at dusk",
        })),
    )
    .await;
    assert_eq!(status, 200);
    let new_token = changed["token"].as_str().expect("a token");
    let (status, _) = send(bearer(
        &first,
        reqwest::Method::GET,
        "/api/v1/me",
        &signup_token,
    ))
    .await;
    assert_eq!(status, 401);
    let (status, _) = send(bearer(
        &first,
        reqwest::Method::GET,
        "/api/v1/me",
        new_token,
    ))
    .await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_cookie_session_follows_the_reader_between_instances() {
    let (first, second) = two_instances().await;
    // One browser, as behind a load balancer: the session cookie set by one instance is
    // honoured by the other (cookies are not scoped by port).
    first.sign_up("browser@example.com").await;
    let (status, me) = second.get_json("/api/v1/me").await;
    assert_eq!(
        status, 401,
        "the second instance's client has no cookie yet"
    );
    assert!(me["error"]["code"].is_string());

    let response = first
        .client
        .get(second.url("/api/v1/me"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        200,
        "the cookie set by the first works on the second"
    );
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["email"], "browser@example.com");

    // A plan granted through one instance gates media on the other at the next request.
    let lesson = {
        let (_, body) = first.get_json("/api/v1/lessons").await;
        body["lessons"]
            .as_array()
            .expect("lessons")
            .iter()
            .find(|lesson| lesson["has_audio"] == true)
            .expect("a narrated lesson")["slug"]
            .as_str()
            .expect("a slug")
            .to_owned()
    };
    let pdf = format!("/api/v1/lessons/{lesson}/pdf");
    let response = first
        .client
        .get(second.url(&pdf))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        403,
        "a free reader may not download the PDF"
    );
    let admin = admin_token(&first).await;
    let (status, granted) = send(
        bearer(
            &first,
            reqwest::Method::PUT,
            &format!(
                "/api/v1/admin/users/{}/plan",
                me["id"].as_str().expect("an id")
            ),
            &admin,
        )
        .json(&json!({"plan": "plus"})),
    )
    .await;
    assert_eq!((status, &granted["plan"]), (200, &json!("plus")));
    let response = first
        .client
        .get(second.url(&pdf))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response.status(),
        200,
        "the plan is read from the shared database"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_narration_uploaded_through_one_instance_is_served_by_another() {
    let (first, second) = two_instances().await;
    let (_, body) = first.get_json("/api/v1/lessons").await;
    let silent = body["lessons"]
        .as_array()
        .expect("lessons")
        .iter()
        .find(|lesson| lesson["has_audio"] == false && lesson["access"] == "free")
        .expect("a free lesson without narration")["slug"]
        .as_str()
        .expect("a slug")
        .to_owned();
    let preview = format!("/api/v1/lessons/{silent}/audio/preview");
    assert_eq!(second.get(&preview).await.status(), 404);

    let mp3 = std::fs::read(
        common::bundled_content().join("ai-foundations/02-tokens-and-embeddings.mp3"),
    )
    .expect("a bundled narration");
    let admin = admin_token(&first).await;
    let (status, _) = send(
        bearer(
            &first,
            reqwest::Method::PUT,
            &format!("/api/v1/admin/lessons/{silent}/audio"),
            &admin,
        )
        .header("content-type", "audio/mpeg")
        .body(mp3.clone()),
    )
    .await;
    assert_eq!(status, 200);

    // The second instance never saw the upload: it serves the body from the database.
    let from_first = first.get(&preview).await.bytes().await.expect("a body");
    let response = second.get(&preview).await;
    assert_eq!(response.status(), 200, "the narration is shared");
    let from_second = response.bytes().await.expect("a body");
    assert_eq!(from_first, from_second);
    assert!(!from_second.is_empty() && from_second.len() < mp3.len());

    // Its file cache is safe to lose: emptied, it is filled again from the database.
    std::fs::remove_dir_all(second.settings.data_dir.join("media")).expect("remove the cache");
    let response = second
        .client
        .get(second.url(&preview))
        .header("range", "bytes=0-99")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 206);
    assert_eq!(
        response.bytes().await.expect("a body"),
        from_first.slice(0..100)
    );
}
