//! Claims and entities on PostgreSQL: written in the filing transaction,
//! read for entity pages, article pages and the claims API.

use super::{PgStore, Result, reader::Args};
use bulletin_core::ItemId;
use bulletin_store::{
    ClaimQuery, ClaimRecord, Entity, EntityKind, EntityRef, EntityRole, ItemClaims, NewSpeaker,
    entity_slug, speaker_keys,
};
use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

/// Replaces the claims of each item with the ones found now, finding or
/// creating their speakers' entities.
pub async fn write(tx: &impl GenericClient, batch: &[ItemClaims]) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let items: Vec<i64> = batch.iter().map(|c| c.item.0).collect();
    tx.execute("DELETE FROM claims WHERE item_id = ANY($1)", &[&items])
        .await?;
    let insert = tx
        .prepare_cached(
            "INSERT INTO claims (item_id, entity_id, speaker_name, source, cue, content, direct,
                                 role, channel, said_from, said_to, said_text, start_at, end_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .await?;
    for item in batch {
        for claim in &item.claims {
            let entity = match &claim.speaker {
                Some(speaker) => Some(entity_for(tx, speaker).await?),
                None => None,
            };
            let speaker_name = claim.speaker.as_ref().map(|s| s.name.as_str());
            let (start, end) = (claim.start as i32, claim.end as i32);
            tx.execute(
                &insert,
                &[
                    &item.item.0,
                    &entity,
                    &speaker_name,
                    &claim.source,
                    &claim.cue,
                    &claim.content,
                    &claim.direct,
                    &claim.role,
                    &claim.channel,
                    &claim.said_from,
                    &claim.said_to,
                    &claim.said_text,
                    &start,
                    &end,
                ],
            )
            .await?;
        }
    }
    Ok(())
}

/// The entity a speaker is: the one its name's key finds; for a name of one
/// word, the one person whose surname it is; else a new one.
async fn entity_for(tx: &impl GenericClient, speaker: &NewSpeaker) -> Result<i64> {
    let (key, surname) = speaker_keys(speaker);
    let kind = speaker.kind.as_str();
    let find = tx
        .prepare_cached(
            "SELECT DISTINCT entity_id FROM entity_keys WHERE key = $1 AND kind = $2 AND weak = $3
             LIMIT 2",
        )
        .await?;
    let strong = tx.query(&find, &[&key, &kind, &false]).await?;
    if let Some(row) = strong.first() {
        return Ok(row.get(0));
    }
    if !key.contains(' ') {
        let weak = tx.query(&find, &[&key, &kind, &true]).await?;
        if let [only] = weak.as_slice() {
            return Ok(only.get(0));
        }
    }
    let slug = entity_slug(&speaker.name);
    let created = tx
        .query_opt(
            "INSERT INTO entities (kind, name, slug) VALUES ($1, $2, $3)
             ON CONFLICT (slug) DO NOTHING RETURNING id",
            &[&kind, &speaker.name, &slug],
        )
        .await?;
    let id: i64 = match created {
        Some(row) => row.get(0),
        // The slug is taken (another entity of the same slug): number it.
        None => tx
            .query_one(
                "INSERT INTO entities (kind, name, slug)
                 VALUES ($1, $2, $3 || '-' || currval(pg_get_serial_sequence('entities', 'id')) + 1)
                 RETURNING id",
                &[&kind, &speaker.name, &slug],
            )
            .await?
            .get(0),
    };
    let add_key = tx
        .prepare_cached(
            "INSERT INTO entity_keys (key, kind, weak, entity_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .await?;
    tx.execute(&add_key, &[&key, &kind, &false, &id]).await?;
    if let Some(surname) = surname {
        tx.execute(&add_key, &[&surname, &kind, &true, &id]).await?;
    }
    Ok(id)
}

const CLAIM_COLUMNS: &str = "c.id, c.item_id, i.title, i.url, i.published_at, f.story_id,
    e.slug, e.name, e.kind, c.source, c.cue, c.content, c.direct, c.role, c.channel,
    c.said_from, c.said_to, c.said_text, c.start_at, c.end_at";

fn claim_from_row(r: &Row) -> ClaimRecord {
    let slug: Option<String> = r.get(6);
    let name: Option<String> = r.get(7);
    let kind: Option<String> = r.get(8);
    let speaker = match (slug, name, kind.as_deref().and_then(EntityKind::parse)) {
        (Some(slug), Some(name), Some(kind)) => Some(EntityRef { slug, name, kind }),
        _ => None,
    };
    ClaimRecord {
        id: r.get(0),
        item: ItemId(r.get(1)),
        item_title: r.get(2),
        item_url: r.get(3),
        published_at: r.get(4),
        story_id: r.get(5),
        speaker,
        source: r.get(9),
        cue: r.get(10),
        content: r.get(11),
        direct: r.get(12),
        role: r.get(13),
        channel: r.get(14),
        said_from: r.get(15),
        said_to: r.get(16),
        said_text: r.get(17),
        start: r.get::<_, i32>(18).max(0) as u32,
        end: r.get::<_, i32>(19).max(0) as u32,
    }
}

/// Claims, newest item first, then in the order of the item's text.
pub async fn read(store: &PgStore, q: &ClaimQuery) -> Result<Vec<ClaimRecord>> {
    let mut sql = format!(
        "SELECT {CLAIM_COLUMNS} FROM claims c JOIN items i ON i.id = c.item_id
         LEFT JOIN entities e ON e.id = c.entity_id
         LEFT JOIN item_stories f ON f.item_id = c.item_id WHERE TRUE"
    );
    let mut args = Args::default();
    if let Some(slug) = &q.speaker {
        let p = args.push(slug.clone());
        sql.push_str(&format!(
            " AND c.entity_id = (SELECT id FROM entities WHERE slug = {p})"
        ));
    }
    if let Some(item) = q.item {
        let p = args.push(item.0);
        sql.push_str(&format!(" AND c.item_id = {p}"));
    }
    if let Some(since) = q.since {
        let p = args.push(since);
        sql.push_str(&format!(" AND i.published_at >= {p}"));
    }
    for word in q.q.iter().flat_map(|q| q.split_whitespace()) {
        let p = args.push(format!("%{}%", like_escaped(word)));
        sql.push_str(&format!(
            " AND (c.content ILIKE {p} OR c.source ILIKE {p} OR c.speaker_name ILIKE {p})"
        ));
    }
    let p = args.push(q.limit.clamp(1, 500) as i64);
    sql.push_str(&format!(
        " ORDER BY i.published_at DESC, i.id DESC, c.start_at LIMIT {p}"
    ));
    let client = store.pool.get().await?;
    let rows = client.query(&sql, &args.refs()).await?;
    Ok(rows.iter().map(claim_from_row).collect())
}

/// `word` with LIKE's wildcards escaped (backslash is PostgreSQL's escape).
fn like_escaped(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// An entity by its slug, with the names articles give it and its roles.
pub async fn entity(store: &PgStore, slug: &str) -> Result<Option<Entity>> {
    let client = store.pool.get().await?;
    let Some(row) = client
        .query_opt(
            "SELECT id, name, kind FROM entities WHERE slug = $1",
            &[&slug],
        )
        .await?
    else {
        return Ok(None);
    };
    let id: i64 = row.get(0);
    let kind: String = row.get(2);
    let aliases = client
        .query(
            "SELECT DISTINCT speaker_name FROM claims
             WHERE entity_id = $1 AND speaker_name IS NOT NULL ORDER BY speaker_name",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let roles = client
        .query(
            "SELECT c.role, MIN(i.published_at), MAX(i.published_at), COUNT(DISTINCT c.item_id)
             FROM claims c JOIN items i ON i.id = c.item_id
             WHERE c.entity_id = $1 AND c.role IS NOT NULL
             GROUP BY c.role ORDER BY MAX(i.published_at) DESC",
            &[&id],
        )
        .await?
        .iter()
        .map(|r| EntityRole {
            role: r.get(0),
            first_seen: r.get(1),
            last_seen: r.get(2),
            items: r.get::<_, i64>(3).max(0) as u64,
        })
        .collect();
    let claims: i64 = client
        .query_one("SELECT COUNT(*) FROM claims WHERE entity_id = $1", &[&id])
        .await?
        .get(0);
    Ok(Some(Entity {
        id,
        slug: slug.to_string(),
        name: row.get(1),
        kind: EntityKind::parse(&kind).unwrap_or(EntityKind::Person),
        aliases,
        roles,
        claims: claims.max(0) as u64,
    }))
}
