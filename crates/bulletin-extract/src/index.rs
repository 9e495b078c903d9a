//! One walk over the parsed page that collects everything the later steps
//! look up by tag or attribute, instead of a CSS-selector scan per question.

use crate::dom::GetAttr;
use crate::dom::Has;
use crate::dom::Words;
use ego_tree::NodeRef;
use scraper::{Html, Node};

/// Explicit article containers, most trusted first.
pub(crate) const EXPLICIT_TIERS: usize = 4;

const BODY_CLASSES: &[&str] = &[
    "article-body",
    "article__body",
    "articlebody",
    "article-content",
    "story-body",
    "entry-content",
    "post-content",
    "post-body",
    "c-entry-content",
    "field-name-body",
    "td-post-content",
    "story-content",
    "content-body",
];

/// How many `h1`/`h2` elements are kept as headline candidates.
const MAX_HEADINGS: usize = 40;

#[derive(Default)]
pub(crate) struct PageIndex<'a> {
    /// `<meta>` name (lowercased) and content.
    pub metas: Vec<(String, &'a str)>,
    /// The text of each `application/ld+json` script.
    pub json_ld: Vec<String>,
    /// `href`s of `<link rel=canonical>`.
    pub canonical: Vec<&'a str>,
    /// The `href` of the first `<base>`: what relative URLs resolve against.
    pub base_href: Option<&'a str>,
    pub title: Option<NodeRef<'a, Node>>,
    pub first_h1: Option<NodeRef<'a, Node>>,
    /// The first `h1` and `h2` elements, in document order: where the
    /// page's visible headline is.
    pub headings: Vec<NodeRef<'a, Node>>,
    pub html_lang: Option<&'a str>,
    pub body: Option<NodeRef<'a, Node>>,
    /// Candidate article containers per tier: `itemprop=articleBody`, common
    /// body classes, `<article>`, `<main>` / `role=main`.
    pub explicit: [Vec<NodeRef<'a, Node>>; EXPLICIT_TIERS],
    /// Elements that name an author: `rel=author`, `itemprop=author`, or a
    /// class such as "byline" or "author-name".
    pub bylines: Vec<NodeRef<'a, Node>>,
    /// Author cards ("About the author" boxes), outermost only.
    pub author_cards: Vec<NodeRef<'a, Node>>,
    /// Candidate teaser blocks for [`crate::related`]: elements classed as
    /// related content, and the texts that are a teaser label.
    pub related_blocks: Vec<NodeRef<'a, Node>>,
    pub teaser_labels: Vec<NodeRef<'a, Node>>,
    /// Short texts that open as a byline does ("von ", "By ", "Text: ",
    /// "Posted on … by …"), wherever they stand.
    pub labelled_bylines: Vec<NodeRef<'a, Node>>,
    /// The page's first `<time>` elements: their `datetime` tells the
    /// site's time zone, their text the day it shows.
    pub times: Vec<NodeRef<'a, Node>>,
    /// Standfirst candidates ("intro", "lead", "standfirst", "teaser-text"),
    /// with their position in document order.
    pub leads: Vec<(usize, NodeRef<'a, Node>)>,
}

pub(crate) fn index(doc: &Html) -> PageIndex<'_> {
    let mut idx = PageIndex::default();
    for (order, node) in doc.tree.root().descendants().enumerate() {
        let el = match node.value() {
            Node::Element(el) => el,
            Node::Text(t) => {
                // (Labels are short: long texts are not compared.)
                if idx.teaser_labels.len() < 32
                    && t.len() <= 160
                    && crate::related::is_teaser_label(t)
                {
                    idx.teaser_labels.push(node);
                }
                if idx.labelled_bylines.len() < 32
                    && t.len() <= 160
                    && crate::metadata::opens_like_a_byline(t)
                {
                    idx.labelled_bylines.push(node);
                }
                continue;
            }
            _ => continue,
        };
        let in_class = el.get_attr("class").map_or(0, |c| CLASS_WORDS.found_in(c));
        let in_names = in_class | el.id().map_or(0, |id| CLASS_WORDS.found_in(id));
        if idx.related_blocks.len() < 32
            && in_names & RELATED_BITS != 0
            && crate::related::is_classed_related(el)
        {
            idx.related_blocks.push(node);
        }
        if idx.leads.len() < 8 && in_class & LEAD_BITS != 0 && is_lead(el) {
            idx.leads.push((order, node));
        }
        match el.name() {
            "meta" => {
                let key = el
                    .get_attr("property")
                    .or(el.get_attr("name"))
                    .or(el.get_attr("itemprop"))
                    .or(el.get_attr("http-equiv"));
                if let (Some(key), Some(content)) = (key, el.get_attr("content"))
                    && !(el.get_attr("itemprop").is_some() && describes_another_work(node))
                {
                    idx.metas.push((key.trim().to_ascii_lowercase(), content));
                }
            }
            "script"
                if el
                    .get_attr("type")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) =>
            {
                idx.json_ld.push(
                    node.children()
                        .filter_map(|c| match c.value() {
                            Node::Text(t) => Some(&**t),
                            _ => None,
                        })
                        .collect(),
                );
            }
            "link" => {
                if let (Some(rel), Some(href)) = (el.get_attr("rel"), el.get_attr("href"))
                    && rel
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                {
                    idx.canonical.push(href);
                }
            }
            "time" if idx.times.len() < 16 => idx.times.push(node),
            "base" if idx.base_href.is_none() => idx.base_href = el.get_attr("href"),
            "title" if idx.title.is_none() => idx.title = Some(node),
            "h1" | "h2" => {
                if el.name() == "h1" && idx.first_h1.is_none() {
                    idx.first_h1 = Some(node);
                }
                if idx.headings.len() < MAX_HEADINGS {
                    idx.headings.push(node);
                }
            }
            "html" if idx.html_lang.is_none() => {
                idx.html_lang = el.get_attr("lang").or(el.get_attr("xml:lang"))
            }
            "body" if idx.body.is_none() => idx.body = Some(node),
            "article" => idx.explicit[2].push(node),
            "main" => idx.explicit[3].push(node),
            _ => {}
        }
        if idx.author_cards.len() < 8
            && in_names & CARD_BITS != 0
            && crate::cards::is_author_card(el)
            && !idx
                .author_cards
                .iter()
                .any(|card| node.ancestors().any(|a| a.id() == card.id()))
        {
            idx.author_cards.push(node);
        }
        if idx.bylines.len() < 64
            && (in_class & BYLINE_BITS != 0 || is_byline_by_attribute(el))
            && is_byline(el)
        {
            idx.bylines.push(node);
        }
        if matches!(el.get_attr("itemprop"), Some("articleBody" | "reviewBody")) {
            idx.explicit[0].push(node);
        } else if let Some(class) = el.get_attr("class")
            && class
                .split_ascii_whitespace()
                .any(|c| BODY_CLASSES.iter().any(|b| c.eq_ignore_ascii_case(b)))
        {
            idx.explicit[1].push(node);
        } else if el.get_attr("role") == Some("main") && el.name() != "main" {
            idx.explicit[3].push(node);
        }
    }
    idx
}

/// A standfirst's class has a part equal to one of these: classes with none
/// of them are turned away in one pass.
const LEAD_CLASS_WORDS: &[&str] = &[
    "intro",
    "lead",
    "standfirst",
    "lede",
    "dek",
    "deck",
    "teaser",
    "abstract",
    "summary",
];

/// Every byline class name below holds one of these.
const BYLINE_CLASS_WORDS: &[&str] = &[
    "author",
    "byline",
    "autor",
    "auteur",
    "contributor",
    "writer",
    "fn",
    "vcard",
];

/// The class words of every check the index makes, looked for in one pass
/// over each element's class and id: most elements hold none, and no
/// check is made on them.
const CLASS_LISTS: &[&[&str]] = &[
    crate::cards::CARD_CLASS_WORDS,
    crate::related::RELATED_CLASS_WORDS,
    LEAD_CLASS_WORDS,
    BYLINE_CLASS_WORDS,
];
const CLASS_WORDS_ARRAY: [&str; crate::dom::count(CLASS_LISTS)] = crate::dom::joined(CLASS_LISTS);
const CLASS_WORDS: Words = Words::new(&CLASS_WORDS_ARRAY);
const CARD_BITS: u64 = CLASS_WORDS.mask(crate::cards::CARD_CLASS_WORDS);
const RELATED_BITS: u64 = CLASS_WORDS.mask(crate::related::RELATED_CLASS_WORDS);
const LEAD_BITS: u64 = CLASS_WORDS.mask(LEAD_CLASS_WORDS);
const BYLINE_BITS: u64 = CLASS_WORDS.mask(BYLINE_CLASS_WORDS);

fn is_lead(el: &scraper::node::Element) -> bool {
    if !matches!(
        el.name(),
        "p" | "div" | "section" | "span" | "strong" | "header"
    ) {
        return false;
    }
    // A part equal to one of the words holds it: classes with none of them
    // are turned away in one pass.
    const WORDS: Words = Words::new(LEAD_CLASS_WORDS);
    el.get_attr("class").is_some_and(|class| {
        WORDS.any_in(class)
            && class.split_ascii_whitespace().any(|token| {
                let token = crate::dom::ascii_lowercase(token);
                let token = token.as_ref();
                token.split(['-', '_']).any(|part| {
                    matches!(
                        part,
                        "intro"
                            | "lead"
                            | "standfirst"
                            | "lede"
                            | "dek"
                            | "deck"
                            | "teaser"
                            | "abstract"
                            | "summary"
                    )
                }) && !token.has("link")
                    && !token.has("list")
                    && !token.has("title")
                    && !token.has("headline")
            })
    })
}

/// Whether a class token names an author's or byline's part in the way
/// themes compose their class names ("entry-meta-author",
/// "c-article-card__author", "herald-author-name", "news-list-author",
/// "dates_auteurs"): one of its `-`/`_`-separated parts is "author" or a
/// kin, and none names a part of an author box that is not the name (its
/// picture, biography, links).
fn names_a_byline_part(token: &str) -> bool {
    if !token.contains(['-', '_']) {
        return false;
    }
    let mut parts = token.split(['-', '_']).filter(|p| !p.is_empty());
    let mut named = false;
    for part in parts.by_ref() {
        match part {
            "author" | "authors" | "authorname" | "byline" | "autor" | "autoren" | "auteur"
            | "auteurs" | "contributor" => named = true,
            "bio" | "box" | "avatar" | "image" | "img" | "photo" | "picture" | "pic" | "thumb"
            | "description" | "desc" | "about" | "social" | "follow" | "twitter" | "more"
            | "posts" | "link" | "links" | "icon" | "label" | "title" | "wrapper" | "wrap"
            | "container" => return false,
            _ => {}
        }
    }
    named
}

/// Whether microdata there describes a work the page cites, a comment or
/// a review rather than the page: its item is the `citation`, `comment`,
/// `review`… of another (the authors of a paper's references).
fn describes_another_work(node: NodeRef<'_, Node>) -> bool {
    let item = node.ancestors().find_map(|a| match a.value() {
        Node::Element(el) if el.get_attr("itemscope").is_some() => Some(el),
        _ => None,
    });
    item.and_then(|el| el.get_attr("itemprop"))
        .is_some_and(|prop| {
            prop.split_ascii_whitespace().any(|p| {
                matches!(
                    p,
                    "citation" | "comment" | "review" | "mentions" | "isBasedOn" | "subjectOf"
                )
            })
        })
}

/// `rel=author` or `itemprop=author`.
fn is_byline_by_attribute(el: &scraper::node::Element) -> bool {
    el.get_attr("rel")
        .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "author"))
        || el
            .get_attr("itemprop")
            .is_some_and(|p| p.split_ascii_whitespace().any(|p| p == "author"))
}

fn is_byline(el: &scraper::node::Element) -> bool {
    if is_byline_by_attribute(el) {
        return true;
    }
    if matches!(
        el.name(),
        "meta" | "link" | "script" | "style" | "body" | "html" | "article" | "main" | "img"
    ) {
        return false;
    }
    // Every name below holds one of these words: classes with none of them
    // are turned away in one pass.
    const WORDS: Words = Words::new(BYLINE_CLASS_WORDS);
    let class = el.get_attr("class").unwrap_or("");
    WORDS.any_in(class)
        && class.split_ascii_whitespace().any(|token| {
            let c = crate::dom::ascii_lowercase(token);
            let c = c.as_ref();
            names_a_byline_part(c)
                || matches!(
                    c,
                    "author"
                        | "byline"
                        | "author-name"
                        | "authorname"
                        | "byline-name"
                        | "by-author"
                        | "article-author"
                        | "post-author"
                        | "entry-author"
                        | "author-link"
                        | "autor"
                        | "author_name"
                        | "c-byline__author"
                        | "byline__author"
                        | "meta-author"
                        | "writer"
                        | "fn"
                        | "vcard"
                        | "contributor"
                )
        })
}

/// The collapsed text of an element.
pub(crate) fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            for word in t.split_whitespace() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(word);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::names_a_byline_part;

    #[test]
    fn byline_parts_of_composed_class_names() {
        for token in [
            "entry-meta-author",
            "c-article-card__author",
            "herald-author-name",
            "news-list-author",
            "dates_auteurs",
            "c-page-intro__author",
        ] {
            assert!(names_a_byline_part(token), "{token}");
        }
        // Parts of an author box that are not the name, other words that
        // hold "author", and a bare word (the exact list decides those).
        for token in [
            "author-bio",
            "author-avatar",
            "c-author__box",
            "more-posts-by-author",
            "authoritative",
            "coauthored-list",
            "author",
        ] {
            assert!(!names_a_byline_part(token), "{token}");
        }
    }

    #[test]
    fn the_authors_of_cited_works_are_not_the_pages() {
        let doc = scraper::Html::parse_document(
            r#"<article itemscope itemtype="http://schema.org/ScholarlyArticle"><meta itemprop="author" content="Marwan H. Adwan"><ol><li itemprop="citation" itemscope><meta itemprop="author" content="NH. Shear, SP. Spielberg"></li></ol></article>"#,
        );
        let idx = super::index(&doc);
        let authors: Vec<&str> = idx
            .metas
            .iter()
            .filter(|(key, _)| key == "author")
            .map(|(_, content)| *content)
            .collect();
        assert_eq!(authors, ["Marwan H. Adwan"]);
    }
}
