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
    index: OnceLock<Index>,
}

/// The set, and what every word of it shares: most words of a text are
/// refused by their length or first byte before they are hashed.
struct Index {
    set: WordSet,
    shortest: usize,
    longest: usize,
    first_bytes: [u64; 4],
}

impl Lexicon {
    pub const fn new(words: &'static [&'static str]) -> Lexicon {
        Lexicon {
            words,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut first_bytes = [0u64; 4];
            for w in self.words {
                if let Some(&b) = w.as_bytes().first() {
                    first_bytes[usize::from(b >> 6)] |= 1 << (b & 63);
                }
            }
            Index {
                set: self.words.iter().map(|w| w.as_bytes()).collect(),
                shortest: self.words.iter().map(|w| w.len()).min().unwrap_or(0),
                longest: self.words.iter().map(|w| w.len()).max().unwrap_or(0),
                first_bytes,
            }
        })
    }

    /// Whether `word` (lowercase) is in the list.
    pub fn has(&self, word: impl AsRef<[u8]>) -> bool {
        let word = word.as_ref();
        let index = self.index();
        let Some(&first) = word.first() else {
            return index.set.contains(word);
        };
        (index.shortest..=index.longest).contains(&word.len())
            && index.first_bytes[usize::from(first >> 6)] & (1 << (first & 63)) != 0
            && index.set.contains(word)
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
