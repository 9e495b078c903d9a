//! Atom 0.3 and 1.0 (and lone entry documents): the tree adapted into
//! `Feed` and `FeedEntry`, text constructs read by their declared type.

use crate::resolve;
use crate::rss::*;
use crate::text::html_to_text;
use crate::tree::*;
use bulletin_core::text::{collapse_whitespace, escape};
use bulletin_core::{Author, Enclosure, Feed, FeedEntry, FeedKind, parse_datetime};
use url::Url;

/// `atom10`, `atom03`, or `atom` for an Atom document under another
/// namespace.
pub(crate) fn atom_version(root: &Node) -> &'static str {
    let declares = |uri: &str| {
        root.attrs
            .iter()
            .any(|(k, v)| k.starts_with("xmlns") && v == uri)
    };
    if declares("http://www.w3.org/2005/Atom") {
        "atom10"
    } else if declares("http://purl.org/atom/ns#") || root.attr("version") == Some("0.3") {
        "atom03"
    } else {
        "atom"
    }
}

pub(crate) fn read_atom(root: &Node, base: Option<&Url>, atom10: bool) -> Feed {
    let base = base_of(root, base);
    let base = base.as_ref();
    let language = lang_of(root, None);
    let mut feed = Feed {
        kind: FeedKind::Atom,
        id: root
            .child_text(Ns::Atom, "id")
            .map(|id| resolve_id(id, base)),
        title: atom_text(root, "title", atom10),
        link: atom_link(root, base),
        description: ["subtitle", "tagline", "info"]
            .iter()
            .find_map(|name| root.child(Ns::Atom, name))
            .and_then(|n| atom_construct(n, atom10)),
        language: language.clone(),
        updated: root
            .child_text(Ns::Atom, "updated")
            .or_else(|| root.child_text(Ns::Atom, "modified"))
            .and_then(|d| parse_datetime(&d)),
        published: root
            .child_text(Ns::Atom, "published")
            .and_then(|d| parse_datetime(&d)),
        authors: atom_authors(root, base),
        categories: atom_categories(root),
        self_url: links_with_rel(root, "self", base).next(),
        hubs: links_with_rel(root, "hub", base).collect(),
        ..Feed::default()
    };
    let declared = root.attr("xml:base").and(base.cloned());
    for entry in root.children_named(Ns::Atom, "entry") {
        let mut e = read_atom_entry(entry, base, atom10, language.clone());
        let in_entry = declared_base(entry, declared.as_ref(), base);
        let entry_base = base_of(entry, base);
        e.base = match entry.child(Ns::Atom, "content") {
            Some(c) => declared_base(c, in_entry.as_ref(), entry_base.as_ref()),
            None => in_entry,
        }
        .map(String::from);
        if e.authors.is_empty() {
            e.authors = feed.authors.clone();
        }
        feed.entries.push(e);
    }
    feed
}

pub(crate) fn atom_categories(node: &Node) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    node.children_named(Ns::Atom, "category")
        .filter_map(|c| c.attr("term").or(c.attr("label")))
        .chain(
            node.children_named(Ns::Dc, "subject")
                .map(|c| c.text.as_str()),
        )
        .map(collapse_whitespace)
        .filter(|c| !c.is_empty() && seen.insert(c.to_lowercase()))
        .collect()
}

pub(crate) fn read_atom_entry(
    entry: &Node,
    base: Option<&Url>,
    atom10: bool,
    feed_lang: Option<String>,
) -> FeedEntry {
    let base = base_of(entry, base);
    let base = base.as_ref();
    let entry_lang = lang_of(entry, feed_lang);
    let content = entry.child(Ns::Atom, "content");
    let mut out = FeedEntry {
        id: entry
            .child_text(Ns::Atom, "id")
            .map(|id| resolve_id(id, base)),
        title: atom_text(entry, "title", atom10),
        link: atom_link(entry, base),
        published: entry
            .child_text(Ns::Atom, "published")
            .or_else(|| entry.child_text(Ns::Atom, "issued"))
            .or_else(|| entry.child_text(Ns::Atom, "created"))
            .and_then(|d| parse_datetime(&d)),
        updated: entry
            .child_text(Ns::Atom, "updated")
            .or_else(|| entry.child_text(Ns::Atom, "modified"))
            .and_then(|d| parse_datetime(&d)),
        authors: atom_authors(entry, base),
        language: match content {
            Some(c) => lang_of(c, entry_lang),
            None => entry_lang,
        },
        summary: entry
            .child(Ns::Atom, "summary")
            .and_then(|n| atom_construct(n, atom10)),
        content: content.and_then(|n| atom_construct(n, atom10)),
        categories: atom_categories(entry),
        ..FeedEntry::default()
    };
    for link in entry.children_named(Ns::Atom, "link") {
        if link.attr("rel") == Some("enclosure")
            && let Some(href) = link.attr("href")
        {
            out.enclosures.push(Enclosure {
                url: resolve(href, base),
                mime_type: link.attr("type").map(str::to_string),
                length: link.attr("length").and_then(|l| l.trim().parse().ok()),
            });
        }
    }
    out.image = media_image(entry, base).or_else(|| enclosure_image(&out.enclosures));
    out
}

/// An Atom id is an IRI: a relative one ("/2004/entry") is resolved
/// against the base; an absolute one (`tag:`, `urn:`, `http:`) is kept.
pub(crate) fn resolve_id(id: String, base: Option<&Url>) -> String {
    match (Url::parse(&id), base) {
        (Err(url::ParseError::RelativeUrlWithoutBase), Some(b)) => {
            b.join(&id).map(String::from).unwrap_or(id)
        }
        _ => id,
    }
}

/// An Atom text construct (`title`, `subtitle`, `summary`, `content`, …)
/// as HTML: plain text escaped, HTML as given, inline XHTML as written (in
/// Atom 1.0 without its wrapping `<div>`, which the format says is not part
/// of it); Atom 0.3's `mode="base64"` decoded.
pub(crate) fn atom_construct(node: &Node, atom10: bool) -> Option<String> {
    let (mut value, naked) = if node.raw {
        unwrap_raw(&node.text)
    } else {
        (node.text.clone(), false)
    };
    if !naked
        && node
            .attr("mode")
            .is_some_and(|m| m.eq_ignore_ascii_case("base64"))
        && let Some(decoded) = decode_base64(&value)
    {
        value = decoded;
    }
    let kind = node.attr("type").map(|t| t.trim().to_ascii_lowercase());
    // Atom 1.0: content of any other media type is Base64 (RFC 4287
    // 4.1.3.3); what decodes as UTF-8 text is read as HTML.
    if atom10
        && !naked
        && let Some(t) = kind.as_deref()
        && t.contains('/')
        && !t.starts_with("text/")
        && !t.ends_with("+xml")
        && !t.ends_with("/xml")
    {
        return decode_base64(&value)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
    }
    let html = match kind.as_deref() {
        Some("html" | "text/html") => value.trim().to_string(),
        Some(t) if naked || t == "xhtml" || t.ends_with("+xml") || t.ends_with("/xml") => {
            // Markup declared but escaped is read as HTML too.
            let v = value.trim();
            if naked && atom10 {
                strip_wrapping_div(v).to_string()
            } else {
                v.to_string()
            }
        }
        None if naked => value.trim().to_string(),
        None if node.attr("mode") == Some("escaped") => value.trim().to_string(),
        _ => escape(value.trim()),
    };
    Some(html).filter(|h| !h.is_empty())
}

/// The inside of `<div …>…</div>` when one div wraps the whole fragment.
pub(crate) fn strip_wrapping_div(html: &str) -> &str {
    if !html.starts_with("<div") || !html.ends_with("</div>") {
        return html;
    }
    let Some(open_end) = html.find('>') else {
        return html;
    };
    // The first div must close at the very end.
    let mut depth = 0usize;
    let mut i = 0;
    while i < html.len() {
        let rest = &html[i..];
        if rest.starts_with("<div") && rest[4..].starts_with([' ', '>', '/', '\t', '\n']) {
            depth += 1;
        } else if rest.starts_with("</div>") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return if i + 6 == html.len() {
                    &html[open_end + 1..i]
                } else {
                    html
                };
            }
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    html
}

/// Base64 (standard alphabet, whitespace ignored) decoded as UTF-8.
pub(crate) fn decode_base64(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            c if c.is_ascii_whitespace() => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    String::from_utf8(bytes).ok()
}

/// An Atom text construct as plain text.
pub(crate) fn atom_text(node: &Node, name: &str, atom10: bool) -> Option<String> {
    let html = atom_construct(node.child(Ns::Atom, name)?, atom10)?;
    Some(html_to_text(&html)).filter(|t| !t.is_empty())
}

/// The entry's or feed's page: the alternate link (Atom 0.3 may give the
/// address as the link's text).
pub(crate) fn atom_link(node: &Node, base: Option<&Url>) -> Option<String> {
    node.children_named(Ns::Atom, "link")
        .filter(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
        .find_map(|l| {
            l.attr("href")
                .map(str::to_string)
                .or_else(|| Some(l.text.trim().to_string()).filter(|t| !t.is_empty()))
        })
        .map(|h| resolve(&h, base))
}

/// The targets of a node's Atom `<link>`s with the given relation (in RSS
/// they come as `atom:link`).
pub(crate) fn links_with_rel<'a>(
    node: &'a Node,
    rel: &'a str,
    base: Option<&'a Url>,
) -> impl Iterator<Item = String> + 'a {
    node.children_named(Ns::Atom, "link")
        .filter(move |l| l.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case(rel)))
        .filter_map(|l| l.attr("href"))
        .map(move |h| resolve(h, base))
}

pub(crate) fn atom_authors(node: &Node, base: Option<&Url>) -> Vec<Author> {
    let mut authors: Vec<Author> = node
        .children_named(Ns::Atom, "author")
        .filter_map(|a| {
            let name = a
                .child_text(Ns::Atom, "name")
                .map(|n| html_to_text(&n))
                .unwrap_or_default();
            let email = a.child_text(Ns::Atom, "email");
            let url = a
                .child_text(Ns::Atom, "uri")
                .or_else(|| a.child_text(Ns::Atom, "url"))
                .map(|u| resolve(&u, base));
            (!name.is_empty() || email.is_some() || url.is_some()).then(|| Author {
                name,
                url,
                email,
                ..Author::default()
            })
        })
        .chain(
            node.children_named(Ns::Dc, "creator")
                .filter_map(|n| author_from_rss_text(&n.value())),
        )
        .collect();
    dedupe_authors(&mut authors);
    authors
}
