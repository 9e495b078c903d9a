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
    /// In search results: the passage that matched, as runs of text, each
    /// with whether it matched (the template marks those, escaping all).
    pub snippet: Option<Vec<SnippetPart>>,
    pub image: Option<ImageView>,
    pub authors: Vec<AuthorView>,
    pub html: String,
    /// The story it is filed under.
    pub story_id: Option<i64>,
    /// The item it repeats, if it is a near-duplicate.
    pub duplicate_of: Option<i64>,
    /// The other places it appeared (its near-duplicates).
    pub copies: Vec<CopyView>,
}

/// Another place an item appeared.
pub struct CopyView {
    pub id: i64,
    pub source_title: String,
    pub published_human: String,
    pub url: Option<String>,
}

pub struct SnippetPart {
    pub text: String,
    pub matched: bool,
}

pub struct ImageView {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: String,
}

pub struct AuthorView {
    pub name: String,
    /// The author's page on this site.
    pub href: String,
    pub role: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub url: Option<String>,
}

/// The address of an author's page, for any name: every character but
/// letters, digits and `-_~` is percent-encoded (so `/`, `?`, `#` and `%`
/// stay inside the one path segment), and a name of dots alone, which a
/// browser would resolve as `.` or `..`, goes in the query instead.
pub fn author_href(name: &str) -> String {
    let name = name.trim();
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    if name.is_empty() || name.chars().all(|c| c == '.') {
        format!("/authors?name={encoded}")
    } else {
        format!("/authors/{encoded}")
    }
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

/// A link the article's own page gave ("Read also", "Related"): to
/// Bulletin's copy when it holds that article, else out to the site.
pub struct PageLinkView {
    pub title: String,
    pub href: String,
    /// Bulletin's own page for it (`href` is `/items/…`).
    pub held: bool,
    /// The site it leads to, shown beside an outside link.
    pub host: String,
}

impl PageLinkView {
    /// The link to the article at `url`, or to `held`, Bulletin's item for
    /// it; `None` when the URL may not be written into a page.
    pub fn new(title: &str, url: &str, held: Option<i64>) -> Option<PageLinkView> {
        let outside = link(Some(url))?;
        let host = url::Url::parse(&outside)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.trim_start_matches("www.").to_owned())
            })
            .unwrap_or_default();
        Some(PageLinkView {
            title: title.to_owned(),
            href: held.map_or(outside, |id| format!("/items/{id}")),
            held: held.is_some(),
            host,
        })
    }
}

pub fn image_view(img: &Image) -> Option<ImageView> {
    Some(ImageView {
        url: link(Some(&img.url))?,
        caption: img.caption.clone(),
        credit: img.credit.clone(),
        alt: img.caption.clone().unwrap_or_default(),
    })
}

pub fn author_view(a: &Author) -> AuthorView {
    AuthorView {
        href: author_href(&a.name),
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
            snippet: item.snippet.as_ref().map(|s| {
                s.parts()
                    .into_iter()
                    .map(|(text, matched)| SnippetPart {
                        text: text.to_string(),
                        matched,
                    })
                    .collect()
            }),
            image,
            authors: item.authors.iter().map(author_view).collect(),
            html,
            story_id: item.story_id,
            duplicate_of: item.duplicate_of.map(|d| d.0),
            copies: item
                .duplicates
                .iter()
                .map(|c| CopyView {
                    id: c.id.0,
                    source_title: c.source.title.clone(),
                    published_human: human_time(&c.published_at),
                    url: link(c.url.as_deref()),
                })
                .collect(),
        }
    }

    /// "The X, The Y and The Z": the sources of its copies, each once.
    pub fn also_published_by(&self) -> String {
        let mut names: Vec<&str> = Vec::new();
        for c in &self.copies {
            if !names.contains(&c.source_title.as_str()) && c.source_title != self.source_title {
                names.push(&c.source_title);
            }
        }
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => last.to_string(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
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

#[cfg(test)]
mod tests {
    use super::author_href;

    #[test]
    fn author_pages_have_an_address_for_any_name() {
        assert_eq!(author_href("Ana Ruiz"), "/authors/Ana%20Ruiz");
        assert_eq!(author_href("AC/DC"), "/authors/AC%2FDC");
        assert_eq!(author_href("50% off?#x"), "/authors/50%25%20off%3F%23x");
        assert_eq!(author_href(".."), "/authors?name=%2E%2E");
        assert_eq!(author_href("J.. Smith"), "/authors/J%2E%2E%20Smith");
    }
}
