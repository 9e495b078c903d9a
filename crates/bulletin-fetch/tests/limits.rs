//! The fetcher against misbehaving servers on loopback.

use bulletin_fetch::{FetchConfig, FetchError, Fetcher};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// A server that answers every connection with `respond(request)`, written
/// slowly when `drip` is set; an empty answer means never answering.
async fn server(respond: fn(&str) -> Vec<u8>, drip: Option<Duration>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let n = sock.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let response = respond(&request);
                if response.is_empty() {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                    return;
                }
                match drip {
                    None => {
                        let _ = sock.write_all(&response).await;
                    }
                    Some(pause) => {
                        for chunk in response.chunks(16) {
                            if sock.write_all(chunk).await.is_err() {
                                return;
                            }
                            tokio::time::sleep(pause).await;
                        }
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn path_of(request: &str) -> &str {
    request.split_whitespace().nth(1).unwrap_or("/")
}

fn http(status: &str, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Fetches `base` with a loopback-allowing fetcher and returns its error.
async fn fetch_error(base: &str, timeout: Duration) -> FetchError {
    fetcher(timeout)
        .get(&Url::parse(base).unwrap(), None)
        .await
        .unwrap_err()
}

fn fetcher(timeout: Duration) -> Fetcher {
    Fetcher::new(FetchConfig {
        allow_private_networks: true,
        timeout,
        ..FetchConfig::default()
    })
    .unwrap()
}

#[tokio::test]
async fn cuts_off_bodies_over_the_limit() {
    let base = server(
        |_| {
            http(
                "200 OK",
                "Content-Type: text/plain\r\n",
                &vec![b'x'; 11 * 1024 * 1024],
            )
        },
        None,
    )
    .await;
    let err = fetch_error(&base, Duration::from_secs(20)).await;
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("larger than 10485760 bytes"));
}

#[tokio::test]
async fn cuts_off_bodies_without_length_over_the_limit() {
    fn endless(_: &str) -> Vec<u8> {
        let mut out =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n".to_vec();
        out.extend(std::iter::repeat_n(b'y', 11 * 1024 * 1024));
        out
    }
    let base = server(endless, None).await;
    let err = fetch_error(&base, Duration::from_secs(20)).await;
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn cuts_off_slow_servers_at_the_deadline() {
    let base = server(
        |_| http("200 OK", "", &vec![b'z'; 4096]),
        Some(Duration::from_millis(50)),
    )
    .await;
    let started = std::time::Instant::now();
    let err = fetch_error(&base, Duration::from_secs(1)).await;
    assert!(matches!(err, FetchError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn reports_status_and_follows_redirects_but_not_loops() {
    fn routes(request: &str) -> Vec<u8> {
        match path_of(request) {
            "/old" => http("301 Moved Permanently", "Location: /new\r\n", b""),
            "/new" => http(
                "200 OK",
                "Content-Type: application/rss+xml\r\nETag: \"v1\"\r\n",
                b"<rss/>",
            ),
            "/loop" => http("302 Found", "Location: /loop\r\n", b""),
            "/moved" => http("308 Permanent Redirect", "Location: /old\r\n", b""),
            "/for-now" => http("302 Found", "Location: /old\r\n", b""),
            _ => http("404 Not Found", "", b"no"),
        }
    }
    let base = server(routes, None).await;
    let f = fetcher(Duration::from_secs(5));
    let ok = f
        .get(&Url::parse(&format!("{base}/old")).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(ok.final_url.path(), "/new");
    assert_eq!(ok.validators.etag.as_deref(), Some("\"v1\""));
    // Every hop permanent: the feed has moved; one temporary hop: it has not.
    assert_eq!(
        ok.moved_permanently.as_ref().map(Url::path),
        Some("/new"),
        "301 reported as a move"
    );
    let chain = f
        .get(&Url::parse(&format!("{base}/moved")).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(
        chain.moved_permanently.as_ref().map(Url::path),
        Some("/new")
    );
    let temporary = f
        .get(&Url::parse(&format!("{base}/for-now")).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(temporary.final_url.path(), "/new");
    assert_eq!(temporary.moved_permanently, None);
    let direct = f
        .get(&Url::parse(&format!("{base}/new")).unwrap(), None)
        .await
        .unwrap();
    assert_eq!(direct.moved_permanently, None);
    let err = f
        .get(&Url::parse(&format!("{base}/loop")).unwrap(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Redirects), "{err}");
    let err = f
        .get(&Url::parse(&format!("{base}/missing")).unwrap(), None)
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "the server answered HTTP 404 Not Found");
}

#[tokio::test]
async fn refuses_loopback_unless_allowed() {
    let base = server(|_| http("200 OK", "", b"secret"), None).await;
    let strict = Fetcher::new(FetchConfig::default()).unwrap();
    let err = strict
        .get(&Url::parse(&base).unwrap(), None)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Blocked(_)), "{err}");
    assert!(err.to_string().contains("--allow-private-networks"));
    // A name that resolves to loopback is refused at resolution time too.
    let port = Url::parse(&base).unwrap().port().unwrap();
    let named = Url::parse(&format!("http://localhost.localdomain:{port}/")).unwrap();
    if let Err(e) = strict.get(&named, None).await {
        assert!(
            matches!(e, FetchError::Blocked(_) | FetchError::Connect(_)),
            "{e}"
        );
    } else {
        panic!("a loopback name was fetched");
    }
    assert_eq!(
        fetcher(Duration::from_secs(5))
            .get(&Url::parse(&base).unwrap(), None)
            .await
            .unwrap()
            .body,
        b"secret"
    );
}

#[tokio::test]
async fn honours_retry_after_in_the_error() {
    let base = server(
        |_| http("503 Service Unavailable", "Retry-After: 120\r\n", b"busy"),
        None,
    )
    .await;
    let err = fetch_error(&base, Duration::from_secs(5)).await;
    match &err {
        FetchError::Status {
            status: 503,
            retry_after: Some(wait),
            ..
        } => assert_eq!(wait.as_secs(), 120),
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains("asked to wait 120s"), "{err}");
}

#[tokio::test]
async fn at_most_two_requests_per_host_at_once() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (flight, top) = (in_flight.clone(), peak.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let (flight, top) = (flight.clone(), top.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let now = flight.fetch_add(1, Ordering::SeqCst) + 1;
                top.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(150)).await;
                flight.fetch_sub(1, Ordering::SeqCst);
                let _ = sock.write_all(&http("200 OK", "", b"ok")).await;
            });
        }
    });
    let f = fetcher(Duration::from_secs(10));
    let url = Url::parse(&format!("http://{addr}/")).unwrap();
    let gets: Vec<_> = (0..6).map(|_| f.get(&url, None)).collect();
    for result in futures_util::future::join_all(gets).await {
        assert_eq!(result.unwrap().body, b"ok");
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2, "per-host limit not applied");
}

#[tokio::test]
async fn a_304_answer_carries_no_body() {
    fn conditional(request: &str) -> Vec<u8> {
        if request
            .to_ascii_lowercase()
            .contains("if-none-match: \"v7\"")
        {
            http("304 Not Modified", "ETag: \"v7\"\r\n", b"")
        } else {
            http(
                "200 OK",
                "ETag: \"v7\"\r\nContent-Type: application/rss+xml\r\n",
                b"<rss/>",
            )
        }
    }
    let base = server(conditional, None).await;
    let url = Url::parse(&base).unwrap();
    let f = fetcher(Duration::from_secs(5));
    let first = f.get(&url, None).await.unwrap();
    assert!(!first.not_modified);
    assert_eq!(first.validators.etag.as_deref(), Some("\"v7\""));
    let again = f.get(&url, Some(&first.validators)).await.unwrap();
    assert!(again.not_modified);
    assert!(again.body.is_empty());
}

#[tokio::test]
async fn a_compression_bomb_is_cut_off_after_decompression() {
    fn bomb(_: &str) -> Vec<u8> {
        static BODY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let body = BODY.get_or_init(|| {
            use std::io::Write;
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..64 {
                gz.write_all(&zeros).unwrap();
            }
            gz.finish().unwrap()
        });
        http(
            "200 OK",
            "Content-Type: application/rss+xml\r\nContent-Encoding: gzip\r\n",
            body,
        )
    }
    let base = server(bomb, None).await;
    let err = fetch_error(&base, Duration::from_secs(20)).await;
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_is_given_up_on() {
    let base = server(|_| Vec::new(), None).await;
    let started = std::time::Instant::now();
    let err = fetch_error(&base, Duration::from_secs(1)).await;
    assert!(matches!(err, FetchError::Timeout(_)), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
}
