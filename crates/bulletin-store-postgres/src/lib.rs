//! The PostgreSQL store: the same behaviour as SQLite, for installations
//! with several `bulletin` processes or millions of items.
//!
//! Hand-written SQL over `tokio-postgres` with a small connection pool;
//! migrations in `migrations/postgres/`, applied under an advisory lock so
//! processes starting together do not race; search by a `tsvector` column in
//! the item's language with a GIN index.

use bulletin_core::{ItemId, ItemKind, SourceId};
use bulletin_store::{
    ApiToken, Category, ChangeBatch, Claim, ClaimQuery, ClaimRecord, Cursor, Entity, ExportedItem,
    FetchOutcome, FilingBatch, FilingItem, FilingState, FilingStep, HubSubscription, Item, ItemKey,
    ItemOrder, ItemPage, ItemQuery, LeaseTaken, LogRow, LoginFailures, NewItem, NewSource, NewUser,
    Post, PostRevision, PostState, RANKED_MATCHES, ReaderItem, ReaderQuery, ReaderRef, Role, Scope,
    Session, Source, SourceRef, Store, StoreError, StoreResult, Story, StoryPage, StoryQuery,
    Subscription, SubscriptionEdit, UnreadCount, User, UserId, WebSubState, WebSubscription,
    change_batch, log_wants, newest_page, ranked_page, story_page,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures_util::future::BoxFuture;
use futures_util::stream::BoxStream;
use tokio_postgres::types::{Json, ToSql};
use tokio_postgres::{NoTls, Row};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_accounts.sql"),
    include_str!("../migrations/0003_posts.sql"),
    include_str!("../migrations/0004_search_plain_text.sql"),
    include_str!("../migrations/0005_search_table.sql"),
    include_str!("../migrations/0006_hardening.sql"),
    include_str!("../migrations/0007_stories.sql"),
    include_str!("../migrations/0008_filing.sql"),
    include_str!("../migrations/0009_story_index.sql"),
    include_str!("../migrations/0010_item_stories.sql"),
    include_str!("../migrations/0011_changes.sql"),
    include_str!("../migrations/0012_hub.sql"),
    include_str!("../migrations/0013_originals.sql"),
    include_str!("../migrations/0014_readers.sql"),
    include_str!("../migrations/0015_claims.sql"),
    include_str!("../migrations/0016_related_links.sql"),
];

mod claims;
mod reader;

/// The channel the change log's writers notify (`0011_changes.sql`).
const CHANGES_CHANNEL: &str = "bulletin_changes";
/// How long the change listener waits before connecting again after it
/// lost its connection; it also checks the log this often while connected
/// (a notification lost with a connection is then found late, not never).
const LISTEN_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

/// Connections kept open to the server.
const POOL_SIZE: usize = 16;
/// Any fixed number: the advisory lock held while migrating (with the
/// schema's hash as its second key).
const MIGRATION_LOCK: i32 = 0x6275_6c6c; // "bull"

/// The text search configurations a search is parsed with: the item's own
/// language is not known when the query is, so the query is tried in each
/// (see `bulletin_ts_config` in the migration) and in plain words.
const SEARCH_CONFIGS: &[&str] = &[
    "simple",
    "english",
    "french",
    "german",
    "spanish",
    "italian",
    "portuguese",
    "dutch",
    "swedish",
    "danish",
    "norwegian",
    "finnish",
    "russian",
    "hungarian",
    "romanian",
    "turkish",
];

bulletin_store::backend_error!();

impl From<tokio_postgres::Error> for Error {
    fn from(e: tokio_postgres::Error) -> Self {
        Error(match e.as_db_error() {
            Some(db) => StoreError::Database(format!("{}: {}", db.code().code(), db.message())),
            None => StoreError::Database(e.to_string()),
        })
    }
}

impl From<deadpool_postgres::PoolError> for Error {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        Error(StoreError::Database(format!(
            "no connection to PostgreSQL: {e}"
        )))
    }
}

/// Bulletin's store on a PostgreSQL server.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// For the change listener's own connection.
    config: tokio_postgres::Config,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), creating and
    /// migrating Bulletin's tables when needed.
    pub async fn connect(url: &str) -> StoreResult<PgStore> {
        let store = PgStore::open(url)?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating.
    fn open(url: &str) -> Result<PgStore> {
        let open_err = |reason: String| StoreError::Open {
            path: redact(url),
            reason,
        };
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e: tokio_postgres::Error| open_err(e.to_string()))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| open_err(e.to_string()))?;
        Ok(PgStore { pool, config })
    }

    /// Applies the migrations this build has and the database lacks.
    /// Returns how many were applied.
    pub async fn migrate(&self) -> StoreResult<usize> {
        Ok(self.apply_migrations().await?)
    }

    async fn apply_migrations(&self) -> Result<usize> {
        let mut client = self.pool.get().await?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS bulletin_migrations (
                    version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
            )
            .await?;
        let tx = client.transaction().await?;
        // One process migrates at a time; the others wait, then find
        // nothing left to do.
        // The lock is per database: the schema is part of its key, so
        // installations in other schemas of the same database go on.
        tx.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext(current_schema()))",
            &[&MIGRATION_LOCK],
        )
        .await?;
        let done: i32 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM bulletin_migrations",
                &[],
            )
            .await?
            .get(0);
        let mut applied = 0;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
            tx.batch_execute(sql).await.map_err(|e| {
                StoreError::Database(format!("migration {} failed: {}", i + 1, Error::from(e)))
            })?;
            tx.execute(
                "INSERT INTO bulletin_migrations (version) VALUES ($1)",
                &[&((i + 1) as i32)],
            )
            .await?;
            applied += 1;
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// Inserts items with their `created_at`, skipping those already
    /// stored, in one transaction.
    async fn insert_item_rows<'a>(
        &self,
        source: SourceId,
        rows: impl Iterator<Item = (&'a NewItem, DateTime<Utc>)>,
    ) -> Result<usize> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let stmt = tx
            .prepare_cached(
                "INSERT INTO items (source_id, guid, kind, url, canonical_url, title, summary,
                    published_at, modified_at, created_at, lang, site_name, authors, lead_image,
                    text, html, word_count, reading_time, related_links)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                    $16, $17, $18, $19)
                 ON CONFLICT DO NOTHING",
            )
            .await?;
        let mut added = 0;
        for (item, created_at) in rows {
            let authors = Json(&item.authors);
            let lead_image = item.lead_image.as_ref().map(Json);
            let related_links = Json(&item.related_links);
            let word_count = item.word_count.min(i32::MAX as usize) as i32;
            let reading_time = item.reading_time_minutes.min(i32::MAX as u32) as i32;
            added += tx
                .execute(
                    &stmt,
                    &[
                        &source.0,
                        &item.guid,
                        &item.kind.as_str(),
                        &item.url,
                        &item.canonical_url,
                        &item.title,
                        &item.summary,
                        &to_ms_precision(item.published_at),
                        &item.modified_at.map(to_ms_precision),
                        &to_ms_precision(created_at),
                        &item.lang,
                        &item.site_name,
                        &authors,
                        &lead_image,
                        &item.text,
                        &item.html,
                        &word_count,
                        &reading_time,
                        &related_links,
                    ],
                )
                .await? as usize;
        }
        tx.commit().await?;
        Ok(added)
    }

    async fn query(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query(&stmt, args).await?)
    }

    async fn query_opt(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query_opt(&stmt, args).await?)
    }

    async fn query_one(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Row> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query_one(&stmt, args).await?)
    }

    async fn execute(&self, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<u64> {
        let client = self.pool.get().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.execute(&stmt, args).await?)
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// Times are kept to the millisecond, as cursors carry them.
fn to_ms_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

const SOURCE_COLUMNS: &str = "s.id, s.url, s.site_url, s.title, s.kind, s.etag, s.last_modified,
    s.ttl_minutes, s.created_at, s.last_fetch_at, s.last_success_at, s.last_error, s.error_count,
    s.next_fetch_at, (SELECT COUNT(*) FROM items i WHERE i.source_id = s.id), s.category, s.paused_at,
    s.lease_owner, s.lease_until";
/// How many columns `SOURCE_COLUMNS` has.
const SOURCE_COLUMN_COUNT: usize = 19;

fn source_from_row(r: &Row) -> Result<Source> {
    Ok(Source {
        id: SourceId(r.try_get(0)?),
        url: r.try_get(1)?,
        site_url: r.try_get(2)?,
        title: r.try_get(3)?,
        kind: r.try_get(4)?,
        etag: r.try_get(5)?,
        last_modified: r.try_get(6)?,
        ttl_minutes: r.try_get::<_, Option<i32>>(7)?.map(|t| t.max(0) as u32),
        created_at: r.try_get(8)?,
        last_fetch_at: r.try_get(9)?,
        last_success_at: r.try_get(10)?,
        last_error: r.try_get(11)?,
        error_count: r.try_get::<_, i32>(12)?.max(0) as u32,
        next_fetch_at: r.try_get(13)?,
        item_count: r.try_get::<_, i64>(14)?.max(0) as u64,
        category: r.try_get(15)?,
        paused_at: r.try_get(16)?,
        lease_owner: r.try_get(17)?,
        lease_until: r.try_get(18)?,
    })
}

const ITEM_COLUMNS: &str = "i.id, i.kind, i.title, i.url, i.canonical_url, i.source_id,
    COALESCE(s.title, s.url), i.published_at, i.modified_at, i.summary, i.lang, i.site_name,
    i.word_count, i.reading_time, i.lead_image, i.authors, f.story_id, f.duplicate_of";

/// What `ITEM_COLUMNS` adds for an item's own page: its body and links.
const CONTENT_COLUMNS: &str = ", i.text, i.html, i.related_links";

/// The tables `ITEM_COLUMNS` reads: an item, its source, where it is filed.
const ITEM_FROM: &str = "items i JOIN sources s ON s.id = i.source_id
    LEFT JOIN item_stories f ON f.item_id = i.id";

fn item_from_row(r: &Row, with_content: bool) -> Result<Item> {
    let lead_image: Option<serde_json::Value> = r.try_get(14)?;
    let authors: serde_json::Value = r.try_get(15)?;
    Ok(Item {
        id: ItemId(r.try_get(0)?),
        kind: ItemKind::parse(r.try_get(1)?),
        title: r.try_get(2)?,
        url: r.try_get(3)?,
        canonical_url: r.try_get(4)?,
        source: SourceRef {
            id: SourceId(r.try_get(5)?),
            title: r.try_get(6)?,
        },
        published_at: r.try_get(7)?,
        modified_at: r.try_get(8)?,
        summary: r.try_get(9)?,
        lang: r.try_get(10)?,
        site_name: r.try_get(11)?,
        word_count: r.try_get::<_, i32>(12)?.max(0) as usize,
        reading_time_minutes: r.try_get::<_, i32>(13)?.max(0) as u32,
        lead_image: lead_image.and_then(|j| serde_json::from_value(j).ok()),
        authors: serde_json::from_value(authors).unwrap_or_default(),
        story_id: r.try_get(16)?,
        duplicate_of: r.try_get::<_, Option<i64>>(17)?.map(ItemId),
        duplicates: Vec::new(),
        text: if with_content { r.try_get(18)? } else { None },
        html: if with_content { r.try_get(19)? } else { None },
        related_links: if with_content {
            serde_json::from_value(r.try_get::<_, serde_json::Value>(20)?).unwrap_or_default()
        } else {
            Vec::new()
        },
        snippet: None,
    })
}

const STORY_COLUMNS: &str =
    "id, title, representative, first_at, latest_at, size, sources, lead_image";

fn story_from_row(r: &Row) -> Result<Story> {
    Ok(Story {
        id: r.try_get(0)?,
        title: r.try_get(1)?,
        representative: r.try_get::<_, Option<i64>>(2)?.map(ItemId),
        first_at: r.try_get(3)?,
        latest_at: r.try_get(4)?,
        size: r.try_get::<_, i32>(5)?.max(0) as u32,
        sources: r.try_get::<_, i32>(6)?.max(0) as u32,
        lead_image: r
            .try_get::<_, Option<serde_json::Value>>(7)?
            .and_then(|j| serde_json::from_value(j).ok()),
    })
}

/// What filing reads of an item (see `filing_item_from_row`).
const FILING_COLUMNS: &str = "i.id, i.source_id, i.title, i.url, i.published_at,
    COALESCE(i.text, ''), f.story_id, f.duplicate_of, i.lang";

fn filing_item_from_row(r: &Row) -> Result<FilingItem> {
    Ok(FilingItem {
        id: ItemId(r.try_get(0)?),
        source: SourceId(r.try_get(1)?),
        title: r.try_get(2)?,
        url: r.try_get(3)?,
        published_at: r.try_get(4)?,
        text: r.try_get(5)?,
        story_id: r.try_get(6)?,
        duplicate_of: r.try_get::<_, Option<i64>>(7)?.map(ItemId),
        lang: r.try_get(8)?,
    })
}

/// Holds one connection that `LISTEN`s on the change log's channel and
/// sends a notice for each notification and after each (re)connection.
/// It also sends one every `LISTEN_RETRY` whatever happens, so that a
/// notification lost with a connection is found late, not never, and the
/// log is still read while the listener cannot connect. Ends when the
/// notices' receiver is dropped.
async fn listen_for_changes(
    config: tokio_postgres::Config,
    notices: tokio::sync::mpsc::Sender<()>,
) {
    use futures_util::StreamExt;
    // A full channel already holds a notice: that is enough.
    let notify = || notices.try_send(()).is_ok() || !notices.is_closed();
    loop {
        if let Ok((client, mut connection)) = config.connect(NoTls).await {
            let (found, mut messages) = tokio::sync::mpsc::unbounded_channel();
            let driver = tokio::spawn(async move {
                let mut stream =
                    futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                while let Some(Ok(message)) = stream.next().await {
                    if let tokio_postgres::AsyncMessage::Notification(_) = message
                        && found.send(()).is_err()
                    {
                        break;
                    }
                }
            });
            if client
                .batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))
                .await
                .is_ok()
            {
                // Whatever was written while nobody listened.
                if !notify() {
                    driver.abort();
                    return;
                }
                loop {
                    let woke = tokio::time::timeout(LISTEN_RETRY, messages.recv()).await;
                    if !notify() {
                        driver.abort();
                        return;
                    }
                    if matches!(woke, Ok(None)) {
                        break; // the connection ended
                    }
                }
            }
            driver.abort();
        }
        tokio::time::sleep(LISTEN_RETRY).await;
        if !notify() {
            return;
        }
    }
}

/// One item filed by `apply_filing`.
struct FiledItem {
    item: i64,
    story: i64,
    duplicate_of: Option<i64>,
    published_at: DateTime<Utc>,
    source: i64,
    related: Vec<i64>,
}

/// Files a run of items in a few statements. A story's numbers are kept
/// up to date from the run alone (at a cost that does not grow with the
/// story); stories whose items moved go to `recount`, and those whose
/// headline, representative or picture may change go to `changed`.
async fn file_run(
    tx: &deadpool_postgres::Transaction<'_>,
    run: &mut Vec<FiledItem>,
    recount: &mut std::collections::BTreeSet<i64>,
    changed: &mut std::collections::BTreeSet<i64>,
) -> Result<()> {
    if run.is_empty() {
        return Ok(());
    }
    let items: Vec<i64> = run.iter().map(|r| r.item).collect();
    let stories: Vec<i64> = run.iter().map(|r| r.story).collect();
    tx.execute(
        "INSERT INTO stories (id) SELECT DISTINCT unnest($1::bigint[]) ON CONFLICT (id) DO NOTHING",
        &[&stories],
    )
    .await?;
    // Items filed before (a rebuild's or a move's): their stories are
    // counted again.
    let mut moved = std::collections::HashSet::new();
    for r in tx
        .query(
            "SELECT item_id, story_id FROM item_stories WHERE item_id = ANY($1)",
            &[&items],
        )
        .await?
    {
        let (item, old): (i64, i64) = (r.try_get(0)?, r.try_get(1)?);
        moved.insert(item);
        recount.insert(old);
        changed.insert(old);
    }
    let fresh: Vec<&FiledItem> = run.iter().filter(|r| !moved.contains(&r.item)).collect();
    for r in run.iter().filter(|r| moved.contains(&r.item)) {
        recount.insert(r.story);
    }
    let fresh_stories: Vec<i64> = fresh.iter().map(|r| r.story).collect();
    let fresh_sources: Vec<i64> = fresh.iter().map(|r| r.source).collect();
    let fresh_times: Vec<DateTime<Utc>> = fresh.iter().map(|r| r.published_at).collect();
    // A story without a headline or a picture, or getting an item earlier
    // than its first, may change face.
    for r in tx
        .query(
            "SELECT s.id FROM stories s
             JOIN (SELECT story, MIN(at) AS first FROM unnest($1::bigint[], $2::timestamptz[]) AS r(story, at)
                   GROUP BY story) a ON a.story = s.id
             WHERE s.size = 0 OR s.representative IS NULL OR s.title IS NULL
                OR s.lead_image IS NULL OR a.first <= s.first_at",
            &[&fresh_stories, &fresh_times],
        )
        .await?
    {
        changed.insert(r.try_get(0)?);
    }
    // Before the rows are written: a source counts when no item of the
    // story has it yet.
    tx.execute(
        "UPDATE stories s SET size = s.size + a.n, sources = s.sources + a.new_sources,
            first_at = CASE WHEN s.size = 0 THEN a.first ELSE LEAST(s.first_at, a.first) END,
            latest_at = CASE WHEN s.size = 0 THEN a.latest ELSE GREATEST(s.latest_at, a.latest) END
         FROM (SELECT story, COUNT(*)::int AS n, MIN(at) AS first, MAX(at) AS latest,
                      (COUNT(DISTINCT source) FILTER (WHERE NOT EXISTS
                          (SELECT 1 FROM item_stories f WHERE f.story_id = r.story AND f.source_id = r.source)))::int
                          AS new_sources
               FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) AS r(story, source, at)
               GROUP BY story) a
         WHERE s.id = a.story",
        &[&fresh_stories, &fresh_sources, &fresh_times],
    )
    .await?;
    let duplicates: Vec<Option<i64>> = run.iter().map(|r| r.duplicate_of).collect();
    let times: Vec<DateTime<Utc>> = run.iter().map(|r| r.published_at).collect();
    let sources: Vec<i64> = run.iter().map(|r| r.source).collect();
    let related: Vec<String> = run.iter().map(|r| related_text(&r.related)).collect();
    tx.execute(
        "INSERT INTO item_stories (item_id, story_id, duplicate_of, published_at, source_id, related)
         SELECT f.item, f.story, f.duplicate_of, f.at, f.source,
                CASE WHEN f.related = '' THEN NULL ELSE string_to_array(f.related, ',')::bigint[] END
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::bigint[], $6::text[])
              AS f(item, story, duplicate_of, at, source, related)
         ON CONFLICT (item_id) DO UPDATE
            SET story_id = excluded.story_id, duplicate_of = excluded.duplicate_of,
                related = excluded.related",
        &[&items, &stories, &duplicates, &times, &sources, &related],
    )
    .await?;
    tx.execute(
        "DELETE FROM unfiled u USING unnest($1::timestamptz[], $2::bigint[]) AS f(at, item)
         WHERE u.published_at = f.at AND u.item_id = f.item",
        &[&times, &items],
    )
    .await?;
    run.clear();
    Ok(())
}

/// Related item ids as sent: arrays of arrays must be rectangular, so each
/// item's list travels as text ("1,2,3", empty for none).
fn related_text(related: &[i64]) -> String {
    related
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// After items (id, story) were removed: nothing is a duplicate of them
/// any more, and their stories are updated (removed when empty).
async fn after_items_removed(
    tx: &deadpool_postgres::Transaction<'_>,
    gone: &[(i64, Option<i64>)],
) -> Result<()> {
    let ids: Vec<i64> = gone.iter().map(|(id, _)| *id).collect();
    let mut stories: Vec<i64> = gone.iter().filter_map(|(_, s)| *s).collect();
    stories.sort_unstable();
    stories.dedup();
    tx.execute(
        "UPDATE item_stories SET duplicate_of = NULL WHERE duplicate_of = ANY($1)",
        &[&ids],
    )
    .await?;
    for story in &stories {
        tx.execute(REFRESH_STORY_NUMBERS, &[story]).await?;
        tx.execute(REFRESH_STORY_FACE, &[story]).await?;
    }
    tx.execute(
        "DELETE FROM stories WHERE id = ANY($1) AND size = 0",
        &[&stories],
    )
    .await?;
    Ok(())
}

/// Sets a story's times, size and source count from its items.
const REFRESH_STORY_NUMBERS: &str = "UPDATE stories SET
        size = agg.size, sources = agg.sources,
        first_at = COALESCE(agg.first_at, 'epoch'), latest_at = COALESCE(agg.latest_at, 'epoch')
    FROM (SELECT COUNT(*)::int AS size, COUNT(DISTINCT source_id)::int AS sources,
                 MIN(published_at) AS first_at, MAX(published_at) AS latest_at
          FROM item_stories WHERE story_id = $1) agg
    WHERE stories.id = $1";

/// Sets a story's representative (its first item with a headline, else its
/// first: an update's words stand for a headline), headline and picture
/// (the first among its first 20 items': not a walk of every row of a long
/// story without pictures).
const REFRESH_STORY_FACE: &str = "UPDATE stories SET representative = rep.id, title = rep.title,
        lead_image = (SELECT i.lead_image FROM
            (SELECT item_id, published_at FROM item_stories WHERE story_id = $1
             ORDER BY published_at, item_id LIMIT 20) first
            JOIN items i ON i.id = first.item_id
            WHERE i.lead_image IS NOT NULL ORDER BY first.published_at, first.item_id LIMIT 1)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT id, COALESCE(title, summary) AS title FROM items
                       WHERE id = COALESCE(
                           (SELECT f.item_id FROM item_stories f JOIN items i ON i.id = f.item_id
                            WHERE f.story_id = $1 AND i.title IS NOT NULL
                            ORDER BY f.published_at, f.item_id LIMIT 1),
                           (SELECT item_id FROM item_stories WHERE story_id = $1
                            ORDER BY published_at, item_id LIMIT 1))
                      ) rep ON TRUE
    WHERE stories.id = $1";

const USER_COLUMNS: &str = "u.id, u.name, u.role, u.password_hash, u.display_name, u.title, u.bio, u.avatar_url, u.created_at, u.disabled_at IS NOT NULL, u.app_password_hash";

/// A user from `USER_COLUMNS` starting at column `at`.
fn user_from_row(r: &Row, at: usize) -> Result<User> {
    Ok(User {
        id: UserId(r.try_get(at)?),
        name: r.try_get(at + 1)?,
        role: Role::parse(r.try_get(at + 2)?).unwrap_or(Role::Reader),
        password_hash: r.try_get(at + 3)?,
        display_name: r.try_get(at + 4)?,
        title: r.try_get(at + 5)?,
        bio: r.try_get(at + 6)?,
        avatar_url: r.try_get(at + 7)?,
        created_at: r.try_get(at + 8)?,
        disabled: r.try_get(at + 9)?,
        app_password_hash: r.try_get(at + 10)?,
    })
}

const POST_COLUMNS: &str = "id, author_id, kind, headline, markdown, image_url, image_caption,
    image_credit, state, publish_at, item_id, created_at, updated_at";

fn post_from_row(r: &Row) -> Result<Post> {
    Ok(Post {
        id: r.try_get(0)?,
        author: UserId(r.try_get(1)?),
        kind: ItemKind::parse(r.try_get(2)?),
        headline: r.try_get(3)?,
        markdown: r.try_get(4)?,
        image_url: r.try_get(5)?,
        image_caption: r.try_get(6)?,
        image_credit: r.try_get(7)?,
        state: PostState::parse(r.try_get(8)?).unwrap_or(PostState::Draft),
        publish_at: r.try_get(9)?,
        item: r.try_get::<_, Option<i64>>(10)?.map(ItemId),
        created_at: r.try_get(11)?,
        updated_at: r.try_get(12)?,
    })
}

const WEBSUB_COLUMNS: &str = "source_id, hub, topic, secret, callback_token, state, requested_at,
    lease_expires_at, last_error, last_push_at";

fn websub_from_row(r: &Row) -> Result<WebSubscription> {
    Ok(WebSubscription {
        source: SourceId(r.try_get(0)?),
        hub: r.try_get(1)?,
        topic: r.try_get(2)?,
        secret: r.try_get(3)?,
        callback_token: r.try_get(4)?,
        state: WebSubState::parse(r.try_get(5)?).unwrap_or(WebSubState::Failed),
        requested_at: r.try_get(6)?,
        lease_expires_at: r.try_get(7)?,
        last_error: r.try_get(8)?,
        last_push_at: r.try_get(9)?,
    })
}

/// A user's search as words: no query syntax can reach the parser.
fn search_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// Every word's lexemes in every configuration (`SEARCH_CONFIGS`), one
/// array per word that has any, in the query's order.
const LEXEMES_SQL: &str = "SELECT w.n, array_agg(DISTINCT l)
     FROM unnest($1::text[]) WITH ORDINALITY AS w(word, n),
          unnest($2::text[]::regconfig[]) AS c(config),
          unnest(tsvector_to_array(to_tsvector(c.config, w.word))) AS l
     GROUP BY w.n ORDER BY w.n";

/// A `tsquery` text: each word must match, in any of its lexemes.
fn tsquery_text(words: &[Vec<String>]) -> String {
    words
        .iter()
        .map(|lexemes| {
            let any: Vec<String> = lexemes
                .iter()
                .map(|l| format!("'{}'", l.replace('\\', "\\\\").replace('\'', "''")))
                .collect();
            format!("({})", any.join(" | "))
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// A listing's conditions: before a cursor, in a source, by an author.
struct Filters<'a> {
    after: &'a Option<(DateTime<Utc>, i64)>,
    source: &'a Option<i64>,
    author: &'a Option<String>,
}

impl<'a> Filters<'a> {
    /// Appends the conditions on a table's (date, id, source) columns to
    /// `sql`, and their values to `args`.
    fn push(
        &self,
        sql: &mut String,
        args: &mut Vec<&'a (dyn ToSql + Sync)>,
        (date, id, source): (&str, &str, &str),
    ) {
        if let Some((at, after_id)) = self.after {
            args.push(at);
            args.push(after_id);
            let n = args.len();
            sql.push_str(&format!(" AND ({date}, {id}) < (${}, ${n})", n - 1));
        }
        if let Some(src) = self.source {
            args.push(src);
            sql.push_str(&format!(" AND {source} = ${}", args.len()));
        }
        if let Some(author) = self.author {
            args.push(author);
            sql.push_str(&format!(
                " AND {id} IN (SELECT item_id FROM item_authors WHERE lower(name) = lower(${}))",
                args.len()
            ));
        }
    }
}

/// A keyset cursor as the query's arguments.
fn keyset_after(after: Option<Cursor>) -> Result<Option<(DateTime<Utc>, i64)>> {
    after
        .map(|c| {
            DateTime::from_timestamp_millis(c.published_at_ms)
                .map(|at| (at, c.id))
                .ok_or(Error(StoreError::InvalidCursor))
        })
        .transpose()
}

/// The longest walk of the newest-first index a search by relevance takes
/// to find its newest matches (see `PgStore::walk_expected`).
const WALK_AT_MOST: f64 = 20_000.0;

impl PgStore {
    /// A page of originals (items that repeat no other), newest first: the
    /// newest ids from the index of filed originals and from the unfiled
    /// queue (items not yet known to be copies), then their rows. The cost
    /// does not depend on how many copies are newer than the page.
    async fn originals(&self, query: ItemQuery, limit: usize) -> Result<ItemPage> {
        let (at, id) = keyset_after(query.start()?.0)?.unwrap_or((
            DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default(),
            i64::MAX,
        ));
        let fetch = (limit + 1) as i64;
        let ids: Vec<i64> = self
            .query(
                "SELECT id FROM (
                    (SELECT published_at, item_id AS id FROM item_stories
                     WHERE duplicate_of IS NULL AND (published_at, item_id) < ($1, $2)
                     ORDER BY published_at DESC, item_id DESC LIMIT $3)
                    UNION ALL
                    (SELECT published_at, item_id FROM unfiled
                     WHERE (published_at, item_id) < ($1, $2)
                     ORDER BY published_at DESC, item_id DESC LIMIT $3)) o
                 ORDER BY published_at DESC, id DESC LIMIT $3",
                &[&at, &id, &fetch],
            )
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut items = self.results(&ids, &[], query.include_content).await?;
        for item in &mut items {
            item.snippet = None;
        }
        items.sort_by_key(|i| std::cmp::Reverse((i.published_at, i.id)));
        bulletin_store::with_duplicates(self, &mut items, Some(bulletin_store::COPIES_LISTED))
            .await?;
        Ok(newest_page(items, limit))
    }

    /// How many entries of the newest-first index a walk would pass before
    /// finding `RANKED_MATCHES` of `matches` (its arguments in `args`), from
    /// the planner's estimate of the matches: they spread like the items.
    async fn walk_expected(
        &self,
        matches: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<f64>> {
        let plan = self
            .query(&format!("EXPLAIN (FORMAT JSON) {matches}"), args)
            .await?;
        let estimate = plan
            .first()
            .map(|r| r.try_get::<_, serde_json::Value>(0))
            .transpose()?
            .and_then(|v| v[0]["Plan"]["Plan Rows"].as_f64());
        let total = self
            .query(
                "SELECT reltuples::float8 FROM pg_class WHERE oid = 'item_search'::regclass",
                &[],
            )
            .await?
            .first()
            .map(|r| r.try_get::<_, f64>(0))
            .transpose()?;
        Ok(match (estimate, total) {
            (Some(found), Some(total)) if found >= 1.0 && total > 0.0 => {
                Some(RANKED_MATCHES as f64 * total / found)
            }
            _ => None,
        })
    }

    /// A page of search results. The matches are found and ordered in the
    /// narrow `item_search` table (ids only); the page's rows are read from
    /// `items` afterwards, with the text their snippets are cut from.
    async fn search(&self, query: ItemQuery) -> Result<ItemPage> {
        let limit = query.page_size();
        let (after, skip) = query.start()?;
        let forms = self
            .search_forms(query.search.as_deref().unwrap_or_default())
            .await?;
        if forms.is_empty() {
            return Ok(ItemPage {
                items: Vec::new(),
                next_cursor: None,
            });
        }
        let ids = self
            .matching_ids(&query, &forms, after, skip, limit)
            .await?;
        let mut items = self.results(&ids, &forms, query.include_content).await?;
        bulletin_store::with_duplicates(self, &mut items, Some(bulletin_store::COPIES_LISTED))
            .await
            .map_err(Error::from)?;
        Ok(match query.order {
            ItemOrder::Newest => newest_page(items, limit),
            ItemOrder::Relevance => ranked_page(items, limit, skip),
        })
    }

    /// Each searched word in the lexemes of every language's stemming, once
    /// per distinct form (a query parsed in sixteen configurations and
    /// OR-ed made the index evaluate each).
    async fn search_forms(&self, q: &str) -> Result<Vec<Vec<String>>> {
        let words = search_words(q);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let configs: Vec<&str> = SEARCH_CONFIGS.to_vec();
        Ok(self
            .query(LEXEMES_SQL, &[&words, &configs])
            .await?
            .iter()
            .map(|r| r.try_get::<_, Vec<String>>(1))
            .collect::<Result<_, _>>()?)
    }

    /// The ids of one page of matches, in the query's order: newest first
    /// after the cursor, or the `RANKED_MATCHES` newest ranked best first,
    /// `skip` of them skipped.
    async fn matching_ids(
        &self,
        query: &ItemQuery,
        forms: &[Vec<String>],
        after: Option<Cursor>,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<i64>> {
        let tsquery = tsquery_text(forms);
        let after = match query.order {
            ItemOrder::Newest => keyset_after(after)?,
            ItemOrder::Relevance => None,
        };
        let author = query.author.as_deref().map(|a| a.trim().to_string());
        let source = query.source.map(|s| s.0);
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&tsquery];
        let mut matches = String::from(
            "SELECT m.item_id, m.published_at, m.words FROM item_search m
             WHERE m.words @@ $1::text::tsquery",
        );
        let filters = Filters {
            after: &after,
            source: &source,
            author: &author,
        };
        filters.push(
            &mut matches,
            &mut args,
            ("m.published_at", "m.item_id", "m.source_id"),
        );
        let fetch = (limit + 1) as i64;
        let ranked = RANKED_MATCHES as i64;
        let skip_rows = skip.min(RANKED_MATCHES) as i64;
        let sql = match query.order {
            ItemOrder::Newest => {
                args.push(&fetch);
                format!(
                    "{matches} ORDER BY m.published_at DESC, m.item_id DESC LIMIT ${}",
                    args.len()
                )
            }
            ItemOrder::Relevance => {
                let newest = self.newest_order(&matches, &args).await?;
                args.push(&ranked);
                args.push(&skip_rows);
                args.push(&fetch);
                // ts_rank_cd: how often and how close together the words
                // occur, weighted headline > summary > body, against the
                // text's length (normalization 1: 1 + log(length)).
                format!(
                    "SELECT c.item_id FROM ({matches}
                         ORDER BY {newest} LIMIT ${}) c
                     ORDER BY ts_rank_cd(c.words, $1::text::tsquery, 1) DESC,
                              c.published_at DESC, c.item_id DESC
                     OFFSET ${} LIMIT ${}",
                    args.len() - 2,
                    args.len() - 1,
                    args.len()
                )
            }
        };
        Ok(self
            .query(&sql, &args)
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?)
    }

    /// How to take the newest matches to rank. Those of a word found in
    /// many items are found by walking the newest-first index; of a rarer
    /// one, by the word index and a sort. The choice is made here from the
    /// planner's own estimate: its cost model takes a walk to be cheap
    /// however long, and for a rare word it walks a tenth of the table (a
    /// second instead of 40 ms).
    async fn newest_order(
        &self,
        matches: &str,
        args: &[&(dyn ToSql + Sync)],
    ) -> Result<&'static str> {
        let walk = self
            .walk_expected(matches, args)
            .await?
            .is_some_and(|rows| rows <= WALK_AT_MOST);
        Ok(if walk {
            "m.published_at DESC, m.item_id DESC"
        } else {
            "m.published_at + interval '0 seconds' DESC, m.item_id DESC"
        })
    }

    /// The items with these ids, in this order (an item removed in between
    /// is left out), each with its snippet.
    async fn results(
        &self,
        ids: &[i64],
        forms: &[Vec<String>],
        include_content: bool,
    ) -> Result<Vec<Item>> {
        let mut sql = format!("SELECT {ITEM_COLUMNS}");
        if include_content {
            sql.push_str(CONTENT_COLUMNS);
        }
        sql.push_str(
            ", i.text AS snippet_text
             FROM items i JOIN sources s ON s.id = i.source_id
             LEFT JOIN item_stories f ON f.item_id = i.id WHERE i.id = ANY($1)",
        );
        let rows = self.query(&sql, &[&ids]).await?;
        let mut by_id = std::collections::HashMap::with_capacity(rows.len());
        for r in &rows {
            let mut item = item_from_row(r, include_content)?;
            // Cut in Rust from the words' own forms: cheaper than
            // ts_headline, which parsed each text again.
            let body: String = r.try_get("snippet_text")?;
            item.snippet = bulletin_store::result_snippet(&item, &body, forms);
            by_id.insert(item.id.0, item);
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }
}

impl Store for PgStore {
    fn ping(&self) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.query("SELECT 1", &[]).await?;
            Ok(())
        })
    }

    fn add_source(&self, source: NewSource) -> BoxFuture<'_, StoreResult<SourceId>> {
        boxed(async move {
            let inserted = self
                .query_opt(
                    "INSERT INTO sources (url, site_url, title, kind, category, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (url) DO NOTHING RETURNING id",
                    &[
                        &source.url,
                        &source.site_url,
                        &source.title,
                        &source.kind,
                        &source.category,
                        &to_ms_precision(Utc::now()),
                    ],
                )
                .await?;
            if let Some(row) = inserted {
                return Ok(SourceId(row.try_get(0)?));
            }
            let existing = self
                .query_opt("SELECT id FROM sources WHERE url = $1", &[&source.url])
                .await?
                .ok_or_else(|| StoreError::Database("the source vanished while added".into()))?;
            Err(Error::from(StoreError::DuplicateSource(SourceId(
                existing.try_get(0)?,
            ))))
        })
    }

    fn sources(&self) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(async move {
            let sql = format!("SELECT {SOURCE_COLUMNS} FROM sources s ORDER BY s.id");
            self.query(&sql, &[])
                .await?
                .iter()
                .map(source_from_row)
                .collect()
        })
    }

    fn source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<Option<Source>>> {
        boxed(async move {
            let sql = format!("SELECT {SOURCE_COLUMNS} FROM sources s WHERE s.id = $1");
            self.query_opt(&sql, &[&id.0])
                .await?
                .as_ref()
                .map(source_from_row)
                .transpose()
        })
    }

    fn remove_source(&self, id: SourceId) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let gone: Vec<(i64, Option<i64>)> = tx
                .query(
                    "SELECT i.id, f.story_id FROM items i LEFT JOIN item_stories f ON f.item_id = i.id
                     WHERE i.source_id = $1",
                    &[&id.0],
                )
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
            // Items, author rows and the subscription go with it (cascade).
            let n = tx
                .execute("DELETE FROM sources WHERE id = $1", &[&id.0])
                .await?;
            after_items_removed(&tx, &gone).await?;
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    fn set_source_paused(&self, id: SourceId, paused: bool) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let now = to_ms_precision(Utc::now());
            let n = if paused {
                self.execute(
                    "UPDATE sources SET paused_at = COALESCE(paused_at, $2) WHERE id = $1",
                    &[&id.0, &now],
                )
                .await?
            } else {
                self.execute(
                    "UPDATE sources SET paused_at = NULL, next_fetch_at = $2 WHERE id = $1",
                    &[&id.0, &now],
                )
                .await?
            };
            Ok(n > 0)
        })
    }

    fn due_sources(
        &self,
        now: DateTime<Utc>,
        all: bool,
    ) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(async move {
            let sql = format!(
                "SELECT {SOURCE_COLUMNS} FROM sources s
                 WHERE s.kind IS DISTINCT FROM 'newsroom'
                   AND ($1 OR (s.next_fetch_at <= $2 AND s.paused_at IS NULL))
                 ORDER BY s.next_fetch_at, s.id"
            );
            self.query(&sql, &[&all, &now])
                .await?
                .iter()
                .map(source_from_row)
                .collect()
        })
    }

    fn claim_sources(&self, claim: Claim) -> BoxFuture<'_, StoreResult<Vec<Source>>> {
        boxed(async move {
            // Rows another worker is claiming right now are skipped, not
            // waited for; a lease still running keeps a source out.
            // Due sources in due order (the `sources_due` index); a pass
            // over all reads on by id.
            let which = match claim.all_since {
                None => {
                    "SELECT id FROM sources
                     WHERE next_fetch_at <= $3 AND paused_at IS NULL
                       AND (lease_until IS NULL OR lease_until <= $3)
                       AND kind IS DISTINCT FROM 'newsroom'
                     ORDER BY next_fetch_at, id LIMIT $4
                     FOR UPDATE SKIP LOCKED"
                }
                Some(_) => {
                    "SELECT id FROM sources
                     WHERE id > $5 AND (last_fetch_at IS NULL OR last_fetch_at < $6)
                       AND (lease_until IS NULL OR lease_until <= $3)
                       AND kind IS DISTINCT FROM 'newsroom'
                     ORDER BY id LIMIT $4
                     FOR UPDATE SKIP LOCKED"
                }
            };
            // The item count is not needed to fetch (and costs a count).
            let columns = SOURCE_COLUMNS.replace(
                "(SELECT COUNT(*) FROM items i WHERE i.source_id = s.id)",
                "0::bigint",
            );
            let sql = format!(
                "WITH claimed AS ({which})
                 UPDATE sources s SET lease_owner = $1, lease_until = $2
                 FROM claimed WHERE s.id = claimed.id
                 RETURNING {columns}"
            );
            let limit = claim.limit.min(i64::MAX as usize) as i64;
            let until = to_ms_precision(claim.lease_until);
            let since = claim.all_since.map(to_ms_precision);
            let rows = match &since {
                None => {
                    self.query(&sql, &[&claim.worker, &until, &claim.now, &limit])
                        .await?
                }
                Some(since) => {
                    self.query(
                        &sql,
                        &[
                            &claim.worker,
                            &until,
                            &claim.now,
                            &limit,
                            &claim.all_after.0,
                            since,
                        ],
                    )
                    .await?
                }
            };
            let mut sources = rows
                .iter()
                .map(source_from_row)
                .collect::<Result<Vec<_>>>()?;
            sources.sort_by_key(|s| (s.next_fetch_at, s.id.0));
            Ok(sources)
        })
    }

    fn record_fetch(&self, id: SourceId, outcome: FetchOutcome) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
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
                    let ttl = ttl_minutes.map(|t| t.min(i32::MAX as u32) as i32);
                    let mut client = self.pool.get().await?;
                    let tx = client.transaction().await?;
                    tx.execute(
                        "UPDATE sources SET title = COALESCE($2, title),
                            site_url = COALESCE($3, site_url), kind = COALESCE($4, kind),
                            etag = $5, last_modified = $6, ttl_minutes = $7,
                            last_fetch_at = $8, last_success_at = $8, last_error = $9,
                            error_count = 0, next_fetch_at = $10, paused_at = NULL,
                            moved_seen = CASE WHEN $11::text IS NULL THEN 0
                                              WHEN moved_to = $11 THEN moved_seen + 1 ELSE 1 END,
                            moved_to = $11, lease_owner = NULL, lease_until = NULL
                         WHERE id = $1",
                        &[
                            &id.0,
                            &title,
                            &site_url,
                            &kind,
                            &etag,
                            &last_modified,
                            &ttl,
                            &to_ms_precision(at),
                            &warning,
                            &to_ms_precision(next_fetch_at),
                            &moved_to,
                        ],
                    )
                    .await?;
                    // Moved for good: three fetches in a row said so, and no
                    // other source already follows the new address.
                    tx.execute(
                        "UPDATE sources SET url = moved_to, moved_to = NULL, moved_seen = 0
                         WHERE id = $1 AND moved_seen >= $2
                           AND NOT EXISTS (SELECT 1 FROM sources o WHERE o.url = sources.moved_to)",
                        &[&id.0, &i32::try_from(move_after).unwrap_or(i32::MAX)],
                    )
                    .await?;
                    tx.commit().await?;
                }
                FetchOutcome::Failure {
                    at,
                    error,
                    next_fetch_at,
                    pause,
                } => {
                    self.execute(
                        "UPDATE sources SET last_fetch_at = $2, last_error = $3,
                            error_count = error_count + 1, next_fetch_at = $4,
                            paused_at = CASE WHEN $5 THEN COALESCE(paused_at, $2) ELSE NULL END,
                            lease_owner = NULL, lease_until = NULL
                         WHERE id = $1",
                        &[
                            &id.0,
                            &to_ms_precision(at),
                            &error,
                            &to_ms_precision(next_fetch_at),
                            &pause,
                        ],
                    )
                    .await?;
                }
            }
            Ok(())
        })
    }

    fn known_items(
        &self,
        source: SourceId,
        keys: Vec<ItemKey>,
    ) -> BoxFuture<'_, StoreResult<Vec<bool>>> {
        boxed(async move {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            // One round trip for the whole feed: which GUIDs and URLs exist.
            let guids: Vec<Option<&str>> = keys.iter().map(|k| k.guid.as_deref()).collect();
            let urls: Vec<Option<&str>> = keys.iter().map(|k| k.canonical_url.as_deref()).collect();
            let rows = self
                .query(
                    "SELECT k.n,
                        EXISTS (SELECT 1 FROM items i WHERE i.source_id = $1 AND i.guid = k.guid)
                        OR EXISTS (SELECT 1 FROM items i WHERE i.canonical_url = k.url)
                        OR EXISTS (SELECT 1 FROM pruned_items p
                                   WHERE p.source_id = $1 AND p.guid = k.guid)
                        OR EXISTS (SELECT 1 FROM pruned_items p WHERE p.canonical_url = k.url)
                     FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS k(guid, url, n)
                     ORDER BY k.n",
                    &[&source.0, &guids, &urls],
                )
                .await?;
            rows.iter().map(|r| Ok(r.try_get::<_, bool>(1)?)).collect()
        })
    }

    fn items_at_urls(&self, urls: Vec<String>) -> BoxFuture<'_, StoreResult<Vec<Option<ItemId>>>> {
        boxed(async move {
            if urls.is_empty() {
                return Ok(Vec::new());
            }
            let rows = self
                .query(
                    "SELECT (SELECT min(i.id) FROM items i WHERE i.canonical_url = k.url)
                     FROM unnest($1::text[]) WITH ORDINALITY AS k(url, n)
                     ORDER BY k.n",
                    &[&urls],
                )
                .await?;
            rows.iter()
                .map(|r| Ok(r.try_get::<_, Option<i64>>(0)?.map(ItemId)))
                .collect()
        })
    }

    fn insert_items(
        &self,
        source: SourceId,
        items: Vec<NewItem>,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(async move {
            let now = Utc::now();
            self.insert_item_rows(source, items.iter().map(|i| (i, now)))
                .await
        })
    }

    fn restore_items(
        &self,
        source: SourceId,
        items: Vec<ExportedItem>,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(async move {
            self.insert_item_rows(source, items.iter().map(|e| (&e.item, e.created_at)))
                .await
        })
    }

    fn export_items(
        &self,
        after: ItemId,
        limit: usize,
    ) -> BoxFuture<'_, StoreResult<Vec<ExportedItem>>> {
        boxed(async move {
            let limit = limit.min(100_000) as i64;
            let rows = self
                .query(
                    "SELECT id, source_id, created_at, guid, kind, url, canonical_url, title,
                        summary, published_at, modified_at, lang, site_name, authors, lead_image,
                        text, html, word_count, reading_time, related_links
                     FROM items WHERE id > $1 ORDER BY id LIMIT $2",
                    &[&after.0, &limit],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    let authors: serde_json::Value = r.try_get(13)?;
                    let lead_image: Option<serde_json::Value> = r.try_get(14)?;
                    Ok(ExportedItem {
                        id: ItemId(r.try_get(0)?),
                        source: SourceId(r.try_get(1)?),
                        created_at: r.try_get(2)?,
                        item: NewItem {
                            guid: r.try_get(3)?,
                            kind: ItemKind::parse(r.try_get(4)?),
                            url: r.try_get(5)?,
                            canonical_url: r.try_get(6)?,
                            title: r.try_get(7)?,
                            summary: r.try_get(8)?,
                            published_at: r.try_get(9)?,
                            modified_at: r.try_get(10)?,
                            lang: r.try_get(11)?,
                            site_name: r.try_get(12)?,
                            authors: serde_json::from_value(authors).unwrap_or_default(),
                            lead_image: lead_image.and_then(|j| serde_json::from_value(j).ok()),
                            text: r.try_get(15)?,
                            html: r.try_get(16)?,
                            word_count: r.try_get::<_, i32>(17)?.max(0) as usize,
                            reading_time_minutes: r.try_get::<_, i32>(18)?.max(0) as u32,
                            related_links: serde_json::from_value(
                                r.try_get::<_, serde_json::Value>(19)?,
                            )
                            .unwrap_or_default(),
                        },
                    })
                })
                .collect()
        })
    }

    fn restore_source(&self, source: Source) -> BoxFuture<'_, StoreResult<SourceId>> {
        boxed(async move {
            let ttl = source.ttl_minutes.map(|t| t.min(i32::MAX as u32) as i32);
            let errors = source.error_count.min(i32::MAX as u32) as i32;
            let inserted = self
                .query_opt(
                    "INSERT INTO sources (url, site_url, title, kind, etag, last_modified,
                        ttl_minutes, created_at, last_fetch_at, last_success_at, last_error,
                        error_count, next_fetch_at, category, paused_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                     ON CONFLICT (url) DO NOTHING RETURNING id",
                    &[
                        &source.url,
                        &source.site_url,
                        &source.title,
                        &source.kind,
                        &source.etag,
                        &source.last_modified,
                        &ttl,
                        &to_ms_precision(source.created_at),
                        &source.last_fetch_at.map(to_ms_precision),
                        &source.last_success_at.map(to_ms_precision),
                        &source.last_error,
                        &errors,
                        &to_ms_precision(source.next_fetch_at),
                        &source.category,
                        &source.paused_at.map(to_ms_precision),
                    ],
                )
                .await?;
            match inserted {
                Some(row) => Ok(SourceId(row.try_get(0)?)),
                None => {
                    let existing = self
                        .query_opt("SELECT id FROM sources WHERE url = $1", &[&source.url])
                        .await?
                        .ok_or_else(|| StoreError::Database("the source vanished".into()))?;
                    Err(Error::from(StoreError::DuplicateSource(SourceId(
                        existing.try_get(0)?,
                    ))))
                }
            }
        })
    }

    fn items(&self, query: ItemQuery) -> BoxFuture<'_, StoreResult<ItemPage>> {
        boxed(async move {
            if query.search.is_some() {
                return self.search(query).await;
            }
            let limit = query.page_size();
            if query.originals_only && query.source.is_none() && query.author.is_none() {
                return self.originals(query, limit).await;
            }
            let mut sql = format!("SELECT {ITEM_COLUMNS}");
            if query.include_content {
                sql.push_str(CONTENT_COLUMNS);
            }
            sql.push_str(&format!(" FROM {ITEM_FROM} WHERE TRUE"));
            let after = keyset_after(query.start()?.0)?;
            let author = query.author.as_deref().map(|a| a.trim().to_string());
            let source = query.source.map(|s| s.0);
            let fetch = (limit + 1) as i64;
            let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
            let filters = Filters {
                after: &after,
                source: &source,
                author: &author,
            };
            filters.push(
                &mut sql,
                &mut args,
                ("i.published_at", "i.id", "i.source_id"),
            );
            if query.originals_only {
                sql.push_str(" AND f.duplicate_of IS NULL");
            }
            args.push(&fetch);
            sql.push_str(&format!(
                " ORDER BY i.published_at DESC, i.id DESC LIMIT ${}",
                args.len()
            ));
            let rows = self.query(&sql, &args).await?;
            let mut items = rows
                .iter()
                .map(|r| item_from_row(r, query.include_content))
                .collect::<Result<Vec<_>>>()?;
            bulletin_store::with_duplicates(self, &mut items, Some(bulletin_store::COPIES_LISTED))
                .await?;
            Ok(newest_page(items, limit))
        })
    }

    fn item(&self, id: ItemId) -> BoxFuture<'_, StoreResult<Option<Item>>> {
        boxed(async move {
            let sql =
                format!("SELECT {ITEM_COLUMNS}{CONTENT_COLUMNS} FROM {ITEM_FROM} WHERE i.id = $1");
            let mut item = self
                .query_opt(&sql, &[&id.0])
                .await?
                .as_ref()
                .map(|r| item_from_row(r, true))
                .transpose()?;
            if let Some(item) = item.as_mut() {
                bulletin_store::with_duplicates(self, std::slice::from_mut(item), None).await?;
            }
            Ok(item)
        })
    }

    fn item_count(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            let rows = self.query("SELECT COUNT(*) FROM items", &[]).await?;
            let n: i64 = rows.first().map(|r| r.try_get(0)).transpose()?.unwrap_or(0);
            Ok(n.max(0) as u64)
        })
    }

    fn indexed_item_count(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            let rows = self.query("SELECT COUNT(*) FROM item_search", &[]).await?;
            let n: i64 = rows.first().map(|r| r.try_get(0)).transpose()?.unwrap_or(0);
            Ok(n.max(0) as u64)
        })
    }

    fn rebuild_search_index(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            let indexed = self
                .execute(
                    "INSERT INTO item_search (item_id, published_at, source_id, words)
                     SELECT id, published_at, source_id,
                            bulletin_item_words(lang, title, summary, text)
                     FROM items
                     ON CONFLICT (item_id) DO UPDATE
                         SET published_at = EXCLUDED.published_at,
                             source_id = EXCLUDED.source_id,
                             words = EXCLUDED.words",
                    &[],
                )
                .await?;
            Ok(indexed)
        })
    }

    fn renew_leases(
        &self,
        worker: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            self.execute(
                "UPDATE sources SET lease_until = $3 WHERE lease_owner = $1 AND lease_until > $2",
                &[&worker, &now, &to_ms_precision(until)],
            )
            .await
        })
    }

    fn user(&self, id: UserId) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(async move {
            let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
            self.query_opt(&sql, &[&id.0])
                .await?
                .as_ref()
                .map(|r| user_from_row(r, 0))
                .transpose()
        })
    }

    fn set_user_role(&self, id: UserId, role: Role) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let n = self
                .execute(
                    "UPDATE users SET role = $2 WHERE id = $1",
                    &[&id.0, &role.as_str()],
                )
                .await?;
            Ok(n > 0)
        })
    }

    fn set_user_disabled(&self, id: UserId, disabled: bool) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let at = disabled.then(|| to_ms_precision(Utc::now()));
            let n = self
                .execute(
                    "UPDATE users SET disabled_at = $2 WHERE id = $1",
                    &[&id.0, &at],
                )
                .await?;
            if disabled {
                self.execute("DELETE FROM sessions WHERE user_id = $1", &[&id.0])
                    .await?;
            }
            Ok(n > 0)
        })
    }

    fn remove_user(&self, id: UserId) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let posts: i64 = self
                .query_opt("SELECT COUNT(*) FROM posts WHERE author_id = $1", &[&id.0])
                .await?
                .map(|r| r.try_get(0))
                .transpose()?
                .unwrap_or(0);
            if posts > 0 {
                return Err(Error::from(StoreError::InUse(format!(
                    "the account wrote {posts} post(s); disable it instead, so their bylines stay"
                ))));
            }
            Ok(self
                .execute("DELETE FROM users WHERE id = $1", &[&id.0])
                .await?
                > 0)
        })
    }

    fn end_sessions(&self, user: UserId) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            self.execute("DELETE FROM sessions WHERE user_id = $1", &[&user.0])
                .await
        })
    }

    fn api_tokens(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<ApiToken>>> {
        boxed(async move {
            self.query(
                "SELECT id, name, created_at, last_used_at FROM api_tokens
                 WHERE user_id = $1 ORDER BY id",
                &[&user.0],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    created_at: r.try_get(2)?,
                    last_used_at: r.try_get(3)?,
                })
            })
            .collect()
        })
    }

    fn revoke_api_tokens(&self, user: UserId, id: Option<i64>) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            match id {
                Some(id) => {
                    self.execute(
                        "DELETE FROM api_tokens WHERE user_id = $1 AND id = $2",
                        &[&user.0, &id],
                    )
                    .await
                }
                None => {
                    self.execute("DELETE FROM api_tokens WHERE user_id = $1", &[&user.0])
                        .await
                }
            }
        })
    }

    fn record_login_failure(
        &self,
        account: String,
        address: String,
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "WITH old AS (DELETE FROM login_failures
                     WHERE (account = $1 OR address = $2) AND failed_at < $4)
                 INSERT INTO login_failures (account, address, failed_at) VALUES ($1, $2, $3)",
                &[&account, &address, &to_ms_precision(at), &forget_before],
            )
            .await?;
            Ok(())
        })
    }

    fn login_failures(
        &self,
        account: String,
        address: String,
        since: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LoginFailures>> {
        boxed(async move {
            let row = self
                .query_opt(
                    "SELECT
                        (SELECT COUNT(*) FROM login_failures
                         WHERE account = $1 AND address = $2 AND failed_at >= $3),
                        (SELECT MAX(failed_at) FROM login_failures
                         WHERE account = $1 AND address = $2 AND failed_at >= $3),
                        (SELECT COUNT(*) FROM login_failures WHERE account = $1 AND failed_at >= $3),
                        (SELECT MAX(failed_at) FROM login_failures WHERE account = $1 AND failed_at >= $3),
                        (SELECT COUNT(*) FROM login_failures WHERE address = $2 AND failed_at >= $3),
                        (SELECT MAX(failed_at) FROM login_failures WHERE address = $2 AND failed_at >= $3)",
                    &[&account, &address, &to_ms_precision(since)],
                )
                .await?
                .ok_or_else(|| StoreError::Database("no answer counting sign-in failures".into()))?;
            let count = |i: usize| -> Result<u32> { Ok(row.try_get::<_, i64>(i)?.max(0) as u32) };
            Ok(LoginFailures {
                pair: count(0)?,
                pair_last: row.try_get(1)?,
                account: count(2)?,
                account_last: row.try_get(3)?,
                address: count(4)?,
                address_last: row.try_get(5)?,
            })
        })
    }

    fn clear_login_failures(
        &self,
        account: String,
        address: String,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "DELETE FROM login_failures WHERE account = $1 AND address = $2",
                &[&account, &address],
            )
            .await?;
            Ok(())
        })
    }

    fn add_post_revision(&self, revision: PostRevision) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(async move {
            let row = self
                .query_opt(
                    "INSERT INTO post_revisions (post_id, editor_id, saved_at, changes, headline,
                        markdown, image_url, image_caption, image_credit, state)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        &revision.post,
                        &revision.editor.map(|u| u.0),
                        &to_ms_precision(revision.saved_at),
                        &revision.changes,
                        &revision.headline,
                        &revision.markdown,
                        &revision.image_url,
                        &revision.image_caption,
                        &revision.image_credit,
                        &revision.state.as_str(),
                    ],
                )
                .await?
                .ok_or_else(|| StoreError::Database("no id for the new revision".into()))?;
            Ok(row.try_get(0)?)
        })
    }

    fn post_revisions(&self, post: i64) -> BoxFuture<'_, StoreResult<Vec<PostRevision>>> {
        boxed(async move {
            self.query(
                "SELECT id, post_id, editor_id, saved_at, changes, headline, markdown, image_url,
                    image_caption, image_credit, state
                 FROM post_revisions WHERE post_id = $1 ORDER BY id DESC",
                &[&post],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(PostRevision {
                    id: r.try_get(0)?,
                    post: r.try_get(1)?,
                    editor: r.try_get::<_, Option<i64>>(2)?.map(UserId),
                    saved_at: r.try_get(3)?,
                    changes: r.try_get(4)?,
                    headline: r.try_get(5)?,
                    markdown: r.try_get(6)?,
                    image_url: r.try_get(7)?,
                    image_caption: r.try_get(8)?,
                    image_credit: r.try_get(9)?,
                    state: PostState::parse(r.try_get(10)?).unwrap_or(PostState::Draft),
                })
            })
            .collect()
        })
    }

    fn take_lease(
        &self,
        name: String,
        holder: String,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<LeaseTaken>> {
        boxed(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            // The row is made first so two processes wait on one lock.
            tx.execute(
                "INSERT INTO leases (name, holder, until) VALUES ($1, '', 'epoch')
                 ON CONFLICT (name) DO NOTHING",
                &[&name],
            )
            .await?;
            let row = tx
                .query_one(
                    "SELECT holder, until FROM leases WHERE name = $1 FOR UPDATE",
                    &[&name],
                )
                .await?;
            let (current, current_until): (String, DateTime<Utc>) =
                (row.try_get(0)?, row.try_get(1)?);
            let taken = if current_until <= now {
                LeaseTaken::Acquired
            } else if current == holder {
                LeaseTaken::Renewed
            } else {
                return Ok(LeaseTaken::Refused);
            };
            tx.execute(
                "UPDATE leases SET holder = $2, until = $3 WHERE name = $1",
                &[&name, &holder, &until],
            )
            .await?;
            tx.commit().await?;
            Ok(taken)
        })
    }

    fn release_lease(&self, name: String, holder: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "DELETE FROM leases WHERE name = $1 AND holder = $2",
                &[&name, &holder],
            )
            .await?;
            Ok(())
        })
    }

    fn unfiled_items(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<FilingItem>>> {
        boxed(async move {
            let limit = limit as i64;
            self.query(
                &format!(
                    "SELECT {FILING_COLUMNS} FROM unfiled u JOIN items i ON i.id = u.item_id
                     LEFT JOIN item_stories f ON f.item_id = i.id
                     ORDER BY u.published_at, u.item_id LIMIT $1"
                ),
                &[&limit],
            )
            .await?
            .iter()
            .map(filing_item_from_row)
            .collect()
        })
    }

    fn filing_state(&self, window: chrono::Duration) -> BoxFuture<'_, StoreResult<FilingState>> {
        boxed(async move {
            let row = self
                .query_opt("SELECT MAX(id), MAX(latest_at) FROM stories", &[])
                .await?;
            let (last, newest): (Option<i64>, Option<DateTime<Utc>>) = match row {
                Some(r) => (r.try_get(0)?, r.try_get(1)?),
                None => (None, None),
            };
            let Some(newest) = newest else {
                return Ok(FilingState::default());
            };
            let since = newest - window;
            let items = self
                .query(
                    &format!(
                        "SELECT {FILING_COLUMNS} FROM item_stories f JOIN items i ON i.id = f.item_id
                         WHERE f.published_at >= $1
                         ORDER BY f.published_at, f.item_id"
                    ),
                    &[&since],
                )
                .await?
                .iter()
                .map(filing_item_from_row)
                .collect::<Result<Vec<_>>>()?;
            Ok(FilingState {
                last_story_id: last.unwrap_or(0),
                items,
            })
        })
    }

    fn apply_filing(&self, batch: FilingBatch) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let held = tx
                .execute(
                    "UPDATE leases SET until = $3 WHERE name = $1 AND holder = $2",
                    &[&batch.lease, &batch.holder, &batch.until],
                )
                .await?;
            if held == 0 {
                return Ok(false);
            }
            let mut recount = std::collections::BTreeSet::new();
            let mut changed = std::collections::BTreeSet::new();
            let mut gone = std::collections::BTreeSet::new();
            // Stories that grew or took items in: one change-log position each.
            let mut grown = std::collections::BTreeSet::new();
            let mut run = Vec::new();
            // Related lists set after the batch's items are filed.
            let mut relate: Vec<(i64, Vec<i64>)> = Vec::new();
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
                        run.push(FiledItem {
                            item: item.0,
                            story: *story,
                            duplicate_of: duplicate_of.map(|d| d.0),
                            published_at: *published_at,
                            source: source.0,
                            related: related.iter().map(|r| r.0).collect(),
                        });
                        gone.remove(story);
                        grown.insert(*story);
                    }
                    FilingStep::Relate { item, related } => {
                        relate.push((item.0, related.iter().map(|r| r.0).collect::<Vec<i64>>()));
                    }
                    FilingStep::Merge { into, from } => {
                        let (into, from) = (*into, *from);
                        file_run(&tx, &mut run, &mut recount, &mut changed).await?;
                        tx.execute(
                            "UPDATE item_stories SET story_id = $1 WHERE story_id = $2",
                            &[&into, &from],
                        )
                        .await?;
                        recount.insert(into);
                        changed.insert(into);
                        recount.remove(&from);
                        changed.remove(&from);
                        gone.insert(from);
                        grown.insert(into);
                        grown.remove(&from);
                    }
                }
            }
            file_run(&tx, &mut run, &mut recount, &mut changed).await?;
            if !relate.is_empty() {
                let (items, lists): (Vec<i64>, Vec<String>) = relate
                    .iter()
                    .map(|(item, related)| (*item, related_text(related)))
                    .unzip();
                tx.execute(
                    "UPDATE item_stories f SET related = CASE WHEN r.related = '' THEN NULL
                        ELSE string_to_array(r.related, ',')::bigint[] END
                     FROM unnest($1::bigint[], $2::text[]) AS r(item, related)
                     WHERE f.item_id = r.item",
                    &[&items, &lists],
                )
                .await?;
            }
            let gone: Vec<i64> = gone.iter().copied().collect();
            tx.execute("DELETE FROM stories WHERE id = ANY($1)", &[&gone])
                .await?;
            for story in &recount {
                tx.execute(REFRESH_STORY_NUMBERS, &[story]).await?;
            }
            for story in &changed {
                tx.execute(REFRESH_STORY_FACE, &[story]).await?;
            }
            let recount: Vec<i64> = recount.into_iter().collect();
            tx.execute(
                "DELETE FROM stories WHERE id = ANY($1) AND size = 0",
                &[&recount],
            )
            .await?;
            // Last: the change log's lock is held from here to the commit.
            let grown: Vec<i64> = grown.into_iter().filter(|s| !gone.contains(s)).collect();
            claims::write(&tx, &batch.claims).await?;
            if !grown.is_empty() {
                tx.execute("SELECT bulletin_log_changes('story', '{}', $1)", &[&grown])
                    .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    fn reset_stories(&self) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            tx.execute("DELETE FROM item_stories", &[]).await?;
            tx.execute(
                "INSERT INTO unfiled (published_at, item_id) SELECT published_at, id FROM items
                 ON CONFLICT DO NOTHING",
                &[],
            )
            .await?;
            tx.execute("DELETE FROM stories", &[]).await?;
            tx.execute("SELECT bulletin_log_changes('reset', '{}', '{}')", &[])
                .await?;
            let n: i64 = tx
                .query_one("SELECT COUNT(*) FROM items", &[])
                .await?
                .try_get(0)?;
            tx.commit().await?;
            Ok(n.max(0) as u64)
        })
    }

    fn claims(&self, query: ClaimQuery) -> BoxFuture<'_, StoreResult<Vec<ClaimRecord>>> {
        boxed(async move { claims::read(self, &query).await })
    }

    fn entity(&self, slug: String) -> BoxFuture<'_, StoreResult<Option<Entity>>> {
        boxed(async move { claims::entity(self, &slug).await })
    }

    fn story(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Story>>> {
        boxed(async move {
            self.query_opt(
                &format!("SELECT {STORY_COLUMNS} FROM stories WHERE id = $1"),
                &[&id],
            )
            .await?
            .map(|r| story_from_row(&r))
            .transpose()
        })
    }

    fn stories(&self, query: StoryQuery) -> BoxFuture<'_, StoreResult<StoryPage>> {
        boxed(async move {
            let limit = query.limit.clamp(1, bulletin_store::MAX_PAGE_SIZE);
            let after = keyset_after(query.after()?)?;
            let fetch = (limit + 1) as i64;
            let rows = match &after {
                Some((at, id)) => {
                    self.query(
                        &format!(
                            "SELECT {STORY_COLUMNS} FROM stories WHERE size > 0
                               AND (latest_at, id) < ($1, $2)
                             ORDER BY latest_at DESC, id DESC LIMIT $3"
                        ),
                        &[at, id, &fetch],
                    )
                    .await?
                }
                None => {
                    self.query(
                        &format!(
                            "SELECT {STORY_COLUMNS} FROM stories WHERE size > 0
                             ORDER BY latest_at DESC, id DESC LIMIT $1"
                        ),
                        &[&fetch],
                    )
                    .await?
                }
            };
            let stories = rows
                .iter()
                .map(story_from_row)
                .collect::<Result<Vec<_>>>()?;
            Ok(story_page(stories, limit))
        })
    }

    fn story_items(&self, story: i64) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(async move {
            let mut items = self
                .query(
                    &format!(
                        "SELECT {ITEM_COLUMNS} FROM {ITEM_FROM}
                         WHERE f.story_id = $1 ORDER BY i.published_at DESC, i.id DESC"
                    ),
                    &[&story],
                )
                .await?
                .iter()
                .map(|r| item_from_row(r, false))
                .collect::<Result<Vec<_>>>()?;
            bulletin_store::with_duplicates(self, &mut items, Some(bulletin_store::COPIES_LISTED))
                .await?;
            Ok(items)
        })
    }

    fn related_items(&self, item: ItemId, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(async move {
            let Some(this) = self
                .results(&[item.0], &[], false)
                .await?
                .into_iter()
                .next()
            else {
                return Ok(Vec::new());
            };
            let related: Option<Vec<i64>> = match self
                .query_opt(
                    "SELECT related FROM item_stories WHERE item_id = $1",
                    &[&item.0],
                )
                .await?
            {
                Some(r) => r.try_get(0)?,
                None => None,
            };
            let raw = related.unwrap_or_default();
            if raw.is_empty() {
                return Ok(Vec::new());
            }
            let ids: Vec<ItemId> = raw.iter().copied().map(ItemId).collect();
            let found = self.results(&raw, &[], false).await?;
            Ok(bulletin_store::still_related(&this, &ids, found, limit))
        })
    }

    fn duplicates(
        &self,
        items: Vec<ItemId>,
        per_item: Option<usize>,
    ) -> BoxFuture<'_, StoreResult<Vec<Item>>> {
        boxed(async move {
            let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
            let per_item = per_item.map_or(i64::MAX, |n| n as i64);
            // The copies are counted in the narrow filing table; only those
            // kept are read from `items`.
            self.query(
                &format!(
                    "SELECT {ITEM_COLUMNS}
                     FROM (SELECT item_id, ROW_NUMBER() OVER
                             (PARTITION BY duplicate_of ORDER BY published_at, item_id) AS n
                           FROM item_stories WHERE duplicate_of = ANY($1)) c
                     JOIN items i ON i.id = c.item_id JOIN sources s ON s.id = i.source_id
                     LEFT JOIN item_stories f ON f.item_id = i.id
                     WHERE c.n <= $2 ORDER BY i.published_at, i.id"
                ),
                &[&ids, &per_item],
            )
            .await?
            .iter()
            .map(|r| item_from_row(r, false))
            .collect()
        })
    }

    fn daily_activity(
        &self,
        until: DateTime<Utc>,
        days: u32,
    ) -> BoxFuture<'_, StoreResult<Vec<(SourceId, u32, u64)>>> {
        boxed(async move {
            const DAY_MS: i64 = 86_400_000;
            let last_day = until.timestamp_millis().div_euclid(DAY_MS);
            let first_day = last_day - i64::from(days.max(1)) + 1;
            let from = DateTime::from_timestamp_millis(first_day * DAY_MS).unwrap_or(until);
            let to = DateTime::from_timestamp_millis((last_day + 1) * DAY_MS).unwrap_or(until);
            let rows = self
                .query(
                    "SELECT source_id,
                        floor(extract(epoch FROM published_at) / 86400)::bigint AS day, COUNT(*)
                     FROM items WHERE published_at >= $1 AND published_at < $2
                     GROUP BY source_id, day",
                    &[&from, &to],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    let day: i64 = r.try_get(1)?;
                    Ok((
                        SourceId(r.try_get(0)?),
                        (day - first_day) as u32,
                        r.try_get::<_, i64>(2)?.max(0) as u64,
                    ))
                })
                .collect()
        })
    }

    fn changes(&self, after: i64, limit: usize) -> BoxFuture<'_, StoreResult<ChangeBatch>> {
        boxed(async move {
            let mut rows = Vec::new();
            for r in self
                .query(
                    "SELECT seq, kind, item_id, story_id, at FROM changes WHERE seq > $1
                     ORDER BY seq LIMIT $2",
                    &[&after, &(limit as i64 + 1)],
                )
                .await?
            {
                rows.push(LogRow {
                    seq: r.try_get(0)?,
                    kind: r.try_get(1)?,
                    item: r.try_get(2)?,
                    story: r.try_get(3)?,
                    at: r.try_get(4)?,
                });
            }
            let (item_ids, story_ids) = log_wants(&rows, limit);
            let items = if item_ids.is_empty() {
                Vec::new()
            } else {
                self.results(&item_ids, &[], false).await?
            };
            let mut stories = Vec::new();
            if !story_ids.is_empty() {
                for r in self
                    .query(
                        &format!(
                            "SELECT {STORY_COLUMNS} FROM stories WHERE id = ANY($1) AND size > 0"
                        ),
                        &[&story_ids],
                    )
                    .await?
                {
                    stories.push(story_from_row(&r)?);
                }
            }
            let pruned_through: i64 = self
                .query_one("SELECT pruned_through FROM change_log", &[])
                .await?
                .try_get(0)?;
            Ok(change_batch(
                rows,
                limit,
                after,
                items,
                stories,
                pruned_through,
            ))
        })
    }

    fn last_change(&self) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(async move {
            Ok(self
                .query_one(
                    "SELECT GREATEST(coalesce((SELECT max(seq) FROM changes), 0), pruned_through)
                     FROM change_log",
                    &[],
                )
                .await?
                .try_get(0)?)
        })
    }

    fn prune_changes(&self, before: DateTime<Utc>) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move {
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            let through: Option<i64> = tx
                .query_one("SELECT max(seq) FROM changes WHERE at < $1", &[&before])
                .await?
                .try_get(0)?;
            let Some(through) = through else {
                return Ok(0);
            };
            let n = tx
                .execute("DELETE FROM changes WHERE seq <= $1", &[&through])
                .await?;
            tx.execute(
                "UPDATE change_log SET pruned_through = GREATEST(pruned_through, $1)",
                &[&through],
            )
            .await?;
            tx.commit().await?;
            Ok(n)
        })
    }

    fn change_notices(&self) -> BoxFuture<'_, StoreResult<BoxStream<'static, ()>>> {
        let config = self.config.clone();
        boxed(async move {
            let (send, receive) = tokio::sync::mpsc::channel::<()>(1);
            tokio::spawn(listen_for_changes(config, send));
            let stream = futures_util::stream::unfold(receive, |mut receive| async move {
                receive.recv().await.map(|()| ((), receive))
            });
            Ok(Box::pin(stream) as BoxStream<'static, ()>)
        })
    }

    fn save_hub_subscription(&self, sub: HubSubscription) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "INSERT INTO hub_subscriptions (topic, callback, secret, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (topic, callback) DO UPDATE
                    SET secret = excluded.secret, expires_at = excluded.expires_at",
                &[&sub.topic, &sub.callback, &sub.secret, &sub.expires_at],
            )
            .await?;
            Ok(())
        })
    }

    fn remove_hub_subscription(
        &self,
        topic: String,
        callback: String,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            Ok(self
                .execute(
                    "DELETE FROM hub_subscriptions WHERE topic = $1 AND callback = $2",
                    &[&topic, &callback],
                )
                .await?
                > 0)
        })
    }

    fn hub_subscriptions(
        &self,
        topics: Vec<String>,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Vec<HubSubscription>>> {
        boxed(async move {
            let rows = self
                .query(
                    "SELECT topic, callback, secret, expires_at FROM hub_subscriptions
                     WHERE topic = ANY($1) AND expires_at > $2 ORDER BY topic, callback",
                    &[&topics, &now],
                )
                .await?;
            let mut found = Vec::with_capacity(rows.len());
            for r in rows {
                found.push(HubSubscription {
                    topic: r.try_get(0)?,
                    callback: r.try_get(1)?,
                    secret: r.try_get(2)?,
                    expires_at: r.try_get(3)?,
                });
            }
            Ok(found)
        })
    }

    fn refresh_statistics(&self) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            let client = self.pool.get().await?;
            // The queues that filing empties as fast as ingest fills them
            // are vacuumed too: without autovacuum, the `unfiled` queue's
            // index keeps an entry for every item ever filed, and a walk
            // of the newest passes them all. (Each statement on its own:
            // VACUUM cannot run inside a transaction.)
            client
                .batch_execute("VACUUM (ANALYZE) unfiled, item_stories, stories, changes")
                .await?;
            client
                .batch_execute("ANALYZE items, item_search, item_authors")
                .await?;
            Ok(())
        })
    }

    fn add_user(&self, user: NewUser) -> BoxFuture<'_, StoreResult<UserId>> {
        boxed(async move {
            let role = user.role.unwrap_or(Role::Reader).as_str();
            let inserted = self
                .query_opt(
                    "INSERT INTO users (name, role, password_hash, display_name, title, bio,
                        avatar_url, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (lower(name)) DO NOTHING RETURNING id",
                    &[
                        &user.name,
                        &role,
                        &user.password_hash,
                        &user.display_name,
                        &user.title,
                        &user.bio,
                        &user.avatar_url,
                        &to_ms_precision(user.created_at.unwrap_or_else(Utc::now)),
                    ],
                )
                .await?;
            match inserted {
                Some(row) => Ok(UserId(row.try_get(0)?)),
                None => Err(Error::from(StoreError::DuplicateUser(user.name))),
            }
        })
    }

    fn user_by_name(&self, name: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(async move {
            let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE lower(u.name) = lower($1)");
            self.query_opt(&sql, &[&name])
                .await?
                .as_ref()
                .map(|r| user_from_row(r, 0))
                .transpose()
        })
    }

    fn users(&self) -> BoxFuture<'_, StoreResult<Vec<User>>> {
        boxed(async move {
            let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.id");
            self.query(&sql, &[])
                .await?
                .iter()
                .map(|r| user_from_row(r, 0))
                .collect()
        })
    }

    fn set_password(&self, user: UserId, password_hash: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "UPDATE users SET password_hash = $2 WHERE id = $1",
                &[&user.0, &password_hash],
            )
            .await?;
            // A new password ends every session.
            self.execute("DELETE FROM sessions WHERE user_id = $1", &[&user.0])
                .await?;
            Ok(())
        })
    }

    fn stars(&self) -> BoxFuture<'_, StoreResult<Vec<(UserId, ItemId)>>> {
        boxed(async move {
            self.query("SELECT user_id, item_id FROM stars ORDER BY item_id", &[])
                .await?
                .iter()
                .map(|r| Ok((UserId(r.try_get(0)?), ItemId(r.try_get(1)?))))
                .collect()
        })
    }

    fn create_session(&self, session: Session) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "DELETE FROM sessions WHERE expires_at <= $1",
                &[&session.created_at],
            )
            .await?;
            self.execute(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    &session.token_hash,
                    &session.user.0,
                    &session.csrf_token,
                    &to_ms_precision(session.created_at),
                    &to_ms_precision(session.expires_at),
                ],
            )
            .await?;
            Ok(())
        })
    }

    fn session(
        &self,
        token_hash: String,
        now: DateTime<Utc>,
    ) -> BoxFuture<'_, StoreResult<Option<(Session, User)>>> {
        boxed(async move {
            let sql = format!(
                "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at, {USER_COLUMNS}
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
            );
            let Some(r) = self.query_opt(&sql, &[&token_hash, &now]).await? else {
                return Ok(None);
            };
            let session = Session {
                token_hash: r.try_get(0)?,
                user: UserId(r.try_get(1)?),
                csrf_token: r.try_get(2)?,
                created_at: r.try_get(3)?,
                expires_at: r.try_get(4)?,
            };
            Ok(Some((session, user_from_row(&r, 5)?)))
        })
    }

    fn delete_session(&self, token_hash: String) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
                .await?;
            Ok(())
        })
    }

    fn add_api_token(
        &self,
        user: UserId,
        name: String,
        token_hash: String,
    ) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(async move {
            let row = self
                .query_opt(
                    "INSERT INTO api_tokens (user_id, name, token_hash, created_at)
                     VALUES ($1, $2, $3, $4) RETURNING id",
                    &[&user.0, &name, &token_hash, &to_ms_precision(Utc::now())],
                )
                .await?
                .ok_or_else(|| StoreError::Database("no id for the new token".into()))?;
            Ok(row.try_get(0)?)
        })
    }

    fn api_token_user(&self, token_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(async move {
            let sql = format!(
                "WITH used AS (
                    UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1 RETURNING user_id)
                 SELECT {USER_COLUMNS} FROM used JOIN users u ON u.id = used.user_id
                 WHERE u.disabled_at IS NULL"
            );
            self.query_opt(&sql, &[&token_hash, &to_ms_precision(Utc::now())])
                .await?
                .as_ref()
                .map(|r| user_from_row(r, 0))
                .transpose()
        })
    }

    fn set_star(
        &self,
        user: UserId,
        item: ItemId,
        starred: bool,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            if starred {
                self.execute(
                    "INSERT INTO stars (user_id, item_id, created_at) VALUES ($1, $2, $3)
                     ON CONFLICT DO NOTHING",
                    &[&user.0, &item.0, &to_ms_precision(Utc::now())],
                )
                .await?;
            } else {
                self.execute(
                    "DELETE FROM stars WHERE user_id = $1 AND item_id = $2",
                    &[&user.0, &item.0],
                )
                .await?;
            }
            Ok(())
        })
    }

    fn starred(&self, user: UserId, items: Vec<ItemId>) -> BoxFuture<'_, StoreResult<Vec<bool>>> {
        boxed(async move {
            let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
            let rows = self
                .query(
                    "SELECT EXISTS (SELECT 1 FROM stars s WHERE s.user_id = $1 AND s.item_id = k.id)
                     FROM unnest($2::bigint[]) WITH ORDINALITY AS k(id, n) ORDER BY k.n",
                    &[&user.0, &ids],
                )
                .await?;
            rows.iter().map(|r| Ok(r.try_get::<_, bool>(0)?)).collect()
        })
    }

    fn reader_items(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderItem>>> {
        boxed(async move { self.reader_items_of(&query).await })
    }

    fn reader_refs(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<Vec<ReaderRef>>> {
        boxed(async move { self.reader_refs_of(&query).await })
    }

    fn reader_count(&self, query: ReaderQuery) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move { self.reader_count_of(&query).await })
    }

    fn set_read(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        read: bool,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move { self.set_read_of(user, &items, read).await })
    }

    fn set_starred(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        starred: bool,
    ) -> BoxFuture<'_, StoreResult<u64>> {
        boxed(async move { self.set_starred_of(user, &items, starred).await })
    }

    fn set_label(
        &self,
        user: UserId,
        items: Vec<ItemId>,
        label: String,
        on: bool,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move { self.set_label_of(user, &items, &label, on).await })
    }

    fn labels(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<(String, u64)>>> {
        boxed(async move { self.labels_of(user).await })
    }

    fn rename_label(
        &self,
        user: UserId,
        from: String,
        to: String,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move { self.rename_label_of(user, &from, &to).await })
    }

    fn mark_all_read(
        &self,
        user: UserId,
        scope: Scope,
        until: Option<DateTime<Utc>>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move { self.mark_all_read_of(user, scope, until).await })
    }

    fn subscriptions(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Subscription>>> {
        boxed(async move { self.subscriptions_of(user, None).await })
    }

    fn subscriptions_to(
        &self,
        user: UserId,
        sources: Vec<SourceId>,
    ) -> BoxFuture<'_, StoreResult<Vec<Subscription>>> {
        boxed(async move { self.subscriptions_of(user, Some(&sources)).await })
    }

    fn edit_subscription(
        &self,
        user: UserId,
        source: SourceId,
        edit: SubscriptionEdit,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move { self.edit_subscription_of(user, source, &edit).await })
    }

    fn unread_counts(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<UnreadCount>>> {
        boxed(async move { self.unread_counts_of(user).await })
    }

    fn categories(&self, user: UserId) -> BoxFuture<'_, StoreResult<Vec<Category>>> {
        boxed(async move { self.categories_of(user).await })
    }

    fn save_category(
        &self,
        user: UserId,
        id: Option<i64>,
        title: String,
    ) -> BoxFuture<'_, StoreResult<Option<i64>>> {
        boxed(async move { self.save_category_of(user, id, &title).await })
    }

    fn remove_category(&self, user: UserId, id: i64) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let n = self
                .execute(
                    "DELETE FROM reader_categories WHERE id = $1 AND user_id = $2",
                    &[&id, &user.0],
                )
                .await?;
            Ok(n > 0)
        })
    }

    fn set_app_password(
        &self,
        user: UserId,
        password_hash: Option<String>,
        fever_key_hash: Option<String>,
    ) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                "UPDATE users SET app_password_hash = $2, fever_key_hash = $3 WHERE id = $1",
                &[&user.0, &password_hash, &fever_key_hash],
            )
            .await?;
            Ok(())
        })
    }

    fn user_by_fever_key(&self, key_hash: String) -> BoxFuture<'_, StoreResult<Option<User>>> {
        boxed(async move {
            let sql = format!(
                "SELECT {USER_COLUMNS} FROM users u
                 WHERE u.fever_key_hash = $1 AND u.disabled_at IS NULL"
            );
            self.query_opt(&sql, &[&key_hash])
                .await?
                .as_ref()
                .map(|r| user_from_row(r, 0))
                .transpose()
        })
    }

    fn prune_items(
        &self,
        before: DateTime<Utc>,
        limit: usize,
    ) -> BoxFuture<'_, StoreResult<usize>> {
        boxed(async move {
            let limit = limit.min(100_000) as i64;
            let mut client = self.pool.get().await?;
            let tx = client.transaction().await?;
            // Removed and remembered in one statement, so the next fetch
            // does not add them back.
            let gone: Vec<(i64, Option<i64>)> = tx
                .query(
                    "WITH gone AS (
                        DELETE FROM items WHERE id IN (
                            SELECT i.id FROM items i
                            WHERE i.published_at < $1
                              AND NOT EXISTS (SELECT 1 FROM stars s WHERE s.item_id = i.id)
                            ORDER BY i.published_at LIMIT $2)
                        RETURNING id, source_id, guid, canonical_url),
                     remembered AS (
                        INSERT INTO pruned_items (source_id, guid, canonical_url, pruned_at)
                        SELECT source_id, guid, canonical_url, $3 FROM gone)
                     SELECT g.id, f.story_id FROM gone g LEFT JOIN item_stories f ON f.item_id = g.id",
                    &[&before, &limit, &to_ms_precision(Utc::now())],
                )
                .await?
                .iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_>>()?;
            after_items_removed(&tx, &gone).await?;
            tx.commit().await?;
            Ok(gone.len())
        })
    }

    fn save_post(&self, post: Post) -> BoxFuture<'_, StoreResult<i64>> {
        boxed(async move {
            let item = post.item.map(|i| i.0);
            let publish_at = post.publish_at.map(to_ms_precision);
            let created = to_ms_precision(post.created_at);
            let updated = to_ms_precision(post.updated_at);
            let kind = post.kind.as_str();
            let state = post.state.as_str();
            let values: [&(dyn ToSql + Sync); 12] = [
                &post.author.0,
                &kind,
                &post.headline,
                &post.markdown,
                &post.image_url,
                &post.image_caption,
                &post.image_credit,
                &state,
                &publish_at,
                &item,
                &created,
                &updated,
            ];
            if post.id == 0 {
                let row = self
                    .query_opt(
                        "INSERT INTO posts (author_id, kind, headline, markdown, image_url,
                            image_caption, image_credit, state, publish_at, item_id, created_at,
                            updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                        &values,
                    )
                    .await?
                    .ok_or_else(|| StoreError::Database("no id for the new post".into()))?;
                Ok(row.try_get(0)?)
            } else {
                let mut args: Vec<&(dyn ToSql + Sync)> = values.to_vec();
                args.push(&post.id);
                self.execute(
                    "UPDATE posts SET author_id = $1, kind = $2, headline = $3, markdown = $4,
                        image_url = $5, image_caption = $6, image_credit = $7, state = $8,
                        publish_at = $9, item_id = $10, created_at = $11, updated_at = $12
                     WHERE id = $13",
                    &args,
                )
                .await?;
                Ok(post.id)
            }
        })
    }

    fn post(&self, id: i64) -> BoxFuture<'_, StoreResult<Option<Post>>> {
        boxed(async move {
            let sql = format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1");
            self.query_opt(&sql, &[&id])
                .await?
                .as_ref()
                .map(post_from_row)
                .transpose()
        })
    }

    fn posts(&self, limit: usize) -> BoxFuture<'_, StoreResult<Vec<Post>>> {
        boxed(async move {
            let limit = limit.min(i64::MAX as usize) as i64;
            let sql = format!(
                "SELECT {POST_COLUMNS} FROM posts ORDER BY updated_at DESC, id DESC LIMIT $1"
            );
            self.query(&sql, &[&limit])
                .await?
                .iter()
                .map(post_from_row)
                .collect()
        })
    }

    fn due_posts(&self, now: DateTime<Utc>) -> BoxFuture<'_, StoreResult<Vec<Post>>> {
        boxed(async move {
            let sql = format!(
                "SELECT {POST_COLUMNS} FROM posts WHERE state = 'scheduled' AND publish_at <= $1
                 ORDER BY publish_at, id"
            );
            self.query(&sql, &[&now])
                .await?
                .iter()
                .map(post_from_row)
                .collect()
        })
    }

    fn update_item(&self, id: ItemId, item: NewItem) -> BoxFuture<'_, StoreResult<bool>> {
        boxed(async move {
            let authors = Json(&item.authors);
            let lead_image = item.lead_image.as_ref().map(Json);
            let related_links = Json(&item.related_links);
            let word_count = item.word_count.min(i32::MAX as usize) as i32;
            let reading_time = item.reading_time_minutes.min(i32::MAX as u32) as i32;
            let n = self
                .execute(
                    "UPDATE items SET kind = $2, url = $3, title = $4, summary = $5,
                        published_at = $6, modified_at = $7, lang = $8, site_name = $9,
                        authors = $10, lead_image = $11, text = $12, html = $13,
                        word_count = $14, reading_time = $15, related_links = $16
                     WHERE id = $1",
                    &[
                        &id.0,
                        &item.kind.as_str(),
                        &item.url,
                        &item.title,
                        &item.summary,
                        &to_ms_precision(item.published_at),
                        &item.modified_at.map(to_ms_precision),
                        &item.lang,
                        &item.site_name,
                        &authors,
                        &lead_image,
                        &item.text,
                        &item.html,
                        &word_count,
                        &reading_time,
                        &related_links,
                    ],
                )
                .await?;
            Ok(n > 0)
        })
    }

    fn item_by_guid(
        &self,
        source: SourceId,
        guid: String,
    ) -> BoxFuture<'_, StoreResult<Option<ItemId>>> {
        boxed(async move {
            Ok(self
                .query_opt(
                    "SELECT id FROM items WHERE source_id = $1 AND guid = $2",
                    &[&source.0, &guid],
                )
                .await?
                .map(|r| r.try_get(0))
                .transpose()?
                .map(ItemId))
        })
    }

    fn websub(&self, source: SourceId) -> BoxFuture<'_, StoreResult<Option<WebSubscription>>> {
        boxed(async move {
            let sql =
                format!("SELECT {WEBSUB_COLUMNS} FROM websub_subscriptions WHERE source_id = $1");
            self.query_opt(&sql, &[&source.0])
                .await?
                .as_ref()
                .map(websub_from_row)
                .transpose()
        })
    }

    fn websub_by_token(
        &self,
        token: String,
    ) -> BoxFuture<'_, StoreResult<Option<WebSubscription>>> {
        boxed(async move {
            let sql = format!(
                "SELECT {WEBSUB_COLUMNS} FROM websub_subscriptions WHERE callback_token = $1"
            );
            self.query_opt(&sql, &[&token])
                .await?
                .as_ref()
                .map(websub_from_row)
                .transpose()
        })
    }

    fn save_websub(&self, sub: WebSubscription) -> BoxFuture<'_, StoreResult<()>> {
        boxed(async move {
            self.execute(
                &format!(
                    "INSERT INTO websub_subscriptions ({WEBSUB_COLUMNS})
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (source_id) DO UPDATE SET hub = EXCLUDED.hub,
                        topic = EXCLUDED.topic, secret = EXCLUDED.secret,
                        callback_token = EXCLUDED.callback_token, state = EXCLUDED.state,
                        requested_at = EXCLUDED.requested_at,
                        lease_expires_at = EXCLUDED.lease_expires_at,
                        last_error = EXCLUDED.last_error, last_push_at = EXCLUDED.last_push_at"
                ),
                &[
                    &sub.source.0,
                    &sub.hub,
                    &sub.topic,
                    &sub.secret,
                    &sub.callback_token,
                    &sub.state.as_str(),
                    &sub.requested_at,
                    &sub.lease_expires_at,
                    &sub.last_error,
                    &sub.last_push_at,
                ],
            )
            .await?;
            Ok(())
        })
    }
}
