//! Mail (API.md section 12) against a real SMTP server (aiosmtpd, started here): reset links,
//! sign-in links, verification and email change arrive, work once and only for their purpose,
//! expire, end sessions as the contract says, respect the per-address and per-client limits,
//! and leave no raw token behind. An SMTP server that is down delays mail and loses none.

use std::time::Duration;

use serde_json::{json, Value};

use crate::common::mail::{outbox_files, wait_for, Mail, SmtpServer};
use crate::common::{self, send, Backend, TestApp, TEST_PASSWORD};

/// Long enough for any delivery here; the waits end as soon as the mail is there.
const WITHIN: Duration = Duration::from_secs(30);

const NEW_PASSWORD: &str = "a brand new lectern password";

/// An instance mailing through `smtp`, with retries a hundred times faster than in production.
async fn app_with_smtp(backend: Backend, smtp: &SmtpServer) -> TestApp {
    let (mut settings, data) = common::test_settings(backend, &common::bundled_content()).await;
    settings.smtp_url = Some(smtp.url().parse().unwrap());
    settings.mail_from = Some("Lectern Tests <lectern@tests.example>".into());
    settings.outbox_retry_scale = 0.01;
    common::spawn_settings(settings, data).await
}

/// Mails received for `to` whose subject contains `subject`.
fn mails_to(smtp: &SmtpServer, to: &str, subject: &str) -> Vec<Mail> {
    smtp.received()
        .into_iter()
        .filter(|m| m.to() == to && m.header("Subject").is_some_and(|s| s.contains(subject)))
        .collect()
}

/// Wait for the `count`th mail to `to` about `subject`; the newest.
fn wait_mail(smtp: &SmtpServer, to: &str, subject: &str, count: usize) -> Mail {
    wait_for(|| mails_to(smtp, to, subject), count, WITHIN)
        .pop()
        .unwrap()
}

async fn post_json(app: &TestApp, path: &str, body: Value) -> (u16, Value) {
    send(reqwest::Client::new().post(app.url(path)).json(&body)).await
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    send(common::bearer(
        app,
        reqwest::Method::GET,
        "/api/v1/me",
        token,
    ))
    .await
}

async fn log_in(app: &TestApp, email: &str, password: &str) -> u16 {
    post_json(
        app,
        "/api/v1/auth/login",
        json!({ "email": email, "password": password }),
    )
    .await
    .0
}

/// Wait (at most `WITHIN`) until `count`, a `SELECT COUNT(*)` with `$1` bound to `bind`,
/// answers `expected` on the instance's database.
async fn until_count(db: &sqlx::AnyPool, count: &str, bind: &str, expected: i64) {
    let deadline = std::time::Instant::now() + WITHIN;
    loop {
        let found: i64 = sqlx::query_scalar(count)
            .bind(bind)
            .fetch_one(db)
            .await
            .unwrap();
        if found == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{count} [{bind}]: {found}, not {expected}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_reset_link_arrives_works_once_and_ends_every_session(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let email = "reset@example.com";
    let (first_token, _) = app.sign_up(email).await;
    let (status, _) = me(&app, &first_token).await;
    assert_eq!(status, 200);

    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": email }),
    )
    .await;
    assert_eq!((status, &body), (202, &json!({ "status": "sent" })));
    let mail = wait_mail(&smtp, email, "Reset your Lectern password", 1);
    let from = mail.header("From").unwrap();
    assert!(
        from.ends_with("<lectern@tests.example>"),
        "LECTERN_MAIL_FROM: {from}"
    );
    assert!(mail.header("Message-ID").is_some());
    let text = mail.text();
    assert!(text.contains("30 minutes"), "{text}");
    assert!(text.contains("did not ask"), "{text}");
    assert!(text.contains(&app.url("/reset-password?token=")), "{text}");
    let token = mail.token("/reset-password");
    assert!(token.len() >= 32, "at least 128 bits: {token}");
    assert!(mail
        .html()
        .contains(&format!("/reset-password?token={token}")));

    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["email"], email);
    let new_token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(me(&app, &new_token).await.0, 200, "the reset signs in");
    assert_eq!(me(&app, &first_token).await.0, 401, "earlier sessions end");
    assert_eq!(
        log_in(&app, email, TEST_PASSWORD).await,
        401,
        "the old password is gone"
    );
    assert_eq!(log_in(&app, email, NEW_PASSWORD).await, 200);

    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": "yet another lectern password" }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_token"))
    );

    let notice = wait_mail(&smtp, email, "password was reset", 1);
    assert!(notice.text().contains("/forgot-password"), "a way to act");
}

/// An SMTP server, an instance mailing through it, and the reset mail of a new reader `email`;
/// `None` without aiosmtpd outside CI.
async fn a_reset_mail(backend: Backend, email: &str) -> Option<(SmtpServer, TestApp, Mail)> {
    let smtp = SmtpServer::start("mail")?;
    let app = app_with_smtp(backend, &smtp).await;
    app.sign_up(email).await;
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": email }),
    )
    .await;
    assert_eq!(status, 202);
    let mail = wait_mail(&smtp, email, "Reset your", 1);
    Some((smtp, app, mail))
}

async fn a_link_that_expired_or_serves_another_purpose_is_invalid(backend: Backend) {
    let email = "expiry@example.com";
    let Some((_smtp, app, mail)) = a_reset_mail(backend, email).await else {
        return;
    };
    let token = mail.token("/reset-password");

    for (path, body) in [
        (
            "/api/v1/auth/sign-in-link/confirm",
            json!({ "token": token }),
        ),
        ("/api/v1/auth/verify-email", json!({ "token": token })),
        ("/api/v1/auth/confirm-email", json!({ "token": token })),
        (
            "/api/v1/auth/password-reset/confirm",
            json!({ "token": "0".repeat(64), "new_password": NEW_PASSWORD }),
        ),
    ] {
        let (status, answer) = post_json(&app, path, body).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (400, Some("invalid_token")),
            "{path}"
        );
    }

    // A refused password leaves the link usable...
    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": "short" }),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["fields"]["new_password"].is_string(),
        "{body}"
    );

    // ...until it expires.
    let db = app.database().await;
    sqlx::query("UPDATE mail_links SET expires_at = '2000-01-01T00:00:00.000Z'")
        .execute(&db)
        .await
        .unwrap();
    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_token"))
    );
    assert_eq!(
        log_in(&app, email, TEST_PASSWORD).await,
        200,
        "nothing changed"
    );
}

async fn unknown_addresses_get_the_same_answer_and_no_mail(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let known = "known@example.com";
    app.sign_up(known).await;
    for path in ["/api/v1/auth/password-reset", "/api/v1/auth/sign-in-link"] {
        let unknown = post_json(&app, path, json!({ "email": "nobody@example.com" })).await;
        let found = post_json(&app, path, json!({ "email": known })).await;
        assert_eq!(unknown, found, "{path}");
        assert_eq!(unknown, (202, json!({ "status": "sent" })));
    }
    let db = app.database().await;
    let queued: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = 'nobody@example.com'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert_eq!(queued, 0);
    let (status, body) = post_json(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": "not an address" }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["fields"]["email"].is_string());
}

async fn a_sign_in_link_signs_in_once_and_keeps_other_sessions(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let email = "link@example.com";
    let (first_token, _) = app.sign_up(email).await;
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/sign-in-link",
        json!({ "email": email, "next": "/lessons/how-llms-work" }),
    )
    .await;
    assert_eq!(status, 202);
    let mail = wait_mail(&smtp, email, "sign-in link", 1);
    assert!(mail.text().contains("15 minutes"));
    let token = mail.token("/sign-in");
    let (status, body) = post_json(
        &app,
        "/api/v1/auth/sign-in-link/confirm",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["next"], "/lessons/how-llms-work");
    assert_eq!(
        body["user"]["email_verified"], true,
        "the link reached the address"
    );
    assert_eq!(me(&app, body["token"].as_str().unwrap()).await.0, 200);
    assert_eq!(
        me(&app, &first_token).await.0,
        200,
        "a sign-in link ends no session"
    );
    let (status, body) = post_json(
        &app,
        "/api/v1/auth/sign-in-link/confirm",
        json!({ "token": token }),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_token"))
    );
}

async fn sign_up_and_a_request_mail_a_verification_link(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let email = "verify@example.com";
    let (token, user) = app.sign_up(email).await;
    assert_eq!(user["email_verified"], false);
    let first = wait_mail(&smtp, email, "Confirm your email", 1);
    assert!(first.text().contains("24 hours"));

    let (status, _) = send(common::bearer(
        &app,
        reqwest::Method::POST,
        "/api/v1/me/email-verification",
        &token,
    ))
    .await;
    assert_eq!(status, 202);
    let second = wait_mail(&smtp, email, "Confirm your email", 2);
    let (status, user) = post_json(
        &app,
        "/api/v1/auth/verify-email",
        json!({ "token": second.token("/verify-email") }),
    )
    .await;
    assert_eq!(
        (status, &user["email_verified"]),
        (200, &json!(true)),
        "{user}"
    );
    assert_eq!(me(&app, &token).await.1["email_verified"], true);
    // The first link is still good for its purpose, once.
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/verify-email",
        json!({ "token": first.token("/verify-email") }),
    )
    .await;
    assert_eq!(status, 200);
}

async fn an_email_change_waits_for_the_new_address_and_tells_the_old(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let (old, new) = ("old@example.com", "new@example.com");
    let (token, _) = app.sign_up(old).await;
    app.sign_up("taken@example.com").await;
    let change = |body: Value| {
        send(common::bearer(&app, reqwest::Method::PUT, "/api/v1/me/email", &token).json(&body))
    };
    let (status, body) = change(json!({ "new_email": new, "password": "wrong password!" })).await;
    assert_eq!(status, 400);
    assert!(body["error"]["fields"]["password"].is_string(), "{body}");
    let (status, body) =
        change(json!({ "new_email": "taken@example.com", "password": TEST_PASSWORD })).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("email_taken"))
    );
    let (status, _) = change(json!({ "new_email": new, "password": TEST_PASSWORD })).await;
    assert_eq!(status, 202);

    let notice = wait_mail(&smtp, old, "being changed", 1);
    assert!(notice.text().contains(new) && notice.text().contains("/forgot-password"));
    let confirm = wait_mail(&smtp, new, "new email address", 1);
    assert_eq!(
        me(&app, &token).await.1["email"],
        old,
        "nothing changes yet"
    );

    let (status, user) = post_json(
        &app,
        "/api/v1/auth/confirm-email",
        json!({ "token": confirm.token("/confirm-email") }),
    )
    .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        (&user["email"], &user["email_verified"]),
        (&json!(new), &json!(true))
    );
    assert_eq!(log_in(&app, new, TEST_PASSWORD).await, 200);
    assert_eq!(log_in(&app, old, TEST_PASSWORD).await, 401);
}

async fn an_address_gets_five_mails_an_hour(backend: Backend) {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let email = "limited@example.com";
    app.sign_up(email).await; // its verification mail is the first of five
    for _ in 0..8 {
        let (status, _) = post_json(
            &app,
            "/api/v1/auth/password-reset",
            json!({ "email": email }),
        )
        .await;
        assert_eq!(status, 202, "past the limit it still answers 202");
    }
    let db = app.database().await;
    let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE recipient = $1")
        .bind(email)
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(queued, 5);
    assert_eq!(smtp.wait_for(5, WITHIN).len(), 5);
}

/// One client address may call the mailed-link routes 30 times a minute, whichever of them.
async fn a_client_address_gets_thirty_calls_a_minute(backend: Backend) {
    let app = common::spawn(backend).await;
    let mut statuses = Vec::new();
    for call in 0..31 {
        let (path, body) = match call % 3 {
            0 => (
                "/api/v1/auth/password-reset",
                json!({ "email": "a@example.com" }),
            ),
            1 => (
                "/api/v1/auth/sign-in-link",
                json!({ "email": "b@example.com" }),
            ),
            _ => ("/api/v1/auth/verify-email", json!({ "token": "nothing" })),
        };
        let response = reqwest::Client::new()
            .post(app.url(path))
            .json(&body)
            .send()
            .await
            .unwrap();
        statuses.push((
            response.status().as_u16(),
            response.headers().contains_key("retry-after"),
        ));
    }
    assert!(
        statuses[..30].iter().all(|(s, _)| *s == 202 || *s == 400),
        "{statuses:?}"
    );
    assert_eq!(statuses[30], (429, true));
}

async fn no_raw_token_outlives_its_delivered_mail(backend: Backend) {
    let email = "tokens@example.com";
    let Some((_smtp, app, mail)) = a_reset_mail(backend, email).await else {
        return;
    };
    let token = mail.token("/reset-password");
    let db = app.database().await;
    // The row is settled just after the server took the mail.
    let bodies = "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND payload IS NOT NULL";
    until_count(&db, bodies, email, 0).await;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT message_id, status FROM outbox WHERE recipient = $1")
            .bind(email)
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(rows.len(), 2, "the records stay: {rows:?}");
    assert!(rows.iter().all(|(_, status)| status == "delivered"));
    let message_id = mail.header("Message-ID").unwrap();
    assert!(
        rows.iter().any(|(id, _)| message_id == format!("<{id}>")),
        "{rows:?}"
    );
    let hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM mail_links")
        .fetch_all(&db)
        .await
        .unwrap();
    assert!(!hashes.contains(&token), "only the hash is stored");
}

async fn mail_waits_out_an_smtp_outage_and_requests_do_not(backend: Backend) {
    let Some(mut smtp) = SmtpServer::start("mail") else {
        return;
    };
    let app = app_with_smtp(backend, &smtp).await;
    let email = "outage@example.com";
    app.sign_up(email).await;
    wait_mail(&smtp, email, "Confirm your email", 1);
    smtp.stop();
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": email }),
    )
    .await;
    assert_eq!(status, 202, "answered with the server down");
    // Wait until the worker has tried and failed at least once.
    let db = app.database().await;
    let failed = "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND status = 'pending' \
                  AND attempts >= 1 AND last_error IS NOT NULL";
    until_count(&db, failed, email, 1).await;
    smtp.resume();
    let mail = wait_mail(&smtp, email, "Reset your", 1);
    let token = mail.token("/reset-password");
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": token, "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(status, 200, "the late link still works");
}

on_both_backends!(
    a_reset_link_arrives_works_once_and_ends_every_session,
    a_link_that_expired_or_serves_another_purpose_is_invalid,
    unknown_addresses_get_the_same_answer_and_no_mail,
    a_sign_in_link_signs_in_once_and_keeps_other_sessions,
    sign_up_and_a_request_mail_a_verification_link,
    an_email_change_waits_for_the_new_address_and_tells_the_old,
    an_address_gets_five_mails_an_hour,
    a_client_address_gets_thirty_calls_a_minute,
    no_raw_token_outlives_its_delivered_mail,
    mail_waits_out_an_smtp_outage_and_requests_do_not,
);

/// The two-command start has no SMTP server: each mail is an `.eml` file in the data folder,
/// whose link works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_each_mail_is_an_eml_file_in_the_data_folder() {
    let app = common::spawn(Backend::Sqlite).await;
    let email = "local@example.com";
    app.sign_up(email).await;
    post_json(
        &app,
        "/api/v1/auth/password-reset",
        json!({ "email": email }),
    )
    .await;
    let folder = app.settings.data_dir.clone();
    let mails = wait_for(|| outbox_files(&folder), 2, WITHIN);
    let reset = mails
        .iter()
        .find(|m| m.header("Subject").is_some_and(|s| s.contains("Reset")))
        .expect("the reset mail");
    assert_eq!(reset.to(), email);
    let from = reset.header("From").unwrap();
    assert!(from.starts_with("Lectern <no-reply@localhost>"), "{from}");
    let (status, _) = post_json(
        &app,
        "/api/v1/auth/password-reset/confirm",
        json!({ "token": reset.token("/reset-password"), "new_password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!(status, 200);
}

/// Mail committed by a server that is then killed (SIGKILL) while the SMTP server is down is
/// delivered by the next start, each message once, with its Message-ID.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_committed_before_a_kill_is_delivered_after_the_restart() {
    let Some(mut smtp) = SmtpServer::start("mail") else {
        return;
    };
    smtp.stop();
    let data = tempfile::tempdir().unwrap();
    let log = data.path().join("server.log");
    let smtp_url = smtp.url();
    let env = [
        ("LECTERN_SMTP_URL", smtp_url.as_str()),
        ("LECTERN_OUTBOX_RETRY_SCALE", "0.01"),
    ];
    let server = common::server::Server::start(data.path(), &log, &env);
    let client = reqwest::Client::new();
    let readers: Vec<String> = (0..4).map(|i| format!("killed{i}@example.com")).collect();
    for email in &readers {
        let signup = json!({ "email": email, "password": TEST_PASSWORD, "name": "Reader" });
        let (status, _) = send(client.post(server.url("/api/v1/auth/signup")).json(&signup)).await;
        assert_eq!(status, 201);
        let (status, _) = send(
            client
                .post(server.url("/api/v1/auth/password-reset"))
                .json(&json!({ "email": email })),
        )
        .await;
        assert_eq!(status, 202);
    }
    server.kill();

    smtp.resume();
    let server = common::server::Server::start(data.path(), &log, &env);
    // A message the killed server was sending at that instant stays claimed until its lease
    // (60 s) runs out; the rest go at once.
    let mails = smtp.wait_for(2 * readers.len(), Duration::from_secs(90));
    for email in &readers {
        let theirs: Vec<&Mail> = mails.iter().filter(|m| &m.to() == email).collect();
        assert_eq!(theirs.len(), 2, "{email}: a verification and a reset");
    }
    let mut ids: Vec<String> = mails
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), mails.len(), "each message once");
    server.kill();
}

/// Several instances on one PostgreSQL database: each mail is claimed and sent by one of them
/// (every record shows one attempt), and a claim left by a worker that died is taken over once
/// its lease runs out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn several_instances_send_each_mail_once_and_take_over_a_dead_claim() {
    let Some(smtp) = SmtpServer::start("mail") else {
        return;
    };
    let (mut settings, data) =
        common::test_settings(Backend::Postgres, &common::bundled_content()).await;
    settings.smtp_url = Some(smtp.url().parse().unwrap());
    settings.jwt_secret = Some(
        "one secret shared by every instance of the site"
            .parse()
            .unwrap(),
    );
    let other_data = common::TestData::folder();
    let mut other_settings = settings.clone();
    other_settings.data_dir = other_data.path().to_path_buf();
    let first = common::spawn_settings(settings, data).await;
    let second = common::spawn_settings(other_settings, other_data).await;

    for i in 0..10 {
        let app = if i % 2 == 0 { &first } else { &second };
        let email = format!("many{i}@example.com");
        app.sign_up(&email).await;
        post_json(
            app,
            "/api/v1/auth/password-reset",
            json!({ "email": email }),
        )
        .await;
    }
    let mails = smtp.wait_for(20, WITHIN);
    let db = first.database().await;
    let unsent = "SELECT COUNT(*) FROM outbox WHERE status <> $1";
    until_count(&db, unsent, "delivered", 0).await;
    let attempts: Vec<i64> = sqlx::query_scalar("SELECT attempts FROM outbox")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(attempts, vec![1; 20], "each mail claimed and sent once");
    assert_eq!(smtp.received().len(), mails.len());

    // A worker claimed this one for a minute and died; another sends it when the claim ends.
    let raw = mails[0]
        .raw
        .replace(
            &mails[0].header("Message-ID").unwrap(),
            "<dead-claim@tests.example>",
        )
        .replace('\n', "\r\n");
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    sqlx::query(
        "INSERT INTO outbox (id, kind, message_id, recipient, event_type, payload, status, \
         attempts, created_at, next_attempt_at, claimed_until) \
         VALUES ('dead', 'mail', 'dead-claim@tests.example', 'many0@example.com', 'sign_in', \
         $1, 'pending', 1, $2, $2, $2)",
    )
    .bind(raw)
    .bind(soon)
    .execute(&db)
    .await
    .unwrap();
    let taken = wait_for(
        || {
            smtp.received()
                .into_iter()
                .filter(|m| m.header("Message-ID").as_deref() == Some("<dead-claim@tests.example>"))
                .collect()
        },
        1,
        WITHIN,
    );
    assert_eq!(taken.len(), 1);
}
