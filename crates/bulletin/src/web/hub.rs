//! Outgoing WebSub (W3C WebSub, 2018): Bulletin's own feeds name a hub and
//! tell it when they change, so their readers get pushes too.
//!
//! The hub is the operator's (`--websub-hub URL`: it is pinged with
//! `hub.mode=publish`), or Bulletin itself, a minimal hub for its own feeds
//! only (`/websub/hub`): subscriptions are verified by a challenge sent to
//! the callback, kept in the store with their lease, and each change of a
//! feed is sent to its subscribers as the feed's document, signed with
//! `X-Hub-Signature: sha256=…` when they gave a secret. Changes come from
//! the change log (the live hub's broadcast), are gathered for a second,
//! and are sent by one process at a time (the store's `websub-hub` lease).
//! Callbacks are reached through the fetcher, so only public addresses
//! unless the operator allows private networks.

use super::AppState;
use super::feeds::Format;
use super::live::LiveEvent;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulletin_core::SourceId;
use bulletin_fetch::Fetcher;
use bulletin_store::{HubSubscription, LeaseTaken};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;

/// Leases a subscriber may ask for, and the one it gets when it names none.
const LEASE_DEFAULT: Duration = Duration::from_secs(10 * 86_400);
const LEASE_MIN: Duration = Duration::from_secs(3_600);
const LEASE_MAX: Duration = Duration::from_secs(30 * 86_400);
/// Changes gathered before feeds are sent.
const GATHER: Duration = Duration::from_secs(1);
/// The lease one process holds while it sends.
const SENDING_LEASE: &str = "websub-hub";
/// Feed formats, by their file names.
const FORMATS: [(&str, Format); 3] = [
    ("feed.atom", Format::Atom),
    ("feed.rss", Format::Rss),
    ("feed.json", Format::Json),
];

/// Where this server's feeds announce their changes.
pub struct OutgoingHub {
    /// The hub's URL, named in every plain feed.
    pub url: String,
    /// Bulletin is the hub (else the operator's hub is pinged).
    own: bool,
    fetcher: Fetcher,
    /// This process, as a lease holder.
    holder: String,
}

impl OutgoingHub {
    /// Bulletin as the hub of its own feeds, at `{origin}/websub/hub`.
    pub fn own(origin: &str, fetcher: Fetcher) -> OutgoingHub {
        OutgoingHub::new(format!("{origin}/websub/hub"), true, fetcher)
    }

    /// An operator's hub, pinged when feeds change.
    pub fn operator(url: String, fetcher: Fetcher) -> OutgoingHub {
        OutgoingHub::new(url, false, fetcher)
    }

    fn new(url: String, own: bool, fetcher: Fetcher) -> OutgoingHub {
        let holder = format!(
            "hub-{}-{}",
            std::process::id(),
            bulletin_pipeline::secret::random_hex(4).unwrap_or_default()
        );
        OutgoingHub {
            url,
            own,
            fetcher,
            holder,
        }
    }

    /// Sends feeds as their items change, until the process ends.
    pub async fn run(
        self: Arc<Self>,
        state: AppState,
        mut events: broadcast::Receiver<Arc<LiveEvent>>,
    ) {
        loop {
            let mut changed = Changed::default();
            // Wait for a change, then gather what follows for a moment.
            match events.recv().await {
                Ok(event) => changed.add(&event),
                Err(broadcast::error::RecvError::Lagged(_)) => changed.everything(),
                Err(broadcast::error::RecvError::Closed) => return,
            }
            let until = tokio::time::Instant::now() + GATHER;
            while let Ok(next) = tokio::time::timeout_at(until, events.recv()).await {
                match next {
                    Ok(event) => changed.add(&event),
                    Err(broadcast::error::RecvError::Lagged(_)) => changed.everything(),
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
            if changed.is_empty() {
                continue;
            }
            let topics = changed.topics(&state.public_origin);
            // Bulletin's own hub with nobody subscribed has nothing to do.
            let subscriptions = if self.own {
                match state
                    .store
                    .hub_subscriptions(topics.clone(), chrono::Utc::now())
                    .await
                {
                    Ok(s) if s.is_empty() => continue,
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!("WebSub hub: cannot read subscriptions: {e}");
                        continue;
                    }
                }
            } else {
                Vec::new()
            };
            let now = chrono::Utc::now();
            match state
                .store
                .take_lease(
                    SENDING_LEASE.into(),
                    self.holder.clone(),
                    now,
                    now + chrono::TimeDelta::seconds(60),
                )
                .await
            {
                Ok(LeaseTaken::Refused) => continue, // another process sends
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("WebSub hub: cannot take the sending lease: {e}");
                    continue;
                }
            }
            if self.own {
                self.distribute(&state, subscriptions).await;
            } else {
                self.ping(topics).await;
            }
        }
    }

    /// Sends each changed feed to its subscribers.
    async fn distribute(&self, state: &AppState, subscriptions: Vec<HubSubscription>) {
        let mut by_topic: Vec<(String, Vec<HubSubscription>)> = Vec::new();
        for sub in subscriptions {
            match by_topic.last_mut() {
                Some((topic, subs)) if *topic == sub.topic => subs.push(sub),
                _ => by_topic.push((sub.topic.clone(), vec![sub])),
            }
        }
        for (topic, subs) in by_topic {
            let Some(feed) = topic_feed(state, &topic) else {
                continue;
            };
            let (body, content_type) = match feed.await {
                Ok(Some(doc)) => doc,
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!("WebSub hub: cannot write {topic}: {e}");
                    continue;
                }
            };
            for sub in subs {
                let Ok(callback) = url::Url::parse(&sub.callback) else {
                    continue;
                };
                let mut headers = vec![(
                    "link",
                    format!("<{}>; rel=\"hub\", <{topic}>; rel=\"self\"", self.url),
                )];
                if let Some(secret) = &sub.secret {
                    headers.push(("x-hub-signature", signature(secret, body.as_bytes())));
                }
                if let Err(e) = self
                    .fetcher
                    .post(&callback, content_type, &headers, body.clone().into_bytes())
                    .await
                {
                    tracing::info!("WebSub hub: {callback} did not take {topic}: {e}");
                }
            }
        }
    }

    /// Tells the operator's hub which feeds changed.
    async fn ping(&self, topics: Vec<String>) {
        let Ok(hub) = url::Url::parse(&self.url) else {
            return;
        };
        for topic in topics {
            let fields = [("hub.mode", "publish"), ("hub.url", topic.as_str())];
            if let Err(e) = self.fetcher.post_form(&hub, &fields).await {
                tracing::warn!("WebSub: the hub {hub} did not take the ping for {topic}: {e}");
            }
        }
    }
}

/// `sha256=` and the HMAC-SHA256 of `body` under `secret`, in hex.
fn signature(secret: &str, body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
    let tag = ring::hmac::sign(&key, body);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// Which feeds changed.
#[derive(Default)]
struct Changed {
    site: bool,
    stories: bool,
    sources: BTreeSet<i64>,
}

impl Changed {
    fn add(&mut self, event: &LiveEvent) {
        match event.name {
            "item" => {
                self.site = true;
                if let Some(source) = event.source() {
                    self.sources.insert(source.0);
                }
            }
            "removed" => self.site = true,
            "story" => self.stories = true,
            _ => self.everything(),
        }
    }

    fn everything(&mut self) {
        self.site = true;
        self.stories = true;
    }

    fn is_empty(&self) -> bool {
        !self.site && !self.stories && self.sources.is_empty()
    }

    /// The changed feeds' URLs, in every format.
    fn topics(&self, origin: &str) -> Vec<String> {
        let mut paths = Vec::new();
        if self.site {
            paths.push(String::new());
        }
        if self.stories {
            paths.push("/stories".to_string());
        }
        paths.extend(self.sources.iter().map(|id| format!("/sources/{id}")));
        paths
            .iter()
            .flat_map(|p| {
                FORMATS
                    .iter()
                    .map(move |(name, _)| format!("{origin}{p}/{name}"))
            })
            .collect()
    }
}

/// A topic of this server: the feed it names, if it is one of the feeds a
/// hub serves (the site's, a source's, the stories'; no query).
fn parse_topic(origin: &str, topic: &str) -> Option<(Option<Option<SourceId>>, Format)> {
    let path = topic.strip_prefix(origin)?;
    if path.contains(['?', '#']) {
        return None;
    }
    let (dir, name) = path.rsplit_once('/')?;
    let format = FORMATS.iter().find(|(n, _)| *n == name)?.1;
    match dir {
        "" => Some((Some(None), format)),
        "/stories" => Some((None, format)),
        _ => {
            let id = dir.strip_prefix("/sources/")?.parse::<i64>().ok()?;
            Some((Some(Some(SourceId(id))), format))
        }
    }
}

type FeedDocument = Result<Option<(String, &'static str)>, super::error::WebError>;

/// The document of a topic, written now.
fn topic_feed<'a>(
    state: &'a AppState,
    topic: &'a str,
) -> Option<impl std::future::Future<Output = FeedDocument> + 'a> {
    let (which, format) = parse_topic(&state.public_origin, topic)?;
    let path = topic
        .strip_prefix(state.public_origin.as_str())?
        .to_string();
    Some(async move {
        match which {
            Some(source) => {
                let feed = super::feeds::build(state, source, &Default::default(), &path).await?;
                Ok(feed.map(|f| super::feeds::document(format, &f)))
            }
            None => {
                let feed = super::stories::feed_document(state, &path).await?;
                Ok(Some(super::feeds::document(format, &feed)))
            }
        }
    })
}

/// A subscriber's request (WebSub 5.1).
#[derive(Debug, Deserialize)]
pub struct HubRequest {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.topic")]
    topic: Option<String>,
    #[serde(rename = "hub.callback")]
    callback: Option<String>,
    #[serde(rename = "hub.lease_seconds")]
    lease_seconds: Option<String>,
    #[serde(rename = "hub.secret")]
    secret: Option<String>,
}

fn refuse(reason: String) -> Response {
    (StatusCode::BAD_REQUEST, format!("{reason}\n")).into_response()
}

/// `POST /websub/hub`: subscribe or unsubscribe. Answers 202 and verifies
/// the subscriber's intent in the background.
pub async fn subscribe(State(state): State<AppState>, Form(request): Form<HubRequest>) -> Response {
    let Some(hub) = state.hub.clone().filter(|h| h.own) else {
        return (
            StatusCode::NOT_FOUND,
            "this server's feeds name another hub\n",
        )
            .into_response();
    };
    let subscribing = match request.mode.as_deref() {
        Some("subscribe") => true,
        Some("unsubscribe") => false,
        _ => return refuse("hub.mode must be subscribe or unsubscribe".into()),
    };
    let origin = state.public_origin.clone();
    let Some(topic) = request.topic.filter(|t| parse_topic(&origin, t).is_some()) else {
        return refuse(format!(
            "hub.topic must be one of this server's feeds, such as {origin}/feed.atom or {origin}/sources/1/feed.rss"
        ));
    };
    let Some(callback) = request
        .callback
        .as_deref()
        .and_then(bulletin_core::web_url)
        .and_then(|c| url::Url::parse(&c).ok())
    else {
        return refuse("hub.callback must be an absolute http or https URL".into());
    };
    let lease = match request.lease_seconds.as_deref().map(str::trim) {
        None | Some("") => LEASE_DEFAULT,
        Some(s) => match s.parse::<u64>() {
            Ok(n) => Duration::from_secs(n).clamp(LEASE_MIN, LEASE_MAX),
            Err(_) => return refuse("hub.lease_seconds must be a number of seconds".into()),
        },
    };
    let secret = request.secret.filter(|s| !s.is_empty());
    if secret.as_ref().is_some_and(|s| s.len() >= 200) {
        return refuse("hub.secret must be shorter than 200 bytes".into());
    }
    tokio::spawn(async move {
        let verified = verify_intent(&hub.fetcher, &callback, subscribing, &topic, lease).await;
        if !verified {
            tracing::info!("WebSub hub: {callback} did not confirm its request for {topic}");
            return;
        }
        let stored = if subscribing {
            state
                .store
                .save_hub_subscription(bulletin_store::HubSubscription {
                    topic,
                    callback: callback.to_string(),
                    secret,
                    expires_at: chrono::Utc::now()
                        + chrono::TimeDelta::seconds(lease.as_secs() as i64),
                })
                .await
        } else {
            state
                .store
                .remove_hub_subscription(topic, callback.to_string())
                .await
                .map(|_| ())
        };
        if let Err(e) = stored {
            tracing::warn!("WebSub hub: cannot store a subscription: {e}");
        }
    });
    StatusCode::ACCEPTED.into_response()
}

/// Asks the callback to echo a random challenge (WebSub 5.3).
async fn verify_intent(
    fetcher: &Fetcher,
    callback: &url::Url,
    subscribing: bool,
    topic: &str,
    lease: Duration,
) -> bool {
    let Ok(challenge) = bulletin_pipeline::secret::random_hex(16) else {
        return false;
    };
    let mut url = callback.clone();
    url.query_pairs_mut()
        .append_pair(
            "hub.mode",
            if subscribing {
                "subscribe"
            } else {
                "unsubscribe"
            },
        )
        .append_pair("hub.topic", topic)
        .append_pair("hub.challenge", &challenge)
        .append_pair("hub.lease_seconds", &lease.as_secs().to_string());
    match fetcher.get(&url, None).await {
        Ok(answer) => {
            (200..300).contains(&answer.status)
                && String::from_utf8_lossy(&answer.body).trim() == challenge
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topics_are_this_servers_plain_feeds() {
        let origin = "https://news.example.org";
        assert!(parse_topic(origin, "https://news.example.org/feed.atom").is_some());
        assert!(parse_topic(origin, "https://news.example.org/sources/12/feed.json").is_some());
        assert!(parse_topic(origin, "https://news.example.org/stories/feed.rss").is_some());
        for other in [
            "https://elsewhere.example/feed.atom",
            "https://news.example.org/feed.atom?q=rates",
            "https://news.example.org/sources/x/feed.atom",
            "https://news.example.org/feed.html",
            "https://news.example.org.evil.example/feed.atom",
        ] {
            assert!(parse_topic(origin, other).is_none(), "{other}");
        }
    }

    #[test]
    fn changed_feeds_are_named_in_every_format() {
        let changed = Changed {
            site: true,
            sources: BTreeSet::from([3]),
            ..Changed::default()
        };
        let topics = changed.topics("http://h");
        assert_eq!(
            topics,
            [
                "http://h/feed.atom",
                "http://h/feed.rss",
                "http://h/feed.json",
                "http://h/sources/3/feed.atom",
                "http://h/sources/3/feed.rss",
                "http://h/sources/3/feed.json",
            ]
        );
    }

    #[test]
    fn signs_with_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
