//! The one way text becomes terms, for the index, the queries and the snippets alike:
//! words split at anything not a letter or digit, lower-cased, accents folded, and (for
//! whole-word matches) reduced to their English stem.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

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

/// Calls `each` with every term of `text` and where its word stands in the text (bytes).
pub fn each_word(name: &str, text: &str, mut each: impl FnMut(&str, Range<usize>)) {
    let mut analyzer = analyzer(name);
    let mut stream = analyzer.token_stream(text);
    while let Some(token) = stream.next() {
        each(&token.text, token.offset_from..token.offset_to);
    }
}

/// Every term of `text`.
pub fn terms(name: &str, text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    each_word(name, text, |term, _| terms.push(term.to_owned()));
    terms
}

/// Folded words grouped by their stem: which words of a text a whole-word match of a stem
/// stands for. Stems each distinct word once.
pub fn by_stem(folded: HashSet<String>) -> HashMap<String, Vec<String>> {
    let mut stemmer = analyzer(STEMMED);
    let mut forms: HashMap<String, Vec<String>> = HashMap::new();
    for word in folded {
        let stem = {
            let mut stream = stemmer.token_stream(&word);
            let stem = stream.next().map(|token| token.text.clone());
            stem.filter(|_| stream.next().is_none())
        };
        if let Some(stem) = stem {
            forms.entry(stem).or_default().push(word);
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_share_a_stem() {
        assert_eq!(terms(STEMMED, "tokenizer"), terms(STEMMED, "tokenizers"));
        assert_eq!(terms(STEMMED, "tokenization"), terms(STEMMED, "tokenize"));
    }

    #[test]
    fn folded_words_group_under_the_stem_of_the_text() {
        let text = "Tokenizers tokenization résumés token running";
        let forms = by_stem(terms(FOLDED, text).into_iter().collect());
        for word in text.split(' ') {
            let stem = terms(STEMMED, word).remove(0);
            let folded = terms(FOLDED, word).remove(0);
            assert!(forms[&stem].contains(&folded), "{word}: {forms:?}");
        }
        assert_eq!(forms[&terms(STEMMED, "token")[0]].len(), 3, "{forms:?}");
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
