//! `bulletin export` and `bulletin import`: files and progress bars around
//! `bulletin_pipeline::transfer`, which says what the file holds.

use anyhow::{Context, Result};
use bulletin_pipeline::Pipeline;
use bulletin_pipeline::transfer;
use indicatif::ProgressBar;
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;

fn progress(what: &str) -> ProgressBar {
    crate::commands::progress_bar(&format!(
        "{{spinner}} {what} [{{bar:30}}] {{pos}}/{{len}} items"
    ))
}

/// Writes the whole database to `output` (standard output when `None`).
pub async fn export(app: &Pipeline, output: Option<&Path>) -> Result<()> {
    let sink: Box<dyn Write> = match output {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::new(sink);
    let bar = progress("exporting");
    let done = transfer::export(app.store.as_ref(), &mut out, |items, total| {
        bar.set_length(total);
        bar.set_position(items);
    })
    .await?;
    bar.finish_and_clear();
    eprintln!(
        "exported {} users, {} sources, {} posts and {} items",
        done.users, done.sources, done.posts, done.items
    );
    Ok(())
}

/// Reads an export (`-` for standard input) into this database.
pub async fn import(app: &Pipeline, input: &Path) -> Result<()> {
    let reader: Box<dyn BufRead> = if input == Path::new("-") {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(std::io::BufReader::new(
            std::fs::File::open(input)
                .with_context(|| format!("cannot open {}", input.display()))?,
        ))
    };
    let bar = progress("importing");
    let done = transfer::import(app.store.as_ref(), reader, |items| {
        bar.set_position(items as u64);
    })
    .await;
    bar.finish_and_clear();
    let done = done?;
    eprintln!("{done}");
    if done.users > 0 {
        eprintln!(
            "imported accounts have no password yet: set one with `bulletin user password NAME`"
        );
    }
    Ok(())
}
