//! The local day of a timestamp a page gives in UTC. Many sites write their
//! publication time as UTC ("2021-11-04T23:00Z" for midnight in Berlin),
//! which puts the article on the wrong calendar day for its readers. The
//! instant stays; its offset becomes the site's: one the page itself writes
//! on another of its times, else the one its country's domain implies, else
//! its declared locale's. A date in the page's address has the last word on
//! the day.

use bulletin_core::parse_datetime_with_offset;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};

/// What tells a page's time zone, besides the times it writes.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Site<'a> {
    /// The host of its address ("www.kas.de").
    pub host: Option<&'a str>,
    /// The locale it declares ("de-AT", "en-US").
    pub lang: Option<&'a str>,
    /// The days it shows: in its address ("/2023/11/08/"), beside the
    /// article ("Oct 10, 2023").
    pub shown_days: &'a [NaiveDate],
}

/// How far (in hours) from the site's offset a day the page shows may move
/// a time: the other zones of a country (New York to Denver is two).
const SHOWN_DAY_REACH: i32 = 3;

/// `date`, read from `raw`, in the site's own offset when `raw` says UTC
/// and the site's offset is known: the first non-zero offset among
/// `page_offsets`, else the one of the host's country domain, else the one
/// of the country or language the page declares (`lang="de-AT"`, `"de"`).
/// The days the page shows have the last word: the UTC day stands when the
/// page shows it and not the local one (a site that keeps UTC), and a day
/// the page shows an hour or three west or east of the site's offset
/// moves it there (a newsroom in another zone of the country). Midnight UTC
/// is a day without a time, and stays.
pub(crate) fn localize(
    date: DateTime<FixedOffset>,
    raw: &str,
    page_times: &[&str],
    site: Site<'_>,
) -> DateTime<FixedOffset> {
    if !says_utc(raw) {
        return date;
    }
    let utc = date.with_timezone(&Utc);
    if utc.time() == chrono::NaiveTime::MIN {
        return date;
    }
    let offset = written_offset(page_times)
        .or_else(|| same_time_written_locally(page_times, utc))
        .or_else(|| site.host.and_then(|h| country_offset(h, utc)))
        .or_else(|| site.lang.and_then(|l| locale_offset(l, utc)));
    let Some(offset) = offset else {
        return date;
    };
    let local = utc.with_timezone(&offset);
    let shown = |day: NaiveDate| site.shown_days.contains(&day);
    if site.shown_days.is_empty() || shown(local.date_naive()) {
        return local;
    }
    if shown(utc.date_naive()) {
        return date;
    }
    // The nearest offset that puts the time on a day the page shows.
    let hours = offset.local_minus_utc() / 3600;
    (1..=SHOWN_DAY_REACH)
        .flat_map(|step| [hours - step, hours + step])
        .filter_map(|h| FixedOffset::east_opt(h * 3600))
        .map(|o| utc.with_timezone(&o))
        .find(|d| shown(d.date_naive()))
        .unwrap_or(local)
}

/// The first offset other than UTC's that the page writes on a time.
fn written_offset(page_times: &[&str]) -> Option<FixedOffset> {
    page_times
        .iter()
        .filter(|raw| !says_utc(raw))
        .filter_map(|raw| parse_datetime_with_offset(raw))
        .map(|d| *d.offset())
        .find(|o| o.local_minus_utc() != 0)
}

/// The offset of a time the page writes without one ("2023-11-08
/// 23:30:59") that is `instant` on the site's clock: the same minutes and
/// seconds, a whole number of quarter hours away, at most fourteen hours.
fn same_time_written_locally(page_times: &[&str], instant: DateTime<Utc>) -> Option<FixedOffset> {
    page_times
        .iter()
        .filter(|raw| raw.trim().len() > 10 && !says_utc(raw))
        .filter_map(|raw| parse_datetime_with_offset(raw))
        .filter(|d| d.offset().local_minus_utc() == 0)
        .map(|d| (d.naive_utc() - instant.naive_utc()).num_seconds())
        .find(|s| *s != 0 && s % 900 == 0 && s.abs() <= 14 * 3600)
        .and_then(|s| FixedOffset::east_opt(i32::try_from(s).ok()?))
}

/// Whether a written time is explicitly UTC: `Z`, `+00:00`, `GMT`, `UTC`.
pub(crate) fn says_utc(raw: &str) -> bool {
    let raw = raw.trim();
    let upper = raw.to_ascii_uppercase();
    (raw.len() > 10 && upper.ends_with('Z'))
        || upper.ends_with("+00:00")
        || upper.ends_with("+0000")
        || upper.ends_with("GMT")
        || upper.ends_with("UTC")
}

/// The offset at `instant` of the country a host's top-level domain names
/// ("kas.de", "lanacion.com.ar"), for the countries with one time zone.
fn country_offset(host: &str, instant: DateTime<Utc>) -> Option<FixedOffset> {
    let tld = host
        .trim_end_matches('.')
        .rsplit('.')
        .next()?
        .to_ascii_lowercase();
    let summer = european_summer_time(instant);
    let hours = |h: i32| FixedOffset::east_opt(h * 3600);
    match tld.as_str() {
        // Central European Time.
        "de" | "at" | "ch" | "li" | "lu" | "fr" | "be" | "nl" | "it" | "es" | "pl" | "cz"
        | "sk" | "hu" | "si" | "hr" | "dk" | "se" | "no" | "mc" | "sm" | "va" | "ad" | "mt"
        | "rs" | "ba" | "me" | "mk" | "al" => hours(if summer { 2 } else { 1 }),
        // Western European Time.
        "pt" | "uk" | "ie" => hours(if summer { 1 } else { 0 }),
        // Eastern European Time.
        "fi" | "ee" | "lv" | "lt" | "gr" | "ro" | "bg" | "cy" => hours(if summer { 3 } else { 2 }),
        // The United States and Canada: Eastern time, the zone where
        // most of their readers live and the one least behind UTC (a UTC
        // day is never nearer a site's own day than the Eastern one).
        "us" | "ca" => hours(if north_american_summer_time(instant) {
            -4
        } else {
            -5
        }),
        "tr" | "by" | "ke" => hours(3),
        "za" | "eg" => hours(2),
        "ng" => hours(1),
        "ar" | "br" | "uy" => hours(-3),
        "bo" | "ve" | "do" | "tt" | "pr" => hours(-4),
        "pe" | "co" | "ec" | "pa" | "jm" => hours(-5),
        "mx" | "cr" | "hn" | "ni" | "sv" | "gt" => hours(-6),
        "in" => FixedOffset::east_opt(5 * 3600 + 1800),
        "cn" | "hk" | "tw" | "sg" | "my" | "ph" => hours(8),
        "jp" | "kr" => hours(9),
        _ => None,
    }
}

/// The offset of a page's declared locale: its region ("de-AT", "pt-BR";
/// "en-GB" is the United Kingdom), else a language spoken in one time zone
/// only ("de", "it", "pl").
fn locale_offset(lang: &str, instant: DateTime<Utc>) -> Option<FixedOffset> {
    let lang = lang.trim().to_ascii_lowercase().replace('_', "-");
    let mut parts = lang.split('-');
    let language = parts.next()?;
    match parts.next().filter(|r| r.len() == 2) {
        Some("gb") => country_offset("uk", instant),
        Some(region) => country_offset(region, instant),
        None if matches!(
            language,
            "de" | "it"
                | "nl"
                | "pl"
                | "cs"
                | "sk"
                | "hu"
                | "da"
                | "sv"
                | "nb"
                | "no"
                | "hr"
                | "sl"
        ) =>
        {
            country_offset("de", instant)
        }
        None => None,
    }
}

/// Whether Europe keeps summer time at `instant`: from the last Sunday of
/// March to the last Sunday of October, at 01:00 UTC.
fn european_summer_time(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    let start = last_sunday(year, 3);
    let end = last_sunday(year, 10);
    match (start, end) {
        (Some(start), Some(end)) => instant >= start && instant < end,
        _ => false,
    }
}

/// Whether the United States and Canada keep summer time at `instant`: from
/// the second Sunday of March to the first Sunday of November, at 02:00
/// Eastern time (07:00 and 06:00 UTC).
fn north_american_summer_time(instant: DateTime<Utc>) -> bool {
    let year = instant.year();
    let sunday = |month: u32, nth: u32, utc_hour: u32| {
        let first = NaiveDate::from_ymd_opt(year, month, 1)?;
        let ahead = (7 - first.weekday().num_days_from_sunday()) % 7;
        let day = first + chrono::Duration::days(i64::from(ahead + 7 * (nth - 1)));
        Utc.from_local_datetime(&day.and_hms_opt(utc_hour, 0, 0)?)
            .single()
    };
    match (sunday(3, 2, 7), sunday(11, 1, 6)) {
        (Some(start), Some(end)) => instant >= start && instant < end,
        _ => false,
    }
}

fn last_sunday(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let last_day = NaiveDate::from_ymd_opt(year, month + 1, 1)?.pred_opt()?;
    let back = last_day.weekday().num_days_from_sunday();
    let sunday = last_day - chrono::Duration::days(i64::from(back));
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Utc.from_local_datetime(&sunday.and_hms_opt(1, 0, 0)?)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn site<'a>(host: Option<&'a str>, lang: Option<&'a str>) -> Site<'a> {
        Site {
            host,
            lang,
            shown_days: &[],
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_utc_time_takes_the_sites_day() {
        // Midnight in Berlin, written in UTC.
        let d = localize(
            at("2021-11-04T23:00:00Z"),
            "2021-11-04T23:00Z",
            &[],
            site(Some("www.kas.de"), None),
        );
        assert_eq!(d.date_naive().to_string(), "2021-11-05");
        // Summer time: +02:00.
        let d = localize(
            at("2022-07-01T22:30:00Z"),
            "2022-07-01T22:30:00Z",
            &[],
            site(Some("beige.de"), None),
        );
        assert_eq!(d.to_rfc3339(), "2022-07-02T00:30:00+02:00");
        // Buenos Aires, three hours behind.
        let d = localize(
            at("2022-05-04T00:53:29Z"),
            "2022-05-04T00:53:29.274Z",
            &[],
            site(Some("www.lanacion.com.ar"), None),
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        // An offset the page writes elsewhere wins over the domain's.
        let d = localize(
            at("2022-05-04T03:37:37Z"),
            "2022-05-04T03:37:37+00:00",
            &["2022-05-04T00:10:00-04:00"],
            site(Some("24ora.com"), None),
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        // A time without "UTC" (a local time, or a date) is left alone, and
        // so is a domain that says nothing of a zone.
        let d = localize(
            at("2022-05-03T23:00:00Z"),
            "2022-05-03 23:00",
            &[],
            site(Some("kas.de"), None),
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        let d = localize(
            at("2023-11-09T05:30:59Z"),
            "2023-11-09T05:30:59Z",
            &[],
            site(Some("example.com"), None),
        );
        assert_eq!(d.date_naive().to_string(), "2023-11-09");
        // A .com page that declares its locale: German, or Austrian German.
        for lang in ["de", "de-AT"] {
            let d = localize(
                at("2018-12-31T23:11:59Z"),
                "2018-12-31T23:11:59+00:00",
                &[],
                site(Some("blog.wordpress.com"), Some(lang)),
            );
            assert_eq!(d.date_naive().to_string(), "2019-01-01", "{lang}");
        }
    }

    #[test]
    fn american_pages_take_eastern_time_unless_their_address_says_otherwise() {
        // 05:30 UTC is half past midnight in New York, in November.
        let d = localize(
            at("2023-11-09T05:30:59Z"),
            "2023-11-09T05:30:59Z",
            &[],
            site(Some("twincities.com"), Some("en-US")),
        );
        assert_eq!(d.to_rfc3339(), "2023-11-09T00:30:59-05:00");
        // Summer time: 03:28 UTC on 9 July is 23:28 on the 8th.
        let d = localize(
            at("2023-07-09T03:28:35Z"),
            "2023-07-09T03:28:35+00:00",
            &[],
            site(Some("nypost.com"), Some("en-US")),
        );
        assert_eq!(d.to_rfc3339(), "2023-07-08T23:28:35-04:00");
        // Summer time starts on the second Sunday of March.
        let us = site(None, Some("en-us"));
        let before = localize(at("2024-03-10T06:59:00Z"), "2024-03-10T06:59:00Z", &[], us);
        let after = localize(at("2024-03-10T07:00:00Z"), "2024-03-10T07:00:00Z", &[], us);
        assert_eq!(before.offset().local_minus_utc(), -5 * 3600);
        assert_eq!(after.offset().local_minus_utc(), -4 * 3600);
        // A WordPress default "en-US" on a site whose address names the UTC
        // day keeps that day.
        let d = localize(
            at("2023-11-09T02:00:00Z"),
            "2023-11-09T02:00:00Z",
            &[],
            Site {
                host: Some("blog.example.com"),
                lang: Some("en-US"),
                shown_days: &[day(2023, 11, 9)],
            },
        );
        assert_eq!(d.date_naive().to_string(), "2023-11-09");
        // St. Paul is an hour west of New York: its address names the 8th.
        let d = localize(
            at("2023-11-09T05:30:59Z"),
            "2023-11-09T05:30:59Z",
            &[],
            Site {
                host: Some("twincities.com"),
                lang: Some("en-US"),
                shown_days: &[day(2023, 11, 8)],
            },
        );
        assert_eq!(d.to_rfc3339(), "2023-11-08T23:30:59-06:00");
        // A day further than three hours away is not the time's.
        let d = localize(
            at("2023-11-09T12:00:00Z"),
            "2023-11-09T12:00:00Z",
            &[],
            Site {
                host: None,
                lang: Some("en-US"),
                shown_days: &[day(2023, 11, 8)],
            },
        );
        assert_eq!(d.to_rfc3339(), "2023-11-09T07:00:00-05:00");
    }

    #[test]
    fn a_site_that_shows_the_utc_day_keeps_it_and_midnight_is_a_day() {
        // A British site that keeps its clock in UTC and shows "Oct 10".
        let raw = "2023-10-10T23:25:44+00:00";
        let at_site = |shown_days: &[NaiveDate]| {
            localize(
                at(raw),
                raw,
                &[],
                Site {
                    host: Some("newsnet.scot"),
                    lang: Some("en-GB"),
                    shown_days,
                },
            )
            .date_naive()
            .to_string()
        };
        assert_eq!(at_site(&[]), "2023-10-11");
        assert_eq!(at_site(&[day(2023, 10, 10)]), "2023-10-10");
        // A date written as midnight UTC is that day in any zone.
        let d = localize(
            at("2020-01-10T00:00:00Z"),
            "2020-01-10T00:00:00+00:00",
            &[],
            site(Some("pluralsight.com"), Some("en-US")),
        );
        assert_eq!(d.date_naive().to_string(), "2020-01-10");
    }

    #[test]
    fn the_same_time_written_without_an_offset_gives_the_sites() {
        // St. Paul: the <time> says 23:30:59 local, the metadata 05:30:59Z.
        let d = localize(
            at("2023-11-09T05:30:59Z"),
            "2023-11-09T05:30:59+00:00",
            &["2023-11-09 00:21:49", "2023-11-08 23:30:59"],
            site(Some("twincities.com"), Some("en-US")),
        );
        assert_eq!(d.to_rfc3339(), "2023-11-08T23:30:59-06:00");
        // Another time of day, or the same one, tells nothing.
        for other in ["2023-11-09 00:21:49", "2023-11-09 05:30:59", "2023-11-09"] {
            let d = localize(
                at("2023-11-09T05:30:59Z"),
                "2023-11-09T05:30:59+00:00",
                &[other],
                site(Some("example.org"), None),
            );
            assert_eq!(d.to_rfc3339(), "2023-11-09T05:30:59+00:00", "{other}");
        }
    }
}
