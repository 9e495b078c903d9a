//! Filing: stored items that have no story yet are connected — checked for
//! near-duplicates, placed in a story (see `bulletin_connect`), their
//! attributed claims found (see `bulletin_claims`) — and the result written
//! back, a batch at a time.
//!
//! One process files at a time: it holds the store's `stories` lease, and
//! each batch is written in one transaction only while it still holds it
//! (`Store::apply_filing`). So two workers never start two stories for the
//! same event, and a worker killed mid-batch writes nothing of that batch:
//! its items stay unfiled and the next holder files them. The holder keeps
//! the connector's state in memory between passes; a process that takes the
//! lease over rebuilds it from the stories still active
//! (`Store::filing_state`).

use bulletin_connect::{ACTIVE_HOURS, Connector, Incoming};
use bulletin_store::{FilingBatch, FilingItem, FilingStep, LeaseTaken, Store, StoreError};
use chrono::{Duration, Utc};
use std::sync::Arc;
use std::time::Instant;

/// The lease a filing process holds.
pub const FILING_LEASE: &str = "stories";
/// Items connected and written per transaction.
pub const FILING_BATCH: usize = 1000;
/// Batches read at once, so that one is written while the next is worked
/// on.
const BATCHES_PER_READ: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum FilingError {
    #[error(
        "another process is filing stories; stop its worker (or wait a minute if it was killed), then try again"
    )]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a filing run did, and where its time went.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FilingSummary {
    pub filed: u64,
    pub duplicates: u64,
    pub merges: u64,
    /// Attributed claims found in the items filed.
    pub claims: u64,
    /// Another process holds the lease: nothing was filed here.
    pub busy: bool,
    /// Items of the active stories read back to resume (after taking the
    /// lease), and the seconds that took.
    pub resumed_from: u64,
    pub resume_secs: f64,
    /// Seconds spent reading unfiled items, connecting them, and writing.
    pub read_secs: f64,
    pub connect_secs: f64,
    pub write_secs: f64,
}

/// Files items into stories for one process.
pub struct Filer {
    store: Arc<dyn Store>,
    holder: String,
    /// How long the lease lasts without a batch renewing it: a killed
    /// filer's items wait this long for another process.
    lease: Duration,
    /// The connector, while this process holds the lease.
    state: Option<Connector>,
}

impl Filer {
    pub fn new(store: Arc<dyn Store>) -> Filer {
        Filer {
            store,
            holder: crate::pass::worker_name(),
            lease: Duration::seconds(crate::DEFAULT_LEASE_SECONDS),
            state: None,
        }
    }

    /// Holds the filing lease this long between batches.
    pub fn with_lease(mut self, lease: Duration) -> Filer {
        self.lease = lease;
        self
    }

    /// Files every unfiled item, in publication order, unless another
    /// process holds the lease. `progress` gets the items filed so far.
    pub async fn file_pending(
        &mut self,
        mut progress: impl FnMut(u64),
    ) -> Result<FilingSummary, StoreError> {
        let mut summary = FilingSummary::default();
        let started = Instant::now();
        match self.take_lease().await? {
            None => {
                summary.busy = true;
                return Ok(summary);
            }
            Some(resumed) => summary.resumed_from = resumed,
        }
        summary.resume_secs = started.elapsed().as_secs_f64();
        loop {
            let started = Instant::now();
            let items = self
                .store
                .unfiled_items(FILING_BATCH * BATCHES_PER_READ)
                .await?;
            summary.read_secs += started.elapsed().as_secs_f64();
            if items.is_empty() {
                return Ok(summary);
            }
            let Some(connector) = self.state.take() else {
                return Ok(summary);
            };
            let mut batches: Vec<Arc<Vec<FilingItem>>> = Vec::new();
            let mut items = items.into_iter().peekable();
            while items.peek().is_some() {
                batches.push(Arc::new(items.by_ref().take(FILING_BATCH).collect()));
            }
            // Two threads work through the batches, one connecting them
            // (in order: the connector's state runs from one to the next),
            // one finding their claims; each batch is written as soon as
            // both are done with it, while they go on with the next.
            let (connected_tx, mut connected) = tokio::sync::mpsc::unbounded_channel();
            let (claimed_tx, mut claimed) = tokio::sync::mpsc::unbounded_channel();
            let connecting = {
                let batches = batches.clone();
                tokio::task::spawn_blocking(move || {
                    let mut connector = connector;
                    for items in &batches {
                        let (next, steps, counts) = connect_batch(connector, items);
                        connector = next;
                        if connected_tx.send((steps, counts)).is_err() {
                            break;
                        }
                    }
                    connector
                })
            };
            {
                let batches = batches.clone();
                tokio::task::spawn_blocking(move || {
                    for items in &batches {
                        if claimed_tx.send(crate::claims::claims_of(items)).is_err() {
                            break;
                        }
                    }
                });
            }
            for _ in &batches {
                let started = Instant::now();
                let (Some((steps, counts)), Some(claims)) =
                    (connected.recv().await, claimed.recv().await)
                else {
                    return Err(StoreError::Task("a filing thread stopped".into()));
                };
                summary.claims += claims.iter().map(|c| c.claims.len() as u64).sum::<u64>();
                summary.connect_secs += started.elapsed().as_secs_f64();
                let started = Instant::now();
                let written = self
                    .store
                    .apply_filing(FilingBatch {
                        lease: FILING_LEASE.into(),
                        holder: self.holder.clone(),
                        until: Utc::now() + self.lease,
                        steps,
                        claims,
                    })
                    .await;
                summary.write_secs += started.elapsed().as_secs_f64();
                match written {
                    Ok(true) => {}
                    // The lease went to another process: its state is the
                    // truth (the connector, ahead of what was written, is
                    // dropped).
                    Ok(false) => {
                        summary.busy = true;
                        return Ok(summary);
                    }
                    // Not written: the items stay unfiled, and the state is
                    // made again from the store next time.
                    Err(e) => return Err(e),
                }
                summary.filed += counts.filed;
                summary.duplicates += counts.duplicates;
                summary.merges += counts.merges;
                progress(summary.filed);
            }
            let connector = connecting
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
            self.state = Some(connector);
        }
    }

    /// Forgets every story and files every item again from scratch, in
    /// publication order, exactly as live filing would have. `progress`
    /// gets (filed, total).
    pub async fn rebuild(
        &mut self,
        mut progress: impl FnMut(u64, u64),
    ) -> Result<FilingSummary, FilingError> {
        if self.take_lease().await?.is_none() {
            return Err(FilingError::Busy);
        }
        let total = self.store.reset_stories().await?;
        // The rows just deleted are cleared before a million are written
        // again (a server without autovacuum would keep them in every index).
        self.store.refresh_statistics().await?;
        self.state = Some(Connector::default());
        let summary = self.file_pending(|n| progress(n, total)).await?;
        if summary.busy {
            return Err(FilingError::Busy);
        }
        // Every filing row was rewritten: plans made for the old ones
        // (or for none) would walk a million rows.
        self.store.refresh_statistics().await?;
        Ok(summary)
    }

    /// Gives the lease up (at the end of a command).
    pub async fn release(&mut self) -> Result<(), StoreError> {
        self.state = None;
        self.store
            .release_lease(FILING_LEASE.into(), self.holder.clone())
            .await
    }

    /// Takes or renews the lease; on taking it fresh, resumes from what
    /// the store holds. `None` when another process holds it; else how
    /// many items were read back to resume.
    async fn take_lease(&mut self) -> Result<Option<u64>, StoreError> {
        let now = Utc::now();
        let taken = self
            .store
            .take_lease(
                FILING_LEASE.into(),
                self.holder.clone(),
                now,
                now + self.lease,
            )
            .await?;
        match taken {
            LeaseTaken::Refused => {
                self.state = None;
                Ok(None)
            }
            LeaseTaken::Renewed if self.state.is_some() => Ok(Some(0)),
            LeaseTaken::Acquired | LeaseTaken::Renewed => {
                let state = self
                    .store
                    .filing_state(Duration::hours(ACTIVE_HOURS))
                    .await?;
                let resumed = state.items.len() as u64;
                let connector = tokio::task::spawn_blocking(move || {
                    let mut connector = Connector::starting_after(state.last_story_id);
                    for item in &state.items {
                        if let Some(story) = item.story_id {
                            connector.restore(
                                &incoming(item),
                                story,
                                item.duplicate_of.map(|d| d.0),
                            );
                        }
                    }
                    connector
                })
                .await
                .map_err(|e| StoreError::Task(e.to_string()))?;
                self.state = Some(connector);
                Ok(Some(resumed))
            }
        }
    }
}

#[derive(Debug, Default)]
struct BatchCounts {
    filed: u64,
    duplicates: u64,
    merges: u64,
}

/// Words of an untitled item (a short update) that stand for its
/// headline.
const UPDATE_HEADLINE_WORDS: usize = 30;

/// The first `n` words of `text`, as a slice of it.
fn lead_words(text: &str, n: usize) -> &str {
    let mut words = 0;
    let mut in_word = false;
    for (at, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == n {
                    return &text[..at];
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text
}

fn incoming(item: &FilingItem) -> Incoming<'_> {
    Incoming {
        id: item.id.0,
        // An update has no headline: its opening words stand for one.
        title: match item.title.as_deref().filter(|t| !t.trim().is_empty()) {
            Some(title) => title,
            None => lead_words(&item.text, UPDATE_HEADLINE_WORDS),
        },
        url: item.url.as_deref(),
        published_ms: item.published_at.timestamp_millis(),
        text: &item.text,
    }
}

/// Connects a batch (CPU work, off the async threads): the steps to write.
fn connect_batch(
    mut connector: Connector,
    items: &[FilingItem],
) -> (Connector, Vec<FilingStep>, BatchCounts) {
    let mut steps = Vec::with_capacity(items.len());
    let mut counts = BatchCounts::default();
    for item in items {
        let connection = connector.connect(&incoming(item));
        steps.push(
            FilingStep::file(
                item,
                connection.story,
                connection.duplicate_of.map(bulletin_core::ItemId),
            )
            .with_related(
                connection
                    .related
                    .iter()
                    .copied()
                    .map(bulletin_core::ItemId)
                    .collect(),
            ),
        );
        for from in &connection.merged {
            steps.push(FilingStep::Merge {
                into: connection.story,
                from: *from,
            });
        }
        counts.filed += 1;
        counts.duplicates += u64::from(connection.duplicate_of.is_some());
        counts.merges += connection.merged.len() as u64;
    }
    for (item, related) in connector.take_changed_related() {
        steps.push(FilingStep::Relate {
            item: bulletin_core::ItemId(item),
            related: related.into_iter().map(bulletin_core::ItemId).collect(),
        });
    }
    (connector, steps, counts)
}

#[cfg(test)]
mod tests {
    use super::lead_words;

    #[test]
    fn lead_words_cut_after_whole_words() {
        assert_eq!(
            lead_words("Rates unchanged at 3.25%, two for a cut.", 3),
            "Rates unchanged at"
        );
        assert_eq!(lead_words("  short  ", 30), "  short  ");
        assert_eq!(lead_words("", 5), "");
        assert_eq!(lead_words("Zürich  évacue la\nville", 2), "Zürich  évacue");
    }
}
