//! Article pages Bulletin fetches on its own follow the site's robots.txt;
//! the subscribed feed itself does not need to.

mod common;

use common::*;

fn article(title: &str) -> String {
    let para = format!(
        "<p>{title} is reported at length here, with quotes from the people involved, numbers from \
         the council's own documents, and what happens next week when the vote is held.</p>"
    );
    format!(
        "<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{}</article></body></html>",
        para.repeat(6)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn article_pages_disallowed_by_robots_txt_are_not_fetched() {
    let fixtures = FixtureServer::start().await;
    fixtures.set(
        "robots.txt",
        Doc::ok(
            "text/plain",
            "User-agent: *\nDisallow: /private/\n\nUser-agent: OtherBot\nDisallow: /\n",
        ),
    );
    fixtures.set(
        "private/a.html",
        Doc::ok("text/html", article("Private story")),
    );
    fixtures.set(
        "public/b.html",
        Doc::ok("text/html", article("Public story")),
    );
    let feed = format!(
        r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
        <item><title>Private story</title><link>{}</link><guid>a</guid><description>Short teaser A.</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>
        <item><title>Public story</title><link>{}</link><guid>b</guid><description>Short teaser B.</description><pubDate>Mon, 02 Nov 2026 11:00:00 GMT</pubDate></item>
        </channel></rss>"#,
        fixtures.url("private/a.html"),
        fixtures.url("public/b.html")
    );
    fixtures.set("feed.xml", Doc::ok("application/rss+xml", feed));

    let data = DataDir::new();
    let added = bulletin(&data, &["source", "add", &fixtures.url("feed.xml")]).await;
    assert!(added.status.success(), "{}", stderr(&added));
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));

    let server = Server::start(&data).await;
    let page = server.json("/api/v1/items?include=content").await;
    let items = page["items"].as_array().expect("items");
    assert_eq!(items.len(), 2, "both entries are stored");
    let text_of = |title: &str| {
        items
            .iter()
            .find(|i| i["title"] == title)
            .and_then(|i| i["text"].as_str())
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        text_of("Public story").contains("quotes from the people involved"),
        "the allowed page was read: {}",
        text_of("Public story")
    );
    let private = text_of("Private story");
    assert!(
        !private.contains("quotes from the people involved") && private.contains("teaser A"),
        "the disallowed page was not read: {private}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_article_host_is_logged_with_the_real_reason() {
    let fixtures = FixtureServer::start().await;
    // Nothing listens on port 1: the host refuses the connection.
    let feed = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Teasers</title>
        <item><title>Gone story</title><link>http://127.0.0.1:1/story.html</link><guid>a</guid><description>Short teaser.</description></item>
        </channel></rss>"#;
    fixtures.set("feed.xml", Doc::ok("application/rss+xml", feed));
    let data = DataDir::new();
    let added = bulletin(&data, &["source", "add", &fixtures.url("feed.xml")]).await;
    assert!(added.status.success(), "{}", stderr(&added));
    let fetched = bulletin(&data, &["-v", "fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let log = stderr(&fetched);
    let line = log
        .lines()
        .find(|l| l.contains("article page http://127.0.0.1:1/story.html"))
        .unwrap_or_else(|| panic!("the skipped page is not logged:\n{log}"));
    assert!(
        !line.contains("asks crawlers not to read"),
        "an unreachable host is blamed on robots.txt: {line}"
    );
    assert!(line.contains("could not be read"), "{line}");
}
