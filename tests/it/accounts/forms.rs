//! The sign-up, log-in and log-out forms without JavaScript, and their refusal of other
//! sites' requests.

use serde_json::Value;

use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

const NEXT: &str = "/lessons/transformer-revolution#quiz";

/// The sign-up form's fields with `password`.
fn sign_up_form(password: &str) -> [(&'static str, &str); 4] {
    [
        ("name", "Noor"),
        ("email", "noor@example.com"),
        ("password", password),
        ("next", NEXT),
    ]
}

/// Noor signed up through the form (the app's cookie jar holds the session); the CSRF
/// token of her account page.
async fn signed_up() -> (TestApp, String) {
    let app = spawn(Backend::Sqlite).await;
    let response = app
        .post("/signup")
        .form(&sign_up_form(TEST_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, page) = app.get_text("/account").await;
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    (app, csrf)
}

/// Noor's account, signed up through the API by another client: the app's client stays
/// signed out.
async fn noor_exists() -> TestApp {
    let app = spawn(Backend::Sqlite).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/signup"))
        .json(&serde_json::json!({
            "email": "noor@example.com",
            "password": TEST_PASSWORD,
            "name": "Noor",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    app
}

async fn log_in_form(app: &TestApp, password: &str) -> reqwest::Response {
    app.post("/login")
        .form(&[
            ("email", "noor@example.com"),
            ("password", password),
            ("next", "https://evil.example/"),
        ])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_sign_up_keeps_what_was_typed_but_the_password() {
    let app = spawn(Backend::Sqlite).await;
    let response = app
        .post("/signup")
        .form(&sign_up_form("short"))
        .send()
        .await
        .unwrap();
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_origin_cannot_sign_someone_up() {
    let app = spawn(Backend::Sqlite).await;
    let foreign = app
        .client
        .post(app.url("/signup"))
        .header("origin", "https://evil.example")
        .form(&sign_up_form(TEST_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(
        foreign.status(),
        403,
        "a foreign origin cannot sign someone up"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_up_leads_on_and_signs_in() {
    let app = spawn(Backend::Sqlite).await;
    let response = app
        .post("/signup")
        .form(&sign_up_form(TEST_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], NEXT);
    let (status, page) = app.get_text("/account").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("noor@example.com") && page.contains("Free"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_out_needs_the_csrf_token_and_this_site() {
    let (app, csrf) = signed_up().await;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_out_ends_the_session() {
    let (app, csrf) = signed_up().await;
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_by_the_log_in_form() {
    let app = noor_exists().await;
    let login = log_in_form(&app, "wrong password!").await;
    assert_eq!(login.status(), 401);
    assert!(login
        .text()
        .await
        .unwrap()
        .contains("The email or password is incorrect."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_in_form_follows_only_same_site_paths() {
    let app = noor_exists().await;
    let login = log_in_form(&app, TEST_PASSWORD).await;
    assert_eq!(login.status(), 303);
    assert_eq!(
        login.headers()["location"],
        "/",
        "only same-site paths are followed"
    );
}
