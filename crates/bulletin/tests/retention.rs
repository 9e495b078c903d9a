//! Pruned items stay pruned: items removed for their age are remembered by
//! GUID and canonical URL, so the next fetch of a feed that still lists
//! them does not bring them back.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn pruned_items_are_not_fetched_back() {
    let fixtures = FixtureServer::start().await;
    let now = chrono::Utc::now();
    let item = |n: usize, days_ago: i64| {
        format!(
            "<item><title>Story {n}</title><link>{}</link><guid>guid-{n}</guid>\
             <description>Words about story {n}.</description><pubDate>{}</pubDate></item>",
            fixtures.url(&format!("story/{n}.html")),
            (now - chrono::Duration::days(days_ago)).to_rfc2822()
        )
    };
    let feed = format!(
        "<rss version=\"2.0\"><channel><title>Old and new</title>{}{}{}</channel></rss>",
        item(1, 400),
        item(2, 300),
        item(3, 1)
    );
    fixtures.set("feed.xml", Doc::ok("application/rss+xml", feed));
    let data = DataDir::new();
    assert!(
        bulletin(&data, &["source", "add", &fixtures.url("feed.xml")])
            .await
            .status
            .success()
    );
    assert!(bulletin(&data, &["fetch", "--all"]).await.status.success());
    assert_eq!(item_counts(&data).await, [3]);
    let pruned = bulletin(&data, &["prune", "--older-than-days", "30"]).await;
    assert!(pruned.status.success(), "{}", stderr(&pruned));
    assert_eq!(item_counts(&data).await, [1]);
    // The feed still lists them: fetched again, they stay away.
    let again = bulletin(&data, &["fetch", "--all"]).await;
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(stdout(&again).contains("0 new items"), "{}", stdout(&again));
    assert_eq!(item_counts(&data).await, [1], "pruned items came back");
}
