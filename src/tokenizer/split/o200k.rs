//! Hand-written equivalent of o200k_base's split pattern:
//!
//! ```text
//! [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
//! |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
//! ```
//!
//! The alternatives are tried in order with backtracking semantics; the
//! comments below say which alternative each branch reproduces. Every
//! character is looked at a bounded number of times, so splitting is linear.

use super::scan::{is_word_prefix, Scan};
use crate::tokenizer::char_class::{LETTER, LOWERISH, NUMBER, UPPERISH};

/// End of the piece that starts at `i` (`i` is before the end of the text).
pub(super) fn piece_end(s: &Scan<'_>, i: usize) -> usize {
    let Some((c, n)) = s.at(i) else {
        return i;
    };
    if is_word_prefix(c) {
        // Alternatives 1 and 2 with the optional leading character taken.
        let (lower_word, upper_word) = word_ends(s, i + n);
        if let Some(end) = lower_word {
            return with_contraction(s, end);
        }
        if c & UPPERISH != 0 {
            // A combining mark is a prefix character but also starts a
            // word of its own: alternative 1 without the prefix.
            if let (Some(end), _) = word_ends(s, i) {
                return with_contraction(s, end);
            }
        }
        if let Some(end) = upper_word {
            return with_contraction(s, end);
        }
    } else if c & LETTER != 0 {
        // Alternatives 1 and 2 without a leading character; one matches.
        let (lower_word, upper_word) = word_ends(s, i);
        if let Some(end) = lower_word.or(upper_word) {
            return with_contraction(s, end);
        }
    }
    if c & NUMBER != 0 {
        return s.number_end(i);
    }
    if let Some(end) = s.other_end(i, b"\r\n/") {
        return end;
    }
    let run = s.space_run(i);
    if let Some(end) = run.newline_end {
        // \s*[\r\n]+ : up to the last line break of the run.
        end
    } else if run.end == s.len() || run.chars == 1 {
        // \s+(?!\S) at the end of the text, or the \s+ fallback.
        run.end
    } else {
        // \s+(?!\S) : leave the last space for the next word.
        run.last_start
    }
}

/// Where alternatives 1 (`U*L+`) and 2 (`U+L*`) end when the word part
/// starts at `j`, with U = `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]` and
/// L = `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`. The second end is only meaningful when
/// the first is `None` (alternative 1 is tried first).
fn word_ends(s: &Scan<'_>, j: usize) -> (Option<usize>, Option<usize>) {
    let mut k = j;
    let mut last_lower_end = None;
    while let Some((flags, len)) = s.at(k) {
        if flags & UPPERISH == 0 {
            break;
        }
        k += len;
        if flags & LOWERISH != 0 {
            last_lower_end = Some(k);
        }
    }
    if s.is(k, |flags| flags & LOWERISH != 0) {
        // U* took the whole upper run; L+ continues after it.
        return (Some(s.run_end(k, |flags| flags & LOWERISH != 0)), None);
    }
    // Otherwise U* must give back characters until one that is also in L.
    (last_lower_end, (k > j).then_some(k))
}

fn with_contraction(s: &Scan<'_>, end: usize) -> usize {
    s.contraction_end(end).unwrap_or(end)
}
