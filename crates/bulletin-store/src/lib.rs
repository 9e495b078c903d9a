//! Where Bulletin keeps sources and items.
//!
//! [`Store`] is the one narrow interface the rest of the program uses; each
//! database has its own implementation and its own migrations. SQLite
//! ([`SqliteStore`]) is the embedded default; PostgreSQL ([`PgStore`]) is for
//! several processes and millions of items.

mod claims;
mod model;
mod reader;

pub use claims::*;
pub use model::*;
pub use reader::*;

use bulletin_core::{ItemId, SourceId};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;

/// Of the items filed as related to `item`, in order, the first `limit`
/// still stored and not in its story now (stories may have merged since).
pub fn still_related(item: &Item, ids: &[ItemId], found: Vec<Item>, limit: usize) -> Vec<Item> {
    let mut found = found;
    found.retain(|r| r.id != item.id && (item.story_id.is_none() || r.story_id != item.story_id));
    found.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    found.truncate(limit);
    found
}

/// A listing names at most this many of an item's copies (the earliest);
/// an item read alone names them all. A story republished a hundred times
/// would otherwise make every page of a listing read a hundred rows per
/// item (at a million items, search pages went from 54 to 144 ms at p99).
pub const COPIES_LISTED: usize = 10;

/// Fills each item's `duplicates` (the items that repeat it, at most
/// `per_item` of each), in one query for all of them: for backends whose
/// reads are round trips anyway (SQLite fills them in the same read as the
/// items).
pub async fn with_duplicates(
    store: &dyn Store,
    items: &mut [Item],
    per_item: Option<usize>,
) -> StoreResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let copies = store
        .duplicates(items.iter().map(|i| i.id).collect(), per_item)
        .await?;
    for copy in copies {
        if let Some(item) = items.iter_mut().find(|i| Some(i.id) == copy.duplicate_of) {
            item.duplicates.push(ItemCopy {
                id: copy.id,
                url: copy.url,
                source: copy.source,
                published_at: copy.published_at,
            });
        }
    }
    Ok(())
}

/// One row of the change log, as a backend stores it.
#[derive(Debug, Clone)]
pub struct LogRow {
    pub seq: i64,
    /// `item`, `removed`, `story` or `reset`.
    pub kind: String,
    pub item: Option<i64>,
    pub story: Option<i64>,
    pub at: DateTime<Utc>,
}

/// The items and the stories (ids, each once) whose current state the
/// first `limit` of `rows` need.
pub fn log_wants(rows: &[LogRow], limit: usize) -> (Vec<i64>, Vec<i64>) {
    let rows = &rows[..rows.len().min(limit)];
    let ids = |kind: &str, id: fn(&LogRow) -> Option<i64>| -> Vec<i64> {
        let set: std::collections::BTreeSet<i64> = rows
            .iter()
            .filter(|r| r.kind == kind)
            .filter_map(id)
            .collect();
        set.into_iter().collect()
    };
    (ids("item", |r| r.item), ids("story", |r| r.story))
}

/// A stretch of the change log from `limit + 1` rows read after `after`
/// and the current state of what they name (see [`Store::changes`]): an
/// item or story changed twice in the stretch comes once, at its last
/// position; one that is gone now is left out (a later position says so).
pub fn change_batch(
    mut rows: Vec<LogRow>,
    limit: usize,
    after: i64,
    items: Vec<Item>,
    stories: Vec<Story>,
    pruned_through: i64,
) -> ChangeBatch {
    let more = rows.len() > limit;
    rows.truncate(limit);
    let mut items: std::collections::HashMap<i64, Item> =
        items.into_iter().map(|i| (i.id.0, i)).collect();
    let mut stories: std::collections::HashMap<i64, Story> =
        stories.into_iter().map(|s| (s.id, s)).collect();
    let mut changes = Vec::with_capacity(rows.len());
    for (n, row) in rows.iter().enumerate() {
        let later = |kind: &str| {
            rows[n + 1..]
                .iter()
                .any(|r| r.kind == kind && r.item == row.item && r.story == row.story)
        };
        let what = match (row.kind.as_str(), row.item, row.story) {
            ("item", Some(id), _) if !later("item") => {
                items.remove(&id).map(|i| Changed::Item(Box::new(i)))
            }
            ("removed", Some(id), _) => Some(Changed::Removed(ItemId(id))),
            ("story", _, Some(id)) if !later("story") => {
                stories.remove(&id).map(|s| Changed::Story(Box::new(s)))
            }
            ("reset", _, _) => Some(Changed::Reset),
            _ => None,
        };
        if let Some(what) = what {
            changes.push(Change {
                seq: row.seq,
                at: row.at,
                what,
            });
        }
    }
    ChangeBatch {
        next: rows.last().map_or(after, |r| r.seq),
        changes,
        pruned_through,
        more,
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(String),
    #[error("cannot open the database at {path}: {reason}")]
    Open { path: String, reason: String },
    #[error("a source with this URL already exists (id {0})")]
    DuplicateSource(SourceId),
    #[error("the user name {0:?} is taken")]
    DuplicateUser(String),
    #[error("there is already a folder named {0:?}")]
    DuplicateCategory(String),
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("{0}")]
    InUse(String),
    #[error("the database task stopped: {0}")]
    Task(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Declares a backend's own error type, `Error` (with `Result<T>`): a
/// [`StoreError`] that the backend's driver errors convert into with `?`
/// (each backend writes `impl From<DriverError> for Error`, which only a
/// type of its own allows), and `boxed`, which runs a trait method's body
/// and hands its error back as a `StoreError`.
#[macro_export]
macro_rules! backend_error {
    () => {
        /// A failure inside this backend, turned into [`StoreError`] where it
        /// leaves the crate.
        #[derive(Debug)]
        struct Error($crate::StoreError);

        type Result<T, E = Error> = std::result::Result<T, E>;

        impl From<$crate::StoreError> for Error {
            fn from(e: $crate::StoreError) -> Self {
                Error(e)
            }
        }

        impl From<Error> for $crate::StoreError {
            fn from(e: Error) -> Self {
                e.0
            }
        }

        impl std::fmt::Display for Error {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// A trait method's body, its errors turned into the store's.
        fn boxed<'a, T>(
            work: impl std::future::Future<Output = Result<T>> + Send + 'a,
        ) -> futures_util::future::BoxFuture<'a, $crate::StoreResult<T>> {
            Box::pin(async move { work.await.map_err($crate::StoreError::from) })
        }
    };
}

/// Everything Bulletin stores, behind one interface.
///
/// Methods return boxed futures so the trait can be used as `dyn Store`.
pub trait Store: Send + Sync + 'static {
    /// Answers when the database answers.
    fn ping(&self) -> BoxFuture<'_, StoreResult<()>>;

    fn add_source(&self, source: NewSource) -> BoxFuture<'_, StoreResult<SourceId>>;
    fn sources(&self) -> BoxFuture<'_, StoreResult<Vec<Source>>>;
    fn source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<Option<Source>>>;
    /// Removes a source and its items. Returns false when there was none.
    fn remove_source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<bool>>;
    /// Pauses a source (not fetched on schedule) or resumes it (due now).
    /// Returns false when there is no such source.
    fn set_source_paused(&self, id: SourceId, paused: bool) -> BoxFuture<'_, StoreResult<bool>>;
    /// Sources whose `next_fetch_at` has passed (all of them with `all`).
    fn due_sources(&self, now: DateTime<Utc>, all: bool)
    -> BoxFuture<'_, StoreResult<Vec<Source>>>;
    /// Claims sources to fetch: due ones (see [`Claim::all_since`] for a pass
    /// over all), oldest due first, none whose lease another worker still
    /// holds. Claimed sources are held until `record_fetch` or the lease's
    /// end, so workers sharing the database never fetch one together.
    fn claim_sources(&self, claim: Claim) -> BoxFuture<'_, StoreResult<Vec<Source>>>;
    /// Extends to `until` every lease `worker` still holds at `now` (a
    /// worker renews its short leases while it works, so a dead worker's
    /// sources are free soon after it stops). Returns how many.
    fn renew_leases(
        &self,
        worker: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<u64>>;
    /// Records how a fetch went: new validators and schedule on success, the
    /// reason and a later retry on failure; releases the source's lease.
    fn record_fetch(&self, id: SourceId, outcome: FetchOutcome) -> BoxFuture<'_, StoreResult<()>>;
    /// Stores a fetch's new items and records how the fetch went (as
    /// `insert_items` then `record_fetch`); returns how many items were new.
    /// A backend may do both in one transaction.
    fn store_fetch(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
        outcome: FetchOutcome,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        Box::pin(async move {
            let added = self.insert_items(source, items).await?;
            self.record_fetch(source, outcome).await?;
            Ok(added)
        })
    }

    /// Of the given items of a source, those already stored (by GUID or
    /// canonical URL), so the fetcher can skip work for them.
    fn known_items(
        &self,
        source: SourceId,
        keys: Vec<ItemKey>,
    ) -> BoxFuture<'_, StoreResult<Vec<bool>>>;
    /// For each URL (in canonical form), the first stored item with that
    /// canonical URL, if any: where a link to an article Bulletin holds
    /// can point instead.
    fn items_at_urls(&self, urls: Vec<String>) -> BoxFuture<'_, StoreResult<Vec<Option<ItemId>>>>;
    /// Stores new items; an item already stored (same GUID in its source, or
    /// same canonical URL) is skipped. Returns how many were added.
    fn insert_items(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
    ) -> BoxFuture<'_, StoreResult<usize>>;
    /// One page of items, newest first, with keyset pagination.
    fn items(&self, query: ItemQuery) -> BoxFuture<'_, StoreResult<ItemPage>>;
    fn item(&self, id: ItemId) -> BoxFuture<'_, StoreResult<Option<Item>>>;
    /// An item with what its page shows beside it: the item it repeats,
    /// its story, up to `related` related items (as [`Store::related_items`])
    /// and its claims in text order. One read where a backend can (an
    /// article page made five).
    fn item_detail(
        &self,
        id: ItemId,
        related: usize,
    ) -> BoxFuture<'_, StoreResult<Option<ItemDetail>>> {
        Box::pin(async move {
            let Some(item) = self.item(id).await? else {
                return Ok(None);
            };
            let original = match item.duplicate_of {
                Some(of) => self.item(of).await?,
                None => None,
            };
            let story = match item.story_id {
                Some(s) => self.story(s).await?,
                None => None,
            };
            let related = self.related_items(id, related).await?;
            let claims = in_text_order(self.claims(ClaimQuery::of_item(id)).await?);
            Ok(Some(ItemDetail {
                item,
                original,
                story,
                related,
                claims,
            }))
        })
    }
    fn item_count(&self) -> BoxFuture<'_, StoreResult<u64>>;
    /// Items in the full-text index (equal to `item_count` when every item
    /// is searchable).
    fn indexed_item_count(&self) -> BoxFuture<'_, StoreResult<u64>>;
    /// Indexes every stored item's words for search again (after rows were
    /// written to the database by hand, or when the way words are indexed
    /// changed). Returns how many items were indexed.
    fn rebuild_search_index(&self) -> BoxFuture<'_, StoreResult<u64>>;

    /// Items in id order after `after` (all of them from `ItemId(0)`), with
    /// everything needed to store them again: for `export`.
    fn export_items(
        &self,
        after: ItemId,
        limit: usize,
    ) -> BoxFuture<'_, StoreResult<Vec<ExportedItem>>>;
    /// Adds a source as another database had it (title, validators,
    /// schedule, health), under a new id: for `import`.
    fn restore_source(&self, source: Source) -> BoxFuture<'_, StoreResult<SourceId>>;
    /// Stores exported items under `source`, keeping their `created_at`;
    /// items already stored are skipped. Returns how many were added.
    fn restore_items(
        &self,
        source: SourceId,
        items: Vec<ExportedItem>,
    ) -> BoxFuture<'_, StoreResult<usize>>;

    /// Creates an account; a name taken (in any letter case) is refused.
    fn add_user(&self, user: NewUser) -> BoxFuture<'_, StoreResult<UserId>>;
    /// The account with this sign-in name, in any letter case.
    fn user_by_name(&self, name: String) -> BoxFuture<'_, StoreResult<Option<User>>>;
    fn users(&self) -> BoxFuture<'_, StoreResult<Vec<User>>>;
    /// Replaces an account's password hash.
    fn set_password(&self, user: UserId, password_hash: String) -> BoxFuture<'_, StoreResult<()>>;
    /// Every star, as (user, item): for `export`.
    fn stars(&self) -> BoxFuture<'_, StoreResult<Vec<(UserId, ItemId)>>>;
    fn create_session(&self, session: Session) -> BoxFuture<'_, StoreResult<()>>;
    /// The session with this token hash and its user, unless it expired.
    fn session(
        &self,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Option<(Session, User)>>>;
    fn delete_session(&self, token_hash: String) -> BoxFuture<'_, StoreResult<()>>;
    /// Adds an API token (by hash) for a user; returns its id.
    fn add_api_token(
        &self,
        user: UserId,
        name: String,
        token_hash: String,
    ) -> BoxFuture<'_, StoreResult<i64>>;
    /// The user an API token (by hash) belongs to; notes its use.
    fn api_token_user(&self, token_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>>;
    /// Stars or unstars an item for a user.
    fn set_star(&self, user: UserId, item: ItemId, starred: bool)
    -> BoxFuture<'_, StoreResult<()>>;
    /// Of the given items, those the user starred.
    fn starred(&self, user: UserId, items: Vec<ItemId>) -> BoxFuture<'_, StoreResult<Vec<bool>>>;
    /// A reader's items (see [`ReaderQuery`]), each with its state.
    fn reader_items(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderItem>>>;
    /// The same items named only (id, source, time): for listings of ids.
    fn reader_refs(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderRef>>>;
    /// How many items the query finds (ignoring its offset and limit).
    fn reader_count(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<u64>>;
    /// Marks items read or unread for a reader; returns how many exist.
    fn set_read(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        read: bool,
    ) -> BoxFuture<'_, StoreResult<u64>>;
    /// Stars or unstars items for a reader; returns how many exist.
    fn set_starred(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        starred: bool,
    ) -> BoxFuture<'_, StoreResult<u64>>;
    /// Gives items a label of the reader's, or takes it off.
    fn set_label(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        label: String,
        on: bool,
    ) -> BoxFuture<'_, StoreResult<()>>;
    /// The labels a reader gave items, with how many items carry each.
    fn labels(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<(String, u64)>>>;
    /// Renames a reader's label (or folder of that name, see
    /// `save_category`) on every item; false when no item had it.
    fn rename_label(
        &self,
        user: UserId,
        from: String,
        to: String,
    ) -> BoxFuture<'_, StoreResult<bool>>;
    /// Marks read every item in `scope` stored up to `until` (everything
    /// stored so far without it): one mark per source, whatever the number
    /// of items; items marked unread one by one in the scope become read.
    fn mark_all_read(
        &self,
        user: UserId,
        scope: Scope,
        until: Option<DateTime<Utc>>,
    ) -> BoxFuture<'_, StoreResult<()>>;
    /// Every source of the installation as the reader follows it (or has
    /// unsubscribed from it), by title.
    fn subscriptions(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Subscription>>>;
    /// The same for these sources only (a page of items names a few).
    fn subscriptions_to(
        &self,
        user: UserId,
        sources: Vec<SourceId>,
    ) -> BoxFuture<'_, StoreResult<Vec<Subscription>>>;
    /// Changes how a reader follows a source; false when there is no such
    /// source or folder.
    fn edit_subscription(
        &self,
        user: UserId,
        source: SourceId,
        edit: SubscriptionEdit,
    ) -> BoxFuture<'_, StoreResult<bool>>;
    /// The reader's unread items per followed source that has any.
    fn unread_counts(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<UnreadCount>>>;
    /// The reader's folders, by title.
    fn categories(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Category>>>;
    /// Creates a folder (`id` None) or renames one; returns its id
    /// (`DuplicateCategory` when the title is taken, `None` when there is
    /// no folder `id`).
    fn save_category(
        &self,
        user: UserId,
        id: Option<i64>,
        title: String,
    ) -> BoxFuture<'_, StoreResult<Option<i64>>>;
    /// Removes a folder; its sources stay followed, in no folder.
    fn remove_category(&self, user: UserId, id: i64) -> BoxFuture<'_, StoreResult<bool>>;
    /// Sets (or clears) the account's app password: its Argon2id hash, and
    /// the SHA-256 of its Fever key (`md5("name:password")`).
    fn set_app_password(
        &self,
        user: UserId,
        password_hash: Option<String>,
        fever_key_hash: Option<String>,
    ) -> BoxFuture<'_, StoreResult<()>>;
    /// The enabled account whose Fever key hashes to this.
    fn user_by_fever_key(&self, key_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>>;
    /// Removes up to `limit` items published before `before` that nobody
    /// starred, oldest first, in one short transaction; returns how many.
    /// Call it repeatedly to prune more without holding readers up.
    fn prune_items(&self, before: DateTime<Utc>, limit: usize)
    -> BoxFuture<'_, StoreResult<usize>>;

    /// Saves a post: a new one (id 0) gets an id, which is returned.
    fn save_post(&self, post: Post) -> BoxFuture<'_, StoreResult<i64>>;
    fn post(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Post>>>;
    /// The newest posts first (by last change).
    fn posts(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Post>>>;
    /// Scheduled posts whose time has come.
    fn due_posts(&self, now: DateTime<Utc>) -> BoxFuture<'_, StoreResult<Vec<Post>>>;
    /// Replaces a stored item's content (an edited post), keeping its id,
    /// source and GUID. Returns false when there is no such item.
    fn update_item(&self, id: ItemId, item: NewItem) -> BoxFuture<'_, StoreResult<bool>>;
    /// The id of the stored item with this GUID in this source.
    fn item_by_guid(
        &self,
        source: SourceId,
        guid: String,
    ) -> BoxFuture<'_, StoreResult<Option<ItemId>>>;

    /// The source's WebSub subscription, if it has one.
    fn websub(&self, source: SourceId) -> BoxFuture<'_, StoreResult<Option<WebSubscription>>>;
    /// The subscription whose callback URL ends in `token`.
    fn websub_by_token(&self, token: String)
    -> BoxFuture<'_, StoreResult<Option<WebSubscription>>>;
    /// Creates or replaces the source's subscription.
    fn save_websub(&self, subscription: WebSubscription) -> BoxFuture<'_, StoreResult<()>>;
    /// One account by id.
    fn user(&self, id: UserId) -> BoxFuture<'_, StoreResult<Option<User>>>;
    /// Changes an account's role; false when there is no such account.
    fn set_user_role(&self, id: UserId, role: Role) -> BoxFuture<'_, StoreResult<bool>>;
    /// Switches an account off (its sessions end; its API tokens stop
    /// working until it is switched on again) or on.
    fn set_user_disabled(&self, id: UserId, disabled: bool) -> BoxFuture<'_, StoreResult<bool>>;
    /// Removes an account with its sessions, tokens and stars. Refused
    /// (`InUse`) while it is the author of posts: disable it instead.
    fn remove_user(&self, id: UserId) -> BoxFuture<'_, StoreResult<bool>>;
    /// Ends every session of an account; returns how many there were.
    fn end_sessions(&self, user: UserId) -> BoxFuture<'_, StoreResult<u64>>;
    /// An account's API tokens, oldest first.
    fn api_tokens(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<ApiToken>>>;
    /// Revokes one of an account's tokens (`Some(id)`) or all of them;
    /// returns how many were revoked.
    fn revoke_api_tokens(&self, user: UserId, id: Option<i64>) -> BoxFuture<'_, StoreResult<u64>>;

    /// Records a failed sign-in against `account` (the lowercased name)
    /// from `address`; failures older than `forget_before` are dropped.
    fn record_login_failure(
        &self,
        account: String,
        address: String,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<()>>;
    /// Failures since `since` for this account and address.
    fn login_failures(
        &self,
        account: String,
        address: String,
        since: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LoginFailures>>;
    /// Forgets the failures of this account from this address (after it
    /// signed in).
    fn clear_login_failures(
        &self,
        account: String,
        address: String,
    ) -> BoxFuture<'_, StoreResult<()>>;

    /// Keeps a saved version of a post (`id` is ignored); returns its id.
    fn add_post_revision(&self, revision: PostRevision) -> BoxFuture<'_, StoreResult<i64>>;
    /// A post's versions, newest first.
    fn post_revisions(&self, post: i64) -> BoxFuture<'_, StoreResult<Vec<PostRevision>>>;

    /// Takes the lease `name` for `holder` until `until`, unless another
    /// holder has it past `now`. A lease serializes work that only one
    /// process at a time may do (filing stories).
    fn take_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LeaseTaken>>;
    /// Gives the lease up, when `holder` has it.
    fn release_lease(&self, name: String, holder: String) -> BoxFuture<'_, StoreResult<()>>;
    /// Up to `limit` items not yet filed in a story, in publication order.
    fn unfiled_items(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<FilingItem>>>;
    /// Where filing resumes: see [`FilingState`] (the items published at
    /// most `window` before the newest story's latest item).
    fn filing_state(&self, window: chrono::Duration) -> BoxFuture<'_, StoreResult<FilingState>>;
    /// Writes filing steps in one transaction, then sets each touched
    /// story's headline, representative, times, size and source count from
    /// its items. False (and nothing written) when the batch's holder does
    /// not hold its lease.
    fn apply_filing(&self, batch: FilingBatch) -> BoxFuture<'_, StoreResult<bool>>;
    /// Unfiles every item and removes every story (before filing them all
    /// again); returns how many items there are to file.
    fn reset_stories(&self) -> BoxFuture<'_, StoreResult<u64>>;
    /// Claims, newest item first (see [`ClaimQuery`]).
    fn claims(&self, query: ClaimQuery) -> BoxFuture<'_, StoreResult<Vec<ClaimRecord>>>;
    /// An entity by its slug, with its aliases and roles.
    fn entity(&self, slug: String) -> BoxFuture<'_, StoreResult<Option<Entity>>>;
    fn story(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Story>>>;
    /// Stories, latest update first.
    fn stories(&self, query: StoryQuery) -> BoxFuture<'_, StoreResult<StoryPage>>;
    /// A story's items, newest first.
    fn story_items(&self, story: i64) -> BoxFuture<'_, StoreResult<Vec<Item>>>;
    /// Up to `limit` of the items filed as related to `item` (see
    /// [`FilingStep::File`]), best first: those still in other stories than
    /// its own and still stored.
    fn related_items(&self, item: ItemId, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Item>>>;
    /// The items that repeat any of `items` (their `duplicate_of` is one
    /// of them), oldest first; at most the first `per_item` of each.
    fn duplicates(
        &self,
        items: Vec<ItemId>,
        per_item: Option<usize>,
    ) -> BoxFuture<'_, StoreResult<Vec<Item>>>;

    /// The change log after position `after`: up to `limit` positions,
    /// oldest first, each with its item or story as it is now. Every
    /// write of items (by any process) and every story update leaves a
    /// position, in commit order.
    fn changes(&self, after: i64, limit: usize) -> BoxFuture<'_, StoreResult<ChangeBatch>>;
    /// The newest position of the change log (0 before the first change).
    fn last_change(&self) -> BoxFuture<'_, StoreResult<i64>>;
    /// Forgets the positions written before `before`; returns how many.
    fn prune_changes(&self, before: DateTime<Utc>) -> BoxFuture<'_, StoreResult<u64>>;
    /// A stream that yields whenever the change log may have grown, in this
    /// process or another (SQLite: after this process's writes, and a check
    /// of the database's version every 100 ms; PostgreSQL: `LISTEN`, one
    /// connection). Meant to be taken once per process and shared.
    fn change_notices(&self) -> BoxFuture<'_, StoreResult<BoxStream<'static, ()>>>;

    /// Adds or renews a subscription to one of Bulletin's own feeds (one
    /// per topic and callback).
    fn save_hub_subscription(
        &self,
        subscription: HubSubscription,
    ) -> BoxFuture<'_, StoreResult<()>>;
    /// Ends a subscription; false when there was none.
    fn remove_hub_subscription(
        &self,
        topic: String,
        callback: String,
    ) -> BoxFuture<'_, StoreResult<bool>>;
    /// The subscriptions to these topics that have not expired at `now`,
    /// each topic's together.
    fn hub_subscriptions(
        &self,
        topics: Vec<String>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Vec<HubSubscription>>>;

    /// Refreshes the query planner's statistics of the tables that filing
    /// and ingest rewrite, and clears the filing queues' dead entries, for
    /// servers that do not do it themselves (PostgreSQL with autovacuum off
    /// plans a million-row `item_stories` as empty). Run after a rebuild of
    /// the stories and every hour by workers.
    fn refresh_statistics(&self) -> BoxFuture<'_, StoreResult<()>>;

    /// Items per source per day (UTC) published in the `days` days up to
    /// `until`, as `(source, day index 0 = oldest, count)`.
    fn daily_activity(
        &self,
        until: DateTime<Utc>,
        days: u32,
    ) -> BoxFuture<'_, StoreResult<Vec<(SourceId, u32, u64)>>>;
}

#[cfg(test)]
mod change_log_tests {
    use super::*;

    fn row(seq: i64, kind: &str, item: Option<i64>, story: Option<i64>) -> LogRow {
        LogRow {
            seq,
            kind: kind.into(),
            item,
            story,
            at: DateTime::<Utc>::default(),
        }
    }

    fn story(id: i64) -> Story {
        Story {
            id,
            title: None,
            representative: None,
            first_at: DateTime::<Utc>::default(),
            latest_at: DateTime::<Utc>::default(),
            size: 1,
            sources: 1,
            lead_image: None,
        }
    }

    #[test]
    fn what_changed_twice_comes_once_at_its_last_position() {
        let rows = vec![
            row(11, "story", None, Some(7)),
            row(12, "item", Some(3), None),
            row(13, "story", None, Some(7)),
            row(14, "removed", Some(3), None),
            row(15, "reset", None, None),
            row(16, "story", None, Some(8)),
        ];
        assert_eq!(log_wants(&rows, 5), (vec![3], vec![7]));
        // Item 3 is gone now (a later position says so); the row past
        // the limit is left for the next read.
        let batch = change_batch(rows, 5, 10, Vec::new(), vec![story(7)], 0);
        let seqs: Vec<i64> = batch.changes.iter().map(|c| c.seq).collect();
        assert_eq!(seqs, [13, 14, 15]);
        assert!(matches!(batch.changes[0].what, Changed::Story(ref s) if s.id == 7));
        assert_eq!((batch.next, batch.more), (15, true));
        let empty = change_batch(Vec::new(), 5, 10, Vec::new(), Vec::new(), 0);
        assert_eq!((empty.next, empty.more), (10, false));
    }
}
