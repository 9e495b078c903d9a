//! Who said what on the web: an entity's page (`/people/{slug}`,
//! `/organisations/{slug}`, `/places/{slug}`) with its roles, names and latest claims across
//! sources; its feeds (`/people/{slug}/feed.atom`, `.rss`, `.json`: one
//! entry per claim); the claims of an article, shown on its page; and the
//! claims API (`/api/v1/claims?speaker=&q=&since=&item=&limit=`).

use super::AppState;
use super::account::Viewer;
use super::error::{ApiError, WebError};
use super::feeds::Format;
use super::view::human_time;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use bulletin_core::{Author, ItemId};
use bulletin_feeds::write::{OutgoingEntry, OutgoingFeed};
use bulletin_store::{ClaimQuery, ClaimRecord, Entity, EntityKind};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Claims on an entity's page and in its feeds.
const LATEST: usize = 50;
/// The most claims one API request returns.
const MAX_LIMIT: usize = 500;

/// The path of an entity's page.
pub fn entity_path(kind: EntityKind, slug: &str) -> String {
    match kind {
        EntityKind::Person => format!("/people/{slug}"),
        EntityKind::Organisation => format!("/organisations/{slug}"),
        EntityKind::Place => format!("/places/{slug}"),
    }
}

/// A claim shaped for a page.
pub struct ClaimView {
    pub id: i64,
    pub speaker: Option<SpeakerLink>,
    /// The source's words, when they are not the speaker's name.
    pub source: Option<String>,
    pub cue: String,
    pub content: String,
    pub direct: bool,
    pub role: Option<String>,
    pub channel: Option<String>,
    /// When it was said: the words ("on Monday"), and the days they mean.
    pub said: Option<SaidView>,
    pub item_id: i64,
    pub item_title: String,
    pub published_iso: String,
    pub published_human: String,
}

/// A speaker's name and the page about them.
pub struct SpeakerLink {
    pub name: String,
    pub href: String,
}

pub struct SaidView {
    pub text: String,
    pub iso: String,
    /// "19 May 2025", "19–25 May 2025".
    pub days: String,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn said_view(c: &ClaimRecord) -> Option<SaidView> {
    let (from, to) = (c.said_from?, c.said_to?);
    let days = if from == to {
        day(from)
    } else {
        format!("{} – {}", day(from), day(to))
    };
    Some(SaidView {
        text: c.said_text.clone().unwrap_or_else(|| days.clone()),
        iso: from.to_string(),
        days,
    })
}

impl ClaimView {
    pub fn of(c: &ClaimRecord) -> ClaimView {
        let speaker = c.speaker.as_ref();
        ClaimView {
            id: c.id,
            speaker: speaker.map(|s| SpeakerLink {
                name: s.name.clone(),
                href: entity_path(s.kind, &s.slug),
            }),
            source: c
                .source
                .clone()
                .filter(|s| speaker.is_none_or(|e| !s.eq_ignore_ascii_case(&e.name))),
            cue: c.cue.clone(),
            content: c.content.clone(),
            direct: c.direct,
            role: c.role.clone(),
            channel: c.channel.clone(),
            said: said_view(c),
            item_id: c.item.0,
            item_title: c.item_title.clone().unwrap_or_else(|| "An update".into()),
            published_iso: c.published_at.to_rfc3339(),
            published_human: human_time(&c.published_at),
        }
    }
}

struct RoleView {
    role: String,
    since: String,
    until: String,
    articles: String,
}

/// An article the entity is quoted in.
struct AppearanceView {
    item_id: i64,
    title: String,
    published_human: String,
    story_id: Option<i64>,
}

#[derive(Template)]
#[template(path = "entity.html")]
struct EntityPage {
    nav: super::account::Nav,
    query: String,
    feed_path: String,
    name: String,
    kind: &'static str,
    aliases: Vec<String>,
    roles: Vec<RoleView>,
    total: u64,
    claims: Vec<ClaimView>,
    appearances: Vec<AppearanceView>,
}

async fn entity_of(state: &AppState, kind: EntityKind, slug: &str) -> Result<Entity, WebError> {
    state
        .store
        .entity(slug.to_string())
        .await?
        .filter(|e| e.kind == kind)
        .ok_or_else(WebError::not_found)
}

async fn latest_claims(state: &AppState, slug: &str) -> Result<Vec<ClaimRecord>, WebError> {
    Ok(state
        .store
        .claims(ClaimQuery {
            speaker: Some(slug.to_string()),
            limit: LATEST,
            ..Default::default()
        })
        .await?)
}

/// `/people/{slug}`.
pub async fn person(
    state: State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    page(state, viewer, EntityKind::Person, slug).await
}

/// `/organisations/{slug}`.
pub async fn organisation(
    state: State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    page(state, viewer, EntityKind::Organisation, slug).await
}

/// `/places/{slug}`.
pub async fn place(
    state: State<AppState>,
    viewer: Viewer,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    page(state, viewer, EntityKind::Place, slug).await
}

/// `/people/{slug}/feed.atom` (and `.rss`, `.json`).
pub async fn person_feed(
    state: State<AppState>,
    Path((slug, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    feed(state, EntityKind::Person, slug, name, headers).await
}

/// `/organisations/{slug}/feed.atom` (and `.rss`, `.json`).
pub async fn organisation_feed(
    state: State<AppState>,
    Path((slug, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    feed(state, EntityKind::Organisation, slug, name, headers).await
}

/// `/places/{slug}/feed.atom` (and `.rss`, `.json`).
pub async fn place_feed(
    state: State<AppState>,
    Path((slug, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    feed(state, EntityKind::Place, slug, name, headers).await
}

async fn page(
    State(state): State<AppState>,
    viewer: Viewer,
    kind: EntityKind,
    slug: String,
) -> Result<Response, WebError> {
    let entity = match entity_of(&state, kind, &slug).await {
        Ok(e) => e,
        // The other kind's page: sent there.
        Err(e) => match state.store.entity(slug.clone()).await? {
            Some(other) => {
                return Ok(Redirect::permanent(&entity_path(other.kind, &slug)).into_response());
            }
            None => return Err(e),
        },
    };
    let records = latest_claims(&state, &slug).await?;
    let mut appearances: Vec<AppearanceView> = Vec::new();
    for c in &records {
        if !appearances.iter().any(|a| a.item_id == c.item.0) {
            appearances.push(AppearanceView {
                item_id: c.item.0,
                title: c.item_title.clone().unwrap_or_else(|| "An update".into()),
                published_human: human_time(&c.published_at),
                story_id: c.story_id,
            });
        }
    }
    let roles = entity
        .roles
        .iter()
        .map(|r| RoleView {
            role: r.role.clone(),
            since: human_time(&r.first_seen),
            until: human_time(&r.last_seen),
            articles: super::stories::plural(r.items as u32, "article"),
        })
        .collect();
    let path = entity_path(kind, &slug);
    super::error::page(
        &EntityPage {
            nav: viewer.nav(),
            query: String::new(),
            feed_path: format!("{path}/feed"),
            aliases: entity
                .aliases
                .iter()
                .filter(|a| **a != entity.name)
                .cloned()
                .collect(),
            name: entity.name,
            kind: match kind {
                EntityKind::Person => "Person",
                EntityKind::Organisation => "Organisation",
                EntityKind::Place => "Place",
            },
            roles,
            total: entity.claims,
            claims: records.iter().map(ClaimView::of).collect(),
            appearances,
        },
        StatusCode::OK,
    )
}

async fn feed(
    State(state): State<AppState>,
    kind: EntityKind,
    slug: String,
    name: String,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let Some(format) = Format::from_name(&name) else {
        return Err(WebError::not_found());
    };
    let entity = entity_of(&state, kind, &slug).await?;
    let records = latest_claims(&state, &slug).await?;
    let origin = state.public_origin.as_str();
    let path = entity_path(kind, &slug);
    let entries = records
        .iter()
        .map(|c| {
            let (open, close) = if c.direct { ("", "") } else { ("“", "”") };
            OutgoingEntry {
                id: format!("tag:bulletin,2025:claim-{}", c.id),
                url: format!("{origin}/items/{}#claim-{}", c.item.0, c.id),
                title: bulletin_core::text::truncate_chars(
                    &format!("{}: {open}{}{close}", entity.name, c.content),
                    200,
                ),
                published: c.published_at,
                updated: c.published_at,
                authors: vec![Author::named(&entity.name)],
                summary: Some(summary(c)),
                content_html: None,
                image: None,
                source_title: c.item_title.clone(),
            }
        })
        .collect();
    let feed = OutgoingFeed {
        title: format!("{} — claims — Bulletin", entity.name),
        home_url: format!("{origin}{path}"),
        self_url: format!("{origin}{path}/{name}"),
        updated: records
            .iter()
            .map(|c| c.published_at)
            .max()
            .unwrap_or_else(Utc::now),
        entries,
        hub: None,
    };
    Ok(super::feeds::respond(format, &feed, &headers))
}

/// A claim in a sentence: who, how, when and where it was said, and in
/// which article.
fn summary(c: &ClaimRecord) -> String {
    let mut s = format!("{} {}", c.source.as_deref().unwrap_or("Someone"), c.cue);
    if let Some(ch) = &c.channel {
        s.push_str(&format!(" {ch}"));
    }
    if let Some(said) = said_view(c) {
        s.push_str(&format!(" ({})", said.days));
    }
    s.push_str(&format!(": {}", c.content));
    if let Some(t) = &c.item_title {
        s.push_str(&format!(" — in “{t}”"));
    }
    s
}

#[derive(Debug, Deserialize, Default)]
pub struct ClaimsParams {
    /// An entity's slug.
    pub speaker: Option<String>,
    pub q: Option<String>,
    /// A date (`2025-05-19`) or a time (RFC 3339): claims of items
    /// published then or later.
    pub since: Option<String>,
    pub item: Option<i64>,
    pub limit: Option<usize>,
}

#[derive(Serialize)]
struct ClaimsDocument {
    claims: Vec<ClaimRecord>,
}

fn since(text: &str) -> Result<DateTime<Utc>, WebError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    text.parse::<NaiveDate>()
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| {
            WebError::bad_request(
                "invalid_since",
                "since must be a date (2025-05-19) or an RFC 3339 time (2025-05-19T08:00:00Z)",
            )
        })
}

/// `GET /api/v1/claims?speaker=&q=&since=&item=&limit=`: claims, newest
/// article first.
pub async fn api(
    State(state): State<AppState>,
    super::error::ApiQuery(params): super::error::ApiQuery<ClaimsParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let limit = params.limit.unwrap_or(50);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WebError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_LIMIT}"),
        )
        .into());
    }
    let query = ClaimQuery {
        speaker: params.speaker.filter(|s| !s.is_empty()),
        q: params.q.filter(|q| !q.trim().is_empty()),
        since: params.since.as_deref().map(since).transpose()?,
        item: params.item.map(ItemId),
        limit,
    };
    let claims = state.store.claims(query).await?;
    let modified = claims.iter().map(|c| c.published_at).max();
    super::api::json_document(&headers, &ClaimsDocument { claims }, modified)
}
