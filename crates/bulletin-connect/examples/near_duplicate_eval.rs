//! Scores near-duplicate detection on a labelled set: JSON lines of
//! `{"id", "group", "text"}`, where bodies of one group are versions of one
//! article (see `bench/near_duplicates.py`, which builds the set). Every
//! pair of bodies is a case: the same group should be found, different
//! groups should not. Bodies are found the way the pipeline finds them —
//! candidates from shared LSH band keys, then the signature's similarity —
//! and the figures are printed for several thresholds around the one in use.
//!
//!   cargo run --release -p bulletin-connect --example near_duplicate_eval -- SET.jsonl

use bulletin_connect::minhash::{DUPLICATE_SIMILARITY, Signature};
use std::collections::{HashMap, HashSet};
use std::io::BufRead;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: near_duplicate_eval SET.jsonl");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot open {path}: {e}");
            std::process::exit(1);
        }
    };
    let mut ids: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let Ok(line) = line else { break };
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        texts.push(doc["text"].as_str().unwrap_or_default().to_string());
        ids.push(doc["id"].as_str().unwrap_or_default().to_string());
        groups.push(doc["group"].as_str().unwrap_or_default().to_string());
    }
    let started = std::time::Instant::now();
    let signatures: Vec<Option<Signature>> = texts.iter().map(|t| Signature::of(t)).collect();
    let signing = started.elapsed();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    // Candidates: bodies sharing a band key.
    let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, sig) in signatures.iter().enumerate() {
        if let Some(sig) = sig {
            for key in sig.band_keys() {
                buckets.entry(key).or_default().push(i);
            }
        }
    }
    let mut candidates: HashSet<(usize, usize)> = HashSet::new();
    for docs in buckets.values() {
        for (k, &a) in docs.iter().enumerate() {
            for &b in &docs[k + 1..] {
                candidates.insert((a.min(b), a.max(b)));
            }
        }
    }
    let positives = {
        let mut by_group: HashMap<&str, usize> = HashMap::new();
        for g in &groups {
            *by_group.entry(g.as_str()).or_default() += 1;
        }
        by_group.values().map(|n| n * (n - 1) / 2).sum::<usize>()
    };
    let unsigned = signatures.iter().filter(|s| s.is_none()).count();
    println!(
        "{} bodies ({} too short to sign), {} groups' worth of true pairs: {}; {} candidate pairs from LSH; signing {:.1} ms ({:.1} µs per 100 words)",
        groups.len(),
        unsigned,
        groups.iter().collect::<HashSet<_>>().len(),
        positives,
        candidates.len(),
        signing.as_secs_f64() * 1000.0,
        signing.as_secs_f64() * 1e8 / words.max(1) as f64
    );
    // With SHOW=1: the pairs found that are not of one group, to look at.
    if std::env::var_os("SHOW").is_some() {
        for &(a, b) in &candidates {
            if let (Some(sa), Some(sb)) = (&signatures[a], &signatures[b]) {
                let s = sa.similarity(sb);
                if s >= DUPLICATE_SIMILARITY && groups[a] != groups[b] {
                    println!("false pair {s:.2}: {} ~ {}", ids[a], ids[b]);
                }
            }
        }
    }
    let scored: Vec<(f64, bool)> = candidates
        .iter()
        .filter_map(|&(a, b)| {
            let (sa, sb) = (signatures[a].as_ref()?, signatures[b].as_ref()?);
            Some((sa.similarity(sb), groups[a] == groups[b]))
        })
        .collect();
    for threshold in [0.3, 0.35, 0.4, DUPLICATE_SIMILARITY, 0.5, 0.6, 0.7] {
        let tp = scored
            .iter()
            .filter(|(s, same)| *s >= threshold && *same)
            .count();
        let fp = scored
            .iter()
            .filter(|(s, same)| *s >= threshold && !*same)
            .count();
        let precision = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        let recall = tp as f64 / positives.max(1) as f64;
        let mark = if threshold == DUPLICATE_SIMILARITY {
            "  <- in use"
        } else {
            ""
        };
        println!(
            "threshold {threshold:.2}: precision {precision:.4} recall {recall:.4} (TP {tp}, FP {fp}, FN {}){mark}",
            positives - tp
        );
    }
}
