//! The newsroom pages: editors list, write, schedule and publish posts.
//! Publishing itself is `bulletin_pipeline::newsroom`; this file speaks HTTP and checks
//! who may do what (editors and admins) and that every form is the
//! session's own (CSRF).

use super::AppState;
use super::account::{Nav, Viewer};
use super::error::{PageForm, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use bulletin_core::ItemKind;
use bulletin_pipeline::newsroom;
use bulletin_store::{Post, PostState, Role, User};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "newsroom.html")]
struct NewsroomPage {
    nav: Nav,
    query: String,
    feed_path: String,
    posts: Vec<PostRow>,
}

struct PostRow {
    id: i64,
    title: String,
    kind: &'static str,
    state: &'static str,
    when: String,
    item: Option<i64>,
}

#[derive(Template)]
#[template(path = "post_form.html")]
struct PostFormPage {
    nav: Nav,
    query: String,
    feed_path: String,
    action: String,
    heading: String,
    error: Option<String>,
    is_update: bool,
    published: bool,
    headline: String,
    markdown: String,
    image_url: String,
    image_caption: String,
    image_credit: String,
    publish_at: String,
    /// The byline the post keeps, whoever edits it.
    author: String,
    history: Vec<RevisionRow>,
}

struct RevisionRow {
    when: String,
    when_iso: String,
    who: String,
    changes: String,
}

fn page(t: &impl Template, status: StatusCode) -> Response {
    super::error::page(t, status).unwrap_or_else(IntoResponse::into_response)
}

/// The signed-in user when they have at least `role`.
pub fn require(viewer: &Viewer, role: Role, here: &str) -> Result<User, WebError> {
    match viewer.user() {
        Some(u) if u.role >= role => Ok(u.clone()),
        Some(_) => Err(WebError::forbidden(match role {
            Role::Admin => "Admins",
            Role::ChiefEditor => "Chief editors and admins",
            _ => "Editors",
        })),
        None => Err(WebError::sign_in(here)),
    }
}

/// The signed-in user with at least `role`, sending a form of this
/// session's own (`csrf`).
pub fn require_form(viewer: &Viewer, role: Role, here: &str, csrf: &str) -> Result<User, WebError> {
    let user = require(viewer, role, here)?;
    if viewer.csrf_ok(csrf) {
        Ok(user)
    } else {
        Err(WebError::form_expired())
    }
}

fn editor(viewer: &Viewer, here: &str) -> Result<User, WebError> {
    require(viewer, Role::Editor, here)
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    WebError::unavailable(format_args!("newsroom: {e}")).into_response()
}

pub async fn list(State(state): State<AppState>, viewer: Viewer) -> Response {
    if let Err(r) = editor(&viewer, "/newsroom") {
        return r.into_response();
    }
    let posts = match state.store.posts(200).await {
        Ok(p) => p,
        Err(e) => return unavailable(e),
    };
    let rows = posts
        .into_iter()
        .map(|p| PostRow {
            id: p.id,
            title: p
                .headline
                .clone()
                .filter(|h| !h.trim().is_empty())
                .unwrap_or_else(|| bulletin_core::text::truncate_chars(&p.markdown, 80)),
            kind: match p.kind {
                ItemKind::Article => "Article",
                ItemKind::Update => "Update",
            },
            state: match p.state {
                PostState::Draft => "Draft",
                PostState::Scheduled => "Scheduled",
                PostState::Published => "Published",
            },
            when: match (p.state, p.publish_at) {
                (PostState::Draft, _) | (_, None) => {
                    format!("edited {}", super::view::human_time(&p.updated_at))
                }
                (_, Some(t)) => super::view::human_time(&t),
            },
            item: p.item.map(|i| i.0),
        })
        .collect();
    page(
        &NewsroomPage {
            nav: viewer.nav(),
            query: String::new(),
            feed_path: "/feed".into(),
            posts: rows,
        },
        StatusCode::OK,
    )
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    kind: Option<String>,
}

pub async fn new_post(viewer: Viewer, Query(params): Query<NewParams>) -> Response {
    if let Err(r) = editor(&viewer, "/newsroom/new") {
        return r.into_response();
    }
    let is_update = params.kind.as_deref() == Some("update");
    page(
        &PostFormPage {
            nav: viewer.nav(),
            query: String::new(),
            feed_path: "/feed".into(),
            action: "/newsroom/posts".into(),
            heading: if is_update {
                "New update"
            } else {
                "New article"
            }
            .into(),
            error: None,
            is_update,
            published: false,
            headline: String::new(),
            markdown: String::new(),
            image_url: String::new(),
            image_caption: String::new(),
            image_credit: String::new(),
            publish_at: String::new(),
            author: String::new(),
            history: Vec::new(),
        },
        StatusCode::OK,
    )
}

pub async fn edit_post(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
) -> Response {
    if let Err(r) = editor(&viewer, &format!("/newsroom/posts/{id}")) {
        return r.into_response();
    }
    let post = match state.store.post(id).await {
        Ok(Some(p)) => p,
        Ok(None) => return super::error::WebError::not_found().into_response(),
        Err(e) => return unavailable(e),
    };
    if let Some(user) = viewer.user()
        && !newsroom::may_edit(user, &post)
    {
        return WebError::forbidden("The post's author and chief editors").into_response();
    }
    let mut form = form_page(&viewer, &post, None);
    match history(&state, &post).await {
        Ok(h) => form.history = h,
        Err(e) => return unavailable(e),
    }
    match state.store.user(post.author).await {
        Ok(Some(u)) => form.author = u.display_name.unwrap_or(u.name),
        Ok(None) => {}
        Err(e) => return unavailable(e),
    }
    page(&form, StatusCode::OK)
}

/// A post's revisions as the edit page lists them, newest first.
async fn history(state: &AppState, post: &Post) -> bulletin_store::StoreResult<Vec<RevisionRow>> {
    let revisions = state.store.post_revisions(post.id).await?;
    let users = state.store.users().await?;
    Ok(revisions
        .into_iter()
        .map(|r| RevisionRow {
            when: super::view::human_time(&r.saved_at),
            when_iso: r.saved_at.to_rfc3339(),
            who: r
                .editor
                .and_then(|id| users.iter().find(|u| u.id == id))
                .map(|u| u.display_name.clone().unwrap_or_else(|| u.name.clone()))
                .unwrap_or_else(|| "a removed account".into()),
            changes: r.changes,
        })
        .collect())
}

fn form_page(viewer: &Viewer, post: &Post, error: Option<String>) -> PostFormPage {
    let is_update = post.kind == ItemKind::Update;
    PostFormPage {
        nav: viewer.nav(),
        query: String::new(),
        feed_path: "/feed".into(),
        action: if post.id == 0 {
            "/newsroom/posts".into()
        } else {
            format!("/newsroom/posts/{}", post.id)
        },
        heading: match (post.id, is_update) {
            (0, true) => "New update".into(),
            (0, false) => "New article".into(),
            _ => "Edit post".into(),
        },
        error,
        is_update,
        published: post.state == PostState::Published,
        headline: post.headline.clone().unwrap_or_default(),
        markdown: post.markdown.clone(),
        image_url: post.image_url.clone().unwrap_or_default(),
        image_caption: post.image_caption.clone().unwrap_or_default(),
        image_credit: post.image_credit.clone().unwrap_or_default(),
        publish_at: post
            .publish_at
            .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        author: String::new(),
        history: Vec::new(),
    }
}

#[derive(Deserialize)]
pub struct PostForm {
    csrf: String,
    kind: String,
    #[serde(default)]
    headline: String,
    #[serde(default)]
    markdown: String,
    #[serde(default)]
    image_url: String,
    #[serde(default)]
    image_caption: String,
    #[serde(default)]
    image_credit: String,
    /// `draft`, `publish` or `schedule`.
    action: String,
    /// For `schedule`: `YYYY-MM-DDTHH:MM`, in UTC.
    #[serde(default)]
    publish_at: String,
}

fn optional(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

pub async fn create_post(
    State(state): State<AppState>,
    viewer: Viewer,
    PageForm(form): PageForm<PostForm>,
) -> Result<Response, WebError> {
    save(state, viewer, None, form).await
}

pub async fn update_post(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    PageForm(form): PageForm<PostForm>,
) -> Result<Response, WebError> {
    save(state, viewer, Some(id), form).await
}

/// Saves a post from the form: checked, kept as a draft, scheduled or
/// published, its revision recorded.
async fn save(
    state: AppState,
    viewer: Viewer,
    id: Option<i64>,
    form: PostForm,
) -> Result<Response, WebError> {
    let user = require_form(&viewer, Role::Editor, "/newsroom", &form.csrf)?;
    let now = Utc::now();
    let existing = match id {
        Some(id) => Some(
            state
                .store
                .post(id)
                .await?
                .ok_or_else(WebError::not_found)?,
        ),
        None => None,
    };
    if let Some(existing) = &existing
        && !newsroom::may_edit(&user, existing)
    {
        return Err(WebError::forbidden("The post's author and chief editors"));
    }
    let mut post = existing
        .clone()
        .unwrap_or_else(|| newsroom::new_post(user.id, now));
    fill(&mut post, &form, now);
    let published_before = existing
        .as_ref()
        .is_some_and(|p| p.state == PostState::Published);
    let checked = newsroom::check_post(&mut post)
        .and_then(|()| choose_state(&mut post, &form, published_before, now));
    if let Err(message) = checked {
        return Ok(page(
            &form_page(&viewer, &post, Some(message)),
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    post.id = state.store.save_post(post.clone()).await?;
    if form.action == "publish" {
        if !published_before {
            post.publish_at = None;
        }
        post.state = PostState::Published;
    }
    newsroom::record_revision(state.store.as_ref(), existing.as_ref(), &post, &user, now).await?;
    if form.action == "publish" {
        let item = newsroom::publish(state.store.as_ref(), post, now).await?;
        return Ok(Redirect::to(&format!("/items/{}", item.0)).into_response());
    }
    Ok(Redirect::to("/newsroom").into_response())
}

/// The form's fields into the post.
fn fill(post: &mut Post, form: &PostForm, now: DateTime<Utc>) {
    post.kind = if form.kind == "update" {
        ItemKind::Update
    } else {
        ItemKind::Article
    };
    post.headline = optional(&form.headline);
    post.markdown = form.markdown.replace("\r\n", "\n");
    post.image_url = optional(&form.image_url);
    post.image_caption = optional(&form.image_caption);
    post.image_credit = optional(&form.image_credit);
    post.updated_at = now;
}

/// What the form's button asks: a draft, a time to publish, or publish
/// now (set by the caller after saving); or why that cannot be.
fn choose_state(
    post: &mut Post,
    form: &PostForm,
    published_before: bool,
    now: DateTime<Utc>,
) -> Result<(), String> {
    match form.action.as_str() {
        "draft" if published_before => Err("A published post stays published; use Update.".into()),
        "draft" => {
            post.state = PostState::Draft;
            Ok(())
        }
        "schedule" if published_before => Err("This post is already published.".into()),
        "schedule" => {
            let at = parse_time(&form.publish_at)
                .filter(|t| *t > now)
                .ok_or("Give a publication time in the future (UTC).")?;
            post.state = PostState::Scheduled;
            post.publish_at = Some(at);
            Ok(())
        }
        "publish" => Ok(()),
        _ => Err("Choose Save draft, Schedule or Publish.".into()),
    }
}

/// `2026-11-28T14:30` (a `datetime-local` field), read as UTC.
fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .map(|t| t.and_utc())
}
