//! The one-shot commands: sources, fetch, extract, parse-feed.

use anyhow::{Context, Result, bail};
use bulletin_core::SourceId;
use bulletin_pipeline::subscribe::{self, import_opml, subscriptions_opml};
use bulletin_pipeline::{Pipeline, SourceResult};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Instant;
use url::Url;

fn read_input(file: &Path) -> Result<Vec<u8>> {
    if file.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(buf);
    }
    std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))
}

fn parse_url_arg(raw: &str) -> Result<Url> {
    Ok(subscribe::web_url_arg(raw)?)
}

pub fn extract(file: &Path, url: Option<&str>) -> Result<()> {
    let url = url.map(parse_url_arg).transpose()?;
    let html = read_input(file)?;
    let article = bulletin_extract::extract(&html, url.as_ref(), None);
    print_json(&article)
}

/// `bulletin attributions`: the claims of one article, or of every `.txt`
/// file of a folder (one JSON line each).
pub fn attributions(
    file: Option<&Path>,
    batch: Option<&Path>,
    published: Option<&str>,
) -> Result<()> {
    let published = published
        .map(|day| {
            chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
                crate::UsageError(format!(
                    "--published {day:?} is not a date: write it as YYYY-MM-DD, such as 2025-05-25"
                ))
            })
        })
        .transpose()?;
    let claims = |text: &str| -> serde_json::Value {
        serde_json::json!({ "attributions": bulletin_claims::attributions_published(text, published) })
    };
    let mut out = std::io::stdout().lock();
    match (file, batch) {
        (Some(file), _) => {
            let bytes = read_input(file)?;
            let text = String::from_utf8_lossy(&bytes);
            writeln!(out, "{}", serde_json::to_string_pretty(&claims(&text))?)?;
        }
        (None, Some(dir)) => {
            let mut files: Vec<_> = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read the folder {}", dir.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "txt"))
                .collect();
            files.sort();
            for path in files {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?;
                let mut line = claims(&text);
                line["file"] = serde_json::json!(path.file_name().map(|n| n.to_string_lossy()));
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
        }
        (None, None) => {
            return Err(
                crate::UsageError("give an article file (or -), or --batch DIR".into()).into(),
            );
        }
    }
    Ok(())
}

pub fn parse_feed(file: &Path, url: Option<&str>) -> Result<()> {
    let url = url.map(parse_url_arg).transpose()?;
    let bytes = read_input(file)?;
    let mut feed = bulletin_feeds::parse_feed(&bytes, url.as_ref())
        .with_context(|| format!("{} is not a readable feed", file.display()))?;
    // HTML is printed sanitized, relative links resolved: against the base
    // the document declares, else the document's own address (as
    // Universal Feed Parser does), else the entry's link.
    let clean = |html: &mut Option<String>, base: Option<&Url>| {
        if let Some(h) = html.as_mut() {
            *h = bulletin_extract::sanitize_fragment(h, base).html;
        }
    };
    let feed_base = url
        .clone()
        .or_else(|| feed.link.as_deref().and_then(|l| Url::parse(l).ok()));
    clean(&mut feed.description, feed_base.as_ref());
    for entry in &mut feed.entries {
        let base = entry
            .base
            .as_deref()
            .and_then(|b| Url::parse(b).ok())
            .or_else(|| url.clone())
            .or_else(|| entry.link.as_deref().and_then(|l| Url::parse(l).ok()));
        clean(&mut entry.summary, base.as_ref());
        clean(&mut entry.content, base.as_ref());
    }
    print_json(&feed)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

/// Subscribes to each URL: a feed directly, or the feed an HTML page
/// advertises. Prints each new source's id on its own line.
pub async fn source_add(app: &Pipeline, urls: &[String]) -> Result<()> {
    let mut failures = 0;
    for raw in urls {
        match app.subscribe(raw).await {
            Ok(subscribe::Subscribed { id, title }) => {
                out!("{id}");
                eprintln!("added source {id}: {title}");
            }
            Err(e) => {
                failures += 1;
                eprintln!("error: {e:#}");
            }
        }
    }
    match failures {
        0 => Ok(()),
        n if n == urls.len() && n == 1 => std::process::exit(1),
        n => bail!("{n} of {} URLs could not be added", urls.len()),
    }
}

/// Counts of what is stored, as one JSON object (for scripts and
/// benchmarks, which must not depend on a database shell's version).
pub async fn stats(app: &Pipeline) -> Result<()> {
    let sources = app.store.sources().await?.len();
    let items = app.store.item_count().await?;
    let indexed = app.store.indexed_item_count().await?;
    print_json(&serde_json::json!({
        "sources": sources,
        "items": items,
        "indexed_items": indexed,
    }))
}

/// Subscribes to the feeds of an OPML file without fetching them.
pub async fn opml_import(app: &Pipeline, file: &Path) -> Result<()> {
    let bytes = read_input(file)?;
    let done = import_opml(app.store.as_ref(), &bytes)
        .await
        .with_context(|| format!("cannot import {}", file.display()))?;
    for url in &done.invalid {
        eprintln!("skipped {url:?}: not an http(s) URL");
    }
    eprintln!("{done}; `bulletin fetch` fetches them now");
    Ok(())
}

/// Prints (or writes) every source as OPML 2.0.
pub async fn opml_export(app: &Pipeline, output: Option<&Path>) -> Result<()> {
    let document = subscriptions_opml(app.store.sources().await?);
    match output {
        Some(path) => std::fs::write(path, document)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            std::io::stdout().lock().write_all(document.as_bytes())?;
            Ok(())
        }
    }
}

/// A source's WebSub subscription as `source list` shows it (never the
/// secret or the callback token).
#[derive(serde::Serialize)]
struct PushView {
    hub: String,
    topic: String,
    state: bulletin_store::WebSubState,
    lease_expires_at: Option<chrono::DateTime<chrono::Utc>>,
    last_push_at: Option<chrono::DateTime<chrono::Utc>>,
    last_error: Option<String>,
}

impl PushView {
    fn describe(&self) -> String {
        match (&self.state, &self.lease_expires_at, &self.last_error) {
            (bulletin_store::WebSubState::Active, Some(until), _) => {
                format!(
                    "pushed by {} until {}",
                    self.hub,
                    until.format("%Y-%m-%d %H:%M")
                )
            }
            (bulletin_store::WebSubState::Failed, _, Some(e)) => format!("polled ({e})"),
            _ => format!("push asked of {}", self.hub),
        }
    }
}

pub async fn source_list(app: &Pipeline, json: bool) -> Result<()> {
    let sources = app.store.sources().await?;
    let mut pushes = Vec::with_capacity(sources.len());
    for s in &sources {
        pushes.push(app.store.websub(s.id).await?.map(|w| PushView {
            hub: w.hub,
            topic: w.topic,
            state: w.state,
            lease_expires_at: w.lease_expires_at,
            last_push_at: w.last_push_at,
            last_error: w.last_error,
        }));
    }
    if json {
        let mut list = Vec::with_capacity(sources.len());
        for (s, push) in sources.iter().zip(&pushes) {
            let mut value = serde_json::to_value(s)?;
            if let (Some(obj), Some(push)) = (value.as_object_mut(), push) {
                obj.insert("websub".into(), serde_json::to_value(push)?);
            }
            list.push(value);
        }
        return print_json(&list);
    }
    if sources.is_empty() {
        eprintln!("no sources yet: add one with `bulletin source add URL`");
        return Ok(());
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>4}  {:<40}  {:>6}  {:<17}  STATUS",
        "ID", "TITLE", "ITEMS", "LAST FETCH"
    )?;
    for (s, push) in sources.into_iter().zip(pushes) {
        let last = s
            .last_fetch_at
            .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "never".into());
        let now = chrono::Utc::now();
        let status = match (&s.last_error, s.error_count) {
            _ if s.held_by(now).is_some() => format!(
                "being fetched by another process ({})",
                s.held_by(now).unwrap_or_default()
            ),
            (Some(e), _) if s.paused_at.is_some() => format!(
                "paused: failing for over a week ({e}); `bulletin fetch --all` tries it again"
            ),
            (Some(e), n) if n > 0 => format!(
                "error: {e} (next try {})",
                s.next_fetch_at.format("%Y-%m-%d %H:%M")
            ),
            (Some(w), _) => format!("ok, {w}"),
            (None, _) if s.last_fetch_at.is_none() && s.item_count > 0 => {
                "its last fetch was interrupted; the next pass fetches it again".to_string()
            }
            (None, _) if s.last_fetch_at.is_none() => "waiting for the first fetch".to_string(),
            (None, _) => "ok".to_string(),
        };
        let status = match push {
            Some(p) => format!("{status}; {}", p.describe()),
            None => status,
        };
        writeln!(
            out,
            "{:>4}  {:<40}  {:>6}  {:<17}  {}",
            s.id.0,
            truncate(s.display_title(), 40),
            s.item_count,
            last,
            status
        )?;
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

pub async fn source_remove(app: &Pipeline, id: i64) -> Result<()> {
    if app.store.remove_source(SourceId(id)).await? {
        eprintln!("removed source {id} and its items");
        Ok(())
    } else {
        bail!("there is no source {id}; see `bulletin source list`")
    }
}

/// A progress bar on a terminal (hidden when piped), with this template.
pub(crate) fn progress_bar(template: &str) -> ProgressBar {
    let bar = if std::io::stderr().is_terminal() {
        ProgressBar::new(0)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

/// Files the items not yet in a story (after a fetch), unless a worker is
/// doing it.
async fn file_stories(app: &Pipeline) -> Result<()> {
    let started = Instant::now();
    let mut filer = app.ingestor().filer();
    let bar = progress_bar("{spinner} filing into stories: {pos} items");
    let summary = filer
        .file_pending(|n| bar.set_position(n))
        .await
        .context("filing new items into stories")?;
    bar.finish_and_clear();
    filer.release().await?;
    if summary.busy {
        out!("stories: a worker is filing the new items");
    } else if summary.filed > 0 {
        let secs = started.elapsed().as_secs_f64();
        out!(
            "filed {} items into stories in {secs:.2}s: {} near-duplicates, {} merges, {} claims",
            summary.filed,
            summary.duplicates,
            summary.merges,
            summary.claims
        );
        out!("  {}", filing_times(&summary));
    }
    Ok(())
}

/// Where a filing run's time went, with its rate past resuming.
fn filing_times(s: &bulletin_pipeline::FilingSummary) -> String {
    let work = s.read_secs + s.connect_secs + s.write_secs;
    format!(
        "resumed from {} items in {:.2}s; then {:.0} items/s (reading {:.2}s, connecting {:.2}s, writing {:.2}s)",
        s.resumed_from,
        s.resume_secs,
        s.filed as f64 / work.max(1e-9),
        s.read_secs,
        s.connect_secs,
        s.write_secs
    )
}

/// `bulletin stories rebuild`: every item filed again from scratch.
pub async fn stories_rebuild(app: &Pipeline) -> Result<()> {
    let started = Instant::now();
    let mut filer = app.ingestor().filer();
    let bar = progress_bar("{spinner} filing [{bar:30}] {pos}/{len} items ({per_sec}, {eta} left)");
    let summary = filer
        .rebuild(|n, total| {
            bar.set_length(total);
            bar.set_position(n);
        })
        .await
        .context("rebuilding stories")?;
    bar.finish_and_clear();
    filer.release().await?;
    let stories = app
        .store
        .stories(bulletin_store::StoryQuery {
            limit: 1,
            cursor: None,
        })
        .await?;
    out!(
        "filed {} items in {:.2}s: {} near-duplicates, {} merges{}",
        summary.filed,
        started.elapsed().as_secs_f64(),
        summary.duplicates,
        summary.merges,
        if stories.stories.is_empty() {
            "; there are no stories (no items)"
        } else {
            ""
        }
    );
    out!("  {}", filing_times(&summary));
    Ok(())
}

/// One pass over the due sources (all with `all`), with a progress bar on a
/// terminal and a summary at the end.
pub async fn fetch(app: &Pipeline, all: bool, concurrency: usize) -> Result<()> {
    let ingestor = app.ingestor();
    let started = Instant::now();
    let bar = progress_bar("{spinner} fetching [{bar:30}] {pos}/{len} sources, {msg}");
    let mut new_items = 0usize;
    let summary = ingestor
        .run_pass(
            all,
            concurrency,
            |n| bar.set_length(n as u64),
            |_, result| {
                if let SourceResult::Updated { new_items: n, .. } = result {
                    new_items += n;
                }
                bar.set_message(format!("{new_items} new items"));
                bar.inc(1);
            },
        )
        .await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    out!(
        "fetched {} sources in {:.2}s: {} new items, {} updated, {} unchanged, {} failed",
        summary.sources,
        secs,
        summary.new_items,
        summary.updated,
        summary.not_modified,
        summary.failed.len()
    );
    for (id, title, reason) in &summary.failed {
        out!("  source {id} ({title}): {reason}");
    }
    for (id, title, warning) in &summary.warnings {
        out!("  source {id} ({title}): {warning}");
    }
    if !summary.held_elsewhere.is_empty() {
        out!(
            "skipped {} source{} that another process is fetching now:",
            summary.held_elsewhere.len(),
            if summary.held_elsewhere.len() == 1 {
                ""
            } else {
                "s"
            }
        );
        for (id, title, owner) in &summary.held_elsewhere {
            out!("  source {id} ({title}): being fetched by {owner}");
        }
    }
    if summary.sources == 0 && summary.held_elsewhere.is_empty() {
        eprintln!("nothing was due; `bulletin fetch --all` fetches every source now");
    }
    file_stories(app).await?;
    if !summary.failed.is_empty() {
        bail!(
            "{} of {} sources could not be fetched (listed above); `bulletin source list` shows each one's state",
            summary.failed.len(),
            summary.sources
        );
    }
    Ok(())
}
