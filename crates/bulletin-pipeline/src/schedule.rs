//! When a source is fetched next: its publishing pace, what the feed and
//! the server ask for, backoff after failures with jitter, pausing a
//! source that fails for a week, and when a permanent redirect is followed.

use bulletin_core::Feed;
use bulletin_store::Source;
use chrono::{DateTime, Duration, Utc};

/// Default wait between two fetches of a healthy source.
const DEFAULT_INTERVAL_MINUTES: i64 = 30;
const MIN_INTERVAL_MINUTES: i64 = 5;
/// The longest wait between two fetches, whatever a feed or server asks.
pub const MAX_INTERVAL_MINUTES: i64 = 24 * 60;

/// Fetches in a row that must report the same permanent redirect before a
/// source's URL is changed to it (the store applies it).
pub const MOVE_AFTER_PERMANENT_REDIRECTS: u32 = 3;

/// The wait before the next fetch of a healthy source: half the feed's
/// observed gap between entries (or the previous wait, or 30 minutes), never
/// sooner than the feed's `ttl` or the response's `max-age`, and between
/// 5 minutes and 24 hours.
pub fn interval(
    ttl_minutes: Option<u32>,
    max_age: Option<Duration>,
    pace: Option<Duration>,
) -> Duration {
    let mut wait = pace.unwrap_or_else(|| Duration::minutes(DEFAULT_INTERVAL_MINUTES));
    if let Some(ttl) = ttl_minutes {
        wait = wait.max(Duration::minutes(i64::from(ttl)));
    }
    if let Some(max_age) = max_age {
        wait = wait.max(max_age);
    }
    wait.clamp(
        Duration::minutes(MIN_INTERVAL_MINUTES),
        Duration::minutes(MAX_INTERVAL_MINUTES),
    )
}

/// How often a feed publishes, from its newest entries: half the mean gap
/// between the last twenty dated entries (at least three are needed).
pub fn publishing_pace(feed: &Feed) -> Option<Duration> {
    let mut dates: Vec<DateTime<Utc>> = feed
        .entries
        .iter()
        .filter_map(|e| e.published.or(e.updated))
        .collect();
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates.dedup();
    dates.truncate(20);
    if dates.len() < 3 {
        return None;
    }
    let span = *dates.first()? - *dates.last()?;
    Some(span / (dates.len() as i32 - 1) / 2)
}

/// The wait chosen last time, kept across a 304 (which carries no entries).
pub fn previous_wait(source: &Source) -> Option<Duration> {
    let last = source.last_fetch_at?;
    let wait = source.next_fetch_at - last;
    (source.error_count == 0
        && wait >= Duration::minutes(MIN_INTERVAL_MINUTES)
        && wait <= Duration::minutes(MAX_INTERVAL_MINUTES))
    .then_some(wait)
}

/// The wait after `errors` consecutive failures: 5 min doubling to 24 h.
/// A source failing this long without a success is paused, not deleted.
const PAUSE_AFTER_DAYS: i64 = 7;

/// Whether a source that just failed again has gone a week without a
/// success (counted from when it was added if it never worked).
pub fn failing_too_long(source: &Source, now: DateTime<Utc>) -> bool {
    let failing_since = source.last_success_at.unwrap_or(source.created_at);
    now - failing_since >= Duration::days(PAUSE_AFTER_DAYS)
}

/// Spreads retries of many failing sources over ±10% of the delay, so a
/// host that was down is not hit by all of them at the same second.
pub fn jittered(delay: Duration, seed: i64) -> Duration {
    let nanos = Utc::now().timestamp_subsec_nanos() as i64;
    let spread = (seed.wrapping_mul(2_654_435_761) ^ nanos).rem_euclid(201) - 100; // -100..=100
    delay + delay * spread as i32 / 1000
}

pub fn backoff(errors: u32) -> Duration {
    let minutes =
        (MIN_INTERVAL_MINUTES << errors.saturating_sub(1).min(12)).min(MAX_INTERVAL_MINUTES);
    Duration::minutes(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulletin_core::{FeedEntry, SourceId};

    #[test]
    fn interval_respects_ttl_and_max_age() {
        assert_eq!(interval(None, None, None), Duration::minutes(30));
        assert_eq!(interval(Some(60), None, None), Duration::minutes(60));
        assert_eq!(interval(Some(1), None, None), Duration::minutes(30));
        assert_eq!(
            interval(None, Some(Duration::hours(2)), None),
            Duration::hours(2)
        );
        assert_eq!(
            interval(None, Some(Duration::days(9)), None),
            Duration::hours(24)
        );
        // A busy feed is polled often, but never sooner than it asks.
        let busy = Some(Duration::minutes(3));
        assert_eq!(interval(None, None, busy), Duration::minutes(5));
        assert_eq!(interval(Some(15), None, busy), Duration::minutes(15));
        // A feed that publishes weekly is polled daily at most.
        assert_eq!(
            interval(None, None, Some(Duration::days(3))),
            Duration::hours(24)
        );
    }

    #[test]
    fn pace_comes_from_the_newest_entries() {
        let now = Utc::now();
        let at = |hours: i64| FeedEntry {
            published: Some(now - Duration::hours(hours)),
            ..FeedEntry::default()
        };
        let hourly = Feed {
            entries: (0..30).map(at).collect(),
            ..Feed::default()
        };
        assert_eq!(publishing_pace(&hourly), Some(Duration::minutes(30)));
        let sparse = Feed {
            entries: vec![at(1), at(48)],
            ..Feed::default()
        };
        assert_eq!(publishing_pace(&sparse), None);
    }

    #[test]
    fn pauses_after_a_week_without_success() {
        let now = Utc::now();
        let source = |created_days: i64, success_days: Option<i64>| Source {
            id: SourceId(1),
            url: "https://down.example/feed".into(),
            site_url: None,
            title: None,
            kind: None,
            etag: None,
            last_modified: None,
            ttl_minutes: None,
            created_at: now - Duration::days(created_days),
            last_fetch_at: None,
            last_success_at: success_days.map(|d| now - Duration::days(d)),
            last_error: None,
            error_count: 3,
            next_fetch_at: now,
            item_count: 0,
            category: None,
            paused_at: None,
            lease_owner: None,
            lease_until: None,
        };
        assert!(!failing_too_long(&source(2, None), now));
        assert!(failing_too_long(&source(8, None), now));
        assert!(!failing_too_long(&source(30, Some(1)), now));
        assert!(failing_too_long(&source(30, Some(7)), now));
    }

    #[test]
    fn jitter_stays_within_a_tenth() {
        let base = Duration::minutes(60);
        for seed in 0..200 {
            let d = jittered(base, seed);
            assert!(
                d >= Duration::minutes(54) && d <= Duration::minutes(66),
                "{d}"
            );
        }
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::minutes(5));
        assert_eq!(backoff(2), Duration::minutes(10));
        assert_eq!(backoff(30), Duration::minutes(24 * 60));
    }
}
