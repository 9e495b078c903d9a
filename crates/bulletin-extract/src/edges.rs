//! The edges of an extracted body: what a page puts just before and after
//! the article inside the same container.
//!
//! Two kinds of paragraph are cut, in the text and the HTML alike:
//! - boilerplate at the end, recognized by what it says (a copyright line, a
//!   newsletter or app pitch, "follow us on …", a comments notice, contact
//!   details), and meta lines at the start (a date or a `a | b | c` line);
//! - on longer bodies, short labels at either edge ("Kontakt:", "Mehr
//!   Themen", a section name) and paragraphs that are mostly a link (teasers
//!   for other pages), never more than 40% of the text.

use crate::sanitize::CleanHtml;

/// Sentence ends: a paragraph ending otherwise, and short, is a label.
const SENTENCE_ENDS: &[char] = &[
    '.', '!', '?', '"', '“', '”', '»', ')', '。', '！', '？', '…',
];

/// Phrases that mark a closing paragraph as the site talking, not the
/// article, in the languages the corpora show.
const CLOSING_PHRASES: &[&str] = &[
    "©",
    "(c) 20",
    "copyright",
    "all rights reserved",
    "alle rechte vorbehalten",
    "todos los derechos",
    "tous droits",
    "chroniony prawem",
    "licensed under",
    "creative commons",
    "newsletter",
    "posteingang",
    "inbox",
    "subscribe",
    "abonnier",
    "suscrib",
    "s'abonner",
    "kommentar",
    "comments are closed",
    "comments closed",
    "no comments",
    "leave a comment",
    "leave a reply",
    "einloggen",
    "eingeloggt",
    "log in to",
    "sign in to",
    "teilen!",
    "share this",
    "gefallen?",
    "lust auf mehr",
];

const NETWORKS: &[&str] = &[
    "twitter",
    "facebook",
    "instagram",
    "telegram",
    "youtube",
    "linkedin",
];
const FOLLOW_WORDS: &[&str] = &[
    "follow",
    "folge",
    "síguenos",
    "siguenos",
    "suivez",
    "canal",
    "channel",
    "kanal",
];

/// Whether a paragraph at the end of the body is the site's own boilerplate.
fn is_closing_boilerplate(paragraph: &str) -> bool {
    if paragraph.len() > 400 {
        return false;
    }
    let lower = paragraph.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    if has(CLOSING_PHRASES) || (has(NETWORKS) && has(FOLLOW_WORDS)) {
        return true;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let app_pitch = words.iter().any(|w| matches!(*w, "app" | "apps"))
        && words
            .iter()
            .any(|w| matches!(*w, "ios" | "android" | "download" | "phone" | "handy"));
    let contact = lower.contains('@')
        && ["tel.", "tel:", "telefon", "phone", "fon:"]
            .iter()
            .any(|w| lower.contains(w));
    app_pitch || contact
}

/// Whether a paragraph at the start of the body is a meta line: a short
/// line with a date ("24.01.2022 11:38 Kategorie: News") or a row of
/// `|`-separated items.
fn is_meta_line(paragraph: &str) -> bool {
    let p = paragraph.trim();
    p.len() < 100
        && !p.ends_with(SENTENCE_ENDS)
        && (p.matches('|').count() >= 2 || crate::dates::parse_text_date(p, false).is_some())
}

/// Cuts boilerplate paragraphs from both edges of the body.
pub(crate) fn trim(clean: &mut CleanHtml, title: Option<&str>) {
    let paragraphs: Vec<&str> = clean.text.split("\n\n").collect();
    if paragraphs.len() != clean.paragraph_spans.len() || paragraphs.len() < 2 {
        return;
    }
    let mut end = paragraphs.len();
    while end > 1 && is_closing_boilerplate(paragraphs[end - 1]) {
        end -= 1;
    }
    let mut start = 0;
    let is_headline = |p: &str| {
        title.is_some_and(|t| {
            let words = |s: &str| {
                s.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_lowercase()
            };
            !t.trim().is_empty() && words(p) == words(t)
        })
    };
    while start < 3.min(end - 1)
        && (is_meta_line(paragraphs[start]) || is_headline(paragraphs[start]))
    {
        start += 1;
    }

    // Labels and link teasers, on bodies long enough to spare them: short
    // bodies rarely carry boilerplate, and each of their lines matters.
    if paragraphs.len() >= 4 && clean.text.len() >= 1000 {
        let is_label =
            |p: &str, max: usize, ends: &[char]| p.len() < max && !p.trim_end().ends_with(ends);
        let is_link = |i: usize| {
            clean
                .paragraph_link_share
                .get(i)
                .is_some_and(|share| *share > 0.6)
                && paragraphs[i].len() < 300
        };
        let mut label_end = end;
        while label_end > start + 1
            && (is_label(paragraphs[label_end - 1], 100, SENTENCE_ENDS) || is_link(label_end - 1))
        {
            label_end -= 1;
        }
        let mut label_start = start;
        let mut lead_ends = SENTENCE_ENDS.to_vec();
        lead_ends.extend([':', '：']);
        while label_start + 1 < label_end
            && (is_label(paragraphs[label_start], 30, &lead_ends) || is_link(label_start))
        {
            label_start += 1;
        }
        let removed: usize = paragraphs[start..label_start]
            .iter()
            .chain(&paragraphs[label_end..end])
            .map(|p| p.len())
            .sum();
        if removed * 5 <= clean.text.len() * 2 {
            start = label_start;
            end = label_end;
        }
    }
    if start == 0 && end == paragraphs.len() {
        return;
    }
    // Only the cut paragraphs' own HTML goes: a picture between them and
    // the article stays.
    let mut html = String::with_capacity(clean.html.len());
    let mut at = 0;
    for (from, to) in clean.paragraph_spans[..start]
        .iter()
        .chain(&clean.paragraph_spans[end..])
    {
        let (Some(keep), Some(_)) = (clean.html.get(at..*from), clean.html.get(*from..*to)) else {
            return;
        };
        html.push_str(keep);
        at = *to;
    }
    html.push_str(clean.html.get(at..).unwrap_or(""));
    // Cutting may leave tags unbalanced; the HTML is our own well-nested
    // output, so dropping orphan end tags and closing what stays open is
    // enough.
    clean.html = balance_tags(&html);
    clean.text = paragraphs[start..end].join("\n\n");
    clean.paragraph_link_share = clean.paragraph_link_share[start..end].to_vec();
    // The spans described the uncut HTML.
    clean.paragraph_spans.clear();
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn cutting_a_dateline_keeps_the_picture_after_it() {
        let mut clean = crate::sanitize_fragment(
            "<p>08.04.2015 12:46</p><figure><img src=\"https://img.example/a.jpg\">\
             <figcaption>Tracks</figcaption></figure><p>The council met.</p>\
             <p>It voted. © 2015 City Times</p>",
            None,
        );
        trim(&mut clean, None);
        assert_eq!(clean.text, "The council met.");
        assert!(clean.html.contains("<img"), "{}", clean.html);
        assert!(!clean.html.contains("2015"), "{}", clean.html);
        assert!(
            clean.html.contains("<p>The council met.</p>"),
            "{}",
            clean.html
        );
    }

    #[test]
    fn cuts_closing_boilerplate_and_meta_lines() {
        assert!(is_closing_boilerplate(
            "© 2020 CBS Interactive Inc. All Rights Reserved."
        ));
        assert!(is_closing_boilerplate(
            "Follow The Gleaner on Twitter and Instagram @JamaicaGleaner."
        ));
        assert!(is_closing_boilerplate(
            "For the latest stories download the Nationnews apps for iOS and Android."
        ));
        assert!(!is_closing_boilerplate(
            "The minister said the app would be ready next year."
        ));
        assert!(is_meta_line("24.01.2022 11:38 Kategorie: News"));
        assert!(is_meta_line("Home | News | Politics"));
        assert!(!is_meta_line("On 24 January 2022 the council met."));
    }
}
