//! What a page says about itself: JSON-LD, OpenGraph, Twitter cards, `<meta>`
//! and a few visible elements, merged in that order of trust.

use crate::dom::GetAttr;
use crate::dom::Has;
use crate::dom::Openings;
use crate::index::{PageIndex, text_of};
use bulletin_core::entities::decode_entities;
use bulletin_core::text::collapse_whitespace;
use bulletin_core::{Author, Image, parse_datetime_with_offset as parse_datetime};
use chrono::{DateTime, FixedOffset, NaiveDate};
use ego_tree::NodeRef;
use scraper::Node;
use serde_json::Value;
use url::Url;

#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    pub title: Option<String>,
    pub site_name: Option<String>,
    pub canonical_url: Option<String>,
    pub lang: Option<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub authors: Vec<Author>,
    pub image: Option<Image>,
    pub summary: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "BlogPosting",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "Report",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "TechArticle",
    "ScholarlyArticle",
    "WebPage",
    "Posting",
];

/// The page's metadata, each field from the first source that has it:
/// JSON-LD, then `meta` tags, then the page's own elements.
pub(crate) fn read(idx: &PageIndex<'_>, base: Option<&Url>) -> PageMeta {
    let page = Sources {
        idx,
        ld: json_ld_article(&idx.json_ld),
        base,
    };
    let site_name = page.site_name();
    PageMeta {
        title: page.title(site_name.as_deref()),
        canonical_url: page.canonical_url(),
        lang: page.lang(),
        published_at: page.published_at(),
        modified_at: page.modified_at(),
        authors: page.authors(),
        image: page.image(),
        summary: page.summary(),
        site_name,
    }
}

/// `meta` names that give the publication date, most trusted first.
const PUBLISHED_KEYS: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "cxenseparse:recs:publishtime",
    "og:published_time",
    "published_time",
    "article:published",
    "dcterms.date",
    "dc.date.created",
    "date.published",
    "originalpublicationdate",
    "article.published",
    "published-date",
    "release_date",
    "citation_publication_date",
    "citation_date",
    "dcterms.issued",
];

/// Where a page's metadata comes from: its index (meta tags, title,
/// canonical link), its JSON-LD article, and its address.
struct Sources<'p, 'a> {
    idx: &'p PageIndex<'a>,
    ld: Option<Value>,
    base: Option<&'p Url>,
}

impl Sources<'_, '_> {
    /// The first of these `meta` tags with a value, whitespace collapsed.
    fn meta(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.idx
                .metas
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| collapse_whitespace(v))
                .filter(|v| !v.is_empty())
        })
    }

    /// A string field of the JSON-LD article.
    fn ld(&self, key: &str) -> Option<String> {
        self.ld.as_ref().and_then(|a| str_of(a.get(key)?))
    }

    fn site_name(&self) -> Option<String> {
        self.meta(&["og:site_name", "application-name"])
            .or_else(|| {
                self.ld
                    .as_ref()
                    .and_then(|a| a.get("publisher"))
                    .and_then(|p| str_of(p.get("name")?))
            })
    }

    /// The page's headline. The titles a page declares (JSON-LD, `meta`
    /// tags, `<title>`) are often written for search engines and carry the
    /// site's name or a topic prefix; the heading readers see is the one
    /// that best shares their words. Without such a heading, the first
    /// declared title, site name removed.
    fn title(&self, site_name: Option<&str>) -> Option<String> {
        let declared: Vec<String> = self
            .ld("headline")
            .into_iter()
            .chain(
                [
                    "og:title",
                    "twitter:title",
                    "title",
                    "dc.title",
                    "sailthru.title",
                ]
                .iter()
                .filter_map(|k| self.meta(&[k])),
            )
            .map(|t| decode_entities(&t))
            .filter(|t| !t.trim().is_empty())
            .collect();
        let page_title = self
            .idx
            .title
            .map(|t| decode_entities(&text_of(t)))
            .filter(|t| !t.trim().is_empty());
        let mut all = declared.clone();
        all.extend(page_title.clone());
        if let Some(headline) = visible_headline(&self.idx.headings, &all) {
            return Some(without_leftover_punctuation(&headline).to_string());
        }
        declared
            .into_iter()
            .next()
            .or_else(|| self.idx.first_h1.map(text_of).filter(|t| !t.is_empty()))
            .or(page_title)
            .map(|t| strip_site_tail(&t, site_name))
    }

    fn canonical_url(&self) -> Option<String> {
        self.idx
            .canonical
            .iter()
            .copied()
            .chain(self.meta(&["og:url"]).as_deref())
            .find_map(|href| resolve(href, self.base))
            .map(|u| bulletin_core::canonicalize_url(&u).to_string())
    }

    fn lang(&self) -> Option<String> {
        self.locale()
            .map(|l| normalize_lang(&l))
            .filter(|l| !l.is_empty())
    }

    /// The locale the page declares, with its region when it gives one
    /// ("en-US", "de_AT").
    fn locale(&self) -> Option<String> {
        self.idx
            .html_lang
            .map(str::to_string)
            .or_else(|| self.ld("inLanguage"))
            .or_else(|| self.meta(&["og:locale", "content-language", "language", "dc.language"]))
    }

    /// A date said to be the publication's: Open Graph's
    /// `article:published_time` (what the site shows when it shares the
    /// page; where it and JSON-LD disagree, the labelled corpora side with
    /// it), JSON-LD's `datePublished`, other `meta` tags, and last JSON-LD's
    /// `dateCreated` (often when the page was made, a day after the
    /// article). A time written in UTC is given in the site's own offset.
    fn published_at(&self) -> Option<DateTime<FixedOffset>> {
        let raw = self
            .meta(&PUBLISHED_KEYS[..2])
            .filter(|d| parse_datetime(d).is_some())
            .or_else(|| self.ld("datePublished"))
            .or_else(|| self.meta(PUBLISHED_KEYS))
            .or_else(|| self.ld("dateCreated"))?;
        let date = parse_datetime(&raw)?;
        let page_times: Vec<&str> = self
            .idx
            .metas
            .iter()
            .filter(|(k, _)| k.contains("date") || k.contains("time") || k.contains("publish"))
            .map(|(_, v)| *v)
            .chain(self.idx.times.iter().filter_map(|t| match t.value() {
                Node::Element(el) => el.get_attr("datetime"),
                _ => None,
            }))
            .collect();
        let address = self
            .canonical_url()
            .and_then(|u| Url::parse(&u).ok())
            .or_else(|| self.base.cloned());
        let lang = self.locale();
        // The days the page shows: in its address, and as the text of its
        // <time> elements ("Oct 10, 2023").
        let month_first = lang.as_deref().is_some_and(|l| l.starts_with("en"));
        let shown_days: Vec<NaiveDate> = address
            .as_ref()
            .and_then(|u| crate::dates::date_in_url(u.as_str()))
            .into_iter()
            .chain(self.idx.times.iter().filter_map(|t| {
                let text = text_of(*t);
                (text.len() <= 60)
                    .then(|| crate::dates::parse_text_date(&text, month_first))
                    .flatten()
            }))
            .map(|d| d.date_naive())
            .collect();
        let site = crate::zone::Site {
            host: address.as_ref().and_then(Url::host_str),
            lang: lang.as_deref(),
            shown_days: &shown_days,
        };
        Some(crate::zone::localize(date, &raw, &page_times, site))
    }

    fn modified_at(&self) -> Option<DateTime<FixedOffset>> {
        self.ld("dateModified")
            .or_else(|| {
                self.meta(&[
                    "article:modified_time",
                    "og:updated_time",
                    "datemodified",
                    "dcterms.modified",
                ])
            })
            .and_then(|d| parse_datetime(&d))
    }

    /// JSON-LD's authors, else the names `meta` tags give (not URLs).
    fn authors(&self) -> Vec<Author> {
        let mut authors = self
            .ld
            .as_ref()
            .map(|a| ld_authors(a, self.base))
            .unwrap_or_default();
        if !authors.is_empty() {
            return authors;
        }
        let names = self
            .idx
            .metas
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "author"
                        | "article:author"
                        | "dc.creator"
                        | "sailthru.author"
                        | "parsely-author"
                )
            })
            .map(|(_, v)| collapse_whitespace(v))
            .filter(|v| !v.is_empty() && !v.starts_with("http"));
        for name in names {
            if !authors.iter().any(|a| a.name == name) {
                authors.push(Author::named(name));
            }
        }
        authors
    }

    fn image(&self) -> Option<Image> {
        self.ld
            .as_ref()
            .and_then(|a| ld_image(a.get("image")?, self.base))
            .or_else(|| {
                self.meta(&[
                    "og:image",
                    "og:image:url",
                    "og:image:secure_url",
                    "twitter:image",
                    "twitter:image:src",
                ])
                .and_then(|u| resolve(&u, self.base))
                .map(|u| Image {
                    url: u.to_string(),
                    caption: self.meta(&["og:image:alt", "twitter:image:alt"]),
                    credit: None,
                })
            })
    }

    fn summary(&self) -> Option<String> {
        self.ld("description").or_else(|| {
            self.meta(&[
                "og:description",
                "description",
                "twitter:description",
                "dc.description",
            ])
        })
    }
}

/// Of the page's `h1`/`h2` headings, the one whose words best match a
/// declared title (Dice coefficient of their word sets at least
/// [`HEADLINE_MATCH`], two words shared unless the heading is one word),
/// `h1` before `h2` on a tie.
fn visible_headline(headings: &[NodeRef<'_, Node>], declared: &[String]) -> Option<String> {
    // A declared title's first part before a separator ("Bielersee-
    // Winterhechte | petri-heil.ch | Dein Schweizer Fischereimagazin"): a
    // heading with just its words is the headline, the rest names the site.
    let leading_parts: Vec<Vec<String>> = declared
        .iter()
        .filter_map(|t| {
            [" | ", " – ", " — ", " - ", " :: ", " · ", " » "]
                .iter()
                .filter_map(|sep| t.find(sep))
                .min()
                .map(|at| title_words(&t[..at]))
        })
        .filter(|words| !words.is_empty())
        .collect();
    let declared: Vec<Vec<String>> = declared.iter().map(|t| title_words(t)).collect();
    let mut best: Option<(f64, bool, String)> = None;
    for node in headings {
        // A heading for screen readers only often repeats the page's
        // title, site name and all.
        if matches!(node.value(), Node::Element(el) if is_hidden_from_view(el)) {
            continue;
        }
        let text = decode_entities(&heading_text(*node));
        let words = title_words(&text);
        // A heading that ends in a colon labels what follows it.
        if words.is_empty() || text.len() > 400 || text.ends_with(':') {
            continue;
        }
        let is_h1 = matches!(node.value(), Node::Element(el) if el.name() == "h1");
        for d in &declared {
            let shared = words.iter().filter(|w| d.contains(w)).count();
            let score = 2.0 * shared as f64 / (words.len() + d.len()) as f64;
            let better = match &best {
                None => true,
                Some((s, h1, _)) => {
                    score > *s + 1e-9 || ((score - *s).abs() <= 1e-9 && is_h1 && !*h1)
                }
            };
            if shared >= words.len().min(2) && score >= HEADLINE_MATCH && better {
                best = Some((score, is_h1, text.clone()));
            }
        }
        if best.is_none() && leading_parts.contains(&words) {
            best = Some((HEADLINE_MATCH, is_h1, text.clone()));
        }
    }
    best.map(|(_, _, text)| text)
}

/// A heading's text as it reads, without the parts news sites set around
/// the headline inside the same element: a kicker or roofline above it, a
/// subtitle below it, a label, a date, text hidden from view. Inline markup
/// adds no space ("Metroid</a>, One"); line breaks and blocks do.
fn heading_text(node: NodeRef<'_, Node>) -> String {
    fn walk(node: NodeRef<'_, Node>, out: &mut String) {
        for child in node.children() {
            match child.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(el) => {
                    if matches!(el.name(), "small" | "time" | "style" | "script" | "sup")
                        || el.get_attr("aria-hidden") == Some("true")
                        || el.get_attr("class").is_some_and(is_headline_extra)
                    {
                        out.push(' ');
                        continue;
                    }
                    let block = matches!(el.name(), "br" | "div" | "p" | "li");
                    if block {
                        out.push(' ');
                    }
                    walk(child, out);
                    if block {
                        out.push(' ');
                    }
                }
                _ => {}
            }
        }
    }
    let mut raw = String::new();
    walk(node, &mut raw);
    let text = collapse_whitespace(&raw);
    if title_words(&text).is_empty() {
        collapse_whitespace(&text_of(node))
    } else {
        text
    }
}

/// Whether a class names a part of a heading that is not the headline.
fn is_headline_extra(class: &str) -> bool {
    class.split_ascii_whitespace().any(|token| {
        let token = token.to_ascii_lowercase();
        [
            "kicker",
            "overline",
            "roofline",
            "dachzeile",
            "topline",
            "toptitle",
            "supertitle",
            "eyebrow",
            "topic-label",
            "subtitle",
            "sub-title",
            "subheading",
            "sub-heading",
            "subheadline",
            "label",
            "visually-hidden",
            "visuallyhidden",
            "sr-only",
            "screen-reader",
            "invisible",
            "section",
        ]
        .iter()
        .any(|part| token.has(part))
    })
}

/// How closely a heading must match a declared title to be the headline.
const HEADLINE_MATCH: f64 = 0.5;

/// A title's words, lowercased, each once.
fn title_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let w = w.to_lowercase();
        if !words.contains(&w) {
            words.push(w);
        }
    }
    words
}

/// Authors named in the page's visible byline, for pages whose metadata
/// names none: "By Jane Roe and John Doe", "Von Anna Berg", a `rel=author`
/// link. Texts that do not look like names are ignored.
pub(crate) fn byline_authors(idx: &PageIndex<'_>, base: Option<&Url>) -> Vec<Author> {
    let mut out: Vec<Author> = Vec::new();
    for node in &idx.bylines {
        if names_others(*node) {
            continue;
        }
        // itemprop=author may wrap an itemprop=name.
        let text = visible_text(*node);
        let (url, marked) = match node.value() {
            scraper::Node::Element(el) => (
                (el.name() == "a")
                    .then(|| el.get_attr("href").and_then(|h| resolve(h, base)))
                    .flatten()
                    .map(String::from),
                el.get_attr("rel")
                    .is_some_and(|r| r.split_ascii_whitespace().any(|r| r == "author"))
                    || el.get_attr("class").is_some_and(|c| {
                        c.split_ascii_whitespace()
                            .any(|c| c == "fn" || c == "author-name")
                    }),
            ),
            _ => (None, false),
        };
        let text = text.trim();
        let mut credited = split_byline(text);
        // An element marked as the author's name may hold a handle ("gizzmo").
        if credited.is_empty() && marked && is_handle(text) {
            credited.push(Author::named(text));
        }
        for author in credited {
            if !out
                .iter()
                .any(|a| a.name.eq_ignore_ascii_case(&author.name))
            {
                // A byline that is not itself the link may hold one to the
                // author's page ("by <a rel=author href=…>Steven Musil</a>").
                let url = url
                    .clone()
                    .or_else(|| link_named(*node, &author.name, base));
                out.push(Author { url, ..author });
            }
        }
        if !out.is_empty() {
            break;
        }
    }
    out
}

/// Writers that the metadata names by a first name or a handle ("Nils",
/// "arianschlichenmayer", "christian.stadtfeld") get the full name the
/// visible byline prints for them ("Nils Pickert", "Arian
/// Schlichenmayer", "Christian P. Stadtfeld").
pub(crate) fn fill_out_short_names(
    authors: &mut [Author],
    idx: &PageIndex<'_>,
    base: Option<&Url>,
    site_name: Option<&str>,
) {
    let is_short = |a: &Author| a.is_person() && !a.name.contains(char::is_whitespace);
    if !authors.iter().any(is_short) {
        return;
    }
    let visible: Vec<Author> = byline_authors(idx, base)
        .into_iter()
        .chain(labelled_byline_authors(idx, site_name))
        .collect();
    for author in authors.iter_mut().filter(|a| is_short(a)) {
        if let Some(full) = visible
            .iter()
            .find(|v| is_fuller_name(&author.name, &v.name))
        {
            author.name.clone_from(&full.name);
            if author.url.is_none() {
                author.url.clone_from(&full.url);
            }
        }
    }
}

/// Whether `full` is a person's full name that `short` stands for: its
/// first name ("Nils" for "Nils Pickert"), or a handle made of its words
/// ("arianschlichenmayer", "christian.stadtfeld" for "Christian P.
/// Stadtfeld").
fn is_fuller_name(short: &str, full: &str) -> bool {
    let words: Vec<String> = full
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        })
        .filter(|w: &String| !w.is_empty())
        .collect();
    if words.len() < 2 {
        return false;
    }
    let short = short.to_lowercase();
    let parts: Vec<&str> = short
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .collect();
    let joined: String = words.concat();
    (parts.len() == 1 && (parts[0] == words[0] || parts[0] == joined))
        || (parts.len() > 1 && parts.iter().all(|p| words.iter().any(|w| w == p)))
}

/// Whether a text opens as a byline does, with its label ("von ", "By ",
/// "Text: ") or with a date's word ("Posted on … by …"), after any
/// dashes. Runs on every short text of the page: the first letter decides
/// most.
pub(crate) fn opens_like_a_byline(text: &str) -> bool {
    // (Indentation first, a byte at a time: no ASCII space is alphanumeric.)
    let text = text
        .trim_ascii_start()
        .trim_start_matches(|c: char| !c.is_alphanumeric());
    let bytes = text.as_bytes();
    let (Some(&first), Some(&second)) = (bytes.first(), bytes.get(1)) else {
        return false;
    };
    const OPENINGS: Openings = Openings::new(&[BYLINE_LABELS, DATE_WORDS]);
    if !OPENINGS.may_open(text) {
        return false;
    }
    // The first two letters decide nearly every text; "Über" is the one
    // label that opens with a capital outside ASCII.
    let (first, second) = (first.to_ascii_lowercase(), second.to_ascii_lowercase());
    let opens_with = |label: &str| {
        let label = label.as_bytes();
        label[0] == first
            && label[1] == second
            && bytes
                .get(..label.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(label))
    };
    BYLINE_LABELS
        .iter()
        .chain(DATE_WORDS)
        .any(|l| opens_with(l))
        || text.starts_with("Über ")
        || is_bare_label(text)
}

/// Whether a text is a byline's label and nothing else ("By", "Autor:",
/// "Geschrieben von"): themes print it in an element of its own, the names
/// in the next one.
fn is_bare_label(text: &str) -> bool {
    let text = text.trim_end();
    let with_colon = text.ends_with(':');
    let text = text.trim_end_matches(':').trim_end();
    let is = |l: &&str| l.len() == text.len() && l.eq_ignore_ascii_case(text);
    // A noun is a label with its colon or its capital ("Autor", "Author:"),
    // a role in a list of names otherwise ("Marie Arana, author").
    BARE_LABELS.iter().any(is)
        || ((with_colon || text.starts_with(|c: char| c.is_uppercase()))
            && BARE_LABEL_NOUNS.iter().any(is))
}

/// The labels of [`BYLINE_LABELS`] that say "byline" when they stand
/// alone, lowercase. Not the short words that are also something else
/// there ("Di" for Tuesday in a calendar, "Par" in a golf score, "About"
/// over a menu).
const BARE_LABELS: &[&str] = &[
    "by",
    "von",
    "written by",
    "posted by",
    "published by",
    "geschrieben von",
    "erstellt von",
    "eingestellt von",
    "veröffentlicht von",
];

/// The nouns that are a byline's label standing alone when they have its
/// colon or a capital.
const BARE_LABEL_NOUNS: &[&str] = &["text", "autor", "autorin", "author", "auteur"];

/// Authors named by a short text that opens as a byline, for pages where
/// nothing marks the byline ("<p>von <em>Klaus Stanjek</em></p>", "Posted
/// on September 21, 2020 by Adi Tzlil"): the first such text that names a
/// person, outside comments, sidebars, links and headings.
pub(crate) fn labelled_byline_authors(idx: &PageIndex<'_>, site_name: Option<&str>) -> Vec<Author> {
    for text in &idx.labelled_bylines {
        let Some(parent) = text.parent() else {
            continue;
        };
        let in_a_link_or_heading = text.ancestors().take(4).any(|a| match a.value() {
            Node::Element(el) => matches!(
                el.name(),
                "a" | "h1" | "h2" | "h3" | "title" | "option" | "button" | "label"
            ),
            _ => false,
        });
        if in_a_link_or_heading || names_others(*text) {
            continue;
        }
        let text_of_parent = visible_text(parent);
        let own_text;
        let mut line = text_of_parent
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        if line.is_empty() {
            // The label is there for screen readers only ("<span
            // class=screen-reader-text>By </span><span>Cara Stiles</span>").
            own_text = collapse_whitespace(text.value().as_text().map_or("", |t| &**t));
            line = &own_text;
        }
        let widened;
        let label = line.trim_start_matches(|c: char| !c.is_alphanumeric());
        if is_bare_label(label) {
            match label_and_what_follows(*text, label) {
                Some(line_with_names) => {
                    widened = line_with_names;
                    line = &widened;
                }
                None => continue,
            }
        }
        if line.chars().count() > 160 {
            continue;
        }
        let line = line.trim_start_matches(|c: char| !c.is_alphanumeric());
        // The label opens the line ("Bild 1 von 4" is no byline).
        if !opens_like_a_byline(line) {
            continue;
        }
        // "Posted on 21 September 2020 by Adi Tzlil": from the label on.
        let lower = line.to_lowercase();
        let line = if DATE_WORDS.iter().any(|w| lower.starts_with(w)) {
            match [" by ", " von ", " par ", " por "]
                .iter()
                .filter_map(|l| lower.find(l))
                .min()
                .and_then(|at| line.get(at + 1..))
            {
                Some(rest) => rest,
                None => continue,
            }
        } else {
            line
        };
        let people: Vec<Author> = split_byline(line)
            .into_iter()
            .filter(|a| !is_organization(&a.name, site_name))
            .collect();
        if !people.is_empty() {
            return people;
        }
    }
    Vec::new()
}

/// A label printed in an element of its own, with the text of what
/// follows it: "By" + "Jane Roe" from `<span>By</span><a>Jane Roe</a>` or
/// from `<p>By</p><p>Jane Roe</p>`. The label's next siblings are read,
/// then those of the three elements around it; None when nothing short
/// follows.
fn label_and_what_follows(label: NodeRef<'_, Node>, label_text: &str) -> Option<String> {
    let mut node = label;
    for _ in 0..4 {
        for sibling in node.next_siblings() {
            let text = visible_text(sibling);
            let Some(first) = text.lines().map(str::trim).find(|l| !l.is_empty()) else {
                continue;
            };
            return (first.chars().count() <= 160).then(|| format!("{label_text} {first}"));
        }
        node = node.parent()?;
    }
    None
}

/// The address of the link inside `node` whose text is `name`.
fn link_named(node: NodeRef<'_, Node>, name: &str, base: Option<&Url>) -> Option<String> {
    node.descendants().find_map(|d| match d.value() {
        Node::Element(el)
            if el.name() == "a"
                && collapse_whitespace(&visible_text(d)).eq_ignore_ascii_case(name) =>
        {
            el.get_attr("href")
                .and_then(|h| resolve(h, base))
                .map(String::from)
        }
        _ => None,
    })
}

/// Whether an author name from the page's metadata names the publication
/// rather than a writer: the site's name, or a domain ("mdr.de"). Many sites
/// put their own name in `meta name=author`; the visible byline then says
/// who wrote the piece.
pub(crate) fn names_the_publisher(name: &str, site_name: Option<&str>) -> bool {
    let name = name.trim().to_lowercase();
    let is_domain = name.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w.rsplit_once('.').is_some_and(|(head, tld)| {
            !head.is_empty()
                && (2..=6).contains(&tld.len())
                && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
    });
    is_domain
        || site_name.is_some_and(|site| {
            let site = site.trim().to_lowercase();
            !site.is_empty() && (site.contains(&name) || name.contains(&site))
        })
}

/// Whether a byline there names someone other than the article's author:
/// a comment thread, a list of recent comments or recent posts, a sidebar.
/// (Not every widget: Blogger prints the post itself in one.) The search
/// stops at the article, the main content or the body: their classes name
/// the page's layout ("content-sidebar", "sticky-sidebar-parent"), not a
/// part of it.
fn names_others(node: NodeRef<'_, Node>) -> bool {
    let is_page = |a: &NodeRef<'_, Node>| match a.value() {
        Node::Element(el) => matches!(el.name(), "article" | "main" | "body" | "html"),
        _ => true,
    };
    // A comment is often an <article> of its own.
    let a_comment = node
        .ancestors()
        .find(is_page)
        .is_some_and(|a| match a.value() {
            Node::Element(el) => crate::dom::any_class_token(el, |t| t.starts_with("comment")),
            _ => false,
        });
    a_comment
        || node
            .ancestors()
            .take_while(|a| !is_page(a))
            .take(12)
            .any(|a| match a.value() {
                Node::Element(el) => crate::dom::any_class_token(el, |t| {
                    t.contains("comment")
                        || t.contains("sidebar")
                        || t.contains("recent")
                        || t.contains("related")
                }),
                _ => false,
            })
}

/// An element's text without what is there only for screen readers
/// ("<span class=screen-reader-text>Author </span>Daniel Lemire").
fn visible_text(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    let mut hidden_depth: Option<usize> = None;
    for edge in node.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) => {
                if hidden_depth.is_some() {
                    hidden_depth = hidden_depth.map(|d| d + 1);
                    continue;
                }
                match n.value() {
                    Node::Text(t) => {
                        out.extend(t.chars().map(|c| if c.is_whitespace() { ' ' } else { c }))
                    }
                    Node::Element(el) if is_hidden_from_view(el) || is_byline_extra(el) => {
                        hidden_depth = Some(1)
                    }
                    Node::Element(el) if el.name() == "br" || crate::cards::is_block(el.name()) => {
                        out.push('\n')
                    }
                    _ => {}
                }
            }
            ego_tree::iter::Edge::Close(_) => {
                if let Some(d) = hidden_depth {
                    hidden_depth = (d > 1).then(|| d - 1);
                }
            }
        }
    }
    out.lines()
        .map(collapse_whitespace)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether an element is hidden from view or there for screen readers
/// only: `aria-hidden`, or a class themes use for that.
fn is_hidden_from_view(el: &scraper::node::Element) -> bool {
    el.get_attr("aria-hidden") == Some("true")
        || el.get_attr("class").is_some_and(|c| {
            let c = c.to_ascii_lowercase();
            [
                "screen-reader",
                "sr-only",
                "visually-hidden",
                "visuallyhidden",
            ]
            .iter()
            .any(|h| c.contains(h))
        })
}

/// The parts of a byline that are not names: its categories and tags
/// ("Wein & Geschmack"), its date.
fn is_byline_extra(el: &scraper::node::Element) -> bool {
    el.name() == "time"
        || crate::dom::any_class_token(el, |t| {
            matches!(
                t,
                "cat" | "cats" | "category" | "categories" | "tag" | "tags" | "date"
            )
        })
}

/// A user name as blogs print it: one word of letters, digits, `.`, `_`
/// or `-`.
fn is_handle(text: &str) -> bool {
    (2..=30).contains(&text.chars().count())
        && text.chars().any(char::is_alphabetic)
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// What a byline prints before the names, lowercase, with its space.
const BYLINE_LABELS: &[&str] = &[
    "by ",
    "von ",
    "par ",
    "por ",
    "di ",
    "door ",
    "text: ",
    "text von ",
    "autor: ",
    "author: ",
    "written by: ",
    "written by ",
    "posted by ",
    "published by ",
    "geschrieben von ",
    "verfasst von ",
    "ein artikel von ",
    "ein beitrag von ",
    "erstellt von ",
    "eingestellt von ",
    "veröffentlicht von ",
    "redaktion: ",
    "interview: ",
    "author ",
    "autor ",
    "über ",
    "about ",
    "av ",
    "af ",
];

/// Whether a text is only a byline's label ("By", "Von", "Autor:") or a
/// date's ("Posted").
fn is_label_word(text: &str) -> bool {
    let word = text.trim().trim_end_matches(':').to_lowercase();
    BYLINE_LABELS
        .iter()
        .any(|l| l.trim_end().trim_end_matches(':') == word)
        || DATE_WORDS.contains(&word.as_str())
}

/// A trimmed text without the byline label that opens it ("By ", "Von ",
/// "Autor: "), the first of [`BYLINE_LABELS`] that does, trimmed.
fn without_byline_label(text: &str) -> &str {
    BYLINE_LABELS
        .iter()
        .find(|label| {
            text.len() > label.len()
                && text
                    .get(..label.len())
                    .is_some_and(|head| head.to_lowercase() == **label)
        })
        .map_or(text, |label| text[label.len()..].trim())
}

/// The people a byline credits, with the role it gives them ("By Jane Roe,
/// Senior Correspondent"), and the organisations it names ("By Ana Ruiz
/// and Li Wei, Reuters"): see [`classify`].
fn split_byline(text: &str) -> Vec<Author> {
    let t = without_byline_label(text.trim());
    // Cut at what usually follows a byline: a date, a separator, a role.
    let cut = t
        .find(['|', '•', '·', '\n', '(', '—', '–'])
        .unwrap_or(t.len());
    let t = without_date(t[..cut].trim()).trim_end_matches([',', ':', '-']);
    let mut out: Vec<Author> = Vec::new();
    for part in t
        .split(" and ")
        .flat_map(|p| p.split(" und "))
        .flat_map(|p| p.split(" & "))
        .flat_map(|p| p.split(", "))
        .map(str::trim)
    {
        if is_role(part) {
            // "Jane Roe, Staff Writer": the role of the name before it.
            if let Some(last) = out.last_mut().filter(|a| a.role.is_none()) {
                last.role = Some(part.to_string());
            }
        } else if let Some(writers) = writers_in_slashed_credit(part) {
            out.extend(writers.into_iter().map(Author::named));
        } else if looks_like_name(part) && !is_label_word(part) {
            out.push(Author::named(part));
        }
    }
    out
}

/// The writers of a credit split by slashes: both in "Laura Jordán /
/// Javier Urbina", the first in "Peter Maahn/SP-X" (an agency or a desk
/// follows). None unless the first is a full name ("dpa/lno").
fn writers_in_slashed_credit(credit: &str) -> Option<Vec<&str>> {
    let pieces: Vec<&str> = credit.split('/').map(str::trim).collect();
    if pieces.len() < 2 || !is_full_name(pieces[0]) {
        return None;
    }
    let writers = if pieces.iter().all(|p| is_full_name(p)) {
        pieces.len()
    } else {
        1
    };
    Some(pieces[..writers].to_vec())
}

/// A byline's text before the date that follows the names ("Moritz
/// Gathmann am 21. April 2020", "Jane Roe on March 3, 2021"): cut at the
/// first word that starts with a digit, with the words before it that
/// belong to the date (short lowercase words, month names, "Posted").
fn without_date(text: &str) -> &str {
    let starts_a_number = |(i, c): &(usize, char)| {
        c.is_ascii_digit()
            && text[..*i]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace)
    };
    let Some((digit, _)) = text.char_indices().find(starts_a_number) else {
        return text;
    };
    let mut head = text[..digit].trim_end();
    while !head.is_empty() {
        let (rest, last) = head.rsplit_once(char::is_whitespace).unwrap_or(("", head));
        let word = last.trim_matches(|c: char| !c.is_alphanumeric());
        let dateish = word.is_empty()
            || (word.chars().count() <= 4 && word.chars().all(char::is_lowercase))
            || crate::dates::month_number(word).is_some()
            || WEEKDAYS.contains(&word.to_lowercase().as_str())
            || DATE_WORDS.contains(&word.to_lowercase().as_str());
        if !dateish {
            break;
        }
        head = rest.trim_end();
    }
    head
}

/// The days of the week, lowercase, as a date in a byline names them
/// ("Von Anna Berg am Samstag, 19. Oktober 2019").
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "montag",
    "dienstag",
    "mittwoch",
    "donnerstag",
    "freitag",
    "samstag",
    "sonnabend",
    "sonntag",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    "lunes",
    "martes",
    "miércoles",
    "jueves",
    "viernes",
    "sábado",
    "domingo",
    "lunedì",
    "martedì",
    "mercoledì",
    "giovedì",
    "venerdì",
    "sabato",
    "maandag",
    "dinsdag",
    "woensdag",
    "donderdag",
    "vrijdag",
    "zaterdag",
    "zondag",
];

/// Capitalized words that announce a date in a byline.
const DATE_WORDS: &[&str] = &[
    "posted",
    "published",
    "updated",
    "veröffentlicht",
    "aktualisiert",
    "erstellt",
    "publié",
    "publicado",
    "pubblicato",
    "datum",
    "stand",
];

/// A job as bylines print it after a name ("Senior Correspondent",
/// "Redakteurin").
fn is_role(text: &str) -> bool {
    let lower = text.to_lowercase();
    text.split_whitespace().count() <= 5
        && [
            "writer",
            "reporter",
            "editor",
            "correspondent",
            "columnist",
            "contributor",
            "journalist",
            "photographer",
            "redakteur",
            "korrespondent",
            "fotograf",
            "kolumnist",
            "chefredakt",
            "periodista",
            "corresponsal",
            "redactor",
            "journaliste",
            "rédacteur",
        ]
        .iter()
        .any(|r| lower.contains(r))
}

/// News agencies and wire services credited in bylines.
const NEWS_AGENCIES: &[&str] = &[
    "reuters",
    "ap",
    "associated press",
    "the associated press",
    "afp",
    "agence france-presse",
    "dpa",
    "epd",
    "kna",
    "apa",
    "sda",
    "keystone-sda",
    "efe",
    "europa press",
    "ansa",
    "kyodo",
    "xinhua",
    "pa",
    "pa media",
    "aap",
    "the canadian press",
    "upi",
    "anadolu",
    "tass",
    "yonhap",
    "bloomberg",
    "bloomberg news",
    "lusa",
    "anp",
    "belga",
    "ntb",
    "ritzau",
    "ctk",
    "pap",
    "mti",
    "interfax",
];

/// Words that make a credited name an organisation: "Kulu Media News
/// Desk", "HLNF Staff Report", "Teufel Blog Redaktion".
const ORGANIZATION_WORDS: &[&str] = &[
    "news",
    "press",
    "presse",
    "agency",
    "agentur",
    "newsroom",
    "redaktion",
    "redacción",
    "rédaction",
    "desk",
    "staff",
    "team",
    "media",
    "group",
    "inc",
    "ltd",
    "gmbh",
    "wire",
    "service",
    "network",
    "magazine",
    "magazin",
    "zeitung",
    "journal",
    "times",
    "tribune",
    "herald",
    "gazette",
    "post",
];

/// Marks the authors that are organisations: a news agency, the
/// publication itself (its name or domain), or a name with an
/// organisation's word in it ("Teufel Blog Redaktion").
pub(crate) fn classify(authors: &mut [Author], site_name: Option<&str>) {
    for author in authors.iter_mut().filter(|a| a.is_person()) {
        if is_organization(&author.name, site_name) {
            author.kind = bulletin_core::AuthorKind::Organization;
        }
    }
}

/// Whether a credited name is an organisation's: a news agency, an
/// acronym ("CNN", "LN"), a name with an organisation's word, or the
/// publication's own name or domain when it does not read as a person's
/// (a personal blog is named after its writer).
fn is_organization(name: &str, site_name: Option<&str>) -> bool {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect();
    let acronym = !name.contains(' ')
        && (2..=6).contains(&name.chars().count())
        && name.chars().all(|c| c.is_uppercase());
    let reads_as_person = {
        let parts: Vec<&str> = name.split_whitespace().collect();
        (1..=3).contains(&parts.len())
            && parts.iter().all(|p| {
                let mut chars = p.chars();
                chars.next().is_some_and(char::is_uppercase)
                    && chars.all(|c| c.is_lowercase() || matches!(c, '-' | '\'' | '.'))
            })
    };
    NEWS_AGENCIES.contains(&lower.as_str())
        || acronym
        || words.iter().any(|w| ORGANIZATION_WORDS.contains(w))
        || (names_the_publisher(name, site_name) && !reads_as_person)
}

/// A credited name as metadata gives it, without its quotes, a byline's
/// label ("Von Anna Berg") or a trailing handle ("Williams Perdomo
/// @wperdomod").
fn tidy_credit(name: &str) -> String {
    let quotes = |c: char| matches!(c, '\'' | '"' | '‘' | '’' | '“' | '”' | '«' | '»');
    let t = without_byline_label(name.trim().trim_matches(quotes).trim());
    let mut words: Vec<&str> = t.split_whitespace().collect();
    while words.len() > 1 && words.last().is_some_and(|w| w.starts_with('@')) {
        words.pop();
    }
    words.join(" ")
}

/// What CMSs put where no author was given: "No Author", "admin",
/// "wordpressadmin", "Unknown".
fn is_placeholder_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    matches!(
        lower.as_str(),
        "no author" | "unknown" | "anonymous" | "n/a" | "none" | "null" | "undefined"
    ) || (!lower.contains(' ') && lower.contains("admin"))
}

/// A credit that names a person and their organisation in one string
/// ("Rob Picheta, CNN", "Le Monde with AFP"): the two, when the second is
/// an organisation by [`is_organization`]; else the credit as it is.
pub(crate) fn split_credit(author: Author, site_name: Option<&str>) -> Vec<Author> {
    let name = tidy_credit(&author.name);
    if name.is_empty() || is_placeholder_name(&name) {
        return Vec::new();
    }
    // A list of people in one credit ("Luana Patriolino, Raphael Felice").
    let people: Vec<&str> = name
        .split(", ")
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" und "))
        .map(str::trim)
        .collect();
    if people.len() > 1
        && people
            .iter()
            .all(|p| p.contains(' ') && looks_like_name(p) && !is_organization(p, site_name))
    {
        return people.into_iter().map(Author::named).collect();
    }
    let author = Author { name, ..author };
    for separator in [", ", " with ", " for ", " / "] {
        if let Some((first, second)) = author.name.split_once(separator) {
            let (first, second) = (first.trim(), second.trim());
            if !first.is_empty()
                && looks_like_name(second)
                && is_organization(second, site_name)
                && !second.contains(separator.trim())
            {
                return vec![
                    Author {
                        name: first.to_string(),
                        ..author
                    },
                    Author::organization(second),
                ];
            }
        }
    }
    vec![author]
}

#[cfg(test)]
#[test]
fn splits_bylines() {
    let names =
        |text: &str| -> Vec<String> { split_byline(text).into_iter().map(|a| a.name).collect() };
    assert_eq!(
        names("By Jane Roe and John Doe | May 5"),
        vec!["Jane Roe", "John Doe"]
    );
    assert_eq!(
        names("Von Anna Berg, Max Kurz"),
        vec!["Anna Berg", "Max Kurz"]
    );
    assert!(names("#Krótko o przepisach prawa w Nowej Zelandii").is_empty());
    assert!(names("Posted on 12 May 2020").is_empty());
    // An author card's heading: "Über Kathrin", "About Jane Roe".
    assert_eq!(names("Über Kathrin"), vec!["Kathrin"]);
    assert_eq!(names("About Jane Roe"), vec!["Jane Roe"]);
    // A role after a name is the name's.
    let credit = |name: &str| -> Vec<String> {
        split_credit(Author::named(name), None)
            .into_iter()
            .map(|a| a.name)
            .collect()
    };
    assert_eq!(
        credit("'Luana Patriolino, Raphael Felice'"),
        ["Luana Patriolino", "Raphael Felice"]
    );
    assert_eq!(credit("Williams Perdomo @wperdomod"), ["Williams Perdomo"]);
    assert_eq!(credit("Von Anna Berg"), ["Anna Berg"]);
    assert!(credit("No Author").is_empty() && credit("wordpressadmin").is_empty());
    assert_eq!(credit("Rob Picheta, CNN"), ["Rob Picheta", "CNN"]);
    assert_eq!(
        names("VON MORITZ GATHMANN am 21. April 2020"),
        ["MORITZ GATHMANN"]
    );
    assert_eq!(names("By Jane Roe on March 3, 2021"), ["Jane Roe"]);
    assert_eq!(names("Autor: Peter Maahn/SP-X"), ["Peter Maahn"]);
    assert!(names("Von dpa/lno").is_empty());
    assert_eq!(
        names("Por Laura Jordán / Javier Urbina"),
        ["Laura Jordán", "Javier Urbina"]
    );
    assert_eq!(
        names("Ein Artikel von Pamela Sladky | 27.01.2022 - 12:45"),
        ["Pamela Sladky"]
    );
    assert!(is_fuller_name("Nils", "Nils Pickert"));
    assert!(is_fuller_name(
        "arianschlichenmayer",
        "Arian Schlichenmayer"
    ));
    assert!(is_fuller_name(
        "christian.stadtfeld",
        "Christian P. Stadtfeld"
    ));
    assert!(!is_fuller_name("Pickert", "Nils Pickert"));
    assert!(!is_fuller_name("Nils", "Nils"));
    assert!(!is_fuller_name("jane.roe", "Jane Doe"));
    assert_eq!(
        names("Von Isabella.DiBiase am Samstag, 19. Oktober 2019 um 11:14 Uhr"),
        ["Isabella.DiBiase"]
    );
    assert_eq!(names("Von Anna Berg, 12.03.2021"), ["Anna Berg"]);
    assert!(names("Dezember 10, 2019").is_empty());
    assert!(names("Beitragvon r23 » 21.01.2009, 05:42").is_empty());
    assert!(names("Published 3 March 2021").is_empty());
    assert!(names("By").is_empty() && names("Autor:").is_empty() && names("Posted").is_empty());
    let roe = split_byline("By Jane Roe, Senior Correspondent");
    assert_eq!(roe.len(), 1);
    assert_eq!(roe[0].role.as_deref(), Some("Senior Correspondent"));
    // Two people and an agency.
    let mut credited = split_byline("By Ana Ruiz and Li Wei, Reuters");
    classify(&mut credited, Some("The Harbour Times"));
    let kinds: Vec<(&str, bool)> = credited
        .iter()
        .map(|a| (a.name.as_str(), a.is_person()))
        .collect();
    assert_eq!(
        kinds,
        [("Ana Ruiz", true), ("Li Wei", true), ("Reuters", false)]
    );
}

/// A name of more than one word that [`looks_like_name`].
fn is_full_name(n: &str) -> bool {
    n.contains(' ') && looks_like_name(n)
}

fn looks_like_name(n: &str) -> bool {
    let words: Vec<&str> = n.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && n.len() <= 50
        && !n.contains(['@', '/', ':', '©'])
        && !n.chars().any(|c| c.is_ascii_digit())
        && words
            .iter()
            .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        && !matches!(
            n.to_lowercase().as_str(),
            "admin" | "redaktion" | "editor" | "staff" | "anonymous" | "guest"
        )
}

/// The page's article object from JSON-LD, searching arrays and `@graph`.
/// Its authors given only by reference (`{"@id": "…#/schema/person/…"}`, as
/// Yoast and other graph writers print them) are replaced by the nodes they
/// name.
fn json_ld_article(scripts: &[String]) -> Option<Value> {
    let mut best: Option<(usize, Value)> = None;
    let mut nodes: Vec<Value> = Vec::new();
    for raw in scripts {
        let Ok(value) = serde_json::from_str::<Value>(raw.trim().trim_end_matches(';')) else {
            continue;
        };
        let mut stack = vec![value];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(items) => stack.extend(items),
                Value::Object(ref map) => {
                    if let Some(Value::Array(graph)) = map.get("@graph") {
                        stack.extend(graph.iter().cloned());
                    }
                    if let Some(rank) = type_rank(map.get("@type")) {
                        let better = best.as_ref().is_none_or(|(r, _)| rank < *r);
                        if better {
                            best = Some((rank, v.clone()));
                        }
                    } else if map.contains_key("@id") && map.contains_key("name") {
                        nodes.push(v);
                    }
                }
                _ => {}
            }
        }
    }
    let (_, mut article) = best?;
    for key in ["author", "creator"] {
        if let Some(field) = article.get_mut(key) {
            match field {
                Value::Array(items) => items.iter_mut().for_each(|a| by_reference(a, &nodes)),
                one => by_reference(one, &nodes),
            }
        }
    }
    Some(article)
}

/// Replaces a reference (`{"@id": x}` without a name) by the node it names.
fn by_reference(value: &mut Value, nodes: &[Value]) {
    let Some(id) = value
        .as_object()
        .filter(|m| !m.contains_key("name"))
        .and_then(|m| m.get("@id"))
        .and_then(Value::as_str)
    else {
        return;
    };
    if let Some(node) = nodes
        .iter()
        .find(|n| n.get("@id").and_then(Value::as_str) == Some(id))
    {
        *value = node.clone();
    }
}

fn type_rank(t: Option<&Value>) -> Option<usize> {
    let types: Vec<&str> = match t? {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    types
        .iter()
        .filter_map(|t| ARTICLE_TYPES.iter().position(|a| a == t))
        .min()
        // A WebPage is only a fallback.
        .map(|r| {
            if ARTICLE_TYPES[r] == "WebPage" {
                100
            } else {
                0
            }
        })
}

fn ld_authors(article: &Value, base: Option<&Url>) -> Vec<Author> {
    let mut out: Vec<Author> = Vec::new();
    let list: Vec<&Value> = match article.get("author").or_else(|| article.get("creator")) {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => Vec::new(),
    };
    for a in list {
        let author = match a {
            Value::String(s) => Some(Author::named(collapse_whitespace(s))),
            Value::Object(_) => {
                if matches!(
                    a.get("@type").and_then(Value::as_str),
                    Some("Organization" | "NewsMediaOrganization" | "Corporation")
                ) {
                    str_of(a.get("name").unwrap_or(&Value::Null)).map(|name| Author {
                        url: a
                            .get("url")
                            .and_then(str_of)
                            .and_then(|u| resolve(&u, base))
                            .map(String::from),
                        ..Author::organization(name)
                    })
                } else {
                    str_of(a.get("name").unwrap_or(&Value::Null)).map(|name| Author {
                        name,
                        role: a.get("jobTitle").and_then(str_of),
                        bio: a
                            .get("description")
                            .and_then(str_of)
                            .map(|d| text_of_markup(&d)),
                        avatar_url: a
                            .get("image")
                            .and_then(|i| ld_image(i, base))
                            .map(|i| i.url),
                        url: a
                            .get("url")
                            .and_then(str_of)
                            .and_then(|u| resolve(&u, base))
                            .map(String::from),
                        ..Author::default()
                    })
                }
            }
            _ => None,
        };
        if let Some(author) = author.filter(|a| !a.name.is_empty() && !a.name.starts_with("http"))
            && !out.iter().any(|o| o.name == author.name)
        {
            out.push(author);
        }
    }
    out
}

fn ld_image(v: &Value, base: Option<&Url>) -> Option<Image> {
    match v {
        Value::String(s) => resolve(s, base).map(|u| Image {
            url: u.into(),
            caption: None,
            credit: None,
        }),
        Value::Array(a) => a.iter().find_map(|i| ld_image(i, base)),
        Value::Object(_) => {
            let url = v
                .get("url")
                .or_else(|| v.get("contentUrl"))
                .and_then(str_of)?;
            Some(Image {
                url: resolve(&url, base)?.into(),
                caption: v
                    .get("caption")
                    .and_then(str_of)
                    .or_else(|| v.get("description").and_then(str_of)),
                credit: v
                    .get("creditText")
                    .and_then(str_of)
                    .or_else(|| {
                        v.get("copyrightHolder")
                            .and_then(|c| c.get("name").and_then(str_of).or_else(|| str_of(c)))
                    })
                    .or_else(|| {
                        v.get("author")
                            .and_then(|c| c.get("name").and_then(str_of).or_else(|| str_of(c)))
                    }),
            })
        }
        _ => None,
    }
}

/// Text given as markup where plain text was due (Yoast writes a Person's
/// description as `<p><span>…</span></p>`), as text.
fn text_of_markup(text: &str) -> String {
    if !(text.contains('<') && text.contains('>')) {
        return text.to_string();
    }
    let fragment = scraper::Html::parse_fragment(text);
    collapse_whitespace(&fragment.root_element().text().collect::<String>())
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => {
            Some(collapse_whitespace(&decode_entities(s))).filter(|s| !s.is_empty())
        }
        Value::Array(a) => a.iter().find_map(str_of),
        _ => None,
    }
}

fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    // An empty address (`"image": ""`) is no address, not the page's own.
    bulletin_core::web_url_from(href, base).and_then(|u| Url::parse(&u).ok())
}

fn normalize_lang(l: &str) -> String {
    let l = l.trim().replace('_', "-");
    let primary = l.split('-').next().unwrap_or("").to_ascii_lowercase();
    if primary.len() == 2 || primary.len() == 3 {
        primary
    } else {
        String::new()
    }
}

/// A title without what a kicker left before it (": Wie Firmen …").
fn without_leftover_punctuation(title: &str) -> &str {
    title
        .trim()
        .trim_start_matches(|c: char| matches!(c, ':' | '|' | '–' | '—' | '·') || c.is_whitespace())
}

/// Removes a " | Site" or " - Site" tail from a title.
pub(crate) fn strip_site_tail(title: &str, site: Option<&str>) -> String {
    let title = without_leftover_punctuation(title);
    if let Some(site) = site.map(str::trim).filter(|s| !s.is_empty()) {
        // The site's name before the headline ("NEWS WEB EASY|…"), or
        // after it with a bare separator ("…的城！-新华网"); a hyphen
        // inside a word ("GdP-Vize") separates nothing.
        let separates = |at: usize, sep: char| {
            let before = title[..at].chars().next_back();
            let after = title[at + sep.len_utf8()..].chars().next();
            sep != '-'
                || !(before.is_some_and(char::is_alphanumeric)
                    && after.is_some_and(char::is_alphanumeric))
        };
        for sep in ['|', '–', '—', '-', '_', '·'] {
            if let Some(at) = title.find(sep)
                && separates(at, sep)
                && title[..at].trim().eq_ignore_ascii_case(site)
                && !title[at + sep.len_utf8()..].trim().is_empty()
            {
                return title[at + sep.len_utf8()..].trim().to_string();
            }
            if let Some(at) = title.rfind(sep)
                && separates(at, sep)
                && title[at + sep.len_utf8()..]
                    .trim()
                    .eq_ignore_ascii_case(site)
                && !title[..at].trim().is_empty()
            {
                return title[..at].trim().to_string();
            }
        }
    }
    for sep in [" | ", " – ", " — ", " - ", " :: ", " · ", " » "] {
        if let Some(pos) = title.rfind(sep) {
            let (head, tail) = (&title[..pos], &title[pos + sep.len()..]);
            let tail_is_site = match site {
                Some(site) => {
                    let (t, s) = (tail.to_lowercase(), site.to_lowercase());
                    t.contains(&s) || s.contains(&t)
                }
                None => {
                    tail.split_whitespace().count() <= 3 && head.split_whitespace().count() >= 3
                }
            };
            if tail_is_site && !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
    }
    title.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headlines_hidden_or_before_the_site_name() {
        let title = |html: &str| {
            let doc = scraper::Html::parse_document(html);
            read(&crate::index::index(&doc), None).title
        };
        // A heading for screen readers only is not the visible headline.
        assert_eq!(
            title(
                r#"<title>Tote Hummeln unter Linden: Die Erklärung | Hummeln</title><h2 class="screen-reader-text">Tote Hummeln unter Linden: Die Erklärung | Hummeln</h2><h1>Tote Hummeln unter Linden</h1>"#
            )
            .as_deref(),
            Some("Tote Hummeln unter Linden")
        );
        // The heading that is the title's first part, before the site's
        // name and slogan.
        assert_eq!(
            title(
                r#"<meta property="og:title" content="Bielersee-Winterhechte | petri-heil.ch | Dein Schweizer Fischereimagazin"><h1>Bielersee-Winterhechte</h1>"#
            )
            .as_deref(),
            Some("Bielersee-Winterhechte")
        );
    }

    #[test]
    fn strips_site_tails() {
        assert_eq!(
            strip_site_tail("Markets fall again | The Daily", Some("The Daily")),
            "Markets fall again"
        );
        assert_eq!(
            strip_site_tail("Markets fall on rate fears - Example News", None),
            "Markets fall on rate fears"
        );
        assert_eq!(strip_site_tail("Left - right", None), "Left - right");
        assert_eq!(
            strip_site_tail(
                "NEWS WEB EASY|子どもへの体罰を禁止する法律ができる",
                Some("NEWS WEB EASY")
            ),
            "子どもへの体罰を禁止する法律ができる"
        );
        assert_eq!(
            strip_site_tail("有英雄的城！-新华网", Some("新华网")),
            "有英雄的城！"
        );
        assert_eq!(
            strip_site_tail(": Wie Firmen ihre Beschäftigten schützen", None),
            "Wie Firmen ihre Beschäftigten schützen"
        );
    }

    fn title_of(html: &str) -> Option<String> {
        let doc = scraper::Html::parse_document(html);
        read(&crate::index::index(&doc), None).title
    }

    #[test]
    fn bylines_as_blogs_print_them() {
        let authors = |html: &str| {
            let doc = scraper::Html::parse_document(html);
            byline_authors(&crate::index::index(&doc), None)
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        };
        // Screen-reader text is not part of the name; a commenter is not the
        // author; a user name marked as the author is kept.
        assert_eq!(
            authors(
                r#"<ul class="recentcomments"><li><span class="author vcard"><a class="fn" href="/u">Mallory Smith</a></span></li></ul>
<span class="byline"><span class="author vcard"><span class="screen-reader-text">Author </span><a class="url fn n" href="/a/dl">Daniel Lemire</a></span></span>"#
            ),
            vec!["Daniel Lemire"]
        );
        assert_eq!(
            authors(
                r#"<span class="author vcard"><a class="url fn" rel="author" href="/a/g">gizzmo</a></span>"#
            ),
            vec!["gizzmo"]
        );
        assert_eq!(
            authors(r#"<p class="byline">Geschrieben von Anna Berg</p>"#),
            vec!["Anna Berg"]
        );
        // The classes of the article and the page name their layout, not a
        // sidebar; a comment that is an <article> of its own is one.
        assert_eq!(
            authors(
                r#"<body class="content-sidebar"><article class="sticky-sidebar-parent"><header><span class="byline"> By <a href="/writers/eb">Emily Burack</a> </span></header></article></body>"#
            ),
            vec!["Emily Burack"]
        );
        assert!(
            authors(
                r#"<ol class="commentlist"><li><article class="comment"><footer><div class="comment-author vcard">Josef Lindner</div></footer></article></li></ol>"#
            )
            .is_empty()
        );
        // A table marked as a card is read row by row ("Mozilla", not
        // "Mozilla Industry Founded 1998").
        assert_eq!(
            authors(
                r#"<table class="infobox vcard"><caption class="fn org">Mozilla</caption><tr><th>Industry</th><td>Software</td></tr><tr><th>Founded</th><td>1998</td></tr></table>"#
            ),
            vec!["Mozilla"]
        );
        // Nothing marks the byline but its label.
        let labelled = |html: &str| {
            let doc = scraper::Html::parse_document(html);
            labelled_byline_authors(&crate::index::index(&doc), None)
                .into_iter()
                .map(|a| a.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            labelled(
                "<h2>Klänge</h2><p> von <em>Klaus Stanjek</em></p><p>Durch das Aufblättern …</p>"
            ),
            ["Klaus Stanjek"]
        );
        assert_eq!(
            labelled("<div>Posted on September 21, 2020 by Adi Tzlil</div>"),
            ["Adi Tzlil"]
        );
        // The label in an element of its own, the name in the next.
        assert_eq!(
            labelled(
                r#"<div class="name"><span class="label">Geschrieben von</span><a href="/a/em">Elisa Marvena</a></div>"#
            ),
            ["Elisa Marvena"]
        );
        assert_eq!(
            labelled("<div><p><strong>By</strong></p></div><div><p>Todd Bates</p></div>"),
            ["Todd Bates"]
        );
        assert_eq!(
            labelled("<ul><li><span>Author: </span><span>Jacopo Cascioli</span></li></ul>"),
            ["Jacopo Cascioli"]
        );
        // Short words that are labels only in a byline: a calendar's "Di".
        assert!(labelled("<table><tr><td>Mo</td><td>Di</td><td>Mi</td></tr></table>").is_empty());
        assert!(labelled("<ul><li>About<ul><li>History</li></ul></li></ul>").is_empty());
        // A label for screen readers only.
        assert_eq!(
            labelled(
                r#"<div class="meta"><span class="screen-reader-text">| By </span> <span>Cara Stiles</span></div>"#
            ),
            ["Cara Stiles"]
        );
        // A role in a list of names is no label.
        assert!(
            labelled("<p><strong>Marie Arana</strong>, <span>author</span><br><strong>Margaret Atwood</strong></p>")
                .is_empty()
        );
        assert!(labelled("<span><span>Bild 1</span> von 4</span>").is_empty());
        assert!(labelled("<p>von der Leyen sagte am Montag</p>").is_empty());
        assert!(labelled("<a href=/x>By Jane Roe</a>").is_empty());
        assert!(opens_like_a_byline("---- by Kenneth Surin"));
        assert!(opens_like_a_byline("Über Anna"));
        assert!(!opens_like_a_byline("Bylaws"));
        assert!(names_the_publisher("mdr.de", None));
        assert!(names_the_publisher("Die FURCHE", Some("Die Furche")));
        assert!(!names_the_publisher("Jane Roe", Some("The Daily")));
    }

    #[test]
    fn the_title_is_the_heading_readers_see() {
        // The declared title carries a topic and the site; the h1 holds a
        // kicker, a hidden separator and the headline.
        let page = r#"<html><head><meta property="og:title" content="Klimaschutz: Bohren, bis es heiß wird | ZEIT ONLINE">
<title>Klimaschutz: Bohren, bis es heiß wird | ZEIT ONLINE</title></head><body>
<h1 class="logo">ZEIT ONLINE</h1>
<h1 class="article-heading"><span class="article-heading__kicker">Klimaschutz</span><span class="visually-hidden">: </span><span class="article-heading__title">Bohren, bis es heiß wird</span></h1>
</body></html>"#;
        assert_eq!(title_of(page).as_deref(), Some("Bohren, bis es heiß wird"));
        // A blog: the h1 is the site, the post's title an h2; inline markup
        // adds no space; references escaped twice are decoded.
        let page = r#"<html><head><title>Metroid, One Of Gaming&amp;#8217;s Richest Universes &#8211; Blog</title></head><body>
<h1>Blog</h1><h2 class="entry-title"><a href="/m">Metroid</a>, One Of Gaming’s Richest Universes</h2><h2>Comments</h2>
</body></html>"#;
        assert_eq!(
            title_of(page).as_deref(),
            Some("Metroid, One Of Gaming’s Richest Universes")
        );
        // No heading shares the declared title's words: the declared title,
        // without the site's name.
        let page = r#"<html><head><meta property="og:site_name" content="Daily"><meta property="og:title" content="Rates rise - Daily"></head>
<body><h1>Markets today</h1></body></html>"#;
        assert_eq!(title_of(page).as_deref(), Some("Rates rise"));
    }

    #[test]
    fn reads_json_ld_graph_and_meta() {
        let html = r#"<html lang="en-GB"><head>
<meta property="og:site_name" content="The Daily">
<meta property="og:image" content="/og.jpg">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},
{"@type":"NewsArticle","headline":"Rates rise","datePublished":"2025-05-25T10:00:00+02:00",
 "author":[{"@type":"Person","name":"Jane Roe","jobTitle":"Senior News Editor","url":"/people/jane"}],
 "image":{"@type":"ImageObject","url":"https://img.example/a.jpg","caption":"A bank","creditText":"AFP"}}]}</script>
<title>Rates rise | The Daily</title></head><body></body></html>"#;
        let doc = scraper::Html::parse_document(html);
        let base = Url::parse("https://daily.example/news/1").unwrap();
        let m = read(&crate::index::index(&doc), Some(&base));
        assert_eq!(m.title.as_deref(), Some("Rates rise"));
        assert_eq!(m.lang.as_deref(), Some("en"));
        assert_eq!(m.site_name.as_deref(), Some("The Daily"));
        assert_eq!(
            m.published_at.unwrap().to_rfc3339(),
            "2025-05-25T10:00:00+02:00"
        );
        assert_eq!(m.authors[0].role.as_deref(), Some("Senior News Editor"));
        assert_eq!(
            m.authors[0].url.as_deref(),
            Some("https://daily.example/people/jane")
        );
        let img = m.image.unwrap();
        assert_eq!(img.credit.as_deref(), Some("AFP"));
    }

    #[test]
    fn authors_given_by_reference_in_a_graph_are_read() {
        // Yoast's shape: the article names its author by @id only.
        let page = r#"<html><head><title>Lemon trees</title><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
{"@type":"Article","@id":"https://g.example/l#article","headline":"Lemon trees","author":{"@id":"https://g.example/#/schema/person/1"}},
{"@type":"Person","@id":"https://g.example/#/schema/person/1","name":"Florina Ionescu","description":"<p>Hi! My name is <b>Florina</b>.</p>","image":{"@type":"ImageObject","url":"https://g.example/f.jpg"}}]}</script>
</head><body><p>x</p></body></html>"#;
        let doc = scraper::Html::parse_document(page);
        let idx = crate::index::index(&doc);
        let meta = read(&idx, None);
        assert_eq!(meta.authors.len(), 1);
        assert_eq!(meta.authors[0].name, "Florina Ionescu");
        assert_eq!(
            meta.authors[0].bio.as_deref(),
            Some("Hi! My name is Florina.")
        );
        assert_eq!(
            meta.authors[0].avatar_url.as_deref(),
            Some("https://g.example/f.jpg")
        );
    }
}
