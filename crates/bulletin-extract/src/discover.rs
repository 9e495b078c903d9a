//! Feeds a web page advertises.

use scraper::{Html, Selector};
use std::sync::LazyLock;
use url::Url;

static ALTERNATE: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse(r#"link[rel~="alternate"][href], link[rel~="feed"][href]"#)
        .expect("static selector is valid")
});

/// The feed URLs a page advertises with `<link rel="alternate">`, best first
/// (Atom, RSS, JSON Feed in document order; comment feeds last).
pub fn discover_feeds(html: &[u8], base: &Url) -> Vec<Url> {
    let text = crate::decode_html(html, None);
    let doc = Html::parse_document(&text);
    let mut found: Vec<(bool, Url)> = Vec::new();
    for link in doc.select(&ALTERNATE) {
        let ty = link.value().attr("type").unwrap_or("").to_ascii_lowercase();
        let is_feed = ty.contains("rss")
            || ty.contains("atom")
            || ty.contains("feed+json")
            || ty == "application/json";
        if !is_feed {
            continue;
        }
        let Some(url) = link
            .value()
            .attr("href")
            .and_then(|h| base.join(h.trim()).ok())
        else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || found.iter().any(|(_, u)| *u == url) {
            continue;
        }
        let title = link
            .value()
            .attr("title")
            .unwrap_or("")
            .to_ascii_lowercase();
        let is_comments = title.contains("comment") || url.path().contains("comments");
        found.push((is_comments, url));
    }
    found.sort_by_key(|(c, _)| *c);
    found.into_iter().map(|(_, u)| u).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_advertised_feeds() {
        let html = br#"<html><head>
<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed">
<link rel="alternate" type="application/atom+xml" href="/atom.xml">
<link rel="alternate" hreflang="fr" href="/fr/">
</head></html>"#;
        let base = Url::parse("https://example.org/page").unwrap();
        let feeds = discover_feeds(html, &base);
        assert_eq!(feeds[0].as_str(), "https://example.org/atom.xml");
        assert_eq!(feeds[1].as_str(), "https://example.org/comments/feed");
        assert_eq!(feeds.len(), 2);
    }
}
