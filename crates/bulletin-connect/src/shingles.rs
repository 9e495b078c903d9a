//! A body's words as overlapping shingles of [`SHINGLE_WORDS`] words,
//! hashed: the unit near-duplicates are compared in. Words are lowercased
//! letters and digits (punctuation, quotes and spacing never count), so
//! a republished article with other typography has the same shingles.

/// Words in a shingle. Three: an edited word changes three shingles, so 5%
/// of words edited leaves about 85% of them intact, while two different
/// articles still share almost none (measured against four and five words
/// in BENCHMARKS.md, "Near-duplicates").
pub const SHINGLE_WORDS: usize = 3;

/// The words of `text`, lowercased, as 64-bit hashes.
pub fn word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<u64>| {
        if !word.is_empty() {
            out.push(hash_bytes(word.as_bytes()));
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else {
            flush(&mut word, &mut out);
        }
    }
    flush(&mut word, &mut out);
    out
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
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
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
    fn hashes_are_stable() {
        // Stored signatures depend on these values never changing.
        assert_eq!(hash_bytes(b"news"), hash_bytes(b"news"));
        assert_eq!(mix(0), 0);
        assert_eq!(hash_bytes(b""), mix(0xCBF2_9CE4_8422_2325));
    }
}
