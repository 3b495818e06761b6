//! Markdown to safe HTML: CommonMark with GitHub's extensions, heading anchors, titled
//! callouts and footnotes with back-links, formulas as MathML (`math`), code highlighted
//! by language (`highlight`), then one sanitising pass with ammonia.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::content::figures::{place as place_figures, Figures};
use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{highlight, math};

/// Render a Markdown body to sanitised HTML.
pub fn render(markdown: &str) -> String {
    render_with_figures(markdown, &Figures::new())
}

/// Render a lesson body whose images named in `figures` become sized figures.
pub fn render_with_figures(markdown: &str, figures: &Figures) -> String {
    let events: Vec<Event> = Parser::new_ext(markdown, options()).collect();
    let events = place_figures(events, figures);
    let events = anchor_headings(events);
    let events = callouts(events);
    let events = footnotes(events);
    let events = scrollable_tables(events);
    let events = math::formulas(events);
    let events = highlight::code_blocks(events);
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    sanitize(&html)
}

/// Clean any HTML fragment: no script, event handler, `javascript:`/`data:` URL, frame or style.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// The Markdown dialect of lesson bodies (the PDF's document tree parses with it too).
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tags(["aside", "section", "input"])
        .add_tags(math::MATHML_TAGS)
        .add_generic_attributes(["class", "id"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("img", ["loading", "decoding"])
        .add_tag_attributes("a", ["aria-label"])
        .add_tag_attributes("aside", ["role"])
        .add_tag_attributes("section", ["aria-label"])
        .add_tag_attributes("span", ["aria-hidden"])
        .add_tag_attributes("div", ["role", "tabindex", "aria-label"]);
    for tag in math::MATHML_TAGS {
        builder.add_tag_attributes(tag, math::MATHML_ATTRIBUTES);
    }
    builder
        .attribute_filter(|element, attribute, value| {
            if element == "input" && attribute == "type" && value != "checkbox" {
                None
            } else {
                Some(value.into())
            }
        })
        .link_rel(Some("noopener noreferrer"));
    builder
});

/// The level a heading is shown at: `#` headings are demoted to level 2, as the lesson's
/// title is the only level 1.
pub(crate) fn shown_level(level: HeadingLevel) -> HeadingLevel {
    level.max(HeadingLevel::H2)
}

/// Give every heading an `id` made from its text, unique within the document, and demote
/// `#` headings to level 2: the page title is the only h1.
fn anchor_headings(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used = HashSet::new();
    let mut out = Vec::with_capacity(events.len());
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        let Event::Start(Tag::Heading {
            level,
            id: None,
            classes,
            attrs,
        }) = event
        else {
            out.push(event);
            continue;
        };
        let mut inner = Vec::new();
        let mut text = String::new();
        for event in iter.by_ref() {
            if let Event::End(TagEnd::Heading(end_level)) = event {
                inner.push(Event::End(TagEnd::Heading(shown_level(end_level))));
                break;
            }
            if let Event::Text(t) | Event::Code(t) = &event {
                text.push_str(t);
            }
            inner.push(event);
        }
        let id = unique_slug(&text, &mut used);
        let level = shown_level(level);
        out.push(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id)),
            classes,
            attrs,
        }));
        out.extend(inner);
    }
    out
}

/// An anchor made from `text`: lower case letters and digits, words joined by `-` (empty
/// when `text` has neither letters nor digits).
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if (c.is_whitespace() || c == '-' || c == '_') && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

fn unique_slug(text: &str, used: &mut HashSet<String>) -> String {
    let base = match slug(text) {
        s if s.is_empty() => "section".to_owned(),
        s => s,
    };
    let mut candidate = base.clone();
    let mut n = 2;
    while !used.insert(candidate.clone()) {
        candidate = format!("{base}-{n}");
        n += 1;
    }
    candidate
}

/// The callout kinds: marker, CSS name, icon, default title.
const CALLOUT_KINDS: [(&str, &str, &str, &str); 5] = [
    ("NOTE", "note", "📝", "Note"),
    ("TIP", "tip", "💡", "Tip"),
    ("IMPORTANT", "important", "❗", "Important"),
    ("WARNING", "warning", "⚠️", "Warning"),
    ("CAUTION", "caution", "🛑", "Caution"),
];

/// Turn `> [!KIND] Title` blockquotes into titled `<aside>` callouts.
fn callouts(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut stack = Vec::new();
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::BlockQuote(_)) => {
                if let Some(marker) = callout_marker(&events[i + 1..]) {
                    let (_, class, icon, _) = CALLOUT_KINDS[marker.kind];
                    let title = marker.shown_title();
                    out.push(Event::Html(CowStr::from(format!(
                        "<aside class=\"callout callout-{class}\" role=\"note\">\
                         <p class=\"callout-title\"><span class=\"callout-icon\" aria-hidden=\"true\">{icon}</span> {}</p>\n",
                        escape(title)
                    ))));
                    if marker.paragraph_continues {
                        out.push(Event::Start(Tag::Paragraph));
                    }
                    stack.push(true);
                    i += 1 + marker.events;
                    continue;
                }
                stack.push(false);
                out.push(events[i].clone());
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                if stack.pop() == Some(true) {
                    out.push(Event::Html(CowStr::Borrowed("</aside>\n")));
                } else {
                    out.push(events[i].clone());
                }
            }
            other => out.push(other.clone()),
        }
        i += 1;
    }
    out
}

pub(crate) struct CalloutMarker {
    /// Index into `CALLOUT_KINDS`.
    kind: usize,
    title: String,
    /// Whether the first paragraph goes on after the marker line.
    pub paragraph_continues: bool,
    /// Events the marker used, from the paragraph's start to the line break or its end.
    pub events: usize,
}

impl CalloutMarker {
    /// The kind's name as CSS and the PDF know it, e.g. `tip`.
    pub(crate) fn class(&self) -> &'static str {
        CALLOUT_KINDS[self.kind].1
    }

    /// The title as written, or the kind's own when none is.
    pub(crate) fn shown_title(&self) -> &str {
        match self.title.as_str() {
            "" => CALLOUT_KINDS[self.kind].3,
            title => title,
        }
    }
}

/// Read `[!KIND] optional title` as the first line of a blockquote's first paragraph.
pub(crate) fn callout_marker(events: &[Event<'_>]) -> Option<CalloutMarker> {
    if !matches!(events.first(), Some(Event::Start(Tag::Paragraph))) {
        return None;
    }
    let mut line = String::new();
    let mut n = 1;
    while let Some(Event::Text(text) | Event::Code(text) | Event::InlineHtml(text)) = events.get(n)
    {
        line.push_str(text);
        n += 1;
    }
    let rest = line.strip_prefix("[!")?;
    let close = rest.find(']')?;
    let kind = CALLOUT_KINDS
        .iter()
        .position(|(marker, ..)| rest[..close].eq_ignore_ascii_case(marker))?;
    let paragraph_continues = match events.get(n)? {
        Event::SoftBreak | Event::HardBreak => true,
        Event::End(TagEnd::Paragraph) => false,
        _ => return None,
    };
    Some(CalloutMarker {
        kind,
        title: rest[close + 1..].trim().to_owned(),
        paragraph_continues,
        events: n + 1,
    })
}

/// Wrap tables in a labelled region that scrolls sideways on narrow screens (and by
/// keyboard), so a wide table never widens the page.
fn scrollable_tables(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    for event in events {
        match event {
            Event::Start(Tag::Table(_)) => {
                out.push(Event::Html(CowStr::Borrowed(
                    "<div class=\"table-scroll\" role=\"region\" aria-label=\"Table\" tabindex=\"0\">",
                )));
                out.push(event);
            }
            Event::End(TagEnd::Table) => {
                out.push(event);
                out.push(Event::Html(CowStr::Borrowed("</div>\n")));
            }
            other => out.push(other),
        }
    }
    out
}

/// Number footnotes by first reference, link both ways, and gather them at the end.
fn footnotes(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    let mut definitions: HashMap<String, Vec<Event>> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut iter = events.into_iter();
    while let Some(event) = iter.next() {
        match event {
            Event::FootnoteReference(label) => {
                let key = footnote_key(&label);
                let first = !order.contains(&key);
                if first {
                    order.push(key.clone());
                }
                let number = order.iter().position(|k| *k == key).unwrap_or(0) + 1;
                let id = if first {
                    format!(" id=\"fnref-{key}\"")
                } else {
                    String::new()
                };
                out.push(Event::Html(CowStr::from(format!(
                    "<sup class=\"footnote-ref\"><a href=\"#fn-{key}\"{id}>{number}</a></sup>"
                ))));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                let mut body = Vec::new();
                for inner in iter.by_ref() {
                    if matches!(inner, Event::End(TagEnd::FootnoteDefinition)) {
                        break;
                    }
                    body.push(inner);
                }
                definitions.insert(footnote_key(&label), body);
            }
            other => out.push(other),
        }
    }
    let listed: Vec<_> = order
        .into_iter()
        .filter_map(|key| definitions.remove(&key).map(|body| (key, body)))
        .collect();
    if listed.is_empty() {
        return out;
    }
    out.push(Event::Html(CowStr::Borrowed(
        "<section class=\"footnotes\" aria-label=\"Footnotes\">\
         <h2 class=\"visually-hidden\">Footnotes</h2><ol>\n",
    )));
    for (key, mut body) in listed {
        let back = Event::Html(CowStr::from(format!(
            " <a href=\"#fnref-{key}\" class=\"footnote-back\" aria-label=\"Back to the text\">↩</a>"
        )));
        match body
            .iter()
            .rposition(|e| matches!(e, Event::End(TagEnd::Paragraph)))
        {
            Some(end) => body.insert(end, back),
            None => body.push(back),
        }
        out.push(Event::Html(CowStr::from(format!("<li id=\"fn-{key}\">"))));
        out.extend(body);
        out.push(Event::Html(CowStr::Borrowed("</li>\n")));
    }
    out.push(Event::Html(CowStr::Borrowed("</ol></section>\n")));
    out
}

/// The key a footnote label is matched by (its references and its definition).
pub(crate) fn footnote_key(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Appends `text` to `out` with all five of HTML's special characters escaped (`'` too),
/// for text that may land in any attribute.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// Escape text for HTML element content and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn titled_callouts_become_asides() {
        let html = render("> [!TIP] Key Concept\n> Models predict the next token.\n");
        assert!(
            html.contains("<aside class=\"callout callout-tip\" role=\"note\">"),
            "{html}"
        );
        assert!(
            html.contains("aria-hidden=\"true\">💡</span> Key Concept</p>"),
            "{html}"
        );
        assert!(
            html.contains("<p>Models predict the next token.</p>"),
            "{html}"
        );
        assert!(!html.contains("[!TIP]"));

        let html = render("> [!NOTE]\n>\n> Plain note.\n");
        assert!(html.contains("📝</span> Note</p>"), "{html}");
        assert!(html.contains("<p>Plain note.</p>"), "{html}");

        let html = render("> [!WARNING] Careful & <b>bold</b>\n> Text.\n");
        assert!(html.contains("Careful &amp; "), "{html}");
        assert!(!html.contains("<b>bold"), "{html}");

        let plain = render("> Just a quote.\n");
        assert!(
            plain.contains("<blockquote>") && !plain.contains("callout"),
            "{plain}"
        );
    }

    #[test]
    fn headings_get_unique_anchor_ids_and_h1_is_demoted() {
        let html =
            render("# Top\n\n## Self-Attention, explained\n\n## Self-Attention, explained\n");
        assert!(html.contains("<h2 id=\"top\">Top</h2>"), "{html}");
        assert!(
            html.contains("<h2 id=\"self-attention-explained\">"),
            "{html}"
        );
        assert!(
            html.contains("<h2 id=\"self-attention-explained-2\">"),
            "{html}"
        );
    }

    #[test]
    fn footnotes_link_both_ways_and_gather_at_the_end() {
        let html =
            render("Claim.[^src] Other.[^b]\n\n[^b]: Second.\n[^src]: A source.\n\nAfter.\n");
        assert!(
            html.contains("<a href=\"#fn-src\" id=\"fnref-src\""),
            "{html}"
        );
        assert!(html.contains("<a href=\"#fn-b\" id=\"fnref-b\""), "{html}");
        let notes = html.find("class=\"footnotes\"").unwrap();
        assert!(
            html.find("After.").unwrap() < notes,
            "definitions move to the end"
        );
        assert!(html[notes..].find("fn-src").unwrap() < html[notes..].find("fn-b").unwrap());
        assert!(html.contains("href=\"#fnref-src\""), "{html}");
    }

    #[test]
    fn gfm_tables_tasks_and_code_render() {
        let html = render(
            "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~\n\n```rust\nlet x = \"<script>\";\n```\n",
        );
        assert!(
            html.contains("<table>") && html.contains("<td>1</td>"),
            "{html}"
        );
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(
            html.contains("<code class=\"language-rust highlighted\">"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;") && !html.contains("<script"),
            "{html}"
        );
    }

    const XSS: [&str; 20] = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "![x](javascript:alert(1))",
        "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
        "<iframe src=\"https://example.com\"></iframe>",
        "<object data=\"x.swf\"></object>",
        "<embed src=\"x.swf\">",
        "<svg><script>alert(1)</script></svg>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<form action=\"https://evil.example\"><input name=q></form>",
        "<body onload=alert(1)>",
        "<math><mtext><script>alert(1)</script></mtext></math>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<details open ontoggle=alert(1)>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    ];

    #[test]
    fn nothing_executable_survives() {
        for vector in XSS {
            let html = render(vector).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "ontoggle",
                "javascript:",
                "data:",
                "<iframe",
                "<object",
                "<embed",
                "<style",
                "style=",
                "<form",
                "<meta",
                "<svg",
            ] {
                assert!(!html.contains(bad), "{vector:?} left {bad:?} in {html:?}");
            }
        }
    }

    #[test]
    fn code_blocks_show_dangerous_text_intact() {
        let html = render("```text\n<script>alert(1)</script>\n```\n");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        // Highlighted, the same text is split into coloured runs but stays text.
        let html = render("```html\n<script>alert(1)</script>\n```\n");
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;<span class=\"hl-entity\">script</span>&gt;"),
            "{html}"
        );
    }
}
