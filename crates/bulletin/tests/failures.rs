//! Bad input: broken sources are reported, the rest carry on, nothing is lost.

mod common;

use common::*;

fn feed(title: &str, n: usize) -> String {
    let items: String = (0..n)
        .map(|i| format!("<item><title>{title} {i}</title><link>http://x.example/{title}/{i}</link><description>Body {i}</description></item>"))
        .collect();
    format!("<rss version=\"2.0\"><channel><title>{title}</title>{items}</channel></rss>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_sources_show_reasons_and_keep_items() {
    let fixtures = FixtureServer::start().await;
    let data = DataDir::new();
    let names = ["good", "gone", "garbled", "binary", "refused"];
    for name in names {
        fixtures.set(
            &format!("{name}.xml"),
            Doc::ok("application/rss+xml", feed(name, 3)),
        );
        let out = bulletin(
            &data,
            &["source", "add", &fixtures.url(&format!("{name}.xml"))],
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(stdout(&out).contains("15 new items"), "{}", stdout(&out));

    // Now each source but one breaks in its own way.
    fixtures.set("good.xml", Doc::ok("application/rss+xml", feed("good", 5)));
    fixtures.set(
        "gone.xml",
        Doc {
            status: 404,
            content_type: "text/html",
            body: b"not here".to_vec(),
            location: None,
        },
    );
    fixtures.set(
        "garbled.xml",
        Doc::ok("application/rss+xml", "<<<this is not xml at all"),
    );
    fixtures.set(
        "binary.xml",
        Doc::ok("image/png", vec![0x89, b'P', b'N', b'G', 0, 1, 2, 3]),
    );
    // A host that does not answer: nothing listens on this port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}/refused.xml", closed.local_addr().unwrap());
    drop(closed);
    let out = bulletin(&data, &["source", "add", &closed_url]).await;
    assert!(!out.status.success(), "adding a dead host must fail");
    assert_eq!(
        stderr(&out).trim().lines().count(),
        1,
        "one readable line: {}",
        stderr(&out)
    );

    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "a pass with failures goes on, then exits 1 so cron learns of them: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("3 of 5 sources could not be fetched"),
        "{}",
        stderr(&out)
    );
    let summary = stdout(&out);
    assert!(
        summary.contains("2 new items") && summary.contains("3 failed"),
        "{summary}"
    );

    let list = stdout(&bulletin(&data, &["source", "list"]).await);
    let line = |name: &str| {
        list.lines()
            .find(|l| l.contains(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("gone").contains("HTTP 404"), "{list}");
    assert!(line("garbled").contains("error:"), "{list}");
    assert!(line("binary").contains("error:"), "{list}");
    assert!(line("good").contains("ok"), "{list}");
    // Nothing stored was lost: 5 good + 3 from each broken source.
    let counts = item_counts(&data).await;
    assert_eq!(counts, vec![5, 3, 3, 3, 3]);
    // The source marked "refused" still exists, but now points to a dead host.
    let _ = names;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused_by_default() {
    let fixtures = FixtureServer::start().await;
    fixtures.set(
        "feed.xml",
        Doc::ok("application/rss+xml", feed("private", 1)),
    );
    let data = DataDir::new();
    let out = bulletin_with(&data, &["source", "add", &fixtures.url("feed.xml")], false).await;
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("not a public address") && err.contains("--allow-private-networks"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let out = bulletin_with(&data, &["source", "add", "http://localhost:1/feed"], false).await;
    assert!(stderr(&out).contains("refused"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_get_one_readable_line() {
    let data = DataDir::new();
    for args in [
        vec!["source", "add", "not a url"],
        vec!["extract", "/no/such/file.html"],
        vec!["parse-feed", "/no/such/feed.xml"],
        vec!["source", "remove", "42"],
    ] {
        let out = bulletin(&data, &args).await;
        assert!(!out.status.success(), "{args:?} should fail");
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extract_and_parse_feed_print_json() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("page.html");
    std::fs::write(&page, r#"<html lang="de"><head><title>Hallo Welt | Zeitung</title><meta property="og:site_name" content="Zeitung"></head><body><article><p>Ein langer Absatz mit genug Text, damit er als Artikel gilt, und noch etwas mehr Text.</p></article></body></html>"#).unwrap();
    let data = DataDir::new();
    let out = bulletin(
        &data,
        &[
            "extract",
            "--url",
            "https://z.example/a",
            page.to_str().unwrap(),
        ],
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
    let article: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(article["title"], "Hallo Welt");
    assert_eq!(article["lang"], "de");
    assert_eq!(article["reading_time_minutes"], 1);
    assert!(article["authors"].as_array().unwrap().is_empty());
    assert!(article["published_at"].is_null());

    let feed_file = dir.path().join("feed.xml");
    std::fs::write(&feed_file, feed("cli", 2)).unwrap();
    let out = bulletin(&data, &["parse-feed", feed_file.to_str().unwrap()]).await;
    assert!(out.status.success());
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["entries"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_that_moves_for_good_is_followed_and_nothing_doubles() {
    let fixtures = FixtureServer::start().await;
    let data = DataDir::new();
    fixtures.set("old.xml", Doc::ok("application/rss+xml", feed("moving", 3)));
    let out = bulletin(&data, &["source", "add", &fixtures.url("old.xml")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(stdout(&out).contains("3 new items"), "{}", stdout(&out));

    // The feed moves with 301; the same entries plus two new ones.
    fixtures.set("new.xml", Doc::ok("application/rss+xml", feed("moving", 5)));
    fixtures.set("old.xml", Doc::redirect(301, fixtures.url("new.xml")));
    let url_now = || async {
        let listed = bulletin(&data, &["source", "list", "--json"]).await;
        let listed: serde_json::Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
        listed[0]["url"].as_str().unwrap_or_default().to_string()
    };
    for pass in 1..=3 {
        let out = bulletin(&data, &["fetch", "--all"]).await;
        assert!(out.status.success(), "{}", stderr(&out));
        let expected = if pass < 3 {
            fixtures.url("old.xml")
        } else {
            fixtures.url("new.xml")
        };
        assert_eq!(url_now().await, expected, "after pass {pass}");
    }
    assert_eq!(
        item_counts(&data).await,
        vec![5],
        "every entry once, none lost"
    );

    // A server error later keeps every stored item.
    fixtures.set(
        "new.xml",
        Doc {
            status: 500,
            content_type: "text/plain",
            body: b"oops".to_vec(),
            location: None,
        },
    );
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(
        stdout(&out).contains("1 failed") || stderr(&out).contains("500"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(item_counts(&data).await, vec![5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_feed_in_a_legacy_charset_is_read_by_its_declaration() {
    let fixtures = FixtureServer::start().await;
    let data = DataDir::new();
    // Windows-1252 bytes declared in the XML; the server says nothing of it.
    let mut body = b"<?xml version=\"1.0\" encoding=\"windows-1252\"?><rss version=\"2.0\"><channel><title>Caf".to_vec();
    body.extend_from_slice(b"\xe9 du Monde</title><item><title>Cr\xe8me br\xfbl\xe9e</title><link>http://x.example/1</link><description>Na\xefve</description></item></channel></rss>");
    fixtures.set("legacy.xml", Doc::ok("application/xml", body));
    let out = bulletin(&data, &["source", "add", &fixtures.url("legacy.xml")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = bulletin(&data, &["source", "list", "--json"]).await;
    let listed: serde_json::Value = serde_json::from_str(&stdout(&listed)).expect("JSON");
    assert_eq!(listed[0]["title"], "Café du Monde");
    let server = Server::start(&data).await;
    let items = server.json("/api/v1/items").await;
    assert_eq!(items["items"][0]["title"], "Crème brûlée");
}
