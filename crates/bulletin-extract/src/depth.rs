//! The page as the parser gets it: guarded against pathologically deep
//! markup, and without what nothing downstream reads.
//!
//! The HTML5 tree builder checks the stack of open elements for many start
//! tags, so 200,000 nested `<div>`s cost it quadratic time. Browsers cap
//! nesting (Chromium at 512); this module does the same before parsing:
//! start and end tags nested deeper than [`MAX_NESTING`] are removed, their
//! text kept. Script and style text, comments and the attributes no stage
//! reads (`data-*` state, event handlers, SVG paths, tracking) are dropped
//! too: on news pages they are over half the bytes the parser would tokenize.

use std::borrow::Cow;

/// Deepest nesting kept, counted over elements that need an end tag.
pub const MAX_NESTING: usize = 400;

/// Elements that never nest (void) or that the parser closes implicitly, so
/// an unclosed run of them does not make the tree deeper.
fn does_not_nest(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "p"
            | "li"
            | "dt"
            | "dd"
            | "tr"
            | "td"
            | "th"
            | "option"
            | "optgroup"
            | "thead"
            | "tbody"
            | "tfoot"
            | "colgroup"
            | "rb"
            | "rt"
            | "rtc"
            | "rp"
            | "!doctype"
            | "html"
            | "head"
            | "body"
    )
}

struct Tag<'a> {
    end: usize,
    name: &'a str,
    closing: bool,
    self_closing: bool,
}

/// Reads the tag that starts at `at` (a '<'), or `None` when it is text.
fn read_tag(html: &str, at: usize) -> Option<Tag<'_>> {
    let bytes = html.as_bytes();
    let mut i = at + 1;
    let closing = bytes.get(i) == Some(&b'/');
    if closing {
        i += 1;
    }
    let start = i;
    while i < bytes.len()
        && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-' || bytes[i] == b'!')
    {
        i += 1;
    }
    if i == start || !bytes[start].is_ascii_alphabetic() && bytes[start] != b'!' {
        return None;
    }
    let name = &html[start..i];
    // Find the closing '>' outside quoted attribute values. As in the HTML
    // tokenizer, a quote opens a value only right after '=' (and spaces); a
    // quote elsewhere, as in `alt=Bob's`, is just a character.
    let mut after_equals = false;
    while i < bytes.len() {
        let b = bytes[i];
        if after_equals && (b == b'"' || b == b'\'') {
            match bytes[i + 1..].iter().position(|&c| c == b) {
                Some(close) => i += close + 2,
                None => return None,
            }
            after_equals = false;
            continue;
        }
        if b == b'>' {
            let self_closing = i > 0 && bytes[i - 1] == b'/';
            return Some(Tag {
                end: i + 1,
                name,
                closing,
                self_closing,
            });
        }
        if b == b'=' {
            after_equals = true;
        } else if !b.is_ascii_whitespace() {
            after_equals = false;
        }
        i += 1;
    }
    None
}

/// What [`scan`] reports.
enum Event<'t, 'a> {
    /// A tag starting at `start`, at `depth` before it.
    Tag {
        start: usize,
        tag: &'t Tag<'a>,
        depth: usize,
    },
    /// A comment, `<!-- … -->`.
    Comment { range: std::ops::Range<usize> },
    /// The raw text of a script, style or similar element.
    Raw {
        name: &'t str,
        open_tag: &'a str,
        content: std::ops::Range<usize>,
    },
}

/// Reports every tag and every raw-text span, skipping comments.
fn scan<'a>(html: &'a str, mut on_event: impl FnMut(Event<'_, 'a>)) {
    let bytes = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        let at = i + offset;
        if html[at..].starts_with("<!--") {
            i = html[at + 4..]
                .find("-->")
                .map_or(bytes.len(), |e| at + 4 + e + 3);
            on_event(Event::Comment { range: at..i });
            continue;
        }
        let Some(tag) = read_tag(html, at) else {
            i = at + 1;
            continue;
        };
        let mut lower = [0u8; 16];
        let name_bytes = tag.name.as_bytes();
        let name_len = name_bytes.len().min(lower.len());
        for (dst, src) in lower.iter_mut().zip(name_bytes) {
            *dst = src.to_ascii_lowercase();
        }
        let name = std::str::from_utf8(&lower[..name_len]).unwrap_or("");
        on_event(Event::Tag {
            start: at,
            tag: &tag,
            depth,
        });
        i = tag.end;
        if tag.closing {
            if !does_not_nest(name) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if matches!(
            name,
            "script" | "style" | "svg" | "textarea" | "title" | "xmp" | "plaintext" | "iframe"
        ) {
            let end = find_end_tag(bytes, i, name.as_bytes());
            on_event(Event::Raw {
                name,
                open_tag: &html[at..tag.end],
                content: i..end,
            });
            i = end;
            continue;
        }
        if !tag.self_closing && !does_not_nest(name) {
            depth += 1;
        }
    }
}

/// Where `</name` (any case) next starts at or after `from`, or the end.
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(offset) = memchr_lt(&bytes[i..]) {
        let at = i + offset;
        let candidate = &bytes[at + 1..];
        if candidate.first() == Some(&b'/')
            && candidate.len() > name.len()
            && candidate[1..=name.len()].eq_ignore_ascii_case(name)
        {
            return at;
        }
        i = at + 1;
    }
    bytes.len()
}

/// The next '<': eight bytes at a time, since most of a page is text between tags.
fn memchr_lt(bytes: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    const LT: u64 = LO * b'<' as u64;
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0u8; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let x = u64::from_le_bytes(word) ^ LT;
        if (x.wrapping_sub(LO) & !x & HI) != 0 {
            break;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b == b'<').map(|p| p + i)
}

/// Prepares a page for the parser: tags nested deeper than [`MAX_NESTING`]
/// are removed (their text kept); the contents of scripts (other than
/// JSON-LD), style sheets and inline SVG, comments, and attributes no stage
/// reads are dropped, since tokenizing them is a large share of parsing
/// time on news pages.
pub fn prepare(html: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    scan(html, |event| match event {
        Event::Tag { start, tag, depth } => {
            let deep = if tag.closing {
                depth > MAX_NESTING
            } else {
                depth >= MAX_NESTING
            };
            if deep {
                out.push_str(&html[copied..start]);
                copied = tag.end;
            } else if !tag.closing
                && let Some(kept) = kept_attributes(&html[start..tag.end], tag.name.len())
            {
                out.push_str(&html[copied..start]);
                out.push_str(&kept);
                copied = tag.end;
            }
        }
        Event::Comment { range } => {
            out.push_str(&html[copied..range.start]);
            copied = range.end;
        }
        Event::Raw {
            name,
            open_tag,
            content,
        } => {
            let drop = match name {
                "style" | "svg" => true,
                "script" => !open_tag.to_ascii_lowercase().contains("ld+json"),
                _ => false,
            };
            if drop && !content.is_empty() {
                out.push_str(&html[copied..content.start]);
                copied = content.end;
            }
        }
    });
    if copied == 0 {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Attributes some stage reads: metadata, dates, body finding (class, id,
/// role, hidden state), pictures (including lazy-loading sources) and the
/// sanitizer's allowlist.
fn is_read_attribute(name: &str) -> bool {
    matches!(
        name,
        "class"
            | "id"
            | "style"
            | "hidden"
            | "aria-hidden"
            | "role"
            | "lang"
            | "dir"
            | "xml:lang"
            | "href"
            | "title"
            | "hreflang"
            | "rel"
            | "type"
            | "src"
            | "srcset"
            | "alt"
            | "width"
            | "height"
            | "data-src"
            | "data-lazy-src"
            | "data-original"
            | "data-url"
            | "data-srcset"
            | "colspan"
            | "rowspan"
            | "scope"
            | "start"
            | "reversed"
            | "datetime"
            | "pubdate"
            | "cite"
            | "itemprop"
            | "itemscope"
            | "itemtype"
            | "content"
            | "property"
            | "name"
            | "http-equiv"
            | "charset"
    )
}

/// The start tag `tag` (from `<` to `>`) with only the attributes some stage
/// reads, or `None` when it keeps them all.
fn kept_attributes(tag: &str, name_len: usize) -> Option<String> {
    let bytes = tag.as_bytes();
    if bytes.get(1) == Some(&b'!') {
        return None;
    }
    let body_end = bytes.len().saturating_sub(1); // before '>'
    let mut i = 1 + name_len;
    let mut kept: Vec<(usize, usize)> = Vec::new();
    let mut dropped = false;
    while i < body_end {
        while i < body_end && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= body_end {
            break;
        }
        let name_start = i;
        while i < body_end && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'/') {
            i += 1;
        }
        if i == name_start {
            // A stray '=': skip it.
            i += 1;
            continue;
        }
        let name_end = i;
        let mut j = i;
        while j < body_end && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j < body_end && bytes[j] == b'=' {
            j += 1;
            while j < body_end && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j < body_end && matches!(bytes[j], b'"' | b'\'') {
                let quote = bytes[j];
                j += 1;
                while j < body_end && bytes[j] != quote {
                    j += 1;
                }
                j = (j + 1).min(body_end);
            } else {
                while j < body_end && !bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
            }
            i = j;
        }
        let mut lower = [0u8; 16];
        let name = &bytes[name_start..name_end];
        let readable = name.len() <= lower.len() && {
            for (dst, src) in lower.iter_mut().zip(name) {
                *dst = src.to_ascii_lowercase();
            }
            std::str::from_utf8(&lower[..name.len()]).is_ok_and(is_read_attribute)
        };
        if readable {
            kept.push((name_start, i));
        } else {
            dropped = true;
        }
    }
    if !dropped {
        return None;
    }
    let mut out = String::with_capacity(tag.len());
    out.push_str(&tag[..1 + name_len]);
    // A final '/' is the self-closing mark unless an unquoted value took it.
    let slash_taken = kept.last().is_some_and(|(_, to)| *to == body_end);
    for (from, to) in kept {
        out.push(' ');
        out.push_str(tag.get(from..to)?);
    }
    if tag.ends_with("/>") && !slash_taken {
        out.push('/');
    }
    out.push('>');
    Some(out)
}

/// Returns `html` with tags nested deeper than [`MAX_NESTING`] removed.
#[cfg(test)]
fn limit_nesting(html: &str) -> Cow<'_, str> {
    prepare(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_next_angle_bracket() {
        for text in [
            "",
            "<",
            "abc",
            "abcdefgh<",
            "abcdefghijklmnop<x",
            "éééééééé<",
            "1234567<",
        ] {
            assert_eq!(
                memchr_lt(text.as_bytes()),
                text.bytes().position(|b| b == b'<'),
                "{text}"
            );
        }
    }

    #[test]
    fn leaves_normal_pages_alone() {
        let page = "<html><body><div><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x></div><script></script></body></html>";
        assert!(matches!(limit_nesting(page), Cow::Borrowed(_)));
    }

    #[test]
    fn drops_script_and_style_text_but_keeps_json_ld() {
        let page = r#"<head><style>p{color:red}</style><script>var a = "<div>";</script><script type="application/ld+json">{"@type":"NewsArticle"}</script></head><p>Hi</p>"#;
        let out = prepare(page);
        assert_eq!(
            out,
            r#"<head><style></style><script></script><script type="application/ld+json">{"@type":"NewsArticle"}</script></head><p>Hi</p>"#
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_value_does_not_open_a_string() {
        let page = "<p><img alt=Bob's src=a.png loading=lazy><b>kept</b> and 'quoted'</p>";
        assert_eq!(
            prepare(page),
            "<p><img alt=Bob's src=a.png><b>kept</b> and 'quoted'</p>"
        );
    }

    #[test]
    fn keeps_only_attributes_that_are_read() {
        let page = r#"<div class="a" data-track='{"x":1}' onclick="go()"><img data-src="/a.jpg" src="data:," loading=lazy alt="A b"/><svg><path d="M0 0L9 9"/></svg><!-- note --><p>Hi</p></div>"#;
        assert_eq!(
            prepare(page),
            r#"<div class="a"><img data-src="/a.jpg" src="data:," alt="A b"/><svg></svg><p>Hi</p></div>"#
        );
    }

    #[test]
    fn removes_tags_beyond_the_limit_and_keeps_text() {
        let page =
            "<div>".repeat(MAX_NESTING + 50) + "deep text" + &"</div>".repeat(MAX_NESTING + 50);
        let out = limit_nesting(&page);
        assert_eq!(out.matches("<div>").count(), MAX_NESTING);
        assert_eq!(out.matches("</div>").count(), MAX_NESTING);
        assert!(out.contains("deep text"));
    }
}
