//! Paid-plan capabilities from outside: the media routes and lesson flags per plan, ranges,
//! the 30-second preview, the plans API, the pricing page and the billing webhook.

use crate::common;

use std::path::Path;

use common::{pdf, spawn_settings, test_settings, Backend, TestApp, TestData};
use lectern::db::Db;
use lectern::media::mp3;
use lectern::plans::Plan;
use serde_json::Value;

mod changes;
mod matrix;
mod ranges;
mod webhook;

on_both_backends!(
    lesson_pages_show_each_reader_their_own_plan,
    lesson_pdfs_hold_the_text_the_reader_may_read,
    the_preview_is_at_most_thirty_seconds,
    media_survives_reimport_and_a_second_instance,
);

fn lesson(slug: &str, position: u32, access: &str, audio: Option<&str>) -> String {
    let audio = audio.map_or(String::new(), |a| format!("audio = \"{a}\"\n"));
    format!(
        "+++\ntitle = \"Lesson {slug}\"\nslug = \"{slug}\"\nsummary = \"About {slug}.\"\n\
         course = \"demo\"\nposition = {position}\naccess = \"{access}\"\nupdated = 2026-05-01\n{audio}+++\n\
         ## Hello\n\nThe open part of {slug}.\n\n<!-- more -->\n\nThe rest of {slug}.\n"
    )
}

/// A course with a free and a plus lesson that have narrations, and one without.
fn write_content(dir: &Path) {
    let course = dir.join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"A demo course.\"\n",
    )
    .unwrap();
    let mp3 = common::bundled_content().join("ai-foundations/01-transformer-revolution.mp3");
    std::fs::copy(&mp3, course.join("talk.mp3")).unwrap();
    std::fs::write(
        course.join("a.md"),
        lesson("listen", 1, "free", Some("talk.mp3")),
    )
    .unwrap();
    std::fs::write(
        course.join("b.md"),
        lesson("plus-listen", 2, "plus", Some("talk.mp3")),
    )
    .unwrap();
    std::fs::write(course.join("c.md"), lesson("silent", 3, "free", None)).unwrap();
    std::fs::write(course.join("d.md"), lesson("pro-read", 4, "pro", None)).unwrap();
}

async fn spawn_demo(backend: Backend, secret: Option<&str>) -> (TestApp, tempfile::TempDir) {
    let content = tempfile::tempdir().unwrap();
    write_content(content.path());
    let (mut settings, data) = test_settings(backend, content.path()).await;
    settings.billing_webhook_secret = secret.map(|s| s.parse().unwrap());
    (spawn_settings(settings, data).await, content)
}

/// A GET from a fresh client (no cookies), with a Bearer token and extra headers.
async fn fetch(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut request = client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

async fn set_plan(app: &TestApp, email: &str, plan: Plan) {
    let db = Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, email, plan).await.unwrap();
    db.close().await;
}

/// Tokens for an anonymous reader and one user per plan.
async fn readers(app: &TestApp) -> Vec<(&'static str, Option<String>)> {
    let mut out = vec![("anonymous", None)];
    for plan in Plan::ALL {
        let email = format!("{}@example.com", plan.id());
        let (token, _) = app.sign_up(&email).await;
        set_plan(app, &email, plan).await;
        out.push((plan.id(), Some(token)));
    }
    out
}

/// What a reader gets: the status, and `required_plan` when it is 403.
async fn outcome(app: &TestApp, path: &str, token: Option<&str>) -> String {
    let response = fetch(app, path, token, &[]).await;
    let status = response.status().as_u16();
    if status == 403 {
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "plan_required");
        format!("403 {}", body["error"]["required_plan"].as_str().unwrap())
    } else {
        status.to_string()
    }
}

/// Lesson pages keep the parts many readers share. Whatever order readers come in
/// (Pro first, so a kept full lesson would reach the plans below it, then the reverse),
/// each page shows its own reader's plan.
async fn lesson_pages_show_each_reader_their_own_plan(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    // Whether [anonymous, free, plus, pro] may read the whole lesson.
    let table = [
        ("pro-read", [false, false, false, true]),
        ("plus-listen", [false, false, true, true]),
    ];
    let order = (0..readers.len()).rev().chain(0..readers.len());
    let mut csrf_of_reader = std::collections::HashMap::new();
    for reader in order {
        let (name, token) = &readers[reader];
        for (slug, may_read) in table {
            let page = fetch(&app, &format!("/lessons/{slug}"), token.as_deref(), &[])
                .await
                .text()
                .await
                .unwrap();
            assert!(!page.contains('\u{E000}'), "every hole is filled ({name})");
            // The forms carry this reader's own CSRF token, the same one every time.
            let csrf = csrf_tokens(&page);
            match token {
                None => assert!(csrf.is_empty(), "visitors get no CSRF token"),
                Some(_) => {
                    assert!(csrf.len() >= 2, "log-out and bookmark forms ({name})");
                    assert!(csrf.iter().all(|t| t.len() == 64 && *t == csrf[0]));
                    let kept = csrf_of_reader
                        .entry(*name)
                        .or_insert_with(|| csrf[0].clone());
                    assert_eq!(*kept, csrf[0], "{name} keeps their token");
                }
            }
            let whole = may_read[reader];
            assert!(page.contains(&format!("The open part of {slug}.")));
            assert_eq!(
                page.contains(&format!("The rest of {slug}.")),
                whole,
                "{name} reading {slug}"
            );
            assert_eq!(page.contains("Keep reading with"), !whole, "{name}, {slug}");
            assert_eq!(
                page.contains(&format!("href=\"/login?next=/lessons/{slug}\"")),
                *name == "anonymous",
                "the locked card offers a log-in only to visitors ({name}, {slug})"
            );
        }
        let narration = fetch(&app, "/lessons/plus-listen", token.as_deref(), &[])
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            narration.contains("src=\"/api/v1/lessons/plus-listen/audio\""),
            matches!(*name, "plus" | "pro"),
            "{name} streams the whole narration"
        );
    }
    let tokens: std::collections::HashSet<_> = csrf_of_reader.values().collect();
    assert_eq!(tokens.len(), 3, "each signed-in reader has their own token");
}

/// The `csrf_token` values of a page's forms.
fn csrf_tokens(page: &str) -> Vec<String> {
    let field = "name=\"csrf_token\" value=\"";
    page.match_indices(field)
        .map(|(at, _)| {
            let rest = &page[at + field.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

async fn the_preview_is_at_most_thirty_seconds(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let full = std::fs::read(
        common::bundled_content().join("ai-foundations/01-transformer-revolution.mp3"),
    )
    .unwrap();
    assert!(mp3::duration_ms(&full) > 60_000);

    let preview = fetch(&app, "/api/v1/lessons/listen/audio/preview", None, &[]).await;
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.headers()["content-type"], "audio/mpeg");
    assert_eq!(preview.headers()["accept-ranges"], "bytes");
    let preview = preview.bytes().await.unwrap();
    let frames = mp3::frames(&preview);
    let ms = mp3::duration_ms(&preview);
    assert!((29_000..=30_000).contains(&ms), "preview plays {ms} ms");
    // Whole frames only, back to back.
    let last = frames.last().unwrap();
    assert_eq!(last.offset + last.header.length, preview.len());

    // No Range reaches past the preview.
    let huge = fetch(
        &app,
        "/api/v1/lessons/listen/audio/preview",
        None,
        &[("range", "bytes=0-99999999")],
    )
    .await;
    assert_eq!(huge.status(), 206);
    assert_eq!(huge.bytes().await.unwrap().len(), preview.len());
    let past = format!("bytes={}-", preview.len());
    let past = fetch(
        &app,
        "/api/v1/lessons/listen/audio/preview",
        None,
        &[("range", &past)],
    )
    .await;
    assert_eq!(past.status(), 416);
}

async fn media_survives_reimport_and_a_second_instance(backend: Backend) {
    let (app, content) = spawn_demo(backend, None).await;
    let audio_dir = lectern::media::audio_dir(&app.settings.data_dir);
    let files = || {
        let mut names: Vec<_> = std::fs::read_dir(&audio_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    let before = files();
    assert_eq!(
        before.len(),
        2,
        "one MP3 and its preview, shared by both lessons"
    );

    // Importing again (as `lectern import` does): nothing new is written.
    let db = Db::connect(&app.settings).await.unwrap();
    let report =
        lectern::import::import_dir_with_media(&db, content.path(), &app.settings.data_dir)
            .await
            .unwrap();
    db.close().await;
    assert!(report.errors.is_empty(), "{report}");
    assert_eq!(report.unchanged, 4);
    assert_eq!(files(), before);

    // On PostgreSQL, a second instance with its own data folder imports the same content
    // and serves the same bytes.
    if backend == Backend::Postgres {
        let data = TestData::folder();
        let mut settings = app.settings.clone();
        settings.data_dir = data.path().to_path_buf();
        let second = spawn_settings(settings, data).await;
        let a = fetch(&app, "/api/v1/lessons/listen/audio/preview", None, &[]).await;
        let b = fetch(&second, "/api/v1/lessons/listen/audio/preview", None, &[]).await;
        assert_eq!(a.headers()["etag"], b.headers()["etag"]);
        assert_eq!(a.bytes().await.unwrap(), b.bytes().await.unwrap());
    }
}

async fn lesson_pdfs_hold_the_text_the_reader_may_read(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    let (plus, pro) = (readers[2].1.as_deref(), readers[3].1.as_deref());

    let response = fetch(&app, "/api/v1/lessons/pro-read/pdf", plus, &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"pro-read.pdf\""
    );
    assert_eq!(response.headers()["accept-ranges"], "bytes");
    let teaser = response.bytes().await.unwrap();
    pdf::assert_fonts_embedded(&teaser);
    if let Some(teaser) = pdf::text(&teaser) {
        assert!(teaser.contains("Lesson pro-read"), "{teaser}");
        assert!(teaser.contains("The open part of pro-read."), "{teaser}");
        assert!(
            !teaser.contains("The rest of pro-read."),
            "gated text stays out: {teaser}"
        );
        assert!(
            teaser.contains("The rest of this lesson is for Pro readers."),
            "{teaser}"
        );
        let squashed: String = teaser.split_whitespace().collect();
        assert!(squashed.ends_with("1/1"), "numbered: {teaser}");
    }

    let whole = fetch(&app, "/api/v1/lessons/pro-read/pdf", pro, &[]).await;
    let etag = whole.headers()["etag"].to_str().unwrap().to_owned();
    let whole = whole.bytes().await.unwrap();
    pdf::assert_fonts_embedded(&whole);
    if let Some(text) = pdf::text(&whole) {
        assert!(text.contains("The open part of pro-read."), "{text}");
        assert!(text.contains("The rest of pro-read."), "{text}");
        assert!(!text.contains("The rest of this lesson is for"), "{text}");
    }

    // Cached per revision: asked again, the same bytes and ETag; ranges work.
    let again = fetch(
        &app,
        "/api/v1/lessons/pro-read/pdf",
        pro,
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(again.status(), 304);
    let part = fetch(
        &app,
        "/api/v1/lessons/pro-read/pdf",
        pro,
        &[("range", "bytes=0-7")],
    )
    .await;
    assert_eq!(part.status(), 206);
    assert_eq!(part.bytes().await.unwrap(), whole[..8]);

    // The bundled flagship lesson: several pages, objectives, body and takeaways.
    let big = fetch(&app, "/api/v1/lessons/listen/pdf", pro, &[]).await;
    assert_eq!(big.status(), 200);
}

/// A lesson's PDF as `token`'s reader downloads it: served, with every font embedded.
async fn lesson_pdf(app: &TestApp, slug: &str, token: &str) -> Vec<u8> {
    let response = fetch(
        app,
        &format!("/api/v1/lessons/{slug}/pdf"),
        Some(token),
        &[],
    )
    .await;
    assert_eq!(response.status(), 200, "the PDF of {slug}");
    let pdf = response.bytes().await.unwrap().to_vec();
    pdf::assert_fonts_embedded(&pdf);
    pdf
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flagship_lesson_pdf_has_every_part_and_page_numbers() {
    let app = common::spawn(Backend::Sqlite).await;
    let (token, _) = app.sign_up("reader@example.com").await;
    set_plan(&app, "reader@example.com", Plan::Plus).await;
    let pdf = lesson_pdf(&app, "transformer-revolution", &token).await;
    let Some(text) = pdf::text(&pdf) else {
        return;
    };
    if std::env::var_os("DUMP_PDF_TEXT").is_some() {
        println!("{text}");
    }
    let squashed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "The Transformer Revolution & How LLMs Work",
        "AI Foundations",
        "Learning objectives",
        "Explain how self-attention lets a model weigh every part of its context",
        "From text to tokens",
        "Key takeaways",
        // A table's header and a cell, a code block, a callout's title, a footnote.
        "What a head might track",
        "Coreference",
        "cost = input_tokens / 1_000_000 * PRICE_IN",
        "Key Concept",
        "Ashish Vaswani and seven co-authors",
    ] {
        assert!(squashed.contains(expected), "{expected:?} in the PDF text");
    }
    // Every page closes with its footer: "n / total" (spaces as pdftotext guesses them).
    let pages: Vec<&str> = text.split_terminator('\u{c}').collect();
    assert!(pages.len() > 1, "a long lesson spans several pages");
    for (index, page) in pages.iter().enumerate() {
        let squashed: String = page.split_whitespace().collect();
        let number = format!("{}/{}", index + 1, pages.len());
        assert!(squashed.ends_with(&number), "{number} closes {page}");
    }

    // A Plus reader's PDF of a Pro lesson stops at its marker, like the page.
    let pdf = lesson_pdf(&app, "evaluating-llm-applications", &token).await;
    let text = pdf::text(&pdf).unwrap();
    assert!(
        text.contains("a blueprint, and a small Python sketch"),
        "{text}"
    );
    assert!(!text.contains("Why evaluation is hard"), "{text}");
    assert!(!text.contains("Key takeaways"), "{text}");
    assert!(
        text.contains("The rest of this lesson is for Pro readers."),
        "{text}"
    );
}
