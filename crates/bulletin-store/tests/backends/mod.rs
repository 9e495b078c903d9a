//! The backends every store test runs on.
#![allow(dead_code)]

use bulletin_store::Store;
use bulletin_store_postgres::PgStore;
use bulletin_store_sqlite::SqliteStore;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable that names a PostgreSQL server for the tests, such as
/// `postgres://postgres@127.0.0.1:5432/test`.
pub const POSTGRES_URL_VAR: &str = "BULLETIN_TEST_DATABASE_URL";

/// A store for one test, removed by `finish` (a panicking test leaves its
/// folder or schema behind; old test schemas are swept at the next run).
pub struct Backend {
    pub store: Box<dyn Store>,
    cleanup: Cleanup,
}

enum Cleanup {
    Folder(tempfile::TempDir),
    Schema { url: String, schema: String },
}

impl Backend {
    pub async fn finish(self) {
        drop(self.store);
        match self.cleanup {
            Cleanup::Folder(dir) => drop(dir),
            Cleanup::Schema { url, schema } => {
                if let Ok(client) = connect(&url).await {
                    let _ = client
                        .batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                        .await;
                }
            }
        }
    }
}

pub fn sqlite() -> Backend {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open(dir.path().join("db.sqlite")).expect("open SQLite");
    Backend {
        store: Box::new(store),
        cleanup: Cleanup::Folder(dir),
    }
}

/// The PostgreSQL server's URL, or `None` (with a note) when the tests
/// should skip it. Under CI a missing URL is a failure.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var(POSTGRES_URL_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!("{POSTGRES_URL_VAR} is not set, and CI is: the PostgreSQL tests must run")
        }
        _ => {
            eprintln!("skipped: {test} on PostgreSQL ({POSTGRES_URL_VAR} is not set)");
            None
        }
    }
}

/// A fresh schema on the server named by `url`, and the URL that puts
/// Bulletin's tables in it.
pub async fn fresh_schema(url: &str) -> (String, String) {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let schema = format!(
        "bulletin_test_{now}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let client = connect(url).await.expect("connect to PostgreSQL");
    sweep_old_schemas(&client, now).await;
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .await
        .expect("create a test schema");
    let sep = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{sep}options=-c%20search_path%3D{schema}");
    (scoped, schema)
}

pub async fn postgres(test: &str) -> Option<Backend> {
    let url = postgres_url(test)?;
    let (scoped, schema) = fresh_schema(&url).await;
    let store = PgStore::connect(&scoped).await.expect("open PostgreSQL");
    Some(Backend {
        store: Box::new(store),
        cleanup: Cleanup::Schema { url, schema },
    })
}

async fn connect(url: &str) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Drops test schemas left by runs over an hour ago (a test that panicked
/// does not clean up).
async fn sweep_old_schemas(client: &tokio_postgres::Client, now: u64) {
    let Ok(rows) = client
        .query(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'bulletin\\_test\\_%'",
            &[],
        )
        .await
    else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let started = name
            .trim_start_matches("bulletin_test_")
            .split('_')
            .next()
            .and_then(|t| t.parse::<u64>().ok());
        if started.is_some_and(|t| t + 3600 < now) {
            let _ = client
                .batch_execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await;
        }
    }
}

/// Runs each named `async fn(&dyn Store)` once per backend.
#[macro_export]
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread")]
                async fn sqlite() {
                    let backend = $crate::backends::sqlite();
                    super::$name(backend.store.as_ref()).await;
                    backend.finish().await;
                }

                #[tokio::test(flavor = "multi_thread")]
                async fn postgres() {
                    if let Some(backend) = $crate::backends::postgres(stringify!($name)).await {
                        super::$name(backend.store.as_ref()).await;
                        backend.finish().await;
                    }
                }
            }
        )*
    };
}
