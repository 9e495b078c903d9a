//! `bulletin export` / `bulletin import` round trips through the real binary:
//! SQLite → file → a new SQLite database, and → PostgreSQL when
//! `BULLETIN_TEST_DATABASE_URL` is set; the exports of the copies equal the
//! original's (ids aside), and importing again adds nothing.

#[path = "../../bulletin-store/tests/backends/mod.rs"]
mod backends;
mod common;

use common::{DataDir, Doc, FixtureServer, bulletin_with, stderr};
use serde_json::Value;
use std::collections::HashMap;

fn feed(fixture: &FixtureServer, name: &str) -> String {
    let items: String = (0..6)
        .map(|k| {
            format!(
                "<item><title>{name} story {k}</title><link>{}</link><guid>{name}-{k}</guid>\
                 <pubDate>Sat, 28 Nov 2026 1{k}:00:00 GMT</pubDate><dc:creator>Ana Ruiz</dc:creator>\
                 <media:content url=\"{}\" medium=\"image\"><media:credit>Photo Desk</media:credit></media:content>\
                 <content:encoded><![CDATA[<p>Story {k} of {name}: élections, <b>markets</b> and rail.</p>]]></content:encoded></item>",
                fixture.url(&format!("{name}/{k}")),
                fixture.url(&format!("img/{name}-{k}.jpg")),
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:media=\"http://search.yahoo.com/mrss/\">\
         <channel><title>{name}</title><link>{}</link><ttl>45</ttl>{items}</channel></rss>",
        fixture.url("")
    )
}

async fn run(data: &DataDir, database: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut all: Vec<&str> = Vec::new();
    if let Some(db) = database {
        all.extend(["--database", db]);
    }
    all.extend(args);
    let out = bulletin_with(data, &all, true).await;
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    out
}

/// An export with the database's own ids taken out: sources by URL, items
/// by their source's URL.
fn normalized(export: &str) -> Vec<Value> {
    let mut urls: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::new();
    for line in export.lines() {
        let mut record: Value = serde_json::from_str(line).expect("a JSON line");
        let obj = record.as_object_mut().expect("an object");
        match obj["type"].as_str() {
            Some("bulletin_export") => {
                obj.remove("exported_at");
            }
            Some("source") => {
                let id = obj
                    .remove("id")
                    .and_then(|v| v.as_i64())
                    .expect("source id");
                urls.insert(id, obj["url"].as_str().expect("url").to_string());
            }
            Some("item") => {
                obj.remove("id");
                let source = obj["source"].as_i64().expect("item source");
                obj.insert("source".into(), Value::String(urls[&source].clone()));
            }
            other => panic!("unexpected record type {other:?}"),
        }
        out.push(record);
    }
    out
}

fn same_records(copy: &[Value], original: &[Value], name: &str) {
    for (n, (c, o)) in copy.iter().zip(original).enumerate() {
        assert_eq!(c, o, "{name}: record {n} differs");
    }
    assert_eq!(copy.len(), original.len(), "{name}: not as many records");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_installation_moves_between_databases_with_nothing_lost() {
    let fixture = FixtureServer::start().await;
    for name in ["world", "markets"] {
        fixture.set(
            &format!("{name}.xml"),
            Doc::ok("application/rss+xml", feed(&fixture, name)),
        );
    }
    let original = DataDir::new();
    run(
        &original,
        None,
        &[
            "source",
            "add",
            &fixture.url("world.xml"),
            &fixture.url("markets.xml"),
        ],
    )
    .await;
    run(&original, None, &["fetch", "--all"]).await;
    // A source that fails keeps its health record through the move.
    fixture.set(
        "gone.xml",
        Doc::ok("application/rss+xml", feed(&fixture, "gone")),
    );
    run(
        &original,
        None,
        &["source", "add", &fixture.url("gone.xml")],
    )
    .await;
    fixture.set(
        "gone.xml",
        Doc {
            status: 500,
            ..Doc::ok("text/plain", "down")
        },
    );
    run(&original, None, &["fetch", "--all"]).await;

    let file = original.path().join("export.jsonl");
    run(&original, None, &["export", "-o", file.to_str().unwrap()]).await;
    let exported = std::fs::read_to_string(&file).expect("export file");
    let expected = normalized(&exported);
    let items = expected.iter().filter(|r| r["type"] == "item").count();
    assert_eq!(items, 12, "{exported}");
    assert!(
        expected
            .iter()
            .any(|r| r["type"] == "source" && r["last_error"].is_string()),
        "the failing source's reason is exported"
    );
    assert!(exported.contains("Photo Desk") && exported.contains("élections"));

    let mut targets: Vec<(String, Option<String>)> = vec![("SQLite".into(), None)];
    if let Some(url) = backends::postgres_url("an_installation_moves_between_databases") {
        let (scoped, _schema) = backends::fresh_schema(&url).await;
        targets.push(("PostgreSQL".into(), Some(scoped)));
    }
    for (name, database) in targets {
        let copy = DataDir::new();
        let db = database.as_deref();
        let imported = run(&copy, db, &["import", file.to_str().unwrap()]).await;
        assert!(
            stderr(&imported).contains("imported 3 sources (0 already subscribed) and 12 items"),
            "{name}: {}",
            stderr(&imported)
        );
        let again = run(&copy, db, &["export"]).await;
        let copied = String::from_utf8(again.stdout).expect("UTF-8");
        same_records(&normalized(&copied), &expected, &name);
        // Importing the same file again adds nothing.
        let twice = run(&copy, db, &["import", file.to_str().unwrap()]).await;
        assert!(
            stderr(&twice).contains(
                "imported 0 sources (3 already subscribed) and 0 items (12 already stored)"
            ),
            "{name}: {}",
            stderr(&twice)
        );
        let after = run(&copy, db, &["export"]).await;
        same_records(
            &normalized(&String::from_utf8(after.stdout).expect("UTF-8")),
            &expected,
            &format!("{name}, after a second import"),
        );
        // The copy serves the same items, searchable.
        let found = run(&copy, db, &["source", "list", "--json"]).await;
        let sources: Value = serde_json::from_slice(&found.stdout).expect("JSON");
        assert_eq!(sources.as_array().map(Vec::len), Some(3), "{name}");
    }

    // A file that is not an export says so.
    let junk = original.path().join("junk.jsonl");
    std::fs::write(&junk, "{\"hello\": 1}\n").expect("write");
    let refused = bulletin_with(&DataDir::new(), &["import", junk.to_str().unwrap()], true).await;
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("not a Bulletin export record"),
        "{}",
        stderr(&refused)
    );
}
