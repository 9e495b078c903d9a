//! The embedded default: SQLite in WAL mode, one writer connection and a pool
//! of readers, each call run off the async threads.

use bulletin_store::{
    ApiToken, COPIES_LISTED, Category, ChangeBatch, Claim, ClaimQuery, ClaimRecord, Cursor, Entity,
    ExportedItem, FetchOutcome, FilingBatch, FilingItem, FilingState, FilingStep, HubSubscription,
    Item, ItemCopy, ItemDetail, ItemKey, ItemOrder, ItemPage, ItemQuery, LeaseTaken, LogRow,
    LoginFailures, NewItem, NewSource, NewUser, Post, PostRevision, PostState, RANKED_MATCHES,
    ReaderItem, ReaderQuery, ReaderRef, Role, Scope, Session, Source, SourceRef, Store, StoreError,
    StoreResult, Story, StoryPage, StoryQuery, Subscription, SubscriptionEdit, UnreadCount, User,
    UserId, WebSubState, WebSubscription, change_batch, in_text_order, log_wants, newest_page,
    ranked_page, story_page,
};

mod claims;
mod reader;
mod words;
use bulletin_core::{ItemId, ItemKind, SourceId};
use chrono::{DateTime, TimeZone, Utc};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, params};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Migrations, applied in order; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_source_category.sql"),
    include_str!("../migrations/0003_item_authors.sql"),
    include_str!("../migrations/0004_source_paused.sql"),
    include_str!("../migrations/0005_source_moves.sql"),
    include_str!("../migrations/0006_websub.sql"),
    include_str!("../migrations/0007_source_leases.sql"),
    include_str!("../migrations/0008_accounts.sql"),
    include_str!("../migrations/0009_search_order.sql"),
    include_str!("../migrations/0010_posts.sql"),
    include_str!("../migrations/0011_sources_due.sql"),
    include_str!("../migrations/0012_search_stems.sql"),
    include_str!("../migrations/0013_hardening.sql"),
    include_str!("../migrations/0014_stories.sql"),
    include_str!("../migrations/0015_filing.sql"),
    include_str!("../migrations/0016_story_index.sql"),
    include_str!("../migrations/0017_item_stories.sql"),
    include_str!("../migrations/0018_filing_kept.sql"),
    include_str!("../migrations/0019_changes.sql"),
    include_str!("../migrations/0020_hub.sql"),
    include_str!("../migrations/0021_originals.sql"),
    include_str!("../migrations/0022_readers.sql"),
    include_str!("../migrations/0023_claims.sql"),
    include_str!("../migrations/0024_related_links.sql"),
];

/// How often `change_notices` checks whether another process wrote.
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// The migration after which the search index is filled from the items.
const SEARCH_INDEX_REBUILT_BY: usize = 12;

/// Pages of write-ahead log after which the writer checkpoints (64 MiB of
/// 4 KiB pages).
const WAL_CHECKPOINT_PAGES: i64 = 16_384;

/// Readers kept open between calls.
const MAX_IDLE_READERS: usize = 8;

pub struct SqliteStore {
    path: PathBuf,
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    /// New items waiting for the writer: whoever takes the writer stores
    /// every batch waiting, in one transaction (group commit: one commit,
    /// one full-text flush for many sources).
    pending: Arc<Mutex<Vec<PendingInsert>>>,
    /// Signalled after each of this process's writes (`change_notices`).
    written: Arc<tokio::sync::Notify>,
}

/// One source's new items, waiting for the writer.
struct PendingInsert {
    source: SourceId,
    items: Vec<NewItem>,
    indexed: Vec<IndexedText>,
    /// How the fetch that found them went, recorded in the same
    /// transaction (`store_fetch`).
    outcome: Option<FetchOutcome>,
    done: tokio::sync::oneshot::Sender<Result<usize>>,
}

bulletin_store::backend_error!();

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error(StoreError::Database(e.to_string()))
    }
}

fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

/// A row limit written into a statement's text, so the planner knows it
/// (with plans kept stable, see `configure`, a bound `LIMIT ?` is planned
/// as if there were none). Limits are the store's own numbers, never text
/// from outside.
fn limit_sql(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Statements kept prepared per connection.
const STATEMENT_CACHE: usize = 256;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Every query a page or a pass makes stays prepared: rusqlite keeps 16
    // by default, fewer than one article page and its neighbours use, and
    // a statement prepared again costs more than the read it makes.
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plans that do not depend on the values bound to a statement. Without
    // this, SQLite marks a statement whose plan looked at a bound value (a
    // `LIMIT ?`, a key carried into a joined table) for preparing again
    // whenever that value is bound anew or cleared, and rusqlite clears
    // every cached statement's bindings when it is put back: such
    // statements were prepared again on every run (over 40% of an article
    // page's time).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -32000;",
    )
}

impl SqliteStore {
    /// Opens (creating and migrating when needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> StoreResult<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let open_err = |reason: String| StoreError::Open {
            path: path.display().to_string(),
            reason,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| open_err(e.to_string()))?;
        }
        let mut conn = Connection::open(&path).map_err(|e| open_err(e.to_string()))?;
        configure(&conn).map_err(|e| open_err(e.to_string()))?;
        // The writer checkpoints the log into the database every 64 MiB
        // rather than SQLite's default 4 MiB: each checkpoint fsyncs while
        // the one writer waits, and a bigger one copies a page rewritten
        // many times (full-text segments) once. The log is cut back to that
        // size when it restarts.
        conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES};
             PRAGMA journal_size_limit = {};",
            WAL_CHECKPOINT_PAGES * 4096
        ))
        .map_err(|e| open_err(e.to_string()))?;
        migrate(&mut conn).map_err(|e| open_err(format!("migration failed: {e}")))?;
        Ok(SqliteStore {
            path,
            writer: Arc::new(Mutex::new(conn)),
            readers: Arc::new(Mutex::new(Vec::new())),
            pending: Arc::default(),
            written: Arc::default(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues a source's new items (and how its fetch went) for the writer,
    /// and waits until they are stored: whoever takes the writer stores
    /// everything queued in one transaction.
    async fn insert_pending(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
        outcome: Option<FetchOutcome>,
    ) -> Result<usize> {
        let (items, indexed) = index_off_the_writer(items, |i| i).await?;
        let (done, stored) = tokio::sync::oneshot::channel();
        self.pending
            .lock()
            .map_err(|e| StoreError::Task(e.to_string()))?
            .push(PendingInsert {
                source,
                items,
                indexed,
                outcome,
                done,
            });
        let pending = self.pending.clone();
        self.write(move |c| {
            // Ours may already have been stored by another caller's turn.
            let batch = std::mem::take(
                &mut *pending
                    .lock()
                    .map_err(|e| StoreError::Task(e.to_string()))?,
            );
            if !batch.is_empty() {
                store_pending(c, batch);
            }
            Ok(())
        })
        .await?;
        stored
            .await
            .map_err(|_| StoreError::Task("the writer dropped an insert".into()))?
    }

    /// Writes a reader's rows for sources they have none for yet (see
    /// `reader::write_rows`), taking the writer only when some are missing.
    async fn reader_rows(&self, user: UserId) -> Result<()> {
        if self.read(move |c| reader::rows_missing(c, user)).await? {
            self.write(move |c| reader::write_rows(c, user)).await?;
        }
        Ok(())
    }

    /// Runs `f` with a reader connection on the blocking pool.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let readers = self.readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let pooled = readers
                .lock()
                .map_err(|e| StoreError::Task(e.to_string()))?
                .pop();
            let conn = match pooled {
                Some(c) => c,
                None => {
                    let c = Connection::open_with_flags(
                        &path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    configure(&c)?;
                    c
                }
            };
            let result = f(&conn);
            if let Ok(mut pool) = readers.lock()
                && pool.len() < MAX_IDLE_READERS
            {
                pool.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// Runs `f` with the writer connection on the blocking pool.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let writer = self.writer.clone();
        let written = self.written.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().map_err(|e| StoreError::Task(e.to_string()))?;
            let result = f(&mut conn);
            written.notify_one();
            result
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?
    }
}

/// An item's `authors`, `lead_image` and `related_links` columns, stored as JSON
/// text.
fn json_columns(item: &NewItem) -> (String, Option<String>, String) {
    let authors = serde_json::to_string(&item.authors).unwrap_or_else(|_| "[]".into());
    let lead_image = item
        .lead_image
        .as_ref()
        .and_then(|i| serde_json::to_string(i).ok());
    let links = serde_json::to_string(&item.related_links).unwrap_or_else(|_| "[]".into());
    (authors, lead_image, links)
}

/// An item's headline, summary and body as the search index holds them.
type IndexedText = [String; 3];

/// The index texts of items, made before the writer is taken (stemming is
/// most of an insert's CPU, and the writer is one at a time).
fn indexed_texts<'a>(items: impl Iterator<Item = &'a NewItem>) -> Vec<IndexedText> {
    thread_local! {
        // Each blocking thread keeps its stems between batches (news from
        // many sources shares most of its words); bounded by the indexer.
        static INDEXER: std::cell::RefCell<words::Indexer> = std::cell::RefCell::default();
    }
    INDEXER.with_borrow_mut(|indexer| indexed_texts_with(indexer, items))
}

fn indexed_texts_with<'a>(
    indexer: &mut words::Indexer,
    items: impl Iterator<Item = &'a NewItem>,
) -> Vec<IndexedText> {
    items
        .map(|item| {
            let lang = item.lang.as_deref();
            [
                indexer.index_text(item.title.as_deref().unwrap_or_default(), lang),
                indexer.index_text(item.summary.as_deref().unwrap_or_default(), lang),
                indexer.index_text(&item.text, lang),
            ]
        })
        .collect()
}

/// Replaces a stored item's content and its words in the index.
fn update_item_row(
    c: &mut Connection,
    id: ItemId,
    item: &NewItem,
    [title, summary, body]: IndexedText,
) -> Result<bool> {
    let (authors, lead_image, related_links) = json_columns(item);
    let tx = c.transaction()?;
    let n = tx.execute(
        "UPDATE items SET kind = ?2, url = ?3, title = ?4, summary = ?5, published_at = ?6,
                modified_at = ?7, lang = ?8, site_name = ?9, authors = ?10, lead_image = ?11,
                text = ?12, html = ?13, word_count = ?14, reading_time = ?15,
                related_links = ?16
             WHERE id = ?1",
        params![
            id.0,
            item.kind.as_str(),
            item.url,
            item.title,
            item.summary,
            to_ms(item.published_at),
            item.modified_at.map(to_ms),
            item.lang,
            item.site_name,
            authors,
            lead_image,
            item.text,
            item.html,
            item.word_count as i64,
            item.reading_time_minutes,
            related_links,
        ],
    )?;
    if n > 0 {
        tx.execute("DELETE FROM items_fts WHERE rowid = ?1", [id.0])?;
        tx.execute(
            "INSERT INTO items_fts (rowid, title, summary, body) VALUES (?1, ?2, ?3, ?4)",
            params![id.0, title, summary, body],
        )?;
    }
    tx.commit()?;
    Ok(n > 0)
}

/// Records how a fetch went on its source (and releases its lease).
fn record_fetch_row(c: &Connection, id: SourceId, outcome: FetchOutcome) -> Result<()> {
    match outcome {
        FetchOutcome::Success {
            at,
            title,
            site_url,
            kind,
            etag,
            last_modified,
            ttl_minutes,
            warning,
            next_fetch_at,
            moved_to,
            move_after,
        } => {
            c.execute(
                "UPDATE sources SET title = COALESCE(?2, title), site_url = COALESCE(?3, site_url),
                    kind = COALESCE(?4, kind), etag = ?5, last_modified = ?6, ttl_minutes = ?7,
                    last_fetch_at = ?8, last_success_at = ?8, last_error = ?9, error_count = 0,
                    next_fetch_at = ?10, paused_at = NULL,
                    moved_seen = CASE WHEN ?11 IS NULL THEN 0
                                      WHEN moved_to = ?11 THEN moved_seen + 1 ELSE 1 END,
                    moved_to = ?11, lease_owner = NULL, lease_until = NULL
                 WHERE id = ?1",
                params![
                    id.0,
                    title,
                    site_url,
                    kind,
                    etag,
                    last_modified,
                    ttl_minutes,
                    to_ms(at),
                    warning,
                    to_ms(next_fetch_at),
                    moved_to
                ],
            )?;
            // Moved for good: three fetches in a row said so, and no
            // other source already follows the new address.
            c.execute(
                "UPDATE sources SET url = moved_to, moved_to = NULL, moved_seen = 0
                 WHERE id = ?1 AND moved_seen >= ?2
                   AND NOT EXISTS (SELECT 1 FROM sources o WHERE o.url = sources.moved_to)",
                params![id.0, move_after],
            )?;
        }
        FetchOutcome::Failure {
            at,
            error,
            next_fetch_at,
            pause,
        } => {
            c.execute(
                "UPDATE sources SET last_fetch_at = ?2, last_error = ?3, error_count = error_count + 1,
                    next_fetch_at = ?4,
                    paused_at = CASE WHEN ?5 THEN COALESCE(paused_at, ?2) ELSE NULL END,
                    lease_owner = NULL, lease_until = NULL
                 WHERE id = ?1",
                params![id.0, to_ms(at), error, to_ms(next_fetch_at), pause],
            )?;
        }
    }
    Ok(())
}

/// Stores waiting batches (and their fetches' outcomes) in one transaction
/// and tells each caller how many of its items were new. Should the shared
/// transaction fail, each batch is tried again on its own, so one bad batch
/// fails alone.
fn store_pending(c: &mut Connection, batch: Vec<PendingInsert>) {
    let now = Utc::now();
    let together = (|| -> Result<Vec<usize>> {
        let tx = c.transaction()?;
        let mut counts = Vec::with_capacity(batch.len());
        for p in &batch {
            counts.push(store_one(&tx, p, now)?);
        }
        tx.commit()?;
        Ok(counts)
    })();
    match together {
        Ok(counts) => {
            for (p, n) in batch.into_iter().zip(counts) {
                let _ = p.done.send(Ok(n));
            }
        }
        Err(_) => {
            for p in batch {
                let result = (|| -> Result<usize> {
                    let tx = c.transaction()?;
                    let n = store_one(&tx, &p, now)?;
                    tx.commit()?;
                    Ok(n)
                })();
                let _ = p.done.send(result);
            }
        }
    }
}

/// One source's new items, and how its fetch went, inside a transaction.
fn store_one(
    tx: &rusqlite::Transaction<'_>,
    p: &PendingInsert,
    now: DateTime<Utc>,
) -> Result<usize> {
    let added = insert_rows_in(tx, p.source, p.items.iter().map(|i| (i, now)), &p.indexed)?;
    if let Some(outcome) = &p.outcome {
        record_fetch_row(tx, p.source, outcome.clone())?;
    }
    Ok(added)
}

/// Makes the index texts of `rows` on the blocking pool, without the
/// writer.
async fn index_off_the_writer<T: Send + 'static>(
    rows: Vec<T>,
    item: fn(&T) -> &NewItem,
) -> Result<(Vec<T>, Vec<IndexedText>)> {
    tokio::task::spawn_blocking(move || {
        let indexed = indexed_texts(rows.iter().map(item));
        (rows, indexed)
    })
    .await
    .map_err(|e| Error(StoreError::Task(e.to_string())))
}

/// Inserts items with their `created_at` and index texts, skipping those
/// already stored.
fn insert_item_rows<'a>(
    c: &mut Connection,
    source: SourceId,
    rows: impl Iterator<Item = (&'a NewItem, DateTime<Utc>)>,
    indexed: Vec<IndexedText>,
) -> Result<usize> {
    let tx = c.transaction()?;
    let added = insert_rows_in(&tx, source, rows, &indexed)?;
    tx.commit()?;
    Ok(added)
}

/// Inserts items inside the caller's transaction.
fn insert_rows_in<'a>(
    tx: &rusqlite::Transaction<'_>,
    source: SourceId,
    rows: impl Iterator<Item = (&'a NewItem, DateTime<Utc>)>,
    indexed: &[IndexedText],
) -> Result<usize> {
    let mut added = 0;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO items (source_id, guid, kind, url, canonical_url, title, summary, published_at,
                modified_at, created_at, lang, site_name, authors, lead_image, text, html, word_count, reading_time,
                related_links)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)
             ON CONFLICT DO NOTHING",
        )?;
        let mut index_stmt = tx.prepare_cached(
            "INSERT INTO items_fts (rowid, title, summary, body) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for ((item, created_at), [title, summary, body]) in rows.zip(indexed) {
            let (authors, lead_image, related_links) = json_columns(item);
            let inserted = stmt.execute(params![
                source.0,
                item.guid,
                item.kind.as_str(),
                item.url,
                item.canonical_url,
                item.title,
                item.summary,
                to_ms(item.published_at),
                item.modified_at.map(to_ms),
                to_ms(created_at),
                item.lang,
                item.site_name,
                authors,
                lead_image,
                item.text,
                item.html,
                item.word_count as i64,
                item.reading_time_minutes,
                related_links,
            ])?;
            if inserted > 0 {
                index_stmt.execute(params![tx.last_insert_rowid(), title, summary, body])?;
                added += inserted;
            }
        }
    }
    Ok(added)
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize =
        conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        if i + 1 == SEARCH_INDEX_REBUILT_BY {
            rebuild_search_index(&tx)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

/// Empties the search index and indexes every stored item again. Returns
/// how many items were indexed.
fn rebuild_search_index(c: &Connection) -> rusqlite::Result<u64> {
    c.execute(
        "INSERT INTO items_fts (items_fts) VALUES ('delete-all')",
        [],
    )?;
    let mut stmt = c.prepare("SELECT id, lang, title, summary, text FROM items")?;
    let mut rows = stmt.query([])?;
    let mut insert = c.prepare_cached(
        "INSERT INTO items_fts (rowid, title, summary, body) VALUES (?1, ?2, ?3, ?4)",
    )?;
    let mut indexer = words::Indexer::default();
    let mut indexed = 0;
    while let Some(r) = rows.next()? {
        let lang: Option<String> = r.get(1)?;
        let title: Option<String> = r.get(2)?;
        let summary: Option<String> = r.get(3)?;
        let body: String = r.get(4)?;
        let lang = lang.as_deref();
        insert.execute(params![
            r.get::<_, i64>(0)?,
            indexer.index_text(title.as_deref().unwrap_or_default(), lang),
            indexer.index_text(summary.as_deref().unwrap_or_default(), lang),
            indexer.index_text(&body, lang),
        ])?;
        indexed += 1;
    }
    // One segment, no tombstones: a search checks every candidate against
    // each segment's deleted rows (`fts5MultiIterIsDeleted` was four fifths
    // of a search's time at a million items before this).
    c.execute("INSERT INTO items_fts (items_fts) VALUES ('optimize')", [])?;
    Ok(indexed)
}

const SOURCE_COLUMNS: &str =
    "s.id, s.url, s.site_url, s.title, s.kind, s.etag, s.last_modified, s.ttl_minutes,
    s.created_at, s.last_fetch_at, s.last_success_at, s.last_error, s.error_count, s.next_fetch_at,
    (SELECT COUNT(*) FROM items i WHERE i.source_id = s.id), s.category, s.paused_at,
    s.lease_owner, s.lease_until";
/// How many columns `SOURCE_COLUMNS` has.
const SOURCE_COLUMN_COUNT: usize = 19;

fn source_from_row(r: &Row<'_>) -> rusqlite::Result<Source> {
    Ok(Source {
        id: SourceId(r.get(0)?),
        url: r.get(1)?,
        site_url: r.get(2)?,
        title: r.get(3)?,
        kind: r.get(4)?,
        etag: r.get(5)?,
        last_modified: r.get(6)?,
        ttl_minutes: r.get(7)?,
        created_at: from_ms(r.get(8)?),
        last_fetch_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        last_success_at: r.get::<_, Option<i64>>(10)?.map(from_ms),
        last_error: r.get(11)?,
        error_count: r.get(12)?,
        next_fetch_at: from_ms(r.get(13)?),
        item_count: r.get::<_, i64>(14)? as u64,
        category: r.get(15)?,
        paused_at: r.get::<_, Option<i64>>(16)?.map(from_ms),
        lease_owner: r.get(17)?,
        lease_until: r.get::<_, Option<i64>>(18)?.map(from_ms),
    })
}

const ITEM_COLUMNS: &str =
    "i.id, i.kind, i.title, i.url, i.canonical_url, i.source_id, COALESCE(s.title, s.url),
    i.published_at, i.modified_at, i.summary, i.lang, i.site_name, i.word_count, i.reading_time,
    i.lead_image, i.authors,
    f.story_id, f.duplicate_of";

/// What `ITEM_COLUMNS` adds for an item's own page: its body and links.
const CONTENT_COLUMNS: &str = ", i.text, i.html, i.related_links";

/// The tables `ITEM_COLUMNS` reads: an item, its source, where it is filed.
const ITEM_FROM: &str = "items i JOIN sources s ON s.id = i.source_id
    LEFT JOIN item_stories f ON f.item_id = i.id";

const WEBSUB_COLUMNS: &str = "source_id, hub, topic, secret, callback_token, state, \
     requested_at, lease_expires_at, last_error, last_push_at";

fn websub_from_row(r: &Row<'_>) -> rusqlite::Result<WebSubscription> {
    let state: String = r.get(5)?;
    Ok(WebSubscription {
        source: SourceId(r.get(0)?),
        hub: r.get(1)?,
        topic: r.get(2)?,
        secret: r.get(3)?,
        callback_token: r.get(4)?,
        state: WebSubState::parse(&state).unwrap_or(WebSubState::Failed),
        requested_at: from_ms(r.get(6)?),
        lease_expires_at: r.get::<_, Option<i64>>(7)?.map(from_ms),
        last_error: r.get(8)?,
        last_push_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
    })
}

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.password_hash, u.display_name, u.title, u.bio, \
     u.avatar_url, u.created_at, u.disabled_at IS NOT NULL, u.app_password_hash";

fn user_from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    user_at(r, 0)
}

/// A user from `USER_COLUMNS` starting at column `at`.
fn user_at(r: &Row<'_>, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        id: UserId(r.get(at)?),
        name: r.get(at + 1)?,
        role: Role::parse(&r.get::<_, String>(at + 2)?).unwrap_or(Role::Reader),
        password_hash: r.get(at + 3)?,
        display_name: r.get(at + 4)?,
        title: r.get(at + 5)?,
        bio: r.get(at + 6)?,
        avatar_url: r.get(at + 7)?,
        created_at: from_ms(r.get(at + 8)?),
        disabled: r.get(at + 9)?,
        app_password_hash: r.get(at + 10)?,
    })
}

const POST_COLUMNS: &str = "id, author_id, kind, headline, markdown, image_url, image_caption, \
     image_credit, state, publish_at, item_id, created_at, updated_at";

fn post_from_row(r: &Row<'_>) -> rusqlite::Result<Post> {
    Ok(Post {
        id: r.get(0)?,
        author: UserId(r.get(1)?),
        kind: ItemKind::parse(&r.get::<_, String>(2)?),
        headline: r.get(3)?,
        markdown: r.get(4)?,
        image_url: r.get(5)?,
        image_caption: r.get(6)?,
        image_credit: r.get(7)?,
        state: PostState::parse(&r.get::<_, String>(8)?).unwrap_or(PostState::Draft),
        publish_at: r.get::<_, Option<i64>>(9)?.map(from_ms),
        item: r.get::<_, Option<i64>>(10)?.map(ItemId),
        created_at: from_ms(r.get(11)?),
        updated_at: from_ms(r.get(12)?),
    })
}

fn item_from_row(r: &Row<'_>, with_content: bool) -> rusqlite::Result<Item> {
    let lead_image: Option<String> = r.get(14)?;
    let authors: String = r.get(15)?;
    Ok(Item {
        id: ItemId(r.get(0)?),
        kind: ItemKind::parse(&r.get::<_, String>(1)?),
        title: r.get(2)?,
        url: r.get(3)?,
        canonical_url: r.get(4)?,
        source: SourceRef {
            id: SourceId(r.get(5)?),
            title: r.get(6)?,
        },
        published_at: from_ms(r.get(7)?),
        modified_at: r.get::<_, Option<i64>>(8)?.map(from_ms),
        summary: r.get(9)?,
        lang: r.get(10)?,
        site_name: r.get(11)?,
        word_count: r.get::<_, i64>(12)? as usize,
        reading_time_minutes: r.get(13)?,
        lead_image: lead_image.and_then(|j| serde_json::from_str(&j).ok()),
        authors: serde_json::from_str(&authors).unwrap_or_default(),
        story_id: r.get(16)?,
        duplicate_of: r.get::<_, Option<i64>>(17)?.map(ItemId),
        duplicates: Vec::new(),
        text: if with_content { r.get(18)? } else { None },
        html: if with_content { r.get(19)? } else { None },
        related_links: if with_content {
            serde_json::from_str(&r.get::<_, String>(20)?).unwrap_or_default()
        } else {
            Vec::new()
        },
        snippet: None,
    })
}

const STORY_COLUMNS: &str =
    "id, title, representative, first_at, latest_at, size, sources, lead_image";

/// Fills each item's `duplicates` (the items that repeat it), in the same
/// read as the items: an index probe each, on a partial index that holds
/// only the copies.
fn fill_duplicates(c: &Connection, items: &mut [Item], per_item: Option<usize>) -> Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    // The copies are counted in the narrow filing table; only those kept
    // are read from `items`.
    let mut copies = c.prepare_cached(&format!(
        "SELECT f.duplicate_of, i.id, i.url, s.id, COALESCE(s.title, s.url), i.published_at
         FROM (SELECT duplicate_of, item_id, published_at, ROW_NUMBER() OVER
                 (PARTITION BY duplicate_of ORDER BY published_at, item_id) AS n
               FROM item_stories WHERE duplicate_of IN ({})) f
         JOIN items i ON i.id = f.item_id JOIN sources s ON s.id = i.source_id
         WHERE f.n <= ? ORDER BY f.published_at, f.item_id",
        vec!["?"; items.len()].join(",")
    ))?;
    let mut args: Vec<i64> = items.iter().map(|i| i.id.0).collect();
    args.push(per_item.map_or(i64::MAX, |n| n as i64));
    let rows = copies.query_map(rusqlite::params_from_iter(args), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            ItemCopy {
                id: ItemId(r.get(1)?),
                url: r.get(2)?,
                source: SourceRef {
                    id: SourceId(r.get(3)?),
                    title: r.get(4)?,
                },
                published_at: from_ms(r.get(5)?),
            },
        ))
    })?;
    for row in rows {
        let (of, copy) = row?;
        if let Some(item) = items.iter_mut().find(|i| i.id.0 == of) {
            item.duplicates.push(copy);
        }
    }
    Ok(())
}

/// What filing reads of an item (see `filing_item_from_row`).
const FILING_COLUMNS: &str = "i.id, i.source_id, i.title, i.url, i.published_at, COALESCE(i.text, ''), f.story_id, f.duplicate_of, i.lang";

fn filing_item_from_row(r: &Row<'_>) -> rusqlite::Result<FilingItem> {
    Ok(FilingItem {
        id: ItemId(r.get(0)?),
        source: SourceId(r.get(1)?),
        title: r.get(2)?,
        url: r.get(3)?,
        published_at: from_ms(r.get(4)?),
        text: r.get(5)?,
        story_id: r.get(6)?,
        duplicate_of: r.get::<_, Option<i64>>(7)?.map(ItemId),
        lang: r.get(8)?,
    })
}

fn story_from_row(r: &Row<'_>) -> rusqlite::Result<Story> {
    Ok(Story {
        id: r.get(0)?,
        title: r.get(1)?,
        representative: r.get::<_, Option<i64>>(2)?.map(ItemId),
        first_at: from_ms(r.get(3)?),
        latest_at: from_ms(r.get(4)?),
        size: r.get(5)?,
        sources: r.get(6)?,
        lead_image: r
            .get::<_, Option<String>>(7)?
            .and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// Related item ids as stored: comma-separated, or NULL for none.
fn related_text(related: &[ItemId]) -> Option<String> {
    (!related.is_empty()).then(|| {
        related
            .iter()
            .map(|r| r.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The stories these items are filed under.
fn stories_of(c: &Connection, items: &[i64]) -> Result<std::collections::BTreeSet<i64>> {
    let mut story = c.prepare_cached("SELECT story_id FROM item_stories WHERE item_id = ?1")?;
    let mut out = std::collections::BTreeSet::new();
    for id in items {
        if let Some(Some(s)) = story
            .query_row([id], |r| r.get::<_, Option<i64>>(0))
            .optional()?
        {
            out.insert(s);
        }
    }
    Ok(out)
}

/// After items were removed: nothing is a duplicate of them any more, and
/// their stories are updated (removed when empty).
fn after_items_removed(
    c: &Connection,
    items: &[i64],
    stories: &std::collections::BTreeSet<i64>,
) -> Result<()> {
    let mut clear =
        c.prepare_cached("UPDATE item_stories SET duplicate_of = NULL WHERE duplicate_of = ?1")?;
    for id in items {
        clear.execute([id])?;
    }
    for story in stories {
        refresh_story(c, *story)?;
    }
    let mut empty = c.prepare_cached("DELETE FROM stories WHERE id = ?1 AND size = 0")?;
    for story in stories {
        empty.execute([story])?;
    }
    Ok(())
}

/// Sets a story's headline, representative (its first item with a
/// headline, else its first: an update's words stand for a headline),
/// picture, times, size and source count from its items.
fn refresh_story(c: &Connection, story: i64) -> Result<()> {
    refresh_story_numbers(c, story)?;
    refresh_story_face(c, story)
}

/// Sets a story's representative, headline and picture from its first items.
fn refresh_story_face(c: &Connection, story: i64) -> Result<()> {
    // The first item with a headline: the index is walked in time order
    // and rows are read until one has a headline (most often the first).
    c.prepare_cached(
        "UPDATE stories SET representative = COALESCE(
            (SELECT f.item_id FROM item_stories f JOIN items i ON i.id = f.item_id
             WHERE f.story_id = ?1 AND i.title IS NOT NULL
             ORDER BY f.published_at, f.item_id LIMIT 1),
            (SELECT item_id FROM item_stories WHERE story_id = ?1
             ORDER BY published_at, item_id LIMIT 1))
         WHERE id = ?1",
    )?
    .execute([story])?;
    // The picture of one of its first items (not a walk of every row of a
    // long story without pictures).
    c.prepare_cached(&format!(
        "UPDATE stories SET
            title = (SELECT COALESCE(title, summary) FROM items WHERE id = stories.representative),
            lead_image = (SELECT i.lead_image FROM
                            (SELECT item_id FROM item_stories WHERE story_id = ?1
                             ORDER BY published_at, item_id LIMIT {STORY_IMAGE_FROM}) first
                          JOIN items i ON i.id = first.item_id
                          WHERE i.lead_image IS NOT NULL LIMIT 1)
         WHERE id = ?1"
    ))?
    .execute([story])?;
    Ok(())
}

/// Sets a story's size, source count and times, from the index alone.
fn refresh_story_numbers(c: &Connection, story: i64) -> Result<()> {
    c.prepare_cached(
        "UPDATE stories SET (size, sources, first_at, latest_at) =
            (SELECT COUNT(*), COUNT(DISTINCT source_id), COALESCE(MIN(published_at), 0),
                    COALESCE(MAX(published_at), 0)
             FROM item_stories WHERE story_id = ?1)
         WHERE id = ?1",
    )?
    .execute([story])?;
    Ok(())
}

/// A story's picture is the first among its first this many items'.
const STORY_IMAGE_FROM: usize = 20;

/// A walk of the newest-first index is tried when it is expected to pass
/// at most this many entries before the page is full (a step costs about a
/// tenth of a date lookup, so walking wins over sorting unless matches are
/// rare).
const WALK_EXPECTED_AT_MOST: usize = 100_000;

/// The ids of the newest `want` items that match the full-text query `fts`
/// (before `after`, in `source`), newest first. The matching ids are read
/// from the full-text index once. Many matches: the newest-first index is
/// walked until enough of them have passed (a common word is found among
/// the newest items at once). Few matches, or a walk that finds them too
/// sparse: each match's date is read from the covering index and the
/// matches are sorted. Never reads an article's row.
fn newest_matches(
    c: &Connection,
    matches: &std::collections::HashSet<i64>,
    after: Option<Cursor>,
    source: Option<SourceId>,
    want: usize,
) -> Result<Vec<i64>> {
    let (at, id) = after.map_or((i64::MAX, i64::MAX), |c| (c.published_at_ms, c.id));
    if matches.is_empty() {
        return Ok(Vec::new());
    }
    // Matches spread like the items: the page fills after about
    // want × items / matches entries of the index.
    let items: i64 = c.query_row("SELECT COALESCE(MAX(id), 0) FROM items", [], |r| r.get(0))?;
    let expected = want.saturating_mul(items.max(0) as usize) / matches.len();
    if expected <= WALK_EXPECTED_AT_MOST
        && let Some(found) = walk_newest(c, matches, (at, id), source, want, expected * 4 + 1_000)?
    {
        return Ok(found);
    }
    // The matches' dates from the covering index, in one statement (a
    // statement per match spent more time in the calls than in the index).
    let mut in_order: Vec<i64> = matches.iter().copied().collect();
    in_order.sort_unstable();
    let list = serde_json::to_string(&in_order).map_err(|e| StoreError::Database(e.to_string()))?;
    let mut date = c.prepare_cached(
        "SELECT i.id, i.published_at, i.source_id FROM json_each(?1) AS m
         JOIN items i INDEXED BY items_id_published ON i.id = m.value",
    )?;
    let mut rows = date.query([list])?;
    let mut dated: Vec<(i64, i64)> = Vec::with_capacity(in_order.len());
    while let Some(r) = rows.next()? {
        let (item, published, in_source): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        if (published, item) < (at, id) && source.is_none_or(|s| s.0 == in_source) {
            dated.push((published, item));
        }
    }
    dated.sort_unstable_by(|a, b| b.cmp(a));
    Ok(dated.into_iter().take(want).map(|(_, i)| i).collect())
}

/// Walks the newest-first index from `(at, id)` keeping the items in
/// `matches`; `None` when `budget` entries pass before `want` do (the
/// matches are older than they are spread).
fn walk_newest(
    c: &Connection,
    matches: &std::collections::HashSet<i64>,
    (at, id): (i64, i64),
    source: Option<SourceId>,
    want: usize,
    budget: usize,
) -> Result<Option<Vec<i64>>> {
    let mut found = Vec::with_capacity(want);
    let mut walk = |stmt: &mut rusqlite::CachedStatement<'_>, args: &[&dyn rusqlite::ToSql]| {
        let mut rows = stmt.query(args)?;
        let mut walked = 0;
        while let Some(row) = rows.next()? {
            let item: i64 = row.get(0)?;
            if matches.contains(&item) {
                found.push(item);
                if found.len() == want {
                    return Ok(true);
                }
            }
            walked += 1;
            if walked >= budget {
                return Ok(false);
            }
        }
        Ok::<bool, rusqlite::Error>(true)
    };
    let finished = match source {
        None => walk(
            &mut c.prepare_cached(
                "SELECT id FROM items INDEXED BY items_newest WHERE (published_at, id) < (?1, ?2)
                 ORDER BY published_at DESC, id DESC",
            )?,
            &[&at, &id],
        )?,
        Some(src) => walk(
            &mut c.prepare_cached(
                "SELECT id FROM items INDEXED BY items_source_newest
                 WHERE source_id = ?3 AND (published_at, id) < (?1, ?2)
                 ORDER BY published_at DESC, id DESC",
            )?,
            &[&at, &id, &src.0],
        )?,
    };
    Ok(finished.then_some(found))
}

/// The cursor, source and author conditions of `query` on the items table
/// aliased `alias`.
fn push_filters(
    sql: &mut String,
    args: &mut Vec<rusqlite::types::Value>,
    alias: &str,
    query: &ItemQuery,
    after: Option<Cursor>,
) {
    if let Some(cur) = after {
        sql.push_str(&format!(" AND ({alias}.published_at, {alias}.id) < (?, ?)"));
        args.push(cur.published_at_ms.into());
        args.push(cur.id.into());
    }
    if let Some(src) = query.source {
        sql.push_str(&format!(" AND {alias}.source_id = ?"));
        args.push(src.0.into());
    }
    if let Some(author) = query.author.as_deref() {
        sql.push_str(&format!(
            " AND {alias}.id IN (SELECT item_id FROM item_authors WHERE name = ?)"
        ));
        args.push(author.trim().to_string().into());
    }
}

/// A user's search as an FTS5 query, and each word's forms (for snippets):
/// every word must match, in any of its forms (see `words::search_forms`),
/// each quoted so no FTS5 syntax can reach the parser.
fn fts_query(q: &str) -> Option<(String, Vec<Vec<String>>)> {
    let forms: Vec<Vec<String>> = words::words(q).map(words::search_forms).collect();
    let terms: Vec<String> = forms
        .iter()
        .map(|any| {
            let quoted: Vec<String> = any.iter().map(|f| format!("\"{f}\"")).collect();
            format!("({})", quoted.join(" OR "))
        })
        .collect();
    (!terms.is_empty()).then(|| (terms.join(" AND "), forms))
}

/// The weights of headline, summary and body in a search's ranking.
const BM25_WEIGHTS: &str = "10.0, 4.0, 1.0";

/// A page of search results: the matches' ids are found and ordered
/// without reading an article's row; the page's rows are read afterwards.
fn search(c: &Connection, query: &ItemQuery) -> Result<ItemPage> {
    let limit = query.page_size();
    let (after, skip) = query.start()?;
    let Some((fts, forms)) = query.search.as_deref().and_then(fts_query) else {
        return Ok(ItemPage {
            items: Vec::new(),
            next_cursor: None,
        });
    };
    let (after, want) = match query.order {
        ItemOrder::Newest => (after, limit + 1),
        ItemOrder::Relevance => (None, RANKED_MATCHES),
    };
    let newest = match query.author.as_deref() {
        // A word found in many items: walk the newest-first index and keep
        // the matches (see `newest_matches`).
        None => {
            let matches: std::collections::HashSet<i64> = c
                .prepare_cached("SELECT rowid FROM items_fts WHERE items_fts MATCH ?1")?
                .query_map([&fts], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            newest_matches(c, &matches, after, query.source, want)?
        }
        Some(_) => {
            // By one author: the matches are chosen on a covering index of
            // (id, date, source).
            let mut sql = String::from(
                "SELECT m.id FROM items m INDEXED BY items_id_published
                 WHERE m.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)",
            );
            let mut args: Vec<rusqlite::types::Value> = vec![fts.clone().into()];
            push_filters(&mut sql, &mut args, "m", query, after);
            sql.push_str(&format!(
                " ORDER BY m.published_at DESC, m.id DESC LIMIT {}",
                limit_sql(want)
            ));
            let mut stmt = c.prepare_cached(&sql)?;
            stmt.query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?
        }
    };
    let page_ids: Vec<i64> = match query.order {
        ItemOrder::Newest => newest,
        ItemOrder::Relevance => rank(c, &fts, newest)?
            .into_iter()
            .skip(skip)
            .take(limit + 1)
            .collect(),
    };
    let mut items = items_by_id(c, &page_ids, query.include_content)?;
    fill_duplicates(c, &mut items, Some(COPIES_LISTED))?;
    let mut text = c.prepare_cached("SELECT text FROM items WHERE id = ?1")?;
    for item in &mut items {
        let body: String = text.query_row([item.id.0], |r| r.get(0))?;
        item.snippet = bulletin_store::result_snippet(item, &body, &forms);
    }
    Ok(match query.order {
        ItemOrder::Newest => newest_page(items, limit),
        ItemOrder::Relevance => ranked_page(items, limit, skip),
    })
}

/// Orders matches (given newest first) best first by BM25, newest first
/// among equals. The scores come from one pass over the matches in the
/// candidates' id range (ids grow with time, so the newest matches are
/// close together); a point query per candidate re-read the words' lists
/// each time.
fn rank(c: &Connection, fts: &str, ids: Vec<i64>) -> Result<Vec<i64>> {
    let (Some(&low), Some(&high)) = (ids.iter().min(), ids.iter().max()) else {
        return Ok(ids);
    };
    let candidates: std::collections::HashSet<i64> = ids.iter().copied().collect();
    let mut stmt = c.prepare_cached(&format!(
        "SELECT rowid, bm25(items_fts, {BM25_WEIGHTS}) FROM items_fts
         WHERE items_fts MATCH ?1 AND rowid BETWEEN ?2 AND ?3"
    ))?;
    let mut scores = std::collections::HashMap::with_capacity(candidates.len());
    let mut rows = stmt.query(params![fts, low, high])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        if candidates.contains(&id) {
            scores.insert(id, row.get::<_, f64>(1)?);
        }
    }
    Ok(by_score(ids, |id| scores.get(&id).copied()))
}

/// Matches (given newest first) best first by their BM25 score, newest
/// first among equals; a match without a score is left out.
fn by_score(ids: Vec<i64>, score: impl Fn(i64) -> Option<f64>) -> Vec<i64> {
    let mut scored: Vec<(f64, usize, i64)> = ids
        .into_iter()
        .enumerate()
        .filter_map(|(n, id)| score(id).map(|s| (s, n, id)))
        .collect();
    // BM25 in SQLite is negative: lower is better.
    scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, _, id)| id).collect()
}

/// The items with these ids, in this order (an id with no item is left out).
/// A page of originals (items that repeat no other), newest first: the
/// newest ids from the index of filed originals and from the unfiled queue
/// (items not yet known to be copies), then their rows. The cost does not
/// depend on how many copies are newer than the page.
fn originals(
    c: &Connection,
    after: Option<Cursor>,
    limit: usize,
    with_content: bool,
) -> Result<ItemPage> {
    let (at, id) = after.map_or((i64::MAX, i64::MAX), |cur| (cur.published_at_ms, cur.id));
    let ids: Vec<i64> = c
        .prepare_cached(&format!(
            "SELECT id FROM (
                SELECT * FROM (SELECT published_at, item_id AS id FROM item_stories
                    WHERE duplicate_of IS NULL AND (published_at, item_id) < (?1, ?2)
                    ORDER BY published_at DESC, item_id DESC LIMIT {n})
                UNION ALL
                SELECT * FROM (SELECT published_at, item_id AS id FROM unfiled
                    WHERE (published_at, item_id) < (?1, ?2)
                    ORDER BY published_at DESC, item_id DESC LIMIT {n}))
             ORDER BY published_at DESC, id DESC LIMIT {n}",
            n = limit_sql(limit + 1)
        ))?
        .query_map(params![at, id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut items = items_by_id(c, &ids, with_content)?;
    items.sort_by_key(|i| std::cmp::Reverse((i.published_at, i.id)));
    fill_duplicates(c, &mut items, Some(COPIES_LISTED))?;
    Ok(newest_page(items, limit))
}

/// `PRAGMA data_version`: changes when another connection commits.
fn data_version(c: &Connection) -> rusqlite::Result<i64> {
    c.query_row("PRAGMA data_version", [], |r| r.get(0))
}

/// Up to `limit` positions of the change log after `after`, with their
/// items and stories as they are now.
fn read_changes(c: &Connection, after: i64, limit: usize) -> Result<ChangeBatch> {
    let tx = c.unchecked_transaction()?;
    let rows = tx
        .prepare_cached(&format!(
            "SELECT seq, kind, item_id, story_id, at FROM changes WHERE seq > ?1
             ORDER BY seq LIMIT {}",
            limit_sql(limit.saturating_add(1))
        ))?
        .query_map([after], |r| {
            Ok(LogRow {
                seq: r.get(0)?,
                kind: r.get(1)?,
                item: r.get(2)?,
                story: r.get(3)?,
                at: from_ms(r.get(4)?),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let (item_ids, story_ids) = log_wants(&rows, limit);
    let items = items_by_id(&tx, &item_ids, false)?;
    let mut stories = Vec::with_capacity(story_ids.len());
    let mut story = tx.prepare_cached(&format!(
        "SELECT {STORY_COLUMNS} FROM stories WHERE id = ?1 AND size > 0"
    ))?;
    for id in story_ids {
        stories.extend(story.query_row([id], story_from_row).optional()?);
    }
    drop(story);
    let pruned_through: i64 = tx
        .prepare_cached("SELECT pruned_through FROM change_log")?
        .query_row([], |r| r.get(0))?;
    Ok(change_batch(
        rows,
        limit,
        after,
        items,
        stories,
        pruned_through,
    ))
}

fn items_by_id(c: &Connection, ids: &[i64], with_content: bool) -> Result<Vec<Item>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = format!("SELECT {ITEM_COLUMNS}");
    if with_content {
        sql.push_str(CONTENT_COLUMNS);
    }
    sql.push_str(&format!(" FROM {ITEM_FROM} WHERE i.id IN ("));
    sql.push_str(&vec!["?"; ids.len()].join(","));
    sql.push(')');
    let mut stmt = c.prepare_cached(&sql)?;
    let mut by_id: std::collections::HashMap<i64, Item> = stmt
        .query_map(rusqlite::params_from_iter(ids), |r| {
            item_from_row(r, with_content)
        })?
        .map(|item| item.map(|i| (i.id.0, i)))
        .collect::<Result<_, _>>()?;
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

impl Store for SqliteStore {
    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.read(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?)))
    }

    fn add_source(&self, source: NewSource) -> BoxFuture<'_, StoreResult<SourceId>> {
        boxed(self.write(move |c| {
            if let Some(id) = c
                .query_row("SELECT id FROM sources WHERE url = ?1", [&source.url], |r| r.get(0))
                .optional()?
            {
                return Err(Error::from(StoreError::DuplicateSource(SourceId(id))));
            }
            c.execute(
                "INSERT INTO sources (url, site_url, title, kind, category, created_at, next_fetch_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
                params![source.url, source.site_url, source.title, source.kind, source.category, to_ms(Utc::now())],
            )?;
            Ok(SourceId(c.last_insert_rowid()))
        }))
    }

    fn sources(&self) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {SOURCE_COLUMNS} FROM sources s ORDER BY s.id"
            ))?;
            let rows = stmt.query_map([], source_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<Option<Source>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = ?1"
            ))?;
            Ok(stmt.query_row([id.0], source_from_row).optional()?)
        }))
    }

    fn remove_source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            let items: Vec<i64> = tx
                .prepare_cached("SELECT id FROM items WHERE source_id = ?1")?
                .query_map([id.0], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let stories = stories_of(&tx, &items)?;
            tx.execute("DELETE FROM items WHERE source_id = ?1", [id.0])?;
            let n = tx.execute("DELETE FROM sources WHERE id = ?1", [id.0])?;
            after_items_removed(&tx, &items, &stories)?;
            tx.commit()?;
            Ok(n > 0)
        }))
    }

    fn set_source_paused(&self, id: SourceId, paused: bool) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let now = to_ms(Utc::now());
            let n = if paused {
                c.execute(
                    "UPDATE sources SET paused_at = COALESCE(paused_at, ?2) WHERE id = ?1",
                    params![id.0, now],
                )?
            } else {
                c.execute(
                    "UPDATE sources SET paused_at = NULL, next_fetch_at = ?2 WHERE id = ?1",
                    params![id.0, now],
                )?
            };
            Ok(n > 0)
        }))
    }

    fn due_sources(
        &self,
        now: DateTime<Utc>,
        all: bool,
    ) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(self.read(move |c| {
            let sql = format!(
                "SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.kind IS NOT 'newsroom' AND (?1 OR (s.next_fetch_at <= ?2 AND s.paused_at IS NULL)) ORDER BY s.next_fetch_at, s.id"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![all, to_ms(now)], source_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn claim_sources(&self, claim: Claim) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(self.write(move |c| {
            // One writer at a time: the select and the update are atomic.
            let tx = c.transaction()?;
            let ids: Vec<i64> = {
                // Due sources come from the `sources_due` index in due
                // order; a pass over all reads on by id.
                let limit = limit_sql(claim.limit);
                let which = match claim.all_since {
                    None => format!(
                        "SELECT id FROM sources INDEXED BY sources_due
                         WHERE next_fetch_at <= ?3 AND paused_at IS NULL
                           AND (lease_until IS NULL OR lease_until <= ?3)
                           AND kind IS NOT 'newsroom'
                         ORDER BY next_fetch_at, id LIMIT {limit}"
                    ),
                    Some(_) => format!(
                        "SELECT id FROM sources
                         WHERE id > ?4 AND (last_fetch_at IS NULL OR last_fetch_at < ?5)
                           AND (lease_until IS NULL OR lease_until <= ?3)
                           AND kind IS NOT 'newsroom'
                         ORDER BY id LIMIT {limit}"
                    ),
                };
                let mut stmt = tx.prepare_cached(&format!(
                    "UPDATE sources SET lease_owner = ?1, lease_until = ?2
                     WHERE id IN ({which}) RETURNING id"
                ))?;
                let worker = claim.worker.as_str();
                let until = to_ms(claim.lease_until);
                let now = to_ms(claim.now);
                let id = |r: &Row<'_>| r.get::<_, i64>(0);
                match claim.all_since {
                    None => stmt
                        .query_map(params![worker, until, now], id)?
                        .collect::<Result<_, _>>()?,
                    Some(since) => stmt
                        .query_map(
                            params![worker, until, now, claim.all_after.0, to_ms(since)],
                            id,
                        )?
                        .collect::<Result<_, _>>()?,
                }
            };
            let mut sources = Vec::with_capacity(ids.len());
            {
                // The item count is not needed to fetch (and costs a count).
                let columns = SOURCE_COLUMNS.replace(
                    "(SELECT COUNT(*) FROM items i WHERE i.source_id = s.id)",
                    "0",
                );
                let mut stmt =
                    tx.prepare_cached(&format!("SELECT {columns} FROM sources s WHERE s.id = ?1"))?;
                for id in ids {
                    sources.push(stmt.query_row([id], source_from_row)?);
                }
            }
            tx.commit()?;
            sources.sort_by_key(|s| (s.next_fetch_at, s.id.0));
            Ok(sources)
        }))
    }

    fn record_fetch(&self, id: SourceId, outcome: FetchOutcome) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| record_fetch_row(c, id, outcome)))
    }

    fn store_fetch(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
        outcome: FetchOutcome,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(self.insert_pending(source, items, Some(outcome)))
    }

    fn known_items(
        &self,
        source: SourceId,
        keys: Vec<ItemKey>,
    ) -> BoxFuture<'_, StoreResult<Vec<bool>>> {
        boxed(self.read(move |c| {
            // Stored, or stored once and pruned since.
            let mut by_guid = c.prepare_cached(
                "SELECT 1 FROM items WHERE source_id = ?1 AND guid = ?2
                 UNION ALL SELECT 1 FROM pruned_items WHERE source_id = ?1 AND guid = ?2",
            )?;
            let mut by_url = c.prepare_cached(
                "SELECT 1 FROM items WHERE canonical_url = ?1
                 UNION ALL SELECT 1 FROM pruned_items WHERE canonical_url = ?1",
            )?;
            keys.iter()
                .map(|k| {
                    if let Some(g) = &k.guid
                        && by_guid.exists(params![source.0, g])?
                    {
                        return Ok(true);
                    }
                    if let Some(u) = &k.canonical_url
                        && by_url.exists([u])?
                    {
                        return Ok(true);
                    }
                    Ok(false)
                })
                .collect()
        }))
    }

    fn items_at_urls(&self, urls: Vec<String>) -> BoxFuture<'_, StoreResult<Vec<Option<ItemId>>>> {
        boxed(self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT min(id) FROM items WHERE canonical_url = ?1")?;
            urls.iter()
                .map(|u| {
                    let id: Option<i64> = stmt.query_row([u], |r| r.get(0))?;
                    Ok(id.map(ItemId))
                })
                .collect()
        }))
    }

    fn insert_items(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(self.insert_pending(source, items, None))
    }

    fn restore_items(
        &self,
        source: SourceId,
        items: Vec<ExportedItem>,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(async move {
            let (items, indexed) = index_off_the_writer(items, |e| &e.item).await?;
            self.write(move |c| {
                insert_item_rows(
                    c,
                    source,
                    items.iter().map(|e| (&e.item, e.created_at)),
                    indexed,
                )
            })
            .await
        })
    }

    fn export_items(
        &self,
        after: ItemId,
        limit: usize,
    ) -> BoxFuture<'_, StoreResult<Vec<ExportedItem>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT id, source_id, created_at, guid, kind, url, canonical_url, title, summary,
                    published_at, modified_at, lang, site_name, authors, lead_image, text, html,
                    word_count, reading_time, related_links
                 FROM items WHERE id > ?1 ORDER BY id LIMIT {}",
                limit_sql(limit.min(100_000))
            ))?;
            let rows = stmt.query_map([after.0], |r| {
                let authors: String = r.get(13)?;
                let lead_image: Option<String> = r.get(14)?;
                Ok(ExportedItem {
                    id: ItemId(r.get(0)?),
                    source: SourceId(r.get(1)?),
                    created_at: from_ms(r.get(2)?),
                    item: NewItem {
                        guid: r.get(3)?,
                        kind: ItemKind::parse(&r.get::<_, String>(4)?),
                        url: r.get(5)?,
                        canonical_url: r.get(6)?,
                        title: r.get(7)?,
                        summary: r.get(8)?,
                        published_at: from_ms(r.get(9)?),
                        modified_at: r.get::<_, Option<i64>>(10)?.map(from_ms),
                        lang: r.get(11)?,
                        site_name: r.get(12)?,
                        authors: serde_json::from_str(&authors).unwrap_or_default(),
                        lead_image: lead_image.and_then(|j| serde_json::from_str(&j).ok()),
                        text: r.get(15)?,
                        html: r.get(16)?,
                        word_count: r.get::<_, i64>(17)?.max(0) as usize,
                        reading_time_minutes: r.get(18)?,
                        related_links: serde_json::from_str(&r.get::<_, String>(19)?)
                            .unwrap_or_default(),
                    },
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn restore_source(&self, source: Source) -> BoxFuture<'_, StoreResult<SourceId>> {
        boxed(self.write(move |c| {
            if let Some(id) = c
                .query_row(
                    "SELECT id FROM sources WHERE url = ?1",
                    [&source.url],
                    |r| r.get(0),
                )
                .optional()?
            {
                return Err(Error::from(StoreError::DuplicateSource(SourceId(id))));
            }
            c.execute(
                "INSERT INTO sources (url, site_url, title, kind, etag, last_modified, ttl_minutes,
                    created_at, last_fetch_at, last_success_at, last_error, error_count,
                    next_fetch_at, category, paused_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    source.url,
                    source.site_url,
                    source.title,
                    source.kind,
                    source.etag,
                    source.last_modified,
                    source.ttl_minutes,
                    to_ms(source.created_at),
                    source.last_fetch_at.map(to_ms),
                    source.last_success_at.map(to_ms),
                    source.last_error,
                    source.error_count,
                    to_ms(source.next_fetch_at),
                    source.category,
                    source.paused_at.map(to_ms),
                ],
            )?;
            Ok(SourceId(c.last_insert_rowid()))
        }))
    }

    fn items(&self, query: ItemQuery) -> BoxFuture<'_, StoreResult<ItemPage>> {
        boxed(self.read(move |c| {
            if query.search.is_some() {
                return search(c, &query);
            }
            let limit = query.page_size();
            let (after, _) = query.start()?;
            if query.originals_only && query.source.is_none() && query.author.is_none() {
                return originals(c, after, limit, query.include_content);
            }
            let mut sql = format!("SELECT {ITEM_COLUMNS}");
            if query.include_content {
                sql.push_str(CONTENT_COLUMNS);
            }
            sql.push_str(&format!(" FROM {ITEM_FROM} WHERE 1"));
            let mut args: Vec<rusqlite::types::Value> = Vec::new();
            push_filters(&mut sql, &mut args, "i", &query, after);
            if query.originals_only {
                sql.push_str(" AND f.duplicate_of IS NULL");
            }
            sql.push_str(&format!(
                " ORDER BY i.published_at DESC, i.id DESC LIMIT {}",
                limit_sql(limit + 1)
            ));
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                item_from_row(r, query.include_content)
            })?;
            let mut items = rows.collect::<Result<Vec<_>, _>>()?;
            items.truncate(limit + 1);
            fill_duplicates(c, &mut items, Some(COPIES_LISTED))?;
            Ok(newest_page(items, limit))
        }))
    }

    fn item(&self, id: ItemId) -> BoxFuture<'_, StoreResult<Option<Item>>> {
        boxed(self.read(move |c| item_whole(c, id)))
    }

    fn item_detail(
        &self,
        id: ItemId,
        related: usize,
    ) -> BoxFuture<'_, StoreResult<Option<ItemDetail>>> {
        // One connection, one trip to the blocking pool.
        boxed(self.read(move |c| {
            let Some(item) = item_whole(c, id)? else {
                return Ok(None);
            };
            let original = match item.duplicate_of {
                Some(of) => item_whole(c, of)?,
                None => None,
            };
            let story = match item.story_id {
                Some(s) => story_by_id(c, s)?,
                None => None,
            };
            let related = related_to(c, id, related)?;
            let claims = in_text_order(claims::read(c, &ClaimQuery::of_item(id))?);
            Ok(Some(ItemDetail {
                item,
                original,
                story,
                related,
                claims,
            }))
        }))
    }

    fn renew_leases(
        &self,
        worker: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| {
            let n = c.execute(
                "UPDATE sources SET lease_until = ?3 WHERE lease_owner = ?1 AND lease_until > ?2",
                params![worker, to_ms(now), to_ms(until)],
            )?;
            Ok(n as u64)
        }))
    }

    fn user(&self, id: UserId) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.id = ?1"
            ))?;
            Ok(stmt.query_row([id.0], user_from_row).optional()?)
        }))
    }

    fn set_user_role(&self, id: UserId, role: Role) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let n = c.execute(
                "UPDATE users SET role = ?2 WHERE id = ?1",
                params![id.0, role.as_str()],
            )?;
            Ok(n > 0)
        }))
    }

    fn set_user_disabled(&self, id: UserId, disabled: bool) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let at = disabled.then(|| to_ms(Utc::now()));
            let n = c.execute(
                "UPDATE users SET disabled_at = ?2 WHERE id = ?1",
                params![id.0, at],
            )?;
            if disabled {
                c.execute("DELETE FROM sessions WHERE user_id = ?1", [id.0])?;
            }
            Ok(n > 0)
        }))
    }

    fn remove_user(&self, id: UserId) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let posts: i64 = c.query_row(
                "SELECT COUNT(*) FROM posts WHERE author_id = ?1",
                [id.0],
                |r| r.get(0),
            )?;
            if posts > 0 {
                return Err(Error::from(StoreError::InUse(format!(
                    "the account wrote {posts} post(s); disable it instead, so their bylines stay"
                ))));
            }
            Ok(c.execute("DELETE FROM users WHERE id = ?1", [id.0])? > 0)
        }))
    }

    fn end_sessions(&self, user: UserId) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| {
            Ok(c.execute("DELETE FROM sessions WHERE user_id = ?1", [user.0])? as u64)
        }))
    }

    fn api_tokens(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<ApiToken>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, name, created_at, last_used_at FROM api_tokens
                 WHERE user_id = ?1 ORDER BY id",
            )?;
            let rows = stmt.query_map([user.0], |r| {
                Ok(ApiToken {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: from_ms(r.get(2)?),
                    last_used_at: r.get::<_, Option<i64>>(3)?.map(from_ms),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn revoke_api_tokens(&self, user: UserId, id: Option<i64>) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| {
            let n = match id {
                Some(id) => c.execute(
                    "DELETE FROM api_tokens WHERE user_id = ?1 AND id = ?2",
                    params![user.0, id],
                )?,
                None => c.execute("DELETE FROM api_tokens WHERE user_id = ?1", [user.0])?,
            };
            Ok(n as u64)
        }))
    }

    fn record_login_failure(
        &self,
        account: String,
        address: String,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "DELETE FROM login_failures WHERE account = ?1 AND failed_at < ?2",
                params![account, to_ms(forget_before)],
            )?;
            c.execute(
                "DELETE FROM login_failures WHERE address = ?1 AND failed_at < ?2",
                params![address, to_ms(forget_before)],
            )?;
            c.execute(
                "INSERT INTO login_failures (account, address, failed_at) VALUES (?1, ?2, ?3)",
                params![account, address, to_ms(at)],
            )?;
            Ok(())
        }))
    }

    fn login_failures(
        &self,
        account: String,
        address: String,
        since: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LoginFailures>> {
        boxed(self.read(move |c| {
            let since = to_ms(since);
            let count =
                |sql: &str, p: &[&dyn rusqlite::ToSql]| -> Result<(u32, Option<DateTime<Utc>>)> {
                    Ok(c.prepare_cached(sql)?.query_row(p, |r| {
                        Ok((
                            r.get::<_, i64>(0)? as u32,
                            r.get::<_, Option<i64>>(1)?.map(from_ms),
                        ))
                    })?)
                };
            let (pair, pair_last) = count(
                "SELECT COUNT(*), MAX(failed_at) FROM login_failures
                 WHERE account = ?1 AND address = ?2 AND failed_at >= ?3",
                &[&account, &address, &since],
            )?;
            let (account_n, account_last) = count(
                "SELECT COUNT(*), MAX(failed_at) FROM login_failures
                 WHERE account = ?1 AND failed_at >= ?2",
                &[&account, &since],
            )?;
            let (address_n, address_last) = count(
                "SELECT COUNT(*), MAX(failed_at) FROM login_failures
                 WHERE address = ?1 AND failed_at >= ?2",
                &[&address, &since],
            )?;
            Ok(LoginFailures {
                pair,
                pair_last,
                account: account_n,
                account_last,
                address: address_n,
                address_last,
            })
        }))
    }

    fn clear_login_failures(
        &self,
        account: String,
        address: String,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "DELETE FROM login_failures WHERE account = ?1 AND address = ?2",
                params![account, address],
            )?;
            Ok(())
        }))
    }

    fn add_post_revision(&self, revision: PostRevision) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(self.write(move |c| {
            c.execute(
                "INSERT INTO post_revisions (post_id, editor_id, saved_at, changes, headline, markdown,
                    image_url, image_caption, image_credit, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    revision.post,
                    revision.editor.map(|u| u.0),
                    to_ms(revision.saved_at),
                    revision.changes,
                    revision.headline,
                    revision.markdown,
                    revision.image_url,
                    revision.image_caption,
                    revision.image_credit,
                    revision.state.as_str(),
                ],
            )?;
            Ok(c.last_insert_rowid())
        }))
    }

    fn post_revisions(&self, post: i64) -> BoxFuture<'_, StoreResult<Vec<PostRevision>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, post_id, editor_id, saved_at, changes, headline, markdown, image_url,
                    image_caption, image_credit, state
                 FROM post_revisions WHERE post_id = ?1 ORDER BY id DESC",
            )?;
            let rows = stmt.query_map([post], |r| {
                Ok(PostRevision {
                    id: r.get(0)?,
                    post: r.get(1)?,
                    editor: r.get::<_, Option<i64>>(2)?.map(UserId),
                    saved_at: from_ms(r.get(3)?),
                    changes: r.get(4)?,
                    headline: r.get(5)?,
                    markdown: r.get(6)?,
                    image_url: r.get(7)?,
                    image_caption: r.get(8)?,
                    image_credit: r.get(9)?,
                    state: PostState::parse(&r.get::<_, String>(10)?).unwrap_or(PostState::Draft),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn take_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LeaseTaken>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            let current: Option<(String, i64)> = tx
                .query_row(
                    "SELECT holder, until FROM leases WHERE name = ?1",
                    [&name],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let taken = match current {
                Some((h, u)) if h == holder && u > to_ms(now) => LeaseTaken::Renewed,
                Some((_, u)) if u > to_ms(now) => return Ok(LeaseTaken::Refused),
                _ => LeaseTaken::Acquired,
            };
            tx.execute(
                "INSERT INTO leases (name, holder, until) VALUES (?1, ?2, ?3)
                 ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until",
                params![name, holder, to_ms(until)],
            )?;
            tx.commit()?;
            Ok(taken)
        }))
    }

    fn release_lease(&self, name: String, holder: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )?;
            Ok(())
        }))
    }

    fn unfiled_items(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<FilingItem>>> {
        boxed(self.read(move |c| {
            Ok(c.prepare_cached(&format!(
                "SELECT {FILING_COLUMNS} FROM unfiled u JOIN items i ON i.id = u.item_id
                 LEFT JOIN item_stories f ON f.item_id = i.id
                 ORDER BY u.published_at, u.item_id LIMIT {}",
                limit_sql(limit)
            ))?
            .query_map([], filing_item_from_row)?
            .collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn filing_state(&self, window: chrono::Duration) -> BoxFuture<'_, StoreResult<FilingState>> {
        boxed(self.read(move |c| {
            let (last, newest): (Option<i64>, Option<i64>) =
                c.query_row("SELECT MAX(id), MAX(latest_at) FROM stories", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            let Some(newest) = newest else {
                return Ok(FilingState::default());
            };
            let since = newest - window.num_milliseconds();
            let items = c
                .prepare_cached(&format!(
                    "SELECT {FILING_COLUMNS} FROM item_stories f JOIN items i ON i.id = f.item_id
                     WHERE f.published_at >= ?1
                     ORDER BY f.published_at, f.item_id"
                ))?
                .query_map([since], filing_item_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(FilingState {
                last_story_id: last.unwrap_or(0),
                items,
            })
        }))
    }

    fn apply_filing(&self, batch: FilingBatch) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            let held = tx.execute(
                "UPDATE leases SET until = ?3 WHERE name = ?1 AND holder = ?2",
                params![batch.lease, batch.holder, to_ms(batch.until)],
            )?;
            if held == 0 {
                return Ok(false);
            }
            // Stories whose headline, representative or picture may change.
            let mut changed = std::collections::BTreeSet::new();
            // Stories whose numbers are counted again (an item moved, or
            // stories merged); the others' are kept up to date step by step,
            // at a cost that does not grow with the story.
            let mut recount = std::collections::BTreeSet::new();
            let mut gone = std::collections::BTreeSet::new();
            // Stories that grew or took items in: one change-log position each.
            let mut grown = std::collections::BTreeSet::new();
            {
                let mut create =
                    tx.prepare_cached("INSERT OR IGNORE INTO stories (id) VALUES (?1)")?;
                // A new item later than a story's first, in a story that
                // has a headline and a picture, changes neither.
                let mut settled = tx.prepare_cached(
                    "SELECT 1 FROM stories WHERE id = ?1 AND representative IS NOT NULL
                       AND lead_image IS NOT NULL AND title IS NOT NULL AND first_at < ?2",
                )?;
                let mut filed_in =
                    tx.prepare_cached("SELECT story_id FROM item_stories WHERE item_id = ?1")?;
                // Run before the item's row is written: its source counts
                // when no other item of the story has it.
                let mut count = tx.prepare_cached(
                    "UPDATE stories SET size = size + 1,
                        sources = sources + NOT EXISTS
                            (SELECT 1 FROM item_stories WHERE story_id = ?1 AND source_id = ?2),
                        first_at = CASE WHEN size = 0 THEN ?3 ELSE min(first_at, ?3) END,
                        latest_at = CASE WHEN size = 0 THEN ?3 ELSE max(latest_at, ?3) END
                     WHERE id = ?1",
                )?;
                let mut file = tx.prepare_cached(
                    "INSERT INTO item_stories (item_id, story_id, duplicate_of, published_at, source_id, related)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (item_id) DO UPDATE
                        SET story_id = excluded.story_id, duplicate_of = excluded.duplicate_of,
                            related = excluded.related",
                )?;
                let mut filed = tx.prepare_cached(
                    "DELETE FROM unfiled WHERE published_at = ?1 AND item_id = ?2",
                )?;
                let mut merge =
                    tx.prepare_cached("UPDATE item_stories SET story_id = ?1 WHERE story_id = ?2")?;
                let mut relate = tx
                    .prepare_cached("UPDATE item_stories SET related = ?2 WHERE item_id = ?1")?;
                for step in &batch.steps {
                    match step {
                        FilingStep::File {
                            item,
                            story,
                            duplicate_of,
                            published_at,
                            source,
                            related,
                        } => {
                            let (item, story, published_at) = (*item, *story, *published_at);
                            create.execute([story])?;
                            if !settled.exists(params![story, to_ms(published_at)])? {
                                changed.insert(story);
                            }
                            let before: Option<i64> =
                                filed_in.query_row([item.0], |r| r.get(0)).optional()?;
                            match before {
                                None => {
                                    count.execute(params![story, source.0, to_ms(published_at)])?;
                                    grown.insert(story);
                                }
                                Some(old) if old == story => {}
                                Some(old) => {
                                    recount.insert(old);
                                    recount.insert(story);
                                    changed.insert(old);
                                    grown.extend([old, story]);
                                }
                            }
                            let related = related_text(related);
                            file.execute(params![
                                item.0,
                                story,
                                duplicate_of.map(|d| d.0),
                                to_ms(published_at),
                                source.0,
                                related
                            ])?;
                            filed.execute(params![to_ms(published_at), item.0])?;
                            gone.remove(&story);
                        }
                        FilingStep::Relate { item, related } => {
                            relate.execute(params![item.0, related_text(related)])?;
                        }
                        FilingStep::Merge { into, from } => {
                            let (into, from) = (*into, *from);
                            merge.execute(params![into, from])?;
                            recount.insert(into);
                            changed.insert(into);
                            grown.insert(into);
                            grown.remove(&from);
                            recount.remove(&from);
                            changed.remove(&from);
                            gone.insert(from);
                        }
                    }
                }
            }
            for story in &gone {
                tx.execute("DELETE FROM stories WHERE id = ?1", [story])?;
            }
            for story in &recount {
                refresh_story_numbers(&tx, *story)?;
            }
            for story in &changed {
                refresh_story_face(&tx, *story)?;
            }
            for story in &recount {
                tx.execute("DELETE FROM stories WHERE id = ?1 AND size = 0", [story])?;
            }
            {
                let mut log = tx.prepare_cached(
                    "INSERT INTO changes (kind, story_id, at) VALUES ('story', ?1, ?2)",
                )?;
                let now = to_ms(Utc::now());
                for story in grown.iter().filter(|s| !gone.contains(s)) {
                    log.execute(params![story, now])?;
                }
            }
            claims::write(&tx, &batch.claims)?;
            tx.commit()?;
            Ok(true)
        }))
    }

    fn reset_stories(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM item_stories", [])?;
            tx.execute(
                "INSERT INTO unfiled (published_at, item_id) SELECT published_at, id FROM items
                 WHERE true ON CONFLICT DO NOTHING",
                [],
            )?;
            tx.execute("DELETE FROM stories", [])?;
            tx.execute(
                "INSERT INTO changes (kind, at) VALUES ('reset', ?1)",
                [to_ms(Utc::now())],
            )?;
            let n: i64 = tx.query_row("SELECT COUNT(*) FROM items", [], |r| r.get(0))?;
            tx.commit()?;
            Ok(n.max(0) as u64)
        }))
    }

    fn claims(&self, query: ClaimQuery) -> BoxFuture<'_, StoreResult<Vec<ClaimRecord>>> {
        boxed(self.read(move |c| claims::read(c, &query)))
    }

    fn entity(&self, slug: String) -> BoxFuture<'_, StoreResult<Option<Entity>>> {
        boxed(self.read(move |c| claims::entity(c, &slug)))
    }

    fn story(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Story>>> {
        boxed(self.read(move |c| story_by_id(c, id)))
    }

    fn stories(&self, query: StoryQuery) -> BoxFuture<'_, StoreResult<StoryPage>> {
        boxed(self.read(move |c| {
            let limit = query.limit.clamp(1, bulletin_store::MAX_PAGE_SIZE);
            let (at, id) = query
                .after()?
                .map_or((i64::MAX, i64::MAX), |c| (c.published_at_ms, c.id));
            let rows = c
                .prepare_cached(&format!(
                    "SELECT {STORY_COLUMNS} FROM stories WHERE size > 0 AND (latest_at, id) < (?1, ?2)
                     ORDER BY latest_at DESC, id DESC LIMIT {}",
                    limit_sql(limit + 1)
                ))?
                .query_map(params![at, id], story_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(story_page(rows, limit))
        }))
    }

    fn story_items(&self, story: i64) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(self.read(move |c| {
            let mut items = c
                .prepare_cached(&format!(
                    "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}
                     WHERE i.id IN (SELECT item_id FROM item_stories WHERE story_id = ?1)
                     ORDER BY i.published_at DESC, i.id DESC"
                ))?
                .query_map([story], |r| item_from_row(r, false))?
                .collect::<Result<Vec<_>, _>>()?;
            fill_duplicates(c, &mut items, Some(COPIES_LISTED))?;
            Ok(items)
        }))
    }

    fn related_items(&self, item: ItemId, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(self.read(move |c| related_to(c, item, limit)))
    }

    fn duplicates(
        &self,
        items: Vec<ItemId>,
        per_item: Option<usize>,
    ) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}
                 WHERE i.id IN (SELECT item_id FROM item_stories WHERE duplicate_of = ?1
                                ORDER BY published_at, item_id LIMIT {})
                 ORDER BY i.published_at, i.id",
                limit_sql(per_item.unwrap_or(usize::MAX))
            ))?;
            let mut out = Vec::new();
            for item in items {
                for row in stmt.query_map([item.0], |r| item_from_row(r, false))? {
                    out.push(row?);
                }
            }
            out.sort_by_key(|i| (i.published_at, i.id));
            Ok(out)
        }))
    }

    fn daily_activity(
        &self,
        until: DateTime<Utc>,
        days: u32,
    ) -> BoxFuture<'_, StoreResult<Vec<(SourceId, u32, u64)>>> {
        boxed(self.read(move |c| {
            const DAY_MS: i64 = 86_400_000;
            let last_day = to_ms(until).div_euclid(DAY_MS);
            let first_day = last_day - i64::from(days.max(1)) + 1;
            let mut stmt = c.prepare_cached(
                "SELECT source_id, published_at / ?3 AS day, COUNT(*) FROM items
                 WHERE published_at >= ?1 AND published_at < ?2 GROUP BY source_id, day",
            )?;
            let rows = stmt.query_map(
                params![first_day * DAY_MS, (last_day + 1) * DAY_MS, DAY_MS],
                |r| {
                    let day: i64 = r.get(1)?;
                    Ok((
                        SourceId(r.get(0)?),
                        (day - first_day) as u32,
                        r.get::<_, i64>(2)? as u64,
                    ))
                },
            )?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn changes(&self, after: i64, limit: usize) -> BoxFuture<'_, StoreResult<ChangeBatch>> {
        boxed(self.read(move |c| read_changes(c, after, limit)))
    }

    fn last_change(&self) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT max(coalesce((SELECT max(seq) FROM changes), 0), pruned_through)
                 FROM change_log",
            )?
            .query_row([], |r| r.get(0))?)
        }))
    }

    fn prune_changes(&self, before: DateTime<Utc>) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            let through: Option<i64> = tx.query_row(
                "SELECT max(seq) FROM changes WHERE at < ?1",
                [to_ms(before)],
                |r| r.get(0),
            )?;
            let Some(through) = through else {
                return Ok(0);
            };
            let n = tx.execute("DELETE FROM changes WHERE seq <= ?1", [through])?;
            tx.execute(
                "UPDATE change_log SET pruned_through = max(pruned_through, ?1)",
                [through],
            )?;
            tx.commit()?;
            Ok(n as u64)
        }))
    }

    fn change_notices(&self) -> BoxFuture<'_, StoreResult<BoxStream<'static, ()>>> {
        let path = self.path.clone();
        let written = self.written.clone();
        boxed(async move {
            // A connection of its own, asked only for the database's
            // version: it changes with every commit of another connection
            // (this process's writer included).
            let open = move || -> Result<(Connection, i64)> {
                let c = Connection::open_with_flags(
                    &path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                configure(&c)?;
                let version = data_version(&c)?;
                Ok((c, version))
            };
            let watcher = tokio::task::spawn_blocking(open)
                .await
                .map_err(|e| StoreError::Task(e.to_string()))??;
            let watcher = Arc::new(Mutex::new(watcher));
            let stream = futures_util::stream::unfold(watcher, move |watcher| {
                let written = written.clone();
                async move {
                    loop {
                        let _ = tokio::time::timeout(CHANGE_POLL, written.notified()).await;
                        let check = watcher.clone();
                        let changed = tokio::task::spawn_blocking(move || {
                            let mut guard = check.lock().ok()?;
                            let (c, seen) = &mut *guard;
                            let now = data_version(c).ok()?;
                            let changed = now != *seen;
                            *seen = now;
                            Some(changed)
                        })
                        .await;
                        match changed {
                            Ok(Some(false)) => continue,
                            // Changed, or the check failed: the reader looks.
                            _ => return Some(((), watcher)),
                        }
                    }
                }
            });
            Ok(Box::pin(stream) as BoxStream<'static, ()>)
        })
    }

    fn save_hub_subscription(&self, sub: HubSubscription) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "INSERT INTO hub_subscriptions (topic, callback, secret, expires_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (topic, callback) DO UPDATE
                    SET secret = excluded.secret, expires_at = excluded.expires_at",
                params![sub.topic, sub.callback, sub.secret, to_ms(sub.expires_at)],
            )?;
            Ok(())
        }))
    }

    fn remove_hub_subscription(
        &self,
        topic: String,
        callback: String,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| {
            Ok(c.execute(
                "DELETE FROM hub_subscriptions WHERE topic = ?1 AND callback = ?2",
                params![topic, callback],
            )? > 0)
        }))
    }

    fn hub_subscriptions(
        &self,
        topics: Vec<String>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Vec<HubSubscription>>> {
        boxed(self.read(move |c| {
            let mut found = Vec::new();
            let mut stmt = c.prepare_cached(
                "SELECT topic, callback, secret, expires_at FROM hub_subscriptions
                 WHERE topic = ?1 AND expires_at > ?2 ORDER BY callback",
            )?;
            for topic in &topics {
                let rows = stmt.query_map(params![topic, to_ms(now)], |r| {
                    Ok(HubSubscription {
                        topic: r.get(0)?,
                        callback: r.get(1)?,
                        secret: r.get(2)?,
                        expires_at: from_ms(r.get(3)?),
                    })
                })?;
                for row in rows {
                    found.push(row?);
                }
            }
            Ok(found)
        }))
    }

    fn refresh_statistics(&self) -> BoxFuture<'_, StoreResult<()>> {
        // SQLite's own advice: analyze what changed enough to matter. And
        // a bounded step of merging the search index's segments, which
        // drops the deleted rows pruning leaves behind (a search checks
        // every candidate against them).
        boxed(self.write(|c| {
            c.execute_batch("PRAGMA optimize")?;
            c.execute(
                "INSERT INTO items_fts (items_fts, rank) VALUES ('merge', 2000)",
                [],
            )?;
            Ok(())
        }))
    }

    fn add_user(&self, user: NewUser) -> BoxFuture<'_, StoreResult<UserId>> {
        boxed(self.write(move |c| {
            let taken: Option<i64> = c
                .query_row("SELECT id FROM users WHERE name = ?1", [&user.name], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(Error::from(StoreError::DuplicateUser(user.name)));
            }
            c.execute(
                "INSERT INTO users (name, role, password_hash, display_name, title, bio, avatar_url, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    user.name,
                    user.role.unwrap_or(Role::Reader).as_str(),
                    user.password_hash,
                    user.display_name,
                    user.title,
                    user.bio,
                    user.avatar_url,
                    to_ms(user.created_at.unwrap_or_else(Utc::now)),
                ],
            )?;
            Ok(UserId(c.last_insert_rowid()))
        }))
    }

    fn user_by_name(&self, name: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?1"
            ))?;
            Ok(stmt.query_row([name], user_from_row).optional()?)
        }))
    }

    fn users(&self) -> BoxFuture<'_, StoreResult<Vec<User>>> {
        boxed(self.read(|c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id"))?;
            let rows = stmt.query_map([], user_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn set_password(&self, user: UserId, password_hash: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "UPDATE users SET password_hash = ?2 WHERE id = ?1",
                params![user.0, password_hash],
            )?;
            // A new password ends every session.
            c.execute("DELETE FROM sessions WHERE user_id = ?1", [user.0])?;
            Ok(())
        }))
    }

    fn stars(&self) -> BoxFuture<'_, StoreResult<Vec<(UserId, ItemId)>>> {
        boxed(self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT user_id, item_id FROM stars ORDER BY item_id")?;
            let rows = stmt.query_map([], |r| Ok((UserId(r.get(0)?), ItemId(r.get(1)?))))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn create_session(&self, session: Session) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            // Expired sessions go when new ones come.
            c.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1",
                [to_ms(session.created_at)],
            )?;
            c.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    session.token_hash,
                    session.user.0,
                    session.csrf_token,
                    to_ms(session.created_at),
                    to_ms(session.expires_at),
                ],
            )?;
            Ok(())
        }))
    }

    fn session(
        &self,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Option<(Session, User)>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, {USER_COLUMNS}
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL"
            ))?;
            Ok(stmt
                .query_row(params![token_hash, to_ms(now)], |r| {
                    let session = Session {
                        token_hash: r.get(0)?,
                        user: UserId(r.get(1)?),
                        csrf_token: r.get(2)?,
                        created_at: from_ms(r.get(3)?),
                        expires_at: from_ms(r.get(4)?),
                    };
                    Ok((session, user_at(r, 5)?))
                })
                .optional()?)
        }))
    }

    fn delete_session(&self, token_hash: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
            Ok(())
        }))
    }

    fn add_api_token(
        &self,
        user: UserId,
        name: String,
        token_hash: String,
    ) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(self.write(move |c| {
            c.execute(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![user.0, name, token_hash, to_ms(Utc::now())],
            )?;
            Ok(c.last_insert_rowid())
        }))
    }

    fn api_token_user(&self, token_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(self.write(move |c| {
            let user = c
                .prepare_cached(&format!(
                    "SELECT {USER_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
                     WHERE t.token_hash = ?1 AND u.disabled_at IS NULL"
                ))?
                .query_row([&token_hash], user_from_row)
                .optional()?;
            if user.is_some() {
                c.execute(
                    "UPDATE api_tokens SET last_used_at = ?2 WHERE token_hash = ?1",
                    params![token_hash, to_ms(Utc::now())],
                )?;
            }
            Ok(user)
        }))
    }

    fn set_star(
        &self,
        user: UserId,
        item: ItemId,
        starred: bool,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            if starred {
                c.execute(
                    "INSERT INTO stars (user_id, item_id, created_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT DO NOTHING",
                    params![user.0, item.0, to_ms(Utc::now())],
                )?;
            } else {
                c.execute(
                    "DELETE FROM stars WHERE user_id = ?1 AND item_id = ?2",
                    params![user.0, item.0],
                )?;
            }
            Ok(())
        }))
    }

    fn starred(&self, user: UserId, items: Vec<ItemId>) -> BoxFuture<'_, StoreResult<Vec<bool>>> {
        boxed(self.read(move |c| {
            let mut stmt =
                c.prepare_cached("SELECT 1 FROM stars WHERE user_id = ?1 AND item_id = ?2")?;
            items
                .iter()
                .map(|i| Ok(stmt.exists(params![user.0, i.0])?))
                .collect()
        }))
    }

    fn reader_items(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderItem>>> {
        boxed(self.read(move |c| reader::items(c, &query)))
    }

    fn reader_refs(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderRef>>> {
        boxed(self.read(move |c| reader::refs(c, &query)))
    }

    fn reader_count(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.read(move |c| reader::count(c, &query)))
    }

    fn set_read(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        read: bool,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| reader::set_read(c, user, &items, read)))
    }

    fn set_starred(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        starred: bool,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(move |c| reader::set_starred(c, user, &items, starred)))
    }

    fn set_label(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        label: String,
        on: bool,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| reader::set_label(c, user, &items, &label, on)))
    }

    fn labels(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<(String, u64)>>> {
        boxed(self.read(move |c| reader::labels(c, user)))
    }

    fn rename_label(
        &self,
        user: UserId,
        from: String,
        to: String,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| reader::rename_label(c, user, &from, &to)))
    }

    fn mark_all_read(
        &self,
        user: UserId,
        scope: Scope,
        until: Option<DateTime<Utc>>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| reader::mark_all_read(c, user, scope, until)))
    }

    fn subscriptions(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Subscription>>> {
        boxed(async move {
            self.reader_rows(user).await?;
            self.read(move |c| reader::subscriptions(c, user, None))
                .await
        })
    }

    fn subscriptions_to(
        &self,
        user: UserId,
        sources: Vec<SourceId>,
    ) -> BoxFuture<'_, StoreResult<Vec<Subscription>>> {
        boxed(async move {
            if sources.is_empty() {
                return Ok(Vec::new());
            }
            self.reader_rows(user).await?;
            self.read(move |c| reader::subscriptions(c, user, Some(&sources)))
                .await
        })
    }

    fn edit_subscription(
        &self,
        user: UserId,
        source: SourceId,
        edit: SubscriptionEdit,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| reader::edit_subscription(c, user, source, &edit)))
    }

    fn unread_counts(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<UnreadCount>>> {
        boxed(self.read(move |c| reader::unread_counts(c, user)))
    }

    fn categories(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Category>>> {
        boxed(async move {
            self.reader_rows(user).await?;
            self.read(move |c| reader::categories(c, user)).await
        })
    }

    fn save_category(
        &self,
        user: UserId,
        id: Option<i64>,
        title: String,
    ) -> BoxFuture<'_, StoreResult<Option<i64>>> {
        boxed(self.write(move |c| reader::save_category(c, user, id, &title)))
    }

    fn remove_category(&self, user: UserId, id: i64) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(self.write(move |c| reader::remove_category(c, user, id)))
    }

    fn set_app_password(
        &self,
        user: UserId,
        password_hash: Option<String>,
        fever_key_hash: Option<String>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                "UPDATE users SET app_password_hash = ?2, fever_key_hash = ?3 WHERE id = ?1",
                params![user.0, password_hash, fever_key_hash],
            )?;
            Ok(())
        }))
    }

    fn user_by_fever_key(&self, key_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {USER_COLUMNS} FROM users u
                 WHERE u.fever_key_hash = ?1 AND u.disabled_at IS NULL"
            ))?;
            Ok(stmt.query_row([key_hash], user_from_row).optional()?)
        }))
    }

    fn prune_items(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(self.write(move |c| {
            let tx = c.transaction()?;
            let ids: Vec<i64> = tx
                .prepare_cached(&format!(
                    "SELECT i.id FROM items i
                     WHERE i.published_at < ?1
                       AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = i.id)
                     ORDER BY i.published_at LIMIT {}",
                    limit_sql(limit.min(100_000))
                ))?
                .query_map([to_ms(before)], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let now = to_ms(Utc::now());
            {
                // Remembered, so the next fetch does not add them back.
                let mut remember = tx.prepare_cached(
                    "INSERT INTO pruned_items (source_id, guid, canonical_url, pruned_at)
                     SELECT source_id, guid, canonical_url, ?2 FROM items WHERE id = ?1",
                )?;
                let mut delete = tx.prepare_cached("DELETE FROM items WHERE id = ?1")?;
                let stories = stories_of(&tx, &ids)?;
                for id in &ids {
                    remember.execute(params![id, now])?;
                    delete.execute([id])?;
                }
                after_items_removed(&tx, &ids, &stories)?;
            }
            tx.commit()?;
            Ok(ids.len())
        }))
    }

    fn save_post(&self, post: Post) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(self.write(move |c| {
            let values = params![
                post.author.0,
                post.kind.as_str(),
                post.headline,
                post.markdown,
                post.image_url,
                post.image_caption,
                post.image_credit,
                post.state.as_str(),
                post.publish_at.map(to_ms),
                post.item.map(|i| i.0),
                to_ms(post.created_at),
                to_ms(post.updated_at),
                post.id,
            ];
            if post.id == 0 {
                c.execute(
                    "INSERT INTO posts (author_id, kind, headline, markdown, image_url, image_caption,
                        image_credit, state, publish_at, item_id, created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    &values[..12],
                )?;
                Ok(c.last_insert_rowid())
            } else {
                c.execute(
                    "UPDATE posts SET author_id = ?1, kind = ?2, headline = ?3, markdown = ?4,
                        image_url = ?5, image_caption = ?6, image_credit = ?7, state = ?8,
                        publish_at = ?9, item_id = ?10, created_at = ?11, updated_at = ?12
                     WHERE id = ?13",
                    values,
                )?;
                Ok(post.id)
            }
        }))
    }

    fn post(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Post>>> {
        boxed(self.read(move |c| {
            let mut stmt =
                c.prepare_cached(&format!("SELECT {POST_COLUMNS} FROM posts WHERE id = ?1"))?;
            Ok(stmt.query_row([id], post_from_row).optional()?)
        }))
    }

    fn posts(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Post>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {POST_COLUMNS} FROM posts ORDER BY updated_at DESC, id DESC LIMIT {}",
                limit_sql(limit)
            ))?;
            let rows = stmt.query_map([], post_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn due_posts(&self, now: DateTime<Utc>) -> BoxFuture<'_, StoreResult<Vec<Post>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE state = 'scheduled' AND publish_at <= ?1
                 ORDER BY publish_at, id"
            ))?;
            let rows = stmt.query_map([to_ms(now)], post_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn update_item(&self, id: ItemId, item: NewItem) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let (mut items, mut indexed) = index_off_the_writer(vec![item], |i| i).await?;
            let (Some(item), Some([title, summary, body])) = (items.pop(), indexed.pop()) else {
                return Err(Error::from(StoreError::Task(
                    "the item to update went missing".into(),
                )));
            };
            self.write(move |c| update_item_row(c, id, &item, [title, summary, body]))
                .await
        })
    }

    fn item_by_guid(
        &self,
        source: SourceId,
        guid: String,
    ) -> BoxFuture<'_, StoreResult<Option<ItemId>>> {
        boxed(self.read(move |c| {
            Ok(
                c.prepare_cached("SELECT id FROM items WHERE source_id = ?1 AND guid = ?2")?
                    .query_row(params![source.0, guid], |r| r.get(0))
                    .optional()?
                    .map(ItemId),
            )
        }))
    }

    fn websub(&self, source: SourceId) -> BoxFuture<'_, StoreResult<Option<WebSubscription>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {WEBSUB_COLUMNS} FROM websub_subscriptions WHERE source_id = ?1"
            ))?;
            Ok(stmt.query_row([source.0], websub_from_row).optional()?)
        }))
    }

    fn websub_by_token(
        &self,
        token: String,
    ) -> BoxFuture<'_, StoreResult<Option<WebSubscription>>> {
        boxed(self.read(move |c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {WEBSUB_COLUMNS} FROM websub_subscriptions WHERE callback_token = ?1"
            ))?;
            Ok(stmt.query_row([token], websub_from_row).optional()?)
        }))
    }

    fn save_websub(&self, sub: WebSubscription) -> BoxFuture<'_, StoreResult<()>> {
        boxed(self.write(move |c| {
            c.execute(
                &format!(
                    "INSERT OR REPLACE INTO websub_subscriptions ({WEBSUB_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ),
                params![
                    sub.source.0,
                    sub.hub,
                    sub.topic,
                    sub.secret,
                    sub.callback_token,
                    sub.state.as_str(),
                    to_ms(sub.requested_at),
                    sub.lease_expires_at.map(to_ms),
                    sub.last_error,
                    sub.last_push_at.map(to_ms),
                ],
            )?;
            Ok(())
        }))
    }

    fn item_count(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.read(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM items", [], |r| r.get::<_, i64>(0))? as u64)
        }))
    }

    fn indexed_item_count(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.read(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM items_fts", [], |r| r.get::<_, i64>(0))? as u64)
        }))
    }

    fn rebuild_search_index(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(self.write(|c| {
            let tx = c.transaction()?;
            let indexed = rebuild_search_index(&tx)?;
            tx.commit()?;
            Ok(indexed)
        }))
    }
}

/// An item with its text and HTML, and the items that repeat it.
fn item_whole(c: &Connection, id: ItemId) -> Result<Option<Item>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {ITEM_COLUMNS}{CONTENT_COLUMNS} FROM {ITEM_FROM} WHERE i.id = ?1"
    ))?;
    let mut item = stmt
        .query_row([id.0], |r| item_from_row(r, true))
        .optional()?;
    if let Some(item) = item.as_mut() {
        fill_duplicates(c, std::slice::from_mut(item), None)?;
    }
    Ok(item)
}

fn story_by_id(c: &Connection, id: i64) -> Result<Option<Story>> {
    Ok(c.prepare_cached(&format!(
        "SELECT {STORY_COLUMNS} FROM stories WHERE id = ?1"
    ))?
    .query_row([id], story_from_row)
    .optional()?)
}

/// Up to `limit` of the items filed as related to `item`, still related.
fn related_to(c: &Connection, item: ItemId, limit: usize) -> Result<Vec<Item>> {
    let Some(this) = items_by_id(c, &[item.0], false)?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let related: Option<String> = c
        .prepare_cached("SELECT related FROM item_stories WHERE item_id = ?1")?
        .query_row([item.0], |r| r.get(0))
        .optional()?
        .flatten();
    let ids: Vec<ItemId> = related
        .iter()
        .flat_map(|r| r.split(','))
        .filter_map(|id| id.parse().ok().map(ItemId))
        .collect();
    let raw: Vec<i64> = ids.iter().map(|i| i.0).collect();
    let found = items_by_id(c, &raw, false)?;
    Ok(bulletin_store::still_related(&this, &ids, found, limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts_query_quotes_words() {
        let (q, forms) = fts_query("rail OR \"x\" -y*").expect("words");
        assert_eq!(forms.len(), 4);
        assert_eq!(forms[1][0], "or");
        assert!(q.starts_with("(\"rail\""), "{q}");
        assert!(!q.contains('*') && !q.contains('-'), "{q}");
        assert_eq!(q.matches(" AND ").count(), 3, "{q}");
        assert!(fts_query("  ** ").is_none());
    }

    /// A cached statement whose plan could look at its bound values (a
    /// `LIMIT ?`, a key carried into a joined table) is prepared again on
    /// every run on a plain connection, never on the store's; and the
    /// store's limits are literals.
    #[test]
    fn cached_statements_stay_prepared() {
        let runs = |c: &Connection, sql: &str| {
            for n in 1..=4_i64 {
                let mut st = c.prepare_cached(sql).unwrap();
                let mut rows = st.query([n]).unwrap();
                while rows.next().unwrap().is_some() {}
            }
            c.prepare_cached(sql)
                .unwrap()
                .get_status(rusqlite::StatementStatus::RePrepare)
        };
        let schema = "CREATE TABLE t (a INTEGER PRIMARY KEY, b INTEGER);
                      CREATE INDEX t_b ON t (b);
                      CREATE TABLE u (a INTEGER PRIMARY KEY, c TEXT);";
        let limited = concat!("SELECT a FROM t ORDER BY b LIMIT", " ?1");
        let joined = "SELECT t.a, u.c FROM t LEFT JOIN u ON u.a = t.a WHERE t.a = ?1";
        let plain = Connection::open_in_memory().unwrap();
        plain.execute_batch(schema).unwrap();
        assert!(runs(&plain, limited) >= 3);
        assert!(runs(&plain, joined) >= 3);
        let store = Connection::open_in_memory().unwrap();
        configure(&store).unwrap();
        store.execute_batch(schema).unwrap();
        assert_eq!(runs(&store, limited), 0);
        assert_eq!(runs(&store, joined), 0);
        for (file, source) in [
            ("lib.rs", include_str!("lib.rs")),
            ("claims.rs", include_str!("claims.rs")),
            ("reader.rs", include_str!("reader.rs")),
        ] {
            let bound = source
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .filter(|l| l.contains(concat!("LIMIT", " ?")))
                .count();
            assert_eq!(bound, 0, "{file} binds a LIMIT");
        }
    }
}
