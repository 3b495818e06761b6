//! A signed-in reader's session and record are kept between pages only while the database's
//! version holds: a plan set through another connection (as the CLI sets it) shows within a
//! second, and a log-out through the instance on the very next page.

use lectern::plans::Plan;

use super::{fetch, set_plan, spawn_demo};
use crate::common::{Backend, TestApp};

on_both_backends!(
    a_plan_set_elsewhere_shows_within_a_second,
    a_log_out_shows_on_the_next_page,
);

/// The Pro lesson's page as the reader sees it.
async fn page(app: &TestApp, token: &str) -> (reqwest::StatusCode, String) {
    let response = fetch(app, "/lessons/pro-read", Some(token), &[]).await;
    (response.status(), response.text().await.unwrap())
}

/// An app where a Free reader has read the Pro lesson three times (so what the page needs
/// is kept); the content folder and the reader's token.
async fn with_kept_pages(backend: Backend) -> (TestApp, tempfile::TempDir, String) {
    let (app, content) = spawn_demo(backend, None).await;
    let (token, _) = app.sign_up("moving@example.com").await;
    for _ in 0..3 {
        let (status, free) = page(&app, &token).await;
        assert_eq!(status, 200);
        assert!(free.contains("Log out") && free.contains("Keep reading with"));
    }
    (app, content, token)
}

async fn a_plan_set_elsewhere_shows_within_a_second(backend: Backend) {
    let (app, _content, token) = with_kept_pages(backend).await;
    set_plan(&app, "moving@example.com", Plan::Pro).await;
    // Another process's commit: served within a second (contract section 1, "Freshness");
    // the test allows two on a shared machine.
    let set = std::time::Instant::now();
    let pro = loop {
        let (_, pro) = page(&app, &token).await;
        if pro.contains("The rest of pro-read.") {
            break pro;
        }
        assert!(
            set.elapsed() < std::time::Duration::from_secs(2),
            "the new plan shows within a second"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    };
    assert!(!pro.contains("Keep reading with"));
}

async fn a_log_out_shows_on_the_next_page(backend: Backend) {
    let (app, _content, token) = with_kept_pages(backend).await;
    let logout = app
        .client
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(logout.status(), 204);
    let (status, _) = page(&app, &token).await;
    assert_eq!(status, 401, "the ended session's token is refused at once");
}
