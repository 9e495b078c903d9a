//! MinHash signatures: for each of [`HASHES`] hash functions, the least
//! hash of any shingle of a body. Two signatures agree at a position with
//! probability equal to the Jaccard similarity of the two shingle sets, so
//! the share of agreeing positions estimates it. Candidates are found by
//! LSH: the signature cut into [`BANDS`] bands of [`ROWS`] rows; two bodies
//! that agree on a whole band share that band's key, which an index can
//! look up (probability `1 - (1 - J^ROWS)^BANDS` for similarity `J`).

use crate::shingles::{mix, shingles};

/// Hash functions in a signature.
pub const HASHES: usize = 128;
/// LSH bands, and rows per band (`BANDS * ROWS == HASHES`). With 32 bands
/// of 4 rows, bodies of similarity 0.5 share a band key with probability
/// 0.87, of 0.6 with 0.99, of 0.2 with 0.05.
pub const BANDS: usize = 32;
pub const ROWS: usize = HASHES / BANDS;

/// Estimated Jaccard similarity from which two bodies are the same article
/// (chosen by measurement: see BENCHMARKS.md, "Near-duplicates").
pub const DUPLICATE_SIMILARITY: f64 = 0.45;
/// Fewest shingles a body needs for its signature to be trusted: a short
/// update shares whole phrases with others by chance.
pub const MIN_SHINGLES: usize = 25;

/// A body's MinHash signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature(pub Vec<u64>);

impl Signature {
    /// The signature of `text`'s shingles; `None` when it has too few to
    /// be compared (see [`MIN_SHINGLES`]).
    pub fn of(text: &str) -> Option<Signature> {
        let set = shingles(text);
        if set.len() < MIN_SHINGLES {
            return None;
        }
        // The i-th hash of a (well mixed) shingle hash x is a_i·x + b_i
        // (mod 2^64) with a random odd a_i: one multiply and one add.
        let mut mins = vec![u64::MAX; HASHES];
        for s in set {
            for ((min, a), b) in mins.iter_mut().zip(MULTIPLIERS.iter()).zip(SEEDS.iter()) {
                let h = s.wrapping_mul(*a).wrapping_add(*b);
                if h < *min {
                    *min = h;
                }
            }
        }
        Some(Signature(mins))
    }

    /// The estimated Jaccard similarity of the two bodies.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f64 / HASHES as f64
    }

    /// The band keys to index the body under: band number and rows hashed
    /// together, so keys of different bands never meet.
    pub fn band_keys(&self) -> Vec<u64> {
        self.0
            .chunks(ROWS)
            .enumerate()
            .map(|(band, rows)| rows.iter().fold(mix(band as u64 + 1), |h, r| mix(h ^ r)))
            .collect()
    }
}

/// Whether two signatures are of the same article.
pub fn near_duplicate(a: &Signature, b: &Signature) -> bool {
    a.similarity(b) >= DUPLICATE_SIMILARITY
}

/// A fixed seed per hash function (the same in every build: signatures are
/// stored).
const SEEDS: [u64; HASHES] = seeds(0x5EED_B011_E710);
/// An odd multiplier per hash function.
const MULTIPLIERS: [u64; HASHES] = odd(seeds(0xB011_E7A1_2026));

const fn odd(mut values: [u64; HASHES]) -> [u64; HASHES] {
    let mut i = 0;
    while i < HASHES {
        values[i] |= 1;
        i += 1;
    }
    values
}

const fn seeds(start: u64) -> [u64; HASHES] {
    let mut out = [0u64; HASHES];
    let mut state: u64 = start;
    let mut i = 0;
    while i < HASHES {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        out[i] = z ^ (z >> 31);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(n: usize) -> String {
        (0..n)
            .map(|i| format!("word{} and{} ", i * 7 % 101, i % 13))
            .collect()
    }

    #[test]
    fn similar_bodies_agree_and_different_ones_do_not() {
        let a = article(300);
        // 5% of the words changed.
        let edited: String = a
            .split(' ')
            .enumerate()
            .map(|(i, w)| if i % 20 == 7 { "changed" } else { w })
            .collect::<Vec<_>>()
            .join(" ");
        let (sa, se) = (Signature::of(&a).unwrap(), Signature::of(&edited).unwrap());
        assert!(near_duplicate(&sa, &se), "{}", sa.similarity(&se));
        let other: String = (0..300).map(|i| format!("other{i} text ")).collect();
        let so = Signature::of(&other).unwrap();
        assert!(!near_duplicate(&sa, &so), "{}", sa.similarity(&so));
        assert!(sa.similarity(&so) < 0.05);
        // Identical bodies share every band key.
        assert_eq!(sa.band_keys(), Signature::of(&a).unwrap().band_keys());
        assert_eq!(sa.band_keys().len(), BANDS);
    }

    #[test]
    fn short_bodies_get_no_signature() {
        assert!(Signature::of("Markets closed higher on Friday.").is_none());
    }
}
