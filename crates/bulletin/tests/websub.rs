//! WebSub through the real binary: `serve --public-url` subscribes to the hub
//! a feed names, answers the hub's verification, stores pushed content only
//! when it is signed with the secret it gave, and keeps polling a source
//! whose hub refuses.

mod common;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use common::{DataDir, Doc, FixtureServer, Server, bulletin, stdout};
use ring::hmac;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One subscription as the test hub recorded it.
#[derive(Clone, Debug)]
struct Subscription {
    topic: String,
    callback: String,
    secret: String,
    lease_seconds: String,
    /// The subscriber echoed the challenge.
    verified: bool,
}

/// A WebSub hub on loopback: verifies intent before it answers (as a hub
/// may), records what it verified, and can refuse every request.
#[derive(Clone)]
struct Hub {
    base: String,
    subscriptions: Arc<Mutex<Vec<Subscription>>>,
}

#[derive(Clone)]
struct HubState {
    subscriptions: Arc<Mutex<Vec<Subscription>>>,
    refuse: bool,
}

impl Hub {
    async fn start(refuse: bool) -> Hub {
        let subscriptions: Arc<Mutex<Vec<Subscription>>> = Arc::default();
        let app = Router::new()
            .route("/hub", axum::routing::post(subscribe))
            .with_state(HubState {
                subscriptions: subscriptions.clone(),
                refuse,
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind hub");
        let addr = listener.local_addr().expect("hub address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Hub {
            base: format!("http://{addr}"),
            subscriptions,
        }
    }

    fn verified(&self) -> Vec<Subscription> {
        let subs = self.subscriptions.lock().unwrap();
        subs.iter().filter(|s| s.verified).cloned().collect()
    }

    /// Delivers `body` to a subscriber, signed with `secret`.
    async fn push(&self, sub: &Subscription, secret: &str, body: &str) -> u16 {
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
        let tag = hmac::sign(&key, body.as_bytes());
        let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        reqwest::Client::new()
            .post(&sub.callback)
            .header("content-type", "application/atom+xml")
            .header("x-hub-signature", format!("sha256={hex}"))
            .body(body.to_string())
            .send()
            .await
            .expect("push")
            .status()
            .as_u16()
    }
}

async fn subscribe(
    State(hub): State<HubState>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if hub.refuse {
        return (StatusCode::BAD_REQUEST, "topic not served by this hub").into_response();
    }
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let mut sub = Subscription {
        topic: field("hub.topic"),
        callback: field("hub.callback"),
        secret: field("hub.secret"),
        lease_seconds: field("hub.lease_seconds"),
        verified: false,
    };
    if field("hub.mode") != "subscribe" {
        return (StatusCode::BAD_REQUEST, "unknown mode").into_response();
    }
    let challenge = format!("challenge-{}", sub.callback.len());
    let verification = reqwest::get(with_query(
        &sub.callback,
        &[
            ("hub.mode", "subscribe"),
            ("hub.topic", sub.topic.as_str()),
            ("hub.challenge", challenge.as_str()),
            ("hub.lease_seconds", "86400"),
        ],
    ))
    .await;
    if let Ok(answer) = verification {
        sub.verified =
            answer.status().is_success() && answer.text().await.is_ok_and(|body| body == challenge);
    }
    hub.subscriptions.lock().unwrap().push(sub);
    StatusCode::ACCEPTED.into_response()
}

fn feed(fixture: &FixtureServer, path: &str, hub: &str, entries: std::ops::Range<usize>) -> String {
    let self_url = fixture.url(path);
    let entries: String = entries
        .map(|n| {
            format!(
                "<entry><id>urn:{path}:{n}</id><title>{path} story {n}</title>\
                 <link href=\"{}\"/><updated>2026-11-28T{:02}:00:00Z</updated>\
                 <content type=\"html\">&lt;p&gt;Story {n} of {path}, in full.&lt;/p&gt;</content></entry>",
                fixture.url(&format!("{path}/{n}")),
                n % 24
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{path}</title>\
         <id>urn:{path}</id><updated>2026-11-28T10:00:00Z</updated>\
         <link rel=\"self\" href=\"{self_url}\"/><link rel=\"hub\" href=\"{hub}/hub\"/>{entries}</feed>"
    )
}

fn with_query(url: &str, params: &[(&str, &str)]) -> url::Url {
    url::Url::parse_with_params(url, params).expect("callback URL")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

async fn titles(server: &Server) -> Vec<String> {
    let json = server.json("/api/v1/items?limit=100").await;
    json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn wait_for<F: Fn() -> bool>(what: &str, check: F) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn pushed_updates_arrive_signed_and_refused_hubs_fall_back_to_polling() {
    let fixture = FixtureServer::start().await;
    let hub = Hub::start(false).await;
    let refusing = Hub::start(true).await;
    fixture.set(
        "pushed.xml",
        Doc::ok(
            "application/atom+xml",
            feed(&fixture, "pushed.xml", &hub.base, 0..3),
        ),
    );
    fixture.set(
        "polled.xml",
        Doc::ok(
            "application/atom+xml",
            feed(&fixture, "polled.xml", &refusing.base, 0..2),
        ),
    );
    let data = DataDir::new();
    let added = bulletin(
        &data,
        &[
            "source",
            "add",
            &fixture.url("pushed.xml"),
            &fixture.url("polled.xml"),
        ],
    )
    .await;
    assert!(added.status.success(), "{added:?}");

    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let public = format!("http://{addr}/");
    let server = Server::start_with(
        &data,
        &[
            "--allow-private-networks",
            "serve",
            "--addr",
            &addr,
            "--public-url",
            &public,
        ],
    )
    .await;

    // The background pass fetches both feeds and subscribes to the hub,
    // which verifies intent through the public callback address.
    wait_for("the hub to verify the subscription", || {
        !hub.verified().is_empty()
    })
    .await;
    let subs = hub.verified();
    assert_eq!(subs.len(), 1, "{subs:?}");
    let sub = &subs[0];
    assert_eq!(sub.topic, fixture.url("pushed.xml"));
    assert!(
        sub.callback.starts_with(&format!("{public}websub/")),
        "{}",
        sub.callback
    );
    assert!(
        sub.secret.len() >= 32,
        "a long random secret: {}",
        sub.secret
    );
    assert_eq!(sub.lease_seconds, "864000");

    // Pushed content is stored without a poll: the feed on the fixture
    // server never changes. A forged push (wrong key) is acknowledged and
    // ignored; it goes first so that once the signed one is stored, the
    // forged one has been decided.
    let forged = feed(&fixture, "pushed.xml", &hub.base, 50..51);
    assert_eq!(hub.push(sub, "guessed-secret", &forged).await, 202);
    let pushed = feed(&fixture, "pushed.xml", &hub.base, 3..5);
    assert_eq!(hub.push(sub, &sub.secret, &pushed).await, 202);
    let mut seen = Vec::new();
    for _ in 0..100 {
        seen = titles(&server).await;
        if seen.iter().any(|t| t == "pushed.xml story 4") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for n in 0..5 {
        let title = format!("pushed.xml story {n}");
        assert_eq!(
            seen.iter().filter(|t| **t == title).count(),
            1,
            "{title} once in {seen:?}"
        );
    }
    assert!(
        !seen.iter().any(|t| t.contains("story 50")),
        "forged content stored: {seen:?}"
    );
    // The same push again adds nothing.
    assert_eq!(hub.push(sub, &sub.secret, &pushed).await, 202);

    // A verification that does not match what was asked is refused; an
    // unknown callback is gone.
    let wrong_topic = reqwest::get(with_query(
        &sub.callback,
        &[
            ("hub.mode", "subscribe"),
            ("hub.topic", "http://elsewhere.example/feed"),
            ("hub.challenge", "x"),
        ],
    ))
    .await
    .expect("verification");
    assert_eq!(wrong_topic.status().as_u16(), 404);
    let (status, _, _) = server.get("/websub/not-a-token?hub.mode=subscribe").await;
    assert_eq!(status, 404);
    let unknown = reqwest::Client::new()
        .post(format!("{}/websub/not-a-token", server.base))
        .body("<feed/>")
        .send()
        .await
        .expect("push");
    assert_eq!(unknown.status().as_u16(), 410);
    drop(server);

    // `source list` shows both: the pushed source polled only now and then,
    // the other one refused by its hub, with the hub's words, and polled as
    // usual.
    let list = bulletin(&data, &["source", "list", "--json"]).await;
    let json: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    let sources = json.as_array().expect("sources");
    let by_url = |url: String| {
        sources
            .iter()
            .find(|s| s["url"] == url.as_str())
            .cloned()
            .expect("source listed")
    };
    let pushed_source = by_url(fixture.url("pushed.xml"));
    let polled_source = by_url(fixture.url("polled.xml"));
    assert_eq!(pushed_source["item_count"], 5);
    assert_eq!(
        pushed_source["websub"]["state"], "active",
        "{pushed_source}"
    );
    assert!(pushed_source["websub"]["last_push_at"].is_string());
    assert!(pushed_source["websub"].get("secret").is_none());
    assert_eq!(
        polled_source["websub"]["state"], "failed",
        "{polled_source}"
    );
    assert!(
        polled_source["websub"]["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("topic not served by this hub")),
        "{polled_source}"
    );
    let wait = |s: &serde_json::Value| {
        let next =
            chrono::DateTime::parse_from_rfc3339(s["next_fetch_at"].as_str().unwrap()).unwrap();
        let last =
            chrono::DateTime::parse_from_rfc3339(s["last_fetch_at"].as_str().unwrap()).unwrap();
        next - last
    };
    // Entries an hour apart: the usual wait would be half an hour.
    assert!(
        wait(&pushed_source) >= chrono::Duration::hours(6),
        "{pushed_source}"
    );
    assert!(
        wait(&polled_source) < chrono::Duration::hours(1),
        "{polled_source}"
    );
    let table = stdout(&bulletin(&data, &["source", "list"]).await);
    assert!(table.contains("pushed by"), "{table}");
    assert!(table.contains("polled (the hub"), "{table}");
}
