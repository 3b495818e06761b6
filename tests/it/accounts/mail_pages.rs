//! The pages of mailed links (API.md sections 11 and 12), driven as a browser without
//! JavaScript would: forms posted with the cookie jar and this site's `Origin`, links read
//! from the mail the instance wrote to `<data dir>/outbox/` (no SMTP server configured).

use std::time::Duration;

use reqwest::Response;
use serde_json::json;

use crate::common::mail::{outbox_files, wait_for};
use crate::common::{spawn, Backend, TestApp, TEST_PASSWORD};

const NOOR: &str = "noor@example.com";
const NEW_PASSWORD: &str = "a brand new lectern password";
const EXPIRED: &str = "This link has expired or has already been used.";

/// An account made by another client: the app's client (the browser) stays signed out.
async fn account_exists(app: &TestApp, email: &str) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/signup"))
        .json(&json!({ "email": email, "password": TEST_PASSWORD, "name": "Noor" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
}

/// Noor signed up through the form: the browser holds her session.
async fn signed_up_in_browser(app: &TestApp) {
    let response = app
        .post("/signup")
        .form(&[
            ("name", "Noor"),
            ("email", NOOR),
            ("password", TEST_PASSWORD),
            ("next", "/account"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
}

/// The CSRF token of the signed-in browser's forms.
async fn csrf_token(app: &TestApp) -> String {
    let (status, page) = app.get_text("/account").await;
    assert_eq!(status, 200, "{page}");
    page.split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a CSRF token on the account page")
        .to_owned()
}

/// The token of the `nth` (1-based) mail to `to` with a link to `page`, once it is written.
async fn link_token(app: &TestApp, to: &str, page: &str, nth: usize) -> String {
    let dir = app.settings.data_dir.clone();
    let to = to.to_owned();
    let marker = format!("{page}?token=");
    let mails = tokio::task::spawn_blocking(move || {
        let read = || {
            outbox_files(&dir)
                .into_iter()
                .filter(|m| m.to() == to && m.text().contains(&marker))
                .collect()
        };
        wait_for(read, nth, Duration::from_secs(20))
    })
    .await
    .unwrap();
    mails[nth - 1].token(page)
}

async fn submit(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Response {
    app.post(path).form(form).send().await.unwrap()
}

fn referrer_policies(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all("referrer-policy")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn assert_no_referrer(response: &Response, what: &str) {
    assert_eq!(
        referrer_policies(response),
        ["no-referrer"],
        "{what}: one Referrer-Policy, no-referrer"
    );
}

fn location(response: &Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn api_log_in(app: &TestApp, password: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({ "email": NOOR, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_password_is_reset_through_the_pages() {
    let app = spawn(Backend::Sqlite).await;
    account_exists(&app, NOOR).await;

    let (status, login) = app.get_text("/login").await;
    assert_eq!(status, 200);
    assert!(login.contains("href=\"/forgot-password\""), "{login}");
    let (status, forgot) = app.get_text("/forgot-password").await;
    assert_eq!(status, 200);
    assert!(forgot.contains("action=\"/forgot-password\""));

    // The same answer whether or not an account has the address.
    let known = submit(&app, "/forgot-password", &[("email", NOOR)]).await;
    assert_eq!(known.status(), 200);
    let known = known.text().await.unwrap();
    assert!(known.contains("If an account has the address"), "{known}");
    assert!(known.contains("30 minutes"));
    let unknown = submit(&app, "/forgot-password", &[("email", "nobody@example.com")]).await;
    assert_eq!(unknown.status(), 200);
    let unknown = unknown.text().await.unwrap();
    assert_eq!(
        known.replace(NOOR, "X"),
        unknown.replace("nobody@example.com", "X")
    );

    let token = link_token(&app, NOOR, "/reset-password", 1).await;
    let page = format!("/reset-password?token={token}");
    // Opening the page (twice: a mail scanner, then the reader) spends nothing.
    for _ in 0..2 {
        let opened = app.get(&page).await;
        assert_eq!(opened.status(), 200);
        assert_no_referrer(&opened, "the reset page");
        let html = opened.text().await.unwrap();
        assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")));
        assert!(html.contains("name=\"new_password\""));
    }

    // A refused password shows the form again, the link kept and still usable.
    let refused = submit(
        &app,
        "/reset-password",
        &[("token", &token), ("new_password", "short")],
    )
    .await;
    assert_eq!(refused.status(), 400);
    assert_no_referrer(&refused, "a refused reset");
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"new_password-error\""), "{html}");
    assert!(html.contains(&format!("name=\"token\" value=\"{token}\"")));

    let reset = submit(
        &app,
        "/reset-password",
        &[("token", &token), ("new_password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(reset.status(), 303);
    assert_no_referrer(&reset, "the reset's redirect");
    let to = location(&reset);
    assert!(to.starts_with("/account"), "{to}");
    assert!(!to.contains(&token), "the token never goes into a Location");
    let (status, account) = app.get_text(&to).await;
    assert_eq!(status, 200, "the reset signed the browser in");
    assert!(account.contains("Your new password is set"), "{account}");
    assert!(account.contains(NOOR));

    assert_eq!(
        api_log_in(&app, NEW_PASSWORD).await,
        200,
        "the new password works"
    );
    assert_eq!(
        api_log_in(&app, TEST_PASSWORD).await,
        401,
        "the old one does not"
    );

    // A spent link: its page still opens, but posting it says it is used up.
    let again = submit(
        &app,
        "/reset-password",
        &[
            ("token", &token),
            ("new_password", "yet another fine password"),
        ],
    )
    .await;
    assert_eq!(again.status(), 400);
    assert_no_referrer(&again, "a spent link's answer");
    let html = again.text().await.unwrap();
    assert!(html.contains(EXPIRED), "{html}");
    assert!(
        html.contains("href=\"/forgot-password\""),
        "a way to ask again"
    );
    assert_eq!(api_log_in(&app, NEW_PASSWORD).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_link_signs_in_and_lands_on_next() {
    const NEXT: &str = "/lessons/transformer-revolution#quiz";
    let app = spawn(Backend::Sqlite).await;
    account_exists(&app, NOOR).await;

    let (_, login) = app.get_text(&format!("/login?next={NEXT}")).await;
    assert!(login.contains("Email me a sign-in link"), "{login}");
    assert!(login.contains("href=\"/sign-in?next="));
    let form = app
        .get(&format!(
            "/sign-in?next={}",
            "/lessons/transformer-revolution%23quiz"
        ))
        .await;
    assert_eq!(form.status(), 200);
    assert_no_referrer(&form, "the sign-in page");
    let html = form.text().await.unwrap();
    // Tera escapes `/` in values as `&#x2F;`; a browser posts the path as it was.
    let escaped = NEXT.replace('/', "&#x2F;");
    assert!(
        html.contains(&format!("name=\"next\" value=\"{escaped}\"")),
        "{html}"
    );

    let asked = submit(&app, "/sign-in", &[("email", NOOR), ("next", NEXT)]).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("If an account has the address") && html.contains("15 minutes"));

    let token = link_token(&app, NOOR, "/sign-in", 1).await;
    let opened = app.get(&format!("/sign-in?token={token}")).await;
    assert_eq!(opened.status(), 200);
    assert_no_referrer(&opened, "the sign-in link's page");
    assert!(opened.text().await.unwrap().contains(">Sign in</button>"));
    assert_eq!(
        app.get("/account").await.status(),
        303,
        "opening the link signs nobody in"
    );

    let signed = submit(&app, "/sign-in", &[("token", &token)]).await;
    assert_eq!(signed.status(), 303);
    assert_no_referrer(&signed, "the sign-in redirect");
    assert_eq!(location(&signed), NEXT);
    let (status, account) = app.get_text("/account").await;
    assert_eq!(status, 200);
    assert!(account.contains(NOOR));

    let spent = submit(&app, "/sign-in", &[("token", &token)]).await;
    assert_eq!(spent.status(), 400);
    assert!(spent.text().await.unwrap().contains(EXPIRED));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verify_page_marks_the_account_verified() {
    let app = spawn(Backend::Sqlite).await;
    signed_up_in_browser(&app).await;
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains(">Not verified yet<"), "{account}");
    assert!(account.contains("action=\"/account/email-verification\""));
    let csrf = csrf_token(&app).await;

    let forged = submit(&app, "/account/email-verification", &[("csrf_token", "00")]).await;
    assert_eq!(forged.status(), 403, "the form's CSRF token is checked");
    let resent = submit(
        &app,
        "/account/email-verification",
        &[("csrf_token", &csrf)],
    )
    .await;
    assert_eq!(resent.status(), 200);
    assert!(resent
        .text()
        .await
        .unwrap()
        .contains("We sent a new link to"));

    // Sign-up sent the first link; the newest one is used.
    let token = link_token(&app, NOOR, "/verify-email", 2).await;
    let opened = app.get(&format!("/verify-email?token={token}")).await;
    assert_eq!(opened.status(), 200);
    assert_no_referrer(&opened, "the verify page");
    assert!(opened.text().await.unwrap().contains("Confirm my address"));
    let (_, account) = app.get_text("/account").await;
    assert!(
        account.contains(">Not verified yet<"),
        "opening verifies nothing"
    );

    let verified = submit(&app, "/verify-email", &[("token", &token)]).await;
    assert_eq!(verified.status(), 303);
    assert_no_referrer(&verified, "the verify redirect");
    let to = location(&verified);
    assert!(to.starts_with("/account") && !to.contains(&token), "{to}");
    let (_, account) = app.get_text(&to).await;
    assert!(account.contains(">Verified<"), "{account}");
    assert!(!account.contains("action=\"/account/email-verification\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_email_change_goes_through_the_account_page_and_its_link() {
    const NEW: &str = "noor.new@example.com";
    const TAKEN: &str = "taken@example.com";
    let app = spawn(Backend::Sqlite).await;
    account_exists(&app, TAKEN).await;
    signed_up_in_browser(&app).await;
    let csrf = csrf_token(&app).await;
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains("action=\"/account/email\""));

    let wrong = submit(
        &app,
        "/account/email",
        &[
            ("csrf_token", &csrf),
            ("new_email", NEW),
            ("email_password", "not my password"),
        ],
    )
    .await;
    assert_eq!(wrong.status(), 400);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("id=\"email_password-error\""), "{html}");
    assert!(
        html.contains(&format!("value=\"{NEW}\"")),
        "what was typed is kept"
    );

    let taken = submit(
        &app,
        "/account/email",
        &[
            ("csrf_token", &csrf),
            ("new_email", TAKEN),
            ("email_password", TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(taken.status(), 409);
    assert!(taken
        .text()
        .await
        .unwrap()
        .contains("id=\"new_email-error\""));

    let forged = submit(
        &app,
        "/account/email",
        &[
            ("csrf_token", "00"),
            ("new_email", NEW),
            ("email_password", TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(forged.status(), 403);

    let asked = submit(
        &app,
        "/account/email",
        &[
            ("csrf_token", &csrf),
            ("new_email", NEW),
            ("email_password", TEST_PASSWORD),
        ],
    )
    .await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(
        html.contains(&format!("We sent a link to {NEW}"))
            && html.contains("Nothing changes until you open it"),
        "{html}"
    );
    let (_, account) = app.get_text("/account").await;
    assert!(account.contains(NOOR), "nothing changed yet");

    let token = link_token(&app, NEW, "/confirm-email", 1).await;
    let opened = app.get(&format!("/confirm-email?token={token}")).await;
    assert_eq!(opened.status(), 200);
    assert_no_referrer(&opened, "the confirm page");
    assert!(opened
        .text()
        .await
        .unwrap()
        .contains("Confirm my new address"));

    let confirmed = submit(&app, "/confirm-email", &[("token", &token)]).await;
    assert_eq!(confirmed.status(), 303);
    assert_no_referrer(&confirmed, "the confirm redirect");
    let to = location(&confirmed);
    assert!(to.starts_with("/account") && !to.contains(&token), "{to}");
    let (_, account) = app.get_text(&to).await;
    assert!(account.contains(NEW), "{account}");
    assert!(!account.contains(NOOR));
    assert!(account.contains(">Verified<"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_pages_say_no_referrer_over_the_site_default() {
    let app = spawn(Backend::Sqlite).await;
    let default = app.get("/login").await;
    assert_eq!(
        referrer_policies(&default),
        ["strict-origin-when-cross-origin"],
        "other pages keep the site's policy"
    );
    for page in [
        "/reset-password?token=x",
        "/sign-in",
        "/sign-in?token=x",
        "/verify-email?token=x",
        "/confirm-email?token=x",
        "/reset-password",
    ] {
        let opened = app.get(page).await;
        assert_no_referrer(&opened, page);
    }
    for (page, form) in [
        (
            "/reset-password",
            vec![("token", "x"), ("new_password", NEW_PASSWORD)],
        ),
        ("/sign-in", vec![("token", "x")]),
        ("/verify-email", vec![("token", "x")]),
        ("/confirm-email", vec![("token", "x")]),
    ] {
        let posted = submit(&app, page, &form).await;
        assert_eq!(posted.status(), 400, "{page}: an unknown token");
        assert_no_referrer(&posted, page);
        assert!(posted.text().await.unwrap().contains(EXPIRED), "{page}");
        // Refusals before the handler runs say it too.
        let foreign = app
            .client
            .post(app.url(page))
            .header("origin", "https://evil.example")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403, "{page}: a foreign origin");
        assert_no_referrer(&foreign, page);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_sites_cannot_ask_for_links() {
    let app = spawn(Backend::Sqlite).await;
    account_exists(&app, NOOR).await;
    // Sign-up's verification mail is written first, so a refused request could not hide.
    link_token(&app, NOOR, "/verify-email", 1).await;
    for (header, value) in [
        ("origin", "https://evil.example"),
        ("sec-fetch-site", "cross-site"),
    ] {
        for (page, form) in [
            ("/forgot-password", vec![("email", NOOR)]),
            ("/sign-in", vec![("email", NOOR), ("next", "/")]),
        ] {
            let forged = app
                .client
                .post(app.url(page))
                .header(header, value)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(forged.status(), 403, "{page} with {header}: {value}");
        }
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        outbox_files(&app.settings.data_dir).len(),
        1,
        "no link was mailed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_limit_the_form_comes_back_with_the_message() {
    let app = spawn(Backend::Sqlite).await;
    let mut last = None;
    for _ in 0..31 {
        last = Some(submit(&app, "/forgot-password", &[("email", "nobody@example.com")]).await);
        if last.as_ref().unwrap().status() == 429 {
            break;
        }
    }
    let limited = last.unwrap();
    assert_eq!(limited.status(), 429, "30 a minute from one address");
    assert!(limited.headers().contains_key("retry-after"));
    let html = limited.text().await.unwrap();
    assert!(html.contains("action=\"/forgot-password\""), "{html}");
    assert!(html.contains("Too many requests"));
    assert!(html.contains("value=\"nobody@example.com\""));
    // The link pages count against the same limit.
    let reset = submit(
        &app,
        "/reset-password",
        &[("token", "x"), ("new_password", NEW_PASSWORD)],
    )
    .await;
    assert_eq!(reset.status(), 429);
    assert!(reset
        .text()
        .await
        .unwrap()
        .contains("action=\"/reset-password\""));
}
