//! JSON Feed 1.0 and 1.1.

use crate::{FeedError, resolve};
use bulletin_core::text::{collapse_whitespace, escape};
use bulletin_core::{Author, Enclosure, Feed, FeedEntry, FeedKind, Image, parse_datetime};
use serde_json::Value;
use url::Url;

pub fn parse(bytes: &[u8], base: Option<&Url>) -> Result<Feed, FeedError> {
    let doc: Value = serde_json::from_slice(bytes).map_err(|e| FeedError::Json(e.to_string()))?;
    let obj = doc
        .as_object()
        .ok_or_else(|| FeedError::Json("the top level is not an object".into()))?;
    let version = obj.get("version").and_then(Value::as_str).unwrap_or("");
    if !version.contains("jsonfeed.org") {
        return Err(FeedError::Json("no jsonfeed.org \"version\"".into()));
    }
    let feed_base = str_field(&doc, "feed_url").and_then(|u| Url::parse(&u).ok());
    let base = base.cloned().or_else(|| feed_base.clone());
    let base = base.as_ref();
    let mut feed = Feed {
        kind: FeedKind::JsonFeed,
        version: Some(
            match str_field(&doc, "version").as_deref() {
                Some(v) if v.ends_with("/1.1") => "json11",
                Some(v) if v.ends_with("/1") => "json10",
                _ => "json",
            }
            .to_string(),
        ),
        title: str_field(&doc, "title"),
        link: str_field(&doc, "home_page_url").map(|u| resolve(&u, base)),
        description: str_field(&doc, "description"),
        language: str_field(&doc, "language"),
        authors: authors(&doc, base),
        self_url: feed_base.as_ref().map(Url::to_string),
        hubs: hubs(&doc),
        ..Feed::default()
    };
    if let Some(items) = obj.get("items").and_then(Value::as_array) {
        for item in items.iter().filter(|i| i.is_object()) {
            let mut entry = read_item(item, base);
            if entry.authors.is_empty() {
                entry.authors = feed.authors.clone();
            }
            if entry.language.is_none() {
                entry.language = feed.language.clone();
            }
            feed.entries.push(entry);
        }
    } else {
        feed.malformed = Some("JSON Feed without an \"items\" array".to_string());
    }
    Ok(feed)
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `hubs` entries of type WebSub (the only kind in use).
fn hubs(v: &Value) -> Vec<String> {
    let Some(Value::Array(list)) = v.get("hubs") else {
        return Vec::new();
    };
    list.iter()
        .filter(|h| {
            h.get("type")
                .and_then(Value::as_str)
                .is_none_or(|t| t.eq_ignore_ascii_case("websub"))
        })
        .filter_map(|h| str_field(h, "url"))
        .collect()
}

fn authors(v: &Value, base: Option<&Url>) -> Vec<Author> {
    let list: Vec<&Value> = match (v.get("authors"), v.get("author")) {
        (Some(Value::Array(a)), _) => a.iter().collect(),
        (_, Some(a @ Value::Object(_))) => vec![a],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|a| {
            Some(Author {
                name: str_field(a, "name")?,
                url: str_field(a, "url").map(|u| resolve(&u, base)),
                avatar_url: str_field(a, "avatar").map(|u| resolve(&u, base)),
                ..Author::default()
            })
        })
        .collect()
}

fn read_item(item: &Value, base: Option<&Url>) -> FeedEntry {
    let content = str_field(item, "content_html")
        .or_else(|| str_field(item, "content_text").map(|t| text_to_html(&t)));
    FeedEntry {
        id: str_field(item, "id"),
        title: str_field(item, "title").map(|t| collapse_whitespace(&t)),
        link: str_field(item, "url")
            .or_else(|| str_field(item, "external_url"))
            .map(|u| resolve(&u, base)),
        published: str_field(item, "date_published").and_then(|d| parse_datetime(&d)),
        updated: str_field(item, "date_modified").and_then(|d| parse_datetime(&d)),
        authors: authors(item, base),
        base: None,
        language: str_field(item, "language"),
        summary: str_field(item, "summary").map(|s| escape(&s)),
        content,
        categories: item
            .get("tags")
            .and_then(Value::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        image: str_field(item, "image")
            .or_else(|| str_field(item, "banner_image"))
            .map(|u| Image {
                url: resolve(&u, base),
                caption: None,
                credit: None,
            }),
        enclosures: item
            .get("attachments")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|a| {
                        Some(Enclosure {
                            url: resolve(&str_field(a, "url")?, base),
                            mime_type: str_field(a, "mime_type"),
                            length: a.get("size_in_bytes").and_then(Value::as_u64),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

fn text_to_html(text: &str) -> String {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>", escape(p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_json_feed_1_1() {
        let doc = br#"{"version":"https://jsonfeed.org/version/1.1","title":"J","home_page_url":"https://j.example/",
          "authors":[{"name":"Ed"}],
          "items":[{"id":"1","url":"https://j.example/1","title":"Hello","content_text":"Para one.\n\nPara two.","date_published":"2025-05-25T10:00:00Z","image":"/i.png"}]}"#;
        let base = Url::parse("https://j.example/feed.json").unwrap();
        let feed = parse(doc, Some(&base)).unwrap();
        assert_eq!(feed.title.as_deref(), Some("J"));
        let e = &feed.entries[0];
        assert_eq!(
            e.content.as_deref(),
            Some("<p>Para one.</p><p>Para two.</p>")
        );
        assert_eq!(e.authors[0].name, "Ed");
        assert_eq!(e.image.as_ref().unwrap().url, "https://j.example/i.png");
    }

    #[test]
    fn reads_websub_hubs() {
        let doc = br#"{"version":"https://jsonfeed.org/version/1.1","feed_url":"https://j.example/feed.json",
          "hubs":[{"type":"WebSub","url":"https://hub.example/"},{"type":"rssCloud","url":"https://cloud.example/"}],
          "items":[]}"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.hubs, ["https://hub.example/"]);
        assert_eq!(
            feed.self_url.as_deref(),
            Some("https://j.example/feed.json")
        );
    }

    #[test]
    fn refuses_other_json() {
        assert!(parse(br#"{"a":1}"#, None).is_err());
        assert!(parse(b"{not json", None).is_err());
    }
}
