//! Cutting an encoded text into display segments: the smallest runs of
//! consecutive tokens whose bytes form whole characters.

use serde::Serialize;

use super::piece_cache::with_cache;
use super::split::pieces;
use super::vocabulary::vocabulary;
use super::Encoding;

/// Part of the input together with the ids of the tokens that spell it.
///
/// Usually one token; several when a token ends inside a multi-byte
/// character (e.g. an emoji split into byte tokens).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Segment {
    pub text: String,
    pub ids: Vec<u32>,
}

/// A suggested cap on segments per response. A segment serializes to
/// roughly 20-40 bytes of JSON, so 20,000 segments keep a response under
/// about 1 MB whatever the input (1 MiB of prose is about 250,000 tokens).
pub const DEFAULT_MAX_SEGMENTS: usize = 20_000;

/// The segments of the first part of `text`, at most `max_segments` of them,
/// and whether the rest of the text was left out (elided). Work stops at the
/// cap, so the cost is bounded by the output, not the input; use
/// [`count`](super::count) for the exact token count of the whole text.
pub fn segments_limited(
    encoding: Encoding,
    text: &str,
    max_segments: usize,
) -> (Vec<Segment>, bool) {
    let vocab = vocabulary(encoding);
    let mut out = Vec::new();
    let mut ids = Vec::new();
    let elided = with_cache(encoding, |cache| {
        for piece in pieces(encoding, text) {
            ids.clear();
            vocab.encode_piece(cache, piece.as_bytes(), &mut ids);
            let mut start = 0;
            let mut end = 0;
            let mut first = 0;
            for (i, &id) in ids.iter().enumerate() {
                end += vocab.tokens.bytes(id).len();
                if piece.is_char_boundary(end) {
                    if out.len() == max_segments {
                        return true;
                    }
                    out.push(Segment {
                        text: piece[start..end].to_owned(),
                        ids: ids[first..=i].to_vec(),
                    });
                    start = end;
                    first = i + 1;
                }
            }
        }
        false
    });
    (out, elided)
}

/// All segments of `text`; see [`segments_limited`] for large inputs.
pub fn segments(encoding: Encoding, text: &str) -> Vec<Segment> {
    segments_limited(encoding, text, usize::MAX).0
}
