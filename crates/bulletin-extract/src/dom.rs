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
