//! Connecting the coverage: the stage after extraction that says which
//! items are the same article (near-duplicates) and, in time, which tell
//! the same story.
//!
//! - [`shingles`]: a body's words, normalized, as overlapping word
//!   shingles;
//! - [`minhash`]: a fixed-size signature per body whose agreement
//!   estimates the Jaccard similarity of two bodies' shingle sets, and the
//!   LSH band keys that find candidates without comparing every pair;
//! - [`stories`]: online assignment of items to stories;
//! - [`related`]: each item's related coverage in other stories;
//! - [`connector`]: both over a stream of items, bounded by a time window.
//!
//! Pure functions of their input: no IO, no store.

pub mod connector;
mod keys;
pub mod minhash;
pub mod related;
pub mod shingles;
pub mod stories;

pub use connector::{Connection, Connector, Incoming};
pub use minhash::{BANDS, Signature, near_duplicate};
pub use stories::{ACTIVE_HOURS, StoryKey, key_words};
