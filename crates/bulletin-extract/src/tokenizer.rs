//! The page's tokens for the HTML5 tree builder, read in whole slices.
//!
//! html5ever's own tokenizer reads a page one character at a time through a
//! buffer queue, and on news pages that was over a quarter of extraction
//! time. This tokenizer implements the same states of the WHATWG algorithm
//! (data, RCDATA, RAWTEXT, script data with its escapes, PLAINTEXT, tags,
//! attributes, character references, comments, DOCTYPE, CDATA) over the
//! whole page at once: it jumps from one '<' or '&' to the next, and hands
//! each token to html5ever's tree builder, which builds the tree exactly as
//! before. Faithful mode gives the tree builder the same tokens html5ever's
//! tokenizer would (a test compares the trees on every corpus page).
//!
//! Pruned mode, which extraction uses, also drops what no stage reads, as it
//! is read: comments, the text of scripts (other than JSON-LD), style
//! sheets and inline SVG, attributes outside [`prune::is_read_attribute`],
//! and tags nested deeper than [`prune::MAX_NESTING`] (their text kept),
//! which would otherwise cost the tree builder quadratic time.

use std::borrow::Cow;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    Doctype, EndTag, StartTag, Tag, TagKind, Token, TokenSink, TokenSinkResult,
};
use html5ever::tree_builder::{QuirksMode, TreeBuilder, TreeBuilderOpts, TreeSink, create_element};
use html5ever::{Attribute, LocalName, QualName, local_name, ns};
use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};
use scraper::{Html, HtmlTreeSink};

use crate::prune;

/// What the tokenizer hands the tree builder.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Every token, as html5ever's tokenizer gives them (the tests and the
    /// differential fuzz target compare the trees this way).
    Faithful,
    /// Without what no extraction stage reads (see the module's notes).
    Pruned,
}

/// Parses a page as a browser without scripting would: the content of
/// `<noscript>` is markup, as some sites put their whole article there.
pub(crate) fn parse_document(html: &str, mode: Mode) -> Html {
    let opts = TreeBuilderOpts {
        scripting_enabled: false,
        ..Default::default()
    };
    // The tree's storage, reserved for the page at once: it grows by
    // doubling otherwise, copying every node each time. Pages hold a node
    // per 80 bytes at the median, one per 40 on nine in ten (measured on
    // trafilatura's pages, pruned).
    let document = Html {
        quirks_mode: QuirksMode::NoQuirks,
        tree: ego_tree::Tree::with_capacity(scraper::Node::Document, html.len() / 40 + 16),
    };
    let builder = TreeBuilder::new(HtmlTreeSink::new(document), opts);
    let text = normalize_newlines(html);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Tokenizer::new(text, &builder, mode).run();
    builder.sink.finish()
}

/// Parses a fragment as the content of a `<body>`, as scraper's
/// `Html::parse_fragment` does (scripting on: `<noscript>` holds text).
pub(crate) fn parse_fragment(html: &str, mode: Mode) -> Html {
    let sink = HtmlTreeSink::new(Html::new_fragment());
    let body = QualName::new(None, ns!(html), local_name!("body"));
    let context = create_element(&sink, body, Vec::new());
    let builder = TreeBuilder::new_for_fragment(sink, context, None, TreeBuilderOpts::default());
    let text = normalize_newlines(html);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    Tokenizer::new(text, &builder, mode).run();
    builder.sink.finish()
}

/// The input stream's preprocessing: CR LF and lone CR become LF.
fn normalize_newlines(html: &str) -> Cow<'_, str> {
    if memchr::memchr(b'\r', html.as_bytes()).is_none() {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = memchr::memchr(b'\r', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        out.push('\n');
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('\n') {
            rest = after;
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b' ')
}

struct Tokenizer<'a, S: TokenSink> {
    src: &'a str,
    pos: usize,
    sink: &'a S,
    mode: Mode,
    /// Characters not yet handed over: while they are one stretch of the
    /// page, only where it is (most text is, and is then copied once).
    text_span: Option<(usize, usize)>,
    text: StrTendril,
    /// Nesting, as [`depth`] counts it (pruned mode).
    depth: usize,
    /// Whether the last tag handed over was a block's (pruned mode), and
    /// how many `<pre>`s are open: see [`Tokenizer::flush_before_tag`].
    after_block: bool,
    open_pre: usize,
}

/// A tag as read, before it is handed over.
struct ReadTag {
    kind: TagKind,
    name: LocalName,
    self_closing: bool,
    attrs: Vec<Attribute>,
}

impl<'a, S: TokenSink> Tokenizer<'a, S> {
    fn new(src: &'a str, sink: &'a S, mode: Mode) -> Self {
        Tokenizer {
            src,
            pos: 0,
            sink,
            mode,
            text_span: None,
            text: StrTendril::new(),
            depth: 0,
            after_block: true,
            open_pre: 0,
        }
    }

    fn pruned(&self) -> bool {
        self.mode == Mode::Pruned
    }

    fn run(mut self) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() {
            let Some(offset) = memchr::memchr3(b'<', b'&', b'\0', &bytes[self.pos..]) else {
                self.push_span(self.pos, bytes.len());
                self.pos = bytes.len();
                break;
            };
            let at = self.pos + offset;
            self.push_span(self.pos, at);
            match bytes[at] {
                b'&' => {
                    let src = self.src;
                    self.pos = char_ref(src, at + 1, false, self.owned_text());
                }
                b'\0' => {
                    self.flush();
                    self.send(Token::NullCharacterToken);
                    self.pos = at + 1;
                }
                _ => self.tag_open(at),
            }
        }
        self.flush();
        self.send(Token::EOFToken);
        self.sink.end();
    }

    /// Adds the page's text from `from` to `to`.
    fn push_span(&mut self, from: usize, to: usize) {
        if from == to {
            return;
        }
        match self.text_span {
            None if self.text.is_empty() => self.text_span = Some((from, to)),
            Some((start, end)) if end == from => self.text_span = Some((start, to)),
            _ => {
                let src = self.src;
                self.owned_text().push_slice(&src[from..to]);
            }
        }
    }

    /// The pending text as a copy, to add what is not the page's own text.
    fn owned_text(&mut self) -> &mut StrTendril {
        if let Some((from, to)) = self.text_span.take() {
            self.text.push_slice(&self.src[from..to]);
        }
        &mut self.text
    }

    fn flush(&mut self) {
        let text = match self.text_span.take() {
            Some((from, to)) => StrTendril::from_slice(&self.src[from..to]),
            None if !self.text.is_empty() => std::mem::take(&mut self.text),
            None => return,
        };
        self.send(Token::CharacterTokens(text));
    }

    fn emit(&self, token: Token) -> TokenSinkResult<S::Handle> {
        self.sink.process_token(token, 1)
    }

    /// Hands over a token after which the tokenizer's state cannot change.
    fn send(&self, token: Token) {
        let _ = self.emit(token);
    }

    /// At a '<' in the data state.
    fn tag_open(&mut self, at: usize) {
        let bytes = self.src.as_bytes();
        match bytes.get(at + 1) {
            Some(b'!') => self.markup_declaration(at + 2),
            Some(b'/') => match bytes.get(at + 2) {
                Some(c) if c.is_ascii_alphabetic() => self.tag(at + 2, EndTag),
                Some(b'>') => self.pos = at + 3,
                None => {
                    self.owned_text().push_slice("</");
                    self.pos = bytes.len();
                }
                Some(_) => self.bogus_comment(at + 2),
            },
            Some(c) if c.is_ascii_alphabetic() => self.tag(at + 1, StartTag),
            Some(b'?') => self.bogus_comment(at + 1),
            _ => {
                self.owned_text().push_char('<');
                self.pos = at + 1;
            }
        }
    }

    /// After `<!`.
    fn markup_declaration(&mut self, from: usize) {
        let rest = &self.src.as_bytes()[from..];
        if rest.starts_with(b"--") {
            self.comment(from + 2);
        } else if rest.len() >= 7 && rest[..7].eq_ignore_ascii_case(b"doctype") {
            self.doctype(from + 7);
        } else if rest.starts_with(b"[CDATA[")
            && self
                .sink
                .adjusted_current_node_present_but_not_in_html_namespace()
        {
            let start = from + 7;
            let end = memchr::memmem::find(&rest[7..], b"]]>").map(|e| start + e);
            let content = &self.src[start..end.unwrap_or(self.src.len())];
            push_replacing_nul(self.owned_text(), content);
            self.pos = end.map_or(self.src.len(), |e| e + 3);
        } else {
            self.bogus_comment(from);
        }
    }

    /// The comment states, from after `<!--`: the comment ends at `-->` or
    /// `--!>` (more dashes before the '>' belong to it), or at once for
    /// `<!-->` and `<!--->`.
    fn comment(&mut self, from: usize) {
        let bytes = self.src.as_bytes();
        let rest = &bytes[from..];
        let (content, end) = if rest.starts_with(b">") {
            (from..from, from + 1)
        } else if rest.starts_with(b"->") {
            (from..from, from + 2)
        } else {
            let mut search = from;
            loop {
                let Some(offset) = memchr::memmem::find(&bytes[search..], b"--") else {
                    // The page ends in the comment; a last dash is not its text.
                    let end = bytes.len() - usize::from(bytes.ends_with(b"-"));
                    break (from..end.max(from), bytes.len());
                };
                let dashes = search + offset;
                let mut after = dashes + 2;
                while bytes.get(after) == Some(&b'-') {
                    after += 1;
                }
                match bytes.get(after) {
                    Some(b'>') => break (from..after - 2, after + 1),
                    Some(b'!') if bytes.get(after + 1) == Some(&b'>') => {
                        break (from..after - 2, after + 2);
                    }
                    None => break (from..after - 2, bytes.len()),
                    _ => search = dashes + 1,
                }
            }
        };
        if !self.pruned() {
            self.flush();
            let mut text = StrTendril::new();
            push_replacing_nul(&mut text, &self.src[content]);
            self.send(Token::CommentToken(text));
        }
        self.pos = end;
    }

    /// A bogus comment: from `from` to the next '>'.
    fn bogus_comment(&mut self, from: usize) {
        let bytes = self.src.as_bytes();
        let end = memchr::memchr(b'>', &bytes[from..]).map_or(bytes.len(), |e| from + e);
        if !self.pruned() {
            self.flush();
            let mut text = StrTendril::new();
            push_replacing_nul(&mut text, &self.src[from..end]);
            self.send(Token::CommentToken(text));
        }
        self.pos = (end + 1).min(bytes.len());
    }

    /// The DOCTYPE states, from after `<!DOCTYPE`.
    fn doctype(&mut self, from: usize) {
        let bytes = self.src.as_bytes();
        let mut doctype = Doctype::default();
        let mut i = from;
        let skip_space = |mut i: usize| {
            while bytes.get(i).copied().is_some_and(is_space) {
                i += 1;
            }
            i
        };
        i = skip_space(i);
        let finish = |this: &mut Self, doctype: Doctype, end: usize| {
            this.flush();
            this.send(Token::DoctypeToken(doctype));
            this.pos = end;
        };
        // The name.
        match bytes.get(i) {
            None => {
                doctype.force_quirks = true;
                return finish(self, doctype, bytes.len());
            }
            Some(b'>') => {
                doctype.force_quirks = true;
                return finish(self, doctype, i + 1);
            }
            Some(_) => {
                let start = i;
                while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                    i += 1;
                }
                doctype.name = Some(lowercase_tendril(&self.src[start..i]));
            }
        }
        i = skip_space(i);
        match bytes.get(i) {
            None => {
                doctype.force_quirks = true;
                return finish(self, doctype, bytes.len());
            }
            Some(b'>') => return finish(self, doctype, i + 1),
            Some(_) => {}
        }
        let keyword = bytes.get(i..i + 6);
        let public = keyword.is_some_and(|k| k.eq_ignore_ascii_case(b"public"));
        let system = keyword.is_some_and(|k| k.eq_ignore_ascii_case(b"system"));
        if !public && !system {
            doctype.force_quirks = true;
            return finish(self, doctype, bogus_doctype_end(bytes, i));
        }
        i = skip_space(i + 6);
        // The identifiers: a public one may be followed by a system one.
        let mut want_public = public;
        loop {
            match bytes.get(i) {
                Some(&quote @ (b'"' | b'\'')) => {
                    let start = i + 1;
                    let mut end = start;
                    while end < bytes.len() && bytes[end] != quote && bytes[end] != b'>' {
                        end += 1;
                    }
                    let mut id = StrTendril::new();
                    push_replacing_nul(&mut id, &self.src[start..end]);
                    if want_public {
                        doctype.public_id = Some(id);
                    } else {
                        doctype.system_id = Some(id);
                    }
                    match bytes.get(end) {
                        Some(b'>') => {
                            doctype.force_quirks = true;
                            return finish(self, doctype, end + 1);
                        }
                        None => {
                            doctype.force_quirks = true;
                            return finish(self, doctype, bytes.len());
                        }
                        Some(_) => {}
                    }
                    i = skip_space(end + 1);
                    match bytes.get(i) {
                        Some(b'>') => return finish(self, doctype, i + 1),
                        None => {
                            doctype.force_quirks = true;
                            return finish(self, doctype, bytes.len());
                        }
                        Some(b'"' | b'\'') if want_public => want_public = false,
                        Some(_) => {
                            // After a public identifier: bogus, quirky; after a
                            // system identifier: bogus, not quirky.
                            doctype.force_quirks = want_public;
                            return finish(self, doctype, bogus_doctype_end(bytes, i));
                        }
                    }
                }
                Some(b'>') => {
                    doctype.force_quirks = true;
                    return finish(self, doctype, i + 1);
                }
                None => {
                    doctype.force_quirks = true;
                    return finish(self, doctype, bytes.len());
                }
                Some(_) => {
                    doctype.force_quirks = true;
                    return finish(self, doctype, bogus_doctype_end(bytes, i));
                }
            }
        }
    }

    /// A start or end tag whose name starts at `from`.
    fn tag(&mut self, from: usize, kind: TagKind) {
        let Some((tag, end)) = self.read_tag(from, kind) else {
            // The page ends inside the tag: it is dropped.
            self.pos = self.src.len();
            return;
        };
        self.pos = end;
        self.emit_tag(tag);
    }

    /// Reads a tag's name and attributes; `None` when the page ends first.
    fn read_tag(&self, from: usize, kind: TagKind) -> Option<(ReadTag, usize)> {
        let bytes = self.src.as_bytes();
        let mut i = from;
        while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'/' && bytes[i] != b'>' {
            i += 1;
        }
        let name = tag_atom(lowercase_name(&self.src[from..i]));
        let keep_attributes = kind == StartTag;
        let mut attrs: Vec<Attribute> = Vec::new();
        let mut self_closing = false;
        loop {
            // Before attribute name.
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            match *bytes.get(i)? {
                b'>' => {
                    let tag = ReadTag {
                        kind,
                        name,
                        self_closing,
                        attrs,
                    };
                    return Some((tag, i + 1));
                }
                b'/' => {
                    i += 1;
                    if bytes.get(i) == Some(&b'>') {
                        self_closing = true;
                    }
                    continue;
                }
                _ => {}
            }
            self_closing = false;
            // Attribute name: a leading '=' belongs to it.
            let start = i;
            i += 1;
            while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'/' | b'>' | b'=')
            {
                i += 1;
            }
            let raw_name = &self.src[start..i];
            // After attribute name.
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            let mut value = None;
            if *bytes.get(i)? == b'=' {
                i += 1;
                while i < bytes.len() && is_space(bytes[i]) {
                    i += 1;
                }
                let (range, end) = match *bytes.get(i)? {
                    quote @ (b'"' | b'\'') => {
                        let close = memchr::memchr(quote, &bytes[i + 1..])?;
                        (i + 1..i + 1 + close, i + 2 + close)
                    }
                    b'>' => (i..i, i),
                    _ => {
                        let mut end = i;
                        while end < bytes.len() && !is_space(bytes[end]) && bytes[end] != b'>' {
                            end += 1;
                        }
                        if end == bytes.len() {
                            return None;
                        }
                        (i..end, end)
                    }
                };
                value = Some(range);
                i = end;
            }
            if !keep_attributes {
                continue;
            }
            let lowered = lowercase_name(raw_name);
            if self.pruned() && !prune::is_read_attribute(&lowered) {
                continue;
            }
            let name = attribute_atom(lowered);
            if attrs.iter().any(|a| a.name.local == name) {
                continue;
            }
            let value = match value {
                Some(range) => attribute_value(&self.src[range]),
                None => StrTendril::new(),
            };
            attrs.push(Attribute {
                name: QualName::new(None, ns!(), name),
                value,
            });
        }
    }

    /// Hands over the pending text before a tag. In pruned mode, blank text
    /// between block tags ("</div>\n    <div>") is dropped: it is two
    /// fifths of a news page's nodes, no stage reads it, and every later
    /// walk over the tree would step over it.
    fn flush_before_tag(&mut self, tag: &ReadTag) {
        if !self.pruned() {
            return self.flush();
        }
        let block = is_block(&tag.name);
        let droppable = self.after_block && block && self.open_pre == 0;
        self.after_block = block;
        if matches!(&*tag.name, "pre" | "listing") {
            self.open_pre = match tag.kind {
                StartTag => self.open_pre + 1,
                EndTag => self.open_pre.saturating_sub(1),
            };
        }
        if droppable && self.pending_text_is_blank() {
            self.text_span = None;
            self.text.clear();
            return;
        }
        self.flush();
    }

    fn pending_text_is_blank(&self) -> bool {
        let blank = |t: &str| t.bytes().all(is_space);
        match self.text_span {
            Some((from, to)) => self.text.is_empty() && blank(&self.src[from..to]),
            None => blank(&self.text),
        }
    }

    fn emit_tag(&mut self, tag: ReadTag) {
        if self.pruned() && self.too_deep(&tag) {
            return;
        }
        self.flush_before_tag(&tag);
        let name = tag.name.clone();
        let start = tag.kind == StartTag;
        let self_closing = tag.self_closing;
        let drop_text = self.pruned()
            && start
            && match &*name {
                "style" => true,
                "script" => !tag.attrs.iter().any(|a| {
                    &*a.name.local == "type" && a.value.to_ascii_lowercase().contains("ld+json")
                }),
                _ => false,
            };
        let result = self.emit(Token::TagToken(Tag {
            kind: tag.kind,
            name: tag.name,
            self_closing: tag.self_closing,
            attrs: tag.attrs,
            had_duplicate_attributes: false,
        }));
        match result {
            TokenSinkResult::RawData(kind) => self.raw_text(kind, &name, drop_text),
            TokenSinkResult::Plaintext => {
                let rest = &self.src[self.pos..];
                push_replacing_nul(self.owned_text(), rest);
                self.pos = self.src.len();
            }
            _ => {
                if self.pruned() && start && !self_closing && &*name == "svg" {
                    // Inline pictures' paths: nothing reads them.
                    self.pos = appropriate_end_tag(self.src.as_bytes(), self.pos, b"svg");
                }
            }
        }
    }

    /// Whether a tag is past [`prune::MAX_NESTING`]; counts it otherwise.
    fn too_deep(&mut self, tag: &ReadTag) -> bool {
        let nests = !prune::does_not_nest(&tag.name);
        if tag.kind == StartTag {
            if self.depth >= prune::MAX_NESTING {
                return true;
            }
            if nests && !tag.self_closing {
                self.depth += 1;
            }
        } else {
            if self.depth > prune::MAX_NESTING {
                return true;
            }
            if nests {
                self.depth = self.depth.saturating_sub(1);
            }
        }
        false
    }

    /// The text of an element the tree builder reads raw, then its end tag.
    fn raw_text(&mut self, kind: RawKind, name: &str, drop_text: bool) {
        let bytes = self.src.as_bytes();
        let from = self.pos;
        let end = match kind {
            RawKind::ScriptData | RawKind::ScriptDataEscaped(_) => script_end(bytes, from),
            RawKind::Rcdata | RawKind::Rawtext => appropriate_end_tag(bytes, from, name.as_bytes()),
        };
        let content = &self.src[from..end];
        if !drop_text {
            let text = self.owned_text();
            if kind == RawKind::Rcdata {
                let mut rest = content;
                while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
                    push_replacing_nul(text, &rest[..at]);
                    let next = char_ref(rest, at + 1, false, text);
                    rest = &rest[next..];
                }
                push_replacing_nul(text, rest);
            } else {
                push_replacing_nul(text, content);
            }
        }
        self.pos = end;
        if end < bytes.len() {
            // `</name` followed by a space, '/' or '>'.
            self.tag(end + 2, EndTag);
        }
    }
}

/// Elements around which blank text means nothing: the blocks the
/// sanitizer breaks text at, what the head holds and what renders no text,
/// and table parts other than cells (whose text the cleaner joins with what
/// stands between them).
fn is_block(name: &str) -> bool {
    crate::sanitize::is_block_name(name)
        || matches!(
            name,
            "html"
                | "head"
                | "body"
                | "meta"
                | "link"
                | "title"
                | "base"
                | "script"
                | "style"
                | "noscript"
                | "template"
                | "iframe"
                | "svg"
                | "nav"
                | "form"
                | "fieldset"
                | "thead"
                | "tbody"
                | "tfoot"
                | "colgroup"
                | "col"
        )
}

/// Where the bogus DOCTYPE state ends: after the next '>'.
fn bogus_doctype_end(bytes: &[u8], from: usize) -> usize {
    memchr::memchr(b'>', &bytes[from..]).map_or(bytes.len(), |e| from + e + 1)
}

/// The atom of a tag name. The common ones are matched here: html5ever's
/// static set is otherwise looked up through a hash of the name, for every
/// tag of the page. (Tags and attributes have a function each: a string
/// `match` compares arm after arm, and one over both lists made every
/// attribute pass the tags first: 0.7% more instructions in all.)
fn tag_atom(name: Cow<'_, str>) -> LocalName {
    match &*name {
        "div" => local_name!("div"),
        "a" => local_name!("a"),
        "span" => local_name!("span"),
        "li" => local_name!("li"),
        "p" => local_name!("p"),
        "img" => local_name!("img"),
        "script" => local_name!("script"),
        "meta" => local_name!("meta"),
        "link" => local_name!("link"),
        "td" => local_name!("td"),
        "ul" => local_name!("ul"),
        "br" => local_name!("br"),
        "i" => local_name!("i"),
        "input" => local_name!("input"),
        "svg" => local_name!("svg"),
        "option" => local_name!("option"),
        "strong" => local_name!("strong"),
        "h2" => local_name!("h2"),
        "h3" => local_name!("h3"),
        "button" => local_name!("button"),
        "source" => local_name!("source"),
        "style" => local_name!("style"),
        "label" => local_name!("label"),
        "noscript" => local_name!("noscript"),
        "section" => local_name!("section"),
        "article" => local_name!("article"),
        "figure" => local_name!("figure"),
        "em" => local_name!("em"),
        "b" => local_name!("b"),
        "header" => local_name!("header"),
        "nav" => local_name!("nav"),
        "footer" => local_name!("footer"),
        "aside" => local_name!("aside"),
        "form" => local_name!("form"),
        "picture" => local_name!("picture"),
        "time" => local_name!("time"),
        "small" => local_name!("small"),
        "table" => local_name!("table"),
        "tbody" => local_name!("tbody"),
        "tr" => local_name!("tr"),
        "col" => local_name!("col"),
        "h1" => local_name!("h1"),
        "h4" => local_name!("h4"),
        "iframe" => local_name!("iframe"),
        "title" => local_name!("title"),
        "html" => local_name!("html"),
        "head" => local_name!("head"),
        "body" => local_name!("body"),
        "hr" => local_name!("hr"),
        "figcaption" => local_name!("figcaption"),
        "th" => local_name!("th"),
        "code" => local_name!("code"),
        "main" => local_name!("main"),
        "blockquote" => local_name!("blockquote"),
        "ol" => local_name!("ol"),
        "sup" => local_name!("sup"),
        "cite" => local_name!("cite"),
        "h5" => local_name!("h5"),
        "h6" => local_name!("h6"),
        "dd" => local_name!("dd"),
        "dt" => local_name!("dt"),
        "dl" => local_name!("dl"),
        "pre" => local_name!("pre"),
        "u" => local_name!("u"),
        "s" => local_name!("s"),
        _ => LocalName::from(name),
    }
}

/// The atom of an attribute's name, as [`tag_atom`] for tags.
fn attribute_atom(name: Cow<'_, str>) -> LocalName {
    match &*name {
        "class" => local_name!("class"),
        "id" => local_name!("id"),
        "href" => local_name!("href"),
        "src" => local_name!("src"),
        "alt" => local_name!("alt"),
        "title" => local_name!("title"),
        "rel" => local_name!("rel"),
        "type" => local_name!("type"),
        "style" => local_name!("style"),
        "srcset" => local_name!("srcset"),
        "width" => local_name!("width"),
        "height" => local_name!("height"),
        "content" => local_name!("content"),
        "name" => local_name!("name"),
        "property" => local_name!("property"),
        "itemprop" => local_name!("itemprop"),
        "datetime" => local_name!("datetime"),
        "lang" => local_name!("lang"),
        "role" => local_name!("role"),
        "hidden" => local_name!("hidden"),
        "aria-hidden" => local_name!("aria-hidden"),
        "colspan" => local_name!("colspan"),
        "rowspan" => local_name!("rowspan"),
        "scope" => local_name!("scope"),
        "itemscope" => local_name!("itemscope"),
        "itemtype" => local_name!("itemtype"),
        "cite" => local_name!("cite"),
        "dir" => local_name!("dir"),
        "start" => local_name!("start"),
        "reversed" => local_name!("reversed"),
        "hreflang" => local_name!("hreflang"),
        "xml:lang" => local_name!("xml:lang"),
        _ => LocalName::from(name),
    }
}

/// A tag or attribute name: ASCII lowercased, NUL replaced.
fn lowercase_name(raw: &str) -> Cow<'_, str> {
    if raw.bytes().all(|b| !b.is_ascii_uppercase() && b != b'\0') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.to_ascii_lowercase().replace('\0', "\u{fffd}"))
}

fn lowercase_tendril(raw: &str) -> StrTendril {
    let mut out = StrTendril::new();
    push_replacing_nul(&mut out, &raw.to_ascii_lowercase());
    out
}

fn push_replacing_nul(out: &mut StrTendril, text: &str) {
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'\0', rest.as_bytes()) {
        out.push_slice(&rest[..at]);
        out.push_char('\u{fffd}');
        rest = &rest[at + 1..];
    }
    out.push_slice(rest);
}

/// An attribute's value with its character references decoded.
fn attribute_value(raw: &str) -> StrTendril {
    if memchr::memchr2(b'&', b'\0', raw.as_bytes()).is_none() {
        return StrTendril::from_slice(raw);
    }
    let mut out = StrTendril::new();
    let mut rest = raw;
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        push_replacing_nul(&mut out, &rest[..at]);
        let next = char_ref(rest, at + 1, true, &mut out);
        rest = &rest[next..];
    }
    push_replacing_nul(&mut out, rest);
    out
}

/// Decodes the character reference after a '&' at `at - 1` into `out`;
/// returns where reading goes on. What is no reference stays text.
fn char_ref(src: &str, at: usize, in_attribute: bool, out: &mut StrTendril) -> usize {
    let bytes = src.as_bytes();
    match bytes.get(at) {
        Some(b'#') => numeric_ref(bytes, at + 1, out).unwrap_or_else(|| {
            out.push_char('&');
            at
        }),
        Some(c) if c.is_ascii_alphanumeric() => {
            // The longest name in the table; a name's prefixes are in it too.
            let mut found = None;
            let mut end = at;
            while end < bytes.len() {
                let c = bytes[end];
                if !c.is_ascii_alphanumeric() && c != b';' {
                    break;
                }
                end += 1;
                match NAMED_ENTITIES.get(&src[at..end]) {
                    Some(&(first, second)) => {
                        if first != 0 {
                            found = Some((end, first, second));
                        }
                        if c == b';' {
                            break;
                        }
                    }
                    None => break,
                }
            }
            let Some((end, first, second)) = found else {
                out.push_char('&');
                return at;
            };
            if in_attribute
                && bytes[end - 1] != b';'
                && bytes
                    .get(end)
                    .is_some_and(|&c| c == b'=' || c.is_ascii_alphanumeric())
            {
                out.push_char('&');
                return at;
            }
            for code in [first, second] {
                if let Some(c) = char::from_u32(code).filter(|_| code != 0) {
                    out.push_char(c);
                }
            }
            end
        }
        _ => {
            out.push_char('&');
            at
        }
    }
}

/// A numeric reference after `&#`; `None` without digits.
fn numeric_ref(bytes: &[u8], from: usize, out: &mut StrTendril) -> Option<usize> {
    let hex = matches!(bytes.get(from), Some(b'x' | b'X'));
    let base = if hex { 16 } else { 10 };
    let mut i = if hex { from + 1 } else { from };
    let digits = i;
    let mut value: u32 = 0;
    let mut too_big = false;
    while let Some(digit) = bytes.get(i).and_then(|&b| (b as char).to_digit(base)) {
        value = value.wrapping_mul(base);
        if value > 0x10FFFF {
            too_big = true;
        }
        value = value.wrapping_add(digit);
        i += 1;
    }
    if i == digits {
        return None;
    }
    if bytes.get(i) == Some(&b';') {
        i += 1;
    }
    let c = match value {
        _ if too_big || value > 0x10FFFF => '\u{fffd}',
        0 | 0xD800..=0xDFFF => '\u{fffd}',
        0x80..=0x9F => C1_REPLACEMENTS[(value - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(value).unwrap_or('\u{fffd}')),
        _ => char::from_u32(value).unwrap_or('\u{fffd}'),
    };
    out.push_char(c);
    Some(i)
}

/// Whether `</name` starts at `at`, followed by a space, '/' or '>'.
fn is_end_tag_at(bytes: &[u8], at: usize, name: &[u8]) -> bool {
    let after = at + 2 + name.len();
    bytes.get(at + 1) == Some(&b'/')
        && bytes
            .get(at + 2..after)
            .is_some_and(|n| n.eq_ignore_ascii_case(name))
        && bytes
            .get(after)
            .is_some_and(|&b| is_space(b) || b == b'/' || b == b'>')
}

/// Where RCDATA or RAWTEXT ends (or, in pruned mode, an inline SVG's
/// content): its end tag, or the end of the page.
fn appropriate_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(offset) = memchr::memchr(b'<', &bytes[i..]) {
        let at = i + offset;
        if is_end_tag_at(bytes, at, name) {
            return at;
        }
        i = at + 1;
    }
    bytes.len()
}

/// Where a script's text ends: the script data states, with the escapes
/// that keep `</script>` inside `<!-- <script> … </script> -->` as text.
fn script_end(bytes: &[u8], from: usize) -> usize {
    #[derive(Clone, Copy)]
    enum State {
        Data,
        Escaped,
        EscapedDash,
        EscapedDashDash,
        DoubleEscaped,
        DoubleEscapedDash,
        DoubleEscapedDashDash,
    }
    const SCRIPT: &[u8] = b"script";
    // After `<` + letters: whether those letters spell "script" and end there.
    let names_script = |at: usize| -> Option<usize> {
        let mut end = at;
        while end < bytes.len() && bytes[end].is_ascii_alphabetic() {
            end += 1;
        }
        let next = bytes.get(end).copied()?;
        (bytes[at..end].eq_ignore_ascii_case(SCRIPT)
            && (is_space(next) || next == b'/' || next == b'>'))
            .then_some(end)
    };
    let mut state = State::Data;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        match state {
            State::Data => {
                // Only `<` matters here; jump to it.
                let Some(offset) = memchr::memchr(b'<', &bytes[i..]) else {
                    return bytes.len();
                };
                i += offset;
                if is_end_tag_at(bytes, i, SCRIPT) {
                    return i;
                }
                if bytes[i + 1..].starts_with(b"!--") {
                    // `<!--`: the last dashes can close it at once (`<!-->`).
                    state = State::EscapedDashDash;
                    i += 4;
                    continue;
                }
                i += 1;
            }
            State::Escaped | State::EscapedDash | State::EscapedDashDash => match b {
                b'-' => {
                    state = match state {
                        State::Escaped => State::EscapedDash,
                        _ => State::EscapedDashDash,
                    };
                    i += 1;
                }
                b'>' if matches!(state, State::EscapedDashDash) => {
                    state = State::Data;
                    i += 1;
                }
                b'<' => {
                    if is_end_tag_at(bytes, i, SCRIPT) {
                        return i;
                    }
                    state = State::Escaped;
                    if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
                        && let Some(end) = names_script(i + 1)
                    {
                        state = State::DoubleEscaped;
                        i = end;
                    } else {
                        i += 1;
                    }
                }
                _ => {
                    state = State::Escaped;
                    i += 1;
                }
            },
            State::DoubleEscaped | State::DoubleEscapedDash | State::DoubleEscapedDashDash => {
                match b {
                    b'-' => {
                        state = match state {
                            State::DoubleEscaped => State::DoubleEscapedDash,
                            _ => State::DoubleEscapedDashDash,
                        };
                        i += 1;
                    }
                    b'>' if matches!(state, State::DoubleEscapedDashDash) => {
                        state = State::Data;
                        i += 1;
                    }
                    b'<' => {
                        state = State::DoubleEscaped;
                        if bytes.get(i + 1) == Some(&b'/')
                            && let Some(end) = names_script(i + 2)
                        {
                            state = State::Escaped;
                            i = end;
                        } else {
                            i += 1;
                        }
                    }
                    _ => {
                        state = State::DoubleEscaped;
                        i += 1;
                    }
                }
            }
        }
    }
    bytes.len()
}

/// Where the faithful tokenizer and html5ever's own build different trees
/// from `html`: the two trees as text, else `None`. For the tests and the
/// differential fuzz target.
pub fn differs_from_html5ever(html: &str) -> Option<(String, String)> {
    let ours = dump(&parse_document(html, Mode::Faithful));
    let theirs = dump(&html5ever_tree(html));
    (ours != theirs).then_some((ours, theirs))
}

/// The tree as text: one line per node, indented by depth.
pub(crate) fn dump(doc: &Html) -> String {
    use ego_tree::NodeRef;
    use scraper::Node;
    fn walk(node: NodeRef<'_, Node>, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        match node.value() {
            Node::Element(e) => {
                let mut attrs: Vec<String> = e.attrs().map(|(k, v)| format!("{k}={v:?}")).collect();
                attrs.sort();
                out.push_str(&format!(
                    "{pad}<{}:{} {}>\n",
                    e.name.ns,
                    e.name(),
                    attrs.join(" ")
                ));
            }
            Node::Text(t) => out.push_str(&format!("{pad}{:?}\n", &**t)),
            Node::Comment(c) => out.push_str(&format!("{pad}<!--{:?}-->\n", &**c)),
            Node::Doctype(d) => out.push_str(&format!(
                "{pad}<!DOCTYPE {:?} {:?} {:?}>\n",
                d.name(),
                d.public_id(),
                d.system_id()
            )),
            other => out.push_str(&format!("{pad}{other:?}\n")),
        }
        for child in node.children() {
            walk(child, depth + 1, out);
        }
    }
    let mut out = format!("{:?}\n", doc.quirks_mode);
    walk(doc.tree.root(), 0, &mut out);
    out
}

fn html5ever_tree(html: &str) -> Html {
    use html5ever::tendril::TendrilSink;
    let opts = html5ever::ParseOpts {
        tree_builder: TreeBuilderOpts {
            scripting_enabled: false,
            ..Default::default()
        },
        ..Default::default()
    };
    html5ever::driver::parse_document(HtmlTreeSink::new(Html::new_document()), opts).one(html)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn same_as_html5ever(html: &str) {
        if let Some((ours, theirs)) = differs_from_html5ever(html) {
            assert_eq!(ours, theirs, "input: {html:?}");
        }
    }

    #[test]
    fn builds_the_fragment_html5ever_builds() {
        for html in [
            "text <b>bold</b><p>para<p>two",
            "<noscript><p>raw</p></noscript><script>x</script>",
            "<html><body class=x><p>in body</p></body></html>",
            "<tr><td>cell</td></tr><li>item",
        ] {
            let ours = dump(&parse_fragment(html, Mode::Faithful));
            let theirs = dump(&Html::parse_fragment(html));
            assert_eq!(ours, theirs, "input: {html:?}");
        }
    }

    #[test]
    fn builds_the_tree_html5ever_builds() {
        for html in [
            "",
            "plain text",
            "<!DOCTYPE html><html><head><title>A &amp; B</title></head><body><p>One<p>Two</body></html>",
            "<!doctype html PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\"><p>x",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.0 Transitional//EN\"><p><table><tr><td>q</table>",
            "<!DOCTYPE>x",
            "<!DOCTYPE html SYSTEM 'about:legacy-compat' junk>x",
            "<!DOCTYPE html PUBLIC junk>x",
            "<p class=a class=b ID=X data-x='1' hidden>t</p>",
            "<a href=\"?a=1&b=2&copy=3&copy;&notit;&not&#x41;&#65&#0;&#x110000;&#128;&#xD800;\">&notin; &noti &amp &ampx &#x; &#; & &;</a>",
            "<img src=a.png alt=\"Bob's\" / ><br/><input value=x/>",
            "<div>a<!-- c -->b<!---->c<!-->d<!--->e<!-- x --!>f<!-- y ---->g</div>",
            "<div><!-- unterminated -",
            "<?php echo 1 ?><p>x</p><! bogus ></ 3>y</>z",
            "<script>if (a<b) { x = '</scr' + 'ipt>'; }</script><p>after",
            "<script><!-- document.write('<script>x</script>'); --></script><p>after",
            "<script><!--<script></script>--></script><p>after</p><script>--></SCRIPT >z",
            "<style>p { content: '</p>' }</style><title>a <b> &lt; c</title><textarea>\nline &amp; </textarea >",
            "<xmp><b>raw</b></xmp><iframe><p>raw</iframe><noscript><p>markup</p></noscript>",
            "<plaintext><p>all text &amp; </plaintext>",
            "<svg><title>t</title><![CDATA[ <x> ]]><path d='M0'/></svg><math><mi>x</mi></math><![CDATA[y]]>",
            "<table><tr><td>a<td>b</table><ul><li>1<li>2</ul><dl><dt>a<dd>b</dl>",
            "<b><i>x</b>y</i><p>1<b>2<p>3</b>4",
            "<a href=x>one<a href=y>two</a></a><form><form></form>",
            "<div\nclass=\"x\"\tid='y'>a\r\nb\rc</div>",
            "\u{feff}<p>bom</p>",
            "a\0b<p title=\"x\0y\">c</p>",
            "<p>unterminated <a href=\"x",
            "<p>end <a href=x",
            "<p>text</p></body></html><p>after html",
            "<head><meta charset=utf-8><link rel=x><script>1</script><style>s</style></head><body>b",
            "<div a=1 a=2 =x b= c =>t</div>",
            "<p>a < b and c<d e>f</p>",
            "<textarea>x</textarea",
            "<title>x</titlex></title>y",
            "<script>a</script",
            "<!DOCTYPE html><html lang=en><body><h1>A</h1><h2>B<h3>C</h3></h2><pre>\n\nx</pre>",
            "<select><option>a<option>b</select><button><button>",
            "<p>&NotNestedGreaterGreater; &nbsp;x&nbspy &lt&gt</p>",
        ] {
            same_as_html5ever(html);
        }
    }

    /// Every readability corpus page (and, for a wider check, every file in
    /// the folder `BULLETIN_TOKENIZER_PAGES` names) builds the same tree.
    #[test]
    fn builds_the_same_tree_on_real_pages() {
        let mut files = Vec::new();
        let readability = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/corpus/readability/test/test-pages");
        if let Ok(dirs) = std::fs::read_dir(&readability) {
            files.extend(dirs.flatten().map(|d| d.path().join("source.html")));
        }
        if let Some(dir) = std::env::var_os("BULLETIN_TOKENIZER_PAGES") {
            let pages = std::fs::read_dir(dir).expect("BULLETIN_TOKENIZER_PAGES is a folder");
            files.extend(pages.flatten().map(|d| d.path()));
        }
        if files.is_empty() {
            eprintln!("skipped: ../shared/corpus not found");
            return;
        }
        let mut differ = Vec::new();
        for file in &files {
            let Ok(bytes) = std::fs::read(file) else {
                continue;
            };
            let html = String::from_utf8_lossy(&bytes);
            let ours = dump(&parse_document(&html, Mode::Faithful));
            let theirs = dump(&html5ever_tree(&html));
            if ours != theirs {
                let line = ours
                    .lines()
                    .zip(theirs.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                let show = |d: &str| {
                    d.lines()
                        .skip(line.saturating_sub(2))
                        .take(5)
                        .collect::<Vec<_>>()
                        .join("\n")
                };
                eprintln!(
                    "{}:\n  ours:   {}\n  theirs: {}",
                    file.display(),
                    show(&ours),
                    show(&theirs)
                );
                differ.push(file.display().to_string());
            }
        }
        assert!(
            differ.is_empty(),
            "{} of {} pages differ: {differ:?}",
            differ.len(),
            files.len()
        );
    }
}
