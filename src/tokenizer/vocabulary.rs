//! Byte-pair encoding of pre-tokenizer pieces with the prebuilt vocabularies
//! of `bpe-openai` (compiled into the binary), behind the per-thread piece
//! cache. Short pieces that miss the cache are encoded with the rank table;
//! longer ones go straight to `bpe`'s backtracking encoder, which is linear
//! in the piece length, so worst-case inputs (one huge piece) stay linear.

use std::sync::LazyLock;

use bpe_openai::byte_pair_encoding::BytePairEncoding;

use super::piece_cache::{Key, PieceCache};
use super::rank_table::RankTable;
use super::Encoding;

/// One encoding's vocabulary: `bpe`'s encoder and a rank table over it.
pub(crate) struct Vocabulary {
    pub(crate) bpe: &'static BytePairEncoding,
    ranks: RankTable,
}

impl Vocabulary {
    fn load(bpe: &'static BytePairEncoding) -> Vocabulary {
        Vocabulary {
            bpe,
            ranks: RankTable::build(bpe),
        }
    }

    /// Appends the ids of a piece that is not (or cannot be) cached.
    #[inline]
    fn encode_uncached(&self, piece: &[u8], out: &mut Vec<u32>) {
        if Key::fits(piece) {
            self.ranks.encode_short(self.bpe, piece, out);
        } else {
            out.extend(self.bpe.encode_via_backtracking(piece));
        }
    }

    /// Appends the ids of `piece` to `out`.
    #[inline]
    pub(crate) fn encode_piece(&self, cache: &mut PieceCache, piece: &[u8], out: &mut Vec<u32>) {
        let Some(key) = Key::new(piece) else {
            return out.extend(self.bpe.encode_via_backtracking(piece));
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
        let Some(key) = Key::new(piece) else {
            return self.bpe.count(piece);
        };
        if let Some(ids) = cache.get(&key) {
            return ids.len();
        }
        let mut ids = Vec::new();
        self.encode_uncached(piece, &mut ids);
        cache.put(&key, &ids);
        ids.len()
    }
}

static O200K: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::load(&bpe_openai::o200k_base().bpe));
static CL100K: LazyLock<Vocabulary> =
    LazyLock::new(|| Vocabulary::load(&bpe_openai::cl100k_base().bpe));

/// The vocabulary of `encoding` (loaded on first use).
pub(crate) fn vocabulary(encoding: Encoding) -> &'static Vocabulary {
    match encoding {
        Encoding::O200kBase => &O200K,
        Encoding::Cl100kBase => &CL100K,
    }
}
