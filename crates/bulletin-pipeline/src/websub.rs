//! WebSub (W3C Recommendation, 2018): feeds that name a hub get their updates
//! pushed instead of waiting for the next poll.
//!
//! The subscriber's side, in one place:
//! - [`WebSub::after_fetch`] subscribes a source to its feed's hub (and renews
//!   the lease before it runs out) when `serve` knows its public address;
//! - the hub verifies intent with a GET to `/websub/{token}`, answered by
//!   [`verify_intent`]: the token is unguessable and the topic must match;
//! - pushed content is a POST to the same address, taken only when its
//!   `X-Hub-Signature` is the HMAC of the body under the secret we gave the
//!   hub ([`signature_matches`]); anything else is ignored.
//!
//! Polling goes on: a source with an active subscription is polled at most
//! every [`PUSHED_POLL_HOURS`] as a safety net, and a subscription that the
//! hub refused, never verified or let lapse leaves the source on its usual
//! schedule.

use crate::secret;
use bulletin_core::Feed;
use bulletin_fetch::Fetcher;
use bulletin_store::{Source, Store, StoreError, WebSubState, WebSubscription};
use chrono::{DateTime, Duration, Utc};
use ring::hmac;
use std::sync::Arc;
use url::Url;

/// The lease asked for: ten days, as hubs commonly grant.
pub const LEASE_SECONDS: i64 = 10 * 24 * 3600;
/// A source whose updates are pushed is still polled this often.
pub const PUSHED_POLL_HOURS: i64 = 6;
/// A lease is renewed when less than this is left of it.
const RENEW_BEFORE_HOURS: i64 = 36;
/// A request the hub has not verified after this long is sent again.
const PENDING_RETRY_HOURS: i64 = 1;
/// After a hub refused or failed, it is asked again after this long.
const FAILED_RETRY_HOURS: i64 = 24;

/// Subscribes sources to their hubs; present only when `serve` has a public
/// address for the callbacks.
pub struct WebSub {
    public_url: Url,
    store: Arc<dyn Store>,
    fetcher: Fetcher,
}

impl WebSub {
    pub fn new(public_url: Url, store: Arc<dyn Store>, fetcher: Fetcher) -> WebSub {
        WebSub {
            public_url,
            store,
            fetcher,
        }
    }

    /// The address the hub calls back for a subscription.
    pub fn callback_url(&self, token: &str) -> String {
        let base = self.public_url.as_str().trim_end_matches('/');
        format!("{base}/websub/{token}")
    }

    /// After a successful fetch: subscribes when the feed names a hub and
    /// there is no working subscription, renews a lease that is running out.
    /// `feed` is `None` after a 304 (only a renewal can happen then). Returns
    /// the subscription as it now stands, for the polling schedule.
    pub async fn after_fetch(
        &self,
        source: &Source,
        feed: Option<&Feed>,
        now: DateTime<Utc>,
    ) -> Result<Option<WebSubscription>, StoreError> {
        let current = self.store.websub(source.id).await?;
        let wanted = feed.and_then(|f| {
            let topic = f.self_url.clone().unwrap_or_else(|| source.url.clone());
            // Keep the hub already used while the feed still names it.
            let hub = match &current {
                Some(c) if f.hubs.contains(&c.hub) => c.hub.clone(),
                _ => f.hubs.first()?.clone(),
            };
            Some((hub, topic))
        });
        let request = match (&current, wanted) {
            (None, None) => return Ok(None),
            (None, Some((hub, topic))) => match new_subscription(source, hub, topic, now) {
                Some(sub) => sub,
                None => return Ok(None),
            },
            (Some(c), Some((hub, topic))) if c.hub != hub || c.topic != topic => {
                match new_subscription(source, hub, topic, now) {
                    Some(sub) => sub,
                    None => return Ok(current),
                }
            }
            // The feed no longer names a hub: let the lease run out.
            (Some(c), None) if feed.is_some() => {
                if c.state == WebSubState::Failed {
                    return Ok(current);
                }
                let mut c = c.clone();
                c.state = WebSubState::Failed;
                c.last_error = Some("the feed no longer names a WebSub hub".into());
                self.store.save_websub(c.clone()).await?;
                return Ok(Some(c));
            }
            (Some(c), _) if !needs_request(c, now) => return Ok(current),
            (Some(c), _) => {
                let mut again = c.clone();
                again.requested_at = now;
                if again.state == WebSubState::Failed {
                    again.state = WebSubState::Pending;
                }
                again
            }
        };
        self.send(request).await.map(Some)
    }

    /// Saves the subscription, then asks the hub for it. The row is saved
    /// first because a hub may verify before it answers.
    async fn send(&self, mut sub: WebSubscription) -> Result<WebSubscription, StoreError> {
        self.store.save_websub(sub.clone()).await?;
        let fail =
            |reason: String| format!("the hub {} refused the subscription: {reason}", sub.hub);
        let error = match Url::parse(&sub.hub) {
            Err(e) => Some(fail(format!("invalid hub URL ({e})"))),
            Ok(hub) => {
                let callback = self.callback_url(&sub.callback_token);
                let lease = LEASE_SECONDS.to_string();
                let fields = [
                    ("hub.mode", "subscribe"),
                    ("hub.topic", sub.topic.as_str()),
                    ("hub.callback", callback.as_str()),
                    ("hub.secret", sub.secret.as_str()),
                    ("hub.lease_seconds", lease.as_str()),
                ];
                match self.fetcher.post_form(&hub, &fields).await {
                    Ok(_) => None,
                    Err(e) => Some(fail(e.to_string())),
                }
            }
        };
        if let Some(reason) = error {
            tracing::info!("WebSub: {reason}; the source stays on polling");
            sub.state = WebSubState::Failed;
            sub.last_error = Some(reason);
            self.store.save_websub(sub.clone()).await?;
            return Ok(sub);
        }
        // The hub may already have verified it while we waited.
        Ok(self.store.websub(sub.source).await?.unwrap_or(sub))
    }
}

/// A new subscription with its own secret and callback token; `None` (the
/// source stays on polling) when no random secret can be made.
fn new_subscription(
    source: &Source,
    hub: String,
    topic: String,
    now: DateTime<Utc>,
) -> Option<WebSubscription> {
    let secrets = secret::random_hex(24).and_then(|s| Ok((s, secret::random_hex(16)?)));
    let (secret, callback_token) = match secrets {
        Ok(made) => made,
        Err(e) => {
            tracing::warn!("WebSub: no subscription to {hub}: {e}");
            return None;
        }
    };
    Some(WebSubscription {
        source: source.id,
        hub,
        topic,
        secret,
        callback_token,
        state: WebSubState::Pending,
        requested_at: now,
        lease_expires_at: None,
        last_error: None,
        last_push_at: None,
    })
}

/// Whether an existing subscription should be asked for again.
fn needs_request(sub: &WebSubscription, now: DateTime<Utc>) -> bool {
    let since = now - sub.requested_at;
    match sub.state {
        WebSubState::Active => sub
            .lease_expires_at
            .is_none_or(|end| end - now < Duration::hours(RENEW_BEFORE_HOURS)),
        WebSubState::Pending => since >= Duration::hours(PENDING_RETRY_HOURS),
        WebSubState::Failed => since >= Duration::hours(FAILED_RETRY_HOURS),
    }
}

/// When a source whose updates are pushed is polled next: no sooner than
/// [`PUSHED_POLL_HOURS`], and before the lease ends so it is renewed in time.
pub fn pushed_poll_at(
    sub: &WebSubscription,
    usual: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    if !sub.is_active(now) {
        return usual;
    }
    let relaxed = usual.max(now + Duration::hours(PUSHED_POLL_HOURS));
    match sub.lease_expires_at {
        Some(end) => relaxed
            .min(end - Duration::hours(RENEW_BEFORE_HOURS / 2))
            .max(usual),
        None => relaxed,
    }
}

/// What the hub's verification request asks.
#[derive(Debug, Default)]
pub struct Intent<'a> {
    pub mode: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub challenge: Option<&'a str>,
    pub lease_seconds: Option<&'a str>,
    pub reason: Option<&'a str>,
}

/// The answer to a verification request.
#[derive(Debug, PartialEq, Eq)]
pub enum IntentAnswer {
    /// 200 with the challenge as the body: yes, we asked for this.
    Confirm(String),
    /// 200, empty: a refusal by the hub, noted.
    Noted,
    /// 404: we did not ask for this.
    Refuse,
}

/// Checks a hub's verification request against the stored subscription and
/// returns the subscription to save (if it changed) and the answer.
pub fn verify_intent(
    sub: &WebSubscription,
    intent: &Intent<'_>,
    now: DateTime<Utc>,
) -> (Option<WebSubscription>, IntentAnswer) {
    if intent.topic != Some(sub.topic.as_str()) {
        return (None, IntentAnswer::Refuse);
    }
    match intent.mode {
        Some("subscribe") if sub.state != WebSubState::Failed => {
            let Some(challenge) = intent.challenge.filter(|c| !c.is_empty()) else {
                return (None, IntentAnswer::Refuse);
            };
            let lease = intent
                .lease_seconds
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|s| *s > 0)
                .unwrap_or(LEASE_SECONDS)
                .min(365 * 24 * 3600);
            let mut active = sub.clone();
            active.state = WebSubState::Active;
            active.lease_expires_at = Some(now + Duration::seconds(lease));
            active.last_error = None;
            (Some(active), IntentAnswer::Confirm(challenge.to_string()))
        }
        Some("denied") => {
            let mut denied = sub.clone();
            denied.state = WebSubState::Failed;
            denied.lease_expires_at = None;
            denied.last_error = Some(format!(
                "the hub {} denied the subscription{}",
                sub.hub,
                intent
                    .reason
                    .map(|r| format!(": {}", r.chars().take(160).collect::<String>()))
                    .unwrap_or_default()
            ));
            (Some(denied), IntentAnswer::Noted)
        }
        // We never ask to unsubscribe while the subscription is stored.
        _ => (None, IntentAnswer::Refuse),
    }
}

/// Whether `header` (`X-Hub-Signature: sha256=<hex>`, also sha1, sha384 or
/// sha512) is the HMAC of `body` under `secret`. Compared in constant time.
pub fn signature_matches(secret: &str, header: Option<&str>, body: &[u8]) -> bool {
    let Some((method, hex)) = header.and_then(|h| h.trim().split_once('=')) else {
        return false;
    };
    let algorithm = match method.to_ascii_lowercase().as_str() {
        "sha1" => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        "sha256" => hmac::HMAC_SHA256,
        "sha384" => hmac::HMAC_SHA384,
        "sha512" => hmac::HMAC_SHA512,
        _ => return false,
    };
    let Some(tag) = decode_hex(hex.trim()) else {
        return false;
    };
    let key = hmac::Key::new(algorithm, secret.as_bytes());
    hmac::verify(&key, body, &tag).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use bulletin_core::SourceId;

    fn subscription(state: WebSubState, now: DateTime<Utc>) -> WebSubscription {
        WebSubscription {
            source: SourceId(1),
            hub: "https://hub.example/".into(),
            topic: "https://example.org/feed".into(),
            secret: "s3cret".into(),
            callback_token: "abc".into(),
            state,
            requested_at: now,
            lease_expires_at: None,
            last_error: None,
            last_push_at: None,
        }
    }

    fn sign(method: &str, algorithm: hmac::Algorithm, secret: &str, body: &[u8]) -> String {
        let tag = hmac::sign(&hmac::Key::new(algorithm, secret.as_bytes()), body);
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        format!("{method}={hex}")
    }

    #[test]
    fn accepts_only_the_hmac_of_the_body_under_our_secret() {
        let body = b"<feed/>";
        for (method, algorithm) in [
            ("sha1", hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY),
            ("sha256", hmac::HMAC_SHA256),
            ("sha384", hmac::HMAC_SHA384),
            ("sha512", hmac::HMAC_SHA512),
        ] {
            let good = sign(method, algorithm, "s3cret", body);
            assert!(signature_matches("s3cret", Some(&good), body), "{method}");
            assert!(!signature_matches("other", Some(&good), body), "{method}");
            assert!(
                !signature_matches("s3cret", Some(&good), b"<feed>"),
                "{method}"
            );
        }
        let good = sign("sha256", hmac::HMAC_SHA256, "s3cret", body);
        assert!(!signature_matches("s3cret", None, body));
        assert!(!signature_matches("s3cret", Some("md5=00"), body));
        assert!(!signature_matches("s3cret", Some("sha256=zz"), body));
        assert!(!signature_matches(
            "s3cret",
            Some(&good[..good.len() - 2]),
            body
        ));
    }

    #[test]
    fn confirms_only_what_was_asked() {
        let now = Utc::now();
        let sub = subscription(WebSubState::Pending, now);
        let asked = Intent {
            mode: Some("subscribe"),
            topic: Some("https://example.org/feed"),
            challenge: Some("xyz"),
            lease_seconds: Some("3600"),
            reason: None,
        };
        let (saved, answer) = verify_intent(&sub, &asked, now);
        assert_eq!(answer, IntentAnswer::Confirm("xyz".into()));
        let saved = saved.unwrap();
        assert!(saved.is_active(now));
        assert_eq!(saved.lease_expires_at, Some(now + Duration::hours(1)));

        let other_topic = Intent {
            topic: Some("https://example.org/other"),
            ..asked
        };
        assert_eq!(
            verify_intent(&sub, &other_topic, now).1,
            IntentAnswer::Refuse
        );
        let unsubscribe = Intent {
            mode: Some("unsubscribe"),
            topic: Some("https://example.org/feed"),
            challenge: Some("xyz"),
            ..Intent::default()
        };
        assert_eq!(
            verify_intent(&sub, &unsubscribe, now).1,
            IntentAnswer::Refuse
        );
        let denied = Intent {
            mode: Some("denied"),
            topic: Some("https://example.org/feed"),
            reason: Some("not allowed"),
            ..Intent::default()
        };
        let (saved, answer) = verify_intent(&sub, &denied, now);
        assert_eq!(answer, IntentAnswer::Noted);
        let saved = saved.unwrap();
        assert_eq!(saved.state, WebSubState::Failed);
        assert!(saved.last_error.unwrap().contains("not allowed"));
    }

    #[test]
    fn polls_pushed_sources_rarely_but_renews_in_time() {
        let now = Utc::now();
        let usual = now + Duration::minutes(10);
        let pending = subscription(WebSubState::Pending, now);
        assert_eq!(pushed_poll_at(&pending, usual, now), usual);
        let mut active = subscription(WebSubState::Active, now);
        active.lease_expires_at = Some(now + Duration::days(10));
        assert_eq!(
            pushed_poll_at(&active, usual, now),
            now + Duration::hours(PUSHED_POLL_HOURS)
        );
        assert!(!needs_request(&active, now));
        // A short lease: polled again before it runs out, then renewed.
        active.lease_expires_at = Some(now + Duration::hours(20));
        assert!(pushed_poll_at(&active, usual, now) < now + Duration::hours(20));
        assert!(needs_request(&active, now));
        // A lapsed lease: back to the usual schedule.
        active.lease_expires_at = Some(now - Duration::minutes(1));
        assert_eq!(pushed_poll_at(&active, usual, now), usual);
    }
}
