//! Small helpers over the parsed DOM.

use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;

/// Whether an ancestor of `node` is one of the elements `names` (a figure,
/// say).
pub(crate) fn within(node: NodeRef<'_, Node>, names: &[&str]) -> bool {
    node.ancestors()
        .any(|a| matches!(a.value(), Node::Element(e) if names.contains(&e.name())))
}

/// Whether a token of `el`'s class or id, lowercased, satisfies `test`
/// ("image-caption", "about-author").
pub(crate) fn any_class_token(el: &Element, test: impl Fn(&str) -> bool) -> bool {
    [el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .flat_map(str::split_ascii_whitespace)
        .any(|token| {
            // Most tokens are lowercase already: no copy for them (this runs
            // on every element of every page).
            if token.bytes().any(|b| b.is_ascii_uppercase()) {
                test(&token.to_ascii_lowercase())
            } else {
                test(token)
            }
        })
}

/// Substring search for the short class names, ids and labels the page's
/// elements are asked about, thousands of times a page: a scan for the
/// needle's first byte, where `str::contains` sets up a searcher per call
/// (it was a tenth of extraction time).
pub(crate) trait Has {
    fn has(&self, needle: &str) -> bool;
}

impl Has for str {
    #[inline]
    fn has(&self, needle: &str) -> bool {
        let (hay, needle) = (self.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = needle.split_first() else {
            return true;
        };
        if hay.len() < needle.len() {
            return false;
        }
        (0..=hay.len() - needle.len())
            .any(|i| hay[i] == first && hay[i + 1..i + needle.len()] == *rest)
    }
}

/// Attribute lookup by name without interning it: scraper's `attr` turns the
/// name into an atom (a hashed, locked global table) on every call, which
/// showed as a tenth of extraction time.
pub(crate) trait GetAttr {
    fn get_attr(&self, name: &str) -> Option<&str>;
}

impl GetAttr for Element {
    fn get_attr(&self, name: &str) -> Option<&str> {
        self.attrs().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::Has;

    #[test]
    fn has_finds_what_contains_finds() {
        let hays = [
            "",
            "a",
            "author",
            "entry-author-name",
            "über-autor",
            "aaab",
            "related",
        ];
        let needles = [
            "", "a", "author", "autor", "aab", "name", "ü", "related", "relatedx",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(hay.has(needle), hay.contains(needle), "{hay:?} {needle:?}");
            }
        }
    }
}
