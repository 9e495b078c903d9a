//! Feed discovery when a page advertises no feed: the usual paths.

mod common;

use common::*;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Quiet Blog</title>
<entry><id>tag:quiet,1</id><title>First post</title><updated>2026-11-01T10:00:00Z</updated>
<link href="http://quiet.example/1"/><summary>Hello.</summary></entry></feed>"#;

#[tokio::test]
async fn a_page_without_a_feed_link_is_followed_to_the_usual_paths() {
    let fixtures = FixtureServer::start().await;
    // The page links to nothing; /feed and /rss.xml are missing or not feeds.
    fixtures.set(
        "blog/index.html",
        Doc::ok(
            "text/html",
            "<html><head><title>Quiet</title></head><body>Posts</body></html>",
        ),
    );
    fixtures.set(
        "rss.xml",
        Doc::ok("text/html", "<html><body>not a feed</body></html>"),
    );
    fixtures.set("atom.xml", Doc::ok("application/atom+xml", ATOM));
    let data = DataDir::new();
    let out = bulletin(&data, &["source", "add", &fixtures.url("blog/index.html")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = bulletin(&data, &["source", "list", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
    assert_eq!(listed[0]["url"], fixtures.url("atom.xml"));
    assert_eq!(listed[0]["title"], "Quiet Blog");
}

#[tokio::test]
async fn a_page_with_no_feed_anywhere_is_refused_with_where_it_looked() {
    let fixtures = FixtureServer::start().await;
    fixtures.set(
        "page.html",
        Doc::ok("text/html", "<html><body>Nothing here</body></html>"),
    );
    let data = DataDir::new();
    let out = bulletin(&data, &["source", "add", &fixtures.url("page.html")]).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("no <link rel=\"alternate\"> feed") && err.contains("/feed.json"),
        "{err}"
    );
}
