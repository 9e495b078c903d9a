//! Claims extraction alone, without reading or printing: every `.txt` file
//! of a folder, read into memory first, then run through
//! `attributions_published` on one thread. Prints articles per second and
//! how many attributions were found.
//!
//!     cargo run --release -p bulletin-claims --example claims_speed -- DIR [ROUNDS]

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().ok_or("usage: claims_speed DIR [ROUNDS]")?;
    let rounds: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(3);
    let mut texts = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "txt") {
            texts.push(std::fs::read_to_string(&path)?);
        }
    }
    let published = chrono::NaiveDate::from_ymd_opt(2025, 5, 25);
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        found = texts
            .iter()
            .map(|t| bulletin_claims::attributions_published(t, published).len())
            .sum::<usize>();
        best = best.min(started.elapsed().as_secs_f64());
    }
    println!(
        "{} articles in {:.3} s = {:.0} articles/s (best of {rounds}), {found} attributions",
        texts.len(),
        best,
        texts.len() as f64 / best
    );
    Ok(())
}
