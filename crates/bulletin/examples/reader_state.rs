//! Benchmark of a reader's "mark all as read" (`bench/reader_apps.sh`):
//! stores ITEMS items over 200 sources, then for each run makes a new
//! reader (everything unread), marks 1,000 of the items read one by one
//! (so the mark has state to clear), and times `mark_all_read` over every
//! followed source, then over one folder with a second new reader. Checks
//! that nothing is left unread each time.
//!
//!   reader_state sqlite|postgres [ITEMS] [RUNS]
//!
//! PostgreSQL: `BULLETIN_BENCH_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), in a schema of its own that
//! is dropped at the end.

use bulletin_core::ItemId;
use bulletin_store::{
    NewItem, NewSource, NewUser, ReadFilter, ReaderQuery, Role, Scope, Store, UserId,
};
use std::time::Instant;

const SOURCES: usize = 200;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let backend = args.get(1).map(String::as_str).unwrap_or("sqlite");
    let items: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let mut cleanup: Option<(String, String)> = None;
    let store: Box<dyn Store> = match backend {
        "sqlite" => Box::new(bulletin_store_sqlite::SqliteStore::open(
            dir.path().join("bench.sqlite"),
        )?),
        "postgres" => {
            let url = std::env::var("BULLETIN_BENCH_DATABASE_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
            let schema = format!("bench_reader_{}", std::process::id());
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
            tokio::spawn(connection);
            client
                .batch_execute(&format!("CREATE SCHEMA {schema}"))
                .await?;
            let sep = if url.contains('?') { '&' } else { '?' };
            let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
            cleanup = Some((url, schema));
            Box::new(bulletin_store_postgres::PgStore::connect(&scoped).await?)
        }
        other => anyhow::bail!("unknown backend {other}: sqlite or postgres"),
    };
    let result = run(store.as_ref(), items, runs).await;
    drop(store);
    if let Some((url, schema)) = cleanup {
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
        tokio::spawn(connection);
        client
            .batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))
            .await?;
    }
    let (all, folder, count) = result?;
    println!(
        "{{\"backend\": \"{backend}\", \"items\": {items}, \"runs\": {runs}, \
         \"mark_all_ms\": {{\"median\": {:.1}, \"max\": {:.1}}}, \
         \"mark_folder_ms\": {{\"median\": {:.1}, \"max\": {:.1}}}, \
         \"count_unread_ms\": {{\"median\": {:.1}, \"max\": {:.1}}}}}",
        median(&all),
        max(&all),
        median(&folder),
        max(&folder),
        median(&count),
        max(&count)
    );
    Ok(())
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(0.0, f64::max)
}

async fn run(
    store: &dyn Store,
    items: usize,
    runs: usize,
) -> anyhow::Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let started = Instant::now();
    let per_source = items.div_ceil(SOURCES);
    let mut stored = 0;
    for s in 0..SOURCES {
        let source = store
            .add_source(NewSource {
                url: format!("https://bench{s}.example/feed"),
                title: Some(format!("Bench feed {s}")),
                ..NewSource::default()
            })
            .await?;
        let batch: Vec<NewItem> = (0..per_source)
            .take(items - stored)
            .map(|i| NewItem {
                guid: Some(format!("{s}-{i}")),
                title: Some(format!("Item {i} of feed {s}")),
                published_at: chrono::DateTime::from_timestamp(1_700_000_000 + i as i64 * 60, 0)
                    .unwrap_or_default(),
                text: format!("Short body {i} of feed {s}."),
                ..NewItem::default()
            })
            .collect();
        for chunk in batch.chunks(500) {
            stored += store.insert_items(source, chunk.to_vec()).await?;
        }
    }
    eprintln!(
        "stored {stored} items in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let ids: Vec<ItemId> = store
        .reader_refs(ReaderQuery {
            limit: 1000,
            ..ReaderQuery::new(UserId(0))
        })
        .await?
        .iter()
        .map(|r| r.id)
        .collect();
    let (mut all, mut folder, mut count) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        for (scope_name, times) in [("all", &mut all), ("folder", &mut folder)] {
            let user = store
                .add_user(NewUser {
                    name: format!("reader-{scope_name}-{run}"),
                    role: Some(Role::Reader),
                    password_hash: "x".into(),
                    ..NewUser::default()
                })
                .await?;
            let scope = if scope_name == "all" {
                Scope::Subscribed
            } else {
                let folders = store.categories(user).await?;
                Scope::Category(folders.first().map(|c| c.id).unwrap_or(0))
            };
            store.set_read(user, ids.clone(), true).await?;
            let unread = ReaderQuery {
                status: ReadFilter::Unread,
                ..ReaderQuery::new(user)
            };
            let t = Instant::now();
            let before = store.reader_count(unread.clone()).await?;
            count.push(t.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(
                before as usize == stored - ids.len(),
                "expected {} unread, found {before}",
                stored - ids.len()
            );
            let t = Instant::now();
            store.mark_all_read(user, scope, None).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            let after = store.reader_count(unread).await?;
            anyhow::ensure!(after == 0, "{after} items still unread after marking all");
        }
    }
    Ok((all, folder, count))
}
