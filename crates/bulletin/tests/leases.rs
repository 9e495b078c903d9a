//! Leases that heal: a worker renews the short leases of the sources it is
//! fetching, so a slow fetch is not taken over, and a killed worker's
//! sources are free again within one lease. A `fetch --all` run beside a
//! worker says which sources it left to it, `source list` says who is
//! fetching what, and the exit status tells cron whether sources failed.

mod common;

use common::*;
use std::time::Duration;

fn feed(fixture: &FixtureServer, n: usize) -> String {
    format!(
        "<rss version=\"2.0\"><channel><title>Feed {n}</title><link>{}</link>\
         <item><title>Item {n}</title><guid>g{n}</guid><description>Words {n}.</description></item>\
         </channel></rss>",
        fixture.url("")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_fetch_keeps_its_sources_and_a_killed_workers_are_taken_over() {
    let fixture = FixtureServer::start().await;
    let data = DataDir::new();
    let mut urls = Vec::new();
    for n in 0..5 {
        fixture.set(
            &format!("feed/{n}.xml"),
            Doc::ok("application/rss+xml", feed(&fixture, n)),
        );
        urls.push(fixture.url(&format!("feed/{n}.xml")));
    }
    let mut args = vec!["source", "add"];
    args.extend(urls.iter().map(String::as_str));
    assert!(bulletin(&data, &args).await.status.success());

    // A worker whose site answers after 8 s, with a 2 s lease (the checks
    // below run within the first fetches' 8 s, with room for a loaded
    // machine's slow process starts).
    fixture.set_delay(Duration::from_secs(8));
    // Counted before the worker starts: it may begin fetching before
    // `start_with` returns, and its first requests must count.
    let added = fixture.total_hits();
    let mut worker = Server::start_with(
        &data,
        &[
            "--allow-private-networks",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--poll-minutes",
            "10",
            "--lease-seconds",
            "2",
        ],
    )
    .await;
    // (`source add` read each feed once; the worker asks two at a time of
    // one host.)
    // (Up to 20 s for a loaded machine to start the worker; it goes on as
    // soon as the requests arrive.)
    for _ in 0..400 {
        if fixture.total_hits() >= added + 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        fixture.total_hits() >= added + 2,
        "the worker started fetching"
    );
    // Past the lease's first end: renewed, so nobody else takes them.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let listed = stdout(&bulletin(&data, &["source", "list"]).await);
    assert_eq!(
        listed.matches("being fetched by another process").count(),
        5,
        "{listed}"
    );
    let before = fixture.total_hits();
    let beside = bulletin(&data, &["fetch", "--all"]).await;
    assert_eq!(beside.status.code(), Some(0), "{}", stderr(&beside));
    let said = stdout(&beside);
    assert!(said.contains("fetched 0 sources"), "{said}");
    assert!(
        said.contains("skipped 5 sources that another process is fetching now"),
        "{said}"
    );
    assert_eq!(
        fixture.total_hits(),
        before,
        "a source was fetched twice at once"
    );

    // Killed mid-fetch: its sources are free once the lease ends.
    worker.kill().await;
    fixture.set_delay(Duration::ZERO);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let after = bulletin(&data, &["fetch", "--all"]).await;
    assert_eq!(after.status.code(), Some(0), "{}", stderr(&after));
    assert!(
        stdout(&after).contains("fetched 5 sources"),
        "{}",
        stdout(&after)
    );
    assert_eq!(item_counts(&data).await.iter().sum::<u64>(), 5);
}

#[tokio::test]
async fn fetch_exits_1_when_sources_fail_and_2_on_usage_errors() {
    let fixture = FixtureServer::start().await;
    fixture.set("ok.xml", Doc::ok("application/rss+xml", feed(&fixture, 1)));
    let data = DataDir::new();
    let added = bulletin(&data, &["source", "add", &fixture.url("ok.xml")]).await;
    assert!(added.status.success(), "{}", stderr(&added));
    let fine = bulletin(&data, &["fetch", "--all"]).await;
    assert_eq!(fine.status.code(), Some(0), "{}", stderr(&fine));
    // The feed disappears: the pass reports it, and exits 1.
    fixture.set(
        "ok.xml",
        Doc {
            status: 404,
            content_type: "text/plain",
            body: b"gone".to_vec(),
            location: None,
        },
    );
    let failed = bulletin(&data, &["fetch", "--all"]).await;
    assert_eq!(failed.status.code(), Some(1));
    assert!(stdout(&failed).contains("1 failed"), "{}", stdout(&failed));
    assert!(
        stderr(&failed).contains("1 of 1 sources could not be fetched"),
        "{}",
        stderr(&failed)
    );
    let usage = bulletin(&data, &["fetch", "--no-such-flag"]).await;
    assert_eq!(usage.status.code(), Some(2));
    let usage = bulletin(&data, &["serve", "--poll-minutes", "-1"]).await;
    assert_eq!(usage.status.code(), Some(2), "{}", stderr(&usage));
    let help = stdout(&bulletin(&data, &["--help"]).await);
    assert!(
        help.contains("Exit status") && help.contains("2  the command line was wrong"),
        "{help}"
    );
    let extract_help = stdout(&bulletin(&data, &["extract", "--help"]).await);
    assert!(
        extract_help.contains("bulletin extract [--url URL] FILE")
            && !extract_help.contains("[FILE]"),
        "{extract_help}"
    );
}
