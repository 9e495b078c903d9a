//! Crash safety: `kill -9` of `bulletin serve` in the middle of heavy
//! ingestion, then a restart: every item is stored once, none is lost, and
//! the database is sound. On SQLite always, on PostgreSQL when
//! `BULLETIN_TEST_DATABASE_URL` is set.

#[path = "../../bulletin-store/tests/backends/mod.rs"]
mod backends;
mod common;

use common::{DataDir, Doc, FixtureServer, Server, bulletin_with};
use std::time::Duration;

const FEEDS: usize = 120;
const ITEMS: usize = 25;

fn feed(fixture: &FixtureServer, n: usize) -> String {
    let items: String = (0..ITEMS)
        .map(|k| {
            format!(
                "<item><title>Feed {n} story {k}</title><link>{}</link><guid>f{n}-{k}</guid>\
                 <pubDate>Sat, 28 Nov 2026 10:{k:02}:00 GMT</pubDate>\
                 <content:encoded><![CDATA[<p>Story {k} of feed {n}, {}</p>]]></content:encoded></item>",
                fixture.url(&format!("story/{n}/{k}")),
                "with a body long enough to be worth storing. ".repeat(20)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>Feed {n}</title><link>{}</link>{items}</channel></rss>",
        fixture.url("")
    )
}

async fn serve(data: &DataDir, database: &Option<String>) -> Server {
    let mut args: Vec<&str> = Vec::new();
    if let Some(db) = database {
        args.extend(["--database", db.as_str()]);
    }
    args.extend([
        "--allow-private-networks",
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--poll-minutes",
        "0.02",
        "--lease-seconds",
        "2",
    ]);
    Server::start_with(data, &args).await
}

async fn stored(server: &Server) -> Vec<String> {
    let mut titles = Vec::new();
    let mut path = "/api/v1/items?limit=500".to_string();
    loop {
        let page = server.json(&path).await;
        for item in page["items"].as_array().expect("items") {
            titles.push(item["title"].as_str().unwrap_or_default().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/items?limit=500&cursor={c}"),
            None => return titles,
        }
    }
}

async fn kill_during_ingestion_then_restart(database: Option<String>) {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    let mut opml = String::from("<opml version=\"2.0\"><body>");
    for n in 0..FEEDS {
        fixture.set(
            &format!("feed/{n}.xml"),
            Doc::ok("application/rss+xml", feed(&fixture, n)),
        );
        opml.push_str(&format!(
            "<outline type=\"rss\" xmlUrl=\"{}\"/>",
            fixture.url(&format!("feed/{n}.xml"))
        ));
    }
    opml.push_str("</body></opml>");
    let file = data.path().join("feeds.opml");
    std::fs::write(&file, opml).expect("write OPML");
    let mut import = vec!["opml", "import", file.to_str().unwrap()];
    if let Some(db) = &database {
        import.splice(0..0, ["--database", db.as_str()]);
    }
    assert!(bulletin_with(&data, &import, true).await.status.success());

    let mut first = serve(&data, &database).await;
    // Kill it once a good part, but not all, of the feeds has been stored.
    let mut before = Vec::new();
    for _ in 0..400 {
        before = stored(&first).await;
        if before.len() >= FEEDS * ITEMS / 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().await;
    assert!(
        !before.is_empty() && before.len() < FEEDS * ITEMS,
        "killed with {} items stored",
        before.len()
    );

    let second = serve(&data, &database).await;
    let mut after = Vec::new();
    for _ in 0..300 {
        after = stored(&second).await;
        if after.len() >= FEEDS * ITEMS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut unique = after.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), after.len(), "an item was stored twice");
    assert_eq!(after.len(), FEEDS * ITEMS, "every item, once");
    for title in &before {
        assert!(after.contains(title), "{title} was lost");
    }
    drop(second);
    if database.is_none() {
        let check = std::process::Command::new("sqlite3")
            .arg(data.path().join("bulletin.sqlite"))
            .arg("PRAGMA integrity_check")
            .output();
        match check {
            Ok(out) => assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok"),
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("sqlite3 is needed for the integrity check under CI: {e}")
            }
            Err(e) => eprintln!("sqlite3 not installed ({e}); integrity check skipped"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_ingestion_on_sqlite_loses_and_doubles_nothing() {
    kill_during_ingestion_then_restart(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn killed_mid_ingestion_on_postgres_loses_and_doubles_nothing() {
    let Some(url) = backends::postgres_url("killed_mid_ingestion_on_postgres") else {
        return;
    };
    let (scoped, _schema) = backends::fresh_schema(&url).await;
    kill_during_ingestion_then_restart(Some(scoped)).await;
}
