//! Each reader's own state: what they read and starred, their labels,
//! their folders, and which sources they follow.
//!
//! Everyone follows every source of the installation (the installation's
//! feed is everyone's feed) until they unsubscribe. Read state is kept as a
//! mark per reader and source, "read through item N" (ids grow as items
//! are stored), plus the items marked otherwise one by one: so marking a
//! hundred thousand items read is one row per source, never one per item.

use crate::{Item, UserId};
use bulletin_core::{ItemId, SourceId};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which of a reader's sources a listing or a mark covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// Every source the reader follows.
    #[default]
    Subscribed,
    /// Every source of the installation, followed or not.
    All,
    /// One source (followed or not).
    Source(SourceId),
    /// The sources in one of the reader's folders.
    Category(i64),
}

/// Items by read state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadFilter {
    #[default]
    Any,
    Unread,
    Read,
}

/// The order of a reader's listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReaderOrder {
    /// By publication time (then id).
    #[default]
    Published,
    /// By id: the order items were stored in.
    Id,
}

/// Which items of a reader to list or count.
#[derive(Debug, Clone, Default)]
pub struct ReaderQuery {
    pub user: UserId,
    pub scope: Scope,
    pub status: ReadFilter,
    /// Only starred (`Some(true)`) or unstarred items.
    pub starred: Option<bool>,
    /// Only items the reader gave this label.
    pub label: Option<String>,
    /// Only these items.
    pub ids: Option<Vec<ItemId>>,
    /// Only items with a greater id.
    pub after_id: Option<ItemId>,
    /// Only items with a smaller id.
    pub before_id: Option<ItemId>,
    /// Only items published after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Only items published before this time.
    pub published_before: Option<DateTime<Utc>>,
    /// Full-text search words.
    pub search: Option<String>,
    pub order: ReaderOrder,
    pub ascending: bool,
    pub offset: usize,
    /// At most this many (0: no limit; listings of ids use it).
    pub limit: usize,
    pub include_content: bool,
}

impl ReaderQuery {
    pub fn new(user: UserId) -> ReaderQuery {
        ReaderQuery {
            user,
            ..ReaderQuery::default()
        }
    }
}

/// An item with its reader's state.
#[derive(Debug, Clone, PartialEq)]
pub struct ReaderItem {
    pub item: Item,
    pub read: bool,
    pub starred: bool,
    /// The reader's labels on it.
    pub labels: Vec<String>,
}

/// A reader's items: each of `items` with its `(read, starred)` state and
/// its labels, by item id (both backends read these apart and join them
/// here).
pub fn with_reader_state(
    items: Vec<Item>,
    state: &std::collections::HashMap<i64, (bool, bool)>,
    mut labels: std::collections::HashMap<i64, Vec<String>>,
) -> Vec<ReaderItem> {
    items
        .into_iter()
        .map(|item| {
            let (read, starred) = state.get(&item.id.0).copied().unwrap_or_default();
            ReaderItem {
                labels: labels.remove(&item.id.0).unwrap_or_default(),
                item,
                read,
                starred,
            }
        })
        .collect()
}

/// An item as listings of ids name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderRef {
    pub id: ItemId,
    pub source: SourceId,
    pub published_at: DateTime<Utc>,
    pub read: bool,
    pub starred: bool,
}

/// A reader's folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: i64,
    pub title: String,
}

/// A source as one reader follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    pub source: crate::Source,
    /// The reader's folder for it (none after its folder was removed).
    pub category: Option<Category>,
    /// The reader's own name for it, if they gave one.
    pub title: Option<String>,
    pub subscribed: bool,
}

impl Subscription {
    /// The name to show: the reader's, the feed's, or its URL.
    pub fn display_title(&self) -> &str {
        self.title
            .as_deref()
            .unwrap_or_else(|| self.source.display_title())
    }
}

/// What to change in how a reader follows a source (`None`: leave it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubscriptionEdit {
    pub subscribed: Option<bool>,
    /// `Some(None)` takes it out of any folder.
    pub category: Option<Option<i64>>,
    /// `Some(None)` goes back to the feed's own title.
    pub title: Option<Option<String>>,
}

/// A source's unread items for one reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadCount {
    pub source: SourceId,
    pub count: u64,
    /// When the newest of them was published.
    pub newest: Option<DateTime<Utc>>,
}

/// The folder new sources go to when the installation names none (as
/// Miniflux calls its first folder).
pub const DEFAULT_CATEGORY: &str = "All";
