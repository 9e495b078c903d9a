//! `bulletin extract --batch DIR`: every HTML file under a folder, one JSON
//! line each, on N worker threads, in bounded memory (files are read one at a
//! time per worker and each line is written as soon as it is ready).

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

fn is_html_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    name.ends_with(".html") || name.ends_with(".htm") || name.ends_with(".html.gz")
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if is_html_file(&path) {
            out.push(path);
        }
    }
    Ok(())
}

fn read_page(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path)?;
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .take(64 * 1024 * 1024)
            .read_to_end(&mut out)
            .context("not a readable gzip file")?;
        return Ok(out);
    }
    Ok(raw)
}

fn line_for(dir: &Path, path: &Path) -> String {
    let rel = path
        .strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/");
    let value = match read_page(path) {
        Ok(bytes) => {
            // One bad page must not end the whole batch.
            match std::panic::catch_unwind(|| bulletin_extract::extract(&bytes, None, None)) {
                Ok(article) => {
                    let mut value = serde_json::to_value(&article).unwrap_or_default();
                    if let Some(obj) = value.as_object_mut() {
                        obj.insert("file".into(), rel.into());
                    }
                    value
                }
                Err(_) => {
                    serde_json::json!({ "file": rel, "error": "extraction failed (a bug: please report this page)" })
                }
            }
        }
        Err(e) => serde_json::json!({ "file": rel, "error": format!("{e:#}") }),
    };
    value.to_string()
}

pub fn run(dir: &Path, jobs: usize) -> Result<()> {
    let mut files = Vec::new();
    collect(dir, &mut files)
        .with_context(|| format!("cannot read the folder {}", dir.display()))?;
    files.sort();
    let bar = crate::commands::progress_bar(
        "extracting [{bar:30}] {pos}/{len} pages, {per_sec}, {eta} left",
    );
    bar.set_length(files.len() as u64);
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<String>(64);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    std::thread::scope(|scope| -> Result<()> {
        for _ in 0..jobs.max(1) {
            let tx = tx.clone();
            let (files, next) = (&files, &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = files.get(i) else { break };
                    if tx.send(line_for(dir, path)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for line in rx {
            writeln!(out, "{line}")?;
            bar.inc(1);
        }
        Ok(())
    })?;
    out.flush()?;
    bar.finish_and_clear();
    Ok(())
}
