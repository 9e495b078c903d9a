//! `bulletin export` and `bulletin import`: the whole database as JSON lines,
//! so an installation moves between databases (SQLite to PostgreSQL) with
//! nothing lost.
//!
//! The file is one JSON object a line: a header (`"type": "bulletin_export"`,
//! with the format version), then every source (`"type": "source"`, as
//! `source list --json` shows it), then every item (`"type": "item"`: the
//! source's id in the file, when it was stored, and all its fields, content
//! included). Importing skips sources whose URL is already subscribed (their
//! items join the existing source) and items already stored, so an import
//! can be run again after an interruption.

use crate::App;
use anyhow::{Context, Result, bail};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ExportedItem, Source, StoreError};
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
    Source(Source),
    Item(ExportedItem),
}

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
    let sources = app.store.sources().await?;
    let source_count = sources.len();
    for source in sources {
        write(&Record::Source(source))?;
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
    eprintln!("exported {source_count} sources and {items} items");
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
    eprintln!(
        "imported {sources_added} sources ({sources_known} already subscribed) and {items_added} items ({} already stored)",
        items_read - items_added
    );
    Ok(())
}
