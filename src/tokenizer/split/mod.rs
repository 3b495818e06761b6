//! Pre-tokenization: cutting text into the pieces that byte-pair encoding
//! then merges independently, exactly as tiktoken's split regexes do, but
//! with hand-written linear scanners instead of a regex engine.

mod cl100k;
mod o200k;
mod scan;

use super::char_class::classes;
use super::Encoding;
use scan::Scan;

/// Iterator over the pre-tokenizer pieces of a text; see [`pieces`].
pub struct Pieces<'a> {
    scan: Scan<'a>,
    text: &'a str,
    pos: usize,
    encoding: Encoding,
}

/// The pieces tiktoken's split pattern for `encoding` cuts `text` into, in
/// order. They are non-empty and concatenate to `text`.
pub fn pieces(encoding: Encoding, text: &str) -> Pieces<'_> {
    Pieces {
        scan: Scan::new(classes(), text),
        text,
        pos: 0,
        encoding,
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.pos >= self.text.len() {
            return None;
        }
        let start = self.pos;
        let end = match self.encoding {
            Encoding::O200kBase => o200k::piece_end(&self.scan, start),
            Encoding::Cl100kBase => cl100k::piece_end(&self.scan, start),
        };
        debug_assert!(end > start, "pieces are never empty");
        self.pos = if end > start {
            end
        } else {
            // Never taken; advancing by one character keeps the iterator
            // total even if a scanner had a bug.
            start + self.text[start..].chars().next().map_or(1, char::len_utf8)
        };
        Some(&self.text[start..self.pos])
    }
}
