//! A hash table from token bytes to token id (tiktoken's "rank") for a whole
//! vocabulary, and the classic rank-ordered byte-pair merge on top of it.
//!
//! Pieces that miss the per-thread cache are encoded here: first as a whole
//! (most pieces of natural text are one token), else by repeatedly merging
//! the adjacent pair with the lowest rank, leftmost first, as tiktoken does.
//! Up to [`MAX_PIECE`] bytes that runs on arrays on the stack, rescanning
//! the pairs after each merge (quadratic, and fastest for short pieces);
//! longer pieces keep their candidate pairs in a heap.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::piece_cache::MAX_PIECE;
use super::tokens::Tokens;

/// Open-addressing table: each slot holds `id + 1` (0 = empty) in its low
/// half and 32 bits of the key's hash in its high half, so that most probes
/// are settled without touching the token bytes.
pub(crate) struct RankTable {
    slots: Box<[u64]>,
    mask: usize,
    byte_ids: [u32; 256],
    /// The length of the longest token: no longer span is looked up.
    longest: usize,
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
    /// Panics if the vocabulary lacks a single-byte token; none of the
    /// compiled-in vocabularies does.
    pub(crate) fn build(vocab: &Tokens) -> RankTable {
        let tokens = vocab.count();
        let capacity = (tokens as usize * 2).next_power_of_two();
        let mut table = RankTable {
            slots: vec![0; capacity].into_boxed_slice(),
            mask: capacity - 1,
            byte_ids: [NONE; 256],
            longest: (0..tokens)
                .map(|id| vocab.bytes(id).len())
                .max()
                .unwrap_or(0),
        };
        for id in 0..tokens {
            let h = hash(vocab.bytes(id));
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
    pub(crate) fn id(&self, vocab: &Tokens, bytes: &[u8]) -> Option<u32> {
        if bytes.len() > self.longest {
            return None;
        }
        let h = hash(bytes);
        let mut i = h as usize & self.mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == h >> 32 {
                let id = (slot as u32).wrapping_sub(1);
                if vocab.bytes(id) == bytes {
                    return Some(id);
                }
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Appends the byte-pair encoding of `piece` (at most [`MAX_PIECE`]
    /// bytes) to `out`.
    pub(crate) fn encode_short(&self, vocab: &Tokens, piece: &[u8], out: &mut Vec<u32>) {
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

    /// Appends the byte-pair encoding of `piece`, of any length, to `out`:
    /// the same rank-ordered merge as [`RankTable::encode_short`], with the
    /// candidate pairs in a heap, so that a piece of `n` bytes takes
    /// `O(n log n)` rather than quadratic time.
    pub(crate) fn encode_long(&self, vocab: &Tokens, piece: &[u8], out: &mut Vec<u32>) {
        if let Some(id) = self.id(vocab, piece) {
            out.push(id);
            return;
        }
        let n = piece.len();
        // The part that starts at byte i ends at ends[i] (0 once merged into the
        // part before it); starts_before[i] is where the part before it starts.
        let mut ends: Vec<u32> = (1..=n as u32).collect();
        let mut starts_before: Vec<u32> = (0..n as u32).map(|i| i.wrapping_sub(1)).collect();
        // Candidate merges, lowest rank first and leftmost among equals, as
        // tiktoken picks them: (rank, start of the left part, end of the right).
        let mut heap = BinaryHeap::with_capacity(n);
        let push = |heap: &mut BinaryHeap<_>, start: u32, end: u32| {
            if let Some(id) = self.id(vocab, &piece[start as usize..end as usize]) {
                heap.push(Reverse((id, start, end)));
            }
        };
        for i in 0..n as u32 - 1 {
            push(&mut heap, i, i + 2);
        }
        while let Some(Reverse((_, start, end))) = heap.pop() {
            // Still a pair of neighbours spanning start..end? (Its rank follows
            // from the span alone, so an entry that still spans it is current.)
            let mid = ends[start as usize];
            if mid == 0 || mid as usize >= n || ends[mid as usize] != end {
                continue;
            }
            ends[start as usize] = end;
            ends[mid as usize] = 0;
            if (end as usize) < n {
                starts_before[end as usize] = start;
                push(&mut heap, start, ends[end as usize]);
            }
            if start > 0 {
                push(&mut heap, starts_before[start as usize], end);
            }
        }
        let mut start = 0;
        while start < n {
            let end = ends[start] as usize;
            out.push(
                self.id(vocab, &piece[start..end])
                    .expect("every part is a token"),
            );
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bpe_openai::byte_pair_encoding::BytePairEncoding;
    use proptest::prelude::*;
    use std::sync::LazyLock;

    /// Ours and `bpe-openai`'s, the reference, for one encoding.
    struct Both {
        tokens: Tokens,
        table: RankTable,
        reference: &'static BytePairEncoding,
    }

    impl Both {
        fn new(blob: &'static [u8], reference: &'static BytePairEncoding) -> Both {
            let tokens = Tokens::parse(blob);
            let table = RankTable::build(&tokens);
            Both {
                tokens,
                table,
                reference,
            }
        }
    }

    static O200K: LazyLock<Both> = LazyLock::new(|| {
        Both::new(
            include_bytes!(concat!(env!("OUT_DIR"), "/o200k_base.tokens")),
            &bpe_openai::o200k_base().bpe,
        )
    });
    static CL100K: LazyLock<Both> = LazyLock::new(|| {
        Both::new(
            include_bytes!(concat!(env!("OUT_DIR"), "/cl100k_base.tokens")),
            &bpe_openai::cl100k_base().bpe,
        )
    });

    fn short_encoding(bytes: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        O200K.table.encode_short(&O200K.tokens, bytes, &mut out);
        out
    }

    fn long_encoding(bytes: &[u8]) -> Vec<u32> {
        let mut out = Vec::new();
        O200K.table.encode_long(&O200K.tokens, bytes, &mut out);
        out
    }

    #[test]
    fn holds_every_token_of_the_reference_and_finds_it() {
        for both in [&*O200K, &*CL100K] {
            let (tokens, table) = (&both.tokens, &both.table);
            assert_eq!(tokens.count() as usize, both.reference.num_tokens());
            for id in 0..tokens.count() {
                assert_eq!(
                    tokens.bytes(id),
                    both.reference.token_bytes(id),
                    "token {id}"
                );
            }
            for id in (0..tokens.count()).step_by(7) {
                assert_eq!(table.id(tokens, tokens.bytes(id)), Some(id));
            }
            assert_eq!(table.id(tokens, b"qzxqzxqzxq"), None);
        }
        assert_eq!(O200K.table.id(&O200K.tokens, b" the"), Some(290));
    }

    #[test]
    fn merges_like_tiktoken() {
        // o200k_base ids from tiktoken 0.14's encode_ordinary.
        assert_eq!(short_encoding(b"tokenizers"), vec![10346, 24223]);
        assert_eq!(long_encoding(b"tokenizers"), vec![10346, 24223]);
        assert_eq!(
            short_encoding(b"aaaaaaaaaaaaaaaaaaaaaaaa"),
            vec![117525, 117525, 117525]
        );
        assert_eq!(long_encoding(&[b'a'; 24]), vec![117525, 117525, 117525]);
    }

    #[test]
    fn long_runs_agree_with_bpe_backtracking() {
        for piece in [
            vec![b'a'; 1000],
            b"ab".repeat(700),
            "\u{5b57}".repeat(300).into_bytes(),
            b"0123456789".repeat(50),
        ] {
            assert_eq!(
                long_encoding(&piece),
                O200K.reference.encode_via_backtracking(&piece)
            );
        }
    }

    const ALPHABET: &[u8] = b"aeiouxyzAEZ 0'\xc3\xa9\xe5\xad\x97\xf0\x9f";

    proptest! {
        #[test]
        fn short_agrees_with_bpe_backtracking(bytes in prop::collection::vec(
            prop::sample::select(ALPHABET.to_vec()), 1..=MAX_PIECE,
        )) {
            prop_assert_eq!(short_encoding(&bytes), O200K.reference.encode_via_backtracking(&bytes));
            prop_assert_eq!(long_encoding(&bytes), short_encoding(&bytes));
        }

        #[test]
        fn long_agrees_with_bpe_backtracking(bytes in prop::collection::vec(
            prop::sample::select(ALPHABET.to_vec()), MAX_PIECE..400,
        )) {
            prop_assert_eq!(long_encoding(&bytes), O200K.reference.encode_via_backtracking(&bytes));
        }
    }
}
