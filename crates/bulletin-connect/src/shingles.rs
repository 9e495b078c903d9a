//! A body's words as overlapping shingles of [`SHINGLE_WORDS`] words,
//! hashed: the unit near-duplicates are compared in. Words are lowercased
//! letters and digits (punctuation, quotes and spacing never count), so
//! a republished article with other typography has the same shingles.

/// Words in a shingle. Three: an edited word changes three shingles, so 5%
/// of words edited leaves about 85% of them intact, while two different
/// articles still share almost none (measured against four and five words
/// in BENCHMARKS.md, "Near-duplicates").
pub const SHINGLE_WORDS: usize = 3;

/// The words of `text`, lowercased, as 64-bit hashes: each word's hash is
/// [`hash_bytes`] of its lowercased UTF-8, made as the characters go by
/// (no string is built).
pub fn word_hashes(text: &str) -> Vec<u64> {
    const OFFSET: u64 = 0xCBF2_9CE4_8422_2325;
    let mut out = Vec::with_capacity(text.len() / 6);
    let (mut h, mut in_word) = (OFFSET, false);
    let mut utf8 = [0u8; 4];
    for c in text.chars() {
        if c.is_alphanumeric() {
            in_word = true;
            if c.is_ascii() {
                h = fnv_byte(h, c.to_ascii_lowercase() as u8);
            } else {
                for lower in c.to_lowercase() {
                    for b in lower.encode_utf8(&mut utf8).bytes() {
                        h = fnv_byte(h, b);
                    }
                }
            }
        } else if in_word {
            out.push(mix(h));
            (h, in_word) = (OFFSET, false);
        }
    }
    if in_word {
        out.push(mix(h));
    }
    out
}

fn fnv_byte(h: u64, b: u8) -> u64 {
    (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
}

/// The distinct shingle hashes of `text` (a text shorter than a shingle
/// is one shingle of all its words; an empty text has none).
pub fn shingles(text: &str) -> Vec<u64> {
    let words = word_hashes(text);
    if words.is_empty() {
        return Vec::new();
    }
    let width = SHINGLE_WORDS.min(words.len());
    let mut out: Vec<u64> = words
        .windows(width)
        .map(|w| w.iter().fold(0x9E37_79B9_7F4A_7C15, |h, x| mix(h ^ x)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// FNV-1a over bytes, then mixed: a stable hash (the same in every build
/// and process, unlike the standard library's), since signatures are
/// stored.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    mix(bytes
        .iter()
        .fold(0xCBF2_9CE4_8422_2325, |h, b| fnv_byte(h, *b)))
}

/// SplitMix64's finalizer: every input bit moves every output bit.
pub fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typography_does_not_count() {
        assert_eq!(
            shingles("The Minister said: “We will act,” on Monday."),
            shingles("the minister said we will act on monday")
        );
        assert_ne!(
            shingles("the minister said we will act on monday"),
            shingles("the minister said we will not act on monday")
        );
        assert!(shingles("  ").is_empty());
        assert_eq!(shingles("two words").len(), 1);
    }

    #[test]
    fn word_hashes_are_the_lowercased_words_hashes() {
        let expected: Vec<u64> = ["zoë", "ça", "naïve", "straße", "2024", "news"]
            .iter()
            .map(|w| hash_bytes(w.as_bytes()))
            .collect();
        assert_eq!(
            word_hashes("ZOË, Ça — Naïve STRASSE? no: Straße 2024 News"),
            {
                let mut e = expected.clone();
                e.insert(3, hash_bytes(b"strasse"));
                e.insert(4, hash_bytes(b"no"));
                e
            }
        );
    }

    #[test]
    fn hashes_are_stable() {
        // Stored signatures depend on these values never changing.
        assert_eq!(hash_bytes(b"news"), hash_bytes(b"news"));
        assert_eq!(mix(0), 0);
        assert_eq!(hash_bytes(b""), mix(0xCBF2_9CE4_8422_2325));
    }
}
