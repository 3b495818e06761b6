//! The plan matrix from outside: each media route's answer and each lesson's media flags per
//! reader (anonymous, Free, Plus, Pro), the download and stream headers, and the lesson
//! page's narration block.

use serde_json::Value;

use super::{fetch, outcome, readers, spawn_demo};
use crate::common::Backend;

on_both_backends!(
    media_routes_follow_the_matrix_for_every_plan,
    lesson_media_flags_follow_the_matrix_for_every_plan,
    a_download_is_an_attachment_and_a_stream_inline,
    the_narration_block_shows_each_reader_their_options,
);

async fn media_routes_follow_the_matrix_for_every_plan(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    // (path, [anonymous, free, plus, pro])
    let table: [(&str, [&str; 4]); 13] = [
        (
            "/api/v1/lessons/listen/pdf",
            ["401", "403 plus", "200", "200"],
        ),
        (
            "/api/v1/lessons/pro-read/pdf",
            ["401", "403 plus", "200", "200"],
        ),
        ("/api/v1/lessons/nope/pdf", ["404", "404", "404", "404"]),
        (
            "/api/v1/lessons/listen/audio/preview",
            ["200", "200", "200", "200"],
        ),
        (
            "/api/v1/lessons/listen/audio",
            ["401", "403 plus", "200", "200"],
        ),
        (
            "/api/v1/lessons/listen/audio/download",
            ["401", "403 pro", "403 pro", "200"],
        ),
        (
            "/api/v1/lessons/plus-listen/audio/preview",
            ["401", "403 plus", "200", "200"],
        ),
        (
            "/api/v1/lessons/plus-listen/audio",
            ["401", "403 plus", "200", "200"],
        ),
        (
            "/api/v1/lessons/plus-listen/audio/download",
            ["401", "403 pro", "403 pro", "200"],
        ),
        (
            "/api/v1/lessons/silent/audio/preview",
            ["404", "404", "404", "404"],
        ),
        ("/api/v1/lessons/silent/audio", ["404", "404", "404", "404"]),
        (
            "/api/v1/lessons/nope/audio/download",
            ["404", "404", "404", "404"],
        ),
        ("/api/v1/plans", ["200", "200", "200", "200"]),
    ];
    for (path, expected) in table {
        for ((who, token), want) in readers.iter().zip(expected) {
            let got = outcome(&app, path, token.as_deref()).await;
            assert_eq!(got, want, "{path} as {who}");
        }
    }
}

async fn lesson_media_flags_follow_the_matrix_for_every_plan(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    // The lesson JSON's media flags, per reader: [available, stream, download, pdf].
    let flags: [(&str, [[bool; 4]; 4]); 4] = [
        (
            "listen",
            [
                [true, false, false, false],
                [true, false, false, false],
                [true, true, false, true],
                [true, true, true, true],
            ],
        ),
        (
            "plus-listen",
            [
                [true, false, false, false],
                [true, false, false, false],
                [true, true, false, true],
                [true, true, true, true],
            ],
        ),
        (
            "silent",
            [
                [false, false, false, false],
                [false, false, false, false],
                [false, false, false, true],
                [false, false, false, true],
            ],
        ),
        (
            // Locked for Plus, whose PDF holds the open part only.
            "pro-read",
            [
                [false, false, false, false],
                [false, false, false, false],
                [false, false, false, true],
                [false, false, false, true],
            ],
        ),
    ];
    for (slug, per_reader) in flags {
        for ((who, token), want) in readers.iter().zip(per_reader) {
            let body: Value = fetch(
                &app,
                &format!("/api/v1/lessons/{slug}"),
                token.as_deref(),
                &[],
            )
            .await
            .json()
            .await
            .unwrap();
            let audio = &body["media"]["audio"];
            let got = [
                audio["available"].as_bool().unwrap(),
                audio["stream"].as_bool().unwrap(),
                audio["download"].as_bool().unwrap(),
                body["media"]["pdf"].as_bool().unwrap(),
            ];
            assert_eq!(got, want, "media flags of {slug} as {who}");
        }
    }
}

/// The download is an attachment named after the lesson; the stream is inline.
async fn a_download_is_an_attachment_and_a_stream_inline(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    let pro = readers[3].1.as_deref();
    let download = fetch(&app, "/api/v1/lessons/listen/audio/download", pro, &[]).await;
    assert_eq!(
        download.headers()["content-disposition"],
        "attachment; filename=\"listen.mp3\""
    );
    assert_eq!(download.headers()["content-type"], "audio/mpeg");
    let stream = fetch(&app, "/api/v1/lessons/listen/audio", pro, &[]).await;
    assert!(stream.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("inline"));
}

/// The lesson page's "Listen to this lesson" block, per reader.
async fn the_narration_block_shows_each_reader_their_options(backend: Backend) {
    let (app, _content) = spawn_demo(backend, None).await;
    let readers = readers(&app).await;
    let page = |token: Option<String>| {
        let app = &app;
        async move {
            fetch(app, "/lessons/listen", token.as_deref(), &[])
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let free = page(readers[1].1.clone()).await;
    assert!(free.contains("Free preview · first 0:30"));
    assert!(free.contains("src=\"/api/v1/lessons/listen/audio/preview\""));
    // One note under the player, with what each paid plan adds (not a card per feature).
    assert_eq!(
        free.matches("Audio &amp; video lessons are paid features")
            .count(),
        1
    );
    assert!(!free.contains("upgrade-card"));
    assert!(free.contains("<strong>Plus</strong> adds<"));
    assert!(free.contains("<li>The full narration, with seeking</li>"));
    assert!(free.contains("<li>A PDF of every lesson</li>"));
    assert!(free.contains("<strong>Pro</strong> also adds<"));
    assert!(free.contains("<li>MP3 downloads to listen offline</li>"));
    assert!(free.contains("<li>Video lessons as they arrive</li>"));
    assert!(!free.contains("Download MP3"));
    let plus = page(readers[2].1.clone()).await;
    assert!(plus.contains("src=\"/api/v1/lessons/listen/audio\""));
    assert!(!plus.contains("Free preview"));
    assert!(plus.contains("Audio &amp; video lessons are paid features"));
    assert!(!plus.contains("<strong>Plus</strong> adds"));
    assert!(plus.contains("<strong>Pro</strong> adds<"));
    assert!(plus.contains("<li>MP3 downloads to listen offline</li>"));
    let pro = page(readers[3].1.clone()).await;
    assert!(pro.contains("Download MP3"));
    assert!(!pro.contains("upgrade-card"));
    assert!(!pro.contains("paid features"));
}
