//! Subscribing: a feed URL, or a page that advertises its feed (or has one
//! at a usual path), becomes a source; an OPML list becomes many, without
//! fetching them; the sources go back out as OPML.

use crate::loader::Loader;
use bulletin_core::SourceId;
use bulletin_feeds::{Feed, FeedError, OpmlError};
use bulletin_fetch::FetchError;
use bulletin_store::{NewSource, Source, Store, StoreError};
use url::Url;

/// Where sites usually publish their feed, tried in order when a page
/// advertises none.
pub const USUAL_FEED_PATHS: &[&str] =
    &["/feed", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json"];

/// Why a URL could not be subscribed to.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    #[error(
        "'{url}' is not a valid URL ({reason}); give a full URL such as https://example.org/feed.xml"
    )]
    InvalidUrl { url: String, reason: String },
    #[error("'{0}' is not an http or https URL")]
    NotWeb(String),
    #[error("cannot fetch {url}: {error}")]
    Fetch { url: String, error: Box<FetchError> },
    #[error("{url} looks like a feed but cannot be read: {error}")]
    Unreadable { url: String, error: Box<FeedError> },
    #[error(
        "{url} is neither a feed nor a page that links to one (no <link rel=\"alternate\"> feed, and nothing at {})",
        USUAL_FEED_PATHS.join(", ")
    )]
    NoFeed { url: String },
    #[error("{page} advertises {feed}, which cannot be fetched: {error}")]
    AdvertisedUnfetchable {
        page: String,
        feed: String,
        error: Box<FetchError>,
    },
    #[error("{page} advertises {feed}, which is not a readable feed: {error}")]
    AdvertisedUnreadable {
        page: String,
        feed: String,
        error: Box<FeedError>,
    },
    #[error("{url} is already source {id}")]
    Duplicate { url: String, id: SourceId },
    #[error(transparent)]
    Store(StoreError),
}

/// A new source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribed {
    pub id: SourceId,
    /// The feed's title, or its URL when it has none.
    pub title: String,
}

/// An http(s) URL given by a person, or why it is not one.
pub fn web_url_arg(raw: &str) -> Result<Url, SubscribeError> {
    let url = Url::parse(raw.trim()).map_err(|e| SubscribeError::InvalidUrl {
        url: raw.to_string(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(SubscribeError::NotWeb(raw.to_string()));
    }
    Ok(url)
}

/// Subscribes to a feed URL, or to the feed a page advertises (or has at a
/// usual path).
pub async fn subscribe(
    store: &dyn Store,
    loader: &Loader,
    raw: &str,
) -> Result<Subscribed, SubscribeError> {
    let url = web_url_arg(raw)?;
    let response = loader
        .get(&url, None)
        .await
        .map_err(|error| SubscribeError::Fetch {
            url: url.to_string(),
            error: Box::new(error),
        })?;
    if bulletin_feeds::looks_like_feed(&response.body, response.content_type.as_deref()) {
        let feed = bulletin_feeds::parse_feed(&response.body, Some(&response.final_url)).map_err(
            |error| SubscribeError::Unreadable {
                url: url.to_string(),
                error: Box::new(error),
            },
        )?;
        return add_source(store, url, feed).await;
    }
    let advertised = bulletin_extract::discover_feeds(&response.body, &response.final_url);
    let Some(feed_url) = advertised.into_iter().next() else {
        return match feed_at_usual_path(loader, &response.final_url).await {
            Some((feed_url, feed)) => add_source(store, feed_url, feed).await,
            None => Err(SubscribeError::NoFeed {
                url: url.to_string(),
            }),
        };
    };
    let feed = advertised_feed(loader, &url, &feed_url).await?;
    add_source(store, feed_url, feed).await
}

/// The feed a page advertises, fetched and read.
async fn advertised_feed(loader: &Loader, page: &Url, feed: &Url) -> Result<Feed, SubscribeError> {
    let response =
        loader
            .get(feed, None)
            .await
            .map_err(|error| SubscribeError::AdvertisedUnfetchable {
                page: page.to_string(),
                feed: feed.to_string(),
                error: Box::new(error),
            })?;
    bulletin_feeds::parse_feed(&response.body, Some(&response.final_url)).map_err(|error| {
        SubscribeError::AdvertisedUnreadable {
            page: page.to_string(),
            feed: feed.to_string(),
            error: Box::new(error),
        }
    })
}

async fn feed_at_usual_path(loader: &Loader, page: &Url) -> Option<(Url, Feed)> {
    for path in USUAL_FEED_PATHS {
        let Ok(candidate) = page.join(path) else {
            continue;
        };
        let Ok(response) = loader.get(&candidate, None).await else {
            continue;
        };
        if bulletin_feeds::looks_like_feed(&response.body, response.content_type.as_deref())
            && let Ok(feed) = bulletin_feeds::parse_feed(&response.body, Some(&response.final_url))
        {
            return Some((candidate, feed));
        }
    }
    None
}

async fn add_source(
    store: &dyn Store,
    feed_url: Url,
    feed: Feed,
) -> Result<Subscribed, SubscribeError> {
    let title = feed.title.clone().unwrap_or_else(|| feed_url.to_string());
    let added = store
        .add_source(NewSource {
            url: feed_url.to_string(),
            site_url: bulletin_core::keep_web_url(feed.link),
            title: feed.title,
            kind: None,
            category: None,
        })
        .await;
    match added {
        Ok(id) => Ok(Subscribed { id, title }),
        Err(StoreError::DuplicateSource(id)) => Err(SubscribeError::Duplicate {
            url: feed_url.to_string(),
            id,
        }),
        Err(e) => Err(SubscribeError::Store(e)),
    }
}

/// Why an OPML list could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum OpmlImportError {
    #[error(transparent)]
    Unreadable(#[from] OpmlError),
    #[error("it names no feed (an OPML list gives each as <outline xmlUrl=\"…\">)")]
    NoFeeds,
    #[error("cannot store the imported sources: {0}")]
    Store(#[from] StoreError),
}

/// What an OPML import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct OpmlImport {
    pub added: usize,
    /// Already subscribed (the same feed URL), skipped.
    pub known: usize,
    /// Outlines whose URL is not http(s), skipped.
    pub invalid: Vec<String>,
}

impl std::fmt::Display for OpmlImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {} source{} ({} already subscribed, {} without a usable URL)",
            self.added,
            if self.added == 1 { "" } else { "s" },
            self.known,
            self.invalid.len()
        )
    }
}

/// Subscribes to the feeds of an OPML document without fetching them;
/// nested outlines become categories, feeds already subscribed are skipped.
pub async fn import_opml(store: &dyn Store, bytes: &[u8]) -> Result<OpmlImport, OpmlImportError> {
    let feeds = bulletin_feeds::parse_opml(bytes)?;
    if feeds.is_empty() {
        return Err(OpmlImportError::NoFeeds);
    }
    let mut done = OpmlImport::default();
    for feed in feeds {
        let url = match Url::parse(&feed.url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url,
            _ => {
                done.invalid.push(feed.url);
                continue;
            }
        };
        let result = store
            .add_source(NewSource {
                url: url.to_string(),
                site_url: bulletin_core::keep_web_url(feed.site_url),
                title: feed.title,
                kind: None,
                category: feed.category,
            })
            .await;
        match result {
            Ok(_) => done.added += 1,
            Err(StoreError::DuplicateSource(_)) => done.known += 1,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(done)
}

/// The subscription list as an OPML 2.0 document, grouped by category.
pub fn subscriptions_opml(sources: Vec<Source>) -> String {
    // The newsroom is not a feed another reader could follow.
    let feeds: Vec<bulletin_feeds::OpmlFeed> = sources
        .into_iter()
        .filter(|s| bulletin_core::is_web_url(&s.url))
        .map(|s| bulletin_feeds::OpmlFeed {
            url: s.url,
            title: s.title,
            site_url: bulletin_core::keep_web_url(s.site_url),
            category: s.category,
        })
        .collect();
    bulletin_feeds::write_opml("Bulletin subscriptions", &feeds)
}
