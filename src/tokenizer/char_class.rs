//! Unicode character classes used by the hand-written pre-tokenizers.
//!
//! The classes are exactly the ones named in tiktoken's split patterns (`\s`,
//! `\p{L}`, `\p{N}` and o200k's two letter-case classes). They are not copied
//! from some other Unicode table: they are read, once, from `regex-syntax`, the
//! crate that parses those very patterns inside the regex engines, so both
//! sides agree on the Unicode version. The result is a two-level lookup table
//! (about 40 KB) giving one flag byte per code point.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex_syntax::hir::{Class, HirKind};

/// `\s` (Unicode `White_Space`).
pub(crate) const SPACE: u8 = 1;
/// `\p{L}`.
pub(crate) const LETTER: u8 = 2;
/// `\p{N}`.
pub(crate) const NUMBER: u8 = 4;
/// `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`, o200k's "upper or caseless" class.
pub(crate) const UPPERISH: u8 = 8;
/// `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`, o200k's "lower or caseless" class.
pub(crate) const LOWERISH: u8 = 16;
/// `\r` or `\n`.
pub(crate) const NEWLINE: u8 = 32;

/// Code points per second-level block.
const BLOCK: usize = 256;
const CODE_POINTS: usize = 0x11_0000;

/// Flag byte for every code point, as a deduplicated two-level table.
pub(crate) struct CharClasses {
    ascii: [u8; 128],
    block_of: Box<[u16]>,
    blocks: Box<[u8]>,
}

static CLASSES: LazyLock<CharClasses> = LazyLock::new(CharClasses::build);

/// The shared table, built on first use.
pub(crate) fn classes() -> &'static CharClasses {
    &CLASSES
}

impl CharClasses {
    fn build() -> CharClasses {
        let mut flat = vec![0u8; CODE_POINTS];
        let sets = [
            (r"\s", SPACE),
            (r"\p{L}", LETTER),
            (r"\p{N}", NUMBER),
            (r"[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]", UPPERISH),
            (r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]", LOWERISH),
            (r"[\r\n]", NEWLINE),
        ];
        for (pattern, flag) in sets {
            for (start, end) in class_ranges(pattern) {
                for slot in &mut flat[start as usize..=end as usize] {
                    *slot |= flag;
                }
            }
        }

        let mut ascii = [0u8; 128];
        ascii.copy_from_slice(&flat[..128]);
        let mut seen: HashMap<&[u8], u16> = HashMap::new();
        let mut blocks = Vec::new();
        let block_of = flat
            .chunks(BLOCK)
            .map(|chunk| {
                *seen.entry(chunk).or_insert_with(|| {
                    let index = u16::try_from(blocks.len() / BLOCK)
                        .expect("fewer than 65536 distinct blocks");
                    blocks.extend_from_slice(chunk);
                    index
                })
            })
            .collect();
        CharClasses {
            ascii,
            block_of,
            blocks: blocks.into_boxed_slice(),
        }
    }

    /// Flags of an ASCII byte (`b < 128`).
    #[inline]
    pub(crate) fn ascii(&self, b: u8) -> u8 {
        self.ascii[usize::from(b & 0x7f)]
    }

    /// Flags of any character.
    #[inline]
    pub(crate) fn of(&self, c: char) -> u8 {
        let cp = c as usize;
        let block = usize::from(self.block_of[cp / BLOCK]);
        self.blocks[block * BLOCK + cp % BLOCK]
    }

    /// Flags and UTF-8 length of the character starting at byte `i` of
    /// `text`, or `None` at the end of the text.
    #[inline]
    pub(crate) fn at(&self, text: &str, i: usize) -> Option<(u8, usize)> {
        let b = *text.as_bytes().get(i)?;
        if b < 0x80 {
            return Some((self.ascii(b), 1));
        }
        let c = text.get(i..)?.chars().next()?;
        Some((self.of(c), c.len_utf8()))
    }
}

/// The code point ranges of a Unicode class pattern, as `regex-syntax` sees it.
fn class_ranges(pattern: &str) -> Vec<(char, char)> {
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .expect("class patterns are valid");
    match hir.kind() {
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .map(|range| (range.start(), range.end()))
            .collect(),
        other => panic!("{pattern} is not a Unicode class: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_characters_have_expected_flags() {
        let cc = classes();
        assert_eq!(cc.of(' '), SPACE);
        assert_eq!(cc.of('\n'), SPACE | NEWLINE);
        assert_eq!(cc.of('\u{3000}'), SPACE);
        assert_eq!(cc.of('a'), LETTER | LOWERISH);
        assert_eq!(cc.of('A'), LETTER | UPPERISH);
        assert_eq!(cc.of('ǅ'), LETTER | UPPERISH, "titlecase is upper-ish");
        assert_eq!(cc.of('ʰ'), LETTER | UPPERISH | LOWERISH, "Lm is both");
        assert_eq!(cc.of('字'), LETTER | UPPERISH | LOWERISH, "Lo is both");
        assert_eq!(
            cc.of('\u{301}'),
            UPPERISH | LOWERISH,
            "marks are not letters"
        );
        assert_eq!(cc.of('7'), NUMBER);
        assert_eq!(cc.of('Ⅻ'), NUMBER);
        assert_eq!(cc.of('!'), 0);
        assert_eq!(cc.of('😀'), 0);
        assert_eq!(cc.of('\u{10FFFF}'), 0);
    }

    #[test]
    fn table_agrees_with_ranges_everywhere() {
        let cc = classes();
        let letters = class_ranges(r"\p{L}");
        for c in (0..CODE_POINTS as u32).filter_map(char::from_u32) {
            let after = letters.partition_point(|&(start, _)| start <= c);
            let is_letter = after > 0 && c <= letters[after - 1].1;
            assert_eq!(cc.of(c) & LETTER != 0, is_letter, "{c:?}");
        }
    }

    #[test]
    fn at_reports_length_and_end() {
        let cc = classes();
        assert_eq!(cc.at("a字", 1), Some((LETTER | UPPERISH | LOWERISH, 3)));
        assert_eq!(cc.at("a", 1), None);
    }
}
