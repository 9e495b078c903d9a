//! RSS 0.9x–2.0 (and RDF's items, read the same way): the tree's channel
//! and items adapted into `Feed` and `FeedEntry`.

use crate::atom::*;
use crate::resolve;
use crate::text::html_to_text;
use crate::tree::*;
use bulletin_core::text::collapse_whitespace;
use bulletin_core::{Author, Enclosure, Feed, FeedEntry, FeedKind, Image, parse_datetime};
use url::Url;

/// Universal Feed Parser's name for an RSS document's version.
pub(crate) fn rss_version(root: &Node, doc: &str) -> String {
    let version = root.attr("version").map(str::trim).unwrap_or("");
    match version {
        "0.91" if doc.contains("-//Netscape Communications//DTD RSS 0.91") => "rss091n",
        "0.91" => "rss091u",
        "0.92" => "rss092",
        "0.93" => "rss093",
        "0.94" => "rss094",
        "0.90" | "0.9" => "rss090",
        v if v.starts_with('2') => "rss20",
        _ => "rss",
    }
    .to_string()
}

pub(crate) fn read_rss(root: &Node, base: Option<&Url>, kind: FeedKind) -> Feed {
    let channel = root.child(Ns::Rss, "channel").unwrap_or(root);
    let base = if std::ptr::eq(channel, root) {
        base_of(root, base)
    } else {
        base_of(channel, base_of(root, base).as_ref())
    };
    let language = lang_of(
        channel,
        lang_of(root, None).or_else(|| {
            channel
                .child_text(Ns::Rss, "language")
                .or_else(|| channel.child_text(Ns::Dc, "language"))
                .map(|l| normalize_lang(&l))
        }),
    );
    let mut authors: Vec<Author> = channel
        .children_named(Ns::Rss, "managingEditor")
        .chain(channel.children_named(Ns::Rss, "author"))
        .chain(channel.children_named(Ns::Dc, "creator"))
        .chain(channel.children_named(Ns::Dc, "author"))
        .chain(channel.children_named(Ns::Itunes, "author"))
        .chain(channel.children_named(Ns::Rss, "webMaster"))
        .filter_map(|n| author_from_rss_text(&n.value()))
        .collect();
    dedupe_authors(&mut authors);
    let published = channel
        .child_text(Ns::Rss, "pubDate")
        .or_else(|| channel.child_text(Ns::Dc, "issued"))
        .and_then(|d| parse_datetime(&d));
    let mut feed = Feed {
        kind,
        title: channel
            .child_text(Ns::Rss, "title")
            .or_else(|| channel.child_text(Ns::Dc, "title"))
            .map(|t| html_to_text(&t)),
        link: channel
            .child_text(Ns::Rss, "link")
            .map(|l| resolve(&l, base.as_ref())),
        description: channel
            .child(Ns::Rss, "description")
            .or_else(|| channel.child(Ns::Dc, "description"))
            .or_else(|| channel.child(Ns::Itunes, "subtitle"))
            .or_else(|| channel.child(Ns::Itunes, "summary"))
            .map(|d| d.value().trim().to_string()),
        language: language.clone(),
        updated: channel
            .child_text(Ns::Rss, "lastBuildDate")
            .or_else(|| channel.child_text(Ns::Dc, "modified"))
            .or_else(|| channel.child_text(Ns::Dc, "date"))
            .and_then(|d| parse_datetime(&d))
            .or(published),
        published,
        authors,
        categories: categories(channel),
        ttl_minutes: channel
            .child_text(Ns::Rss, "ttl")
            .and_then(|t| t.trim().parse().ok())
            .or_else(|| update_period_minutes(channel)),
        self_url: links_with_rel(channel, "self", base.as_ref()).next(),
        hubs: links_with_rel(channel, "hub", base.as_ref()).collect(),
        ..Feed::default()
    };
    // RSS 1.0 puts items beside the channel; RSS 2.0 inside it.
    let items = channel.children_named(Ns::Rss, "item").chain(
        if std::ptr::eq(channel, root) {
            None
        } else {
            Some(root.children_named(Ns::Rss, "item"))
        }
        .into_iter()
        .flatten(),
    );
    let declared = (root.attr("xml:base").is_some() || channel.attr("xml:base").is_some())
        .then(|| base.clone())
        .flatten();
    for item in items {
        let entry = read_rss_item(item, base.as_ref(), declared.as_ref(), language.clone());
        feed.entries.push(entry);
    }
    feed
}

/// An item's categories, or a channel's: `category`, `dc:subject`, Media
/// RSS and iTunes categories (nested ones too), iTunes keywords and the
/// `tags` some feeds make up, each once.
pub(crate) fn categories(node: &Node) -> Vec<String> {
    pub(crate) fn itunes(node: &Node, out: &mut Vec<String>) {
        if let Some(text) = node.attr("text") {
            out.push(text.to_string());
        }
        for c in node.children_named(Ns::Itunes, "category") {
            itunes(c, out);
        }
    }
    let mut out: Vec<String> = Vec::new();
    // In the order the document gives them.
    for c in &node.children {
        match (c.ns, c.name.as_str()) {
            (Ns::Rss, "category") | (Ns::Dc, "subject") | (Ns::Media, "category") => {
                out.push(c.value().into_owned())
            }
            (Ns::Itunes, "category") => itunes(c, &mut out),
            (Ns::Itunes, "keywords") | (Ns::Rss, "tags") => {
                out.extend(c.value().split(',').map(str::to_string))
            }
            _ => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    out.into_iter()
        .map(|c| collapse_whitespace(&c))
        .filter(|c| !c.is_empty() && seen.insert(c.to_lowercase()))
        .collect()
}

/// An item's full content: `content:encoded`, else an XHTML `body` (with
/// or without its namespace), else `fullitem`.
pub(crate) fn rss_body(item: &Node) -> Option<&Node> {
    item.child(Ns::Content, "encoded")
        .or_else(|| item.child(Ns::Xhtml, "body"))
        .or_else(|| item.child(Ns::Rss, "body"))
        .or_else(|| item.child(Ns::Rss, "fullitem"))
}

/// An RSS item; `declared` is the `xml:base` the channel declares, if any.
pub(crate) fn read_rss_item(
    item: &Node,
    outer: Option<&Url>,
    declared: Option<&Url>,
    feed_lang: Option<String>,
) -> FeedEntry {
    let in_item = declared_base(item, declared, outer);
    let base = base_of(item, outer);
    let base = base.as_ref();
    let guid = item.child(Ns::Rss, "guid");
    let guid_text = guid
        .map(|g| g.text.trim().to_string())
        .filter(|t| !t.is_empty());
    let guid_is_link = guid
        .map(|g| {
            g.attr("isPermaLink")
                .is_none_or(|v| v.eq_ignore_ascii_case("true"))
        })
        .unwrap_or(false);
    let about = item.attr("rdf:about").map(str::to_string);
    let link = item
        .child_text(Ns::Rss, "link")
        .or_else(|| about.clone())
        .or_else(|| {
            guid_text
                .as_ref()
                .filter(|g| guid_is_link && (g.starts_with("http://") || g.starts_with("https://")))
                .cloned()
        })
        .map(|l| resolve(&l, base));
    let mut authors: Vec<Author> = item
        .children_named(Ns::Dc, "creator")
        .chain(item.children_named(Ns::Dc, "author"))
        .chain(item.children_named(Ns::Rss, "author"))
        .chain(item.children_named(Ns::Itunes, "author"))
        .filter_map(|n| author_from_rss_text(&n.value()))
        .collect();
    dedupe_authors(&mut authors);
    let body = rss_body(item);
    let item_lang = lang_of(
        item,
        item.child_text(Ns::Dc, "language")
            .map(|l| normalize_lang(&l))
            .or(feed_lang),
    );
    let dc_date = item.child_text(Ns::Dc, "date");
    let mut entry = FeedEntry {
        id: guid_text.or(about),
        title: item
            .child_text(Ns::Rss, "title")
            .or_else(|| item.child_text(Ns::Dc, "title"))
            .or_else(|| item.child_text(Ns::Media, "title"))
            .map(|t| html_to_text(&t))
            .filter(|t| !t.is_empty()),
        link,
        published: item
            .child_text(Ns::Rss, "pubDate")
            .or_else(|| item.child_text(Ns::Dc, "issued"))
            .or_else(|| dc_date.clone())
            .and_then(|d| parse_datetime(&d)),
        updated: item
            .child_text(Ns::Dc, "modified")
            .or_else(|| item.child_text(Ns::Atom, "updated"))
            .or(dc_date)
            .and_then(|d| parse_datetime(&d)),
        authors,
        language: match body {
            Some(b) => lang_of(b, item_lang),
            None => item_lang,
        },
        summary: item
            .child_text(Ns::Rss, "description")
            .or_else(|| item.child_text(Ns::Dc, "description"))
            .or_else(|| item.child_text(Ns::Itunes, "summary"))
            .or_else(|| item.child_text(Ns::Itunes, "subtitle")),
        content: body
            .map(|b| b.value().trim().to_string())
            .filter(|c| !c.is_empty()),
        categories: categories(item),
        base: match body {
            Some(b) => declared_base(b, in_item.as_ref(), base),
            None => in_item,
        }
        .map(String::from),
        ..FeedEntry::default()
    };
    for enc in item.children_named(Ns::Rss, "enclosure") {
        if let Some(url) = enc.attr("url").filter(|u| !u.trim().is_empty()) {
            entry.enclosures.push(Enclosure {
                url: resolve(url, base),
                mime_type: enc.attr("type").map(str::to_string),
                length: enc.attr("length").and_then(|l| l.trim().parse().ok()),
            });
        }
    }
    entry.image = media_image(item, base).or_else(|| enclosure_image(&entry.enclosures));
    entry
}

/// `dc:creator` and `author` hold a name, an e-mail, or "mail (Name)".
/// The syndication module's polling hint: `sy:updatePeriod` (hourly,
/// daily, …) divided by `sy:updateFrequency`, in minutes.
pub(crate) fn update_period_minutes(channel: &Node) -> Option<u32> {
    let period = channel.child_text(Ns::Sy, "updatePeriod")?;
    let minutes: u32 = match period.trim().to_ascii_lowercase().as_str() {
        "hourly" => 60,
        "daily" => 24 * 60,
        "weekly" => 7 * 24 * 60,
        "monthly" => 30 * 24 * 60,
        "yearly" => 365 * 24 * 60,
        _ => return None,
    };
    let frequency: u32 = channel
        .child_text(Ns::Sy, "updateFrequency")
        .and_then(|f| f.trim().parse().ok())
        .filter(|f| *f > 0)
        .unwrap_or(1);
    Some((minutes / frequency).max(1))
}

pub(crate) fn author_from_rss_text(text: &str) -> Option<Author> {
    let text = html_to_text(text);
    if text.is_empty() {
        return None;
    }
    if let (Some(open), Some(close)) = (text.find('('), text.rfind(')'))
        && open < close
        && text[..open].contains('@')
    {
        let name = text[open + 1..close].trim();
        if !name.is_empty() {
            return Some(Author {
                email: Some(text[..open].trim().to_string()),
                ..Author::named(name)
            });
        }
    }
    if text.contains('@') && !text.contains(' ') {
        // An address alone: credited, but with no name to show.
        return Some(Author {
            email: Some(text),
            ..Author::default()
        });
    }
    Some(Author::named(text))
}

pub(crate) fn media_image(item: &Node, base: Option<&Url>) -> Option<Image> {
    let groups = item.children_named(Ns::Media, "group");
    let contents = item
        .children_named(Ns::Media, "content")
        .chain(groups.flat_map(|g| g.children_named(Ns::Media, "content")));
    for content in contents {
        let is_image = content.attr("medium") == Some("image")
            || content
                .attr("type")
                .is_some_and(|t| t.starts_with("image/"))
            || (content.attr("medium").is_none()
                && content.attr("type").is_none()
                && content.attr("url").is_some_and(looks_like_image_url));
        if let (true, Some(url)) = (is_image, content.attr("url")) {
            return Some(Image {
                url: resolve(url, base),
                caption: content
                    .child_text(Ns::Media, "description")
                    .or_else(|| content.child_text(Ns::Media, "title"))
                    .map(|t| html_to_text(&t)),
                credit: content
                    .child_text(Ns::Media, "credit")
                    .map(|t| html_to_text(&t)),
            });
        }
    }
    item.child(Ns::Media, "thumbnail")
        .and_then(|t| t.attr("url"))
        .map(|url| Image {
            url: resolve(url, base),
            caption: item
                .child_text(Ns::Media, "description")
                .map(|t| html_to_text(&t)),
            credit: item
                .child_text(Ns::Media, "credit")
                .map(|t| html_to_text(&t)),
        })
}

pub(crate) fn looks_like_image_url(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

pub(crate) fn enclosure_image(enclosures: &[Enclosure]) -> Option<Image> {
    enclosures
        .iter()
        .find(|e| {
            e.mime_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"))
                || (e.mime_type.is_none() && looks_like_image_url(&e.url))
        })
        .map(|e| Image {
            url: e.url.clone(),
            caption: None,
            credit: None,
        })
}
