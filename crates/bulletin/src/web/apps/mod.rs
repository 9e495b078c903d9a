//! The APIs reader apps speak: Miniflux's (`/v1/`), Google Reader's
//! (`/reader/api/0/`, `/accounts/ClientLogin`) and Fever's (`/fever/`),
//! over each reader's own state in the store.
//!
//! Apps sign in with the account's app password (`bulletin user
//! app-password NAME`, or the account page), never the account password;
//! API tokens work where the API has tokens. Failures are throttled like
//! sign-in (`auth::sign_in_wait`), in the store, so every process counts
//! them together.

pub mod fever;
pub mod greader;
pub mod miniflux;

use super::AppState;
use crate::auth;
use axum::http::{HeaderMap, header};
use bulletin_pipeline::secret;
use bulletin_store::{LoginFailures, StoreError, User};
use chrono::Utc;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How an app proves who it speaks for.
pub enum Credentials {
    /// The account's name and app password (Miniflux basic auth, Google
    /// Reader's `ClientLogin`).
    AppPassword { name: String, password: String },
    /// An API token (`bulletin user token`), or a token `ClientLogin` gave.
    Token(String),
    /// Fever's `api_key`: md5 of `name:app_password`.
    FeverKey(String),
}

/// Why an app was not signed in.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("{0}")]
    Refused(&'static str),
    #[error("too many failed attempts; try again in {} seconds", .0.as_secs().max(1))]
    Wait(Duration),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// App passwords checked lately, so an app that sends its password with
/// every request (Miniflux basic auth) does not pay an Argon2 check each
/// time: keyed by a hash of the name, the password and the stored hash (so
/// a changed password is a miss in every process), kept a few minutes.
#[derive(Default)]
pub struct CheckedPasswords(Mutex<HashMap<String, Instant>>);

/// How long a checked app password is remembered.
const CHECKED_FOR: Duration = Duration::from_secs(300);
/// The most passwords remembered (then the list starts again).
const CHECKED_AT_MOST: usize = 10_000;

impl CheckedPasswords {
    fn key(name: &str, password: &str, stored: &str) -> String {
        secret::sha256_hex(&format!("{name}\u{0}{password}\u{0}{stored}"))
    }

    fn knows(&self, key: &str) -> bool {
        self.0
            .lock()
            .map(|m| m.get(key).is_some_and(|at| at.elapsed() < CHECKED_FOR))
            .unwrap_or(false)
    }

    fn remember(&self, key: String) {
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= CHECKED_AT_MOST {
                m.clear();
            }
            m.insert(key, Instant::now());
        }
    }
}

/// The account `credentials` speak for, if they are right and the account
/// is enabled; failures are counted against the client's address (and the
/// account, when one is named) and make later attempts wait.
pub async fn sign_in(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    credentials: Credentials,
) -> Result<User, SignInError> {
    let address = auth::client_address(
        peer.ip(),
        headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
        &state.trusted_proxies,
    )
    .to_string();
    let now = Utc::now();
    let window_start = now - chrono::Duration::minutes(auth::FAILURE_WINDOW_MINUTES);
    let account = match &credentials {
        Credentials::AppPassword { name, .. } => auth::failure_account(name),
        // A secret that names no account counts against the address only.
        Credentials::Token(_) | Credentials::FeverKey(_) => String::new(),
    };
    let failures = state
        .store
        .login_failures(account.clone(), address.clone(), window_start)
        .await?;
    let failures = if account.is_empty() {
        LoginFailures {
            address: failures.address,
            address_last: failures.address_last,
            ..LoginFailures::default()
        }
    } else {
        failures
    };
    if let Some(wait) = auth::sign_in_wait(&failures, now) {
        return Err(SignInError::Wait(wait));
    }
    let user = match credentials {
        Credentials::AppPassword { name, password } => {
            app_password_user(state, name.trim(), password).await?
        }
        Credentials::Token(token) if !token.is_empty() && token.len() <= 128 => {
            state
                .store
                .api_token_user(secret::sha256_hex(&token))
                .await?
        }
        Credentials::Token(_) => None,
        Credentials::FeverKey(key) if key.len() == 32 => {
            state
                .store
                .user_by_fever_key(auth::fever_key_hash(&key))
                .await?
        }
        Credentials::FeverKey(_) => None,
    };
    match user {
        Some(user) => Ok(user),
        None => {
            let recorded = state
                .store
                .record_login_failure(account, address, Utc::now(), window_start)
                .await;
            if let Err(e) = recorded {
                tracing::warn!("reader app sign-in: failure not recorded: {e}");
            }
            Err(SignInError::Refused(
                "wrong name or app password (set one with `bulletin user app-password NAME` or on the account page)",
            ))
        }
    }
}

/// The enabled account named `name` whose app password is `password`.
async fn app_password_user(
    state: &AppState,
    name: &str,
    password: String,
) -> Result<Option<User>, StoreError> {
    if name.is_empty() || name.chars().count() > 100 || password.len() > 1024 {
        return Ok(None);
    }
    let user = state.store.user_by_name(name.to_string()).await?;
    let stored = user
        .as_ref()
        .and_then(|u| u.app_password_hash.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_string());
    let key = CheckedPasswords::key(name, &password, &stored);
    let matches = if state.checked_passwords.knows(&key) {
        true
    } else {
        let stored = stored.clone();
        let ok = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
            .await
            .unwrap_or(false);
        if ok {
            state.checked_passwords.remember(key);
        }
        ok
    };
    Ok(user.filter(|u| matches && !u.disabled && u.app_password_hash.is_some()))
}

/// Basic auth's name and password, from `Authorization: Basic …`.
pub fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    use base64::Engine;
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (name, password) = text.split_once(':')?;
    Some((name.to_string(), password.to_string()))
}

/// Why a reader could not follow a feed.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error(
        "only admins add sources to this installation (an admin may allow readers with `serve --readers-add-sources`)"
    )]
    NotAllowed,
    #[error("there is no such folder")]
    NoFolder,
    #[error("{0}")]
    Subscribe(#[from] bulletin_pipeline::SubscribeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Follows a feed for `user`: a source of the installation already (found
/// by its feed URL) is followed again; a new one is added to the
/// installation when the user may add sources (admins; readers when the
/// operator allows it). Then it goes in `folder`, under `title`.
pub async fn follow_url(
    state: &AppState,
    user: &User,
    url: &str,
    folder: Option<i64>,
    title: Option<String>,
) -> Result<bulletin_core::SourceId, FollowError> {
    use bulletin_store::SubscriptionEdit;
    let wanted = bulletin_pipeline::subscribe::web_url_arg(url)?;
    let known = state
        .store
        .subscriptions(user.id)
        .await?
        .into_iter()
        .find(|s| {
            url::Url::parse(&s.source.url).is_ok_and(|u| u == wanted) || s.source.url == url.trim()
        })
        .map(|s| s.source.id);
    let id = match known {
        Some(id) => id,
        None => {
            let may = user.role == bulletin_store::Role::Admin || state.readers_add_sources;
            let Some(ingestor) = state.ingestor.as_ref().filter(|_| may) else {
                return Err(FollowError::NotAllowed);
            };
            bulletin_pipeline::subscribe::subscribe(
                state.store.as_ref(),
                ingestor.loader(),
                wanted.as_str(),
            )
            .await?
            .id
        }
    };
    let edit = SubscriptionEdit {
        subscribed: Some(true),
        category: folder.map(Some),
        title: title.map(Some),
    };
    if !state.store.edit_subscription(user.id, id, edit).await? {
        return Err(FollowError::NoFolder);
    }
    Ok(id)
}

/// The sources a reader follows.
pub async fn followed(
    state: &AppState,
    user: &User,
) -> Result<Vec<bulletin_store::Subscription>, StoreError> {
    Ok(state
        .store
        .subscriptions(user.id)
        .await?
        .into_iter()
        .filter(|s| s.subscribed)
        .collect())
}

/// How the reader follows the sources of a page of items (a page names a
/// few; all 200 with their item counts took 3 ms a page).
pub async fn page_subscriptions(
    state: &AppState,
    user: &User,
    entries: &[bulletin_store::ReaderItem],
) -> Result<Vec<bulletin_store::Subscription>, StoreError> {
    let mut sources: Vec<bulletin_core::SourceId> =
        entries.iter().map(|e| e.item.source.id).collect();
    sources.sort_unstable_by_key(|s| s.0);
    sources.dedup();
    state.store.subscriptions_to(user.id, sources).await
}

/// The reader's followed feeds as OPML 2.0, in their folders, under their
/// names.
pub async fn reader_opml(state: &AppState, user: &User) -> Result<String, StoreError> {
    let sources = followed(state, user)
        .await?
        .into_iter()
        .map(|s| {
            let mut source = s.source;
            source.category = s.category.map(|c| c.title);
            if let Some(title) = s.title {
                source.title = Some(title);
            }
            source
        })
        .collect();
    Ok(bulletin_pipeline::subscribe::subscriptions_opml(sources))
}

/// A time as the reader APIs write it (RFC 3339, UTC).
pub fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_auth() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Basic YW5hOnA6dw==".parse().unwrap());
        assert_eq!(
            basic_credentials(&headers),
            Some(("ana".to_string(), "p:w".to_string()))
        );
        headers.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic_credentials(&headers), None);
    }
}
