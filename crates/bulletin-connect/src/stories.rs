//! Stories: each new item joins the best-matching active story or starts
//! one, online, in arrival order; two stories that grow together merge.
//!
//! An item is a bag of terms: the headline's words (lowercased, stop words
//! out, plural and verb endings cut), pairs of adjacent headline words at
//! half weight (a pair names a thing more surely than its words), and the
//! words of the URL's path (slugs often say more than the headline), each
//! once. Terms are weighed by their inverse frequency among the items seen
//! so far, smoothed as if [`PRIOR_ITEMS`] items had come before, and a
//! story keeps its members' term shares, weighed again with the current
//! frequencies whenever it is compared (early weights are unreliable).
//!
//! An item joins the story whose weighed terms are nearest (cosine), plus
//! a small pull towards bigger stories ([`SIZE_PULL`] × ln size: coverage
//! that has drawn many sources draws more), when that score reaches
//! [`JOIN`] and they share [`MIN_SHARED`] terms or more; otherwise it
//! starts a story. After joining, the story is
//! compared with the other stories sharing the item's terms, and merges
//! with each whose cosine reaches [`MERGE`]. Candidates come from an
//! inverted index of terms to stories, so the work per item depends on the
//! stories sharing its terms, not on the archive. Everything is bounded by
//! a window of [`ACTIVE_HOURS`] of publication time: an item that leaves
//! it leaves the term frequencies and its story's terms (a story is what
//! its recent coverage says), and a story with no item left in it, or idle
//! for that long, leaves the index.

use crate::keys::{KeyMap, KeySet};
use crate::shingles::hash_bytes;
use std::collections::VecDeque;

/// Score from which an item joins a story.
pub const JOIN: f64 = 0.25;
/// Cosine from which two stories merge.
pub const MERGE: f64 = 0.25;
/// Terms an item must share with a story to join it.
pub const MIN_SHARED: usize = 2;
/// Pull towards bigger stories, per natural log of the size.
pub const SIZE_PULL: f64 = 0.02;
/// Items the term frequencies are smoothed with, as if seen before the
/// first.
pub const PRIOR_ITEMS: f64 = 500.0;
/// Hours after its latest item that a story can still be joined.
pub const ACTIVE_HOURS: i64 = 72;

/// A story's number in a [`Clusterer`] (the store's story id when filing).
pub type StoryKey = i64;

/// What the clusterer reads of an item.
#[derive(Debug, Clone, Default)]
pub struct StoryItem<'a> {
    pub title: &'a str,
    pub url: Option<&'a str>,
    /// Publication time, in milliseconds since 1970.
    pub published_ms: i64,
}

/// Where an item went: its story, and the stories merged into it on the
/// way (their items now belong to `story`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    pub story: StoryKey,
    pub merged: Vec<StoryKey>,
}

#[derive(Debug, Default)]
struct Story {
    /// Term shares summed over the members (each item's terms sum to 1),
    /// the [`STORY_TERMS`] biggest.
    terms: KeyMap<u64, f64>,
    size: usize,
    latest_ms: i64,
    /// `terms` weighed, and the number of items seen when it was: weighed
    /// again when the story changes or the frequencies have moved (see
    /// [`REWEIGH_AFTER`]).
    weighed: KeyMap<u64, f64>,
    weighed_at: f64,
}

/// Terms a story keeps (its biggest shares): bounds the cost of comparing
/// with it, however many items it holds.
pub const STORY_TERMS: usize = 200;
/// A story's weights are made again when the items seen have grown by this
/// share since (inverse frequencies move slowly).
pub const REWEIGH_AFTER: f64 = 0.02;

/// Online story assignment over a stream of items.
/// An item of the window: when it was published, its term shares, and the
/// story it went to.
#[derive(Debug)]
struct Placed {
    at_ms: i64,
    shares: Vec<(u64, f64)>,
    story: StoryKey,
}

#[derive(Debug, Default)]
pub struct Clusterer {
    /// Items each term appeared in, among the items of the window.
    seen: KeyMap<u64, f64>,
    items: f64,
    /// The window's items in arrival order: when one leaves the window its
    /// terms leave `seen` and its shares leave its story, so the state
    /// depends on the window's items only — which is what a process that
    /// resumes reads back.
    recent: VecDeque<Placed>,
    /// Stories merged away, and the story that took them.
    merged_into: KeyMap<StoryKey, StoryKey>,
    stories: KeyMap<StoryKey, Story>,
    index: KeyMap<u64, KeySet<StoryKey>>,
    next: StoryKey,
    /// The latest publication time seen, and when idle stories were last
    /// looked for.
    now_ms: i64,
    idle_checked_ms: i64,
}

impl Clusterer {
    /// Places an item (items should come in publication order).
    pub fn place(&mut self, item: &StoryItem<'_>) -> Placement {
        let terms = self.count(item);
        let weighed = self.weigh(&terms);
        let mut best: Option<(f64, StoryKey)> = None;
        for key in self.candidates(terms.keys()) {
            self.reweigh(key);
            let story = &self.stories[&key];
            // One shared word is not a story.
            if terms.keys().filter(|t| story.terms.contains_key(t)).count() < MIN_SHARED {
                continue;
            }
            let score = cosine(&weighed, &story.weighed) + SIZE_PULL * (story.size as f64).ln();
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, key));
            }
        }
        let key = match best {
            Some((score, key)) if score >= JOIN => key,
            _ => {
                self.next += 1;
                self.stories.insert(self.next, Story::default());
                self.next
            }
        };
        self.add(key, &terms, item.published_ms);
        let merged = self.merge_around(key, &terms);
        Placement { story: key, merged }
    }

    /// Puts an item back into the story it was placed in before (after a
    /// restart, or when it repeats an item of that story): no decision,
    /// no merge. Keys handed out later are higher than `story`.
    pub fn restore(&mut self, item: &StoryItem<'_>, story: StoryKey) {
        let terms = self.count(item);
        self.stories.entry(story).or_default();
        self.next = self.next.max(story);
        self.add(story, &terms, item.published_ms);
    }

    /// Hands out keys above `key` for new stories.
    pub fn start_keys_after(&mut self, key: StoryKey) {
        self.next = self.next.max(key);
    }

    /// Whether a story is still active (can be joined).
    pub fn is_active(&self, story: StoryKey) -> bool {
        self.stories.contains_key(&story)
    }

    /// Stories now active.
    pub fn story_count(&self) -> usize {
        self.stories.len()
    }

    /// An item's terms, counted into the window's frequencies; the window
    /// moves on to the item's time.
    fn count(&mut self, item: &StoryItem<'_>) -> KeyMap<u64, f64> {
        let terms = item_terms(item.title, item.url);
        self.items += 1.0;
        for t in terms.keys() {
            *self.seen.entry(*t).or_default() += 1.0;
        }
        if item.published_ms > self.now_ms {
            self.now_ms = item.published_ms;
            self.forget_old();
        }
        terms
    }

    /// Takes items older than the window out of the frequencies, and (once
    /// an hour of publication time) idle stories out of the index.
    fn forget_old(&mut self) {
        let limit = self.now_ms - ACTIVE_HOURS * 3_600_000;
        while self.recent.front().is_some_and(|p| p.at_ms < limit) {
            let Some(placed) = self.recent.pop_front() else {
                break;
            };
            self.items -= 1.0;
            for (t, _) in &placed.shares {
                if let Some(n) = self.seen.get_mut(t) {
                    *n -= 1.0;
                    if *n <= 0.0 {
                        self.seen.remove(t);
                    }
                }
            }
            let key = self.resolve(placed.story);
            self.take_out(key, &placed.shares);
        }
        if self.now_ms - self.idle_checked_ms >= 3_600_000 {
            self.idle_checked_ms = self.now_ms;
            self.forget_idle(self.now_ms);
        }
    }

    /// The story a (possibly merged-away) story's items are in now.
    fn resolve(&self, mut key: StoryKey) -> StoryKey {
        for _ in 0..=self.merged_into.len() {
            match self.merged_into.get(&key) {
                Some(next) => key = *next,
                None => break,
            }
        }
        key
    }

    /// Takes an item that left the window out of its story; a story left
    /// with no item goes.
    fn take_out(&mut self, key: StoryKey, shares: &[(u64, f64)]) {
        let Some(story) = self.stories.get_mut(&key) else {
            return;
        };
        for (t, share) in shares {
            if let Some(v) = story.terms.get_mut(t) {
                *v -= share;
                if *v <= 1e-9 {
                    story.terms.remove(t);
                    if let Some(keys) = self.index.get_mut(t) {
                        keys.remove(&key);
                    }
                }
            }
        }
        story.size = story.size.saturating_sub(1);
        story.weighed_at = f64::NEG_INFINITY;
        if story.size == 0
            && let Some(gone) = self.stories.remove(&key)
        {
            for t in gone.terms.keys() {
                if let Some(keys) = self.index.get_mut(t) {
                    keys.remove(&key);
                }
            }
        }
    }

    fn add(&mut self, key: StoryKey, terms: &KeyMap<u64, f64>, at_ms: i64) {
        let total: f64 = terms.values().sum();
        let Some(story) = self.stories.get_mut(&key) else {
            return;
        };
        let mut shares: Vec<(u64, f64)> = Vec::with_capacity(terms.len());
        for (t, w) in terms {
            *story.terms.entry(*t).or_default() += w / total;
            shares.push((*t, w / total));
            self.index.entry(*t).or_default().insert(key);
        }
        self.recent.push_back(Placed {
            at_ms,
            shares,
            story: key,
        });
        story.size += 1;
        story.latest_ms = story.latest_ms.max(at_ms);
        story.weighed_at = f64::NEG_INFINITY;
        self.keep_biggest_terms(key);
    }

    /// Keeps a story's [`STORY_TERMS`] biggest term shares (and its place in
    /// the index for those only).
    fn keep_biggest_terms(&mut self, key: StoryKey) {
        let Some(story) = self.stories.get_mut(&key) else {
            return;
        };
        if story.terms.len() <= STORY_TERMS {
            return;
        }
        let mut shares: Vec<(u64, f64)> = story.terms.iter().map(|(t, w)| (*t, *w)).collect();
        shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        for (t, _) in shares.drain(STORY_TERMS..) {
            story.terms.remove(&t);
            if let Some(keys) = self.index.get_mut(&t) {
                keys.remove(&key);
            }
        }
    }

    /// Weighs a story's terms again when it changed or the frequencies
    /// moved by [`REWEIGH_AFTER`].
    fn reweigh(&mut self, key: StoryKey) {
        let fresh = match self.stories.get(&key) {
            Some(s) if s.weighed_at * (1.0 + REWEIGH_AFTER) < self.items => self.weigh(&s.terms),
            _ => return,
        };
        if let Some(story) = self.stories.get_mut(&key) {
            story.weighed = fresh;
            story.weighed_at = self.items;
        }
    }

    /// Merges into `key` every other story sharing these terms whose
    /// cosine with it reaches [`MERGE`] (both with two items or more).
    fn merge_around(&mut self, key: StoryKey, terms: &KeyMap<u64, f64>) -> Vec<StoryKey> {
        let mut merged = Vec::new();
        if self.stories.get(&key).is_none_or(|s| s.size < 2) {
            return merged;
        }
        for other in self.candidates(terms.keys()) {
            if other == key {
                continue;
            }
            self.reweigh(key);
            self.reweigh(other);
            let (Some(a), Some(b)) = (self.stories.get(&key), self.stories.get(&other)) else {
                continue;
            };
            if b.size < 2 || cosine(&a.weighed, &b.weighed) < MERGE {
                continue;
            }
            let Some(gone) = self.stories.remove(&other) else {
                continue;
            };
            for t in gone.terms.keys() {
                if let Some(keys) = self.index.get_mut(t) {
                    keys.remove(&other);
                    keys.insert(key);
                }
            }
            if let Some(story) = self.stories.get_mut(&key) {
                for (t, w) in gone.terms {
                    *story.terms.entry(t).or_default() += w;
                }
                story.size += gone.size;
                story.latest_ms = story.latest_ms.max(gone.latest_ms);
                story.weighed_at = f64::NEG_INFINITY;
            }
            self.keep_biggest_terms(key);
            self.merged_into.insert(other, key);
            merged.push(other);
        }
        merged
    }

    /// Stories sharing any of these terms, in key order (so results do not
    /// depend on hashing order).
    fn candidates<'t>(&self, terms: impl Iterator<Item = &'t u64>) -> Vec<StoryKey> {
        let mut keys: Vec<StoryKey> = terms
            .filter_map(|t| self.index.get(t))
            .flatten()
            .copied()
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Drops stories idle for longer than [`ACTIVE_HOURS`] from the index
    /// (looked for once an hour: a story may stay joinable up to an hour
    /// longer).
    fn forget_idle(&mut self, now_ms: i64) {
        let limit = now_ms - ACTIVE_HOURS * 3_600_000;
        let idle: Vec<StoryKey> = self
            .stories
            .iter()
            .filter(|(_, s)| s.latest_ms < limit)
            .map(|(k, _)| *k)
            .collect();
        for key in idle {
            if let Some(story) = self.stories.remove(&key) {
                for t in story.terms.keys() {
                    if let Some(keys) = self.index.get_mut(t) {
                        keys.remove(&key);
                    }
                }
            }
        }
    }

    /// Term weights (shares × inverse item frequency), unit length.
    fn weigh(&self, terms: &KeyMap<u64, f64>) -> KeyMap<u64, f64> {
        let total = self.items + PRIOR_ITEMS + 1.0;
        let mut out: KeyMap<u64, f64> = terms
            .iter()
            .map(|(t, w)| {
                let seen = self.seen.get(t).copied().unwrap_or(0.0);
                (*t, w * (total / (seen + 0.5)).ln())
            })
            .collect();
        let norm = out.values().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            for v in out.values_mut() {
                *v /= norm;
            }
        }
        out
    }
}

fn cosine(a: &KeyMap<u64, f64>, b: &KeyMap<u64, f64>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small
        .iter()
        .filter_map(|(t, w)| large.get(t).map(|v| w * v))
        .sum()
}

/// Words that say nothing about which story a headline tells.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "amid", "an", "and", "any", "are", "as", "at", "be", "been",
    "before", "big", "but", "by", "can", "could", "day", "days", "did", "do", "does", "down",
    "first", "five", "for", "four", "from", "had", "has", "have", "he", "her", "his", "how", "i",
    "in", "into", "is", "it", "its", "just", "last", "live", "may", "me", "might", "more", "most",
    "my", "new", "no", "not", "of", "off", "on", "one", "or", "our", "out", "over", "report",
    "reports", "said", "say", "says", "she", "should", "so", "some", "than", "that", "the",
    "their", "them", "then", "these", "they", "this", "those", "three", "to", "top", "two", "u",
    "under", "up", "update", "us", "very", "via", "video", "vs", "was", "watch", "we", "week",
    "were", "what", "when", "where", "which", "who", "why", "will", "with", "would", "year",
    "years", "you", "your",
];

/// Words of URL paths that name a site's sections or pages, not a story.
const URL_WORDS: &[&str] = &[
    "article",
    "articles",
    "asp",
    "aspx",
    "blog",
    "blogs",
    "business",
    "cms",
    "com",
    "content",
    "default",
    "ece",
    "economy",
    "entertainment",
    "feed",
    "feeds",
    "finance",
    "health",
    "home",
    "htm",
    "html",
    "index",
    "international",
    "jsp",
    "local",
    "markets",
    "money",
    "national",
    "news",
    "node",
    "php",
    "politics",
    "post",
    "posts",
    "rss",
    "science",
    "sports",
    "stories",
    "story",
    "tech",
    "technology",
    "world",
    "www",
];

/// A headline's and URL's terms with their weights (see the module's
/// documentation).
fn item_terms(title: &str, url: Option<&str>) -> KeyMap<u64, f64> {
    let mut terms: KeyMap<u64, f64> = KeyMap::default();
    let headline: Vec<String> = words(title)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(&w))
        .collect();
    for w in &headline {
        *terms.entry(hash_bytes(w.as_bytes())).or_default() += 1.0;
    }
    for pair in headline.windows(2) {
        let joined = format!("{} {}", pair[0], pair[1]);
        *terms.entry(hash_bytes(joined.as_bytes())).or_default() += 0.5;
    }
    let mut from_url = KeySet::default();
    for w in url
        .map(url_path)
        .into_iter()
        .flat_map(|p| words(&p).collect::<Vec<_>>())
    {
        if w.len() > 2
            && w.len() < 20
            && w.chars().all(char::is_alphabetic)
            && !STOP_WORDS.contains(&w.as_str())
            && !URL_WORDS.contains(&w.as_str())
        {
            from_url.insert(stem(&w));
        }
    }
    for w in from_url {
        *terms.entry(hash_bytes(w.as_bytes())).or_default() += 1.0;
    }
    terms
}

/// Lowercased runs of letters and digits, an apostrophe's tail dropped
/// ("Fed's" is "fed"), numbers and single letters out.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter_map(|w| {
            let w = w
                .split(['\'', '’'])
                .next()
                .unwrap_or_default()
                .to_lowercase();
            (w.chars().count() >= 2 && !w.chars().all(|c| c.is_ascii_digit())).then_some(w)
        })
}

/// Words to find related coverage by: the names an item mentions (words
/// written with a capital inside a sentence — people, places,
/// organisations — in its headline and its opening, most mentioned
/// first), then its headline's other words, longest first; at most
/// [`KEY_WORDS`], each once, in lower case.
pub fn key_words(title: &str, text: &str) -> Vec<String> {
    let opening: String = text
        .split_whitespace()
        .take(120)
        .collect::<Vec<_>>()
        .join(" ");
    let mut names: Vec<(String, usize, usize)> = Vec::new();
    for (n, passage) in [title, opening.as_str()].into_iter().enumerate() {
        let mut sentence_start = true;
        for raw in passage.split_whitespace() {
            let word: String = raw
                .trim_matches(|c: char| !c.is_alphanumeric())
                .split(['\'', '’'])
                .next()
                .unwrap_or_default()
                .to_string();
            let capital = word.chars().next().is_some_and(char::is_uppercase);
            let lower = word.to_lowercase();
            if capital
                && !sentence_start
                && lower.chars().count() >= 3
                && !STOP_WORDS.contains(&lower.as_str())
            {
                match names.iter_mut().find(|(w, _, _)| *w == lower) {
                    Some(entry) => entry.1 += 1,
                    None => names.push((lower, 1, n)),
                }
            }
            sentence_start = raw.ends_with(['.', '!', '?', ':']);
        }
    }
    // Mentioned most, then those of the headline, then first seen.
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let mut out: Vec<String> = names.into_iter().map(|(w, _, _)| w).collect();
    let mut rest: Vec<String> = words(title)
        .filter(|w| !STOP_WORDS.contains(&w.as_str()) && w.chars().count() >= 4)
        .collect();
    rest.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    for w in rest {
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out.truncate(KEY_WORDS);
    out
}

/// Most words [`key_words`] gives.
pub const KEY_WORDS: usize = 8;

/// A URL's path (no scheme, host, query).
fn url_path(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let path = rest.split_once('/').map_or("", |(_, p)| p);
    path.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .to_string()
}

/// A light English stemmer: plural and verb endings cut from longer words.
fn stem(word: &str) -> String {
    for (suffix, replace) in [("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")] {
        if word.len() > suffix.len() + 3
            && let Some(root) = word.strip_suffix(suffix)
        {
            return format!("{root}{replace}");
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(title: &str, hour: i64) -> StoryItem<'_> {
        StoryItem {
            title,
            url: None,
            published_ms: hour * 3_600_000,
        }
    }

    #[test]
    fn key_words_put_names_first() {
        let words = key_words(
            "Floods close schools across Bavaria",
            "Heavy rain hit Munich on Monday. Officials in Munich and Augsburg said the Isar rose.",
        );
        assert_eq!(words[0], "munich", "{words:?}");
        assert!(words.contains(&"bavaria".to_string()));
        assert!(words.contains(&"augsburg".to_string()));
        assert!(
            !words.contains(&"heavy".to_string()),
            "sentence openers are not names"
        );
        assert!(words.contains(&"schools".to_string()));
        assert!(words.len() <= KEY_WORDS);
    }

    #[test]
    fn same_event_joins_and_another_starts_a_story() {
        let mut c = Clusterer::default();
        let a = c.place(&item("Malaysia Airlines flight MH370 missing over sea", 0));
        let b = c.place(&item(
            "Search for missing Malaysia Airlines flight MH370 widens",
            1,
        ));
        let d = c.place(&item("Apple unveils new iPhone with larger screen", 1));
        assert_eq!(a.story, b.story);
        assert_ne!(a.story, d.story);
        // A story idle for longer than the window is not joined again.
        let late = c.place(&item(
            "Malaysia Airlines flight MH370 missing over sea",
            200,
        ));
        assert_ne!(late.story, a.story);
    }

    #[test]
    fn terms_come_from_headline_and_url() {
        let t = item_terms(
            "Fed's Plosser sees taper",
            Some("http://example.com/business/plosser-taper-speech.html?x=1"),
        );
        assert!(t.contains_key(&hash_bytes(b"plosser")));
        assert!(t.contains_key(&hash_bytes(b"speech")));
        assert!(t.contains_key(&hash_bytes(b"fed")));
        assert!(!t.contains_key(&hash_bytes(b"business")));
        assert!(t.contains_key(&hash_bytes("plosser sees".as_bytes())));
    }
}
