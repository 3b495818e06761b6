//! Learning-event webhooks (API.md section 16) against a real receiver: every event arrives
//! signed (checked by the Standard Webhooks reference library, `standardwebhooks`, in
//! `tests/support/webhook_receiver.py`) with the contract's data and no email; refused and
//! missed deliveries are retried with the same `webhook-id`; inside addresses are refused at
//! registration and again at delivery; pings, "Retry now", deletion, the admin page, and
//! the admins-only gate. Without the Python module the receiver's tests are skipped with a
//! printed reason, except under `CI=true`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::admin::{admin_token, call, ADMIN_EMAIL};
use crate::common::mail::{free_port, require_python, wait_listening};
use crate::common::server::Server;
use crate::common::{
    bundled_content, send, spawn, spawn_settings, test_settings, Backend, TestApp, TEST_PASSWORD,
};

on_both_backends!(
    every_event_arrives_verified_with_its_data_and_no_email,
    a_refused_delivery_is_retried_with_the_same_webhook_id,
    a_receiver_that_is_down_at_first_still_gets_the_event,
    inside_addresses_are_refused_at_registration,
    an_inside_address_is_refused_at_delivery_too,
    ping_and_retry_now_reach_the_endpoint_and_delete_removes_it,
    a_lesson_completed_at_once_many_times_is_one_event,
    the_admin_page_adds_pings_retries_and_deletes_without_javascript,
    webhook_routes_are_for_admins_only,
);

const SUITE: &str = "webhooks";
/// The Python module the receiver verifies with.
const VERIFIER: &str = "standardwebhooks";
const COURSE: &str = "ai-foundations";

const EVENT_TYPES: [&str; 6] = [
    "user.created",
    "user.deleted",
    "lesson.completed",
    "quiz.passed",
    "certificate.issued",
    "plan.changed",
];

/// How long a delivery may take to show up; retries in these tests are scaled down.
const PATIENCE: Duration = Duration::from_secs(30);

/// `tests/support/webhook_receiver.py` on a port of its own: every request it got, as
/// JSON lines in a file that outlives restarts.
struct Receiver {
    child: Option<Child>,
    port: u16,
    secret: String,
    fail_first: u32,
    folder: tempfile::TempDir,
}

impl Receiver {
    /// A receiver for the endpoint with `secret`, not started yet.
    fn new(port: u16, secret: &str, fail_first: u32) -> Receiver {
        Receiver {
            child: None,
            port,
            secret: secret.to_owned(),
            fail_first,
            folder: tempfile::tempdir().expect("receiver folder"),
        }
    }

    fn log(&self) -> PathBuf {
        self.folder.path().join("received.jsonl")
    }

    /// Start it; it answers 500 to its first `fail_first` requests.
    fn start(&mut self) {
        assert!(self.child.is_none(), "already running");
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/support/webhook_receiver.py");
        let child = Command::new("python3")
            .arg(script)
            .args(["--port", &self.port.to_string()])
            .args(["--secret", &self.secret])
            .arg("--log")
            .arg(self.log())
            .args(["--fail-first", &self.fail_first.to_string()])
            .stdout(Stdio::null())
            .spawn()
            .expect("python3 starts the receiver");
        self.child = Some(child);
        wait_listening(self.port, "the webhook receiver");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Every request received so far, oldest first.
    fn received(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.log()).unwrap_or_default();
        // A line being written has no newline yet.
        text.split_inclusive('\n')
            .filter(|line| line.ends_with('\n'))
            .map(|line| serde_json::from_str(line).expect("a JSON line"))
            .collect()
    }

    /// Wait (at most `within`) until what was received satisfies `done`; all of it.
    async fn wait_until(
        &self,
        what: &str,
        within: Duration,
        done: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: not within {within:?}; received {received:#?}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An instance whose endpoints may be on loopback (the receiver is), with retry delays
/// multiplied by `retry_scale`.
async fn spawn_allowing_private(backend: Backend, retry_scale: f64) -> TestApp {
    let (mut settings, data) = test_settings(backend, &bundled_content()).await;
    settings.webhooks_allow_private = true;
    settings.outbox_retry_scale = retry_scale;
    spawn_settings(settings, data).await
}

/// `POST /api/v1/admin/webhooks`: the answer.
async fn try_register(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (u16, Value) {
    send(
        call(app, Method::POST, "/api/v1/admin/webhooks", Some(token))
            .json(&json!({ "url": url, "events": events })),
    )
    .await
}

/// Register an endpoint: its id and secret.
async fn register(app: &TestApp, token: &str, url: &str, events: &[&str]) -> (String, String) {
    let (status, body) = try_register(app, token, url, events).await;
    assert_eq!(status, 201, "{body}");
    (
        body["id"].as_str().expect("an id").to_owned(),
        body["secret"].as_str().expect("a secret").to_owned(),
    )
}

/// An endpoint's delivery log.
async fn deliveries(app: &TestApp, token: &str, endpoint: &str) -> Vec<Value> {
    let path = format!("/api/v1/admin/webhooks/{endpoint}/deliveries");
    let (status, body) = send(call(app, Method::GET, &path, Some(token))).await;
    assert_eq!(status, 200, "{body}");
    body["deliveries"].as_array().expect("deliveries").clone()
}

/// Wait (at most `within`) until the log holds a delivery that satisfies `done`; it.
async fn wait_for_delivery(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    what: &str,
    within: Duration,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let log = deliveries(app, token, endpoint).await;
        if let Some(found) = log.iter().find(|d| done(d)) {
            return found.clone();
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {within:?}; the log: {log:#?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Every lesson of the bundled course and the right answers to its quiz, if it has one.
fn bundled_lessons() -> Vec<(String, Option<Value>)> {
    let dir = bundled_content().join(COURSE);
    let mut lessons: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("glossary.md"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let source = lectern::content::source::parse(&text, None).unwrap();
            let answers = source.quiz.map(|quiz| {
                let key: serde_json::Map<String, Value> = quiz
                    .questions
                    .iter()
                    .map(|q| (q.id.clone(), crate::common::right_answer(q)))
                    .collect();
                Value::Object(key)
            });
            (String::from(source.slug), answers)
        })
        .collect();
    lessons.sort_by(|a, b| a.0.cmp(&b.0));
    lessons
}

/// A learner signs up, is moved to Pro by an admin, completes every lesson (one twice),
/// fails a quiz and then passes every one, claims the course's certificate (twice), and
/// deletes the account: each change arrives once, verified, with the contract's data.
async fn every_event_arrives_verified_with_its_data_and_no_email(backend: Backend) {
    let Some(()) = require_python(VERIFIER, SUITE) else {
        return;
    };
    let app = spawn_allowing_private(backend, 0.01).await;
    let admin = admin_token(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hooks");
    // Asked twice, an event is heard once.
    let mut asked = EVENT_TYPES.to_vec();
    asked.push("quiz.passed");
    let (status, endpoint) = try_register(&app, &admin, &url, &asked).await;
    assert_eq!(status, 201, "{endpoint}");
    assert_eq!(endpoint["url"], url);
    assert_eq!(endpoint["events"], json!(EVENT_TYPES));
    assert!(endpoint["created_at"].as_str().unwrap().ends_with('Z'));
    let secret = endpoint["secret"].as_str().unwrap();
    let key = secret.strip_prefix("whsec_").expect("a whsec_ secret");
    let key = base64::engine::general_purpose::STANDARD
        .decode(key)
        .expect("base64");
    assert_eq!(key.len(), 32);
    let endpoint_id = endpoint["id"].as_str().unwrap();
    let mut receiver = Receiver::new(port, secret, 0);
    receiver.start();

    let email = "learner@example.com";
    let (token, user) = app.sign_up(email).await;
    let user_id = user["id"].as_str().unwrap().to_owned();
    let plan_path = format!("/api/v1/admin/users/{user_id}/plan");
    for _ in 0..2 {
        // The second time the plan does not change: no event.
        let (status, body) =
            send(call(&app, Method::PUT, &plan_path, Some(&admin)).json(&json!({"plan": "pro"})))
                .await;
        assert_eq!(status, 200, "{body}");
    }
    let lessons = bundled_lessons();
    let mut expected = vec![
        json!({"type": "user.created", "data": {"user_id": user_id}}),
        json!({"type": "plan.changed", "data": {
            "user_id": user_id,
            "from": "free",
            "to": "pro",
        }}),
    ];
    for (slug, _) in &lessons {
        let path = format!("/api/v1/lessons/{slug}/progress");
        let (status, body) =
            send(call(&app, Method::PUT, &path, Some(&token)).json(&json!({"percent": 40}))).await;
        assert_eq!(status, 200, "{slug}: {body}");
        let (status, body) =
            send(call(&app, Method::PUT, &path, Some(&token)).json(&json!({"completed": true})))
                .await;
        assert_eq!(status, 200, "{slug}: {body}");
        expected.push(json!({"type": "lesson.completed", "data": {
            "user_id": user_id,
            "lesson": slug,
            "course": COURSE,
        }}));
    }
    // Completing again (or reading to 100% again) is no new completion.
    let first = &lessons[0].0;
    let (status, _) = send(
        call(
            &app,
            Method::PUT,
            &format!("/api/v1/lessons/{first}/progress"),
            Some(&token),
        )
        .json(&json!({"percent": 100})),
    )
    .await;
    assert_eq!(status, 200);
    for (index, (slug, answers)) in lessons.iter().enumerate() {
        let Some(answers) = answers else { continue };
        let path = format!("/api/v1/lessons/{slug}/quiz/attempts");
        if index == 0 {
            // A failed attempt is no event.
            let (status, failed) =
                send(call(&app, Method::POST, &path, Some(&token)).json(&json!({"answers": {}})))
                    .await;
            assert_eq!(
                (status, &failed["passed"]),
                (201, &json!(false)),
                "{failed}"
            );
        }
        let (status, passed) =
            send(call(&app, Method::POST, &path, Some(&token)).json(&json!({"answers": answers})))
                .await;
        assert_eq!(
            (status, &passed["passed"]),
            (201, &json!(true)),
            "{slug}: {passed}"
        );
        expected.push(json!({"type": "quiz.passed", "data": {
            "user_id": user_id,
            "lesson": slug,
            "attempt_id": passed["attempt_id"],
            "percent": passed["percent"],
        }}));
    }
    let claim_path = format!("/api/v1/courses/{COURSE}/certificate");
    let (status, certificate) = send(call(&app, Method::POST, &claim_path, Some(&token))).await;
    assert_eq!(status, 201, "{certificate}");
    let (status, _) = send(call(&app, Method::POST, &claim_path, Some(&token))).await;
    assert_eq!(status, 200, "the one already held: no new event");
    expected.push(json!({"type": "certificate.issued", "data": {
        "user_id": user_id,
        "certificate_id": certificate["id"],
        "course": COURSE,
    }}));
    let (status, body) = send(
        call(&app, Method::DELETE, "/api/v1/me", Some(&token))
            .json(&json!({"password": TEST_PASSWORD})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    expected.push(json!({"type": "user.deleted", "data": {"user_id": user_id}}));

    let received = receiver
        .wait_until("every event", PATIENCE, |r| r.len() >= expected.len())
        .await;
    let mut unmatched = expected.clone();
    for event in &received {
        assert_eq!(event["verified"], true, "{event:#}");
        assert_eq!(event["answered"], 200);
        assert_eq!(event["path"], "/hooks");
        let id = event["id"].as_str().unwrap();
        assert!(id.starts_with("evt_"), "{id}");
        assert_eq!(event["attempt_headers"]["webhook-id"], id);
        assert_eq!(event["attempt_headers"]["content-type"], "application/json");
        assert!(event["created_at"].as_str().unwrap().ends_with('Z'));
        // `data` is exactly the contract's (matched below), and no address hides elsewhere.
        let body = event["body"].as_str().unwrap();
        assert!(!body.contains('@'), "{body}");
        let shown = json!({"type": event["type"], "data": event["data"]});
        let at = unmatched
            .iter()
            .position(|e| *e == shown)
            .unwrap_or_else(|| panic!("an event not expected (or twice): {shown:#}"));
        unmatched.remove(at);
    }
    assert!(unmatched.is_empty(), "never arrived: {unmatched:#?}");
    let mut ids: Vec<&str> = received.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected.len(), "every event its own id");

    // The log agrees: one delivery per event, each delivered at its first attempt.
    let log = deliveries(&app, &admin, endpoint_id).await;
    assert_eq!(log.len(), expected.len(), "{log:#?}");
    for delivery in &log {
        assert!(
            ids.contains(&delivery["event_id"].as_str().unwrap()),
            "{delivery}"
        );
    }
    assert_eq!(log[0]["type"], "user.deleted", "newest first");
    for id in &ids {
        let delivered = wait_for_delivery(&app, &admin, endpoint_id, id, PATIENCE, |d| {
            d["event_id"] == *id && d["status"] == "delivered"
        })
        .await;
        assert_eq!(delivered["attempts"], 1, "{delivered}");
        assert_eq!(delivered["last_status_code"], 200);
        assert_eq!(delivered["next_attempt_at"], Value::Null);
    }
}

/// A receiver that answers 500 twice and then 200 gets the event on the third attempt,
/// each time the same event with the same `webhook-id`, freshly signed.
async fn a_refused_delivery_is_retried_with_the_same_webhook_id(backend: Backend) {
    let Some(()) = require_python(VERIFIER, SUITE) else {
        return;
    };
    let app = spawn_allowing_private(backend, 0.01).await;
    let admin = admin_token(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let (endpoint, secret) = register(&app, &admin, &url, &["user.created"]).await;
    let mut receiver = Receiver::new(port, &secret, 2);
    receiver.start();

    let (_, user) = app.sign_up("retried@example.com").await;
    let received = receiver
        .wait_until("three attempts", PATIENCE, |r| r.len() >= 3)
        .await;
    let answered: Vec<&Value> = received.iter().map(|r| &r["answered"]).collect();
    assert_eq!(answered, [&json!(500), &json!(500), &json!(200)]);
    let id = received[0]["id"].as_str().unwrap();
    for attempt in &received {
        assert_eq!(attempt["verified"], true, "{attempt:#}");
        assert_eq!(attempt["attempt_headers"]["webhook-id"], id);
        assert_eq!(
            attempt["body"], received[0]["body"],
            "the same body each time"
        );
        assert_eq!(attempt["data"], json!({"user_id": user["id"]}));
    }
    let delivered = wait_for_delivery(&app, &admin, &endpoint, "delivered", PATIENCE, |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(delivered["event_id"], id);
    assert_eq!(delivered["type"], "user.created");
    assert_eq!(delivered["attempts"], 3);
    assert_eq!(delivered["last_status_code"], 200);
    assert_eq!(delivered["next_attempt_at"], Value::Null);
    assert_eq!(receiver.received().len(), 3, "nothing more once delivered");
}

/// An event recorded while its receiver is not even listening is delivered once it is.
async fn a_receiver_that_is_down_at_first_still_gets_the_event(backend: Backend) {
    let Some(()) = require_python(VERIFIER, SUITE) else {
        return;
    };
    let app = spawn_allowing_private(backend, 0.01).await;
    let admin = admin_token(&app).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/late");
    let (endpoint, secret) = register(&app, &admin, &url, &["user.created"]).await;
    let mut receiver = Receiver::new(port, &secret, 0);

    let (_, user) = app.sign_up("early@example.com").await;
    let missed = wait_for_delivery(&app, &admin, &endpoint, "a failed attempt", PATIENCE, |d| {
        d["attempts"].as_i64() >= Some(1) && d["last_error"].is_string()
    })
    .await;
    assert_eq!(missed["status"], "pending", "{missed}");
    assert_eq!(missed["last_status_code"], Value::Null);
    assert!(missed["next_attempt_at"].is_string(), "{missed}");

    receiver.start();
    // Retries slow down (0.3 s, 1.2 s, 6 s, 36 s here): a slow machine may wait for a later one.
    let received = receiver
        .wait_until("the late delivery", Duration::from_secs(90), |r| {
            !r.is_empty()
        })
        .await;
    assert_eq!(received[0]["verified"], true, "{:#}", received[0]);
    assert_eq!(received[0]["id"], missed["event_id"]);
    assert_eq!(received[0]["data"], json!({"user_id": user["id"]}));
    let delivered = wait_for_delivery(&app, &admin, &endpoint, "delivered", PATIENCE, |d| {
        d["status"] == "delivered"
    })
    .await;
    assert!(delivered["attempts"].as_i64() >= Some(2), "{delivered}");
}

/// Without `LECTERN_WEBHOOKS_ALLOW_PRIVATE`, no endpoint may point at loopback, private or
/// link-local addresses, however they are written; nor may it be anything but http(s), or
/// hear no event or an unknown one.
async fn inside_addresses_are_refused_at_registration(backend: Backend) {
    let app = spawn(backend).await;
    let admin = admin_token(&app).await;
    let port = free_port();
    for url in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://localhost:{port}/"),
        format!("http://[::1]:{port}/"),
        "http://2130706433/".to_owned(),
        "http://10.0.0.7/hook".to_owned(),
        "http://192.168.1.20/hook".to_owned(),
        "http://169.254.169.254/latest/meta-data".to_owned(),
        "ftp://example.com/".to_owned(),
        "not a url".to_owned(),
    ] {
        let (status, body) = try_register(&app, &admin, &url, &["user.created"]).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["error"]["code"], "invalid_input", "{url}");
        assert!(body["error"]["fields"]["url"].is_string(), "{url}: {body}");
    }
    let inside = format!("http://localhost:{port}/");
    let (_, body) = try_register(&app, &admin, &inside, &["user.created"]).await;
    let why = body["error"]["fields"]["url"].as_str().unwrap();
    assert!(why.contains("loopback or private"), "{why}");
    for events in [&[][..], &["user.emailed"][..], &["ping"][..]] {
        let (status, body) = try_register(&app, &admin, "https://93.184.216.34/", events).await;
        assert_eq!(status, 400, "{events:?}: {body}");
        assert!(body["error"]["fields"]["events"].is_string(), "{body}");
    }
    let (status, body) =
        send(call(&app, Method::POST, "/api/v1/admin/webhooks", Some(&admin)).json(&json!({})))
            .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["fields"]["url"].is_string() && body["error"]["fields"]["events"].is_string(),
        "both fields at once: {body}"
    );
    let (status, list) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/webhooks",
        Some(&admin),
    ))
    .await;
    assert_eq!((status, list), (200, json!({"webhooks": []})));
}

/// Endpoints on loopback, one by address and one by name, registered by an instance that
/// allows them, are refused by an instance on the same database that does not, at the
/// moment of delivery: nothing reaches the receiver and the log says why. The name is
/// checked as the connection resolves it, the check that defeats DNS rebinding.
async fn an_inside_address_is_refused_at_delivery_too(backend: Backend) {
    let Some(()) = require_python(VERIFIER, SUITE) else {
        return;
    };
    let (settings, data) = test_settings(backend, &bundled_content()).await;
    let db = lectern::db::Db::connect(&settings).await.expect("db");
    let passwords = lectern::auth::password::Passwords::new(1);
    lectern::accounts::create_admin(&db, &passwords, ADMIN_EMAIL, "Ada Admin", TEST_PASSWORD)
        .await
        .expect("create admin");
    db.close().await;

    let port = free_port();
    let database_url = settings.database_url();
    let allowing = Server::start(
        data.path(),
        &data.path().join("allowing.log"),
        &[
            ("LECTERN_DATABASE_URL", database_url.as_str()),
            ("LECTERN_WEBHOOKS_ALLOW_PRIVATE", "1"),
        ],
    );
    let login: Value = reqwest::Client::new()
        .post(allowing.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("a token").to_owned();
    let mut registered = Vec::new();
    for url in [
        format!("http://127.0.0.1:{port}/by-address"),
        format!("http://localhost:{port}/by-name"),
    ] {
        let response = reqwest::Client::new()
            .post(allowing.url("/api/v1/admin/webhooks"))
            .bearer_auth(&token)
            .json(&json!({"url": url, "events": ["user.created"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{url}");
        let body: Value = response.json().await.unwrap();
        registered.push((
            body["id"].as_str().unwrap().to_owned(),
            body["secret"].as_str().unwrap().to_owned(),
        ));
    }
    allowing.kill();

    let app = spawn_settings(settings, data).await;
    assert!(!app.settings.webhooks_allow_private);
    let admin = admin_token(&app).await;
    let mut receiver = Receiver::new(port, &registered[0].1, 0);
    receiver.start();
    app.sign_up("rebound@example.com").await;
    for (endpoint, _) in &registered {
        let refused =
            wait_for_delivery(&app, &admin, endpoint, "a refused attempt", PATIENCE, |d| {
                d["attempts"].as_i64() >= Some(1) && d["last_error"].is_string()
            })
            .await;
        let why = refused["last_error"].as_str().unwrap();
        assert!(why.contains("loopback or private"), "{endpoint}: {why}");
        assert_eq!(refused["status"], "pending");
        assert_eq!(refused["last_status_code"], Value::Null);
    }
    assert_eq!(
        receiver.received(),
        Vec::<Value>::new(),
        "nothing reached it"
    );
}

/// A ping reaches one endpoint alone; a delivery that failed for good is sent again by
/// "Retry now" with the same `webhook-id`; deleting an endpoint removes it and its log.
async fn ping_and_retry_now_reach_the_endpoint_and_delete_removes_it(backend: Backend) {
    let Some(()) = require_python(VERIFIER, SUITE) else {
        return;
    };
    // Every retry within about a second: a failing delivery is soon `failed`.
    let app = spawn_allowing_private(backend, 0.00001).await;
    let admin = admin_token(&app).await;
    let port = free_port();
    let (endpoint, secret) = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/ping"),
        &["certificate.issued"],
    )
    .await;
    let (other, _) = register(
        &app,
        &admin,
        &format!("http://127.0.0.1:{port}/other"),
        &["user.created"],
    )
    .await;
    let mut receiver = Receiver::new(port, &secret, 1000);
    receiver.start();

    let ping_path = format!("/api/v1/admin/webhooks/{endpoint}/ping");
    let (status, queued) = send(call(&app, Method::POST, &ping_path, Some(&admin))).await;
    assert_eq!(status, 202, "{queued}");
    let event_id = queued["event_id"].as_str().unwrap().to_owned();
    let failed = wait_for_delivery(&app, &admin, &endpoint, "failed for good", PATIENCE, |d| {
        d["status"] == "failed"
    })
    .await;
    assert_eq!(failed["event_id"], event_id.as_str());
    assert_eq!(failed["type"], "ping");
    assert!(failed["attempts"].as_i64() >= Some(6), "{failed}");
    assert_eq!(failed["last_status_code"], 500);
    assert_eq!(failed["next_attempt_at"], Value::Null);
    let attempts = failed["attempts"].as_i64().unwrap() as usize;
    let received = receiver.received();
    assert_eq!(received.len(), attempts);
    for attempt in &received {
        assert_eq!(attempt["verified"], true, "{attempt:#}");
        assert_eq!(
            (&attempt["type"], &attempt["path"]),
            (&json!("ping"), &json!("/ping"))
        );
        assert_eq!(attempt["attempt_headers"]["webhook-id"], event_id.as_str());
        assert_eq!(attempt["data"], json!({}));
    }
    assert_eq!(
        deliveries(&app, &admin, &other).await,
        Vec::<Value>::new(),
        "one endpoint alone"
    );

    // The receiver mends; "Retry now" sends the failed delivery again.
    receiver.stop();
    receiver.fail_first = 0;
    receiver.start();
    let retry_path = format!("/api/v1/admin/webhooks/{endpoint}/deliveries/{event_id}/retry");
    let (status, body) = send(call(&app, Method::POST, &retry_path, Some(&admin))).await;
    assert_eq!(status, 202, "{body}");
    let received = receiver
        .wait_until("the retried ping", PATIENCE, |r| r.len() > attempts)
        .await;
    let last = received.last().unwrap();
    assert_eq!(
        (&last["verified"], &last["answered"]),
        (&json!(true), &json!(200))
    );
    assert_eq!(last["attempt_headers"]["webhook-id"], event_id.as_str());
    let delivered = wait_for_delivery(&app, &admin, &endpoint, "delivered", PATIENCE, |d| {
        d["status"] == "delivered"
    })
    .await;
    assert_eq!(delivered["attempts"].as_i64(), Some(attempts as i64 + 1));
    assert_eq!(delivered["last_status_code"], 200);

    // Nothing left to retry: a delivered delivery, an unknown one.
    for path in [
        retry_path.clone(),
        format!("/api/v1/admin/webhooks/{endpoint}/deliveries/evt_unknown/retry"),
        format!("/api/v1/admin/webhooks/{other}/deliveries/{event_id}/retry"),
    ] {
        let (status, body) = send(call(&app, Method::POST, &path, Some(&admin))).await;
        assert_eq!(
            (status, &body["error"]["code"]),
            (404, &json!("not_found")),
            "{path}"
        );
    }

    let endpoint_path = format!("/api/v1/admin/webhooks/{endpoint}");
    let (status, _) = send(call(&app, Method::DELETE, &endpoint_path, Some(&admin))).await;
    assert_eq!(status, 204);
    let (_, list) = send(call(
        &app,
        Method::GET,
        "/api/v1/admin/webhooks",
        Some(&admin),
    ))
    .await;
    let ids: Vec<&Value> = list["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["id"])
        .collect();
    assert_eq!(ids, [&json!(other)]);
    assert!(
        list["webhooks"][0].get("secret").is_none(),
        "no secret in lists: {list}"
    );
    for (method, path) in [
        (Method::DELETE, endpoint_path.clone()),
        (Method::GET, format!("{endpoint_path}/deliveries")),
        (Method::POST, ping_path.clone()),
        (Method::POST, retry_path.clone()),
    ] {
        let (status, body) = send(call(&app, method.clone(), &path, Some(&admin))).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
    }
}

/// Many completions of one lesson sent at once, by one learner: one `lesson.completed`.
async fn a_lesson_completed_at_once_many_times_is_one_event(backend: Backend) {
    let app = spawn_allowing_private(backend, 1.0).await;
    let admin = admin_token(&app).await;
    // Nothing listens there; the log still shows what was recorded.
    let url = format!("http://127.0.0.1:{}/", free_port());
    let (endpoint, _) = register(&app, &admin, &url, &["lesson.completed"]).await;
    let (token, user) = app.sign_up("eager@example.com").await;
    let path = "/api/v1/lessons/tokens-and-embeddings/progress";
    let mut writes = Vec::new();
    for i in 0..24 {
        let body = match i % 3 {
            0 => json!({"completed": true}),
            1 => json!({"percent": 100}),
            _ => json!({"percent": i}),
        };
        let request = call(&app, Method::PUT, path, Some(&token)).json(&body);
        writes.push(tokio::spawn(async move {
            request.send().await.unwrap().status().as_u16()
        }));
    }
    for write in writes {
        assert_eq!(write.await.unwrap(), 200);
    }
    let log = deliveries(&app, &admin, &endpoint).await;
    assert_eq!(log.len(), 1, "{log:#?}");
    assert_eq!(log[0]["type"], "lesson.completed");
    let (status, progress) =
        send(call(&app, Method::GET, "/api/v1/me/progress", Some(&token))).await;
    assert_eq!(status, 200);
    let entry = progress["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["slug"] == "tokens-and-embeddings")
        .unwrap();
    assert_eq!(
        (&entry["status"], &entry["percent"]),
        (&json!("completed"), &json!(100))
    );
    assert!(user["id"].is_string());
}

/// The page an admin's browser uses without JavaScript: add an endpoint (its secret shown
/// once, never cached), see a refused one's errors, send a test ping, see the delivery log,
/// retry now, delete. Linked from the admin index.
async fn the_admin_page_adds_pings_retries_and_deletes_without_javascript(backend: Backend) {
    let app = spawn_allowing_private(backend, 1.0).await;
    let admin = admin_token(&app).await;
    let login = app
        .post("/login")
        .form(&[
            ("email", ADMIN_EMAIL),
            ("password", TEST_PASSWORD),
            ("next", "/admin"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let (status, index) = app.get_text("/admin").await;
    assert_eq!(status, 200);
    assert!(
        index.contains("href=\"/admin/webhooks\""),
        "the index links the page"
    );
    let (status, page) = app.get_text("/admin/webhooks").await;
    assert_eq!(status, 200);
    assert!(page.contains("No endpoints yet"), "{page}");
    let csrf = csrf_of(&page);

    let refused = app
        .post("/admin/webhooks")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("url", "gopher://example.com/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("gopher:"), "what was typed stays");
    assert!(refused.contains("id=\"url-error\"") && refused.contains("id=\"events-error\""));

    // Nothing listens at this address: deliveries fail and wait for a retry.
    let url = format!("http://127.0.0.1:{}/from-the-page", free_port());
    let added = app
        .post("/admin/webhooks")
        .form(&[
            ("csrf_token", csrf.as_str()),
            ("url", url.as_str()),
            ("events", "user.created"),
            ("events", "quiz.passed"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 200);
    assert_eq!(added.headers()["cache-control"], "no-store");
    // Tera writes `/` (a base64 digit) as `&#x2F;`.
    let added = added.text().await.unwrap().replace("&#x2F;", "/");
    let at = added.find("whsec_").expect("the secret, shown once");
    let secret: String = added[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "_+/=".contains(*c))
        .collect();
    assert_eq!(secret.len(), "whsec_".len() + 44, "{secret}");
    let (_, page) = app.get_text("/admin/webhooks").await;
    // Tera writes `/` as `&#x2F;`: the path's last segment stands for the URL.
    assert!(page.contains("from-the-page") && page.contains("quiz.passed"));
    assert!(!page.contains("whsec_"), "the secret is shown only once");
    let endpoint = {
        let at =
            page.find("id=\"endpoint-").expect("the endpoint's section") + "id=\"endpoint-".len();
        page[at..page[at..].find('"').unwrap() + at].to_owned()
    };

    // A form without the token changes nothing.
    let forged = app
        .post(&format!("/admin/webhooks/{endpoint}/ping"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    let ping = app
        .post(&format!("/admin/webhooks/{endpoint}/ping"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), 303);
    assert_eq!(
        ping.headers()["location"],
        format!("/admin/webhooks#endpoint-{endpoint}")
    );
    let missed = wait_for_delivery(&app, &admin, &endpoint, "a failed ping", PATIENCE, |d| {
        d["type"] == "ping" && d["last_error"].is_string()
    })
    .await;
    let event_id = missed["event_id"].as_str().unwrap();
    let (_, page) = app.get_text("/admin/webhooks").await;
    assert!(page.contains(event_id) && page.contains("Retry now") && page.contains("pending"));
    assert!(
        page.contains("could not connect"),
        "the last error is shown"
    );

    let retry = app
        .post(&format!(
            "/admin/webhooks/{endpoint}/deliveries/{event_id}/retry"
        ))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 303);
    wait_for_delivery(&app, &admin, &endpoint, "a second attempt", PATIENCE, |d| {
        d["attempts"].as_i64() >= Some(2)
    })
    .await;

    let delete = app
        .post(&format!("/admin/webhooks/{endpoint}/delete"))
        .form(&[("csrf_token", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 303);
    let (_, page) = app.get_text("/admin/webhooks").await;
    assert!(page.contains("No endpoints yet") && !page.contains("from-the-page"));
}

/// The CSRF token of a page's forms.
fn csrf_of(page: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let at = page.find(marker).expect("a form with a CSRF token") + marker.len();
    page[at..at + page[at..].find('"').unwrap()].to_owned()
}

/// Every webhook route: 401 without a session, 403 for a learner; the page too.
async fn webhook_routes_are_for_admins_only(backend: Backend) {
    let app = spawn(backend).await;
    let (learner, _) = app.sign_up("curious@example.com").await;
    let routes = [
        (Method::GET, "/api/v1/admin/webhooks"),
        (Method::POST, "/api/v1/admin/webhooks"),
        (Method::DELETE, "/api/v1/admin/webhooks/ep_x"),
        (Method::GET, "/api/v1/admin/webhooks/ep_x/deliveries"),
        (Method::POST, "/api/v1/admin/webhooks/ep_x/ping"),
        (
            Method::POST,
            "/api/v1/admin/webhooks/ep_x/deliveries/evt_x/retry",
        ),
    ];
    for (method, path) in routes {
        let body = json!({"url": "https://93.184.216.34/", "events": ["user.created"]});
        let (status, answer) = send(call(&app, method.clone(), path, None).json(&body)).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (401, &json!("unauthenticated")),
            "{method} {path}"
        );
        let (status, answer) =
            send(call(&app, method.clone(), path, Some(&learner)).json(&body)).await;
        assert_eq!(
            (status, &answer["error"]["code"]),
            (403, &json!("forbidden")),
            "{method} {path}"
        );
    }
    for (token, refused) in [(None, 401), (Some(learner.as_str()), 403)] {
        let page = call(&app, Method::GET, "/admin/webhooks", token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), refused);
    }
}
