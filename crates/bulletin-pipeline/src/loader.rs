//! Where documents come from: the network through the fetcher, with each
//! site's robots.txt read and cached for the pages Bulletin chooses to read,
//! or a [`DocumentSource`] put in front of the network (the offline demo).

use bulletin_fetch::robots::Robots;
use bulletin_fetch::{FetchError, FetchResponse, Fetcher, Validators};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};
use url::Url;

/// Documents served without the network: a `Loader` asks its source first,
/// and goes to the network only for URLs the source does not own.
pub trait DocumentSource: Send + Sync + 'static {
    /// Whether `url` belongs to this source (its robots rules then allow
    /// everything, and the network is never asked for it).
    fn owns(&self, url: &Url) -> bool;
    /// The document at `url`, when the source owns it and has it.
    fn document(&self, url: &Url) -> Option<FetchResponse>;
}

/// Where documents come from: a [`DocumentSource`] if one is set, else the
/// network.
#[derive(Clone)]
pub struct Loader {
    fetcher: Fetcher,
    documents: Option<Arc<dyn DocumentSource>>,
    /// Each site's robots.txt rules, by origin: when they were read, for
    /// how long they hold, and the rules.
    robots: Arc<Mutex<RobotsCache>>,
}

/// A site's robots.txt rules, or why they could not be read.
type RobotsRules = Result<Arc<Robots>, String>;
type RobotsCache = HashMap<String, (Instant, StdDuration, RobotsRules)>;

/// How long a site's robots.txt is trusted before it is read again.
const ROBOTS_TTL: StdDuration = StdDuration::from_secs(24 * 3600);
/// After a server error on robots.txt the site is left alone this long.
const ROBOTS_ERROR_TTL: StdDuration = StdDuration::from_secs(3600);

impl Loader {
    pub fn new(fetcher: Fetcher) -> Loader {
        Loader {
            fetcher,
            documents: None,
            robots: Arc::default(),
        }
    }

    /// Serves the URLs `documents` owns from it instead of the network.
    pub fn with_documents(mut self, documents: Arc<dyn DocumentSource>) -> Loader {
        self.documents = Some(documents);
        self
    }

    /// The HTTP client behind this loader.
    pub fn fetcher(&self) -> &Fetcher {
        &self.fetcher
    }

    fn owned(&self, url: &Url) -> Option<&dyn DocumentSource> {
        self.documents.as_deref().filter(|d| d.owns(url))
    }

    /// Fetches a page Bulletin chose to read (not a subscribed feed): only
    /// when the site's robots.txt allows it.
    pub async fn get_page(&self, url: &Url) -> Result<FetchResponse, PageError> {
        let robots = self
            .robots_for(url)
            .await
            .map_err(PageError::RobotsUnreadable)?;
        let path = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        if !robots.allows(&path) {
            return Err(PageError::Robots);
        }
        self.get(url, None).await.map_err(PageError::Fetch)
    }

    async fn robots_for(&self, url: &Url) -> RobotsRules {
        if self.owned(url).is_some() {
            return Ok(Arc::new(Robots::allow_all()));
        }
        let origin = url.origin().ascii_serialization();
        if let Some((read, ttl, rules)) = self
            .robots
            .lock()
            .ok()
            .and_then(|m| m.get(&origin).cloned())
            && read.elapsed() < ttl
        {
            return rules;
        }
        let (rules, ttl) = match url.join("/robots.txt") {
            Ok(robots_url) => match self.fetcher.get(&robots_url, None).await {
                Ok(r) => (
                    Ok(Arc::new(Robots::parse(
                        &String::from_utf8_lossy(&r.body),
                        "bulletin",
                    ))),
                    ROBOTS_TTL,
                ),
                // No robots.txt (404, 410, 403…): everything is allowed.
                Err(FetchError::Status { status, .. }) if (400..500).contains(&status) => {
                    (Ok(Arc::new(Robots::allow_all())), ROBOTS_TTL)
                }
                // A server error, no answer, or an address Bulletin may not
                // reach: stay away for a while, and say why.
                Err(e) => (Err(e.to_string()), ROBOTS_ERROR_TTL),
            },
            Err(_) => (Ok(Arc::new(Robots::allow_all())), ROBOTS_TTL),
        };
        if let Ok(mut cache) = self.robots.lock() {
            cache.insert(origin, (Instant::now(), ttl, rules.clone()));
        }
        rules
    }

    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<FetchResponse, FetchError> {
        if let Some(documents) = self.owned(url) {
            return documents.document(url).ok_or_else(|| FetchError::Status {
                status: 404,
                reason: Some("Not Found".into()),
                retry_after: None,
            });
        }
        self.fetcher.get(url, validators).await
    }
}

/// Why a page Bulletin chose to read was not read.
#[derive(Debug)]
pub enum PageError {
    /// robots.txt was read and disallows the page.
    Robots,
    /// robots.txt could not be read (why), so the site is left alone.
    RobotsUnreadable(String),
    Fetch(FetchError),
}

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageError::Robots => f.write_str("the site's robots.txt asks crawlers not to read it"),
            PageError::RobotsUnreadable(why) => write!(
                f,
                "the site's robots.txt could not be read ({why}), so its pages are left alone for an hour"
            ),
            PageError::Fetch(e) => e.fmt(f),
        }
    }
}
