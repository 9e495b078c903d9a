//! Outgoing feeds: `/feed.atom`, `/feed.rss`, `/feed.json`, also per source
//! and for a search (`?q=`).

use super::AppState;
use super::api::{ItemsParams, item_query};
use super::error::{ApiError, WebError};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bulletin_core::SourceId;
use bulletin_feeds::write::{OutgoingEntry, OutgoingFeed};
use bulletin_store::Item;
use chrono::Utc;

const FEED_LENGTH: usize = 50;

#[derive(Clone, Copy)]
pub enum Format {
    Atom,
    Rss,
    Json,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "feed.atom" => Some(Format::Atom),
            "feed.rss" => Some(Format::Rss),
            "feed.json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// The subscription list as OPML 2.0, for moving to another reader.
pub async fn opml(State(state): State<AppState>) -> Response {
    let sources = match state.store.sources().await {
        Ok(sources) => sources,
        Err(e) => {
            tracing::error!("cannot list sources: {e}");
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the store is not available",
            )
                .into_response();
        }
    };
    (
        [
            (header::CONTENT_TYPE, "text/x-opml; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"bulletin.opml\"",
            ),
        ],
        bulletin_pipeline::subscribe::subscriptions_opml(sources),
    )
        .into_response()
}

pub async fn site_feed(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(params): Query<ItemsParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(format) = Format::from_name(&name) else {
        return Ok(super::error::WebError::not_found().into_response());
    };
    render(state, format, None, params, &headers, &format!("/{name}")).await
}

pub async fn source_feed(
    State(state): State<AppState>,
    Path((id, name)): Path<(i64, String)>,
    Query(params): Query<ItemsParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(format) = Format::from_name(&name) else {
        return Ok(super::error::WebError::not_found().into_response());
    };
    render(
        state,
        format,
        Some(SourceId(id)),
        params,
        &headers,
        &format!("/sources/{id}/{name}"),
    )
    .await
}

async fn render(
    state: AppState,
    format: Format,
    source: Option<SourceId>,
    params: ItemsParams,
    headers: &HeaderMap,
    path: &str,
) -> Result<Response, ApiError> {
    match build(&state, source, &params, path).await? {
        Some(feed) => Ok(respond(format, &feed, headers)),
        None => Ok((StatusCode::NOT_FOUND, "no such source\n").into_response()),
    }
}

/// The feed of the newest items (of a source, with `params`' search and
/// author), at `path` on this server; None when there is no such source.
/// A plain feed (no search, no author) names the WebSub hub.
pub async fn build(
    state: &AppState,
    source: Option<SourceId>,
    params: &ItemsParams,
    path: &str,
) -> Result<Option<OutgoingFeed>, WebError> {
    let mut query = item_query(
        &ItemsParams {
            limit: Some(FEED_LENGTH),
            q: params.q.clone(),
            author: params.author.clone(),
            ..ItemsParams::default()
        },
        FEED_LENGTH,
    )?;
    query.source = source;
    query.include_content = true;
    let origin = state.public_origin.as_str();
    let mut title = "Bulletin".to_string();
    let mut home = format!("{origin}/");
    if let Some(id) = source {
        match state.store.source(id).await? {
            Some(s) => {
                title = format!("{} — Bulletin", s.display_title());
                home = format!("{origin}/sources/{id}");
            }
            None => return Ok(None),
        }
    }
    if let Some(author) = &query.author {
        title = format!("{title}: by {}", author.trim());
    }
    if let Some(q) = &query.search {
        title = format!("{title}: search for “{q}”");
    }
    let plain = query.author.is_none() && query.search.is_none();
    let page = state.store.items(query).await?;
    let mut self_url = format!("{origin}{path}");
    let mut separator = '?';
    for (key, value) in [("q", &params.q), ("author", &params.author)] {
        if let Some(value) = value {
            self_url.push(separator);
            self_url.push_str(key);
            self_url.push('=');
            self_url.push_str(&super::pages::url_encode(value));
            separator = '&';
        }
    }
    Ok(Some(OutgoingFeed {
        title,
        home_url: home,
        self_url,
        updated: page
            .items
            .iter()
            .map(|i| i.modified_at.unwrap_or(i.published_at))
            .max()
            .unwrap_or_else(Utc::now),
        entries: page.items.iter().map(|i| entry(i, origin)).collect(),
        hub: state.hub.as_ref().map(|h| h.url.clone()).filter(|_| plain),
    }))
}

/// A feed written in a format, with its content type.
pub fn document(format: Format, feed: &OutgoingFeed) -> (String, &'static str) {
    match format {
        Format::Atom => (
            bulletin_feeds::write::atom(feed),
            "application/atom+xml; charset=utf-8",
        ),
        Format::Rss => (
            bulletin_feeds::write::rss(feed),
            "application/rss+xml; charset=utf-8",
        ),
        Format::Json => (
            bulletin_feeds::write::json_feed(feed),
            "application/feed+json; charset=utf-8",
        ),
    }
}

/// A feed in a format, answered conditionally on its last update; one
/// that names a hub says so in a `Link` header too (WebSub 4).
pub fn respond(format: Format, feed: &OutgoingFeed, headers: &HeaderMap) -> Response {
    let (body, ty) = document(format, feed);
    let mut response =
        super::conditional::respond(headers, ty, body.into_bytes(), Some(feed.updated));
    if let Some(hub) = feed.hub.as_deref().and_then(bulletin_core::web_url)
        && let Ok(link) = axum::http::HeaderValue::from_str(&format!(
            "<{hub}>; rel=\"hub\", <{}>; rel=\"self\"",
            feed.self_url
        ))
    {
        response.headers_mut().append(header::LINK, link);
    }
    response
}

fn entry(item: &Item, origin: &str) -> OutgoingEntry {
    let local = format!("{origin}/items/{}", item.id);
    OutgoingEntry {
        // Stable across hosts and renames: the item's number under a tag URI.
        id: format!("tag:bulletin,2025:item-{}", item.id),
        url: item
            .url
            .as_deref()
            .and_then(bulletin_core::web_url)
            .unwrap_or_else(|| local.clone()),
        title: item
            .title
            .clone()
            .or_else(|| item.summary.clone())
            .unwrap_or_else(|| format!("Update {}", item.id)),
        published: item.published_at,
        updated: item
            .modified_at
            .unwrap_or(item.published_at)
            .max(item.published_at),
        authors: item.authors.clone(),
        summary: item.summary.clone(),
        content_html: item.html.clone().filter(|h| !h.is_empty()),
        image: item.lead_image.clone(),
        source_title: Some(item.source.title.clone()),
    }
}
