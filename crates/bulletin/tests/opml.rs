//! OPML through the real binary: import (categories, duplicates, bad URLs),
//! export on the command line and over HTTP, and a round trip.

mod common;

use common::*;
use std::collections::BTreeSet;

const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>From another reader</title></head>
  <body>
    <outline text="Loose &amp; Found" type="rss" xmlUrl="https://loose.example/feed.xml"/>
    <outline text="News">
      <outline text="World">
        <outline text="Wire" type="rss" xmlUrl="https://wire.example/rss" htmlUrl="https://wire.example/"/>
      </outline>
      <outline text="City" type="rss" xmlUrl="https://city.example/atom.xml"/>
    </outline>
    <outline text="Again" type="rss" xmlUrl="https://wire.example/rss"/>
    <outline text="Not a feed" type="rss" xmlUrl="javascript:alert(1)"/>
  </body>
</opml>"#;

fn subscriptions(list: &serde_json::Value) -> BTreeSet<(String, Option<String>)> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|s| {
            (
                s["url"].as_str().unwrap_or_default().to_string(),
                s["category"].as_str().map(str::to_string),
            )
        })
        .collect()
}

#[tokio::test]
async fn import_files_categories_skips_duplicates_and_exports_the_same_list() {
    let data = DataDir::new();
    let file = data.path().join("import.opml");
    std::fs::write(&file, LIST).expect("write OPML");
    let path = file.to_str().expect("utf-8 path");

    let first = bulletin(&data, &["opml", "import", path]).await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stderr(&first)
            .contains("imported 3 sources (0 already subscribed, 1 without a usable URL)"),
        "{}",
        stderr(&first)
    );
    // A feed listed twice is read once; a second import adds nothing and
    // doubles nothing.
    let second = bulletin(&data, &["opml", "import", path]).await;
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(stderr(&second).contains("imported 0 sources (3 already subscribed"));

    let listed = bulletin(&data, &["source", "list", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
    let expected: BTreeSet<(String, Option<String>)> = [
        ("https://loose.example/feed.xml", None),
        ("https://wire.example/rss", Some("News / World")),
        ("https://city.example/atom.xml", Some("News")),
    ]
    .into_iter()
    .map(|(u, c)| (u.to_string(), c.map(str::to_string)))
    .collect();
    assert_eq!(subscriptions(&listed), expected);
    let wire = listed
        .as_array()
        .and_then(|a| a.iter().find(|s| s["url"] == "https://wire.example/rss"))
        .expect("wire source");
    assert_eq!(wire["title"], "Wire");
    assert_eq!(wire["site_url"], "https://wire.example/");

    // Export on the command line reads back to the same subscriptions.
    let exported = bulletin(&data, &["opml", "export"]).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let feeds = bulletin_feeds::parse_opml(stdout(&exported).as_bytes()).expect("own OPML reads");
    let round_trip: BTreeSet<(String, Option<String>)> =
        feeds.into_iter().map(|f| (f.url, f.category)).collect();
    assert_eq!(round_trip, expected);
    assert!(stdout(&exported).contains("<opml version=\"2.0\">"));
    assert!(stdout(&exported).contains("Loose &amp; Found"));

    // And into a second installation: the same list, nothing else.
    let other = DataDir::new();
    let out_file = data.path().join("export.opml");
    let written = bulletin(
        &data,
        &["opml", "export", "-o", out_file.to_str().expect("utf-8")],
    )
    .await;
    assert!(written.status.success(), "{}", stderr(&written));
    let imported = bulletin(
        &other,
        &["opml", "import", out_file.to_str().expect("utf-8")],
    )
    .await;
    assert!(imported.status.success(), "{}", stderr(&imported));
    let moved = bulletin(&other, &["source", "list", "--json"]).await;
    let moved: serde_json::Value = serde_json::from_str(&stdout(&moved)).expect("JSON");
    assert_eq!(subscriptions(&moved), expected);

    // Over HTTP, for the web UI.
    let server = Server::start(&data).await;
    let (status, content_type, body) = server.get("/sources.opml").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/x-opml"), "{content_type}");
    let over_http = bulletin_feeds::parse_opml(body.as_bytes()).expect("OPML over HTTP");
    assert_eq!(over_http.len(), 3);
}

#[tokio::test]
async fn a_file_that_is_not_opml_is_refused_in_words() {
    let data = DataDir::new();
    let file = data.path().join("feed.xml");
    std::fs::write(&file, "<rss version=\"2.0\"><channel/></rss>").expect("write");
    let out = bulletin(&data, &["opml", "import", file.to_str().expect("utf-8")]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("not OPML") && err.contains("<rss>"), "{err}");
    let listed = bulletin(&data, &["source", "list", "--json"]).await;
    assert_eq!(stdout(&listed).trim(), "[]");
}
