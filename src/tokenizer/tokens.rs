//! A vocabulary's tokens by id, in the compact form `build.rs` writes from
//! `bpe-openai`'s dictionaries at build time: the token count (u32, little
//! endian), then each token's length in bytes (one byte each), then every
//! token's bytes, one after another, in id order. About 2 MiB for
//! `o200k_base`, where the dictionary `bpe-openai` loads at run time is 32 MiB
//! and grows to more than that in memory.

/// The bytes of every token of one vocabulary.
pub(crate) struct Tokens {
    bytes: &'static [u8],
    /// Where each token's bytes start in `bytes`, and one more entry: the end.
    starts: Box<[u32]>,
}

impl Tokens {
    /// Reads the compact form. Panics if `blob` is not in that form; the
    /// blobs compiled in are checked by the tests.
    pub(crate) fn parse(blob: &'static [u8]) -> Tokens {
        let (count, rest) = blob.split_at(4);
        let count = u32::from_le_bytes(count.try_into().expect("four bytes")) as usize;
        let (lengths, bytes) = rest.split_at(count);
        let mut starts = Vec::with_capacity(count + 1);
        let mut at = 0u32;
        starts.push(at);
        for &len in lengths {
            at += u32::from(len);
            starts.push(at);
        }
        assert_eq!(
            at as usize,
            bytes.len(),
            "the token bytes match their lengths"
        );
        Tokens {
            bytes,
            starts: starts.into_boxed_slice(),
        }
    }

    /// How many tokens the vocabulary has.
    pub(crate) fn count(&self) -> u32 {
        (self.starts.len() - 1) as u32
    }

    /// The bytes of token `id`.
    #[inline]
    pub(crate) fn bytes(&self, id: u32) -> &'static [u8] {
        let id = id as usize;
        &self.bytes[self.starts[id] as usize..self.starts[id + 1] as usize]
    }
}
