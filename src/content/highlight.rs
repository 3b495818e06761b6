//! Highlighted code (API.md section 13): a fenced block with a language syntect knows is
//! marked up on the server as `<span class="hl-…">` runs, coloured by the site's CSS for the
//! light and the dark theme; no JavaScript. An unknown language stays plain text.
//!
//! The grammars are syntect's with two-face's extra syntaxes (TOML, TypeScript and more),
//! the set typst already links in for the PDF's raw blocks. Classes name only a scope's
//! first part (`keyword`, `string`, …), so the CSS stays a short palette.

use std::sync::LazyLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Tag, TagEnd};
use syntect::parsing::{BasicScopeStackOp, ParseState, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::markdown::escape;

/// The scope kinds that get a colour; every other scope adds no markup.
pub const CLASSES: [&str; 7] = [
    "comment", "keyword", "storage", "string", "constant", "entity", "support",
];

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// The grammar for a fence's language (`rust`, `py`, `json`, …), if there is one.
fn syntax_for(lang: &str) -> Option<&'static SyntaxReference> {
    let lang = lang.trim();
    if lang.is_empty() || lang.eq_ignore_ascii_case("text") || lang.eq_ignore_ascii_case("plain") {
        return None;
    }
    SYNTAXES
        .find_syntax_by_token(lang)
        .or_else(|| SYNTAXES.find_syntax_by_token(&lang.to_ascii_lowercase()))
}

/// The code's HTML as `<span class="hl-…">` runs inside nothing (the caller wraps it in
/// `<pre><code>`), or `None` when the language is unknown or its grammar fails on the text.
pub fn highlight(lang: &str, code: &str) -> Option<String> {
    let syntax = syntax_for(lang)?;
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    // Per open scope: whether it opened a span.
    let mut opened: Vec<bool> = Vec::new();
    let mut html = String::with_capacity(code.len() * 2);
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, &SYNTAXES).ok()?;
        let mut at = 0;
        for (offset, op) in ops {
            html.push_str(&escape(&line[at..offset]));
            at = offset;
            stack
                .apply_with_hook(&op, |basic, _| match basic {
                    BasicScopeStackOp::Push(scope) => {
                        let name = scope.build_string();
                        let kind = name.split('.').next().unwrap_or_default();
                        let coloured = CLASSES.contains(&kind);
                        if coloured {
                            html.push_str("<span class=\"hl-");
                            html.push_str(kind);
                            html.push_str("\">");
                        }
                        opened.push(coloured);
                    }
                    BasicScopeStackOp::Pop => {
                        if opened.pop() == Some(true) {
                            html.push_str("</span>");
                        }
                    }
                })
                .ok()?;
        }
        html.push_str(&escape(&line[at..]));
    }
    for coloured in opened {
        if coloured {
            html.push_str("</span>");
        }
    }
    Some(html)
}

/// Highlight fenced code blocks whose language `highlight` knows; others stay as they are.
pub(crate) fn code_blocks(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter().peekable();
    while let Some(event) = iter.next() {
        let Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) = &event else {
            out.push(event);
            continue;
        };
        let lang = info
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        let mut inner = Vec::new();
        let mut code = String::new();
        for next in iter.by_ref() {
            if matches!(next, Event::End(TagEnd::CodeBlock)) {
                break;
            }
            if let Event::Text(text) = &next {
                code.push_str(text);
            }
            inner.push(next);
        }
        match highlight(&lang, &code) {
            Some(html) => out.push(Event::Html(CowStr::from(format!(
                "<pre><code class=\"language-{} highlighted\">{html}</code></pre>\n",
                escape(&lang)
            )))),
            None => {
                out.push(event);
                out.extend(inner);
                out.push(Event::End(TagEnd::CodeBlock));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::markdown::render;

    #[test]
    fn known_languages_get_coloured_spans() {
        let html = highlight("rust", "fn main() { let s = \"<b>\"; } // done\n").unwrap();
        assert!(
            html.contains("<span class=\"hl-storage\">fn</span>"),
            "{html}"
        );
        assert!(html.contains("<span class=\"hl-comment\">"), "{html}");
        assert!(
            html.contains("&lt;b&gt;") && !html.contains("<b>"),
            "{html}"
        );
        for lang in ["python", "py", "json", "toml", "bash", "TypeScript"] {
            assert!(highlight(lang, "x = 1\n").is_some(), "{lang}");
        }
    }

    #[test]
    fn unknown_languages_stay_plain() {
        assert_eq!(highlight("klingon", "x"), None);
        assert_eq!(highlight("", "x"), None);
        assert_eq!(highlight("text", "x"), None);
    }

    #[test]
    fn unknown_code_languages_stay_plain_and_escaped() {
        let html = render("```klingon\n<b>Qapla'</b>\n```\n");
        assert!(
            html.contains("<code class=\"language-klingon\">&lt;b&gt;"),
            "{html}"
        );
        assert!(!html.contains("hl-"), "{html}");
    }

    #[test]
    fn spans_are_balanced() {
        let html = highlight("python", "def f(x):\n    \"\"\"doc\n    more\"\"\"\n").unwrap();
        assert_eq!(
            html.matches("<span").count(),
            html.matches("</span>").count()
        );
    }
}

/// The highlight colours as the stylesheet sets them, checked for AA contrast.
#[cfg(test)]
mod contrast {
    use super::CLASSES;

    const CSS: &str = include_str!("../../static/css/site.css");

    /// Every value `--name` is set to in the stylesheet, in order: the light theme's
    /// first, then the dark theme's.
    fn values(name: &str) -> Vec<(f64, f64, f64)> {
        let key = format!("--{name}:");
        CSS.match_indices(&key)
            .map(|(at, _)| {
                let value = CSS[at + key.len()..].trim_start();
                let hex = value.strip_prefix('#').expect("a #rrggbb colour");
                let channel = |i: usize| {
                    f64::from(u8::from_str_radix(&hex[i..i + 2], 16).expect("hex digits")) / 255.0
                };
                (channel(0), channel(2), channel(4))
            })
            .collect()
    }

    /// WCAG 2 relative luminance.
    fn luminance((r, g, b): (f64, f64, f64)) -> f64 {
        let linear = |c: f64| {
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
    }

    fn ratio(a: (f64, f64, f64), b: (f64, f64, f64)) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_colour_passes_aa_on_the_code_background_in_both_themes() {
        let backgrounds = values("code-bg");
        assert_eq!(backgrounds.len(), 2, "a light and a dark --code-bg");
        for class in CLASSES {
            let colours = values(&format!("hl-{class}"));
            assert_eq!(colours.len(), 2, "a light and a dark --hl-{class}");
            for (theme, (colour, background)) in ["light", "dark"]
                .iter()
                .zip(colours.into_iter().zip(&backgrounds))
            {
                let ratio = ratio(colour, *background);
                assert!(
                    ratio >= 4.5,
                    "--hl-{class} in the {theme} theme: {ratio:.2}:1"
                );
            }
        }
        assert!(
            CSS.contains(".prose pre code .hl-keyword"),
            "the classes are styled"
        );
    }
}
