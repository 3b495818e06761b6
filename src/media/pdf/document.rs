//! A lesson body as a document tree: the blocks and inlines of its Markdown, read from
//! pulldown-cmark's events with the same dialect, heading levels, callouts and footnote
//! keys as the HTML. The typst template walks this tree as JSON data, so every piece of
//! lesson text reaches the PDF as a string and is never evaluated as markup.

use std::collections::HashMap;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, Parser, Tag, TagEnd};
use serde::Serialize;

use crate::content::markdown::{self, callout_marker};
use crate::content::text;

use super::math::{self, MathNode};

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    Heading {
        /// 2 to 6: the lesson's title is the only level 1.
        level: u8,
        content: Vec<Inline>,
    },
    Paragraph {
        content: Vec<Inline>,
    },
    List {
        ordered: bool,
        /// The first number of an ordered list.
        start: u64,
        tight: bool,
        items: Vec<Vec<Block>>,
    },
    Table {
        /// Per column: `left`, `center`, `right` or `auto`.
        align: Vec<&'static str>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    Code {
        /// The fence's language, empty when none.
        lang: String,
        text: String,
    },
    Callout {
        /// `note`, `tip`, `important`, `warning` or `caution`.
        callout: &'static str,
        title: String,
        blocks: Vec<Block>,
    },
    Quote {
        blocks: Vec<Block>,
    },
    Rule,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Inline {
    Text {
        text: String,
    },
    Strong {
        content: Vec<Inline>,
    },
    Emph {
        content: Vec<Inline>,
    },
    Strike {
        content: Vec<Inline>,
    },
    Code {
        text: String,
    },
    /// Only for `http:`, `https:` and `mailto:` URLs; other links keep their text alone.
    Link {
        url: String,
        content: Vec<Inline>,
    },
    /// An image: the figure stored for `src` when the lesson has one, else named by its
    /// alternative text.
    Image {
        alt: Vec<Inline>,
        src: String,
        caption: String,
    },
    /// A task list's box.
    Task {
        checked: bool,
    },
    Break,
    /// A footnote's first reference, carrying the note's text.
    Footnote {
        content: Vec<Inline>,
    },
    /// A later reference to the footnote numbered `number`.
    FootnoteAgain {
        number: usize,
    },
    /// A formula: typeset from its tree, or shown as its LaTeX source when it has none.
    Math {
        display: bool,
        source: String,
        tree: Option<MathNode>,
    },
}

/// The document tree of a Markdown body.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut events = Vec::new();
    let mut definitions = HashMap::new();
    let mut parser = Parser::new_ext(markdown, markdown::options());
    while let Some(event) = parser.next() {
        let Event::Start(Tag::FootnoteDefinition(label)) = event else {
            events.push(event);
            continue;
        };
        let body: Vec<Event> = parser
            .by_ref()
            .take_while(|e| !matches!(e, Event::End(TagEnd::FootnoteDefinition)))
            .collect();
        definitions.insert(markdown::footnote_key(&label), body);
    }
    let mut reader = Reader {
        events,
        at: 0,
        definitions,
        footnotes: Vec::new(),
    };
    reader.blocks(None)
}

struct Reader<'a> {
    events: Vec<Event<'a>>,
    at: usize,
    /// Footnote definitions by key, as events, until first referenced.
    definitions: HashMap<String, Vec<Event<'a>>>,
    /// Keys of the footnotes referenced so far, in order (their numbers).
    footnotes: Vec<String>,
}

impl<'a> Reader<'a> {
    fn next(&mut self) -> Option<Event<'a>> {
        let event = self.events.get(self.at).cloned();
        self.at += 1;
        event
    }

    fn peek(&self) -> Option<&Event<'a>> {
        self.events.get(self.at)
    }

    /// Blocks up to the end of the enclosing element (consumed), or of the events.
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        let mut out = Vec::new();
        loop {
            if self.peek().is_some_and(is_inline) {
                let content = self.inline_run();
                if !content.is_empty() {
                    out.push(Block::Paragraph { content });
                }
                continue;
            }
            let Some(event) = self.next() else {
                return out;
            };
            match event {
                Event::End(end) if Some(end) == until => return out,
                Event::Start(Tag::Paragraph) => {
                    let content = self.inlines(TagEnd::Paragraph);
                    if !content.is_empty() {
                        out.push(Block::Paragraph { content });
                    }
                }
                Event::Start(Tag::Heading { level, .. }) => {
                    let content = self.inlines(TagEnd::Heading(level));
                    out.push(Block::Heading {
                        level: markdown::shown_level(level) as u8,
                        content,
                    });
                }
                Event::Start(Tag::BlockQuote(kind)) => out.push(self.quote(kind)),
                Event::Start(Tag::CodeBlock(kind)) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(info) => {
                            info.split_whitespace().next().unwrap_or("").to_owned()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    let mut text = String::new();
                    while let Some(Event::Text(t)) = self.peek() {
                        text.push_str(t);
                        self.at += 1;
                    }
                    self.skip_to(TagEnd::CodeBlock);
                    let text = text.strip_suffix('\n').unwrap_or(&text).to_owned();
                    out.push(Block::Code { lang, text });
                }
                Event::Start(Tag::List(start)) => out.push(self.list(start)),
                Event::Start(Tag::Table(align)) => out.push(self.table(&align)),
                Event::Start(Tag::HtmlBlock) => {
                    let mut html = String::new();
                    while let Some(Event::Html(t)) = self.peek() {
                        html.push_str(t);
                        self.at += 1;
                    }
                    self.skip_to(TagEnd::HtmlBlock);
                    let text = text::of_html(&html);
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        out.push(Block::Paragraph {
                            content: vec![Inline::Text { text }],
                        });
                    }
                }
                Event::Rule => out.push(Block::Rule),
                // Whatever else the dialect has no place for here is skipped whole.
                Event::Start(tag) => self.skip_to(tag.to_end()),
                _ => {}
            }
        }
    }

    /// A blockquote (its start consumed): a titled callout when it opens with `[!KIND]`.
    fn quote(&mut self, kind: Option<pulldown_cmark::BlockQuoteKind>) -> Block {
        let end = TagEnd::BlockQuote(kind);
        let Some(marker) = callout_marker(&self.events[self.at..]) else {
            return Block::Quote {
                blocks: self.blocks(Some(end)),
            };
        };
        self.at += marker.events;
        let mut blocks = Vec::new();
        if marker.paragraph_continues {
            let content = self.inlines(TagEnd::Paragraph);
            if !content.is_empty() {
                blocks.push(Block::Paragraph { content });
            }
        }
        blocks.extend(self.blocks(Some(end)));
        Block::Callout {
            callout: marker.class(),
            title: marker.shown_title().to_owned(),
            blocks,
        }
    }

    /// A list (its start consumed).
    fn list(&mut self, start: Option<u64>) -> Block {
        let mut items = Vec::new();
        let mut tight = true;
        while let Some(event) = self.next() {
            match event {
                Event::Start(Tag::Item) => {
                    if matches!(self.peek(), Some(Event::Start(Tag::Paragraph))) {
                        tight = false;
                    }
                    items.push(self.blocks(Some(TagEnd::Item)));
                }
                Event::End(TagEnd::List(_)) => break,
                _ => {}
            }
        }
        Block::List {
            ordered: start.is_some(),
            start: start.unwrap_or(1),
            tight,
            items,
        }
    }

    /// A table (its start consumed): the head's cells, then each row's.
    fn table(&mut self, align: &[Alignment]) -> Block {
        let mut header = Vec::new();
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut in_head = false;
        while let Some(event) = self.next() {
            match event {
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines(TagEnd::TableCell);
                    match rows.last_mut() {
                        Some(row) if !in_head => row.push(cell),
                        _ => header.push(cell),
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        let align = align
            .iter()
            .map(|a| match a {
                Alignment::None => "auto",
                Alignment::Left => "left",
                Alignment::Center => "center",
                Alignment::Right => "right",
            })
            .collect();
        Block::Table {
            align,
            header,
            rows,
        }
    }

    /// Inlines up to the end of the enclosing element (consumed).
    fn inlines(&mut self, until: TagEnd) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some(event) = self.next() {
            match event {
                Event::End(end) if end == until => break,
                event => self.inline(event, &mut out),
            }
        }
        out
    }

    /// Inlines standing straight in a block (as in a tight list's item).
    fn inline_run(&mut self) -> Vec<Inline> {
        let mut out = Vec::new();
        while self.peek().is_some_and(is_inline) {
            let event = self.next().expect("peeked");
            self.inline(event, &mut out);
        }
        out
    }

    /// Read one inline event (and, for a start, its contents) onto `out`.
    fn inline(&mut self, event: Event<'a>, out: &mut Vec<Inline>) {
        let inline = match event {
            Event::Text(text) => return push_text(out, &text),
            Event::SoftBreak => return push_text(out, " "),
            Event::HardBreak => Inline::Break,
            Event::Code(text) => Inline::Code {
                text: text.into_string(),
            },
            Event::TaskListMarker(checked) => Inline::Task { checked },
            Event::FootnoteReference(label) => self.footnote(&label),
            Event::InlineMath(latex) => formula(latex.into_string(), false),
            Event::DisplayMath(latex) => formula(latex.into_string(), true),
            Event::Start(Tag::Emphasis) => Inline::Emph {
                content: self.inlines(TagEnd::Emphasis),
            },
            Event::Start(Tag::Strong) => Inline::Strong {
                content: self.inlines(TagEnd::Strong),
            },
            Event::Start(Tag::Strikethrough) => Inline::Strike {
                content: self.inlines(TagEnd::Strikethrough),
            },
            Event::Start(Tag::Link { dest_url, .. }) => {
                let content = self.inlines(TagEnd::Link);
                if !is_external(&dest_url) {
                    for inline in content {
                        match inline {
                            Inline::Text { text } => push_text(out, &text),
                            other => out.push(other),
                        }
                    }
                    return;
                }
                Inline::Link {
                    url: dest_url.into_string(),
                    content,
                }
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => Inline::Image {
                alt: self.inlines(TagEnd::Image),
                src: dest_url.into_string(),
                caption: title.trim().to_owned(),
            },
            Event::Start(tag) => return self.skip_to(tag.to_end()),
            // Inline HTML tags are dropped; the text between them stays.
            _ => return,
        };
        out.push(inline);
    }

    /// A footnote reference: the note itself the first time, its number after that.
    fn footnote(&mut self, label: &str) -> Inline {
        let key = markdown::footnote_key(label);
        if let Some(index) = self.footnotes.iter().position(|k| *k == key) {
            return Inline::FootnoteAgain { number: index + 1 };
        }
        let Some(body) = self.definitions.remove(&key) else {
            // No definition: the reference stays as written.
            return Inline::Text {
                text: format!("[^{label}]"),
            };
        };
        self.footnotes.push(key);
        let mut note = Reader {
            events: body,
            at: 0,
            definitions: std::mem::take(&mut self.definitions),
            footnotes: std::mem::take(&mut self.footnotes),
        };
        let content = note.flat_inlines();
        self.definitions = note.definitions;
        self.footnotes = note.footnotes;
        Inline::Footnote { content }
    }

    /// All inline content of the events, paragraphs joined by a space (a footnote's text).
    fn flat_inlines(&mut self) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some(event) = self.next() {
            match event {
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => {
                    if !out.is_empty() {
                        push_text(&mut out, " ");
                    }
                }
                event => self.inline(event, &mut out),
            }
        }
        if let Some(Inline::Text { text }) = out.last_mut() {
            text.truncate(text.trim_end().len());
        }
        out
    }

    /// Consume events up to and including `end`.
    fn skip_to(&mut self, end: TagEnd) {
        let mut depth = 0usize;
        while let Some(event) = self.next() {
            match event {
                Event::Start(ref tag) if tag.to_end() == end => depth += 1,
                Event::End(e) if e == end => {
                    if depth == 0 {
                        return;
                    }
                    depth -= 1;
                }
                _ => {}
            }
        }
    }
}

/// Whether an event belongs inside a paragraph.
fn formula(source: String, display: bool) -> Inline {
    Inline::Math {
        display,
        tree: math::tree(&source),
        source,
    }
}

fn is_inline(event: &Event<'_>) -> bool {
    matches!(
        event,
        Event::Text(_)
            | Event::Code(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::InlineHtml(_)
            | Event::FootnoteReference(_)
            | Event::TaskListMarker(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::Start(
                Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough
                    | Tag::Link { .. }
                    | Tag::Image { .. }
            )
    )
}

/// Append text, joining it to the text before.
fn push_text(out: &mut Vec<Inline>, text: &str) {
    match out.last_mut() {
        Some(Inline::Text { text: before }) => before.push_str(text),
        _ => out.push(Inline::Text {
            text: text.to_owned(),
        }),
    }
}

/// Links a PDF reader can follow: absolute web and mail addresses.
fn is_external(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(text: &str) -> Inline {
        Inline::Text {
            text: text.to_owned(),
        }
    }

    fn paragraph(content: Vec<Inline>) -> Block {
        Block::Paragraph { content }
    }

    #[test]
    fn headings_paragraphs_and_inlines() {
        let tree = blocks(
            "# Top\n\nSome **bold** and *soft*\nwrapped `code` with [a link](https://example.com) \
             and [a page](/lessons/x).\n\n### Deeper\n",
        );
        assert_eq!(
            tree,
            [
                Block::Heading {
                    level: 2,
                    content: vec![text("Top")]
                },
                paragraph(vec![
                    text("Some "),
                    Inline::Strong {
                        content: vec![text("bold")]
                    },
                    text(" and "),
                    Inline::Emph {
                        content: vec![text("soft")]
                    },
                    text(" wrapped "),
                    Inline::Code {
                        text: "code".to_owned()
                    },
                    text(" with "),
                    Inline::Link {
                        url: "https://example.com".to_owned(),
                        content: vec![text("a link")]
                    },
                    text(" and a page."),
                ]),
                Block::Heading {
                    level: 3,
                    content: vec![text("Deeper")]
                },
            ]
        );
    }

    #[test]
    fn lists_tables_code_and_rules() {
        let tree = blocks(
            "- one\n- two\n  1. nested\n\n---\n\n| a | b |\n|---|--:|\n| 1 | **2** |\n\n\
             ```rust\nlet x = 1;\n```\n\n    indented\n",
        );
        assert_eq!(tree.len(), 5, "{tree:#?}");
        let Block::List {
            ordered: false,
            tight: true,
            items,
            ..
        } = &tree[0]
        else {
            panic!("{:?}", tree[0])
        };
        assert_eq!(items[0], [paragraph(vec![text("one")])]);
        assert!(matches!(
            &items[1][1],
            Block::List { ordered: true, start: 1, items, .. } if items.len() == 1
        ));
        assert_eq!(tree[1], Block::Rule);
        assert_eq!(
            tree[2],
            Block::Table {
                align: vec!["auto", "right"],
                header: vec![vec![text("a")], vec![text("b")]],
                rows: vec![vec![
                    vec![text("1")],
                    vec![Inline::Strong {
                        content: vec![text("2")]
                    }]
                ]],
            }
        );
        assert_eq!(
            tree[3],
            Block::Code {
                lang: "rust".to_owned(),
                text: "let x = 1;".to_owned()
            }
        );
        assert_eq!(
            tree[4],
            Block::Code {
                lang: String::new(),
                text: "indented".to_owned()
            }
        );
    }

    #[test]
    fn callouts_and_quotes_follow_the_html() {
        let tree = blocks(
            "> [!TIP] Key Concept\n> Models predict.\n\n> [!WARNING]\n>\n> Careful.\n\n> Plain.\n",
        );
        assert_eq!(
            tree,
            [
                Block::Callout {
                    callout: "tip",
                    title: "Key Concept".to_owned(),
                    blocks: vec![paragraph(vec![text("Models predict.")])],
                },
                Block::Callout {
                    callout: "warning",
                    title: "Warning".to_owned(),
                    blocks: vec![paragraph(vec![text("Careful.")])],
                },
                Block::Quote {
                    blocks: vec![paragraph(vec![text("Plain.")])]
                },
            ]
        );
    }

    #[test]
    fn footnotes_are_carried_at_their_first_reference() {
        let tree = blocks("Claim.[^a] Again.[^a] Missing.[^zz]\n\n[^a]: A *source*.\n");
        assert_eq!(
            tree,
            [paragraph(vec![
                text("Claim."),
                Inline::Footnote {
                    content: vec![
                        text("A "),
                        Inline::Emph {
                            content: vec![text("source")]
                        },
                        text("."),
                    ]
                },
                text(" Again."),
                Inline::FootnoteAgain { number: 1 },
                text(" Missing.[^zz]"),
            ])]
        );
    }

    #[test]
    fn html_keeps_its_text_only_and_tasks_images_break() {
        let tree = blocks(
            "<!-- a comment -->\n\n<div>Inside <b>div</b></div>\n\nPress <kbd>Ctrl</kbd>  \nnow \
             ![a cat](cat.png)\n\n- [x] done\n",
        );
        assert_eq!(tree[0], paragraph(vec![text("Inside div")]));
        assert_eq!(
            tree[1],
            paragraph(vec![
                text("Press Ctrl"),
                Inline::Break,
                text("now "),
                Inline::Image {
                    alt: vec![text("a cat")],
                    src: "cat.png".into(),
                    caption: String::new(),
                },
            ])
        );
        let Block::List { items, .. } = &tree[2] else {
            panic!("{:?}", tree[2])
        };
        assert_eq!(
            items[0],
            [paragraph(vec![
                Inline::Task { checked: true },
                text("done")
            ])]
        );
    }

    #[test]
    fn typst_syntax_is_plain_text_in_the_tree() {
        // `\$` keeps a dollar sign as text (a `$…$` pair is a formula: `formulas_are_data`).
        let source = "#read(\"/etc/passwd\") #panic() \\$x\\$ <label> @ref";
        let tree = blocks(source);
        // The HTML-looking `<label>` is inline HTML, as on the page; the rest is text.
        let Block::Paragraph { content } = &tree[0] else {
            panic!("{tree:?}")
        };
        let all: String = content
            .iter()
            .map(|i| match i {
                Inline::Text { text } => text.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(all, "#read(\"/etc/passwd\") #panic() $x$  @ref");
    }

    #[test]
    fn formulas_are_data() {
        let tree = blocks("Area $\\pi r^2$.\n\n$$\\begin{cases} a \\end{cases}$$\n");
        let Block::Paragraph { content } = &tree[0] else {
            panic!("{tree:?}")
        };
        assert!(
            matches!(&content[1], Inline::Math { display: false, tree: Some(_), source } if source == "\\pi r^2"),
            "{content:?}"
        );
        let Block::Paragraph { content } = &tree[1] else {
            panic!("{tree:?}")
        };
        assert!(
            matches!(
                &content[0],
                Inline::Math {
                    display: true,
                    tree: None,
                    ..
                }
            ),
            "{content:?}"
        );
    }
}
