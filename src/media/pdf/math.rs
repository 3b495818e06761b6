//! Formulas for the PDF: a lesson's LaTeX read by `pulldown-latex` into a small tree of
//! math nodes, which the typst template turns into typst's own math functions (`attach`,
//! `frac`, `sqrt`, `lr`, …). The tree is data, never typst source, so a formula cannot
//! inject markup. A formula that uses more than the tree knows (environments, colours,
//! negations, most fonts) has no tree, and the PDF shows its source in monospace.

use pulldown_latex::event::{
    Content, Event, Font, Grouping, ScriptPosition, ScriptType, StateChange, Visual,
};
use pulldown_latex::{Parser, Storage};
use serde::Serialize;

/// One piece of a formula, as the template's `formula` function reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "t", rename_all = "snake_case")]
pub enum MathNode {
    /// Pieces side by side.
    Row {
        items: Vec<MathNode>,
    },
    /// A variable: one letter, set in italics.
    Ident {
        text: String,
    },
    /// A number, operator, relation, delimiter or punctuation, as math text.
    Text {
        text: String,
    },
    /// Upright text: `\text{…}`, `\mathrm{…}`.
    Upright {
        text: String,
    },
    /// Bold: `\mathbf{…}`.
    Bold {
        body: Box<MathNode>,
    },
    /// A named operator such as `log`, `max`; `limits` puts its scripts above and below.
    Op {
        text: String,
        limits: bool,
    },
    /// A base with a subscript and/or superscript; `limits` puts them above and below.
    Attach {
        base: Box<MathNode>,
        sub: Option<Box<MathNode>>,
        sup: Option<Box<MathNode>>,
        limits: bool,
    },
    Frac {
        num: Box<MathNode>,
        den: Box<MathNode>,
    },
    Sqrt {
        body: Box<MathNode>,
    },
    Root {
        index: Box<MathNode>,
        body: Box<MathNode>,
    },
    /// `\left( … \right)`: delimiters that grow with their body (empty for `.`).
    Lr {
        open: String,
        close: String,
        body: Box<MathNode>,
    },
    /// A thin space (`\,`, `\quad` and the like).
    Space,
}

/// The tree of a formula, or `None` when it does not parse or uses more than the tree knows.
pub fn tree(latex: &str) -> Option<MathNode> {
    let storage = Storage::new();
    let events = Parser::new(latex, &storage)
        .collect::<Result<Vec<_>, _>>()
        .ok()?;
    let mut reader = Reader {
        events: &events,
        at: 0,
    };
    let mut items = Vec::new();
    while reader.at < events.len() {
        items.push(reader.element(Style::Plain)?);
    }
    Some(MathNode::Row { items })
}

/// How the text of a group is set, after a font change.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Upright,
    Bold,
}

struct Reader<'e, 'a> {
    events: &'e [Event<'a>],
    at: usize,
}

impl Reader<'_, '_> {
    /// One element: a content event, a group, or a script, fraction or root with the
    /// elements it applies to.
    fn element(&mut self, style: Style) -> Option<MathNode> {
        let event = self.events.get(self.at)?;
        self.at += 1;
        Some(match event {
            Event::Content(content) => styled(content_node(content)?, style),
            Event::Begin(Grouping::Normal) => self.group(style)?,
            Event::Begin(Grouping::LeftRight(open, close)) => MathNode::Lr {
                open: open.map(String::from).unwrap_or_default(),
                close: close.map(String::from).unwrap_or_default(),
                body: Box::new(self.group(style)?),
            },
            Event::Visual(Visual::Fraction(_)) => MathNode::Frac {
                num: Box::new(self.element(style)?),
                den: Box::new(self.element(style)?),
            },
            Event::Visual(Visual::SquareRoot) => MathNode::Sqrt {
                body: Box::new(self.element(style)?),
            },
            Event::Visual(Visual::Root) => {
                let body = Box::new(self.element(style)?);
                MathNode::Root {
                    index: Box::new(self.element(style)?),
                    body,
                }
            }
            Event::Script { ty, position } => {
                let base = self.element(style)?;
                let (sub, sup) = match ty {
                    ScriptType::Subscript => (Some(self.element(style)?), None),
                    ScriptType::Superscript => (None, Some(self.element(style)?)),
                    ScriptType::SubSuperscript => {
                        (Some(self.element(style)?), Some(self.element(style)?))
                    }
                };
                let limits = !matches!(position, ScriptPosition::Right);
                let base = match base {
                    MathNode::Op { text, .. } => MathNode::Op { text, limits },
                    other => other,
                };
                MathNode::Attach {
                    base: Box::new(base),
                    sub: sub.map(Box::new),
                    sup: sup.map(Box::new),
                    limits,
                }
            }
            Event::Space { .. } => MathNode::Space,
            // A style or colour change alters only looks the PDF keeps plain.
            Event::StateChange(StateChange::Style(_) | StateChange::Color(_)) => {
                MathNode::Row { items: Vec::new() }
            }
            _ => return None,
        })
    }

    /// The elements up to the group's `End`, with font changes applying to the rest of it.
    fn group(&mut self, mut style: Style) -> Option<MathNode> {
        let mut items = Vec::new();
        loop {
            match self.events.get(self.at)? {
                Event::End => {
                    self.at += 1;
                    return Some(MathNode::Row { items });
                }
                Event::StateChange(StateChange::Font(font)) => {
                    self.at += 1;
                    style = match font {
                        None => Style::Plain,
                        Some(Font::UpRight) => Style::Upright,
                        Some(Font::Bold) => Style::Bold,
                        Some(_) => return None,
                    };
                }
                _ => items.push(self.element(style)?),
            }
        }
    }
}

fn content_node(content: &Content<'_>) -> Option<MathNode> {
    let text = |text: String| Some(MathNode::Text { text });
    match *content {
        Content::Text(t) => Some(MathNode::Upright { text: t.to_owned() }),
        Content::Number(n) => text(n.to_owned()),
        Content::Function(name) => Some(MathNode::Op {
            text: name.to_owned(),
            limits: false,
        }),
        Content::Ordinary { content, .. } if content.is_alphabetic() => Some(MathNode::Ident {
            text: content.to_string(),
        }),
        Content::Ordinary { content, .. }
        | Content::LargeOp { content, .. }
        | Content::BinaryOp { content, .. }
        | Content::Delimiter { content, .. }
        | Content::Punctuation(content) => text(content.to_string()),
        Content::Relation { content, .. } => {
            let mut buf = [0; 8];
            let bytes = content.encode_utf8_to_buf(&mut buf);
            text(std::str::from_utf8(bytes).ok()?.to_owned())
        }
    }
}

fn styled(node: MathNode, style: Style) -> MathNode {
    match (style, node) {
        (Style::Upright, MathNode::Text { text } | MathNode::Ident { text }) => {
            MathNode::Upright { text }
        }
        (Style::Bold, node) => MathNode::Bold {
            body: Box::new(node),
        },
        (_, node) => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> MathNode {
        MathNode::Text { text: t.into() }
    }

    fn ident(t: &str) -> MathNode {
        MathNode::Ident { text: t.into() }
    }

    #[test]
    fn scripts_fractions_and_roots_become_nodes() {
        let MathNode::Row { items } = tree(r"x^2 + \frac{a}{\sqrt{b}}").unwrap() else {
            panic!("a row");
        };
        assert_eq!(
            items[0],
            MathNode::Attach {
                base: Box::new(ident("x")),
                sub: None,
                sup: Some(Box::new(text("2"))),
                limits: false,
            }
        );
        assert_eq!(items[1], text("+"));
        let MathNode::Frac { den, .. } = &items[2] else {
            panic!("{:?}", items[2]);
        };
        assert!(
            matches!(**den, MathNode::Row { ref items } if matches!(items[0], MathNode::Sqrt { .. }))
        );
    }

    #[test]
    fn the_common_subset_has_a_tree() {
        for latex in [
            r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}",
            r"\prod_{k} k \cdot \alpha \times \beta",
            r"\int_0^1 x\,dx",
            r"\log x + \exp(y) - \max_i a_i + \min(a, b)",
            r"\text{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\mathrm{Attention}(Q, K, V) = \left( \frac{QK^T}{\sqrt{d_k}} \right)",
            r"\sqrt[3]{x} \leq \Gamma \ne \mathbf{v}",
        ] {
            assert!(tree(latex).is_some(), "{latex}");
        }
    }

    #[test]
    fn more_than_the_subset_has_none() {
        assert_eq!(tree(r"\begin{cases} a & b \end{cases}"), None);
        assert_eq!(tree(r"\mathbb{R}"), None);
        assert_eq!(tree(r"\frac{a}"), None);
    }

    #[test]
    fn the_tree_is_json_data() {
        let json = serde_json::to_string(&tree(r"\sqrt{\#}").unwrap()).unwrap();
        assert!(json.contains("\"t\":\"sqrt\""), "{json}");
    }
}
