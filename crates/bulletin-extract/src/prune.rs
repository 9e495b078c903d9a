//! What the tokenizer's pruned mode leaves out of the tree.
//!
//! The HTML5 tree builder checks the stack of open elements for many start
//! tags, so 200,000 nested `<div>`s cost it quadratic time. Browsers cap
//! nesting (Chromium at 512); the tokenizer does the same: start and end
//! tags nested deeper than [`MAX_NESTING`] are left out, their text kept.
//! Script and style text, comments and the attributes no stage reads
//! (`data-*` state, event handlers, SVG paths, tracking) are left out too:
//! on news pages they are over half the bytes of the page. So is blank
//! text between block tags (not between table cells, not inside `<pre>`):
//! two fifths of a page's nodes, which every later walk would step over.

/// Deepest nesting kept, counted over elements that need an end tag.
pub const MAX_NESTING: usize = 400;

/// Elements that never nest (void) or that the parser closes implicitly, so
/// an unclosed run of them does not make the tree deeper.
pub(crate) fn does_not_nest(name: &str) -> bool {
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

/// Attributes some stage reads: metadata, dates, body finding (class, id,
/// role, hidden state), pictures (including lazy-loading sources) and the
/// sanitizer's allowlist.
pub(crate) fn is_read_attribute(name: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenizer::{Mode, parse_document};

    /// The pruned tree of `page` is the full tree of `expected`.
    fn prunes_to(page: &str, expected: &str) {
        let dump = crate::tokenizer::dump;
        assert_eq!(
            dump(&parse_document(page, Mode::Pruned)),
            dump(&parse_document(expected, Mode::Faithful)),
            "page: {page}"
        );
    }

    #[test]
    fn leaves_normal_pages_alone() {
        let page =
            "<html><body><div><p>One<p>Two<ul><li>a<li>b</ul><br><img src=x></div></body></html>";
        prunes_to(page, page);
    }

    #[test]
    fn drops_script_and_style_text_but_keeps_json_ld() {
        prunes_to(
            r#"<head><style>p{color:red}</style><script>var a = "<div>";</script><script type="application/ld+json">{"@type":"NewsArticle"}</script></head><p>Hi</p>"#,
            r#"<head><style></style><script></script><script type="application/ld+json">{"@type":"NewsArticle"}</script></head><p>Hi</p>"#,
        );
    }

    #[test]
    fn a_quote_inside_an_unquoted_value_does_not_open_a_string() {
        prunes_to(
            "<p><img alt=Bob's src=a.png loading=lazy><b>kept</b> and 'quoted'</p>",
            "<p><img alt=Bob's src=a.png><b>kept</b> and 'quoted'</p>",
        );
    }

    #[test]
    fn keeps_only_attributes_that_are_read() {
        prunes_to(
            r#"<div class="a" data-track='{"x":1}' onclick="go()"><img data-src="/a.jpg" src="data:," loading=lazy alt="A b"/><svg><path d="M0 0L9 9"/></svg><!-- note --><p>Hi</p></div>"#,
            r#"<div class="a"><img data-src="/a.jpg" src="data:," alt="A b"/><svg></svg><p>Hi</p></div>"#,
        );
    }

    #[test]
    fn drops_blank_text_between_blocks_only() {
        prunes_to(
            "<div>\n  <p>a <b>b</b> <i>c</i></p>\n</div>\n<table><tr><td>1</td> <td>2</td></tr>\n</table><pre>\n<b>x</b>\n  </pre>",
            "<div><p>a <b>b</b> <i>c</i></p></div><table><tr><td>1</td> <td>2</td></tr></table><pre>\n<b>x</b>\n  </pre>",
        );
    }

    #[test]
    fn removes_tags_beyond_the_limit_and_keeps_text() {
        let page =
            "<div>".repeat(MAX_NESTING + 50) + "deep text" + &"</div>".repeat(MAX_NESTING + 50);
        let doc = parse_document(&page, Mode::Pruned);
        let divs = doc
            .tree
            .nodes()
            .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "div"))
            .count();
        assert_eq!(divs, MAX_NESTING);
        let text: String = doc
            .tree
            .nodes()
            .filter_map(|n| n.value().as_text())
            .map(|t| &**t)
            .collect();
        assert_eq!(text, "deep text");
    }
}
