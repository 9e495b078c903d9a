//! Feed parsing throughput: `cargo run --release -p bulletin-feeds --example
//! parse_speed -- DIR [ROUNDS]` parses every file under DIR ROUNDS times on
//! one thread and prints MB/s (used by bench/feeds_speed.sh).

use std::path::{Path, PathBuf};
use std::time::Instant;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let p = entry.path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: parse_speed DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    let docs: Vec<Vec<u8>> = paths.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let mut entries = 0;
    for doc in &docs {
        entries += bulletin_feeds::parse_feed(doc, None)
            .map(|f| f.entries.len())
            .unwrap_or(0);
    }
    let mut best = f64::MAX;
    for _ in 0..rounds {
        let started = Instant::now();
        for doc in &docs {
            let _ = std::hint::black_box(bulletin_feeds::parse_feed(doc, None));
        }
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "bulletin-feeds: {} documents, {:.1} MB, {entries} entries: {:.0} MB/s one thread (best of {rounds})",
        docs.len(),
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / best
    );
}
