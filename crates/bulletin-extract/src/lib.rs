//! HTML to a clean [`Article`].
//!
//! [`extract`] is a pure function of the page bytes, its URL and its HTTP
//! content type: it decodes the charset, reads the page's metadata (JSON-LD,
//! OpenGraph, `<meta>`), finds the body, and sanitizes it. [`sanitize_fragment`]
//! does the sanitizing alone, for HTML that arrives inside feeds.

mod body;
mod caption;
mod charset;
mod dates;
mod depth;
mod discover;
mod index;
mod metadata;
mod sanitize;

pub use bulletin_core::Article;
pub use caption::split_caption_credit;
pub use charset::decode_html;
pub use discover::discover_feeds;
pub use sanitize::{CleanHtml, sanitize_fragment};

use bulletin_core::{count_words, reading_time_minutes};

/// Elements nested deeper than this are ignored: no real article needs it,
/// and recursion must not overflow the stack on hostile pages.
pub(crate) const MAX_DEPTH: usize = 400;
use sanitize::Cleaner;
use scraper::Html;
use url::Url;

/// Extracts the article from an HTML page. Never fails: what cannot be found
/// is `None` or empty.
pub fn extract(html: &[u8], url: Option<&Url>, content_type: Option<&str>) -> Article {
    let text = decode_html(html, content_type);
    let doc = Html::parse_document(&depth::prepare(&text));
    let idx = index::index(&doc);
    let mut meta = metadata::read(&idx, url);
    if meta.authors.is_empty() {
        meta.authors = metadata::byline_authors(&idx, url);
    }
    if meta.published_at.is_none() {
        let page_url = meta
            .canonical_url
            .clone()
            .or_else(|| url.map(|u| u.to_string()));
        meta.published_at = dates::find_in_page(&doc, page_url.as_deref(), meta.lang.as_deref());
    }

    let analysis = body::analyze(&doc);
    let mut clean = clean_body(&idx, &analysis, url, body::Strictness::Strict);
    if clean.text.chars().count() < 250 {
        // Almost nothing survived: the page's class names fooled the strict
        // rules. Retry without them and keep the longer result.
        let loose = clean_body(&idx, &analysis, url, body::Strictness::Loose);
        if loose.text.len() > clean.text.len() * 2 {
            clean = loose;
        }
    }
    trim_edges(&mut clean, url);
    if meta.published_at.is_none() {
        meta.published_at = dates::near_headline(idx.first_h1, meta.lang.as_deref())
            .or_else(|| dates::at_body_start(&clean.text, meta.lang.as_deref()));
    }
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

/// Sentence ends: a paragraph ending otherwise, and short, is a label.
const SENTENCE_ENDS: &[char] = &[
    '.', '!', '?', '"', '“', '”', '»', ')', '。', '！', '？', '…',
];

/// Removes short label-like paragraphs at the edges of the body: trailing
/// ones under 100 characters ("Kontakt:", "Mehr Themen", a project name)
/// and leading ones under 30 (breadcrumbs, section names), in both the text
/// and the HTML.
fn trim_edges(clean: &mut CleanHtml, base: Option<&Url>) {
    let paragraphs: Vec<&str> = clean.text.split("\n\n").collect();
    // Short bodies are left alone: they rarely carry boilerplate, and each
    // of their lines matters.
    if paragraphs.len() != clean.paragraph_starts.len()
        || paragraphs.len() < 4
        || clean.text.len() < 1000
    {
        return;
    }
    let is_label =
        |p: &str, max: usize, ends: &[char]| p.len() < max && !p.trim_end().ends_with(ends);
    // A paragraph that is mostly a link, at the edge, is a teaser for
    // another page ("Caritas: Schulerfolg darf nicht …").
    let is_link = |i: usize| {
        clean
            .paragraph_link_share
            .get(i)
            .is_some_and(|share| *share > 0.6)
            && paragraphs[i].len() < 300
    };
    let mut end = paragraphs.len();
    while end > 1 && (is_label(paragraphs[end - 1], 100, SENTENCE_ENDS) || is_link(end - 1)) {
        end -= 1;
    }
    let mut start = 0;
    let mut lead_ends = SENTENCE_ENDS.to_vec();
    lead_ends.extend([':', '：']);
    while start + 1 < end && (is_label(paragraphs[start], 30, &lead_ends) || is_link(start)) {
        start += 1;
    }
    let removed: usize = paragraphs[..start]
        .iter()
        .chain(&paragraphs[end..])
        .map(|p| p.len())
        .sum();
    if (start == 0 && end == paragraphs.len()) || removed * 5 > clean.text.len() * 2 {
        return;
    }
    let html_start = clean.paragraph_starts[start];
    let html_end = clean
        .paragraph_starts
        .get(end)
        .copied()
        .unwrap_or(clean.html.len());
    let (Some(slice), true) = (clean.html.get(html_start..html_end), html_start <= html_end) else {
        return;
    };
    // Cutting may leave tags unbalanced; the HTML is our own well-nested
    // output, so dropping orphan end tags and closing what stays open is
    // enough.
    let _ = base;
    clean.html = balance_tags(slice);
    clean.text = paragraphs[start..end].join("\n\n");
    clean.paragraph_link_share = clean.paragraph_link_share[start..end].to_vec();
    clean.paragraph_starts = clean.paragraph_starts[start..end]
        .iter()
        .map(|p| p - html_start)
        .collect();
}

/// Balances a slice of the sanitizer's output: end tags whose start was cut
/// off are dropped, and elements left open are closed.
fn balance_tags(html: &str) -> String {
    const VOID: &[&str] = &["br", "hr", "img", "wbr", "col"];
    let mut out = String::with_capacity(html.len() + 32);
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = &rest[lt..lt + gt + 1];
        rest = &rest[lt + gt + 1..];
        if let Some(name) = tag.strip_prefix("</").map(|t| t.trim_end_matches('>')) {
            if let Some(pos) = open.iter().rposition(|o| *o == name) {
                for unclosed in open.drain(pos..).skip(1).rev() {
                    out.push_str("</");
                    out.push_str(unclosed);
                    out.push('>');
                }
                out.push_str(tag);
            }
        } else {
            let name_end = tag[1..].find([' ', '>']).map_or(tag.len() - 1, |i| i + 1);
            let name = &tag[1..name_end];
            if !VOID.contains(&name) {
                open.push(name);
            }
            out.push_str(tag);
        }
    }
    out.push_str(rest);
    for unclosed in open.iter().rev() {
        out.push_str("</");
        out.push_str(unclosed);
        out.push('>');
    }
    out
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

/// Decodes the few HTML entities that leak into JSON-LD strings.
pub(crate) fn decode_entities_light(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    s.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#039;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .into()
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

    #[test]
    fn balances_cut_html() {
        assert_eq!(
            balance_tags("text</p></div><p>a <b>b</b></p><div><p>c"),
            "text<p>a <b>b</b></p><div><p>c</p></div>"
        );
        assert_eq!(
            balance_tags("<p>x<br>y</p><img src=\"a\" alt=\"b\">"),
            "<p>x<br>y</p><img src=\"a\" alt=\"b\">"
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
