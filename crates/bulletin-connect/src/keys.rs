//! Hash maps keyed by numbers: term hashes, story keys, item ids. The
//! standard SipHash is built to resist chosen keys from outside, which
//! these are not (terms are already hashed, ids are ours), and it was a
//! tenth of filing's time; this hasher is one multiply per key. It is also
//! the same in every process, so the order maps are walked in — and with
//! it every sum of weights — is the same on every run: filing is
//! reproducible to the bit.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// FxHash's step: rotate, xor, multiply by an odd constant (the product's
/// high bits, which the table reads first, depend on every bit of the key).
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

const K: u64 = 0x517C_C1B7_2722_0A95;

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(K);
    }

    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
}

pub type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;
pub type KeySet<K> = HashSet<K, BuildHasherDefault<KeyHasher>>;
