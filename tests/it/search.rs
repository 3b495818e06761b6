//! Contract section 14, search: every word must match (the last as a prefix), word forms,
//! case and accents fold, title above summary above body, escaped snippets with `<mark>`,
//! odd queries never a 500, a locked lesson found only by its open part, drafts never, and
//! an unpublished or re-imported lesson out of the results as "Freshness" says.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common;
use common::admin::{act, admin_token, call, create};
use common::{bearer, send, spawn_settings, test_settings, Backend, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    ranks_title_above_summary_above_body,
    matches_word_forms_accents_prefixes_and_every_word,
    snippets_are_escaped_text_with_marks,
    odd_queries_are_text_never_a_fault,
    limits_default_and_cap,
    locked_words_after_the_marker_find_nothing_below_the_plan,
    drafts_and_unpublished_lessons_are_never_found,
    an_import_beside_the_server_is_searched_within_a_second,
    the_page_works_without_javascript,
);

/// Twice the contract's one second, as `freshness.rs` allows on a shared machine.
const DEADLINE: Duration = Duration::from_secs(2);

fn lesson(
    slug: &str,
    title: &str,
    summary: &str,
    access: &str,
    position: u32,
    body: &str,
) -> String {
    format!(
        "+++\ntitle = \"{title}\"\nslug = \"{slug}\"\nsummary = \"{summary}\"\ncourse = \"demo\"\n\
         position = {position}\naccess = \"{access}\"\nupdated = 2026-12-01\n+++\n{body}\n"
    )
}

fn write_course(dir: &Path, extra: &str) {
    let course = dir.join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"A demo course.\"\n",
    )
    .unwrap();
    let lessons = [
        lesson("in-title", "Quokka habits", "Small animals.", "free", 1, "Nothing more to say here."),
        lesson("in-summary", "Island life", "Where the quokka lives.", "free", 2, "Sand and sea."),
        lesson("in-body", "Marsupials", "Pouches and more.", "free", 3, "One of them is the quokka, a cheerful animal."),
        lesson("tokens", "Splitting text", "How text is cut.", "free", 4, "Tokenizers cut text. To tokenize is to cut. The café résumé."),
        lesson(
            "secret",
            "Deep dive",
            "For Pro readers.",
            "pro",
            5,
            "The open teaser talks about gradients.\n\n<!-- more -->\nOnly Pro readers learn of the xylophonic hummingbird.",
        ),
        lesson("markup", "Angle brackets", "Escaping.", "free", 6, "Write `<b>` & zanzibar friends, on a sandy beach."),
    ];
    for (i, text) in lessons.iter().enumerate() {
        std::fs::write(course.join(format!("{i}.md")), text).unwrap();
    }
    std::fs::write(course.join("extra.md"), extra).unwrap();
}

fn extra_lesson(word: &str) -> String {
    lesson(
        "extra",
        "Extra",
        "Changes later.",
        "free",
        7,
        &format!("This lesson mentions {word}."),
    )
}

async fn spawn(backend: Backend) -> (TestApp, tempfile::TempDir) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path(), &extra_lesson("pangolin"));
    let (settings, data) = test_settings(backend, content.path()).await;
    (spawn_settings(settings, data).await, content)
}

fn query(q: &str) -> String {
    let mut url = reqwest::Url::parse("http://x/api/v1/search").unwrap();
    url.query_pairs_mut().append_pair("q", q);
    format!("/api/v1/search?{}", url.query().unwrap())
}

async fn search(app: &TestApp, q: &str, token: Option<&str>) -> (u16, Value) {
    match token {
        Some(token) => send(bearer(app, Method::GET, &query(q), token)).await,
        // A client of its own: `app`'s keeps the cookies of its sign-ups.
        None => send(reqwest::Client::new().get(app.url(&query(q)))).await,
    }
}

async fn slugs(app: &TestApp, q: &str, token: Option<&str>) -> Vec<String> {
    let (status, body) = search(app, q, token).await;
    assert_eq!(status, 200, "{q}: {body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap().to_owned())
        .collect()
}

async fn ranks_title_above_summary_above_body(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    assert_eq!(
        slugs(&app, "quokka", None).await,
        ["in-title", "in-summary", "in-body"]
    );
    let (_, body) = search(&app, "quokka", None).await;
    let scores: Vec<f64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] > w[1]),
        "scores fall: {scores:?}"
    );
    let first = &body["results"][0];
    assert_eq!(body["query"], "quokka");
    assert_eq!(first["title"], "Quokka habits");
    assert_eq!(first["course"], "demo");
    assert_eq!(first["access"], "free");
    assert_eq!(first["locked"], false);
    // A summary above a body whatever the counts; a whole word above a prefix in one part.
    assert_eq!(slugs(&app, "animal", None).await, ["in-title", "in-body"]);
    assert_eq!(slugs(&app, "sand", None).await, ["in-summary", "markup"]);
}

async fn matches_word_forms_accents_prefixes_and_every_word(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    assert_eq!(slugs(&app, "tokenizer", None).await, ["tokens"]);
    assert_eq!(slugs(&app, "tokenization", None).await, ["tokens"]);
    assert_eq!(
        slugs(&app, "RESUME", None).await,
        ["tokens"],
        "case and accents fold"
    );
    assert_eq!(slugs(&app, "cafe", None).await, ["tokens"]);
    assert_eq!(
        slugs(&app, "tokeni", None).await,
        ["tokens"],
        "the last word as a prefix"
    );
    assert_eq!(slugs(&app, "quok", None).await.len(), 3);
    assert_eq!(
        slugs(&app, "quokka cheerful", None).await,
        ["in-body"],
        "every word must match"
    );
    assert!(slugs(&app, "quokka tokenizer", None).await.is_empty());
    assert!(
        slugs(&app, "tok text", None).await.is_empty(),
        "a prefix only as the last word"
    );
}

async fn snippets_are_escaped_text_with_marks(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let (_, body) = search(&app, "zanzibar", None).await;
    let snippet = body["results"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>zanzibar</mark>"), "{snippet}");
    assert!(
        snippet.contains("&lt;b&gt;") && snippet.contains("&amp;"),
        "{snippet}"
    );
    assert!(!snippet.contains("<b>"), "{snippet}");
    let (_, body) = search(&app, "tokenizer", None).await;
    let snippet = body["results"][0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<mark>Tokenizers</mark>"), "{snippet}");
}

async fn odd_queries_are_text_never_a_fault(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let emoji = "😀".repeat(200);
    for q in [
        "<script>",
        "\"foo\" AND bar*",
        "(",
        "quok.*[a-z]+$",
        "a\0b",
        emoji.as_str(),
        "!!! ??? ...",
        "* OR *",
        "title:quokka",
    ] {
        let (status, body) = search(&app, q, None).await;
        assert!(status == 200 || status == 400, "{q:?}: {status} {body}");
        if status == 200 {
            assert_eq!(body["query"], q);
            for r in body["results"].as_array().unwrap() {
                assert!(
                    !r["snippet"].as_str().unwrap().contains("<script"),
                    "{q:?}: {r}"
                );
            }
        }
    }
    assert_eq!(slugs(&app, "<script>", None).await, Vec::<String>::new());
    assert_eq!(
        slugs(&app, "title:quokka", None).await,
        Vec::<String>::new(),
        "no field syntax"
    );
    assert!(
        slugs(&app, "\"quokka\" OR zebra", None).await.is_empty(),
        "OR is a word, not an operator"
    );
    for q in ["", "   ", &"a".repeat(201)] {
        let (status, body) = search(&app, q, None).await;
        assert_eq!(status, 400, "{q:?}");
        assert_eq!(body["error"]["code"], "invalid_input");
        assert!(body["error"]["message"].is_string());
        assert!(body["error"]["fields"]["q"].is_string());
    }
    let (status, body) = app.get_json("/api/v1/search").await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("invalid_input"))
    );
    let (status, _) = app.get_json(&format!("{}&limit=-1", query("quokka"))).await;
    assert_eq!(status, 400);
    let (status, _) = search(&app, &"a".repeat(200), None).await;
    assert_eq!(status, 200, "200 characters is allowed");
}

async fn limits_default_and_cap(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    write_course(content.path(), &extra_lesson("pangolin"));
    for i in 0..60 {
        let text = lesson(
            &format!("many-{i}"),
            &format!("Many {i}"),
            "One of many.",
            "free",
            10 + i,
            "Wombat burrows.",
        );
        std::fs::write(
            content.path().join("demo").join(format!("many-{i}.md")),
            text,
        )
        .unwrap();
    }
    let (settings, data) = test_settings(backend, content.path()).await;
    let app = spawn_settings(settings, data).await;
    assert_eq!(slugs(&app, "wombat", None).await.len(), 10, "default 10");
    let (_, body) = app
        .get_json(&format!("{}&limit=500", query("wombat")))
        .await;
    assert_eq!(
        body["results"].as_array().unwrap().len(),
        50,
        "more than 50 is 50"
    );
    let (_, body) = app.get_json(&format!("{}&limit=3", query("wombat"))).await;
    assert_eq!(body["results"].as_array().unwrap().len(), 3);
}

async fn set_plan(app: &TestApp, admin: &str, user: &Value, plan: &str) {
    let path = format!("/api/v1/admin/users/{}/plan", user["id"].as_str().unwrap());
    let (status, body) =
        send(call(app, Method::PUT, &path, Some(admin)).json(&json!({ "plan": plan }))).await;
    assert_eq!(status, 200, "{body}");
}

async fn locked_words_after_the_marker_find_nothing_below_the_plan(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let admin = admin_token(&app).await;
    let (free, _) = app.sign_up("free@example.com").await;
    let (pro, pro_user) = app.sign_up("pro@example.com").await;
    set_plan(&app, &admin, &pro_user, "pro").await;

    for (who, token) in [("visitor", None), ("free reader", Some(free.as_str()))] {
        assert!(
            slugs(&app, "xylophonic", token).await.is_empty(),
            "{who} finds no word after the marker"
        );
        assert!(slugs(&app, "hummingbird", token).await.is_empty(), "{who}");
        let (_, body) = search(&app, "gradients", token).await;
        let hit = &body["results"][0];
        assert_eq!(hit["slug"], "secret", "{who} finds the open teaser");
        assert_eq!(hit["locked"], true);
        assert_eq!(hit["access"], "pro");
        let snippet = hit["snippet"].as_str().unwrap();
        assert!(
            !snippet.contains("xylophonic") && !snippet.contains("Only Pro"),
            "{who}: {snippet}"
        );
        assert_eq!(
            slugs(&app, "deep dive", token).await,
            ["secret"],
            "{who} finds its title"
        );
    }
    assert_eq!(slugs(&app, "xylophonic", Some(&pro)).await, ["secret"]);
    let (_, body) = search(&app, "xylophonic", Some(&pro)).await;
    assert_eq!(body["results"][0]["locked"], false);
    assert!(body["results"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("<mark>xylophonic</mark>"));
}

async fn drafts_and_unpublished_lessons_are_never_found(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let admin = admin_token(&app).await;
    let draft = lesson(
        "draft-one",
        "Draft",
        "Not yet.",
        "free",
        30,
        "The armadillo waits.",
    );
    let (status, body) = create(&app, &admin, &draft).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        slugs(&app, "armadillo", None).await.is_empty(),
        "a draft is never found"
    );
    assert!(
        slugs(&app, "armadillo", Some(&admin)).await.is_empty(),
        "not even by an admin"
    );
    let (status, _) = act(&app, &admin, "draft-one", "publish").await;
    assert_eq!(status, 200);
    assert_eq!(
        slugs(&app, "armadillo", None).await,
        ["draft-one"],
        "published: found at once"
    );
    let (status, _) = act(&app, &admin, "in-title", "unpublish").await;
    assert_eq!(status, 200);
    assert!(
        !slugs(&app, "quokka", None)
            .await
            .contains(&"in-title".to_owned()),
        "unpublished: gone on the next request"
    );
}

async fn an_import_beside_the_server_is_searched_within_a_second(backend: Backend) {
    let (app, content) = spawn(backend).await;
    assert_eq!(slugs(&app, "pangolin", None).await, ["extra"]);
    write_course(content.path(), &extra_lesson("narwhal"));
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command
        .arg("import")
        .env("LECTERN_DATA_DIR", &app.settings.data_dir)
        .env("LECTERN_CONTENT_DIR", &app.settings.content_dir)
        .env("LECTERN_LOG", "warn");
    if let Some(url) = &app.settings.database_url {
        command.env("LECTERN_DATABASE_URL", url);
    }
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let imported = Instant::now();
    loop {
        if slugs(&app, "narwhal", None).await == ["extra"]
            && slugs(&app, "pangolin", None).await.is_empty()
        {
            break;
        }
        assert!(
            imported.elapsed() < DEADLINE,
            "the import was not searched within {DEADLINE:?}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn the_page_works_without_javascript(backend: Backend) {
    let (app, _content) = spawn(backend).await;
    let (status, html) = app.get_text("/search?q=quokka").await;
    assert_eq!(status, 200);
    let title = html
        .find("href=\"/lessons/in-title\"")
        .expect("the first result");
    let body = html
        .find("href=\"/lessons/in-body\"")
        .expect("the third result");
    assert!(title < body, "best first");
    assert!(html.contains("<mark>quokka</mark>") || html.contains("<mark>Quokka</mark>"));
    let (_, html) = app
        .get_text("/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E")
        .await;
    assert!(!html.contains("<script>alert"), "the query is escaped");
    assert!(html.contains("&lt;script&gt;alert(1)"));
    let (status, html) = app.get_text("/search").await;
    assert_eq!(status, 200, "an empty search is the page with its box");
    assert!(html.contains("name=\"q\""));
    for page in [
        "/",
        "/pricing",
        "/lessons/in-title",
        "/search?q=x",
        "/login",
    ] {
        let (_, html) = app.get_text(page).await;
        assert!(
            html.contains(
                "<form class=\"site-search\" role=\"search\" method=\"get\" action=\"/search\">"
            ),
            "{page} has the header's search box"
        );
    }
}
