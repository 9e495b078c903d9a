//! `bulletin export` and `bulletin import`: the whole database as JSON lines,
//! so an installation moves between databases (SQLite to PostgreSQL) with
//! nothing lost.
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
//! interruption. Imported accounts have no password until one is set with
//! `bulletin user password NAME`.

use crate::App;
use anyhow::{Context, Result, bail};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ExportedItem, NewUser, Post, Source, StoreError, User, UserId};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::Path;

/// The version of the file format this build writes and reads.
const FORMAT: u32 = 1;
/// Items read from the database, or written to it, at a time.
const BATCH: usize = 500;

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

/// What an imported account's password hash is until one is set: no
/// password verifies against it.
const NO_PASSWORD: &str = "!";

fn progress(len: u64, what: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(len)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} items"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

/// Writes every source and item to `output` (standard output when `None`).
pub async fn export(app: &App, output: Option<&Path>) -> Result<()> {
    let sink: Box<dyn Write> = match output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let mut write = |record: &Record| write_line(&mut out, record);
    write(&Record::BulletinExport {
        format: FORMAT,
        exported_at: Utc::now(),
    })?;
    let users = app.store.users().await?;
    let user_count = users.len();
    for user in users {
        write(&Record::User(user))?;
    }
    let sources = app.store.sources().await?;
    let source_count = sources.len();
    for source in sources {
        write(&Record::Source(source))?;
    }
    let posts = app.store.posts(usize::MAX).await?;
    let post_count = posts.len();
    for post in posts.into_iter().rev() {
        write(&Record::Post(post))?;
    }
    for (user, item) in app.store.stars().await? {
        write(&Record::Star { user, item })?;
    }
    let bar = progress(app.store.item_count().await?, "exporting");
    let mut after = ItemId(0);
    let mut items = 0u64;
    loop {
        let batch = app.store.export_items(after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for item in batch {
            write(&Record::Item(item))?;
            items += 1;
        }
        bar.set_position(items);
    }
    out.flush().context("cannot write the export")?;
    bar.finish_and_clear();
    eprintln!(
        "exported {user_count} users, {source_count} sources, {post_count} posts and {items} items"
    );
    Ok(())
}

fn write_line(out: &mut impl Write, record: &Record) -> Result<()> {
    serde_json::to_writer(&mut *out, record)?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Reads an export (`-` for standard input) into this database.
pub async fn import(app: &App, input: &Path) -> Result<()> {
    let reader: Box<dyn BufRead> = if input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(input)
                .with_context(|| format!("cannot open {}", input.display()))?,
        ))
    };
    let bar = progress(0, "importing");
    let mut ids: HashMap<SourceId, SourceId> = HashMap::new();
    // Items are stored in the file's order (so ties in the feed's order
    // stay as they were), a run of one source's items at a time.
    let mut pending: Option<(SourceId, Vec<ExportedItem>)> = None;
    let (mut sources_added, mut sources_known) = (0usize, 0usize);
    let mut users: HashMap<UserId, UserId> = HashMap::new();
    let mut users_added = 0usize;
    // Posts and stars name items by their old ids: those items are looked
    // up again (by source and GUID) once all items are in.
    let mut posts: Vec<Post> = Vec::new();
    let mut stars: Vec<(UserId, ItemId)> = Vec::new();
    let mut wanted: HashMap<ItemId, Option<(SourceId, String)>> = HashMap::new();
    let (mut items_read, mut items_added) = (0usize, 0usize);
    let mut header_seen = false;
    for (n, line) in reader.lines().enumerate() {
        let line_no = n + 1;
        let line = line.with_context(|| format!("cannot read line {line_no}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = serde_json::from_str(&line).with_context(|| {
            format!("line {line_no} is not a Bulletin export record; was the file made by `bulletin export`?")
        })?;
        match record {
            Record::BulletinExport { format, .. } => {
                if format > FORMAT {
                    bail!(
                        "the file is in export format {format}, newer than this build reads ({FORMAT}); update bulletin"
                    );
                }
                header_seen = true;
            }
            _ if !header_seen => {
                bail!("line {line_no}: the file does not start with a Bulletin export header")
            }
            Record::User(user) => {
                let old = user.id;
                let name = user.name.clone();
                let created = app
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
                        users_added += 1;
                        id
                    }
                    Err(StoreError::DuplicateUser(_)) => {
                        match app.store.user_by_name(name.clone()).await? {
                            Some(u) => u.id,
                            None => {
                                bail!("line {line_no}: the user {name} vanished while imported")
                            }
                        }
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("line {line_no}: user {name}"));
                    }
                };
                users.insert(old, new);
            }
            Record::Post(post) => {
                if let Some(item) = post.item {
                    wanted.insert(item, None);
                }
                posts.push(post);
            }
            Record::Star { user, item } => {
                wanted.insert(item, None);
                stars.push((user, item));
            }
            Record::Source(source) => {
                let old = source.id;
                let url = source.url.clone();
                let new = match app.store.restore_source(source).await {
                    Ok(id) => {
                        sources_added += 1;
                        id
                    }
                    Err(StoreError::DuplicateSource(id)) => {
                        sources_known += 1;
                        id
                    }
                    Err(e) => {
                        return Err(e).with_context(|| format!("line {line_no}: source {url}"));
                    }
                };
                ids.insert(old, new);
            }
            Record::Item(item) => {
                let Some(&source) = ids.get(&item.source) else {
                    bail!(
                        "line {line_no}: the item belongs to source {}, which the file does not list before it",
                        item.source
                    );
                };
                items_read += 1;
                // A file from elsewhere is checked like a feed.
                let mut item = item;
                item.item = item.item.with_web_urls();
                if let Some(slot) = wanted.get_mut(&item.id)
                    && let Some(guid) = &item.item.guid
                {
                    *slot = Some((source, guid.clone()));
                }
                if let Some((run_source, run)) = &pending
                    && (*run_source != source || run.len() >= BATCH)
                    && let Some((run_source, run)) = pending.take()
                {
                    items_added += app.store.restore_items(run_source, run).await?;
                    bar.set_position(items_read as u64);
                }
                pending
                    .get_or_insert_with(|| (source, Vec::new()))
                    .1
                    .push(item);
            }
        }
    }
    if let Some((source, run)) = pending {
        items_added += app.store.restore_items(source, run).await?;
    }
    bar.finish_and_clear();
    if !header_seen {
        bail!("the file is empty: nothing to import");
    }
    // The items posts and stars point at, under their new ids.
    let mut items: HashMap<ItemId, ItemId> = HashMap::new();
    for (old, found) in wanted {
        if let Some((source, guid)) = found
            && let Some(new) = app.store.item_by_guid(source, guid).await?
        {
            items.insert(old, new);
        }
    }
    let mut posts_added = 0;
    // A post already here (same author, made at the same moment) is not
    // added again.
    let existing: std::collections::HashSet<(UserId, i64)> = app
        .store
        .posts(usize::MAX)
        .await?
        .iter()
        .map(|p| (p.author, p.created_at.timestamp_millis()))
        .collect();
    for mut post in posts {
        let Some(&author) = users.get(&post.author) else {
            bail!(
                "a post names user {}, whom the file does not list",
                post.author
            );
        };
        if existing.contains(&(author, post.created_at.timestamp_millis())) {
            continue;
        }
        post.id = 0;
        post.author = author;
        post.item = post.item.and_then(|i| items.get(&i).copied());
        app.store.save_post(post).await?;
        posts_added += 1;
    }
    let mut stars_added = 0;
    for (user, item) in stars {
        if let (Some(&user), Some(&item)) = (users.get(&user), items.get(&item)) {
            app.store.set_star(user, item, true).await?;
            stars_added += 1;
        }
    }
    eprintln!(
        "imported {users_added} users, {sources_added} sources ({sources_known} already subscribed), {posts_added} posts, {stars_added} stars and {items_added} items ({} already stored)",
        items_read - items_added
    );
    if users_added > 0 {
        eprintln!(
            "imported accounts have no password yet: set one with `bulletin user password NAME`"
        );
    }
    Ok(())
}
