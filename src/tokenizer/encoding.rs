//! The supported OpenAI encodings and their user-facing metadata.

use serde::Serialize;

/// An OpenAI tokenizer vocabulary together with its split pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Encoding {
    /// `o200k_base`, the default.
    #[serde(rename = "o200k_base")]
    O200kBase,
    /// `cl100k_base`.
    #[serde(rename = "cl100k_base")]
    Cl100kBase,
}

impl Encoding {
    /// Every encoding, default first.
    pub const ALL: [Encoding; 2] = [Encoding::O200kBase, Encoding::Cl100kBase];

    /// tiktoken's name for the encoding.
    pub fn id(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
    }

    /// The encoding whose [`id`](Self::id) is `id`.
    pub fn parse(id: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.id() == id)
    }

    /// The models that use the encoding, for display.
    pub fn description(self) -> &'static str {
        match self {
            Encoding::O200kBase => "GPT-4o, GPT-4.1, o1, o3 (200k vocabulary)",
            Encoding::Cl100kBase => "GPT-4, GPT-3.5-turbo, text-embedding-3 (100k vocabulary)",
        }
    }

    /// Whether this is the encoding shown when none is chosen.
    pub fn is_default(self) -> bool {
        self == Encoding::O200kBase
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_default_is_o200k() {
        for e in Encoding::ALL {
            assert_eq!(Encoding::parse(e.id()), Some(e));
            assert!(!e.description().is_empty());
        }
        assert_eq!(Encoding::parse("p50k_base"), None);
        assert_eq!(Encoding::ALL.iter().filter(|e| e.is_default()).count(), 1);
        assert!(Encoding::O200kBase.is_default());
        assert_eq!(Encoding::ALL[0], Encoding::O200kBase);
    }
}
