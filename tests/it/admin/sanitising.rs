//! Lessons as an attacker would write them: no script, handler or dangerous URL reaches a
//! reader, in the lesson's JSON, on its page or in the admin's preview.

use reqwest::Method;

use crate::common::admin::{act, admin_token, call, create, lesson_source, markdown};
use crate::common::{send, spawn, Backend, TestApp};

on_both_backends!(
    xss_vectors_never_reach_the_lesson_json,
    xss_vectors_never_reach_the_lesson_page,
    xss_vectors_never_reach_the_preview,
    an_image_with_a_script_url_is_refused_with_its_line,
);

/// Script, handlers, dangerous URLs, frames, objects and styles, as an attacker would write them.
const XSS_VECTORS: [&str; 29] = [
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
    "[m3](data:text/html,<script>alert(1)</script>)",
];

const FORBIDDEN_TAGS: [&str; 13] = [
    "script", "iframe", "object", "embed", "style", "svg", "form", "meta", "base", "link", "frame",
    "frameset", "applet",
];

/// Formulas are MathML (API.md section 13): `<math>` and its elements may appear, inert,
/// with none of these attributes.
const MATHML_FORBIDDEN_ATTRIBUTES: [&str; 4] = ["href", "xlink:href", "src", "actiontype"];

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
            if name.starts_with('m') {
                let key = attribute.split('=').next().unwrap_or_default();
                assert!(
                    !MATHML_FORBIDDEN_ATTRIBUTES.contains(&key.to_ascii_lowercase().as_str()),
                    "{context}: {key} in <{tag}>"
                );
            }
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

/// `html` without the highlighter's `<span class="hl-…">` runs.
fn without_spans(html: &str) -> String {
    let mut out = html.replace("</span>", "");
    while let Some(start) = out.find("<span class=\"hl-") {
        let end = start + out[start..].find('>').unwrap();
        out.replace_range(start..=end, "");
    }
    out
}

const CODE_SAMPLE: &str = "<script>alert(1)</script> <img src=x onerror=alert(1)>";

/// The source of the lesson that carries the `i`th vector.
fn vector_source(i: usize, vector: &str) -> String {
    let body = format!("Before {i}.\n\n```html\n{CODE_SAMPLE}\n```\n\n{vector}\n\nAfter {i}.\n");
    lesson_source(&format!("xss-{i}"), "XSS", &body)
}

/// An app with one published lesson per vector, `xss-{i}`.
async fn with_vector_lessons(backend: Backend) -> TestApp {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        let (status, answer_body) = create(&app, &token, &vector_source(i, vector)).await;
        assert_eq!(status, 201, "{vector}: {answer_body}");
        assert_eq!(
            act(&app, &token, &format!("xss-{i}"), "publish").await.0,
            200
        );
    }
    app
}

async fn xss_vectors_never_reach_the_lesson_json(backend: Backend) {
    let app = with_vector_lessons(backend).await;
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        let (status, lesson) = app.get_json(&format!("/api/v1/lessons/xss-{i}")).await;
        assert_eq!(status, 200);
        let html = lesson["html"].as_str().unwrap();
        assert_clean(html, &format!("JSON of {vector}"));
        assert!(
            html.contains(&format!("After {i}.")),
            "the rest of the lesson survives {vector}"
        );
        // Highlighted, the code is split into coloured runs; its text is intact.
        assert!(
            without_spans(html).contains(
                "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;"
            ),
            "the code block is shown as text, intact: {html}"
        );
    }
}

async fn xss_vectors_never_reach_the_lesson_page(backend: Backend) {
    let app = with_vector_lessons(backend).await;
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        let (status, page) = app.get_text(&format!("/lessons/xss-{i}")).await;
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
    }
}

async fn xss_vectors_never_reach_the_preview(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    for (i, vector) in XSS_VECTORS.iter().enumerate() {
        let (status, preview) = send(markdown(
            call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)),
            &vector_source(i, vector),
        ))
        .await;
        assert_eq!(status, 200);
        assert_clean(
            preview["html"].as_str().unwrap(),
            &format!("preview of {vector}"),
        );
    }
}

/// An image is a figure of the lesson (API.md section 13): one naming a `javascript:` or
/// `data:` URL is refused when saved and previewed, so nothing of it is stored.
async fn an_image_with_a_script_url_is_refused_with_its_line(backend: Backend) {
    let app = spawn(backend).await;
    let token = admin_token(&app).await;
    for (i, vector) in [
        "![m2](javascript:alert(1))",
        "![m4](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    ]
    .into_iter()
    .enumerate()
    {
        let source = vector_source(i, vector);
        let line = source.lines().position(|l| l == vector).unwrap() + 1;
        let (status, body) = create(&app, &token, &source).await;
        assert_eq!(status, 400, "{vector}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.starts_with(&format!("line {line}: ")), "{body}");
        let (status, _) = send(markdown(
            call(&app, Method::POST, "/api/v1/admin/preview", Some(&token)),
            &source,
        ))
        .await;
        assert_eq!(status, 400, "the preview refuses {vector} too");
        let (status, _) = app.get_json(&format!("/api/v1/lessons/xss-{i}")).await;
        assert_eq!(status, 404, "nothing of {vector} was stored");
    }
}
