//! Attributed claims as the store keeps them: who said what in which item,
//! and the entities (people, organisations, places) who said it, merged across
//! articles by their names.

use bulletin_core::ItemId;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// What an entity is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    Person,
    Organisation,
    /// A country or city speaking for its government.
    Place,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organisation => "organisation",
            EntityKind::Place => "place",
        }
    }

    pub fn parse(s: &str) -> Option<EntityKind> {
        match s {
            "person" => Some(EntityKind::Person),
            "organisation" => Some(EntityKind::Organisation),
            "place" => Some(EntityKind::Place),
            _ => None,
        }
    }
}

/// Who said it, as an article names them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSpeaker {
    pub kind: EntityKind,
    pub name: String,
}

/// A claim found in an item, to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub speaker: Option<NewSpeaker>,
    /// The source's words ("head of Ukraine's Foreign Intelligence Service
    /// Oleh Ivashchenko", "he").
    pub source: Option<String>,
    pub cue: String,
    pub content: String,
    pub direct: bool,
    /// What the article calls the speaker.
    pub role: Option<String>,
    pub channel: Option<String>,
    /// The days it was said in, when the article says.
    pub said_from: Option<NaiveDate>,
    pub said_to: Option<NaiveDate>,
    /// The words that say when ("on Monday").
    pub said_text: Option<String>,
    /// Character offsets of the content in the item's text.
    pub start: u32,
    pub end: u32,
}

/// The claims of one item: they replace whatever it had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemClaims {
    pub item: ItemId,
    pub claims: Vec<NewClaim>,
}

/// An entity as a claim names it: enough for a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityRef {
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
}

/// A stored claim, with the item it is in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClaimRecord {
    pub id: i64,
    pub item: ItemId,
    pub item_title: Option<String>,
    pub item_url: Option<String>,
    pub published_at: DateTime<Utc>,
    pub story_id: Option<i64>,
    pub speaker: Option<EntityRef>,
    pub source: Option<String>,
    pub cue: String,
    pub content: String,
    pub direct: bool,
    pub role: Option<String>,
    pub channel: Option<String>,
    pub said_from: Option<NaiveDate>,
    pub said_to: Option<NaiveDate>,
    pub said_text: Option<String>,
    pub start: u32,
    pub end: u32,
}

/// A role an entity is given, and over which articles' dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityRole {
    pub role: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub items: u64,
}

/// An entity, with the names it goes by and the roles articles give it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entity {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    pub aliases: Vec<String>,
    pub roles: Vec<EntityRole>,
    pub claims: u64,
}

/// Which claims to read, newest item first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimQuery {
    /// An entity's slug.
    pub speaker: Option<String>,
    pub item: Option<ItemId>,
    /// Words the content or the source must hold (case-insensitive).
    pub q: Option<String>,
    /// Items published at or after this.
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

impl ClaimQuery {
    /// Every claim of one item (as many as a query returns).
    pub fn of_item(item: ItemId) -> ClaimQuery {
        ClaimQuery {
            item: Some(item),
            limit: usize::MAX,
            ..Default::default()
        }
    }
}

/// The claims of one item in the order of its text.
pub fn in_text_order(mut claims: Vec<ClaimRecord>) -> Vec<ClaimRecord> {
    claims.sort_by_key(|c| c.start);
    claims
}

/// The name's key for matching: lowercase, spaces single, a leading "the"
/// and a possessive dropped ("The Washington Post" = "Washington Post").
pub fn entity_key(name: &str) -> String {
    let lower = name.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let words = match words.first() {
        Some(&"the") if words.len() > 1 => &words[1..],
        _ => &words[..],
    };
    words
        .join(" ")
        .trim_end_matches("’s")
        .trim_end_matches("'s")
        .to_string()
}

/// The keys a speaker is stored under: its whole name's, and for a person
/// named in two words or more, the surname's (a weak key: an article that
/// says only "Ivashchenko" means the one Ivashchenko known, if there is
/// one).
pub fn speaker_keys(speaker: &NewSpeaker) -> (String, Option<String>) {
    let key = entity_key(&speaker.name);
    let surname = match speaker.kind {
        EntityKind::Person => key
            .rsplit_once(' ')
            .map(|(_, last)| last.to_string())
            .filter(|last| last.chars().count() > 1),
        EntityKind::Organisation | EntityKind::Place => None,
    };
    (key, surname)
}

/// A URL slug for a name: lowercase letters and digits joined by `-`.
pub fn entity_slug(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "entity".to_string()
    } else {
        slug.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_the_or_a_possessive_and_slugs_are_plain() {
        assert_eq!(entity_key("The Washington  Post"), "washington post");
        assert_eq!(entity_key("Kremlin's"), "kremlin");
        assert_eq!(entity_slug("Oleh Ivashchenko"), "oleh-ivashchenko");
        assert_eq!(
            entity_slug("U.S. Defense Intelligence Agency"),
            "u-s-defense-intelligence-agency"
        );
        assert_eq!(entity_slug("Ζελένσκι"), "ζελένσκι");
        assert_eq!(entity_slug("!!"), "entity");
        let person = NewSpeaker {
            kind: EntityKind::Person,
            name: "Oleh Ivashchenko".into(),
        };
        assert_eq!(
            speaker_keys(&person),
            ("oleh ivashchenko".into(), Some("ivashchenko".into()))
        );
        let agency = NewSpeaker {
            kind: EntityKind::Organisation,
            name: "The Kremlin".into(),
        };
        assert_eq!(speaker_keys(&agency), ("kremlin".into(), None));
    }
}
