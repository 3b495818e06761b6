//! Checks the hand-written pre-tokenizers against tiktoken's own split
//! regexes, run by `fancy-regex` (the engine tiktoken uses), on the test
//! vectors and on random strings.

use fancy_regex::Regex;
use lectern::tokenizer::{pieces, Encoding};
use proptest::prelude::*;
use serde_json::Value;
use std::sync::LazyLock;

static VECTORS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../data/token-vectors.json")).expect("valid JSON")
});

/// The split pattern tiktoken used when the vectors were generated.
static ORACLES: LazyLock<Vec<(Encoding, Regex)>> = LazyLock::new(|| {
    Encoding::ALL
        .into_iter()
        .map(|encoding| {
            let pattern = VECTORS["encodings"][encoding.id()]["pat_str"]
                .as_str()
                .expect("pat_str");
            (
                encoding,
                Regex::new(pattern).expect("tiktoken's pattern compiles"),
            )
        })
        .collect()
});

fn regex_pieces<'a>(regex: &Regex, text: &'a str) -> Vec<&'a str> {
    regex
        .find_iter(text)
        .map(|m| m.expect("no backtrack limit hit").as_str())
        .collect()
}

fn assert_same_split(text: &str) -> Result<(), TestCaseError> {
    for (encoding, regex) in ORACLES.iter() {
        let ours: Vec<&str> = pieces(*encoding, text).collect();
        prop_assert_eq!(
            ours,
            regex_pieces(regex, text),
            "{} on {:?}",
            encoding.id(),
            text
        );
    }
    Ok(())
}

#[test]
fn split_matches_regex_on_vectors() {
    let cases = VECTORS["cases"].as_array().expect("cases");
    assert!(!cases.is_empty());
    for case in cases {
        let text = case["text"].as_str().expect("text");
        if let Err(e) = assert_same_split(text) {
            panic!("{}: {e}", case["name"]);
        }
    }
}

#[test]
fn split_handles_known_tricky_inputs() {
    // Each line exercises one backtracking corner of the patterns.
    let tricky = [
        "a \n  ",             // trailing whitespace with a newline (cl100k \s++$)
        "ªAAAA",              // o200k: caseless letter then capitals
        "ABCdef",             // o200k: upper run followed by lower
        "ǅemal",              // titlecase
        "\u{301}x \u{301}",   // marks as prefix and as word
        " !\n/x",             // punctuation with trailing newline and slash
        "x'S'ſ'Ll'RE'z",      // contractions
        "  \t x",             // whitespace before a word
        "\u{3000}\u{3000}字", // non-ASCII whitespace
        "12345\u{661}\u{662}",
    ];
    for text in tricky {
        if let Err(e) = assert_same_split(text) {
            panic!("{e}");
        }
    }
}

fn pick(chars: &'static str) -> impl Strategy<Value = String> {
    let pool: Vec<char> = chars.chars().collect();
    prop::collection::vec(prop::sample::select(pool), 0..48).prop_map(String::from_iter)
}

fn any_text() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..48).prop_map(String::from_iter)
}

const WHITESPACE_HEAVY: &str = "   \t\t\n\n\r\u{a0}\u{3000}\u{2028}\u{85}ab.'9";
const EMOJI_HEAVY: &str = "😀👍🏽🏿👨\u{200d}👩\u{fe0f}🎉❤🏳🌈 a.";
const LETTER_CASES: &str = "aAbBzZ'’sStTmMlLdDrReEvVſǅʰª\u{301}\u{308}字ÉéΣσ1²Ⅻ!/\n ";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn split_matches_regex_on_any_text(text in any_text()) {
        assert_same_split(&text)?;
    }

    #[test]
    fn split_matches_regex_on_whitespace(text in pick(WHITESPACE_HEAVY)) {
        assert_same_split(&text)?;
    }

    #[test]
    fn split_matches_regex_on_emoji(text in pick(EMOJI_HEAVY)) {
        assert_same_split(&text)?;
    }

    #[test]
    fn split_matches_regex_on_letter_cases(text in pick(LETTER_CASES)) {
        assert_same_split(&text)?;
    }
}
