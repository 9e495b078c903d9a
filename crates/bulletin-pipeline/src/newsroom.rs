//! The newsroom: editors' own posts, written in Markdown, published as items
//! of the "Newsroom" source so they appear in the feed, the API and the
//! outgoing feeds like anything fetched. A post keeps its item (and so its
//! address) when it is edited; the item's `modified_at` says when.

use bulletin_core::text::truncate_chars;
use bulletin_core::{Author, Image, ItemId, ItemKind, SourceId};
use bulletin_store::{
    NewItem, NewSource, Post, PostRevision, PostState, Role, Store, StoreError, StoreResult, User,
    UserId,
};
use chrono::{DateTime, Utc};

/// The newsroom source's address: not fetched, never due.
pub const NEWSROOM_URL: &str = "bulletin:newsroom";
/// Its `kind`, which the store leaves out of fetch passes.
pub const NEWSROOM_KIND: &str = "newsroom";
/// Longest summary kept for a post.
const SUMMARY_CHARS: usize = 320;

/// Longest values a post's fields take (the newsroom's form says the same).
pub const HEADLINE_CHARS: usize = 300;
pub const TEXT_CHARS: usize = 100_000;
pub const IMAGE_URL_CHARS: usize = 2_000;
pub const CAPTION_CHARS: usize = 1_000;
pub const CREDIT_CHARS: usize = 300;

/// A new draft article by `author`.
pub fn new_post(author: UserId, now: DateTime<Utc>) -> Post {
    Post {
        id: 0,
        author,
        kind: ItemKind::Article,
        headline: None,
        markdown: String::new(),
        image_url: None,
        image_caption: None,
        image_credit: None,
        state: PostState::Draft,
        publish_at: None,
        item: None,
        created_at: now,
        updated_at: now,
    }
}

/// Checks a post an editor wrote: a text, a headline for an article, every
/// field within its length, the picture's address a web URL (kept as
/// parsed). The error is a sentence for the editor.
pub fn check_post(post: &mut Post) -> Result<(), String> {
    if post.markdown.trim().is_empty() {
        return Err("Write the text of the post.".into());
    }
    if post.kind == ItemKind::Article && post.headline.is_none() {
        return Err("An article needs a headline (an update does not).".into());
    }
    for (value, max, what) in [
        (post.headline.as_deref(), HEADLINE_CHARS, "The headline"),
        (Some(post.markdown.as_str()), TEXT_CHARS, "The text"),
        (
            post.image_url.as_deref(),
            IMAGE_URL_CHARS,
            "The picture's address",
        ),
        (post.image_caption.as_deref(), CAPTION_CHARS, "The caption"),
        (post.image_credit.as_deref(), CREDIT_CHARS, "The credit"),
    ] {
        if value.is_some_and(|v| v.chars().count() > max) {
            return Err(format!("{what} is too long: at most {max} characters."));
        }
    }
    if let Some(url) = &post.image_url {
        post.image_url =
            Some(bulletin_core::web_url(url).ok_or(
                "The picture's address must be a full web address starting with https://.",
            )?);
    }
    Ok(())
}

/// Markdown to sanitized HTML and plain text. Editors' HTML goes through the
/// same allowlist as the web's: a post cannot carry a script either.
pub fn render_markdown(markdown: &str) -> (String, String) {
    let parser = pulldown_cmark::Parser::new_ext(
        markdown,
        pulldown_cmark::Options::ENABLE_STRIKETHROUGH | pulldown_cmark::Options::ENABLE_TABLES,
    );
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    let clean = bulletin_extract::sanitize_fragment(&html, None);
    (clean.html, clean.text)
}

/// The newsroom source, created the first time it is needed.
pub async fn newsroom_source(store: &dyn Store) -> StoreResult<SourceId> {
    let created = store
        .add_source(NewSource {
            url: NEWSROOM_URL.into(),
            title: Some("Newsroom".into()),
            kind: Some(NEWSROOM_KIND.into()),
            ..NewSource::default()
        })
        .await;
    match created {
        Ok(id) | Err(StoreError::DuplicateSource(id)) => Ok(id),
        Err(e) => Err(e),
    }
}

/// How the author appears on the post's byline and card.
pub fn byline(user: &User) -> Author {
    Author {
        name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.name.clone()),
        role: user.title.clone(),
        bio: user.bio.clone(),
        avatar_url: bulletin_core::keep_web_url(user.avatar_url.clone()),
        ..Author::default()
    }
}

/// The item a post is published as.
fn item_for(post: &Post, author: &User, published_at: DateTime<Utc>) -> NewItem {
    let (html, text) = render_markdown(&post.markdown);
    let words = bulletin_core::count_words(&text);
    let title = post
        .headline
        .as_deref()
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string);
    let kind = match (post.kind, &title) {
        (ItemKind::Article, Some(_)) => ItemKind::Article,
        _ => ItemKind::Update,
    };
    let lead_image = post
        .image_url
        .as_deref()
        .and_then(bulletin_core::web_url)
        .map(|url| Image {
            url,
            caption: post.image_caption.clone().filter(|c| !c.trim().is_empty()),
            credit: post.image_credit.clone().filter(|c| !c.trim().is_empty()),
        });
    NewItem {
        guid: Some(format!("post-{}", post.id)),
        kind,
        url: None,
        canonical_url: None,
        title,
        summary: Some(truncate_chars(&text.replace("\n\n", " "), SUMMARY_CHARS)),
        published_at,
        modified_at: None,
        lang: None,
        site_name: Some("Newsroom".into()),
        authors: vec![byline(author)],
        lead_image,
        word_count: words,
        reading_time_minutes: bulletin_core::reading_time_minutes(words),
        text,
        html,
        related_links: Vec::new(),
    }
    .with_web_urls()
}

/// Publishes a saved post now (or updates its item when it was published
/// before). Returns the item's id.
/// The byline is always the post's author's, whoever publishes or edits it.
pub async fn publish(store: &dyn Store, mut post: Post, now: DateTime<Utc>) -> StoreResult<ItemId> {
    let author = store.user(post.author).await?.ok_or_else(|| {
        StoreError::Database(format!("the author of post {} is missing", post.id))
    })?;
    let author = &author;
    let source = newsroom_source(store).await?;
    let id = match post.item {
        Some(item) => {
            let published_at = post.publish_at.unwrap_or(now);
            let mut edited = item_for(&post, author, published_at);
            edited.modified_at = Some(now);
            if store.update_item(item, edited).await? {
                item
            } else {
                // The item was pruned or removed: publish it afresh.
                insert(store, source, &post, author, now).await?
            }
        }
        None => insert(store, source, &post, author, now).await?,
    };
    post.item = Some(id);
    post.state = PostState::Published;
    post.publish_at = Some(post.publish_at.filter(|t| *t <= now).unwrap_or(now));
    post.updated_at = now;
    store.save_post(post).await?;
    Ok(id)
}

async fn insert(
    store: &dyn Store,
    source: SourceId,
    post: &Post,
    author: &User,
    now: DateTime<Utc>,
) -> StoreResult<ItemId> {
    let item = item_for(post, author, now);
    let guid = item.guid.clone().unwrap_or_default();
    store.insert_items(source, vec![item]).await?;
    store
        .item_by_guid(source, guid)
        .await?
        .ok_or_else(|| StoreError::Database("the published post's item is missing".into()))
}

/// Publishes every scheduled post whose time has come. Returns how many.
pub async fn publish_due(store: &dyn Store, now: DateTime<Utc>) -> StoreResult<usize> {
    let due = store.due_posts(now).await?;
    let mut published = 0;
    if due.is_empty() {
        return Ok(0);
    }
    for post in due {
        publish(store, post, now).await?;
        published += 1;
    }
    Ok(published)
}

/// Whether `user` may change `post`: its author, or a chief editor or
/// admin (who edit anyone's; the post keeps its author).
pub fn may_edit(user: &User, post: &Post) -> bool {
    post.id == 0 || post.author == user.id || user.role >= Role::ChiefEditor
}

/// What changed between two versions of a post, in words.
pub fn changes(before: Option<&Post>, after: &Post) -> String {
    let Some(before) = before else {
        return "created".into();
    };
    let mut changed = Vec::new();
    if before.kind != after.kind {
        changed.push("kind");
    }
    if before.headline != after.headline {
        changed.push("headline");
    }
    if before.markdown != after.markdown {
        changed.push("text");
    }
    if before.image_url != after.image_url {
        changed.push("picture");
    }
    if before.image_caption != after.image_caption {
        changed.push("caption");
    }
    if before.image_credit != after.image_credit {
        changed.push("credit");
    }
    if before.state != after.state || before.publish_at != after.publish_at {
        changed.push(match after.state {
            PostState::Published => "published",
            PostState::Scheduled => "schedule",
            PostState::Draft => "state",
        });
    }
    if changed.is_empty() {
        "saved unchanged".into()
    } else {
        changed.join(", ")
    }
}

/// Keeps the saved version of `post` in its history, as saved by `editor`.
pub async fn record_revision(
    store: &dyn Store,
    before: Option<&Post>,
    post: &Post,
    editor: &User,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    store
        .add_post_revision(PostRevision {
            id: 0,
            post: post.id,
            editor: Some(editor.id),
            saved_at: now,
            changes: changes(before, post),
            headline: post.headline.clone(),
            markdown: post.markdown.clone(),
            image_url: post.image_url.clone(),
            image_caption: post.image_caption.clone(),
            image_credit: post.image_credit.clone(),
            state: post.state,
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitized() {
        let (html, text) = render_markdown(
            "Talks **resumed** at dawn.\n\n> \"We are close\"\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n<script>alert(1)</script>",
        );
        assert!(html.contains("<strong>resumed</strong>"), "{html}");
        assert!(html.contains("<blockquote>"), "{html}");
        assert!(
            !html.contains("<script")
                && !html.contains("href=\"javascript:")
                && !html.contains("onerror"),
            "{html}"
        );
        assert!(text.starts_with("Talks resumed at dawn."), "{text}");
    }
}
