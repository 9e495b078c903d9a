//! Feed documents in and out.
//!
//! [`parse_feed`] reads RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 0.3/1.0 and JSON
//! Feed 1.x into one normalized [`Feed`]; it recovers what it can from broken
//! documents and says why they are broken in [`Feed::malformed`].
//! [`write`] renders Atom 1.0, RSS 2.0 and JSON Feed 1.1.
//!
//! HTML inside feeds is returned as the publisher wrote it: sanitizing is the
//! extraction stage's job.

mod atom;
mod cdf;
mod json;
pub mod opml;
mod rdf;
mod rss;
mod text;
mod tree;
pub mod write;
mod xml;

pub use bulletin_core::{Feed, FeedEntry, FeedKind};
pub use opml::{OpmlError, OpmlFeed, parse_opml, write_opml};
pub use text::html_to_text;
use url::Url;

/// Why a document could not be read as a feed at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    #[error("the document is empty")]
    Empty,
    #[error("this is an HTML page, not a feed")]
    Html,
    #[error("not a feed: the root element is <{0}>, expected <rss>, <feed> or <rdf:RDF>")]
    UnknownRoot(String),
    #[error("not a feed: {0}")]
    Unreadable(String),
    #[error("invalid JSON Feed: {0}")]
    Json(String),
}

/// Parses a feed document. `base` is the URL the document was fetched from;
/// relative links are resolved against it (and against `xml:base`).
pub fn parse_feed(bytes: &[u8], base: Option<&Url>) -> Result<Feed, FeedError> {
    let start = first_significant_byte(bytes).ok_or(FeedError::Empty)?;
    match bytes[start] {
        b'{' => json::parse(&bytes[start..], base),
        b'<' => xml::parse(bytes, base),
        _ => Err(FeedError::Unreadable(
            "the document starts with neither '<' nor '{'".to_string(),
        )),
    }
}

/// Guesses from the first bytes and the Content-Type whether a document is a
/// feed (as opposed to an HTML page or something else).
pub fn looks_like_feed(bytes: &[u8], content_type: Option<&str>) -> bool {
    let ct = content_type.unwrap_or("").to_ascii_lowercase();
    if ct.contains("rss") || ct.contains("atom") || ct.contains("feed+json") {
        return true;
    }
    let Some(start) = first_significant_byte(bytes) else {
        return false;
    };
    let head = &bytes[start..bytes.len().min(start + 2048)];
    if head.first() == Some(&b'{') {
        return head.windows(10).any(|w| w == b"jsonfeed.o");
    }
    let head = String::from_utf8_lossy(head).to_ascii_lowercase();
    !head.contains("<html")
        && (head.contains("<rss") || head.contains("<feed") || head.contains("<rdf:rdf"))
}

fn first_significant_byte(bytes: &[u8]) -> Option<usize> {
    let bytes_no_bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    bytes[bytes_no_bom..]
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|p| p + bytes_no_bom)
}

/// Resolves `link` against `base` when it is relative; returns it unchanged
/// when it cannot be resolved.
pub(crate) fn resolve(link: &str, base: Option<&Url>) -> String {
    let link = link.trim();
    match base {
        Some(b) => b
            .join(link)
            .map(String::from)
            .unwrap_or_else(|_| link.to_string()),
        None => link.to_string(),
    }
}
