//! Signing in and out over HTTP, and who is looking at a page. The rules
//! (hashes, tokens, cookies, throttling) live in `crate::auth`.

use super::AppState;
use super::error::{PageForm, WebError};
use crate::auth;
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use bulletin_pipeline::secret;
use bulletin_store::{Role, Session, User};
use chrono::Utc;
use serde::Deserialize;
use std::net::SocketAddr;

/// The signed-in user, if any, for a page.
pub struct Viewer(pub Option<(Session, User)>);

/// What the page header shows of the viewer.
#[derive(Default)]
pub struct Nav {
    pub user: Option<String>,
    pub editor: bool,
    pub admin: bool,
    /// The session's CSRF token, for the sign-out form.
    pub csrf: String,
}

impl Viewer {
    pub fn nav(&self) -> Nav {
        match &self.0 {
            Some((session, user)) => Nav {
                user: Some(
                    user.display_name
                        .clone()
                        .unwrap_or_else(|| user.name.clone()),
                ),
                editor: user.role >= Role::Editor,
                admin: user.role >= Role::Admin,
                csrf: session.csrf_token.clone(),
            },
            None => Nav::default(),
        }
    }

    pub fn user(&self) -> Option<&User> {
        self.0.as_ref().map(|(_, u)| u)
    }

    /// Whether a form's CSRF token is this session's.
    pub fn csrf_ok(&self, token: &str) -> bool {
        self.0
            .as_ref()
            .is_some_and(|(s, _)| secret::same_secret(&s.csrf_token, token))
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Viewer, Self::Rejection> {
        let token = parts
            .headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| auth::cookie_value(h, auth::SESSION_COOKIE))
            .map(str::to_string);
        let Some(token) = token else {
            return Ok(Viewer(None));
        };
        match auth::session_for(state.store.as_ref(), &token).await {
            Ok(found) => Ok(Viewer(found)),
            Err(e) => {
                tracing::warn!("session lookup: {e}");
                Ok(Viewer(None))
            }
        }
    }
}

/// Whether cookies must be `Secure`: the request came over HTTPS (directly
/// or, as a proxy says, `X-Forwarded-Proto: https`) or the public address is
/// HTTPS.
pub fn secure_request(state: &AppState, headers: &HeaderMap) -> bool {
    state.https
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    query: String,
    feed_path: String,
    csrf: String,
    next: String,
    name: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct LoginParams {
    next: Option<String>,
}

/// Only a path on this site: `/newsroom`, never `//evil.example`, a URL,
/// or anything with a control character or space in it (which could not
/// go into a `Location` header); other characters are percent-encoded.
/// Anything else goes to the feed.
fn safe_next(next: Option<&str>) -> String {
    let Some(n) = next else {
        return "/".to_string();
    };
    let refused = !n.starts_with('/')
        || n.starts_with("//")
        || n.contains('\\')
        || n.chars().any(|c| c.is_control() || c.is_whitespace());
    if refused {
        return "/".to_string();
    }
    let mut out = String::with_capacity(n.len());
    for c in n.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_a_same_site_path_or_the_feed() {
        assert_eq!(safe_next(Some("/newsroom?x=1")), "/newsroom?x=1");
        assert_eq!(safe_next(Some("/authors/José")), "/authors/Jos%C3%A9");
        for hostile in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            "/a\nSet-Cookie: x=1",
            "/a\tb",
            "/a\rb",
            "/a b",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        for n in ["/a", "/newsroom", "/a\u{7f}"] {
            assert!(axum::http::HeaderValue::from_str(&safe_next(Some(n))).is_ok());
        }
    }
}

fn login_page(
    status: StatusCode,
    csrf: &str,
    next: &str,
    name: &str,
    error: Option<String>,
    secure: bool,
) -> Response {
    let page = LoginPage {
        nav: Nav::default(),
        query: String::new(),
        feed_path: "/feed".into(),
        csrf: csrf.to_string(),
        next: next.to_string(),
        name: name.to_string(),
        error,
    };
    match page.render() {
        Ok(html) => (
            status,
            [
                (
                    header::SET_COOKIE,
                    auth::cookie(auth::LOGIN_CSRF_COOKIE, csrf, 3600, secure),
                ),
                (header::CACHE_CONTROL, "no-store".to_string()),
            ],
            Html(html),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn login_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<LoginParams>,
) -> Response {
    let Ok(csrf) = secret::random_hex(32) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let next = safe_next(params.next.as_deref());
    login_page(
        StatusCode::OK,
        &csrf,
        &next,
        "",
        None,
        secure_request(&state, &headers),
    )
}

/// Longest sign-in name and password read (longer ones are refused before
/// any hashing).
const MAX_NAME_CHARS: usize = 100;
const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Deserialize)]
pub struct LoginForm {
    name: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PageForm(form): PageForm<LoginForm>,
) -> Result<Response, WebError> {
    let attempt = Attempt {
        fresh_csrf: secret::random_hex(32).map_err(WebError::internal)?,
        next: safe_next(form.next.as_deref()),
        name: form.name.clone(),
        secure: secure_request(&state, &headers),
    };
    if !login_csrf_matches(&headers, &form.csrf) {
        return Ok(attempt.refused(
            StatusCode::FORBIDDEN,
            "The form expired. Please sign in again.",
        ));
    }
    if form.name.chars().count() > MAX_NAME_CHARS || form.password.len() > MAX_PASSWORD_BYTES {
        return Ok(Attempt {
            name: String::new(),
            ..attempt
        }
        .refused(
            StatusCode::BAD_REQUEST,
            "The name or the password is too long.",
        ));
    }
    let address = auth::client_address(
        peer.ip(),
        headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()),
        &state.trusted_proxies,
    )
    .to_string();
    let account = auth::failure_account(&form.name);
    let now = Utc::now();
    // Failures count over the last window; older ones are forgotten.
    let window_start = now - chrono::Duration::minutes(auth::FAILURE_WINDOW_MINUTES);
    let failures = state
        .store
        .login_failures(account.clone(), address.clone(), window_start)
        .await?;
    if let Some(wait) = auth::sign_in_wait(&failures, now) {
        return Ok(attempt.held(wait));
    }
    let Some(user) = account_for(&state, &form).await? else {
        let recorded = state
            .store
            .record_login_failure(account, address, Utc::now(), window_start)
            .await;
        if let Err(e) = recorded {
            tracing::warn!("sign-in: failure not recorded: {e}");
        }
        return Ok(attempt.refused(StatusCode::UNAUTHORIZED, "Wrong name or password."));
    };
    if let Err(e) = state.store.clear_login_failures(account, address).await {
        tracing::warn!("sign-in: {e}");
    }
    let token = auth::start_session(state.store.as_ref(), &user, Utc::now())
        .await
        .map_err(WebError::unavailable)?;
    Ok(signed_in(&attempt.next, &token, attempt.secure))
}

/// A sign-in being answered: what the form is shown again with.
struct Attempt {
    fresh_csrf: String,
    next: String,
    name: String,
    secure: bool,
}

impl Attempt {
    /// The sign-in form again, with why it was refused.
    fn refused(&self, status: StatusCode, message: &str) -> Response {
        login_page(
            status,
            &self.fresh_csrf,
            &self.next,
            &self.name,
            Some(message.to_string()),
            self.secure,
        )
    }

    /// Too many failures: the form again, with how long to wait (also as
    /// `Retry-After`).
    fn held(&self, wait: std::time::Duration) -> Response {
        let message = if wait.as_secs() < 60 {
            format!(
                "Too many failed attempts. Try again in {} seconds.",
                wait.as_secs().max(1)
            )
        } else {
            format!(
                "Too many failed attempts. Try again in {} minutes.",
                wait.as_secs().div_ceil(60)
            )
        };
        let mut response = self.refused(StatusCode::TOO_MANY_REQUESTS, &message);
        if let Ok(v) = wait.as_secs().max(1).to_string().parse() {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// Whether the form carries the sign-in page's own double-submit token.
fn login_csrf_matches(headers: &HeaderMap, form_csrf: &str) -> bool {
    let cookie_csrf = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| auth::cookie_value(h, auth::LOGIN_CSRF_COOKIE))
        .unwrap_or("");
    !cookie_csrf.is_empty() && secret::same_secret(cookie_csrf, form_csrf)
}

/// The account the form names, when its password matches and it is not
/// disabled. The password is checked even for an unknown name, so timing
/// does not tell names apart.
async fn account_for(state: &AppState, form: &LoginForm) -> Result<Option<User>, WebError> {
    let user = state
        .store
        .user_by_name(form.name.trim().to_string())
        .await?;
    let stored = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| auth::dummy_hash().to_string());
    let password = form.password.clone();
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &stored))
        .await
        .unwrap_or(false);
    Ok(user.filter(|u| matches && !u.disabled))
}

/// Signed in: the session cookie set, the sign-in form's cookie cleared,
/// and on to `next`.
fn signed_in(next: &str, token: &str, secure: bool) -> Response {
    let mut response = Redirect::to(next).into_response();
    let headers = response.headers_mut();
    for cookie in [
        auth::cookie(
            auth::SESSION_COOKIE,
            token,
            auth::SESSION_DAYS * 86_400,
            secure,
        ),
        auth::cookie(auth::LOGIN_CSRF_COOKIE, "", 0, secure),
    ] {
        if let Ok(v) = cookie.parse() {
            headers.append(header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    PageForm(form): PageForm<CsrfForm>,
) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        return WebError::form_expired().into_response();
    }
    if let Some((session, _)) = &viewer.0
        && let Err(e) = state.store.delete_session(session.token_hash.clone()).await
    {
        tracing::warn!("sign-out: {e}");
    }
    let mut response = Redirect::to("/").into_response();
    if let Ok(v) = auth::cookie(
        auth::SESSION_COOKIE,
        "",
        0,
        secure_request(&state, &headers),
    )
    .parse()
    {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
