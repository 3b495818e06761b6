//! Two instances on one PostgreSQL database: what one publishes, edits or unpublishes, the
//! other serves so on its next request.

use reqwest::Method;

use crate::common::admin::{act, admin_token, call, create, edit, lesson_source};
use crate::common::{send, two_instances, TestApp};

const PATH: &str = "/api/v1/lessons/shared-lesson";

/// Two instances with an admin (its token, from the first) and the shared lesson published
/// through the first.
async fn with_published() -> (TestApp, TestApp, String) {
    let (first, second) = two_instances().await;
    let token = admin_token(&first).await;
    let source = lesson_source("shared-lesson", "Shared", "Written on the first instance.");
    assert_eq!(create(&first, &token, &source).await.0, 201);
    assert_eq!(act(&first, &token, "shared-lesson", "publish").await.0, 200);
    (first, second, token)
}

/// Each instance has loaded its catalog; a token from one works on the other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn an_admin_token_from_one_instance_works_on_the_other() {
    let (first, second) = two_instances().await;
    let token = admin_token(&first).await;
    assert_eq!(
        send(call(
            &second,
            Method::GET,
            "/api/v1/admin/lessons",
            Some(&token)
        ))
        .await
        .0,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_lesson_published_on_one_instance_is_served_by_the_other_not_before() {
    let (first, second) = two_instances().await;
    let token = admin_token(&first).await;
    assert_eq!(second.get_json(PATH).await.0, 404);

    let source = lesson_source("shared-lesson", "Shared", "Written on the first instance.");
    assert_eq!(create(&first, &token, &source).await.0, 201);
    assert_eq!(
        second.get_json(PATH).await.0,
        404,
        "a draft stays hidden everywhere"
    );
    assert_eq!(act(&first, &token, "shared-lesson", "publish").await.0, 200);

    let (status, lesson) = second.get_json(PATH).await;
    assert_eq!(
        status, 200,
        "the second instance serves it on its next request"
    );
    assert!(lesson["html"]
        .as_str()
        .unwrap()
        .contains("Written on the first instance."));
    let (status, page) = second.get_text("/lessons/shared-lesson").await;
    assert_eq!(status, 200);
    assert!(page.contains("Written on the first instance."));
}

/// An edit through the second is live on the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn an_edit_on_one_instance_is_live_on_the_other() {
    let (first, second, token) = with_published().await;
    let edited = lesson_source("shared-lesson", "Shared", "Edited on the second instance.");
    let (status, _) = edit(&second, &token, "shared-lesson", &edited).await;
    assert_eq!(status, 200);
    let (_, lesson) = first.get_json(PATH).await;
    assert!(lesson["html"]
        .as_str()
        .unwrap()
        .contains("Edited on the second instance."));
}

/// Unpublished through the first: gone on the second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_lesson_unpublished_on_one_instance_is_gone_on_the_other() {
    let (first, second, token) = with_published().await;
    assert_eq!(second.get_json(PATH).await.0, 200);
    assert_eq!(
        act(&first, &token, "shared-lesson", "unpublish").await.0,
        200
    );
    assert_eq!(second.get_json(PATH).await.0, 404);
}
