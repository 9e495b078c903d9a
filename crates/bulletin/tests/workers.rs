//! Scale-out on PostgreSQL, through the real binary: several
//! `serve --role worker` processes share the due sources (each fetched once
//! a pass), and the sources of a worker killed mid-pass are taken over when
//! its lease runs out; every item ends in exactly one story, filed by one
//! worker at a time. Skipped without `BULLETIN_TEST_DATABASE_URL`.

#[path = "../../bulletin-store/tests/backends/mod.rs"]
mod backends;
mod common;

use common::{DataDir, Doc, FixtureServer, Server, bulletin_with};
use std::time::Duration;

fn feed(fixture: &FixtureServer, n: usize) -> String {
    let items: String = (0..2)
        .map(|k| {
            format!(
                "<item><title>Feed {n} story {k}</title><link>{}</link><guid>f{n}-{k}</guid>\
                 <pubDate>Sat, 28 Nov 2026 1{k}:00:00 GMT</pubDate>\
                 <content:encoded><![CDATA[<p>Story {k} of feed {n}.</p>]]></content:encoded></item>",
                fixture.url(&format!("story/{n}/{k}"))
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">\
         <channel><title>Feed {n}</title><link>{}</link>{items}</channel></rss>",
        fixture.url("")
    )
}

/// A fixture server with `count` feeds, subscribed in a fresh schema of
/// the test server. Returns the database URL for `--database`.
async fn set_up(
    test: &str,
    fixture: &FixtureServer,
    data: &DataDir,
    count: usize,
) -> Option<(String, tokio_postgres::Client)> {
    let url = backends::postgres_url(test)?;
    let (scoped, _schema) = backends::fresh_schema(&url).await;
    let mut opml = String::from("<opml version=\"2.0\"><body>");
    for n in 0..count {
        fixture.set(
            &format!("feed/{n}.xml"),
            Doc::ok("application/rss+xml", feed(fixture, n)),
        );
        opml.push_str(&format!(
            "<outline type=\"rss\" text=\"Feed {n}\" xmlUrl=\"{}\"/>",
            fixture.url(&format!("feed/{n}.xml"))
        ));
    }
    opml.push_str("</body></opml>");
    let file = data.path().join("feeds.opml");
    std::fs::write(&file, opml).expect("write OPML");
    let imported = bulletin_with(
        data,
        &[
            "--database",
            &scoped,
            "opml",
            "import",
            file.to_str().unwrap(),
        ],
        true,
    )
    .await;
    assert!(imported.status.success(), "{imported:?}");
    let (client, connection) = tokio_postgres::connect(&scoped, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    Some((scoped, client))
}

async fn start_worker(data: &DataDir, database: &str, lease_seconds: &str) -> Server {
    Server::start_with(
        data,
        &[
            "--database",
            database,
            "--allow-private-networks",
            "serve",
            "--role",
            "worker",
            "--poll-minutes",
            "0.02",
            "--lease-seconds",
            lease_seconds,
        ],
    )
    .await
}

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.expect(sql).get(0)
}

/// Waits until every source has been fetched; panics after `limit`.
async fn wait_until_all_fetched(client: &tokio_postgres::Client, limit: Duration) {
    let start = std::time::Instant::now();
    loop {
        let left = count(
            client,
            "SELECT COUNT(*) FROM sources WHERE last_fetch_at IS NULL",
        )
        .await;
        if left == 0 {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{left} sources still unfetched after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_workers_fetch_each_of_a_thousand_sources_once() {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    let Some((database, client)) =
        set_up("three_workers_fetch_each_once", &fixture, &data, 1000).await
    else {
        return;
    };
    // A little latency, so the three passes overlap.
    fixture.set_delay(Duration::from_millis(5));
    let workers = [
        start_worker(&data, &database, "600").await,
        start_worker(&data, &database, "600").await,
        start_worker(&data, &database, "600").await,
    ];
    wait_until_all_fetched(&client, Duration::from_secs(120)).await;
    wait_until_all_filed(&client, Duration::from_secs(60)).await;
    // Two more polling rounds: nothing is due again for five minutes, so
    // nothing may be fetched again.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    drop(workers);
    let mut twice = Vec::new();
    for n in 0..1000 {
        let hits = fixture.hits(&format!("feed/{n}.xml"));
        assert!(hits >= 1, "feed {n} was never fetched");
        if hits > 1 {
            twice.push((n, hits));
        }
    }
    assert!(twice.is_empty(), "fetched more than once: {twice:?}");
    assert_eq!(count(&client, "SELECT COUNT(*) FROM items").await, 2000);
    assert_eq!(
        count(
            &client,
            "SELECT COUNT(*) FROM sources WHERE last_error IS NOT NULL"
        )
        .await,
        0
    );
    assert_filed(&client, 2000).await;
}

/// Items that are in no story (filing is kept in `item_stories`).
const UNFILED: &str = "SELECT COUNT(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM item_stories f WHERE f.item_id = i.id)";

/// Every item is in exactly one story, every story has the items its size
/// says, and one process held the filing lease.
async fn assert_filed(client: &tokio_postgres::Client, items: i64) {
    assert_eq!(
        count(client, UNFILED).await,
        0,
        "items left without a story"
    );
    assert_eq!(
        count(client, "SELECT COALESCE(SUM(size), 0)::bigint FROM stories").await,
        items
    );
    assert_eq!(
        count(
            client,
            "SELECT COUNT(*) FROM stories s
             WHERE size <> (SELECT COUNT(*) FROM item_stories WHERE story_id = s.id)
                OR sources <> (SELECT COUNT(DISTINCT source_id) FROM item_stories WHERE story_id = s.id)"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            client,
            "SELECT COUNT(*) FROM item_stories f
             WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = f.story_id)"
        )
        .await,
        0
    );
    assert!(count(client, "SELECT COUNT(*) FROM leases WHERE name = 'stories'").await <= 1);
}

/// Waits until every item is filed in a story; panics after `limit`.
async fn wait_until_all_filed(client: &tokio_postgres::Client, limit: Duration) {
    let start = std::time::Instant::now();
    loop {
        let left = count(client, UNFILED).await;
        if left == 0 {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{left} items still unfiled after {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_workers_sources_are_taken_over_when_its_lease_ends() {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    let Some((database, client)) = set_up(
        "a_killed_workers_sources_are_taken_over",
        &fixture,
        &data,
        200,
    )
    .await
    else {
        return;
    };
    // A slow site: the first worker is killed with fetches in flight.
    fixture.set_delay(Duration::from_millis(300));
    let mut first = start_worker(&data, &database, "3").await;
    for _ in 0..100 {
        if fixture.total_hits() >= 20 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.kill().await;
    let held = count(
        &client,
        "SELECT COUNT(*) FROM sources WHERE lease_owner IS NOT NULL AND last_fetch_at IS NULL",
    )
    .await;
    assert!(held > 0, "the killed worker held no source");
    fixture.set_delay(Duration::from_millis(5));
    let others = [
        start_worker(&data, &database, "3").await,
        start_worker(&data, &database, "3").await,
    ];
    wait_until_all_fetched(&client, Duration::from_secs(90)).await;
    // Whatever the killed worker was doing, every item ends in a story.
    wait_until_all_filed(&client, Duration::from_secs(60)).await;
    assert_filed(&client, 400).await;
    drop(others);
    // Every source was fetched; only those the killed worker had in flight
    // may have been asked for twice (once by it, once by its successor).
    let mut repeated = 0;
    for n in 0..200 {
        let hits = fixture.hits(&format!("feed/{n}.xml"));
        assert!((1..=2).contains(&hits), "feed {n} fetched {hits} times");
        repeated += usize::from(hits == 2);
    }
    assert!(
        repeated as i64 <= held,
        "{repeated} repeated, {held} were held"
    );
    assert_eq!(count(&client, "SELECT COUNT(*) FROM items").await, 400);
    assert_eq!(
        count(
            &client,
            "SELECT COUNT(*) FROM sources WHERE lease_owner IS NOT NULL"
        )
        .await,
        0
    );
}
