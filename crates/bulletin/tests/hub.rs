//! Outgoing WebSub through the real binary: Bulletin's feeds name its own
//! hub; a subscriber is asked to confirm with a challenge, then gets the
//! feed, signed with its secret, when another process stores new items;
//! a topic that is not one of this server's feeds is refused.

mod common;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use common::{DataDir, Doc, FixtureServer, Server, bulletin};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the subscriber's callback received.
#[derive(Default)]
struct Received {
    /// (mode, topic) of each verification it confirmed.
    verified: Vec<(String, String)>,
    /// (X-Hub-Signature, Link, body) of each delivery.
    deliveries: Vec<(String, String, String)>,
}

type Shared = Arc<Mutex<Received>>;

async fn verify(
    State(received): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> String {
    received.lock().unwrap().verified.push((
        q.get("hub.mode").cloned().unwrap_or_default(),
        q.get("hub.topic").cloned().unwrap_or_default(),
    ));
    q.get("hub.challenge").cloned().unwrap_or_default()
}

async fn deliver(State(received): State<Shared>, headers: HeaderMap, body: String) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    received
        .lock()
        .unwrap()
        .deliveries
        .push((header("x-hub-signature"), header("link"), body));
}

async fn subscriber() -> (String, Shared) {
    let received: Shared = Arc::default();
    let app = Router::new()
        .route("/callback", get(verify).post(deliver))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/callback"), received)
}

/// A fixture server with a feed of one item, `title`, at `feed.xml`.
async fn wire(title: &str) -> FixtureServer {
    let fixture = FixtureServer::start().await;
    fixture.set(
        "feed.xml",
        Doc::ok(
            "application/rss+xml",
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
                 <item><title>{title}</title><guid>{title}</guid><description>{title}, in full.</description>\
                 <pubDate>Sat, 28 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
            ),
        ),
    );
    fixture
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 10 s");
}

#[tokio::test(flavor = "multi_thread")]
async fn subscribers_of_bulletins_feeds_get_new_content_pushed_and_signed() {
    let fixture = wire("Hotel pushes").await;
    let data = DataDir::new();
    let server = Server::start(&data).await;
    let base = server.base.clone();
    let hub = format!("{base}/websub/hub");
    let topic = format!("{base}/feed.atom");
    // The feeds name the hub, in the document and in a Link header.
    let response = reqwest::get(&topic).await.unwrap();
    let link = response.headers()["link"].to_str().unwrap().to_string();
    assert!(link.contains(&format!("<{hub}>; rel=\"hub\"")), "{link}");
    let atom = response.text().await.unwrap();
    assert!(
        atom.contains(&format!("<link rel=\"hub\" href=\"{hub}\"/>")),
        "{atom}"
    );
    let (_, _, json) = server.get("/feed.json").await;
    assert!(json.contains("\"hubs\""), "{json}");

    let (callback, received) = subscriber().await;
    let client = reqwest::Client::new();
    let subscribe = |topic: String, callback: String| {
        let form = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("hub.mode", "subscribe")
            .append_pair("hub.topic", &topic)
            .append_pair("hub.callback", &callback)
            .append_pair("hub.secret", "correct horse")
            .finish();
        client
            .post(&hub)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
    };
    // Only this server's feeds.
    let refused = subscribe(
        "https://elsewhere.example/feed.atom".into(),
        callback.clone(),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("hub.topic"));
    let refused = subscribe(topic.clone(), "javascript:alert(1)".into())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    // Accepted, then confirmed by the callback.
    let accepted = subscribe(topic.clone(), callback.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), 202);
    wait_for("the verification of intent", || {
        !received.lock().unwrap().verified.is_empty()
    })
    .await;
    assert_eq!(
        received.lock().unwrap().verified[0],
        ("subscribe".to_string(), topic.clone())
    );
    // The subscription is stored once the callback answered; give the
    // server a moment before the news arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Another process stores an item: the subscriber gets the feed.
    let added = bulletin(&data, &["source", "add", &fixture.url("feed.xml")]).await;
    assert!(added.status.success(), "{added:?}");
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{fetched:?}");
    wait_for("a delivery", || {
        !received.lock().unwrap().deliveries.is_empty()
    })
    .await;
    let (signature, link, body) = received.lock().unwrap().deliveries[0].clone();
    assert!(body.contains("Hotel pushes"), "{body}");
    assert!(link.contains(&format!("<{topic}>; rel=\"self\"")), "{link}");
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, b"correct horse");
    let expected: String = ring::hmac::sign(&key, body.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(signature, format!("sha256={expected}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operators_hub_is_named_and_pinged_when_feeds_change() {
    let pings: Arc<Mutex<Vec<String>>> = Arc::default();
    let recorded = pings.clone();
    let app = Router::new().route(
        "/hub",
        axum::routing::post(move |body: String| {
            let recorded = recorded.clone();
            async move { recorded.lock().unwrap().push(body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = format!("http://{}/hub", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let fixture = wire("India pings").await;
    let data = DataDir::new();
    let server = Server::start_with(
        &data,
        &[
            "--allow-private-networks",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-fetch",
            "--websub-hub",
            &hub,
        ],
    )
    .await;
    let (_, _, rss) = server.get("/feed.rss").await;
    assert!(
        rss.contains(&format!("<atom:link href=\"{hub}\" rel=\"hub\"/>")),
        "{rss}"
    );
    // Bulletin is not the hub then.
    let own = reqwest::Client::new()
        .post(format!("{}/websub/hub", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("hub.mode=subscribe")
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), 404);
    let added = bulletin(&data, &["source", "add", &fixture.url("feed.xml")]).await;
    assert!(added.status.success(), "{added:?}");
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{fetched:?}");
    let site = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", &format!("{}/feed.atom", server.base))
        .finish();
    wait_for("a ping for the site's feed", || {
        pings.lock().unwrap().contains(&site)
    })
    .await;
}
