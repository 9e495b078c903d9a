//! Dates as feeds and pages write them.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Parses a date the way feeds and web pages write them: RFC 3339 / ISO 8601
/// (with or without a zone, `T` or space), RFC 822 / 2822 (with named zones,
/// missing weekday, two-digit years), and bare dates. A value without a zone
/// is taken as UTC. Returns `None` for anything it cannot read with certainty.
pub fn parse_datetime(input: &str) -> Option<DateTime<Utc>> {
    parse_datetime_with_offset(input).map(|d| d.with_timezone(&Utc))
}

/// Like [`parse_datetime`], keeping the offset the text was written with (a
/// value without one gets `+00:00`), so the local calendar day survives.
pub fn parse_datetime_with_offset(input: &str) -> Option<DateTime<FixedOffset>> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if s.as_bytes()[0].is_ascii_digit() && s.len() >= 10 && s.as_bytes()[4] == b'-' {
        return parse_iso_like(s);
    }
    parse_rfc822_like(s)
}

fn utc_offset() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset is valid")
}

fn parse_iso_like(s: &str) -> Option<DateTime<FixedOffset>> {
    let s = s.replacen(' ', "T", 1);
    let s = s.trim_end_matches('Z');
    // Zones like +0100 or +01 instead of +01:00.
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H:%M:%S%.f%#z",
    ] {
        if let Ok(d) = DateTime::<FixedOffset>::parse_from_str(s, fmt) {
            return Some(d);
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(utc_offset().from_utc_datetime(&d));
        }
    }
    let date_part = s.get(..10)?;
    NaiveDate::parse_from_str(date_part, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| utc_offset().from_utc_datetime(&d))
}

fn parse_rfc822_like(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    // Drop the weekday, which is often wrong or localized, and retry with
    // common zone spellings that chrono does not know.
    let without_weekday = match s.find(',') {
        Some(i) if i <= 10 => s[i + 1..].trim(),
        _ => s,
    };
    let mut parts: Vec<&str> = without_weekday.split_whitespace().collect();
    if parts.len() < 3 {
        return None;
    }
    let offset = match parts.last().copied().and_then(zone_offset_seconds) {
        Some(off) => {
            parts.pop();
            off
        }
        None => 0,
    };
    let joined = parts.join(" ");
    let naive = [
        "%d %b %Y %H:%M:%S",
        "%d %b %Y %H:%M",
        "%d %B %Y %H:%M:%S",
        "%d %b %y %H:%M:%S",
    ]
    .iter()
    .find_map(|fmt| NaiveDateTime::parse_from_str(&joined, fmt).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(&joined, "%d %b %Y")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })?;
    let zone = FixedOffset::east_opt(offset)?;
    zone.from_local_datetime(&naive).single()
}

fn zone_offset_seconds(zone: &str) -> Option<i32> {
    let hours = match zone.to_ascii_uppercase().as_str() {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "CET" => 1,
        "CEST" => 2,
        "BST" => 1,
        "IST" => 5,
        "JST" => 9,
        "AEST" => 10,
        _ => {
            let (sign, digits) = match zone.as_bytes().first()? {
                b'+' => (1, &zone[1..]),
                b'-' => (-1, &zone[1..]),
                _ => return None,
            };
            let digits: String = digits.chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() != 4 {
                return None;
            }
            let h: i32 = digits[..2].parse().ok()?;
            let m: i32 = digits[2..].parse().ok()?;
            return Some(sign * (h * 3600 + m * 60));
        }
    };
    Some(hours * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> String {
        parse_datetime(s)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn reads_common_forms() {
        assert_eq!(iso("2025-05-25T10:00:00Z"), "2025-05-25T10:00:00+00:00");
        assert_eq!(
            iso("2025-05-25T12:00:00+02:00"),
            "2025-05-25T10:00:00+00:00"
        );
        assert_eq!(iso("2025-05-25 12:00:00+0200"), "2025-05-25T10:00:00+00:00");
        assert_eq!(iso("2025-05-25"), "2025-05-25T00:00:00+00:00");
        assert_eq!(
            iso("Sun, 25 May 2025 10:00:00 GMT"),
            "2025-05-25T10:00:00+00:00"
        );
        assert_eq!(
            iso("Wed, 15 Jan 2025 08:52:00 +0000"),
            "2025-01-15T08:52:00+00:00"
        );
        assert_eq!(
            iso("Mon, 25 May 2025 06:00:00 EDT"),
            "2025-05-25T10:00:00+00:00"
        );
        assert_eq!(iso("25 May 2025 10:00 CEST"), "2025-05-25T08:00:00+00:00");
    }

    #[test]
    fn refuses_nonsense() {
        assert_eq!(parse_datetime(""), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2025-13-45"), None);
    }
}
