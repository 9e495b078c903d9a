//! The reader's page in a real browser: headless Chromium driven by
//! playwright-core (web-tests/feed.mjs) against `bulletin serve --demo`, with
//! an axe-core accessibility check of the feed, article and search pages,
//! the stories view, a story page and an article's related articles; and
//! who said what (web-tests/claims.mjs): a speaker's page, an article's
//! claims, an organisation's page.
//! Skipped, saying so, where Chromium or the npm package is missing; in CI
//! (`CI` set) they are required.

mod common;

use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_show_more_article_and_search_in_chromium() {
    let Some((_data, password, server)) = demo_with_editor().await else {
        return;
    };
    let base = server.base.clone();

    let printed = run_script("feed.mjs", &base, password).await;
    eprintln!("{printed}");
    let shots = web_tests().join("screenshots");
    for name in [
        "feed-light",
        "feed-dark",
        "article-light",
        "article-dark",
        "stories-light",
        "stories-dark",
        "story-light",
        "related-light",
    ] {
        let shot = shots.join(format!("{name}.png"));
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "{} missing or empty",
            shot.display()
        );
    }
}

/// A `serve --demo` (its desk silent) with an editor account, its items
/// settled; None, saying why, where the browser is missing (required in CI).
async fn demo_with_editor() -> Option<(DataDir, &'static str, Server)> {
    if let Some(missing) = browser_missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "required in CI: {missing}"
        );
        eprintln!("skipped: {missing}");
        return None;
    }
    let data = DataDir::new();
    let password = add_editor(&data).await;
    let server = Server::start_with(
        &data,
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "--demo-every",
            "0",
        ],
    )
    .await;
    wait_for_demo(&server.base).await;
    Some((data, password, server))
}

/// An editor account, "editor" ("Mira Holt"), to publish from the newsroom
/// (the password is piped). Returns the password.
async fn add_editor(data: &DataDir) -> &'static str {
    let password = "harbour-light-42";
    let mut add = tokio::process::Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .arg("--data")
        .arg(data.path())
        .args([
            "user",
            "add",
            "editor",
            "--role",
            "editor",
            "--display-name",
            "Mira Holt",
        ])
        .args([
            "--title",
            "Harbour Correspondent",
            "--bio",
            "Reports from the coast.",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("start bulletin user add");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = add.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .await
            .expect("write the password");
    }
    assert!(add.wait().await.expect("user add").success());
    password
}

/// Waits until the demo's feeds, fetched in the background, hold more
/// than a page of items and the count has settled.
async fn wait_for_demo(base: &str) {
    let mut last = 0;
    let mut steady = 0;
    for _ in 0..120 {
        if let Ok(r) = reqwest::get(format!("{base}/api/v1/items?limit=100")).await
            && let Ok(text) = r.text().await
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(&text)
        {
            let now = v["items"].as_array().map_or(0, Vec::len);
            steady = if now == last && now > 20 {
                steady + 1
            } else {
                0
            };
            last = now;
            if steady >= 4 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(
        steady >= 4,
        "the demo's items did not settle above a page (last count {last})"
    );
}

/// Runs a web-tests script against `base`; returns what it printed.
async fn run_script(script: &str, base: &str, password: &str) -> String {
    let shots = web_tests().join("screenshots");
    let out = tokio::process::Command::new("node")
        .arg(web_tests().join(script))
        .arg(base)
        .arg(&shots)
        .arg("editor")
        .arg(password)
        .output()
        .await
        .expect("run node");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_updates_reach_an_open_feed_in_chromium() {
    let Some((_data, password, server)) = demo_with_editor().await else {
        return;
    };
    let printed = run_script("live.mjs", &server.base, password).await;
    eprintln!("{printed}");
    let shots = web_tests().join("screenshots");
    for name in ["live-announcement", "live-shown", "live-edited"] {
        let shot = shots.join(format!("{name}.png"));
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 10_000),
            "{} missing or empty",
            shot.display()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_said_what_on_entity_and_article_pages_in_chromium() {
    if let Some(missing) = browser_missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "required in CI: {missing}"
        );
        eprintln!("skipped: {missing}");
        return;
    }
    let (_fixture, data, _) = reference_claims_ingested().await;
    let server = Server::start(&data).await;
    let shots = web_tests().join("screenshots");
    let out = tokio::process::Command::new("node")
        .arg(web_tests().join("claims.mjs"))
        .arg(&server.base)
        .arg(&shots)
        .output()
        .await
        .expect("run node");
    assert!(
        out.status.success(),
        "claims.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["person-light", "person-dark", "article-claims-light"] {
        let shot = shots.join(format!("{name}.png"));
        assert!(
            std::fs::metadata(&shot).is_ok_and(|m| m.len() > 5_000),
            "{} missing or empty",
            shot.display()
        );
    }
}
