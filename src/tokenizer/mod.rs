//! Lectern's tokenizer engine: OpenAI's `o200k_base` and `cl100k_base`
//! encodings, producing exactly the ids of tiktoken's `encode_ordinary`
//! (special-token text such as `<|endoftext|>` is plain text).
//!
//! Pipeline: a hand-written, linear pre-tokenizer (`split`) reproduces
//! tiktoken's split regexes; each piece is looked up in a small per-thread
//! cache (`piece_cache`) and otherwise byte-pair encoded by tiktoken's
//! rank-ordered merge over a table of all tokens (`rank_table`): short
//! pieces on the stack, long ones with a heap of candidate pairs. The tokens
//! come from `bpe-openai`'s vocabularies at build time (`build.rs`, `tokens`).
//! Nothing is downloaded at run time.
//!
//! Costs:
//! - Time is `O(n log n)` in the input for every input; natural text runs
//!   several times faster than tiktoken (`scripts/bench-tokenizer.sh`). The
//!   worst inputs are one huge piece: 1 MiB of one repeated character or of
//!   spaces takes about 0.25-0.3 s.
//! - Memory: each vocabulary takes about 2 MiB of tokens (mapped from the
//!   binary) and 4-8 MiB of rank table once loaded. Each thread that
//!   tokenizes also gets a 512 KiB piece cache per encoding on first use, so
//!   tokenize on a bounded set of threads (e.g. the actix workers).
//! - `warm` takes roughly 0.1-0.3 s for both encodings.
//! - Output size: [`segments_limited`] with [`DEFAULT_MAX_SEGMENTS`] bounds
//!   a response whatever the input; [`count`] stays exact.
//!
//! Unicode: the character classes of the split patterns come from
//! `regex-syntax` (Unicode 16.0 as of 0.8.12), the same tables the regex engine
//! inside tiktoken uses for those patterns.

mod char_class;
mod encoding;
mod piece_cache;
mod rank_table;
mod segments;
mod split;
mod tokens;
mod vocabulary;

pub use encoding::Encoding;
pub use segments::{segments, segments_limited, Segment, DEFAULT_MAX_SEGMENTS};
pub use split::{pieces, Pieces};

use piece_cache::with_cache;
use vocabulary::vocabulary;

/// Loads the vocabularies of `encodings` and the character tables now, so
/// the first request that uses them does not pay for it. The server warms
/// the default encoding only (the one lesson pages count with): the other
/// loads on its first use, so a start does not wait for it.
pub fn warm(encodings: &[Encoding]) {
    for &encoding in encodings {
        vocabulary(encoding);
    }
    char_class::classes();
}

/// The token ids of `text`, exactly as tiktoken's `encode_ordinary`.
pub fn encode(encoding: Encoding, text: &str) -> Vec<u32> {
    let vocab = vocabulary(encoding);
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    with_cache(encoding, |cache| {
        for piece in pieces(encoding, text) {
            vocab.encode_piece(cache, piece.as_bytes(), &mut out);
        }
    });
    out
}

/// The number of tokens of `text`; equal to `encode(encoding, text).len()`.
pub fn count(encoding: Encoding, text: &str) -> usize {
    let vocab = vocabulary(encoding);
    with_cache(encoding, |cache| {
        pieces(encoding, text)
            .map(|piece| vocab.count_piece(cache, piece.as_bytes()))
            .sum()
    })
}
