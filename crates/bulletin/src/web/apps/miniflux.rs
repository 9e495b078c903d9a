//! The Miniflux API v1 (`/v1/`), the part reader apps use, with the field
//! names and types of Miniflux's API reference
//! (https://miniflux.app/docs/api.html).
//!
//! Clients read for it (with the search tool):
//! - newsboat, `src/minifluxapi.cpp`: `GET /v1/categories`, `GET /v1/feeds`
//!   (`id`, `title`, `feed_url`, `category.id`), `GET /v1/feeds/{id}/entries
//!   ?order=published_at&direction=desc&limit=N` (`entries[].id`, `title`,
//!   `url`, `author`, `content`, `published_at`, `status`), and `PUT
//!   /v1/entries` with `{"entry_ids": [...], "status": "read"|"unread"}`;
//!   it signs in with basic auth.
//! - the official Python client (PyPI `miniflux`, `miniflux.py`): `/me`,
//!   `/version`, `/feeds`, `/feeds/{id}`, `/feeds/{id}/entries`,
//!   `/feeds/{id}/mark-all-as-read`, `/entries`, `/entries/{id}`,
//!   `/entries/{id}/bookmark`, `/categories` and their entries, `/export`;
//!   `X-Auth-Token` or basic auth; `POST /feeds` expects 201 `{"feed_id"}`.

use super::{Credentials, FollowError, SignInError, rfc3339, sign_in};
use crate::web::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{
    Category, ReadFilter, ReaderItem, ReaderOrder, ReaderQuery, Scope, StoreError, Subscription,
    SubscriptionEdit, User,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/v1/me", get(me))
        .route("/v1/version", get(version))
        .route("/v1/categories", get(categories).post(create_category))
        .route(
            "/v1/categories/{id}",
            put(update_category).delete(delete_category),
        )
        .route("/v1/categories/{id}/feeds", get(category_feeds))
        .route("/v1/categories/{id}/entries", get(category_entries))
        .route("/v1/categories/{id}/entries/{entry}", get(category_entry))
        .route(
            "/v1/categories/{id}/mark-all-as-read",
            put(mark_category_read),
        )
        .route("/v1/feeds", get(feeds).post(create_feed))
        .route("/v1/feeds/counters", get(counters))
        .route(
            "/v1/feeds/{id}",
            get(feed).put(update_feed).delete(delete_feed),
        )
        .route("/v1/feeds/{id}/entries", get(feed_entries))
        .route("/v1/feeds/{id}/entries/{entry}", get(feed_entry))
        .route("/v1/feeds/{id}/mark-all-as-read", put(mark_feed_read))
        .route("/v1/entries", get(entries).put(update_entries))
        .route("/v1/entries/{id}", get(entry))
        .route("/v1/entries/{id}/bookmark", put(toggle_bookmark))
        .route("/v1/entries/{id}/star", put(toggle_bookmark))
        .route("/v1/users/{id}/mark-all-as-read", put(mark_user_read))
        .route("/v1/export", get(export))
}

/// An error as Miniflux answers it: `{"error_message": "…"}`.
pub struct MinifluxError(StatusCode, String);

impl MinifluxError {
    fn bad(message: impl Into<String>) -> Self {
        MinifluxError(StatusCode::BAD_REQUEST, message.into())
    }

    fn not_found() -> Self {
        MinifluxError(StatusCode::NOT_FOUND, "Resource not found".into())
    }
}

impl IntoResponse for MinifluxError {
    fn into_response(self) -> Response {
        let mut response = (self.0, Json(json!({ "error_message": self.1 }))).into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"Bulletin\""),
            );
        }
        response
    }
}

impl From<StoreError> for MinifluxError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateCategory(_) => MinifluxError::bad("This category already exists."),
            other => {
                tracing::error!("store: {other}");
                MinifluxError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The database did not answer; try again in a moment.".into(),
                )
            }
        }
    }
}

impl From<SignInError> for MinifluxError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Refused(why) => MinifluxError(StatusCode::UNAUTHORIZED, why.into()),
            SignInError::Wait(_) => MinifluxError(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
            SignInError::Store(e) => e.into(),
        }
    }
}

type Answer = Result<Response, MinifluxError>;

/// The account a request speaks for: `X-Auth-Token: TOKEN` (an API
/// token), or basic auth with the account's app password.
pub struct Reader(User);

impl FromRequestParts<AppState> for Reader {
    type Rejection = MinifluxError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0)
            .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        let credentials = if let Some(token) = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
        {
            Credentials::Token(token.trim().to_string())
        } else if let Some((name, password)) = super::basic_credentials(&parts.headers) {
            Credentials::AppPassword { name, password }
        } else {
            return Err(MinifluxError(
                StatusCode::UNAUTHORIZED,
                "Access Unauthorized: send basic auth with the account's app password, or X-Auth-Token".into(),
            ));
        };
        Ok(Reader(
            sign_in(state, peer, &parts.headers, credentials).await?,
        ))
    }
}

fn number(raw: &str) -> Result<i64, MinifluxError> {
    raw.parse()
        .map_err(|_| MinifluxError::bad(format!("{raw:?} is not a number")))
}

/// Sent by: the Python client `miniflux.py` `me`.
async fn me(Reader(user): Reader) -> Answer {
    Ok(Json(user_json(&user)).into_response())
}

fn user_json(user: &User) -> Value {
    json!({
        "id": user.id.0,
        "username": user.name,
        "is_admin": user.role == bulletin_store::Role::Admin,
        "theme": "system_serif",
        "language": "en_US",
        "timezone": "UTC",
        "entry_sorting_direction": "desc",
        "entry_sorting_order": "published_at",
        "stylesheet": "",
        "google_id": "",
        "openid_connect_id": "",
        "entries_per_page": 100,
        "keyboard_shortcuts": true,
        "show_reading_time": true,
        "entry_swipe": true,
        "last_login_at": Value::Null,
    })
}

/// Sent by: the Python client `miniflux.py` `get_version`.
async fn version(Reader(_): Reader) -> Answer {
    Ok(Json(json!({
        "version": concat!("bulletin-", env!("CARGO_PKG_VERSION")),
        "commit": "",
        "build_date": "",
        "go_version": "",
        "compiler": "rustc",
        "arch": std::env::consts::ARCH,
        "os": std::env::consts::OS,
    }))
    .into_response())
}

fn category_json(user: &User, category: Option<&Category>) -> Value {
    serde_json::to_value(CategoryOut::of(user, category)).unwrap_or(Value::Null)
}

/// A folder as Miniflux writes it.
#[derive(Serialize, Clone)]
struct CategoryOut<'a> {
    id: i64,
    title: &'a str,
    user_id: i64,
    hide_globally: bool,
}

impl<'a> CategoryOut<'a> {
    /// A feed whose folder was removed: Miniflux has no such thing, so it
    /// is shown in a folder of id 0 that clients leave unnamed.
    fn of(user: &User, category: Option<&'a Category>) -> Self {
        CategoryOut {
            id: category.map_or(0, |c| c.id),
            title: category.map_or("", |c| c.title.as_str()),
            user_id: user.id.0,
            hide_globally: false,
        }
    }
}

/// A feed as Miniflux writes it (the fields its API reference lists;
/// rules, credentials and proxy settings are Miniflux's own and empty).
#[derive(Serialize, Clone)]
struct FeedOut<'a> {
    id: i64,
    user_id: i64,
    feed_url: String,
    site_url: String,
    title: &'a str,
    checked_at: Option<String>,
    next_check_at: String,
    etag_header: &'static str,
    last_modified_header: &'static str,
    parsing_error_message: &'a str,
    parsing_error_count: u32,
    scraper_rules: &'static str,
    rewrite_rules: &'static str,
    crawler: bool,
    blocklist_rules: &'static str,
    keeplist_rules: &'static str,
    user_agent: &'static str,
    username: &'static str,
    password: &'static str,
    disabled: bool,
    ignore_http_cache: bool,
    fetch_via_proxy: bool,
    hide_globally: bool,
    category: CategoryOut<'a>,
    icon: Option<()>,
}

fn feed_out<'a>(user: &User, s: &'a Subscription) -> FeedOut<'a> {
    let source = &s.source;
    FeedOut {
        id: source.id.0,
        user_id: user.id.0,
        feed_url: crate::web::view::link(Some(&source.url)).unwrap_or_default(),
        site_url: crate::web::view::link(source.site_url.as_deref()).unwrap_or_default(),
        title: s.display_title(),
        checked_at: source.last_fetch_at.map(rfc3339),
        next_check_at: rfc3339(source.next_fetch_at),
        etag_header: "",
        last_modified_header: "",
        parsing_error_message: source.last_error.as_deref().unwrap_or_default(),
        parsing_error_count: source.error_count,
        scraper_rules: "",
        rewrite_rules: "",
        crawler: false,
        blocklist_rules: "",
        keeplist_rules: "",
        user_agent: "",
        username: "",
        password: "",
        disabled: source.paused_at.is_some(),
        ignore_http_cache: false,
        fetch_via_proxy: false,
        hide_globally: false,
        category: CategoryOut::of(user, s.category.as_ref()),
        icon: None,
    }
}

fn feed_json(user: &User, s: &Subscription) -> Value {
    serde_json::to_value(feed_out(user, s)).unwrap_or(Value::Null)
}

/// An entry as Miniflux writes it.
#[derive(Serialize)]
struct EntryOut<'a> {
    id: i64,
    user_id: i64,
    feed_id: i64,
    status: &'static str,
    hash: String,
    title: &'a str,
    url: String,
    comments_url: &'static str,
    published_at: String,
    /// Bulletin keeps when an item changed, not when it was stored.
    created_at: String,
    changed_at: String,
    content: &'a str,
    author: String,
    share_code: &'static str,
    starred: bool,
    reading_time: u32,
    enclosures: [(); 0],
    feed: Option<&'a FeedOut<'a>>,
    tags: &'a [String],
}

fn entry_out<'a>(
    user: &User,
    entry: &'a ReaderItem,
    feed: Option<&'a FeedOut<'a>>,
) -> EntryOut<'a> {
    let item = &entry.item;
    let mut author = String::new();
    for (n, a) in item.authors.iter().enumerate() {
        if n > 0 {
            author.push_str(", ");
        }
        author.push_str(&a.name);
    }
    EntryOut {
        id: item.id.0,
        user_id: user.id.0,
        feed_id: item.source.id.0,
        status: if entry.read { "read" } else { "unread" },
        hash: format!("{:016x}", item.id.0),
        title: item.title.as_deref().unwrap_or_default(),
        url: crate::web::view::link(item.url.as_deref()).unwrap_or_default(),
        comments_url: "",
        published_at: rfc3339(item.published_at),
        created_at: rfc3339(item.published_at),
        changed_at: rfc3339(item.modified_at.unwrap_or(item.published_at)),
        content: item.html.as_deref().unwrap_or_default(),
        author,
        share_code: "",
        starred: entry.starred,
        reading_time: item.reading_time_minutes,
        enclosures: [],
        feed,
        tags: &entry.labels,
    }
}

/// The reader's folders, `?counts=true` with their feeds and unread items.
/// Sent by: newsboat `src/minifluxapi.cpp` `get_subscribed_urls` (reads `id`, `title`); the Python client `miniflux.py`
/// `get_categories`.
async fn categories(
    State(state): State<AppState>,
    Reader(user): Reader,
    RawQuery(query): RawQuery,
) -> Answer {
    let counts = params(query.as_deref())
        .get("counts")
        .and_then(|v| v.first())
        .is_some_and(|v| matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"));
    let folders = state.store.categories(user.id).await?;
    if !counts {
        let list: Vec<Value> = folders
            .iter()
            .map(|c| category_json(&user, Some(c)))
            .collect();
        return Ok(Json(list).into_response());
    }
    let subs = state.store.subscriptions(user.id).await?;
    let unread: HashMap<SourceId, u64> = state
        .store
        .unread_counts(user.id)
        .await?
        .into_iter()
        .map(|u| (u.source, u.count))
        .collect();
    let list: Vec<Value> = folders
        .iter()
        .map(|c| {
            let mine = subs
                .iter()
                .filter(|s| s.subscribed && s.category.as_ref().is_some_and(|f| f.id == c.id));
            let (feeds, total) = mine.fold((0u64, 0u64), |(n, t), s| {
                (n + 1, t + unread.get(&s.source.id).copied().unwrap_or(0))
            });
            let mut v = category_json(&user, Some(c));
            v["feed_count"] = json!(feeds);
            v["total_unread"] = json!(total);
            v
        })
        .collect();
    Ok(Json(list).into_response())
}

#[derive(Deserialize)]
struct CategoryBody {
    title: String,
}

fn category_title(body: &Bytes) -> Result<String, MinifluxError> {
    let body: CategoryBody = serde_json::from_slice(body)
        .map_err(|_| MinifluxError::bad("send a JSON object with a \"title\""))?;
    let title = body.title.trim().to_string();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(MinifluxError::bad(
            "The title must be between 1 and 200 characters.",
        ));
    }
    Ok(title)
}

/// Sent by: the Python client `miniflux.py` `create_category` (expects 201).
async fn create_category(
    State(state): State<AppState>,
    Reader(user): Reader,
    body: Bytes,
) -> Answer {
    let title = category_title(&body)?;
    let id = state
        .store
        .save_category(user.id, None, title.clone())
        .await?
        .ok_or_else(MinifluxError::not_found)?;
    let c = Category { id, title };
    Ok((StatusCode::CREATED, Json(category_json(&user, Some(&c)))).into_response())
}

async fn update_category(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let id = number(&id)?;
    let title = category_title(&body)?;
    let id = state
        .store
        .save_category(user.id, Some(id), title.clone())
        .await?
        .ok_or_else(MinifluxError::not_found)?;
    let c = Category { id, title };
    Ok((StatusCode::CREATED, Json(category_json(&user, Some(&c)))).into_response())
}

async fn delete_category(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    if state.store.remove_category(user.id, number(&id)?).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(MinifluxError::not_found())
    }
}

/// Sent by: newsboat `src/minifluxapi.cpp` `get_subscribed_urls` (reads `id`, `title`, `feed_url`,
/// `category.id`); the Python client `miniflux.py` `get_feeds`.
async fn feeds(State(state): State<AppState>, Reader(user): Reader) -> Answer {
    let list: Vec<Value> = super::followed(&state, &user)
        .await?
        .iter()
        .map(|s| feed_json(&user, s))
        .collect();
    Ok(Json(list).into_response())
}

async fn category_feeds(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let id = number(&id)?;
    let folders = state.store.categories(user.id).await?;
    if !folders.iter().any(|c| c.id == id) {
        return Err(MinifluxError::not_found());
    }
    let list: Vec<Value> = super::followed(&state, &user)
        .await?
        .iter()
        .filter(|s| s.category.as_ref().is_some_and(|c| c.id == id))
        .map(|s| feed_json(&user, s))
        .collect();
    Ok(Json(list).into_response())
}

async fn feed(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let id = SourceId(number(&id)?);
    let subs = super::followed(&state, &user).await?;
    let s = subs
        .iter()
        .find(|s| s.source.id == id)
        .ok_or_else(MinifluxError::not_found)?;
    Ok(Json(feed_json(&user, s)).into_response())
}

async fn counters(State(state): State<AppState>, Reader(user): Reader) -> Answer {
    let subs = super::followed(&state, &user).await?;
    let unread: HashMap<SourceId, u64> = state
        .store
        .unread_counts(user.id)
        .await?
        .into_iter()
        .map(|u| (u.source, u.count))
        .collect();
    let mut reads = serde_json::Map::new();
    let mut unreads = serde_json::Map::new();
    for s in &subs {
        let n = unread.get(&s.source.id).copied().unwrap_or(0);
        let key = s.source.id.0.to_string();
        unreads.insert(key.clone(), json!(n));
        reads.insert(key, json!(s.source.item_count.saturating_sub(n)));
    }
    Ok(Json(json!({"reads": reads, "unreads": unreads})).into_response())
}

#[derive(Deserialize)]
struct NewFeed {
    feed_url: String,
    category_id: Option<i64>,
    title: Option<String>,
}

/// Sent by: the Python client `miniflux.py` `create_feed` (expects 201 and `feed_id`).
async fn create_feed(State(state): State<AppState>, Reader(user): Reader, body: Bytes) -> Answer {
    let body: NewFeed = serde_json::from_slice(&body)
        .map_err(|_| MinifluxError::bad("send a JSON object with a \"feed_url\""))?;
    let already = super::followed(&state, &user)
        .await?
        .iter()
        .any(|s| s.source.url == body.feed_url.trim());
    if already {
        return Err(MinifluxError(
            StatusCode::CONFLICT,
            "This feed already exists.".into(),
        ));
    }
    let folder = body.category_id.filter(|id| *id > 0);
    match super::follow_url(&state, &user, &body.feed_url, folder, body.title).await {
        Ok(id) => Ok((StatusCode::CREATED, Json(json!({"feed_id": id.0}))).into_response()),
        Err(FollowError::NotAllowed) => Err(MinifluxError(
            StatusCode::FORBIDDEN,
            FollowError::NotAllowed.to_string(),
        )),
        Err(FollowError::NoFolder) => Err(MinifluxError::bad("This category does not exist.")),
        Err(FollowError::Store(e)) => Err(e.into()),
        Err(e @ FollowError::Subscribe(_)) => Err(MinifluxError::bad(e.to_string())),
    }
}

#[derive(Deserialize)]
struct FeedChanges {
    title: Option<String>,
    category_id: Option<i64>,
}

async fn update_feed(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
    body: Bytes,
) -> Answer {
    let id = SourceId(number(&id)?);
    let changes: FeedChanges =
        serde_json::from_slice(&body).map_err(|_| MinifluxError::bad("send a JSON object"))?;
    let edit = SubscriptionEdit {
        subscribed: None,
        category: changes.category_id.map(|c| (c > 0).then_some(c)),
        title: changes
            .title
            .map(|t| Some(t.trim().to_string()).filter(|t| !t.is_empty())),
    };
    if !state.store.edit_subscription(user.id, id, edit).await? {
        return Err(MinifluxError::not_found());
    }
    let subs = super::followed(&state, &user).await?;
    let s = subs
        .iter()
        .find(|s| s.source.id == id)
        .ok_or_else(MinifluxError::not_found)?;
    Ok((StatusCode::CREATED, Json(feed_json(&user, s))).into_response())
}

/// Unfollows the feed (for this reader; the installation keeps it).
async fn delete_feed(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let edit = SubscriptionEdit {
        subscribed: Some(false),
        ..SubscriptionEdit::default()
    };
    if state
        .store
        .edit_subscription(user.id, SourceId(number(&id)?), edit)
        .await?
    {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(MinifluxError::not_found())
    }
}

/// A query string's values by name (a name may repeat: `status=read&status=unread`).
fn params(query: Option<&str>) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        out.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    out
}

/// The entries query Miniflux's `GET /v1/entries` reads, in `scope`.
fn entry_query(
    user: &User,
    scope: Scope,
    query: Option<&str>,
) -> Result<ReaderQuery, MinifluxError> {
    let p = params(query);
    let one = |name: &str| p.get(name).and_then(|v| v.first()).map(|v| v.trim());
    let int = |name: &str| -> Result<Option<i64>, MinifluxError> {
        one(name).filter(|v| !v.is_empty()).map(number).transpose()
    };
    let time = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, MinifluxError> {
        int(name)?
            .map(|t| {
                chrono::DateTime::from_timestamp(t, 0)
                    .ok_or_else(|| MinifluxError::bad(format!("{name} is not a time")))
            })
            .transpose()
    };
    let mut q = ReaderQuery::new(user.id);
    q.scope = scope;
    q.include_content = true;
    let statuses: Vec<&str> = p
        .get("status")
        .map(|v| {
            v.iter()
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    for s in &statuses {
        if !matches!(*s, "read" | "unread" | "removed") {
            return Err(MinifluxError::bad("Invalid entry status"));
        }
    }
    let read = statuses.contains(&"read");
    let unread = statuses.contains(&"unread");
    q.status = match (read, unread) {
        (true, false) => ReadFilter::Read,
        (false, true) => ReadFilter::Unread,
        _ if statuses.iter().all(|s| *s == "removed") && !statuses.is_empty() => {
            // Bulletin removes nothing a reader can see: none are removed.
            q.ids = Some(Vec::new());
            ReadFilter::Any
        }
        _ => ReadFilter::Any,
    };
    q.order = match one("order").unwrap_or("published_at") {
        "id" => ReaderOrder::Id,
        "published_at" | "created_at" | "changed_at" | "status" | "category_title"
        | "category_id" | "" => ReaderOrder::Published,
        _ => return Err(MinifluxError::bad("Invalid entry order")),
    };
    q.ascending = match one("direction").unwrap_or("asc") {
        "asc" | "" => true,
        "desc" => false,
        _ => return Err(MinifluxError::bad("Invalid entry direction")),
    };
    let limit = int("limit")?.unwrap_or(100);
    let offset = int("offset")?.unwrap_or(0);
    if limit < 0 || offset < 0 {
        return Err(MinifluxError::bad(
            "Offset and limit must be greater than or equal to 0",
        ));
    }
    // Miniflux reads 0 as "no limit"; pages are kept to what a client
    // reads at once.
    q.limit = if limit == 0 {
        10_000
    } else {
        limit.min(10_000) as usize
    };
    q.offset = offset as usize;
    // As Go's strconv.ParseBool reads it (Python's requests sends "True").
    q.starred = match one("starred") {
        Some("1" | "t" | "T" | "true" | "TRUE" | "True") => Some(true),
        Some("0" | "f" | "F" | "false" | "FALSE" | "False") => Some(false),
        _ => None,
    };
    q.published_before = time("before")?.or(time("published_before")?);
    q.published_after = time("after")?.or(time("published_after")?);
    q.before_id = int("before_entry_id")?.map(ItemId);
    q.after_id = int("after_entry_id")?.map(ItemId);
    q.search = one("search").filter(|s| !s.is_empty()).map(str::to_string);
    if let Some(c) = int("category_id")? {
        q.scope = Scope::Category(c);
    }
    if let Some(f) = int("feed_id")? {
        q.scope = Scope::Source(SourceId(f));
    }
    Ok(q)
}

/// Entries with their feeds, as `{"total", "entries"}`.
async fn entry_list(state: &AppState, user: &User, q: ReaderQuery) -> Answer {
    let total = state.store.reader_count(q.clone()).await?;
    let entries = state.store.reader_items(q).await?;
    let subs = super::page_subscriptions(state, user, &entries).await?;
    let feeds: HashMap<SourceId, FeedOut> = subs
        .iter()
        .map(|s| (s.source.id, feed_out(user, s)))
        .collect();
    #[derive(Serialize)]
    struct Page<'a> {
        total: u64,
        entries: Vec<EntryOut<'a>>,
    }
    let page = Page {
        total,
        entries: entries
            .iter()
            .map(|e| entry_out(user, e, feeds.get(&e.item.source.id)))
            .collect(),
    };
    Ok(Json(page).into_response())
}

/// Sent by: the Python client `miniflux.py` `get_entries` (every filter of the API reference).
async fn entries(
    State(state): State<AppState>,
    Reader(user): Reader,
    RawQuery(query): RawQuery,
) -> Answer {
    let q = entry_query(&user, Scope::Subscribed, query.as_deref())?;
    entry_list(&state, &user, q).await
}

/// Sent by: newsboat `src/minifluxapi.cpp` `fetch_feed` (`order=published_at&direction=desc`, a
/// limit in newer versions); the Python client `miniflux.py` `get_feed_entries`.
async fn feed_entries(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let scope = Scope::Source(SourceId(number(&id)?));
    let q = entry_query(&user, scope, query.as_deref())?;
    entry_list(&state, &user, q).await
}

async fn category_entries(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let scope = Scope::Category(number(&id)?);
    let q = entry_query(&user, scope, query.as_deref())?;
    entry_list(&state, &user, q).await
}

/// One entry, in `scope`.
async fn one_entry(state: &AppState, user: &User, scope: Scope, id: &str) -> Answer {
    let q = ReaderQuery {
        scope,
        ids: Some(vec![ItemId(number(id)?)]),
        include_content: true,
        ..ReaderQuery::new(user.id)
    };
    let found = state.store.reader_items(q).await?;
    let entry = found.first().ok_or_else(MinifluxError::not_found)?;
    let subs = super::page_subscriptions(state, user, &found).await?;
    let feed = subs.first().map(|s| feed_out(user, s));
    Ok(Json(entry_out(user, entry, feed.as_ref())).into_response())
}

async fn entry(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    // Any source the item is in: looked up first.
    let item = state
        .store
        .item(ItemId(number(&id)?))
        .await?
        .ok_or_else(MinifluxError::not_found)?;
    one_entry(&state, &user, Scope::Source(item.source.id), &id).await
}

async fn feed_entry(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path((feed, id)): Path<(String, String)>,
) -> Answer {
    let scope = Scope::Source(SourceId(number(&feed)?));
    one_entry(&state, &user, scope, &id).await
}

async fn category_entry(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path((category, id)): Path<(String, String)>,
) -> Answer {
    let scope = Scope::Category(number(&category)?);
    one_entry(&state, &user, scope, &id).await
}

#[derive(Deserialize)]
struct EntriesUpdate {
    entry_ids: Vec<i64>,
    status: String,
}

/// Sent by: newsboat `src/minifluxapi.cpp` `update_articles` (`entry_ids`, `status`); the Python client `miniflux.py`
/// `update_entries`.
async fn update_entries(
    State(state): State<AppState>,
    Reader(user): Reader,
    body: Bytes,
) -> Answer {
    let update: EntriesUpdate = serde_json::from_slice(&body).map_err(|_| {
        MinifluxError::bad("send {\"entry_ids\": [...], \"status\": \"read\" or \"unread\"}")
    })?;
    let read = match update.status.as_str() {
        "read" => true,
        "unread" => false,
        _ => return Err(MinifluxError::bad("Invalid entry status")),
    };
    if update.entry_ids.is_empty() {
        return Err(MinifluxError::bad("The list of entry IDs is empty"));
    }
    if update.entry_ids.len() > 10_000 {
        return Err(MinifluxError::bad("At most 10000 entries at once"));
    }
    let ids = update.entry_ids.into_iter().map(ItemId).collect();
    state.store.set_read(user.id, ids, read).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sent by: the Python client `miniflux.py` `toggle_bookmark` (a toggle, as in Miniflux).
async fn toggle_bookmark(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let id = ItemId(number(&id)?);
    let starred = state.store.starred(user.id, vec![id]).await?;
    if state.store.item(id).await?.is_none() {
        return Err(MinifluxError::not_found());
    }
    let now = !starred.first().copied().unwrap_or(false);
    state.store.set_starred(user.id, vec![id], now).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sent by: the Python client `miniflux.py` `mark_feed_entries_as_read`.
async fn mark_feed_read(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let scope = Scope::Source(SourceId(number(&id)?));
    state.store.mark_all_read(user.id, scope, None).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn mark_category_read(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    let id = number(&id)?;
    if !state
        .store
        .categories(user.id)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        return Err(MinifluxError::not_found());
    }
    state
        .store
        .mark_all_read(user.id, Scope::Category(id), None)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn mark_user_read(
    State(state): State<AppState>,
    Reader(user): Reader,
    Path(id): Path<String>,
) -> Answer {
    if number(&id)? != user.id.0 {
        return Err(MinifluxError(
            StatusCode::FORBIDDEN,
            "Access Forbidden: a reader marks only their own entries".into(),
        ));
    }
    state
        .store
        .mark_all_read(user.id, Scope::Subscribed, None)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The reader's followed feeds as OPML, in their folders.
/// Sent by: the Python client `miniflux.py` `export_feeds`.
async fn export(State(state): State<AppState>, Reader(user): Reader) -> Answer {
    let opml = super::reader_opml(&state, &user).await?;
    Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], opml).into_response())
}
