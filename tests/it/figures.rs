//! Figures in lessons (API.md section 13): checked, measured and stored at import, each
//! broken one an import error naming its file and line while the other lessons import;
//! shown as sized, lazy `<img>`s (a captioned one as a `<figure>`) at content-addressed
//! URLs that answer with the contract's headers, an SVG with its own policy; never
//! referenced past `<!-- more -->` for a reader below the plan; in the PDF; and uploaded by
//! admins.

use crate::common;

use std::path::{Path, PathBuf};

use common::admin::{admin_token, call, edit, markdown, ADMIN_EMAIL};
use common::{send, spawn_settings, test_settings, Backend, TestApp, TEST_PASSWORD};
use lectern::db::Db;
use lectern::import::{import_dir, ImportReport};
use lectern::plans::Plan;
use reqwest::Method;
use sha2::{Digest, Sha256};

on_both_backends!(
    figures_are_checked_measured_and_shown,
    figure_urls_answer_with_the_contracts_headers,
    a_locked_lesson_never_names_a_figure_past_the_marker,
    lesson_pdfs_embed_their_figures,
    admins_upload_figures_that_lessons_then_show,
    the_editor_uploads_a_figure_without_javascript,
);

/// The fixture course, `tests/data/figures/figures-demo`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/figures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A copy of the fixture content with a figure file one byte over the 5 MiB limit (too
/// big to keep in the repository), imported into a fresh database; then the app on it.
async fn start(backend: Backend) -> (TestApp, ImportReport, tempfile::TempDir) {
    let content = tempfile::tempdir().unwrap();
    copy_dir(&fixture(), content.path());
    let mut huge = b"\x89PNG\r\n\x1a\n".to_vec();
    huge.resize(5 * 1024 * 1024 + 1, 0);
    std::fs::write(content.path().join("figures-demo/figures/huge.png"), huge).unwrap();
    let (settings, data) = test_settings(backend, content.path()).await;
    let db = Db::connect(&settings).await.unwrap();
    let report = import_dir(&db, content.path()).await.unwrap();
    db.close().await;
    (spawn_settings(settings, data).await, report, content)
}

/// The URL a fixture figure is served at.
fn url_of(file: &str) -> String {
    let bytes = std::fs::read(fixture().join("figures-demo/figures").join(file)).unwrap();
    let ext = file.rsplit('.').next().unwrap();
    format!("/figures/{}.{ext}", hex::encode(Sha256::digest(bytes)))
}

/// The `<img …>` tag in `html` whose `src` is `url`.
fn img_tag<'a>(html: &'a str, url: &str) -> &'a str {
    let at = html
        .find(&format!("src=\"{url}\""))
        .unwrap_or_else(|| panic!("no <img> of {url} in {html}"));
    let start = html[..at].rfind("<img").unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// The line of the lesson file `name` that holds its (only) figure.
fn figure_line(name: &str) -> usize {
    let text = std::fs::read_to_string(fixture().join("figures-demo").join(name)).unwrap();
    text.lines().position(|l| l.contains("![")).unwrap() + 1
}

async fn figures_are_checked_measured_and_shown(backend: Backend) {
    let (app, report, _content) = start(backend).await;

    let mut created = report.created.clone();
    created.sort();
    assert_eq!(created, ["drawn", "locked-figures"], "{report}");
    for (file, says) in [
        ("missing.md", "cannot be read"),
        ("no-alt.md", "alternative text"),
        ("escape.md", "leaves the course folder"),
        ("disguised.md", "is not a PNG, JPEG, WebP, GIF or SVG image"),
        ("huge.md", "5 MiB"),
        ("remote.md", "is a URL"),
    ] {
        let at = format!("{file}:{}:", figure_line(file));
        let error = report
            .errors
            .iter()
            .find(|e| e.contains(&format!("/{file}:")))
            .unwrap_or_else(|| panic!("no error for {file}: {report}"));
        assert!(
            error.contains(&at) && error.contains(says),
            "{file}: the error names the line ({at}) and says {says:?}: {error}"
        );
    }
    assert_eq!(report.errors.len(), 6, "{report}");
    let (status, _) = app.get_text("/lessons/missing").await;
    assert_eq!(status, 404, "a lesson with a broken figure is not imported");

    let (status, page) = app.get_text("/lessons/drawn").await;
    assert_eq!(status, 200);
    let png = img_tag(&page, &url_of("bars.png"));
    for attribute in [
        "alt=\"A bar chart of three bars\"",
        "width=\"30\"",
        "height=\"20\"",
        "loading=\"lazy\"",
        "decoding=\"async\"",
    ] {
        assert!(png.contains(attribute), "{attribute} in {png}");
    }
    let svg = img_tag(&page, &url_of("flow.svg"));
    assert!(
        svg.contains("width=\"240\"") && svg.contains("height=\"120\""),
        "{svg}"
    );
    let figure = &page[page.find("<figure").expect("a captioned figure")..];
    let figure = &figure[..figure.find("</figure>").unwrap()];
    assert!(
        figure.contains(svg),
        "the captioned image is in the figure: {figure}"
    );
    assert!(
        figure.contains("<figcaption>Queries meet keys, then values.</figcaption>"),
        "{figure}"
    );
    assert_eq!(
        page.matches("<figure").count(),
        1,
        "an image without a caption is no <figure>"
    );
    assert!(
        !page.contains("<p><figure"),
        "a figure alone stands for its paragraph"
    );
    assert!(
        page.matches(&url_of("bars.png")).count() >= 2,
        "the inline image is shown too ('./figures/bars.png' is the same file)"
    );
}

async fn figure_urls_answer_with_the_contracts_headers(backend: Backend) {
    let (app, _, _content) = start(backend).await;
    let immutable = "public, max-age=31536000, immutable";

    let svg_url = url_of("flow.svg");
    let svg = app.get(&svg_url).await;
    assert_eq!(svg.status(), 200);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&svg, "content-type"), "image/svg+xml");
    assert_eq!(header(&svg, "cache-control"), immutable);
    assert_eq!(
        header(&svg, "content-security-policy"),
        "default-src 'none'; style-src 'unsafe-inline'",
        "a script inside the SVG never runs, even when it is opened by itself"
    );
    assert_eq!(header(&svg, "x-content-type-options"), "nosniff");
    let etag = header(&svg, "etag");
    assert!(!etag.is_empty());
    let body = svg.bytes().await.unwrap();
    assert_eq!(
        body.as_ref(),
        std::fs::read(fixture().join("figures-demo/figures/flow.svg")).unwrap(),
        "the figure is served as it was written"
    );

    let png_url = url_of("bars.png");
    let png = app.get(&png_url).await;
    assert_eq!(png.status(), 200);
    assert_eq!(header(&png, "content-type"), "image/png");
    assert_eq!(header(&png, "cache-control"), immutable);
    let etag = header(&png, "etag");
    assert!(
        etag.contains(&png_url[9..73]),
        "the ETag is the hash: {etag}"
    );
    let again = app
        .client
        .get(app.url(&png_url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    for unknown in [
        format!("/figures/{}.png", "0".repeat(64)),
        png_url.replace(".png", ".gif"),
        "/figures/not-a-hash.png".to_owned(),
    ] {
        assert_eq!(app.get(&unknown).await.status(), 404, "{unknown}");
    }
}

async fn a_locked_lesson_never_names_a_figure_past_the_marker(backend: Backend) {
    let (app, _, _content) = start(backend).await;
    let (shown, secret) = (url_of("bars.png"), url_of("secret.png"));

    let (status, page) = app.get_text("/lessons/locked-figures").await;
    assert_eq!(status, 200);
    assert!(page.contains(&shown), "the teaser's figure is shown");
    assert!(
        !page.contains(&secret),
        "the page never names the locked figure"
    );
    let (_, lesson) = app.get_json("/api/v1/lessons/locked-figures").await;
    assert_eq!(lesson["locked"], true);
    let json = lesson.to_string();
    assert!(json.contains(&shown) && !json.contains(&secret), "{json}");

    let (token, _) = app.sign_up("pro@example.com").await;
    set_plan(&app, "pro@example.com", Plan::Pro).await;
    let (_, lesson) = send(common::bearer(
        &app,
        Method::GET,
        "/api/v1/lessons/locked-figures",
        &token,
    ))
    .await;
    assert_eq!(lesson["locked"], false);
    let html = lesson["html"].as_str().unwrap();
    let figure = img_tag(html, &secret);
    assert!(figure.contains("width=\"16\""), "{figure}");
    assert!(html.contains("<figcaption>Only for Pro readers.</figcaption>"));
}

async fn set_plan(app: &TestApp, email: &str, plan: Plan) {
    let db = Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, email, plan).await.unwrap();
    db.close().await;
}

/// A lesson's PDF as the reader with `token` downloads it.
async fn pdf(app: &TestApp, slug: &str, token: &str) -> Vec<u8> {
    let path = format!("/api/v1/lessons/{slug}/pdf");
    let response = common::bearer(app, Method::GET, &path, token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().to_vec()
}

async fn lesson_pdfs_embed_their_figures(backend: Backend) {
    let (app, _, _content) = start(backend).await;
    let (token, _) = app.sign_up("plus@example.com").await;
    set_plan(&app, "plus@example.com", Plan::Plus).await;

    let drawn = pdf(&app, "drawn", &token).await;
    if let Some(images) = common::pdf::images(&drawn) {
        assert!(
            images.contains(&(30, 20)),
            "the PNG is in the PDF at its size: {images:?}"
        );
    }
    let text = common::pdf::text(&drawn).unwrap_or_default();
    if !text.is_empty() {
        assert!(
            text.contains("Queries meet keys, then values."),
            "the caption is printed: {text}"
        );
    }

    // Plus is below the lesson's plan: its PDF stops at the marker, with the first figure only.
    let teaser = pdf(&app, "locked-figures", &token).await;
    if let Some(images) = common::pdf::images(&teaser) {
        assert_eq!(images, [(30, 20)], "only the teaser's figure");
    }
}

async fn admins_upload_figures_that_lessons_then_show(backend: Backend) {
    let (app, _, _content) = start(backend).await;
    let admin = admin_token(&app).await;
    let png = std::fs::read(fixture().join("figures-demo/figures/secret.png")).unwrap();
    let put = |name: &str, token: Option<&str>, body: Vec<u8>| {
        let path = format!("/api/v1/admin/lessons/drawn/figures/{name}");
        call(&app, Method::PUT, &path, token)
            .header("content-type", "image/png")
            .body(body)
    };

    let (status, _) = send(put("square.png", None, png.clone())).await;
    assert_eq!(status, 401, "anonymous");
    let (learner, _) = app.sign_up("learner@example.com").await;
    let (status, _) = send(put("square.png", Some(&learner), png.clone())).await;
    assert_eq!(status, 403, "a learner");

    let (status, body) = send(put("square.png", Some(&admin), png.clone())).await;
    assert_eq!(status, 201, "{body}");
    let url = url_of("secret.png");
    assert_eq!(
        body,
        serde_json::json!({"name": "square.png", "url": url, "width": 16, "height": 16})
    );
    assert_eq!(app.get(&url).await.status(), 200);

    for (name, bytes, why) in [
        ("notes.png", b"plain text".to_vec(), "not an image"),
        (
            "square.svg",
            png.clone(),
            "a name that does not match the bytes",
        ),
        ("Bad Name.png", png.clone(), "a name that is not plain"),
    ] {
        let (status, body) = send(put(name, Some(&admin), bytes)).await;
        assert_eq!(status, 400, "{why}: {body}");
    }
    let (status, _) = send(
        call(
            &app,
            Method::PUT,
            "/api/v1/admin/lessons/no-such-lesson/figures/a.png",
            Some(&admin),
        )
        .body(png.clone()),
    )
    .await;
    assert_eq!(status, 404);
    let mut big = png.clone();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (status, _) = send(put("big.png", Some(&admin), big)).await;
    assert_eq!(status, 413);

    let source = std::fs::read_to_string(fixture().join("figures-demo/drawn.md")).unwrap()
        + "\n![An uploaded square](figures/square.png \"Uploaded in the admin.\")\n";
    let (status, preview) = send(markdown(
        call(
            &app,
            Method::POST,
            "/api/v1/admin/preview?slug=drawn",
            Some(&admin),
        ),
        &source,
    ))
    .await;
    assert_eq!(status, 200, "{preview}");
    let html = preview["html"].as_str().unwrap();
    assert!(img_tag(html, &url).contains("height=\"16\""), "{html}");

    let (status, saved) = edit(&app, &admin, "drawn", &source).await;
    assert_eq!(status, 200, "{saved}");

    for (line, why) in [
        (
            "![Never uploaded](figures/missing.png)",
            "a figure never uploaded",
        ),
        ("![](figures/square.png)", "no alternative text"),
        (
            "![Outside](../elsewhere/square.png)",
            "a path out of the course folder",
        ),
    ] {
        let broken = format!("{source}\n{line}\n");
        let expected = format!("line {}: ", broken.lines().count());
        let (status, body) = edit(&app, &admin, "drawn", &broken).await;
        assert_eq!(status, 400, "{why}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&expected), "{why}: {body}");
    }
    let (_, page) = app.get_text("/lessons/drawn").await;
    assert!(
        !page.contains("missing.png"),
        "a refused revision changes nothing"
    );
    let (_, page) = app.get_text("/lessons/drawn").await;
    assert!(
        page.contains("<figcaption>Uploaded in the admin.</figcaption>")
            && img_tag(&page, &url).contains("loading=\"lazy\""),
        "the published lesson shows the uploaded figure"
    );
}

/// A `multipart/form-data` body of text fields and one file.
fn multipart_body(fields: &[(&str, &str)], file: (&str, &[u8])) -> (String, Vec<u8>) {
    let boundary = "figure-form-boundary-7d41";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n",
            file.0
        )
        .as_bytes(),
    );
    body.extend_from_slice(file.1);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn the_editor_uploads_a_figure_without_javascript(backend: Backend) {
    let (app, _, _content) = start(backend).await;
    admin_token(&app).await;
    let login = app
        .post("/login")
        .form(&[("email", ADMIN_EMAIL), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 303);
    let (status, editor) = app.get_text("/admin/lessons/drawn").await;
    assert_eq!(status, 200);
    assert!(
        editor.contains("action=\"/admin/lessons/drawn/figures\" enctype=\"multipart/form-data\""),
        "the editor has a plain upload form"
    );
    assert!(
        editor.contains("bars.png</code>"),
        "it lists the lesson's figures"
    );
    let marker = "name=\"csrf_token\" value=\"";
    let csrf = &editor[editor.find(marker).unwrap() + marker.len()..];
    let csrf = &csrf[..csrf.find('"').unwrap()];

    let png = std::fs::read(fixture().join("figures-demo/figures/secret.png")).unwrap();
    let (content_type, body) =
        multipart_body(&[("csrf_token", csrf), ("name", "")], ("Square.PNG", &png));
    let response = app
        .post("/admin/lessons/drawn/figures")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let (_, editor) = app.get_text("/admin/lessons/drawn").await;
    assert!(
        editor.contains("square.png</code> · 16 × 16"),
        "the uploaded figure is listed under the file's own name, lower-cased"
    );

    let (content_type, body) = multipart_body(
        &[("csrf_token", "forged"), ("name", "x.png")],
        ("x.png", &png),
    );
    let forged = app
        .post("/admin/lessons/drawn/figures")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        403,
        "a form without the session's CSRF token is refused"
    );

    let not_a_form = app
        .post("/admin/lessons/drawn/figures")
        .header("content-type", "text/plain")
        .body("csrf_token=x")
        .send()
        .await
        .unwrap();
    assert_eq!(
        not_a_form.status(),
        400,
        "a body that is not multipart is refused"
    );

    let huge = vec![0u8; 5 * 1024 * 1024 + 1];
    let (content_type, body) = multipart_body(
        &[("csrf_token", csrf), ("name", "huge.png")],
        ("huge.png", &huge),
    );
    let too_large = app
        .post("/admin/lessons/drawn/figures")
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), 413, "a file over 5 MiB is refused");
    let (_, editor) = app.get_text("/admin/lessons/drawn").await;
    assert!(!editor.contains("huge.png"), "and nothing of it is stored");
}
