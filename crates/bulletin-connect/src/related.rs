//! Related coverage: for each new item, the recent items of other stories
//! that share the most telling of its key words (the names it mentions and
//! its headline's words, see [`key_words`]), found through an inverted
//! index over the window's items. Computed once, when the item is filed,
//! so an article page reads a short list instead of searching the archive.
//!
//! A shared word counts by how rare it is in the window (a name in every
//! headline of the day says little); an item must share [`MIN_SHARED`]
//! words with a candidate; ties go to the newer. Copies of an item are not
//! indexed (their original stands for them).

use crate::keys::{KeyMap, KeySet};
use crate::shingles::hash_bytes;
use crate::stories::{ACTIVE_HOURS, PRIOR_ITEMS, StoryKey, key_words};
use std::collections::VecDeque;

/// Related items kept per item: more than a page shows, so that some are
/// left when stories later merge with the item's own.
pub const RELATED_KEPT: usize = 5;
/// Key words an item must share with another to be related to it.
pub const MIN_SHARED: usize = 2;
/// Items read per key word, newest first: bounds the work per item however
/// common a word is.
pub const POSTINGS_READ: usize = 100;

#[derive(Debug)]
struct Entry {
    id: i64,
    story: StoryKey,
}

/// One related item, and how much it shares.
#[derive(Debug, Clone, Copy)]
struct Link {
    score: f64,
    id: i64,
    story: StoryKey,
}

/// The window's items by key word, and each one's related items (which
/// grow as related coverage arrives after it).
#[derive(Debug, Default)]
pub(crate) struct RelatedIndex {
    /// Items (oldest first) each word appears in.
    postings: KeyMap<u64, VecDeque<Entry>>,
    /// The window's items in publication order, with their words, to
    /// forget the old.
    order: VecDeque<(i64, i64, Vec<u64>)>,
    /// Each indexed item's related items, best first.
    lists: KeyMap<i64, Vec<Link>>,
    /// Items whose list changed after they were filed.
    changed: KeySet<i64>,
    now_ms: i64,
}

/// An item's key words, hashed.
pub(crate) fn item_words(title: &str, text: &str) -> Vec<u64> {
    key_words(title, text)
        .iter()
        .map(|w| hash_bytes(w.as_bytes()))
        .collect()
}

/// Best first; among equals the newer (higher id).
fn better(a: &Link, b: &Link) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(b.id.cmp(&a.id))
}

impl RelatedIndex {
    /// Relates a new item (items come in publication order) with these
    /// words, filed in `story` (as `resolve` says where a story went), to
    /// the window's items of other stories: its related items, best
    /// first, one per story, at most [`RELATED_KEPT`]. Each of them gets
    /// the new item in its own list (see [`RelatedIndex::take_changed`]).
    /// Unless `copy`, the item is indexed.
    pub(crate) fn relate(
        &mut self,
        id: i64,
        at_ms: i64,
        words: Vec<u64>,
        story: StoryKey,
        copy: bool,
        resolve: impl Fn(StoryKey) -> StoryKey,
    ) -> Vec<i64> {
        self.forget_before(at_ms);
        let story = resolve(story);
        let links = self.find(&words, story, &resolve);
        for link in &links {
            let offered = Link {
                score: link.score,
                id,
                story,
            };
            if let Some(list) = self.lists.get_mut(&link.id)
                && offer(list, offered, &resolve)
            {
                self.changed.insert(link.id);
            }
        }
        let ids = links.iter().map(|l| l.id).collect();
        if !copy {
            for word in &words {
                self.postings
                    .entry(*word)
                    .or_default()
                    .push_back(Entry { id, story });
            }
            self.order.push_back((at_ms, id, words));
            self.lists.insert(id, links);
        }
        ids
    }

    /// The items whose related items changed since they were filed (or
    /// since the last call), with their lists now.
    pub(crate) fn take_changed(&mut self) -> Vec<(i64, Vec<i64>)> {
        let mut out: Vec<(i64, Vec<i64>)> = self
            .changed
            .drain()
            .filter_map(|id| {
                let list = self.lists.get(&id)?;
                Some((id, list.iter().map(|l| l.id).collect()))
            })
            .collect();
        out.sort_unstable_by_key(|(id, _)| *id);
        out
    }

    /// The best links to items of other stories sharing these words.
    fn find(
        &self,
        words: &[u64],
        story: StoryKey,
        resolve: &impl Fn(StoryKey) -> StoryKey,
    ) -> Vec<Link> {
        let items = self.order.len() as f64;
        // (shared words, summed rarity, story) per candidate item.
        let mut found: KeyMap<i64, (usize, f64, StoryKey)> = KeyMap::default();
        for word in words {
            let Some(entries) = self.postings.get(word) else {
                continue;
            };
            let rarity = ((items + PRIOR_ITEMS) / (entries.len() as f64 + 0.5)).ln();
            for entry in entries.iter().rev().take(POSTINGS_READ) {
                let other = resolve(entry.story);
                if other == story {
                    continue;
                }
                let seen = found.entry(entry.id).or_insert((0, 0.0, other));
                seen.0 += 1;
                seen.1 += rarity;
            }
        }
        // The best of each story, then the best stories: no sort of every
        // candidate.
        let mut best: KeyMap<StoryKey, Link> = KeyMap::default();
        for (id, (shared, score, story)) in found {
            if shared < MIN_SHARED {
                continue;
            }
            let link = Link { score, id, story };
            match best.get_mut(&story) {
                Some(b) if better(&link, b) == std::cmp::Ordering::Less => *b = link,
                Some(_) => {}
                None => {
                    best.insert(story, link);
                }
            }
        }
        let mut out: Vec<Link> = best.into_values().collect();
        out.sort_by(better);
        out.truncate(RELATED_KEPT);
        out
    }

    /// Forgets items published more than the window before the latest.
    pub(crate) fn forget_before(&mut self, at_ms: i64) {
        self.now_ms = self.now_ms.max(at_ms);
        let limit = self.now_ms - ACTIVE_HOURS * 3_600_000;
        while self.order.front().is_some_and(|(at, _, _)| *at < limit) {
            let Some((_, id, words)) = self.order.pop_front() else {
                break;
            };
            self.lists.remove(&id);
            // The oldest item is at the front of each of its words' lists.
            for word in words {
                if let Some(entries) = self.postings.get_mut(&word) {
                    entries.pop_front();
                    if entries.is_empty() {
                        self.postings.remove(&word);
                    }
                }
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

/// Puts `link` into a related list when it ranks among the best
/// [`RELATED_KEPT`], one per story; whether the list changed.
fn offer(list: &mut Vec<Link>, link: Link, resolve: &impl Fn(StoryKey) -> StoryKey) -> bool {
    let story = resolve(link.story);
    if let Some(at) = list.iter().position(|l| resolve(l.story) == story) {
        if better(&link, &list[at]) != std::cmp::Ordering::Less {
            return false;
        }
        list.remove(at);
    }
    list.push(link);
    list.sort_by(better);
    let full = list.len() > RELATED_KEPT;
    list.truncate(RELATED_KEPT);
    !(full && list.iter().all(|l| l.id != link.id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(title: &str, text: &str) -> Vec<u64> {
        item_words(title, text)
    }

    #[test]
    fn related_items_share_names_come_from_other_stories_and_grow() {
        let mut index = RelatedIndex::default();
        let geneva = "Officials in Geneva said on Monday that talks with Iran would continue.";
        let resolve = |s: StoryKey| if s == 13 { 12 } else { s };
        let mut relate = |id, title, text, story| {
            index.relate(id, id, words(title, text), story, false, resolve)
        };
        assert!(relate(1, "Climate finance talks resume", geneva, 10).is_empty());
        assert!(relate(2, "Local bakery wins bread prize", "A bakery won.", 11).is_empty());
        assert_eq!(relate(3, "Climate finance deal near", geneva, 12), vec![1]);
        // Story 13 merged into 12: one item per story, the newer.
        assert_eq!(
            relate(4, "Climate finance deal signed", geneva, 13),
            vec![1]
        );
        let asked = words("Donors pledge refugee aid", geneva);
        assert_eq!(
            index.relate(5, 5, asked.clone(), 99, false, resolve),
            vec![4, 1],
            "newest of each story, bakery out"
        );
        // Its own story is left out.
        assert_eq!(index.relate(6, 6, asked, 12, true, resolve), vec![5, 1]);
        // Earlier items got the later ones in their lists.
        let changed = index.take_changed();
        assert_eq!(changed[0].0, 1, "{changed:?}");
        assert!(changed[0].1.contains(&5), "{changed:?}");
        assert!(
            changed.iter().all(|(id, _)| *id != 6),
            "copies are not indexed"
        );
        assert!(index.take_changed().is_empty());
    }

    #[test]
    fn items_leave_with_the_window() {
        let mut index = RelatedIndex::default();
        let text = "Talks in Geneva with Iran resumed.";
        index.relate(1, 0, words("Iran talks", text), 1, false, |s| s);
        index.relate(
            2,
            3_600_000,
            words("Iran talks again", text),
            2,
            false,
            |s| s,
        );
        index.forget_before((ACTIVE_HOURS + 1) * 3_600_000 + 1);
        assert_eq!(index.len(), 0);
        assert!(index.postings.is_empty() && index.lists.is_empty());
    }
}
