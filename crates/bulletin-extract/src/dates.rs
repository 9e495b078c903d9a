//! Publication dates, in the order the field trusts them (as htmldate does):
//! structured data and `<meta>`, a date in the canonical URL, `datePublished`
//! microdata and `<time>` elements, then short date texts in elements whose
//! class says they hold a date ("date", "published", "datum", …). Dates are
//! read in the common numeric forms and with month names in several
//! languages; anything outside 1995..next year is ignored.

use crate::dom::GetAttr;
use crate::dom::Has;
use crate::dom::Words;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc};
use ego_tree::NodeRef;
use scraper::{Html, Node};

/// Finds the publication date of a page whose metadata had none.
pub(crate) fn find_in_page(
    doc: &Html,
    page_url: Option<&str>,
    lang: Option<&str>,
) -> Option<DateTime<FixedOffset>> {
    if let Some(d) = page_url.and_then(date_in_url) {
        return Some(d);
    }
    let month_first = lang.is_some_and(|l| l == "en");
    let root = doc.tree.root();
    // Microdata and <time> elements.
    for node in root.descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let itemprop = el.get_attr("itemprop").unwrap_or("");
        if itemprop == "datePublished" || itemprop == "dateCreated" {
            let raw = el
                .get_attr("content")
                .or(el.get_attr("datetime"))
                .map(str::to_string)
                .unwrap_or_else(|| text_of(node));
            if let Some(d) = bulletin_core::parse_datetime_with_offset(&raw)
                .or_else(|| parse_text_date(&raw, month_first))
                .filter(plausible)
            {
                return Some(d);
            }
        }
    }
    for node in root.descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        if el.name() == "time"
            && (el.get_attr("pubdate").is_some()
                || class_says_published(el.get_attr("class"))
                || inside_article_header(node))
            && let Some(d) = el
                .get_attr("datetime")
                .and_then(bulletin_core::parse_datetime_with_offset)
                .filter(plausible)
        {
            return Some(d);
        }
    }
    // Short texts in elements whose class or id says "date".
    for node in root.descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        if matches!(
            el.name(),
            "script" | "style" | "head" | "nav" | "footer" | "aside" | "option" | "select"
        ) {
            continue;
        }
        // (No word holds a space: the class and the id are searched apart.)
        if ![el.get_attr("class"), el.id()]
            .into_iter()
            .flatten()
            .any(|names| DATE_CLASS_WORDS.any_in(names))
        {
            continue;
        }
        if let Some(d) = el
            .get_attr("datetime")
            .or(el.get_attr("content"))
            .or(el.get_attr("title"))
            .and_then(|v| {
                bulletin_core::parse_datetime_with_offset(v)
                    .or_else(|| parse_text_date(v, month_first))
            })
            .filter(plausible)
        {
            return Some(d);
        }
        let text = text_of(node);
        if text.chars().count() <= 120
            && let Some(d) = parse_text_date(&text, month_first).filter(plausible)
        {
            return Some(d);
        }
    }
    if let Some(d) = labelled(root, month_first) {
        return Some(d);
    }
    // Any <time>: its `datetime`, else its text ("<time datetime="01-11-2023
    // 10:29">1. November 2023</time>").
    root.descendants()
        .filter_map(|n| match n.value() {
            Node::Element(el) if el.name() == "time" => el
                .get_attr("datetime")
                .and_then(bulletin_core::parse_datetime_with_offset)
                .or_else(|| parse_text_date(&text_of(n), month_first)),
            _ => None,
        })
        .find(plausible)
}

/// Labels pages print before a publication date ("Datum:", "Published:").
const DATE_LABELS: &[&str] = &[
    "datum",
    "date",
    "published",
    "published on",
    "posted on",
    "veröffentlicht",
    "veröffentlicht am",
    "erschienen",
    "erschienen am",
    "publiziert",
    "publiziert am",
    "publié le",
    "fecha",
    "pubblicato il",
    "erstellt am",
    "created",
];

/// Labels pages print before the date they were last changed, when that is
/// the only date they label.
const UPDATE_LABELS: &[&str] = &[
    "aktualisiert",
    "aktualisiert am",
    "zuletzt aktualisiert",
    "updated",
    "last updated",
    "stand",
];

/// A date after its label: "<span>Datum:</span>26. Januar 2022",
/// "Published: 3 May 2022".
fn labelled(root: NodeRef<'_, Node>, month_first: bool) -> Option<DateTime<FixedOffset>> {
    // The page's texts outside scripts, styles, the head and menus.
    let mut texts: Vec<&str> = Vec::new();
    let mut skip_depth = 0usize;
    for edge in root.traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) => match n.value() {
                Node::Element(e)
                    if skip_depth > 0
                        || matches!(e.name(), "script" | "style" | "head" | "option") =>
                {
                    skip_depth += 1
                }
                Node::Text(t) if skip_depth == 0 && !t.trim().is_empty() => texts.push(t),
                _ => {}
            },
            ego_tree::iter::Edge::Close(n) => {
                if skip_depth > 0 && n.value().is_element() {
                    skip_depth -= 1;
                }
            }
        }
    }
    // A publication label first; a page that labels only its update
    // ("Aktualisiert: 30.12.2016") gives that.
    [DATE_LABELS, UPDATE_LABELS]
        .iter()
        .find_map(|labels| date_after_label(&texts, labels, month_first))
}

fn date_after_label(
    texts: &[&str],
    labels: &[&str],
    month_first: bool,
) -> Option<DateTime<FixedOffset>> {
    for (i, text) in texts.iter().enumerate() {
        // Most texts open with a letter no label opens with: they are not
        // lowercased.
        let opening = text.trim_start().chars().next().map(char::to_lowercase);
        if !opening.is_some_and(|mut lower| {
            lower
                .next()
                .is_some_and(|c| labels.iter().any(|l| l.starts_with(c)))
        }) {
            continue;
        }
        let lower = text.trim().to_lowercase();
        // The longest label that opens the text ("erschienen am", not
        // "erschienen").
        let Some(label) = labels
            .iter()
            .filter(|l| lower.starts_with(*l))
            .max_by_key(|l| l.len())
        else {
            continue;
        };
        let rest = lower[label.len()..].trim_start();
        if !(rest.is_empty()
            || rest.starts_with(':')
            || rest.starts_with(|c: char| c.is_ascii_digit()))
        {
            continue;
        }
        // The date in the label's own text, else in one of the next texts,
        // else in them together.
        let same: String = rest.trim_start_matches(':').trim().to_string();
        let following = &texts[i + 1..texts.len().min(i + 4)];
        let together = following.join(" ");
        let candidates = std::iter::once(same.as_str())
            .chain(following.iter().map(|t| t.trim()))
            .chain(std::iter::once(together.as_str()));
        for candidate in candidates {
            if !candidate.is_empty()
                && candidate.chars().count() <= 80
                && let Some(d) = parse_text_date(candidate, month_first).filter(plausible)
            {
                return Some(d);
            }
        }
    }
    None
}

const DATE_CLASS_WORDS: Words = Words::new(&[
    "date",
    "time",
    "datum",
    "created",
    "publish",
    "posted",
    "pubdate",
    "dateline",
    "entry-meta",
    "post-meta",
    "article-meta",
    "postmeta",
    "byline",
    "zeit",
    "fecha",
    "data-pub",
    "published",
    "meta-info",
    "changed",
    "updated",
    "stand",
    "docdata",
    "info-line",
    "kicker",
    "metadata",
]);

/// The text around the headline: the dateline of most article pages sits in
/// the headline's container, just before or after it.
pub(crate) fn near_headline(
    h1: Option<NodeRef<'_, Node>>,
    lang: Option<&str>,
) -> Option<DateTime<FixedOffset>> {
    let month_first = lang.is_some_and(|l| l == "en");
    let h1 = h1?;
    let mut container = h1;
    for ancestor in h1.ancestors().take(3) {
        container = ancestor;
        if text_of(container).chars().count() > 300 {
            break;
        }
    }
    let window: String = text_of(container).chars().take(600).collect();
    parse_text_date(&window, month_first).filter(plausible)
}

/// A date at the very start of the body text ("Karlsruhe, (12.11.2021).").
pub(crate) fn at_body_start(text: &str, lang: Option<&str>) -> Option<DateTime<FixedOffset>> {
    let window: String = text.chars().take(200).collect();
    parse_text_date(&window, lang.is_some_and(|l| l == "en")).filter(plausible)
}

fn class_says_published(class: Option<&str>) -> bool {
    class.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.has("publish")
            || c.has("entry-date")
            || c.has("post-date")
            || c.has("article-date")
            || c.has("created")
    })
}

fn inside_article_header(node: NodeRef<'_, Node>) -> bool {
    node.ancestors().take(8).any(|a| match a.value() {
        Node::Element(el) => {
            matches!(el.name(), "article" | "header")
                || el.get_attr("class").is_some_and(|c| {
                    let c = c.to_ascii_lowercase();
                    c.has("meta")
                        || c.has("byline")
                        || c.has("article-header")
                        || c.has("post-header")
                })
        }
        _ => false,
    })
}

fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    for d in node.descendants() {
        if let Node::Text(t) = d.value() {
            let in_code = d
                .parent()
                .is_some_and(|p| matches!(p.value(), Node::Element(el) if matches!(el.name(), "script" | "style" | "noscript")));
            if !in_code {
                out.push_str(t);
                out.push(' ');
            }
        }
        if out.len() > 1200 {
            break;
        }
    }
    bulletin_core::text::collapse_whitespace(&out)
}

fn plausible(d: &DateTime<FixedOffset>) -> bool {
    let year = d.year();
    year >= 1995 && year <= Utc::now().year() + 1
}

fn ymd(y: i32, m: u32, d: u32) -> Option<DateTime<FixedOffset>> {
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    Some(FixedOffset::east_opt(0)?.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?)).filter(plausible)
}

/// A full date in a URL path: `/2025/05/25/`, `/2025-05-25`, `/20250525/`.
pub(crate) fn date_in_url(url: &str) -> Option<DateTime<FixedOffset>> {
    let path = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = path.as_bytes();
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    for i in 0..bytes.len() {
        if bytes[i] != b'/' {
            continue;
        }
        let rest = &bytes[i + 1..];
        // /YYYY/MM/DD or /YYYY-MM-DD or /YYYY_MM_DD
        if rest.len() >= 10
            && digits(&rest[0..4])
            && matches!(rest[4], b'/' | b'-' | b'_')
            && digits(&rest[5..7])
            && rest[7] == rest[4]
            && digits(&rest[8..10])
            && rest.get(10).is_none_or(|c| !c.is_ascii_digit())
        {
            let s = std::str::from_utf8(rest).ok()?;
            if let (Ok(y), Ok(m), Ok(d)) = (s[0..4].parse(), s[5..7].parse(), s[8..10].parse())
                && let Some(date) = ymd(y, m, d)
            {
                return Some(date);
            }
        }
        // /YYYYMMDD/
        if rest.len() >= 8 && digits(&rest[0..8]) && rest.get(8).is_none_or(|c| !c.is_ascii_digit())
        {
            let s = std::str::from_utf8(&rest[..8]).ok()?;
            if let (Ok(y), Ok(m), Ok(d)) = (s[0..4].parse(), s[4..6].parse(), s[6..8].parse())
                && let Some(date) = ymd(y, m, d)
            {
                return Some(date);
            }
        }
    }
    None
}

pub(crate) fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let w = w.as_str();
    const MONTHS: &[(&[&str], u32)] = &[
        (
            &[
                "january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio",
                "gen", "janeiro", "januari", "styczeń", "stycznia", "leden", "ledna",
            ],
            1,
        ),
        (
            &[
                "february",
                "feb",
                "februar",
                "février",
                "fevrier",
                "févr",
                "fév",
                "febrero",
                "febbraio",
                "fevereiro",
                "fev",
                "februari",
                "luty",
                "lutego",
            ],
            2,
        ),
        (
            &[
                "march", "mar", "märz", "maerz", "mär", "mars", "marzo", "março", "marco", "maart",
                "marzec", "marca", "mrt",
            ],
            3,
        ),
        (
            &[
                "april",
                "apr",
                "avril",
                "avr",
                "abril",
                "abr",
                "aprile",
                "kwiecień",
                "kwietnia",
            ],
            4,
        ),
        (
            &[
                "may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "maja",
            ],
            5,
        ),
        (
            &[
                "june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec",
                "czerwca",
            ],
            6,
        ),
        (
            &[
                "july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho",
                "lipiec", "lipca",
            ],
            7,
        ),
        (
            &[
                "august",
                "aug",
                "août",
                "aout",
                "agosto",
                "ago",
                "augustus",
                "sierpień",
                "sierpnia",
            ],
            8,
        ),
        (
            &[
                "september",
                "sep",
                "sept",
                "septembre",
                "septiembre",
                "settembre",
                "set",
                "setembro",
                "wrzesień",
                "września",
            ],
            9,
        ),
        (
            &[
                "october",
                "oct",
                "oktober",
                "okt",
                "octobre",
                "octubre",
                "ottobre",
                "ott",
                "outubro",
                "out",
                "październik",
                "października",
            ],
            10,
        ),
        (
            &[
                "november",
                "nov",
                "novembre",
                "noviembre",
                "novembro",
                "listopad",
                "listopada",
            ],
            11,
        ),
        (
            &[
                "december",
                "dec",
                "dezember",
                "dez",
                "décembre",
                "decembre",
                "déc",
                "diciembre",
                "dic",
                "dicembre",
                "dezembro",
                "grudzień",
                "grudnia",
            ],
            12,
        ),
    ];
    MONTHS
        .iter()
        .find(|(names, _)| names.contains(&w))
        .map(|(_, n)| *n)
}

/// Reads the first date written in `text`: numeric (2025-05-25, 25.05.2025,
/// 25/05/2025, 05/25/2025 when `month_first` or unambiguous) or with a month
/// name (25 May 2025, May 25, 2025, 25. Mai 2025, 25 de mayo de 2025).
pub(crate) fn parse_text_date(text: &str, month_first: bool) -> Option<DateTime<FixedOffset>> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '(' || c == ')')
        .filter(|t| !t.is_empty() && *t != "de" && *t != "del" && *t != "of" && *t != "the")
        .collect();
    for (i, tok) in tokens.iter().enumerate() {
        if let Some(d) = numeric_date(tok, month_first) {
            return Some(d);
        }
        // Month name in the middle: 25 May 2025 / 25. Mai 2025
        if let Some(m) = month_number(tok) {
            let day_before = i.checked_sub(1).and_then(|j| day_of(tokens[j]));
            let year_after = tokens.get(i + 1).and_then(|t| year_of(t));
            if let (Some(d), Some(y)) = (day_before, year_after)
                && let Some(date) = ymd(y, m, d)
            {
                return Some(date);
            }
            // May 25 2025
            let day_after = tokens.get(i + 1).and_then(|t| day_of(t));
            let year_after2 = tokens.get(i + 2).and_then(|t| year_of(t));
            if let (Some(d), Some(y)) = (day_after, year_after2)
                && let Some(date) = ymd(y, m, d)
            {
                return Some(date);
            }
        }
    }
    None
}

fn day_of(tok: &str) -> Option<u32> {
    let t = tok
        .trim_end_matches(['.', 'º', '°'])
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    let d: u32 = t.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

fn year_of(tok: &str) -> Option<i32> {
    let t = tok.trim_end_matches(['.', ',', ':']);
    (t.len() == 4).then(|| t.parse().ok()).flatten()
}

fn numeric_date(tok: &str, month_first: bool) -> Option<DateTime<FixedOffset>> {
    let tok = tok.trim_matches(|c: char| !c.is_ascii_digit());
    // 2025年5月25日
    if tok.contains('年') {
        let mut nums = tok
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        let (y, m, d) = (
            nums.next()?.parse().ok()?,
            nums.next()?.parse().ok()?,
            nums.next()?.parse().ok()?,
        );
        return ymd(y, m, d);
    }
    let sep = tok.chars().find(|c| matches!(c, '-' | '.' | '/'))?;
    let parts: Vec<&str> = tok.split(sep).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let nums: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    if nums.len() != 3 {
        return None;
    }
    if parts[0].len() == 4 {
        return ymd(nums[0] as i32, nums[1], nums[2]);
    }
    let year = match parts[2].len() {
        4 => nums[2] as i32,
        2 => 2000 + nums[2] as i32,
        _ => return None,
    };
    let (a, b) = (nums[0], nums[1]);
    let (m, d) = if a > 12 {
        (b, a)
    } else if b > 12 || (month_first && sep == '/') {
        (a, b)
    } else {
        (b, a)
    };
    ymd(year, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: Option<DateTime<FixedOffset>>) -> String {
        d.map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    }

    #[test]
    fn finds_a_date_after_its_label_or_in_a_time_text() {
        let page = |body: &str| Html::parse_document(&format!("<html><body>{body}</body></html>"));
        let doc = page("<p>Intro</p><div><span>Datum:</span>26. Januar 2022</div><p>Text</p>");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2022-01-26");
        let doc = page("<h5>Datum: </h5>03.11.2021");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2021-11-03");
        let doc = page(
            r#"<div class="box"><time datetime="01-11-2023 10:29">1. November 2023 10:29</time></div>"#,
        );
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2023-11-01");
        // The longest label ("Erschienen am:"); a date among the texts
        // after it; an update's label when no publication's is there, and
        // only then.
        let doc = page("<p>Letzte Änderung: 31.10.2023<br>Erschienen am: 01.11.2023</p>");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2023-11-01");
        let doc = page("<h5>Datum: </h5>03.11.2021 <br><h5>Autor: </h5>Peter Maahn/SP-X");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2021-11-03");
        let doc = page("<p class=info>Aktualisiert: 30.12.2016</p>");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2016-12-30");
        let doc = page("<p>Aktualisiert: 30.12.2016</p><p>Veröffentlicht: 02.12.2016</p>");
        assert_eq!(day(find_in_page(&doc, None, Some("de"))), "2016-12-02");
        // A label with no date after it finds nothing.
        let doc = page("<label>Date</label><input name=d>");
        assert_eq!(day(find_in_page(&doc, None, Some("en"))), "");
    }

    #[test]
    fn reads_text_dates() {
        assert_eq!(
            day(parse_text_date("8 January 2020, 3:51 pm", true)),
            "2020-01-08"
        );
        assert_eq!(
            day(parse_text_date("Posted on May 25, 2025 by Jo", true)),
            "2025-05-25"
        );
        assert_eq!(
            day(parse_text_date("04. November 2021 | PAID CONTENT", false)),
            "2021-11-04"
        );
        assert_eq!(
            day(parse_text_date("27.06.2018 09:54", false)),
            "2018-06-27"
        );
        assert_eq!(
            day(parse_text_date("12 de marzo de 2019", false)),
            "2019-03-12"
        );
        assert_eq!(day(parse_text_date("05/25/2025", true)), "2025-05-25");
        assert_eq!(day(parse_text_date("2025年5月25日", false)), "2025-05-25");
        assert_eq!(parse_text_date("Call 555-1234 now", false), None);
        assert_eq!(parse_text_date("in 1890 there were 3 ships", false), None);
    }

    #[test]
    fn reads_url_dates() {
        assert_eq!(
            day(date_in_url("https://x.example/2021/10/20/title/")),
            "2021-10-20"
        );
        assert_eq!(
            day(date_in_url("https://x.example/news/2019-10-16-title")),
            "2019-10-16"
        );
        assert_eq!(day(date_in_url("https://x.example/2019/10/title.html")), "");
        assert_eq!(day(date_in_url("https://x.example/a/12345678901/")), "");
    }
}
