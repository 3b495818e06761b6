//! A small per-thread cache from short pre-tokenizer pieces to their token
//! ids. Natural text repeats the same few thousand pieces (" the", ",",
//! " token") endlessly, so most pieces skip byte-pair encoding entirely.
//!
//! The cache is two-way set-associative: a hash of the piece picks a set of
//! two slots, the most recently used first; a new entry pushes out the least
//! recently used one. Lookups and inserts are O(1) and allocation-free, and
//! memory is bounded: [`SLOTS`] slots of 64 bytes, i.e. 512 KiB per encoding
//! per thread that tokenizes (allocated on its first use). Pieces longer than [`MAX_PIECE`] bytes, or encoding to more
//! than [`MAX_IDS`] tokens, are never cached, which also keeps pathological
//! inputs on the linear path.

use std::cell::RefCell;

use super::Encoding;

/// Longest piece (in bytes) that is cached.
pub(crate) const MAX_PIECE: usize = 24;
/// Most token ids a cached piece may have.
const MAX_IDS: usize = 8;
/// Number of slots per encoding (a power of two), in sets of [`WAYS`].
const SLOTS: usize = 8192;
const WAYS: usize = 2;

#[derive(Clone, Copy)]
struct Slot {
    /// The piece's bytes, zero-padded, as little-endian words.
    key: [u64; MAX_PIECE / 8],
    /// Piece length in bytes; 0 marks an empty slot (pieces are non-empty).
    len: u8,
    count: u8,
    ids: [u32; MAX_IDS],
}

const EMPTY: Slot = Slot {
    key: [0; MAX_PIECE / 8],
    len: 0,
    count: 0,
    ids: [0; MAX_IDS],
};

/// The cache for one encoding on one thread.
pub(crate) struct PieceCache {
    slots: Vec<Slot>,
}

/// A piece prepared for lookup: padded key and the index of its set.
pub(crate) struct Key {
    words: [u64; MAX_PIECE / 8],
    len: u8,
    set: usize,
}

impl Key {
    /// Whether `piece` is short enough to be cached.
    #[inline]
    pub(crate) fn fits(piece: &[u8]) -> bool {
        piece.len() <= MAX_PIECE
    }

    /// The key of `piece`, or `None` if it is too long to cache.
    #[inline]
    pub(crate) fn new(piece: &[u8]) -> Option<Key> {
        let len = u8::try_from(piece.len())
            .ok()
            .filter(|&l| usize::from(l) <= MAX_PIECE)?;
        let mut padded = [0u8; MAX_PIECE];
        padded[..piece.len()].copy_from_slice(piece);
        let mut words = [0u64; MAX_PIECE / 8];
        let mut hash = u64::from(len);
        for (word, chunk) in words.iter_mut().zip(padded.chunks_exact(8)) {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(chunk);
            *word = u64::from_le_bytes(bytes);
            hash = (hash.rotate_left(5) ^ *word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        let set = (hash >> (64 - (SLOTS / WAYS).trailing_zeros())) as usize * WAYS;
        Some(Key { words, len, set })
    }
}

impl PieceCache {
    const fn new() -> PieceCache {
        PieceCache { slots: Vec::new() }
    }

    /// The cached ids of `key`'s piece.
    #[inline]
    pub(crate) fn get(&mut self, key: &Key) -> Option<&[u32]> {
        let set = self.slots.get_mut(key.set..key.set + WAYS)?;
        let way = set
            .iter()
            .position(|slot| slot.len == key.len && slot.key == key.words)?;
        if way != 0 {
            set.swap(0, way);
        }
        let slot = &set[0];
        Some(&slot.ids[..usize::from(slot.count)])
    }

    /// Remembers `ids` for `key`'s piece, if they fit in a slot, evicting
    /// the least recently used entry of its set.
    #[inline]
    pub(crate) fn put(&mut self, key: &Key, ids: &[u32]) {
        let Ok(count) = u8::try_from(ids.len()) else {
            return;
        };
        if ids.len() > MAX_IDS {
            return;
        }
        if self.slots.is_empty() {
            self.slots = vec![EMPTY; SLOTS];
        }
        let set = &mut self.slots[key.set..key.set + WAYS];
        set.rotate_right(1);
        let slot = &mut set[0];
        slot.key = key.words;
        slot.len = key.len;
        slot.count = count;
        slot.ids[..ids.len()].copy_from_slice(ids);
    }
}

thread_local! {
    static CACHES: RefCell<[PieceCache; 2]> = const { RefCell::new([PieceCache::new(), PieceCache::new()]) };
}

/// Runs `f` with this thread's cache for `encoding`.
pub(crate) fn with_cache<R>(encoding: Encoding, f: impl FnOnce(&mut PieceCache) -> R) -> R {
    CACHES.with(|caches| {
        let mut caches = caches.borrow_mut();
        let index = match encoding {
            Encoding::O200kBase => 0,
            Encoding::Cl100kBase => 1,
        };
        f(&mut caches[index])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_and_finds_short_pieces() {
        let mut cache = PieceCache::new();
        let key = Key::new(b" token").expect("short");
        assert_eq!(cache.get(&key), None);
        cache.put(&key, &[11, 22]);
        assert_eq!(cache.get(&key), Some(&[11, 22][..]));
        let other = Key::new(b" token\0").expect("short");
        assert_eq!(cache.get(&other), None, "zero padding must not alias");
    }

    #[test]
    fn keeps_the_most_recently_used_entries_of_a_set() {
        // Find three pieces that share a set.
        let first = Key::new(b"p0").expect("short");
        let mut same_set = (1..)
            .map(|n| format!("p{n}"))
            .filter(|p| Key::new(p.as_bytes()).is_some_and(|k| k.set == first.set));
        let (second, third) = (
            same_set.next().expect("found"),
            same_set.next().expect("found"),
        );
        let (second, third) = (
            Key::new(second.as_bytes()).expect("short"),
            Key::new(third.as_bytes()).expect("short"),
        );
        let mut cache = PieceCache::new();
        cache.put(&first, &[1]);
        cache.put(&second, &[2]);
        assert_eq!(
            cache.get(&first),
            Some(&[1][..]),
            "touching first makes second the oldest"
        );
        cache.put(&third, &[3]);
        assert_eq!(cache.get(&second), None);
        assert_eq!(cache.get(&first), Some(&[1][..]));
        assert_eq!(cache.get(&third), Some(&[3][..]));
    }

    #[test]
    fn refuses_long_pieces_and_long_encodings() {
        assert!(Key::new(&[b'a'; MAX_PIECE]).is_some());
        assert!(Key::new(&[b'a'; MAX_PIECE + 1]).is_none());
        let mut cache = PieceCache::new();
        let key = Key::new(b"xyz").expect("short");
        cache.put(&key, &[1; MAX_IDS + 1]);
        assert_eq!(cache.get(&key), None);
    }
}
