//! The Google Reader API as the self-hosted readers serve it
//! (`/accounts/ClientLogin`, `/reader/api/0/…`), for the apps that speak
//! it: most of the apps in FreshRSS's compatibility table.
//!
//! What the apps send and read, from their source (read with the search
//! tool):
//! - Read You, `app/src/main/java/me/ash/reader/infrastructure/rss/provider/
//!   greader/GoogleReaderAPI.kt` and `GoogleReaderDTO.kt`: `ClientLogin` by
//!   POST form (`Email`, `Passwd`, `output=json`; reads `Auth` from JSON or
//!   an `Auth=` line), `token`, `user-info`, `subscription/list`,
//!   `stream/items/ids` (`s`, `xt`, `ot`, `n=10000`; reads `itemRefs[].id`,
//!   decimal), `stream/items/contents` (POST `i` as 16-digit hex; reads
//!   `items[].id`, `published`, `title`, `summary.content`, `categories`,
//!   `origin.streamId`, `author`, `canonical`/`alternate[].href`),
//!   `edit-tag` (`i` as `tag:google.com,2005:reader/item/…`, `a`/`r`),
//!   `subscription/quickadd`, `subscription/edit` (`ac`, `s`, `a`, `r`,
//!   `t`), `rename-tag`, `disable-tag`, `mark-all-as-read` (`s`, `ts`);
//!   every GET ends in `?output=json`, every POST carries `T`.
//! - newsboat, `src/freshrssapi.cpp` (its FreshRSS mode): `ClientLogin`
//!   (reads the `Auth=` line), `subscription/list?output=json` (`id`,
//!   `title`, `categories[].label`), `stream/contents/{feed id}?n=N` without
//!   `output` (reads `items[].title`, `canonical[].href`, `author`,
//!   `summary`, `id`, `published`, `enclosure`, `categories`), `edit-tag`
//!   and `mark-all-as-read` with `T`, expecting the body `OK`.
//!
//! Item ids: the long form `tag:google.com,2005:reader/item/` + 16 hex
//! digits, and the short form, the same number in decimal; both are read
//! wherever an item id is, and 16 hex digits alone too.

use super::{Credentials, FollowError, SignInError, sign_in};
use crate::web::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use bulletin_core::{ItemId, SourceId};
use bulletin_pipeline::secret;
use bulletin_store::{
    Category, ReadFilter, ReaderItem, ReaderOrder, ReaderQuery, Scope, StoreError, Subscription,
    SubscriptionEdit, User,
};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::SocketAddr;

const READING_LIST: &str = "user/-/state/com.google/reading-list";
const READ: &str = "user/-/state/com.google/read";
const STARRED: &str = "user/-/state/com.google/starred";
const KEPT_UNREAD: &str = "user/-/state/com.google/kept-unread";
const LABEL: &str = "user/-/label/";
const ITEM_PREFIX: &str = "tag:google.com,2005:reader/item/";
/// The most items one request lists.
const MAX_ITEMS: usize = 10_000;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route(
            "/accounts/ClientLogin",
            get(client_login).post(client_login),
        )
        .route("/reader/api/0/token", get(token))
        .route("/reader/api/0/user-info", get(user_info))
        .route("/reader/api/0/subscription/list", get(subscription_list))
        .route("/reader/api/0/subscription/edit", post(subscription_edit))
        .route(
            "/reader/api/0/subscription/quickadd",
            post(quickadd).get(quickadd),
        )
        .route("/reader/api/0/subscription/export", get(export))
        .route("/reader/api/0/subscription/import", post(import))
        .route("/reader/api/0/tag/list", get(tag_list))
        .route("/reader/api/0/rename-tag", post(rename_tag))
        .route("/reader/api/0/disable-tag", post(disable_tag))
        .route("/reader/api/0/unread-count", get(unread_count))
        .route("/reader/api/0/stream/contents", get(stream_contents_query))
        .route(
            "/reader/api/0/stream/contents/{*stream}",
            get(stream_contents),
        )
        .route("/reader/api/0/stream/items/ids", get(item_ids))
        .route("/reader/atom/{*stream}", get(stream_atom))
        .route(
            "/reader/api/0/stream/items/contents",
            get(items_contents).post(items_contents),
        )
        .route("/reader/api/0/edit-tag", post(edit_tag))
        .route("/reader/api/0/mark-all-as-read", post(mark_all_as_read))
}

/// An error as these servers answer it: a status and a line of text.
pub struct GReaderError(StatusCode, String);

impl GReaderError {
    fn bad(message: impl Into<String>) -> Self {
        GReaderError(StatusCode::BAD_REQUEST, message.into())
    }
}

impl IntoResponse for GReaderError {
    fn into_response(self) -> Response {
        let mut response = (self.0, format!("{}\n", self.1)).into_response();
        if self.0 == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert("google-bad-token", header::HeaderValue::from_static("true"));
        }
        response
    }
}

impl From<StoreError> for GReaderError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::DuplicateCategory(name) => {
                GReaderError::bad(format!("there is already a folder named {name:?}"))
            }
            other => {
                tracing::error!("store: {other}");
                GReaderError(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the database did not answer; try again in a moment".into(),
                )
            }
        }
    }
}

impl From<SignInError> for GReaderError {
    fn from(e: SignInError) -> Self {
        match e {
            SignInError::Refused(_) => {
                GReaderError(StatusCode::UNAUTHORIZED, "Unauthorized!".into())
            }
            SignInError::Wait(_) => GReaderError(StatusCode::TOO_MANY_REQUESTS, e.to_string()),
            SignInError::Store(e) => e.into(),
        }
    }
}

type Answer = Result<Response, GReaderError>;

fn peer_of(parts: &Parts) -> SocketAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)))
}

/// A request's values by name, from its query and, for a form POST, its
/// body (names repeat: `i=…&i=…`).
#[derive(Default)]
struct Fields(HashMap<String, Vec<String>>);

impl Fields {
    fn read(query: Option<&str>, body: Option<&[u8]>) -> Fields {
        let mut out: HashMap<String, Vec<String>> = HashMap::new();
        let mut add = |bytes: &[u8]| {
            for (k, v) in url::form_urlencoded::parse(bytes) {
                out.entry(k.into_owned()).or_default().push(v.into_owned());
            }
        };
        add(query.unwrap_or("").as_bytes());
        if let Some(body) = body {
            add(body);
        }
        Fields(out)
    }

    fn one(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|v| v.first())
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0
            .get(name)
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
}

/// The account a request speaks for (`Authorization: GoogleLogin
/// auth=TOKEN`, a token `ClientLogin` gave), with that token.
pub struct Reader {
    user: User,
    auth: String,
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = GReaderError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                let (scheme, rest) = v.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("GoogleLogin").then_some(rest)
            })
            .and_then(|rest| rest.trim().strip_prefix("auth="))
            .map(str::to_string)
            .ok_or_else(|| GReaderError(StatusCode::UNAUTHORIZED, "Unauthorized!".into()))?;
        let user = sign_in(
            state,
            peer_of(parts),
            &parts.headers,
            Credentials::Token(auth.clone()),
        )
        .await?;
        Ok(Reader { user, auth })
    }
}

/// The action token (`T`) for an auth token: derived from it, so any
/// process can check it without storing it.
fn action_token(auth: &str) -> String {
    secret::sha256_hex(&format!("greader-action:{auth}"))[..57].to_string()
}

/// A POST's `T`, when sent, must be the one `token` gave for this auth
/// token (a client that sends none is let through, as FreshRSS does: the
/// auth token is in a header no other site can set).
fn check_action_token(reader: &Reader, fields: &Fields) -> Result<(), GReaderError> {
    match fields.one("T") {
        Some(t) if !secret::same_secret(t, &action_token(&reader.auth)) => Err(GReaderError(
            StatusCode::UNAUTHORIZED,
            "Unauthorized! The action token (T) is not this session's: get one from reader/api/0/token".into(),
        )),
        _ => Ok(()),
    }
}

fn text(body: impl Into<String>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn ok() -> Answer {
    Ok(text("OK"))
}

/// `accounts/ClientLogin`: `Email` (the account name) and `Passwd` (its
/// app password), by POST form or query; answers `SID`/`LSID`/`Auth` as
/// lines, or as JSON with `output=json` (Read You reads either).
/// Sent by: Read You `GoogleReaderAPI.kt` `reauthenticate` (POST form, `output=json`); newsboat `src/freshrssapi.cpp`
/// `retrieve_auth` (POST form, reads the `Auth=` line).
async fn client_login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    let (Some(name), Some(password)) = (
        fields.one("Email"),
        fields.0.get("Passwd").and_then(|v| v.first()),
    ) else {
        return Err(GReaderError(
            StatusCode::UNAUTHORIZED,
            "Error=BadAuthentication (send Email and Passwd: the account name and its app password)".into(),
        ));
    };
    let credentials = Credentials::AppPassword {
        name: name.to_string(),
        password: password.clone(),
    };
    let user = match sign_in(&state, peer, &headers, credentials).await {
        Ok(user) => user,
        Err(SignInError::Refused(_)) => {
            return Err(GReaderError(
                StatusCode::UNAUTHORIZED,
                "Error=BadAuthentication".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let token = secret::random_hex(32)
        .map_err(|e| GReaderError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let auth = format!("{}/{token}", user.name);
    state
        .store
        .add_api_token(
            user.id,
            "Google Reader app".into(),
            secret::sha256_hex(&auth),
        )
        .await?;
    if fields.one("output") == Some("json") {
        return Ok(Json(json!({"SID": auth, "LSID": auth, "Auth": auth})).into_response());
    }
    Ok(text(format!("SID={auth}\nLSID={auth}\nAuth={auth}\n")))
}

/// Sent by: Read You `GoogleReaderAPI.kt` `reauthenticate`; newsboat `src/freshrssapi.cpp` `get_new_token`.
async fn token(reader: Reader) -> Answer {
    Ok(text(action_token(&reader.auth)))
}

/// Sent by: Read You `GoogleReaderAPI.kt` `getUserInfo` (reads `userId`, `userName`).
async fn user_info(Reader { user, .. }: Reader) -> Answer {
    Ok(Json(json!({
        "userId": user.id.0.to_string(),
        "userName": user.name,
        "userProfileId": user.id.0.to_string(),
        "userEmail": "",
    }))
    .into_response())
}

fn label_id(title: &str) -> String {
    format!("{LABEL}{title}")
}

fn feed_id(source: SourceId) -> String {
    format!("feed/{}", source.0)
}

fn subscription_json(s: &Subscription) -> Value {
    let categories: Vec<Value> = s
        .category
        .iter()
        .map(|c| json!({"id": label_id(&c.title), "label": c.title}))
        .collect();
    json!({
        "id": feed_id(s.source.id),
        "title": s.display_title(),
        "categories": categories,
        "url": crate::web::view::link(Some(&s.source.url)).unwrap_or_default(),
        "htmlUrl": crate::web::view::link(s.source.site_url.as_deref()).unwrap_or_default(),
        "iconUrl": "",
        "sortid": format!("{:08X}", s.source.id.0),
        "firstitemmsec": "0",
    })
}

/// Sent by: Read You `GoogleReaderAPI.kt` `getSubscriptionList`; newsboat `src/freshrssapi.cpp` `get_subscribed_urls` (reads
/// `id`, `title`, `categories[].label`).
async fn subscription_list(State(state): State<AppState>, Reader { user, .. }: Reader) -> Answer {
    let list: Vec<Value> = super::followed(&state, &user)
        .await?
        .iter()
        .map(subscription_json)
        .collect();
    Ok(Json(json!({ "subscriptions": list })).into_response())
}

/// A folder by its label stream id (`user/-/label/NAME` or
/// `user/123/label/NAME`), created when `create`.
async fn folder(
    state: &AppState,
    user: &User,
    stream: &str,
    create: bool,
) -> Result<Option<Category>, GReaderError> {
    let Some(name) = label_name(stream) else {
        return Ok(None);
    };
    let folders = state.store.categories(user.id).await?;
    if let Some(c) = folders.into_iter().find(|c| c.title == name) {
        return Ok(Some(c));
    }
    if !create {
        return Ok(None);
    }
    let id = state
        .store
        .save_category(user.id, None, name.to_string())
        .await?;
    Ok(id.map(|id| Category {
        id,
        title: name.to_string(),
    }))
}

/// A stream id with the user part written as `-`.
fn normalized(stream: &str) -> String {
    match stream.strip_prefix("user/") {
        Some(rest) => match rest.split_once('/') {
            Some((_, tail)) => format!("user/-/{tail}"),
            None => stream.to_string(),
        },
        None => stream.to_string(),
    }
}

fn label_name(stream: &str) -> Option<String> {
    normalized(stream)
        .strip_prefix(LABEL)
        .map(str::to_string)
        .filter(|n| !n.trim().is_empty())
}

/// A feed stream id's source: `feed/ID`, or `feed/URL` as Google wrote it.
async fn source_of(
    state: &AppState,
    user: &User,
    stream: &str,
) -> Result<Option<SourceId>, GReaderError> {
    let Some(rest) = stream.strip_prefix("feed/") else {
        return Ok(None);
    };
    if let Ok(id) = rest.parse::<i64>() {
        return Ok(Some(SourceId(id)));
    }
    Ok(state
        .store
        .subscriptions(user.id)
        .await?
        .into_iter()
        .find(|s| s.source.url == rest)
        .map(|s| s.source.id))
}

/// `subscription/edit`: `ac` is `subscribe`, `unsubscribe` or `edit`; `s`
/// the feed (`feed/ID`, or `feed/URL` to subscribe), `a`/`r` the folder to
/// put it in or take it out of, `t` its title.
/// Sent by: Read You `GoogleReaderAPI.kt` `subscriptionEdit` (`ac`, `s`, `a`, `r`, `t`).
async fn subscription_edit(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let action = fields.one("ac").unwrap_or("edit");
    let streams: Vec<&str> = fields.all("s").collect();
    if streams.is_empty() {
        return Err(GReaderError::bad("send the feed as s=feed/ID"));
    }
    let add_to = match fields.one("a") {
        Some(a) => Some(
            folder(&state, user, a, true)
                .await?
                .ok_or_else(|| GReaderError::bad("a must be a folder: user/-/label/NAME"))?,
        ),
        None => None,
    };
    let take_out = match fields.one("r") {
        Some(r) => folder(&state, user, r, false).await?,
        None => None,
    };
    let title = fields.one("t").map(str::to_string);
    for stream in streams {
        let source = match (action, source_of(&state, user, stream).await?) {
            ("subscribe", None) => {
                let url = stream.strip_prefix("feed/").unwrap_or(stream);
                follow(
                    &state,
                    user,
                    url,
                    add_to.as_ref().map(|c| c.id),
                    title.clone(),
                )
                .await?
            }
            (_, Some(source)) => source,
            (_, None) => return Err(GReaderError::bad(format!("no such feed: {stream}"))),
        };
        let mut edit = SubscriptionEdit {
            title: title.clone().map(Some),
            ..SubscriptionEdit::default()
        };
        match action {
            "unsubscribe" => edit.subscribed = Some(false),
            "subscribe" => edit.subscribed = Some(true),
            "edit" => {}
            other => return Err(GReaderError::bad(format!("unknown action ac={other}"))),
        }
        if let Some(c) = &add_to {
            edit.category = Some(Some(c.id));
        } else if take_out.is_some() {
            let current = state
                .store
                .subscriptions(user.id)
                .await?
                .into_iter()
                .find(|s| s.source.id == source)
                .and_then(|s| s.category);
            if current.map(|c| c.id) == take_out.as_ref().map(|c| c.id) {
                edit.category = Some(None);
            }
        }
        if !state.store.edit_subscription(user.id, source, edit).await? {
            return Err(GReaderError(
                StatusCode::NOT_FOUND,
                format!("no such feed: {stream}"),
            ));
        }
    }
    ok()
}

async fn follow(
    state: &AppState,
    user: &User,
    url: &str,
    folder: Option<i64>,
    title: Option<String>,
) -> Result<SourceId, GReaderError> {
    super::follow_url(state, user, url, folder, title)
        .await
        .map_err(|e| match e {
            FollowError::NotAllowed => GReaderError(StatusCode::FORBIDDEN, e.to_string()),
            FollowError::Store(e) => e.into(),
            other => GReaderError::bad(other.to_string()),
        })
}

/// `subscription/quickadd?quickadd=URL`: follows a feed (or the feed a
/// page advertises).
/// Sent by: Read You `GoogleReaderAPI.kt` `subscriptionQuickAdd` (reads `streamId`, `streamName`).
async fn quickadd(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let url = fields
        .one("quickadd")
        .ok_or_else(|| GReaderError::bad("send the feed's address as quickadd=URL"))?;
    let url = url.strip_prefix("feed/").unwrap_or(url).to_string();
    let source = follow(&state, &reader.user, &url, None, None).await?;
    let title = state
        .store
        .source(source)
        .await?
        .map(|s| s.display_title().to_string())
        .unwrap_or_default();
    Ok(Json(json!({
        "numResults": 1,
        "query": url,
        "streamId": feed_id(source),
        "streamName": title,
    }))
    .into_response())
}

async fn export(State(state): State<AppState>, Reader { user, .. }: Reader) -> Answer {
    let opml = super::reader_opml(&state, &user).await?;
    Ok(([(header::CONTENT_TYPE, "text/x-opml; charset=utf-8")], opml).into_response())
}

/// `subscription/import`: an OPML document as the body. Feeds the
/// installation has are followed, in the document's folders; new ones are
/// added when the reader may add sources, else listed as refused.
async fn import(State(state): State<AppState>, Reader { user, .. }: Reader, body: Bytes) -> Answer {
    let feeds = bulletin_feeds::parse_opml(&body)
        .map_err(|e| GReaderError::bad(format!("{e}; send an OPML document as the body")))?;
    let mut refused = Vec::new();
    for feed in feeds {
        let folder = match &feed.category {
            Some(name) => folder(&state, &user, &label_id(name), true)
                .await?
                .map(|c| c.id),
            None => None,
        };
        let known = followed_or_not(&state, &user, &feed.url).await?;
        let result = match known {
            Some(source) => {
                let edit = SubscriptionEdit {
                    subscribed: Some(true),
                    category: folder.map(Some),
                    title: None,
                };
                state.store.edit_subscription(user.id, source, edit).await?;
                Ok(())
            }
            None if user.role == bulletin_store::Role::Admin || state.readers_add_sources => {
                let added = state
                    .store
                    .add_source(bulletin_store::NewSource {
                        url: feed.url.clone(),
                        site_url: bulletin_core::keep_web_url(feed.site_url.clone()),
                        title: feed.title.clone(),
                        kind: None,
                        category: feed.category.clone(),
                    })
                    .await;
                match added {
                    Ok(id) | Err(StoreError::DuplicateSource(id)) => {
                        let edit = SubscriptionEdit {
                            subscribed: Some(true),
                            category: folder.map(Some),
                            title: None,
                        };
                        state.store.edit_subscription(user.id, id, edit).await?;
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            None => {
                refused.push(feed.url.clone());
                Ok(())
            }
        };
        result?;
    }
    if refused.is_empty() {
        ok()
    } else {
        Err(GReaderError(
            StatusCode::FORBIDDEN,
            format!("{}: {}", FollowError::NotAllowed, refused.join(", ")),
        ))
    }
}

async fn followed_or_not(
    state: &AppState,
    user: &User,
    url: &str,
) -> Result<Option<SourceId>, GReaderError> {
    Ok(state
        .store
        .subscriptions(user.id)
        .await?
        .into_iter()
        .find(|s| s.source.url == url.trim())
        .map(|s| s.source.id))
}

/// Read by the apps to list folders and labels (`type` folder or tag, as
/// FreshRSS answers).
async fn tag_list(State(state): State<AppState>, Reader { user, .. }: Reader) -> Answer {
    let mut tags = vec![json!({"id": STARRED})];
    let folders = state.store.categories(user.id).await?;
    for c in &folders {
        tags.push(json!({"id": label_id(&c.title), "type": "folder"}));
    }
    for (label, _) in state.store.labels(user.id).await? {
        if !folders.iter().any(|c| c.title == label) {
            tags.push(json!({"id": label_id(&label), "type": "tag"}));
        }
    }
    Ok(Json(json!({ "tags": tags })).into_response())
}

/// `rename-tag`: `s` the label, `dest` its new name (a folder and the
/// items' label of that name alike).
/// Sent by: Read You `GoogleReaderAPI.kt` `renameTag` (`s`, `dest`).
async fn rename_tag(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let (Some(from), Some(to)) = (
        fields.one("s").and_then(label_name),
        fields.one("dest").and_then(label_name),
    ) else {
        return Err(GReaderError::bad(
            "send s=user/-/label/OLD and dest=user/-/label/NEW",
        ));
    };
    if let Some(c) = folder(&state, user, &label_id(&from), false).await? {
        state
            .store
            .save_category(user.id, Some(c.id), to.clone())
            .await?;
    }
    state.store.rename_label(user.id, from, to).await?;
    ok()
}

/// `disable-tag`: `s` the label; its folder goes (its feeds stay followed,
/// in no folder) and items lose it.
/// Sent by: Read You `GoogleReaderAPI.kt` `disableTag` (`s`).
async fn disable_tag(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let name = fields
        .one("s")
        .and_then(label_name)
        .ok_or_else(|| GReaderError::bad("send s=user/-/label/NAME"))?;
    if let Some(c) = folder(&state, user, &label_id(&name), false).await? {
        state.store.remove_category(user.id, c.id).await?;
    }
    let labelled = state
        .store
        .reader_refs(ReaderQuery {
            label: Some(name.clone()),
            ..ReaderQuery::new(user.id)
        })
        .await?;
    if !labelled.is_empty() {
        let ids = labelled.iter().map(|r| r.id).collect();
        state.store.set_label(user.id, ids, name, false).await?;
    }
    ok()
}

fn usec(t: chrono::DateTime<chrono::Utc>) -> String {
    (t.timestamp_micros()).to_string()
}

/// Read by the apps for their badges (`unreadcounts[].id`, `count`,
/// `newestItemTimestampUsec`).
async fn unread_count(State(state): State<AppState>, Reader { user, .. }: Reader) -> Answer {
    let counts = state.store.unread_counts(user.id).await?;
    let subs = super::followed(&state, &user).await?;
    let folder_of: HashMap<SourceId, &Category> = subs
        .iter()
        .filter_map(|s| s.category.as_ref().map(|c| (s.source.id, c)))
        .collect();
    let mut list = Vec::new();
    let mut folders: HashMap<String, (u64, Option<chrono::DateTime<chrono::Utc>>)> = HashMap::new();
    let (mut total, mut newest) = (0u64, None);
    for c in &counts {
        list.push(json!({
            "id": feed_id(c.source),
            "count": c.count,
            "newestItemTimestampUsec": c.newest.map(usec).unwrap_or_default(),
        }));
        total += c.count;
        newest = newest.max(c.newest);
        if let Some(folder) = folder_of.get(&c.source) {
            let entry = folders.entry(folder.title.clone()).or_default();
            entry.0 += c.count;
            entry.1 = entry.1.max(c.newest);
        }
    }
    for (title, (count, newest)) in folders {
        list.push(json!({
            "id": label_id(&title),
            "count": count,
            "newestItemTimestampUsec": newest.map(usec).unwrap_or_default(),
        }));
    }
    list.push(json!({
        "id": READING_LIST,
        "count": total,
        "newestItemTimestampUsec": newest.map(usec).unwrap_or_default(),
    }));
    Ok(Json(json!({"max": total, "unreadcounts": list})).into_response())
}

/// An item id in any of the forms clients send: the long tag form, 16 hex
/// digits, or decimal.
fn item_id(raw: &str) -> Option<ItemId> {
    let raw = raw.trim();
    if let Some(hex) = raw.strip_prefix(ITEM_PREFIX) {
        return i64::from_str_radix(hex, 16).ok().map(ItemId);
    }
    if raw.len() == 16 && raw.bytes().all(|b| b.is_ascii_hexdigit()) {
        return i64::from_str_radix(raw, 16).ok().map(ItemId);
    }
    raw.parse().ok().map(ItemId)
}

/// The items a request names with `i` (in any id form).
fn named_items(fields: &Fields) -> Vec<ItemId> {
    fields
        .all("i")
        .filter_map(item_id)
        .take(MAX_ITEMS)
        .collect()
}

fn long_id(id: ItemId) -> String {
    format!("{ITEM_PREFIX}{:016x}", id.0)
}

/// The listing a stream id and its parameters ask for: `s` (or the path),
/// `xt`/`it` (exclude or include a state), `ot`/`nt` (oldest and newest
/// time, seconds), `r=o` (oldest first), `n` (how many), `c` (where the
/// previous page ended).
async fn stream_query(
    state: &AppState,
    user: &User,
    stream: &str,
    fields: &Fields,
    default_n: usize,
) -> Result<ReaderQuery, GReaderError> {
    let mut q = ReaderQuery::new(user.id);
    let stream = normalized(stream);
    match stream.as_str() {
        READING_LIST | "" => {}
        STARRED => q.starred = Some(true),
        READ => q.status = ReadFilter::Read,
        KEPT_UNREAD => q.status = ReadFilter::Unread,
        s if s.starts_with("feed/") => {
            q.scope = Scope::Source(source_of(state, user, s).await?.ok_or_else(|| {
                GReaderError(StatusCode::NOT_FOUND, format!("no such feed: {s}"))
            })?);
        }
        s if s.starts_with(LABEL) => match folder(state, user, s, false).await? {
            Some(c) => q.scope = Scope::Category(c.id),
            None => q.label = label_name(s),
        },
        s => return Err(GReaderError::bad(format!("unknown stream {s}"))),
    }
    for exclude in fields.all("xt") {
        match normalized(exclude).as_str() {
            READ => q.status = ReadFilter::Unread,
            STARRED => q.starred = Some(false),
            _ => {}
        }
    }
    for include in fields.all("it") {
        match normalized(include).as_str() {
            READ => q.status = ReadFilter::Read,
            STARRED => q.starred = Some(true),
            _ => {}
        }
    }
    let seconds = |name: &str| -> Result<Option<chrono::DateTime<chrono::Utc>>, GReaderError> {
        fields
            .one(name)
            .map(|v| {
                v.parse::<i64>()
                    .ok()
                    .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
                    .ok_or_else(|| GReaderError::bad(format!("{name} must be a time in seconds")))
            })
            .transpose()
    };
    // Both bounds inclusive, as the apps mean them.
    q.published_after = seconds("ot")?.map(|t| t - chrono::Duration::milliseconds(1));
    q.published_before = seconds("nt")?.map(|t| t + chrono::Duration::seconds(1));
    q.ascending = fields.one("r") == Some("o");
    q.order = ReaderOrder::Published;
    q.limit = match fields.one("n") {
        Some(n) => n
            .parse::<usize>()
            .map_err(|_| GReaderError::bad("n must be a number"))?
            .clamp(1, MAX_ITEMS),
        None => default_n,
    };
    q.offset = match fields.one("c") {
        Some(c) => c
            .parse::<usize>()
            .map_err(|_| GReaderError::bad("c must be a continuation this server gave"))?,
        None => 0,
    };
    Ok(q)
}

fn item_json(entry: &ReaderItem, folders: &HashMap<SourceId, String>) -> Value {
    let item = &entry.item;
    let mut categories = vec![READING_LIST.to_string()];
    if let Some(title) = folders.get(&item.source.id) {
        categories.push(label_id(title));
    }
    if entry.read {
        categories.push(READ.to_string());
    }
    if entry.starred {
        categories.push(STARRED.to_string());
    }
    categories.extend(entry.labels.iter().map(|l| label_id(l)));
    let href = crate::web::view::link(item.url.as_deref()).unwrap_or_default();
    let author = item
        .authors
        .iter()
        .map(|a| a.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let content = item.html.clone().unwrap_or_default();
    let mut v = json!({
        "id": long_id(item.id),
        "crawlTimeMsec": item.published_at.timestamp_millis().to_string(),
        "timestampUsec": usec(item.published_at),
        "published": item.published_at.timestamp(),
        "updated": item.modified_at.unwrap_or(item.published_at).timestamp(),
        "title": item.title.clone().unwrap_or_default(),
        "summary": {"direction": "ltr", "content": content},
        "canonical": [{"href": href}],
        "alternate": [{"href": href, "type": "text/html"}],
        "categories": categories,
        "origin": {
            "streamId": feed_id(item.source.id),
            "title": item.source.title,
            "htmlUrl": "",
        },
    });
    if !author.is_empty() {
        v["author"] = json!(author);
    }
    v
}

/// The folders of the entries' sources.
async fn folder_titles(
    state: &AppState,
    user: &User,
    entries: &[ReaderItem],
) -> Result<HashMap<SourceId, String>, GReaderError> {
    Ok(super::page_subscriptions(state, user, entries)
        .await?
        .into_iter()
        .filter_map(|s| s.category.map(|c| (s.source.id, c.title)))
        .collect())
}

/// A page of a stream's items, with a continuation when there is more.
async fn contents(state: &AppState, user: &User, stream: &str, fields: &Fields) -> Answer {
    let mut q = stream_query(state, user, stream, fields, 20).await?;
    q.include_content = true;
    let limit = q.limit;
    let offset = q.offset;
    q.limit = limit + 1;
    let mut entries = state.store.reader_items(q).await?;
    let more = entries.len() > limit;
    entries.truncate(limit);
    let folders = folder_titles(state, user, &entries).await?;
    let items: Vec<Value> = entries.iter().map(|e| item_json(e, &folders)).collect();
    let mut v = json!({
        "id": stream,
        "updated": chrono::Utc::now().timestamp(),
        "items": items,
    });
    if more {
        v["continuation"] = json!((offset + limit).to_string());
    }
    Ok(Json(v).into_response())
}

/// `stream/contents/{stream}` (newsboat's FreshRSS mode: `?n=N`).
/// Sent by: newsboat `src/freshrssapi.cpp` `fetch_feed` (`stream/contents/feed%2FID?n=N`).
async fn stream_contents(
    State(state): State<AppState>,
    Reader { user, .. }: Reader,
    Path(stream): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    let fields = Fields::read(query.as_deref(), None);
    contents(&state, &user, &stream, &fields).await
}

/// `reader/atom/{stream}`: the stream as an Atom document, each entry's
/// state as a category of Google's scheme (`label="read"`). newsboat's
/// FeedHQ mode reads it (`src/feedhq_api.cpp`, `rss/atomparser.cpp`:
/// `category` elements with `scheme="http://www.google.com/reader/"`).
async fn stream_atom(
    State(state): State<AppState>,
    Reader { user, .. }: Reader,
    Path(stream): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    use bulletin_core::text::{escape_attribute_into as attr, escape_text_into as esc};
    let fields = Fields::read(query.as_deref(), None);
    let mut q = stream_query(&state, &user, &stream, &fields, 20).await?;
    q.include_content = true;
    let entries = state.store.reader_items(q).await?;
    let folders = folder_titles(&state, &user, &entries).await?;
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><id>",
    );
    esc(&mut out, &stream);
    out.push_str("</id><title>");
    esc(&mut out, &stream);
    out.push_str("</title><updated>");
    out.push_str(&super::rfc3339(chrono::Utc::now()));
    out.push_str("</updated>");
    for entry in &entries {
        let v = item_json(entry, &folders);
        let item = &entry.item;
        out.push_str("<entry><id>");
        esc(&mut out, &long_id(item.id));
        out.push_str("</id><title type=\"html\">");
        esc(&mut out, item.title.as_deref().unwrap_or_default());
        out.push_str("</title><published>");
        out.push_str(&super::rfc3339(item.published_at));
        out.push_str("</published><updated>");
        out.push_str(&super::rfc3339(
            item.modified_at.unwrap_or(item.published_at),
        ));
        out.push_str("</updated>");
        if let Some(href) = crate::web::view::link(item.url.as_deref()) {
            out.push_str("<link rel=\"alternate\" href=\"");
            attr(&mut out, &href);
            out.push_str("\"/>");
        }
        if let Some(author) = v["author"].as_str() {
            out.push_str("<author><name>");
            esc(&mut out, author);
            out.push_str("</name></author>");
        }
        for category in v["categories"].as_array().into_iter().flatten() {
            let Some(term) = category.as_str() else {
                continue;
            };
            let label = term.rsplit('/').next().unwrap_or(term);
            out.push_str("<category term=\"");
            attr(&mut out, term);
            out.push_str("\" scheme=\"http://www.google.com/reader/\" label=\"");
            attr(&mut out, label);
            out.push_str("\"/>");
        }
        out.push_str("<content type=\"html\">");
        esc(&mut out, item.html.as_deref().unwrap_or_default());
        out.push_str("</content></entry>");
    }
    out.push_str("</feed>\n");
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        out,
    )
        .into_response())
}

/// `stream/contents?s=STREAM`.
async fn stream_contents_query(
    State(state): State<AppState>,
    Reader { user, .. }: Reader,
    RawQuery(query): RawQuery,
) -> Answer {
    let fields = Fields::read(query.as_deref(), None);
    let stream = fields.one("s").unwrap_or(READING_LIST).to_string();
    contents(&state, &user, &stream, &fields).await
}

/// `stream/items/ids`: the stream's item ids, short (decimal) form.
/// Sent by: Read You `GoogleReaderAPI.kt` `getUnreadItemIds`, `getReadItemIds`, `getStarredItemIds`
/// (`s`, `xt`, `ot`, `n=10000`; reads `itemRefs[].id`).
async fn item_ids(
    State(state): State<AppState>,
    Reader { user, .. }: Reader,
    RawQuery(query): RawQuery,
) -> Answer {
    let fields = Fields::read(query.as_deref(), None);
    let stream = fields.one("s").unwrap_or(READING_LIST).to_string();
    let mut q = stream_query(&state, &user, &stream, &fields, 20).await?;
    let limit = q.limit;
    let offset = q.offset;
    q.limit = limit + 1;
    let mut refs = state.store.reader_refs(q).await?;
    let more = refs.len() > limit;
    refs.truncate(limit);
    let list: Vec<Value> = refs
        .iter()
        .map(|r| {
            json!({
                "id": r.id.0.to_string(),
                "directStreamIds": [],
                "timestampUsec": usec(r.published_at),
            })
        })
        .collect();
    let mut v = json!({ "itemRefs": list });
    if more {
        v["continuation"] = json!((offset + limit).to_string());
    }
    Ok(Json(v).into_response())
}

/// `stream/items/contents`: the items named by `i` (any id form).
/// Sent by: Read You `GoogleReaderAPI.kt` `getItemsContents` (POST, `i` as 16 hex digits).
async fn items_contents(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let ids = named_items(&fields);
    let entries = if ids.is_empty() {
        Vec::new()
    } else {
        let q = ReaderQuery {
            ids: Some(ids.clone()),
            scope: Scope::Subscribed,
            include_content: true,
            ..ReaderQuery::new(user.id)
        };
        let mut found = state.store.reader_items(q).await?;
        // In the order asked for.
        let position: HashMap<ItemId, usize> =
            ids.iter().enumerate().map(|(n, id)| (*id, n)).collect();
        found.sort_by_key(|e| position.get(&e.item.id).copied().unwrap_or(usize::MAX));
        found
    };
    let folders = folder_titles(&state, user, &entries).await?;
    let items: Vec<Value> = entries.iter().map(|e| item_json(e, &folders)).collect();
    Ok(Json(json!({
        "id": READING_LIST,
        "updated": chrono::Utc::now().timestamp(),
        "items": items,
    }))
    .into_response())
}

/// `edit-tag`: `i` the items, `a` the states or labels to add, `r` those to
/// take off (read, starred, kept-unread, `user/-/label/NAME`).
/// Sent by: Read You `GoogleReaderAPI.kt` `editTag` (long ids); newsboat `src/freshrssapi.cpp` `mark_article_read_with_token`,
/// `star_article` (expects the body `OK`).
async fn edit_tag(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let ids = named_items(&fields);
    if ids.is_empty() {
        return Err(GReaderError::bad("send the items as i=…"));
    }
    let changes = fields
        .all("a")
        .map(|t| (t, true))
        .chain(fields.all("r").map(|t| (t, false)))
        .collect::<Vec<_>>();
    for (tag, on) in changes {
        let tag = normalized(tag);
        match tag.as_str() {
            READ => {
                state.store.set_read(user.id, ids.clone(), on).await?;
            }
            KEPT_UNREAD if on => {
                state.store.set_read(user.id, ids.clone(), false).await?;
            }
            STARRED => {
                state.store.set_starred(user.id, ids.clone(), on).await?;
            }
            t if t.starts_with(LABEL) => {
                if let Some(name) = label_name(t) {
                    state
                        .store
                        .set_label(user.id, ids.clone(), name, on)
                        .await?;
                }
            }
            // Other states (broadcast, like, tracking-…) are not kept.
            _ => {}
        }
    }
    ok()
}

/// `mark-all-as-read`: `s` the stream, `ts` (optional) the time up to which
/// items count, in microseconds as Google wrote it (seconds and
/// milliseconds are read too).
/// Sent by: Read You `GoogleReaderAPI.kt` `markAllAsRead` (`s`, `ts`); newsboat `src/freshrssapi.cpp` `mark_all_read`.
async fn mark_all_as_read(
    State(state): State<AppState>,
    reader: Reader,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Answer {
    let fields = Fields::read(query.as_deref(), Some(&body));
    check_action_token(&reader, &fields)?;
    let user = &reader.user;
    let stream = normalized(fields.one("s").unwrap_or(READING_LIST));
    let until = match fields.one("ts") {
        Some(ts) => {
            let n: i64 = ts
                .parse()
                .map_err(|_| GReaderError::bad("ts must be a number"))?;
            let micros = if n > 100_000_000_000_000 {
                n
            } else if n > 100_000_000_000 {
                n * 1000
            } else {
                n * 1_000_000
            };
            Some(
                chrono::DateTime::from_timestamp_micros(micros)
                    .ok_or_else(|| GReaderError::bad("ts is not a time"))?,
            )
        }
        None => None,
    };
    let scope = match stream.as_str() {
        READING_LIST => Some(Scope::Subscribed),
        s if s.starts_with("feed/") => Some(Scope::Source(
            source_of(&state, user, s)
                .await?
                .ok_or_else(|| GReaderError(StatusCode::NOT_FOUND, format!("no such feed: {s}")))?,
        )),
        s if s.starts_with(LABEL) => folder(&state, user, s, false)
            .await?
            .map(|c| Scope::Category(c.id)),
        _ => None,
    };
    match scope {
        Some(scope) => state.store.mark_all_read(user.id, scope, until).await?,
        None => {
            // A label of items, or starred: its unread items one by one
            // (such streams are short).
            let mut fields_for_query = Fields::default();
            fields_for_query
                .0
                .insert("n".into(), vec![MAX_ITEMS.to_string()]);
            let mut q = stream_query(&state, user, &stream, &fields_for_query, MAX_ITEMS).await?;
            q.status = ReadFilter::Unread;
            q.published_before = until;
            let ids = state
                .store
                .reader_refs(q)
                .await?
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>();
            if !ids.is_empty() {
                state.store.set_read(user.id, ids, true).await?;
            }
        }
    }
    ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_item_ids_in_every_form() {
        assert_eq!(
            item_id("tag:google.com,2005:reader/item/00000000000004d2"),
            Some(ItemId(1234))
        );
        assert_eq!(item_id("00000000000004d2"), Some(ItemId(1234)));
        assert_eq!(item_id("1234"), Some(ItemId(1234)));
        assert_eq!(item_id("x"), None);
        assert_eq!(
            long_id(ItemId(1234)),
            "tag:google.com,2005:reader/item/00000000000004d2"
        );
    }

    #[test]
    fn stream_ids_name_the_user_as_a_dash() {
        assert_eq!(normalized("user/1/state/com.google/read"), READ);
        assert_eq!(normalized("user/-/label/News"), "user/-/label/News");
        assert_eq!(
            label_name("user/42/label/Tech news").as_deref(),
            Some("Tech news")
        );
        assert_eq!(normalized("feed/12"), "feed/12");
    }
}
