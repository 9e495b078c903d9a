//! From source URLs to a served feed, through the real binary and real HTTP
//! on loopback.

mod common;

use common::*;
use std::collections::HashSet;

fn rss(server: &FixtureServer, range: std::ops::Range<usize>) -> String {
    let mut items = String::new();
    for n in range {
        let extra = if n == 3 {
            // Hostile markup must not survive sanitizing.
            r#"<img src="x" onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">click</a>"#
        } else {
            ""
        };
        items.push_str(&format!(
            r#"<item><title>Wire story number {n}</title>
<link>{link}?utm_source=rss&amp;fbclid=abc</link>
<guid isPermaLink="false">wire-{n}</guid>
<pubDate>Sun, {day:02} May 2025 {hour:02}:00:00 GMT</pubDate>
<dc:creator>Wire Reporter</dc:creator>
<description>Summary of story {n}.</description>
<content:encoded><![CDATA[<p>Full body of wire story {n}, long enough to read. {extra}</p><figure><img src="/img/{n}.jpg"><figcaption>Scene {n}. (Photo by Ann Lens / AFP)</figcaption></figure><p>Second paragraph.</p>]]></content:encoded>
</item>"#,
            link = server.url(&format!("wire/{n}")),
            day = 1 + n % 28,
            hour = n % 24,
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Wire Service</title><link>{}</link><description>d</description>{items}</channel></rss>"#,
        server.url("")
    )
}

fn atom(server: &FixtureServer) -> String {
    let mut entries = String::new();
    for n in 0..12 {
        entries.push_str(&format!(
            r#"<entry><title>Feature {n}</title><link href="{}"/><id>tag:feature-{n}</id>
<updated>2025-04-{:02}T08:00:00Z</updated><summary>Only a summary of feature {n}.</summary></entry>"#,
            server.url(&format!("features/{n}.html")),
            1 + n
        ));
    }
    format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Features Desk</title><id>urn:f</id>
<link href="{}"/><updated>2025-04-30T00:00:00Z</updated>{entries}</feed>"#,
        server.url("features/")
    )
}

fn article_page(n: usize) -> String {
    format!(
        r##"<!doctype html><html lang="en"><head><title>Feature {n} | Features Desk</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"Feature {n}",
"datePublished":"2025-04-{day:02}T08:00:00Z",
"author":{{"@type":"Person","name":"Kim Writer","jobTitle":"Senior News Editor","description":"Kim writes features.","image":"/avatars/kim.png"}},
"image":{{"@type":"ImageObject","url":"/img/feature-{n}.jpg","caption":"A harbour at dawn.","creditText":"Alexander Ryumin / Pool / AFP via Getty Images"}}}}</script>
</head><body><nav><a href="/">Home</a></nav><article><h1>Feature {n}</h1><div class="byline">By Kim Writer</div>
<p>The feature begins with a long paragraph about the harbour, the boats, the people who work there, and the weather that shapes their days.</p>
<div class="share-bar"><a href="#">Share this</a></div>
<p>It continues with a second paragraph, in which the reporter explains, in some detail, why this matters to readers everywhere.</p>
</article><footer>Copyright Features Desk</footer></body></html>"##,
        day = 1 + n
    )
}

fn json_feed(server: &FixtureServer) -> String {
    let mut items = Vec::new();
    for n in 0..8 {
        items.push(serde_json::json!({
            "id": format!("live-{n}"),
            "url": server.url(&format!("live/{n}")),
            "content_text": format!("Short update number {n} from the live desk."),
            "date_published": format!("2025-03-{:02}T10:00:00Z", 1 + n),
        }));
    }
    // The same story as wire item 5, reached with other tracking parameters.
    items.push(serde_json::json!({
        "id": "dup-of-wire-5",
        "url": format!("{}?utm_medium=social#comments", server.url("wire/5")),
        "title": "Wire story number 5 (shared)",
        "content_html": "<p>dup</p>",
        "date_published": "2025-03-20T10:00:00Z",
    }));
    serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": "Live Desk", "items": items}).to_string()
}

async fn set_up_fixtures(server: &FixtureServer) {
    server.set(
        "wire.xml",
        Doc::ok("application/rss+xml", rss(server, 0..30)),
    );
    server.set(
        "features/atom.xml",
        Doc::ok("application/atom+xml", atom(server)),
    );
    for n in 0..12 {
        server.set(
            &format!("features/{n}.html"),
            Doc::ok("text/html; charset=utf-8", article_page(n)),
        );
    }
    server.set(
        "features/index.html",
        Doc::ok(
            "text/html",
            format!(
                r#"<html><head><link rel="alternate" type="application/atom+xml" href="{}"></head><body>Features</body></html>"#,
                server.url("features/atom.xml")
            ),
        ),
    );
    server.set(
        "live.json",
        Doc::ok("application/feed+json", json_feed(server)),
    );
}

fn ids_in_html(html: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for part in html.split("href=\"/items/").skip(1) {
        if let Some(id) = part.split('"').next().and_then(|s| s.parse().ok())
            && ids.last() != Some(&id)
        {
            ids.push(id);
        }
    }
    ids
}

fn show_more_href(html: &str) -> Option<String> {
    let at = html.find("class=\"show-more\" href=\"")?;
    let rest = &html[at + "class=\"show-more\" href=\"".len()..];
    Some(rest[..rest.find('"')?].replace("&amp;", "&"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_sources_to_api_pages_and_feeds() {
    let fixtures = FixtureServer::start().await;
    set_up_fixtures(&fixtures).await;
    let data = DataDir::new();

    // Sources: an RSS feed, a page advertising an Atom feed, a JSON Feed.
    for (url, want_id) in [
        (fixtures.url("wire.xml"), "1"),
        (fixtures.url("features/index.html"), "2"),
        (fixtures.url("live.json"), "3"),
    ] {
        let out = bulletin(&data, &["source", "add", &url]).await;
        assert!(out.status.success(), "source add {url}: {}", stderr(&out));
        assert_eq!(stdout(&out).trim(), want_id);
    }
    let list = bulletin(&data, &["source", "list", "--json"]).await;
    let sources: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(
        sources[1]["url"],
        fixtures.url("features/atom.xml"),
        "the page's advertised feed is subscribed"
    );

    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    // 30 wire + 12 features + 8 updates; the shared copy of wire 5 is the same story.
    assert!(stdout(&out).contains("50 new items"), "{}", stdout(&out));

    // A second pass stores nothing twice.
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(stdout(&out).contains(" 0 new items"), "{}", stdout(&out));

    let list = bulletin(&data, &["source", "list"]).await;
    let table = stdout(&list);
    assert!(
        table.contains("Wire Service")
            && table.contains("Features Desk")
            && table.contains("Live Desk"),
        "{table}"
    );
    let counts = item_counts(&data).await;
    // Wire story 5 arrives twice (RSS and JSON Feed); whichever source is read first keeps it.
    assert_eq!(counts.iter().sum::<u64>(), 50, "{counts:?}");
    assert!(counts == [30, 12, 8] || counts == [29, 12, 9], "{counts:?}");

    let server = Server::start(&data).await;
    assert_eq!(server.get("/healthz").await.0, 200);

    // Walk the API while new items arrive between pages.
    let mut seen: Vec<i64> = Vec::new();
    let mut cursor: Option<String> = None;
    let mut arrivals = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/items?limit=7&cursor={c}"),
            None => "/api/v1/items?limit=7".to_string(),
        };
        let page = server.json(&path).await;
        for item in page["items"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
            for key in [
                "id",
                "kind",
                "title",
                "url",
                "source",
                "published_at",
                "summary",
                "reading_time_minutes",
                "lead_image",
                "authors",
            ] {
                assert!(item.get(key).is_some(), "item lacks {key}: {item}");
            }
        }
        if arrivals < 2 {
            arrivals += 1;
            let end = 30 + arrivals * 3;
            fixtures.set(
                "wire.xml",
                Doc::ok("application/rss+xml", rss(&fixtures, 0..end)),
            );
            let out = bulletin(&data, &["fetch", "--all"]).await;
            assert!(stdout(&out).contains("3 new items"), "{}", stdout(&out));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    let unique: HashSet<i64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len(), "the API repeated an item");
    let total = server.json("/api/v1/items?limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(total, 56);
    // Every item that existed when the walk began was seen exactly once.
    assert!(seen.len() >= 50, "saw {} items", seen.len());

    // Walk the HTML "Show More" chain: every item exactly once.
    let mut html_seen: Vec<i64> = Vec::new();
    let mut path = "/".to_string();
    let mut pages = 0;
    loop {
        let (status, ct, html) = server.get(&path).await;
        assert_eq!(status, 200);
        assert!(ct.starts_with("text/html"));
        let ids = ids_in_html(&html);
        assert!(ids.len() <= 20);
        html_seen.extend(ids);
        pages += 1;
        match show_more_href(&html) {
            Some(next) => {
                assert!(html.contains(">Show More</a>"));
                path = next;
            }
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let unique: HashSet<i64> = html_seen.iter().copied().collect();
    assert_eq!(unique.len(), html_seen.len(), "the page repeated an item");
    // The page shows one card per article: the twelve feature pages say the
    // same words under twelve headlines, so eleven of them are near-
    // duplicates of the first, shown on its card.
    let originals: HashSet<i64> = server
        .json("/api/v1/items?limit=500&duplicates=false")
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(originals.len(), 45);
    assert_eq!(unique, originals);

    // Newest first on the page.
    let api = server.json("/api/v1/items?limit=500").await;
    let dates: Vec<&str> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["published_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);

    // An extracted article: metadata from the page, boilerplate gone.
    let feature = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Feature 3")
        .expect("feature 3");
    let id = feature["id"].as_i64().unwrap();
    let full = server.json(&format!("/api/v1/items/{id}")).await;
    let text = full["text"].as_str().unwrap();
    assert!(text.starts_with("The feature begins"), "{text}");
    assert!(
        !text.contains("Share this")
            && !text.contains("Copyright")
            && !text.contains("By Kim Writer"),
        "{text}"
    );
    assert_eq!(full["authors"][0]["role"], "Senior News Editor");
    assert_eq!(
        full["lead_image"]["credit"],
        "Alexander Ryumin / Pool / AFP via Getty Images"
    );
    assert_eq!(full["reading_time_minutes"], 1);

    let (status, _, page) = server.get(&format!("/items/{id}")).await;
    assert_eq!(status, 200);
    for needle in [
        "Feature 3",
        "min read",
        "Senior News Editor",
        "Kim writes features.",
        "Read more",
        "Alexander Ryumin / Pool / AFP via Getty Images",
        "A harbour at dawn.",
    ] {
        assert!(page.contains(needle), "article page lacks {needle}");
    }

    // The hostile item was sanitized before it was stored.
    let wire3 = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Wire story number 3")
        .unwrap();
    let full = server.json(&format!("/api/v1/items/{}", wire3["id"])).await;
    let html = full["html"].as_str().unwrap();
    assert!(
        !html.contains("onerror") && !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );
    assert_eq!(full["lead_image"]["credit"], "Ann Lens / AFP");

    // Filter by source.
    let only_live = server.json("/api/v1/items?source=3&limit=100").await;
    let live_items = only_live["items"].as_array().unwrap();
    assert_eq!(live_items.len() as u64, counts[2]);
    assert!(live_items.iter().all(|i| i["source"]["id"] == 3));
    assert_eq!(
        live_items.iter().filter(|i| i["kind"] == "update").count(),
        8
    );

    // Search finds stored items.
    let found = server.json("/api/v1/items?q=harbour").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 12);
    // By relevance: the same matches, paged by an offset cursor.
    let ids = |page: &serde_json::Value| -> Vec<i64> {
        let items = page["items"].as_array().expect("items");
        items.iter().filter_map(|i| i["id"].as_i64()).collect()
    };
    let first = server
        .json("/api/v1/items?q=harbour&order=relevance&limit=8")
        .await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_string();
    let rest = server
        .json(&format!(
            "/api/v1/items?q=harbour&order=relevance&limit=8&cursor={cursor}"
        ))
        .await;
    assert_eq!(rest["next_cursor"], serde_json::Value::Null);
    let mut ranked = [ids(&first), ids(&rest)].concat();
    let mut newest = ids(&found);
    assert_eq!(ranked.len(), 12);
    ranked.sort_unstable();
    newest.sort_unstable();
    assert_eq!(ranked, newest);
    let (status, _, body) = server.get("/api/v1/items?q=harbour&order=best").await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid_order"), "{body}");
    let (status, _, body) = server.get("/search?q=harbour&order=relevance").await;
    assert_eq!(status, 200);
    assert!(body.contains("aria-current=\"true\">Best match"), "{body}");

    // Outgoing feeds parse back, with content and authors.
    for (path, ct) in [
        ("/feed.atom", "application/atom+xml"),
        ("/feed.rss", "application/rss+xml"),
        ("/feed.json", "application/feed+json"),
    ] {
        let (status, got_ct, body) = server.get(path).await;
        assert_eq!(status, 200);
        assert!(got_ct.starts_with(ct), "{path}: {got_ct}");
        let feed = bulletin_feeds::parse_feed(body.as_bytes(), None).expect("own feed parses");
        assert_eq!(feed.malformed, None, "{path} is malformed");
        assert_eq!(feed.entries.len(), 50, "{path}");
        assert!(
            feed.entries
                .iter()
                .all(|e| e.title.is_some() && e.link.is_some() && e.id.is_some())
        );
        validate_with_python_feedparser(&body, ct, path, 50);
    }
    let (status, _, body) = server.get("/sources/2/feed.atom").await;
    assert_eq!(status, 200);
    assert_eq!(
        bulletin_feeds::parse_feed(body.as_bytes(), None)
            .unwrap()
            .entries
            .len(),
        12
    );

    // A search feed and an author feed: the same items as the API gives.
    let (status, _, body) = server.get("/feed.atom?q=harbour").await;
    assert_eq!(status, 200);
    let searched = bulletin_feeds::parse_feed(body.as_bytes(), None).expect("search feed");
    assert_eq!(searched.entries.len(), 12);
    assert!(searched.title.as_deref().unwrap_or("").contains("harbour"));
    let by_kim = server.json("/api/v1/items?author=kim%20writer").await;
    let by_kim = by_kim["items"].as_array().expect("items").len();
    assert!(by_kim >= 1, "Kim Writer's article is stored");
    let (status, _, body) = server.get("/feed.json?author=Kim%20Writer").await;
    assert_eq!(status, 200);
    let authored = bulletin_feeds::parse_feed(body.as_bytes(), None).expect("author feed");
    assert_eq!(authored.entries.len(), by_kim);
    assert!(
        authored
            .entries
            .iter()
            .all(|e| e.authors.iter().any(|a| a.name == "Kim Writer"))
    );
    validate_with_python_feedparser(&body, "application/feed+json", "/feed.json?author=", by_kim);

    // The author's page: their card, then their items.
    let (status, _, page) = server.get("/authors/Kim%20Writer").await;
    assert_eq!(status, 200);
    let card_at = page.find("class=\"author-card\"").expect("an author card");
    assert!(
        page[card_at..].contains("Senior News Editor") && page.contains("Kim writes features.")
    );
    assert_eq!(
        ids_in_html(&page).len(),
        by_kim,
        "their items, and only theirs"
    );
    // Articles link their authors to that page.
    let kim_item = ids_in_html(&page)[0];
    let (_, _, article) = server.get(&format!("/items/{kim_item}")).await;
    assert!(
        article.contains("href=\"/authors/Kim%20Writer\""),
        "the card links the author page"
    );
    // Someone who wrote nothing stored here has no page.
    let (status, _, nobody) = server.get("/authors/Nobody%20Here").await;
    assert_eq!(status, 404);
    assert!(
        nobody.contains("Nothing stored here is by Nobody Here") && !nobody.contains("author-card")
    );

    // The sources page shows each source's health and activity.
    let (status, _, page) = server.get("/sources").await;
    assert_eq!(status, 200);
    for needle in [
        "Wire Service",
        "Features Desk",
        "Live Desk",
        "class=\"health ok\"",
        "<svg class=\"spark\"",
        "items in the last 14 days",
    ] {
        assert!(page.contains(needle), "sources page lacks {needle}");
    }

    // Bad requests get clear errors.
    let (status, _, body) = server.get("/api/v1/items?cursor=garbage").await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid_cursor"));
    assert_eq!(server.get("/items/999999").await.0, 404);
    assert_eq!(server.get("/api/v1/items/999999").await.0, 404);

    // Removing a source removes its items.
    let out = bulletin(&data, &["source", "remove", "3"]).await;
    assert!(out.status.success());
    let after = server.json("/api/v1/items?limit=500").await;
    assert_eq!(
        after["items"].as_array().unwrap().len() as u64,
        56 - counts[2]
    );
}

/// Independent validators: Python's feedparser must read Atom and RSS with
/// `bozo` false; JSON Feed (which feedparser 6 does not read) is checked
/// against the JSON Feed 1.1 rules by a few lines of Python. Skipped (with a
/// message) where they are not installed, except in CI, which installs them.
fn validate_with_python_feedparser(body: &str, content_type: &str, path: &str, entries: usize) {
    let json_check = [
        "import sys, json, datetime",
        "d = json.loads(sys.stdin.buffer.read())",
        "assert d['version'] == 'https://jsonfeed.org/version/1.1', 'version'",
        "assert isinstance(d['title'], str) and isinstance(d['items'], list), 'title/items'",
        "for i in d['items']:",
        "    assert isinstance(i['id'], str), 'id'",
        "    assert isinstance(i.get('content_html') or i.get('content_text'), str), 'content'",
        "    for k in ('date_published', 'date_modified'):",
        "        datetime.datetime.fromisoformat(i[k].replace('Z', '+00:00'))",
        "print(0, len(d['items']), '')",
    ]
    .join("\n");
    let script = if content_type.contains("json") {
        json_check.as_str()
    } else {
        "import sys, feedparser\nd = feedparser.parse(sys.stdin.buffer.read(), response_headers={'content-type': sys.argv[1]})\nprint(int(d.bozo), len(d.entries), d.bozo_exception if d.bozo else '')"
    };
    let child = std::process::Command::new("python3")
        .args(["-c", script, content_type])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        assert!(
            std::env::var_os("CI").is_none(),
            "python3 is required in CI"
        );
        eprintln!("skipped: python3 not found, {path} not checked independently");
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if !out.status.success()
        && String::from_utf8_lossy(&out.stderr).contains("No module named 'feedparser'")
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "feedparser is required in CI"
        );
        eprintln!("skipped: feedparser not installed, {path} not checked by it");
        return;
    }
    let result = String::from_utf8_lossy(&out.stdout);
    assert!(
        result.starts_with(&format!("0 {entries} ")),
        "validating {path}: {result} {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
