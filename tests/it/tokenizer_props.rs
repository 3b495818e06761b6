//! Property tests of the tokenizer's public API on random Unicode strings:
//! segments tile the input and carry exactly the ids of `encode`, and
//! `count` agrees with `encode`.

use lectern::tokenizer::{count, encode, segments, segments_limited, Encoding};
use proptest::prelude::*;

fn check(text: &str) -> Result<(), TestCaseError> {
    for encoding in Encoding::ALL {
        let ids = encode(encoding, text);
        prop_assert_eq!(count(encoding, text), ids.len());
        let segs = segments(encoding, text);
        let mut joined = String::new();
        for seg in &segs {
            prop_assert!(!seg.text.is_empty(), "empty segment in {:?}", text);
            prop_assert!(!seg.ids.is_empty(), "segment without ids in {:?}", text);
            joined.push_str(&seg.text);
        }
        prop_assert_eq!(&joined, text);
        let seg_ids: Vec<u32> = segs.iter().flat_map(|s| s.ids.iter().copied()).collect();
        prop_assert_eq!(seg_ids, ids);
    }
    Ok(())
}

fn pick(chars: &'static str, max: usize) -> impl Strategy<Value = String> {
    let pool: Vec<char> = chars.chars().collect();
    prop::collection::vec(prop::sample::select(pool), 0..max).prop_map(String::from_iter)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_unicode(text in prop::collection::vec(any::<char>(), 0..64).prop_map(String::from_iter)) {
        check(&text)?;
    }

    #[test]
    fn whitespace_heavy(text in pick("    \t\t\n\n\r\u{a0}\u{3000}xy.", 200)) {
        check(&text)?;
    }

    #[test]
    fn emoji_heavy(text in pick("😀👍🏽🏿👨\u{200d}👩\u{fe0f}🎉❤🏳🌈 a字", 120)) {
        check(&text)?;
    }

    #[test]
    fn long_pieces(c in any::<char>(), n in 1usize..400) {
        // One character repeated: a single long piece bypassing the cache.
        check(&c.to_string().repeat(n))?;
    }
}

#[test]
fn segments_split_multibyte_characters_only_between_tokens() {
    // U+1F9EC is split into several byte tokens by both vocabularies.
    for encoding in Encoding::ALL {
        let segs = segments(encoding, "🧬");
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].text, "🧬");
        assert_eq!(segs[0].ids, encode(encoding, "🧬"));
        assert!(
            segs[0].ids.len() > 1,
            "{} keeps 🧬 as one token",
            encoding.id()
        );
    }
}

#[test]
fn segments_limited_caps_output_but_not_count() {
    let text = " word".repeat(1000);
    for encoding in Encoding::ALL {
        let (segs, elided) = segments_limited(encoding, &text, 10);
        assert_eq!(segs.len(), 10);
        assert!(elided);
        assert!(text.starts_with(&segs.iter().map(|s| s.text.as_str()).collect::<String>()));
        assert_eq!(count(encoding, &text), 1000);

        let (all, elided) = segments_limited(encoding, &text, 1000);
        assert_eq!(all.len(), 1000);
        assert!(!elided, "exactly at the cap is not elided");
        let (none, elided) = segments_limited(encoding, &text, 0);
        assert!(none.is_empty() && elided);
        let (empty, elided) = segments_limited(encoding, "", 0);
        assert!(empty.is_empty() && !elided);
    }
}

#[test]
fn default_cap_bounds_a_mebibyte_response() {
    let text = "The quick brown fox jumps over the lazy dog. ".repeat(24_000);
    let (segs, elided) = segments_limited(
        Encoding::O200kBase,
        &text,
        lectern::tokenizer::DEFAULT_MAX_SEGMENTS,
    );
    assert!(elided);
    assert_eq!(segs.len(), lectern::tokenizer::DEFAULT_MAX_SEGMENTS);
    let json = serde_json::to_string(&segs).expect("serializes");
    assert!(json.len() < 1_000_000, "response is {} bytes", json.len());
}

#[test]
fn warm_then_encode_known_ids() {
    lectern::tokenizer::warm(&Encoding::ALL);
    // "hello world" is [24912, 2375] in o200k_base and [15339, 1917] in cl100k_base.
    assert_eq!(
        encode(Encoding::O200kBase, "hello world"),
        vec![24912, 2375]
    );
    assert_eq!(
        encode(Encoding::Cl100kBase, "hello world"),
        vec![15339, 1917]
    );
}
