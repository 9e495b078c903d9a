//! The signed-in reader's account page: the app password reader apps sign
//! in with (set, replaced or removed), and where each kind of app points.

use super::AppState;
use super::account::{Nav, Viewer};
use super::error::{PageForm, WebError, page};
use super::newsroom::{require, require_form};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bulletin_store::Role;
use serde::Deserialize;

/// Shortest app password accepted (as for account passwords).
const MIN_CHARS: usize = 8;
/// Longest app password accepted.
const MAX_BYTES: usize = 1024;

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    nav: Nav,
    query: String,
    feed_path: String,
    name: String,
    origin: String,
    has_app_password: bool,
    message: Option<String>,
    error: Option<String>,
}

fn render(
    state: &AppState,
    viewer: &Viewer,
    has_app_password: bool,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let user = require(viewer, Role::Reader, "/account")?;
    page(
        &AccountPage {
            nav: viewer.nav(),
            query: String::new(),
            feed_path: "/feed".into(),
            name: user.name.clone(),
            origin: state.public_origin.clone(),
            has_app_password,
            message,
            error,
        },
        status,
    )
}

pub async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, WebError> {
    let has = viewer.user().is_some_and(|u| u.app_password_hash.is_some());
    render(&state, &viewer, has, StatusCode::OK, None, None)
}

#[derive(Deserialize)]
pub struct AppPasswordForm {
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    again: String,
    #[serde(default)]
    remove: Option<String>,
}

pub async fn set_app_password(
    State(state): State<AppState>,
    viewer: Viewer,
    PageForm(form): PageForm<AppPasswordForm>,
) -> Result<Response, WebError> {
    let user = require_form(&viewer, Role::Reader, "/account", &form.csrf)?;
    let had = user.app_password_hash.is_some();
    if form.remove.is_some() {
        state.store.set_app_password(user.id, None, None).await?;
        return render(
            &state,
            &viewer,
            false,
            StatusCode::OK,
            Some("The app password is removed: reader apps are signed out.".into()),
            None,
        );
    }
    let refuse = |why: String| {
        render(
            &state,
            &viewer,
            had,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(why),
        )
    };
    if form.password != form.again {
        return refuse("The two passwords differ; nothing was changed.".into());
    }
    if form.password.chars().count() < MIN_CHARS || form.password.len() > MAX_BYTES {
        return refuse(format!(
            "Use at least {MIN_CHARS} characters (and at most {MAX_BYTES} bytes)."
        ));
    }
    let name = user.name.clone();
    let password = form.password;
    let (hash, fever) =
        tokio::task::spawn_blocking(move || crate::auth::app_password_hashes(&name, &password))
            .await
            .map_err(WebError::internal)?
            .map_err(WebError::internal)?;
    state
        .store
        .set_app_password(user.id, Some(hash), Some(fever))
        .await?;
    render(
        &state,
        &viewer,
        true,
        StatusCode::OK,
        Some("The app password is set. Apps signed in with the old one must sign in again.".into()),
        None,
    )
    .map(IntoResponse::into_response)
}
