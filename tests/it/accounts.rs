//! Accounts and the security around them, tried from outside as an attacker would.

use crate::common;

use common::{spawn, spawn_settings, test_settings, Backend, TestApp, TEST_PASSWORD};
use serde_json::{json, Value};

on_both_backends!(
    sign_up_log_in_and_me_through_the_api,
    log_in_failures_look_the_same,
    logout_and_password_change_revoke_tokens,
    plan_and_role_come_from_the_database,
    export_and_delete,
    bad_input_is_a_clear_error,
);

async fn bearer_get(app: &TestApp, path: &str, token: &str) -> (u16, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn sign_up_log_in_and_me_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("  Ada@Example.com ").await;
    let mut keys: Vec<_> = user.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["created_at", "email", "id", "name", "plan", "role"]);
    assert_eq!(user["email"], "ada@example.com", "trimmed and lower-cased");
    assert_eq!(
        (user["plan"].as_str(), user["role"].as_str()),
        (Some("free"), Some("learner"))
    );

    let (status, me) = bearer_get(&app, "/api/v1/me", &token).await;
    assert_eq!((status, &me["id"]), (200, &user["id"]));

    let again = app
        .post("/api/v1/auth/signup")
        .json(&json!({"email": "ADA@example.com", "password": TEST_PASSWORD, "name": "Ada"}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 409);
    assert_eq!(
        again.json::<Value>().await.unwrap()["error"]["code"],
        "email_taken"
    );

    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "ada@EXAMPLE.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("lectern_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attribute), "{cookie} has {attribute}");
    }
    assert!(
        !cookie.contains("Domain") && !cookie.contains("Secure"),
        "{cookie}"
    );
    let body: Value = login.json().await.unwrap();
    assert_eq!(body["user"]["email"], "ada@example.com");

    let (status, _) = bearer_get(&app, "/api/v1/me", "not-a-token").await;
    assert_eq!(status, 401);
    let (status, anonymous) = app.get_json("/api/v1/me").await;
    assert_eq!(
        (status, anonymous["error"]["code"].as_str()),
        (200, None),
        "the cookie from log-in works"
    );
    let fresh = reqwest::Client::new();
    let response = fresh
        .get(app.url(&format!("/api/v1/me?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "tokens in a URL are ignored");
}

async fn log_in_failures_look_the_same(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("grace@example.com").await;
    let attempt = |email: &'static str, password: &'static str| {
        let request = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": password}));
        async move {
            let started = std::time::Instant::now();
            let response = request.send().await.unwrap();
            let elapsed = started.elapsed();
            (
                response.status().as_u16(),
                response.text().await.unwrap(),
                elapsed,
            )
        }
    };
    let (unknown_status, unknown_body, _) =
        attempt("nobody@example.com", "whatever-password").await;
    let (wrong_status, wrong_body, _) = attempt("grace@example.com", "wrong-password-1").await;
    assert_eq!(unknown_status, 401);
    assert_eq!(
        (wrong_status, &wrong_body),
        (unknown_status, &unknown_body),
        "identical answers"
    );
    let body: Value = serde_json::from_str(&wrong_body).unwrap();
    assert_eq!(body["error"]["code"], "invalid_credentials");

    // After repeated failures the account backs off: even the right password gets the
    // same generic answer until the back-off passes.
    for _ in 0..5 {
        attempt("grace@example.com", "wrong-password-2").await;
    }
    let (status, body, _) = attempt("grace@example.com", TEST_PASSWORD).await;
    assert_eq!((status, body), (401, unknown_body));
}

async fn logout_and_password_change_revoke_tokens(backend: Backend) {
    let app = spawn(backend).await;
    let (first, _) = app.sign_up("lin@example.com").await;
    let second = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "lin@example.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &first).await.0,
        401,
        "the token used is revoked"
    );
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &second).await.0,
        200,
        "other sessions live on"
    );

    let third = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "lin@example.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let change = app
        .client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(&second)
        .json(&json!({"current_password": TEST_PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(change.status(), 200);
    let fresh = change.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(bearer_get(&app, "/api/v1/me", &second).await.0, 401);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &third).await.0,
        401,
        "every earlier token stops"
    );
    assert_eq!(bearer_get(&app, "/api/v1/me", &fresh).await.0, 200);

    let wrong = app
        .client
        .put(app.url("/api/v1/me/password"))
        .bearer_auth(&fresh)
        .json(
            &json!({"current_password": "not it at all", "new_password": "another new passphrase"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 400);
    assert!(
        wrong.json::<Value>().await.unwrap()["error"]["fields"]["current_password"].is_string()
    );
}

async fn plan_and_role_come_from_the_database(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("pat@example.com").await;
    let plus_lesson = "/api/v1/lessons/prompting-playbook";
    let locked = |body: &Value| body["locked"].as_bool().unwrap();
    let (_, before) = bearer_get(&app, plus_lesson, &token).await;
    assert!(locked(&before));

    // The operator's command changes the plan; the same token sees it on the next request.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args(["set-plan", "--email", "pat@example.com", "--plan", "plus"])
        .env("LECTERN_DATA_DIR", &app.settings.data_dir)
        .envs(
            app.settings
                .database_url
                .as_ref()
                .map(|url| ("LECTERN_DATABASE_URL", url)),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let (_, after) = bearer_get(&app, plus_lesson, &token).await;
    assert!(
        !locked(&after),
        "a plan change takes effect on the very next request"
    );
    let (_, me) = bearer_get(&app, "/api/v1/me", &token).await;
    assert_eq!(
        (me["plan"].as_str(), &me["id"]),
        (Some("plus"), &user["id"])
    );
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

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_lectern"))
        .args([
            "create-admin",
            "--email",
            "pat@example.com",
            "--name",
            "Pat",
        ])
        .env("LECTERN_DATA_DIR", &app.settings.data_dir)
        .env("LECTERN_ADMIN_PASSWORD", "the admin passphrase")
        .envs(
            app.settings
                .database_url
                .as_ref()
                .map(|url| ("LECTERN_DATABASE_URL", url)),
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
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

async fn export_and_delete(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("sam@example.com").await;
    let (status, export) = bearer_get(&app, "/api/v1/me/export", &token).await;
    assert_eq!(status, 200);
    assert_eq!(export["account"]["email"], "sam@example.com");
    assert_eq!(export["account"]["id"], user["id"]);

    let refused = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"password": "not the password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    assert_eq!(
        bearer_get(&app, "/api/v1/me", &token).await.0,
        200,
        "nothing deleted"
    );

    let deleted = app
        .client
        .delete(app.url("/api/v1/me"))
        .bearer_auth(&token)
        .json(&json!({"password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    assert_eq!(bearer_get(&app, "/api/v1/me", &token).await.0, 401);
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "sam@example.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
}

async fn bad_input_is_a_clear_error(backend: Backend) {
    let app = spawn(backend).await;
    let cases: Vec<(&str, reqwest::RequestBuilder, u16)> = vec![
        ("missing fields", app.post("/api/v1/auth/signup").json(&json!({"email": "a@example.com"})), 400),
        ("wrong types", app.post("/api/v1/auth/signup").json(&json!({"email": 5, "password": [], "name": {}})), 400),
        (
            "a 10,000-character email",
            app.post("/api/v1/auth/signup").json(&json!({"email": format!("{}@example.com", "a".repeat(10_000)), "password": TEST_PASSWORD, "name": "A"})),
            400,
        ),
        ("invalid UTF-8", app.post("/api/v1/auth/login").header("content-type", "application/json").body(vec![b'{', 0xff, 0xfe, b'}']), 400),
        ("not JSON", app.post("/api/v1/auth/login").header("content-type", "application/json").body("{\"email\":"), 400),
        ("a huge body", app.post("/api/v1/auth/login").header("content-type", "application/json").body(vec![b' '; 2 * 1024 * 1024]), 413),
        ("a common password", app.post("/api/v1/auth/signup").json(&json!({"email": "c@example.com", "password": "password", "name": "C"})), 400),
        ("a short password", app.post("/api/v1/auth/signup").json(&json!({"email": "c@example.com", "password": "short", "name": "C"})), 400),
        ("an empty name", app.post("/api/v1/auth/signup").json(&json!({"email": "c@example.com", "password": TEST_PASSWORD, "name": "  "})), 400),
    ];
    for (what, request, expected) in cases {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, expected, "{what}: {body}");
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{what}: {body}"
        );
    }
    let response = app
        .post("/api/v1/auth/signup")
        .json(&json!({"email": "bad", "password": "short", "name": ""}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    for field in ["email", "password", "name"] {
        assert!(
            body["error"]["fields"][field].is_string(),
            "{field} is named: {body}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forms_work_without_javascript_and_refuse_foreign_origins() {
    let app = spawn(Backend::Sqlite).await;
    let form = [
        ("name", "Noor"),
        ("email", "noor@example.com"),
        ("password", "short"),
        ("next", "/lessons/transformer-revolution#quiz"),
    ];
    let response = app.post("/signup").form(&form).send().await.unwrap();
    assert_eq!(response.status(), 400);
    let html = response.text().await.unwrap();
    assert!(
        html.contains("value=\"noor@example.com\""),
        "typed values are kept"
    );
    assert!(
        html.contains("id=\"password-error\""),
        "the error sits beside its field"
    );
    assert!(
        !html.contains("value=\"short\""),
        "the password is never echoed"
    );

    let mut good = form;
    good[2] = ("password", TEST_PASSWORD);
    let foreign = app
        .client
        .post(app.url("/signup"))
        .header("origin", "https://evil.example")
        .form(&good)
        .send()
        .await
        .unwrap();
    assert_eq!(
        foreign.status(),
        403,
        "a foreign origin cannot sign someone up"
    );

    let response = app.post("/signup").form(&good).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(
        response.headers()["location"],
        "/lessons/transformer-revolution#quiz"
    );

    let (status, page) = app.get_text("/account").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("noor@example.com") && page.contains("Free"));
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();

    let forged = app
        .post("/logout")
        .form(&[("csrf_token", "00")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403, "a wrong CSRF token is refused");
    let cross_site = app
        .client
        .post(app.url("/logout"))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let api_cross_site = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(api_cross_site.status(), 403);
    assert_eq!(
        api_cross_site.json::<Value>().await.unwrap()["error"]["code"],
        "csrf_failed"
    );

    let logout = app
        .post("/logout")
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 303);
    let account = app.get("/account").await;
    assert_eq!(
        account.status(),
        303,
        "signed out: /account sends to the log-in page"
    );

    let login = app
        .post("/login")
        .form(&[
            ("email", "noor@example.com"),
            ("password", "wrong password!"),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 401);
    assert!(login
        .text()
        .await
        .unwrap()
        .contains("The email or password is incorrect."));
    let login = app
        .post("/login")
        .form(&[
            ("email", "noor@example.com"),
            ("password", TEST_PASSWORD),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    assert_eq!(
        login.headers()["location"],
        "/",
        "only same-site paths are followed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_and_log_in_are_rate_limited_per_client() {
    let (mut settings, data) = test_settings(Backend::Sqlite, &common::bundled_content()).await;
    settings.auth_rate_limit = 3;
    let app = spawn_settings(settings, data).await;
    for _ in 0..3 {
        let response = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": "x@example.com", "password": "whatever it is"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let limited = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "x@example.com", "password": "whatever it is"}))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(
        limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        limited.json::<Value>().await.unwrap()["error"]["code"],
        "rate_limited"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_sites_get_secure_host_cookies_and_short_secrets_refuse_to_start() {
    let (mut settings, data) = test_settings(Backend::Sqlite, &common::bundled_content()).await;
    settings.public_url = Some("https://learn.example.com".into());
    let app = spawn_settings(settings.clone(), data).await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/signup"))
        .json(&json!({"email": "h@example.com", "password": TEST_PASSWORD, "name": "H"}))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("__Host-lectern_session=") && cookie.contains("Secure"),
        "{cookie}"
    );

    settings.jwt_secret = Some("too-short".parse().unwrap());
    let error = lectern::startup::Application::build(settings)
        .await
        .err()
        .expect("refuses to start");
    assert!(error.to_string().contains("at least 32 bytes"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weaker_stored_hashes_are_upgraded_at_the_next_log_in() {
    use argon2::password_hash::{PasswordHasher, SaltString};
    use lectern::db::{users, Db};

    let app = spawn(Backend::Sqlite).await;
    let (_, user) = app.sign_up("old@example.com").await;
    let db = Db::connect(&app.settings).await.unwrap();
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(
        TEST_PASSWORD.as_bytes(),
        &SaltString::generate(&mut rand::rngs::OsRng),
    )
    .unwrap()
    .to_string();
    let id = user["id"].as_str().unwrap();
    let mut tx = db.begin_write().await.unwrap();
    users::set_password_hash(&mut tx, id, &weak).await.unwrap();
    tx.commit().await.unwrap();

    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": "old@example.com", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200, "the weak hash still verifies");
    let stored = users::password_hash(&db, id).await.unwrap().unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "upgraded: {stored}"
    );
}
