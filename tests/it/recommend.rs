//! "Recommended for you": personal for Plus and Pro readers, the plain next lessons for
//! everyone else.

use crate::common;

use common::{spawn, Backend, TestApp};
use lectern::plans::Plan;
use serde_json::json;

async fn recommended(app: &TestApp, token: &str) -> Vec<String> {
    let page = app
        .client
        .get(app.url("/lessons/attention-step-by-step"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page
        .find("id=\"recommended-title\"")
        .expect("a recommended section");
    let section = &page[start..start + page[start..].find("</section>").unwrap()];
    section
        .split("href=\"/lessons/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

async fn reader_with_progress(app: &TestApp, email: &str) -> String {
    let (token, _) = app.sign_up(email).await;
    for (slug, body) in [
        (
            "transformer-revolution",
            json!({"percent": 100, "completed": true}),
        ),
        ("fine-tuning-and-alignment", json!({"percent": 40})),
    ] {
        let response = app
            .client
            .put(app.url(&format!("/api/v1/lessons/{slug}/progress")))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plus_readers_get_recommendations_from_their_progress() {
    let app = spawn(Backend::Sqlite).await;
    let free = reader_with_progress(&app, "free@example.com").await;
    let plus = reader_with_progress(&app, "plus@example.com").await;
    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, "plus@example.com", Plan::Plus)
        .await
        .unwrap();

    assert_eq!(
        recommended(&app, &plus).await,
        [
            "fine-tuning-and-alignment",
            "tokens-and-embeddings",
            "pretraining-and-scaling"
        ],
        "continue what was started, then what follows what was finished, then what comes next"
    );
    assert_eq!(
        recommended(&app, &free).await,
        [
            "pretraining-and-scaling",
            "fine-tuning-and-alignment",
            "context-windows-prompting-and-cost"
        ],
        "the free plan sees the plain next lessons"
    );
    assert_eq!(
        recommended(&app, &plus).await[0],
        "fine-tuning-and-alignment",
        "the plain next lessons, kept for the free plan, never reach a Plus reader"
    );
}
