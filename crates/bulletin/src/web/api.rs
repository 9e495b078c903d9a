//! The JSON API (`/api/v1`).

use super::AppState;
use super::error::{ApiError, ApiQuery, WebError};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ItemOrder, ItemQuery, MAX_PAGE_SIZE, User};
use serde::Deserialize;
use serde_json::json;

#[derive(Debug, Deserialize, Default)]
pub struct ItemsParams {
    pub limit: Option<usize>,
    pub cursor: Option<String>,
    pub source: Option<i64>,
    pub q: Option<String>,
    /// Only items by this author (by name).
    pub author: Option<String>,
    pub include: Option<String>,
    /// With `q`: `newest` (the default) or `relevance`.
    pub order: Option<String>,
    /// `false`: leave out near-duplicates (items that repeat another).
    pub duplicates: Option<String>,
}

/// Turns request parameters into a store query. The cursor goes to the
/// store as it came: reading it is the store's business.
pub fn item_query(params: &ItemsParams, default_limit: usize) -> Result<ItemQuery, WebError> {
    let order = match params.order.as_deref().map(str::trim) {
        None | Some("") | Some("newest") => ItemOrder::Newest,
        Some("relevance") => ItemOrder::Relevance,
        Some(other) => {
            return Err(WebError::bad_request(
                "invalid_order",
                format!("order must be newest or relevance, not {other:?}"),
            ));
        }
    };
    let limit = params.limit.unwrap_or(default_limit);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(WebError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    Ok(ItemQuery {
        limit,
        cursor: params.cursor.clone().filter(|c| !c.is_empty()),
        order,
        source: params.source.map(SourceId),
        search: params.q.clone().filter(|q| !q.trim().is_empty()),
        author: params.author.clone().filter(|a| !a.trim().is_empty()),
        originals_only: match params.duplicates.as_deref().map(str::trim) {
            None | Some("") | Some("true") => false,
            Some("false") => true,
            Some(other) => {
                return Err(WebError::bad_request(
                    "invalid_duplicates",
                    format!("duplicates must be true or false, not {other:?}"),
                ));
            }
        },
        include_content: params
            .include
            .as_deref()
            .is_some_and(|i| i.split(',').any(|p| p.trim() == "content")),
    })
}

/// A JSON document that readers may poll: answered conditionally.
pub fn json_document<T: serde::Serialize>(
    headers: &HeaderMap,
    value: &T,
    modified: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| WebError::internal(format_args!("cannot write JSON: {e}")))?;
    Ok(super::conditional::respond(
        headers,
        "application/json",
        body,
        modified,
    ))
}

pub async fn items(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<ItemsParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = item_query(&params, 20)?;
    let caller = caller(&state, &headers).await?;
    let page = state.store.items(query).await?;
    let modified = page
        .items
        .iter()
        .map(|i| i.modified_at.unwrap_or(i.published_at).max(i.published_at))
        .max();
    let Some(user) = caller else {
        return json_document(&headers, &page, modified);
    };
    let mut value = serde_json::to_value(&page)
        .map_err(|e| WebError::internal(format_args!("cannot write JSON: {e}")))?;
    let ids: Vec<ItemId> = page.items.iter().map(|i| i.id).collect();
    let states = reader_states(&state, &user, ids).await?;
    if let Some(items) = value.get_mut("items").and_then(|v| v.as_array_mut()) {
        for item in items {
            with_state(item, &states);
        }
    }
    private_json(&value)
}

/// The account an optional `Authorization: Bearer TOKEN` speaks for: none
/// without the header, an error with a token that is not known.
async fn caller(state: &AppState, headers: &HeaderMap) -> Result<Option<User>, ApiError> {
    if headers.contains_key(header::AUTHORIZATION) {
        api_user(state, headers).await.map(Some)
    } else {
        Ok(None)
    }
}

/// Each item's read and starred state for `user`.
async fn reader_states(
    state: &AppState,
    user: &User,
    ids: Vec<ItemId>,
) -> Result<std::collections::HashMap<i64, (bool, bool)>, ApiError> {
    let found = state
        .store
        .reader_refs(bulletin_store::ReaderQuery {
            scope: bulletin_store::Scope::All,
            ids: Some(ids),
            ..bulletin_store::ReaderQuery::new(user.id)
        })
        .await?;
    Ok(found
        .iter()
        .map(|r| (r.id.0, (r.read, r.starred)))
        .collect())
}

/// Adds `read` and `starred` to an item's JSON.
fn with_state(item: &mut serde_json::Value, states: &std::collections::HashMap<i64, (bool, bool)>) {
    let id = item.get("id").and_then(|v| v.as_i64()).unwrap_or(0);
    let (read, starred) = states.get(&id).copied().unwrap_or_default();
    if let Some(fields) = item.as_object_mut() {
        fields.insert("read".into(), json!(read));
        fields.insert("starred".into(), json!(starred));
    }
}

/// A JSON answer for one caller: never kept by shared caches.
fn private_json(value: &serde_json::Value) -> Result<Response, ApiError> {
    let mut response = Json(value).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}

pub async fn item(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_item_id(&id)?;
    let caller = caller(&state, &headers).await?;
    match state.store.item(ItemId(id)).await? {
        Some(item) => {
            let modified = item
                .modified_at
                .unwrap_or(item.published_at)
                .max(item.published_at);
            let Some(user) = caller else {
                return json_document(&headers, &item, Some(modified));
            };
            let states = reader_states(&state, &user, vec![item.id]).await?;
            let mut value = serde_json::to_value(&item)
                .map_err(|e| WebError::internal(format_args!("cannot write JSON: {e}")))?;
            with_state(&mut value, &states);
            private_json(&value)
        }
        None => Err(no_item(id).into()),
    }
}

/// An item id from a path: a number.
fn parse_item_id(raw: &str) -> Result<i64, WebError> {
    raw.parse()
        .map_err(|_| WebError::bad_request("invalid_id", "item ids are numbers"))
}

fn no_item(id: i64) -> WebError {
    WebError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        format!("there is no item {id}"),
    )
}

/// The account an API request speaks for: `Authorization: Bearer TOKEN`
/// (see `bulletin user token`).
async fn api_user(state: &AppState, headers: &HeaderMap) -> Result<User, ApiError> {
    let unauthorized =
        |message: &str| ApiError(WebError::new(StatusCode::UNAUTHORIZED, "Sign in", message));
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 128)
        .ok_or_else(|| {
            unauthorized("send an API token as 'Authorization: Bearer TOKEN' (create one with `bulletin user token NAME`)")
        })?;
    state
        .store
        .api_token_user(bulletin_pipeline::secret::sha256_hex(token))
        .await?
        .ok_or_else(|| unauthorized("this API token is not known"))
}

/// `PUT` stars an item for the token's account, `DELETE` unstars it.
/// Starred items are kept when old items are pruned.
pub async fn star(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = api_user(&state, &headers).await?;
    let id = parse_item_id(&id)?;
    let found = state
        .store
        .set_starred(user.id, vec![ItemId(id)], method == Method::PUT)
        .await?;
    if found == 0 {
        return Err(no_item(id).into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `PUT` marks an item read for the token's account, `DELETE` unread
/// again (reader apps see the same state).
pub async fn read(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let user = api_user(&state, &headers).await?;
    let id = parse_item_id(&id)?;
    let found = state
        .store
        .set_read(user.id, vec![ItemId(id)], method == Method::PUT)
        .await?;
    if found == 0 {
        return Err(no_item(id).into());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub async fn sources(State(state): State<AppState>) -> Result<Response, ApiError> {
    let sources = state.store.sources().await?;
    Ok(Json(json!({ "sources": sources })).into_response())
}

/// The API's description (OpenAPI 3.0), checked against its answers by
/// the schemathesis test.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database unavailable: {e}\n"),
        )
            .into_response(),
    }
}
