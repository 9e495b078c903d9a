//! When a claim was made: time expressions near its cue ("on May 25",
//! "Tuesday", "last week", "earlier this month", "two days ago"), resolved
//! against the article's publication date to a day or a range of days.
//!
//! News conventions, as the resolver reads them:
//! - a weekday alone is the latest such day on or before publication ("on
//!   Monday" in Monday's paper is that day); "last Monday" is the one
//!   before publication; with "next", or a verb in the future ("will"), the
//!   next one on or after it;
//! - a month and day without a year is in the publication's year, unless
//!   that is after publication (then the year before; a day of slack for
//!   time zones); future claims take the next such day;
//! - "last week" is the Sunday–Saturday week before the one of
//!   publication (so in a Sunday paper, the week just ended); "this week"
//!   and "earlier this week" run from Monday to publication (the day
//!   before, for "earlier"); months and years likewise.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A resolved time: the days `from..=to` (the same for a single day), and
/// where the expression is in the text (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub start: usize,
    pub end: usize,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl When {
    /// The day, when the expression names one.
    pub fn day(&self) -> Option<NaiveDate> {
        (self.from == self.to).then_some(self.from)
    }
}

const MONTHS: &[(&str, u32)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
];

const WEEKDAYS: &[(&str, Weekday)] = &[
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

const NUMBERS: &[(&str, i64)] = &[
    ("a", 1),
    ("an", 1),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("several", 3),
    ("few", 3),
];

/// A word of the text: characters `start..end`, lowercased without
/// surrounding punctuation.
struct Token {
    start: usize,
    end: usize,
    norm: crate::Norm,
}

fn tokens(chars: &[char], start: usize, end: usize) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = start;
    while i < end {
        while i < end && !chars[i].is_alphanumeric() {
            i += 1;
        }
        let s = i;
        while i < end && (chars[i].is_alphanumeric() || chars[i] == '-') {
            i += 1;
        }
        if s < i {
            out.push(Token {
                start: s,
                end: i,
                norm: crate::Norm::new(&chars[s..i]),
            });
        }
    }
    out
}

/// A word that names a day by itself ("Thursday", "yesterday").
pub(crate) fn is_time_word(word: &str) -> bool {
    weekday(word).is_some() || matches!(word, "today" | "yesterday" | "tonight")
}

/// A weekday's or a month's name.
pub(crate) fn is_calendar_word(word: &str) -> bool {
    month(word).is_some() || weekday(word).is_some()
}

fn month(word: &str) -> Option<u32> {
    MONTHS.iter().find(|(m, _)| *m == word).map(|&(_, n)| n)
}

fn weekday(word: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(d, _)| *d == word).map(|&(_, w)| w)
}

/// A day of the month: "5", "5th", "21st".
fn day_number(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

fn year_number(word: &str) -> Option<i32> {
    (word.len() == 4)
        .then(|| word.parse().ok())
        .flatten()
        .filter(|y| (1900..=2100).contains(y))
}

fn last_day_of_month(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).map(|d| d - Duration::days(1))
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// Every time expression in `chars[start..end]`, resolved against
/// `published`. `future`: the claim speaks of what is to come ("will say on
/// Monday"), so bare weekdays and dates look forward.
pub fn times(
    chars: &[char],
    start: usize,
    end: usize,
    published: NaiveDate,
    future: bool,
) -> Vec<When> {
    let ws = tokens(chars, start, end);
    let mut out = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        if !may_start_time(&ws[i].norm) {
            i += 1;
            continue;
        }
        if let Some((len, from, to)) = expression(&ws, i, published, future) {
            out.push(When {
                start: ws[i].start,
                end: ws[i + len - 1].end,
                from,
                to,
            });
            i += len;
        } else {
            i += 1;
        }
    }
    out
}

/// Whether a time expression may start with `word`: a number, a month, a
/// day of the week, or a word that opens one ("last", "earlier"). Most
/// words are none, and are passed over before the expressions are tried.
fn may_start_time(word: &crate::Norm) -> bool {
    let bytes: &[u8] = word.as_ref();
    let Some(first) = bytes.first() else {
        return false;
    };
    let is = |w: &&str| w.as_bytes() == bytes;
    first.is_ascii_digit()
        || [
            "today",
            "tonight",
            "yesterday",
            "tomorrow",
            "this",
            "last",
            "earlier",
            "the",
            "next",
            "over",
        ]
        .iter()
        .any(is)
        || MONTHS.iter().map(|(m, _)| m).any(is)
        || WEEKDAYS.iter().map(|(d, _)| d).any(is)
        || NUMBERS.iter().map(|(n, _)| n).any(is)
}

/// The expression starting at token `i`: how many tokens, and its days.
fn expression(
    ws: &[Token],
    i: usize,
    p: NaiveDate,
    future: bool,
) -> Option<(usize, NaiveDate, NaiveDate)> {
    let w = |k: usize| ws.get(i + k).map(|t| t.norm.as_str()).unwrap_or("");
    let day = |d: NaiveDate| Some((d, d));
    let span = |len: usize, (from, to): (NaiveDate, NaiveDate)| Some((len, from, to));
    match (w(0), w(1), w(2)) {
        ("today" | "tonight", _, _) => span(1, day(p)?),
        ("yesterday", _, _) => span(1, day(p - Duration::days(1))?),
        ("tomorrow", _, _) => span(1, day(p + Duration::days(1))?),
        ("this", "morning" | "afternoon" | "evening", _) => span(2, day(p)?),
        ("last", "night" | "evening", _) => span(2, day(p - Duration::days(1))?),
        ("earlier", "this", "week") => {
            let monday = monday_of(p);
            let to = (p - Duration::days(1)).max(monday);
            span(3, (monday, to))
        }
        ("this", "week", _) => span(2, (monday_of(p), p)),
        ("last", "week", _) | ("the", "previous", "week") => {
            // The Sunday–Saturday week before the one holding publication:
            // in a Sunday paper, the week that has just ended.
            let sunday = p - Duration::days(p.weekday().num_days_from_sunday() as i64);
            let len = if w(0) == "last" { 2 } else { 3 };
            span(
                len,
                (sunday - Duration::days(7), sunday - Duration::days(1)),
            )
        }
        ("next", "week", _) => {
            let monday = monday_of(p) + Duration::days(7);
            span(2, (monday, monday + Duration::days(6)))
        }
        ("last" | "this" | "over", "weekend", _) | ("over", "the", "weekend") => {
            let len = if w(1) == "the" { 3 } else { 2 };
            // The latest Saturday–Sunday that began before publication.
            let mut saturday = p - Duration::days(1);
            while saturday.weekday() != Weekday::Sat {
                saturday -= Duration::days(1);
            }
            span(len, (saturday, saturday + Duration::days(1)))
        }
        ("earlier", "this", "month") => {
            let first = p.with_day(1)?;
            span(3, (first, (p - Duration::days(1)).max(first)))
        }
        ("this", "month", _) => span(2, (p.with_day(1)?, p)),
        ("last", "month", _) => {
            let last = p.with_day(1)? - Duration::days(1);
            span(2, (last.with_day(1)?, last))
        }
        ("earlier", "this", "year") => {
            let first = NaiveDate::from_ymd_opt(p.year(), 1, 1)?;
            span(3, (first, (p - Duration::days(1)).max(first)))
        }
        ("this", "year", _) => span(2, (NaiveDate::from_ymd_opt(p.year(), 1, 1)?, p)),
        ("last", "year", _) => span(
            2,
            (
                NaiveDate::from_ymd_opt(p.year() - 1, 1, 1)?,
                NaiveDate::from_ymd_opt(p.year() - 1, 12, 31)?,
            ),
        ),
        (n, unit @ ("day" | "days" | "week" | "weeks"), "ago") => {
            let count = NUMBERS
                .iter()
                .find(|(word, _)| *word == n)
                .map(|&(_, v)| v)
                .or_else(|| n.parse().ok())?;
            let days = if unit.starts_with("week") {
                7 * count
            } else {
                count
            };
            span(3, day(p - Duration::days(days))?)
        }
        ("last" | "next", d, _) if weekday(d).is_some() => {
            let target = weekday(d)?;
            let len = 2 + part_of_day(w(2));
            if w(0) == "next" {
                span(len, day(weekday_after(p, target))?)
            } else {
                span(len, day(weekday_before(p - Duration::days(1), target))?)
            }
        }
        ("this", "past", d) if weekday(d).is_some() => {
            span(3, day(weekday_before(p - Duration::days(1), weekday(d)?))?)
        }
        (d, _, _) if weekday(d).is_some() => {
            let target = weekday(d)?;
            // "Monday, May 25": the date says which.
            if let Some((len, from, to)) = month_day(ws, i + 1, p, future) {
                return Some((len + 1, from, to));
            }
            let len = 1 + part_of_day(w(1));
            let resolved = if future {
                weekday_after(p, target)
            } else {
                weekday_before(p, target)
            };
            span(len, day(resolved)?)
        }
        _ => month_day(ws, i, p, future),
    }
}

/// "morning", "night" and the like after a day name: one more token.
fn part_of_day(word: &str) -> usize {
    usize::from(matches!(
        word,
        "morning" | "afternoon" | "evening" | "night"
    ))
}

/// The latest `target` weekday on or before `day`.
fn weekday_before(mut day: NaiveDate, target: Weekday) -> NaiveDate {
    while day.weekday() != target {
        day -= Duration::days(1);
    }
    day
}

/// The first `target` weekday on or after `day`.
fn weekday_after(mut day: NaiveDate, target: Weekday) -> NaiveDate {
    while day.weekday() != target {
        day += Duration::days(1);
    }
    day
}

/// "May 25", "May 25th, 2025", "25 May", "in March", "March 2024".
fn month_day(
    ws: &[Token],
    i: usize,
    p: NaiveDate,
    future: bool,
) -> Option<(usize, NaiveDate, NaiveDate)> {
    let w = |k: usize| ws.get(i + k).map(|t| t.norm.as_str()).unwrap_or("");
    // "25 May": a day, then the month.
    if let (Some(d), Some(m)) = (day_number(w(0)), month(w(1))) {
        let (len, year) = match year_number(w(2)) {
            Some(y) => (3, Some(y)),
            None => (2, None),
        };
        let date = pick_year(m, d, year, p, future)?;
        return Some((len, date, date));
    }
    // "may" is also a verb: as a month it needs a day or a year after it,
    // or "in" before it.
    let m = month(w(0))?;
    if let Some(d) = day_number(w(1)) {
        let (len, year) = match year_number(w(2)) {
            Some(y) => (3, Some(y)),
            None => (2, None),
        };
        let date = pick_year(m, d, year, p, future)?;
        return Some((len, date, date));
    }
    let after_in = i > 0 && ws[i - 1].norm == "in";
    let year = year_number(w(1));
    if year.is_none() && !after_in {
        return None;
    }
    let y = match year {
        Some(y) => y,
        None if future => {
            if m >= p.month() {
                p.year()
            } else {
                p.year() + 1
            }
        }
        None if m > p.month() => p.year() - 1,
        None => p.year(),
    };
    let first = NaiveDate::from_ymd_opt(y, m, 1)?;
    let len = if year.is_some() { 2 } else { 1 };
    Some((len, first, last_day_of_month(y, m)?))
}

/// A month and day in the year the text means.
fn pick_year(m: u32, d: u32, year: Option<i32>, p: NaiveDate, future: bool) -> Option<NaiveDate> {
    if let Some(y) = year {
        return NaiveDate::from_ymd_opt(y, m, d);
    }
    let this_year = NaiveDate::from_ymd_opt(p.year(), m, d)?;
    if future {
        if this_year + Duration::days(7) < p {
            return NaiveDate::from_ymd_opt(p.year() + 1, m, d);
        }
        return Some(this_year);
    }
    // A claim made cannot postdate its article (a day of slack for time
    // zones).
    if this_year > p + Duration::days(1) {
        return NaiveDate::from_ymd_opt(p.year() - 1, m, d);
    }
    Some(this_year)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(text: &str, published: &str, future: bool) -> Option<(String, String)> {
        let chars: Vec<char> = text.chars().collect();
        let p = NaiveDate::parse_from_str(published, "%Y-%m-%d").ok()?;
        let found = times(&chars, 0, chars.len(), p, future);
        let w = found.first()?;
        Some((w.from.to_string(), w.to.to_string()))
    }

    fn one(text: &str, published: &str) -> String {
        let (from, to) = resolve(text, published, false).expect(text);
        assert_eq!(from, to, "{text}");
        from
    }

    #[test]
    fn days_of_the_reference_page() {
        assert_eq!(
            one(
                "said in an interview partially released on May 25",
                "2025-05-25"
            ),
            "2025-05-25"
        );
        assert_eq!(one("claimed on April 17 that", "2025-05-25"), "2025-04-17");
        assert_eq!(one("said on Monday", "2025-05-28"), "2025-05-26");
        assert_eq!(one("said Wednesday", "2025-05-28"), "2025-05-28");
        assert_eq!(one("said last Wednesday", "2025-05-28"), "2025-05-21");
        assert_eq!(one("said yesterday", "2025-03-01"), "2025-02-28");
        assert_eq!(one("said Jan. 5", "2026-01-02"), "2025-01-05");
        assert_eq!(one("told reporters Dec. 30", "2026-01-02"), "2025-12-30");
        assert_eq!(one("said two days ago", "2025-05-25"), "2025-05-23");
    }

    #[test]
    fn ranges() {
        assert_eq!(
            resolve("said last week", "2025-05-28", false),
            Some(("2025-05-18".into(), "2025-05-24".into()))
        );
        assert_eq!(
            resolve("said earlier this month", "2025-05-28", false),
            Some(("2025-05-01".into(), "2025-05-27".into()))
        );
        assert_eq!(
            resolve("said in March", "2025-05-28", false),
            Some(("2025-03-01".into(), "2025-03-31".into()))
        );
        assert_eq!(
            resolve("said last month", "2025-01-10", false),
            Some(("2024-12-01".into(), "2024-12-31".into()))
        );
    }

    #[test]
    fn future_claims_look_forward() {
        assert_eq!(
            resolve("will speak on Friday", "2025-05-28", true),
            Some(("2025-05-30".into(), "2025-05-30".into()))
        );
    }

    #[test]
    fn may_the_verb_is_no_month() {
        assert_eq!(resolve("he may say more", "2025-05-28", false), None);
    }
}
