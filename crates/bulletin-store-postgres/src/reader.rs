//! Each reader's state on PostgreSQL (see `bulletin_store::reader`): the
//! statements behind the `Store` trait's reader methods.

use super::{
    ITEM_COLUMNS, ITEM_FROM, PgStore, Result, SOURCE_COLUMNS, item_from_row, search_words,
    source_from_row, tsquery_text,
};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{
    Category, DEFAULT_CATEGORY, ReadFilter, ReaderItem, ReaderOrder, ReaderQuery, ReaderRef, Scope,
    StoreError, Subscription, SubscriptionEdit, UnreadCount, UserId,
};
use chrono::{DateTime, Utc};
use deadpool_postgres::GenericClient;
use tokio_postgres::types::ToSql;

/// Whether an item (`i`, with its reader rows `rs` and `ri`) is read.
const READ: &str = "COALESCE(ri.read, i.id <= COALESCE(rs.read_through, 0))";

/// A statement's arguments, numbered as they are added.
#[derive(Default)]
pub(crate) struct Args(Vec<Box<dyn ToSql + Sync + Send>>);

impl Args {
    /// Adds a value; returns its placeholder.
    pub(crate) fn push(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.0.push(Box::new(value));
        format!("${}", self.0.len())
    }

    pub(crate) fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.0
            .iter()
            .map(|v| v.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// The rows one reader's listing reads (the user is `$1`).
const READER_FROM: &str = "FROM items i
     LEFT JOIN reader_sources rs ON rs.user_id = $1 AND rs.source_id = i.source_id
     LEFT JOIN reader_items ri ON ri.user_id = $1 AND ri.item_id = i.id";

/// The query's conditions, appended to `sql` with their arguments (the
/// user is the first). False when nothing can match.
async fn push_conditions(
    store: &PgStore,
    sql: &mut String,
    args: &mut Args,
    q: &ReaderQuery,
) -> Result<bool> {
    sql.push_str(" WHERE TRUE");
    match q.scope {
        Scope::Subscribed => sql.push_str(" AND COALESCE(rs.subscribed, TRUE)"),
        Scope::All => {}
        Scope::Source(s) => {
            let p = args.push(s.0);
            sql.push_str(&format!(" AND i.source_id = {p}"));
        }
        Scope::Category(c) => {
            let p = args.push(c);
            sql.push_str(&format!(" AND rs.category_id = {p} AND rs.subscribed"));
        }
    }
    match q.status {
        ReadFilter::Any => {}
        ReadFilter::Unread => sql.push_str(&format!(" AND NOT {READ}")),
        ReadFilter::Read => sql.push_str(&format!(" AND {READ}")),
    }
    match q.starred {
        None => {}
        Some(true) => sql.push_str(" AND i.id IN (SELECT item_id FROM stars WHERE user_id = $1)"),
        Some(false) => sql.push_str(
            " AND NOT EXISTS (SELECT 1 FROM stars st WHERE st.user_id = $1 AND st.item_id = i.id)",
        ),
    }
    if let Some(label) = &q.label {
        let p = args.push(label.clone());
        sql.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM item_labels WHERE user_id = $1 AND label = {p})"
        ));
    }
    if let Some(ids) = &q.ids {
        if ids.is_empty() {
            return Ok(false);
        }
        let p = args.push(ids.iter().map(|i| i.0).collect::<Vec<i64>>());
        sql.push_str(&format!(" AND i.id = ANY({p})"));
    }
    if let Some(id) = q.after_id {
        let p = args.push(id.0);
        sql.push_str(&format!(" AND i.id > {p}"));
    }
    if let Some(id) = q.before_id {
        let p = args.push(id.0);
        sql.push_str(&format!(" AND i.id < {p}"));
    }
    if let Some(t) = q.published_after {
        let p = args.push(t);
        sql.push_str(&format!(" AND i.published_at > {p}"));
    }
    if let Some(t) = q.published_before {
        let p = args.push(t);
        sql.push_str(&format!(" AND i.published_at < {p}"));
    }
    if let Some(words) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
        if search_words(words).is_empty() {
            return Ok(false);
        }
        let forms = store.search_forms(words).await?;
        if forms.is_empty() {
            return Ok(false);
        }
        let p = args.push(tsquery_text(&forms));
        sql.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM item_search WHERE words @@ {p}::text::tsquery)"
        ));
    }
    Ok(true)
}

fn push_order(sql: &mut String, args: &mut Args, q: &ReaderQuery) {
    let dir = if q.ascending { "ASC" } else { "DESC" };
    match q.order {
        ReaderOrder::Published => {
            sql.push_str(&format!(" ORDER BY i.published_at {dir}, i.id {dir}"));
        }
        ReaderOrder::Id => sql.push_str(&format!(" ORDER BY i.id {dir}")),
    }
    if q.limit > 0 {
        let p = args.push(q.limit as i64);
        sql.push_str(&format!(" LIMIT {p}"));
    }
    let p = args.push(q.offset as i64);
    sql.push_str(&format!(" OFFSET {p}"));
}

/// (id, source, published, read, starred) of the query's items, in order.
type StateRow = (i64, i64, DateTime<Utc>, bool, bool);

impl PgStore {
    async fn state_rows(&self, q: &ReaderQuery) -> Result<Vec<StateRow>> {
        let mut sql = format!(
            "SELECT i.id, i.source_id, i.published_at, {READ},
                    EXISTS (SELECT 1 FROM stars st WHERE st.user_id = $1 AND st.item_id = i.id)
             {READER_FROM}"
        );
        let mut args = Args::default();
        args.push(q.user.0);
        if !push_conditions(self, &mut sql, &mut args, q).await? {
            return Ok(Vec::new());
        }
        push_order(&mut sql, &mut args, q);
        self.query(&sql, &args.refs())
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                ))
            })
            .collect()
    }

    pub(crate) async fn reader_items_of(&self, q: &ReaderQuery) -> Result<Vec<ReaderItem>> {
        let rows = self.state_rows(q).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut sql = format!("SELECT {ITEM_COLUMNS}");
        if q.include_content {
            sql.push_str(", i.text, i.html");
        }
        sql.push_str(&format!(" FROM {ITEM_FROM} WHERE i.id = ANY($1)"));
        let mut by_id = std::collections::HashMap::with_capacity(ids.len());
        for r in self.query(&sql, &[&ids]).await? {
            let item = item_from_row(&r, q.include_content)?;
            by_id.insert(item.id.0, item);
        }
        let mut items: Vec<_> = ids.iter().filter_map(|id| by_id.remove(id)).collect();
        bulletin_store::with_duplicates(self, &mut items, Some(bulletin_store::COPIES_LISTED))
            .await?;
        let mut labels: std::collections::HashMap<i64, Vec<String>> = Default::default();
        for r in self
            .query(
                "SELECT item_id, label FROM item_labels
                 WHERE user_id = $1 AND item_id = ANY($2) ORDER BY label",
                &[&q.user.0, &ids],
            )
            .await?
        {
            labels.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
        }
        let state = rows.iter().map(|r| (r.0, (r.3, r.4))).collect();
        Ok(bulletin_store::with_reader_state(items, &state, labels))
    }

    pub(crate) async fn reader_refs_of(&self, q: &ReaderQuery) -> Result<Vec<ReaderRef>> {
        Ok(self
            .state_rows(q)
            .await?
            .into_iter()
            .map(|(id, source, published_at, read, starred)| ReaderRef {
                id: ItemId(id),
                source: SourceId(source),
                published_at,
                read,
                starred,
            })
            .collect())
    }

    pub(crate) async fn reader_count_of(&self, q: &ReaderQuery) -> Result<u64> {
        let mut sql = format!("SELECT count(*) {READER_FROM}");
        let mut args = Args::default();
        args.push(q.user.0);
        if !push_conditions(self, &mut sql, &mut args, q).await? {
            return Ok(0);
        }
        let n: i64 = self.query_one(&sql, &args.refs()).await?.try_get(0)?;
        Ok(n as u64)
    }

    /// Sets state on the items that exist; returns how many.
    pub(crate) async fn set_item_state(
        &self,
        user: UserId,
        items: &[ItemId],
        statement: &str,
    ) -> Result<u64> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let row = self
            .query_one(
                &format!(
                    "WITH found AS (SELECT id, source_id FROM items WHERE id = ANY($2)),
                     done AS ({statement})
                     SELECT count(*) FROM found"
                ),
                &[&user.0, &ids],
            )
            .await?;
        Ok(row.try_get::<_, i64>(0)? as u64)
    }

    pub(crate) async fn set_read_of(
        &self,
        user: UserId,
        items: &[ItemId],
        read: bool,
    ) -> Result<u64> {
        let statement = format!(
            "INSERT INTO reader_items (user_id, item_id, source_id, read)
             SELECT $1, id, source_id, {read} FROM found
             ON CONFLICT (user_id, item_id) DO UPDATE SET read = excluded.read"
        );
        self.set_item_state(user, items, &statement).await
    }

    pub(crate) async fn set_starred_of(
        &self,
        user: UserId,
        items: &[ItemId],
        starred: bool,
    ) -> Result<u64> {
        let statement = if starred {
            "INSERT INTO stars (user_id, item_id, created_at)
             SELECT $1, id, date_trunc('milliseconds', now()) FROM found ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM stars WHERE user_id = $1 AND item_id IN (SELECT id FROM found)"
        };
        self.set_item_state(user, items, statement).await
    }

    pub(crate) async fn set_label_of(
        &self,
        user: UserId,
        items: &[ItemId],
        label: &str,
        on: bool,
    ) -> Result<()> {
        let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
        let sql = if on {
            "INSERT INTO item_labels (user_id, item_id, label)
             SELECT $1, id, $3 FROM items WHERE id = ANY($2) ON CONFLICT DO NOTHING"
        } else {
            "DELETE FROM item_labels WHERE user_id = $1 AND item_id = ANY($2) AND label = $3"
        };
        self.execute(sql, &[&user.0, &ids, &label]).await?;
        Ok(())
    }

    pub(crate) async fn labels_of(&self, user: UserId) -> Result<Vec<(String, u64)>> {
        self.query(
            "SELECT label, count(*) FROM item_labels WHERE user_id = $1 GROUP BY label ORDER BY label",
            &[&user.0],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get::<_, i64>(1)? as u64)))
        .collect()
    }

    pub(crate) async fn rename_label_of(&self, user: UserId, from: &str, to: &str) -> Result<bool> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        tx.execute(
            "DELETE FROM item_labels WHERE user_id = $1 AND label = $2
               AND item_id IN (SELECT item_id FROM item_labels WHERE user_id = $1 AND label = $3)",
            &[&user.0, &from, &to],
        )
        .await?;
        let n = tx
            .execute(
                "UPDATE item_labels SET label = $3 WHERE user_id = $1 AND label = $2",
                &[&user.0, &from, &to],
            )
            .await?;
        tx.commit().await?;
        Ok(n > 0)
    }

    pub(crate) async fn mark_all_read_of(
        &self,
        user: UserId,
        scope: Scope,
        until: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        ensure_rows(&tx, user).await?;
        let bound = id_stored_by(&tx, until).await?;
        let (condition, arg) = scope_condition(scope);
        let mut args: Vec<&(dyn ToSql + Sync)> = vec![&user.0, &bound];
        if let Some(arg) = &arg {
            args.push(arg);
        }
        tx.execute(
            &format!(
                "UPDATE reader_sources AS r SET read_through = greatest(read_through, $2)
                 WHERE r.user_id = $1 AND {condition}"
            ),
            &args,
        )
        .await?;
        tx.execute(
            &format!(
                "DELETE FROM reader_items WHERE user_id = $1 AND item_id <= $2 AND source_id IN
                   (SELECT r.source_id FROM reader_sources r WHERE r.user_id = $1 AND {condition})"
            ),
            &args,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Writes the reader's rows for sources they have none for yet.
    pub(crate) async fn reader_rows(&self, user: UserId) -> Result<()> {
        let client = self.pool.get().await?;
        if rows_missing(&client, user).await? {
            let mut client = client;
            let tx = client.transaction().await?;
            ensure_rows(&tx, user).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The reader's rows for every source, or for `only` these.
    pub(crate) async fn subscriptions_of(
        &self,
        user: UserId,
        only: Option<&[SourceId]>,
    ) -> Result<Vec<Subscription>> {
        self.reader_rows(user).await?;
        let n = super::SOURCE_COLUMN_COUNT;
        let ids: Vec<i64> = only.unwrap_or_default().iter().map(|s| s.0).collect();
        let everything = only.is_none();
        self.query(
            &format!(
                "SELECT {SOURCE_COLUMNS}, r.category_id, c.title, r.title, r.subscribed
                 FROM sources s
                 JOIN reader_sources r ON r.user_id = $1 AND r.source_id = s.id
                 LEFT JOIN reader_categories c ON c.id = r.category_id
                 WHERE $3 OR s.id = ANY($2)
                 ORDER BY lower(COALESCE(r.title, s.title, s.url)), s.id"
            ),
            &[&user.0, &ids, &everything],
        )
        .await?
        .iter()
        .map(|r| {
            let category_id: Option<i64> = r.try_get(n)?;
            let category_title: Option<String> = r.try_get(n + 1)?;
            Ok(Subscription {
                source: source_from_row(r)?,
                category: category_id
                    .zip(category_title)
                    .map(|(id, title)| Category { id, title }),
                title: r.try_get(n + 2)?,
                subscribed: r.try_get(n + 3)?,
            })
        })
        .collect()
    }

    pub(crate) async fn edit_subscription_of(
        &self,
        user: UserId,
        source: SourceId,
        edit: &SubscriptionEdit,
    ) -> Result<bool> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        ensure_rows(&tx, user).await?;
        let exists: bool = tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM reader_sources WHERE user_id = $1 AND source_id = $2)",
                &[&user.0, &source.0],
            )
            .await?
            .try_get(0)?;
        if !exists {
            return Ok(false);
        }
        if let Some(Some(category)) = edit.category {
            let mine: bool = tx
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM reader_categories WHERE id = $1 AND user_id = $2)",
                    &[&category, &user.0],
                )
                .await?
                .try_get(0)?;
            if !mine {
                return Ok(false);
            }
        }
        if let Some(subscribed) = edit.subscribed {
            tx.execute(
                "UPDATE reader_sources SET subscribed = $3 WHERE user_id = $1 AND source_id = $2",
                &[&user.0, &source.0, &subscribed],
            )
            .await?;
        }
        if let Some(category) = edit.category {
            tx.execute(
                "UPDATE reader_sources SET category_id = $3 WHERE user_id = $1 AND source_id = $2",
                &[&user.0, &source.0, &category],
            )
            .await?;
        }
        if let Some(title) = &edit.title {
            tx.execute(
                "UPDATE reader_sources SET title = $3 WHERE user_id = $1 AND source_id = $2",
                &[&user.0, &source.0, title],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub(crate) async fn unread_counts_of(&self, user: UserId) -> Result<Vec<UnreadCount>> {
        self.query(
            &format!(
                "SELECT i.source_id, count(*), max(i.published_at) {READER_FROM}
                 WHERE COALESCE(rs.subscribed, TRUE) AND NOT {READ}
                 GROUP BY i.source_id ORDER BY i.source_id"
            ),
            &[&user.0],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(UnreadCount {
                source: SourceId(r.try_get(0)?),
                count: r.try_get::<_, i64>(1)? as u64,
                newest: r.try_get(2)?,
            })
        })
        .collect()
    }

    pub(crate) async fn categories_of(&self, user: UserId) -> Result<Vec<Category>> {
        self.reader_rows(user).await?;
        self.query(
            "SELECT id, title FROM reader_categories WHERE user_id = $1 ORDER BY lower(title), id",
            &[&user.0],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Category {
                id: r.try_get(0)?,
                title: r.try_get(1)?,
            })
        })
        .collect()
    }

    pub(crate) async fn save_category_of(
        &self,
        user: UserId,
        id: Option<i64>,
        title: &str,
    ) -> Result<Option<i64>> {
        let mut client = self.pool.get().await?;
        let tx = client.transaction().await?;
        let taken: Option<i64> = tx
            .query_opt(
                "SELECT id FROM reader_categories WHERE user_id = $1 AND title = $2",
                &[&user.0, &title],
            )
            .await?
            .map(|r| r.try_get(0))
            .transpose()?;
        if taken.is_some() && taken != id {
            return Err(StoreError::DuplicateCategory(title.to_string()).into());
        }
        let saved = match id {
            None => Some(
                tx.query_one(
                    "INSERT INTO reader_categories (user_id, title) VALUES ($1, $2) RETURNING id",
                    &[&user.0, &title],
                )
                .await?
                .try_get(0)?,
            ),
            Some(id) => {
                let n = tx
                    .execute(
                        "UPDATE reader_categories SET title = $3 WHERE id = $2 AND user_id = $1",
                        &[&user.0, &id, &title],
                    )
                    .await?;
                (n > 0).then_some(id)
            }
        };
        tx.commit().await?;
        Ok(saved)
    }
}

async fn rows_missing(c: &impl GenericClient, user: UserId) -> Result<bool> {
    Ok(c.query_one(
        "SELECT EXISTS (SELECT 1 FROM sources s WHERE NOT EXISTS
           (SELECT 1 FROM reader_sources r WHERE r.user_id = $1 AND r.source_id = s.id))",
        &[&user.0],
    )
    .await?
    .try_get(0)?)
}

/// Writes the reader's rows for sources they have none for yet: in the
/// folder the installation files the source in, else the default one.
async fn ensure_rows(c: &impl GenericClient, user: UserId) -> Result<()> {
    if !rows_missing(c, user).await? {
        return Ok(());
    }
    const FOLDER: &str = "COALESCE(NULLIF(trim(s.category), ''), $2)";
    c.execute(
        &format!(
            "INSERT INTO reader_categories (user_id, title)
             SELECT DISTINCT $1::bigint, {FOLDER} FROM sources s WHERE NOT EXISTS
               (SELECT 1 FROM reader_sources r WHERE r.user_id = $1 AND r.source_id = s.id)
             ON CONFLICT DO NOTHING"
        ),
        &[&user.0, &DEFAULT_CATEGORY],
    )
    .await?;
    c.execute(
        &format!(
            "INSERT INTO reader_sources (user_id, source_id, category_id)
             SELECT $1, s.id, (SELECT id FROM reader_categories c
                               WHERE c.user_id = $1 AND c.title = {FOLDER})
             FROM sources s WHERE NOT EXISTS
               (SELECT 1 FROM reader_sources r WHERE r.user_id = $1 AND r.source_id = s.id)
             ON CONFLICT DO NOTHING"
        ),
        &[&user.0, &DEFAULT_CATEGORY],
    )
    .await?;
    Ok(())
}

/// The newest item id stored at `until` (ids grow as items are stored: a
/// binary search over ids by `created_at`, so no index on `created_at` is
/// kept for it).
async fn id_stored_by(c: &impl GenericClient, until: Option<DateTime<Utc>>) -> Result<i64> {
    let newest: i64 = c
        .query_one("SELECT COALESCE(max(id), 0) FROM items", &[])
        .await?
        .try_get(0)?;
    let Some(until) = until else {
        return Ok(newest);
    };
    let at = c
        .prepare("SELECT id, created_at FROM items WHERE id >= $1 ORDER BY id LIMIT 1")
        .await?;
    let (mut low, mut high) = (0i64, newest + 1);
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        match c.query_opt(&at, &[&mid]).await? {
            Some(r) => {
                let id: i64 = r.try_get(0)?;
                let created: DateTime<Utc> = r.try_get(1)?;
                if created <= until {
                    low = id.min(high - 1).max(mid);
                } else {
                    high = mid;
                }
            }
            None => high = mid,
        }
    }
    Ok(low)
}

/// The condition on `reader_sources` (aliased `r`) for a scope, and its
/// argument (`$3`).
fn scope_condition(scope: Scope) -> (&'static str, Option<i64>) {
    match scope {
        Scope::Subscribed => ("r.subscribed", None),
        Scope::All => ("TRUE", None),
        Scope::Source(s) => ("r.source_id = $3", Some(s.0)),
        Scope::Category(c) => ("r.category_id = $3 AND r.subscribed", Some(c)),
    }
}
