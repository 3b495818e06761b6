//! Who gets into the admin API: admins only, and with the cookie only from this site.

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{admin_token, call, lesson_source, markdown, ADMIN_EMAIL};
use crate::common::{send, spawn, Backend, TEST_PASSWORD};

on_both_backends!(
    admin_routes_refuse_visitors_and_learners,
    a_cookie_session_needs_a_same_origin_request,
);

async fn admin_routes_refuse_visitors_and_learners(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (learner, learner_user) = app.sign_up("learner@example.com").await;
    let source = lesson_source("guarded", "Guarded", "Body.");
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/admin/lessons".into()),
        (Method::POST, "/api/v1/admin/lessons".into()),
        (
            Method::PUT,
            "/api/v1/admin/lessons/transformer-revolution".into(),
        ),
        (
            Method::GET,
            "/api/v1/admin/lessons/transformer-revolution/revisions".into(),
        ),
        (
            Method::POST,
            "/api/v1/admin/lessons/transformer-revolution/publish".into(),
        ),
        (
            Method::POST,
            "/api/v1/admin/lessons/transformer-revolution/unpublish".into(),
        ),
        (
            Method::DELETE,
            "/api/v1/admin/lessons/transformer-revolution".into(),
        ),
        (Method::POST, "/api/v1/admin/preview".into()),
        (Method::PUT, "/api/v1/admin/courses/ai-foundations".into()),
        (Method::GET, "/api/v1/admin/users?q=a".into()),
        (
            Method::PUT,
            format!(
                "/api/v1/admin/users/{}/plan",
                learner_user["id"].as_str().unwrap()
            ),
        ),
    ];
    for (method, path) in &routes {
        let (status, body) = send(markdown(call(&app, method.clone(), path, None), &source)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthenticated")),
            "{method} {path}"
        );
        let (status, body) = send(markdown(
            call(&app, method.clone(), path, Some(&learner)),
            &source,
        ))
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{method} {path}"
        );
    }
    let (status, _) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
}

/// An admin signed in with the cookie: same-origin requests pass, others are refused.
async fn a_cookie_session_needs_a_same_origin_request(backend: Backend) {
    let app = spawn(backend).await;
    admin_token(&app).await;
    let source = lesson_source("guarded", "Guarded", "Body.");
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": ADMIN_EMAIL, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let response = markdown(app.client.post(app.url("/api/v1/admin/lessons")), &source)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    let response = markdown(
        app.client
            .post(app.url("/api/v1/admin/lessons"))
            .header("origin", "https://evil.example"),
        &source,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 403);
    let response = markdown(app.post("/api/v1/admin/lessons"), &source)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = app
        .client
        .get(app.url("/api/v1/admin/lessons"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a GET needs no Origin");
}
