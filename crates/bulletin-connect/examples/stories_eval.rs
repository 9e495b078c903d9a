//! Scores story assignment on the UCI News Aggregator sample: its rows fed
//! to the clusterer in timestamp order (headline, URL, time), the stories
//! compared with the ones Google News filed them under, by B-cubed
//! precision, recall and F1 (each item's share of its found story that is
//! of its true story, and the reverse, averaged over items).
//!
//!   cargo run --release -p bulletin-connect --example stories_eval -- ../shared/corpus/stories/uci-news-aggregator-sample.csv
//!
//! With `--repeat N` after the file it also replays the sample N times, each
//! copy four days after the last (so each falls in a window of its own), and
//! prints the items per second of the first and the last 10,000 items: the
//! cost per item must not grow with what came before.

use bulletin_connect::stories::{Clusterer, StoryItem};
use std::collections::HashMap;

/// The fields of one CSV record (quoted fields may hold commas and "").
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    out.push(field);
    out
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: stories_eval uci-news-aggregator-sample.csv");
        std::process::exit(2);
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("cannot read {path}");
        std::process::exit(1);
    };
    // ID, TITLE, URL, PUBLISHER, CATEGORY, STORY, HOSTNAME, TIMESTAMP
    let mut rows: Vec<(i64, String, String, String)> = text
        .lines()
        .skip(1)
        .map(fields)
        .filter(|f| f.len() >= 8)
        .filter_map(|f| {
            Some((
                f[7].trim().parse().ok()?,
                f[1].clone(),
                f[2].clone(),
                f[5].clone(),
            ))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let started = std::time::Instant::now();
    let mut clusterer = Clusterer::default();
    let mut found: Vec<i64> = Vec::with_capacity(rows.len());
    let mut moved: HashMap<i64, i64> = HashMap::new();
    for (ms, title, url, _) in &rows {
        let placed = clusterer.place(&StoryItem {
            title,
            url: Some(url),
            published_ms: *ms,
        });
        for gone in placed.merged {
            moved.insert(gone, placed.story);
        }
        found.push(placed.story);
    }
    let elapsed = started.elapsed();
    let repeat: usize = std::env::args()
        .skip_while(|a| a != "--repeat")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    if repeat > 0 {
        replay(&rows, repeat);
    }
    // Follow merges to each item's final story.
    let resolve = |mut s: i64| {
        while let Some(&next) = moved.get(&s) {
            s = next;
        }
        s
    };
    let found: Vec<i64> = found.into_iter().map(resolve).collect();
    let truth: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
    let mut pair_counts: HashMap<(i64, &str), f64> = HashMap::new();
    let mut found_sizes: HashMap<i64, f64> = HashMap::new();
    let mut true_sizes: HashMap<&str, f64> = HashMap::new();
    for (f, t) in found.iter().zip(&truth) {
        *pair_counts.entry((*f, t)).or_default() += 1.0;
        *found_sizes.entry(*f).or_default() += 1.0;
        *true_sizes.entry(t).or_default() += 1.0;
    }
    let n = found.len() as f64;
    let (mut precision, mut recall) = (0.0, 0.0);
    for (f, t) in found.iter().zip(&truth) {
        let both = pair_counts[&(*f, *t)];
        precision += both / found_sizes[f];
        recall += both / true_sizes[t];
    }
    precision /= n;
    recall /= n;
    let f1 = 2.0 * precision * recall / (precision + recall);
    println!(
        "{} items, {} true stories, {} found; B-cubed precision {precision:.3}, recall {recall:.3}, F1 {f1:.3} [bars: precision 0.90, F1 0.75]; {:.0} items/s",
        rows.len(),
        true_sizes.len(),
        found_sizes.len(),
        n / elapsed.as_secs_f64()
    );
}

/// Replays the rows `times` times into a fresh clusterer, each copy four
/// days after the previous one, timing the first and the last 10,000.
fn replay(rows: &[(i64, String, String, String)], times: usize) {
    const CHUNK: usize = 10_000;
    let (first, last) = (
        rows.first().map_or(0, |r| r.0),
        rows.last().map_or(0, |r| r.0),
    );
    let shift = last - first + 4 * 86_400_000;
    let mut clusterer = Clusterer::default();
    let total = rows.len() * times;
    let mut timings = Vec::new();
    let mut chunk_started = std::time::Instant::now();
    let mut n = 0;
    for copy in 0..times {
        for (ms, title, url, _) in rows {
            let url = format!("{url}?copy={copy}");
            clusterer.place(&StoryItem {
                title,
                url: Some(&url),
                published_ms: ms + copy as i64 * shift,
            });
            n += 1;
            if n % CHUNK == 0 {
                timings.push(CHUNK as f64 / chunk_started.elapsed().as_secs_f64());
                chunk_started = std::time::Instant::now();
            }
        }
    }
    if let (Some(first), Some(last)) = (timings.first(), timings.last()) {
        println!(
            "replayed {total} items: first 10,000 at {first:.0} items/s, last 10,000 at {last:.0} items/s; {} stories active at the end",
            clusterer.story_count()
        );
    }
}
