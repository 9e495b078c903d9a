use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_newtype {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    };
}

id_newtype!(
    /// A subscribed source (one feed).
    SourceId
);
id_newtype!(
    /// A stored item (an article or a short update).
    ItemId
);

/// What an item is: a full article with a headline, or a short update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    #[default]
    Article,
    Update,
}

impl ItemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Article => "article",
            ItemKind::Update => "update",
        }
    }

    pub fn parse(s: &str) -> ItemKind {
        if s == "update" {
            ItemKind::Update
        } else {
            ItemKind::Article
        }
    }
}

/// Who is credited with an item: a person, or an organisation (a news
/// agency, the publication) as in "By Ana Ruiz and Li Wei, Reuters".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Author {
    pub name: String,
    /// Written out only for organisations: `"kind": "organization"`.
    #[serde(default, skip_serializing_if = "AuthorKind::is_person")]
    pub kind: AuthorKind,
    pub role: Option<String>,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub url: Option<String>,
    /// As a feed gives it (Atom `email`, RSS "mail (Name)"); not kept with
    /// stored items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Author {
    pub fn named(name: impl Into<String>) -> Author {
        Author {
            name: name.into(),
            ..Author::default()
        }
    }

    pub fn organization(name: impl Into<String>) -> Author {
        Author {
            name: name.into(),
            kind: AuthorKind::Organization,
            ..Author::default()
        }
    }

    pub fn is_person(&self) -> bool {
        self.kind.is_person()
    }
}

/// Whether an author is a person or an organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AuthorKind {
    #[default]
    Person,
    Organization,
}

impl AuthorKind {
    pub fn is_person(&self) -> bool {
        *self == AuthorKind::Person
    }
}

/// A picture with what it shows and who took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Image {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// One story, cleaned: the output of extraction and the shape of the
/// `Article` JSON contract. Unknown values are `None` or empty, never invented.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Article {
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub title: Option<String>,
    pub site_name: Option<String>,
    pub lang: Option<String>,
    /// When it was published, with the offset the page gave.
    pub published_at: Option<DateTime<FixedOffset>>,
    pub modified_at: Option<DateTime<FixedOffset>>,
    pub authors: Vec<Author>,
    pub lead_image: Option<Image>,
    pub summary: Option<String>,
    /// The body as plain text, paragraphs separated by blank lines.
    pub text: String,
    /// The body as sanitized HTML.
    pub html: String,
    pub word_count: usize,
    pub reading_time_minutes: u32,
    /// Other articles the page's teasers point to ("Read also", "Related").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<RelatedLink>,
}

/// A link to another article, with its headline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct RelatedLink {
    pub title: String,
    pub url: String,
}

/// One entry of a parsed feed, normalized across RSS, Atom and JSON Feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FeedEntry {
    /// The entry's own identifier (`guid`, `id`), when it has one.
    pub id: Option<String>,
    pub title: Option<String>,
    pub link: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<Author>,
    /// The base URL the document declares (`xml:base`) for the entry's HTML,
    /// when it declares one: its relative links are relative to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    /// The entry's language (`xml:lang`, `dc:language`), or the feed's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// A short description (HTML as the feed gave it, not yet sanitized).
    pub summary: Option<String>,
    /// The full content (HTML as the feed gave it, not yet sanitized).
    pub content: Option<String>,
    pub categories: Vec<String>,
    pub image: Option<Image>,
    pub enclosures: Vec<Enclosure>,
}

/// A file attached to a feed entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Enclosure {
    pub url: String,
    pub mime_type: Option<String>,
    pub length: Option<u64>,
}

/// A parsed feed document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Feed {
    pub kind: FeedKind,
    /// The format's version as Universal Feed Parser names it: `rss20`,
    /// `rss091u`, `rss10`, `rss090`, `atom10`, `atom03`, `json11`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The feed's own identifier (Atom `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: Option<String>,
    /// The website the feed belongs to.
    pub link: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub updated: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<DateTime<Utc>>,
    pub authors: Vec<Author>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Minutes the publisher asks readers to wait between polls (`ttl`).
    pub ttl_minutes: Option<u32>,
    /// The feed's own address, as it states it (`rel="self"`, `feed_url`):
    /// the topic a WebSub hub knows it by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_url: Option<String>,
    /// WebSub hubs that push the feed's updates (`rel="hub"`, `hubs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hubs: Vec<String>,
    pub entries: Vec<FeedEntry>,
    /// Why the document is not well-formed, when it is not (what was
    /// recoverable is still in `entries`), like Universal Feed Parser's `bozo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub malformed: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FeedKind {
    #[default]
    Rss,
    Atom,
    Rdf,
    JsonFeed,
}
