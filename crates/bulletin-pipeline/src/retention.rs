//! Retention: old items that nobody starred are removed, a small batch at a
//! time with a pause between batches, so readers and writers are never held
//! up for long (each batch is one short transaction).

use bulletin_store::{Store, StoreResult};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// Items removed per transaction.
const BATCH: usize = 500;
/// The pause between two batches.
const PAUSE: Duration = Duration::from_millis(20);

/// Removes every unstarred item published before `before`; returns how many.
pub async fn prune(store: &dyn Store, before: DateTime<Utc>) -> StoreResult<usize> {
    let mut removed = 0;
    loop {
        let n = store.prune_items(before, BATCH).await?;
        removed += n;
        if n < BATCH {
            return Ok(removed);
        }
        tokio::time::sleep(PAUSE).await;
    }
}
