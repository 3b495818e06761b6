//! Signing up through the API: the user answered, the token working, a taken email refused.

use serde_json::{json, Value};

use super::bearer_get;
use crate::common::{spawn, Backend, TEST_PASSWORD};

on_both_backends!(
    a_sign_up_answers_the_user_with_a_clean_email,
    the_sign_up_token_works,
    a_taken_email_is_refused_whatever_its_case,
);

async fn a_sign_up_answers_the_user_with_a_clean_email(backend: Backend) {
    let app = spawn(backend).await;
    let (_, user) = app.sign_up("  Ada@Example.com ").await;
    let mut keys: Vec<_> = user.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "email",
            "email_verified",
            "id",
            "name",
            "plan",
            "role"
        ]
    );
    assert_eq!(user["email"], "ada@example.com", "trimmed and lower-cased");
    assert_eq!(
        (user["plan"].as_str(), user["role"].as_str()),
        (Some("free"), Some("learner"))
    );
}

async fn the_sign_up_token_works(backend: Backend) {
    let app = spawn(backend).await;
    let (token, user) = app.sign_up("  Ada@Example.com ").await;
    let (status, me) = bearer_get(&app, "/api/v1/me", &token).await;
    assert_eq!((status, &me["id"]), (200, &user["id"]));
}

async fn a_taken_email_is_refused_whatever_its_case(backend: Backend) {
    let app = spawn(backend).await;
    app.sign_up("  Ada@Example.com ").await;
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
}
