//! Microsoft's Channel Definition Format (1997), which some old feeds
//! still are.

use crate::resolve;
use crate::text::html_to_text;
use crate::tree::*;
use bulletin_core::text::escape;
use bulletin_core::{Feed, FeedEntry, FeedKind, parse_datetime};
use url::Url;

/// Microsoft's Channel Definition Format (1997), which some old feeds
/// still are: a `CHANNEL` of `ITEM`s, links and dates in attributes.
pub(crate) fn read_cdf(channel: &Node, base: Option<&Url>) -> Feed {
    let text = |node: &Node, name: &str| {
        node.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| c.value().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let attr = |node: &Node, name: &str| {
        node.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let mut feed = Feed {
        kind: FeedKind::Rss,
        version: Some("cdf".to_string()),
        title: text(channel, "TITLE").map(|t| html_to_text(&t)),
        link: attr(channel, "HREF").map(|h| resolve(&h, base)),
        description: text(channel, "ABSTRACT").map(|a| escape(&a)),
        updated: attr(channel, "LASTMOD").and_then(|d| parse_datetime(&d)),
        ..Feed::default()
    };
    for item in channel
        .children
        .iter()
        .filter(|c| c.name.eq_ignore_ascii_case("ITEM"))
    {
        feed.entries.push(FeedEntry {
            title: text(item, "TITLE").map(|t| html_to_text(&t)),
            link: attr(item, "HREF").map(|h| resolve(&h, base)),
            summary: text(item, "ABSTRACT").map(|a| escape(&a)),
            updated: attr(item, "LASTMOD").and_then(|d| parse_datetime(&d)),
            ..FeedEntry::default()
        });
    }
    feed
}
