//! Small scanning primitives shared by the o200k and cl100k pre-tokenizers:
//! runs of a character class, whitespace runs, digit groups, punctuation
//! runs and the `'s`/`'ll`/... contraction suffixes.

use crate::tokenizer::char_class::{CharClasses, LETTER, NEWLINE, NUMBER, SPACE};

/// A text being cut, with the class table to look characters up in.
pub(crate) struct Scan<'a> {
    cc: &'static CharClasses,
    text: &'a str,
}

/// What `\s+` sees from some position: where the run ends, where its last
/// character starts, and where its last `\r`/`\n` ends (if any).
pub(crate) struct SpaceRun {
    pub end: usize,
    pub last_start: usize,
    pub newline_end: Option<usize>,
    pub chars: usize,
}

/// `[^\s\p{L}\p{N}]`: the class of punctuation, symbols, emoji and marks.
#[inline]
pub(crate) fn is_other(flags: u8) -> bool {
    flags & (SPACE | LETTER | NUMBER) == 0
}

/// `[^\r\n\p{L}\p{N}]`: the optional character in front of a word.
#[inline]
pub(crate) fn is_word_prefix(flags: u8) -> bool {
    flags & (LETTER | NUMBER | NEWLINE) == 0
}

impl<'a> Scan<'a> {
    pub(crate) fn new(cc: &'static CharClasses, text: &'a str) -> Scan<'a> {
        Scan { cc, text }
    }

    pub(crate) fn len(&self) -> usize {
        self.text.len()
    }

    /// Flags and byte length of the character at `i`; `None` at the end.
    #[inline]
    pub(crate) fn at(&self, i: usize) -> Option<(u8, usize)> {
        self.cc.at(self.text, i)
    }

    /// Whether the character at `i` exists and its flags satisfy `pred`.
    #[inline]
    pub(crate) fn is(&self, i: usize, pred: impl Fn(u8) -> bool) -> bool {
        self.at(i).is_some_and(|(flags, _)| pred(flags))
    }

    /// End of the longest run starting at `i` of characters satisfying `pred`.
    #[inline]
    pub(crate) fn run_end(&self, mut i: usize, pred: impl Fn(u8) -> bool) -> usize {
        while let Some((flags, len)) = self.at(i) {
            if !pred(flags) {
                break;
            }
            i += len;
        }
        i
    }

    /// End of the run of ASCII bytes from `set` starting at `i`.
    #[inline]
    pub(crate) fn bytes_end(&self, mut i: usize, set: &[u8]) -> usize {
        let bytes = self.text.as_bytes();
        while bytes.get(i).is_some_and(|b| set.contains(b)) {
            i += 1;
        }
        i
    }

    /// `\p{N}{1,3}` at `i` (the caller knows the first character is a number).
    pub(crate) fn number_end(&self, mut i: usize) -> usize {
        for _ in 0..3 {
            match self.at(i) {
                Some((flags, len)) if flags & NUMBER != 0 => i += len,
                _ => break,
            }
        }
        i
    }

    /// ` ?[^\s\p{L}\p{N}]+` followed by a run of bytes from `tail`, at `i`.
    pub(crate) fn other_end(&self, i: usize, tail: &[u8]) -> Option<usize> {
        let start = if self.text.as_bytes()[i] == b' ' && self.is(i + 1, is_other) {
            i + 1
        } else if self.is(i, is_other) {
            i
        } else {
            return None;
        };
        Some(self.bytes_end(self.run_end(start, is_other), tail))
    }

    /// The whitespace run starting at `i`.
    pub(crate) fn space_run(&self, i: usize) -> SpaceRun {
        let mut run = SpaceRun {
            end: i,
            last_start: i,
            newline_end: None,
            chars: 0,
        };
        while let Some((flags, len)) = self.at(run.end) {
            if flags & SPACE == 0 {
                break;
            }
            run.last_start = run.end;
            run.end += len;
            run.chars += 1;
            if flags & NEWLINE != 0 {
                run.newline_end = Some(run.end);
            }
        }
        run
    }

    /// `'(?i:s|t|re|ve|m|ll|d)` at `i`: the end of the contraction, if any.
    ///
    /// Case-insensitive matching in the regex engines uses Unicode simple
    /// case folding, under which `s` also matches `ſ` (U+017F); no other
    /// letter involved here has a non-ASCII fold.
    pub(crate) fn contraction_end(&self, i: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        if bytes.get(i) != Some(&b'\'') {
            return None;
        }
        let rest = &bytes[i + 1..];
        for single in [b's', b't', b'm', b'd'] {
            if let Some(n) = folded_letter(rest, single) {
                return Some(i + 1 + n);
            }
        }
        for [first, second] in [*b"re", *b"ve", *b"ll"] {
            if let Some(n1) = folded_letter(rest, first) {
                if let Some(n2) = folded_letter(&rest[n1..], second) {
                    return Some(i + 1 + n1 + n2);
                }
            }
        }
        None
    }
}

/// Byte length of `lower` (an ASCII lowercase letter) at the start of
/// `bytes`, matched case-insensitively.
#[inline]
fn folded_letter(bytes: &[u8], lower: u8) -> Option<usize> {
    const LONG_S: &[u8] = "\u{17F}".as_bytes();
    match bytes.first() {
        Some(b) if b.to_ascii_lowercase() == lower => Some(1),
        _ if lower == b's' && bytes.starts_with(LONG_S) => Some(LONG_S.len()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::char_class::classes;

    #[test]
    fn contraction_folds_match_the_regex_engine() {
        for letter in ['s', 't', 'r', 'e', 'v', 'm', 'l', 'd'] {
            let hir = regex_syntax::Parser::new()
                .parse(&format!("(?i){letter}"))
                .expect("valid");
            let folded: Vec<char> = match hir.kind() {
                regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(c)) => c
                    .ranges()
                    .iter()
                    .flat_map(|r| r.start()..=r.end())
                    .collect(),
                other => panic!("unexpected {other:?}"),
            };
            for &c in &folded {
                let text = c.to_string();
                assert_eq!(
                    folded_letter(text.as_bytes(), letter as u8),
                    Some(text.len()),
                    "{c:?}"
                );
            }
            let mut expected = vec![letter.to_ascii_uppercase(), letter];
            if letter == 's' {
                expected.push('\u{17F}');
            }
            assert_eq!(folded, expected, "fold set of {letter}");
        }
    }

    #[test]
    fn contractions() {
        let cases = [
            ("'s", Some(2)),
            ("'LL", Some(3)),
            ("'Ve", Some(3)),
            ("'x", None),
            ("'r", None),
            ("'ſ", Some(3)),
        ];
        for (text, expect) in cases {
            assert_eq!(
                Scan::new(classes(), text).contraction_end(0),
                expect,
                "{text:?}"
            );
        }
    }

    #[test]
    fn space_run_tracks_newlines_and_last_char() {
        let scan = Scan::new(classes(), "a \n\u{3000} b");
        let run = scan.space_run(1);
        assert_eq!(
            (run.end, run.last_start, run.newline_end, run.chars),
            (7, 6, Some(3), 4)
        );
    }
}
