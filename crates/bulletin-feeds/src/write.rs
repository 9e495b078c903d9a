//! Outgoing feeds: Atom 1.0 (RFC 4287), RSS 2.0 and JSON Feed 1.1.

use bulletin_core::text::escape;
use bulletin_core::{Author, Image, web_url};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use std::fmt::Write;

/// A list of items to publish as a feed.
#[derive(Debug, Clone)]
pub struct OutgoingFeed {
    pub title: String,
    /// The web page this feed mirrors.
    pub home_url: String,
    /// The feed's own URL.
    pub self_url: String,
    pub updated: DateTime<Utc>,
    pub entries: Vec<OutgoingEntry>,
    /// The WebSub hub that pushes this feed's changes, if any.
    pub hub: Option<String>,
}

#[derive(Debug, Clone)]
pub struct OutgoingEntry {
    /// A stable, globally unique ID (a URL or a `tag:` URI).
    pub id: String,
    pub url: String,
    pub title: String,
    pub published: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub authors: Vec<Author>,
    /// Plain text.
    pub summary: Option<String>,
    /// Sanitized HTML.
    pub content_html: Option<String>,
    pub image: Option<Image>,
    pub source_title: Option<String>,
}

/// The entry's picture when its URL is a web URL (a feed never links to
/// anything else).
fn web_image(e: &OutgoingEntry) -> Option<(&Image, String)> {
    let img = e.image.as_ref()?;
    Some((img, web_url(&img.url)?))
}

fn rfc3339(d: &DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Renders an Atom 1.0 document.
pub fn atom(feed: &OutgoingFeed) -> String {
    let mut out = String::with_capacity(1024 + feed.entries.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = write!(
        out,
        "<title>{}</title>\n<id>{}</id>\n<updated>{}</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n<generator>Bulletin</generator>\n",
        escape(&feed.title),
        escape(&feed.self_url),
        rfc3339(&feed.updated),
        escape(&feed.home_url),
        escape(&feed.self_url),
    );
    if let Some(hub) = feed.hub.as_deref().and_then(web_url) {
        let _ = writeln!(out, "<link rel=\"hub\" href=\"{}\"/>", escape(&hub));
    }
    if feed.entries.iter().any(|e| e.authors.is_empty()) {
        // RFC 4287 requires an author for every entry: the feed's stands in.
        let _ = writeln!(out, "<author><name>{}</name></author>", escape(&feed.title));
    }
    for e in &feed.entries {
        let _ = write!(
            out,
            "<entry>\n<id>{}</id>\n<title type=\"text\">{}</title>\n<published>{}</published>\n<updated>{}</updated>\n",
            escape(&e.id),
            escape(&e.title),
            rfc3339(&e.published),
            rfc3339(&e.updated),
        );
        if let Some(url) = web_url(&e.url) {
            let _ = writeln!(
                out,
                "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
                escape(&url)
            );
        }
        for a in &e.authors {
            let _ = write!(out, "<author><name>{}</name>", escape(&a.name));
            if let Some(u) = a.url.as_deref().and_then(web_url) {
                let _ = write!(out, "<uri>{}</uri>", escape(&u));
            }
            out.push_str("</author>\n");
        }
        if let Some((img, url)) = web_image(e) {
            let _ = writeln!(
                out,
                "<link rel=\"enclosure\" type=\"{}\" href=\"{}\"/>",
                image_mime(&img.url),
                escape(&url)
            );
        }
        if let Some(s) = &e.summary {
            let _ = writeln!(out, "<summary type=\"text\">{}</summary>", escape(s));
        }
        if let Some(c) = &e.content_html {
            let _ = writeln!(out, "<content type=\"html\">{}</content>", escape(c));
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Renders an RSS 2.0 document.
pub fn rss(feed: &OutgoingFeed) -> String {
    let mut out = String::with_capacity(1024 + feed.entries.len() * 2048);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\n<channel>\n");
    let _ = write!(
        out,
        "<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n<lastBuildDate>{}</lastBuildDate>\n<generator>Bulletin</generator>\n",
        escape(&feed.title),
        escape(&feed.home_url),
        escape(&feed.title),
        escape(&feed.self_url),
        feed.updated.to_rfc2822(),
    );
    if let Some(hub) = feed.hub.as_deref().and_then(web_url) {
        let _ = writeln!(out, "<atom:link href=\"{}\" rel=\"hub\"/>", escape(&hub));
    }
    for e in &feed.entries {
        let _ = write!(
            out,
            "<item>\n<title>{}</title>\n<guid isPermaLink=\"false\">{}</guid>\n<pubDate>{}</pubDate>\n",
            escape(&e.title),
            escape(&e.id),
            e.published.to_rfc2822(),
        );
        if let Some(url) = web_url(&e.url) {
            let _ = writeln!(out, "<link>{}</link>", escape(&url));
        }
        for a in &e.authors {
            let _ = writeln!(out, "<dc:creator>{}</dc:creator>", escape(&a.name));
        }
        if let Some(s) = &e.summary {
            let _ = writeln!(out, "<description>{}</description>", escape(s));
        }
        if let Some(c) = &e.content_html {
            let _ = writeln!(out, "<content:encoded>{}</content:encoded>", escape(c));
        }
        if let Some((img, url)) = web_image(e) {
            let _ = write!(
                out,
                "<media:content url=\"{}\" medium=\"image\">",
                escape(&url)
            );
            if let Some(c) = &img.caption {
                let _ = write!(out, "<media:description>{}</media:description>", escape(c));
            }
            if let Some(c) = &img.credit {
                let _ = write!(out, "<media:credit>{}</media:credit>", escape(c));
            }
            out.push_str("</media:content>\n");
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// Renders a JSON Feed 1.1 document.
pub fn json_feed(feed: &OutgoingFeed) -> String {
    let items: Vec<Value> = feed
        .entries
        .iter()
        .map(|e| {
            let mut item = Map::new();
            item.insert("id".into(), json!(e.id));
            if let Some(url) = web_url(&e.url) {
                item.insert("url".into(), json!(url));
            }
            item.insert("title".into(), json!(e.title));
            if let Some(c) = &e.content_html {
                item.insert("content_html".into(), json!(c));
            }
            if let Some(s) = &e.summary {
                item.insert("summary".into(), json!(s));
            }
            if let Some((_, url)) = web_image(e) {
                item.insert("image".into(), json!(url));
            }
            item.insert("date_published".into(), json!(rfc3339(&e.published)));
            item.insert("date_modified".into(), json!(rfc3339(&e.updated)));
            if !e.authors.is_empty() {
                let authors: Vec<Value> = e
                    .authors
                    .iter()
                    .map(|a| {
                        let mut m = Map::new();
                        m.insert("name".into(), json!(a.name));
                        if let Some(u) = a.url.as_deref().and_then(web_url) {
                            m.insert("url".into(), json!(u));
                        }
                        if let Some(u) = a.avatar_url.as_deref().and_then(web_url) {
                            m.insert("avatar".into(), json!(u));
                        }
                        Value::Object(m)
                    })
                    .collect();
                item.insert("authors".into(), Value::Array(authors));
            }
            Value::Object(item)
        })
        .collect();
    let mut doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "items": items,
    });
    if let Some(hub) = feed.hub.as_deref().and_then(web_url) {
        doc["hubs"] = json!([{ "type": "WebSub", "url": hub }]);
    }
    doc.to_string()
}

fn image_mime(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if path.ends_with(".png") {
        "image/png"
    } else if path.ends_with(".gif") {
        "image/gif"
    } else if path.ends_with(".webp") {
        "image/webp"
    } else {
        "image/jpeg"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_feed;

    fn sample() -> OutgoingFeed {
        let t = DateTime::parse_from_rfc3339("2025-05-25T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        OutgoingFeed {
            title: "Bulletin & co".into(),
            home_url: "http://127.0.0.1:8080/".into(),
            self_url: "http://127.0.0.1:8080/feed.atom".into(),
            updated: t,
            entries: vec![OutgoingEntry {
                id: "tag:bulletin,2025:item/1".into(),
                url: "https://example.org/a".into(),
                title: "Fish <& chips>".into(),
                published: t,
                updated: t,
                authors: vec![Author::named("Jane Roe")],
                summary: Some("Sum\u{1} mary".into()),
                content_html: Some("<p>Body ]]> text</p>".into()),
                image: Some(Image {
                    url: "https://img.example.org/a.png".into(),
                    caption: Some("Cap".into()),
                    credit: Some("AFP".into()),
                }),
                source_title: None,
            }],
            hub: Some("http://127.0.0.1:8080/websub/hub".into()),
        }
    }

    #[test]
    fn round_trips_through_own_parser() {
        let feed = sample();
        for doc in [atom(&feed), rss(&feed), json_feed(&feed)] {
            let parsed = parse_feed(doc.as_bytes(), None).unwrap();
            assert_eq!(parsed.malformed, None, "{doc}");
            assert_eq!(parsed.title.as_deref(), Some("Bulletin & co"));
            let e = &parsed.entries[0];
            assert_eq!(e.title.as_deref(), Some("Fish <& chips>"));
            assert_eq!(e.link.as_deref(), Some("https://example.org/a"));
            assert_eq!(e.id.as_deref(), Some("tag:bulletin,2025:item/1"));
            assert_eq!(e.content.as_deref(), Some("<p>Body ]]> text</p>"));
            assert_eq!(e.authors[0].name, "Jane Roe");
            assert_eq!(e.published, Some(feed.updated));
            assert_eq!(parsed.hubs, ["http://127.0.0.1:8080/websub/hub"], "{doc}");
        }
    }
}
