//! Test harness: a fixture web server on loopback and the real binary.
#![allow(dead_code)]

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Output;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the fixture server answers for one path.
#[derive(Clone)]
pub struct Doc {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// For redirects: where to.
    pub location: Option<String>,
}

impl Doc {
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Doc {
        Doc {
            status: 200,
            content_type,
            body: body.into(),
            location: None,
        }
    }

    #[allow(dead_code)] // not every test file redirects
    pub fn redirect(status: u16, location: String) -> Doc {
        Doc {
            status,
            content_type: "text/plain",
            body: Vec::new(),
            location: Some(location),
        }
    }
}

/// A web server on 127.0.0.1 whose documents tests can change while it runs.
#[derive(Clone)]
pub struct FixtureServer {
    pub addr: SocketAddr,
    docs: Arc<Mutex<HashMap<String, Doc>>>,
    /// Requests per path, and how long every answer waits.
    hits: Arc<Mutex<HashMap<String, usize>>>,
    delay: Arc<Mutex<Duration>>,
}

#[derive(Clone)]
struct Fixtures {
    docs: Arc<Mutex<HashMap<String, Doc>>>,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    delay: Arc<Mutex<Duration>>,
}

impl FixtureServer {
    pub async fn start() -> FixtureServer {
        let fixtures = Fixtures {
            docs: Arc::default(),
            hits: Arc::default(),
            delay: Arc::default(),
        };
        let app = Router::new()
            .route("/{*path}", axum::routing::get(serve_doc))
            .with_state(fixtures.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fixture server");
        let addr = listener.local_addr().expect("fixture address");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FixtureServer {
            addr,
            docs: fixtures.docs,
            hits: fixtures.hits,
            delay: fixtures.delay,
        }
    }

    /// How many requests `path` received.
    pub fn hits(&self, path: &str) -> usize {
        let hits = self.hits.lock().unwrap();
        hits.get(path.trim_start_matches('/')).copied().unwrap_or(0)
    }

    /// Requests received in all.
    pub fn total_hits(&self) -> usize {
        self.hits.lock().unwrap().values().sum()
    }

    /// Every answer waits this long (a slow site).
    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    pub fn set(&self, path: &str, doc: Doc) {
        self.docs
            .lock()
            .unwrap()
            .insert(path.trim_start_matches('/').to_string(), doc);
    }
}

async fn serve_doc(State(fixtures): State<Fixtures>, Path(path): Path<String>) -> Response {
    *fixtures
        .hits
        .lock()
        .unwrap()
        .entry(path.clone())
        .or_default() += 1;
    let delay = *fixtures.delay.lock().unwrap();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let doc = fixtures.docs.lock().unwrap().get(&path).cloned();
    match doc {
        Some(d) => {
            let mut response = (
                StatusCode::from_u16(d.status).unwrap_or(StatusCode::OK),
                [(header::CONTENT_TYPE, d.content_type)],
                d.body,
            )
                .into_response();
            if let Some(location) = d.location.and_then(|l| l.parse().ok()) {
                response.headers_mut().insert(header::LOCATION, location);
            }
            response
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A data folder for one test, removed at the end.
pub struct DataDir(pub tempfile::TempDir);

impl DataDir {
    pub fn new() -> DataDir {
        DataDir(tempfile::tempdir().expect("temp dir"))
    }

    pub fn path(&self) -> PathBuf {
        self.0.path().to_path_buf()
    }
}

/// Runs the real `bulletin` binary with this data folder and private
/// networks allowed (the fixture server is on loopback).
pub async fn bulletin(data: &DataDir, args: &[&str]) -> Output {
    bulletin_with(data, args, true).await
}

pub async fn bulletin_with(data: &DataDir, args: &[&str], allow_private: bool) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_bulletin"));
    cmd.arg("--data").arg(data.path());
    if allow_private {
        cmd.arg("--allow-private-networks");
    }
    cmd.args(args)
        .env_remove("BULLETIN_ALLOW_PRIVATE_NETWORKS")
        .env_remove("BULLETIN_DATABASE_URL");
    tokio::time::timeout(Duration::from_secs(120), cmd.output())
        .await
        .expect("bulletin did not finish in time")
        .expect("bulletin runs")
}

/// Each source's stored item count, in source order, from `source list --json`.
pub async fn item_counts(data: &DataDir) -> Vec<u64> {
    let out = bulletin(data, &["source", "list", "--json"]).await;
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("source list prints JSON");
    json.as_array()
        .expect("a JSON array of sources")
        .iter()
        .map(|s| s["item_count"].as_u64().expect("item_count"))
        .collect()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A running `bulletin serve`, stopped when dropped.
pub struct Server {
    child: tokio::process::Child,
    pub base: String,
}

impl Server {
    pub async fn start(data: &DataDir) -> Server {
        Server::start_with(
            data,
            &[
                "--allow-private-networks",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--no-fetch",
            ],
        )
        .await
    }

    /// Starts `bulletin --data DIR ARGS…` and waits until it listens.
    pub async fn start_with(data: &DataDir, args: &[&str]) -> Server {
        use tokio::io::{AsyncBufReadExt, BufReader};
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
            .arg("--data")
            .arg(data.path())
            .args(args)
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start bulletin serve");
        let stderr = child.stderr.take().expect("stderr");
        let mut lines = BufReader::new(stderr).lines();
        let base = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                // A worker serves nothing: it has no address.
                if line.starts_with("Bulletin worker") {
                    return String::new();
                }
                if let Some(rest) = line.split("serving on ").nth(1) {
                    return rest
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .trim_end_matches('/')
                        .to_string();
                }
            }
            panic!("bulletin serve exited before listening");
        })
        .await
        .expect("bulletin serve did not start listening");
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, base }
    }

    /// Kills the process at once (SIGKILL: no chance to clean up).
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("kill bulletin");
    }

    pub async fn get(&self, path: &str) -> (u16, String, String) {
        let r = reqwest::get(format!("{}{}", self.base, path))
            .await
            .expect("request");
        let status = r.status().as_u16();
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, ct, r.text().await.expect("body"))
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let (status, _, body) = self.get(path).await;
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).expect("JSON body")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Runs `bulletin` with `input` on standard input (a piped password).
pub async fn with_input(data: &DataDir, args: &[&str], input: &str) -> std::process::Output {
    use tokio::io::AsyncWriteExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .arg("--data")
        .arg(data.path())
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start bulletin");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).await.expect("write");
    drop(stdin);
    child.wait_with_output().await.expect("bulletin runs")
}

/// A client that keeps cookies and does not follow redirects.
pub struct Browser {
    client: reqwest::Client,
    base: String,
    pub cookies: HashMap<String, String>,
}

pub struct Answer {
    pub status: u16,
    pub location: String,
    pub set_cookies: Vec<String>,
    pub body: String,
    pub headers: reqwest::header::HeaderMap,
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        Browser {
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_string(),
            cookies: HashMap::new(),
        }
    }

    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let response = request
            .header("cookie", cookie.join("; "))
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        };
        let location = header("location");
        let set_cookies: Vec<String> = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        for c in &set_cookies {
            if let Some((pair, _)) = c.split_once(';')
                && let Some((k, v)) = pair.split_once('=')
            {
                if v.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
        let headers = response.headers().clone();
        let body = response.text().await.unwrap_or_default();
        Answer {
            status,
            location,
            set_cookies,
            body,
            headers,
        }
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// The first CSRF token on a page.
    pub async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        let start = page
            .body
            .find("name=\"csrf\" value=\"")
            .unwrap_or_else(|| panic!("no CSRF token on {path}"))
            + "name=\"csrf\" value=\"".len();
        page.body[start..start + 64].to_string()
    }

    pub async fn sign_in(&mut self, name: &str, password: &str) -> Answer {
        let csrf = self.csrf("/login?next=/newsroom").await;
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("name", name),
                ("password", password),
                ("next", "/newsroom"),
            ],
        )
        .await
    }
}

/// This checkout's web-tests folder, found at run time: a test binary
/// reused from another checkout of the shared target folder must not run
/// that checkout's script.
pub fn web_tests() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../../web-tests")
}

/// What the browser tests lack here (Chromium, playwright-core, node), if
/// anything.
pub fn browser_missing() -> Option<String> {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        return Some(format!("{chromium} not found (apt-get install chromium)"));
    }
    if !web_tests().join("node_modules/playwright-core").exists() {
        return Some("playwright-core not installed (npm ci in web-tests/)".into());
    }
    if std::process::Command::new("node")
        .arg("--version")
        .output()
        .is_err()
    {
        return Some("node not found".into());
    }
    None
}

/// The reference article (`tests/data/reference_claims.txt`) as a feed's
/// item, published on 2025-05-25.
pub fn reference_claims_feed(fixture: &FixtureServer) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/tests/data/reference_claims.txt",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the article");
    let mut paragraphs = text.split("\n\n");
    let title = paragraphs.next().expect("a headline");
    let body: String = paragraphs
        .map(|p| format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;")))
        .collect();
    format!(
        "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel>\
         <title>World desk</title><link>{home}</link>\
         <item><title>{title}</title><link>{home}spy-chief</link><guid>spy-chief</guid>\
         <pubDate>Sun, 25 May 2025 12:00:00 +0000</pubDate>\
         <content:encoded><![CDATA[{body}]]></content:encoded></item>\
         </channel></rss>",
        home = fixture.url("")
    )
}

/// A data folder that has fetched the reference article from a fixture
/// feed (`reference_claims_feed`) and filed it with its claims; the fixture
/// (kept serving) and what `fetch` printed.
pub async fn reference_claims_ingested() -> (FixtureServer, DataDir, String) {
    let fixture = FixtureServer::start().await;
    fixture.set(
        "world.xml",
        Doc::ok("application/rss+xml", reference_claims_feed(&fixture)),
    );
    let data = DataDir::new();
    let added = bulletin(&data, &["source", "add", &fixture.url("world.xml")]).await;
    assert!(added.status.success(), "{}", stderr(&added));
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    (fixture, data, stdout(&fetched))
}
