//! One way to fail on the web. A handler that cannot answer returns a
//! [`WebError`]: pages render it in the site's own layout (header, theme,
//! search) with a sentence that says what happened and where to go next;
//! the API sends the same error as its JSON envelope ([`ApiError`]). What
//! an error hides from the reader (a database's or a template's failure)
//! is logged where the error is made.

use super::account::Nav;
use askama::Template;
use axum::Json;
use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use bulletin_store::StoreError;
use serde::de::DeserializeOwned;

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    nav: Nav,
    query: String,
    feed_path: String,
    title: &'a str,
    message: &'a str,
    next_href: &'a str,
    next_label: &'a str,
}

/// Why a request was not answered: a status, a stable snake_case code (for
/// the API), a title and a sentence, and a way on.
#[derive(Debug)]
pub struct WebError(Box<Details>);

#[derive(Debug)]
struct Details {
    status: StatusCode,
    code: &'static str,
    title: &'static str,
    message: String,
    next_href: String,
    next_label: &'static str,
    /// A page that needs a signed-in reader: sign in, then come back here.
    sign_in_then: Option<String>,
}

impl std::fmt::Display for WebError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.0.title, self.0.message)
    }
}

impl WebError {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> WebError {
        WebError(Box::new(Details {
            status,
            code: code_for(status),
            title,
            message: message.into(),
            next_href: "/".into(),
            next_label: "Back to the feed",
            sign_in_then: None,
        }))
    }

    /// The stable code the API gives, when the status's own is too vague.
    pub fn code(mut self, code: &'static str) -> WebError {
        self.0.code = code;
        self
    }

    /// The way on, when it is not the feed.
    pub fn then(mut self, href: impl Into<String>, label: &'static str) -> WebError {
        self.0.next_href = href.into();
        self.0.next_label = label;
        self
    }

    /// A request the client must change: 400 with its own code.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> WebError {
        WebError::new(
            StatusCode::BAD_REQUEST,
            "This request is not valid",
            message,
        )
        .code(code)
    }

    pub fn not_found() -> WebError {
        WebError::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing at this address.",
        )
    }

    /// The store failed: logged here, shown as a short wait.
    pub fn unavailable(why: impl std::fmt::Display) -> WebError {
        tracing::error!("store: {why}");
        WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "The database did not answer. Try again in a moment.",
        )
        .code("database_unavailable")
    }

    /// Something of ours failed (a template, a serializer): logged here.
    pub fn internal(why: impl std::fmt::Display) -> WebError {
        tracing::error!("internal: {why}");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "This page could not be made. Try again, or go back to the feed.",
        )
        .code("internal")
    }

    /// A page or link naming a position (cursor) the store never gave out.
    pub fn invalid_cursor() -> WebError {
        WebError::new(
            StatusCode::BAD_REQUEST,
            "This page link is not valid",
            "The link to this page was changed or has expired; start again without it.",
        )
        .code("invalid_cursor")
        .then("/", "Start from the newest items")
    }

    /// A signed-in form whose CSRF token is not the session's own.
    pub fn form_expired() -> WebError {
        WebError::new(
            StatusCode::FORBIDDEN,
            "This form expired",
            "The form was opened in an earlier session. Reload the page and send it again.",
        )
        .code("form_expired")
    }

    /// Signed in without the role `who` names.
    pub fn forbidden(who: &str) -> WebError {
        WebError::new(
            StatusCode::FORBIDDEN,
            "Not allowed",
            format!("{who} may do this; your account may not."),
        )
    }

    /// Not signed in: a page sends the reader to sign in and come back to
    /// `here`; the API answers 401.
    pub fn sign_in(here: &str) -> WebError {
        let mut e = WebError::new(
            StatusCode::UNAUTHORIZED,
            "Sign in",
            "Sign in to see this page.",
        );
        e.0.sign_in_then = Some(here.to_string());
        e
    }
}

/// The API's code for a status, unless the error names its own.
fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        413 => "too_large",
        422 => "invalid",
        429 => "too_many_requests",
        503 => "unavailable",
        _ => "internal",
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InvalidCursor => WebError::invalid_cursor(),
            e => WebError::unavailable(e),
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let e = *self.0;
        if let Some(here) = &e.sign_in_then {
            return Redirect::to(&format!("/login?next={}", super::pages::url_encode(here)))
                .into_response();
        }
        let page = ErrorTemplate {
            nav: Nav::default(),
            query: String::new(),
            feed_path: "/feed".into(),
            title: e.title,
            message: &e.message,
            next_href: &e.next_href,
            next_label: e.next_label,
        };
        match page.render() {
            Ok(html) => (e.status, Html(html)).into_response(),
            Err(why) => {
                tracing::error!("template: {why}");
                (e.status, e.message).into_response()
            }
        }
    }
}

/// A [`WebError`] answered to an API client: `{"error": {"code",
/// "message"}}` with the error's status.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> Self {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Details {
            status,
            code,
            message,
            ..
        } = *(self.0).0;
        (
            status,
            Json(serde_json::json!({"error": {"code": code, "message": message}})),
        )
            .into_response()
    }
}

/// A page rendered with `status`, or the error that says it could not be.
pub fn page(template: &impl Template, status: StatusCode) -> Result<Response, WebError> {
    let html = template.render().map_err(WebError::internal)?;
    Ok((status, Html(html)).into_response())
}

/// A form from a page: like axum's `Form`, but a body that is not a
/// complete form gets an error page with a sentence instead of the
/// framework's message.
pub struct PageForm<T>(pub T);

impl<T, S> FromRequest<S> for PageForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(PageForm(value)),
            Err(rejection) => {
                tracing::debug!("form refused: {rejection}");
                Err(WebError::new(
                    StatusCode::BAD_REQUEST,
                    "The form was incomplete",
                    "Some of the form's fields were missing or not readable. Go back, fill in every field and send it again.",
                ))
            }
        }
    }
}

/// A query string read for the API: like axum's `Query`, but one that does
/// not read (a limit that is not a number) gets the API's JSON error.
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError(WebError::bad_request(
                "invalid_query",
                format!("the query string is not valid: {}", rejection.body_text()),
            ))),
        }
    }
}
