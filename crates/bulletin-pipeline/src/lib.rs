//! Bulletin's pipeline as a library: everything that joins the stages
//! (fetch → feeds → extract → store), which the `bulletin` binary's CLI
//! commands and web handlers call.
//!
//! - [`pass`]: one fetch pass over the due sources, with leased claims;
//! - [`loader`]: where documents come from (network, robots.txt cache, an
//!   injected [`DocumentSource`] such as the offline demo);
//! - [`item`]: a feed entry (and its article page) into the item to store;
//! - [`schedule`]: when a source is fetched next;
//! - [`websub`]: pushed updates from the hubs feeds name;
//! - [`subscribe`]: new sources from a URL or an OPML list;
//! - [`filing`]: stored items connected into stories, one process at a
//!   time, with their attributed claims ([`claims`]);
//! - [`newsroom`]: editors' posts published as items;
//! - [`retention`]: old items removed in small batches;
//! - [`transfer`]: the whole database out and in as JSON lines;
//! - [`worker`]: the background loop of a fetching process;
//! - [`secret`]: random tokens and their hashes.

pub mod claims;
pub mod filing;
pub mod item;
pub mod loader;
pub mod newsroom;
pub mod pass;
pub mod retention;
pub mod schedule;
pub mod secret;
pub mod subscribe;
pub mod transfer;
pub mod websub;
pub mod worker;

pub use filing::{Filer, FilingError, FilingSummary};
pub use loader::{DocumentSource, Loader, PageError};
pub use pass::{DEFAULT_LEASE_SECONDS, Ingestor, PassSummary, SourceResult};
pub use subscribe::{OpmlImport, SubscribeError, Subscribed};

use bulletin_fetch::Fetcher;
use bulletin_store::Store;
use std::sync::Arc;

/// What the pipeline works with: the store, and the loader documents come
/// through (one HTTP client, one robots.txt cache).
#[derive(Clone)]
pub struct Pipeline {
    pub store: Arc<dyn Store>,
    pub loader: Loader,
}

impl Pipeline {
    pub fn new(store: Arc<dyn Store>, fetcher: Fetcher) -> Pipeline {
        Pipeline {
            store,
            loader: Loader::new(fetcher),
        }
    }

    /// Serves the URLs `documents` owns from it instead of the network.
    pub fn with_documents(mut self, documents: Arc<dyn DocumentSource>) -> Pipeline {
        self.loader = self.loader.with_documents(documents);
        self
    }

    /// A fetcher of passes over this store's sources.
    pub fn ingestor(&self) -> Ingestor {
        Ingestor::new(self.store.clone(), self.loader.clone())
    }

    /// Subscribes to a feed, or to the feed a page advertises.
    pub async fn subscribe(&self, url: &str) -> Result<Subscribed, SubscribeError> {
        subscribe::subscribe(self.store.as_ref(), &self.loader, url).await
    }
}
