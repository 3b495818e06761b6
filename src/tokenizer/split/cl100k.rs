//! Hand-written equivalent of cl100k_base's split pattern (tiktoken 0.14):
//!
//! ```text
//! '(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+
//! |\s++$|\s*[\r\n]|\s+(?!\S)|\s
//! ```
//!
//! The alternatives are tried in order; the comments below say which
//! alternative each branch reproduces. Splitting is linear in the input.

use super::scan::{is_word_prefix, Scan};
use crate::tokenizer::char_class::{LETTER, NUMBER};

fn is_letter(flags: u8) -> bool {
    flags & LETTER != 0
}

/// End of the piece that starts at `i` (`i` is before the end of the text).
pub(super) fn piece_end(s: &Scan<'_>, i: usize) -> usize {
    let Some((c, n)) = s.at(i) else {
        return i;
    };
    if let Some(end) = s.contraction_end(i) {
        return end;
    }
    if is_letter(c) {
        return s.run_end(i, is_letter);
    }
    if is_word_prefix(c) && s.is(i + n, is_letter) {
        return s.run_end(i + n, is_letter);
    }
    if c & NUMBER != 0 {
        return s.number_end(i);
    }
    if let Some(end) = s.other_end(i, b"\r\n") {
        return end;
    }
    let run = s.space_run(i);
    if run.end == s.len() {
        // \s++$
        run.end
    } else if let Some(end) = run.newline_end {
        // \s*[\r\n] : up to the last line break of the run.
        end
    } else if run.chars > 1 {
        // \s+(?!\S) : leave the last space for the next word.
        run.last_start
    } else {
        // \s
        run.end
    }
}
