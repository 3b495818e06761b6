//! The site runs: catalog, lesson pages and the lesson JSON API, on SQLite and PostgreSQL.

use crate::common;

use common::{spawn, Backend};
use serde_json::Value;

const FLAGSHIP: &str = "transformer-revolution";
const PLUS_PLAYBOOK: &str = "prompting-playbook";
const PRO_LESSON: &str = "evaluating-llm-applications";

on_both_backends!(
    catalog_lists_the_course_in_order,
    flagship_page_has_every_part_of_a_lesson,
    plus_lessons_show_only_the_teaser_to_free_readers,
    json_shapes_follow_the_contract,
    quiz_answers_never_leave_the_server,
    unknown_things_are_404_in_the_right_shape,
    health_metrics_and_security_headers,
);

async fn catalog_lists_the_course_in_order(backend: Backend) {
    let app = spawn(backend).await;
    let (status, html) = app.get_text("/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("AI Foundations"),
        "course title on the catalog"
    );
    let positions: Vec<usize> = [
        FLAGSHIP,
        "tokens-and-embeddings",
        "attention-step-by-step",
        PLUS_PLAYBOOK,
        PRO_LESSON,
    ]
    .iter()
    .map(|slug| {
        html.find(&format!("href=\"/lessons/{slug}\""))
            .unwrap_or_else(|| panic!("{slug} is listed"))
    })
    .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "lessons in position order"
    );
    assert!(
        html.contains("badge-free") && html.contains("badge-plus") && html.contains("badge-pro")
    );
    assert!(html.contains("min read"));
    assert_eq!(html.matches("<h1").count(), 1);
}

async fn flagship_page_has_every_part_of_a_lesson(backend: Backend) {
    let app = spawn(backend).await;
    let (status, html) = app.get_text(&format!("/lessons/{FLAGSHIP}")).await;
    assert_eq!(status, 200);
    for part in [
        "The Transformer Revolution &amp; How LLMs Work",
        "min read</span> <span>Updated <time datetime=\"2026-12-02\">December 2, 2026</time>",
        "Listen to this lesson",
        "Watch this lesson",
        "Coming soon",
        "Learning objectives",
        "Key takeaways",
        "Knowledge check",
        "Sign up free to save your progress and take the quiz",
        "Recommended for you",
        "See the tokens",
        "id=\"token-input\"",
        "id=\"token-count\"",
        "💡</span> Key Concept",
        "📝</span> Note",
        "<div class=\"table-scroll\"",
        "class=\"footnotes\"",
        "<pre><code class=\"language-",
    ] {
        assert!(html.contains(part), "the flagship page shows {part:?}");
    }
    assert_eq!(html.matches("<h1").count(), 1, "one h1");
    assert!(html.contains("<h2 id=\""), "headings carry anchor ids");
    assert!(html.contains("<main id=\"main\""), "a main landmark");
    let minutes: u32 = html
        .split(" min read")
        .next()
        .and_then(|before| before.rsplit('>').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("a reading time");
    assert!(
        (10..=16).contains(&minutes),
        "about 12 to 15 minutes of reading (its figures' alt text counts), got {minutes}"
    );
}

async fn plus_lessons_show_only_the_teaser_to_free_readers(backend: Backend) {
    let app = spawn(backend).await;
    let source = std::fs::read_to_string(
        common::bundled_content().join("ai-foundations/07-prompting-playbook.md"),
    )
    .unwrap();
    let after_marker = source
        .split("<!-- more -->")
        .nth(1)
        .expect("the playbook has a teaser");
    let hidden_line = after_marker
        .lines()
        .map(str::trim)
        .find(|l| l.len() > 40 && l.chars().all(|c| c.is_alphanumeric() || " ,.'".contains(c)))
        .expect("a plain sentence after the marker");

    let (status, html) = app.get_text(&format!("/lessons/{PLUS_PLAYBOOK}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Keep reading with Plus"), "an upgrade card");
    assert!(
        !html.contains(hidden_line),
        "text after <!-- more --> must not reach a free reader"
    );

    let (_, lesson) = app
        .get_json(&format!("/api/v1/lessons/{PLUS_PLAYBOOK}"))
        .await;
    assert_eq!(lesson["locked"], true);
    assert!(!lesson["html"].as_str().unwrap().contains(hidden_line));
    assert!(
        !lesson["html"].as_str().unwrap().is_empty(),
        "the teaser is shown"
    );
    assert_eq!(
        lesson["quiz"],
        Value::Null,
        "a locked lesson's quiz is not handed out"
    );

    let (_, pro) = app.get_json(&format!("/api/v1/lessons/{PRO_LESSON}")).await;
    assert_eq!(pro["locked"], true);
    assert_eq!(pro["access"], "pro");
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

const SUMMARY_KEYS: [&str; 10] = [
    "access",
    "course",
    "has_audio",
    "has_video",
    "position",
    "reading_minutes",
    "slug",
    "summary",
    "title",
    "updated_at",
];

async fn json_shapes_follow_the_contract(backend: Backend) {
    let app = spawn(backend).await;
    let (status, courses) = app.get_json("/api/v1/courses").await;
    assert_eq!(status, 200);
    let course = &courses["courses"][0];
    // The contract's keys, and two more that the catalog page shows.
    assert_eq!(
        keys(course),
        [
            "has_glossary",
            "lessons",
            "reading_minutes",
            "slug",
            "summary",
            "title"
        ]
    );
    assert_eq!(course["slug"], "ai-foundations");
    assert_eq!(course["has_glossary"], true);
    let minutes: u64 = course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["reading_minutes"].as_u64().unwrap())
        .sum();
    assert_eq!(course["reading_minutes"], minutes);
    assert!(course["lessons"].as_array().unwrap().len() >= 8);

    let (_, lessons) = app.get_json("/api/v1/lessons").await;
    let lessons = lessons["lessons"].as_array().unwrap();
    for summary in lessons {
        assert_eq!(keys(summary), SUMMARY_KEYS);
    }
    let positions: Vec<i64> = lessons
        .iter()
        .map(|l| l["position"].as_i64().unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] <= w[1]),
        "ordered by position"
    );
    assert_eq!(lessons[0]["slug"], FLAGSHIP);
    assert_eq!(lessons[0]["updated_at"], "2026-12-02T00:00:00Z");

    let (status, lesson) = app.get_json(&format!("/api/v1/lessons/{FLAGSHIP}")).await;
    assert_eq!(status, 200);
    let mut expected: Vec<&str> = SUMMARY_KEYS.to_vec();
    expected.extend([
        "html",
        "locked",
        "media",
        "objectives",
        "quiz",
        "takeaways",
        "token_count",
    ]);
    expected.sort_unstable();
    assert_eq!(keys(&lesson), expected);
    assert_eq!(lesson["locked"], false);
    assert_eq!(lesson["objectives"].as_array().unwrap().len(), 3);
    assert_eq!(keys(&lesson["token_count"]), ["cl100k_base", "o200k_base"]);
    let tokens = lesson["token_count"]["o200k_base"].as_u64().unwrap();
    assert!(
        tokens > 2000,
        "a 12-minute lesson is thousands of tokens, got {tokens}"
    );
    assert_eq!(keys(&lesson["media"]), ["audio", "pdf", "video"]);
    assert_eq!(
        keys(&lesson["media"]["audio"]),
        ["available", "download", "preview_seconds", "stream"]
    );
    assert_eq!(lesson["media"]["video"]["status"], "coming_soon");
    assert_eq!(
        lesson["media"]["pdf"], false,
        "anonymous readers cannot download PDFs"
    );

    let quiz = &lesson["quiz"];
    assert_eq!(
        keys(quiz),
        ["max_attempts", "pass_percent", "questions", "reveal"]
    );
    assert_eq!(
        (quiz["max_attempts"].clone(), quiz["reveal"].clone()),
        (serde_json::Value::Null, serde_json::Value::from("always"))
    );
    let questions = quiz["questions"].as_array().unwrap();
    assert!(questions.len() >= 5);
    for question in questions {
        // A token-count question also names its text and encoding (API.md section 15).
        let expected: &[&str] = if question["kind"] == "token_count" {
            &["choices", "encoding", "id", "kind", "prompt", "text"]
        } else {
            &["choices", "id", "kind", "prompt"]
        };
        assert_eq!(keys(question), expected);
        for (i, choice) in question["choices"].as_array().unwrap().iter().enumerate() {
            assert_eq!(keys(choice), ["id", "text"]);
            assert_eq!(choice["id"], i as u64);
        }
    }
    assert!(questions.iter().any(|q| q["kind"] == "multiple"));
}

async fn quiz_answers_never_leave_the_server(backend: Backend) {
    let app = spawn(backend).await;
    let source = std::fs::read_to_string(
        common::bundled_content().join("ai-foundations/01-transformer-revolution.md"),
    )
    .unwrap();
    let explanation = source
        .lines()
        .find_map(|l| l.strip_prefix("explanation = \""))
        .map(|rest| rest.trim_end_matches('"'))
        .expect("an explanation in the source");
    let probe = &explanation[..explanation.len().min(60)];
    let (_, json) = app.get_text(&format!("/api/v1/lessons/{FLAGSHIP}")).await;
    let (_, page) = app.get_text(&format!("/lessons/{FLAGSHIP}")).await;
    for body in [&json, &page] {
        assert!(!body.contains(probe), "an explanation leaked");
        assert!(!body.contains("\"answer\""), "an answer key leaked");
    }
}

async fn unknown_things_are_404_in_the_right_shape(backend: Backend) {
    let app = spawn(backend).await;
    let (status, body) = app.get_json("/api/v1/lessons/no-such-lesson").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].is_string());

    let (status, body) = app.get_json("/api/v1/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");

    let response = app.get("/lessons/no-such-lesson").await;
    assert_eq!(response.status(), 404);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.text().await.unwrap().contains("Page not found"));

    let (status, _) = app
        .get_text("/lessons/transformer-revolution?encoding=gpt-9")
        .await;
    assert_eq!(
        status, 400,
        "an unknown encoding in the token form is a clear 400"
    );
}

async fn health_metrics_and_security_headers(backend: Backend) {
    let app = spawn(backend).await;
    let (status, health) = app.get_json("/healthz").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));

    let page = app.get(&format!("/lessons/{FLAGSHIP}")).await;
    let headers = page.headers();
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(headers.contains_key("referrer-policy"));
    assert!(headers.contains_key("x-request-id"));

    // Made-up methods and paths add no series of their own.
    for method in ["FOO", "BAR", "GETX"] {
        let odd = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let path = format!("/made-up-{method}");
        let response = app
            .client
            .request(odd, app.url(&path))
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{method}");
    }
    let (status, metrics) = app.get_text("/metrics").await;
    assert_eq!(status, 200);
    for made_up in ["FOO", "BAR", "GETX", "made-up"] {
        assert!(!metrics.contains(made_up), "{made_up} in {metrics}");
    }
    assert!(
        metrics.contains("method=\"other\",route=\"unmatched\""),
        "{metrics}"
    );
    assert!(
        metrics.contains("lectern_http_requests_total{method=\"GET\",route=\"/lessons/{slug}\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("lectern_http_request_duration_seconds_bucket"));

    let css = app.get("/static/css/site.css").await;
    assert_eq!(css.status(), 200);
    let etag = css.headers()["etag"].clone();
    let again = app
        .client
        .get(app.url("/static/css/site.css"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_anonymous_page_is_never_served_to_a_signed_in_reader() {
    let app = spawn(Backend::Sqlite).await;
    let path = format!("/lessons/{FLAGSHIP}");
    let anonymous = reqwest::Client::new();
    for _ in 0..2 {
        let page = anonymous
            .get(app.url(&path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Sign up free to save your progress"));
    }
    app.sign_up("cache@example.com").await;
    let (status, page) = app.get_text(&path).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Log out"),
        "the signed-in reader gets their own page"
    );
    assert!(!page.contains("Sign up free to save your progress"));
    let (_, catalog) = app.get_text("/").await;
    assert!(catalog.contains("Log out"));
}

/// Visitors' plain GETs of kept pages are answered before routing: the same page with the
/// same headers, counted under its route. Anything else still reaches the handlers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_visitors_plain_get_is_answered_from_the_kept_pages() {
    let app = spawn(Backend::Sqlite).await;
    let client = reqwest::Client::new();
    let path = format!("/lessons/{FLAGSHIP}");
    let rendered = client.get(app.url(&path)).send().await.unwrap();
    let rendered_headers = rendered.headers().clone();
    let rendered = rendered.text().await.unwrap();
    let kept = client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(kept.status(), 200);
    for header in [
        "content-type",
        "vary",
        "content-security-policy",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
    ] {
        assert_eq!(kept.headers()[header], rendered_headers[header], "{header}");
    }
    assert!(kept.headers().contains_key("x-request-id"));
    assert_eq!(kept.text().await.unwrap(), rendered);

    // A token, even a bad one, is looked at: refused, not taken for a visitor.
    let bad = client
        .get(app.url(&path))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 401);
    // A token-box submission gets its own result.
    let (status, submitted) = app.get_text(&format!("{path}?text=hello")).await;
    assert_eq!(status, 200);
    assert!(submitted.contains("<dd id=\"token-count\">1</dd>"));
    assert_ne!(submitted, rendered);
    // Other methods are the router's.
    let post = client.post(app.url(&path)).send().await.unwrap();
    assert_ne!(post.status(), 200);

    let (_, metrics) = app.get_text("/metrics").await;
    assert!(
        metrics.contains(
            "lectern_http_requests_total{method=\"GET\",route=\"/lessons/{slug}\",status=\"200\"} 3"
        ),
        "{metrics}"
    );
}

/// Kept pages go to browsers gzipped (compressed once, when kept), to everyone else as is;
/// both forms are the same page, the first request and every later one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_pages_are_sent_gzipped_to_browsers_that_take_it() {
    use std::io::Read;

    let app = spawn(Backend::Sqlite).await;
    let client = reqwest::Client::new();
    for path in [format!("/lessons/{FLAGSHIP}"), "/".to_owned()] {
        for _ in 0..2 {
            let gzipped = client
                .get(app.url(&path))
                .header("accept-encoding", "gzip, deflate, br")
                .send()
                .await
                .unwrap();
            assert_eq!(gzipped.status(), 200);
            assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{path}");
            assert_eq!(gzipped.headers()["vary"], "accept-encoding");
            let compressed = gzipped.bytes().await.unwrap();
            let mut page = String::new();
            flate2::read::GzDecoder::new(&compressed[..])
                .read_to_string(&mut page)
                .unwrap();
            let plain = client.get(app.url(&path)).send().await.unwrap();
            assert!(!plain.headers().contains_key("content-encoding"));
            let plain = plain.text().await.unwrap();
            assert_eq!(page, plain, "{path}");
            assert!(compressed.len() * 3 < plain.len(), "{path}");
        }
    }
}
