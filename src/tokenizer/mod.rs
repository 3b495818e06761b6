//! Token counts with OpenAI's encodings, compiled into the binary.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Encoding {
    #[serde(rename = "o200k_base")]
    O200kBase,
    #[serde(rename = "cl100k_base")]
    Cl100kBase,
}

impl Encoding {
    fn tokenizer(self) -> &'static bpe_openai::Tokenizer {
        match self {
            Encoding::O200kBase => bpe_openai::o200k_base(),
            Encoding::Cl100kBase => bpe_openai::cl100k_base(),
        }
    }
}

/// How many tokens `text` is in `encoding`.
pub fn count(encoding: Encoding, text: &str) -> usize {
    encoding.tokenizer().count(text)
}

impl Encoding {
    pub const ALL: [Encoding; 2] = [Encoding::O200kBase, Encoding::Cl100kBase];

    pub fn id(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
        }
    }

    pub fn parse(id: &str) -> Option<Encoding> {
        Encoding::ALL.into_iter().find(|e| e.id() == id)
    }

    pub fn description(self) -> &'static str {
        match self {
            Encoding::O200kBase => "GPT-4o, GPT-4.1, o1, o3",
            Encoding::Cl100kBase => "GPT-4, GPT-3.5-turbo",
        }
    }
}

/// Build both encoders now, so the first request does not pay for it.
pub fn warm() {
    for encoding in Encoding::ALL {
        count(encoding, "warm");
    }
}
