//! Small helpers over the parsed DOM.

use scraper::node::Element;

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
