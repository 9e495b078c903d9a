//! RSS, RDF and Atom: one tolerant pass into a small element tree, then a
//! reading of that tree per format.

use crate::entities::{decode_entities, decode_reference};
use crate::text::html_to_text;
use crate::{FeedError, resolve};
use bulletin_core::text::{collapse_whitespace, escape};
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
    /// XHTML, as in RSS's `xhtml:body`.
    Xhtml,
    Other,
}

fn ns_from_uri(uri: &str) -> Ns {
    match uri {
        "http://www.w3.org/2005/Atom" | "http://purl.org/atom/ns#" => Ns::Atom,
        "http://purl.org/rss/1.0/" | "http://my.netscape.com/rdf/simple/0.9/" => Ns::Rss,
        "http://purl.org/rss/1.0/modules/content/" => Ns::Content,
        "http://purl.org/dc/elements/1.1/" | "http://purl.org/dc/terms/" => Ns::Dc,
        "http://search.yahoo.com/mrss/" | "http://search.yahoo.com/mrss" => Ns::Media,
        u if u.eq_ignore_ascii_case("http://www.itunes.com/dtds/podcast-1.0.dtd") => Ns::Itunes,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#" => Ns::Rdf,
        "http://purl.org/rss/1.0/modules/syndication/" => Ns::Sy,
        "http://www.w3.org/1999/xhtml" => Ns::Xhtml,
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
        "xhtml" => Ns::Xhtml,
        _ => Ns::Other,
    }
}

#[derive(Debug)]
struct Node {
    ns: Ns,
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    /// `text` is the inner content as written, markup and references
    /// included (see `holds_markup`).
    raw: bool,
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

    /// The text the element holds (see `unwrap_raw` for elements kept as
    /// written).
    fn value(&self) -> Cow<'_, str> {
        if self.raw {
            Cow::Owned(unwrap_raw(&self.text).0)
        } else {
            Cow::Borrowed(&self.text)
        }
    }

    fn child_text(&self, ns: Ns, name: &str) -> Option<String> {
        self.child(ns, name)
            .map(|c| c.value().trim().to_string())
            .filter(|t| !t.is_empty())
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
            let mut feed = read_rss(&root, base, FeedKind::Rss);
            feed.version = Some(rss_version(&root, &utf8));
            feed
        }
        (Ns::Rdf, "RDF") | (_, "RDF") => {
            let mut feed = read_rss(&root, base, FeedKind::Rdf);
            let rss090 = root
                .attrs
                .iter()
                .any(|(_, v)| v == "http://my.netscape.com/rdf/simple/0.9/");
            feed.version = Some(if rss090 { "rss090" } else { "rss10" }.to_string());
            feed
        }
        (_, "feed") => {
            // Atom without its namespace declaration, or under an unknown
            // one (`xmlns="http://example.com/newformat#"`): read it as Atom.
            let version = atom_version(&root);
            if root.ns != Ns::Atom {
                let from = root.ns;
                retag(&mut root, &[Ns::Rss, from], Ns::Atom);
            }
            let mut feed = read_atom(&root, base, version != "atom03");
            feed.version = Some(version.to_string());
            feed
        }
        (_, "entry") => {
            // A lone Atom entry document: a feed of one.
            let version = atom_version(&root);
            if root.ns != Ns::Atom {
                retag(&mut root, &[Ns::Rss], Ns::Atom);
            }
            let wrapper = Node {
                ns: Ns::Atom,
                name: "feed".into(),
                attrs: Vec::new(),
                text: String::new(),
                raw: false,
                children: vec![root],
            };
            let mut feed = read_atom(&wrapper, base, version != "atom03");
            feed.version = Some(version.to_string());
            feed
        }
        (_, "CHANNEL") => read_cdf(&root, base),
        (_, "html") => return Err(FeedError::Html),
        (_, other) => return Err(FeedError::UnknownRoot(other.to_string())),
    };
    feed.malformed = malformed;
    Ok(feed)
}

/// Microsoft's Channel Definition Format (1997), which some old feeds
/// still are: a `CHANNEL` of `ITEM`s, links and dates in attributes.
fn read_cdf(channel: &Node, base: Option<&Url>) -> Feed {
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

/// Universal Feed Parser's name for an RSS document's version.
fn rss_version(root: &Node, doc: &str) -> String {
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

/// `atom10`, `atom03`, or `atom` for an Atom document under another
/// namespace.
fn atom_version(root: &Node) -> &'static str {
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
    // Entities the document declares in its DOCTYPE.
    let mut declared: Vec<(String, String)> = Vec::new();

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
                if holds_markup(&node) {
                    // Keep the inner markup as written (see `Node::raw`).
                    let name = start.name().0.to_string();
                    match reader.read_to_end(QName(&name)) {
                        Ok(span) => {
                            let mut node = node;
                            node.raw = true;
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
            (_, Event::DocType(d)) => {
                declared = doctype_entities(&d);
            }
            (_, Event::GeneralRef(r)) => {
                if let Some(top) = stack.last_mut() {
                    let name: &str = &r;
                    let own = declared.iter().find(|(n, _)| n == name);
                    match own
                        .map(|(_, v)| v.clone())
                        .or_else(|| decode_reference(name))
                    {
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
        raw: false,
        children: Vec::new(),
    }
}

/// Elements whose content may be markup written inline: Atom's text
/// constructs, and RSS's descriptions and bodies (escaped HTML as a rule,
/// but naked markup in the wild). Their inner text is kept as written.
fn holds_markup(node: &Node) -> bool {
    match node.ns {
        Ns::Atom => matches!(
            node.name.as_str(),
            "content" | "summary" | "title" | "subtitle" | "tagline" | "info" | "rights"
        ),
        Ns::Rss => matches!(node.name.as_str(), "description" | "fullitem" | "body"),
        Ns::Content => node.name == "encoded",
        Ns::Xhtml => node.name == "body",
        _ => false,
    }
}

/// Whether a `<` outside CDATA sections and comments opens markup.
fn has_naked_markup(raw: &str) -> bool {
    let mut rest = raw;
    while let Some(lt) = rest.find('<') {
        let at = &rest[lt..];
        let (open, close) = if at.starts_with("<![CDATA[") {
            ("<![CDATA[", "]]>")
        } else if at.starts_with("<!--") {
            ("<!--", "-->")
        } else {
            return true;
        };
        rest = at[open.len()..]
            .find(close)
            .map_or("", |e| &at[open.len() + e + close.len()..]);
    }
    false
}

/// The `<!ENTITY name "value">` declarations of a DOCTYPE.
fn doctype_entities(doctype: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = doctype;
    while let Some(at) = rest.find("<!ENTITY") {
        rest = &rest[at + 8..];
        let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
        let (Some(name), Some(after)) = (parts.next(), parts.next()) else {
            break;
        };
        let after = after.trim_start();
        let Some(quote) = after.chars().next().filter(|q| *q == '"' || *q == '\'') else {
            continue;
        };
        if let Some(end) = after[1..].find(quote) {
            out.push((name.to_string(), decode_entities(&after[1..1 + end])));
        }
    }
    out
}

/// The inner text of an element kept as written (`Node::raw`): naked
/// markup stays markup; otherwise CDATA sections are opened and character
/// references decoded, giving the text (or escaped HTML) the element holds.
/// Returns the text and whether it was naked markup.
fn unwrap_raw(raw: &str) -> (String, bool) {
    if has_naked_markup(raw) {
        return (raw.to_string(), true);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    loop {
        let cdata = rest.find("<![CDATA[");
        let comment = rest.find("<!--");
        match (cdata, comment) {
            (Some(c), m) if m.is_none_or(|m| c < m) => {
                out.push_str(&decode_entities(&rest[..c]));
                let inner = &rest[c + 9..];
                let end = inner.find("]]>").unwrap_or(inner.len());
                out.push_str(&inner[..end]);
                rest = inner.get(end + 3..).unwrap_or("");
            }
            (_, Some(m)) => {
                out.push_str(&decode_entities(&rest[..m]));
                let inner = &rest[m + 4..];
                rest = inner.find("-->").map_or("", |e| &inner[e + 3..]);
            }
            _ => {
                out.push_str(&decode_entities(rest));
                return (out, false);
            }
        }
    }
}

/// The `xml:base` a node declares, resolved, or the one in effect outside.
fn declared_base(node: &Node, outer_declared: Option<&Url>, outer: Option<&Url>) -> Option<Url> {
    match node.attr("xml:base") {
        Some(_) => base_of(node, outer),
        None => outer_declared.cloned(),
    }
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
fn categories(node: &Node) -> Vec<String> {
    fn itunes(node: &Node, out: &mut Vec<String>) {
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
fn rss_body(item: &Node) -> Option<&Node> {
    item.child(Ns::Content, "encoded")
        .or_else(|| item.child(Ns::Xhtml, "body"))
        .or_else(|| item.child(Ns::Rss, "body"))
        .or_else(|| item.child(Ns::Rss, "fullitem"))
}

/// An RSS item; `declared` is the `xml:base` the channel declares, if any.
fn read_rss_item(
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

fn dedupe_authors(authors: &mut Vec<Author>) {
    let mut seen = std::collections::HashSet::new();
    authors.retain(|a| {
        let key = if a.name.is_empty() {
            a.email.clone().or(a.url.clone()).unwrap_or_default()
        } else {
            a.name.to_lowercase()
        };
        seen.insert(key)
    });
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

fn read_atom(root: &Node, base: Option<&Url>, atom10: bool) -> Feed {
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

fn atom_categories(node: &Node) -> Vec<String> {
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

fn read_atom_entry(
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
fn resolve_id(id: String, base: Option<&Url>) -> String {
    match (Url::parse(&id), base) {
        (Err(url::ParseError::RelativeUrlWithoutBase), Some(b)) => {
            b.join(&id).map(String::from).unwrap_or(id)
        }
        _ => id,
    }
}

/// A language tag as written (`en_US` as `en-US`); `xml:lang=""` says
/// "no language".
fn normalize_lang(lang: &str) -> String {
    lang.trim().replace('_', "-")
}

/// The language of `node`: its `xml:lang`, else `inherited` (an empty
/// `xml:lang` ends the inheritance).
fn lang_of(node: &Node, inherited: Option<String>) -> Option<String> {
    match node.attr("xml:lang") {
        Some(l) if l.trim().is_empty() => None,
        Some(l) => Some(normalize_lang(l)),
        None => inherited,
    }
}

/// An Atom text construct (`title`, `subtitle`, `summary`, `content`, …)
/// as HTML: plain text escaped, HTML as given, inline XHTML as written (in
/// Atom 1.0 without its wrapping `<div>`, which the format says is not part
/// of it); Atom 0.3's `mode="base64"` decoded.
fn atom_construct(node: &Node, atom10: bool) -> Option<String> {
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
fn strip_wrapping_div(html: &str) -> &str {
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
fn decode_base64(text: &str) -> Option<String> {
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
fn atom_text(node: &Node, name: &str, atom10: bool) -> Option<String> {
    let html = atom_construct(node.child(Ns::Atom, name)?, atom10)?;
    Some(html_to_text(&html)).filter(|t| !t.is_empty())
}

/// The entry's or feed's page: the alternate link (Atom 0.3 may give the
/// address as the link's text).
fn atom_link(node: &Node, base: Option<&Url>) -> Option<String> {
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
    fn reads_atom_text_constructs_in_every_form() {
        let doc = br#"<feed xmlns="http://www.w3.org/2005/Atom">
<title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">A <b>bold</b> feed</div></title>
<entry><title>Plain &lt;tags&gt; stay text</title>
<summary type="application/octet-stream">RXhhbXBsZSA8Yj5BdG9tPC9iPg==</summary>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>One</p></div></content></entry>
</feed>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("atom10"));
        assert_eq!(feed.title.as_deref(), Some("A bold feed"));
        let e = &feed.entries[0];
        assert_eq!(e.title.as_deref(), Some("Plain <tags> stay text"));
        // Base64 for a media type that is not text (RFC 4287 4.1.3.3).
        assert_eq!(e.summary.as_deref(), Some("Example <b>Atom</b>"));
        // Atom 1.0's XHTML wrapper div is not part of the content.
        assert_eq!(e.content.as_deref(), Some("<p>One</p>"));
        // Atom 0.3: naked markup, base64 mode, the div kept, `info`.
        let old = br#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><info>About</info>
<entry><title>Example <b>Atom</b></title><summary type="text/html" mode="base64">PHA+SGk8L3A+</summary>
<content type="application/xhtml+xml"><div xmlns="http://www.w3.org/1999/xhtml">Hi</div></content>
<link rel="enclosure">http://example.com/file</link><link rel="alternate">http://example.com/page</link>
</entry></feed>"#;
        let feed = parse(old, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("atom03"));
        assert_eq!(feed.description.as_deref(), Some("About"));
        let e = &feed.entries[0];
        assert_eq!(e.title.as_deref(), Some("Example Atom"));
        assert_eq!(e.summary.as_deref(), Some("<p>Hi</p>"));
        assert!(e.content.as_deref().unwrap().starts_with("<div"));
        assert_eq!(e.link.as_deref(), Some("http://example.com/page"));
    }

    #[test]
    fn reads_rss_descriptions_escaped_in_cdata_or_naked() {
        let doc = br#"<!DOCTYPE rss [<!ENTITY site "tag:example.com,">]>
<rss version="0.91" xml:lang="en_US"><channel><author>me@example.com (Ed Itor)</author>
<itunes:category xmlns:itunes="http://www.itunes.com/DTDs/Podcast-1.0.dtd" text="Tech"><itunes:category text="Gadgets"/></itunes:category>
<item><guid isPermaLink="false">&site;1</guid><description><![CDATA[a<br/>b]]></description></item>
<item xml:lang=""><description><p>Naked &amp; <b>bold</b></p></description>
<fullitem>&lt;p&gt;Full&lt;/p&gt;</fullitem><dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2003-12-31T10:14:55Z</dc:date></item>
</channel></rss>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.malformed, None);
        assert_eq!(feed.version.as_deref(), Some("rss091u"));
        assert_eq!(feed.language.as_deref(), Some("en-US"));
        assert_eq!(feed.categories, ["Tech", "Gadgets"]);
        let editor = &feed.authors[0];
        assert_eq!(editor.name, "Ed Itor");
        assert_eq!(editor.email.as_deref(), Some("me@example.com"));
        let (first, second) = (&feed.entries[0], &feed.entries[1]);
        assert_eq!(first.id.as_deref(), Some("tag:example.com,1"));
        assert_eq!(first.summary.as_deref(), Some("a<br/>b"));
        assert_eq!(first.language.as_deref(), Some("en-US"));
        assert_eq!(
            second.summary.as_deref(),
            Some("<p>Naked &amp; <b>bold</b></p>")
        );
        assert_eq!(second.content.as_deref(), Some("<p>Full</p>"));
        assert_eq!(
            second.language, None,
            "an empty xml:lang ends the inheritance"
        );
        assert!(second.published.is_some() && second.updated == second.published);
    }

    #[test]
    fn reads_channel_definition_format() {
        let doc = br#"<CHANNEL HREF="http://www.example.org/" LASTMOD="2004-04-06T23:05:43-05:00">
<TITLE>Example feed</TITLE><ABSTRACT>About it</ABSTRACT>
<ITEM HREF="http://www.example.org/1"><TITLE>One</TITLE><ABSTRACT>First &amp; best</ABSTRACT></ITEM>
</CHANNEL>"#;
        let feed = parse(doc, None).unwrap();
        assert_eq!(feed.version.as_deref(), Some("cdf"));
        assert_eq!(feed.title.as_deref(), Some("Example feed"));
        assert_eq!(feed.link.as_deref(), Some("http://www.example.org/"));
        assert!(feed.updated.is_some());
        let e = &feed.entries[0];
        assert_eq!(e.link.as_deref(), Some("http://www.example.org/1"));
        assert_eq!(e.summary.as_deref(), Some("First &amp; best"));
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
