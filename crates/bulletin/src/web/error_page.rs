//! Error pages in the site's own layout (header, theme, search, language),
//! with a sentence that says what happened and where to go next: one place
//! for every refusal a page can give, so none falls back to the framework's
//! plain text.

use super::account::Nav;
use askama::Template;
use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
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

/// An error page: its status, a title and a sentence, and a way on.
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: &'static str,
    pub message: String,
    pub next_href: String,
    pub next_label: &'static str,
}

impl ErrorPage {
    pub fn new(status: StatusCode, title: &'static str, message: impl Into<String>) -> ErrorPage {
        ErrorPage {
            status,
            title,
            message: message.into(),
            next_href: "/".into(),
            next_label: "Back to the feed",
        }
    }

    /// The way on, when it is not the feed.
    pub fn then(mut self, href: impl Into<String>, label: &'static str) -> ErrorPage {
        self.next_href = href.into();
        self.next_label = label;
        self
    }

    pub fn not_found() -> ErrorPage {
        ErrorPage::new(
            StatusCode::NOT_FOUND,
            "Not found",
            "There is nothing at this address.",
        )
    }

    pub fn unavailable() -> ErrorPage {
        ErrorPage::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "The database did not answer. Try again in a moment.",
        )
    }

    /// A signed-in form whose CSRF token is not the session's own.
    pub fn form_expired() -> ErrorPage {
        ErrorPage::new(
            StatusCode::FORBIDDEN,
            "This form expired",
            "The form was opened in an earlier session. Reload the page and send it again.",
        )
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        let page = ErrorTemplate {
            nav: Nav::default(),
            query: String::new(),
            feed_path: "/feed".into(),
            title: self.title,
            message: &self.message,
            next_href: &self.next_href,
            next_label: self.next_label,
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!("template: {e}");
                (self.status, self.message).into_response()
            }
        }
    }
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
    type Rejection = ErrorPage;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Form::<T>::from_request(request, state).await {
            Ok(Form(value)) => Ok(PageForm(value)),
            Err(rejection) => {
                tracing::debug!("form refused: {rejection}");
                Err(ErrorPage::new(
                    StatusCode::BAD_REQUEST,
                    "The form was incomplete",
                    "Some of the form's fields were missing or not readable. Go back, fill in every field and send it again.",
                ))
            }
        }
    }
}
