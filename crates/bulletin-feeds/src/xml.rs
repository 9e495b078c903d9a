//! RSS, RDF and Atom: one tolerant pass into a small element tree, then a
//! reading of that tree per format.

use crate::entities::{decode_entities, decode_reference};
use crate::text::{collapse_whitespace, escape_html, html_to_text};
use crate::{FeedError, resolve};
use bulletin_core::{Author, Enclosure, Feed, FeedEntry, FeedKind, Image, parse_datetime};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, QName, ResolveResult};
use std::borrow::Cow;
use url::Url;

/// The vocabularies Bulletin reads, by namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    /// No namespace (RSS 0.9x/2.0) or the RSS 1.0 / 0.90 namespace.
    Rss,
    Atom,
    Content,
    Dc,
    Media,
    Itunes,
    Rdf,
    /// RSS 1.0 syndication module: `sy:updatePeriod`, `sy:updateFrequency`.
    Sy,
    Other,
}

fn ns_from_uri(uri: &str) -> Ns {
    match uri {
        "http://www.w3.org/2005/Atom" | "http://purl.org/atom/ns#" => Ns::Atom,
        "http://purl.org/rss/1.0/" | "http://my.netscape.com/rdf/simple/0.9/" => Ns::Rss,
        "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
        "http://purl.org/dc/elements/1.1/" | "http://purl.org/dc/terms/" => Ns::Dc,
        "http://search.yahoo.com/mrss/" | "http://search.yahoo.com/mrss" => Ns::Media,
        "http://www.itunes.com/dtds/podcast-1.0.dtd" => Ns::Itunes,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
        "http://purl.org/rss/1.0/modules/syndication/" => Ns::Sy,
        _ => Ns::Other,
    }
}

/// Undeclared prefixes are common; read the well-known ones anyway.
fn ns_from_prefix(prefix: &str) -> Ns {
    match prefix {
        "atom" => Ns::Atom,
        "content" => Ns::Content,
        "dc" | "dcterms" => Ns::Dc,
        "media" => Ns::Media,
        "itunes" => Ns::Itunes,
        "rdf" => Ns::Rdf,
        "sy" => Ns::Sy,
        _ => Ns::Other,
    }
}

#[derive(Debug)]
struct Node {
    ns: Ns,
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    fn child(&self, ns: Ns, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    fn children_named<'a>(&'a self, ns: Ns, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    fn child_text(&self, ns: Ns, name: &str) -> Option<String> {
        self.child(ns, name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
            .map(str::to_string)
    }
}

pub fn parse(bytes: &[u8], base: Option<&Url>) -> Result<Feed, FeedError> {
    let (utf8, encoding_problem) = to_utf8(bytes);
    let (root, malformed) = build_tree(&utf8)?;
    let malformed = malformed.or(encoding_problem);
    let mut root = root;
    let mut feed = match (root.ns, root.name.as_str()) {
        (_, "rss") => {
            // RSS 2.0 under a default namespace of its own
            // (`xmlns="http://backend.userland.com/rss2"`).
            if root.ns == Ns::Other {
                retag(&mut root, &[Ns::Other], Ns::Rss);
            }
            read_rss(&root, base, FeedKind::Rss)
        }
        (Ns::Rdf, "RDF") | (_, "RDF") => read_rss(&root, base, FeedKind::Rdf),
        (_, "feed") => {
            // Atom without its namespace declaration, or under an unknown
            // one (`xmlns="http://example.com/newformat#"`): read it as Atom.
            if root.ns != Ns::Atom {
                let from = root.ns;
                retag(&mut root, &[Ns::Rss, from], Ns::Atom);
            }
            read_atom(&root, base)
        }
        (_, "entry") => {
            // A lone Atom entry document: a feed of one.
            if root.ns != Ns::Atom {
                retag(&mut root, &[Ns::Rss], Ns::Atom);
            }
            let wrapper = Node {
                ns: Ns::Atom,
                name: "feed".into(),
                attrs: Vec::new(),
                text: String::new(),
                children: vec![root],
            };
            read_atom(&wrapper, base)
        }
        (_, "html") => return Err(FeedError::Html),
        (_, other) => return Err(FeedError::UnknownRoot(other.to_string())),
    };
    feed.malformed = malformed;
    Ok(feed)
}

/// Transcodes to UTF-8 following the BOM or the XML declaration; with
/// neither, UTF-8, and bytes that are not UTF-8 are read as Windows-1252 and
/// reported, as the document is then not well-formed.
fn to_utf8(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return (text, None);
    }
    let head = &bytes[..bytes.len().min(200)];
    let declared = declared_encoding(head);
    if let Some(enc) = declared
        .as_deref()
        .and_then(|label| encoding_rs::Encoding::for_label(label.as_bytes()))
        && enc != encoding_rs::UTF_8
    {
        let (text, _, had_errors) = enc.decode(bytes);
        let problem =
            had_errors.then(|| format!("bytes that are not {} in the document", enc.name()));
        return (text, problem);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), None),
        Err(_) if declared.is_none() => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
            (
                text,
                Some(
                    "the document is not UTF-8 and declares no encoding; read as Windows-1252"
                        .into(),
                ),
            )
        }
        Err(e) => (
            String::from_utf8_lossy(bytes),
            Some(format!("invalid UTF-8 at byte {}", e.valid_up_to())),
        ),
    }
}

fn declared_encoding(head: &[u8]) -> Option<String> {
    let head = std::str::from_utf8(head).ok().or_else(|| {
        // Cut at the last valid boundary.
        let valid = std::str::from_utf8(head).err()?.valid_up_to();
        std::str::from_utf8(&head[..valid]).ok()
    })?;
    let decl_end = head.find("?>")?;
    let decl = &head[..decl_end];
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let rest = &rest[quote.len_utf8()..];
    let end = rest.find(quote)?;
    Some(rest[..end].to_string())
}

fn build_tree(doc: &str) -> Result<(Node, Option<String>), FeedError> {
    let mut reader = NsReader::from_str(doc);
    {
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.expand_empty_elements = false;
        config.check_comments = false;
    }
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut malformed: Option<String> = None;

    loop {
        let event = match reader.read_resolved_event() {
            Ok(ev) => ev,
            Err(e) => {
                malformed = Some(format!(
                    "XML error at byte {}: {e}",
                    reader.error_position()
                ));
                break;
            }
        };
        if let (ResolveResult::Unknown(prefix), Event::Start(_) | Event::Empty(_)) = &event
            && malformed.is_none()
        {
            malformed = Some(format!(
                "the namespace prefix '{prefix}:' is used but never declared"
            ));
        }
        match event {
            (ns, Event::Start(start)) => {
                let node = new_node(ns, &start);
                if is_xhtml_container(&node) {
                    // Keep the inner markup as written.
                    let name = start.name().0.to_string();
                    match reader.read_to_end(QName(&name)) {
                        Ok(span) => {
                            let mut node = node;
                            node.text = doc
                                .get(span.start as usize..span.end as usize)
                                .unwrap_or("")
                                .to_string();
                            attach(&mut stack, &mut root, node);
                        }
                        Err(e) => {
                            malformed = Some(format!("unclosed <{}>: {e}", node.name));
                            attach(&mut stack, &mut root, node);
                            break;
                        }
                    }
                } else {
                    stack.push(node);
                }
            }
            (ns, Event::Empty(start)) => {
                let node = new_node(ns, &start);
                attach(&mut stack, &mut root, node);
            }
            (_, Event::End(_)) => {
                if let Some(node) = stack.pop() {
                    attach(&mut stack, &mut root, node);
                }
            }
            (_, Event::Text(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            (_, Event::CData(t)) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t);
                }
            }
            (_, Event::GeneralRef(r)) => {
                if let Some(top) = stack.last_mut() {
                    let name: &str = &r;
                    match decode_reference(name) {
                        Some(s) => top.text.push_str(&s),
                        None => {
                            top.text.push('&');
                            top.text.push_str(name);
                            top.text.push(';');
                        }
                    }
                }
            }
            (_, Event::Eof) => break,
            _ => {}
        }
        if root.is_some() && stack.is_empty() {
            break;
        }
    }
    if !stack.is_empty() && malformed.is_none() {
        malformed = Some(format!(
            "the document ends before <{}> is closed (truncated?)",
            stack.last().map(|n| n.name.as_str()).unwrap_or("")
        ));
    }
    while let Some(node) = stack.pop() {
        attach(&mut stack, &mut root, node);
    }
    match root {
        Some(root) => Ok((root, malformed)),
        None => Err(FeedError::Unreadable(
            malformed.unwrap_or_else(|| "no XML element found".to_string()),
        )),
    }
}

/// Moves elements without a namespace into `ns`.
fn retag(node: &mut Node, from: &[Ns], to: Ns) {
    if from.contains(&node.ns) {
        node.ns = to;
    }
    for child in &mut node.children {
        retag(child, from, to);
    }
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => {
            if root.is_none() {
                *root = Some(node);
            }
        }
    }
}

fn new_node(ns: ResolveResult<'_>, start: &BytesStart<'_>) -> Node {
    let ns = match ns {
        ResolveResult::Bound(Namespace(uri)) => ns_from_uri(uri),
        ResolveResult::Unbound => Ns::Rss,
        ResolveResult::Unknown(prefix) => ns_from_prefix(&prefix),
    };
    let name = start.local_name().as_ref().to_string();
    let attrs = start
        .attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .map(|a| {
            let key = a.key.0.to_string();
            (key, decode_entities(&a.value))
        })
        .collect();
    Node {
        ns,
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
    }
}

fn is_xhtml_container(node: &Node) -> bool {
    node.ns == Ns::Atom
        && matches!(
            node.name.as_str(),
            "content" | "summary" | "title" | "subtitle"
        )
        // Atom 1.0 says "xhtml"; Atom 0.3 gave the MIME type.
        && matches!(node.attr("type"), Some("xhtml" | "application/xhtml+xml"))
}

/// The base URL for a node: its `xml:base` resolved against the outer base.
fn base_of(node: &Node, outer: Option<&Url>) -> Option<Url> {
    match node.attr("xml:base") {
        Some(b) => match outer {
            Some(o) => o.join(b).ok(),
            None => Url::parse(b).ok(),
        },
        None => outer.cloned(),
    }
}

fn read_rss(root: &Node, base: Option<&Url>, kind: FeedKind) -> Feed {
    let channel = root.child(Ns::Rss, "channel").unwrap_or(root);
    let base = base_of(channel, base.as_ref().map(|b| (*b).clone()).as_ref());
    let mut feed = Feed {
        kind,
        title: channel
            .child_text(Ns::Rss, "title")
            .map(|t| html_to_text(&t)),
        link: channel
            .child_text(Ns::Rss, "link")
            .map(|l| resolve(&l, base.as_ref())),
        description: channel.child_text(Ns::Rss, "description"),
        language: channel
            .child_text(Ns::Rss, "language")
            .or_else(|| channel.child_text(Ns::Dc, "language")),
        updated: channel
            .child_text(Ns::Rss, "lastBuildDate")
            .or_else(|| channel.child_text(Ns::Rss, "pubDate"))
            .or_else(|| channel.child_text(Ns::Dc, "date"))
            .and_then(|d| parse_datetime(&d)),
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
    for item in items {
        feed.entries.push(read_rss_item(item, base.as_ref()));
    }
    feed
}

fn read_rss_item(item: &Node, base: Option<&Url>) -> FeedEntry {
    let base = base_of(item, base);
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
    let link = item
        .child_text(Ns::Rss, "link")
        .or_else(|| item.attr("rdf:about").map(str::to_string))
        .or_else(|| {
            guid_text
                .as_ref()
                .filter(|g| guid_is_link && (g.starts_with("http://") || g.starts_with("https://")))
                .cloned()
        })
        .map(|l| resolve(&l, base));
    let mut authors: Vec<Author> = item
        .children_named(Ns::Dc, "creator")
        .chain(item.children_named(Ns::Rss, "author"))
        .chain(item.children_named(Ns::Itunes, "author"))
        .filter_map(|n| author_from_rss_text(&n.text))
        .collect();
    dedupe_authors(&mut authors);
    let mut entry = FeedEntry {
        id: guid_text,
        title: item
            .child_text(Ns::Rss, "title")
            .map(|t| html_to_text(&t))
            .filter(|t| !t.is_empty()),
        link,
        published: item
            .child_text(Ns::Rss, "pubDate")
            .or_else(|| item.child_text(Ns::Dc, "date"))
            .and_then(|d| parse_datetime(&d)),
        updated: item
            .child_text(Ns::Dc, "modified")
            .or_else(|| item.child_text(Ns::Atom, "updated"))
            .and_then(|d| parse_datetime(&d)),
        authors,
        summary: item
            .child_text(Ns::Rss, "description")
            .or_else(|| item.child_text(Ns::Itunes, "summary")),
        content: item.child_text(Ns::Content, "encoded"),
        categories: item
            .children_named(Ns::Rss, "category")
            .chain(item.children_named(Ns::Dc, "subject"))
            .map(|c| collapse_whitespace(&c.text))
            .filter(|c| !c.is_empty())
            .collect(),
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
fn update_period_minutes(channel: &Node) -> Option<u32> {
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

fn author_from_rss_text(text: &str) -> Option<Author> {
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
            return Some(Author::named(name));
        }
    }
    if text.contains('@') && !text.contains(' ') {
        return None;
    }
    Some(Author::named(text))
}

fn dedupe_authors(authors: &mut Vec<Author>) {
    let mut seen = std::collections::HashSet::new();
    authors.retain(|a| seen.insert(a.name.to_lowercase()));
}

fn media_image(item: &Node, base: Option<&Url>) -> Option<Image> {
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

fn looks_like_image_url(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

fn enclosure_image(enclosures: &[Enclosure]) -> Option<Image> {
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

fn read_atom(root: &Node, base: Option<&Url>) -> Feed {
    let base = base_of(root, base);
    let base = base.as_ref();
    let mut feed = Feed {
        kind: FeedKind::Atom,
        title: atom_text(root, "title"),
        link: atom_link(root, base),
        description: atom_text(root, "subtitle").or_else(|| atom_text(root, "tagline")),
        language: root.attr("xml:lang").map(str::to_string),
        updated: root
            .child_text(Ns::Atom, "updated")
            .or_else(|| root.child_text(Ns::Atom, "modified"))
            .and_then(|d| parse_datetime(&d)),
        authors: atom_authors(root, base),
        self_url: links_with_rel(root, "self", base).next(),
        hubs: links_with_rel(root, "hub", base).collect(),
        ..Feed::default()
    };
    for entry in root.children_named(Ns::Atom, "entry") {
        let mut e = read_atom_entry(entry, base);
        if e.authors.is_empty() {
            e.authors = feed.authors.clone();
        }
        feed.entries.push(e);
    }
    feed
}

fn read_atom_entry(entry: &Node, base: Option<&Url>) -> FeedEntry {
    let base = base_of(entry, base);
    let base = base.as_ref();
    let mut out = FeedEntry {
        id: entry.child_text(Ns::Atom, "id"),
        title: atom_text(entry, "title"),
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
        summary: entry.child(Ns::Atom, "summary").and_then(atom_html),
        content: entry.child(Ns::Atom, "content").and_then(atom_html),
        categories: entry
            .children_named(Ns::Atom, "category")
            .filter_map(|c| c.attr("label").or(c.attr("term")))
            .map(collapse_whitespace)
            .filter(|c| !c.is_empty())
            .collect(),
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

/// An Atom text construct as plain text.
fn atom_text(node: &Node, name: &str) -> Option<String> {
    let child = node.child(Ns::Atom, name)?;
    let text = match child.attr("type") {
        Some("html" | "xhtml" | "text/html" | "application/xhtml+xml") => html_to_text(&child.text),
        _ => collapse_whitespace(&child.text),
    };
    Some(text).filter(|t| !t.is_empty())
}

/// An Atom text construct as HTML.
fn atom_html(node: &Node) -> Option<String> {
    let text = node.text.trim();
    if text.is_empty() {
        return None;
    }
    Some(match node.attr("type") {
        Some("html") | Some("xhtml") | Some("text/html") | Some("application/xhtml+xml") => {
            text.to_string()
        }
        _ if node.attr("mode") == Some("escaped") => text.to_string(),
        _ => escape_html(text),
    })
}

fn atom_link(node: &Node, base: Option<&Url>) -> Option<String> {
    node.children_named(Ns::Atom, "link")
        .find(|l| l.attr("rel").is_none_or(|r| r == "alternate"))
        .and_then(|l| l.attr("href"))
        .map(|h| resolve(h, base))
}

/// The targets of a node's Atom `<link>`s with the given relation (in RSS
/// they come as `atom:link`).
fn links_with_rel<'a>(
    node: &'a Node,
    rel: &'a str,
    base: Option<&'a Url>,
) -> impl Iterator<Item = String> + 'a {
    node.children_named(Ns::Atom, "link")
        .filter(move |l| l.attr("rel").is_some_and(|r| r.eq_ignore_ascii_case(rel)))
        .filter_map(|l| l.attr("href"))
        .map(move |h| resolve(h, base))
}

fn atom_authors(node: &Node, base: Option<&Url>) -> Vec<Author> {
    let mut authors: Vec<Author> = node
        .children_named(Ns::Atom, "author")
        .filter_map(|a| {
            let name = a.child_text(Ns::Atom, "name").map(|n| html_to_text(&n))?;
            Some(Author {
                name,
                url: a.child_text(Ns::Atom, "uri").map(|u| resolve(&u, base)),
                ..Author::default()
            })
        })
        .chain(
            node.children_named(Ns::Dc, "creator")
                .filter_map(|n| author_from_rss_text(&n.text)),
        )
        .collect();
    dedupe_authors(&mut authors);
    authors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss2_with_extensions() {
        let doc = br#"<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>News &amp; more</title><link>https://example.org/</link><ttl>30</ttl>
<item><title>First</title><link>/a/1?utm_source=rss</link><guid isPermaLink="false">id-1</guid>
<pubDate>Sun, 25 May 2025 10:00:00 GMT</pubDate><dc:creator>Jane Roe</dc:creator>
<description>Short &lt;b&gt;summary&lt;/b&gt;</description>
<content:encoded><![CDATA[<p>Full body</p>]]></content:encoded>
<media:content url="https://img.example.org/x.jpg" medium="image"><media:description>A caption</media:description><media:credit>Photo Agency</media:credit></media:content>
</item></channel></rss>"#;
        let base = Url::parse("https://example.org/feed.xml").unwrap();
        let feed = parse(doc, Some(&base)).unwrap();
        assert_eq!(feed.title.as_deref(), Some("News & more"));
        assert_eq!(feed.ttl_minutes, Some(30));
        assert_eq!(feed.malformed, None);
        let hinted = parse(
            br#"<rss version="2.0" xmlns:sy="http://purl.org/rss/1.0/modules/syndication/"><channel>
<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency></channel></rss>"#,
            None,
        )
        .unwrap();
        assert_eq!(hinted.ttl_minutes, Some(30));
        let e = &feed.entries[0];
        assert_eq!(e.id.as_deref(), Some("id-1"));
        assert_eq!(
            e.link.as_deref(),
            Some("https://example.org/a/1?utm_source=rss")
        );
        assert_eq!(e.authors[0].name, "Jane Roe");
        assert_eq!(e.summary.as_deref(), Some("Short <b>summary</b>"));
        assert_eq!(e.content.as_deref(), Some("<p>Full body</p>"));
        let img = e.image.as_ref().unwrap();
        assert_eq!(img.caption.as_deref(), Some("A caption"));
        assert_eq!(img.credit.as_deref(), Some("Photo Agency"));
        assert!(e.published.is_some());
    }

    #[test]
    fn finds_websub_hubs_and_the_self_link() {
        let rss = br#"<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<atom:link rel="hub" href="https://hub.example/"/><atom:link rel="self" href="/feed.xml"/>
<atom:link rel="hub" href="https://second.example/hub"/></channel></rss>"#;
        let base = Url::parse("https://example.org/x").unwrap();
        let feed = parse(rss, Some(&base)).unwrap();
        assert_eq!(
            feed.hubs,
            ["https://hub.example/", "https://second.example/hub"]
        );
        assert_eq!(
            feed.self_url.as_deref(),
            Some("https://example.org/feed.xml")
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link rel="alternate" href="https://example.org/"/>
<link rel="HUB" href="https://hub.example/"/><link rel="self" href="https://example.org/atom"/></feed>"#;
        let feed = parse(atom, None).unwrap();
        assert_eq!(feed.hubs, ["https://hub.example/"]);
        assert_eq!(feed.self_url.as_deref(), Some("https://example.org/atom"));
        assert_eq!(feed.link.as_deref(), Some("https://example.org/"));
        let plain = parse(
            br#"<rss version="2.0"><channel><title>t</title></channel></rss>"#,
            None,
        )
        .unwrap();
        assert!(plain.hubs.is_empty() && plain.self_url.is_none());
    }

    #[test]
    fn reads_atom_with_xhtml_and_base() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/blog/" xml:lang="fr">
<title type="html">A &lt;em&gt;blog&lt;/em&gt;</title>
<author><name>Ann</name></author>
<entry><title>One</title><link href="posts/1"/><id>tag:1</id><updated>2025-05-25T10:00:00Z</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <b>there</b></p></div></content></entry>
</feed>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("A blog"));
        assert_eq!(feed.language.as_deref(), Some("fr"));
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("https://example.org/blog/posts/1"));
        assert_eq!(e.authors[0].name, "Ann");
        assert!(
            e.content
                .as_deref()
                .unwrap()
                .contains("<p>Hi <b>there</b></p>")
        );
    }

    #[test]
    fn recovers_truncated_feed_and_flags_it() {
        let doc = b"<rss><channel><title>T</title><item><title>A</title></item><item><title>B";
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.entries.len(), 2);
        assert!(feed.malformed.is_some());
    }

    #[test]
    fn rejects_html() {
        assert_eq!(
            parse(b"<html><body>hi</body></html>", None).unwrap_err(),
            FeedError::Html
        );
    }

    #[test]
    fn survives_a_garbled_declaration() {
        // Found by the fuzzer: a multi-byte character where the quote belongs.
        let doc = "<?xml version=\"1.0\" encoding=\u{FFFD}c\"utf-8\"?>\n<feed xmlns=\"h\x18\x18";
        let _ = parse(doc.as_bytes(), None);
    }

    #[test]
    fn transcodes_declared_encoding() {
        let mut doc =
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><title>Caf".to_vec();
        doc.push(0xE9);
        doc.extend_from_slice(b"</title></channel></rss>");
        let feed = parse(&doc, None).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Café"));
    }
}
