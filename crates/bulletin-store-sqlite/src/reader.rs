//! Each reader's state on SQLite (see `bulletin_store::reader`): the
//! statements behind the `Store` trait's reader methods.

use super::{Result, fill_duplicates, from_ms, fts_query, items_by_id, source_from_row, to_ms};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{
    COPIES_LISTED, Category, DEFAULT_CATEGORY, ReadFilter, ReaderItem, ReaderOrder, ReaderQuery,
    ReaderRef, Scope, StoreError, Subscription, SubscriptionEdit, UnreadCount, UserId,
};
use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

/// Whether an item (`i`, with its reader rows `rs` and `ri`) is read.
const READ: &str = "COALESCE(ri.read, i.id <= COALESCE(rs.read_through, 0))";

/// The rows one reader's listing reads.
fn reader_from(user: UserId) -> String {
    format!(
        "FROM items i
         LEFT JOIN reader_sources rs ON rs.user_id = {u} AND rs.source_id = i.source_id
         LEFT JOIN reader_items ri ON ri.user_id = {u} AND ri.item_id = i.id",
        u = user.0
    )
}

/// The query's conditions, appended to `sql` with their arguments.
fn push_conditions(sql: &mut String, args: &mut Vec<Value>, q: &ReaderQuery) -> Result<bool> {
    let u = q.user.0;
    sql.push_str(" WHERE 1");
    match q.scope {
        Scope::Subscribed => sql.push_str(" AND COALESCE(rs.subscribed, 1) = 1"),
        Scope::All => {}
        Scope::Source(s) => {
            sql.push_str(" AND i.source_id = ?");
            args.push(s.0.into());
        }
        Scope::Category(c) => {
            sql.push_str(" AND rs.category_id = ? AND rs.subscribed = 1");
            args.push(c.into());
        }
    }
    match q.status {
        ReadFilter::Any => {}
        ReadFilter::Unread => sql.push_str(&format!(" AND {READ} = 0")),
        ReadFilter::Read => sql.push_str(&format!(" AND {READ} = 1")),
    }
    match q.starred {
        None => {}
        Some(true) => sql.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM stars WHERE user_id = {u})"
        )),
        Some(false) => sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM stars st WHERE st.user_id = {u} AND st.item_id = i.id)"
        )),
    }
    if let Some(label) = &q.label {
        sql.push_str(&format!(
            " AND i.id IN (SELECT item_id FROM item_labels WHERE user_id = {u} AND label = ?)"
        ));
        args.push(label.clone().into());
    }
    if let Some(ids) = &q.ids {
        if ids.is_empty() {
            return Ok(false);
        }
        sql.push_str(" AND i.id IN (");
        sql.push_str(&vec!["?"; ids.len()].join(","));
        sql.push(')');
        args.extend(ids.iter().map(|i| Value::from(i.0)));
    }
    if let Some(id) = q.after_id {
        sql.push_str(" AND i.id > ?");
        args.push(id.0.into());
    }
    if let Some(id) = q.before_id {
        sql.push_str(" AND i.id < ?");
        args.push(id.0.into());
    }
    if let Some(t) = q.published_after {
        sql.push_str(" AND i.published_at > ?");
        args.push(to_ms(t).into());
    }
    if let Some(t) = q.published_before {
        sql.push_str(" AND i.published_at < ?");
        args.push(to_ms(t).into());
    }
    if let Some(words) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let Some((fts, _)) = fts_query(words) else {
            return Ok(false);
        };
        sql.push_str(" AND i.id IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)");
        args.push(fts.into());
    }
    Ok(true)
}

fn push_order(sql: &mut String, args: &mut Vec<Value>, q: &ReaderQuery) {
    let dir = if q.ascending { "ASC" } else { "DESC" };
    match q.order {
        ReaderOrder::Published => {
            sql.push_str(&format!(" ORDER BY i.published_at {dir}, i.id {dir}"));
        }
        ReaderOrder::Id => sql.push_str(&format!(" ORDER BY i.id {dir}")),
    }
    // A literal limit (see `limit_sql`); the offset stays bound.
    let limit = if q.limit == 0 {
        -1
    } else {
        crate::limit_sql(q.limit)
    };
    sql.push_str(&format!(" LIMIT {limit} OFFSET ?"));
    args.push((q.offset as i64).into());
}

/// (id, source, published, read, starred) of the query's items, in order.
type StateRow = (i64, i64, i64, bool, bool);

fn state_rows(c: &Connection, q: &ReaderQuery) -> Result<Vec<StateRow>> {
    let mut sql = format!(
        "SELECT i.id, i.source_id, i.published_at, {READ},
                EXISTS (SELECT 1 FROM stars st WHERE st.user_id = {u} AND st.item_id = i.id) {from}",
        u = q.user.0,
        from = reader_from(q.user)
    );
    let mut args = Vec::new();
    if !push_conditions(&mut sql, &mut args, q)? {
        return Ok(Vec::new());
    }
    push_order(&mut sql, &mut args, q);
    let mut stmt = c.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<Result<Vec<StateRow>, _>>()?;
    Ok(rows)
}

pub fn items(c: &Connection, q: &ReaderQuery) -> Result<Vec<ReaderItem>> {
    let rows = state_rows(c, q)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut items = items_by_id(c, &ids, q.include_content)?;
    fill_duplicates(c, &mut items, Some(COPIES_LISTED))?;
    let labels = labels_of(c, q.user, &ids)?;
    let state = rows.iter().map(|r| (r.0, (r.3, r.4))).collect();
    Ok(bulletin_store::with_reader_state(items, &state, labels))
}

fn labels_of(
    c: &Connection,
    user: UserId,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<String>>> {
    let mut out: std::collections::HashMap<i64, Vec<String>> = Default::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut stmt = c.prepare_cached(&format!(
        "SELECT item_id, label FROM item_labels INDEXED BY item_labels_by_item
         WHERE user_id = ? AND item_id IN ({}) ORDER BY label",
        vec!["?"; ids.len()].join(",")
    ))?;
    let args = std::iter::once(user.0).chain(ids.iter().copied());
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_default().push(r.get(1)?);
    }
    Ok(out)
}

pub fn refs(c: &Connection, q: &ReaderQuery) -> Result<Vec<ReaderRef>> {
    Ok(state_rows(c, q)?
        .into_iter()
        .map(|(id, source, published, read, starred)| ReaderRef {
            id: ItemId(id),
            source: SourceId(source),
            published_at: from_ms(published),
            read,
            starred,
        })
        .collect())
}

pub fn count(c: &Connection, q: &ReaderQuery) -> Result<u64> {
    let mut sql = format!("SELECT count(*) {}", reader_from(q.user));
    let mut args = Vec::new();
    if !push_conditions(&mut sql, &mut args, q)? {
        return Ok(0);
    }
    let n: i64 = c
        .prepare_cached(&sql)?
        .query_row(rusqlite::params_from_iter(args), |r| r.get(0))?;
    Ok(n as u64)
}

/// Of `items`, the ids that exist, with their sources.
fn existing(c: &Connection, items: &[ItemId]) -> Result<Vec<(i64, i64)>> {
    let mut stmt = c.prepare_cached("SELECT id, source_id FROM items WHERE id = ?1")?;
    let mut found = Vec::with_capacity(items.len());
    for id in items {
        if let Some(row) = stmt
            .query_row([id.0], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
        {
            found.push(row);
        }
    }
    Ok(found)
}

pub fn set_read(c: &mut Connection, user: UserId, items: &[ItemId], read: bool) -> Result<u64> {
    let tx = c.transaction()?;
    let found = existing(&tx, items)?;
    {
        let mut stmt = tx.prepare_cached(
            "INSERT INTO reader_items (user_id, item_id, source_id, read) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (user_id, item_id) DO UPDATE SET read = excluded.read",
        )?;
        for (id, source) in &found {
            stmt.execute(params![user.0, id, source, read])?;
        }
    }
    tx.commit()?;
    Ok(found.len() as u64)
}

pub fn set_starred(
    c: &mut Connection,
    user: UserId,
    items: &[ItemId],
    starred: bool,
) -> Result<u64> {
    let tx = c.transaction()?;
    let found = existing(&tx, items)?;
    {
        let now = to_ms(Utc::now());
        let mut star = tx.prepare_cached(
            "INSERT INTO stars (user_id, item_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?;
        let mut unstar =
            tx.prepare_cached("DELETE FROM stars WHERE user_id = ?1 AND item_id = ?2")?;
        for (id, _) in &found {
            if starred {
                star.execute(params![user.0, id, now])?;
            } else {
                unstar.execute(params![user.0, id])?;
            }
        }
    }
    tx.commit()?;
    Ok(found.len() as u64)
}

pub fn set_label(
    c: &mut Connection,
    user: UserId,
    items: &[ItemId],
    label: &str,
    on: bool,
) -> Result<()> {
    let tx = c.transaction()?;
    let found = existing(&tx, items)?;
    {
        let mut add = tx.prepare_cached(
            "INSERT INTO item_labels (user_id, item_id, label) VALUES (?1, ?2, ?3)
             ON CONFLICT DO NOTHING",
        )?;
        let mut remove = tx.prepare_cached(
            "DELETE FROM item_labels WHERE user_id = ?1 AND item_id = ?2 AND label = ?3",
        )?;
        for (id, _) in &found {
            if on {
                add.execute(params![user.0, id, label])?;
            } else {
                remove.execute(params![user.0, id, label])?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

pub fn labels(c: &Connection, user: UserId) -> Result<Vec<(String, u64)>> {
    let mut stmt = c.prepare_cached(
        "SELECT label, count(*) FROM item_labels WHERE user_id = ?1 GROUP BY label ORDER BY label",
    )?;
    let rows = stmt
        .query_map([user.0], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn rename_label(c: &mut Connection, user: UserId, from: &str, to: &str) -> Result<bool> {
    let tx = c.transaction()?;
    // An item that has both keeps one.
    tx.execute(
        "DELETE FROM item_labels WHERE user_id = ?1 AND label = ?2
           AND item_id IN (SELECT item_id FROM item_labels WHERE user_id = ?1 AND label = ?3)",
        params![user.0, from, to],
    )?;
    let n = tx.execute(
        "UPDATE item_labels SET label = ?3 WHERE user_id = ?1 AND label = ?2",
        params![user.0, from, to],
    )?;
    tx.commit()?;
    Ok(n > 0)
}

/// Writes the reader's rows for sources they have none for yet: in the
/// folder the installation files the source in, else the default one.
/// Cheap when there is nothing to write (a check of the sources).
fn ensure_rows(c: &Connection, user: UserId) -> Result<()> {
    if !rows_missing(c, user)? {
        return Ok(());
    }
    const FOLDER: &str = "COALESCE(NULLIF(trim(s.category), ''), ?2)";
    c.execute(
        &format!(
            "INSERT INTO reader_categories (user_id, title)
             SELECT DISTINCT ?1, {FOLDER} FROM sources s WHERE NOT EXISTS
               (SELECT 1 FROM reader_sources r WHERE r.user_id = ?1 AND r.source_id = s.id)
             ON CONFLICT DO NOTHING"
        ),
        params![user.0, DEFAULT_CATEGORY],
    )?;
    c.execute(
        &format!(
            "INSERT INTO reader_sources (user_id, source_id, category_id)
             SELECT ?1, s.id, (SELECT id FROM reader_categories c
                               WHERE c.user_id = ?1 AND c.title = {FOLDER})
             FROM sources s WHERE NOT EXISTS
               (SELECT 1 FROM reader_sources r WHERE r.user_id = ?1 AND r.source_id = s.id)"
        ),
        params![user.0, DEFAULT_CATEGORY],
    )?;
    Ok(())
}

/// Whether the reader's rows need writing (read on a reader connection,
/// so the writer is only taken when they do).
pub fn rows_missing(c: &Connection, user: UserId) -> Result<bool> {
    Ok(c.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM sources s WHERE NOT EXISTS
           (SELECT 1 FROM reader_sources r WHERE r.user_id = ?1 AND r.source_id = s.id))",
    )?
    .query_row([user.0], |r| r.get(0))?)
}

pub fn write_rows(c: &mut Connection, user: UserId) -> Result<()> {
    let tx = c.transaction()?;
    ensure_rows(&tx, user)?;
    tx.commit()?;
    Ok(())
}

/// The newest item id stored at `until` (ids grow as items are stored: a
/// binary search over ids by `created_at`, about twenty lookups, so no
/// index on `created_at` is kept for it).
fn id_stored_by(c: &Connection, until: Option<DateTime<Utc>>) -> Result<i64> {
    let newest: i64 = c.query_row("SELECT COALESCE(max(id), 0) FROM items", [], |r| r.get(0))?;
    let Some(until) = until else {
        return Ok(newest);
    };
    let until = to_ms(until);
    let mut at =
        c.prepare_cached("SELECT id, created_at FROM items WHERE id >= ?1 ORDER BY id LIMIT 1")?;
    // Invariant: items up to `low` were stored by `until`; the item at or
    // after `high` was not.
    let (mut low, mut high) = (0i64, newest + 1);
    while high - low > 1 {
        let mid = low + (high - low) / 2;
        match at
            .query_row([mid], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .optional()?
        {
            Some((id, created)) if created <= until => low = id.min(high - 1).max(mid),
            Some(_) | None => high = mid,
        }
    }
    Ok(low)
}

/// The condition on `reader_sources` (aliased `r`) for a scope.
fn scope_condition(scope: Scope) -> (String, Option<i64>) {
    match scope {
        Scope::Subscribed => ("r.subscribed = 1".into(), None),
        Scope::All => ("1".into(), None),
        Scope::Source(s) => ("r.source_id = ?3".into(), Some(s.0)),
        Scope::Category(c) => ("r.category_id = ?3 AND r.subscribed = 1".into(), Some(c)),
    }
}

pub fn mark_all_read(
    c: &mut Connection,
    user: UserId,
    scope: Scope,
    until: Option<DateTime<Utc>>,
) -> Result<()> {
    let tx = c.transaction()?;
    ensure_rows(&tx, user)?;
    let bound = id_stored_by(&tx, until)?;
    let (condition, arg) = scope_condition(scope);
    let mut args: Vec<Value> = vec![user.0.into(), bound.into()];
    args.extend(arg.map(Value::from));
    tx.execute(
        &format!(
            "UPDATE reader_sources AS r SET read_through = max(read_through, ?2)
             WHERE r.user_id = ?1 AND {condition}"
        ),
        rusqlite::params_from_iter(&args),
    )?;
    tx.execute(
        &format!(
            "DELETE FROM reader_items WHERE user_id = ?1 AND item_id <= ?2 AND source_id IN
               (SELECT r.source_id FROM reader_sources r WHERE r.user_id = ?1 AND {condition})"
        ),
        rusqlite::params_from_iter(&args),
    )?;
    tx.commit()?;
    Ok(())
}

/// The reader's rows for every source, or for `only` these.
pub fn subscriptions(
    c: &Connection,
    user: UserId,
    only: Option<&[SourceId]>,
) -> Result<Vec<Subscription>> {
    let mut args: Vec<Value> = vec![user.0.into()];
    let filter = match only {
        Some(ids) => {
            args.extend(ids.iter().map(|i| Value::from(i.0)));
            format!("WHERE s.id IN ({})", vec!["?"; ids.len()].join(","))
        }
        None => String::new(),
    };
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {cols}, r.category_id, c.title, r.title, r.subscribed
         FROM sources s
         JOIN reader_sources r ON r.user_id = ? AND r.source_id = s.id
         LEFT JOIN reader_categories c ON c.id = r.category_id {filter}
         ORDER BY lower(COALESCE(r.title, s.title, s.url)), s.id",
        cols = super::SOURCE_COLUMNS
    ))?;
    let n = super::SOURCE_COLUMN_COUNT;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            let category_id: Option<i64> = r.get(n)?;
            let category_title: Option<String> = r.get(n + 1)?;
            Ok(Subscription {
                source: source_from_row(r)?,
                category: category_id
                    .zip(category_title)
                    .map(|(id, title)| Category { id, title }),
                title: r.get(n + 2)?,
                subscribed: r.get(n + 3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn edit_subscription(
    c: &mut Connection,
    user: UserId,
    source: SourceId,
    edit: &SubscriptionEdit,
) -> Result<bool> {
    let tx = c.transaction()?;
    ensure_rows(&tx, user)?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM reader_sources WHERE user_id = ?1 AND source_id = ?2)",
        params![user.0, source.0],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(false);
    }
    if let Some(Some(category)) = edit.category {
        let mine: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM reader_categories WHERE id = ?1 AND user_id = ?2)",
            params![category, user.0],
            |r| r.get(0),
        )?;
        if !mine {
            return Ok(false);
        }
    }
    if let Some(subscribed) = edit.subscribed {
        tx.execute(
            "UPDATE reader_sources SET subscribed = ?3 WHERE user_id = ?1 AND source_id = ?2",
            params![user.0, source.0, subscribed],
        )?;
    }
    if let Some(category) = edit.category {
        tx.execute(
            "UPDATE reader_sources SET category_id = ?3 WHERE user_id = ?1 AND source_id = ?2",
            params![user.0, source.0, category],
        )?;
    }
    if let Some(title) = &edit.title {
        tx.execute(
            "UPDATE reader_sources SET title = ?3 WHERE user_id = ?1 AND source_id = ?2",
            params![user.0, source.0, title],
        )?;
    }
    tx.commit()?;
    Ok(true)
}

pub fn unread_counts(c: &Connection, user: UserId) -> Result<Vec<UnreadCount>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT i.source_id, count(*), max(i.published_at) {from}
         WHERE COALESCE(rs.subscribed, 1) = 1 AND {READ} = 0
         GROUP BY i.source_id ORDER BY i.source_id",
        from = reader_from(user)
    ))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(UnreadCount {
                source: SourceId(r.get(0)?),
                count: r.get::<_, i64>(1)? as u64,
                newest: r.get::<_, Option<i64>>(2)?.map(from_ms),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn categories(c: &Connection, user: UserId) -> Result<Vec<Category>> {
    let mut stmt = c.prepare_cached(
        "SELECT id, title FROM reader_categories WHERE user_id = ?1 ORDER BY lower(title), id",
    )?;
    let rows = stmt
        .query_map([user.0], |r| {
            Ok(Category {
                id: r.get(0)?,
                title: r.get(1)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn save_category(
    c: &mut Connection,
    user: UserId,
    id: Option<i64>,
    title: &str,
) -> Result<Option<i64>> {
    let tx = c.transaction()?;
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM reader_categories WHERE user_id = ?1 AND title = ?2",
            params![user.0, title],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() && taken != id {
        return Err(StoreError::DuplicateCategory(title.to_string()).into());
    }
    let saved = match id {
        None => {
            tx.execute(
                "INSERT INTO reader_categories (user_id, title) VALUES (?1, ?2)",
                params![user.0, title],
            )?;
            Some(tx.last_insert_rowid())
        }
        Some(id) => {
            let n = tx.execute(
                "UPDATE reader_categories SET title = ?3 WHERE id = ?2 AND user_id = ?1",
                params![user.0, id, title],
            )?;
            (n > 0).then_some(id)
        }
    };
    tx.commit()?;
    Ok(saved)
}

pub fn remove_category(c: &mut Connection, user: UserId, id: i64) -> Result<bool> {
    let n = c.execute(
        "DELETE FROM reader_categories WHERE id = ?1 AND user_id = ?2",
        params![id, user.0],
    )?;
    Ok(n > 0)
}
