//! The element tree every XML format is read from: one tolerant quick-xml
//! pass (encoding, namespaces, DOCTYPE entities, elements that may hold
//! markup kept as written), and the helpers the formats share (`xml:base`,
//! `xml:lang`, authors).

use crate::FeedError;
use bulletin_core::Author;
use bulletin_core::entities::{decode_entities, decode_reference};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, QName, ResolveResult};
use std::borrow::Cow;
use url::Url;

/// The vocabularies Bulletin reads, by namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ns {
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

pub(crate) fn ns_from_uri(uri: &str) -> Ns {
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
pub(crate) fn ns_from_prefix(prefix: &str) -> Ns {
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
pub(crate) struct Node {
    pub(crate) ns: Ns,
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) text: String,
    /// `text` is the inner content as written, markup and references
    /// included (see `holds_markup`).
    pub(crate) raw: bool,
    pub(crate) children: Vec<Node>,
}

impl Node {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn is(&self, ns: Ns, name: &str) -> bool {
        self.ns == ns && self.name == name
    }

    pub(crate) fn child(&self, ns: Ns, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.is(ns, name))
    }

    pub(crate) fn children_named<'a>(
        &'a self,
        ns: Ns,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.is(ns, name))
    }

    /// The text the element holds (see `unwrap_raw` for elements kept as
    /// written).
    pub(crate) fn value(&self) -> Cow<'_, str> {
        if self.raw {
            Cow::Owned(unwrap_raw(&self.text).0)
        } else {
            Cow::Borrowed(&self.text)
        }
    }

    pub(crate) fn child_text(&self, ns: Ns, name: &str) -> Option<String> {
        self.child(ns, name)
            .map(|c| c.value().trim().to_string())
            .filter(|t| !t.is_empty())
    }
}

/// Transcodes to UTF-8 following the BOM or the XML declaration; with
/// neither, UTF-8, and bytes that are not UTF-8 are read as Windows-1252 and
/// reported, as the document is then not well-formed.
pub(crate) fn to_utf8(bytes: &[u8]) -> (Cow<'_, str>, Option<String>) {
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

pub(crate) fn declared_encoding(head: &[u8]) -> Option<String> {
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

pub(crate) fn build_tree(doc: &str) -> Result<(Node, Option<String>), FeedError> {
    let mut reader = NsReader::from_str(doc);
    {
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        config.expand_empty_elements = false;
        config.check_comments = false;
    }
    let mut tree = TreeBuilder::default();
    loop {
        let event = match reader.read_resolved_event() {
            Ok(ev) => ev,
            Err(e) => {
                let at = reader.error_position();
                tree.malformed = Some(format!("XML error at byte {at}: {e}"));
                break;
            }
        };
        if let (ResolveResult::Unknown(prefix), Event::Start(_) | Event::Empty(_)) = &event {
            tree.malformed(format!(
                "the namespace prefix '{prefix}:' is used but never declared"
            ));
        }
        let go_on = match event {
            (ns, Event::Start(start)) => {
                let qname = start.name().0.to_string();
                tree.open(new_node(ns, &start), &qname, &mut reader, doc)
            }
            (ns, Event::Empty(start)) => {
                tree.attach(new_node(ns, &start));
                true
            }
            (_, Event::End(_)) => {
                tree.close();
                true
            }
            (_, Event::Text(t)) => tree.text(&t),
            (_, Event::CData(t)) => tree.text(&t),
            (_, Event::DocType(d)) => {
                tree.declared = doctype_entities(&d);
                true
            }
            (_, Event::GeneralRef(r)) => tree.reference(&r),
            (_, Event::Eof) => false,
            _ => true,
        };
        if !go_on || tree.complete() {
            break;
        }
    }
    tree.finish()
}

/// The tree being built: the open elements, the root once it is closed,
/// the first thing found wrong, and the entities the DOCTYPE declares.
#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Node>,
    root: Option<Node>,
    malformed: Option<String>,
    declared: Vec<(String, String)>,
}

impl TreeBuilder {
    /// Notes what is wrong with the document (the first thing only).
    fn malformed(&mut self, why: String) {
        self.malformed.get_or_insert(why);
    }

    /// A start tag: the element is opened, or, when it may hold markup,
    /// read to its end and kept as written (see `Node::raw`). False when
    /// the document ends inside it.
    fn open(
        &mut self,
        mut node: Node,
        qname: &str,
        reader: &mut NsReader<&[u8]>,
        doc: &str,
    ) -> bool {
        if !holds_markup(&node) {
            self.stack.push(node);
            return true;
        }
        match reader.read_to_end(QName(qname)) {
            Ok(span) => {
                node.raw = true;
                node.text = doc
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or("")
                    .to_string();
                self.attach(node);
                true
            }
            Err(e) => {
                self.malformed = Some(format!("unclosed <{}>: {e}", node.name));
                self.attach(node);
                false
            }
        }
    }

    fn close(&mut self) {
        if let Some(node) = self.stack.pop() {
            self.attach(node);
        }
    }

    fn attach(&mut self, node: Node) {
        attach(&mut self.stack, &mut self.root, node);
    }

    fn text(&mut self, text: &str) -> bool {
        if let Some(top) = self.stack.last_mut() {
            top.text.push_str(text);
        }
        true
    }

    /// `&name;`: a declared entity, a known one, or kept as written.
    fn reference(&mut self, name: &str) -> bool {
        let value = self
            .declared
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .or_else(|| decode_reference(name));
        if let Some(top) = self.stack.last_mut() {
            match value {
                Some(s) => top.text.push_str(&s),
                None => {
                    top.text.push('&');
                    top.text.push_str(name);
                    top.text.push(';');
                }
            }
        }
        true
    }

    /// Whether the root element has been closed.
    fn complete(&self) -> bool {
        self.root.is_some() && self.stack.is_empty()
    }

    /// The tree, elements left open closed (and the document reported as
    /// truncated).
    fn finish(mut self) -> Result<(Node, Option<String>), FeedError> {
        if let Some(open) = self.stack.last() {
            let why = format!(
                "the document ends before <{}> is closed (truncated?)",
                open.name
            );
            self.malformed(why);
        }
        while let Some(node) = self.stack.pop() {
            self.attach(node);
        }
        match self.root {
            Some(root) => Ok((root, self.malformed)),
            None => Err(FeedError::Unreadable(
                self.malformed
                    .unwrap_or_else(|| "no XML element found".to_string()),
            )),
        }
    }
}

/// Moves elements without a namespace into `ns`.
pub(crate) fn retag(node: &mut Node, from: &[Ns], to: Ns) {
    if from.contains(&node.ns) {
        node.ns = to;
    }
    for child in &mut node.children {
        retag(child, from, to);
    }
}

pub(crate) fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => {
            if root.is_none() {
                *root = Some(node);
            }
        }
    }
}

pub(crate) fn new_node(ns: ResolveResult<'_>, start: &BytesStart<'_>) -> Node {
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
pub(crate) fn holds_markup(node: &Node) -> bool {
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
pub(crate) fn has_naked_markup(raw: &str) -> bool {
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
pub(crate) fn doctype_entities(doctype: &str) -> Vec<(String, String)> {
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
pub(crate) fn unwrap_raw(raw: &str) -> (String, bool) {
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
pub(crate) fn declared_base(
    node: &Node,
    outer_declared: Option<&Url>,
    outer: Option<&Url>,
) -> Option<Url> {
    match node.attr("xml:base") {
        Some(_) => base_of(node, outer),
        None => outer_declared.cloned(),
    }
}

/// The base URL for a node: its `xml:base` resolved against the outer base.
pub(crate) fn base_of(node: &Node, outer: Option<&Url>) -> Option<Url> {
    match node.attr("xml:base") {
        Some(b) => match outer {
            Some(o) => o.join(b).ok(),
            None => Url::parse(b).ok(),
        },
        None => outer.cloned(),
    }
}

pub(crate) fn dedupe_authors(authors: &mut Vec<Author>) {
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

/// A language tag as written (`en_US` as `en-US`); `xml:lang=""` says
/// "no language".
pub(crate) fn normalize_lang(lang: &str) -> String {
    lang.trim().replace('_', "-")
}

/// The language of `node`: its `xml:lang`, else `inherited` (an empty
/// `xml:lang` ends the inheritance).
pub(crate) fn lang_of(node: &Node, inherited: Option<String>) -> Option<String> {
    match node.attr("xml:lang") {
        Some(l) if l.trim().is_empty() => None,
        Some(l) => Some(normalize_lang(l)),
        None => inherited,
    }
}
