//! Byte-pair encoding of pre-tokenizer pieces with the vocabularies compiled
//! into the binary (`tokens`), behind the per-thread piece cache. Short
//! pieces that miss the cache are merged in place on the stack; longer ones
//! through a heap of candidate pairs, so worst-case inputs (one huge piece)
//! stay `O(n log n)`.

use std::sync::LazyLock;

use super::piece_cache::{Key, PieceCache};
use super::rank_table::RankTable;
use super::tokens::Tokens;
use super::Encoding;

/// One encoding's vocabulary: its tokens and a rank table over them.
pub(crate) struct Vocabulary {
    pub(crate) tokens: Tokens,
    ranks: RankTable,
}

impl Vocabulary {
    fn load(blob: &'static [u8]) -> Vocabulary {
        let tokens = Tokens::parse(blob);
        let ranks = RankTable::build(&tokens);
        Vocabulary { tokens, ranks }
    }

    /// Appends the ids of a piece that is not (or cannot be) cached.
    #[inline]
    fn encode_uncached(&self, piece: &[u8], out: &mut Vec<u32>) {
        if Key::fits(piece) {
            self.ranks.encode_short(&self.tokens, piece, out);
        } else {
            self.ranks.encode_long(&self.tokens, piece, out);
        }
    }

    /// Appends the ids of `piece` to `out`.
    #[inline]
    pub(crate) fn encode_piece(&self, cache: &mut PieceCache, piece: &[u8], out: &mut Vec<u32>) {
        let Some(key) = Key::new(piece) else {
            return self.encode_uncached(piece, out);
        };
        if let Some(ids) = cache.get(&key) {
            return out.extend_from_slice(ids);
        }
        let start = out.len();
        self.encode_uncached(piece, out);
        cache.put(&key, &out[start..]);
    }

    /// The number of tokens of `piece`.
    #[inline]
    pub(crate) fn count_piece(&self, cache: &mut PieceCache, piece: &[u8]) -> usize {
        let mut ids = Vec::new();
        let Some(key) = Key::new(piece) else {
            self.encode_uncached(piece, &mut ids);
            return ids.len();
        };
        if let Some(ids) = cache.get(&key) {
            return ids.len();
        }
        self.encode_uncached(piece, &mut ids);
        cache.put(&key, &ids);
        ids.len()
    }
}

static O200K: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::load(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/o200k_base.tokens"
    )))
});
static CL100K: LazyLock<Vocabulary> = LazyLock::new(|| {
    Vocabulary::load(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/cl100k_base.tokens"
    )))
});

/// The vocabulary of `encoding` (loaded on first use).
pub(crate) fn vocabulary(encoding: Encoding) -> &'static Vocabulary {
    match encoding {
        Encoding::O200kBase => &O200K,
        Encoding::Cl100kBase => &CL100K,
    }
}
