//! Property tests of what admins and content files feed the site: the Markdown renderer never
//! lets a script, an event handler or a `javascript:` URL through, whatever the input, and the
//! lesson-source parser answers every input with a lesson or an error, never a panic.

use lectern::content::markdown::render;
use lectern::content::source::parse;
use proptest::prelude::*;

/// Pieces an attacker or a careless author might write, mixed with ordinary Markdown.
const FRAGMENTS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\" JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<input type=\"text\" autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<!-- more -->",
    "[link](javascript:alert(1))",
    "[link](JAVASCRIPT:alert(1) \"title\")",
    "[link](<javascript:alert(1)>)",
    "![img](javascript:alert(1))",
    "<javascript:alert(1)>",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "> [!TIP] <img src=x onerror=alert(1)>\n> body",
    "> [!WARNING] Title\n> <script>x</script>",
    "Footnote[^1].\n\n[^1]: <svg onload=alert(1)>",
    "| a | b |\n| - | - |\n| <script>x</script> | [l](javascript:x) |",
    "```html\n<script>alert(1)</script>\n```",
    "`<script>`",
    "# Heading <script>x</script>",
    "## \" onmouseover=\"alert(1)",
    "- [x] task <img onerror=alert(1) src=y>",
    "*emphasis* and **strong** and ~~gone~~",
    "A plain paragraph about tokens and attention.",
    "1. one\n2. two",
    "\n\n",
    "<",
    ">",
    "&",
    "\"",
    "'",
    "\\",
];

fn markdown() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => "[ -~\n]{0,30}",
        1 => any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.join(""))
}

/// Every tag in sanitised HTML, as its raw text between `<` and `>`: text never holds a bare
/// `<` (it is escaped to `&lt;`), so each `<` opens a tag or a closing tag.
fn tags(html: &str) -> impl Iterator<Item = &str> {
    html.split('<').skip(1).map(|rest| match rest.find('>') {
        Some(end) => &rest[..end],
        None => rest,
    })
}

/// Decode the character references a browser would decode inside an attribute value.
fn decode_entities(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        let end = tail.find(';').unwrap_or(tail.len());
        let name = &tail[..end];
        let decoded = if let Some(hex) = name.strip_prefix("#x").or(name.strip_prefix("#X")) {
            u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
        } else if let Some(dec) = name.strip_prefix('#') {
            dec.parse().ok().and_then(char::from_u32)
        } else {
            match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "colon" => Some(':'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                _ => None,
            }
        };
        match decoded {
            Some(c) if end < tail.len() => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a browser would take as the URL scheme of an attribute value.
fn scheme(value: &str) -> String {
    decode_entities(value)
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take_while(|c| *c != ':' && *c != '/')
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The attributes of a tag as (name, value) pairs.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag.trim_start_matches('/');
    rest = rest.trim_start_matches(|c: char| !c.is_whitespace() && c != '/');
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if rest.is_empty() {
            return out;
        }
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (quoted, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let end = body.find(q).unwrap_or(body.len());
                    (&body[..end], body.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = quoted.to_owned();
            rest = remaining;
        }
        out.push((name, value));
    }
}

fn assert_safe(markdown: &str, html: &str) -> Result<(), TestCaseError> {
    for tag in tags(html) {
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        prop_assert!(
            !matches!(
                name.as_str(),
                "script" | "iframe" | "object" | "embed" | "style" | "form" | "svg"
            ),
            "<{}> from {:?}:\n{}",
            name,
            markdown,
            html
        );
        for (attribute, value) in attributes(tag) {
            prop_assert!(
                !attribute.starts_with("on") && attribute != "style",
                "{} on <{}> from {:?}:\n{}",
                attribute,
                name,
                markdown,
                html
            );
            // Formulas are MathML (API.md section 13): inert, never a link.
            prop_assert!(
                !(name.starts_with('m')
                    && matches!(attribute.as_str(), "href" | "xlink:href" | "src")),
                "{} on <{}> from {:?}:\n{}",
                attribute,
                name,
                markdown,
                html
            );
            if matches!(
                attribute.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href" | "srcset"
            ) {
                let scheme = scheme(&value);
                prop_assert!(
                    !matches!(scheme.as_str(), "javascript" | "vbscript" | "data"),
                    "{}={:?} from {:?}:\n{}",
                    attribute,
                    value,
                    markdown,
                    html
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn rendered_markdown_carries_no_script(markdown in markdown()) {
        let html = render(&markdown);
        assert_safe(&markdown, &html)?;
    }

    #[test]
    fn any_source_text_gives_a_lesson_or_an_error(text in any::<String>()) {
        let _ = parse(&text, Some("any"));
    }

    #[test]
    fn front_matter_with_hostile_values_is_parsed_or_refused(
        title in proptest::sample::select(FRAGMENTS),
        body in markdown(),
        position in any::<i64>(),
        access in "[a-z]{0,6}",
        answer in proptest::collection::vec(any::<i64>(), 0..4),
    ) {
        let text = format!(
            "+++\ntitle = {title:?}\nsummary = \"s\"\ncourse = \"c\"\nposition = {position}\n\
             access = {access:?}\nupdated = 2026-01-01\n\n[quiz]\npass_percent = 70\n\n\
             [[quiz.questions]]\nid = \"q1\"\nprompt = {title:?}\nchoices = [\"a\", \"b\"]\n\
             answer = {answer:?}\n+++\n{body}"
        );
        match parse(&text, Some("hostile")) {
            Ok(lesson) => {
                prop_assert_eq!(lesson.title.as_str(), title);
                prop_assert!(["free", "plus", "pro"].contains(&access.as_str()));
                prop_assert!(lesson.quiz.is_some());
            }
            Err(error) => prop_assert!(!error.message.is_empty()),
        }
    }
}

#[test]
fn the_scanner_sees_what_a_browser_would_run() {
    // The checks above are only as good as this scanner: it must catch each vector when it is
    // NOT sanitised.
    let raw = [
        "<p><script>alert(1)</script></p>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=' java\tscript:x'>x</a>",
        "<a href=JAVASCRIPT&colon;x>x</a>",
        "<div style=\"x\">",
    ];
    for html in raw {
        let caught = proptest::test_runner::TestRunner::default()
            .run(&Just(()), |_| assert_safe("raw", html))
            .is_err();
        assert!(caught, "the scanner misses {html}");
    }
    assert!(assert_safe(
        "safe",
        "<p><a href=\"https://example.com\" rel=\"noopener\">x</a></p>"
    )
    .is_ok());
}
