//! Live updates: `GET /api/v1/events`, Server-Sent Events read from the
//! store's change log.
//!
//! One [`LiveHub`] per process follows the log (woken by the store's
//! change notices: `LISTEN` on PostgreSQL, this process's writes and a
//! 100 ms version check on SQLite), turns each position into an event once
//! (the item's JSON written once, not once per client), and broadcasts it.
//! A client that connects with `Last-Event-ID` first reads what it missed
//! from the store, then follows the broadcast; one that falls behind the
//! broadcast reads from the store again. Event ids are log positions, so a
//! client gets each position once whichever process it reconnects to, or
//! a `reset` when its position was pruned.

use super::AppState;
use super::error::{ApiError, WebError};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use bulletin_core::{ItemId, SourceId};
use bulletin_store::{ChangeBatch, Changed, Store};
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;
use tokio::sync::broadcast;

/// Events the broadcast holds for slow clients; one further behind reads
/// from the store.
const BROADCAST_CAPACITY: usize = 1024;
/// Positions read from the store at a time.
const READ_BATCH: usize = 500;
/// A comment on an idle stream this often keeps proxies from closing it.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// How long a browser waits before reconnecting.
const RECONNECT_AFTER: Duration = Duration::from_secs(3);
/// How long the log is kept: a client away for longer starts again.
pub const CHANGES_KEPT: chrono::TimeDelta = chrono::TimeDelta::days(2);
/// How often the log is pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// One position of the change log, ready to send.
#[derive(Debug)]
pub struct LiveEvent {
    pub seq: i64,
    /// `item`, `removed`, `story` or `reset`.
    pub name: &'static str,
    /// The JSON sent as the event's data.
    pub data: String,
    facts: Facts,
}

/// What the filters look at.
#[derive(Debug, Default)]
struct Facts {
    item: Option<ItemId>,
    source: Option<SourceId>,
    /// Author names, lowercased.
    authors: Vec<String>,
    /// Headline and summary, lowercased.
    words: String,
}

impl LiveEvent {
    /// The source of the item it is about, when it is a new or changed item.
    pub fn source(&self) -> Option<SourceId> {
        self.facts.source
    }

    fn from_change(seq: i64, what: Changed) -> LiveEvent {
        match what {
            Changed::Item(mut item) => {
                item.snippet = None;
                let facts = Facts {
                    item: Some(item.id),
                    source: Some(item.source.id),
                    authors: item.authors.iter().map(|a| a.name.to_lowercase()).collect(),
                    words: [item.title.as_deref(), item.summary.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .to_lowercase(),
                };
                LiveEvent {
                    seq,
                    name: "item",
                    data: json(&*item),
                    facts,
                }
            }
            Changed::Removed(id) => LiveEvent {
                seq,
                name: "removed",
                data: json(&serde_json::json!({ "id": id })),
                facts: Facts {
                    item: Some(id),
                    ..Facts::default()
                },
            },
            Changed::Story(story) => LiveEvent {
                seq,
                name: "story",
                data: json(&*story),
                facts: Facts::default(),
            },
            Changed::Reset => reset(seq),
        }
    }
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

/// "Start again from this position": what a client holds may be stale.
fn reset(seq: i64) -> LiveEvent {
    LiveEvent {
        seq,
        name: "reset",
        data: serde_json::json!({ "position": seq }).to_string(),
        facts: Facts::default(),
    }
}

fn events_of(batch: ChangeBatch) -> impl Iterator<Item = Arc<LiveEvent>> {
    batch
        .changes
        .into_iter()
        .map(|c| Arc::new(LiveEvent::from_change(c.seq, c.what)))
}

/// Follows the change log for every client of this process.
pub struct LiveHub {
    events: broadcast::Sender<Arc<LiveEvent>>,
    /// The newest position broadcast.
    position: AtomicI64,
}

impl LiveHub {
    /// A hub at the log's current end; `follow` moves it on.
    pub async fn start(store: &dyn Store) -> Result<Arc<LiveHub>, bulletin_store::StoreError> {
        let position = store.last_change().await?;
        let (events, _) = broadcast::channel(BROADCAST_CAPACITY);
        Ok(Arc::new(LiveHub {
            events,
            position: AtomicI64::new(position),
        }))
    }

    /// Every event broadcast from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveEvent>> {
        self.events.subscribe()
    }

    pub fn position(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// Reads and broadcasts the log as it grows, until the process ends;
    /// forgets positions older than [`CHANGES_KEPT`] every hour.
    pub async fn follow(self: Arc<Self>, store: Arc<dyn Store>) {
        let pruner = store.clone();
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(PRUNE_EVERY);
            loop {
                hourly.tick().await;
                if let Err(e) = pruner
                    .prune_changes(chrono::Utc::now() - CHANGES_KEPT)
                    .await
                {
                    tracing::warn!("live updates: cannot prune the change log: {e}");
                }
            }
        });
        loop {
            let mut notices = match store.change_notices().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!("live updates: cannot watch the change log: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                    continue;
                }
            };
            loop {
                if let Err(e) = self.catch_up(&*store).await {
                    tracing::warn!("live updates: cannot read the change log: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
                if notices.next().await.is_none() {
                    break;
                }
            }
        }
    }

    /// Broadcasts every position after the hub's.
    async fn catch_up(&self, store: &dyn Store) -> Result<(), bulletin_store::StoreError> {
        loop {
            let position = self.position();
            let batch = store.changes(position, READ_BATCH).await?;
            if batch.pruned_through > position {
                // Pruned under the hub (it was stopped for days): clients
                // start again.
                let _ = self.events.send(Arc::new(reset(batch.pruned_through)));
            }
            let (next, more) = (batch.next, batch.more);
            for event in events_of(batch) {
                let _ = self.events.send(event);
            }
            self.position.store(next, Ordering::Release);
            if !more {
                return Ok(());
            }
        }
    }
}

/// Which events a client wants.
#[derive(Debug, Deserialize, Default)]
pub struct EventParams {
    /// Only items of this source.
    pub source: Option<i64>,
    /// Only items by this author (by name, any letter case).
    pub author: Option<String>,
    /// Only items whose headline or summary has every word.
    pub q: Option<String>,
    /// Only this item (an open article page).
    pub item: Option<i64>,
    /// Where to resume, for clients that cannot send `Last-Event-ID`.
    pub last_event_id: Option<String>,
}

struct Filter {
    source: Option<SourceId>,
    author: Option<String>,
    words: Vec<String>,
    item: Option<ItemId>,
}

impl Filter {
    fn narrows_items(&self) -> bool {
        self.source.is_some() || self.author.is_some() || !self.words.is_empty()
    }

    fn wants(&self, event: &LiveEvent) -> bool {
        let facts = &event.facts;
        match event.name {
            "reset" => true,
            "removed" => self.item.is_none_or(|id| facts.item == Some(id)),
            "story" => self.item.is_none() && !self.narrows_items(),
            _ => {
                self.item.is_none_or(|id| facts.item == Some(id))
                    && self.source.is_none_or(|s| facts.source == Some(s))
                    && self
                        .author
                        .as_ref()
                        .is_none_or(|a| facts.authors.iter().any(|n| n == a))
                    && self.words.iter().all(|w| facts.words.contains(w.as_str()))
            }
        }
    }
}

/// `GET /api/v1/events`.
pub async fn events(
    State(state): State<AppState>,
    Query(params): Query<EventParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(hub) = state.live.clone() else {
        return Err(WebError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "Live updates are off",
            "this process does not follow the change log",
        )
        .into());
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or(params.last_event_id.clone())
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            v.trim().parse::<i64>().map_err(|_| {
                WebError::bad_request(
                    "invalid_last_event_id",
                    "Last-Event-ID is a position from an earlier event (a number)",
                )
            })
        })
        .transpose()?;
    let filter = Filter {
        source: params.source.map(SourceId),
        author: params
            .author
            .as_deref()
            .map(|a| a.trim().to_lowercase())
            .filter(|a| !a.is_empty()),
        words: params
            .q
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_lowercase)
            .collect(),
        item: params.item.map(ItemId),
    };
    // Subscribe first: nothing broadcast from now on is missed, and what
    // came before is read from the store.
    let receiver = hub.events.subscribe();
    let now = hub.position();
    let mut backlog = VecDeque::new();
    let mut last = now;
    if let Some(position) = resume {
        let store_end = state.store.last_change().await?;
        if position > store_end.max(now) {
            // Not a position of this log (another database, or a reset one).
            backlog.push_back(Arc::new(reset(now)));
        } else {
            last = position;
            let mut next = position;
            loop {
                let batch = state.store.changes(next, READ_BATCH).await?;
                if batch.pruned_through > next {
                    backlog.clear();
                    backlog.push_back(Arc::new(reset(now.max(batch.pruned_through))));
                    break;
                }
                let more = batch.more;
                next = batch.next;
                backlog.extend(events_of(batch));
                if !more || next >= now {
                    break;
                }
            }
        }
    }
    let ready = Event::default()
        .event("ready")
        .id(last.to_string())
        .retry(RECONNECT_AFTER)
        .data(serde_json::json!({ "position": now }).to_string());
    let client = Client {
        receiver,
        backlog,
        last,
        filter,
        store: state.store.clone(),
    };
    let stream = futures_util::stream::once(async move { Ok::<_, Infallible>(ready) }).chain(
        futures_util::stream::unfold(client, |mut client| async move {
            let event = client.next_event().await?;
            Some((Ok::<_, Infallible>(event), client))
        }),
    );
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(HEARTBEAT))
        .into_response();
    // Proxies such as nginx would otherwise hold events back.
    response.headers_mut().insert(
        "x-accel-buffering",
        axum::http::HeaderValue::from_static("no"),
    );
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

/// One connected client's place in the log.
struct Client {
    receiver: broadcast::Receiver<Arc<LiveEvent>>,
    /// Read from the store, not yet sent.
    backlog: VecDeque<Arc<LiveEvent>>,
    /// The newest position sent (or skipped by the filter).
    last: i64,
    filter: Filter,
    store: Arc<dyn Store>,
}

impl Client {
    async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(event) = self.backlog.pop_front() {
                if event.name != "reset" && event.seq <= self.last {
                    continue;
                }
                self.last = self.last.max(event.seq);
                if self.filter.wants(&event) {
                    return Some(
                        Event::default()
                            .event(event.name)
                            .id(event.seq.to_string())
                            .data(&event.data),
                    );
                }
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) => {
                    if event.seq > self.last || event.name == "reset" {
                        self.backlog.push_back(event);
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Too far behind the broadcast: read from the store.
                    match self.store.changes(self.last, READ_BATCH).await {
                        Ok(batch) if batch.pruned_through > self.last => {
                            self.backlog
                                .push_back(Arc::new(reset(batch.pruned_through)));
                        }
                        Ok(batch) => self.backlog.extend(events_of(batch)),
                        Err(e) => {
                            tracing::warn!("live updates: cannot read the change log: {e}");
                            return None;
                        }
                    }
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item_event(source: i64, title: &str, author: &str) -> LiveEvent {
        LiveEvent {
            seq: 1,
            name: "item",
            data: String::new(),
            facts: Facts {
                item: Some(ItemId(5)),
                source: Some(SourceId(source)),
                authors: vec![author.to_lowercase()],
                words: title.to_lowercase(),
            },
        }
    }

    #[test]
    fn filters_items_by_source_author_words_and_id() {
        let all = Filter {
            source: None,
            author: None,
            words: vec![],
            item: None,
        };
        let event = item_event(3, "Floods in Valencia", "Ana Ruiz");
        assert!(all.wants(&event));
        let source = Filter {
            source: Some(SourceId(4)),
            ..all
        };
        assert!(!source.wants(&event));
        let words = Filter {
            source: None,
            author: Some("ana ruiz".into()),
            words: vec!["valencia".into(), "floods".into()],
            item: None,
        };
        assert!(words.wants(&event));
        let other = Filter {
            words: vec!["madrid".into()],
            ..words
        };
        assert!(!other.wants(&event));
        let story = LiveEvent {
            seq: 2,
            name: "story",
            data: String::new(),
            facts: Facts::default(),
        };
        assert!(!other.wants(&story), "a narrowed stream has no stories");
        let one = Filter {
            source: None,
            author: None,
            words: vec![],
            item: Some(ItemId(6)),
        };
        assert!(!one.wants(&event));
        assert!(one.wants(&reset(3)));
    }
}
