//! Hardening: log-in and sign-up rate limits per client, secure cookies on HTTPS sites, a
//! refusal of short secrets, and weaker password hashes upgraded at log-in.

use serde_json::{json, Value};

use crate::common::{
    bundled_content, spawn, spawn_settings, test_settings, Backend, TEST_PASSWORD,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_and_log_in_are_rate_limited_per_client() {
    let (mut settings, data) = test_settings(Backend::Sqlite, &bundled_content()).await;
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
    let (mut settings, data) = test_settings(Backend::Sqlite, &bundled_content()).await;
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
