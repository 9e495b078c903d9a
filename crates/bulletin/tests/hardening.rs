//! What an attacker or a careless client tries against the web server:
//! headers every response carries, sign-in's `next`, conditional and
//! compressed feeds, self links that a Host header cannot change, and
//! clients that open connections and send nothing.

mod common;

use common::*;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn editor(data: &DataDir) {
    let out = with_input(
        data,
        &["user", "add", "ana", "--role", "editor"],
        "a-long-password\n",
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_strict_policy() {
    let data = DataDir::new();
    editor(&data).await;
    let server = Server::start(&data).await;
    for path in [
        "/",
        "/login",
        "/sources",
        "/no-such-page",
        "/feed.atom",
        "/api/v1/items",
    ] {
        let r = reqwest::get(format!("{}{path}", server.base))
            .await
            .unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let html = h["content-type"].to_str().unwrap().starts_with("text/html");
        if html {
            let csp = h["content-security-policy"].to_str().unwrap();
            for rule in [
                "default-src 'self'",
                "script-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
                "form-action 'self'",
            ] {
                assert!(csp.contains(rule), "{path}: {csp} lacks {rule}");
            }
            assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        }
    }
    // Signed-in pages are not kept by caches.
    let mut ana = Browser::new(&server.base);
    assert_eq!(ana.sign_in("ana", "a-long-password").await.status, 303);
    let r = ana.get("/newsroom").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn sign_in_next_is_only_ever_a_same_site_path() {
    let data = DataDir::new();
    editor(&data).await;
    let server = Server::start(&data).await;
    for (next, expected) in [
        ("/newsroom", "/newsroom"),
        ("/a\nSet-Cookie: x=1", "/"),
        ("/a\tb", "/"),
        ("/a\rb", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/authors/José", "/authors/Jos%C3%A9"),
    ] {
        let mut b = Browser::new(&server.base);
        let csrf = b.csrf("/login").await;
        let r = b
            .post(
                "/login",
                &[
                    ("csrf", &csrf),
                    ("name", "ana"),
                    ("password", "a-long-password"),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "next {next:?}: {}", r.body);
        assert_eq!(r.location, expected, "next {next:?}");
    }
}

#[tokio::test]
async fn feeds_and_api_answer_conditionally_and_compress() {
    let data = DataDir::new();
    editor(&data).await;
    let server = Server::start(&data).await;
    let client = reqwest::Client::new();
    for path in ["/feed.atom", "/feed.rss", "/feed.json", "/api/v1/items"] {
        let r = client
            .get(format!("{}{path}", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            r.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("max-age")
        );
        let again = client
            .get(format!("{}{path}", server.base))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
        let other = client
            .get(format!("{}{path}", server.base))
            .header("if-none-match", "W/\"stale\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 200, "{path}");
    }
    // Compressed when asked (the feeds are large and polled often). Asked
    // over a bare connection: the test's HTTP client may decompress on its
    // own and hide the header.
    let addr = server.base.trim_start_matches("http://").to_string();
    for encoding in ["gzip", "br"] {
        let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
        stream
            .write_all(
                format!(
                    "GET /feed.atom HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let head = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        let head = head.split("\r\n\r\n").next().unwrap_or("").to_string();
        assert!(head.starts_with("http/1.1 200"), "{head}");
        assert!(
            head.contains(&format!("content-encoding: {encoding}")),
            "{encoding}: {head}"
        );
    }
}

#[tokio::test]
async fn self_links_never_come_from_the_host_header() {
    let data = DataDir::new();
    let server = Server::start(&data).await;
    let client = reqwest::Client::new();
    let body = client
        .get(format!("{}/feed.json", server.base))
        .header("host", "evil.example")
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!body.contains("evil.example"), "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["feed_url"], format!("{}/feed.json", server.base));

    // With --public-url, the links are the public address's.
    let data = DataDir::new();
    let server = Server::start_with(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-fetch",
            "--public-url",
            "https://news.example.org/",
        ],
    )
    .await;
    let (_, _, body) = server.get("/feed.atom").await;
    assert!(
        body.contains(r#"href="https://news.example.org/feed.atom""#),
        "{body}"
    );
}

/// Reads until the server closes the connection (or `limit` passes).
async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn slow_and_greedy_clients_are_cut_off() {
    let data = DataDir::new();
    let server = Server::start_with(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-fetch",
            "--header-timeout",
            "1",
            "--max-connections-per-address",
            "8",
        ],
    )
    .await;
    let addr = server.base.trim_start_matches("http://").to_string();
    // Half a request, then nothing: closed after the header timeout.
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    assert!(
        closed_within(&mut half, Duration::from_secs(5)).await,
        "a half-open request was held"
    );
    // A connection that never sends anything is closed too.
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(5)).await,
        "an idle connection was held"
    );
    // Eight connections held by one address: a ninth is closed at once,
    // and the server still answers once they are gone.
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ninth = tokio::net::TcpStream::connect(&addr).await.unwrap();
    assert!(
        closed_within(&mut ninth, Duration::from_millis(500)).await,
        "a ninth connection from one address was kept"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _, _) = server.get("/healthz").await;
    assert_eq!(status, 200);
}

async fn try_sign_in(
    server: &Server,
    name: &str,
    password: &str,
    forwarded_for: Option<&str>,
) -> u16 {
    let mut b = Browser::new(&server.base);
    let csrf = b.csrf("/login").await;
    let mut request = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(format!("{}/login", server.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs([
                    ("csrf", csrf.as_str()),
                    ("name", name),
                    ("password", password),
                    ("next", "/"),
                ])
                .finish(),
        );
    if let Some(ip) = forwarded_for {
        request = request.header("x-forwarded-for", ip);
    }
    b.send(request).await.status
}

#[tokio::test]
async fn wrong_passwords_hold_back_that_guess_only() {
    let data = DataDir::new();
    for name in ["ana", "bob"] {
        let out = with_input(
            &data,
            &["user", "add", name, "--role", "editor"],
            "a-long-password\n",
        )
        .await;
        assert!(out.status.success());
    }
    let server = Server::start_with(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-fetch",
            "--trusted-proxy",
            "127.0.0.1",
        ],
    )
    .await;
    let attacker = Some("203.0.113.66");
    for _ in 0..5 {
        assert_eq!(
            try_sign_in(&server, "ana", "wrong-guess", attacker).await,
            401
        );
    }
    // The guesser waits, even with the right password.
    assert_eq!(
        try_sign_in(&server, "ana", "a-long-password", attacker).await,
        429
    );
    // Others behind the same address are not held.
    assert_eq!(
        try_sign_in(&server, "bob", "a-long-password", attacker).await,
        303
    );
    // The account's owner, from her own address, still signs in.
    assert_eq!(
        try_sign_in(&server, "ana", "a-long-password", Some("198.51.100.7")).await,
        303
    );
    // Without a trusted proxy the header is not believed: the peer counts.
    let data = DataDir::new();
    let out = with_input(
        &data,
        &["user", "add", "cy", "--role", "editor"],
        "a-long-password\n",
    )
    .await;
    assert!(out.status.success());
    let server = Server::start(&data).await;
    for n in 0..5 {
        let spoofed = format!("192.0.2.{n}");
        assert_eq!(
            try_sign_in(&server, "cy", "wrong-guess", Some(&spoofed)).await,
            401
        );
    }
    assert_eq!(
        try_sign_in(&server, "cy", "wrong-guess", Some("192.0.2.99")).await,
        429,
        "a spoofed X-Forwarded-For escaped the throttle"
    );
}

/// Whether a page is in the site's layout (header, stylesheet, theme).
fn in_layout(html: &str) -> bool {
    html.contains("<header class=\"site\">")
        && html.contains("/static/style.css")
        && html.contains("color-scheme")
        && html.contains("<html lang=\"en\">")
}

#[tokio::test]
async fn errors_are_pages_of_the_site_with_sentences() {
    let fixtures = FixtureServer::start().await;
    let feed = r#"<rss version="2.0"><channel><title>Band news</title>
        <item><title>Tour dates</title><guid>t1</guid><author>x@example.org (AC/DC)</author><description>Dates announced.</description></item>
        <item><title>Dots</title><guid>t2</guid><author>y@example.org (..)</author><description>A strange byline.</description></item>
        </channel></rss>"#;
    fixtures.set("feed.xml", Doc::ok("application/rss+xml", feed));
    let data = DataDir::new();
    assert!(
        bulletin(&data, &["source", "add", &fixtures.url("feed.xml")])
            .await
            .status
            .success()
    );
    assert!(bulletin(&data, &["fetch", "--all"]).await.status.success());
    editor(&data).await;
    let server = Server::start(&data).await;

    // Unknown things are 404 pages of the site.
    for path in [
        "/authors/Nobody%20At%20All",
        "/items/999999",
        "/no/such/page",
        "/sources/999",
    ] {
        let (status, _, html) = server.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(in_layout(&html), "{path}: {html}");
    }
    // A broken cursor is a 400 page of the site.
    let (status, _, html) = server.get("/?cursor=garbage").await;
    assert_eq!(status, 400);
    assert!(in_layout(&html) && html.contains("not valid"), "{html}");

    // Authors' pages work whatever their names.
    let (_, _, home) = server.get("/").await;
    let item_links: Vec<String> = home
        .split("href=\"/items/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|id| format!("/items/{id}"))
        .collect();
    let mut author_pages = Vec::new();
    for link in &item_links {
        let (_, _, page) = server.get(link).await;
        for href in page.split("class=\"author-link\" href=\"").skip(1) {
            author_pages.push(href.split('"').next().unwrap().replace("&amp;", "&"));
        }
    }
    assert_eq!(author_pages.len(), 2, "{author_pages:?} {item_links:?}");
    for path in &author_pages {
        let (status, _, html) = server.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(
            html.contains("Tour dates") || html.contains("Dots"),
            "{path}"
        );
    }

    // A signed-in form with a stale CSRF token, or with fields missing.
    let mut ana = Browser::new(&server.base);
    assert_eq!(ana.sign_in("ana", "a-long-password").await.status, 303);
    let stale = ana.post("/logout", &[("csrf", "not-the-token")]).await;
    assert_eq!(stale.status, 403);
    assert!(
        in_layout(&stale.body) && stale.body.contains("form expired"),
        "{}",
        stale.body
    );
    let incomplete = ana
        .post("/newsroom/posts", &[("headline", "No text, no token")])
        .await;
    assert_eq!(incomplete.status, 400);
    assert!(in_layout(&incomplete.body), "{}", incomplete.body);
    assert!(
        !incomplete.body.contains("Failed to deserialize"),
        "{}",
        incomplete.body
    );
    assert!(
        incomplete.body.contains("fill in every field"),
        "{}",
        incomplete.body
    );

    // The form's limits hold on the server too.
    let csrf = ana.csrf("/newsroom/new").await;
    let long = "x".repeat(5000);
    let refused = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", &long),
                ("markdown", "Text."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains("The headline is too long"),
        "{}",
        refused.body
    );
}
