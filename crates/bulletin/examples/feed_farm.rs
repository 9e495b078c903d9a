//! A loopback farm of feeds for the fetch benchmark (bench/fetch_pass.sh):
//! `feed_farm FEEDS ITEMS FRESH_EVERY` serves `/feeds/{n}.xml` with ETags.
//! Feed `n` changes on every request when `n % FRESH_EVERY == 0` and never
//! otherwise, so after a first pass all but one in FRESH_EVERY answer 304.
//! It listens on 0.0.0.0 so that 127.0.0.x addresses reach it as distinct
//! hosts, and prints the port on its first line.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

struct Farm {
    feeds: u64,
    items: u64,
    fresh_every: u64,
    version: Vec<AtomicU64>,
}

#[tokio::main]
async fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("FEEDS ITEMS FRESH_EVERY as numbers"))
        .collect();
    let (feeds, items, fresh_every) = match args[..] {
        [f, i, e] => (f, i, e.max(1)),
        _ => panic!("usage: feed_farm FEEDS ITEMS FRESH_EVERY"),
    };
    let farm = Arc::new(Farm {
        feeds,
        items,
        fresh_every,
        version: (0..feeds).map(|_| AtomicU64::new(0)).collect(),
    });
    let app = Router::new()
        .route("/feeds/{name}", axum::routing::get(feed))
        .with_state(farm);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0")
        .await
        .expect("bind");
    println!("{}", listener.local_addr().expect("address").port());
    axum::serve(listener, app).await.expect("serve");
}

async fn feed(
    State(farm): State<Arc<Farm>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some(n) = name
        .strip_suffix(".xml")
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|n| *n < farm.feeds)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let slot = &farm.version[n as usize];
    let version = if n % farm.fresh_every == 0 {
        slot.fetch_add(1, Ordering::Relaxed) + 1
    } else {
        slot.load(Ordering::Relaxed)
    };
    let etag = format!("\"{n}-{version}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let mut body = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
         <link>http://farm.example/{n}</link>"
    );
    for i in 0..farm.items {
        let id = version * farm.items + i;
        body.push_str(&format!(
            "<item><title>Story {id} of feed {n}</title><link>http://farm.example/{n}/{id}</link>\
             <guid>{n}-{id}</guid><pubDate>Mon, 02 Nov 2026 10:{:02}:00 GMT</pubDate>\
             <description>Report {id}: the council met, the vote was held, the results are in.</description>\
             <content:encoded xmlns:content=\"http://purl.org/rss/1.0/modules/content/\">&lt;p&gt;Full text of story {id}, \
             with enough words to be an article and not a short update.&lt;/p&gt;</content:encoded></item>",
            id % 60
        ));
    }
    body.push_str("</channel></rss>");
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml".to_string()),
            (header::ETAG, etag),
        ],
        body,
    )
        .into_response()
}
