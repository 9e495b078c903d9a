//! One fetch pass: due sources are claimed (leased, so workers sharing a
//! database never fetch one together) → fetched → parsed → article pages
//! loaded → items built → stored, with the next fetch scheduled. Network
//! waits overlap; parsing and extraction run on the blocking pool.

use crate::item::{build_item, entry_key};
use crate::loader::Loader;
use crate::schedule::{
    MAX_INTERVAL_MINUTES, MOVE_AFTER_PERMANENT_REDIRECTS, backoff, failing_too_long, interval,
    jittered, previous_wait, publishing_pace,
};
use crate::websub::{self, WebSub};
use bulletin_core::{Article, Feed, FeedEntry, SourceId};
use bulletin_fetch::{FetchError, FetchResponse, Validators};
use bulletin_store::{
    Claim, FetchOutcome, ItemKey, NewItem, Source, Store, StoreError, WebSubscription,
};
use chrono::{DateTime, Duration, Utc};
use futures_util::{StreamExt, stream};
use std::sync::Arc;
use std::time::Duration as StdDuration;
use url::Url;

/// Article pages fetched at the same time for one source.
const PAGE_CONCURRENCY: usize = 4;

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
pub(crate) fn worker_name() -> String {
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

    /// A filer of this store's new items into stories.
    pub fn filer(&self) -> crate::Filer {
        crate::Filer::new(self.store.clone()).with_lease(self.lease)
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
        let response = match self.get_feed(source, now).await {
            Ok(response) => response,
            Err((reason, next)) => return self.record_failure(source, now, reason, next).await,
        };
        let max_age = response.max_age.and_then(|d| Duration::from_std(d).ok());
        let moved_to = response.moved_permanently.as_ref().map(Url::to_string);
        if response.not_modified {
            let usual = now + interval(source.ttl_minutes, max_age, previous_wait(source));
            let next_fetch_at = self.schedule_with_websub(source, None, usual, now).await?;
            let outcome = FetchOutcome::Success {
                at: now,
                title: None,
                site_url: None,
                kind: None,
                etag: response.validators.etag,
                last_modified: response.validators.last_modified,
                ttl_minutes: source.ttl_minutes,
                warning: None,
                next_fetch_at,
                moved_to,
                move_after: MOVE_AFTER_PERMANENT_REDIRECTS,
            };
            self.store.record_fetch(source.id, outcome).await?;
            return Ok(SourceResult::NotModified);
        }
        let validators = response.validators.clone();
        let mut feed = match parse(response).await {
            Ok(feed) => feed,
            Err(reason) => {
                let next = retry_at(source, now);
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
        let outcome = FetchOutcome::Success {
            at: now,
            title: feed.title.clone(),
            site_url: bulletin_core::keep_web_url(feed.link.clone()),
            kind: Some(feed_kind_name(&feed).to_string()),
            etag: validators.etag,
            last_modified: validators.last_modified,
            ttl_minutes: feed.ttl_minutes,
            warning: warning.clone(),
            next_fetch_at,
            moved_to,
            move_after: MOVE_AFTER_PERMANENT_REDIRECTS,
        };
        // The new items and the fetch's record, in one write.
        let new_items = self.store.store_fetch(source.id, items, outcome).await?;
        Ok(SourceResult::Updated { new_items, warning })
    }

    /// The source's feed, asked for with its validators; or why not and
    /// when to try again (a server that says when, with 429 or 503, is
    /// obeyed, within the longest wait).
    async fn get_feed(
        &self,
        source: &Source,
        now: DateTime<Utc>,
    ) -> Result<FetchResponse, (String, DateTime<Utc>)> {
        let url = Url::parse(&source.url).map_err(|e| {
            (
                format!("the source URL is invalid: {e}"),
                retry_at(source, now),
            )
        })?;
        let validators = Validators {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        self.loader.get(&url, Some(&validators)).await.map_err(|e| {
            let mut next = retry_at(source, now);
            if let FetchError::Status {
                retry_after: Some(wait),
                ..
            } = &e
            {
                let longest = now + Duration::minutes(MAX_INTERVAL_MINUTES);
                let asked = Duration::from_std(*wait).map_or(longest, |w| now + w);
                next = next.max(asked.min(longest));
            }
            (e.to_string(), next)
        })
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

/// When a source that just failed is tried again: backoff by its failures
/// in a row, spread by jitter.
fn retry_at(source: &Source, now: DateTime<Utc>) -> DateTime<Utc> {
    now + jittered(backoff(source.error_count + 1), source.id.0)
}

/// The fetched document read as a feed, on the blocking pool; or why not.
async fn parse(response: FetchResponse) -> Result<Feed, String> {
    let base = response.final_url;
    let body = response.body;
    match tokio::task::spawn_blocking(move || bulletin_feeds::parse_feed(&body, Some(&base))).await
    {
        Ok(Ok(feed)) => Ok(feed),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(format!("the feed parser crashed: {e}")),
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
