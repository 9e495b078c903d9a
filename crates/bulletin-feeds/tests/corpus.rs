//! Real feeds from the shared corpora (../shared/corpus/feeds, beside the
//! repository): feed-rs's fixtures with its JSON snapshots, and the
//! rubycocos/feeds collection with its `feed.…` assertions.

use bulletin_feeds::{html_to_text, parse_feed};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../../../shared/corpus/feeds");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus must be beside the repository in CI"
        );
        eprintln!("skipped: ../shared/corpus not found");
        None
    }
}

fn norm(s: &str) -> String {
    html_to_text(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn feed_rs_fixtures_parse_with_their_entries() {
    let Some(root) = corpus() else { return };
    let mut all = Vec::new();
    files(&root.join("feed-rs/fixture"), &mut all);
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in all
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".serde.json"))
    {
        let snapshot = path.with_extension("serde.json");
        let Ok(expected) = std::fs::read_to_string(&snapshot) else {
            continue;
        };
        let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
        let bytes = std::fs::read(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let feed = match parse_feed(&bytes, None) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        checked += 1;
        let want = expected["entries"].as_array().cloned().unwrap_or_default();
        if feed.entries.len() != want.len() {
            problems.push(format!(
                "{name}: {} entries, expected {}",
                feed.entries.len(),
                want.len()
            ));
            continue;
        }
        for (got, want) in feed.entries.iter().zip(&want) {
            let want_title = want["title"]["content"]
                .as_str()
                .map(norm)
                .unwrap_or_default();
            let got_title = got.title.as_deref().map(norm).unwrap_or_default();
            if want_title != got_title {
                problems.push(format!(
                    "{name}: title {got_title:?}, expected {want_title:?}"
                ));
            }
        }
    }
    assert!(checked >= 60, "only {checked} fixtures checked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn rubycocos_feeds_meet_their_assertions() {
    let Some(root) = corpus() else { return };
    let mut all = Vec::new();
    files(&root.join("rubycocos-feeds/feeds"), &mut all);
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in all.iter().filter(|p| {
        p.extension()
            .is_some_and(|e| e == "rss" || e == "atom" || e == "json" || e == "xml")
    }) {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.strip_prefix(&root).unwrap().display().to_string();
        let (doc, assertions) = match text.find("\n---") {
            Some(at) => (&text[..at], &text[at..]),
            None => (text.as_str(), ""),
        };
        let feed = match parse_feed(doc.as_bytes(), None) {
            Ok(f) => f,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        checked += 1;
        for line in assertions.lines() {
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "feed.title" if feed.title.as_deref().map(norm) != Some(norm(value)) => {
                    problems.push(format!(
                        "{name}: title {:?}, expected {value:?}",
                        feed.title
                    ));
                }
                "feed.items.size" => {
                    let n: usize = value
                        .trim_start_matches(">>>")
                        .trim()
                        .parse()
                        .unwrap_or(usize::MAX);
                    if feed.entries.len() != n {
                        problems.push(format!(
                            "{name}: {} items, expected {n}",
                            feed.entries.len()
                        ));
                    }
                }
                k if k.starts_with("feed.items[")
                    && k.ends_with("].title")
                    && k["feed.items[".len()..k.len() - "].title".len()]
                        .bytes()
                        .all(|b| b.is_ascii_digit()) =>
                {
                    let i: usize = k["feed.items[".len()..k.len() - "].title".len()]
                        .parse()
                        .unwrap_or(usize::MAX);
                    let got = feed
                        .entries
                        .get(i)
                        .and_then(|e| e.title.as_deref())
                        .map(norm);
                    if got != Some(norm(value)) {
                        problems.push(format!(
                            "{name}: item {i} title {got:?}, expected {value:?}"
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    assert!(checked >= 40, "only {checked} feeds checked");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
