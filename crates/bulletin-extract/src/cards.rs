//! Author cards: the boxes news and blog themes print before or after an
//! article ("About the author"), with the writer's name, role, picture and
//! a few lines about them. What a card says goes to the article's
//! `authors`; the card itself is boilerplate and stays out of the body.

use crate::dom::GetAttr;
use crate::index::text_of;
use bulletin_core::Author;
use bulletin_core::text::collapse_whitespace;
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;
use url::Url;

/// Whether an element is an author card by its class or id: a token that
/// names the author together with a box, a biography or a profile
/// ("author-box", "about-author", "tdb-author-box", "author-bio"), or one of
/// the WordPress plugins that print them.
pub(crate) fn is_author_card(el: &Element) -> bool {
    if !matches!(
        el.name(),
        "div" | "section" | "aside" | "footer" | "figure" | "table" | "header" | "address" | "li"
    ) {
        return false;
    }
    crate::dom::any_class_token(el, |token| {
        if token.contains("comment") || token.contains("list") {
            return false;
        }
        if ["saboxplugin-wrap", "abh_box", "wp-about-author"]
            .iter()
            .any(|p| token.starts_with(p))
        {
            return true;
        }
        let names_author =
            token.contains("author") || token.contains("autor") || token.contains("writer");
        names_author
                && [
                    "box", "bio", "card", "about", "profile", "details", "description",
                ]
                .iter()
                .any(|part| token.contains(part))
                // The parts of a card are not cards: "author-box-name".
                && !["name", "avatar", "image", "photo", "link", "title", "count"]
                    .iter()
                    .any(|part| token.contains(part))
    })
}

/// The author a card describes, or `None` when no name can be read from it.
pub(crate) fn read(card: NodeRef<'_, Node>, base: Option<&Url>) -> Option<Author> {
    let (name, url) = name_of(card, base)?;
    let role = role_of(card);
    Some(Author {
        bio: bio_of(card, &name, role.as_deref()),
        name,
        role,
        avatar_url: avatar_of(card, base),
        url,
        email: None,
    })
}

fn elements<'a>(card: NodeRef<'a, Node>) -> impl Iterator<Item = (NodeRef<'a, Node>, &'a Element)> {
    card.descendants().filter_map(|n| match n.value() {
        Node::Element(el) => Some((n, el)),
        _ => None,
    })
}

fn class_has(el: &Element, parts: &[&str]) -> bool {
    el.get_attr("class").is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        parts.iter().any(|p| c.contains(p))
    })
}

/// The name and profile link: an `itemprop=name`, an element classed as a
/// name, a link to the author's page, a heading, a bold opening, or the
/// avatar's `alt`.
fn name_of(card: NodeRef<'_, Node>, base: Option<&Url>) -> Option<(String, Option<String>)> {
    let profile = elements(card)
        .find(|(_, el)| el.name() == "a" && el.get_attr("href").is_some_and(is_profile_link))
        .and_then(|(_, el)| link(el.get_attr("href")?, base));
    let candidates =
        elements(card)
            .filter(|(_, el)| el.get_attr("itemprop") == Some("name"))
            .chain(elements(card).filter(|(_, el)| {
                class_has(el, &["name"]) && !class_has(el, &["username"]) && el.name() != "img"
            }))
            .chain(elements(card).filter(|(_, el)| {
                el.name() == "a" && el.get_attr("href").is_some_and(is_profile_link)
            }))
            .chain(elements(card).filter(|(_, el)| matches!(el.name(), "h2" | "h3" | "h4" | "h5")))
            .chain(elements(card).filter(|(_, el)| matches!(el.name(), "b" | "strong")))
            .map(|(n, _)| text_of(n));
    let alt = elements(card)
        .filter(|(_, el)| el.name() == "img")
        .filter_map(|(_, el)| el.get_attr("alt").map(str::to_string));
    candidates
        .chain(alt)
        .find_map(|text| clean_name(&text))
        .map(|name| (name, profile))
}

/// Whether a link leads to an author's page ("/author/jane-roe/").
fn is_profile_link(href: &str) -> bool {
    let href = href.to_ascii_lowercase();
    [
        "/author/",
        "/authors/",
        "/autor/",
        "/autoren/",
        "/profile/",
        "/people/",
        "/staff/",
    ]
    .iter()
    .any(|p| href.contains(p))
}

/// A name without the label a card puts before it ("About Jane Roe", "Über
/// Steffi", "Photo of Paige McCartney"), if what is left reads as a name.
fn clean_name(text: &str) -> Option<String> {
    let mut name = collapse_whitespace(text);
    for label in [
        "about the author",
        "über den autor",
        "über die autorin",
        "photo of ",
        "avatar of ",
        "picture of ",
        "author: ",
        "autor: ",
        "autorin: ",
        "about ",
        "über ",
        "by ",
        "von ",
    ] {
        if name.len() > label.len()
            && name
                .get(..label.len())
                .is_some_and(|h| h.to_lowercase() == label)
        {
            name = name[label.len()..]
                .trim_start_matches([':', ' ', '-', '–'])
                .to_string();
        }
    }
    let name = name.trim().trim_end_matches([',', ':', '.']).trim();
    let words: Vec<&str> = name.split_whitespace().collect();
    ((1..=5).contains(&words.len())
        && name.chars().count() <= 60
        && !name
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '@' | '/' | '|' | '?'))
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_alphabetic))
        && words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_uppercase)))
    .then(|| name.to_string())
}

/// A role or title: `itemprop=jobTitle`, or an element classed as a role,
/// a job or a position, short.
fn role_of(card: NodeRef<'_, Node>) -> Option<String> {
    elements(card)
        .filter(|(_, el)| {
            el.get_attr("itemprop") == Some("jobTitle")
                || class_has(el, &["role", "jobtitle", "job-title", "position"])
        })
        .map(|(n, _)| text_of(n))
        .find(|t| !t.is_empty() && t.chars().count() <= 80)
}

/// The biography: `itemprop=description`, an element classed as a bio or a
/// description, else the card's longest paragraph.
fn bio_of(card: NodeRef<'_, Node>, name: &str, role: Option<&str>) -> Option<String> {
    let marked = |parts: &[&str]| {
        elements(card)
            .filter(|(_, el)| class_has(el, parts) && !class_has(el, &["name", "avatar", "photo"]))
            .map(|(n, _)| text_of(n))
            .find(|t| t.chars().count() >= 20)
    };
    elements(card)
        .filter(|(_, el)| el.get_attr("itemprop") == Some("description"))
        .map(|(n, _)| text_of(n))
        .find(|t| t.chars().count() >= 20)
        .or_else(|| marked(&["bio"]))
        .or_else(|| marked(&["description", "desc", "about-text"]))
        .or_else(|| marked(&["info", "text", "content"]))
        .or_else(|| {
            elements(card)
                .filter(|(_, el)| matches!(el.name(), "p" | "td"))
                .map(|(n, _)| text_of(n))
                .max_by_key(|t| t.len())
                .filter(|t| t.chars().count() >= 40)
        })
        .map(|t| without_heading(&t, name, role))
        .filter(|t| t.chars().count() >= 20)
        .map(|t| shorten(&t, 600))
}

/// A biography without the name, role and e-mail address the card's
/// markup put before it ("Logan C. Ritchie Staff Writer Logan C. Ritchie
/// writes …" is "Logan C. Ritchie writes …").
fn without_heading(bio: &str, name: &str, role: Option<&str>) -> String {
    let mut rest = bio.trim();
    loop {
        let before = rest;
        for part in [Some(name), role].into_iter().flatten() {
            // The name again starts the biography's first sentence: keep it
            // when what follows it is not another heading.
            if let Some(after) = strip_prefix_ignore_case(rest, part) {
                let after = after.trim_start_matches([',', ':', ' ', '-', '–']);
                let next_is_heading = strip_prefix_ignore_case(after, name).is_some()
                    || role.is_some_and(|r| strip_prefix_ignore_case(after, r).is_some())
                    || after
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| w.contains('@'));
                if next_is_heading || part != name || starts_a_sentence(after) {
                    rest = after;
                }
            }
        }
        if let Some(first) = rest.split_whitespace().next()
            && first.contains('@')
        {
            rest = rest[first.len()..].trim_start();
        }
        if rest == before {
            return rest.to_string();
        }
    }
}

/// Whether text opens a sentence of its own ("Hi, I'm David", "Ich bin…"),
/// rather than continuing one the name began ("… has done many things").
fn starts_a_sentence(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    (!prefix.is_empty() && head.to_lowercase() == prefix.to_lowercase())
        .then(|| &text[prefix.len()..])
}

/// The avatar: the card's first picture with a web address (lazy-loaded
/// pictures give it in `data-src`).
fn avatar_of(card: NodeRef<'_, Node>, base: Option<&Url>) -> Option<String> {
    elements(card)
        .filter(|(_, el)| el.name() == "img")
        .find_map(|(_, el)| {
            ["data-src", "data-lazy-src", "data-original", "src"]
                .iter()
                .filter_map(|a| el.get_attr(a))
                .find(|v| !v.trim().starts_with("data:") && !v.trim().is_empty())
                .and_then(|v| link(v, base))
        })
}

fn link(href: &str, base: Option<&Url>) -> Option<String> {
    bulletin_core::web_url_from(href, base)
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    match cut.rfind(' ') {
        Some(space) => format!("{}…", &cut[..space]),
        None => cut,
    }
}

/// Adds what cards say to the authors the page named: a card whose name
/// matches an author fills that author's missing fields; a page that named
/// nobody takes the cards' authors.
pub(crate) fn merge(authors: &mut Vec<Author>, cards: Vec<Author>) {
    let named_nobody = authors.is_empty();
    for card in cards {
        let same = |a: &Author| {
            let (x, y) = (a.name.to_lowercase(), card.name.to_lowercase());
            x == y || x.contains(&y) || y.contains(&x)
        };
        let took_one = !authors.is_empty();
        match authors.iter_mut().find(|a| same(a)) {
            Some(a) => {
                a.role = a.role.take().or(card.role);
                a.bio = a.bio.take().or(card.bio);
                a.avatar_url = a.avatar_url.take().or(card.avatar_url);
                a.url = a.url.take().or(card.url);
            }
            // A page that named nobody takes its first card only: more
            // cards are a list of contributors or teasers.
            None if named_nobody && !took_one => authors.push(card),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::extract;
    use url::Url;

    #[test]
    fn an_author_card_goes_to_authors_not_the_text() {
        // Shaped like the reference page: a byline names the author; a card
        // after the article says who she is.
        let page = r#"<html><head><title>Harbour wall holds</title></head><body><article>
<h1>Harbour wall holds</h1><p class="byline">By <a rel="author" href="/author/ana-ruiz/">Ana Ruiz</a></p>
<p>The storm reached the coast on Tuesday night, and the harbour wall held for most of the evening before the sea broke over it and flooded the lower town.</p>
<p>Residents were moved to the school on the hill, where the council had prepared beds and food for two hundred people, and the fire brigade pumped water until dawn.</p>
<div class="about-author"><div class="author-avatar"><img src="data:image/png;base64,AAAA" data-src="/img/ana-180.jpg" alt="Photo of Ana Ruiz"></div>
<div class="author-info"><h3 class="author-name"><a href="/author/ana-ruiz/">Ana Ruiz</a></h3><span class="author-role">Climate correspondent</span>
<div class="author-bio">Ana Ruiz has covered the coast and its weather since 2015, from Lisbon and from Porto.</div></div></div>
</article></body></html>"#;
        let url = Url::parse("https://news.example/storm").unwrap();
        let a = extract(page.as_bytes(), Some(&url), Some("text/html"));
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        let ana = &a.authors[0];
        assert_eq!(ana.name, "Ana Ruiz");
        assert_eq!(ana.role.as_deref(), Some("Climate correspondent"));
        assert_eq!(
            ana.bio.as_deref(),
            Some(
                "Ana Ruiz has covered the coast and its weather since 2015, from Lisbon and from Porto."
            )
        );
        assert_eq!(
            ana.avatar_url.as_deref(),
            Some("https://news.example/img/ana-180.jpg")
        );
        assert_eq!(
            ana.url.as_deref(),
            Some("https://news.example/author/ana-ruiz/")
        );
        assert!(!a.text.contains("covered the coast"), "{}", a.text);
        assert!(!a.text.contains("Climate correspondent"), "{}", a.text);
        assert!(a.text.contains("pumped water until dawn"));
    }

    #[test]
    fn a_card_without_a_byline_names_the_author_and_its_labels_go() {
        let page = r#"<html><head><title>Lemon tree care</title></head><body><article><h1>Lemon tree care</h1>
<p>Lemon trees want sun, water that drains, and a pot a little larger each spring; in winter they want light more than warmth, and very little water at all.</p>
<p>Feed them in summer and watch the leaves: yellow between green veins means iron, and pale old leaves mean nitrogen, which a slow feed in spring puts right.</p>
<div class="mh-author-box"><div class="mh-author-box-header"><span class="mh-author-box-name">Über Steffi</span></div>
<div class="mh-author-box-bio">Ich bin Steffi und schreibe hier seit 2012 über Pflanzen, Tiere und den Garten.</div></div>
<div class="author-box"><span class="author-box-name">Someone Else</span></div>
</article></body></html>"#;
        let a = extract(page.as_bytes(), None, Some("text/html"));
        let names: Vec<&str> = a.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["Steffi"]);
        assert!(
            a.authors[0]
                .bio
                .as_deref()
                .is_some_and(|b| b.starts_with("Ich bin Steffi"))
        );
        // A javascript: avatar or profile is never kept.
        let hostile = page.replace(
            "<span class=\"mh-author-box-name\">",
            "<img src=\"javascript:alert(1)\"><a href=\"javascript:alert(1)/author/\"><span class=\"mh-author-box-name\">",
        );
        let a = extract(hostile.as_bytes(), None, Some("text/html"));
        assert!(
            a.authors
                .iter()
                .all(|x| x.avatar_url.is_none() && x.url.is_none())
        );
    }
}
