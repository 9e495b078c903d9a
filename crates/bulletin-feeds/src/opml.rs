//! OPML 2.0 subscription lists, in and out.
//!
//! Reading is tolerant in the way exports from other readers need: the
//! `xmlUrl` attribute in any letter case, `title` or `text` for the name,
//! nested outlines as categories ("News / World"), HTML entities and
//! unescaped ampersands in attributes, duplicates dropped. Outlines without
//! a feed URL are folders, never sources.

use bulletin_core::entities::decode_entities;
use bulletin_core::text::escape;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;
use std::fmt::Write as _;

/// One feed of a subscription list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// The feed's URL (`xmlUrl`).
    pub url: String,
    /// Its name (`title`, else `text`).
    pub title: Option<String>,
    /// The website (`htmlUrl`).
    pub site_url: Option<String>,
    /// The folders it sits in, outermost first, joined with " / ".
    pub category: Option<String>,
}

/// Why a document is not a subscription list.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    #[error("not OPML: {0}")]
    Unreadable(String),
    #[error("not OPML: the root element is <{0}>, expected <opml>")]
    UnknownRoot(String),
}

/// Reads the feeds of an OPML document, in document order, each URL once.
pub fn parse_opml(bytes: &[u8]) -> Result<Vec<OpmlFeed>, OpmlError> {
    let text = String::from_utf8_lossy(bytes);
    let mut reader = Reader::from_str(&text);
    {
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.check_comments = false;
    }
    let mut feeds = Vec::new();
    let mut seen = HashSet::new();
    // The folder names of the open outlines (None for an outline that is a feed).
    let mut folders: Vec<Option<String>> = Vec::new();
    let mut root_seen = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            OpmlError::Unreadable(format!(
                "XML error at byte {}: {e}",
                reader.error_position()
            ))
        })?;
        let (start, empty) = match &event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(e) => {
                if e.local_name().as_ref() == "outline" {
                    folders.pop();
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let name = start.local_name().as_ref().to_string();
        if !root_seen {
            root_seen = true;
            if !name.eq_ignore_ascii_case("opml") {
                return Err(OpmlError::UnknownRoot(name));
            }
            continue;
        }
        if name != "outline" {
            continue;
        }
        let attrs = attributes(start);
        let get = |key: &str| {
            attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let title = get("title").or_else(|| get("text"));
        match get("xmlUrl") {
            Some(url) => {
                if seen.insert(url.clone()) {
                    let path: Vec<&str> = folders.iter().flatten().map(String::as_str).collect();
                    feeds.push(OpmlFeed {
                        url,
                        title,
                        site_url: get("htmlUrl"),
                        category: (!path.is_empty()).then(|| path.join(" / ")),
                    });
                }
                if !empty {
                    folders.push(None);
                }
            }
            None => {
                if !empty {
                    folders.push(title);
                }
            }
        }
    }
    if !root_seen {
        return Err(OpmlError::Unreadable("no XML element found".to_string()));
    }
    Ok(feeds)
}

fn attributes(start: &BytesStart<'_>) -> Vec<(String, String)> {
    start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            (
                a.key.local_name().as_ref().to_string(),
                decode_entities(&a.value),
            )
        })
        .collect()
}

/// Writes an OPML 2.0 document: feeds grouped into one outline per
/// category (in the order categories first appear), uncategorized ones at
/// the top level.
pub fn write_opml(title: &str, feeds: &[OpmlFeed]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    let _ = writeln!(
        out,
        "  <head>\n    <title>{}</title>\n    <dateCreated>{}</dateCreated>\n  </head>\n  <body>",
        escape(title),
        chrono::Utc::now().to_rfc2822()
    );
    let outline = |out: &mut String, feed: &OpmlFeed, indent: &str| {
        let name = feed.title.as_deref().unwrap_or(&feed.url);
        let _ = write!(
            out,
            "{indent}<outline type=\"rss\" text=\"{0}\" title=\"{0}\" xmlUrl=\"{1}\"",
            escape(name),
            escape(&feed.url)
        );
        if let Some(site) = &feed.site_url {
            let _ = write!(out, " htmlUrl=\"{}\"", escape(site));
        }
        out.push_str("/>\n");
    };
    for feed in feeds.iter().filter(|f| f.category.is_none()) {
        outline(&mut out, feed, "    ");
    }
    let mut categories: Vec<&str> = Vec::new();
    for category in feeds.iter().filter_map(|f| f.category.as_deref()) {
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    for category in categories {
        let _ = writeln!(
            out,
            "    <outline text=\"{0}\" title=\"{0}\">",
            escape(category)
        );
        for feed in feeds
            .iter()
            .filter(|f| f.category.as_deref() == Some(category))
        {
            outline(&mut out, feed, "      ");
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIST: &str = r#"<?xml version="1.0"?>
<opml version="1.0"><head><title>Mine</title></head><body>
  <outline text="Top &amp; Co" xmlUrl="https://top.example/feed"/>
  <outline text="News">
    <outline text="World">
      <outline title="Wire" text="ignored" XMLURL="https://wire.example/rss?a=1&b=2" htmlUrl="https://wire.example/"/>
    </outline>
    <outline text="Local" type="rss" xmlUrl="https://local.example/atom.xml"></outline>
  </outline>
  <outline text="Dup" xmlUrl="https://top.example/feed"/>
  <outline text="Empty folder"/>
</body></opml>"#;

    #[test]
    fn reads_nested_outlines_as_categories_and_skips_duplicates() {
        let feeds = parse_opml(LIST.as_bytes()).expect("readable");
        assert_eq!(feeds.len(), 3, "{feeds:#?}");
        assert_eq!(feeds[0].title.as_deref(), Some("Top & Co"));
        assert_eq!(feeds[0].category, None);
        assert_eq!(feeds[1].url, "https://wire.example/rss?a=1&b=2");
        assert_eq!(feeds[1].title.as_deref(), Some("Wire"));
        assert_eq!(feeds[1].category.as_deref(), Some("News / World"));
        assert_eq!(feeds[1].site_url.as_deref(), Some("https://wire.example/"));
        assert_eq!(feeds[2].category.as_deref(), Some("News"));
    }

    #[test]
    fn round_trips_through_its_own_output() {
        let feeds = parse_opml(LIST.as_bytes()).expect("readable");
        let written = write_opml("Bulletin <subscriptions>", &feeds);
        assert!(written.contains("<opml version=\"2.0\">"));
        let again = parse_opml(written.as_bytes()).expect("own output reads");
        assert_eq!(again.len(), feeds.len());
        for feed in &feeds {
            assert!(again.contains(feed), "{feed:?} lost in {written}");
        }
    }

    #[test]
    fn refuses_what_is_not_opml() {
        assert!(matches!(
            parse_opml(b"<rss><channel/></rss>"),
            Err(OpmlError::UnknownRoot(_))
        ));
        assert!(parse_opml(b"").is_err());
        assert!(parse_opml(b"\xff\xfe garbage <<<").is_err());
    }
}
