//! The local day of a timestamp a page gives in UTC. Many sites write their
//! publication time as UTC ("2021-11-04T23:00Z" for midnight in Berlin),
//! which puts the article on the wrong calendar day for its readers. The
//! instant stays; its offset becomes the site's: one the page itself writes
//! on another of its times, else the one its country's domain implies.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeZone, Utc, Weekday};

/// `date`, read from `raw`, in the site's own offset when `raw` says UTC
/// and the site's offset is known: the first non-zero offset among
/// `page_offsets`, else the one of `host`'s country domain, else the one of
/// the country or language the page declares (`lang="de-AT"`, `"de"`).
pub(crate) fn localize(
    date: DateTime<FixedOffset>,
    raw: &str,
    page_offsets: impl IntoIterator<Item = FixedOffset>,
    host: Option<&str>,
    lang: Option<&str>,
) -> DateTime<FixedOffset> {
    if !says_utc(raw) {
        return date;
    }
    let utc = date.with_timezone(&Utc);
    let offset = page_offsets
        .into_iter()
        .find(|o| o.local_minus_utc() != 0)
        .or_else(|| host.and_then(|h| country_offset(h, utc)))
        .or_else(|| lang.and_then(|l| locale_offset(l, utc)));
    match offset {
        Some(offset) => utc.with_timezone(&offset),
        None => date,
    }
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

    #[test]
    fn a_utc_time_takes_the_sites_day() {
        // Midnight in Berlin, written in UTC.
        let d = localize(
            at("2021-11-04T23:00:00Z"),
            "2021-11-04T23:00Z",
            [],
            Some("www.kas.de"),
            None,
        );
        assert_eq!(d.date_naive().to_string(), "2021-11-05");
        // Summer time: +02:00.
        let d = localize(
            at("2022-07-01T22:30:00Z"),
            "2022-07-01T22:30:00Z",
            [],
            Some("beige.de"),
            None,
        );
        assert_eq!(d.to_rfc3339(), "2022-07-02T00:30:00+02:00");
        // Buenos Aires, three hours behind.
        let d = localize(
            at("2022-05-04T00:53:29Z"),
            "2022-05-04T00:53:29.274Z",
            [],
            Some("www.lanacion.com.ar"),
            None,
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        // An offset the page writes elsewhere wins over the domain's.
        let minus_four = FixedOffset::west_opt(4 * 3600).unwrap();
        let d = localize(
            at("2022-05-04T03:37:37Z"),
            "2022-05-04T03:37:37+00:00",
            [minus_four],
            Some("24ora.com"),
            None,
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        // A time without "UTC" (a local time, or a date) is left alone, and
        // so is a domain that says nothing of a zone.
        let d = localize(
            at("2022-05-03T23:00:00Z"),
            "2022-05-03 23:00",
            [],
            Some("kas.de"),
            None,
        );
        assert_eq!(d.date_naive().to_string(), "2022-05-03");
        let d = localize(
            at("2023-11-09T05:30:59Z"),
            "2023-11-09T05:30:59Z",
            [],
            Some("twincities.com"),
            Some("en-US"),
        );
        assert_eq!(d.date_naive().to_string(), "2023-11-09");
        // A .com page that declares its locale: German, or Austrian German.
        for lang in ["de", "de-AT"] {
            let d = localize(
                at("2018-12-31T23:11:59Z"),
                "2018-12-31T23:11:59+00:00",
                [],
                Some("blog.wordpress.com"),
                Some(lang),
            );
            assert_eq!(d.date_naive().to_string(), "2019-01-01", "{lang}");
        }
    }
}
