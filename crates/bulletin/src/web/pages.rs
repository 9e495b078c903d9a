//! Server-rendered pages.

use super::AppState;
use super::account::{Nav, Viewer};
use super::api::{ItemsParams, item_query};
use super::error::WebError;
use super::view::{AuthorView, EntryView, PageLinkView};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulletin_core::{ItemId, SourceId};
use serde::Deserialize;

const PAGE_SIZE: usize = 20;

#[derive(Template)]
#[template(path = "feed.html")]
struct FeedPage {
    nav: Nav,
    heading: String,
    /// On an author's page: who they are.
    card: Option<AuthorView>,
    note: Option<String>,
    empty_message: String,
    entries: Vec<EntryView>,
    next_href: Option<String>,
    query: String,
    /// On a search's results: links to them newest first and best first.
    orders: Option<SearchOrders>,
    feed_path: String,
    /// Where an open page hears of new items (`/api/v1/events…`): on a
    /// listing's first page, not on a search's.
    live: Option<String>,
}

struct SearchOrders {
    newest_href: String,
    relevance_href: String,
    by_relevance: bool,
}

#[derive(Template)]
#[template(path = "item.html")]
struct ItemPage {
    nav: Nav,
    e: EntryView,
    /// The item it repeats, when it is a near-duplicate.
    original: Option<EntryView>,
    /// Its story, when others cover it too: (id, articles, sources).
    story: Option<(i64, String, String)>,
    /// "Read also": up to three articles from other stories.
    related: Vec<EntryView>,
    /// Then the articles the page itself pointed to.
    page_links: Vec<PageLinkView>,
    /// Who said what in it.
    claims: Vec<super::claims::ClaimView>,
    query: String,
    feed_path: String,
    /// Where the open page hears of edits to the article.
    live: Option<String>,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    nav: Nav,
    rows: Vec<SourceRow>,
    days: u32,
    query: String,
    feed_path: String,
}

struct SourceRow {
    id: i64,
    title: String,
    health: &'static str,
    health_text: String,
    error: Option<String>,
    items: u64,
    last_fetch: String,
    width: u32,
    bars: Vec<Bar>,
    activity_text: String,
}

struct Bar {
    x: u32,
    y: u32,
    height: u32,
    label: String,
}

/// Days shown in the activity charts.
const ACTIVITY_DAYS: u32 = 14;

/// `/sources`: every source's health and a small chart of its items per day.
pub async fn sources(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let now = chrono::Utc::now();
    let sources = state.store.sources().await?;
    let activity = state.store.daily_activity(now, ACTIVITY_DAYS).await?;
    let rows = sources
        .iter()
        .map(|s| {
            let mut counts = vec![0u64; ACTIVITY_DAYS as usize];
            for (_, day, n) in activity.iter().filter(|(id, _, _)| *id == s.id) {
                if let Some(slot) = counts.get_mut(*day as usize) {
                    *slot += n;
                }
            }
            let peak = counts.iter().copied().max().unwrap_or(0).max(1);
            let bars = counts
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let height = if *n == 0 {
                        1
                    } else {
                        ((*n * 22).div_ceil(peak)) as u32
                    };
                    let day = now - chrono::Duration::days(i64::from(ACTIVITY_DAYS) - 1 - i as i64);
                    Bar {
                        x: i as u32 * 6,
                        y: 24 - height,
                        height,
                        label: format!("{}: {n} items", day.format("%-d %b")),
                    }
                })
                .collect();
            let (health, health_text) = match (&s.last_error, s.error_count, s.last_fetch_at) {
                (Some(_), _, _) if s.paused_at.is_some() => (
                    "error",
                    "paused: failing for over a week, not fetched on schedule".to_string(),
                ),
                (Some(_), n, _) if n > 0 => ("error", format!("failing ({n} times in a row)")),
                (Some(w), _, _) => ("warn", format!("working, with a warning: {w}")),
                (None, _, None) => ("new", "not fetched yet".to_string()),
                (None, _, Some(_)) => ("ok", "healthy".to_string()),
            };
            SourceRow {
                id: s.id.0,
                title: s.display_title().to_string(),
                health,
                health_text,
                error: s.last_error.clone(),
                items: s.item_count,
                last_fetch: s
                    .last_fetch_at
                    .map(|t| super::view::human_time(&t))
                    .unwrap_or_else(|| "never".into()),
                width: ACTIVITY_DAYS * 6,
                bars,
                activity_text: format!(
                    "{} items in the last {ACTIVITY_DAYS} days",
                    counts.iter().sum::<u64>()
                ),
            }
        })
        .collect();
    render(&SourcesPage {
        nav: viewer.nav(),
        rows,
        days: ACTIVITY_DAYS,
        query: String::new(),
        feed_path: "/feed".into(),
    })
}

#[derive(Debug, Deserialize, Default)]
pub struct FeedParams {
    pub cursor: Option<String>,
    pub q: Option<String>,
    /// A search's order: `newest` (the default) or `relevance`.
    pub order: Option<String>,
}

fn render(t: &impl Template) -> Result<Response, WebError> {
    super::error::page(t, StatusCode::OK)
}

pub fn url_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

struct Listing<'a> {
    nav: Nav,
    /// One card per article: near-duplicates are shown on their
    /// original's card ("also published by").
    originals_only: bool,
    heading: String,
    note: Option<String>,
    empty_message: &'a str,
    base_path: &'a str,
    feed_path: String,
}

async fn list(
    state: AppState,
    params: FeedParams,
    source: Option<SourceId>,
    listing: Listing<'_>,
) -> Result<Response, WebError> {
    list_filtered(state, params, source, None, listing).await
}

async fn list_filtered(
    state: AppState,
    params: FeedParams,
    source: Option<SourceId>,
    author: Option<&str>,
    listing: Listing<'_>,
) -> Result<Response, WebError> {
    let mut query = item_query(
        &ItemsParams {
            cursor: params.cursor.clone(),
            q: params.q.clone(),
            order: params.order.clone(),
            ..ItemsParams::default()
        },
        PAGE_SIZE,
    )?;
    query.source = source;
    query.author = author.map(str::to_string);
    query.originals_only = listing.originals_only;
    let first_page = query.is_first_page() && query.search.is_none();
    // Where in the change log the page was made (taken before its items
    // are read): its stream starts there.
    let position = state.live.as_ref().map(|hub| hub.position());
    let live = position
        .filter(|_| first_page)
        .map(|at| match (source, author) {
            (Some(s), _) => format!("/api/v1/events?source={}&last_event_id={at}", s.0),
            (None, Some(a)) => format!(
                "/api/v1/events?author={}&last_event_id={at}",
                url_encode(a.trim())
            ),
            (None, None) => format!("/api/v1/events?last_event_id={at}"),
        });
    let page = state.store.items(query).await?;
    if let Some(name) = author
        && first_page
        && page.items.is_empty()
    {
        return Err(WebError::new(
            StatusCode::NOT_FOUND,
            "Unknown author",
            format!("Nothing stored here is by {}.", name.trim()),
        ));
    }
    // An author's card: the fullest of their descriptions on this page.
    let card = author.and_then(|name| {
        page.items
            .iter()
            .flat_map(|i| &i.authors)
            .filter(|a| a.name.eq_ignore_ascii_case(name.trim()))
            .max_by_key(|a| {
                usize::from(a.role.is_some())
                    + usize::from(a.bio.is_some())
                    + usize::from(a.avatar_url.is_some())
            })
            .map(super::view::author_view)
    });
    let q = params.q.clone().unwrap_or_default();
    let by_relevance = !q.trim().is_empty() && params.order.as_deref() == Some("relevance");
    let next_href = page.next_cursor.map(|c| {
        let separator = if listing.base_path.contains('?') {
            '&'
        } else {
            '?'
        };
        let mut href = format!("{}{separator}cursor={}", listing.base_path, url_encode(&c));
        if !q.is_empty() {
            href.push_str("&q=");
            href.push_str(&url_encode(&q));
        }
        if by_relevance {
            href.push_str("&order=relevance");
        }
        href
    });
    let orders = (!q.trim().is_empty()).then(|| {
        let base = format!("{}?q={}", listing.base_path, url_encode(&q));
        SearchOrders {
            relevance_href: format!("{base}&order=relevance"),
            newest_href: base,
            by_relevance,
        }
    });
    render(&FeedPage {
        nav: listing.nav,
        heading: listing.heading,
        card,
        note: listing.note,
        empty_message: listing.empty_message.to_string(),
        entries: page.items.iter().map(EntryView::from_item).collect(),
        next_href,
        query: q,
        orders,
        feed_path: listing.feed_path,
        live,
    })
}

pub async fn feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<FeedParams>,
) -> Result<Response, WebError> {
    let listing = Listing {
        nav: viewer.nav(),
        originals_only: true,
        heading: "Latest news".into(),
        note: None,
        empty_message: "Nothing here yet. Add a source with `bulletin source add URL`, or start with `bulletin serve --demo`.",
        base_path: "/",
        feed_path: "/feed".into(),
    };
    list(state, params, None, listing).await
}

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<FeedParams>,
) -> Result<Response, WebError> {
    let q = params.q.clone().unwrap_or_default();
    let listing = Listing {
        nav: viewer.nav(),
        originals_only: false,
        heading: if q.trim().is_empty() {
            "Search".into()
        } else {
            format!("Search: {q}")
        },
        note: None,
        empty_message: "No items match.",
        base_path: "/search",
        feed_path: "/feed".into(),
    };
    list(state, params, None, listing).await
}

pub async fn source(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<Response, WebError> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(WebError::not_found());
    };
    let source = match state.store.source(SourceId(id)).await {
        Ok(Some(s)) => s,
        Ok(None) => return Err(WebError::not_found()),
        Err(e) => return Err(e.into()),
    };
    let note = match (&source.last_error, source.error_count) {
        (Some(e), n) if n > 0 => Some(format!("The last fetch failed: {e}")),
        _ => source.last_fetch_at.map(|t| {
            format!(
                "{} items · last fetched {}",
                source.item_count,
                super::view::human_time(&t)
            )
        }),
    };
    let base_path = format!("/sources/{id}");
    let listing = Listing {
        nav: viewer.nav(),
        originals_only: false,
        heading: source.display_title().to_string(),
        note,
        empty_message: "No items from this source yet.",
        base_path: &base_path,
        feed_path: format!("/sources/{id}/feed"),
    };
    list(state, params, Some(SourceId(id)), listing).await
}

/// An author's page: their card and their items, newest first.
/// `/authors?name=…`: the author page for names no path segment can carry
/// (such as `..`, which browsers resolve away).
pub async fn author_by_query(
    state: State<AppState>,
    viewer: Viewer,
    Query(named): Query<AuthorName>,
    params: Query<FeedParams>,
) -> Result<Response, WebError> {
    author(state, viewer, Path(named.name.unwrap_or_default()), params).await
}

#[derive(Deserialize)]
pub struct AuthorName {
    name: Option<String>,
}

pub async fn author(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Query(params): Query<FeedParams>,
) -> Result<Response, WebError> {
    let name = name.trim().to_string();
    if name.is_empty() {
        return Err(WebError::not_found());
    }
    let base_path = super::view::author_href(&name);
    let listing = Listing {
        nav: viewer.nav(),
        originals_only: false,
        heading: name.clone(),
        note: None,
        empty_message: "Nothing by this author is stored.",
        base_path: &base_path,
        feed_path: "/feed".into(),
    };
    list_filtered(state, params, None, Some(&name), listing).await
}

pub async fn item(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let Ok(id) = id.parse::<i64>() else {
        return Err(WebError::not_found());
    };
    let live = state
        .live
        .as_ref()
        .map(|hub| format!("/api/v1/events?item={id}&last_event_id={}", hub.position()));
    let Some(detail) = state.store.item_detail(ItemId(id), RELATED_SHOWN).await? else {
        return Err(WebError::not_found());
    };
    let item = detail.item;
    let original = detail.original.as_ref().map(EntryView::from_item);
    let story = detail.story.filter(|s| s.size > 1).map(|s| {
        (
            s.id,
            super::stories::plural(s.size, "article"),
            super::stories::plural(s.sources, "source"),
        )
    });
    let related: Vec<EntryView> = detail.related.iter().map(EntryView::from_item).collect();
    let page_links = page_links(&state, &item, &related).await?;
    let claims = detail
        .claims
        .iter()
        .map(super::claims::ClaimView::of)
        .collect();
    render(&ItemPage {
        nav: viewer.nav(),
        e: EntryView::from_item(&item),
        original,
        story,
        related,
        page_links,
        claims,
        query: String::new(),
        feed_path: "/feed".into(),
        live,
    })
}

/// The links of the item's own page ("Read also" on the site), pointed at
/// Bulletin's copies of the articles it holds; none to the item itself or
/// to an article already listed.
async fn page_links(
    state: &AppState,
    item: &bulletin_store::Item,
    listed: &[EntryView],
) -> Result<Vec<PageLinkView>, WebError> {
    let canonical = |raw: &str| {
        url::Url::parse(raw)
            .ok()
            .map(|u| bulletin_core::canonicalize_url(&u).to_string())
    };
    let links: Vec<(&str, String)> = item
        .related_links
        .iter()
        .filter_map(|l| Some((l.title.as_str(), canonical(&l.url)?)))
        .collect();
    if links.is_empty() {
        return Ok(Vec::new());
    }
    let held = state
        .store
        .items_at_urls(links.iter().map(|(_, u)| u.clone()).collect())
        .await?;
    let itself = [item.url.as_deref(), item.canonical_url.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(canonical)
        .collect::<Vec<_>>();
    Ok(links
        .into_iter()
        .zip(held)
        .filter(|((_, url), id)| {
            !itself.contains(url)
                && *id != Some(item.id)
                && !id.is_some_and(|id| listed.iter().any(|e| e.id == id.0))
        })
        .filter_map(|((title, url), id)| PageLinkView::new(title, &url, id.map(|i| i.0)))
        .collect())
}

#[derive(Template)]
#[template(path = "cards.html")]
struct Cards {
    entries: Vec<EntryView>,
}

#[derive(Debug, Deserialize)]
pub struct CardsParams {
    /// Item ids, comma-separated.
    ids: String,
}

/// The most cards one request renders.
const MAX_CARDS: usize = 100;

/// `/cards?ids=1,2`: the feed's cards of these items, newest first, as an
/// HTML fragment: what an open page inserts when new items arrive, made by
/// the same template as the page. Near-duplicates are left out (they show
/// on their original's card), as are items no longer stored.
pub async fn cards(
    State(state): State<AppState>,
    Query(params): Query<CardsParams>,
) -> Result<Response, WebError> {
    let ids: Vec<i64> = params
        .ids
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| WebError::bad_request("invalid_ids", "ids are numbers, comma-separated"))?;
    if ids.len() > MAX_CARDS {
        return Err(WebError::bad_request(
            "too_many_ids",
            format!("at most {MAX_CARDS} cards at a time"),
        ));
    }
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(item) = state.store.item(ItemId(id)).await?
            && item.duplicate_of.is_none()
        {
            items.push(item);
        }
    }
    items.sort_by_key(|i| std::cmp::Reverse((i.published_at, i.id)));
    items.dedup_by_key(|i| i.id);
    render(&Cards {
        entries: items.iter().map(EntryView::from_item).collect(),
    })
}

/// Related articles shown under an article.
const RELATED_SHOWN: usize = 3;

pub async fn not_found() -> impl IntoResponse {
    WebError::not_found()
}
