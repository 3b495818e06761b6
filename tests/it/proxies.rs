//! Who a client is behind proxies, and what only some clients may read: `/metrics` answers
//! loopback clients (the address found through trusted proxies) or the metrics token, and a
//! spoofed `X-Forwarded-For` entry changes neither that nor whose rate limit is counted.

use crate::common;

use common::{bundled_content, spawn_settings, test_settings, Backend, TestApp};

/// An instance behind a reverse proxy on this host (the tests' own address, 127.0.0.1).
async fn behind_a_local_proxy(auth_rate_limit: u32, metrics_token: Option<&str>) -> TestApp {
    let (mut settings, data) = test_settings(Backend::Sqlite, &bundled_content()).await;
    settings.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    settings.auth_rate_limit = auth_rate_limit;
    settings.metrics_token = metrics_token.map(|t| t.parse().unwrap());
    spawn_settings(settings, data).await
}

async fn metrics_status(app: &TestApp, forwarded: Option<&str>, bearer: Option<&str>) -> u16 {
    let mut request = app.client.get(app.url("/metrics"));
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_local_clients_not_visitors_a_local_proxy_forwards() {
    let app = behind_a_local_proxy(1000, None).await;
    assert_eq!(
        metrics_status(&app, None, None).await,
        200,
        "the host itself"
    );
    assert_eq!(
        metrics_status(&app, Some("127.0.0.1"), None).await,
        200,
        "a client on this host, through the proxy"
    );
    assert_eq!(
        metrics_status(&app, Some("203.0.113.9"), None).await,
        401,
        "a visitor through the proxy"
    );
    // A visitor who writes a loopback address first: the proxy appends the real one.
    assert_eq!(
        metrics_status(&app, Some("127.0.0.1, 203.0.113.9"), None).await,
        401
    );
    let refused = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    let body = refused.text().await.unwrap();
    assert!(!body.contains("lectern_http_requests_total"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_metrics_token_every_client_needs_it() {
    let token = "scrape-me-please-0123456789";
    let app = behind_a_local_proxy(1000, Some(token)).await;
    assert_eq!(metrics_status(&app, None, None).await, 401, "loopback too");
    assert_eq!(metrics_status(&app, None, Some("wrong")).await, 401);
    assert_eq!(
        metrics_status(&app, None, Some(&format!("{token}x"))).await,
        401
    );
    assert_eq!(metrics_status(&app, None, Some(token)).await, 200);
    assert_eq!(
        metrics_status(&app, Some("203.0.113.9"), Some(token)).await,
        200,
        "a scraper elsewhere with the token"
    );
}

async fn log_in_status(app: &TestApp, forwarded: &str) -> u16 {
    app.post("/api/v1/auth/login")
        .header("x-forwarded-for", forwarded)
        .json(&serde_json::json!({"email": "nobody@example.com", "password": "not the one"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spoofed_first_forwarded_entry_does_not_make_a_new_client() {
    let app = behind_a_local_proxy(3, None).await;
    // One visitor, 198.51.100.7, writing a new made-up address first each time.
    for spoof in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
        let status = log_in_status(&app, &format!("{spoof}, 198.51.100.7")).await;
        assert_eq!(status, 401, "{spoof}");
    }
    assert_eq!(
        log_in_status(&app, "10.0.0.4, 198.51.100.7").await,
        429,
        "still the same client"
    );
    assert_eq!(
        log_in_status(&app, "198.51.100.8").await,
        401,
        "another client is counted on its own"
    );
}
