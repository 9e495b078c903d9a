//! Word lists looked up by set: a cue list is asked about every word of
//! every sentence, and a scan of two hundred entries per word was a quarter
//! of the extractor's time.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// FNV-1a: words are short, and SipHash's setup cost more than the lookup.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type WordSet = HashSet<&'static [u8], BuildHasherDefault<Fnv>>;

/// A fixed list of lowercase words, with a set built on first use.
pub struct Lexicon {
    words: &'static [&'static str],
    set: OnceLock<WordSet>,
}

impl Lexicon {
    pub const fn new(words: &'static [&'static str]) -> Lexicon {
        Lexicon {
            words,
            set: OnceLock::new(),
        }
    }

    /// Whether `word` (lowercase) is in the list.
    pub fn has(&self, word: impl AsRef<[u8]>) -> bool {
        self.set
            .get_or_init(|| self.words.iter().map(|w| w.as_bytes()).collect())
            .contains(word.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::Lexicon;

    static COLOURS: Lexicon = Lexicon::new(&["red", "green"]);

    #[test]
    fn a_lexicon_has_its_words_and_no_others() {
        assert!(COLOURS.has("red") && COLOURS.has("green"));
        assert!(!COLOURS.has("blue") && !COLOURS.has("Red") && !COLOURS.has(""));
    }
}
