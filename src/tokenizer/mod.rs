//! Lectern's tokenizer engine: OpenAI's `o200k_base` and `cl100k_base`
//! encodings, producing exactly the ids of tiktoken's `encode_ordinary`
//! (special-token text such as `<|endoftext|>` is plain text).
//!
//! Pipeline: a hand-written, linear pre-tokenizer (`split`) reproduces
//! tiktoken's split regexes; each piece is looked up in a small per-thread
//! cache (`piece_cache`) and otherwise byte-pair encoded with the
//! vocabularies that `bpe-openai` compiles into the binary (`vocabulary`):
//! short pieces by rank-ordered merging over a table of all tokens
//! (`rank_table`), long ones by `bpe`'s linear backtracking encoder.
//! Nothing is downloaded at run time.
//!
//! Costs:
//! - Time is linear in the input for every input (1 MiB of one repeated
//!   character takes about 10 ms); natural text runs several times faster
//!   than tiktoken (`scripts/bench-tokenizer.sh`).
//! - Memory: both vocabularies resident take about 100 MiB RSS (mostly
//!   `bpe-openai`'s encoders) plus 6 MiB of rank tables. Each thread that
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
