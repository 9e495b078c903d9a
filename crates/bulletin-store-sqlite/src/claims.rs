//! Claims and entities on SQLite: written in the filing transaction, read
//! for entity pages, article pages and the claims API.

use super::{Result, from_ms, to_ms};
use bulletin_core::ItemId;
use bulletin_store::{
    ClaimQuery, ClaimRecord, Entity, EntityKind, EntityRef, EntityRole, ItemClaims, NewSpeaker,
    entity_slug, speaker_keys,
};
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

/// Replaces the claims of each item with the ones found now, finding or
/// creating their speakers' entities.
pub fn write(tx: &Transaction<'_>, batch: &[ItemClaims]) -> Result<()> {
    let mut clear = tx.prepare_cached("DELETE FROM claims WHERE item_id = ?1")?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO claims (item_id, entity_id, speaker_name, source, cue, content, direct, role,
                             channel, said_from, said_to, said_text, start_at, end_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?;
    for item in batch {
        clear.execute([item.item.0])?;
        for claim in &item.claims {
            let entity = match &claim.speaker {
                Some(speaker) => Some(entity_for(tx, speaker)?),
                None => None,
            };
            insert.execute(params![
                item.item.0,
                entity,
                claim.speaker.as_ref().map(|s| s.name.as_str()),
                claim.source,
                claim.cue,
                claim.content,
                claim.direct,
                claim.role,
                claim.channel,
                claim.said_from.map(|d| d.to_string()),
                claim.said_to.map(|d| d.to_string()),
                claim.said_text,
                claim.start,
                claim.end,
            ])?;
        }
    }
    Ok(())
}

/// The entity a speaker is: the one its name's key finds; for a name of one
/// word, the one person whose surname it is; else a new one.
fn entity_for(tx: &Transaction<'_>, speaker: &NewSpeaker) -> Result<i64> {
    let (key, surname) = speaker_keys(speaker);
    let kind = speaker.kind.as_str();
    let mut find = tx.prepare_cached(
        "SELECT DISTINCT entity_id FROM entity_keys WHERE key = ?1 AND kind = ?2 AND weak = ?3
         LIMIT 2",
    )?;
    let mut found = |weak: bool| -> Result<Vec<i64>> {
        Ok(find
            .query_map(params![key, kind, weak], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?)
    };
    if let Some(id) = found(false)?.first() {
        return Ok(*id);
    }
    if !key.contains(' ')
        && let [only] = found(true)?.as_slice()
    {
        return Ok(*only);
    }
    let slug = entity_slug(&speaker.name);
    tx.execute(
        "INSERT INTO entities (kind, name, slug) VALUES (?1, ?2, ?3)",
        params![kind, speaker.name, slug],
    )
    .or_else(|_| {
        // The slug is taken (another entity of the same slug): number it.
        tx.execute(
            "INSERT INTO entities (kind, name, slug)
             VALUES (?1, ?2, ?3 || '-' || (SELECT COALESCE(MAX(id), 0) + 1 FROM entities))",
            params![kind, speaker.name, slug],
        )
    })?;
    let id = tx.last_insert_rowid();
    let mut add_key = tx.prepare_cached(
        "INSERT OR IGNORE INTO entity_keys (key, kind, weak, entity_id) VALUES (?1, ?2, ?3, ?4)",
    )?;
    add_key.execute(params![key, kind, false, id])?;
    if let Some(surname) = surname {
        add_key.execute(params![surname, kind, true, id])?;
    }
    Ok(id)
}

const CLAIM_COLUMNS: &str = "c.id, c.item_id, i.title, i.url, i.published_at, f.story_id,
    e.slug, e.name, e.kind, c.source, c.cue, c.content, c.direct, c.role, c.channel,
    c.said_from, c.said_to, c.said_text, c.start_at, c.end_at";

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| t.parse().ok())
}

fn claim_from_row(r: &Row<'_>) -> rusqlite::Result<ClaimRecord> {
    let slug: Option<String> = r.get(6)?;
    let name: Option<String> = r.get(7)?;
    let kind: Option<String> = r.get(8)?;
    let speaker = match (slug, name, kind.as_deref().and_then(EntityKind::parse)) {
        (Some(slug), Some(name), Some(kind)) => Some(EntityRef { slug, name, kind }),
        _ => None,
    };
    Ok(ClaimRecord {
        id: r.get(0)?,
        item: ItemId(r.get(1)?),
        item_title: r.get(2)?,
        item_url: r.get(3)?,
        published_at: from_ms(r.get(4)?),
        story_id: r.get(5)?,
        speaker,
        source: r.get(9)?,
        cue: r.get(10)?,
        content: r.get(11)?,
        direct: r.get(12)?,
        role: r.get(13)?,
        channel: r.get(14)?,
        said_from: date(r.get(15)?),
        said_to: date(r.get(16)?),
        said_text: r.get(17)?,
        start: r.get(18)?,
        end: r.get(19)?,
    })
}

/// Claims, newest item first, then in the order of the item's text.
pub fn read(c: &Connection, q: &ClaimQuery) -> Result<Vec<ClaimRecord>> {
    let mut sql = format!(
        "SELECT {CLAIM_COLUMNS} FROM claims c JOIN items i ON i.id = c.item_id
         LEFT JOIN entities e ON e.id = c.entity_id
         LEFT JOIN item_stories f ON f.item_id = c.item_id WHERE 1"
    );
    let mut args: Vec<Value> = Vec::new();
    if let Some(slug) = &q.speaker {
        args.push(Value::Text(slug.clone()));
        sql.push_str(&format!(
            " AND c.entity_id = (SELECT id FROM entities WHERE slug = ?{})",
            args.len()
        ));
    }
    if let Some(item) = q.item {
        args.push(Value::Integer(item.0));
        sql.push_str(&format!(" AND c.item_id = ?{}", args.len()));
    }
    if let Some(since) = q.since {
        args.push(Value::Integer(to_ms(since)));
        sql.push_str(&format!(" AND i.published_at >= ?{}", args.len()));
    }
    for word in q.q.iter().flat_map(|q| q.split_whitespace()) {
        args.push(Value::Text(format!("%{}%", like_escaped(word))));
        let n = args.len();
        sql.push_str(&format!(
            " AND (c.content LIKE ?{n} ESCAPE '\\' OR c.source LIKE ?{n} ESCAPE '\\'
                   OR c.speaker_name LIKE ?{n} ESCAPE '\\')"
        ));
    }
    // A literal limit (see `limit_sql`).
    sql.push_str(&format!(
        " ORDER BY i.published_at DESC, i.id DESC, c.start_at LIMIT {}",
        q.limit.clamp(1, 500)
    ));
    let mut statement = c.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(args), claim_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// `word` with LIKE's wildcards escaped.
fn like_escaped(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// An entity by its slug, with the names articles give it and its roles.
pub fn entity(c: &Connection, slug: &str) -> Result<Option<Entity>> {
    let found = c
        .prepare_cached("SELECT id, name, kind FROM entities WHERE slug = ?1")?
        .query_row([slug], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    let Some((id, name, kind)) = found else {
        return Ok(None);
    };
    let aliases = c
        .prepare_cached(
            "SELECT DISTINCT speaker_name FROM claims
             WHERE entity_id = ?1 AND speaker_name IS NOT NULL ORDER BY speaker_name",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let roles = c
        .prepare_cached(
            "SELECT c.role, MIN(i.published_at), MAX(i.published_at), COUNT(DISTINCT c.item_id)
             FROM claims c JOIN items i ON i.id = c.item_id
             WHERE c.entity_id = ?1 AND c.role IS NOT NULL
             GROUP BY c.role ORDER BY MAX(i.published_at) DESC",
        )?
        .query_map([id], |r| {
            Ok(EntityRole {
                role: r.get(0)?,
                first_seen: from_ms(r.get(1)?),
                last_seen: from_ms(r.get(2)?),
                items: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let claims: i64 = c.query_row(
        "SELECT COUNT(*) FROM claims WHERE entity_id = ?1",
        [id],
        |r| r.get(0),
    )?;
    Ok(Some(Entity {
        id,
        slug: slug.to_string(),
        name,
        kind: EntityKind::parse(&kind).unwrap_or(EntityKind::Person),
        aliases,
        roles,
        claims: claims.max(0) as u64,
    }))
}
