//! The worker loop: what a `serve` process that fetches does, pass after
//! pass — retention, scheduled newsroom posts, a pass over the due sources
//! (claimed, so other workers on the same database share them), then the
//! new items filed into stories (by one worker at a time).

use crate::pass::{Ingestor, PassSummary};
use crate::{newsroom, retention};
use bulletin_store::{NewSource, StoreError};
use chrono::Utc;
use std::time::Duration;

/// Sources fetched at the same time in a background pass.
const CONCURRENCY: usize = 16;

/// How a worker runs.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// Time between the end of a pass and the start of the next.
    pub period: Duration,
    /// Remove unstarred items published more than this many days ago.
    pub retention_days: Option<u32>,
}

/// Passes over the due sources, `period` apart, until the task is dropped.
/// How often a worker refreshes the database's planner statistics.
const STATISTICS_EVERY: Duration = Duration::from_secs(3600);

pub async fn fetch_forever(ingestor: &Ingestor, options: WorkerOptions) {
    let mut filer = ingestor.filer();
    let mut statistics_at = std::time::Instant::now();
    loop {
        if let Some(days) = options.retention_days {
            prune_older_than(ingestor, days).await;
        }
        match newsroom::publish_due(ingestor.store(), Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("newsroom: published {n} scheduled posts"),
            Err(e) => tracing::warn!("newsroom: scheduled posts not published: {e}"),
        }
        match ingestor
            .run_pass(false, CONCURRENCY, |_| {}, |_, _| {})
            .await
        {
            Ok(s) if s.sources > 0 => tracing::info!(
                "background fetch: {} sources, {} new items, {} failed",
                s.sources,
                s.new_items,
                s.failed.len()
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("background fetch stopped early: {e}"),
        }
        match filer.file_pending(|_| {}).await {
            Ok(s) if s.filed > 0 => tracing::info!(
                "stories: filed {} items ({} near-duplicates, {} merges)",
                s.filed,
                s.duplicates,
                s.merges
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("stories: filing stopped early: {e}"),
        }
        if statistics_at.elapsed() >= STATISTICS_EVERY {
            statistics_at = std::time::Instant::now();
            if let Err(e) = ingestor.store().refresh_statistics().await {
                tracing::warn!("the database's statistics were not refreshed: {e}");
            }
        }
        tokio::time::sleep(options.period).await;
    }
}

async fn prune_older_than(ingestor: &Ingestor, days: u32) {
    let before = Utc::now() - chrono::Duration::days(i64::from(days));
    match retention::prune(ingestor.store(), before).await {
        Ok(0) => {}
        Ok(n) => tracing::info!("retention: removed {n} items older than {days} days"),
        Err(e) => tracing::warn!("retention: {e}"),
    }
}

/// Subscribes to `feeds` (those already subscribed are kept) and fetches
/// what is due once: how `serve --demo` fills its sample.
pub async fn seed(ingestor: &Ingestor, feeds: &[&str]) -> Result<PassSummary, StoreError> {
    for url in feeds {
        let added = ingestor
            .store()
            .add_source(NewSource {
                url: url.to_string(),
                ..Default::default()
            })
            .await;
        match added {
            Ok(_) | Err(StoreError::DuplicateSource(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let summary = ingestor.run_pass(false, 4, |_| {}, |_, _| {}).await?;
    let mut filer = ingestor.filer();
    filer.file_pending(|_| {}).await?;
    filer.release().await?;
    Ok(summary)
}
