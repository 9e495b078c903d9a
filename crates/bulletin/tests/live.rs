//! Live updates through the real binary: `/api/v1/events` streams the items
//! another process writes, a client that reconnects with `Last-Event-ID`
//! gets exactly what it missed, a position the log does not know is a
//! `reset`; on PostgreSQL, a web process hears what another process wrote.

#[path = "../../bulletin-store/tests/backends/mod.rs"]
mod backends;
mod common;

use common::{DataDir, Doc, FixtureServer, Server, bulletin, bulletin_with};
use std::time::Duration;

/// One Server-Sent Event.
#[derive(Debug, Clone)]
struct Event {
    name: String,
    id: Option<String>,
    data: String,
}

/// An open `/api/v1/events` stream.
struct Stream {
    response: reqwest::Response,
    buffer: String,
}

impl Stream {
    async fn open(base: &str, query: &str, last_event_id: Option<&str>) -> Stream {
        let mut request = reqwest::Client::new().get(format!("{base}/api/v1/events{query}"));
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.expect("connect to the stream");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        Stream {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (heartbeat comments skipped), or None after `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Event> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = Event {
                    name: "message".into(),
                    id: None,
                    data: String::new(),
                };
                let mut any = false;
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        event.name = v.into();
                        any = true;
                    } else if let Some(v) = line.strip_prefix("id: ") {
                        event.id = Some(v.into());
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        event.data.push_str(v);
                        any = true;
                    }
                }
                if any {
                    return Some(event);
                }
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .expect("read the stream")?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// Events until `count` named `name` came (others collected too).
    async fn until(&mut self, name: &str, count: usize) -> Vec<Event> {
        let mut seen = Vec::new();
        while seen.iter().filter(|e: &&Event| e.name == name).count() < count {
            match self.next(Duration::from_secs(10)).await {
                Some(event) => seen.push(event),
                None => panic!("only {seen:?} within 10 s, waiting for {count} {name}"),
            }
        }
        seen
    }
}

fn feed(fixture: &FixtureServer, items: &[&str]) -> String {
    let items: String = items
        .iter()
        .enumerate()
        .map(|(n, title)| {
            format!(
                "<item><title>{title}</title><link>{}</link><guid>{title}</guid>\
                 <pubDate>Sat, 28 Nov 2026 1{n}:00:00 GMT</pubDate>\
                 <description>{title}, told in full.</description></item>",
                fixture.url(&format!("story/{n}"))
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
         <link>{}</link>{items}</channel></rss>",
        fixture.url("")
    )
}

fn titles(events: &[Event]) -> Vec<String> {
    let mut titles: Vec<String> = events
        .iter()
        .filter(|e| e.name == "item")
        .map(|e| {
            let item: serde_json::Value = serde_json::from_str(&e.data).expect("item JSON");
            assert!(item["id"].is_i64() && item["kind"].is_string(), "{item}");
            item["title"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    titles.sort();
    titles
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_hears_what_another_process_fetched_and_resumes_where_it_was() {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    fixture.set(
        "feed.xml",
        Doc::ok("application/rss+xml", feed(&fixture, &["Alpha", "Bravo"])),
    );
    let server = Server::start(&data).await;
    let mut stream = Stream::open(&server.base, "", None).await;
    let ready = stream.next(Duration::from_secs(5)).await.expect("ready");
    assert_eq!(ready.name, "ready");
    assert!(ready.id.is_some(), "the start position is an id");
    // Another process (the CLI) fetches: the stream has its items within
    // the SQLite check's 100 ms, well inside the test's patience.
    let added = bulletin(&data, &["source", "add", &fixture.url("feed.xml")]).await;
    assert!(added.status.success(), "{added:?}");
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{fetched:?}");
    let events = stream.until("item", 2).await;
    assert_eq!(titles(&events), ["Alpha", "Bravo"]);
    let last = events
        .iter()
        .rev()
        .find_map(|e| e.id.clone())
        .expect("events carry ids");
    drop(stream);

    // Away: two more items arrive. Back with the last id: exactly those.
    fixture.set(
        "feed.xml",
        Doc::ok(
            "application/rss+xml",
            feed(&fixture, &["Alpha", "Bravo", "Charlie", "Delta"]),
        ),
    );
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{fetched:?}");
    let mut stream = Stream::open(&server.base, "", Some(&last)).await;
    let mut events = Vec::new();
    while let Some(event) = stream.next(Duration::from_millis(1500)).await {
        events.push(event);
    }
    assert_eq!(titles(&events), ["Charlie", "Delta"], "{events:?}");
    let ids: Vec<i64> = events
        .iter()
        .filter(|e| e.name == "item")
        .map(|e| e.id.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id > last.parse::<i64>().unwrap()));
    // The same through the query string (for clients that cannot set the
    // header), narrowed to one word of the headline.
    let mut narrowed = Stream::open(
        &server.base,
        &format!("?q=delta&last_event_id={last}"),
        None,
    )
    .await;
    let mut events = Vec::new();
    while let Some(event) = narrowed.next(Duration::from_millis(1500)).await {
        events.push(event);
    }
    assert_eq!(titles(&events), ["Delta"], "{events:?}");

    // A position this log never had: start again.
    let mut stream = Stream::open(&server.base, "", Some("999999999")).await;
    let events = stream.until("reset", 1).await;
    let reset = events.iter().find(|e| e.name == "reset").unwrap();
    assert!(reset.id.as_deref().unwrap().parse::<i64>().unwrap() < 999_999_999);
    // Not a position at all: a clear error.
    let response = reqwest::Client::new()
        .get(format!("{}/api/v1/events", server.base))
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body = response.text().await.unwrap();
    assert!(body.contains("Last-Event-ID"), "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_feed_page_says_where_its_stream_starts_and_renders_new_cards() {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    fixture.set(
        "feed.xml",
        Doc::ok("application/rss+xml", feed(&fixture, &["Echo"])),
    );
    let added = bulletin(&data, &["source", "add", &fixture.url("feed.xml")]).await;
    assert!(added.status.success(), "{added:?}");
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{fetched:?}");
    let server = Server::start(&data).await;
    let (status, _, page) = server.get("/").await;
    assert_eq!(status, 200);
    let live = page
        .split("data-live=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the feed names its stream");
    assert!(live.starts_with("/api/v1/events?last_event_id="), "{live}");
    // A search's results do not listen.
    let (_, _, results) = server.get("/search?q=echo").await;
    assert!(!results.contains("data-live=\""));
    // New cards come from the page's own template.
    let items = server.json("/api/v1/items").await;
    let id = items["items"][0]["id"].as_i64().unwrap();
    let (status, content_type, cards) = server.get(&format!("/cards?ids={id},{id}")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"));
    assert_eq!(cards.matches("<li data-id=").count(), 1, "{cards}");
    assert!(cards.contains("Echo"));
    let (status, _, _) = server.get("/cards?ids=1,x").await;
    assert_eq!(status, 400);
    // An article page listens for its own edits.
    let (_, _, article) = server.get(&format!("/items/{id}")).await;
    let events = article
        .split("data-live-events=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the article names its stream");
    assert!(
        events.starts_with(&format!("/api/v1/events?item={id}&"))
            && events.contains("last_event_id="),
        "{events}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_process_hears_what_another_process_wrote_on_postgresql() {
    let Some(url) = backends::postgres_url("live_across_processes") else {
        return;
    };
    let (database, _schema) = backends::fresh_schema(&url).await;
    let fixture = FixtureServer::start().await;
    fixture.set(
        "feed.xml",
        Doc::ok("application/rss+xml", feed(&fixture, &["Foxtrot", "Golf"])),
    );
    let data = DataDir::new();
    let web = [
        "--database",
        &database,
        "serve",
        "--role",
        "web",
        "--addr",
        "127.0.0.1:0",
    ];
    let a = Server::start_with(&data, &web).await;
    let b = Server::start_with(&data, &web).await;
    let mut on_a = Stream::open(&a.base, "", None).await;
    let mut on_b = Stream::open(&b.base, "", None).await;
    assert_eq!(
        on_a.next(Duration::from_secs(5)).await.unwrap().name,
        "ready"
    );
    assert_eq!(
        on_b.next(Duration::from_secs(5)).await.unwrap().name,
        "ready"
    );
    // A third process (the CLI) writes: both web processes hear it.
    let added = bulletin_with(
        &data,
        &[
            "--database",
            &database,
            "source",
            "add",
            &fixture.url("feed.xml"),
        ],
        true,
    )
    .await;
    assert!(added.status.success(), "{added:?}");
    let fetched = bulletin_with(&data, &["--database", &database, "fetch", "--all"], true).await;
    assert!(fetched.status.success(), "{fetched:?}");
    let started = std::time::Instant::now();
    let from_a = on_a.until("item", 2).await;
    let from_b = on_b.until("item", 2).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "heard by LISTEN, not by the 2 s safety check: {:?}",
        started.elapsed()
    );
    assert_eq!(titles(&from_a), ["Foxtrot", "Golf"]);
    assert_eq!(titles(&from_b), ["Foxtrot", "Golf"]);
    // Positions are the database's: the same on both processes, so a
    // client may reconnect to either.
    let ids = |events: &[Event]| -> Vec<String> {
        events
            .iter()
            .filter(|e| e.name == "item")
            .filter_map(|e| e.id.clone())
            .collect()
    };
    assert_eq!(ids(&from_a), ids(&from_b));
}
