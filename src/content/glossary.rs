//! A course's glossary: `glossary.md` beside `course.toml`. It is a page of the course, not
//! a lesson (no front matter, quiz or progress, and no certificate asks for it). Each term
//! starts its line in bold, `**term**: definition`; the lines up to the next term belong to
//! the definition, and anything before the first term is an introduction. Every part is
//! rendered by the lessons' Markdown renderer and sanitiser.

use std::collections::HashMap;

use serde::Serialize;

use super::markdown;
use super::source::SourceError;

/// The glossary's file name in a course folder.
pub const FILE_NAME: &str = "glossary.md";

/// A rendered glossary, in the order its file gives the terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Glossary {
    /// What comes before the first term, rendered (often empty).
    pub intro_html: String,
    pub terms: Vec<Term>,
}

/// One entry of a glossary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term's anchor on the page, made from its words: `context-window`.
    pub id: String,
    /// The term as written between the `**`.
    pub term: String,
    /// The definition, rendered and sanitised.
    pub html: String,
}

/// An entry while it is read: the term, its line and the definition's Markdown.
struct Entry {
    line: usize,
    term: String,
    definition: String,
}

/// Parse and render a glossary file; an error names the line at fault.
pub fn parse(text: &str) -> Result<Glossary, SourceError> {
    let mut intro = String::new();
    let mut entries: Vec<Entry> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        match line.strip_prefix("**") {
            Some(rest) => entries.push(term_line(rest, number)?),
            None => {
                let target = match entries.last_mut() {
                    Some(entry) => &mut entry.definition,
                    None => &mut intro,
                };
                target.push_str(line);
                target.push('\n');
            }
        }
    }
    if entries.is_empty() {
        return Err(error(
            None,
            "a glossary needs at least one line of the form `**term**: definition`".into(),
        ));
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut terms = Vec::with_capacity(entries.len());
    for entry in entries {
        let id = markdown::slug(&entry.term);
        if id.is_empty() {
            return Err(error(
                Some(entry.line),
                format!("the term {:?} has no letters or digits", entry.term),
            ));
        }
        if let Some(first) = seen.insert(id.clone(), entry.line) {
            return Err(error(
                Some(entry.line),
                format!(
                    "the term {:?} is already defined on line {first}",
                    entry.term
                ),
            ));
        }
        terms.push(Term {
            id,
            html: markdown::render(entry.definition.trim()),
            term: entry.term,
        });
    }
    Ok(Glossary {
        intro_html: markdown::render(intro.trim()),
        terms,
    })
}

/// Read `term**: definition` (the line after its opening `**`).
fn term_line(rest: &str, line: usize) -> Result<Entry, SourceError> {
    let shape = || {
        error(
            Some(line),
            "a line that starts in bold is a term: `**term**: definition`".into(),
        )
    };
    let (term, after) = rest.split_once("**").ok_or_else(shape)?;
    let definition = after.strip_prefix(':').ok_or_else(shape)?.trim();
    let term = term.trim();
    if term.is_empty() || definition.is_empty() {
        return Err(shape());
    }
    Ok(Entry {
        line,
        term: term.to_owned(),
        definition: format!("{definition}\n"),
    })
}

fn error(line: Option<usize>, message: String) -> SourceError {
    SourceError {
        line,
        field: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_keep_their_order_anchor_and_rendered_definition() {
        let text = "Words this course uses.\n\n**Logit**: a raw score, before *softmax*.\n\
                    **context window**: the tokens a model reads at once.\n\
                    It includes the reply.\n\n**top-p**: sampling from the smallest likely set.\n";
        let glossary = parse(text).unwrap();
        assert!(glossary.intro_html.contains("Words this course uses."));
        let ids: Vec<_> = glossary.terms.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["logit", "context-window", "top-p"]);
        assert_eq!(glossary.terms[0].term, "Logit");
        assert!(glossary.terms[0].html.contains("<em>softmax</em>"));
        assert!(
            glossary.terms[1].html.contains("It includes the reply."),
            "a following line continues the definition"
        );
    }

    #[test]
    fn definitions_are_sanitised() {
        let glossary =
            parse("**token**: a piece <script>alert(1)</script>[x](javascript:alert(1))\n")
                .unwrap();
        let html = &glossary.terms[0].html;
        assert!(
            !html.contains("<script") && !html.contains("javascript:"),
            "{html}"
        );
    }

    #[test]
    fn broken_glossaries_name_the_line() {
        for (text, line) in [
            ("intro\n**term** without a colon\n", Some(2)),
            ("**term**:\n", Some(1)),
            ("**unclosed: definition\n", Some(1)),
            ("**Token**: one\n\n**token**: again\n", Some(3)),
            ("**?!**: no words\n", Some(1)),
            ("Only an introduction.\n", None),
        ] {
            let error = parse(text).expect_err(text);
            assert_eq!(error.line, line, "{text:?}: {error}");
        }
    }
}
