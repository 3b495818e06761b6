//! The billing webhook: only events signed with the secret, fresh and untampered, change a
//! plan, each once; without a secret it is 404 and the pricing page says plans come from the
//! operator. The plans API and the pricing page show the one matrix.

use lectern::plans::Plan;
use serde_json::{json, Value};

use super::{fetch, set_plan, spawn_demo};
use crate::common::{Backend, TestApp};

on_both_backends!(
    bad_missing_tampered_and_stale_signatures_change_nothing,
    a_signed_event_applies_with_several_v1_values,
    a_downgrade_takes_effect_on_the_next_request,
    a_replayed_event_is_acknowledged_and_applied_once,
    an_unknown_email_is_acknowledged_and_ignored,
    with_a_provider_the_pricing_page_does_not_send_readers_to_the_operator,
    the_webhook_is_404_without_a_secret,
    the_plans_api_and_the_pricing_page_show_the_matrix,
    the_pricing_page_marks_the_readers_plan,
);

const WEBHOOK_SECRET: &str = "whsec_test_0123456789abcdef";
const DOWNLOAD: &str = "/api/v1/lessons/listen/audio/download";

fn signature(secret: &str, t: i64, body: &str) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let mac = ring::hmac::sign(&key, format!("{t}.{body}").as_bytes());
    format!("t={t},v1={}", hex::encode(mac))
}

async fn post_event(app: &TestApp, body: &str, signature: Option<String>) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(app.url("/api/v1/billing/webhook"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        request = request.header("Lectern-Signature", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// An event signed now with the webhook's secret.
async fn post_signed(app: &TestApp, body: &str) -> (u16, Value) {
    let now = chrono::Utc::now().timestamp();
    post_event(app, body, Some(signature(WEBHOOK_SECRET, now, body))).await
}

async fn plan_of(app: &TestApp, token: &str) -> String {
    let me: Value = fetch(app, "/api/v1/me", Some(token), &[])
        .await
        .json()
        .await
        .unwrap();
    me["plan"].as_str().unwrap().to_owned()
}

fn upgrade() -> String {
    json!({"id": "evt_1", "type": "subscription.updated",
        "data": {"email": "Buyer@Example.com", "plan": "pro"}})
    .to_string()
}

/// The demo site with the webhook's secret, and a Free buyer; the buyer's token.
async fn with_buyer(backend: Backend) -> (TestApp, tempfile::TempDir, String) {
    let (app, content) = spawn_demo(backend, Some(WEBHOOK_SECRET)).await;
    let (token, _) = app.sign_up("buyer@example.com").await;
    (app, content, token)
}

/// As `with_buyer`, with the upgrade to Pro applied.
async fn with_pro_buyer(backend: Backend) -> (TestApp, tempfile::TempDir, String) {
    let (app, content, token) = with_buyer(backend).await;
    assert_eq!(post_signed(&app, &upgrade()).await.0, 200);
    (app, content, token)
}

async fn bad_missing_tampered_and_stale_signatures_change_nothing(backend: Backend) {
    let (app, _content, token) = with_buyer(backend).await;
    let now = chrono::Utc::now().timestamp();
    let upgrade = upgrade();
    let wrong = signature("another secret", now, &upgrade);
    assert_eq!(post_event(&app, &upgrade, Some(wrong)).await.0, 400);
    assert_eq!(post_event(&app, &upgrade, None).await.0, 400);
    let tampered = upgrade.replace("pro", "plus");
    assert_eq!(
        post_event(
            &app,
            &tampered,
            Some(signature(WEBHOOK_SECRET, now, &upgrade))
        )
        .await
        .0,
        400
    );
    let stale = signature(WEBHOOK_SECRET, now - 301, &upgrade);
    assert_eq!(post_event(&app, &upgrade, Some(stale)).await.0, 400);
    assert_eq!(plan_of(&app, &token).await, "free");
}

/// A valid event applies; several v1 values are allowed.
async fn a_signed_event_applies_with_several_v1_values(backend: Backend) {
    let (app, _content, token) = with_buyer(backend).await;
    let now = chrono::Utc::now().timestamp();
    let upgrade = upgrade();
    let good = signature(WEBHOOK_SECRET, now, &upgrade);
    let rotated = format!("{good},v1={}", "ab".repeat(32));
    let (status, body) = post_event(&app, &upgrade, Some(rotated)).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("applied")));
    assert_eq!(plan_of(&app, &token).await, "pro");
    assert_eq!(fetch(&app, DOWNLOAD, Some(&token), &[]).await.status(), 200);
}

async fn a_downgrade_takes_effect_on_the_next_request(backend: Backend) {
    let (app, _content, token) = with_pro_buyer(backend).await;
    let cancel = json!({"id": "evt_2", "type": "subscription.deleted",
        "data": {"email": "buyer@example.com"}})
    .to_string();
    let (status, _) = post_signed(&app, &cancel).await;
    assert_eq!(status, 200);
    assert_eq!(plan_of(&app, &token).await, "free");
    assert_eq!(fetch(&app, DOWNLOAD, Some(&token), &[]).await.status(), 403);
    assert_eq!(
        fetch(
            &app,
            "/api/v1/lessons/listen/audio",
            Some(&token),
            &[("range", "bytes=0-1")]
        )
        .await
        .status(),
        403
    );
}

/// Replaying the upgrade after a downgrade is acknowledged but applied only once.
async fn a_replayed_event_is_acknowledged_and_applied_once(backend: Backend) {
    let (app, _content, token) = with_pro_buyer(backend).await;
    let cancel = json!({"id": "evt_2", "type": "subscription.deleted",
        "data": {"email": "buyer@example.com"}})
    .to_string();
    assert_eq!(post_signed(&app, &cancel).await.0, 200);
    let (status, body) = post_signed(&app, &upgrade()).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("already_applied"))
    );
    assert_eq!(plan_of(&app, &token).await, "free");
}

async fn an_unknown_email_is_acknowledged_and_ignored(backend: Backend) {
    let (app, _content, _) = with_buyer(backend).await;
    let stranger = json!({"id": "evt_3", "type": "subscription.updated",
        "data": {"email": "nobody@example.com", "plan": "plus"}})
    .to_string();
    let (status, body) = post_signed(&app, &stranger).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ignored")));
}

async fn with_a_provider_the_pricing_page_does_not_send_readers_to_the_operator(backend: Backend) {
    let (app, _content, _) = with_buyer(backend).await;
    let (status, page) = app.get_text("/pricing").await;
    assert_eq!(status, 200);
    assert!(!page.contains("lectern set-plan"));
}

async fn the_webhook_is_404_without_a_secret(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let body = r#"{"id":"evt_1","type":"subscription.deleted","data":{"email":"a@example.com"}}"#;
    let now = chrono::Utc::now().timestamp();
    let (status, error) = post_event(&app, body, Some(signature("x", now, body))).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

async fn the_plans_api_and_the_pricing_page_show_the_matrix(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let (status, plans) = app.get_json("/api/v1/plans").await;
    assert_eq!(status, 200);
    let ids: Vec<_> = plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["free", "plus", "pro"]);
    for (plan, json) in Plan::ALL.iter().zip(plans["plans"].as_array().unwrap()) {
        assert_eq!(json["name"], plan.name());
        assert_eq!(json["features"], json!(lectern::plans::features(*plan)));
    }

    let (status, page) = app.get_text("/pricing").await;
    assert_eq!(status, 200);
    for plan in Plan::ALL {
        assert!(page.contains(&format!("id=\"plan-{}\"", plan.id())));
        for feature in lectern::plans::features(plan) {
            assert!(page.contains(&feature.replace('\'', "&#x27;")), "{feature}");
        }
    }
    assert!(
        page.contains("lectern set-plan"),
        "no provider: say how plans are granted"
    );
    assert!(page.contains("plan-card plan-current\" aria-labelledby=\"plan-free\""));
}

async fn the_pricing_page_marks_the_readers_plan(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let (token, _) = app.sign_up("plus@example.com").await;
    set_plan(&app, "plus@example.com", Plan::Plus).await;
    let page = fetch(&app, "/pricing", Some(&token), &[])
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("plan-card plan-current\" aria-labelledby=\"plan-plus\""));
    assert_eq!(page.matches("Your current plan").count(), 1);
}
