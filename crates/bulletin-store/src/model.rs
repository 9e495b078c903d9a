//! What the store keeps and returns.

use bulletin_core::{Author, Image, ItemId, ItemKind, RelatedLink, SourceId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A subscribed feed and its health.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Source {
    pub id: SourceId,
    /// The feed's URL.
    pub url: String,
    /// The website the feed belongs to.
    pub site_url: Option<String>,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub ttl_minutes: Option<u32>,
    pub created_at: DateTime<Utc>,
    pub last_fetch_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Why the last fetch failed, in words; `None` when it worked.
    pub last_error: Option<String>,
    pub error_count: u32,
    pub next_fetch_at: DateTime<Utc>,
    pub item_count: u64,
    /// The folder it is filed in ("News / World"), from an OPML import.
    pub category: Option<String>,
    /// Since when it is paused after failing for a long time: not fetched
    /// on schedule until a fetch of all sources works again.
    pub paused_at: Option<DateTime<Utc>>,
    /// The process fetching it now (`host:pid`), while its lease runs.
    #[serde(default)]
    pub lease_owner: Option<String>,
    #[serde(default)]
    pub lease_until: Option<DateTime<Utc>>,
}

impl Source {
    /// The title to show: the feed's own, or its URL.
    /// The process holding this source at `now`, if another may not take it.
    pub fn held_by(&self, now: DateTime<Utc>) -> Option<&str> {
        match (&self.lease_owner, self.lease_until) {
            (Some(owner), Some(until)) if until > now => Some(owner),
            _ => None,
        }
    }

    pub fn display_title(&self) -> &str {
        self.title.as_deref().unwrap_or(&self.url)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewSource {
    pub url: String,
    pub site_url: Option<String>,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
}

/// How one fetch of a source went.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    Success {
        at: DateTime<Utc>,
        title: Option<String>,
        site_url: Option<String>,
        kind: Option<String>,
        etag: Option<String>,
        last_modified: Option<String>,
        ttl_minutes: Option<u32>,
        /// A warning worth showing (such as a malformed but readable feed).
        warning: Option<String>,
        next_fetch_at: DateTime<Utc>,
        /// Where every redirect on the way permanently pointed, if anywhere.
        moved_to: Option<String>,
        /// Fetches in a row that must report the same permanent redirect
        /// before the source's URL is changed to it.
        move_after: u32,
    },
    Failure {
        at: DateTime<Utc>,
        error: String,
        next_fetch_at: DateTime<Utc>,
        /// Pause the source: it has been failing too long to keep polling.
        pause: bool,
    },
}

/// How an entry is recognized as already stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemKey {
    pub guid: Option<String>,
    pub canonical_url: Option<String>,
}

/// An item ready to store (HTML already sanitized).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewItem {
    pub guid: Option<String>,
    pub kind: ItemKind,
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub published_at: DateTime<Utc>,
    pub modified_at: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub authors: Vec<Author>,
    pub lead_image: Option<Image>,
    pub text: String,
    pub html: String,
    pub word_count: usize,
    pub reading_time_minutes: u32,
    /// Other articles the page points to ("Read also", "Related"), as the
    /// page titles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_links: Vec<RelatedLink>,
}

impl NewItem {
    /// The item with every URL that is not an absolute `http(s)` URL dropped
    /// (its link, canonical URL, lead picture, authors' profiles and
    /// avatars, the related links): what a feed, a page or an editor
    /// supplies is checked here before it is stored.
    pub fn with_web_urls(self) -> NewItem {
        use bulletin_core::keep_web_url;
        NewItem {
            url: keep_web_url(self.url),
            canonical_url: keep_web_url(self.canonical_url),
            lead_image: self.lead_image.and_then(Image::with_web_url),
            authors: self
                .authors
                .into_iter()
                .map(Author::with_web_urls)
                .collect(),
            related_links: self
                .related_links
                .into_iter()
                .filter_map(RelatedLink::with_web_url)
                .collect(),
            ..self
        }
    }
}

/// The source an item came from, as shown beside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SourceRef {
    pub id: SourceId,
    pub title: String,
}

/// A stored item. `text` and `html` are filled only when asked for.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub id: ItemId,
    pub kind: ItemKind,
    pub title: Option<String>,
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub source: SourceRef,
    pub published_at: DateTime<Utc>,
    pub modified_at: Option<DateTime<Utc>>,
    pub summary: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub word_count: usize,
    pub reading_time_minutes: u32,
    pub lead_image: Option<Image>,
    pub authors: Vec<Author>,
    /// The story the item is filed under (`None` until it is).
    #[serde(default)]
    pub story_id: Option<i64>,
    /// The item this one is a near-duplicate of (the same article
    /// published again elsewhere, or updated in place), if any.
    #[serde(default)]
    pub duplicate_of: Option<ItemId>,
    /// The other places this item appeared: the items that are
    /// near-duplicates of it (filled by the store wherever it reads items).
    #[serde(default)]
    pub duplicates: Vec<ItemCopy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// Other articles the item's page points to, filled with `text` and
    /// `html`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related_links: Vec<RelatedLink>,
    /// In search results: the words around the matches, with where they
    /// matched (the web layer marks them up).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

/// Another place an item appeared: an item that repeats it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemCopy {
    pub id: ItemId,
    pub url: Option<String>,
    pub source: SourceRef,
    pub published_at: DateTime<Utc>,
}

/// Words of a search result around its matches: plain text, and the spans
/// of it that matched the search, as character offsets (`start..end`), in
/// order and apart.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    pub matches: Vec<MatchSpan>,
}

/// Where a snippet matched: characters `start..end` of its text.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct MatchSpan {
    pub start: usize,
    pub end: usize,
}

impl Snippet {
    /// The snippet cut into runs of text, each with whether it matched.
    pub fn parts(&self) -> Vec<(&str, bool)> {
        let offsets: Vec<usize> = self
            .text
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(self.text.len()))
            .collect();
        let at = |chars: usize| offsets[chars.min(offsets.len() - 1)];
        let mut parts = Vec::new();
        let mut pos = 0;
        for span in &self.matches {
            let (start, end) = (at(span.start), at(span.end));
            if start < pos || end < start {
                continue;
            }
            if start > pos {
                parts.push((&self.text[pos..start], false));
            }
            parts.push((&self.text[start..end], true));
            pos = end;
        }
        if pos < self.text.len() {
            parts.push((&self.text[pos..], false));
        }
        parts
    }
}

/// Words in a search result's snippet, in both backends.
pub const SNIPPET_WORDS: usize = 24;

/// A search result's snippet: the best passage of its body, else of its
/// summary or headline, when the words are found there (the headline is
/// shown above the snippet anyway).
pub fn result_snippet(item: &Item, body: &str, words: &[Vec<String>]) -> Option<Snippet> {
    passage(body, words, SNIPPET_WORDS)
        .or_else(|| {
            item.summary
                .as_deref()
                .and_then(|s| passage(s, words, SNIPPET_WORDS))
        })
        .or_else(|| {
            item.title
                .as_deref()
                .and_then(|t| passage(t, words, SNIPPET_WORDS))
        })
}

/// Characters a snippet's text does not keep: whitespace becomes a space (a run of it one),
/// and the zero-width space PostgreSQL's search puts after "<" (see its
/// migration 0004) goes.
fn snippet_char(c: char) -> Option<char> {
    match c {
        c if c.is_whitespace() => Some(' '),
        '\u{200B}' => None,
        c => Some(c),
    }
}

/// The passage of `text` (about `width` words) with the most words that
/// match `words` (each word given as the forms that match it: a token
/// matches a form it equals, or starts with when the form has three letters
/// or more, as stems do), with the spans that matched. `None` when nothing
/// in `text` matches.
pub fn passage(text: &str, words: &[Vec<String>], width: usize) -> Option<Snippet> {
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, ch) in text.char_indices() {
        if ch.is_alphanumeric() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            tokens.push((s, i));
        }
    }
    if let Some(s) = start {
        tokens.push((s, text.len()));
    }
    let forms: Vec<&str> = words.iter().flatten().map(String::as_str).collect();
    let matched: Vec<bool> = tokens
        .iter()
        .map(|&(s, e)| {
            let token = text[s..e].to_lowercase();
            forms
                .iter()
                .any(|f| token == *f || (f.chars().count() >= 3 && token.starts_with(f)))
        })
        .collect();
    if !matched.contains(&true) {
        return None;
    }
    // The window of `width` tokens holding the most matches (the first such).
    let w = width.clamp(1, tokens.len());
    let mut count = matched[..w].iter().filter(|m| **m).count();
    let (mut best, mut from) = (count, 0);
    for i in 1..=tokens.len() - w {
        count = count + usize::from(matched[i + w - 1]) - usize::from(matched[i - 1]);
        if count > best {
            (best, from) = (count, i);
        }
    }
    let mut snippet = Snippet::default();
    let mut chars = 0;
    let mut push = |snippet: &mut Snippet, piece: &str| {
        for c in piece.chars().filter_map(snippet_char) {
            // A run of spaces is one space (paragraph breaks were two
            // line breaks).
            if c == ' ' && snippet.text.ends_with(' ') {
                continue;
            }
            snippet.text.push(c);
            chars += 1;
        }
        chars
    };
    let mut pos = tokens[from].0;
    for k in from..from + w {
        let (s, e) = tokens[k];
        push(&mut snippet, &text[pos..s]);
        let before = push(&mut snippet, "");
        let after = push(&mut snippet, &text[s..e]);
        if matched[k] {
            snippet.matches.push(MatchSpan {
                start: before,
                end: after,
            });
        }
        pos = e;
    }
    // A passage that ends the text keeps its closing punctuation.
    if from + w == tokens.len() {
        push(&mut snippet, text[pos..].trim_end());
    }
    Some(snippet)
}

#[cfg(test)]
mod snippet_tests {
    use super::*;

    fn marked(s: &Snippet) -> String {
        s.parts()
            .into_iter()
            .map(|(t, m)| if m { format!("[{t}]") } else { t.to_string() })
            .collect()
    }

    #[test]
    fn finds_the_best_passage_and_its_matches() {
        let words = vec![
            vec!["merger".to_string(), "merg".to_string()],
            vec!["tokyo".to_string()],
        ];
        let text = "Intro words here. Nothing else. Then the mergers in Tokyo went ahead, said <b>Ana</b>.";
        let found = marked(&passage(text, &words, 6).unwrap());
        assert!(found.contains("[mergers] in [Tokyo]"), "{found}");
        assert!(!found.contains("Intro"), "{found}");
        assert_eq!(passage("no match at all", &words, 6), None);
        // Short forms match whole words only.
        let short = vec![vec!["a".to_string()]];
        let found = marked(&passage("an apple, a pear", &short, 10).unwrap());
        assert_eq!(found, "an apple, [a] pear");
        // Offsets count characters, not bytes.
        let found = passage("Zoë and ça, the merger", &words, 10).unwrap();
        assert_eq!(found.matches, vec![MatchSpan { start: 16, end: 22 }]);
        assert_eq!(marked(&found), "Zoë and ça, the [merger]");
        // Line breaks are spaces, runs of spaces one; PostgreSQL's
        // zero-width spaces go.
        let found = passage("x <\u{200B}y.\n\nThe  merger", &words, 10).unwrap();
        assert_eq!(found.text, "x <y. The merger");
        assert_eq!(marked(&found), "x <y. The [merger]");
    }
}

/// A position in the newest-first order: the last item of a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub published_at_ms: i64,
    pub id: i64,
}

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.published_at_ms, self.id)
    }

    /// A cursor this store wrote: `ms.id`, the time one a date can hold.
    pub fn decode(s: &str) -> Option<Cursor> {
        let (a, b) = s.split_once('.')?;
        let cursor = Cursor {
            published_at_ms: a.parse().ok()?,
            id: b.parse().ok()?,
        };
        DateTime::from_timestamp_millis(cursor.published_at_ms).map(|_| cursor)
    }
}

/// The order of a search's results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ItemOrder {
    /// Newest first (and always, without a search).
    #[default]
    Newest,
    /// Best match first, among the [`RANKED_MATCHES`] newest matches: news
    /// is searched for what is current, and ranking every one of fifty
    /// thousand matches for a common word would take seconds.
    Relevance,
}

/// How many of a search's newest matches an [`ItemOrder::Relevance`]
/// search ranks.
pub const RANKED_MATCHES: usize = 500;

/// Where a page of results by relevance starts: an offset into the ranking,
/// written `r40` (keyset cursors are `published_at.id`).
fn rank_cursor(skip: usize) -> String {
    format!("r{skip}")
}

/// The offset in a cursor made by [`rank_cursor`].
fn decode_rank_cursor(s: &str) -> Option<usize> {
    s.strip_prefix('r')?
        .parse()
        .ok()
        .filter(|n| *n < RANKED_MATCHES)
}

/// A newest-first page from `limit + 1` rows: the extra row says there is
/// a next page, which starts after the last one shown.
pub fn newest_page(items: Vec<Item>, limit: usize) -> ItemPage {
    let (items, next_cursor) = keyset_page(items, limit, |i| Cursor {
        published_at_ms: i.published_at.timestamp_millis(),
        id: i.id.0,
    });
    ItemPage { items, next_cursor }
}

/// The first `limit` of `limit + 1` rows, and when there was one more, the
/// cursor of the last row kept (where the next page starts).
fn keyset_page<T>(
    mut rows: Vec<T>,
    limit: usize,
    key: impl Fn(&T) -> Cursor,
) -> (Vec<T>, Option<String>) {
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let next = rows.last().map(|last| key(last).encode());
    (rows, next)
}

/// A page of results by relevance from the `limit + 1` ranked after
/// `skip`: the extra one says there is a next page.
pub fn ranked_page(mut items: Vec<Item>, limit: usize, skip: usize) -> ItemPage {
    let next = skip + limit;
    let next_cursor = (items.len() > limit && next < RANKED_MATCHES).then(|| rank_cursor(next));
    items.truncate(limit);
    ItemPage { items, next_cursor }
}

/// The most items one page holds.
pub const MAX_PAGE_SIZE: usize = 500;

/// Which items to list.
#[derive(Debug, Clone, Default)]
pub struct ItemQuery {
    pub limit: usize,
    /// Where the page starts: a page's `next_cursor` as the client sent it
    /// back (its syntax is the store's business; see [`ItemQuery::start`]).
    pub cursor: Option<String>,
    pub order: ItemOrder,
    pub source: Option<SourceId>,
    /// Full-text search words.
    pub search: Option<String>,
    /// Only items by this author (by name, any letter case).
    pub author: Option<String>,
    /// Leave out near-duplicates (items with a `duplicate_of`); applies to
    /// listings, not to searches.
    pub originals_only: bool,
    pub include_content: bool,
}

impl ItemQuery {
    /// Where the page starts, read from the cursor: newest-first pages
    /// start after an item (`None`: the newest), pages by relevance after a
    /// number of results. A cursor this store did not give out for this
    /// order is `InvalidCursor`.
    pub fn start(&self) -> Result<(Option<Cursor>, usize), crate::StoreError> {
        let Some(cursor) = self.cursor.as_deref().filter(|c| !c.is_empty()) else {
            return Ok((None, 0));
        };
        match self.order {
            ItemOrder::Newest => Cursor::decode(cursor).map(|c| (Some(c), 0)),
            ItemOrder::Relevance => decode_rank_cursor(cursor).map(|skip| (None, skip)),
        }
        .ok_or(crate::StoreError::InvalidCursor)
    }

    /// Items on a page: the limit asked for, within `1..=MAX_PAGE_SIZE`.
    pub fn page_size(&self) -> usize {
        self.limit.clamp(1, MAX_PAGE_SIZE)
    }

    /// Whether this is a first page (no cursor).
    pub fn is_first_page(&self) -> bool {
        self.cursor.as_deref().is_none_or(str::is_empty)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ItemPage {
    pub items: Vec<Item>,
    pub next_cursor: Option<String>,
}

/// An item and what its page shows beside it (see [`Store::item_detail`]).
///
/// [`Store::item_detail`]: crate::Store::item_detail
#[derive(Debug, Clone)]
pub struct ItemDetail {
    pub item: Item,
    /// The item it repeats, when it is a near-duplicate still stored.
    pub original: Option<Item>,
    pub story: Option<Story>,
    pub related: Vec<Item>,
    /// Its claims, in the order of the text.
    pub claims: Vec<crate::ClaimRecord>,
}

/// Coverage of one event: items from any number of sources, filed together.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Story {
    pub id: i64,
    /// The representative item's headline (an update's words, when it
    /// has none).
    pub title: Option<String>,
    /// The item that stands for the story: its first with a headline, else
    /// its first.
    pub representative: Option<ItemId>,
    /// Its first and latest items' publication times.
    pub first_at: DateTime<Utc>,
    pub latest_at: DateTime<Utc>,
    /// Items filed under it, and the distinct sources they came from.
    pub size: u32,
    pub sources: u32,
    /// The picture of its first item that has one.
    #[serde(default)]
    pub lead_image: Option<Image>,
}

/// Which stories to list: latest update first, `limit` at a time after
/// `cursor` (a page's `next_cursor`, as received).
#[derive(Debug, Clone, Default)]
pub struct StoryQuery {
    pub limit: usize,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoryPage {
    pub stories: Vec<Story>,
    pub next_cursor: Option<String>,
}

impl StoryQuery {
    /// The story after which the page starts (its latest time and id).
    pub fn after(&self) -> Result<Option<Cursor>, crate::StoreError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            None => Ok(None),
            Some(c) => Cursor::decode(c)
                .map(Some)
                .ok_or(crate::StoreError::InvalidCursor),
        }
    }
}

/// A page of stories from `limit + 1` read: the extra one says there is a
/// next page, which starts after the last one shown.
pub fn story_page(stories: Vec<Story>, limit: usize) -> StoryPage {
    let (stories, next_cursor) = keyset_page(stories, limit, |s| Cursor {
        published_at_ms: s.latest_at.timestamp_millis(),
        id: s.id,
    });
    StoryPage {
        stories,
        next_cursor,
    }
}

/// An item as the filing stage reads it: what decides its story and
/// whether it repeats another item.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingItem {
    pub id: ItemId,
    pub source: SourceId,
    pub title: Option<String>,
    pub url: Option<String>,
    pub published_at: DateTime<Utc>,
    /// The body as plain text.
    pub text: String,
    /// Its language (BCP 47), when known.
    pub lang: Option<String>,
    /// Where it is filed, for items already filed.
    pub story_id: Option<i64>,
    pub duplicate_of: Option<ItemId>,
}

/// What a filing process starts from: the highest story id in use, and
/// the filed items published within the window of the newest story's
/// latest item, in publication order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FilingState {
    pub last_story_id: i64,
    pub items: Vec<FilingItem>,
}

/// One step of filing, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub enum FilingStep {
    /// The item goes into this story (created when it does not exist),
    /// as a near-duplicate of `duplicate_of` or not.
    /// The item's publication time and source travel with it (as read
    /// by `unfiled_items`): the store need not read the item again.
    /// `related` lists items of other stories related to it, best first
    /// (what `Store::related_items` reads back).
    File {
        item: ItemId,
        story: i64,
        duplicate_of: Option<ItemId>,
        published_at: DateTime<Utc>,
        source: SourceId,
        related: Vec<ItemId>,
    },
    /// Every item of `from` moves into `into`; `from` goes.
    Merge { into: i64, from: i64 },
    /// A filed item's related items are now these (later coverage related
    /// to it arrived).
    Relate { item: ItemId, related: Vec<ItemId> },
}

impl FilingStep {
    /// Files `item` (as `unfiled_items` gave it) in `story`, with no
    /// related items.
    pub fn file(item: &FilingItem, story: i64, duplicate_of: Option<ItemId>) -> FilingStep {
        FilingStep::File {
            item: item.id,
            story,
            duplicate_of,
            published_at: item.published_at,
            source: item.source,
            related: Vec::new(),
        }
    }

    /// The same step with these related items.
    pub fn with_related(mut self, items: Vec<ItemId>) -> FilingStep {
        if let FilingStep::File { related, .. } = &mut self {
            *related = items;
        }
        self
    }
}

/// Steps written together, in one transaction, under a lease: when
/// `holder` no longer holds the lease named `lease`, nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub struct FilingBatch {
    pub lease: String,
    pub holder: String,
    /// The lease is extended to this time.
    pub until: DateTime<Utc>,
    pub steps: Vec<FilingStep>,
    /// The claims found in the batch's items: each item's replace what it
    /// had.
    pub claims: Vec<crate::ItemClaims>,
}

/// What taking a named lease gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseTaken {
    /// Another holder has it until it expires.
    Refused,
    /// Taken fresh: it was free, expired, or held by nobody.
    Acquired,
    /// Already held by the caller, now extended.
    Renewed,
}

/// Where a WebSub subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebSubState {
    /// Asked for; the hub has not yet verified it.
    Pending,
    /// Verified by the hub, until `lease_expires_at`.
    Active,
    /// The hub refused it, or could not be asked.
    Failed,
}

impl WebSubState {
    pub fn as_str(self) -> &'static str {
        match self {
            WebSubState::Pending => "pending",
            WebSubState::Active => "active",
            WebSubState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<WebSubState> {
        Some(match s {
            "pending" => WebSubState::Pending,
            "active" => WebSubState::Active,
            "failed" => WebSubState::Failed,
            _ => return None,
        })
    }
}

/// A source's subscription to a WebSub hub, which pushes its updates.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSubscription {
    pub source: SourceId,
    pub hub: String,
    /// The feed URL the hub knows (the feed's `rel="self"`).
    pub topic: String,
    /// The key the hub signs pushed content with (HMAC).
    pub secret: String,
    /// The unguessable last segment of the callback URL.
    pub callback_token: String,
    pub state: WebSubState,
    pub requested_at: DateTime<Utc>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Why the hub refused, or could not be reached.
    pub last_error: Option<String>,
    pub last_push_at: Option<DateTime<Utc>>,
}

impl WebSubscription {
    /// Verified and not yet expired: the hub pushes updates.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.state == WebSubState::Active && self.lease_expires_at.is_some_and(|t| t > now)
    }
}

/// A worker's request for sources to fetch (see `Store::claim_sources`).
#[derive(Debug, Clone)]
pub struct Claim {
    /// Who holds the lease (a worker's id, for logs and debugging).
    pub worker: String,
    pub now: DateTime<Utc>,
    /// Until when the claimed sources are held; after it, another worker
    /// may take them.
    pub lease_until: DateTime<Utc>,
    /// At most this many sources.
    pub limit: usize,
    /// A pass over every source (`fetch --all`): claim each source not
    /// fetched since this time, due or not, paused or not…
    pub all_since: Option<DateTime<Utc>>,
    /// …whose id is above this one (the last this worker claimed in the
    /// pass), so each claim reads on from where the previous one stopped.
    pub all_after: SourceId,
}

/// One stored item as `export` writes it: everything needed to store it
/// again elsewhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedItem {
    /// Its id in the database it came from (for paging the export).
    pub id: ItemId,
    pub source: SourceId,
    /// When it was first stored.
    pub created_at: DateTime<Utc>,
    pub item: NewItem,
}

/// A person who signs in.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct UserId(pub i64);

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What a user may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads, stars.
    Reader,
    /// Also writes and publishes posts, and edits their own.
    Editor,
    /// Also edits every editor's posts (the post keeps its author).
    ChiefEditor,
    /// Also manages sources and users.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Editor => "editor",
            Role::ChiefEditor => "chief_editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "reader" => Role::Reader,
            "editor" => Role::Editor,
            "chief_editor" | "chief-editor" => Role::ChiefEditor,
            "admin" => Role::Admin,
            _ => return None,
        })
    }
}

/// A user account. The password hash never leaves the store in exports
/// or JSON (`skip_serializing`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// The sign-in name.
    pub name: String,
    pub role: Role,
    #[serde(skip_serializing, default)]
    pub password_hash: String,
    /// The name shown on bylines (the sign-in name when unset).
    pub display_name: Option<String>,
    /// The role shown on the author card ("Senior News Editor").
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Switched off by an admin: cannot sign in; sessions and API tokens
    /// do not work.
    #[serde(default)]
    pub disabled: bool,
    /// The Argon2id PHC string of the password reader apps sign in with
    /// (never the account's own password), if one is set.
    #[serde(skip_serializing, default)]
    pub app_password_hash: Option<String>,
}

/// Failed sign-ins since some moment, counted three ways for one attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LoginFailures {
    /// From this address against this account, and the latest.
    pub pair: u32,
    pub pair_last: Option<DateTime<Utc>>,
    /// Against this account from any address.
    pub account: u32,
    pub account_last: Option<DateTime<Utc>>,
    /// From this address against any account.
    pub address: u32,
    pub address_last: Option<DateTime<Utc>>,
}

/// An API token as its owner and admins see it (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// One saved version of a post.
#[derive(Debug, Clone, PartialEq)]
pub struct PostRevision {
    pub id: i64,
    pub post: i64,
    /// Who saved it (None once their account is removed).
    pub editor: Option<UserId>,
    pub saved_at: DateTime<Utc>,
    /// What changed from the version before, in words ("headline, text").
    pub changes: String,
    pub headline: Option<String>,
    pub markdown: String,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub state: PostState,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewUser {
    pub name: String,
    pub role: Option<Role>,
    /// An Argon2id PHC string, never the password itself.
    pub password_hash: String,
    pub display_name: Option<String>,
    pub title: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    /// When the account was made (now, unless it is being imported).
    pub created_at: Option<DateTime<Utc>>,
}

/// A signed-in browser. Only a hash of the cookie's token is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub token_hash: String,
    pub user: UserId,
    /// The token every form of this session must carry.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Where an editor's post stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostState {
    Draft,
    /// Published by the server at `publish_at`.
    Scheduled,
    Published,
}

impl PostState {
    pub fn as_str(self) -> &'static str {
        match self {
            PostState::Draft => "draft",
            PostState::Scheduled => "scheduled",
            PostState::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<PostState> {
        Some(match s {
            "draft" => PostState::Draft,
            "scheduled" => PostState::Scheduled,
            "published" => PostState::Published,
            _ => return None,
        })
    }
}

/// An editor's post: a full article or a short update, in Markdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Post {
    /// 0 for a post not yet saved.
    pub id: i64,
    pub author: UserId,
    pub kind: ItemKind,
    pub headline: Option<String>,
    pub markdown: String,
    pub image_url: Option<String>,
    pub image_caption: Option<String>,
    pub image_credit: Option<String>,
    pub state: PostState,
    /// When it was or will be published.
    pub publish_at: Option<DateTime<Utc>>,
    /// The item it is published as.
    pub item: Option<ItemId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What one position of the change log records, as it is now.
#[derive(Debug, Clone, PartialEq)]
pub enum Changed {
    /// A new or changed item (without its text and HTML, as listed).
    Item(Box<Item>),
    /// An item removed (pruned, its source removed).
    Removed(ItemId),
    /// A story that grew, changed its face, or took in another.
    Story(Box<Story>),
    /// Every story was filed again: what a client holds may be stale.
    Reset,
}

/// One position of the change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// The position: positions grow in commit order and are never reused.
    pub seq: i64,
    /// When it was written.
    pub at: DateTime<Utc>,
    pub what: Changed,
}

/// A stretch of the change log (see [`crate::Store::changes`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChangeBatch {
    /// Oldest first. Positions whose item or story is gone by now are
    /// left out (a later position says it was removed).
    pub changes: Vec<Change>,
    /// Where the next read starts: the last position read (even when it
    /// was left out), else the position asked for.
    pub next: i64,
    /// Positions up to this one were pruned: a reader behind it has missed
    /// changes and must start again.
    pub pruned_through: i64,
    /// True when positions after `next` were left for the next read.
    pub more: bool,
}

/// A subscriber of one of Bulletin's own feeds, through its WebSub hub.
#[derive(Debug, Clone, PartialEq)]
pub struct HubSubscription {
    /// The feed's URL, as the subscriber named it.
    pub topic: String,
    /// Where the feed's new content is sent.
    pub callback: String,
    /// Signs what is sent (`X-Hub-Signature`), when the subscriber gave one.
    pub secret: Option<String>,
    pub expires_at: DateTime<Utc>,
}
