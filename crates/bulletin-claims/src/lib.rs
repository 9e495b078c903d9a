//! Who said what: attributed claims in news text, found by rules.
//!
//! An attribution is a *source* (who: a person, an organisation, a
//! document), a *cue* (how: "said", "told", "according to") and a *content*
//! (what), with whether the content is a direct quote. [`attributions`]
//! reads plain text and returns them with character offsets into it.
//!
//! The rules, in order:
//! 1. quotations (`“…”`, `"…"`, spanning sentences) attributed by a cue
//!    and a source next to them: `“…,” Smith said.`, `“…,” said Smith.`,
//!    `Smith said: “…”`;
//! 2. `according to SOURCE, CONTENT` and `CONTENT, according to SOURCE`;
//! 3. a sentence whose content comes after its cue: `SOURCE CUE (that)
//!    CONTENT`;
//! 4. a sentence whose cue comes last: `CONTENT, SOURCE CUE.` and
//!    `CONTENT, CUE SOURCE.`
//!
//! English only: other languages get no attributions (yet).

mod channel;
mod cues;
pub mod dates;
pub mod entities;
mod lexicon;
mod places;
mod sentences;

pub use entities::SpeakerKind;
pub use places::{Place, place};
pub use sentences::sentences;

use chrono::NaiveDate;
use serde::Serialize;

/// A stretch of the text: character offsets `start..end` and the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// One attributed claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attribution {
    /// Who: `None` when the text names nobody.
    pub source: Option<Span>,
    pub cue: Span,
    pub content: Span,
    /// The content is a quotation (in quotation marks).
    pub direct: bool,
    /// Who the source is, by name: the source when it names someone, the
    /// last named speaker for "he", "she" or "they"; else `None`.
    pub speaker: Option<String>,
    /// What the speaker is (`None` when there is no speaker).
    pub speaker_kind: Option<SpeakerKind>,
    /// What the article calls the speaker ("head of Ukraine's Foreign
    /// Intelligence Service"), when it says.
    pub role: Option<String>,
    /// Where it was said, when the text says: "in an interview with
    /// Ukrinform", "on Telegram", "in a statement".
    pub channel: Option<Span>,
    /// The day it was said, when the text names one (resolved against the
    /// publication date: see [`attributions_published`]).
    pub date: Option<NaiveDate>,
    /// The days it was said in, for any time the text gives ("last week"
    /// as well as "on Monday"), with the words that say so.
    pub period: Option<Period>,
}

impl Attribution {
    /// An attribution of `content` to `source` by `cue`, its speaker,
    /// role, channel and time not yet known.
    fn new(source: Option<Span>, cue: Span, content: Span, direct: bool) -> Attribution {
        Attribution {
            source,
            cue,
            content,
            direct,
            speaker: None,
            speaker_kind: None,
            role: None,
            channel: None,
            date: None,
            period: None,
        }
    }
}

/// Days `from..=to`, and the words of the text that name them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub text: Span,
}

/// The text as characters, with the byte offset of each, so spans can be
/// given in characters (as annotation tools count them).
struct Text {
    chars: Vec<char>,
    /// Every word of the text, in order: read once, and shared by every
    /// rule through [`words`].
    words: Vec<Word>,
}

impl Text {
    fn new(text: &str) -> Text {
        let chars: Vec<char> = text.chars().collect();
        let words = tokenize(&chars);
        Text { chars, words }
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.chars[start..end].iter().collect()
    }

    /// Where a clause that begins at `at` leaves the text before it: back
    /// over the comma and spaces that separate them, not before `floor`.
    fn before_comma(&self, floor: usize, mut at: usize) -> usize {
        while at > floor && matches!(self.chars[at - 1], ',' | ' ') {
            at -= 1;
        }
        at
    }

    /// The span `start..end` with whitespace trimmed from both ends.
    fn span(&self, mut start: usize, mut end: usize) -> Option<Span> {
        while start < end && self.chars[start].is_whitespace() {
            start += 1;
        }
        while end > start && self.chars[end - 1].is_whitespace() {
            end -= 1;
        }
        (end > start).then(|| Span {
            start,
            end,
            text: self.slice(start, end),
        })
    }
}

/// A word lowercased, kept inline: every word of every sentence gets one,
/// and a heap string each was a third of the extractor's time. A word
/// longer than the buffer keeps its first characters (no word a rule
/// looks up is that long).
#[derive(Clone, Copy)]
pub(crate) struct Norm {
    len: u8,
    bytes: [u8; Norm::CAPACITY],
}

impl Norm {
    const CAPACITY: usize = 30;

    pub(crate) fn new(chars: &[char]) -> Norm {
        let mut norm = Norm {
            len: 0,
            bytes: [0; Norm::CAPACITY],
        };
        let mut at = 0;
        'chars: for c in chars {
            if c.is_ascii() {
                if at == Norm::CAPACITY {
                    break;
                }
                norm.bytes[at] = c.to_ascii_lowercase() as u8;
                at += 1;
                continue;
            }
            for lower in c.to_lowercase() {
                let n = lower.len_utf8();
                if at + n > Norm::CAPACITY {
                    break 'chars;
                }
                lower.encode_utf8(&mut norm.bytes[at..at + n]);
                at += n;
            }
        }
        norm.len = at as u8;
        norm
    }

    fn bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Whether the word is one of `words` (compared as bytes: the rules
    /// ask this of every word, and a `str` of it is checked UTF-8 each
    /// time).
    pub(crate) fn is_any(&self, words: &[&str]) -> bool {
        let bytes = self.bytes();
        words.iter().any(|w| w.as_bytes() == bytes)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Whole characters were written, so the bytes are UTF-8.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl std::ops::Deref for Norm {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<&str> for Norm {
    fn eq(&self, other: &&str) -> bool {
        self.bytes() == other.as_bytes()
    }
}

impl AsRef<[u8]> for Norm {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}

impl std::fmt::Debug for Norm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.as_str().fmt(f)
    }
}

/// A word of a sentence: characters `start..end`, and its text lowercased
/// without surrounding punctuation.
#[derive(Debug, Clone)]
struct Word {
    start: usize,
    end: usize,
    norm: Norm,
    /// The first letter is a capital.
    capital: bool,
    /// A verb of saying (`said`, `told`): see [`cues::cue_at`].
    cue: bool,
    /// A word that may come before a cue verb as part of it (`has`).
    auxiliary: bool,
}

/// The words of the text that lie within `start..end`.
fn words(text: &Text, start: usize, end: usize) -> &[Word] {
    let from = text.words.partition_point(|w| w.start < start);
    let to = text.words.partition_point(|w| w.end <= end);
    &text.words[from..to.max(from)]
}

/// The words of `chars`: runs between spaces, quotation marks and dashes,
/// without the punctuation around them, each with its cue classes looked
/// up once.
fn tokenize(chars: &[char]) -> Vec<Word> {
    let breaks =
        |c: char| c.is_whitespace() || matches!(c, '“' | '”' | '"' | '«' | '»' | '—' | '–' | '―');
    let mut out = Vec::with_capacity(chars.len() / 5);
    let mut i = 0;
    let end = chars.len();
    while i < end {
        while i < end && breaks(chars[i]) {
            i += 1;
        }
        let s = i;
        while i < end && !breaks(chars[i]) {
            i += 1;
        }
        // The word without the punctuation around it.
        let (mut a, mut b) = (s, i);
        while a < b && !chars[a].is_alphanumeric() {
            a += 1;
        }
        while b > a && !chars[b - 1].is_alphanumeric() {
            b -= 1;
        }
        if a < b {
            let norm = Norm::new(&chars[a..b]);
            out.push(Word {
                start: a,
                end: b,
                cue: cues::is_cue_verb(norm),
                auxiliary: cues::is_auxiliary(norm),
                norm,
                capital: chars[a].is_uppercase(),
            });
        }
    }
    out
}

/// Quotations: `(start, end)` with `start` at the opening mark and `end`
/// after the closing one. Straight quotes (`"`, and `''` as some papers
/// print them) pair up in order; curly ones by their direction. A
/// quotation holds a word or more.
fn quotations(text: &Text) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let chars = &text.chars;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // The mark here, its length, and whether it opens, closes or both.
        let (len, opens, closes) = match c {
            '“' | '«' => (1, true, false),
            '”' | '»' => (1, false, true),
            '"' => straight(chars, i, 1),
            '\'' if chars.get(i + 1) == Some(&'\'') => straight(chars, i, 2),
            _ => (0, false, false),
        };
        match open {
            Some(s) if closes => {
                let inner: String = chars[s + 1..i].iter().collect();
                if inner.split_whitespace().count() >= 1 {
                    out.push((s, i + len));
                }
                open = None;
            }
            // A paragraph break closes nothing: a quotation continued in
            // the next paragraph opens again there.
            Some(_) | None if opens => open = Some(i),
            _ => {}
        }
        i += len.max(1);
    }
    out
}

/// A straight quotation mark of `len` characters at `i`: it opens after a
/// space or a bracket and before a word, closes after a word and before a
/// space or punctuation; else (`"` between two spaces) it may do either.
/// Reading the direction keeps one unclosed quotation (a paragraph quoted
/// on, a typo) from pairing every later mark the wrong way.
fn straight(chars: &[char], i: usize, len: usize) -> (usize, bool, bool) {
    let before = if i == 0 { ' ' } else { chars[i - 1] };
    let after = chars.get(i + len).copied().unwrap_or(' ');
    let open_before = before.is_whitespace() || matches!(before, '(' | '[' | '—' | '–' | '-');
    let close_after = after.is_whitespace()
        || matches!(after, ',' | '.' | ';' | ':' | '!' | '?' | ')' | '—' | '–');
    match (open_before, close_after) {
        (true, false) => (len, true, false),
        (false, true) => (len, false, true),
        _ => (len, true, true),
    }
}

/// A noun phrase that ends at word `end` (exclusive) going back, as a
/// source: up to 12 words, stopping at clause boundaries (a comma, a
/// quote, a conjunction that starts a clause, a verb of the cue list).
fn source_before(ws: &[Word], text: &Text, end: usize, floor: usize) -> Option<(usize, usize)> {
    if end == 0 || end <= floor {
        return None;
    }
    let mut first = end;
    while first > floor && end - first < 12 {
        let w = &ws[first - 1];
        if w.norm.is_any(cues::CLAUSE_WORDS) && first != end {
            break;
        }
        if cues::cue_at(ws, first - 1).is_some() {
            break;
        }
        // Punctuation right after the word ends the phrase there.
        let after = text.chars.get(w.end).copied().unwrap_or(' ');
        if first != end && matches!(after, ',' | ';' | ':' | '”' | '"' | '—' | '–' | '(' | ')')
        {
            break;
        }
        let before = if w.start > 0 {
            text.chars[w.start - 1]
        } else {
            ' '
        };
        let two_apostrophes =
            |at: usize| text.chars.get(at) == Some(&'\'') && text.chars.get(at + 1) == Some(&'\'');
        if first != end && two_apostrophes(w.end) {
            break;
        }
        first -= 1;
        if matches!(before, '“' | '"' | '(' | '—') || (w.start >= 2 && two_apostrophes(w.start - 2))
        {
            break;
        }
    }
    if first >= end {
        return None;
    }
    // `On Tuesday Clinton said`, `Last week Sanders said`: a time that
    // opens the phrase says when, not who.
    let mut who = first;
    if ws[who]
        .norm
        .is_any(&["on", "in", "at", "during", "by", "since", "until"])
    {
        who += 1;
    }
    let time_from = who;
    while who < end
        && (dates::is_time_word(&ws[who].norm)
            || dates::is_calendar_word(&ws[who].norm)
            || ws[who].norm.is_any(&[
                "last",
                "this",
                "next",
                "early",
                "late",
                "earlier",
                "week",
                "weekend",
                "month",
                "year",
                "morning",
                "afternoon",
                "evening",
                "night",
            ])
            || ws[who].norm.as_str().bytes().all(|b| b.is_ascii_digit()))
    {
        who += 1;
    }
    if who > time_from && who < end {
        first = who;
    }
    // `Fiorina, speaking to Iowans, said`, `Huma Abedin, vice chair of the
    // campaign, said`: a phrase set off by commas before the cue describes
    // the name before it, which is the source with it.
    let comma_after = |w: &Word| text.chars.get(w.end) == Some(&',');
    if comma_after(&ws[end - 1])
        && first > floor
        && comma_after(&ws[first - 1])
        && let Some((named, _)) = source_before(ws, text, first, floor)
        && (ws[named].capital || ws[named].norm.is_any(PRONOUNS))
        && plausible_source(ws, named, first)
    {
        return Some((named, end));
    }
    Some((first, end))
}

/// The source of the cue at word `cue`: the phrase before it, or the
/// sentence's subject when the cue is a verb of its own clause joined to
/// the main one (`X posted a message, saying …`, `X did not name them, but
/// told supporters …`, `X noted it, and added: …`).
fn source_of_cue(ws: &[Word], t: &Text, cue: usize) -> Option<(usize, usize)> {
    let joined = cue > 0 && {
        let verb = &ws[cue];
        let comma_before = verb.start > 0
            && t.chars[..verb.start]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                == Some(&',');
        (verb.norm.ends_with("ing") && comma_before) || ws[cue - 1].norm.is_any(&["and", "but"])
    };
    if joined {
        // `she said, adding, “…”`: the source of the cue before it.
        if let Some(earlier) = (0..cue).rev().find(|&j| cues::cue_at(ws, j).is_some()) {
            return source_of_cue(ws, t, earlier);
        }
        if let Some(subject) = subject(ws, t, cue) {
            return Some(subject);
        }
    }
    source_before(ws, t, cue, 0)
}

/// The subject that opens a sentence, before word `limit`: a pronoun, or
/// the words up to its verb (a word of the cue lists, an auxiliary, a
/// lowercase word in "-ed" or "-ly") or a comma, at most 10.
fn subject(ws: &[Word], t: &Text, limit: usize) -> Option<(usize, usize)> {
    let first = ws.first()?;
    if first.norm.is_any(PRONOUNS) {
        return Some((0, 1));
    }
    let mut end = 0;
    while end < limit.min(10) {
        let w = &ws[end];
        let lower = !w.capital;
        if end > 0
            && (cues::cue_at(ws, end).is_some()
                || w.norm.is_any(cues::CLAUSE_WORDS)
                || w.norm.is_any(&[
                    "did", "does", "do", "then", "also", "has", "had", "have", "was", "is", "will",
                    "would",
                ])
                || (lower && (w.norm.ends_with("ed") || w.norm.ends_with("ly"))))
        {
            break;
        }
        end += 1;
        if t.chars.get(w.end) == Some(&',') {
            break;
        }
    }
    (end > 0 && plausible_source(ws, 0, end)).then_some((0, end))
}

/// A noun phrase from word `start` on, as a source after an inverted cue
/// (`said John Smith, the mayor`): up to 12 words, to the next comma or the
/// sentence's end.
fn source_after(ws: &[Word], text: &Text, start: usize) -> Option<(usize, usize)> {
    let mut last = start;
    while last < ws.len() && last - start < 12 {
        let w = &ws[last];
        if w.norm.is_any(cues::CLAUSE_WORDS) && last != start {
            break;
        }
        last += 1;
        let after = text.chars.get(w.end).copied().unwrap_or(' ');
        if matches!(after, ',' | ';' | ':' | '.' | '“' | '"') {
            break;
        }
    }
    (last > start).then_some((start, last))
}

/// Whether words `a..b` look like a source: a name, a pronoun, or a phrase
/// with a noun (not a bare adverb or a time).
fn plausible_source(ws: &[Word], a: usize, b: usize) -> bool {
    if a >= b {
        return false;
    }
    let phrase = &ws[a..b];
    if phrase.iter().all(|w| cues::NOT_SOURCES.has(w.norm)) {
        return false;
    }
    // "A court document filed Thursday": a time after the head is not it.
    let head = phrase
        .iter()
        .rev()
        .find(|w| !dates::is_time_word(&w.norm))
        .unwrap_or(&phrase[phrase.len() - 1]);
    !cues::NOT_SOURCES.has(head.norm)
        || phrase
            .iter()
            .any(|w| w.capital && !cues::NOT_SOURCES.has(w.norm))
}

/// Finds the attributions in `text`.
pub fn attributions(text: &str) -> Vec<Attribution> {
    attributions_published(text, None)
}

/// Finds the attributions in `text`, an article published on `published`
/// (when known), against which the times of claims are resolved.
pub fn attributions_published(text: &str, published: Option<NaiveDate>) -> Vec<Attribution> {
    let t = Text::new(text);
    let mut found: Vec<Attribution> = Vec::new();
    let sentences = sentences::sentence_bounds(&t.chars);
    // Characters inside a quotation attributed already.
    let mut covered: Vec<(usize, usize)> = Vec::new();

    let quotes = quotations(&t);
    let mut k = 0;
    while k < quotes.len() {
        let (qs, qe) = quotes[k];
        k += 1;
        let Some(mut a) = quote_attribution(&t, &sentences, qs, qe) else {
            continue;
        };
        // `“…” “…,” she said.`: a quotation with no speaker right before
        // an attributed one, in its paragraph, is said by the same.
        if a.cue.start > qe
            && k >= 2
            && let Some(&(ps, pe)) = quotes.get(k - 2)
            && !covered.iter().any(|&(c, d)| overlap(ps, pe, c, d) > 0)
            && t.chars[pe..qs].iter().all(|c| *c == ' ')
            && let Some(longer) = t.span(ps, a.content.end)
        {
            covered.push((ps, pe));
            a.content = longer;
        }
        covered.push((qs, qe));
        covered.push((a.cue.start, a.cue.end));
        // `“…,” she said. “…”`: quotations that follow the attribution's
        // sentence at once, with no speaker of their own, continue it (the
        // content runs over the attribution between them, as annotators
        // mark such quotes).
        // Only when the attribution between them says nothing more
        // (`“…,” he said. “…”`, not `“…,” he said, adding that … “…”`).
        let (_, cue_sentence_end) = sentence_of(&sentences, a.cue.start);
        // (What the next quotation says is not the attribution's.)
        let said_to = quotes.get(k).map_or(cue_sentence_end, |&(ns, _)| {
            ns.clamp(a.cue.end, cue_sentence_end.max(a.cue.end))
        });
        let says_more = words(&t, a.cue.end, said_to)
            .iter()
            .any(|w| w.norm.is_any(&["that", "adding", "noting", "saying"]));
        if a.cue.start > qe && !says_more {
            let mut end_of_sentence = cue_sentence_end;
            while k < quotes.len() {
                let (ns, ne) = quotes[k];
                let within = ns < end_of_sentence;
                let continues = if within {
                    // `“…,” the judge said, “…”`: only the source and the
                    // cue between the two parts, closed by a comma (or a
                    // period the sentences missed).
                    let gap: String = t.chars[a.content.end.min(ns)..ns].iter().collect();
                    let gap = gap.trim_end();
                    gap.ends_with([',', ':', '.']) && gap.split_whitespace().count() <= 16
                } else {
                    // The next sentence.
                    t.chars[end_of_sentence..ns]
                        .iter()
                        .all(|c| c.is_whitespace())
                };
                // A quotation in the next sentence may have a speaker of
                // its own; one resumed after `, she said,` has none but
                // the one just read.
                if !continues || (!within && quote_attribution(&t, &sentences, ns, ne).is_some()) {
                    break;
                }
                if let Some(longer) = t.span(a.content.start, ne) {
                    a.content = longer;
                }
                covered.push((ns, ne));
                end_of_sentence = sentence_of(&sentences, ne.saturating_sub(1)).1.max(ne);
                k += 1;
            }
        }
        found.push(a);
    }
    for &(ss, se) in &sentences {
        // A sentence with an attributed quotation in it is that
        // quotation's, but for a clause of its own before it (`Boreing
        // said the members will still meet, but said, “…”`).
        let first_covered = covered
            .iter()
            .filter(|&&(a, b)| overlap(ss, se, a, b) > 0)
            .map(|&(a, _)| a)
            .min();
        if let Some(at) = first_covered {
            if let Some(comma) = (ss..at.max(ss)).rev().find(|&c| t.chars[c] == ',')
                && let Some(a) = sentence_attribution(&t, ss, comma)
                && a.content.end <= comma
            {
                found.push(a);
            }
            continue;
        }
        if let Some(mut a) = sentence_attribution(&t, ss, se) {
            let nested = nested_attribution(&t, &mut a, se);
            found.push(a);
            found.extend(nested);
        }
    }
    found.sort_by_key(|a| a.content.start);
    resolve_speakers(&mut found);
    for a in &mut found {
        let sentence = sentence_of(&sentences, a.cue.start);
        a.channel = channel::channel(&t.chars, sentence, a);
        if let Some(day) = published {
            a.period = when_said(&t, sentence, a, &quotes, day);
            a.date = a.period.as_ref().filter(|p| p.from == p.to).map(|p| p.from);
        }
    }
    found
}

/// The time expression of the attribution's sentence that says when it
/// was said: outside its content, nearest its cue, within a few words.
fn when_said(
    t: &Text,
    sentence: (usize, usize),
    a: &Attribution,
    quotes: &[(usize, usize)],
    published: NaiveDate,
) -> Option<Period> {
    let (ss, se) = sentence;
    // "will say on Monday", "is expected to announce Friday".
    let lead = words(t, ss, a.cue.start);
    let future = a.cue.text.starts_with("will ")
        || lead.last().is_some_and(|w| w.norm.is_any(&["will", "to"]));
    // How far from the cue or the source (`In an interview last year,
    // Lazar said …, and added, “…”`).
    let gap = |w: &dates::When, start: usize, end: usize| {
        if w.end <= start {
            start - w.end
        } else {
            w.start.saturating_sub(end)
        }
    };
    let distance = |w: &dates::When| {
        let from_cue = gap(w, a.cue.start, a.cue.end);
        a.source
            .as_ref()
            .map_or(from_cue, |s| from_cue.min(gap(w, s.start, s.end)))
    };
    dates::times(&t.chars, ss, se.max(a.cue.end), published, future)
        .into_iter()
        // Not what the claim says: outside its content, and for quoted
        // speech (whose content may run over the attribution between its
        // parts), outside the quotation marks.
        .filter(|w| {
            if a.direct {
                !quotes
                    .iter()
                    .any(|&(qs, qe)| overlap(w.start, w.end, qs, qe) > 0)
            } else {
                overlap(w.start, w.end, a.content.start, a.content.end) == 0
            }
        })
        .filter(|w| distance(w) <= 60)
        .min_by_key(distance)
        .and_then(|w| {
            Some(Period {
                from: w.from,
                to: w.to,
                text: t.span(w.start, w.end)?,
            })
        })
}

const PRONOUNS: &[&str] = &["he", "she", "they", "him", "her", "them", "i", "we"];
/// The pronouns that only a person can be.
const PERSONAL_PRONOUNS: &[&str] = &["he", "she", "him", "her", "i"];

/// Names each attribution's speaker: a source that names someone (its
/// name without title or honorific, and the role the article gives them);
/// a surname alone, the person named before in full; "he" or "she", the
/// last person; "they" or "we", the last speaker; a description ("the intelligence chief"), the last speaker
/// whose role it shares a word with, else the last person.
fn resolve_speakers(found: &mut [Attribution]) {
    let mut known: Vec<entities::Named> = Vec::new();
    let mut last: Option<usize> = None;
    for a in found.iter_mut() {
        let Some(source) = &a.source else { continue };
        let text = source.text.trim_matches(|c: char| !c.is_alphanumeric());
        let lower = text.to_lowercase();
        let resolved = if PERSONAL_PRONOUNS.contains(&lower.as_str()) {
            // "He", "she": the last speaker, if a person; a place or an
            // organisation is no "he".
            last.filter(|&k| known[k].kind == SpeakerKind::Person)
                .or_else(|| known.iter().rposition(|k| k.kind == SpeakerKind::Person))
        } else if PRONOUNS.contains(&lower.as_str()) {
            last
        } else if let Some(named) = entities::named(text) {
            // "Ivashchenko" after "Oleh Ivashchenko": the same person;
            // so is "Jordan" after "Michael Jordan", a place's name only
            // when nobody of that name was named before.
            let as_written = match named.kind {
                SpeakerKind::Place => text,
                _ => named.name.as_str(),
            };
            let same = known.iter().rposition(|k| {
                k.name == named.name
                    || (named.kind != SpeakerKind::Organisation
                        && k.kind == SpeakerKind::Person
                        && k.name.ends_with(&format!(" {as_written}")))
            });
            Some(match same {
                Some(k) => {
                    if known[k].role.is_none() {
                        known[k].role = named.role;
                    }
                    k
                }
                None => {
                    known.push(named);
                    known.len() - 1
                }
            })
        } else if entities::describes(text, None).is_some() {
            // A description: the last speaker whose role it fits, else
            // the last person.
            known
                .iter()
                .rposition(|k| {
                    k.role.is_some() && entities::describes(text, k.role.as_deref()) == Some(true)
                })
                .or_else(|| known.iter().rposition(|k| k.kind == SpeakerKind::Person))
        } else {
            None
        };
        if let Some(k) = resolved {
            a.speaker = Some(known[k].name.clone());
            a.speaker_kind = Some(known[k].kind);
            a.role = known[k].role.clone();
            last = Some(k);
        }
    }
}

fn overlap(a: usize, b: usize, c: usize, d: usize) -> usize {
    b.min(d).saturating_sub(a.max(c))
}

/// The sentence holding character `at`.
fn sentence_of(sentences: &[(usize, usize)], at: usize) -> (usize, usize) {
    sentences
        .iter()
        .copied()
        .find(|&(s, e)| s <= at && at < e)
        .unwrap_or((at, at))
}

/// A quotation `qs..qe` attributed by the words around it.
fn quote_attribution(
    t: &Text,
    sentences: &[(usize, usize)],
    qs: usize,
    qe: usize,
) -> Option<Attribution> {
    let content = t.span(qs, qe)?;
    if let Some(signed) = signature(t, content.clone(), qe) {
        return Some(signed);
    }
    let (ss, _) = sentence_of(sentences, qs);
    let before = words(t, ss, qs);
    if !before.is_empty() {
        // Words come before the quotation in its sentence: it is
        // introduced (`…: “…”`, `…, “…”`), or the sentence runs into it.
        let introduced = t.chars[ss..qs]
            .iter()
            .rev()
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| matches!(c, ':' | ',' | '-' | '–' | '—' | '('));
        if !introduced {
            return None;
        }
        // `X declared: “…,” she said.`: the attribution after it wins
        // when the quotation ends as one does before its speaker.
        let ends_open = t.chars[..qe.saturating_sub(1)]
            .iter()
            .rev()
            .find(|c| !matches!(c, '\'' | '”' | '"'))
            .is_some_and(|c| matches!(c, ',' | '?' | '!'));
        if ends_open && let Some(a) = quote_before_cue(t, sentences, content.clone(), qe, false) {
            return Some(a);
        }
        return quote_after_cue(t, before, content, qs);
    }
    quote_before_cue(t, sentences, content, qe, true)
}

/// A quotation signed with a dash and a name that ends its line, as
/// readers' comments, testimonials and epigraphs are: `“…” ― Ana Ruiz`,
/// `“…” — Li Wei, Reuters.` The dash is the cue.
fn signature(t: &Text, content: Span, qe: usize) -> Option<Attribution> {
    let c = &t.chars;
    let blank = |ch: char| ch == ' ' || ch == '\u{a0}';
    let mut i = qe;
    while i < c.len() && blank(c[i]) {
        i += 1;
    }
    if !matches!(c.get(i), Some('―' | '—' | '–')) {
        return None;
    }
    let dash = i;
    let line_end = (dash..c.len()).find(|&j| c[j] == '\n').unwrap_or(c.len());
    let mut end = line_end;
    while end > dash && (c[end - 1].is_whitespace() || matches!(c[end - 1], '.' | '\u{a0}')) {
        end -= 1;
    }
    let ws = words(t, dash + 1, end);
    // A name (and the organisation after a comma): capitalised words,
    // a few of them, nothing that reads as a clause.
    let name_end = ws
        .iter()
        .position(|w| c.get(w.end) == Some(&','))
        .map_or(ws.len(), |k| k + 1);
    if ws.is_empty()
        || ws.len() > 8
        || name_end > 5
        || !ws[..name_end].iter().all(|w| {
            w.capital
                || w.norm
                    .is_any(&["de", "van", "von", "da", "del", "bin", "al"])
        })
    {
        return None;
    }
    Some(Attribution::new(
        t.span(ws[0].start, ws[name_end - 1].end),
        t.span(dash, dash + 1)?,
        content,
        true,
    ))
}

/// A quotation followed by its attribution: `“…,” Smith said.`, `“…,”
/// said Smith.`, `“…,” Smith, the mayor, said`. `alone`: nothing comes
/// before the quotation in its sentence.
fn quote_before_cue(
    t: &Text,
    sentences: &[(usize, usize)],
    content: Span,
    qe: usize,
    alone: bool,
) -> Option<Attribution> {
    // After: `“…,” Smith said.` / `“…,” said Smith.` / `“…,” Smith, the
    // mayor, said`.
    let (_, se) = sentence_of(sentences, qe.saturating_sub(1));
    let mut after = words(t, qe, se.max(qe));
    if after.is_empty() {
        // `“… missing.” Trump said.`: the quotation ended a sentence, and
        // a short one of only a source and a cue follows it.
        let next = sentences.iter().find(|&&(s, _)| s >= qe);
        if let Some(&(ns, ne)) = next
            && t.chars[qe..ns].iter().all(|c| *c == ' ')
            && !matches!(t.chars[ns], '“' | '"' | '\'' | '«')
        {
            let ws = words(t, ns, ne);
            let short = (0..ws.len().min(6)).find_map(|i| {
                let len = cues::cue_at(ws, i)?;
                let rest = &ws[i + len..];
                (rest.len() <= 6 && !rest.iter().any(|w| w.norm == "that")).then_some(())
            });
            if short.is_some() {
                after = ws;
            }
        }
    }
    if !after.is_empty() {
        let window = after.len().min(if alone { 14 } else { 6 });
        for i in 0..window {
            let Some(len) = cues::cue_at(after, i) else {
                continue;
            };
            let cue = t.span(after[i].start, after[i + len - 1].end)?;
            if !alone && after[i].norm.ends_with("ing") {
                return None;
            }
            // Inverted: the cue first (`“…,” said Smith`), or after a
            // comma (`“…” about the plan, said Smith`).
            let comma_before = i > 0 && t.chars.get(after[i - 1].end) == Some(&',');
            if i == 0 || comma_before {
                let (a, b) = source_after(after, t, len)?;
                if !plausible_source(after, a, b) {
                    return None;
                }
                return Some(Attribution::new(
                    t.span(after[a].start, after[b - 1].end),
                    cue,
                    content,
                    true,
                ));
            }
            let source = t.span(after[0].start, after[i - 1].end);
            if !plausible_source(after, 0, i) {
                return None;
            }
            return Some(Attribution::new(source, cue, content, true));
        }
    }
    None
}

/// A quotation that words of its sentence come before: `Smith said: “…”`,
/// `Smith said, “…”`, `Smith told reporters on Monday, “…”`. A quotation
/// the sentence runs into (`he called it “a disaster”`, `said that “…”`)
/// is part of a larger content, left to the sentence's rules.
fn quote_after_cue(t: &Text, before: &[Word], content: Span, qs: usize) -> Option<Attribution> {
    let n = before.len();
    for back in 1..=n.min(6) {
        let i = n - back;
        let Some(len) = cues::cue_at(before, i) else {
            continue;
        };
        // Between the cue and the quotation: nothing, or words closed by
        // a comma or a colon.
        let gap_end = (before[i + len - 1].end..qs)
            .rev()
            .find(|&c| !t.chars[c].is_whitespace());
        if let Some(c) = gap_end
            && !matches!(t.chars[c], ',' | ':')
        {
            return None;
        }
        let (a, b) = source_of_cue(before, t, i)?;
        if !plausible_source(before, a, b) {
            return None;
        }
        return Some(Attribution::new(
            t.span(before[a].start, before[b - 1].end),
            t.span(before[i].start, before[i + len - 1].end)?,
            content,
            true,
        ));
    }
    // `Carl Bialik: “…”`, `The memo: “…”`: a name or a short phrase and a
    // colon introduce it, the colon is the cue.
    let colon = (before[n - 1].end..qs).find(|&c| t.chars[c] == ':')?;
    if (colon + 1..qs).any(|c| !t.chars[c].is_whitespace()) || n > 6 {
        return None;
    }
    let (a, b) = source_before(before, t, n, 0)?;
    if !before[a].capital || !plausible_source(before, a, b) {
        return None;
    }
    Some(Attribution::new(
        t.span(before[a].start, before[b - 1].end),
        t.span(colon, colon + 1)?,
        content,
        true,
    ))
}

/// An attribution in one sentence `ss..se`, by `according to`, a cue
/// before its content, or a cue at its end.
fn sentence_attribution(t: &Text, ss: usize, se: usize) -> Option<Attribution> {
    let ws = words(t, ss, se);
    if ws.len() < 4 {
        return None;
    }
    // The sentence's end, without its final punctuation.
    let mut end = se;
    while end > ss
        && (t.chars[end - 1].is_whitespace() || matches!(t.chars[end - 1], '.' | '!' | '?'))
    {
        end -= 1;
    }
    // `according to SOURCE, CONTENT` / `CONTENT, according to SOURCE`.
    if let Some(i) =
        (0..ws.len() - 1).find(|&i| ws[i].norm == "according" && ws[i + 1].norm == "to")
    {
        let cue = t.span(ws[i].start, ws[i + 1].end)?;
        let (a, b) = source_after(ws, t, i + 2)?;
        let source = t.span(ws[a].start, ws[b - 1].end);
        let content = if i == 0 {
            t.span(ws[b - 1].end + 1, end)?
        } else {
            let mut stop = ws[i].start;
            while stop > ss && matches!(t.chars[stop - 1], ',' | ' ' | '(' | '—') {
                stop -= 1;
            }
            if b < ws.len() {
                // Words after the source: `CONTENT, according to X, who …`
                // keeps the part before the cue.
            }
            t.span(ss, stop)?
        };
        return Some(Attribution::new(source, cue, content, false));
    }
    // The first cue of the sentence that has a source and a content.
    (0..ws.len())
        .filter_map(|i| cues::cue_at(ws, i).map(|len| (i, len)))
        .find_map(|(i, len)| cue_attribution(t, ws, ss, end, i, len))
}

/// A second attribution in the content of `a`, in a clause of its own
/// (`X accused Y of Z, which China dismissed as “…”`, `…, and W said …`):
/// the first content then ends before that clause.
fn nested_attribution(t: &Text, a: &mut Attribution, se: usize) -> Option<Attribution> {
    if a.content.start < a.cue.end {
        return None;
    }
    let ws = words(t, a.content.start, se);
    let mut end = se;
    while end > a.content.start
        && (t.chars[end - 1].is_whitespace() || matches!(t.chars[end - 1], '.' | '!' | '?'))
    {
        end -= 1;
    }
    for j in 1..ws.len() {
        let clause = &ws[j - 1];
        // `X said A and said B`: the same speaker goes on with a second
        // cue of their own, and the first content ends before it.
        if clause.norm.is_any(&["and", "but"])
            && let Some(len) = cues::cue_at(ws, j)
            && j + len + 2 < ws.len()
            && !ws[j].norm.ends_with("ing")
        {
            let mut from = j + len;
            if ws[from].norm == "that" {
                from += 1;
            }
            let mut start = ws[from].start;
            while start > ws[from - 1].end && matches!(t.chars[start - 1], '“' | '"') {
                start -= 1;
            }
            let inner = Attribution::new(
                a.source.clone(),
                t.span(ws[j].start, ws[j + len - 1].end)?,
                t.span(start, end)?,
                false,
            );
            a.content = t.span(
                a.content.start,
                t.before_comma(a.content.start, clause.start),
            )?;
            return Some(inner);
        }
        let opens = clause.norm.is_any(&["which", "who", "and", "but", "while"])
            && t.chars[..clause.start]
                .iter()
                .rev()
                .find(|c| !c.is_whitespace())
                == Some(&',');
        if !opens {
            continue;
        }
        let Some(i) = (j..(j + 4).min(ws.len())).find(|&i| cues::cue_at(ws, i).is_some()) else {
            continue;
        };
        let len = cues::cue_at(ws, i)?;
        let inner = cue_attribution(t, ws, clause.start, end, i, len)?;
        let source = inner.source.as_ref()?;
        if source.start < ws[j].start {
            return None;
        }
        // The first content stops at the comma before the clause.
        a.content = t.span(
            a.content.start,
            t.before_comma(a.content.start, clause.start),
        )?;
        return Some(inner);
    }
    None
}

/// The attribution the cue at word `i` (`len` words) makes of its
/// sentence (`ss..end`, without its final punctuation).
fn cue_attribution(
    t: &Text,
    ws: &[Word],
    ss: usize,
    end: usize,
    i: usize,
    len: usize,
) -> Option<Attribution> {
    let cue = t.span(ws[i].start, ws[i + len - 1].end)?;
    let after_cue = i + len;
    // Cue at the end: `CONTENT, SOURCE CUE.` (the source after the last
    // comma before the cue) or `CONTENT, CUE SOURCE.`.
    let comma_before = (ss..ws[i].start).rev().find(|&c| t.chars[c] == ',');
    let words_left = ws.len() - after_cue;
    // Words after the cue to the end of its clause (`…, officials said
    // on Saturday, and it …`).
    // Only a time or a place may follow the cue there (`…, officials
    // said on Saturday.`), not what it is about (`…, she acknowledged
    // their battle.`).
    let told = ws[after_cue - 1]
        .norm
        .is_any(&["told", "tells", "tell", "telling"]);
    let clause_left = match ws.get(after_cue) {
        None => Some(0),
        // Whom it was told (`told a Senate panel Wednesday`), "said so".
        Some(w)
            if told
                || w.norm
                    .is_any(&["in", "on", "at", "during", "last", "this", "so"])
                || dates::is_time_word(&w.norm) =>
        {
            Some(
                ws[after_cue..]
                    .iter()
                    .position(|w| matches!(t.chars.get(w.end), Some(',' | ';' | '—')))
                    .map_or(words_left, |k| k + 1),
            )
        }
        _ => None,
    };
    if let Some(comma) = comma_before
        && let Some(first) = ws.iter().position(|w| w.start > comma)
        && if first == i {
            words_left <= 4
        } else {
            clause_left.is_some_and(|n| n <= 4)
        }
    {
        let content = t.span(ss, comma)?;
        if first == i {
            // `CONTENT, said SOURCE.`
            let (a, b) = source_after(ws, t, after_cue)?;
            // Not when what follows the cue is a clause of its own
            // (`Grassley, facing a challenge, said he would welcome
            // Cruz.`): a subject pronoun, or a verb, in it.
            let clause = ws[a..b].iter().enumerate().any(|(k, w)| {
                (k == 0 && w.norm.is_any(&["he", "she", "they", "we", "i", "it"]))
                    || (k > 0
                        && w.norm.is_any(&[
                            "will", "would", "is", "was", "are", "were", "has", "had", "have",
                            "can", "could", "should", "must", "did", "does",
                        ]))
            });
            if !clause {
                return Some(Attribution::new(
                    t.span(ws[a].start, ws[b - 1].end),
                    cue,
                    content,
                    false,
                ));
            }
        }
        if plausible_source(ws, first, i) {
            return Some(Attribution::new(
                t.span(ws[first].start, ws[i - 1].end),
                cue,
                content,
                false,
            ));
        }
    }
    // Cue before the content: `SOURCE CUE (that) CONTENT`, of three words
    // or more, or a clause of two (`Clinton said she disagreed.`).
    let clause_of_two = words_left == 2
        && ws[after_cue]
            .norm
            .is_any(&["he", "she", "they", "we", "i", "it"]);
    if words_left >= 3 || clause_of_two {
        let (a, b) = source_of_cue(ws, t, i)?;
        if !plausible_source(ws, a, b) {
            return None;
        }
        let mut from = after_cue;
        // What the cue is told to: `told reporters (in an interview on
        // Monday) that …`.
        let leads_with_phrase = ws.get(after_cue).is_some_and(|w| {
            w.norm.is_any(&[
                "in", "on", "during", "at", "after", "before", "last", "earlier",
            ])
        });
        // `told reporters …`: whom it was told to comes first.
        let reach = if leads_with_phrase || told { 12 } else { 6 };
        if let Some(that) = ws[after_cue..(after_cue + reach).min(ws.len())]
            .iter()
            .position(|w| w.norm == "that")
        {
            from = after_cue + that + 1;
        }
        // `said yesterday, …`, `noted in an op-ed Thursday, …`, `told
        // voters this weekend he …`: a time right after the cue (or its
        // phrase, or whom it was told) says when, not what.
        if from == after_cue {
            let window_end = ws[(after_cue + 8).min(ws.len() - 1)].end;
            let anchor = NaiveDate::from_ymd_opt(2000, 1, 1)?;
            if let Some(when) =
                dates::times(&t.chars, ws[after_cue].start, window_end, anchor, false)
                    .into_iter()
                    .next()
            {
                let first_time_word = ws.iter().position(|w| w.start >= when.start)?;
                let between_is_phrase = first_time_word == after_cue || leads_with_phrase || told;
                if between_is_phrase && let Some(next) = ws.iter().position(|w| w.start >= when.end)
                {
                    from = if ws[next].norm == "that" {
                        next + 1
                    } else {
                        next
                    };
                }
            }
        }
        if from >= ws.len() {
            return None;
        }
        // Quotation marks that open the content are part of it.
        let mut start = ws[from].start;
        while start > ws[from - 1].end && matches!(t.chars[start - 1], '“' | '"' | '\'') {
            start -= 1;
        }
        // A clause that sets something against the claim is the writer's,
        // not the speaker's: `…, however …`, `…; …`.
        let end = ws[from..]
            .iter()
            .position(|w| {
                w.start > start
                    && (w.norm.is_any(&["however", "although", "whereas"])
                        && t.chars[..w.start].iter().rev().find(|c| !c.is_whitespace())
                            == Some(&','))
            })
            .map_or(end, |k| t.before_comma(start, ws[from + k].start));
        let content = t.span(start, end.max(start))?;
        return Some(Attribution::new(
            t.span(ws[a].start, ws[b - 1].end),
            cue,
            content,
            false,
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Attribution {
        let found = attributions(text);
        assert_eq!(found.len(), 1, "{found:#?}");
        found.into_iter().next().unwrap()
    }

    #[test]
    fn a_quote_then_its_speaker() {
        let a = one("“We will not back down from this fight,” Smith said on Monday.");
        assert!(a.direct);
        assert_eq!(a.content.text, "“We will not back down from this fight,”");
        assert_eq!(a.source.unwrap().text, "Smith");
        assert_eq!(a.cue.text, "said");
    }

    #[test]
    fn a_quotation_continued_after_its_attribution() {
        let a = one(
            "“Our country needs a cheerleader,” he said. “We are down, and we need spirit.” Then he left the stage.",
        );
        assert_eq!(
            a.content.text,
            "“Our country needs a cheerleader,” he said. “We are down, and we need spirit.”"
        );
        assert!(a.direct);
    }

    #[test]
    fn an_inverted_cue_after_a_quote() {
        let a = one("\"The vote is rigged against us,\" said Senator Jane Doe.");
        assert_eq!(a.source.unwrap().text, "Senator Jane Doe");
        assert!(a.direct);
    }

    #[test]
    fn a_speaker_then_that_content() {
        let a = one(
            "President Volodymyr Zelensky claimed on April 17 that China was supplying weapons.",
        );
        assert_eq!(a.source.unwrap().text, "President Volodymyr Zelensky");
        assert_eq!(a.cue.text, "claimed");
        assert_eq!(a.content.text, "China was supplying weapons");
        assert!(!a.direct);
    }

    #[test]
    fn quotations_signed_with_a_dash_are_their_signers() {
        let found = attributions(
            "“He scares me. I hope he loses.”\u{a0}― Krystal Correa\n“Not a worthy representative.”― Oscar P. Quintero.\n\nThe vote is on Tuesday.",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].source.as_ref().unwrap().text, "Krystal Correa");
        assert_eq!(found[0].cue.text, "―");
        assert_eq!(found[0].content.text, "“He scares me. I hope he loses.”");
        assert_eq!(found[1].source.as_ref().unwrap().text, "Oscar P. Quintero");
        // A dash that goes on with the writer's words is no signature.
        let aside = attributions("“It is over” — a phrase he would repeat for years to come.");
        assert!(aside.iter().all(|a| a.cue.text != "—"), "{aside:#?}");
    }

    #[test]
    fn cues_in_their_ing_form_join_their_clause_to_the_subject() {
        let a = one(
            "Dean, a former party chairman, poked at Trump during the debate, tweeting, “Notice Trump sniffing all the time. Coke user?”",
        );
        assert_eq!(a.source.unwrap().text, "Dean");
        assert_eq!(a.cue.text, "tweeting");
        assert!(a.direct);
    }

    #[test]
    fn a_second_cue_of_the_same_speaker_starts_a_second_content() {
        let found = attributions(
            "He said the base immediately went into collect mode and said the rescue was always a priority.",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].content.text,
            "the base immediately went into collect mode"
        );
        assert_eq!(found[1].source.as_ref().unwrap().text, "He");
        assert_eq!(found[1].content.text, "the rescue was always a priority");
    }

    #[test]
    fn a_clause_before_an_attributed_quotation_keeps_its_own_attribution() {
        let found = attributions(
            "Boreing said the members will still meet for drinks, but said, “It’s time we change how we do it.”",
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].content.text,
            "the members will still meet for drinks"
        );
        assert!(found[1].direct);
    }

    #[test]
    fn a_clause_after_an_inverted_looking_cue_is_its_content() {
        let a = one("Grassley, facing a challenge in Iowa, said he would welcome Cruz.");
        assert_eq!(a.content.text, "he would welcome Cruz");
    }

    #[test]
    fn a_time_that_opens_the_source_is_not_the_speaker() {
        let found = attributions(
            "On Tuesday Clinton said she disagreed. Last week Sanders said he would run again.",
        );
        let who: Vec<(&str, Option<&str>, &str)> = found
            .iter()
            .map(|a| {
                (
                    a.source.as_ref().map_or("", |s| s.text.as_str()),
                    a.speaker.as_deref(),
                    a.content.text.as_str(),
                )
            })
            .collect();
        assert_eq!(
            who,
            vec![
                ("Clinton", Some("Clinton"), "she disagreed"),
                ("Sanders", Some("Sanders"), "he would run again"),
            ]
        );
        // Not a time: the phrase stays whole.
        assert_eq!(
            one("At least three officials said the talks had failed.")
                .source
                .unwrap()
                .text,
            "At least three officials"
        );
    }

    #[test]
    fn content_then_the_speaker() {
        let a = one("The talks collapsed after midnight, officials said.");
        assert_eq!(a.source.unwrap().text, "officials");
        assert_eq!(a.content.text, "The talks collapsed after midnight");
    }

    #[test]
    fn a_quote_resumed_after_its_speaker_joins_even_when_it_says_that() {
        let found = attributions(
            "“Judge,” Brafman said, “I have never had that happen in thirty-seven years. I never lost.” He sat down.",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            found[0].content.text,
            "“Judge,” Brafman said, “I have never had that happen in thirty-seven years. I never lost.”"
        );
        // The attribution itself saying more (`adding that`) still stops it.
        let found = attributions("“No,” she said, adding that “the plan is dead.”");
        assert_eq!(found[0].content.text, "“No,”", "{found:#?}");
    }

    #[test]
    fn a_quote_set_off_by_a_dash_is_attributed_by_its_own_speaker() {
        let found = attributions(
            "He praised strongmen - ''He would have loved Stalin,'' Mr. Biden said twice - and went on.",
        );
        let quote = found.iter().find(|a| a.direct).expect("the quotation");
        assert_eq!(quote.content.text, "''He would have loved Stalin,''");
        assert_eq!(quote.source.as_ref().unwrap().text, "Mr. Biden");
    }

    #[test]
    fn a_clause_set_against_the_claim_is_not_its_content() {
        let a =
            one("In March, 47 percent said they would vote for Clinton, however that has changed.");
        assert_eq!(a.content.text, "they would vote for Clinton");
        // Without the comma, "however" is the speaker's word.
        let b = one("The mayor said however hard it gets the bridge will open.");
        assert_eq!(b.content.text, "however hard it gets the bridge will open");
    }

    #[test]
    fn according_to() {
        let a = one(
            "According to a recent report from the US Defense Intelligence Agency, China supplies parts.",
        );
        assert_eq!(a.cue.text, "According to");
        assert_eq!(
            a.source.unwrap().text,
            "a recent report from the US Defense Intelligence Agency"
        );
        assert_eq!(a.content.text, "China supplies parts");
    }

    #[test]
    fn offsets_are_characters() {
        let text = "Ünïcödé first. “Prices will rise again next year,” Ana said.";
        let a = one(text);
        let chars: Vec<char> = text.chars().collect();
        let cut: String = chars[a.content.start..a.content.end].iter().collect();
        assert_eq!(cut, a.content.text);
    }

    #[test]
    fn sentences_without_a_cue_have_none() {
        assert!(
            attributions("The harbour reopened at dawn. Ferries resume on Tuesday.").is_empty()
        );
    }
}
