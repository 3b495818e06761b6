//! Snippets: escaped text around the best match, the matched words in `<mark>`.

use super::analyzer::{self, Word};
use super::Query;

/// Words in a snippet.
const WINDOW: usize = 28;
/// Words shown before the first match of the window.
const LEAD: usize = 4;

/// The window of `text` with the most matched words, or `None` when no word matches.
pub fn make(text: &str, query: &Query) -> Option<String> {
    let stems = analyzer::tokens(analyzer::STEMMED, text);
    let folded = analyzer::tokens(analyzer::FOLDED, text);
    let matched: Vec<bool> = stems
        .iter()
        .zip(&folded)
        .map(|(stem, word)| {
            query.stems.contains(&stem.text)
                || query
                    .prefix
                    .as_ref()
                    .is_some_and(|p| word.text.starts_with(p.as_str()))
        })
        .collect();
    let best = (0..matched.len())
        .filter(|&i| matched[i])
        .max_by_key(|&i| {
            let count = matched[i..(i + WINDOW).min(matched.len())]
                .iter()
                .filter(|m| **m)
                .count();
            (count, std::cmp::Reverse(i))
        })?;
    let start = best.saturating_sub(LEAD);
    let end = (start + WINDOW).min(folded.len());
    Some(render(
        text,
        &folded[start..end],
        &matched[start..end],
        start > 0,
        end < folded.len(),
    ))
}

/// The start of `text`, with nothing marked.
pub fn plain(text: &str) -> String {
    let words = analyzer::tokens(analyzer::FOLDED, text);
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
    words: &[Word],
    matched: &[bool],
    cut_before: bool,
    cut_after: bool,
) -> String {
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return escape(text.trim());
    };
    let mut out = String::new();
    if cut_before {
        out.push('…');
    }
    let mut at = first.from;
    for (word, hit) in words.iter().zip(matched) {
        out.push_str(&escape(&text[at..word.from]));
        let shown = escape(&text[word.from..word.to]);
        if *hit {
            out.push_str("<mark>");
            out.push_str(&shown);
            out.push_str("</mark>");
        } else {
            out.push_str(&shown);
        }
        at = word.to;
    }
    if cut_after {
        out.push('…');
    } else {
        let tail = &text[last.to..];
        out.push_str(&escape(tail.trim_end()));
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_matches_and_escapes_the_rest() {
        let query = Query::parse("token").unwrap();
        let snippet = make("A <b> & tokens, then more.", &query).unwrap();
        assert_eq!(snippet, "A &lt;b&gt; &amp; <mark>tokens</mark>, then more.");
        assert_eq!(make("nothing here", &Query::parse("zebra").unwrap()), None);
    }
}
