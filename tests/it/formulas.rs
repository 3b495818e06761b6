//! Formulas and highlighted code in lessons (API.md section 13): `$…$` and `$$…$$` reach
//! the page as MathML (`display="block"` for display formulas) through the one sanitising
//! pass; fenced code in a known language is highlighted on the server and an unknown one
//! stays escaped text; a formula that does not parse is an import error naming its file
//! and line while the other lessons import, and the admin's preview and save refuse it
//! with the same line; the lesson PDF shows the formulas' symbols and the code's text.

use crate::common;

use std::path::{Path, PathBuf};

use common::admin::{admin_token, call, edit, lesson_source, markdown};
use common::{pdf, send, spawn_settings, test_settings, Backend, TestApp};
use lectern::db::Db;
use lectern::import::{import_dir, ImportReport};
use lectern::plans::Plan;
use reqwest::Method;

on_both_backends!(
    formulas_and_code_render_on_the_page,
    a_broken_formula_is_an_import_error_with_its_line,
    the_admin_refuses_a_broken_formula_with_its_line,
    the_pdf_shows_formulas_and_code,
);

/// The fixture course, `tests/data/formulas/formulas-demo`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/formulas")
}

/// The fixture imported into a fresh database, then the app on it.
async fn start(backend: Backend) -> (TestApp, ImportReport) {
    let (settings, data) = test_settings(backend, &fixture()).await;
    let db = Db::connect(&settings).await.unwrap();
    let report = import_dir(&db, &fixture()).await.unwrap();
    db.close().await;
    (spawn_settings(settings, data).await, report)
}

/// The lesson body of a page: between the `prose` div and the end of the document.
async fn page(app: &TestApp, slug: &str) -> String {
    let (status, html) = app.get_text(&format!("/lessons/{slug}")).await;
    assert_eq!(status, 200, "{html}");
    let start = html.find("<div class=\"prose\">").expect("the lesson body");
    html[start..].to_owned()
}

/// The `<pre>…</pre>` block whose code has class `language-{lang}`.
fn code_block<'a>(html: &'a str, lang: &str) -> &'a str {
    let at = html
        .find(&format!("class=\"language-{lang}"))
        .unwrap_or_else(|| panic!("no {lang} block in {html}"));
    let start = html[..at].rfind("<pre").unwrap();
    let end = at + html[at..].find("</pre>").unwrap();
    &html[start..end]
}

async fn formulas_and_code_render_on_the_page(backend: Backend) {
    let (app, _report) = start(backend).await;
    let html = page(&app, "math-and-code").await;

    assert!(!html.contains("$\\alpha"), "no raw LaTeX left: {html}");
    assert!(
        html.contains("<math display=\"inline\"><msub>"),
        "inline math: {html}"
    );
    assert_eq!(
        html.matches("<math display=\"block\">").count(),
        2,
        "{html}"
    );
    for piece in ["<mfrac>", "<msqrt>", "α", "∑"] {
        assert!(html.contains(piece), "{piece:?} in {html}");
    }
    // Only the narrow list survives: the MathML carries no style, link or handler.
    let math = &html[html.find("<math").unwrap()..html.rfind("</math>").unwrap()];
    for bad in ["style=", "href", " on", "<script"] {
        assert!(!math.contains(bad), "{bad:?} in {math}");
    }

    let rust = code_block(&html, "rust");
    assert!(rust.contains("highlighted"), "{rust}");
    assert!(
        rust.contains("<span class=\"hl-storage\">fn</span>"),
        "{rust}"
    );
    assert!(rust.contains("<span class=\"hl-comment\">"), "{rust}");
    let python = code_block(&html, "python");
    assert!(
        python.contains("<span class=\"hl-keyword\">def</span>"),
        "{python}"
    );
    assert!(python.contains("<span class=\"hl-comment\">"), "{python}");
    let json = code_block(&html, "json");
    assert!(json.contains("<span class=\"hl-string\">"), "{json}");
    assert!(
        json.contains("<span class=\"hl-constant\">8</span>"),
        "{json}"
    );
    let unknown = code_block(&html, "klingon");
    assert!(
        unknown.contains("&lt;b&gt;Qapla'&lt;/b&gt; &amp; batlh"),
        "{unknown}"
    );
    assert!(!unknown.contains("<span") && !unknown.contains("highlighted"));

    // Dollar amounts that are not a formula stay text.
    let plain = page(&app, "plain-lesson").await;
    assert!(
        plain.contains("Prices such as $3 and $5 stay text."),
        "{plain}"
    );
    assert!(!plain.contains("<math"));

    // No script or web font comes with them.
    let (_, whole) = app.get_text("/lessons/math-and-code").await;
    assert!(!whole.contains("<script src") || !whole.contains("katex"));
    assert!(!whole.contains("@font-face") && !whole.contains("mathjax"));
}

async fn a_broken_formula_is_an_import_error_with_its_line(backend: Backend) {
    let (app, report) = start(backend).await;
    let text = std::fs::read_to_string(fixture().join("formulas-demo/03-broken.md")).unwrap();
    let line = text.lines().position(|l| l.contains("\\frac{a}$")).unwrap() + 1;
    assert_eq!(report.errors.len(), 1, "{report}");
    let error = &report.errors[0];
    assert!(
        error.contains(&format!("03-broken.md:{line}:")) && error.contains("\\frac{a}"),
        "{error}"
    );
    let mut created = report.created.clone();
    created.sort();
    assert_eq!(created, ["math-and-code", "plain-lesson"], "{report}");
    let (status, _) = app.get_text("/lessons/broken-formula").await;
    assert_eq!(status, 404);
}

async fn the_admin_refuses_a_broken_formula_with_its_line(backend: Backend) {
    let (app, _report) = start(backend).await;
    let token = admin_token(&app).await;
    let source = lesson_source(
        "admin-math",
        "Admin math",
        "Fine $x$.\n\nBroken $\\frac{a}$.",
    )
    .replace("ai-foundations", "formulas-demo");
    let line = source.lines().position(|l| l.contains("Broken")).unwrap() + 1;
    let expected = format!("line {line}: ");

    let preview = call(&app, Method::POST, "/api/v1/admin/preview", Some(&token));
    let (status, body) = send(markdown(preview, &source)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "invalid_input", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&expected) && message.contains("\\frac{a}"),
        "{body}"
    );

    let create = call(&app, Method::POST, "/api/v1/admin/lessons", Some(&token));
    let (status, body) = send(markdown(create, &source)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with(&expected));

    let fixed = source.replace("\\frac{a}", "\\frac{a}{b}");
    let preview = call(&app, Method::POST, "/api/v1/admin/preview", Some(&token));
    let (status, body) = send(markdown(preview, &fixed)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["html"].as_str().unwrap().contains("<mfrac>"), "{body}");

    let good = std::fs::read_to_string(fixture().join("formulas-demo/02-plain.md")).unwrap();
    let broken = good.replace("stay text.", "stay text, $\\sqrt$.");
    let (status, body) = edit(&app, &token, "plain-lesson", &broken).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 10: "),
        "{body}"
    );
}

async fn the_pdf_shows_formulas_and_code(backend: Backend) {
    let (app, _report) = start(backend).await;
    let (token, _) = app.sign_up("plus@example.com").await;
    let db = Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, "plus@example.com", Plan::Plus)
        .await
        .unwrap();
    db.close().await;
    let response = call(
        &app,
        Method::GET,
        "/api/v1/lessons/math-and-code/pdf",
        Some(&token),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let Some(text) = pdf::text(&bytes) else {
        return;
    };
    for piece in [
        "α",
        "√",
        "∑",
        "softmax",
        "Attention",
        "fn scaled",
        "def scaled",
        "\"heads\"",
        "Qapla",
    ] {
        assert!(text.contains(piece), "{piece:?} in {text}");
    }
    assert!(
        !text.contains("\\frac") && !text.contains("\\sqrt"),
        "{text}"
    );
}
