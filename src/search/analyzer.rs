//! The one way text becomes terms, for the index, the queries and the snippets alike:
//! words split at anything not a letter or digit, lower-cased, accents folded, and (for
//! whole-word matches) reduced to their English stem.

use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer, TokenStream,
};

/// Registered name of the stemming analyzer.
pub const STEMMED: &str = "lectern_stemmed";
/// Registered name of the folding analyzer (no stemming: prefixes compare with it).
pub const FOLDED: &str = "lectern_folded";

/// Words longer than this (in bytes) are not indexed: no one searches them.
const LONGEST_WORD: usize = 40;

pub fn analyzer(name: &str) -> TextAnalyzer {
    let folded = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(LONGEST_WORD))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    if name == STEMMED {
        folded.filter(Stemmer::new(Language::English)).build()
    } else {
        folded.build()
    }
}

/// A term and where its word stands in the text (bytes).
#[derive(Debug)]
pub struct Word {
    pub text: String,
    pub from: usize,
    pub to: usize,
}

pub fn tokens(name: &str, text: &str) -> Vec<Word> {
    let mut analyzer = analyzer(name);
    let mut stream = analyzer.token_stream(text);
    let mut words = Vec::new();
    while let Some(token) = stream.next() {
        words.push(Word {
            text: token.text.clone(),
            from: token.offset_from,
            to: token.offset_to,
        });
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(name: &str, text: &str) -> Vec<String> {
        tokens(name, text).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn word_forms_share_a_stem() {
        assert_eq!(terms(STEMMED, "tokenizer"), terms(STEMMED, "tokenizers"));
        assert_eq!(terms(STEMMED, "tokenization"), terms(STEMMED, "tokenize"));
    }

    #[test]
    fn case_and_accents_fold() {
        assert_eq!(terms(FOLDED, "Résumé"), ["resume"]);
        assert_eq!(terms(STEMMED, "RÉSUMÉ"), terms(STEMMED, "resume"));
    }

    #[test]
    fn operators_and_markup_are_no_words() {
        assert_eq!(
            terms(FOLDED, "\"foo\" AND bar* <script>"),
            ["foo", "and", "bar", "script"]
        );
        assert!(terms(FOLDED, "(*)[]\0 😀😀").is_empty());
    }
}
