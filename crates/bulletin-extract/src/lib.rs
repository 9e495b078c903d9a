//! HTML to a clean [`Article`].
//!
//! [`extract`] is a pure function of the page bytes, its URL and its HTTP
//! content type: it decodes the charset, reads the page's metadata (JSON-LD,
//! OpenGraph, `<meta>`), finds the body, and sanitizes it. [`sanitize_fragment`]
//! does the sanitizing alone, for HTML that arrives inside feeds.

mod body;
mod caption;
mod cards;
mod charset;
mod dates;
mod discover;
mod dom;
mod edges;
mod index;
mod metadata;
mod prune;
mod related;
mod sanitize;
mod tokenizer;
mod zone;

pub use bulletin_core::Article;
pub use caption::split_caption_credit;
pub use charset::decode_html;
pub use discover::discover_feeds;
pub use sanitize::{CleanHtml, sanitize_fragment};
#[doc(hidden)]
pub use tokenizer::differs_from_html5ever;

use bulletin_core::{Author, count_words, reading_time_minutes};

/// Elements nested deeper than this are ignored: no real article needs it,
/// and recursion must not overflow the stack on hostile pages.
pub(crate) const MAX_DEPTH: usize = 400;
use sanitize::Cleaner;
use url::Url;

/// What the page's relative URLs resolve against, as browsers do: its
/// `<base href>` (itself relative to the page's URL), when that is a web
/// address.
fn document_base(base_href: Option<&str>, url: Option<&Url>) -> Option<Url> {
    let href = base_href?.trim();
    let base = match url {
        Some(url) => url.join(href).ok()?,
        None => Url::parse(href).ok()?,
    };
    matches!(base.scheme(), "http" | "https").then_some(base)
}

/// Extracts the article from an HTML page. Never fails: what cannot be found
/// is `None` or empty.
pub fn extract(html: &[u8], url: Option<&Url>, content_type: Option<&str>) -> Article {
    let text = decode_html(html, content_type);
    let doc = tokenizer::parse_document(&text, tokenizer::Mode::Pruned);
    let idx = index::index(&doc);
    let document_base = document_base(idx.base_href, url);
    let base = document_base.as_ref().or(url);
    let mut meta = metadata::read(&idx, base);
    let site_name = meta.site_name.clone();
    meta.authors = std::mem::take(&mut meta.authors)
        .into_iter()
        .flat_map(|a| metadata::split_credit(a, site_name.as_deref()))
        .fold(Vec::new(), |mut kept: Vec<Author>, a| {
            if !kept.iter().any(|k| k.name.eq_ignore_ascii_case(&a.name)) {
                kept.push(a);
            }
            kept
        });
    metadata::classify(&mut meta.authors, site_name.as_deref());
    // Metadata that credits no person (nobody, or the publication, or an
    // agency) gives way to the visible byline's people; the organisations
    // it named stay after them, the publication itself only when no person
    // is named.
    if !meta.authors.iter().any(Author::is_person) {
        let mut byline = metadata::byline_authors(&idx, base);
        metadata::classify(&mut byline, site_name.as_deref());
        if byline.iter().any(Author::is_person) {
            let others: Vec<Author> = std::mem::take(&mut meta.authors)
                .into_iter()
                .filter(|a| {
                    !metadata::names_the_publisher(&a.name, site_name.as_deref())
                        && !byline.iter().any(|b| b.name.eq_ignore_ascii_case(&a.name))
                })
                .collect();
            byline.extend(others);
            meta.authors = byline;
        } else if meta.authors.is_empty() {
            meta.authors = byline;
        }
    }
    let cards: Vec<_> = idx
        .author_cards
        .iter()
        .filter_map(|card| cards::read(*card, base))
        .collect();
    cards::merge(&mut meta.authors, cards);
    // Nothing marks a byline: a short text that reads as one.
    if !meta.authors.iter().any(Author::is_person) {
        let labelled = metadata::labelled_byline_authors(&idx, site_name.as_deref());
        if !labelled.is_empty() {
            meta.authors
                .retain(|a| !metadata::names_the_publisher(&a.name, site_name.as_deref()));
            meta.authors.splice(0..0, labelled);
        }
    }
    metadata::classify(&mut meta.authors, site_name.as_deref());
    // Beside the people who wrote it, the publication itself ("Rob
    // Picheta, CNN" on CNN's site) is no author; an agency stays.
    if meta.authors.iter().any(Author::is_person) {
        meta.authors.retain(|a| {
            a.kind.is_person() || !metadata::names_the_publisher(&a.name, site_name.as_deref())
        });
    }
    metadata::fill_out_short_names(&mut meta.authors, &idx, base, site_name.as_deref());
    if meta.published_at.is_none() {
        let page_url = meta
            .canonical_url
            .clone()
            .or_else(|| url.map(|u| u.to_string()));
        meta.published_at = dates::find_in_page(&doc, page_url.as_deref(), meta.lang.as_deref());
    }

    let analysis = body::analyze(&doc);
    let mut clean = clean_body(&idx, &analysis, base, body::Strictness::Strict);
    if clean.text.chars().count() < 250 {
        // Almost nothing survived: the page's class names fooled the strict
        // rules. Retry without them and keep the longer result.
        let loose = clean_body(&idx, &analysis, base, body::Strictness::Loose);
        if loose.text.len() > clean.text.len() * 2 {
            clean = loose;
        }
    }
    if meta.published_at.is_none() {
        // Before the edges are cut: a dateline opening the body is a date.
        meta.published_at = dates::near_headline(idx.first_h1, meta.lang.as_deref())
            .or_else(|| dates::at_body_start(&clean.text, meta.lang.as_deref()));
    }
    edges::trim(&mut clean, meta.title.as_deref());
    drop_repeated_headline(&mut clean, meta.title.as_deref());

    let word_count = count_words(&clean.text);
    let lead_image = match (meta.image, clean.first_image) {
        (Some(mut m), Some(body_img)) => {
            if same_image(&m.url, &body_img.url) || m.caption.is_none() {
                m.caption = m.caption.or(body_img.caption);
                m.credit = m.credit.or(body_img.credit);
            }
            Some(m)
        }
        (m, b) => m.or(b),
    }
    .map(|mut img| {
        if img.credit.is_none()
            && let Some(caption) = img.caption.take()
        {
            let (caption, credit) = split_caption_credit(&caption);
            img.caption = caption;
            img.credit = credit;
        }
        img
    });
    let own: Vec<&str> = url
        .map(Url::as_str)
        .into_iter()
        .chain(meta.canonical_url.as_deref())
        .collect();
    let related = related::find(&idx, base, &own);
    Article {
        url: url.map(|u| u.to_string()),
        canonical_url: meta.canonical_url,
        title: meta.title,
        site_name: meta.site_name,
        lang: meta.lang,
        published_at: meta.published_at,
        modified_at: meta.modified_at,
        authors: meta.authors,
        lead_image,
        summary: meta.summary,
        text: clean.text,
        html: clean.html,
        word_count,
        reading_time_minutes: reading_time_minutes(word_count),
        related,
    }
}

fn clean_body(
    idx: &index::PageIndex<'_>,
    analysis: &body::Analysis,
    url: Option<&Url>,
    strictness: body::Strictness,
) -> CleanHtml {
    let filter = body::Filter {
        analysis,
        strictness,
    };
    let mut cleaner = Cleaner::new(url, Some(&filter));
    let blocks = body::find_body(idx, analysis, strictness);
    if let Some(lead) = body::standfirst(idx, analysis, &blocks, strictness) {
        cleaner.walk(lead);
    } else if let Some(header) = body::header_before(&blocks) {
        // The article's header sits before its body: keep its standfirst.
        cleaner.walk_rescued(header, &filter);
    }
    for block in blocks {
        if block
            .value()
            .as_element()
            .is_some_and(|e| e.name() == "body" || e.name() == "html")
        {
            for child in block.children() {
                cleaner.walk(child);
            }
        } else {
            cleaner.walk(block);
        }
    }
    cleaner.finish()
}

/// Cleans a feed entry's HTML content: sanitized HTML, text, word count and
/// reading time, first picture.
pub fn clean_feed_content(html: &str, base: Option<&Url>) -> (CleanHtml, usize, u32) {
    let clean = sanitize_fragment(html, base);
    let words = count_words(&clean.text);
    (clean, words, reading_time_minutes(words))
}

fn drop_repeated_headline(clean: &mut CleanHtml, title: Option<&str>) {
    let Some(title) = title else { return };
    if let Some(first) = clean.text.split("\n\n").next()
        && first.trim() == title.trim()
    {
        clean.text = clean.text[first.len()..].trim_start().to_string();
        if let Some(start) = clean.html.find("<h1")
            && let Some(end) = clean.html[start..].find("</h1>")
        {
            clean.html.replace_range(start..start + end + 5, "");
        }
    }
}

fn same_image(a: &str, b: &str) -> bool {
    let key = |u: &str| {
        u.split(['?', '#'])
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    a == b || (!key(a).is_empty() && key(a) == key(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<!doctype html><html lang="en"><head>
<title>Council approves rail expansion | City Times</title>
<meta property="og:site_name" content="City Times">
<meta name="author" content="Sam Writer">
<meta property="article:published_time" content="2025-05-25T10:00:00Z">
<link rel="canonical" href="https://times.example/news/rail?utm_source=x">
</head><body>
<nav><a href="/">Home</a><a href="/world">World</a></nav>
<header class="site-header"><p>City Times: your daily paper since 1901, delivered every morning</p></header>
<article>
<h1>Council approves rail expansion</h1>
<div class="byline">By Sam Writer, 3 min read</div>
<figure><img src="/img/rail.jpg" alt="Tracks"><figcaption>New tracks in the north. Photo: Jo Lens/City Times</figcaption></figure>
<p>The city council on Tuesday approved the long-debated rail expansion, after weeks of negotiations between the parties.</p>
<div class="share-buttons"><a href="#">Share on X</a></div>
<p>Critics argued that the proposal did not go far enough, while analysts expect the works to start next spring.</p>
<aside class="related"><a href="/other">Read more: other story with a long teaser headline here</a></aside>
<p>Construction is expected to take four years, according to documents seen by reporters, and cost about 2 billion.</p>
</article>
<footer><p>Copyright City Times, all rights reserved, no part may be reproduced.</p></footer>
</body></html>"##;

    #[test]
    fn extracts_a_simple_news_page() {
        let url = Url::parse("https://times.example/news/rail").unwrap();
        let a = extract(
            PAGE.as_bytes(),
            Some(&url),
            Some("text/html; charset=utf-8"),
        );
        assert_eq!(a.title.as_deref(), Some("Council approves rail expansion"));
        assert_eq!(a.site_name.as_deref(), Some("City Times"));
        assert_eq!(
            a.canonical_url.as_deref(),
            Some("https://times.example/news/rail")
        );
        assert_eq!(a.authors[0].name, "Sam Writer");
        assert_eq!(a.lang.as_deref(), Some("en"));
        assert!(a.text.starts_with("The city council"), "{}", a.text);
        assert!(a.text.ends_with("about 2 billion."), "{}", a.text);
        for junk in [
            "Share on X",
            "Read more",
            "3 min read",
            "Copyright",
            "Home",
            "New tracks",
        ] {
            assert!(!a.text.contains(junk), "{junk} leaked: {}", a.text);
        }
        let img = a.lead_image.unwrap();
        assert_eq!(img.url, "https://times.example/img/rail.jpg");
        assert_eq!(img.caption.as_deref(), Some("New tracks in the north."));
        assert_eq!(img.credit.as_deref(), Some("Jo Lens/City Times"));
        assert_eq!(a.reading_time_minutes, 1);
        assert!(a.word_count > 40);
    }

    /// Captions and credits as news sites mark them up (issue 18's cases):
    /// the caption, the credit without its label, nothing of either lost
    /// from the figure, and neither in the article's text.
    #[test]
    fn captions_and_credits_in_their_markup() {
        let body = "<p>The storm reached the coast on Monday night, and the waves grew taller than anyone in the town could remember. Residents were told to leave before dawn.</p>\
            <p>By noon the harbour was closed and the boats had been pulled onto the beach. The mayor said the roads would reopen on Wednesday if the wind dropped.</p>\
            <p>Engineers will inspect the sea wall this week, officials said, after cracks were seen near the old lighthouse at the end of the pier.</p>";
        let caption = "Waves break over the harbour wall.";
        let credit = "Ana Lopes/Reuters";
        for (figure, want_credit) in [
            (
                "<figcaption><span class=\"caption\">Waves break over the harbour wall.</span> <span class=\"credit\">Photo: Ana Lopes/Reuters</span></figcaption>",
                true,
            ),
            (
                "<span class=\"caption\">Waves break over the harbour wall.</span>",
                false,
            ),
            (
                "<div class=\"caption\">Waves break over the harbour wall.</div>",
                false,
            ),
            (
                "<figcaption><span class=\"image-caption\">Waves break over the harbour wall.</span><span class=\"image-credit\">Ana Lopes/Reuters</span></figcaption>",
                true,
            ),
            (
                "<p class=\"caption\">Waves break over the harbour wall.</p><p class=\"credit\">Ana Lopes/Reuters</p>",
                true,
            ),
            (
                "<figcaption>Waves break over the harbour wall. <small>Ana Lopes/Reuters</small></figcaption>",
                true,
            ),
            (
                "<figcaption>Waves break over the harbour wall. <cite>© Ana Lopes/Reuters</cite></figcaption>",
                true,
            ),
            // NYT: the caption hidden from screen readers (the picture's alt
            // says it), the credit marked by its itemprop.
            (
                "<figcaption><span aria-hidden=\"true\">Waves break over the harbour wall.</span><span itemprop=\"copyrightHolder\"><span>Credit...</span><span>Ana Lopes/Reuters</span></span></figcaption>",
                true,
            ),
            // The credit on a line of its own, a link.
            (
                "<figcaption>Waves break over the harbour wall.<br><a href=\"https://x.example/c\">Ana Lopes/Reuters</a></figcaption>",
                true,
            ),
            // ORF: the credit in a footer hidden from screen readers.
            (
                "<footer class=\"credit\" aria-hidden=\"true\"><span class=\"copyright\">Ana Lopes/Reuters</span></footer><figcaption class=\"caption\">Waves break over the harbour wall.</figcaption>",
                true,
            ),
            // A figcaption whose class reads as boilerplate elsewhere.
            (
                "<figcaption class=\"widget-image__subtitle\">Waves break over the harbour wall. - <span class=\"widget-image__credits\">Ana Lopes/Reuters</span></figcaption>",
                true,
            ),
        ] {
            let page = format!(
                "<html><head><title>Storm</title></head><body><article><h1>Storm hits the coast</h1>\
                 <figure><img src=\"https://x.example/a.jpg\" alt=\"Waves\">{figure}</figure>{body}</article></body></html>"
            );
            let url = Url::parse("https://x.example/storm").unwrap();
            let a = extract(page.as_bytes(), Some(&url), Some("text/html"));
            let img = a.lead_image.as_ref().expect("the picture");
            assert_eq!(img.caption.as_deref(), Some(caption), "{figure}");
            assert_eq!(
                img.credit.as_deref(),
                want_credit.then_some(credit),
                "{figure}"
            );
            assert!(
                a.html.contains(caption),
                "caption lost from the figure: {figure}\n{}",
                a.html
            );
            if want_credit {
                assert!(
                    a.html.contains(credit),
                    "credit lost from the figure: {figure}"
                );
            }
            assert!(!a.text.contains("Waves break"), "{figure}: {}", a.text);
            assert!(!a.text.contains("Lopes"), "{figure}: {}", a.text);
            assert!(
                a.text.starts_with("The storm reached"),
                "{figure}: {}",
                a.text
            );
        }
    }

    #[test]
    fn a_figure_as_a_media_box_under_a_base_address() {
        // The picture's address is protocol-relative and the page names its
        // <base>; the picture's wrapper holds a zoom link; the caption ends
        // with a credit in brackets.
        let page = r##"<html><head><base href="https://www.example.de/politik/"><title>Storm</title></head><body><article><h1>Storm hits the coast</h1>
<figure class="id-Mediabox"><div class="id-Mediabox-media"><div class="id-RatioWrap"><img src="//img.example.de/a.jpg" alt="Waves"></div>
<a href="#" class="id-Mediabox-zoom" title="Zoom"><span class="id-Icon-hideText">+</span></a></div>
<figcaption>Waves break over the harbour wall. (screen grab)</figcaption></figure>
<p>The storm reached the coast on Tuesday night, and the harbour wall held for most of the evening before the sea broke over it and flooded the lower town.</p>
<p>Residents were moved to the school on the hill, where the council had prepared beds and food for two hundred people, and the fire brigade pumped water until dawn.</p>
</article></body></html>"##;
        let a = extract(page.as_bytes(), None, Some("text/html"));
        let img = a.lead_image.expect("the picture");
        assert_eq!(img.url, "https://img.example.de/a.jpg");
        assert_eq!(
            img.caption.as_deref(),
            Some("Waves break over the harbour wall.")
        );
        assert_eq!(img.credit.as_deref(), Some("screen grab"));
        // A <base> that is not a web address is ignored.
        let page = page.replace("https://www.example.de/politik/", "javascript:alert(1)//");
        let a = extract(page.as_bytes(), None, Some("text/html"));
        assert!(
            a.lead_image
                .is_none_or(|i| !i.url.starts_with("javascript"))
        );
    }

    #[test]
    fn a_byline_credits_people_and_agencies_not_the_site_itself() {
        let page = |site: &str, byline: &str| {
            format!(
                "<html><head><title>Floods</title><meta property=\"og:site_name\" content=\"{site}\"></head>\
                 <body><article><h1>Floods</h1><p class=\"byline\">{byline}</p>\
                 <p>The river rose through the night and by morning the lower town was under water, the fire brigade said.</p>\
                 <p>Hundreds of families spent the night in the school gym, where volunteers handed out blankets and soup.</p></article></body></html>"
            )
        };
        let names = |site: &str, byline: &str| {
            extract(page(site, byline).as_bytes(), None, None)
                .authors
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("CNN", "By Rob Picheta, CNN"), ["Rob Picheta"]);
        assert_eq!(
            names("The Daily", "By Ana Ruiz and Li Wei, Reuters"),
            ["Ana Ruiz", "Li Wei", "Reuters"]
        );
    }

    #[test]
    fn survives_junk_input() {
        for input in [
            &b""[..],
            b"\xff\xfe\xfd\x00\x01",
            b"<<<>>>&&&",
            b"<html><body><p>short",
        ] {
            let a = extract(input, None, None);
            assert!(a.authors.is_empty());
            assert_eq!(a.published_at, None);
        }
    }
}
