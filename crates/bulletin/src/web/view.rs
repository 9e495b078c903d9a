//! Items shaped for templates.

use crate::demo::rewrite_for_browser;
use bulletin_core::{Author, Image, ItemKind, web_url};
use bulletin_store::Item;
use chrono::{DateTime, Utc};

pub struct EntryView {
    pub id: i64,
    pub is_update: bool,
    pub title: String,
    pub url: Option<String>,
    pub source_id: i64,
    pub source_title: String,
    pub published_iso: String,
    pub published_human: String,
    pub reading_time: u32,
    pub summary: Option<String>,
    /// In search results: the passage that matched, as HTML (escaped by the
    /// store, the matched words in `<mark>`).
    pub snippet_html: Option<String>,
    pub image: Option<ImageView>,
    pub authors: Vec<AuthorView>,
    pub html: String,
}

pub struct ImageView {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: String,
}

pub struct AuthorView {
    pub name: String,
    pub role: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub url: Option<String>,
}

pub fn human_time(t: &DateTime<Utc>) -> String {
    t.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// A URL from outside as it may go into an `href` or `src`: only absolute
/// `http(s)` URLs (checked again here, whatever was stored), with the demo's
/// own host pointed at this server. Templates and feed writers write no
/// other outside URL.
pub fn link(raw: Option<&str>) -> Option<String> {
    web_url(raw?).map(|u| rewrite_for_browser(&u).into_owned())
}

fn image_view(img: &Image) -> Option<ImageView> {
    Some(ImageView {
        url: link(Some(&img.url))?,
        caption: img.caption.clone(),
        credit: img.credit.clone(),
        alt: img.caption.clone().unwrap_or_default(),
    })
}

pub fn author_view(a: &Author) -> AuthorView {
    AuthorView {
        name: a.name.clone(),
        role: a.role.clone(),
        bio: a.bio.clone(),
        avatar_url: link(a.avatar_url.as_deref()),
        url: link(a.url.as_deref()),
    }
}

impl EntryView {
    pub fn from_item(item: &Item) -> EntryView {
        let html = item
            .html
            .as_deref()
            .map(|h| rewrite_for_browser(h).into_owned())
            .unwrap_or_default();
        // The body often opens with the lead picture: do not show it twice.
        let image = item
            .lead_image
            .as_ref()
            .filter(|img| html.is_empty() || !html.contains(rewrite_for_browser(&img.url).as_ref()))
            .and_then(image_view);
        EntryView {
            id: item.id.0,
            is_update: item.kind == ItemKind::Update,
            title: item.title.clone().unwrap_or_default(),
            url: link(item.url.as_deref()),
            source_id: item.source.id.0,
            source_title: item.source.title.clone(),
            published_iso: item.published_at.to_rfc3339(),
            published_human: human_time(&item.published_at),
            reading_time: item.reading_time_minutes,
            summary: item.summary.clone(),
            snippet_html: item.snippet.clone(),
            image,
            authors: item.authors.iter().map(author_view).collect(),
            html,
        }
    }

    pub fn byline(&self) -> String {
        self.authors
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}
