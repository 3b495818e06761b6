//! Bad input to the account API: a clear error in the contract's shape, naming each field.

use serde_json::{json, Value};

use crate::common::{spawn, Backend, TEST_PASSWORD};

on_both_backends!(bad_input_is_a_clear_error, every_bad_field_is_named);

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
}

async fn every_bad_field_is_named(backend: Backend) {
    let app = spawn(backend).await;
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
