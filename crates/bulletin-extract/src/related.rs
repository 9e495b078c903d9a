//! Teasers for other articles: the "Read also", "Related" and "More on this
//! story" blocks pages place between or after paragraphs. The body filter
//! keeps them out of the text; here their links become the article's
//! `related` list, which the article page can show.

use crate::dom::GetAttr;
use crate::dom::Openings;
use crate::dom::Words;
use crate::index::PageIndex;
use crate::index::text_of;
use bulletin_core::RelatedLink;
use bulletin_core::text::collapse_whitespace;
use ego_tree::NodeRef;
use scraper::Node;
use url::Url;

/// How a teaser block's label begins, lowercase: the words that announce
/// links to other articles, in the languages the corpora show.
pub(crate) const TEASER_LABELS: &[&str] = &[
    "related",
    "read more",
    "read also",
    "read next",
    "also read",
    "more from",
    "more on this",
    "more stories",
    "you may also like",
    "you might also like",
    "recommended",
    "see also",
    "lesen sie auch",
    "lesen sie mehr",
    "mehr zum thema",
    "weitere artikel",
    "das könnte sie auch",
    "das könnte dich auch",
    "auch interessant",
    "auch lesen",
    "zum thema",
    "ähnliche beiträge",
    "ähnliche artikel",
    "weitere beiträge",
    "zum weiterlesen",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "lee también",
    "lea también",
    "vea también",
    "te puede interesar",
    "le puede interesar",
    "leggi anche",
    "czytaj też",
    "czytaj także",
    "zobacz też",
];

/// At most this many related links are kept.
const MAX_LINKS: usize = 12;

/// The words of related content's class names ("unrelated" is not).
pub(crate) const RELATED_CLASS_WORDS: &[&str] = &[
    "related",
    "unrelated",
    "read-also",
    "readalso",
    "lesen-sie-auch",
    "more-on-this",
];

/// Whether an element is classed as related content ("related-posts",
/// "jp-relatedposts", "read-also").
pub(crate) fn is_classed_related(el: &scraper::node::Element) -> bool {
    const NAMES: Words = Words::new(RELATED_CLASS_WORDS);
    const RELATED: u64 = NAMES.bit("related");
    const UNRELATED: u64 = NAMES.bit("unrelated");
    !matches!(
        el.name(),
        "html" | "body" | "main" | "article" | "nav" | "header" | "footer"
    ) && [el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .any(|names| NAMES.any_in(names))
        && crate::dom::any_class_token(el, |t| {
            let found = NAMES.found_in(t);
            found & !(RELATED | UNRELATED) != 0 || (found & RELATED != 0 && found & UNRELATED == 0)
        })
}

/// Whether a text opens with a teaser label ("Lesen Sie auch: …").
pub(crate) fn is_teaser_label(text: &str) -> bool {
    // This runs on every short text of a page: the first letter decides
    // most; only then is the opening lowercased, into a buffer on the stack.
    fn lower(c: char) -> char {
        if c.is_ascii() {
            c.to_ascii_lowercase()
        } else {
            c.to_lowercase().next().unwrap_or(c)
        }
    }
    const LONGEST: usize = 24;
    const OPENINGS: Openings = Openings::new(&[TEASER_LABELS]);
    // (Indentation first, a byte at a time.)
    let text = text.trim_ascii_start().trim_start();
    if !OPENINGS.may_open(text) {
        return false;
    }
    if !text
        .chars()
        .next()
        .is_some_and(|c| LABEL_INITIALS.contains(&lower(c)))
    {
        return false;
    }
    let mut head = ['\0'; LONGEST];
    let mut len = 0;
    for c in text.chars().take(LONGEST) {
        head[len] = lower(c);
        len += 1;
    }
    let head = &head[..len];
    TEASER_LABELS.iter().any(|label| {
        let mut chars = head.iter();
        label.chars().all(|l| chars.next() == Some(&l))
    })
}

/// The letters teaser labels begin with.
const LABEL_INITIALS: &[char] = &[
    'r', 'a', 'm', 'y', 's', 'l', 'w', 'd', 'z', 'ä', 'à', 'v', 't', 'c',
];

/// The links of the page's teaser blocks: elements classed as related
/// content ("related-posts", "jp-relatedposts"), and elements whose first
/// words are a teaser label. Each link needs a title of three words or more
/// (a headline, not "Read more" or a topic tag) and a web address other
/// than the page's own.
pub(crate) fn find(idx: &PageIndex<'_>, base: Option<&Url>, own: &[&str]) -> Vec<RelatedLink> {
    let mut out: Vec<RelatedLink> = Vec::new();
    let mut seen_blocks: Vec<ego_tree::NodeId> = Vec::new();
    let classed = idx
        .related_blocks
        .iter()
        .copied()
        .filter(|node| text_of(*node).len() <= 3000);
    // A label's element's parent is its block.
    let labelled = idx.teaser_labels.iter().filter_map(|text| {
        text.parent()
            .filter(|label| labels_its_block(*label))
            .and_then(|label| label.parent())
    });
    let mut blocks: Vec<NodeRef<'_, Node>> = classed.chain(labelled).collect();
    // In the order the parser made them: the page's order.
    blocks.sort_by_key(|b| b.id());
    for block in blocks {
        if seen_blocks
            .iter()
            .any(|id| block.ancestors().any(|a| a.id() == *id) || block.id() == *id)
        {
            continue;
        }
        seen_blocks.push(block.id());
        for link in block.descendants() {
            let Node::Element(a) = link.value() else {
                continue;
            };
            if a.name() != "a" {
                continue;
            }
            let Some(url) = a
                .get_attr("href")
                .filter(|h| !h.trim_start().starts_with('#'))
                .and_then(|h| bulletin_core::web_url_from(h, base))
            else {
                continue;
            };
            if !is_article_address(&url, base) {
                continue;
            }
            let url_key = url.trim_end_matches('/');
            if own.iter().any(|o| o.trim_end_matches('/') == url_key)
                || out.iter().any(|r| r.url.trim_end_matches('/') == url_key)
            {
                continue;
            }
            let title = title_of(link, a);
            // A headline has words: not "Read more", a tag, or a date
            // ("13. Dezember 2022").
            let words = title
                .split_whitespace()
                .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
                .count();
            if words >= 3 {
                out.push(RelatedLink { title, url });
                if out.len() == MAX_LINKS {
                    return out;
                }
            }
        }
    }
    out
}

/// Whether an address can be another article of the site: on the page's
/// own host (`www.` aside) when the page's address is known, and not the
/// site's front page or a date archive ("/2022/12/").
fn is_article_address(url: &str, base: Option<&Url>) -> bool {
    let Ok(url) = Url::parse(url) else {
        return false;
    };
    let host = |u: &Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_string())
    };
    let same_site = base.is_none_or(|b| host(b) == host(&url));
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    same_site
        && !segments.is_empty()
        && !segments
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Whether `node`, whose first text is a teaser label, labels its parent's
/// block: a short heading, paragraph or bold text opening the block ("Mehr
/// zum Thema", "<strong>Lesen Sie auch:</strong> <a>…</a>") that links
/// nowhere itself.
fn labels_its_block(node: NodeRef<'_, Node>) -> bool {
    let Node::Element(el) = node.value() else {
        return false;
    };
    if !matches!(
        el.name(),
        "h2" | "h3" | "h4" | "h5" | "h6" | "p" | "div" | "span" | "strong" | "b"
    ) {
        return false;
    }
    fn first_text<'n>(n: NodeRef<'n, Node>) -> Option<ego_tree::NodeId> {
        n.descendants()
            .find(|d| d.value().as_text().is_some_and(|t| !t.trim().is_empty()))
            .map(|d| d.id())
    }
    let Some(parent) = node.parent() else {
        return false;
    };
    first_text(node).is_some()
        && first_text(parent) == first_text(node)
        && node
            .descendants()
            .all(|d| !matches!(d.value(), Node::Element(e) if e.name() == "a"))
        && text_of(node).chars().count() <= 60
}

/// A teaser link's title: its heading's text or its own, else its `title`
/// attribute, without a label before it.
fn title_of(link: NodeRef<'_, Node>, a: &scraper::node::Element) -> String {
    // A teaser card's link may wrap a picture credit and a kicker: its
    // heading is the headline.
    let heading = link.descendants().find(|d| {
        matches!(d.value(), Node::Element(e) if matches!(e.name(), "h2" | "h3" | "h4" | "h5" | "h6"))
    });
    let text = text_of(heading.unwrap_or(link));
    let text = if text.is_empty() {
        a.get_attr("title")
            .map(collapse_whitespace)
            .unwrap_or_default()
    } else {
        text
    };
    let lower = text.to_lowercase();
    for label in TEASER_LABELS {
        if lower.starts_with(label) {
            let rest = &text[label.len().min(text.len())..];
            return rest.trim_start_matches([':', ' ', '-', '–']).to_string();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use crate::extract;
    use url::Url;

    #[test]
    fn every_label_is_recognised_in_any_case() {
        for label in super::TEASER_LABELS {
            assert!(super::is_teaser_label(label), "{label}");
            assert!(
                super::is_teaser_label(&format!("  {}: x", label.to_uppercase())),
                "{label}"
            );
        }
        assert!(!super::is_teaser_label(
            "Residents were moved to the school"
        ));
    }

    #[test]
    fn teasers_between_paragraphs_become_related_links() {
        let page = r##"<html><head><title>Harbour wall holds</title></head><body><article>
<h1>Harbour wall holds</h1>
<p>The storm reached the coast on Tuesday night, and the harbour wall held for most of the evening before the sea broke over it and flooded the lower town.</p>
<p><strong>Lesen Sie auch:</strong> <a href="/2024/flood-barriers-cost">Flood barriers will cost the town twice the estimate</a></p>
<p>Residents were moved to the school on the hill, where the council had prepared beds and food for two hundred people, and the fire brigade pumped water until dawn.</p>
<div class="related-posts"><h3>Related</h3><ul>
<li><a href="https://news.example/2023/last-storm">The last storm broke the pier in two</a></li>
<li><a href="/topics/weather">Weather</a></li>
<li><a href="javascript:alert(1)">A link that runs a script instead</a></li>
<li><a href="#top">Back to the top of the page</a></li></ul></div>
<p>By morning the water had gone down, and the clean-up began in the streets nearest the quay, where shops had lost their stock.</p>
</article></body></html>"##;
        let url = Url::parse("https://news.example/2024/harbour-wall").unwrap();
        let a = extract(page.as_bytes(), Some(&url), Some("text/html"));
        let related: Vec<(&str, &str)> = a
            .related
            .iter()
            .map(|r| (r.title.as_str(), r.url.as_str()))
            .collect();
        assert_eq!(
            related,
            [
                (
                    "Flood barriers will cost the town twice the estimate",
                    "https://news.example/2024/flood-barriers-cost"
                ),
                (
                    "The last storm broke the pier in two",
                    "https://news.example/2023/last-storm"
                )
            ]
        );
        assert!(!a.text.contains("Flood barriers"), "{}", a.text);
        assert!(!a.text.contains("pier in two"), "{}", a.text);
        assert!(a.text.contains("pumped water until dawn"));
    }
}
