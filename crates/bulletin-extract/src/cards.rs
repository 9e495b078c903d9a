//! Author cards: the boxes news and blog themes print before or after an
//! article ("About the author"), with the writer's name, role, picture and
//! a few lines about them. What a card says goes to the article's
//! `authors`; the card itself is boilerplate and stays out of the body.

use crate::dom::GetAttr;
use crate::dom::Has;
use crate::dom::Words;
use crate::index::text_of;
use bulletin_core::Author;
use bulletin_core::text::collapse_whitespace;
use ego_tree::NodeRef;
use scraper::Node;
use scraper::node::Element;
use url::Url;

/// Whether an element is an author card by its class or id: a token that
/// names the author together with a box, a biography, a profile or an info
/// panel ("author-box", "about-author", "tdb-author-box", "author-info",
/// "entry-author"), or one of the WordPress plugins that print them.
/// What any class token of a card holds: asked of the class and id whole,
/// it turns away most elements in one pass.
pub(crate) const CARD_CLASS_WORDS: &[&str] = &[
    "author",
    "autor",
    "writer",
    "saboxplugin-wrap",
    "abh_box",
    "m-a-box",
];

pub(crate) fn is_author_card(el: &Element) -> bool {
    if !matches!(
        el.name(),
        "div"
            | "section"
            | "aside"
            | "footer"
            | "figure"
            | "table"
            | "header"
            | "address"
            | "li"
            | "a"
    ) {
        return false;
    }
    const NAMES_AUTHOR: Words = Words::new(&["author", "autor", "writer"]);
    const NOT_A_CARD: Words = Words::new(&["comment", "list"]);
    // The parts of a card are not cards: "author-box-name".
    const CARD_PART: Words = Words::new(&[
        "name", "avatar", "image", "photo", "link", "title", "count", "date", "meta", "social",
        "url", "email",
    ]);
    const CARD: Words = Words::new(&[
        "box",
        "bio",
        "card",
        "about",
        "profile",
        "details",
        "description",
        "info",
        "section",
    ]);
    const ANY: Words = Words::new(CARD_CLASS_WORDS);
    if ![el.get_attr("class"), el.id()]
        .into_iter()
        .flatten()
        .any(|names| ANY.any_in(names))
    {
        return false;
    }
    crate::dom::any_class_token(el, |token| {
        let plugin = ["saboxplugin-wrap", "abh_box", "wp-about-author", "m-a-box"]
            .iter()
            .any(|p| {
                token
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
            });
        // Most tokens name neither: one pass over them decides.
        if !plugin && !NAMES_AUTHOR.any_in(token) {
            return false;
        }
        if NOT_A_CARD.any_in(token) {
            return false;
        }
        if plugin {
            return true;
        }
        if CARD_PART.any_in(token) {
            return false;
        }
        CARD.any_in(token)
            // A theme's block for the entry's author: "entry-author".
            || ["entry", "post", "article", "single", "story"].iter().any(|scope| {
                token
                    .strip_prefix(scope)
                    .and_then(|rest| rest.strip_prefix(['-', '_']))
                    .is_some_and(|rest| matches!(rest, "author" | "authors"))
            })
    })
}

/// The author a card describes, or `None` when it says nothing. A card
/// whose name cannot be read but that has a biography comes with an empty
/// name: the biography may name an author of the page ("Ganesh Sitaraman is
/// a professor …").
pub(crate) fn read(card: NodeRef<'_, Node>, base: Option<&Url>) -> Option<Author> {
    let Some((name_node, name, url)) = name_of(card, base) else {
        return bio_of(card, None, "", None).map(|bio| Author {
            bio: Some(bio),
            avatar_url: avatar_of(card, base),
            ..Author::default()
        });
    };
    let role = role_of(card, name_node, &name);
    // A role printed inside the name's element ("Logan C. Ritchie<span
    // class=author-job-title>Staff Writer</span>") is not part of the name.
    let name = match &role {
        Some(role) => name
            .strip_suffix(role.as_str())
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .unwrap_or(name),
        None => name,
    };
    Some(Author {
        bio: bio_of(card, name_node, &name, role.as_deref()),
        name,
        role,
        avatar_url: avatar_of(card, base),
        url,
        ..Author::default()
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
        parts.iter().any(|p| c.has(p))
    })
}

/// The name, the element it was read from, and the profile link: an
/// `itemprop=name`, an element classed as a name, a link to the author's
/// page, a heading, an element classed as the author's title, a bold
/// opening, or the avatar's `alt`.
fn name_of<'a>(
    card: NodeRef<'a, Node>,
    base: Option<&Url>,
) -> Option<(Option<NodeRef<'a, Node>>, String, Option<String>)> {
    let profile = elements(card)
        .find(|(_, el)| el.name() == "a" && el.get_attr("href").is_some_and(is_profile_link))
        .and_then(|(_, el)| link(el.get_attr("href")?, base));
    let candidates = elements(card)
        .filter(|(_, el)| el.get_attr("itemprop") == Some("name"))
        .chain(elements(card).filter(|(_, el)| {
            (class_has(el, &["name"]) || crate::dom::any_class_token(el, |t| t == "fn"))
                && !class_has(el, &["username"])
                && el.name() != "img"
        }))
        .chain(
            elements(card).filter(|(_, el)| {
                el.name() == "a" && el.get_attr("href").is_some_and(is_profile_link)
            }),
        )
        .chain(
            elements(card).filter(|(_, el)| matches!(el.name(), "h1" | "h2" | "h3" | "h4" | "h5")),
        )
        .chain(elements(card).filter(|(_, el)| {
            crate::dom::any_class_token(el, |t| {
                t.has("title") && (t.has("author") || t.has("autor"))
            })
        }))
        .chain(elements(card).filter(|(_, el)| matches!(el.name(), "b" | "strong")))
        .filter_map(|(n, _)| clean_name(&text_of(n)).map(|name| (Some(n), name)))
        // A heading line without heading markup: "About the Author - Jane Roe".
        .chain(
            elements(card)
                .filter(|(n, el)| {
                    matches!(el.name(), "div" | "p" | "span")
                        && n.first_child().is_some_and(|c| {
                            c.value().as_text().is_some_and(|t| {
                                let t = t.trim_start().to_lowercase();
                                ["about the author", "über den autor", "über die autorin"]
                                    .iter()
                                    .any(|l| t.starts_with(l))
                            })
                        })
                })
                .filter_map(|(n, _)| {
                    let text = text_of(n);
                    (text.chars().count() <= 80)
                        .then(|| clean_name(&text))
                        .flatten()
                        .map(|name| (Some(n), name))
                }),
        );
    let alt = elements(card)
        .filter(|(_, el)| el.name() == "img")
        .filter_map(|(_, el)| el.get_attr("alt"))
        .filter_map(|alt| clean_name(alt).map(|name| (None, name)));
    candidates
        .chain(alt)
        .next()
        .map(|(node, name)| (node, name, profile))
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
        "/profiles/",
        "/people/",
        "/staff/",
        "/writer/",
        "/redaktion/",
        "/user/",
        "/users/",
        "/u/",
        "/members/",
        "/mitglieder/",
    ]
    .iter()
    .any(|p| href.contains(p))
}

/// The labels cards and their links put before a name ("About Jane Roe",
/// "Über Steffi", "Photo of Paige McCartney", "More by J.O. Haselhoef",
/// "Zeige alle Beiträge von Cem Basman"), lowercase.
const NAME_LABELS: &[&str] = &[
    "about the author",
    "über den autor",
    "über die autorin",
    "zeige alle beiträge von",
    "alle beiträge von",
    "view all posts by",
    "all posts by",
    "more posts by",
    "posts by",
    "articles by",
    "more by",
    "mehr von",
    "alles von",
    "posted by",
    "published by",
    "written by",
    "veröffentlicht von",
    "geschrieben von",
    "photo of",
    "avatar of",
    "picture of",
    "foto de perfil de",
    "foto von",
    "author:",
    "autor:",
    "autorin:",
    "about",
    "über",
    "by",
    "von",
    "por",
    "par",
];

/// Words that say a text is a link or a label, not a name ("Zur
/// Artikelübersicht", "Follow", "E-Mail").
const NOT_NAME_WORDS: &[&str] = &[
    "übersicht",
    "artikel",
    "article",
    "beiträge",
    "posts",
    "profil",
    "website",
    "folgen",
    "follow",
    "kontakt",
    "contact",
    "mail",
    "newsletter",
    "twitter",
    "facebook",
    "instagram",
    "linkedin",
];

/// A name without the label a card puts before it, if what is left reads
/// as a name.
fn clean_name(text: &str) -> Option<String> {
    let mut name = collapse_whitespace(text);
    let mut labelled = false;
    loop {
        let before = name.len();
        for label in NAME_LABELS {
            if let Some(rest) = strip_prefix_ignore_case(&name, label)
                && (label.ends_with(':') || rest.starts_with([' ', ':', '\u{a0}']))
            {
                name = rest
                    .trim_start_matches([':', ' ', '-', '–', '\u{a0}'])
                    .to_string();
                labelled = true;
                break;
            }
        }
        if name.len() == before {
            break;
        }
    }
    let name = name.trim().trim_end_matches([',', ':', '.']).trim();
    let lower = name.to_lowercase();
    let words: Vec<&str> = name.split_whitespace().collect();
    let is_label = matches!(
        lower.as_str(),
        "autor"
            | "autorin"
            | "author"
            | "authors"
            | "autoren"
            | "über mich"
            | "about me"
            | "writer"
    ) || lower.split_whitespace().any(|w| {
        matches!(
            w,
            "mehr" | "more" | "view" | "alle" | "all" | "zur" | "zum" | "read" | "lesen"
        ) || NOT_NAME_WORDS.iter().any(|n| w.contains(n))
    });
    ((1..=5).contains(&words.len())
        && !is_label
        && name.chars().count() <= 60
        && !name
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '@' | '/' | '|' | '?'))
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(char::is_alphabetic))
        && starts_like_a_name(&words, labelled))
    .then(|| name.to_string())
}

/// Whether words open like a name: a capital first word, or a particle
/// before one ("van Dijk"); after a label ("Über mywakenews") a one-word
/// user name in small letters too.
fn starts_like_a_name(words: &[&str], labelled: bool) -> bool {
    let capital = |w: &&str| w.chars().next().is_some_and(char::is_uppercase);
    let Some(first) = words.first() else {
        return false;
    };
    capital(first)
        || (matches!(
            *first,
            "van"
                | "von"
                | "de"
                | "da"
                | "di"
                | "du"
                | "del"
                | "della"
                | "la"
                | "le"
                | "ter"
                | "ten"
                | "zu"
                | "al"
                | "el"
                | "bin"
                | "ibn"
        ) && words.iter().any(capital))
        || (labelled && words.len() == 1)
}

/// A role or title: `itemprop=jobTitle`, or an element classed as a role, a
/// job, a position or the author's title, short, and not the name again.
fn role_of(
    card: NodeRef<'_, Node>,
    name_node: Option<NodeRef<'_, Node>>,
    name: &str,
) -> Option<String> {
    elements(card)
        .filter(|(n, el)| {
            name_node.is_none_or(|name| name.id() != n.id())
                && (el.get_attr("itemprop") == Some("jobTitle")
                    || class_has(
                        el,
                        &["role", "jobtitle", "job-title", "position", "author-job"],
                    )
                    || crate::dom::any_class_token(el, |t| {
                        t.has("title") && (t.has("author") || t.has("autor")) && !t.has("widget")
                    }))
        })
        .map(|(n, _)| text_of(n))
        .find(|t| {
            !t.is_empty()
                && t.chars().count() <= 80
                && !t.eq_ignore_ascii_case(name)
                && clean_name(t).is_none_or(|n| !n.eq_ignore_ascii_case(name))
        })
}

/// A role that says nothing about the person ("Author", "Autorin"), as
/// content systems fill in `jobTitle` by default.
fn is_generic_role(role: &str) -> bool {
    matches!(
        role.trim()
            .trim_end_matches([':', '.'])
            .to_lowercase()
            .as_str(),
        "author"
            | "autor"
            | "autorin"
            | "writer"
            | "contributor"
            | "über den autor"
            | "about the author"
    )
}

/// The biography: `itemprop=description`, else the longest block of text
/// of an element classed as a biography or a description, else the card's
/// longest block of text (a paragraph, or text between the card's blocks)
/// that is not all link text ("More by Jane Roe"), a date line, or the
/// name's own element.
fn bio_of(
    card: NodeRef<'_, Node>,
    name_node: Option<NodeRef<'_, Node>>,
    name: &str,
    role: Option<&str>,
) -> Option<String> {
    let marked = |parts: &[&str]| {
        elements(card)
            .filter(|(_, el)| class_has(el, parts) && !class_has(el, &["name", "avatar", "photo"]))
            .find_map(|(n, _)| longest_block(n, name_node).filter(|t| reads_as_bio(t, 20)))
    };
    elements(card)
        .filter(|(_, el)| el.get_attr("itemprop") == Some("description"))
        .map(|(n, _)| text_of(n))
        .find(|t| reads_as_bio(t, 20))
        .or_else(|| marked(&["bio"]))
        .or_else(|| marked(&["description", "desc", "about-text"]))
        .or_else(|| longest_block(card, name_node).filter(|t| reads_as_bio(t, 40)))
        .map(|t| without_heading(&t, name, role))
        .filter(|t| t.chars().count() >= 20)
        .map(|t| shorten(&t, 600))
}

/// Whether a text can be a biography: long enough, and not a date line or
/// a byline ("Published: 10:00am, 20 Jan, 2020", "Aktualisiert: 31 Okt
/// 2023", "by Steven Musil January 18, 2017").
fn reads_as_bio(text: &str, min_chars: usize) -> bool {
    let lower = text.to_lowercase();
    text.chars().count() >= min_chars
        && ![
            "published",
            "updated",
            "posted",
            "aktualisiert",
            "veröffentlicht",
            "erschienen",
            "stand:",
            "publicado",
            "actualizado",
            "by ",
            "von ",
            "par ",
            "por ",
        ]
        .iter()
        .any(|label| lower.starts_with(label))
}

/// Elements that end a run of text: the sanitizer's blocks, and table
/// cells, menus and forms.
pub(crate) fn is_block(name: &str) -> bool {
    crate::sanitize::is_block_name(name) || matches!(name, "td" | "th" | "nav" | "form")
}

/// The longest run of text in `node` between block elements that is not
/// link text ("More by Jane Roe"; in a list of her recent posts, half
/// link text), collapsed. A run that opens with the name's element, `name`, loses it when a
/// new sentence follows ("<a>Dan Goodin</a> Dan is …") and keeps it when
/// the name is the sentence's subject ("<b>TIM ANDERSON</b> has done …").
fn longest_block(node: NodeRef<'_, Node>, name: Option<NodeRef<'_, Node>>) -> Option<String> {
    #[derive(Default)]
    struct Run {
        text: String,
        linked: usize,
        /// Whether the run sits in a list item (a list of recent posts).
        listed: bool,
        /// Where the name's element starts and ends in `text`.
        name: (Option<usize>, Option<usize>),
    }
    let mut best: Option<String> = None;
    let mut run = Run::default();
    let mut flush = |run: &mut Run| {
        let mut text = run.text.as_str();
        if let (Some(start), Some(end)) = run.name
            && text[..start].trim().is_empty()
        {
            let rest = text[end..].trim_start();
            if rest.is_empty() || rest.starts_with(|c: char| !c.is_lowercase()) {
                text = rest;
            }
        }
        let text = collapse_whitespace(text);
        let chars = text.chars().count();
        if chars > 0
            && (if run.listed {
                run.linked * 2 < chars
            } else {
                run.linked * 10 < chars * 9
            })
            && best.as_ref().is_none_or(|b| b.chars().count() < chars)
        {
            best = Some(text);
        }
        *run = Run::default();
    };
    let is_name = |n: NodeRef<'_, Node>| name.is_some_and(|m| m.id() == n.id());
    let mut skip_depth = 0usize;
    let mut link_depth = 0usize;
    let mut list_depth = 0usize;
    for edge in node.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) => match n.value() {
                Node::Element(el) => {
                    if skip_depth > 0
                        || matches!(
                            el.name(),
                            "script"
                                | "style"
                                | "noscript"
                                | "template"
                                | "svg"
                                | "button"
                                | "select"
                        )
                        || el.get_attr("aria-hidden") == Some("true")
                    {
                        skip_depth += 1;
                        continue;
                    }
                    if is_block(el.name()) {
                        flush(&mut run);
                        if el.name() == "li" {
                            list_depth += 1;
                        }
                    } else if el.name() == "a" {
                        link_depth += 1;
                    } else if el.name() == "br" {
                        run.text.push(' ');
                    }
                    if is_name(n) {
                        run.name.0 = Some(run.text.len());
                    }
                }
                Node::Text(t) if skip_depth == 0 => {
                    run.listed |= list_depth > 0;
                    run.text.push_str(t);
                    if link_depth > 0 {
                        run.linked += t.trim().chars().count();
                    }
                }
                _ => {}
            },
            ego_tree::iter::Edge::Close(n) => {
                if let Node::Element(el) = n.value() {
                    if skip_depth > 0 {
                        skip_depth -= 1;
                        continue;
                    }
                    if is_name(n) && run.name.0.is_some() {
                        run.name.1 = Some(run.text.len());
                    }
                    if is_block(el.name()) {
                        flush(&mut run);
                        if el.name() == "li" {
                            list_depth = list_depth.saturating_sub(1);
                        }
                    } else if el.name() == "a" {
                        link_depth = link_depth.saturating_sub(1);
                    }
                }
            }
        }
    }
    flush(&mut run);
    best
}

/// A biography without the name, role and e-mail address the card's
/// markup put before it ("Logan C. Ritchie Staff Writer Logan C. Ritchie
/// writes …" is "Logan C. Ritchie writes …"). A name that begins the
/// biography's first sentence stays ("Nils Pickert ist …").
fn without_heading(bio: &str, name: &str, role: Option<&str>) -> String {
    let mut rest = bio.trim();
    loop {
        let before = rest;
        for label in BIO_LABELS {
            if let Some(after) = strip_prefix_ignore_case(rest, label)
                && after.starts_with([' ', ':', '\u{a0}'])
            {
                rest = after.trim_start_matches([':', ' ', '\u{a0}']);
            }
        }
        for part in [Some(name), role]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
        {
            if let Some(after) = strip_prefix_ignore_case(rest, part) {
                let after = after.trim_start_matches([',', ':', ' ', '-', '–']);
                let next_is_heading = strip_prefix_ignore_case(after, name).is_some()
                    || role.is_some_and(|r| strip_prefix_ignore_case(after, r).is_some())
                    || after
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| w.contains('@'));
                if next_is_heading || part != name {
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

/// Headings a card prints before a biography.
const BIO_LABELS: &[&str] = &[
    "biografie",
    "biography",
    "bio",
    "about me",
    "über mich",
    "zur person",
    "autoreninfo",
    "about the author",
    "über den autor",
    "über die autorin",
];

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    (!prefix.is_empty() && head.to_lowercase() == prefix.to_lowercase())
        .then(|| &text[prefix.len()..])
}

/// The avatar: the card's first picture with a web address that is not an
/// icon. Lazy-loaded pictures give it in `data-src` and its kin when `src`
/// holds a placeholder.
fn avatar_of(card: NodeRef<'_, Node>, base: Option<&Url>) -> Option<String> {
    elements(card)
        .filter(|(n, el)| el.name() == "img" && !is_icon(*n, el))
        .find_map(|(_, el)| {
            let src = el
                .get_attr("src")
                .map(str::trim)
                .filter(|v| !v.is_empty() && !is_placeholder(v));
            src.into_iter()
                .chain(
                    ["data-src", "data-lazy-src", "data-original"]
                        .iter()
                        .filter_map(|a| el.get_attr(a)),
                )
                .chain(
                    ["data-srcset", "data-lazy-srcset", "srcset"]
                        .iter()
                        .filter_map(|a| el.get_attr(a))
                        .filter_map(|set| set.split_whitespace().next()),
                )
                .map(str::trim)
                .filter(|v| !v.is_empty() && !is_placeholder(v))
                .find_map(|v| link(v, base))
        })
}

/// A stand-in picture a lazy loader swaps out ("data:…", "lazy_placeholder.gif",
/// "leer.gif").
fn is_placeholder(src: &str) -> bool {
    let lower = src.to_ascii_lowercase();
    lower.starts_with("data:")
        || [
            "placeholder",
            "lazy",
            "blank.",
            "spacer",
            "transparent",
            "leer.gif",
            "pixel.",
            "1x1",
        ]
        .iter()
        .any(|p| lower.has(p))
}

/// A social or contact icon in a card ("icon-linkedin.svg", a Xing button).
fn is_icon(node: NodeRef<'_, Node>, el: &Element) -> bool {
    // The picture's path, not its query ("?d=identicon" is a gravatar's
    // fallback style).
    let src = el.get_attr("src").unwrap_or("").to_ascii_lowercase();
    let path = src.split(['?', '#']).next().unwrap_or("");
    path.has("icon")
        || path.has("button")
        || class_has(el, &["icon"])
        || node.ancestors().take(3).any(|a| {
            matches!(a.value(), Node::Element(p) if p.name() == "a"
            && p.get_attr("href").is_some_and(|h| {
                let h = h.to_ascii_lowercase();
                ["twitter.", "facebook.", "linkedin.", "xing.", "instagram.", "mailto:", "tel:"]
                    .iter()
                    .any(|s| h.has(s))
            }))
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
/// nobody takes the cards' authors. A page whose only author is a user
/// name ("CC7567") or a slug ("Graciela-Cuevas") takes the card's name when
/// the card links to that user.
pub(crate) fn merge(authors: &mut Vec<Author>, cards: Vec<Author>) {
    let named_nobody = !authors.iter().any(Author::is_person);
    // Authors whose picture came from a card, and whether that card had a
    // biography: a later card does not replace it unless it is the full
    // card to a byline box's thumbnail.
    let mut pictured: Vec<(String, bool)> = Vec::new();
    for card in cards {
        let card_key = name_key(&card.name);
        if card_key.is_empty() {
            // A card without a name fills the author its biography opens with.
            let bio_start: String = card.bio.as_deref().unwrap_or("").chars().take(80).collect();
            let bio_start = name_key(&bio_start);
            if let Some(a) = authors
                .iter_mut()
                .find(|a| !a.name.is_empty() && bio_start.starts_with(&name_key(&a.name)))
            {
                a.bio = a.bio.take().or(card.bio);
                a.avatar_url = a.avatar_url.take().or(card.avatar_url);
            } else if let [a] = authors.as_mut_slice() {
                // A page with one author: the card's biography is theirs.
                a.bio = a.bio.take().or(card.bio);
            }
            continue;
        }
        let same = |a: &Author| {
            let key = name_key(&a.name);
            key == card_key
                || key.contains(&card_key)
                || card_key.contains(&key)
                || is_same_user(a, &card)
        };
        let took_one = authors.iter().any(Author::is_person);
        match authors.iter_mut().find(|a| same(a)) {
            Some(a) => {
                let full = card.bio.is_some();
                if is_handle_like(&a.name) && !is_handle_like(&card.name) {
                    a.name = card.name;
                }
                a.role = a.role.take().filter(|r| !is_generic_role(r)).or(card.role);
                a.bio = a.bio.take().or(card.bio);
                // The picture the first card shows beats the metadata's
                // (often a default gravatar).
                let key = name_key(&a.name);
                let earlier = pictured.iter().position(|(k, _)| *k == key);
                if card.avatar_url.is_some() && earlier.is_none_or(|i| full && !pictured[i].1) {
                    a.avatar_url = card.avatar_url;
                    pictured.retain(|(k, _)| *k != key);
                    pictured.push((key, full));
                }
                a.url = a.url.take().or(card.url);
            }
            // A page that named nobody takes its first card only: more
            // cards are a list of contributors or teasers.
            None if named_nobody && !took_one => authors.insert(0, card),
            None => {}
        }
    }
}

/// A name compared without case, hyphens or underscores.
fn name_key(name: &str) -> String {
    name.to_lowercase()
        .replace(['-', '_'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// One word of letters and digits, or a slug: how a user name looks.
fn is_handle_like(name: &str) -> bool {
    !name.trim().contains(' ')
}

/// Whether an author given by a user name is the card's person: the same
/// profile address, or the user name in the card's profile address.
fn is_same_user(author: &Author, card: &Author) -> bool {
    let Some(card_url) = card.url.as_deref() else {
        return false;
    };
    author.url.as_deref() == Some(card_url)
        || (is_handle_like(&author.name)
            && author.name.chars().count() >= 3
            && card_url
                .to_lowercase()
                .split(['/', '?', '#', '='])
                .any(|part| part == author.name.to_lowercase()))
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

    #[test]
    fn a_theme_card_gives_its_bio_from_loose_text_and_its_real_picture() {
        // WordPress's Twenty Ten shape: the bio is text beside a heading and
        // a "see all posts" link; the picture is lazy-loaded.
        let page = r#"<html><head><title>Nebel</title></head><body><article><h1>Nebel</h1>
<p class="byline">Von <a href="/author/mivedo/">Michael Veeser</a></p>
<p>Der Nebel lag am Morgen so dicht über dem Tal, dass die Kirchturmspitze erst gegen Mittag wieder zu sehen war, und die Schule begann eine Stunde später.</p>
<p>Die Busse fuhren langsam, die Fähre blieb im Hafen, und am Nachmittag kam die Sonne doch noch durch und trocknete die Wiesen am Fluss.</p>
<div id="entry-author-info"><div id="author-avatar"><img src="data:image/gif;base64,R0lGOD" data-lazy-src="/img/mv.jpg?d=identicon" alt=""></div>
<div id="author-description"><h2>Über Michael Veeser</h2>Lehrer an einem beruflichen Schulzentrum in Freiburg, bloggt gelegentlich über Lernen und Leiten.
<div id="author-link"><a href="/author/mivedo/">Zeige alle Beiträge von Michael Veeser</a></div></div></div>
</article></body></html>"#;
        let url = Url::parse("https://blog.example/nebel").unwrap();
        let a = extract(page.as_bytes(), Some(&url), Some("text/html"));
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        let author = &a.authors[0];
        assert_eq!(author.name, "Michael Veeser");
        assert_eq!(
            author.bio.as_deref(),
            Some(
                "Lehrer an einem beruflichen Schulzentrum in Freiburg, bloggt gelegentlich über Lernen und Leiten."
            )
        );
        assert_eq!(
            author.avatar_url.as_deref(),
            Some("https://blog.example/img/mv.jpg?d=identicon")
        );
        assert!(!a.text.contains("beruflichen Schulzentrum"), "{}", a.text);
    }

    #[test]
    fn a_byline_box_is_no_biography_and_a_name_opening_a_sentence_stays() {
        let page = r#"<html><head><title>Markets</title></head><body><article><h1>Markets</h1>
<div class="author-info"><a rel="author" href="/profiles/sm/">Steven Musil</a> <time>January 18, 2017 11:00 PM PST</time></div>
<p>Markets rose on Thursday as investors weighed the central bank's statement and a stronger than expected report on jobs from the labour ministry.</p>
<p>Bond yields fell slightly, and the currency held its gains against the dollar through the afternoon session in London and New York.</p>
<div class="author-bio-thing"><table><tr><td><b>STEVEN MUSIL</b> has covered markets for twenty years, from San Francisco and from New York.</td></tr></table></div>
</article></body></html>"#;
        let a = extract(page.as_bytes(), None, Some("text/html"));
        assert_eq!(a.authors.len(), 1, "{:?}", a.authors);
        assert_eq!(
            a.authors[0].bio.as_deref(),
            Some(
                "STEVEN MUSIL has covered markets for twenty years, from San Francisco and from New York."
            )
        );
    }

    #[test]
    fn a_user_name_takes_the_name_its_card_gives() {
        let page = r#"<html><head><title>Droids</title><meta name="author" content="CC7567"></head><body><article><h1>Droids</h1>
<p>The droids of the new series speak more than their masters, and the writers have said that this was the plan from the first episode on.</p>
<p>Fans have counted the lines: the little one has more than the captain, and more than any droid in the films before it.</p>
<div class="author-bio"><a href="https://fandom.example/u/CC7567">James Akinaka</a><p>James Akinaka arrives by way of Wookieepedia and covers animation.</p></div>
</article></body></html>"#;
        let a = extract(page.as_bytes(), None, Some("text/html"));
        let names: Vec<&str> = a.authors.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["James Akinaka"]);
        assert!(
            a.authors[0]
                .bio
                .as_deref()
                .is_some_and(|b| b.starts_with("James Akinaka arrives"))
        );
    }
}
