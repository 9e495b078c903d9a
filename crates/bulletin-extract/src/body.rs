//! Finding the article body in a page.
//!
//! A first, honest extractor: prefer explicit article containers
//! (`itemprop=articleBody`, `<article>`, common body classes); otherwise score
//! every block by the paragraph text it holds (length and commas, less link
//! text), credit parents and grandparents, and take the best. Boilerplate
//! inside the chosen block is pruned by tag, role and class/id patterns.

use scraper::node::Element;
use scraper::{ElementRef, Html, Node, Selector};
use std::collections::HashMap;
use std::sync::LazyLock;

static EXPLICIT: LazyLock<Vec<Selector>> = LazyLock::new(|| {
    [
        r#"[itemprop="articleBody"]"#,
        ".article-body, .article__body, .story-body, .entry-content, .post-content, .article-content, .c-entry-content, .articleBody",
        "article",
        r#"[role="main"], main"#,
    ]
    .iter()
    .map(|s| Selector::parse(s).expect("static selector is valid"))
    .collect()
});

static PARAGRAPHS: LazyLock<Selector> = LazyLock::new(|| {
    Selector::parse("p, pre, blockquote, li, td").expect("static selector is valid")
});

/// Picks the element that holds the article body.
pub(crate) fn find_body(doc: &Html) -> Option<ElementRef<'_>> {
    let scored = best_scored_block(doc);
    for sel in EXPLICIT.iter() {
        // The explicit container must hold a real share of the text.
        let best = doc
            .select(sel)
            .filter(|e| !is_junk(e.value()))
            .map(|e| (paragraph_text_len(e), e))
            .max_by_key(|(len, _)| *len);
        if let Some((len, el)) = best
            && len >= 200
            && scored.is_none_or(|(_, s)| len * 10 >= paragraph_text_len(s) * 6)
        {
            return Some(el);
        }
    }
    scored
        .map(|(_, e)| e)
        .or_else(|| doc.select(&Selector::parse("body").ok()?).next())
}

fn best_scored_block(doc: &Html) -> Option<(f64, ElementRef<'_>)> {
    let mut scores: HashMap<ego_tree::NodeId, f64> = HashMap::new();
    for p in doc.select(&PARAGRAPHS) {
        if has_junk_ancestor(p) {
            continue;
        }
        let text: String = p.text().collect();
        let len = text.trim().chars().count();
        if len < 25 {
            continue;
        }
        let score =
            1.0 + text.matches([',', '，', '、']).count() as f64 + (len as f64 / 100.0).min(3.0);
        let mut ancestors = p.ancestors().filter(|a| a.value().is_element());
        if let Some(parent) = ancestors.next() {
            *scores.entry(parent.id()).or_default() += score;
            if let Some(grand) = ancestors.next() {
                *scores.entry(grand.id()).or_default() += score / 2.0;
            }
        }
    }
    scores
        .into_iter()
        .filter_map(|(id, score)| {
            let el = ElementRef::wrap(doc.tree.get(id)?)?;
            let adjusted = score * (1.0 - link_density(el));
            Some((adjusted, el))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
}

fn has_junk_ancestor(el: ElementRef<'_>) -> bool {
    el.ancestors()
        .filter_map(|a| match a.value() {
            Node::Element(e) => Some(e),
            _ => None,
        })
        .any(is_junk)
}

fn paragraph_text_len(el: ElementRef<'_>) -> usize {
    el.select(&PARAGRAPHS)
        .filter(|p| p.value().name() == "p")
        .map(|p| p.text().map(|t| t.trim().len()).sum::<usize>())
        .sum()
}

fn link_density(el: ElementRef<'_>) -> f64 {
    static LINKS: LazyLock<Selector> =
        LazyLock::new(|| Selector::parse("a").expect("static selector is valid"));
    let total: usize = el.text().map(str::len).sum();
    if total == 0 {
        return 1.0;
    }
    let links: usize = el.select(&LINKS).flat_map(|a| a.text()).map(str::len).sum();
    links as f64 / total as f64
}

const JUNK_WORDS: &[&str] = &[
    "share",
    "social",
    "related",
    "comment",
    "newsletter",
    "subscribe",
    "promo",
    "advert",
    "sponsor",
    "cookie",
    "consent",
    "byline",
    "author-bio",
    "authorbio",
    "author-card",
    "read-more",
    "readmore",
    "recommend",
    "sidebar",
    "breadcrumb",
    "popular",
    "outbrain",
    "taboola",
    "signup",
    "sign-up",
    "paywall",
    "toolbar",
    "masthead",
    "menu",
    "footer",
    "header",
    "pagination",
    "pager",
    "popup",
    "modal",
    "banner",
    "disqus",
    "most-read",
    "trending",
    "tags",
    "skip-link",
    "print",
    "reading-time",
    "readtime",
    "teaser",
    "more-stories",
    "also-read",
    "dateline",
    "timestamp",
];

const KEEP_WORDS: &[&str] = &[
    "article-body",
    "articlebody",
    "story-body",
    "entry-content",
    "post-content",
    "main-content",
];

/// True for elements that are never part of an article body.
pub(crate) fn is_junk(el: &Element) -> bool {
    let name = el.name();
    if matches!(
        name,
        "nav" | "aside" | "footer" | "header" | "form" | "button" | "dialog" | "menu"
    ) {
        return true;
    }
    if let Some(role) = el.attr("role")
        && matches!(
            role,
            "navigation"
                | "complementary"
                | "banner"
                | "contentinfo"
                | "dialog"
                | "alert"
                | "search"
        )
    {
        return true;
    }
    if matches!(
        name,
        "html" | "body" | "main" | "article" | "p" | "figure" | "img"
    ) {
        return false;
    }
    let mut hay = String::new();
    if let Some(id) = el.id() {
        hay.push_str(id);
        hay.push(' ');
    }
    if let Some(class) = el.attr("class") {
        hay.push_str(class);
    }
    if hay.is_empty() {
        return false;
    }
    let hay = hay.to_ascii_lowercase();
    if KEEP_WORDS.iter().any(|w| hay.contains(w)) {
        return false;
    }
    JUNK_WORDS.iter().any(|w| {
        hay.match_indices(w).any(|(i, _)| {
            // Whole words or hyphenated parts only: "share" but not "shareholder".
            let before = hay[..i].chars().next_back();
            let after = hay[i + w.len()..].chars().next();
            before.is_none_or(|c| !c.is_ascii_alphabetic())
                && after.is_none_or(|c| !c.is_ascii_alphabetic() || c == 's')
        })
    })
}
