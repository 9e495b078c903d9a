//! Item building: a feed entry and, when one was fetched, its extracted
//! article page become the item to store. All HTML is sanitized here, and
//! every URL from outside is checked (`NewItem::with_web_urls`).

use bulletin_core::text::truncate_chars;
use bulletin_core::{Article, Author, FeedEntry, Image, ItemKind, canonicalize_url};
use bulletin_store::{ItemKey, NewItem};
use chrono::{DateTime, Utc};
use url::Url;

/// Longest plain-text summary kept.
pub const SUMMARY_CHARS: usize = 320;

pub fn entry_key(entry: &FeedEntry) -> ItemKey {
    ItemKey {
        guid: entry.id.clone(),
        canonical_url: canonical_link(entry),
    }
}

fn canonical_link(entry: &FeedEntry) -> Option<String> {
    let link = Url::parse(entry.link.as_deref()?).ok()?;
    Some(canonicalize_url(&link).to_string())
}

/// Builds the item to store from a feed entry and, when one was fetched, its
/// extracted article page. All HTML is sanitized here.
pub fn build_item(
    entry: FeedEntry,
    article: Option<Article>,
    site_name: Option<&str>,
    lang: Option<&str>,
) -> NewItem {
    let now = Utc::now();
    let page = article.as_ref();
    let body = body_of(&entry, page);
    let authors = pick_authors(&entry.authors, page.map_or(&[], |a| a.authors.as_slice()));
    let lead_image = pick_image(
        entry.image.clone(),
        page.and_then(|a| a.lead_image.clone()),
        body.first_image.clone(),
    );
    let title = entry
        .title
        .clone()
        .or_else(|| page.and_then(|a| a.title.clone()))
        .filter(|t| !t.trim().is_empty());
    NewItem {
        guid: entry.id.clone(),
        kind: if title.is_none() {
            ItemKind::Update
        } else {
            ItemKind::Article
        },
        url: entry
            .link
            .clone()
            .or_else(|| page.and_then(|a| a.url.clone())),
        canonical_url: page
            .and_then(|a| a.canonical_url.clone())
            .or_else(|| canonical_link(&entry)),
        title,
        summary: summary_of(&entry, page, &body.text),
        published_at: published_at(&entry, page, now),
        modified_at: entry.updated.or_else(|| {
            page.and_then(|a| a.modified_at)
                .map(|d| d.with_timezone(&Utc))
        }),
        lang: page
            .and_then(|a| a.lang.clone())
            .or_else(|| lang.map(str::to_string)),
        site_name: page
            .and_then(|a| a.site_name.clone())
            .or_else(|| site_name.map(str::to_string)),
        authors,
        lead_image,
        text: body.text,
        html: body.html,
        word_count: body.word_count,
        reading_time_minutes: body.reading_time_minutes,
        related_links: page.map(|a| a.related.clone()).unwrap_or_default(),
    }
    .with_web_urls()
}

/// An item's body, sanitized, with what was counted and found in it.
struct Body {
    html: String,
    text: String,
    word_count: usize,
    reading_time_minutes: u32,
    /// The body's first figure (a lead picture when nothing else gives one).
    first_image: Option<Image>,
}

/// The body: the feed's full content, else the article page, else the
/// summary. Relative links in the feed's HTML resolve against the base the
/// feed declares, else the article's page (feeds are often served from
/// another host than the articles they point to).
fn body_of(entry: &FeedEntry, page: Option<&Article>) -> Body {
    let clean = |html: &str| {
        let base = entry
            .base
            .as_deref()
            .or(entry.link.as_deref())
            .and_then(|l| Url::parse(l).ok());
        let (clean, word_count, reading_time_minutes) =
            bulletin_extract::clean_feed_content(html, base.as_ref());
        Body {
            html: clean.html,
            text: clean.text,
            word_count,
            reading_time_minutes,
            first_image: clean.first_image,
        }
    };
    match (&entry.content, page) {
        (Some(content), _) => clean(content),
        (None, Some(a)) if a.word_count > 0 => Body {
            html: a.html.clone(),
            text: a.text.clone(),
            word_count: a.word_count,
            reading_time_minutes: a.reading_time_minutes,
            first_image: None,
        },
        _ => clean(entry.summary.as_deref().unwrap_or_default()),
    }
}

/// The summary: the feed's, as text, else the page's, else the body's
/// first paragraph; cut to [`SUMMARY_CHARS`].
fn summary_of(entry: &FeedEntry, page: Option<&Article>, body_text: &str) -> Option<String> {
    entry
        .summary
        .as_deref()
        .map(bulletin_feeds::html_to_text)
        .filter(|s| !s.is_empty())
        .or_else(|| page.and_then(|a| a.summary.clone()))
        .or_else(|| body_text.split("\n\n").next().map(str::to_string))
        .map(|s| truncate_chars(&s, SUMMARY_CHARS))
        .filter(|s| !s.is_empty())
}

/// When the item was published: the feed's date, else the page's, else
/// now; never later than now (a date in the future would pin the item to
/// the top of the feed).
fn published_at(entry: &FeedEntry, page: Option<&Article>, now: DateTime<Utc>) -> DateTime<Utc> {
    entry
        .published
        .or(entry.updated)
        .or_else(|| {
            page.and_then(|a| a.published_at)
                .map(|d| d.with_timezone(&Utc))
        })
        .unwrap_or(now)
        .min(now)
}

/// The article page usually knows more about an author (role, bio, avatar).
fn pick_authors(from_feed: &[Author], from_page: &[Author]) -> Vec<Author> {
    // A feed may credit someone by e-mail alone; an item shows names, and
    // keeps no addresses.
    let from_feed: Vec<Author> = from_feed
        .iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| Author {
            email: None,
            ..a.clone()
        })
        .collect();
    if from_page.is_empty() {
        return from_feed;
    }
    if from_feed.is_empty() {
        return from_page.to_vec();
    }
    let from_feed = from_feed.as_slice();
    from_feed
        .iter()
        .map(|a| {
            from_page
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(&a.name))
                .cloned()
                .unwrap_or_else(|| a.clone())
        })
        .collect()
}

fn pick_image(
    from_feed: Option<Image>,
    from_page: Option<Image>,
    from_body: Option<Image>,
) -> Option<Image> {
    let mut best = match (from_feed, from_page) {
        (Some(f), Some(p)) if f.caption.is_none() && p.caption.is_some() => Some(p),
        (Some(f), _) => Some(f),
        (None, p) => p,
    }
    .or(from_body.clone());
    if let (Some(b), Some(body)) = (best.as_mut(), from_body)
        && b.url == body.url
    {
        b.caption = b.caption.take().or(body.caption);
        b.credit = b.credit.take().or(body.credit);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn builds_update_without_title_and_clamps_future_dates() {
        let entry = FeedEntry {
            id: Some("u1".into()),
            content: Some("<p>Short update <script>x()</script>text.</p>".into()),
            published: Some(Utc::now() + Duration::days(3)),
            ..FeedEntry::default()
        };
        let item = build_item(entry, None, Some("Site"), None);
        assert_eq!(item.kind, ItemKind::Update);
        assert!(item.published_at <= Utc::now());
        assert_eq!(item.text, "Short update text.");
        assert!(!item.html.contains("script"));
        assert_eq!(item.summary.as_deref(), Some("Short update text."));
    }
}
