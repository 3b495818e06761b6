//! The tokenizer over HTTP: `GET /api/v1/tokenizer/encodings`, `POST /api/v1/tokenize`,
//! and the lesson page's token box without JavaScript.

use crate::common;

use common::{spawn, spawn_settings, test_settings, Backend};
use serde_json::{json, Value};

/// tiktoken's ids for a vector case, from the committed vectors.
fn tiktoken_case(name: &str) -> (String, Value) {
    let doc: Value = serde_json::from_str(include_str!("../data/token-vectors.json")).unwrap();
    let case = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().is_some_and(|n| n.contains(name)))
        .unwrap_or_else(|| panic!("a vector named like {name}"))
        .clone();
    (case["text"].as_str().unwrap().to_owned(), case)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encodings_are_listed_with_o200k_as_default() {
    let app = spawn(Backend::Sqlite).await;
    let (status, body) = app.get_json("/api/v1/tokenizer/encodings").await;
    assert_eq!(status, 200);
    let encodings = body["encodings"].as_array().unwrap();
    let ids: Vec<_> = encodings
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["o200k_base", "cl100k_base"]);
    assert_eq!(encodings[0]["default"], true);
    assert_eq!(encodings[1]["default"], false);
    assert!(encodings
        .iter()
        .all(|e| e["description"].as_str().is_some_and(|d| d.contains("GPT"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokenize_returns_tiktoken_ids_and_whole_segments() {
    let app = spawn(Backend::Sqlite).await;
    for name in ["emoji", "cjk", "code"] {
        let (text, case) = tiktoken_case(name);
        for encoding in ["o200k_base", "cl100k_base"] {
            let response = app
                .post("/api/v1/tokenize")
                .json(&json!({"text": text, "encoding": encoding}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["encoding"], encoding);
            assert_eq!(body["ids"], case[encoding], "{name} in {encoding}");
            assert_eq!(body["count"], case[encoding].as_array().unwrap().len());
            assert_eq!(body["characters"], text.chars().count());
            let segments = body["segments"].as_array().unwrap();
            let joined: String = segments
                .iter()
                .map(|s| s["text"].as_str().unwrap())
                .collect();
            assert_eq!(joined, text, "segments spell the input");
            let ids: Vec<&Value> = segments
                .iter()
                .flat_map(|s| s["ids"].as_array().unwrap())
                .collect();
            assert_eq!(ids.len(), body["count"].as_u64().unwrap() as usize);
        }
    }
    let counted: Value = app
        .post("/api/v1/tokenize")
        .json(&json!({"text": "Hello, world!", "count_only": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut keys: Vec<_> = counted.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["characters", "count", "encoding"]);
    assert_eq!(
        (counted["encoding"].as_str(), counted["count"].as_u64()),
        (Some("o200k_base"), Some(4))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_the_contract_errors() {
    let app = spawn(Backend::Sqlite).await;
    let big = "a".repeat(1024 * 1024 + 1);
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "an unknown encoding",
            app.post("/api/v1/tokenize")
                .json(&json!({"text": "x", "encoding": "p50k_base"})),
            400,
            "invalid_input",
        ),
        (
            "text over 1 MiB",
            app.post("/api/v1/tokenize").json(&json!({"text": big})),
            413,
            "payload_too_large",
        ),
        (
            "invalid JSON",
            app.post("/api/v1/tokenize")
                .header("content-type", "application/json")
                .body("{\"text\": "),
            400,
            "invalid_input",
        ),
        (
            "invalid UTF-8",
            app.post("/api/v1/tokenize")
                .header("content-type", "application/json")
                .body(b"{\"text\": \"\xff\xfe\"}".to_vec()),
            400,
            "invalid_input",
        ),
        (
            "no text",
            app.post("/api/v1/tokenize")
                .json(&json!({"encoding": "o200k_base"})),
            400,
            "invalid_input",
        ),
        (
            "a body far too large",
            app.post("/api/v1/tokenize")
                .header("content-type", "application/json")
                .body(vec![b' '; 9 * 1024 * 1024]),
            413,
            "payload_too_large",
        ),
    ];
    for (what, request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_megabyte_of_text_stays_exact_and_bounded() {
    let app = spawn(Backend::Sqlite).await;
    let text = "lectern ".repeat(131_072);
    let body: Value = app
        .post("/api/v1/tokenize")
        .json(&json!({"text": text}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let count = body["count"].as_u64().unwrap() as usize;
    assert_eq!(
        count,
        lectern::tokenizer::count(lectern::tokenizer::Encoding::O200kBase, &text)
    );
    assert_eq!(body["ids"].as_array().unwrap().len(), count);
    assert_eq!(
        body["segments_elided"], true,
        "segments of huge inputs are elided"
    );
    assert_eq!(
        body["segments"].as_array().unwrap().len(),
        lectern::tokenizer::DEFAULT_MAX_SEGMENTS
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokenize_is_rate_limited_per_client() {
    let (mut settings, data) = test_settings(Backend::Sqlite, &common::bundled_content()).await;
    settings.tokenize_rate_limit = 2;
    let app = spawn_settings(settings, data).await;
    let send = || {
        app.post("/api/v1/tokenize")
            .json(&json!({"text": "hi"}))
            .send()
    };
    assert_eq!(send().await.unwrap().status(), 200);
    assert_eq!(send().await.unwrap().status(), 200);
    let limited = send().await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_box_works_without_javascript() {
    let app = spawn(Backend::Sqlite).await;
    let (status, page) = app.get_text("/lessons/transformer-revolution").await;
    assert_eq!(status, 200);
    assert!(page.contains("<textarea id=\"token-input\" name=\"text\""));
    assert!(
        page.contains(">Hello, world!</textarea>"),
        "pre-filled with the lesson's example"
    );
    assert!(page.contains("<dd id=\"token-count\">4</dd>"));
    assert!(
        page.contains(">Hello</span>")
            && page.contains(">,</span>")
            && page.contains("> world</span>")
    );
    assert!(page.contains("This lesson is "), "the lesson's own size");
    assert!(page.contains("/static/js/tokens.js"));

    let (status, page) = app
        .get_text("/lessons/transformer-revolution?text=tokenization&encoding=cl100k_base&price=10")
        .await;
    assert_eq!(status, 200);
    let expected =
        lectern::tokenizer::count(lectern::tokenizer::Encoding::Cl100kBase, "tokenization");
    assert!(
        page.contains(&format!("<dd id=\"token-count\">{expected}</dd>")),
        "the submitted text is counted"
    );
    assert!(page.contains("<option value=\"cl100k_base\" selected>"));
    assert!(
        page.contains(">token</span>"),
        "segments drawn on the server"
    );
    let (_, page) = app.get_text("/lessons/transformer-revolution").await;
    assert!(
        page.contains("<dd id=\"token-count\">4</dd>") && !page.contains(">token</span>"),
        "a submission is not kept for the next reader"
    );

    let js = app.get("/static/js/tokens.js").await;
    assert_eq!(js.status(), 200);
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
}
