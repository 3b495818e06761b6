//! What the admin refuses: broken lesson sources (naming the field and line), bodies that are
//! not Markdown, and huge ones; and what a preview does (renders, counts, saves nothing).

use reqwest::Method;

use crate::common::admin::{admin_token, call, create, lesson_source, markdown};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    invalid_sources_are_refused_naming_field_and_line,
    a_preview_renders_and_counts_without_saving,
    bodies_must_be_markdown,
    huge_sources_are_refused,
);

fn good() -> String {
    lesson_source("checked", "Checked", "Body.")
}

/// Whether the admin list holds the `checked` lesson.
async fn checked_is_listed(app: &TestApp, token: &str) -> bool {
    let (_, list) = send(call(app, Method::GET, "/api/v1/admin/lessons", Some(token))).await;
    list.to_string().contains("checked")
}

async fn invalid_sources_are_refused_naming_field_and_line(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let good = good();
    let quiz = |questions: &str| {
        format!(
            "{}\n[quiz]\npass_percent = 70\n{questions}",
            good.split("\n+++\n").next().unwrap()
        )
    };
    let with_body = |front: String| format!("{front}\n+++\nBody.\n");
    let cases: Vec<(&str, String, &str, usize)> = vec![
        ("bad slug", good.replace("slug = \"checked\"", "slug = \"Not A Slug!\""), "slug", 3),
        ("unknown access", good.replace("access = \"free\"", "access = \"gold\""), "", 7),
        ("unknown course", good.replace("course = \"ai-foundations\"", "course = \"no-such-course\""), "course", 5),
        (
            "answer out of range",
            with_body(quiz("[[quiz.questions]]\nid = \"q1\"\nprompt = \"Which?\"\nchoices = [\"a\", \"b\"]\nanswer = [2]\n")),
            "quiz.questions.q1.answer",
            15,
        ),
        (
            "question without choices",
            with_body(quiz("[[quiz.questions]]\nid = \"q1\"\nprompt = \"Which?\"\nchoices = []\nanswer = [0]\n")),
            "quiz.questions.q1.choices",
            14,
        ),
        (
            "duplicate question ids",
            with_body(quiz("[[quiz.questions]]\nid = \"q1\"\nprompt = \"A?\"\nchoices = [\"a\", \"b\"]\nanswer = [0]\n\n[[quiz.questions]]\nid = \"q1\"\nprompt = \"B?\"\nchoices = [\"a\", \"b\"]\nanswer = [1]\n")),
            "quiz.questions.id",
            18,
        ),
        ("invalid TOML", good.replace("position = 20", "position = = 20"), "", 6),
        ("no front matter", "Just a body.\n".to_owned(), "source", 1),
    ];
    for (what, text, field, line) in cases {
        for path in ["/api/v1/admin/lessons", "/api/v1/admin/preview"] {
            let (status, body) = send(markdown(
                call(&app, Method::POST, path, Some(&token)),
                &text,
            ))
            .await;
            assert_eq!(status, 400, "{what} at {path}: {body}");
            let error = &body["error"];
            assert_eq!(error["code"], "invalid_input", "{what}");
            let fields = error["fields"]
                .as_object()
                .unwrap_or_else(|| panic!("{what}: {body}"));
            assert_eq!(fields.len(), 1, "{what}: {body}");
            let (name, message) = fields.iter().next().unwrap();
            if !field.is_empty() {
                assert_eq!(name, field, "{what}: {body}");
            }
            let message = message.as_str().unwrap();
            assert!(
                message.contains(&format!("line {line}")),
                "{what}: {message}"
            );
            assert!(
                error["message"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("line {line}")),
                "{what}"
            );
        }
    }
    // Nothing was half-saved.
    assert!(!checked_is_listed(&app, &token).await);
}

/// The good source previews without saving, and saves.
async fn a_preview_renders_and_counts_without_saving(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let good = good();
    let (status, preview) = send(markdown(
        call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)),
        &good,
    ))
    .await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview["html"].as_str().unwrap().contains("Body."));
    assert!(preview["token_count"]["o200k_base"].as_u64().unwrap() > 0);
    assert!(preview["token_count"]["cl100k_base"].as_u64().unwrap() > 0);
    assert!(
        !checked_is_listed(&app, &token).await,
        "a preview saves nothing"
    );
    assert_eq!(create(&app, &token, &good).await.0, 201);
}

async fn bodies_must_be_markdown(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, body) = send(
        call(&app, Method::POST, "/api/v1/admin/lessons", Some(&token))
            .header("content-type", "application/json")
            .body("{}"),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let (status, _) =
        send(call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)).body("x")).await;
    assert_eq!(status, 415);
}

async fn huge_sources_are_refused(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let huge = lesson_source("huge", "Huge", &"word ".repeat(300_000));
    let (status, body) = create(&app, &token, &huge).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}
