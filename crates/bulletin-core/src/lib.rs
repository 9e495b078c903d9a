//! Bulletin's domain: the nouns every pipeline stage shares.
//!
//! This crate does no IO. It holds the types that flow through the pipeline
//! (`Article`, `Author`, `Image`, `FeedEntry`), the ID newtypes, and small
//! pure functions the whole project agrees on: how long a text takes to read
//! ([`reading`]), when two URLs name the same page ([`canonical`]), which
//! URLs may be linked ([`links`]), how character references are decoded
//! ([`entities`]), and how text is escaped and trimmed
//! ([`text`]).

pub mod canonical;
pub mod dates;
pub mod entities;
pub mod links;
pub mod reading;
pub mod text;
mod types;

pub use canonical::canonicalize_url;
pub use dates::{parse_datetime, parse_datetime_with_offset};
pub use links::{is_web_url, keep_web_url, web_url, web_url_from};
pub use reading::{count_words, reading_time_minutes};
pub use types::*;
