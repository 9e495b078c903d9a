//! One fetch pass: due sources → fetch → parse → (article pages) → extract →
//! store. Network waits overlap; parsing and cleaning run on the blocking pool.

use crate::demo;
use crate::websub::{self, WebSub};
use bulletin_core::{
    Article, Author, Feed, FeedEntry, Image, ItemKind, SourceId, canonicalize_url,
};
use bulletin_fetch::robots::Robots;
use bulletin_fetch::{FetchError, FetchResponse, Fetcher, Validators};
use bulletin_store::{
    Claim, FetchOutcome, ItemKey, NewItem, Source, Store, StoreError, WebSubscription,
};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};
use url::Url;

/// Article pages fetched at the same time for one source.
const PAGE_CONCURRENCY: usize = 4;
/// Default wait between two fetches of a healthy source.
const DEFAULT_INTERVAL_MINUTES: i64 = 30;
const MIN_INTERVAL_MINUTES: i64 = 5;
const MAX_INTERVAL_MINUTES: i64 = 24 * 60;
/// Longest plain-text summary kept.
const SUMMARY_CHARS: usize = 320;

/// Where documents come from: the network, or the built-in demo site.
#[derive(Clone)]
pub struct Loader {
    fetcher: Fetcher,
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
            robots: Arc::default(),
        }
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
        if demo::is_demo(url) {
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
        if let Some(doc) = demo::document(url) {
            return Ok(doc);
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

/// How one source's fetch went.
#[derive(Debug)]
pub enum SourceResult {
    Updated {
        new_items: usize,
        warning: Option<String>,
    },
    NotModified,
    Failed(String),
}

#[derive(Debug, Default)]
pub struct PassSummary {
    pub sources: usize,
    pub updated: usize,
    pub not_modified: usize,
    pub failed: Vec<(SourceId, String, String)>,
    /// Sources that were read but have something to fix (a malformed feed).
    pub warnings: Vec<(SourceId, String, String)>,
    pub new_items: usize,
    /// In a pass over all sources: those another process was fetching, so
    /// this pass left them to it, with that process's name.
    pub held_elsewhere: Vec<(SourceId, String, String)>,
}

#[derive(Clone)]
pub struct Ingestor {
    store: Arc<dyn Store>,
    loader: Loader,
    /// Subscribes sources to WebSub hubs (only in `serve` with a public URL).
    websub: Option<Arc<WebSub>>,
    /// This process's name on the leases it takes.
    worker: Arc<str>,
    /// How long claimed sources are held before another worker may take them.
    lease: Duration,
}

/// How long a worker holds the sources it claimed, by default. The lease is
/// renewed every third of it while the worker runs, so a source that takes
/// long is never taken over, and a dead worker's sources are free within
/// this time.
pub const DEFAULT_LEASE_SECONDS: i64 = 60;

/// A name for this process on its leases: host and process id.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "bulletin".into());
    format!("{host}:{}", std::process::id())
}

impl Ingestor {
    pub fn new(store: Arc<dyn Store>, loader: Loader) -> Ingestor {
        Ingestor {
            store,
            loader,
            websub: None,
            worker: worker_name().into(),
            lease: Duration::seconds(DEFAULT_LEASE_SECONDS),
        }
    }

    /// Holds claimed sources this long (see [`DEFAULT_LEASE_SECONDS`]).
    pub fn with_lease(mut self, lease: Duration) -> Ingestor {
        self.lease = lease;
        self
    }

    pub fn loader(&self) -> &Loader {
        &self.loader
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// Also subscribe fetched sources to the WebSub hubs their feeds name.
    pub fn with_websub(mut self, websub: WebSub) -> Ingestor {
        self.websub = Some(Arc::new(websub));
        self
    }

    /// Where the next poll goes once WebSub had its say: a source whose hub
    /// pushes its updates is polled rarely; subscriptions are made and
    /// renewed here.
    async fn schedule_with_websub(
        &self,
        source: &Source,
        feed: Option<&Feed>,
        usual: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        let Some(websub) = &self.websub else {
            return Ok(usual);
        };
        Ok(match websub.after_fetch(source, feed, now).await? {
            Some(sub) => websub::pushed_poll_at(&sub, usual, now),
            None => usual,
        })
    }

    /// Stores the entries a WebSub hub pushed for a subscription (content
    /// whose signature was already checked). Returns how many were new.
    pub async fn ingest_pushed(
        &self,
        mut sub: WebSubscription,
        body: Vec<u8>,
    ) -> Result<usize, StoreError> {
        let base = Url::parse(&sub.topic).ok();
        let feed = match tokio::task::spawn_blocking(move || {
            bulletin_feeds::parse_feed(&body, base.as_ref())
        })
        .await
        {
            Ok(Ok(feed)) => feed,
            Ok(Err(e)) => {
                tracing::warn!("WebSub: unreadable content pushed by {}: {e}", sub.hub);
                return Ok(0);
            }
            Err(e) => return Err(StoreError::Task(e.to_string())),
        };
        let new_items = self.store_new_entries(sub.source, feed).await?;
        sub.last_push_at = Some(Utc::now());
        self.store.save_websub(sub).await?;
        Ok(new_items)
    }

    /// Fetches every due source (every source with `all`), `concurrency` at
    /// a time. Sources are claimed a few at a time as fetch slots free up, so
    /// several processes sharing the database split the work and never
    /// fetch one source together. `on_start` gets the number of sources due
    /// when the pass began; `on_done` is called after each source.
    pub async fn run_pass(
        &self,
        all: bool,
        concurrency: usize,
        on_start: impl FnOnce(usize),
        on_done: impl FnMut(&Source, &SourceResult),
    ) -> Result<PassSummary, StoreError> {
        let started = Utc::now();
        on_start(self.store.due_sources(started, all).await?.len());
        let pass = self.pass(all, started, concurrency, on_done);
        // Leases are renewed while the pass runs.
        let mut summary = tokio::select! {
            summary = pass => summary?,
            () = self.renew_leases_forever() => unreachable!("renewal never ends"),
        };
        if all {
            let now = Utc::now();
            for source in self.store.sources().await? {
                let missed = source.last_fetch_at.is_none_or(|t| t < started);
                if let Some(owner) = source.held_by(now).filter(|o| *o != &*self.worker)
                    && missed
                {
                    summary.held_elsewhere.push((
                        source.id,
                        source.display_title().to_string(),
                        owner.to_string(),
                    ));
                }
            }
        }
        Ok(summary)
    }

    /// Renews this worker's leases every third of a lease, forever.
    async fn renew_leases_forever(&self) {
        let period = (self.lease / 3)
            .to_std()
            .unwrap_or(StdDuration::from_secs(20))
            .max(StdDuration::from_millis(100));
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            let now = Utc::now();
            if let Err(e) = self
                .store
                .renew_leases(self.worker.to_string(), now, now + self.lease)
                .await
            {
                tracing::warn!("cannot renew this worker's leases: {e}");
            }
        }
    }

    async fn pass(
        &self,
        all: bool,
        started: DateTime<Utc>,
        concurrency: usize,
        mut on_done: impl FnMut(&Source, &SourceResult),
    ) -> Result<PassSummary, StoreError> {
        let concurrency = concurrency.max(1);
        let mut summary = PassSummary::default();
        let claimed = Box::pin(self.claimed_sources(all.then_some(started), concurrency));
        let mut results = claimed
            .map(|claim| {
                let this = self.clone();
                async move {
                    let source = claim?;
                    let result = this.fetch_source(&source).await;
                    Ok::<_, StoreError>((source, result))
                }
            })
            .buffer_unordered(concurrency);
        while let Some(done) = results.next().await {
            let (source, result) = done?;
            summary.sources += 1;
            match &result {
                Ok(SourceResult::Updated { new_items, warning }) => {
                    summary.updated += 1;
                    summary.new_items += new_items;
                    if let Some(w) = warning {
                        summary.warnings.push((
                            source.id,
                            source.display_title().to_string(),
                            w.clone(),
                        ));
                    }
                }
                Ok(SourceResult::NotModified) => summary.not_modified += 1,
                Ok(SourceResult::Failed(reason)) => summary.failed.push((
                    source.id,
                    source.display_title().to_string(),
                    reason.clone(),
                )),
                Err(e) => return Err(StoreError::Database(e.to_string())),
            }
            if let Ok(r) = &result {
                on_done(&source, r);
            }
        }
        Ok(summary)
    }

    /// The sources of one pass, claimed `batch` at a time when the previous
    /// batch has been taken up; ends when nothing is left to claim.
    fn claimed_sources(
        &self,
        all_since: Option<DateTime<Utc>>,
        batch: usize,
    ) -> impl futures_util::Stream<Item = Result<Source, StoreError>> + use<> {
        let store = self.store.clone();
        let worker = self.worker.to_string();
        let lease = self.lease;
        type State = (std::collections::VecDeque<Source>, bool, SourceId);
        stream::unfold(
            (std::collections::VecDeque::new(), false, SourceId(0)),
            move |(mut queue, finished, mut last): State| {
                let store = store.clone();
                let worker = worker.clone();
                async move {
                    if queue.is_empty() && !finished {
                        let now = Utc::now();
                        let claim = Claim {
                            worker,
                            now,
                            lease_until: now + lease,
                            limit: batch,
                            all_since,
                            all_after: last,
                        };
                        match store.claim_sources(claim).await {
                            Ok(sources) => {
                                last = sources.iter().map(|s| s.id).max().unwrap_or(last).max(last);
                                queue.extend(sources);
                            }
                            Err(e) => return Some((Err(e), (queue, true, last))),
                        }
                    }
                    let next = queue.pop_front()?;
                    Some((Ok(next), (queue, finished, last)))
                }
            },
        )
    }

    /// Fetches one source and stores its new items. Fetch and parse failures
    /// are recorded on the source; only store failures are returned as errors.
    pub async fn fetch_source(&self, source: &Source) -> Result<SourceResult, StoreError> {
        let now = Utc::now();
        let fail = |reason: String| {
            let next = now + jittered(backoff(source.error_count + 1), source.id.0);
            (reason, next)
        };
        let url = match Url::parse(&source.url) {
            Ok(u) => u,
            Err(e) => {
                let (reason, next) = fail(format!("the source URL is invalid: {e}"));
                return self.record_failure(source, now, reason, next).await;
            }
        };
        let validators = Validators {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        let response = match self.loader.get(&url, Some(&validators)).await {
            Ok(r) => r,
            Err(e) => {
                let (reason, mut next) = fail(e.to_string());
                // A server that says when to come back (429, 503) is obeyed.
                if let FetchError::Status {
                    retry_after: Some(wait),
                    ..
                } = &e
                {
                    let asked = now
                        + Duration::from_std(*wait)
                            .unwrap_or_else(|_| Duration::minutes(MAX_INTERVAL_MINUTES));
                    next = next.max(asked.min(now + Duration::minutes(MAX_INTERVAL_MINUTES)));
                }
                return self.record_failure(source, now, reason, next).await;
            }
        };
        let max_age = response.max_age.and_then(|d| Duration::from_std(d).ok());
        if response.not_modified {
            let usual = now + interval(source.ttl_minutes, max_age, previous_wait(source));
            let next_fetch_at = self.schedule_with_websub(source, None, usual, now).await?;
            self.store
                .record_fetch(
                    source.id,
                    FetchOutcome::Success {
                        at: now,
                        title: None,
                        site_url: None,
                        kind: None,
                        etag: response.validators.etag,
                        last_modified: response.validators.last_modified,
                        ttl_minutes: source.ttl_minutes,
                        warning: None,
                        next_fetch_at,
                        moved_to: response.moved_permanently.as_ref().map(Url::to_string),
                    },
                )
                .await?;
            return Ok(SourceResult::NotModified);
        }
        let base = response.final_url.clone();
        let moved_to = response.moved_permanently.as_ref().map(Url::to_string);
        let body = response.body;
        let mut feed = match tokio::task::spawn_blocking(move || {
            bulletin_feeds::parse_feed(&body, Some(&base))
        })
        .await
        {
            Ok(Ok(feed)) => feed,
            Ok(Err(e)) => {
                let (reason, next) = fail(e.to_string());
                return self.record_failure(source, now, reason, next).await;
            }
            Err(e) => {
                let (reason, next) = fail(format!("the feed parser crashed: {e}"));
                return self.record_failure(source, now, reason, next).await;
            }
        };
        let warning = feed
            .malformed
            .as_ref()
            .map(|m| format!("malformed feed (read anyway): {m}"));
        let usual = now + interval(feed.ttl_minutes, max_age, publishing_pace(&feed));
        let entries = std::mem::take(&mut feed.entries);
        let items = self
            .new_items(
                source.id,
                entries,
                feed.title.clone(),
                feed.language.clone(),
            )
            .await?;
        let next_fetch_at = self
            .schedule_with_websub(source, Some(&feed), usual, now)
            .await?;
        // The new items and the fetch's record, in one write.
        let new_items = self
            .store
            .store_fetch(
                source.id,
                items,
                FetchOutcome::Success {
                    at: now,
                    title: feed.title.clone(),
                    site_url: bulletin_core::keep_web_url(feed.link.clone()),
                    kind: Some(feed_kind_name(&feed).to_string()),
                    etag: response.validators.etag,
                    last_modified: response.validators.last_modified,
                    ttl_minutes: feed.ttl_minutes,
                    warning: warning.clone(),
                    next_fetch_at,
                    moved_to: moved_to.clone(),
                },
            )
            .await?;
        Ok(SourceResult::Updated { new_items, warning })
    }

    async fn record_failure(
        &self,
        source: &Source,
        at: DateTime<Utc>,
        error: String,
        next_fetch_at: DateTime<Utc>,
    ) -> Result<SourceResult, StoreError> {
        let pause = failing_too_long(source, at);
        self.store
            .record_fetch(
                source.id,
                FetchOutcome::Failure {
                    at,
                    error: error.clone(),
                    next_fetch_at,
                    pause,
                },
            )
            .await?;
        Ok(SourceResult::Failed(error))
    }

    async fn store_new_entries(&self, source: SourceId, feed: Feed) -> Result<usize, StoreError> {
        let items = self
            .new_items(source, feed.entries, feed.title, feed.language)
            .await?;
        if items.is_empty() {
            return Ok(0);
        }
        self.store.insert_items(source, items).await
    }

    /// The items to store from a feed's entries not stored yet (article
    /// pages fetched for entries that carry only a summary). The entries
    /// are taken, not copied: their bodies are most of a feed's bytes.
    async fn new_items(
        &self,
        source: SourceId,
        entries: Vec<FeedEntry>,
        site_name: Option<String>,
        lang: Option<String>,
    ) -> Result<Vec<NewItem>, StoreError> {
        let keys: Vec<ItemKey> = entries.iter().map(entry_key).collect();
        let known = self.store.known_items(source, keys).await?;
        let fresh: Vec<FeedEntry> = entries
            .into_iter()
            .zip(known)
            .filter(|(_, known)| !known)
            .map(|(e, _)| e)
            .collect();
        if fresh.is_empty() {
            return Ok(Vec::new());
        }
        // Entries that carry only a summary: fetch and extract the article.
        let pages: Vec<Option<Url>> = fresh
            .iter()
            .map(|e| match e.content {
                Some(_) => None,
                None => e.link.as_deref().and_then(|l| Url::parse(l).ok()),
            })
            .collect();
        let articles: Vec<Option<Article>> = stream::iter(pages)
            .map(|page| {
                let loader = self.loader.clone();
                async move { fetch_article(&loader, &page?).await }
            })
            .buffered(PAGE_CONCURRENCY)
            .collect()
            .await;
        let items = tokio::task::spawn_blocking(move || {
            fresh
                .into_iter()
                .zip(articles)
                .map(|(entry, article)| {
                    build_item(entry, article, site_name.as_deref(), lang.as_deref())
                })
                .collect::<Vec<NewItem>>()
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(items)
    }
}

async fn fetch_article(loader: &Loader, url: &Url) -> Option<Article> {
    let response = match loader.get_page(url).await {
        Ok(r) => r,
        Err(e) => {
            tracing::info!("article page {url}: {e}");
            return None;
        }
    };
    let is_html = response
        .content_type
        .as_deref()
        .is_none_or(|ct| ct.contains("html") || ct.contains("xml") || ct.starts_with("text/"));
    if !is_html {
        tracing::info!("article page {url} is not HTML");
        return None;
    }
    let final_url = response.final_url;
    let content_type = response.content_type;
    let body = response.body;
    tokio::task::spawn_blocking(move || {
        bulletin_extract::extract(&body, Some(&final_url), content_type.as_deref())
    })
    .await
    .ok()
}

fn feed_kind_name(feed: &Feed) -> &'static str {
    match feed.kind {
        bulletin_core::FeedKind::Rss => "rss",
        bulletin_core::FeedKind::Rdf => "rdf",
        bulletin_core::FeedKind::Atom => "atom",
        bulletin_core::FeedKind::JsonFeed => "json",
    }
}

fn entry_key(entry: &FeedEntry) -> ItemKey {
    ItemKey {
        guid: entry.id.clone(),
        canonical_url: canonical_link(entry),
    }
}

fn canonical_link(entry: &FeedEntry) -> Option<String> {
    let link = Url::parse(entry.link.as_deref()?).ok()?;
    Some(canonicalize_url(&link).to_string())
}

/// Builds the item to store from a feed entry and, when one was fetched, its
/// extracted article page. All HTML is sanitized here.
pub fn build_item(
    entry: FeedEntry,
    article: Option<Article>,
    site_name: Option<&str>,
    lang: Option<&str>,
) -> NewItem {
    // Relative links in the HTML: against the base the feed declares, else
    // the article's page (feeds are often served from another host than
    // the articles they point to).
    let base = entry
        .base
        .as_deref()
        .or(entry.link.as_deref())
        .and_then(|l| Url::parse(l).ok());
    let now = Utc::now();
    let canonical = article
        .as_ref()
        .and_then(|a| a.canonical_url.clone())
        .or_else(|| canonical_link(&entry));
    let summary_text = entry
        .summary
        .as_deref()
        .map(bulletin_feeds::html_to_text)
        .filter(|s| !s.is_empty());

    // The body: the feed's full content, else the article page, else the summary.
    let (html, text, word_count, reading_time, body_image) = match (&entry.content, &article) {
        (Some(content), _) => {
            let (clean, words, minutes) =
                bulletin_extract::clean_feed_content(content, base.as_ref());
            (clean.html, clean.text, words, minutes, clean.first_image)
        }
        (None, Some(a)) if a.word_count > 0 => (
            a.html.clone(),
            a.text.clone(),
            a.word_count,
            a.reading_time_minutes,
            None,
        ),
        _ => {
            let summary_html = entry.summary.clone().unwrap_or_default();
            let (clean, words, minutes) =
                bulletin_extract::clean_feed_content(&summary_html, base.as_ref());
            (clean.html, clean.text, words, minutes, clean.first_image)
        }
    };

    let authors = pick_authors(
        &entry.authors,
        article
            .as_ref()
            .map(|a| a.authors.as_slice())
            .unwrap_or(&[]),
    );
    let lead_image = pick_image(
        entry.image.clone(),
        article.as_ref().and_then(|a| a.lead_image.clone()),
        body_image,
    );
    let title = entry
        .title
        .clone()
        .or_else(|| article.as_ref().and_then(|a| a.title.clone()))
        .filter(|t| !t.trim().is_empty());
    let summary = summary_text
        .or_else(|| article.as_ref().and_then(|a| a.summary.clone()))
        .or_else(|| text.split("\n\n").next().map(str::to_string))
        .map(|s| truncate_chars(&s, SUMMARY_CHARS))
        .filter(|s| !s.is_empty());
    let published_at = entry
        .published
        .or(entry.updated)
        .or_else(|| {
            article
                .as_ref()
                .and_then(|a| a.published_at)
                .map(|d| d.with_timezone(&Utc))
        })
        .unwrap_or(now)
        .min(now);
    let kind = if title.is_none() {
        ItemKind::Update
    } else {
        ItemKind::Article
    };
    NewItem {
        guid: entry.id.clone(),
        kind,
        url: entry
            .link
            .clone()
            .or_else(|| article.as_ref().and_then(|a| a.url.clone())),
        canonical_url: canonical,
        title,
        summary,
        published_at,
        modified_at: entry.updated.or_else(|| {
            article
                .as_ref()
                .and_then(|a| a.modified_at)
                .map(|d| d.with_timezone(&Utc))
        }),
        lang: article
            .as_ref()
            .and_then(|a| a.lang.clone())
            .or_else(|| lang.map(str::to_string)),
        site_name: article
            .as_ref()
            .and_then(|a| a.site_name.clone())
            .or_else(|| site_name.map(str::to_string)),
        authors,
        lead_image,
        text,
        html,
        word_count,
        reading_time_minutes: reading_time,
    }
    .with_web_urls()
}

/// The article page usually knows more about an author (role, bio, avatar).
fn pick_authors(from_feed: &[Author], from_page: &[Author]) -> Vec<Author> {
    // A feed may credit someone by e-mail alone; an item shows names, and
    // keeps no addresses.
    let from_feed: Vec<Author> = from_feed
        .iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| Author {
            email: None,
            ..a.clone()
        })
        .collect();
    if from_page.is_empty() {
        return from_feed;
    }
    if from_feed.is_empty() {
        return from_page.to_vec();
    }
    let from_feed = from_feed.as_slice();
    from_feed
        .iter()
        .map(|a| {
            from_page
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&a.name))
                .cloned()
                .unwrap_or_else(|| a.clone())
        })
        .collect()
}

fn pick_image(
    from_feed: Option<Image>,
    from_page: Option<Image>,
    from_body: Option<Image>,
) -> Option<Image> {
    let mut best = match (from_feed, from_page) {
        (Some(f), Some(p)) if f.caption.is_none() && p.caption.is_some() => Some(p),
        (Some(f), _) => Some(f),
        (None, p) => p,
    }
    .or(from_body.clone());
    if let (Some(b), Some(body)) = (best.as_mut(), from_body)
        && b.url == body.url
    {
        b.caption = b.caption.take().or(body.caption);
        b.credit = b.credit.take().or(body.credit);
    }
    best
}

pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => &cut,
    };
    format!("{}…", cut.trim_end_matches([',', '.', ';', ':', ' ']))
}

/// The wait before the next fetch of a healthy source: half the feed's
/// observed gap between entries (or the previous wait, or 30 minutes), never
/// sooner than the feed's `ttl` or the response's `max-age`, and between
/// 5 minutes and 24 hours.
fn interval(
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
fn publishing_pace(feed: &Feed) -> Option<Duration> {
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
fn previous_wait(source: &Source) -> Option<Duration> {
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
fn failing_too_long(source: &Source, now: DateTime<Utc>) -> bool {
    let failing_since = source.last_success_at.unwrap_or(source.created_at);
    now - failing_since >= Duration::days(PAUSE_AFTER_DAYS)
}

/// Spreads retries of many failing sources over ±10% of the delay, so a
/// host that was down is not hit by all of them at the same second.
fn jittered(delay: Duration, seed: i64) -> Duration {
    let nanos = Utc::now().timestamp_subsec_nanos() as i64;
    let spread = (seed.wrapping_mul(2_654_435_761) ^ nanos).rem_euclid(201) - 100; // -100..=100
    delay + delay * spread as i32 / 1000
}

fn backoff(errors: u32) -> Duration {
    let minutes =
        (MIN_INTERVAL_MINUTES << errors.saturating_sub(1).min(12)).min(MAX_INTERVAL_MINUTES);
    Duration::minutes(minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn builds_update_without_title_and_clamps_future_dates() {
        let entry = FeedEntry {
            id: Some("u1".into()),
            content: Some("<p>Short update <script>x()</script>text.</p>".into()),
            published: Some(Utc::now() + Duration::days(3)),
            ..FeedEntry::default()
        };
        let item = build_item(entry, None, Some("Site"), None);
        assert_eq!(item.kind, ItemKind::Update);
        assert!(item.published_at <= Utc::now());
        assert_eq!(item.text, "Short update text.");
        assert!(!item.html.contains("script"));
        assert_eq!(item.summary.as_deref(), Some("Short update text."));
    }

    #[test]
    fn truncates_on_word_boundary() {
        let s = "word ".repeat(100);
        let t = truncate_chars(&s, 50);
        assert!(t.chars().count() <= 51 && t.ends_with('…'));
    }
}
