//! A hash table from token bytes to token id (tiktoken's "rank") for a whole
//! vocabulary, and the classic rank-ordered byte-pair merge on top of it for
//! short pieces.
//!
//! Short pieces that miss the per-thread cache are encoded here: first as a
//! whole (most pieces of natural text are one token), else by repeatedly
//! merging the adjacent pair with the lowest rank, leftmost first, as
//! tiktoken does. That is quadratic in the piece length, so it is only used
//! up to [`MAX_PIECE`] bytes; longer pieces go to `bpe`'s linear encoder.

use bpe_openai::byte_pair_encoding::BytePairEncoding;

use super::piece_cache::MAX_PIECE;

/// Open-addressing table: each slot holds `id + 1` (0 = empty) in its low
/// half and 32 bits of the key's hash in its high half, so that most probes
/// are settled without touching the token bytes.
pub(crate) struct RankTable {
    slots: Box<[u64]>,
    mask: usize,
    byte_ids: [u32; 256],
}

const NONE: u32 = u32::MAX;

fn hash(bytes: &[u8]) -> u64 {
    let mut h = bytes.len() as u64;
    for chunk in bytes.chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    h
}

impl RankTable {
    /// Indexes every token of `vocab`.
    ///
    /// Panics if the vocabulary lacks a single-byte token or has more than
    /// 2^32 - 1 tokens; neither is true of the compiled-in vocabularies.
    pub(crate) fn build(vocab: &BytePairEncoding) -> RankTable {
        let tokens = u32::try_from(vocab.num_tokens()).expect("fewer than 2^32 tokens");
        let capacity = (tokens as usize * 2).next_power_of_two();
        let mut table = RankTable {
            slots: vec![0; capacity].into_boxed_slice(),
            mask: capacity - 1,
            byte_ids: [NONE; 256],
        };
        for id in 0..tokens {
            let h = hash(vocab.token_bytes(id));
            let mut i = h as usize & table.mask;
            while table.slots[i] != 0 {
                i = (i + 1) & table.mask;
            }
            table.slots[i] = (h >> 32 << 32) | u64::from(id + 1);
        }
        for byte in 0..=255u8 {
            table.byte_ids[usize::from(byte)] =
                table.id(vocab, &[byte]).expect("every byte is a token");
        }
        table
    }

    /// The id of the token whose bytes are exactly `bytes`.
    #[inline]
    pub(crate) fn id(&self, vocab: &BytePairEncoding, bytes: &[u8]) -> Option<u32> {
        let h = hash(bytes);
        let mut i = h as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == h >> 32 {
                let id = (slot as u32).wrapping_sub(1);
                if vocab.token_bytes(id) == bytes {
                    return Some(id);
                }
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Appends the byte-pair encoding of `piece` (at most [`MAX_PIECE`]
    /// bytes) to `out`.
    pub(crate) fn encode_short(&self, vocab: &BytePairEncoding, piece: &[u8], out: &mut Vec<u32>) {
        debug_assert!(piece.len() <= MAX_PIECE);
        if let Some(id) = self.id(vocab, piece) {
            out.push(id);
            return;
        }
        // Part k spans piece[starts[k]..starts[k + 1]] and is token ids[k];
        // pair_ids[k] is the token made of parts k and k + 1, if any.
        let mut parts = piece.len();
        let mut starts = [0u8; MAX_PIECE + 1];
        let mut ids = [NONE; MAX_PIECE];
        let mut pair_ids = [NONE; MAX_PIECE];
        for (k, &byte) in piece.iter().enumerate() {
            starts[k] = k as u8;
            ids[k] = self.byte_ids[usize::from(byte)];
        }
        starts[parts] = parts as u8;
        let pair = |starts: &[u8], k: usize, parts: usize| {
            if k + 1 < parts {
                let span = usize::from(starts[k])..usize::from(starts[k + 2]);
                self.id(vocab, &piece[span]).unwrap_or(NONE)
            } else {
                NONE
            }
        };
        for (k, pair_id) in pair_ids[..parts].iter_mut().enumerate() {
            *pair_id = pair(&starts, k, parts);
        }
        loop {
            let mut best = 0;
            for k in 1..parts {
                if pair_ids[k] < pair_ids[best] {
                    best = k;
                }
            }
            if pair_ids[best] == NONE {
                break;
            }
            ids[best] = pair_ids[best];
            // Drop part best + 1, now merged into part best.
            ids.copy_within(best + 2..parts, best + 1);
            pair_ids.copy_within(best + 2..parts, best + 1);
            starts.copy_within(best + 2..=parts, best + 1);
            parts -= 1;
            pair_ids[best] = pair(&starts, best, parts);
            if best > 0 {
                pair_ids[best - 1] = pair(&starts, best - 1, parts);
            }
        }
        out.extend_from_slice(&ids[..parts]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    static O200K: LazyLock<(&BytePairEncoding, RankTable)> = LazyLock::new(|| {
        let bpe = &bpe_openai::o200k_base().bpe;
        (bpe, RankTable::build(bpe))
    });

    fn short_encoding(bytes: &[u8]) -> Vec<u32> {
        let (bpe, table) = &*O200K;
        let mut out = Vec::new();
        table.encode_short(bpe, bytes, &mut out);
        out
    }

    #[test]
    fn finds_every_token_and_nothing_else() {
        let (bpe, table) = &*O200K;
        for id in (0..bpe.num_tokens() as u32).step_by(7) {
            assert_eq!(table.id(bpe, bpe.token_bytes(id)), Some(id));
        }
        assert_eq!(table.id(bpe, b" the"), Some(290));
        assert_eq!(table.id(bpe, b"qzxqzxqzxq"), None);
    }

    #[test]
    fn merges_like_tiktoken() {
        // o200k_base ids from tiktoken 0.14's encode_ordinary.
        assert_eq!(short_encoding(b"tokenizers"), vec![10346, 24223]);
        assert_eq!(
            short_encoding(b"aaaaaaaaaaaaaaaaaaaaaaaa"),
            vec![117525, 117525, 117525]
        );
    }

    proptest! {
        #[test]
        fn agrees_with_bpe_backtracking(bytes in prop::collection::vec(
            prop::sample::select(b"aeiouxyzAEZ 0'\xc3\xa9\xe5\xad\x97\xf0\x9f".to_vec()), 1..=MAX_PIECE,
        )) {
            let (bpe, _) = &*O200K;
            prop_assert_eq!(short_encoding(&bytes), bpe.encode_via_backtracking(&bytes));
        }
    }
}
