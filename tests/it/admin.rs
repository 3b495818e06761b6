//! The admin: lessons published through the JSON API, validation, sanitising, role checks,
//! plans, and two instances sharing one PostgreSQL database.

use crate::common;

use common::{spawn, Backend, TestApp, TEST_PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    the_admin_flow_through_the_api,
    invalid_sources_are_refused_naming_field_and_line,
    only_admins_get_in,
    xss_vectors_never_reach_a_reader,
    courses_users_and_plans,
    older_revisions_can_be_restored,
    content_files_and_admin_edits_live_together,
    narrations_are_uploaded_and_their_preview_cut_at_once,
);

const ADMIN_EMAIL: &str = "admin@example.com";

/// Create an admin in the app's database and log in through the API; returns the token.
async fn admin_token(app: &TestApp) -> String {
    let db = lectern::db::Db::connect(&app.settings).await.expect("db");
    let passwords = lectern::auth::password::Passwords::new(1);
    lectern::accounts::create_admin(&db, &passwords, ADMIN_EMAIL, "Ada Admin", TEST_PASSWORD)
        .await
        .expect("create admin");
    db.close().await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// A request without cookies, with a Bearer token when given.
fn call(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> reqwest::RequestBuilder {
    let request = reqwest::Client::new().request(method, app.url(path));
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn markdown(request: reqwest::RequestBuilder, text: &str) -> reqwest::RequestBuilder {
    request
        .header("content-type", "text/markdown; charset=utf-8")
        .body(text.to_owned())
}

fn lesson_source(slug: &str, title: &str, body: &str) -> String {
    format!(
        r#"+++
title = "{title}"
slug = "{slug}"
summary = "A lesson written in the admin."
course = "ai-foundations"
position = 20
access = "free"
updated = 2026-05-01
+++
{body}
"#
    )
}

async fn create(app: &TestApp, token: &str, text: &str) -> (u16, Value) {
    answer(markdown(
        call(app, Method::POST, "/api/v1/admin/lessons", Some(token)),
        text,
    ))
    .await
}

async fn the_admin_flow_through_the_api(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (reader, _) = app.sign_up("reader@example.com").await;

    // Create a draft.
    let source = lesson_source("admin-written", "Written in the admin", "First words.");
    let (status, body) = create(&app, &token, &source).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body,
        json!({"slug": "admin-written", "status": "draft", "revision": 1})
    );
    let (status, body) = create(&app, &token, &source).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("slug_taken"))
    );

    // Readers do not see drafts; admins do.
    let path = "/api/v1/lessons/admin-written";
    assert_eq!(answer(call(&app, Method::GET, path, None)).await.0, 404);
    assert_eq!(
        answer(call(&app, Method::GET, path, Some(&reader))).await.0,
        404
    );
    assert_eq!(app.get("/lessons/admin-written").await.status(), 404);
    let (status, lesson) = answer(call(&app, Method::GET, path, Some(&token))).await;
    assert_eq!(status, 200);
    assert!(lesson["html"].as_str().unwrap().contains("First words."));
    let (_, list) = app.get_json("/api/v1/lessons").await;
    assert!(!list.to_string().contains("admin-written"));

    let (status, list) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let row = list["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["slug"] == "admin-written")
        .expect("the draft is listed");
    assert_eq!(
        (row["status"].as_str(), row["revision"].as_i64()),
        (Some("draft"), Some(1))
    );
    assert_eq!(row["title"], "Written in the admin");
    assert!(
        list["lessons"].as_array().unwrap().len() > 1,
        "imported lessons listed too"
    );

    // Publish: readers see it.
    let (status, body) = answer(call(
        &app,
        Method::POST,
        "/api/v1/admin/lessons/admin-written/publish",
        Some(&token),
    ))
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"slug": "admin-written", "status": "published"}))
    );
    let (status, lesson) = app.get_json(path).await;
    assert_eq!(status, 200);
    assert!(lesson["html"].as_str().unwrap().contains("First words."));
    let (status, page) = app.get_text("/lessons/admin-written").await;
    assert_eq!(status, 200);
    assert!(page.contains("First words."));
    let reader_page = || async {
        let response = call(&app, Method::GET, "/lessons/admin-written", Some(&reader))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    };
    assert!(reader_page().await.contains("First words."));
    let (_, list) = app.get_json("/api/v1/lessons").await;
    assert!(list.to_string().contains("admin-written"));

    // Edit: a new revision, live at once.
    let edited = lesson_source("admin-written", "Written in the admin", "Second words.");
    let (status, body) = answer(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/admin-written",
            Some(&token),
        ),
        &edited,
    ))
    .await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"slug": "admin-written", "status": "published", "revision": 2})
        )
    );
    let (_, lesson) = app.get_json(path).await;
    let html = lesson["html"].as_str().unwrap();
    assert!(html.contains("Second words.") && !html.contains("First words."));
    for page in [
        app.get_text("/lessons/admin-written").await.1,
        reader_page().await,
    ] {
        assert!(
            page.contains("Second words.") && !page.contains("First words."),
            "pages show the edit at once, to visitors and signed-in readers alike"
        );
    }
    // The admin's page links to the admin; a reader's, served after it, does not.
    let admin_page = call(&app, Method::GET, "/lessons/admin-written", Some(&token))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(admin_page.contains("href=\"/admin\""));
    assert!(!reader_page().await.contains("href=\"/admin\""));

    // The slug of an existing lesson cannot change through an edit; unknown lessons are 404.
    let renamed = lesson_source("another-slug", "Written in the admin", "x");
    let (status, body) = answer(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/admin-written",
            Some(&token),
        ),
        &renamed,
    ))
    .await;
    assert_eq!(status, 400);
    assert!(body["error"]["fields"]["slug"].is_string(), "{body}");
    let (status, _) = answer(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/nobody-wrote-this",
            Some(&token),
        ),
        &lesson_source("nobody-wrote-this", "T", "x"),
    ))
    .await;
    assert_eq!(status, 404);

    // Revisions, with their author.
    let (status, body) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/admin-written/revisions",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let revisions = body["revisions"].as_array().unwrap();
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[0]["revision"], 2);
    for revision in revisions {
        assert_eq!(revision["author"], ADMIN_EMAIL);
        assert!(revision["created_at"].as_str().unwrap().ends_with('Z'));
    }

    // Unpublish: gone for readers, still there for admins.
    let (status, body) = answer(call(
        &app,
        Method::POST,
        "/api/v1/admin/lessons/admin-written/unpublish",
        Some(&token),
    ))
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"slug": "admin-written", "status": "draft"}))
    );
    assert_eq!(app.get_json(path).await.0, 404);
    assert_eq!(app.get("/lessons/admin-written").await.status(), 404);
    assert_eq!(
        answer(call(&app, Method::GET, path, Some(&token))).await.0,
        200
    );

    // Delete.
    let response = call(
        &app,
        Method::DELETE,
        "/api/v1/admin/lessons/admin-written",
        Some(&token),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        answer(call(&app, Method::GET, path, Some(&token))).await.0,
        404
    );
    for (method, action) in [(Method::POST, "/publish"), (Method::DELETE, "")] {
        let url = format!("/api/v1/admin/lessons/admin-written{action}");
        assert_eq!(answer(call(&app, method, &url, Some(&token))).await.0, 404);
    }
    // The slug is free again.
    assert_eq!(create(&app, &token, &source).await.0, 201);
}

async fn invalid_sources_are_refused_naming_field_and_line(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let good = lesson_source("checked", "Checked", "Body.");
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
            let (status, body) = answer(markdown(
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
    let (_, list) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert!(!list.to_string().contains("checked"));
    // The good one previews without saving, and saves.
    let (status, preview) = answer(markdown(
        call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)),
        &good,
    ))
    .await;
    assert_eq!(status, 200, "{preview}");
    assert!(preview["html"].as_str().unwrap().contains("Body."));
    assert!(preview["token_count"]["o200k_base"].as_u64().unwrap() > 0);
    assert!(preview["token_count"]["cl100k_base"].as_u64().unwrap() > 0);
    let (_, list) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert!(
        !list.to_string().contains("checked"),
        "a preview saves nothing"
    );
    assert_eq!(create(&app, &token, &good).await.0, 201);

    // Bodies must be Markdown, and not huge.
    let (status, body) = answer(
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
        answer(call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)).body("x")).await;
    assert_eq!(status, 415);
    let huge = lesson_source("huge", "Huge", &"word ".repeat(300_000));
    let (status, body) = create(&app, &token, &huge).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
}

async fn only_admins_get_in(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (learner, learner_user) = app.sign_up("learner@example.com").await;
    let source = lesson_source("guarded", "Guarded", "Body.");
    let routes: Vec<(Method, String)> = vec![
        (Method::GET, "/api/v1/admin/lessons".into()),
        (Method::POST, "/api/v1/admin/lessons".into()),
        (
            Method::PUT,
            "/api/v1/admin/lessons/transformer-revolution".into(),
        ),
        (
            Method::GET,
            "/api/v1/admin/lessons/transformer-revolution/revisions".into(),
        ),
        (
            Method::POST,
            "/api/v1/admin/lessons/transformer-revolution/publish".into(),
        ),
        (
            Method::POST,
            "/api/v1/admin/lessons/transformer-revolution/unpublish".into(),
        ),
        (
            Method::DELETE,
            "/api/v1/admin/lessons/transformer-revolution".into(),
        ),
        (Method::POST, "/api/v1/admin/preview".into()),
        (Method::PUT, "/api/v1/admin/courses/ai-foundations".into()),
        (Method::GET, "/api/v1/admin/users?q=a".into()),
        (
            Method::PUT,
            format!(
                "/api/v1/admin/users/{}/plan",
                learner_user["id"].as_str().unwrap()
            ),
        ),
    ];
    for (method, path) in &routes {
        let (status, body) =
            answer(markdown(call(&app, method.clone(), path, None), &source)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthenticated")),
            "{method} {path}"
        );
        let (status, body) = answer(markdown(
            call(&app, method.clone(), path, Some(&learner)),
            &source,
        ))
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{method} {path}"
        );
    }
    let (status, _) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);

    // An admin signed in with the cookie: same-origin requests pass, others are refused.
    let login = app
        .post("/api/v1/auth/login")
        .json(&json!({"email": ADMIN_EMAIL, "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let response = markdown(app.client.post(app.url("/api/v1/admin/lessons")), &source)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf_failed");
    let response = markdown(
        app.client
            .post(app.url("/api/v1/admin/lessons"))
            .header("origin", "https://evil.example"),
        &source,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 403);
    let response = markdown(app.post("/api/v1/admin/lessons"), &source)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let response = app
        .client
        .get(app.url("/api/v1/admin/lessons"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "a GET needs no Origin");
}

/// Script, handlers, dangerous URLs, frames, objects and styles, as an attacker would write them.
const XSS_VECTORS: [&str; 30] = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR=\"alert(1)\">",
    "<a href=\"javascript:alert(1)\">j1</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">j2</a>",
    "<a href=\"&#106;avascript:alert(1)\">j3</a>",
    "<a href=\"java\tscript:alert(1)\">j4</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d1</a>",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"x.swf\"></object>",
    "<embed src=\"x.swf\">",
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">styled</div>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)><summary>s</summary></details>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=\"https://evil.example/x.css\">",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "[m1](javascript:alert(1))",
    "![m2](javascript:alert(1))",
    "[m3](data:text/html,<script>alert(1)</script>)",
];

const FORBIDDEN_TAGS: [&str; 14] = [
    "script", "iframe", "object", "embed", "style", "svg", "math", "form", "meta", "base", "link",
    "frame", "frameset", "applet",
];

/// Every tag in an HTML fragment: no forbidden element, event handler, `javascript:` or
/// `data:` URL, or `style` attribute. Text (escaped `&lt;…`) is not a tag, so it may say anything.
fn assert_clean(html: &str, context: &str) {
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"), "{context}: <script in {html}");
    let mut rest = lower.as_str();
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start + 1..end];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        assert!(
            !FORBIDDEN_TAGS.contains(&name.as_str()),
            "{context}: <{tag}>"
        );
        for attribute in tag.split_whitespace().skip(1) {
            let attribute = attribute.trim_start_matches('/');
            assert!(
                !(attribute.starts_with("on") && attribute.contains('=')),
                "{context}: handler in <{tag}>"
            );
            assert!(
                !attribute.starts_with("style="),
                "{context}: style in <{tag}>"
            );
            assert!(
                !attribute.starts_with("srcdoc"),
                "{context}: srcdoc in <{tag}>"
            );
        }
        assert!(
            !tag.contains("javascript:"),
            "{context}: javascript: in <{tag}>"
        );
        assert!(
            !tag.contains("vbscript:"),
            "{context}: vbscript: in <{tag}>"
        );
        assert!(!tag.contains("data:"), "{context}: data: in <{tag}>");
        rest = &rest[end.min(rest.len())..];
        if rest.starts_with('>') {
            rest = &rest[1..];
        }
    }
}

async fn xss_vectors_never_reach_a_reader(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let code_sample = "<script>alert(1)</script> <img src=x onerror=alert(1)>";
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        let slug = format!("xss-{i}");
        let body =
            format!("Before {i}.\n\n```html\n{code_sample}\n```\n\n{vector}\n\nAfter {i}.\n");
        let (status, answer_body) = create(&app, &token, &lesson_source(&slug, "XSS", &body)).await;
        assert_eq!(status, 201, "{vector}: {answer_body}");
        let publish = format!("/api/v1/admin/lessons/{slug}/publish");
        assert_eq!(
            answer(call(&app, Method::POST, &publish, Some(&token)))
                .await
                .0,
            200
        );

        let (status, lesson) = app.get_json(&format!("/api/v1/lessons/{slug}")).await;
        assert_eq!(status, 200);
        let html = lesson["html"].as_str().unwrap();
        assert_clean(html, &format!("JSON of {vector}"));
        assert!(
            html.contains(&format!("After {i}.")),
            "the rest of the lesson survives {vector}"
        );
        assert!(
            html.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
            ),
            "the code block is shown as text, intact: {html}"
        );

        let (status, page) = app.get_text(&format!("/lessons/{slug}")).await;
        assert_eq!(status, 200);
        // Everything around the lesson body is the site's own (its forms, its script).
        let main = page
            .split("<div class=\"prose\">")
            .nth(1)
            .and_then(|m| m.split("</article>").next())
            .expect("the lesson body");
        assert!(
            !page.contains("alert(1)</script>"),
            "no script of the lesson runs on its page"
        );
        assert_clean(main, &format!("page of {vector}"));
        assert!(main.contains(&format!("After {i}.")));

        let (status, preview) = answer(markdown(
            call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)),
            &lesson_source(&slug, "XSS", &body),
        ))
        .await;
        assert_eq!(status, 200);
        assert_clean(
            preview["html"].as_str().unwrap(),
            &format!("preview of {vector}"),
        );
    }
}

async fn courses_users_and_plans(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;

    // A new course, then a lesson in it; changing the course keeps its place.
    let path = "/api/v1/admin/courses/prompt-craft";
    let (status, course) = answer(
        call(&app, Method::PUT, path, Some(&token))
            .json(&json!({"title": "Prompt Craft", "summary": "Writing prompts."})),
    )
    .await;
    assert_eq!(status, 200, "{course}");
    assert_eq!(
        course,
        json!({"slug": "prompt-craft", "title": "Prompt Craft", "summary": "Writing prompts.", "lessons": []})
    );
    let source = lesson_source("first-prompt", "First prompt", "Hello.")
        .replace("course = \"ai-foundations\"", "course = \"prompt-craft\"");
    assert_eq!(create(&app, &token, &source).await.0, 201);
    let publish = "/api/v1/admin/lessons/first-prompt/publish";
    assert_eq!(
        answer(call(&app, Method::POST, publish, Some(&token)))
            .await
            .0,
        200
    );
    let (status, course) = answer(
        call(&app, Method::PUT, path, Some(&token))
            .json(&json!({"title": "Prompt Craft II", "summary": "Better prompts."})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(course["title"], "Prompt Craft II");
    assert_eq!(course["lessons"][0]["slug"], "first-prompt");
    let (_, courses) = app.get_json("/api/v1/courses").await;
    let slugs: Vec<_> = courses["courses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["slug"].clone())
        .collect();
    assert_eq!(slugs, [json!("ai-foundations"), json!("prompt-craft")]);
    let (status, body) = answer(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/courses/Bad%20Slug",
            Some(&token),
        )
        .json(&json!({"title": "", "summary": "x"})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["fields"]["slug"].is_string() && body["error"]["fields"]["title"].is_string()
    );

    // Users: search by name or email, change a plan, and the change is recorded.
    let (_, grace) = app.sign_up("grace.hopper@example.com").await;
    let (_, _) = app.sign_up("alan@example.com").await;
    let (status, found) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=HOPPER",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let emails: Vec<_> = found["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].clone())
        .collect();
    assert_eq!(emails, [json!("grace.hopper@example.com")]);
    let (_, found) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=test%20reader",
        Some(&token),
    ))
    .await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        2,
        "by name: {found}"
    );
    let (_, found) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/users?q=%25",
        Some(&token),
    ))
    .await;
    assert_eq!(
        found["users"].as_array().unwrap().len(),
        0,
        "% is not a wildcard"
    );
    let (_, all) = answer(call(&app, Method::GET, "/api/v1/admin/users", Some(&token))).await;
    assert_eq!(all["users"].as_array().unwrap().len(), 3);

    let id = grace["id"].as_str().unwrap();
    let plan_path = format!("/api/v1/admin/users/{id}/plan");
    let (status, user) =
        answer(call(&app, Method::PUT, &plan_path, Some(&token)).json(&json!({"plan": "pro"})))
            .await;
    assert_eq!(status, 200);
    assert_eq!(
        (user["id"].as_str(), user["plan"].as_str()),
        (Some(id), Some("pro"))
    );
    let (status, body) =
        answer(call(&app, Method::PUT, &plan_path, Some(&token)).json(&json!({"plan": "gold"})))
            .await;
    assert_eq!(status, 400);
    assert!(body["error"]["fields"]["plan"].is_string());
    let (status, _) = answer(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/users/no-such-user/plan",
            Some(&token),
        )
        .json(&json!({"plan": "plus"})),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) =
        answer(call(&app, Method::PUT, &plan_path, Some(&token)).json(&json!({"plan": "plus"})))
            .await;
    assert_eq!(status, 200);

    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    let changes = lectern::db::admin::plan_changes(&db, id).await.unwrap();
    db.close().await;
    let changes: Vec<_> = changes
        .iter()
        .map(|(from, to, author, _)| (from.as_str(), to.as_str(), author.as_str()))
        .collect();
    assert_eq!(
        changes,
        [("pro", "plus", ADMIN_EMAIL), ("free", "pro", ADMIN_EMAIL)]
    );
}

async fn older_revisions_can_be_restored(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    // An imported lesson (no slug needed in an edit that keeps the file's slug).
    let (_, current) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution",
        Some(&token),
    ))
    .await;
    let original = current["source"].as_str().unwrap().to_owned();
    assert_eq!(
        current["source_path"],
        "ai-foundations/01-transformer-revolution.md"
    );
    let edited = original.replace(
        "title = \"The Transformer Revolution & How LLMs Work\"",
        "title = \"Edited in the admin\"",
    );
    assert_ne!(edited, original);
    let (status, saved) = answer(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/transformer-revolution",
            Some(&token),
        ),
        &edited,
    ))
    .await;
    assert_eq!(
        (status, saved["revision"].as_i64()),
        (200, Some(2)),
        "{saved}"
    );
    let (_, lesson) = app.get_json("/api/v1/lessons/transformer-revolution").await;
    assert_eq!(lesson["title"], "Edited in the admin");

    let (status, old) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution/revisions/1",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(old["source"], original.as_str());
    assert_eq!(old["author"], "content import");
    let (status, saved) = answer(call(
        &app,
        Method::POST,
        "/api/v1/admin/lessons/transformer-revolution/revisions/1/restore",
        Some(&token),
    ))
    .await;
    assert_eq!((status, saved["revision"].as_i64()), (200, Some(3)));
    let (_, lesson) = app.get_json("/api/v1/lessons/transformer-revolution").await;
    assert_eq!(
        lesson["title"],
        "The Transformer Revolution & How LLMs Work"
    );
    let (_, revisions) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/transformer-revolution/revisions",
        Some(&token),
    ))
    .await;
    let authors: Vec<_> = revisions["revisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["author"].clone())
        .collect();
    assert_eq!(
        authors,
        [
            json!(ADMIN_EMAIL),
            json!(ADMIN_EMAIL),
            json!("content import")
        ]
    );
}

/// The README's rule: an unchanged file never overwrites a newer admin revision, a changed
/// file becomes a new revision, and a file never takes over a lesson written in the admin.
async fn content_files_and_admin_edits_live_together(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    let course = content.path().join("ai-foundations");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"AI Foundations\"\nsummary = \"Demo.\"\n",
    )
    .unwrap();
    let file_source = lesson_source("from-file", "From the file", "File words.");
    std::fs::write(course.join("from-file.md"), &file_source).unwrap();
    let app = common::spawn_with(backend, content.path()).await;
    let token = admin_token(&app).await;
    let import = || async {
        let db = lectern::db::Db::connect(&app.settings).await.unwrap();
        let report = lectern::content::import::import_dir(&db, content.path())
            .await
            .unwrap();
        db.close().await;
        report
    };

    // An admin edit of a file-backed lesson survives a re-import of the unchanged file.
    let edited = lesson_source("from-file", "From the file", "Admin words.");
    let (status, _) = answer(markdown(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/from-file",
            Some(&token),
        ),
        &edited,
    ))
    .await;
    assert_eq!(status, 200);
    let report = import().await;
    assert!(
        report.created.is_empty() && report.updated.is_empty(),
        "{report}"
    );
    let (_, current) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/from-file",
        Some(&token),
    ))
    .await;
    assert_eq!(
        (current["revision"].as_i64(), current["source"].as_str()),
        (Some(2), Some(edited.as_str()))
    );

    // A changed file becomes a new revision.
    let changed = lesson_source("from-file", "From the file", "New file words.");
    std::fs::write(course.join("from-file.md"), &changed).unwrap();
    let report = import().await;
    assert_eq!(report.updated, ["from-file"], "{report}");
    let (_, current) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/from-file",
        Some(&token),
    ))
    .await;
    assert_eq!(current["revision"], 3);
    assert_eq!(current["source"], changed.as_str());

    // A lesson written in the admin has no file, and a file with its slug is refused.
    let admin_source = lesson_source("admin-only", "Admin only", "Admin text.");
    assert_eq!(create(&app, &token, &admin_source).await.0, 201);
    let (_, current) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/admin-only",
        Some(&token),
    ))
    .await;
    assert!(current["source_path"].is_null());
    std::fs::write(
        course.join("admin-only.md"),
        lesson_source("admin-only", "Usurper", "File text."),
    )
    .unwrap();
    let report = import().await;
    assert_eq!(report.errors.len(), 1, "{report}");
    assert!(report.errors[0].contains("admin-only.md"), "{report}");
    let (_, current) = answer(call(
        &app,
        Method::GET,
        "/api/v1/admin/lessons/admin-only",
        Some(&token),
    ))
    .await;
    assert_eq!(
        (current["revision"].as_i64(), current["source"].as_str()),
        (Some(1), Some(admin_source.as_str()))
    );
}

/// Two instances on one PostgreSQL database: what one publishes, the other serves next.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_postgres),
    ignore = "set LECTERN_TEST_POSTGRES_URL to run it"
)]
async fn a_lesson_published_on_one_instance_is_served_by_another() {
    let (first, second) = common::two_instances().await;

    // Each instance has loaded its catalog; a token from one works on the other.
    let token = admin_token(&first).await;
    assert_eq!(
        answer(call(
            &second,
            Method::GET,
            "/api/v1/admin/lessons",
            Some(&token)
        ))
        .await
        .0,
        200
    );
    let path = "/api/v1/lessons/shared-lesson";
    assert_eq!(second.get_json(path).await.0, 404);

    let source = lesson_source("shared-lesson", "Shared", "Written on the first instance.");
    assert_eq!(create(&first, &token, &source).await.0, 201);
    assert_eq!(
        second.get_json(path).await.0,
        404,
        "a draft stays hidden everywhere"
    );
    let publish = "/api/v1/admin/lessons/shared-lesson/publish";
    assert_eq!(
        answer(call(&first, Method::POST, publish, Some(&token)))
            .await
            .0,
        200
    );

    let (status, lesson) = second.get_json(path).await;
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

    // An edit through the second is live on the first.
    let edited = lesson_source("shared-lesson", "Shared", "Edited on the second instance.");
    let (status, _) = answer(markdown(
        call(
            &second,
            Method::PUT,
            "/api/v1/admin/lessons/shared-lesson",
            Some(&token),
        ),
        &edited,
    ))
    .await;
    assert_eq!(status, 200);
    let (_, lesson) = first.get_json(path).await;
    assert!(lesson["html"]
        .as_str()
        .unwrap()
        .contains("Edited on the second instance."));

    // Unpublished through the first: gone on the second.
    let unpublish = "/api/v1/admin/lessons/shared-lesson/unpublish";
    assert_eq!(
        answer(call(&first, Method::POST, unpublish, Some(&token)))
            .await
            .0,
        200
    );
    assert_eq!(second.get_json(path).await.0, 404);
}

mod pages {
    use super::*;

    on_both_backends!(admin_pages_are_for_admins_and_work_without_javascript);

    /// A same-origin form post with the session cookie.
    fn form(app: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        app.post(path).form(fields)
    }

    /// The CSRF token a page's forms carry.
    fn csrf_of(page: &str) -> String {
        let at = page
            .find("name=\"csrf_token\" value=\"")
            .expect("a form with a CSRF token");
        let rest = &page[at + "name=\"csrf_token\" value=\"".len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }

    async fn admin_pages_are_for_admins_and_work_without_javascript(backend: Backend) {
        let app = spawn(backend).await;
        let token = admin_token(&app).await;
        let (learner, learner_user) = app.sign_up("learner@example.com").await;
        for page in [
            "/admin",
            "/admin/users",
            "/admin/lessons/new",
            "/admin/lessons/transformer-revolution",
        ] {
            let status = call(&app, Method::GET, page, None)
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 401, "{page}");
            let status = call(&app, Method::GET, page, Some(&learner))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 403, "{page}");
            let response = call(&app, Method::GET, page, Some(&token))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{page}");
            let html = response.text().await.unwrap();
            assert!(
                html.contains("href=\"/admin\""),
                "{page}: the header links the admin"
            );
        }

        // Sign in with the cookie, as a browser would.
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
        assert!(index.contains("The Transformer Revolution &amp; How LLMs Work"));
        assert!(index.contains("href=\"/admin/lessons/new\""));
        assert!(index.contains("href=\"/admin/users\""));
        let csrf = csrf_of(&index);

        // Preview through a form post shows the HTML and token count without saving.
        let source = lesson_source("form-lesson", "Form lesson", "Hello **from a form**.");
        let response = form(
            &app,
            "/admin/lessons/new",
            &[
                ("csrf_token", &csrf),
                ("source", &source),
                ("action", "preview"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 200);
        let page = response.text().await.unwrap();
        assert!(page.contains("<strong>from a form</strong>"), "{page}");
        assert!(page.contains("id=\"preview-tokens\">"));
        assert!(page.contains("/static/js/admin.js"));
        assert_eq!(
            call(
                &app,
                Method::GET,
                "/api/v1/lessons/form-lesson",
                Some(&token)
            )
            .send()
            .await
            .unwrap()
            .status(),
            404
        );

        // A broken source is shown with its line, and nothing is saved.
        let broken = source.replace("access = \"free\"", "access = \"gold\"");
        let response = form(
            &app,
            "/admin/lessons/new",
            &[
                ("csrf_token", &csrf),
                ("source", &broken),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 400);
        let page = response.text().await.unwrap();
        assert!(page.contains("line 7"), "{page}");
        assert!(
            page.contains("access = &quot;gold&quot;"),
            "the source is kept in the textarea"
        );

        // A form without the CSRF token is refused.
        let response = form(
            &app,
            "/admin/lessons/new",
            &[
                ("csrf_token", "bad"),
                ("source", &source),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 403);

        // Save, publish, edit, view and restore an older revision, unpublish, delete.
        let response = form(
            &app,
            "/admin/lessons/new",
            &[
                ("csrf_token", &csrf),
                ("source", &source),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/admin/lessons/form-lesson");
        let (status, editor) = app.get_text("/admin/lessons/form-lesson").await;
        assert_eq!(status, 200);
        assert!(editor.contains("Draft") && editor.contains("Revision 1</a> by admin@example.com"));
        let response = form(
            &app,
            "/admin/lessons/form-lesson/publish",
            &[("csrf_token", &csrf)],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(app.get("/lessons/form-lesson").await.status(), 200);

        let edited = source.replace("Hello", "Goodbye");
        let response = form(
            &app,
            "/admin/lessons/form-lesson",
            &[
                ("csrf_token", &csrf),
                ("source", &edited),
                ("action", "save"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        let (_, page) = app.get_text("/lessons/form-lesson").await;
        assert!(page.contains("Goodbye"));
        let (status, old) = app.get_text("/admin/lessons/form-lesson?revision=1").await;
        assert_eq!(status, 200);
        assert!(
            old.contains("You are viewing revision 1") && old.contains("Hello **from a form**")
        );
        let response = form(
            &app,
            "/admin/lessons/form-lesson/revisions/1/restore",
            &[("csrf_token", &csrf)],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        let (_, page) = app.get_text("/lessons/form-lesson").await;
        assert!(page.contains("Hello <strong>from a form</strong>"));
        let (_, editor) = app.get_text("/admin/lessons/form-lesson").await;
        assert!(editor.contains("Revision 3</a> by admin@example.com"));

        let response = form(
            &app,
            "/admin/lessons/form-lesson/unpublish",
            &[("csrf_token", &csrf)],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        let reader = call(&app, Method::GET, "/lessons/form-lesson", None)
            .send()
            .await
            .unwrap();
        assert_eq!(reader.status(), 404, "readers no longer see it");
        assert_eq!(
            app.get("/lessons/form-lesson").await.status(),
            200,
            "admins see drafts"
        );
        let response = form(
            &app,
            "/admin/lessons/form-lesson/delete",
            &[("csrf_token", &csrf)],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(app.get("/admin/lessons/form-lesson").await.status(), 404);

        // Courses: a form creates one; a bad slug is shown beside its field.
        let response = form(
            &app,
            "/admin/courses",
            &[
                ("csrf_token", &csrf),
                ("slug", "Bad Slug"),
                ("title", "T"),
                ("summary", "S"),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("slug-error"));
        let response = form(
            &app,
            "/admin/courses",
            &[
                ("csrf_token", &csrf),
                ("slug", "new-course"),
                ("title", "New course"),
                ("summary", "Fresh."),
            ],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        let (_, index) = app.get_text("/admin").await;
        assert!(index.contains("<strong>New course</strong> <code>new-course</code>"));

        // Users: find by email, see the role, change the plan.
        let (status, users) = app.get_text("/admin/users?q=learner").await;
        assert_eq!(status, 200);
        assert!(users.contains("learner@example.com") && users.contains("learner</td>"));
        assert!(!users.contains(ADMIN_EMAIL));
        let id = learner_user["id"].as_str().unwrap();
        let response = form(
            &app,
            &format!("/admin/users/{id}/plan"),
            &[("csrf_token", &csrf), ("plan", "plus"), ("q", "learner")],
        )
        .send()
        .await
        .unwrap();
        assert_eq!(response.status(), 303);
        assert_eq!(response.headers()["location"], "/admin/users?q=learner");
        let (_, me) = answer(call(&app, Method::GET, "/api/v1/me", Some(&learner))).await;
        assert_eq!(me["plan"], "plus");

        // The editor's script is served.
        let response = app.get("/static/js/admin.js").await;
        assert_eq!(response.status(), 200);
        assert!(response.text().await.unwrap().contains("data-preview"));
    }
}

async fn narrations_are_uploaded_and_their_preview_cut_at_once(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    let (status, _) = create(
        &app,
        &token,
        &lesson_source("narrated", "Narrated", "Body."),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = answer(call(
        &app,
        Method::POST,
        "/api/v1/admin/lessons/narrated/publish",
        Some(&token),
    ))
    .await;
    assert_eq!(status, 200);
    let (_, before) = answer(call(&app, Method::GET, "/api/v1/lessons/narrated", None)).await;
    assert_eq!(before["has_audio"], false);

    let upload = |body: Vec<u8>, content_type: &'static str| {
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/narrated/audio",
            Some(&token),
        )
        .header("content-type", content_type)
        .body(body)
    };
    let mp3 = std::fs::read(
        common::bundled_content().join("ai-foundations/01-transformer-revolution.mp3"),
    )
    .unwrap();
    let (status, body) = answer(upload(b"definitely not audio".to_vec(), "audio/mpeg")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid_input")),
        "{body}"
    );
    let (status, _) = answer(upload(mp3.clone(), "text/plain")).await;
    assert_eq!(status, 415);
    let (status, _) = answer(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/narrated/audio",
            None,
        )
        .header("content-type", "audio/mpeg")
        .body(mp3.clone()),
    )
    .await;
    assert_eq!(status, 401);

    let (status, body) = answer(upload(mp3.clone(), "audio/mpeg")).await;
    assert_eq!(status, 200, "{body}");
    let duration = body["duration_seconds"].as_f64().unwrap();
    let preview = body["preview_seconds"].as_f64().unwrap();
    assert!(duration > 60.0, "the whole narration: {duration}");
    assert!(
        preview > 25.0 && preview <= 30.0,
        "the preview is cut at once: {preview}"
    );

    let (_, after) = answer(call(&app, Method::GET, "/api/v1/lessons/narrated", None)).await;
    assert_eq!(after["has_audio"], true, "live at once");
    let response = reqwest::get(app.url("/api/v1/lessons/narrated/audio/preview"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "audio/mpeg");
    let served = response.bytes().await.unwrap();
    assert!(
        served.len() < mp3.len(),
        "the preview is only the first seconds"
    );
    let (status, _) = answer(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/no-such/audio",
            Some(&token),
        )
        .header("content-type", "audio/mpeg")
        .body(mp3),
    )
    .await;
    assert_eq!(status, 404);
}
