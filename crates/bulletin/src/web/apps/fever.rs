//! The Fever API (`/fever/?api`), as Fever documented it
//! (https://feedafever.com/api) and as the readers that imitate it serve
//! it: every answer is a JSON object with `api_version` and `auth`; the
//! client sends `api_key` (md5 of `NAME:APP_PASSWORD`) in a POST form with
//! every request, and says what it wants with query parameters: `groups`,
//! `feeds`, `favicons`, `items` (`since_id`, `max_id`, `with_ids`, 50 at a
//! time), `links`, `unread_item_ids`, `saved_item_ids`, and POST `mark`
//! (`item`, `feed`, `group`) `as` (`read`, `unread`, `saved`, `unsaved`)
//! with `id` and, for feeds and groups, `before`.
//!
//! Read for it: the Fever API document, and the requests Reeder and
//! Unread send as FreshRSS's `p/api/fever.php` and Miniflux's
//! `internal/fever/handler.go` answer them (ids as numbers, id lists as
//! comma-separated strings, booleans as 0/1, times in Unix seconds).

use super::{Credentials, SignInError, sign_in};
use crate::web::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ReadFilter, ReaderOrder, ReaderQuery, Scope, User};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Items per `items` answer, as Fever gives them.
const ITEMS_PER_ANSWER: usize = 50;
/// The most ids `unread_item_ids` and `saved_item_ids` list.
const MAX_IDS: usize = 100_000;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/fever", get(fever).post(fever))
        .route("/fever/", get(fever).post(fever))
}

fn answer(mut fields: Map<String, Value>, auth: bool) -> Response {
    fields.insert("api_version".into(), json!(3));
    fields.insert("auth".into(), json!(u8::from(auth)));
    Json(Value::Object(fields)).into_response()
}

fn failed(status: StatusCode, message: &str) -> Response {
    let mut fields = Map::new();
    fields.insert("error".into(), json!(message));
    let mut response = answer(fields, false);
    *response.status_mut() = status;
    response
}

fn ids_text(ids: impl Iterator<Item = i64>) -> String {
    ids.map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

async fn fever(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let mut fields: HashMap<String, String> = HashMap::new();
    for source in [query.as_deref().unwrap_or("").as_bytes(), &body[..]] {
        for (k, v) in url::form_urlencoded::parse(source) {
            fields.insert(k.into_owned(), v.into_owned());
        }
    }
    let Some(key) = fields.get("api_key").map(|k| k.trim().to_string()) else {
        return answer(Map::new(), false);
    };
    let user = match sign_in(&state, peer, &headers, Credentials::FeverKey(key)).await {
        Ok(user) => user,
        Err(SignInError::Refused(_)) => return answer(Map::new(), false),
        Err(SignInError::Wait(wait)) => {
            return failed(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "too many failed attempts; try again in {} seconds",
                    wait.as_secs().max(1)
                ),
            );
        }
        Err(SignInError::Store(e)) => {
            tracing::error!("store: {e}");
            return failed(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database did not answer",
            );
        }
    };
    match respond(&state, &user, &fields).await {
        Ok(out) => answer(out, true),
        Err(Refusal::Bad(message)) => failed(StatusCode::BAD_REQUEST, &message),
        Err(Refusal::Store(e)) => {
            tracing::error!("store: {e}");
            failed(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database did not answer",
            )
        }
    }
}

enum Refusal {
    Bad(String),
    Store(bulletin_store::StoreError),
}

impl From<bulletin_store::StoreError> for Refusal {
    fn from(e: bulletin_store::StoreError) -> Self {
        Refusal::Store(e)
    }
}

fn number(fields: &HashMap<String, String>, name: &str) -> Result<Option<i64>, Refusal> {
    fields
        .get(name)
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse()
                .map_err(|_| Refusal::Bad(format!("{name} must be a number")))
        })
        .transpose()
}

async fn respond(
    state: &AppState,
    user: &User,
    fields: &HashMap<String, String>,
) -> Result<Map<String, Value>, Refusal> {
    let mut out = Map::new();
    let wants = |name: &str| fields.contains_key(name);
    if let Some(what) = fields.get("mark") {
        mark(state, user, what, fields).await?;
        // After a mark, Fever answers with the ids that changed lists.
        out.insert(
            "unread_item_ids".into(),
            json!(unread_ids(state, user).await?),
        );
        out.insert(
            "saved_item_ids".into(),
            json!(saved_ids(state, user).await?),
        );
    }
    let subs: Vec<_> = state
        .store
        .subscriptions(user.id)
        .await?
        .into_iter()
        .filter(|s| s.subscribed)
        .collect();
    let last_refreshed = subs
        .iter()
        .filter_map(|s| s.source.last_fetch_at)
        .max()
        .map_or(0, |t| t.timestamp());
    out.insert("last_refreshed_on_time".into(), json!(last_refreshed));
    if wants("groups") || wants("feeds") {
        let mut by_group: HashMap<i64, Vec<i64>> = HashMap::new();
        for s in &subs {
            if let Some(c) = &s.category {
                by_group.entry(c.id).or_default().push(s.source.id.0);
            }
        }
        let mut feeds_groups: Vec<Value> = by_group
            .iter()
            .map(|(group, feeds)| json!({"group_id": group, "feed_ids": ids_text(feeds.iter().copied())}))
            .collect();
        feeds_groups.sort_by_key(|v| v["group_id"].as_i64());
        if wants("groups") {
            let groups: Vec<Value> = state
                .store
                .categories(user.id)
                .await?
                .iter()
                .map(|c| json!({"id": c.id, "title": c.title}))
                .collect();
            out.insert("groups".into(), json!(groups));
        }
        if wants("feeds") {
            let feeds: Vec<Value> = subs
                .iter()
                .map(|s| {
                    json!({
                        "id": s.source.id.0,
                        "favicon_id": s.source.id.0,
                        "title": s.display_title(),
                        "url": crate::web::view::link(Some(&s.source.url)).unwrap_or_default(),
                        "site_url": crate::web::view::link(s.source.site_url.as_deref()).unwrap_or_default(),
                        "is_spark": 0,
                        "last_updated_on_time": s.source.last_success_at.map_or(0, |t| t.timestamp()),
                    })
                })
                .collect();
            out.insert("feeds".into(), json!(feeds));
        }
        out.insert("feeds_groups".into(), json!(feeds_groups));
    }
    if wants("favicons") {
        // Bulletin keeps no feed icons: each feed names one, blank.
        let favicons: Vec<Value> = subs
            .iter()
            .map(|s| json!({"id": s.source.id.0, "data": BLANK_GIF}))
            .collect();
        out.insert("favicons".into(), json!(favicons));
    }
    if wants("items") {
        let (items, total) = items(state, user, fields).await?;
        out.insert("items".into(), json!(items));
        out.insert("total_items".into(), json!(total));
    }
    if wants("links") {
        out.insert("links".into(), json!([]));
    }
    if wants("unread_item_ids") {
        out.insert(
            "unread_item_ids".into(),
            json!(unread_ids(state, user).await?),
        );
    }
    if wants("saved_item_ids") {
        out.insert(
            "saved_item_ids".into(),
            json!(saved_ids(state, user).await?),
        );
    }
    Ok(out)
}

/// A 1×1 transparent GIF, as Fever's favicons are data URIs.
const BLANK_GIF: &str = "image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

async fn items(
    state: &AppState,
    user: &User,
    fields: &HashMap<String, String>,
) -> Result<(Vec<Value>, u64), Refusal> {
    let mut q = ReaderQuery {
        order: ReaderOrder::Id,
        limit: ITEMS_PER_ANSWER,
        include_content: true,
        ..ReaderQuery::new(user.id)
    };
    if let Some(with) = fields.get("with_ids") {
        let ids: Result<Vec<ItemId>, _> = with
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .take(ITEMS_PER_ANSWER)
            .map(|s| s.parse().map(ItemId))
            .collect();
        q.ids = Some(ids.map_err(|_| Refusal::Bad("with_ids must be numbers".into()))?);
        q.scope = Scope::Subscribed;
        q.ascending = true;
    } else if let Some(since) = number(fields, "since_id")? {
        q.after_id = Some(ItemId(since));
        q.ascending = true;
    } else if let Some(max) = number(fields, "max_id")? {
        if max > 0 {
            q.before_id = Some(ItemId(max));
        }
        q.ascending = false;
    } else {
        q.ascending = false;
    }
    let total = state.store.reader_count(ReaderQuery::new(user.id)).await?;
    let entries = state.store.reader_items(q).await?;
    let list = entries
        .iter()
        .map(|e| {
            let item = &e.item;
            json!({
                "id": item.id.0,
                "feed_id": item.source.id.0,
                "title": item.title.clone().unwrap_or_default(),
                "author": item.authors.iter().map(|a| a.name.as_str()).collect::<Vec<_>>().join(", "),
                "html": item.html.clone().unwrap_or_default(),
                "url": crate::web::view::link(item.url.as_deref()).unwrap_or_default(),
                "is_saved": u8::from(e.starred),
                "is_read": u8::from(e.read),
                "created_on_time": item.published_at.timestamp(),
            })
        })
        .collect();
    Ok((list, total))
}

async fn unread_ids(state: &AppState, user: &User) -> Result<String, Refusal> {
    let q = ReaderQuery {
        status: ReadFilter::Unread,
        order: ReaderOrder::Id,
        ascending: true,
        limit: MAX_IDS,
        ..ReaderQuery::new(user.id)
    };
    Ok(ids_text(
        state.store.reader_refs(q).await?.iter().map(|r| r.id.0),
    ))
}

async fn saved_ids(state: &AppState, user: &User) -> Result<String, Refusal> {
    let q = ReaderQuery {
        starred: Some(true),
        order: ReaderOrder::Id,
        ascending: true,
        limit: MAX_IDS,
        ..ReaderQuery::new(user.id)
    };
    Ok(ids_text(
        state.store.reader_refs(q).await?.iter().map(|r| r.id.0),
    ))
}

/// `mark=item|feed|group`, `as=read|unread|saved|unsaved`, `id`, `before`.
async fn mark(
    state: &AppState,
    user: &User,
    what: &str,
    fields: &HashMap<String, String>,
) -> Result<(), Refusal> {
    let id = number(fields, "id")?.ok_or_else(|| Refusal::Bad("mark needs an id".into()))?;
    let how = fields.get("as").map(String::as_str).unwrap_or("");
    let before = number(fields, "before")?
        .filter(|t| *t > 0)
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0));
    match (what, how) {
        ("item", "read" | "unread") => {
            state
                .store
                .set_read(user.id, vec![ItemId(id)], how == "read")
                .await?;
        }
        ("item", "saved" | "unsaved") => {
            state
                .store
                .set_starred(user.id, vec![ItemId(id)], how == "saved")
                .await?;
        }
        ("feed", "read") => {
            state
                .store
                .mark_all_read(user.id, Scope::Source(SourceId(id)), before)
                .await?;
        }
        // Group 0 is every item ("Kindling"); -1, the sparks, has none.
        ("group", "read") if id == 0 => {
            state
                .store
                .mark_all_read(user.id, Scope::Subscribed, before)
                .await?;
        }
        ("group", "read") if id < 0 => {}
        ("group", "read") => {
            state
                .store
                .mark_all_read(user.id, Scope::Category(id), before)
                .await?;
        }
        _ => {
            return Err(Refusal::Bad(format!(
                "cannot mark a {what} as {how:?}: items are read, unread, saved or unsaved; feeds and groups are read"
            )));
        }
    }
    Ok(())
}
