//! Stories on the web: the stories view (`/stories`), a story's page with
//! its coverage by source and its timeline (`/stories/{id}`), the outgoing
//! feeds of stories (`/stories/feed.atom`, `.rss`, `.json`: one entry per
//! story, updated when it grows), and the API (`/api/v1/stories`).

use super::AppState;
use super::account::Viewer;
use super::error::{ApiError, WebError};
use super::pages::url_encode;
use super::view::{EntryView, ImageView, human_time, image_view};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use bulletin_feeds::write::{OutgoingEntry, OutgoingFeed};
use bulletin_store::{Item, MAX_PAGE_SIZE, Story, StoryQuery};
use serde::{Deserialize, Serialize};

const PAGE_SIZE: usize = 20;
const FEED_LENGTH: usize = 50;

#[derive(Debug, Deserialize, Default)]
pub struct StoriesParams {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
}

fn story_query(params: &StoriesParams, default_limit: usize) -> Result<StoryQuery, WebError> {
    let limit = params.limit.unwrap_or(default_limit);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(WebError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(StoryQuery {
        limit,
        cursor: params.cursor.clone().filter(|c| !c.is_empty()),
    })
}

/// A story with its items (newest first, each with its copies).
#[derive(Serialize)]
struct StoryWithItems {
    #[serde(flatten)]
    story: Story,
    items: Vec<Item>,
}

fn parse_id(raw: &str) -> Result<i64, WebError> {
    raw.parse()
        .map_err(|_| WebError::bad_request("invalid_id", "story ids are numbers"))
}

fn no_story(id: i64) -> WebError {
    WebError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        format!("there is no story {id}"),
    )
}

/// A story and its items, or not found.
async fn story_and_items(state: &AppState, id: i64) -> Result<(Story, Vec<Item>), WebError> {
    let story = state.store.story(id).await?.ok_or_else(|| no_story(id))?;
    let items = state.store.story_items(id).await?;
    Ok((story, items))
}

/// `GET /api/v1/stories?cursor=&limit=`: stories, latest update first.
pub async fn api_list(
    State(state): State<AppState>,
    super::error::ApiQuery(params): super::error::ApiQuery<StoriesParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let page = state.store.stories(story_query(&params, 20)?).await?;
    let modified = page.stories.iter().map(|s| s.latest_at).max();
    super::api::json_document(&headers, &page, modified)
}

/// `GET /api/v1/stories/{id}`: a story with its items.
pub async fn api_story(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(&id)?;
    let (story, items) = story_and_items(&state, id).await?;
    let modified = Some(story.latest_at);
    super::api::json_document(&headers, &StoryWithItems { story, items }, modified)
}

struct StoryCard {
    id: i64,
    title: String,
    image: Option<ImageView>,
    size: u32,
    sources: u32,
    latest_iso: String,
    latest_human: String,
}

impl StoryCard {
    fn of(story: &Story) -> StoryCard {
        StoryCard {
            id: story.id,
            title: story
                .title
                .clone()
                .unwrap_or_else(|| format!("Updates, story {}", story.id)),
            image: story.lead_image.as_ref().and_then(image_view),
            size: story.size,
            sources: story.sources,
            latest_iso: story.latest_at.to_rfc3339(),
            latest_human: human_time(&story.latest_at),
        }
    }
}

#[derive(Template)]
#[template(path = "stories.html")]
struct StoriesPage {
    nav: super::account::Nav,
    cards: Vec<StoryCard>,
    next_href: Option<String>,
    query: String,
    feed_path: String,
}

/// `/stories`: one card per story, latest update first.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<StoriesParams>,
) -> Result<Response, WebError> {
    let page = state
        .store
        .stories(story_query(&params, PAGE_SIZE)?)
        .await?;
    super::error::page(
        &StoriesPage {
            nav: viewer.nav(),
            cards: page.stories.iter().map(StoryCard::of).collect(),
            next_href: page
                .next_cursor
                .map(|c| format!("/stories?cursor={}", url_encode(&c))),
            query: String::new(),
            feed_path: "/stories/feed".into(),
        },
        StatusCode::OK,
    )
}

/// One source's part of a story's coverage.
struct Coverage {
    source_id: i64,
    source_title: String,
    entries: Vec<EntryView>,
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    nav: super::account::Nav,
    card: StoryCard,
    first_human: String,
    coverage: Vec<Coverage>,
    /// Every item, oldest first.
    timeline: Vec<EntryView>,
    query: String,
    feed_path: String,
}

/// `/stories/{id}`, or the stories' feeds at `/stories/feed.{atom,rss,json}`.
pub async fn page_or_feed(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(segment): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(format) = super::feeds::Format::from_name(&segment) {
        return feed(&state, format, &segment, &headers).await;
    }
    let Ok(id) = segment.parse::<i64>() else {
        return Err(WebError::not_found());
    };
    let (story, items) = story_and_items(&state, id)
        .await
        .map_err(|e| e.then("/stories", "Back to the stories"))?;
    let mut coverage: Vec<Coverage> = Vec::new();
    for item in &items {
        let entry = EntryView::from_item(item);
        match coverage
            .iter_mut()
            .find(|c| c.source_id == item.source.id.0)
        {
            Some(c) => c.entries.push(entry),
            None => coverage.push(Coverage {
                source_id: item.source.id.0,
                source_title: item.source.title.clone(),
                entries: vec![entry],
            }),
        }
    }
    // Sources with the most items first, then by name.
    coverage.sort_by(|a, b| {
        b.entries
            .len()
            .cmp(&a.entries.len())
            .then_with(|| a.source_title.cmp(&b.source_title))
    });
    let timeline = items.iter().rev().map(EntryView::from_item).collect();
    super::error::page(
        &StoryPage {
            nav: viewer.nav(),
            card: StoryCard::of(&story),
            first_human: human_time(&story.first_at),
            coverage,
            timeline,
            query: String::new(),
            feed_path: "/stories/feed".into(),
        },
        StatusCode::OK,
    )
}

/// The stories as a feed: one entry per story, its headline and sources,
/// updated when it grows.
async fn feed(
    state: &AppState,
    format: super::feeds::Format,
    name: &str,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    let feed = feed_document(state, &format!("/stories/{name}")).await?;
    Ok(super::feeds::respond(format, &feed, headers))
}

/// The stories feed at `path` (`/stories/feed.atom`), newest update first.
pub async fn feed_document(state: &AppState, path: &str) -> Result<OutgoingFeed, WebError> {
    let page = state
        .store
        .stories(StoryQuery {
            limit: FEED_LENGTH,
            cursor: None,
        })
        .await?;
    let origin = state.public_origin.as_str();
    let entries = page
        .stories
        .iter()
        .map(|s| {
            let card = StoryCard::of(s);
            OutgoingEntry {
                id: format!("tag:bulletin,2025:story-{}", s.id),
                url: format!("{origin}/stories/{}", s.id),
                title: card.title,
                published: s.first_at,
                updated: s.latest_at,
                authors: Vec::new(),
                summary: Some(format!(
                    "{} from {}, latest {}",
                    plural(s.size, "article"),
                    plural(s.sources, "source"),
                    card.latest_human
                )),
                content_html: None,
                image: s.lead_image.clone(),
                source_title: None,
            }
        })
        .collect();
    Ok(OutgoingFeed {
        title: "Stories — Bulletin".into(),
        home_url: format!("{origin}/stories"),
        self_url: format!("{origin}{path}"),
        updated: page
            .stories
            .iter()
            .map(|s| s.latest_at)
            .max()
            .unwrap_or_else(chrono::Utc::now),
        entries,
        hub: state.hub.as_ref().map(|h| h.url.clone()),
    })
}

/// "1 source", "12 sources".
pub fn plural(n: impl std::borrow::Borrow<u32>, what: &str) -> String {
    let n = *n.borrow();
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}
