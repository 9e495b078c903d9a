//! Admins manage sources in the browser: add one (a feed, or a page that
//! advertises one), import an OPML list, pause or resume one, remove it,
//! and see its health.

use super::AppState;
use super::account::{Nav, Viewer};
use super::error::{PageForm, WebError};
use super::newsroom::{require, require_form};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bulletin_core::SourceId;
use bulletin_store::Role;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin_sources.html")]
struct AdminSourcesPage {
    nav: Nav,
    query: String,
    feed_path: String,
    message: Option<String>,
    error: Option<String>,
    url: String,
    rows: Vec<Row>,
}

struct Row {
    id: i64,
    title: String,
    url: String,
    items: u64,
    health: &'static str,
    status: String,
    paused: bool,
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    message: Option<String>,
    error: Option<String>,
    url: String,
) -> Response {
    let sources = match state.store.sources().await {
        Ok(s) => s,
        Err(e) => {
            return WebError::unavailable(e).into_response();
        }
    };
    let rows = sources
        .into_iter()
        .filter(|s| s.kind.as_deref() != Some(bulletin_pipeline::newsroom::NEWSROOM_KIND))
        .map(|s| {
            let (health, status) = match (&s.last_error, s.error_count, s.last_fetch_at) {
                _ if s.paused_at.is_some() => ("error", "paused".to_string()),
                (Some(e), n, _) if n > 0 => ("error", format!("failing: {e}")),
                (Some(w), _, _) => ("warn", format!("working, with a warning: {w}")),
                (None, _, None) => ("new", "not fetched yet".to_string()),
                (None, _, Some(t)) => (
                    "ok",
                    format!("healthy, fetched {}", super::view::human_time(&t)),
                ),
            };
            Row {
                id: s.id.0,
                title: s.display_title().to_string(),
                url: s.url.clone(),
                items: s.item_count,
                health,
                status,
                paused: s.paused_at.is_some(),
            }
        })
        .collect();
    let page = AdminSourcesPage {
        nav: viewer.nav(),
        query: String::new(),
        feed_path: "/feed".into(),
        message,
        error,
        url,
        rows,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Err(r) = require(&viewer, Role::Admin, "/admin/sources") {
        return r.into_response();
    }
    render(&state, &viewer, StatusCode::OK, None, None, String::new()).await
}

#[derive(Deserialize)]
pub struct AddForm {
    csrf: String,
    url: String,
}

pub async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    PageForm(form): PageForm<AddForm>,
) -> Response {
    if let Err(r) = require_form(&viewer, Role::Admin, "/admin/sources", &form.csrf) {
        return r.into_response();
    }
    let Some(ingestor) = state.ingestor.clone() else {
        return WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Sources cannot be added here",
            "This process does not fetch; add sources on a process that does, or with `bulletin source add`.",
        )
        .then("/admin/sources", "Back to the sources")
        .into_response();
    };
    if form.url.chars().count() > MAX_URL_CHARS {
        return render(
            &state,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(format!(
                "The address is too long: at most {MAX_URL_CHARS} characters."
            )),
            String::new(),
        )
        .await;
    }
    let subscribed = bulletin_pipeline::subscribe::subscribe(
        state.store.as_ref(),
        ingestor.loader(),
        form.url.trim(),
    )
    .await;
    match subscribed {
        Ok(bulletin_pipeline::Subscribed { id, title }) => {
            render(
                &state,
                &viewer,
                StatusCode::OK,
                Some(format!(
                    "Added source {id}: {title}. It is fetched on the next pass."
                )),
                None,
                String::new(),
            )
            .await
        }
        Err(e) => {
            render(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(e.to_string()),
                form.url,
            )
            .await
        }
    }
}

/// Longest feed address accepted (the form says the same).
const MAX_URL_CHARS: usize = 2_000;

#[derive(Deserialize)]
pub struct OpmlForm {
    csrf: String,
    /// The OPML document, pasted or read from a file by the page's script.
    opml: String,
}

/// Imports an OPML subscription list (as `bulletin opml import`).
pub async fn import_opml(
    State(state): State<AppState>,
    viewer: Viewer,
    PageForm(form): PageForm<OpmlForm>,
) -> Response {
    if let Err(r) = require_form(&viewer, Role::Admin, "/admin/sources", &form.csrf) {
        return r.into_response();
    }
    match bulletin_pipeline::subscribe::import_opml(state.store.as_ref(), form.opml.as_bytes())
        .await
    {
        Ok(done) => {
            let message = format!("{done}. New sources are fetched on the next pass.");
            render(
                &state,
                &viewer,
                StatusCode::OK,
                Some(message),
                None,
                String::new(),
            )
            .await
        }
        Err(e) => {
            let error = format!("The OPML could not be imported: {e:#}");
            render(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(error),
                String::new(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct ActionForm {
    csrf: String,
    /// `pause`, `resume` or `remove`.
    action: String,
}

pub async fn act(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    PageForm(form): PageForm<ActionForm>,
) -> Response {
    if let Err(r) = require_form(&viewer, Role::Admin, "/admin/sources", &form.csrf) {
        return r.into_response();
    }
    let id = SourceId(id);
    let result = match form.action.as_str() {
        "pause" => state.store.set_source_paused(id, true).await,
        "resume" => state.store.set_source_paused(id, false).await,
        "remove" => state.store.remove_source(id).await,
        _ => {
            return WebError::new(
                StatusCode::BAD_REQUEST,
                "Unknown action",
                "Sources can be paused, resumed or removed; the form asked for something else.",
            )
            .then("/admin/sources", "Back to the sources")
            .into_response();
        }
    };
    match result {
        Ok(true) => Redirect::to("/admin/sources").into_response(),
        Ok(false) => super::error::WebError::not_found().into_response(),
        Err(e) => WebError::unavailable(e).into_response(),
    }
}
