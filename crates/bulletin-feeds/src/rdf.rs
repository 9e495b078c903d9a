//! RDF Site Summary (RSS 0.90 and 1.0): a channel with its items beside it
//! under `rdf:RDF`, in RSS's vocabulary, so read by the RSS adapter; the
//! version is the namespace the document declares.

use crate::rss::read_rss;
use crate::tree::Node;
use bulletin_core::{Feed, FeedKind};
use url::Url;

pub(crate) fn read(root: &Node, base: Option<&Url>) -> Feed {
    let mut feed = read_rss(root, base, FeedKind::Rdf);
    let rss090 = root
        .attrs
        .iter()
        .any(|(_, v)| v == "http://my.netscape.com/rdf/simple/0.9/");
    feed.version = Some(if rss090 { "rss090" } else { "rss10" }.to_string());
    feed
}
