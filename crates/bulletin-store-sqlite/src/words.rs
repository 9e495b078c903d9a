//! Words as SQLite's search index holds them, language-aware as PostgreSQL's
//! text search is: an item's words are indexed as their stems in the item's
//! language (Snowball stemmers), or as written (in lower case) when the
//! language is unknown or has no stemmer. The item's language is not known
//! when a search is, so each searched word is looked up as written and in
//! every language's stem.

use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Language codes (ISO 639-1) with a stemmer.
const LANGUAGES: &[(&str, Algorithm)] = &[
    ("ar", Algorithm::Arabic),
    ("da", Algorithm::Danish),
    ("de", Algorithm::German),
    ("el", Algorithm::Greek),
    ("en", Algorithm::English),
    ("es", Algorithm::Spanish),
    ("fi", Algorithm::Finnish),
    ("fr", Algorithm::French),
    ("hu", Algorithm::Hungarian),
    ("it", Algorithm::Italian),
    ("nb", Algorithm::Norwegian),
    ("nl", Algorithm::Dutch),
    ("nn", Algorithm::Norwegian),
    ("no", Algorithm::Norwegian),
    ("pt", Algorithm::Portuguese),
    ("ro", Algorithm::Romanian),
    ("ru", Algorithm::Russian),
    ("sv", Algorithm::Swedish),
    ("ta", Algorithm::Tamil),
    ("tr", Algorithm::Turkish),
];

fn stemmers() -> &'static [(&'static str, Stemmer)] {
    static STEMMERS: OnceLock<Vec<(&'static str, Stemmer)>> = OnceLock::new();
    STEMMERS.get_or_init(|| {
        LANGUAGES
            .iter()
            .map(|&(code, algorithm)| (code, Stemmer::create(algorithm)))
            .collect()
    })
}

/// The stemmer for a language tag ("en", "fr-CA", "pt_BR"), if there is one.
#[cfg(test)]
fn stemmer_for(lang: Option<&str>) -> Option<&'static Stemmer> {
    language(lang).map(|i| &stemmers()[i].1)
}

/// The index of a language tag's stemmer in `stemmers()`.
fn language(lang: Option<&str>) -> Option<usize> {
    let primary = lang?.split(['-', '_']).next()?.trim();
    stemmers()
        .iter()
        .position(|(code, _)| code.eq_ignore_ascii_case(primary))
}

/// Words remembered per language before the memo starts afresh (a few MB).
const MEMO_WORDS: usize = 100_000;

/// Turns texts into what the index holds, stemming each distinct word once
/// per language (news repeats its words: an item's body has about a third
/// as many distinct words as words, and a batch of items fewer still).
#[derive(Default)]
pub struct Indexer {
    /// Per stemmer: a word in lower case → its stem.
    memo: HashMap<usize, HashMap<String, String>>,
}

impl Indexer {
    /// A text as the index holds it, in the language `lang`: the same as
    /// [`index_text`] with that language's stemmer, with stems remembered.
    pub fn index_text(&mut self, text: &str, lang: Option<&str>) -> String {
        let mut out = String::with_capacity(text.len());
        let mut stemming =
            language(lang).map(|i| (&stemmers()[i].1, self.memo.entry(i).or_default()));
        let mut lower = String::new();
        for word in words(text) {
            if !out.is_empty() {
                out.push(' ');
            }
            lower.clear();
            if word.is_ascii() {
                lower.push_str(word);
                lower.make_ascii_lowercase();
            } else {
                lower.push_str(&word.to_lowercase());
            }
            match stemming.as_mut() {
                None => out.push_str(&lower),
                Some((stemmer, memo)) => match memo.get(lower.as_str()) {
                    Some(stem) => out.push_str(stem),
                    None => {
                        let stem = stemmer.stem(&lower).into_owned();
                        out.push_str(&stem);
                        if memo.len() >= MEMO_WORDS {
                            memo.clear();
                        }
                        memo.insert(lower.clone(), stem);
                    }
                },
            }
        }
        out
    }
}

/// The words of a text: its runs of letters and digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// A text as the index holds it: each word in lower case, stemmed with
/// `stemmer`, separated by spaces. (The plain rule, which [`Indexer`] is
/// tested against.)
#[cfg(test)]
fn index_text(text: &str, stemmer: Option<&Stemmer>) -> String {
    let mut out = String::with_capacity(text.len());
    for word in words(text) {
        if !out.is_empty() {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        match stemmer {
            Some(s) => out.push_str(&s.stem(&lower)),
            None => out.push_str(&lower),
        }
    }
    out
}

/// The forms a searched word may have in the index: as written (lower
/// case) and its stem in each language, each once.
pub fn search_forms(word: &str) -> Vec<String> {
    let lower = word.to_lowercase();
    let mut forms = vec![lower.clone()];
    for (_, stemmer) in stemmers() {
        let stem = stemmer.stem(&lower);
        if !stem.is_empty() && !forms.iter().any(|f| *f == stem) {
            forms.push(stem.into_owned());
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_words_in_their_languages_stem() {
        let en = stemmer_for(Some("en-GB"));
        assert_eq!(
            index_text("Ministers RESIGNED, again.", en),
            "minist resign again"
        );
        assert_eq!(index_text("Ministers resigned", None), "ministers resigned");
        let fr = stemmer_for(Some("fr"));
        assert_eq!(index_text("les élections", fr), "le élect");
        assert!(stemmer_for(Some("xx")).is_none());
        assert!(stemmer_for(None).is_none());
    }

    #[test]
    fn the_indexer_gives_what_index_text_gives() {
        let mut indexer = Indexer::default();
        for (text, lang) in [
            (
                "Ministers RESIGNED, again. Ministers resigned!",
                Some("en-GB"),
            ),
            ("Ministers resigned", None),
            ("les élections, LES ÉLECTIONS", Some("fr")),
            ("Die Wahlen in ÖSTERREICH", Some("de")),
            ("İstanbul ışık", Some("tr")),
        ] {
            for _ in 0..2 {
                assert_eq!(
                    indexer.index_text(text, lang),
                    index_text(text, stemmer_for(lang)),
                    "{text}"
                );
            }
        }
    }

    #[test]
    fn a_searched_word_meets_its_stem_in_any_language() {
        let forms = search_forms("Elections");
        assert_eq!(forms[0], "elections");
        assert!(forms.contains(&"elect".to_string()), "{forms:?}");
        let indexed = index_text("élections", stemmer_for(Some("fr")));
        assert!(search_forms("élections").contains(&indexed), "{indexed}");
        let german = index_text("Wahlen", stemmer_for(Some("de")));
        assert!(search_forms("Wahlen").contains(&german));
    }
}
