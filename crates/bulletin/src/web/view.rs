//! Items shaped for templates.

use crate::demo::rewrite_for_browser;
use bulletin_core::{Author, Image, ItemKind};
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

fn image_view(img: &Image) -> ImageView {
    ImageView {
        url: rewrite_for_browser(&img.url).into_owned(),
        caption: img.caption.clone(),
        credit: img.credit.clone(),
        alt: img.caption.clone().unwrap_or_default(),
    }
}

pub fn author_view(a: &Author) -> AuthorView {
    AuthorView {
        name: a.name.clone(),
        role: a.role.clone(),
        bio: a.bio.clone(),
        avatar_url: a
            .avatar_url
            .as_deref()
            .map(|u| rewrite_for_browser(u).into_owned()),
        url: a.url.clone(),
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
            .map(image_view);
        EntryView {
            id: item.id.0,
            is_update: item.kind == ItemKind::Update,
            title: item.title.clone().unwrap_or_default(),
            url: item.url.clone(),
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
