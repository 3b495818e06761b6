//! Snippets: escaped text around the best match, the matched words in `<mark>`.

use std::ops::Range;

use super::analyzer;
use crate::content::markdown::escape_into;

/// Words in a snippet.
const WINDOW: usize = 28;
/// Words shown before the first match of the window.
const LEAD: usize = 4;

/// What a snippet marks: the folded words that a query's stems stand for, and words that
/// start with its prefix.
pub struct Marks<'a> {
    pub words: Vec<&'a str>,
    pub prefix: Option<&'a str>,
}

impl Marks<'_> {
    fn marks(&self, folded: &str) -> bool {
        self.prefix.is_some_and(|p| folded.starts_with(p)) || self.words.contains(&folded)
    }
}

/// The window of `text` with the most marked words, or `None` when no word is marked.
pub fn make(text: &str, marks: &Marks) -> Option<String> {
    let mut words = Vec::new();
    let mut marked = Vec::new();
    analyzer::each_word(analyzer::FOLDED, text, |folded, at| {
        words.push(at);
        marked.push(marks.marks(folded));
    });
    let best = (0..marked.len()).filter(|&i| marked[i]).max_by_key(|&i| {
        let count = marked[i..(i + WINDOW).min(marked.len())]
            .iter()
            .filter(|m| **m)
            .count();
        (count, std::cmp::Reverse(i))
    })?;
    let start = best.saturating_sub(LEAD);
    let end = (start + WINDOW).min(words.len());
    Some(render(
        text,
        &words[start..end],
        &marked[start..end],
        start > 0,
        end < words.len(),
    ))
}

/// The start of `text`, with nothing marked.
pub fn plain(text: &str) -> String {
    let mut words = Vec::new();
    analyzer::each_word(analyzer::FOLDED, text, |_, at| words.push(at));
    let end = words.len().min(WINDOW);
    render(
        text,
        &words[..end],
        &vec![false; end],
        false,
        end < words.len(),
    )
}

fn render(
    text: &str,
    words: &[Range<usize>],
    marked: &[bool],
    cut_before: bool,
    cut_after: bool,
) -> String {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        let mut out = String::new();
        escape_into(&mut out, text.trim());
        return out;
    };
    let mut out = String::new();
    if cut_before {
        out.push('…');
    }
    let mut at = first.start;
    for (word, hit) in words.iter().zip(marked) {
        escape_into(&mut out, &text[at..word.start]);
        if *hit {
            out.push_str("<mark>");
            escape_into(&mut out, &text[word.clone()]);
            out.push_str("</mark>");
        } else {
            escape_into(&mut out, &text[word.clone()]);
        }
        at = word.end;
    }
    if cut_after {
        out.push('…');
    } else {
        let tail = &text[last.end..];
        escape_into(&mut out, tail.trim_end());
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let marks = Marks {
            words: vec!["tokens"],
            prefix: None,
        };
        let snippet = make("A <b> & tokens, then more.", &marks).unwrap();
        assert_eq!(snippet, "A &lt;b&gt; &amp; <mark>tokens</mark>, then more.");
        let prefix = Marks {
            words: vec![],
            prefix: Some("the"),
        };
        assert_eq!(
            make("Then THEM, not they'd.", &prefix).unwrap(),
            "<mark>Then</mark> <mark>THEM</mark>, not <mark>they</mark>&#39;d."
        );
        assert_eq!(make("nothing here", &marks), None);
    }
}
