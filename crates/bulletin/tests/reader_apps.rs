//! Reader apps against a running server: newsboat in its Miniflux mode,
//! the official Python client of the Miniflux API, and the requests
//! Google Reader and Fever apps send, replayed as their source writes
//! them. Tools that are missing make a test say it is skipped; under CI
//! (`CI` set) they fail it instead.

mod common;

use common::*;
use std::path::Path;

const APP_PASSWORD: &str = "an-app-password";

/// Whether `tool` runs here; if not, the test is skipped (or fails in CI).
fn have(tool: &str, args: &[&str]) -> bool {
    let ok = std::process::Command::new(tool)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing, and CI is set: .ci/run installs it"
        );
        eprintln!("skipped: {tool} is not installed");
    }
    ok
}

/// The shared corpus's benchmark folder.
fn shared_bench() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/bench")
}

/// Serves the standard workload (200 feeds × 50 items) from a fixture
/// server and stores it all: returns the fixture server (kept running).
async fn ingest_standard_workload(data: &DataDir) -> FixtureServer {
    let fixtures = FixtureServer::start().await;
    let out_dir = data.path().join("workload");
    let generated = std::process::Command::new("python3")
        .arg(shared_bench().join("gen_feeds.py"))
        .args(["--feeds", "200", "--items", "50", "--seed", "42", "--out"])
        .arg(&out_dir)
        .arg("--base-url")
        .arg(fixtures.url("").trim_end_matches('/'))
        .output()
        .expect("python3 runs gen_feeds.py");
    assert!(generated.status.success(), "{}", stderr(&generated));
    let mut urls = Vec::new();
    for line in std::fs::read_to_string(out_dir.join("urls.txt"))
        .expect("urls.txt")
        .lines()
    {
        let path = line.split_once("://").map(|(_, rest)| rest).unwrap_or(line);
        let path = &path[path.find('/').unwrap_or(0)..];
        let body = std::fs::read(out_dir.join(path.trim_start_matches('/'))).expect("feed file");
        fixtures.set(path, Doc::ok("application/xml", body));
        urls.push(line.to_string());
    }
    let mut args = vec!["source", "add"];
    args.extend(urls.iter().map(String::as_str));
    let added = bulletin(data, &args).await;
    assert!(added.status.success(), "{}", stderr(&added));
    let fetched = bulletin(data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    fixtures
}

/// A reader account with an app password.
async fn reader_with_app_password(data: &DataDir, name: &str) {
    let out = with_input(data, &["user", "add", name], "account-password\n").await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = with_input(
        data,
        &["user", "app-password", name],
        &format!("{APP_PASSWORD}\n"),
    )
    .await;
    assert!(out.status.success(), "{}", stderr(&out));
}

/// Runs newsboat headless with a config for one of its modes: `miniflux`
/// (the Miniflux API) or `feedhq` (FeedHQ's Google Reader API, read as
/// Atom from `/reader/atom/…`).
fn newsboat(dir: &Path, mode: &str, base: &str, command: &str) -> String {
    let config = dir.join("newsboat.conf");
    std::fs::write(
        &config,
        format!(
            "urls-source \"{mode}\"\n{mode}-url \"{base}/\"\n{mode}-login \"ana\"\n{mode}-password \"{APP_PASSWORD}\"\n{}",
            // FeedHQ mode asks for this many items per feed (20 unless
            // told); newsboat 2.21's Miniflux mode has no such setting.
            if mode == "feedhq" { "feedhq-min-items 100\n" } else { "" }
        ),
    )
    .expect("write the config");
    let urls = dir.join("urls");
    std::fs::write(&urls, "").expect("write the url file");
    let out = std::process::Command::new("newsboat")
        .arg("-C")
        .arg(&config)
        .arg("-u")
        .arg(&urls)
        .arg("-c")
        .arg(dir.join("cache.db"))
        .args(["-x", command])
        .output()
        .expect("newsboat runs");
    assert!(
        out.status.success(),
        "newsboat {command}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread")]
async fn newsboat_syncs_every_item_and_sees_what_was_read_in_bulletin() {
    if !have("newsboat", &["-v"]) {
        return;
    }
    let data = DataDir::new();
    let _fixtures = ingest_standard_workload(&data).await;
    reader_with_app_password(&data, "ana").await;
    let token = stdout(&bulletin(&data, &["user", "token", "ana"]).await)
        .trim()
        .to_string();
    let server = Server::start(&data).await;
    let dir = tempfile::tempdir().expect("a folder for newsboat");
    let greader = tempfile::tempdir().expect("a folder for newsboat");

    for (mode, dir) in [("miniflux", dir.path()), ("feedhq", greader.path())] {
        newsboat(dir, mode, &server.base, "reload");
        let unread = newsboat(dir, mode, &server.base, "print-unread");
        assert_eq!(unread.trim(), "10000 unread articles", "{mode}");
    }

    // Two items read through Bulletin's own API are read in newsboat
    // after its next reload.
    let page = server.json("/api/v1/items?limit=2").await;
    let client = reqwest::Client::new();
    for item in page["items"].as_array().expect("items") {
        let id = item["id"].as_i64().expect("an id");
        let status = client
            .put(format!("{}/api/v1/items/{id}/read", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("mark read")
            .status();
        assert_eq!(status.as_u16(), 204);
    }
    for (mode, dir) in [("miniflux", dir.path()), ("feedhq", greader.path())] {
        newsboat(dir, mode, &server.base, "reload");
        let unread = newsboat(dir, mode, &server.base, "print-unread");
        assert_eq!(unread.trim(), "9998 unread articles", "{mode}");
    }
}

/// A server with two small feeds (three items each, the second feed in a
/// "World" folder by OPML) and a reader `ana` with an app password.
async fn small_installation() -> (DataDir, FixtureServer, Server) {
    let data = DataDir::new();
    let fixtures = FixtureServer::start().await;
    for (path, name) in [("/a.xml", "Alpha"), ("/b.xml", "Beta")] {
        let items: String = (1..=3)
            .map(|n| {
                format!(
                    "<item><title>{name} story {n}</title><link>https://{name}.example/{n}</link>\
                     <guid>{name}-{n}</guid><pubDate>Mon, 0{n} Jun 2026 10:00:00 GMT</pubDate>\
                     <author>desk@{name}.example (Desk {name})</author>\
                     <description>&lt;p&gt;The {name} report number {n} on harbours.&lt;/p&gt;</description></item>"
                )
            })
            .collect();
        let rss = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{name} News</title>\
             <link>https://{name}.example/</link>{items}</channel></rss>"
        );
        fixtures.set(path, Doc::ok("application/rss+xml", rss));
    }
    let opml = format!(
        "<?xml version=\"1.0\"?><opml version=\"2.0\"><body>\
         <outline text=\"Alpha\" xmlUrl=\"{}\"/>\
         <outline text=\"World\"><outline text=\"Beta\" xmlUrl=\"{}\"/></outline>\
         </body></opml>",
        fixtures.url("/a.xml"),
        fixtures.url("/b.xml")
    );
    let opml_path = data.path().join("subs.opml");
    std::fs::write(&opml_path, opml).expect("write OPML");
    let imported = bulletin(
        &data,
        &["opml", "import", opml_path.to_str().expect("a path")],
    )
    .await;
    assert!(imported.status.success(), "{}", stderr(&imported));
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    reader_with_app_password(&data, "ana").await;
    let server = Server::start(&data).await;
    (data, fixtures, server)
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// A request's form body, written as the apps write it.
fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// Read You's Google Reader client, request by request
/// (`GoogleReaderAPI.kt`): ClientLogin by form with `output=json`, then
/// GETs ending in `?output=json` and POST forms carrying `T`, with
/// `Authorization: GoogleLogin auth=…`.
#[tokio::test(flavor = "multi_thread")]
async fn google_reader_requests_as_read_you_and_newsboat_send_them() {
    let (data, _fixtures, server) = small_installation().await;
    let http = reqwest::Client::new();
    let base = format!("{}/", server.base);
    let login = |password: &str| {
        http.post(format!("{base}accounts/ClientLogin"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("output", "json"),
                ("Email", "ana"),
                ("Passwd", password),
                ("client", "ReadYou"),
                ("accountType", "HOSTED_OR_GOOGLE"),
                ("service", "reader"),
            ]))
            .send()
    };
    assert_eq!(login("account-password").await.unwrap().status(), 401);
    let answer = login(APP_PASSWORD).await.unwrap();
    assert_eq!(answer.status(), 200);
    let auth = answer.text().await.map(|t| json_of(&t)).unwrap()["Auth"]
        .as_str()
        .expect("Auth")
        .to_string();
    let header = format!("GoogleLogin auth={auth}");
    let get = |path: String| {
        let header = header.clone();
        let url = format!("{base}{path}");
        let http = http.clone();
        async move {
            let r = http
                .get(url)
                .header("authorization", header)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.map(|t| json_of(&t)).unwrap()
        }
    };
    let token = http
        .get(format!("{base}reader/api/0/token"))
        .header("authorization", &header)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let post = |path: &str, pairs: Vec<(&str, String)>| {
        let mut pairs = pairs;
        pairs.push(("T", token.clone()));
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        http.post(format!("{base}{path}?output=json"))
            .header("authorization", &header)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };

    let me = get("reader/api/0/user-info?output=json".into()).await;
    assert_eq!(me["userName"], "ana");
    let subs = get("reader/api/0/subscription/list?output=json".into()).await;
    let subs = subs["subscriptions"].as_array().expect("subscriptions");
    assert_eq!(subs.len(), 2);
    let beta = subs
        .iter()
        .find(|s| s["title"] == "Beta News")
        .expect("Beta");
    assert_eq!(beta["categories"][0]["label"], "World");
    assert_eq!(beta["categories"][0]["id"], "user/-/label/World");
    let alpha_id = subs
        .iter()
        .find(|s| s["title"] == "Alpha News")
        .expect("Alpha")["id"]
        .as_str()
        .expect("a feed id")
        .to_string();
    assert!(alpha_id.starts_with("feed/"));

    let unread_ids = |n: usize| async move {
        let ids = get("reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/reading-list&xt=user/-/state/com.google/read&n=10000".to_string())
            .await;
        let refs: Vec<String> = ids["itemRefs"]
            .as_array()
            .expect("itemRefs")
            .iter()
            .map(|r| r["id"].as_str().expect("a decimal id").to_string())
            .collect();
        assert_eq!(refs.len(), n, "{ids}");
        refs
    };
    let refs = unread_ids(6).await;
    // Contents by 16-digit hex ids, as Read You sends them.
    let hex: Vec<(&str, String)> = refs[..2]
        .iter()
        .map(|id| ("i", format!("{:016x}", id.parse::<i64>().unwrap())))
        .collect();
    let contents: serde_json::Value = post("reader/api/0/stream/items/contents", hex)
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    let items = contents["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    for item in items {
        assert!(
            item["id"]
                .as_str()
                .unwrap()
                .starts_with("tag:google.com,2005:reader/item/")
        );
        assert!(
            item["summary"]["content"]
                .as_str()
                .unwrap()
                .contains("harbours")
        );
        assert!(item["published"].as_i64().unwrap() > 1_700_000_000);
        assert!(
            item["canonical"][0]["href"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert!(
            item["origin"]["streamId"]
                .as_str()
                .unwrap()
                .starts_with("feed/")
        );
        assert!(
            item["categories"]
                .as_array()
                .unwrap()
                .contains(&serde_json::json!("user/-/state/com.google/reading-list"))
        );
    }
    let long_id = items[0]["id"].as_str().unwrap().to_string();

    // Read You's edit-tag (long ids), then newsboat's form of it.
    let done = post(
        "reader/api/0/edit-tag",
        vec![
            ("i", long_id.clone()),
            ("a", "user/-/state/com.google/read".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(done.text().await.unwrap(), "OK");
    unread_ids(5).await;
    let done = post(
        "reader/api/0/edit-tag",
        vec![
            ("i", long_id.clone()),
            ("r", "user/-/state/com.google/read".into()),
            ("a", "user/-/state/com.google/kept-unread".into()),
            ("a", "user/-/state/com.google/tracking-kept-unread".into()),
            ("ac", "edit".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(done.text().await.unwrap(), "OK");
    unread_ids(6).await;
    post(
        "reader/api/0/edit-tag",
        vec![
            ("i", refs[3].clone()),
            ("a", "user/-/state/com.google/starred".into()),
        ],
    )
    .await
    .unwrap();
    let starred = get(
        "reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/starred&n=10000"
            .into(),
    )
    .await;
    assert_eq!(
        starred["itemRefs"][0]["id"].as_str(),
        Some(refs[3].as_str())
    );

    // An action token of another session is refused.
    let forged = http
        .post(format!("{base}reader/api/0/edit-tag"))
        .header("authorization", &header)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&[
            ("i", &refs[0]),
            ("a", "user/-/state/com.google/read"),
            ("T", "x"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    // Marking a feed read: its three items, for ana only.
    let done = post(
        "reader/api/0/mark-all-as-read",
        vec![("s", alpha_id.clone())],
    )
    .await
    .unwrap();
    assert_eq!(done.text().await.unwrap(), "OK");
    unread_ids(3).await;
    let counts = get("reader/api/0/unread-count?output=json".into()).await;
    let reading = counts["unreadcounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "user/-/state/com.google/reading-list")
        .expect("the reading list's count");
    assert_eq!(reading["count"], 3);
    let world = counts["unreadcounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "user/-/label/World")
        .expect("the folder's count");
    assert_eq!(world["count"], 3);

    // A stream as newsboat's FreshRSS mode reads it: no output=json, n.
    let stream = get(format!("reader/api/0/stream/contents/{alpha_id}?n=2")).await;
    assert_eq!(stream["items"].as_array().unwrap().len(), 2);
    assert!(stream["continuation"].is_string());
    let rest = get(format!(
        "reader/api/0/stream/contents/{alpha_id}?n=2&c={}",
        stream["continuation"].as_str().unwrap()
    ))
    .await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    assert!(
        rest["items"][0]["categories"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("user/-/state/com.google/read"))
    );

    // Folders: move a feed, rename the folder, remove it.
    let done = post(
        "reader/api/0/subscription/edit",
        vec![
            ("ac", "edit".into()),
            ("s", alpha_id.clone()),
            ("a", "user/-/label/Later".into()),
        ],
    )
    .await
    .unwrap();
    assert_eq!(done.status(), 200);
    let tags = get("reader/api/0/tag/list?output=json".into()).await;
    assert!(
        tags["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["id"] == "user/-/label/Later")
    );
    post(
        "reader/api/0/rename-tag",
        vec![
            ("s", "user/-/label/Later".into()),
            ("dest", "user/-/label/Soon".into()),
        ],
    )
    .await
    .unwrap();
    let subs = get("reader/api/0/subscription/list?output=json".into()).await;
    let alpha = subs["subscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == alpha_id.as_str())
        .unwrap()
        .clone();
    assert_eq!(alpha["categories"][0]["label"], "Soon");
    post(
        "reader/api/0/disable-tag",
        vec![("s", "user/-/label/Soon".into())],
    )
    .await
    .unwrap();
    let subs = get("reader/api/0/subscription/list?output=json".into()).await;
    assert_eq!(subs["subscriptions"].as_array().unwrap().len(), 2);

    // Another reader's state is their own.
    reader_with_app_password(&data, "bo").await;
    let bo = http
        .post(format!("{base}accounts/ClientLogin"))
        .body(form(&[("Email", "bo"), ("Passwd", APP_PASSWORD)]))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let bo_auth = bo
        .lines()
        .find_map(|l| l.strip_prefix("Auth="))
        .expect("an Auth= line")
        .to_string();
    let bo_ids: serde_json::Value = http
        .get(format!(
            "{base}reader/api/0/stream/items/ids?output=json&s=user/-/state/com.google/reading-list&xt=user/-/state/com.google/read&n=100"
        ))
        .header("authorization", format!("GoogleLogin auth={bo_auth}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    assert_eq!(bo_ids["itemRefs"].as_array().unwrap().len(), 6);
}

/// The Fever requests Reeder and Unread send: every call a POST form with
/// `api_key`, what is wanted in the query.
#[tokio::test(flavor = "multi_thread")]
async fn fever_requests_as_the_apps_send_them() {
    let (_data, _fixtures, server) = small_installation().await;
    let http = reqwest::Client::new();
    let key = {
        use std::fmt::Write as _;
        // md5("ana:" + APP_PASSWORD), written out by Python's hashlib.
        let out = std::process::Command::new("python3")
            .args([
                "-c",
                &format!("import hashlib;print(hashlib.md5(b'ana:{APP_PASSWORD}').hexdigest())"),
            ])
            .output()
            .expect("python3");
        let mut key = String::new();
        let _ = write!(key, "{}", stdout(&out).trim());
        key
    };
    let call = |query: &str, extra: &[(&str, &str)], api_key: &str| {
        let mut pairs = vec![("api_key", api_key)];
        pairs.extend_from_slice(extra);
        http.post(format!("{}/fever/?api{query}", server.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(&pairs))
            .send()
    };
    let refused: serde_json::Value = call("", &[], "0123456789abcdef0123456789abcdef")
        .await
        .unwrap()
        .text()
        .await
        .map(|t| json_of(&t))
        .unwrap();
    assert_eq!(refused["auth"], 0);
    let json = |query: &'static str, extra: Vec<(&'static str, String)>| {
        let key = key.clone();
        let call = &call;
        async move {
            let extra: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let v: serde_json::Value = call(query, &extra, &key)
                .await
                .unwrap()
                .text()
                .await
                .map(|t| json_of(&t))
                .unwrap();
            assert_eq!(v["auth"], 1, "{v}");
            assert_eq!(v["api_version"], 3);
            v
        }
    };
    let groups = json("&groups", vec![]).await;
    let world = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["title"] == "World")
        .expect("the World group")["id"]
        .as_i64()
        .unwrap();
    assert!(
        groups["feeds_groups"]
            .as_array()
            .unwrap()
            .iter()
            .any(|fg| fg["group_id"] == world)
    );
    let feeds = json("&feeds", vec![]).await;
    assert_eq!(feeds["feeds"].as_array().unwrap().len(), 2);
    assert!(feeds["feeds"][0]["favicon_id"].is_i64());
    let unread = json("&unread_item_ids", vec![]).await;
    let ids: Vec<i64> = unread["unread_item_ids"]
        .as_str()
        .unwrap()
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    let items = json("&items&since_id=0", vec![]).await;
    assert_eq!(items["total_items"], 6);
    let first = &items["items"][0];
    assert_eq!(first["id"], ids[0]);
    assert_eq!(first["is_read"], 0);
    assert!(first["html"].as_str().unwrap().contains("harbours"));
    assert!(first["created_on_time"].as_i64().unwrap() > 1_700_000_000);
    let chosen = json(
        "&items",
        vec![("with_ids", format!("{},{}", ids[1], ids[2]))],
    )
    .await;
    assert_eq!(chosen["items"].as_array().unwrap().len(), 2);

    let marked = json(
        "",
        vec![
            ("mark", "item".into()),
            ("as", "read".into()),
            ("id", ids[0].to_string()),
        ],
    )
    .await;
    assert_eq!(
        marked["unread_item_ids"]
            .as_str()
            .unwrap()
            .split(',')
            .count(),
        5
    );
    let saved = json(
        "",
        vec![
            ("mark", "item".into()),
            ("as", "saved".into()),
            ("id", ids[1].to_string()),
        ],
    )
    .await;
    assert_eq!(saved["saved_item_ids"], ids[1].to_string());
    // The World group read up to now: the other feed's items stay unread
    // (but the one read above).
    let world_feeds: Vec<i64> = groups["feeds_groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|fg| fg["group_id"] == world)
        .flat_map(|fg| {
            fg["feed_ids"]
                .as_str()
                .unwrap()
                .split(',')
                .map(|f| f.parse::<i64>().unwrap())
                .collect::<Vec<_>>()
        })
        .collect();
    let expected = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !world_feeds.contains(&i["feed_id"].as_i64().unwrap()) && i["id"] != ids[0])
        .count();
    let now = (chrono::Utc::now().timestamp() + 1).to_string();
    let marked = json(
        "",
        vec![
            ("mark", "group".into()),
            ("as", "read".into()),
            ("id", world.to_string()),
            ("before", now),
        ],
    )
    .await;
    let left = marked["unread_item_ids"].as_str().unwrap();
    assert_eq!(
        left.split(',').filter(|s| !s.is_empty()).count(),
        expected,
        "{left}"
    );
    let bad = call("", &[("mark", "feed"), ("as", "saved"), ("id", "1")], &key)
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

/// The official Python client of the Miniflux API (PyPI `miniflux`).
#[tokio::test(flavor = "multi_thread")]
async fn the_miniflux_python_client_reads_and_marks() {
    if !have("python3", &["-c", "import miniflux"]) {
        return;
    }
    let (data, fixtures, server) = small_installation().await;
    let token = stdout(&bulletin(&data, &["user", "token", "ana"]).await)
        .trim()
        .to_string();
    let script =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/apps/miniflux_client.py");
    let out = tokio::process::Command::new("python3")
        .arg(script)
        .env("BASE", &server.base)
        .env("NAME", "ana")
        .env("APP_PASSWORD", APP_PASSWORD)
        .env("TOKEN", token)
        .env("KNOWN_FEED", fixtures.url("/a.xml"))
        .output()
        .await
        .expect("python3 runs");
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("all checks passed"),
        "{}",
        stdout(&out)
    );
}

/// The account page sets and removes the app password; reader apps sign
/// in with it and never with the account password; failures are throttled.
#[tokio::test(flavor = "multi_thread")]
async fn the_account_page_sets_the_app_password_apps_use() {
    let data = DataDir::new();
    let out = with_input(&data, &["user", "add", "cy"], "account-password\n").await;
    assert!(out.status.success(), "{}", stderr(&out));
    let server = Server::start(&data).await;
    let me = |password: &str| {
        reqwest::Client::new()
            .get(format!("{}/v1/me", server.base))
            .basic_auth("cy", Some(password))
            .send()
    };
    // No app password yet: neither password opens the API.
    assert_eq!(me("account-password").await.unwrap().status(), 401);

    let mut browser = Browser::new(&server.base);
    assert_eq!(browser.sign_in("cy", "account-password").await.status, 303);
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("No app password is set yet"),
        "{}",
        page.body
    );
    assert!(page.body.contains("/fever/"));
    let csrf = browser.csrf("/account").await;
    let differ = browser
        .post(
            "/account/app-password",
            &[
                ("csrf", &csrf),
                ("password", "app-secret-1"),
                ("again", "app-secret-2"),
            ],
        )
        .await;
    assert_eq!(differ.status, 422);
    let set = browser
        .post(
            "/account/app-password",
            &[
                ("csrf", &csrf),
                ("password", "app-secret-1"),
                ("again", "app-secret-1"),
            ],
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert!(set.body.contains("An app password is set"));
    assert_eq!(me("app-secret-1").await.unwrap().status(), 200);
    assert_eq!(me("account-password").await.unwrap().status(), 401);
    // A form without this session's token changes nothing.
    let forged = browser
        .post("/account/app-password", &[("csrf", "0"), ("remove", "1")])
        .await;
    assert_eq!(forged.status, 403);
    assert_eq!(me("app-secret-1").await.unwrap().status(), 200);

    // Wrong app passwords from one address are throttled like sign-in.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(me("guess").await.unwrap().status().as_u16());
    }
    assert!(statuses.contains(&429), "{statuses:?}");

    let removed = browser
        .post("/account/app-password", &[("csrf", &csrf), ("remove", "1")])
        .await;
    assert_eq!(removed.status, 200);
    assert!(removed.body.contains("No app password is set yet"));
}
