//! The one place where HTML from the web becomes safe to store and show.
//!
//! HTML is parsed by html5ever (the HTML5 parsing algorithm browsers use) and
//! written back out from the tree through an allowlist: only listed elements
//! and attributes survive, every URL is resolved and must use an allowed
//! scheme, and all text and attribute values are escaped on output. Script,
//! style and embedding elements are dropped with their content; other unknown
//! elements are unwrapped, keeping their text. Nothing is passed through as
//! raw markup, so what the parser did not understand cannot reach a browser.
//!
//! The same walk also produces the plain text (paragraphs separated by blank
//! lines) and notes the first figure, so a body is parsed once.

use crate::dom::GetAttr;
use bulletin_core::{Image, text};
use ego_tree::NodeRef;
use scraper::{Node, node::Element};
use std::fmt::Write;
use url::Url;

/// A body made safe: sanitized HTML, its plain text, and its first picture.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CleanHtml {
    pub html: String,
    pub text: String,
    /// The first `<figure>` with an image, or the first image, with its caption.
    pub first_image: Option<Image>,
    /// For each paragraph of `text`, the range of `html` that holds it: from
    /// its innermost block's start tag (or the end of the previous
    /// paragraph) to the end of the paragraph.
    pub(crate) paragraph_spans: Vec<(usize, usize)>,
    /// For each paragraph of `text`, the share of its characters inside links.
    pub(crate) paragraph_link_share: Vec<f32>,
}

/// Sanitizes an HTML fragment (such as a feed entry's content), resolving
/// relative URLs against `base`.
pub fn sanitize_fragment(html: &str, base: Option<&Url>) -> CleanHtml {
    let doc = crate::tokenizer::parse_fragment(html, crate::tokenizer::Mode::Pruned);
    let mut cleaner = Cleaner::new(base, None);
    for child in doc.tree.root().children() {
        cleaner.walk(child);
    }
    cleaner.finish()
}

/// Elements dropped together with everything inside them.
fn is_dropped_with_content(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "template"
            | "iframe"
            | "object"
            | "embed"
            | "applet"
            | "noscript"
            | "svg"
            | "math"
            | "canvas"
            | "form"
            | "input"
            | "button"
            | "select"
            | "textarea"
            | "option"
            | "head"
            | "title"
            | "meta"
            | "link"
            | "base"
            | "frame"
            | "frameset"
            | "noframes"
            | "xmp"
            | "plaintext"
            | "noembed"
            | "dialog"
            | "audio"
            | "video"
            | "source"
            | "track"
            | "param"
            | "nav"
            | "label"
            | "fieldset"
            | "datalist"
            | "output"
            | "progress"
            | "meter"
            // Ruby annotations (furigana) would interleave with the text.
            | "rt"
            | "rp"
    )
}

/// Elements kept (with their allowed attributes only).
fn is_allowed(name: &str) -> bool {
    matches!(
        name,
        "a" | "abbr"
            | "b"
            | "bdi"
            | "bdo"
            | "blockquote"
            | "br"
            | "caption"
            | "cite"
            | "code"
            | "col"
            | "colgroup"
            | "dd"
            | "del"
            | "details"
            | "dfn"
            | "div"
            | "dl"
            | "dt"
            | "em"
            | "figcaption"
            | "figure"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "hr"
            | "i"
            | "img"
            | "ins"
            | "kbd"
            | "li"
            | "mark"
            | "ol"
            | "p"
            | "pre"
            | "q"
            | "rp"
            | "rt"
            | "ruby"
            | "s"
            | "samp"
            | "small"
            | "strong"
            | "sub"
            | "summary"
            | "sup"
            | "table"
            | "tbody"
            | "td"
            | "tfoot"
            | "th"
            | "thead"
            | "time"
            | "tr"
            | "u"
            | "ul"
            | "var"
            | "wbr"
    )
}

fn is_void(name: &str) -> bool {
    matches!(name, "br" | "hr" | "img" | "wbr" | "col")
}

/// Elements after which plain text starts a new paragraph.
pub(crate) fn is_block_name(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "figure"
            | "figcaption"
            | "table"
            | "tr"
            | "hr"
            | "section"
            | "article"
            | "header"
            | "main"
            | "details"
            | "summary"
            | "caption"
            | "center"
            | "address"
            | "aside"
            | "footer"
    )
}

enum AttrKind {
    Text,
    Url,
    Number,
}

fn allowed_attr(tag: &str, attr: &str) -> Option<AttrKind> {
    use AttrKind::*;
    Some(match (tag, attr) {
        (_, "lang") | (_, "dir") => Text,
        ("a", "href") => Url,
        ("a", "title") | ("abbr", "title") | ("a", "hreflang") => Text,
        ("img", "src") => Url,
        ("img", "alt") | ("img", "title") => Text,
        ("img", "width") | ("img", "height") => Number,
        ("td" | "th", "colspan" | "rowspan") => Number,
        ("th", "scope") => Text,
        ("ol", "start") => Number,
        ("ol", "reversed") | ("ol", "type") => Text,
        ("time", "datetime") => Text,
        ("q" | "blockquote" | "del" | "ins", "cite") => Url,
        _ => return None,
    })
}

/// Decides which elements of a page are not part of an article body.
/// What the body filter says of an element.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Keep,
    Drop,
    /// Boilerplate around something worth keeping (an article header around
    /// its standfirst): only the elements the filter rescues are kept.
    Rescue,
}

/// Decides, element by element, what belongs to the article body.
pub(crate) trait BodyFilter {
    fn verdict(&self, node: NodeRef<'_, Node>) -> Verdict;
    /// Inside a rescued element: whether this one is kept whole.
    fn rescues(&self, node: NodeRef<'_, Node>) -> bool;
    /// Whether a `<noscript>` holds the article itself.
    fn shows_noscript(&self, node: NodeRef<'_, Node>) -> bool;
}

pub(crate) type JunkFilter<'f> = &'f dyn BodyFilter;

pub(crate) struct Cleaner<'a> {
    base: Option<&'a Url>,
    junk: Option<JunkFilter<'a>>,
    html: String,
    text: String,
    paragraph: String,
    in_pre: usize,
    in_caption: usize,
    /// Inside a picture's credit (`<span class="credit">`, a caption's
    /// `<small>`), which is also caption text.
    in_credit: usize,
    /// Inside a `<figure>`, the one being read or any other.
    in_figure: usize,
    in_link: usize,
    /// Characters of the current paragraph inside links.
    paragraph_link_chars: usize,
    paragraph_link_share: Vec<f32>,
    /// The first image inside a `<figure>`, with its caption.
    figure_image: Option<Image>,
    /// The first image anywhere, for when no figure has one.
    loose_image: Option<Image>,
    /// Inside the figure being read: its caption and credit so far.
    open_figure: Option<FigureText>,
    depth: usize,
    /// Where in `html` the innermost open block began.
    /// Where in `html` each open block began, innermost last.
    block_starts: Vec<usize>,
    /// Where in `html` the paragraph being collected began.
    paragraph_start: usize,
    paragraph_spans: Vec<(usize, usize)>,
}

/// The text of a figure's caption and of its credit where the markup sets
/// them apart.
#[derive(Default)]
struct FigureText {
    caption: String,
    credit: String,
}

impl FigureText {
    /// The caption and the credit: a credit the markup gives, without its
    /// label ("Photo: "); else one the caption's words give ("… (Photo by
    /// X)", "… Photo: X").
    fn caption_and_credit(self) -> (Option<String>, Option<String>) {
        let mut credit = text::collapse_whitespace(&self.credit);
        // A caption's last line may be its credit ("…?<br><a>Fotolia 755112
        // – deadline concept</a>").
        let mut lines: Vec<String> = self
            .caption
            .lines()
            .map(text::collapse_whitespace)
            .filter(|l| !l.is_empty())
            .collect();
        if credit.is_empty()
            && lines.len() >= 2
            && let Some(last) = lines.last().and_then(|l| crate::caption::as_credit_line(l))
        {
            credit = last;
            lines.pop();
        }
        let caption = lines.join(" ");
        // With the credit set apart, what stood between them goes: a label
        // ("Foto:"), a separator (" - ").
        let caption = if credit.is_empty() {
            caption
        } else {
            crate::caption::without_trailing_label(&caption)
                .trim_end_matches([' ', '-', '–', '—', '|'])
                .to_string()
        };
        let (caption, credit_in_words) = if caption.is_empty() {
            (None, None)
        } else {
            crate::caption::split_caption_credit(&caption)
        };
        let credit = if credit.is_empty() {
            credit_in_words
        } else {
            Some(crate::caption::without_credit_label(&credit))
        };
        (caption, credit.filter(|c| !c.is_empty()))
    }
}

/// Whether a class or id token of `el` holds one of `words`
/// ("image-caption", "wp-caption-text", "photo-credit").
fn classed(el: &Element, words: &[&str]) -> bool {
    crate::dom::any_class_token(el, |token| words.iter().any(|w| token.contains(w)))
}

impl<'a> Cleaner<'a> {
    pub(crate) fn new(base: Option<&'a Url>, junk: Option<JunkFilter<'a>>) -> Cleaner<'a> {
        Cleaner {
            base,
            junk,
            html: String::new(),
            text: String::new(),
            paragraph: String::new(),
            in_pre: 0,
            in_caption: 0,
            in_credit: 0,
            in_figure: 0,
            in_link: 0,
            paragraph_link_chars: 0,
            paragraph_link_share: Vec::new(),
            figure_image: None,
            loose_image: None,
            open_figure: None,
            depth: 0,
            block_starts: Vec::new(),
            paragraph_start: 0,
            paragraph_spans: Vec::new(),
        }
    }

    pub(crate) fn finish(mut self) -> CleanHtml {
        self.end_paragraph();
        CleanHtml {
            html: self.html,
            text: self.text,
            first_image: self.figure_image.or(self.loose_image),
            paragraph_spans: self.paragraph_spans,
            paragraph_link_share: self.paragraph_link_share,
        }
    }

    pub(crate) fn walk(&mut self, node: NodeRef<'_, Node>) {
        // Pathologically deep markup is cut off rather than overflowing the stack.
        if self.depth > crate::MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_inner(node);
        self.depth -= 1;
    }

    fn walk_inner(&mut self, node: NodeRef<'_, Node>) {
        match node.value() {
            Node::Text(t) => self.push_text(t),
            Node::Element(el) => self.walk_element(node, el),
            Node::Document | Node::Fragment => {
                for child in node.children() {
                    self.walk(child);
                }
            }
            _ => {}
        }
    }

    fn walk_element(&mut self, node: NodeRef<'_, Node>, el: &Element) {
        let name = el.name();
        if is_hidden_at(node, el) {
            return;
        }
        if is_dropped_with_content(name) {
            if name == "noscript" && self.junk.is_some_and(|f| f.shows_noscript(node)) {
                for child in node.children() {
                    self.walk(child);
                }
            }
            return;
        }
        if let Some(filter) = self.junk {
            match filter.verdict(node) {
                Verdict::Keep => {}
                Verdict::Drop => return,
                Verdict::Rescue => {
                    self.walk_rescued(node, filter);
                    return;
                }
            }
        }
        let block = is_block_name(name);
        if block {
            self.end_paragraph();
            self.block_starts.push(self.html.len());
        }
        let keep = is_allowed(name);
        if name == "img" {
            self.write_img(el);
            return;
        }
        let reads_figure =
            name == "figure" && self.figure_image.is_none() && self.open_figure.is_none();
        if reads_figure {
            self.open_figure = Some(FigureText::default());
        }
        // A figure's caption and credit, as news sites mark them up: a
        // `<figcaption>`, or an element classed as a caption or a credit
        // beside the picture; a `<small>` or `<cite>` in a caption is its
        // credit. Their text is the picture's, not the article's.
        let (caption_part, credit_part) = if self.in_figure > 0 {
            let caption = name == "figcaption" || classed(el, &["caption"]);
            // (A `<figcaption>` classed as a credit holds the caption too.)
            let credit = (name != "figcaption"
                && classed(
                    el,
                    &[
                        "credit",
                        "copyright",
                        "photographer",
                        "attribution",
                        "author",
                        "autor",
                        "firma",
                    ],
                )
                || el.get_attr("itemprop").is_some_and(|p| {
                    let p = p.to_ascii_lowercase();
                    ["copyright", "author", "creator"]
                        .iter()
                        .any(|w| p.contains(w))
                }))
                || (self.in_caption > 0 && matches!(name, "small" | "cite"));
            let holds_picture = (caption || credit)
                && node
                    .descendants()
                    .any(|d| matches!(d.value(), Node::Element(e) if matches!(e.name(), "img" | "picture")));
            (caption && !holds_picture, credit && !holds_picture)
        } else {
            (name == "figcaption", false)
        };
        if name == "figure" {
            self.in_figure += 1;
        }
        if keep {
            self.html.push('<');
            self.html.push_str(name);
            self.write_attrs(name, el);
            if name == "a" {
                self.html.push_str(" rel=\"noopener noreferrer nofollow\"");
            }
            self.html.push('>');
        }
        if name == "br"
            && self.in_caption > 0
            && let Some(figure) = self.open_figure.as_mut()
        {
            let part = if self.in_credit > 0 {
                &mut figure.credit
            } else {
                &mut figure.caption
            };
            part.push('\n');
        }
        if name == "br" {
            // Two line breaks in a row end a paragraph, as they read.
            if self.in_pre == 0 && self.paragraph.trim_end_matches(' ').ends_with('\n') {
                self.end_paragraph();
            } else {
                self.paragraph.push('\n');
            }
        }
        if name == "pre" {
            self.in_pre += 1;
        }
        if caption_part || credit_part {
            self.in_caption += 1;
            self.figure_text_break();
        }
        if credit_part {
            self.in_credit += 1;
        }
        if name == "a" {
            self.in_link += 1;
        }
        if !is_void(name) {
            for child in node.children() {
                self.walk(child);
            }
            if keep {
                let _ = write!(self.html, "</{name}>");
            }
        }
        if name == "pre" {
            self.in_pre -= 1;
        }
        if caption_part || credit_part {
            self.figure_text_break();
            self.in_caption -= 1;
        }
        if credit_part {
            self.in_credit -= 1;
        }
        if name == "a" {
            self.in_link -= 1;
        }
        if name == "figure" {
            self.in_figure -= 1;
        }
        if reads_figure
            && let Some(figure) = self.open_figure.take()
            && let Some(img) = self.figure_image.as_mut()
        {
            let (caption, credit) = figure.caption_and_credit();
            img.caption = caption;
            if img.credit.is_none() {
                img.credit = credit;
            }
        }
        if block {
            self.end_paragraph();
            self.block_starts.pop();
        }
    }

    /// Walks only the parts of a boilerplate element that the filter rescues.
    pub(crate) fn walk_rescued(&mut self, node: NodeRef<'_, Node>, filter: &dyn BodyFilter) {
        for child in node.children() {
            let Node::Element(el) = child.value() else {
                continue;
            };
            if is_dropped_with_content(el.name()) || filter.verdict(child) == Verdict::Drop {
                continue;
            }
            if filter.rescues(child) {
                self.walk(child);
            } else {
                self.walk_rescued(child, filter);
            }
        }
    }

    fn write_img(&mut self, el: &Element) {
        let src = image_source(el).and_then(|s| self.safe_url(s, true));
        let Some(src) = src else { return };
        let _ = write!(self.html, "<img src=\"{}\"", text::escape(&src));
        for (attr, value) in el.attrs() {
            if attr == "src" {
                continue;
            }
            match allowed_attr("img", attr) {
                Some(AttrKind::Text) => {
                    let _ = write!(self.html, " {attr}=\"{}\"", text::escape(value));
                }
                Some(AttrKind::Number) if value.trim().parse::<u32>().is_ok() => {
                    let _ = write!(self.html, " {attr}=\"{}\"", value.trim());
                }
                _ => {}
            }
        }
        self.html.push_str(" loading=\"lazy\" decoding=\"async\">");
        let image = || Image {
            url: src.clone(),
            caption: None,
            credit: None,
        };
        if self.open_figure.is_some() && self.figure_image.is_none() {
            self.figure_image = Some(image());
        } else if self.loose_image.is_none() {
            self.loose_image = Some(image());
        }
    }

    fn write_attrs(&mut self, tag: &str, el: &Element) {
        for (attr, value) in el.attrs() {
            match allowed_attr(tag, attr) {
                Some(AttrKind::Text) => {
                    let _ = write!(self.html, " {attr}=\"{}\"", text::escape(value));
                }
                Some(AttrKind::Number) => {
                    if let Ok(n) = value.trim().parse::<u32>() {
                        let _ = write!(self.html, " {attr}=\"{n}\"");
                    }
                }
                Some(AttrKind::Url) => {
                    if let Some(url) = self.safe_url(value, false) {
                        let _ = write!(self.html, " {attr}=\"{}\"", text::escape(&url));
                    }
                }
                None => {}
            }
        }
    }

    /// Resolves `raw` and returns it when its scheme is safe.
    fn safe_url(&self, raw: &str, image: bool) -> Option<String> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        if raw.starts_with('#') && !image {
            return Some(raw.to_string());
        }
        let placeholder;
        let base = match self.base {
            Some(b) => b,
            None => {
                placeholder = Url::parse("https://relative.invalid/").ok()?;
                &placeholder
            }
        };
        let url = base.join(raw).ok()?;
        let scheme_ok = match url.scheme() {
            "http" | "https" => true,
            "mailto" => !image,
            _ => false,
        };
        if !scheme_ok {
            return None;
        }
        if self.base.is_none() && url.host_str() == Some("relative.invalid") {
            // Keep a relative URL relative, in its normalized form.
            let mut rel = url.path().to_string();
            if let Some(q) = url.query() {
                rel.push('?');
                rel.push_str(q);
            }
            if let Some(f) = url.fragment() {
                rel.push('#');
                rel.push_str(f);
            }
            return Some(rel);
        }
        Some(url.into())
    }

    /// Parts of a caption are words apart (`<p class="caption">…</p><p
    /// class="credit">…</p>` do not run together).
    fn figure_text_break(&mut self) {
        if let Some(figure) = self.open_figure.as_mut() {
            if self.in_credit > 0 {
                figure.credit.push(' ');
            } else {
                figure.caption.push(' ');
            }
        }
    }

    fn push_text(&mut self, text: &str) {
        escape_text_into(&mut self.html, text);
        if let Some(figure) = self.open_figure.as_mut()
            && self.in_caption > 0
        {
            if self.in_credit > 0 {
                figure.credit.push_str(text);
            } else {
                figure.caption.push_str(text);
            }
        }
        if self.in_caption > 0 {
            return;
        }
        if self.in_pre > 0 {
            if self.paragraph.trim().is_empty() && !text.trim().is_empty() {
                self.begin_paragraph();
            }
            self.paragraph.push_str(text);
            return;
        }
        let mut pending_space = text.starts_with(char::is_whitespace);
        for word in text.split_whitespace() {
            if (pending_space || !self.paragraph.is_empty() && self.paragraph_ends_in_space())
                && !self.paragraph.is_empty()
                && !self.paragraph.ends_with('\n')
                && !self.paragraph.ends_with(' ')
            {
                self.paragraph.push(' ');
            }
            if self.paragraph.trim().is_empty() {
                self.begin_paragraph();
            }
            // Soft hyphens are invisible break hints, not text.
            if word.contains('\u{ad}') {
                self.paragraph
                    .extend(word.chars().filter(|c| *c != '\u{ad}'));
            } else {
                self.paragraph.push_str(word);
            }
            if self.in_link > 0 {
                self.paragraph_link_chars += word.len();
            }
            pending_space = true;
        }
        if text.ends_with(char::is_whitespace)
            && !self.paragraph.is_empty()
            && !self.paragraph.ends_with(' ')
        {
            self.paragraph.push(' ');
        }
    }

    fn paragraph_ends_in_space(&self) -> bool {
        self.paragraph.ends_with(' ')
    }

    fn end_paragraph(&mut self) {
        let p = self.paragraph.trim();
        if !p.is_empty() {
            if !self.text.is_empty() {
                self.text.push_str("\n\n");
            }
            self.text.push_str(p);
            self.paragraph_spans
                .push((self.paragraph_start, self.html.len()));
            self.paragraph_link_share
                .push(self.paragraph_link_chars as f32 / p.len().max(1) as f32);
        }
        self.paragraph.clear();
        self.paragraph_link_chars = 0;
    }

    /// Called before the first text of a paragraph: it begins at its
    /// innermost block's start tag, or where the previous paragraph ended.
    fn begin_paragraph(&mut self) {
        let previous_end = self.paragraph_spans.last().map_or(0, |(_, end)| *end);
        let block = self.block_starts.last().copied().unwrap_or(0);
        self.paragraph_start = block.max(previous_end);
    }
}

/// The image's real address: lazy-loading pages keep it in `data-src` and
/// friends, with a placeholder in `src`.
fn image_source(el: &Element) -> Option<&str> {
    let src = el.get_attr("src").map(str::trim).filter(|s| !s.is_empty());
    let placeholder = src.is_none_or(|s| {
        s.starts_with("data:") || s.contains("blank.gif") || s.contains("placeholder")
    });
    if placeholder {
        for attr in ["data-src", "data-lazy-src", "data-original", "data-url"] {
            if let Some(v) = el.get_attr(attr).map(str::trim).filter(|s| !s.is_empty()) {
                return Some(v);
            }
        }
        if let Some(srcset) = el.get_attr("data-srcset").or(el.get_attr("srcset")) {
            return srcset
                .split(',')
                .next()
                .and_then(|c| c.split_whitespace().next());
        }
    }
    src
}

pub(crate) fn is_hidden(el: &Element) -> bool {
    el.get_attr("aria-hidden") == Some("true") || is_not_displayed(el)
}

/// Hidden from everyone: `hidden`, `display: none`, `visibility: hidden`.
fn is_not_displayed(el: &Element) -> bool {
    el.get_attr("hidden").is_some()
        || el.get_attr("style").is_some_and(|s| {
            let s = s.to_ascii_lowercase().replace(' ', "");
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

/// Whether `el`, at `node`, is hidden from readers. `aria-hidden` hides
/// from assistive technology only: in a `<figure>` it marks caption text a
/// screen reader already has from the picture's `alt` (NYT) or a credit
/// laid over the picture (ORF), both of which readers see.
pub(crate) fn is_hidden_at(node: NodeRef<'_, Node>, el: &Element) -> bool {
    if is_not_displayed(el) {
        return true;
    }
    el.get_attr("aria-hidden") == Some("true") && !crate::dom::within(node, &["figure"])
}

/// Text escaped as HTML, no-break spaces written as `&nbsp;` so they stay
/// visible in the stored markup.
pub(crate) fn escape_text_into(out: &mut String, text: &str) {
    let mut pieces = text.split('\u{a0}');
    if let Some(first) = pieces.next() {
        text::escape_text_into(out, first);
    }
    for piece in pieces {
        out.push_str("&nbsp;");
        text::escape_text_into(out, piece);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(html: &str) -> String {
        sanitize_fragment(
            html,
            Some(&Url::parse("https://example.org/news/").unwrap()),
        )
        .html
    }

    #[test]
    fn removes_scripts_handlers_and_bad_urls() {
        let out = clean(
            r#"<p onclick="x()">Hi<script>alert(1)</script><a href="javascript:alert(1)">a</a><a href=" JaVa&#x09;script:alert(1)">b</a><img src=x onerror=alert(1)><style>p{}</style></p>"#,
        );
        assert!(!out.contains("script"), "{out}");
        assert!(
            !out.contains("onclick") && !out.contains("onerror"),
            "{out}"
        );
        assert!(!out.contains("alert"), "{out}");
        assert!(out.starts_with("<p>Hi<a rel="), "{out}");
    }

    #[test]
    fn resolves_relative_urls_and_keeps_figures() {
        let out = sanitize_fragment(
            r#"<figure><img src="/i.jpg" alt="x" width="800" class="c"><figcaption>Crowds in Beijing. (Photo by Jane Doe / AFP)</figcaption></figure><p>Body <a href="2">next</a></p>"#,
            Some(&Url::parse("https://example.org/news/a").unwrap()),
        );
        assert!(
            out.html.contains(
                r#"<img src="https://example.org/i.jpg" alt="x" width="800" loading="lazy""#
            ),
            "{}",
            out.html
        );
        assert!(out.html.contains(r#"href="https://example.org/news/2""#));
        assert!(!out.html.contains("class"));
        let img = out.first_image.unwrap();
        assert_eq!(img.caption.as_deref(), Some("Crowds in Beijing."));
        assert_eq!(img.credit.as_deref(), Some("Jane Doe / AFP"));
        assert_eq!(out.text, "Body next");
    }

    #[test]
    fn text_has_paragraphs() {
        let out = sanitize_fragment(
            "<h2>Title</h2><p>One  two\nthree.</p><ul><li>a</li><li>b <b>c</b></li></ul>",
            None,
        );
        assert_eq!(out.text, "Title\n\nOne two three.\n\na\n\nb c");
    }

    #[test]
    fn escapes_text_and_attributes() {
        let out = clean(
            r#"<p title="x">&lt;script&gt; "q" <img alt='a"b' src="https://i.example/x.png"></p>"#,
        );
        assert!(out.contains("&lt;script&gt;"));
        assert!(out.contains(r#"alt="a&quot;b""#), "{out}");
    }
}
