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

/// Runs newsboat headless with a config for its Miniflux mode.
fn newsboat(dir: &Path, base: &str, command: &str) -> String {
    let config = dir.join("newsboat.conf");
    std::fs::write(
        &config,
        format!(
            "urls-source \"miniflux\"\nminiflux-url \"{base}/\"\nminiflux-login \"ana\"\nminiflux-password \"{APP_PASSWORD}\"\n"
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
    assert!(out.status.success(), "newsboat {command}: {}", stderr(&out));
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

    newsboat(dir.path(), &server.base, "reload");
    let unread = newsboat(dir.path(), &server.base, "print-unread");
    assert_eq!(unread.trim(), "10000 unread articles");

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
    newsboat(dir.path(), &server.base, "reload");
    let unread = newsboat(dir.path(), &server.base, "print-unread");
    assert_eq!(unread.trim(), "9998 unread articles");
}
