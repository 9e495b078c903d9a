//! Export and import: the whole database as JSON lines, so an installation
//! moves between databases (SQLite to PostgreSQL) with nothing lost.
//!
//! The file is one JSON object a line: a header (`"type": "bulletin_export"`,
//! with the format version), then every account (`"type": "user"`, without
//! its password hash), every source (`"type": "source"`, as `source list
//! --json` shows it), every editor's post (`"type": "post"`), every star
//! (`"type": "star"`), then every item (`"type": "item"`: the source's id in
//! the file, when it was stored, and all its fields, content included).
//! Posts and stars come before items so that the import knows which items
//! it must find again. Importing skips accounts whose name is taken, sources
//! whose URL is already subscribed (their items join the existing source)
//! and items already stored, so an import can be run again after an
//! interruption. Imported accounts have no password until one is set.

use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ExportedItem, NewUser, Post, Source, Store, StoreError, User, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, Write};

/// The version of the file format this build writes and reads.
const FORMAT: u32 = 1;
/// Items read from the database, or written to it, at a time.
const BATCH: usize = 500;
/// What an imported account's password hash is until one is set: no
/// password verifies against it.
const NO_PASSWORD: &str = "!";

#[derive(Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Record {
    BulletinExport {
        format: u32,
        exported_at: DateTime<Utc>,
    },
    User(User),
    Source(Source),
    Post(Post),
    Star {
        user: UserId,
        item: ItemId,
    },
    Item(ExportedItem),
}

/// Why an export or import stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    #[error("cannot read line {line}: {source}")]
    Read { line: usize, source: std::io::Error },
    #[error("cannot write the export: {0}")]
    Write(#[from] std::io::Error),
    #[error(
        "line {line} is not a Bulletin export record ({reason}); was the file made by `bulletin export`?"
    )]
    NotARecord { line: usize, reason: String },
    #[error(
        "the file is in export format {0}, newer than this build reads ({FORMAT}); update bulletin"
    )]
    NewerFormat(u32),
    #[error("line {0}: the file does not start with a Bulletin export header")]
    NoHeader(usize),
    #[error("the file is empty: nothing to import")]
    Empty,
    #[error(
        "line {line}: the item belongs to source {file_source}, which the file does not list before it"
    )]
    UnknownSource { line: usize, file_source: SourceId },
    #[error("a post names user {0}, whom the file does not list")]
    UnknownAuthor(UserId),
    #[error("line {line}: {what}: {error}")]
    Record {
        line: usize,
        what: String,
        error: StoreError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub users: usize,
    pub sources: usize,
    pub posts: usize,
    pub items: u64,
}

/// Writes every account, source, post, star and item to `out`. `progress`
/// is told the number of items written so far and the total.
pub async fn export(
    store: &dyn Store,
    out: &mut impl Write,
    mut progress: impl FnMut(u64, u64),
) -> Result<Exported, TransferError> {
    let mut done = Exported::default();
    write_line(
        out,
        &Record::BulletinExport {
            format: FORMAT,
            exported_at: Utc::now(),
        },
    )?;
    for user in store.users().await? {
        write_line(out, &Record::User(user))?;
        done.users += 1;
    }
    for source in store.sources().await? {
        write_line(out, &Record::Source(source))?;
        done.sources += 1;
    }
    for post in store.posts(usize::MAX).await?.into_iter().rev() {
        write_line(out, &Record::Post(post))?;
        done.posts += 1;
    }
    for (user, item) in store.stars().await? {
        write_line(out, &Record::Star { user, item })?;
    }
    let total = store.item_count().await?;
    let mut after = ItemId(0);
    loop {
        let batch = store.export_items(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for item in batch {
            write_line(out, &Record::Item(item))?;
            done.items += 1;
        }
        progress(done.items, total);
    }
    out.flush()?;
    Ok(done)
}

fn write_line(out: &mut impl Write, record: &Record) -> Result<(), TransferError> {
    serde_json::to_writer(&mut *out, record).map_err(std::io::Error::from)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// What an import added, and what it found already there.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub users: usize,
    pub sources: usize,
    /// Sources already subscribed (their items joined them).
    pub sources_known: usize,
    pub posts: usize,
    pub stars: usize,
    pub items: usize,
    /// Items read from the file, added or already stored.
    pub items_read: usize,
}

impl std::fmt::Display for Imported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "imported {} users, {} sources ({} already subscribed), {} posts, {} stars and {} items ({} already stored)",
            self.users,
            self.sources,
            self.sources_known,
            self.posts,
            self.stars,
            self.items,
            self.items_read - self.items
        )
    }
}

/// Reads an export into `store`. `progress` is told the number of items
/// read so far.
pub async fn import(
    store: &dyn Store,
    input: impl BufRead,
    mut progress: impl FnMut(usize),
) -> Result<Imported, TransferError> {
    let mut import = Import::new(store);
    for (n, line) in input.lines().enumerate() {
        let line_no = n + 1;
        let line = line.map_err(|source| TransferError::Read {
            line: line_no,
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record =
            serde_json::from_str(&line).map_err(|e| TransferError::NotARecord {
                line: line_no,
                reason: e.to_string(),
            })?;
        if import.record(line_no, record).await? {
            progress(import.done.items_read);
        }
    }
    import.finish().await
}

/// An import under way: the ids the file's records had, mapped to the ids
/// they have here.
struct Import<'a> {
    store: &'a dyn Store,
    header_seen: bool,
    done: Imported,
    sources: HashMap<SourceId, SourceId>,
    users: HashMap<UserId, UserId>,
    /// Items are stored in the file's order (so ties in the feed's order
    /// stay as they were), a run of one source's items at a time.
    run: Option<(SourceId, Vec<ExportedItem>)>,
    /// Posts and stars name items by their old ids: those items are looked
    /// up again (by source and GUID) once all items are in.
    posts: Vec<Post>,
    stars: Vec<(UserId, ItemId)>,
    wanted: HashMap<ItemId, Option<(SourceId, String)>>,
}

impl<'a> Import<'a> {
    fn new(store: &'a dyn Store) -> Import<'a> {
        Import {
            store,
            header_seen: false,
            done: Imported::default(),
            sources: HashMap::new(),
            users: HashMap::new(),
            run: None,
            posts: Vec::new(),
            stars: Vec::new(),
            wanted: HashMap::new(),
        }
    }

    /// Takes one record; true when it stored a run of items.
    async fn record(&mut self, line: usize, record: Record) -> Result<bool, TransferError> {
        match record {
            Record::BulletinExport { format, .. } => {
                if format > FORMAT {
                    return Err(TransferError::NewerFormat(format));
                }
                self.header_seen = true;
            }
            _ if !self.header_seen => return Err(TransferError::NoHeader(line)),
            Record::User(user) => self.user(line, user).await?,
            Record::Source(source) => self.source(line, source).await?,
            Record::Post(post) => {
                if let Some(item) = post.item {
                    self.wanted.insert(item, None);
                }
                self.posts.push(post);
            }
            Record::Star { user, item } => {
                self.wanted.insert(item, None);
                self.stars.push((user, item));
            }
            Record::Item(item) => return self.item(line, item).await,
        }
        Ok(false)
    }

    async fn user(&mut self, line: usize, user: User) -> Result<(), TransferError> {
        let old = user.id;
        let name = user.name.clone();
        let created = self
            .store
            .add_user(NewUser {
                name: user.name,
                role: Some(user.role),
                password_hash: NO_PASSWORD.into(),
                display_name: user.display_name,
                title: user.title,
                bio: user.bio,
                avatar_url: bulletin_core::keep_web_url(user.avatar_url),
                created_at: Some(user.created_at),
            })
            .await;
        let new = match created {
            Ok(id) => {
                self.done.users += 1;
                id
            }
            Err(StoreError::DuplicateUser(_)) => match self.store.user_by_name(name.clone()).await?
            {
                Some(u) => u.id,
                None => {
                    return Err(TransferError::Record {
                        line,
                        what: format!("user {name}"),
                        error: StoreError::Database("it vanished while imported".into()),
                    });
                }
            },
            Err(error) => {
                return Err(TransferError::Record {
                    line,
                    what: format!("user {name}"),
                    error,
                });
            }
        };
        self.users.insert(old, new);
        Ok(())
    }

    async fn source(&mut self, line: usize, source: Source) -> Result<(), TransferError> {
        let old = source.id;
        let url = source.url.clone();
        let new = match self.store.restore_source(source).await {
            Ok(id) => {
                self.done.sources += 1;
                id
            }
            Err(StoreError::DuplicateSource(id)) => {
                self.done.sources_known += 1;
                id
            }
            Err(error) => {
                return Err(TransferError::Record {
                    line,
                    what: format!("source {url}"),
                    error,
                });
            }
        };
        self.sources.insert(old, new);
        Ok(())
    }

    /// Queues an item in its source's run; stores the run before it when
    /// the source changes or the run is full (true then).
    async fn item(&mut self, line: usize, mut item: ExportedItem) -> Result<bool, TransferError> {
        let Some(&source) = self.sources.get(&item.source) else {
            return Err(TransferError::UnknownSource {
                line,
                file_source: item.source,
            });
        };
        self.done.items_read += 1;
        // A file from elsewhere is checked like a feed.
        item.item = item.item.with_web_urls();
        if let Some(slot) = self.wanted.get_mut(&item.id)
            && let Some(guid) = &item.item.guid
        {
            *slot = Some((source, guid.clone()));
        }
        let mut stored = false;
        if self
            .run
            .as_ref()
            .is_some_and(|(run_source, run)| *run_source != source || run.len() >= BATCH)
        {
            self.store_run().await?;
            stored = true;
        }
        self.run
            .get_or_insert_with(|| (source, Vec::new()))
            .1
            .push(item);
        Ok(stored)
    }

    async fn store_run(&mut self) -> Result<(), TransferError> {
        if let Some((source, run)) = self.run.take() {
            self.done.items += self.store.restore_items(source, run).await?;
        }
        Ok(())
    }

    /// Stores the last run, then the posts and stars, pointed at their
    /// items' new ids.
    async fn finish(mut self) -> Result<Imported, TransferError> {
        self.store_run().await?;
        if !self.header_seen {
            return Err(TransferError::Empty);
        }
        let items = self.items_found().await?;
        self.add_posts(&items).await?;
        for (user, item) in std::mem::take(&mut self.stars) {
            if let (Some(&user), Some(&item)) = (self.users.get(&user), items.get(&item)) {
                self.store.set_star(user, item, true).await?;
                self.done.stars += 1;
            }
        }
        Ok(self.done)
    }

    /// The items posts and stars point at, under their new ids.
    async fn items_found(&mut self) -> Result<HashMap<ItemId, ItemId>, TransferError> {
        let mut items = HashMap::new();
        for (old, found) in std::mem::take(&mut self.wanted) {
            if let Some((source, guid)) = found
                && let Some(new) = self.store.item_by_guid(source, guid).await?
            {
                items.insert(old, new);
            }
        }
        Ok(items)
    }

    /// Adds the file's posts; a post already here (same author, made at the
    /// same moment) is not added again.
    async fn add_posts(&mut self, items: &HashMap<ItemId, ItemId>) -> Result<(), TransferError> {
        let existing: HashSet<(UserId, i64)> = self
            .store
            .posts(usize::MAX)
            .await?
            .iter()
            .map(|p| (p.author, p.created_at.timestamp_millis()))
            .collect();
        for mut post in std::mem::take(&mut self.posts) {
            let Some(&author) = self.users.get(&post.author) else {
                return Err(TransferError::UnknownAuthor(post.author));
            };
            if existing.contains(&(author, post.created_at.timestamp_millis())) {
                continue;
            }
            post.id = 0;
            post.author = author;
            post.item = post.item.and_then(|i| items.get(&i).copied());
            self.store.save_post(post).await?;
            self.done.posts += 1;
        }
        Ok(())
    }
}
