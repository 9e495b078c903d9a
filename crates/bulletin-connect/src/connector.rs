//! The connecting stage as one state machine: each incoming item is first
//! checked against recent bodies for a near-duplicate (MinHash with LSH
//! bands) — a repeat joins its original's story — and otherwise placed by
//! the [`Clusterer`]. Items come in publication order; everything older
//! than the window ([`ACTIVE_HOURS`]) is forgotten, so memory and the work
//! per item depend on the recent items, never on the archive.

use crate::keys::KeyMap;
use crate::minhash::{DUPLICATE_SIMILARITY, Signature};
use crate::related::{RelatedIndex, item_words};
use crate::stories::{ACTIVE_HOURS, Clusterer, StoryItem, StoryKey};
use std::collections::VecDeque;

/// An item to connect. `id` is the caller's (the store's item id).
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    pub id: i64,
    pub title: &'a str,
    pub url: Option<&'a str>,
    /// Publication time, in milliseconds since 1970.
    pub published_ms: i64,
    /// The body as plain text.
    pub text: &'a str,
}

impl<'a> Incoming<'a> {
    fn story_item(&self) -> StoryItem<'a> {
        StoryItem {
            title: self.title,
            url: self.url,
            published_ms: self.published_ms,
        }
    }
}

/// Where an item went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub story: StoryKey,
    /// Stories merged into `story` on the way (their items now belong to
    /// it), in order.
    pub merged: Vec<StoryKey>,
    /// The item this one repeats (the first of its copies), if any.
    pub duplicate_of: Option<i64>,
    /// Recent items of other stories related to it, best first (see
    /// [`crate::related`]).
    pub related: Vec<i64>,
}

/// Near-duplicates, then stories, over a stream of items.
#[derive(Debug, Default)]
pub struct Connector {
    stories: Clusterer,
    bodies: BodyIndex,
    related: RelatedIndex,
    /// Stories merged away, and the story that took them.
    moved: KeyMap<StoryKey, StoryKey>,
}

impl Connector {
    /// A connector whose new stories get keys above `last` (the highest
    /// story id already in use).
    pub fn starting_after(last: StoryKey) -> Connector {
        let mut c = Connector::default();
        c.stories.start_keys_after(last);
        c
    }

    /// Connects a new item.
    pub fn connect(&mut self, item: &Incoming<'_>) -> Connection {
        let signature = Signature::of(item.text);
        self.bodies.forget_before(item.published_ms);
        let words = item_words(item.title, item.text);
        if let Some(signature) = &signature
            && let Some((original, story)) = self.bodies.original_of(signature)
        {
            let story = self.resolve(story);
            if self.stories.is_active(story) {
                self.stories.restore(&item.story_item(), story);
                self.bodies.insert(
                    item.id,
                    item.published_ms,
                    signature.clone(),
                    story,
                    original,
                );
                // A copy is not indexed: its original stands for it.
                let moved = &self.moved;
                let related =
                    self.related
                        .relate(item.id, item.published_ms, words, story, true, |s| {
                            resolve(moved, s)
                        });
                return Connection {
                    story,
                    merged: Vec::new(),
                    duplicate_of: Some(original),
                    related,
                };
            }
        }
        let placed = self.stories.place(&item.story_item());
        for gone in &placed.merged {
            self.moved.insert(*gone, placed.story);
        }
        if let Some(signature) = signature {
            self.bodies
                .insert(item.id, item.published_ms, signature, placed.story, item.id);
        }
        let moved = &self.moved;
        let related = self.related.relate(
            item.id,
            item.published_ms,
            words,
            placed.story,
            false,
            |s| resolve(moved, s),
        );
        Connection {
            story: placed.story,
            merged: placed.merged,
            duplicate_of: None,
            related,
        }
    }

    /// Puts back an item connected before (when resuming from the store).
    pub fn restore(&mut self, item: &Incoming<'_>, story: StoryKey, duplicate_of: Option<i64>) {
        self.bodies.forget_before(item.published_ms);
        self.stories.restore(&item.story_item(), story);
        // Related items are found again, as when it was filed (the store
        // has the lists; only later changes are written).
        let moved = &self.moved;
        self.related.relate(
            item.id,
            item.published_ms,
            item_words(item.title, item.text),
            story,
            duplicate_of.is_some(),
            |s| resolve(moved, s),
        );
        self.related.take_changed();
        if let Some(signature) = Signature::of(item.text) {
            let original = duplicate_of.unwrap_or(item.id);
            self.bodies
                .insert(item.id, item.published_ms, signature, story, original);
        }
    }

    /// Active stories, bodies held for near-duplicate checks, and items
    /// held for related coverage.
    pub fn sizes(&self) -> (usize, usize, usize) {
        (
            self.stories.story_count(),
            self.bodies.entries.len(),
            self.related.len(),
        )
    }

    /// Items filed before whose related items changed since (later
    /// coverage related to them arrived), with their lists now.
    pub fn take_changed_related(&mut self) -> Vec<(i64, Vec<i64>)> {
        self.related.take_changed()
    }

    /// The story a (possibly merged-away) story's items are in now.
    fn resolve(&self, story: StoryKey) -> StoryKey {
        resolve(&self.moved, story)
    }
}

/// Where a (possibly merged-away) story's items are now.
fn resolve(moved: &KeyMap<StoryKey, StoryKey>, mut story: StoryKey) -> StoryKey {
    let mut hops = 0;
    while let Some(&next) = moved.get(&story) {
        story = next;
        hops += 1;
        if hops > moved.len() {
            break;
        }
    }
    story
}

/// Recent bodies' signatures, found by their LSH band keys.
#[derive(Debug, Default)]
struct BodyIndex {
    entries: KeyMap<i64, Body>,
    /// (publication time, item) in arrival order, to forget the old.
    order: VecDeque<(i64, i64)>,
    bands: KeyMap<u64, Vec<i64>>,
    now_ms: i64,
}

#[derive(Debug)]
struct Body {
    signature: Signature,
    story: StoryKey,
    /// The first item of these copies.
    original: i64,
}

impl BodyIndex {
    fn insert(
        &mut self,
        id: i64,
        at_ms: i64,
        signature: Signature,
        story: StoryKey,
        original: i64,
    ) {
        for key in signature.band_keys() {
            self.bands.entry(key).or_default().push(id);
        }
        self.order.push_back((at_ms, id));
        self.entries.insert(
            id,
            Body {
                signature,
                story,
                original,
            },
        );
    }

    /// The most similar recent body at or over [`DUPLICATE_SIMILARITY`]:
    /// its original and its story.
    fn original_of(&self, signature: &Signature) -> Option<(i64, StoryKey)> {
        let mut best: Option<(f64, i64)> = None;
        let mut checked: Vec<i64> = Vec::new();
        for key in signature.band_keys() {
            for id in self.bands.get(&key).into_iter().flatten() {
                if checked.contains(id) {
                    continue;
                }
                checked.push(*id);
                let Some(body) = self.entries.get(id) else {
                    continue;
                };
                let similarity = body.signature.similarity(signature);
                let better =
                    best.is_none_or(|(s, b)| similarity > s || (similarity == s && *id < b));
                if similarity >= DUPLICATE_SIMILARITY && better {
                    best = Some((similarity, *id));
                }
            }
        }
        let body = self.entries.get(&best?.1)?;
        Some((body.original, body.story))
    }

    /// Forgets bodies published more than the window before the latest.
    fn forget_before(&mut self, at_ms: i64) {
        self.now_ms = self.now_ms.max(at_ms);
        let limit = self.now_ms - ACTIVE_HOURS * 3_600_000;
        while self.order.front().is_some_and(|(at, _)| *at < limit) {
            let Some((_, id)) = self.order.pop_front() else {
                break;
            };
            let Some(body) = self.entries.remove(&id) else {
                continue;
            };
            for key in body.signature.band_keys() {
                if let Some(ids) = self.bands.get_mut(&key) {
                    ids.retain(|i| *i != id);
                    if ids.is_empty() {
                        self.bands.remove(&key);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(seed: usize, words: usize) -> String {
        (0..words)
            .map(|i| format!("w{}x{} ", (i * 31 + seed * 7) % 997, seed))
            .collect()
    }

    fn item<'a>(id: i64, title: &'a str, hour: i64, text: &'a str) -> Incoming<'a> {
        Incoming {
            id,
            title,
            url: None,
            published_ms: hour * 3_600_000,
            text,
        }
    }

    #[test]
    fn a_repeated_body_joins_its_original_and_its_story() {
        let mut c = Connector::starting_after(40);
        let original = body(1, 300);
        let first = c.connect(&item(1, "Flood warning for the river valley", 0, &original));
        assert_eq!(first.story, 41, "keys start after the last one in use");
        assert_eq!(first.duplicate_of, None);
        // The same wire story under another headline, lightly edited.
        let edited = original.replacen("w0x1", "changed", 3);
        let copy = c.connect(&item(2, "Residents told to leave", 1, &edited));
        assert_eq!(copy.duplicate_of, Some(1));
        assert_eq!(copy.story, first.story);
        // A copy of the copy points at the first.
        let again = c.connect(&item(3, "Evacuation", 2, &edited));
        assert_eq!(again.duplicate_of, Some(1));
        // A different article is not a duplicate.
        let other_text = body(2, 300);
        let other = c.connect(&item(4, "Parliament passes the budget", 2, &other_text));
        assert_eq!(other.duplicate_of, None);
        assert_ne!(other.story, first.story);
        // Past the window, the body is forgotten.
        let late = c.connect(&item(5, "Flood warning", 200, &original));
        assert_eq!(late.duplicate_of, None);
        assert_eq!(c.sizes().1, 1, "only the late body is held");
    }

    #[test]
    fn restored_state_places_like_the_state_it_came_from() {
        // Six bodies, the last repeating the second.
        let texts: Vec<String> = [0, 1, 2, 3, 4, 1].iter().map(|i| body(*i, 200)).collect();
        let titles = [
            "Malaysia Airlines flight MH370 missing",
            "Search for Malaysia Airlines flight MH370 widens",
            "Apple unveils iPhone with bigger screen",
            "Malaysia Airlines MH370 search moves south",
            "Apple iPhone screen bigger than before",
            "MH370 Malaysia Airlines families wait",
        ];
        let items: Vec<Incoming> = (0..6)
            .map(|i| item(i as i64 + 1, titles[i], i as i64, &texts[i]))
            .collect();
        let mut live = Connector::default();
        let placed: Vec<Connection> = items.iter().map(|i| live.connect(i)).collect();
        // A second process resumes after the first four, from what the
        // store holds: each item's final story (merges followed).
        let last = placed[..4].iter().map(|p| p.story).max().unwrap();
        let mut resumed = Connector::starting_after(last);
        for (i, p) in items.iter().zip(&placed).take(4) {
            resumed.restore(i, live.resolve(p.story), p.duplicate_of);
        }
        let mut live_again = Connector::default();
        let replayed: Vec<Connection> = items.iter().map(|i| live_again.connect(i)).collect();
        assert_eq!(placed, replayed, "connecting is deterministic");
        for (i, p) in items.iter().zip(&placed).skip(4) {
            assert_eq!(&resumed.connect(i), p, "{}", i.title);
        }
        assert_eq!(placed[3].story, placed[0].story);
        assert_eq!(placed[4].story, placed[2].story);
        assert_eq!(placed[5].duplicate_of, Some(2));
    }
}
