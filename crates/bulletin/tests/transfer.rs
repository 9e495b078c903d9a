//! `bulletin export` / `bulletin import` round trips through the real binary:
//! SQLite → file → a new SQLite database, and → PostgreSQL when
//! `BULLETIN_TEST_DATABASE_URL` is set; the exports of the copies equal the
//! original's (ids aside), and importing again adds nothing.

#[path = "../../bulletin-store/tests/backends/mod.rs"]
mod backends;
mod common;

use common::{
    Browser, DataDir, Doc, FixtureServer, Server, bulletin_with, stderr, stdout, with_input,
};
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

/// An export with the database's own ids taken out: users by name, sources
/// by URL, items by their GUID, and sources, posts and stars by those.
fn normalized(export: &str) -> Vec<Value> {
    let records: Vec<Value> = export
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let ids = |t: &str, key: &dyn Fn(&Value) -> Value| -> HashMap<i64, Value> {
        records
            .iter()
            .filter(|r| r["type"] == t)
            .map(|r| (r["id"].as_i64().expect("an id"), key(r)))
            .collect()
    };
    let users = ids("user", &|u| u["name"].clone());
    let urls = ids("source", &|s| s["url"].clone());
    let guids = ids("item", &|i| i["item"]["guid"].clone());
    let swap = |obj: &mut serde_json::Map<String, Value>, key: &str, map: &HashMap<i64, Value>| {
        if let Some(id) = obj.get(key).and_then(Value::as_i64) {
            obj.insert(key.into(), map.get(&id).cloned().unwrap_or(Value::Null));
        }
    };
    let mut out = Vec::new();
    for mut record in records.clone() {
        let obj = record.as_object_mut().expect("an object");
        match obj["type"].as_str() {
            Some("bulletin_export") => {
                obj.remove("exported_at");
            }
            Some("user") | Some("source") | Some("post") => {
                obj.remove("id");
                swap(obj, "author", &users);
                swap(obj, "item", &guids);
            }
            Some("star") => {
                swap(obj, "user", &users);
                swap(obj, "item", &guids);
            }
            Some("item") => {
                obj.remove("id");
                swap(obj, "source", &urls);
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
    // The pass reports the failing source with exit status 1.
    let failing = bulletin_with(&original, &["fetch", "--all"], true).await;
    assert_eq!(failing.status.code(), Some(1), "{}", stderr(&failing));

    // An editor with a published post and a draft; a reader who starred an
    // item.
    for (name, role) in [("ana", "editor"), ("rob", "reader")] {
        let out = with_input(
            &original,
            &["user", "add", name, "--role", role, "--title", "Desk"],
            "a long password\n",
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    {
        let server = Server::start(&original).await;
        let mut ana = Browser::new(&server.base);
        assert_eq!(ana.sign_in("ana", "a long password").await.status, 303);
        let csrf = ana.csrf("/newsroom/new").await;
        for (text, action) in [
            ("Published from the newsroom.", "publish"),
            ("Still a draft.", "draft"),
        ] {
            let posted = ana
                .post(
                    "/newsroom/posts",
                    &[
                        ("csrf", &csrf),
                        ("kind", "update"),
                        ("markdown", text),
                        ("action", action),
                    ],
                )
                .await;
            assert_eq!(posted.status, 303);
        }
        let token = stdout(&bulletin_with(&original, &["user", "token", "rob"], true).await)
            .trim()
            .to_string();
        let first = server.json("/api/v1/items?limit=1").await["items"][0]["id"]
            .as_i64()
            .expect("an item");
        let starred = reqwest::Client::new()
            .put(format!("{}/api/v1/items/{first}/star", server.base))
            .header("authorization", format!("Bearer {token}"))
            .send()
            .await
            .expect("star");
        assert_eq!(starred.status().as_u16(), 204);
    }

    let file = original.path().join("export.jsonl");
    run(&original, None, &["export", "-o", file.to_str().unwrap()]).await;
    let exported = std::fs::read_to_string(&file).expect("export file");
    let expected = normalized(&exported);
    let items = expected.iter().filter(|r| r["type"] == "item").count();
    assert_eq!(items, 13, "twelve fetched and one post: {exported}");
    assert_eq!(expected.iter().filter(|r| r["type"] == "user").count(), 2);
    assert_eq!(expected.iter().filter(|r| r["type"] == "post").count(), 2);
    assert_eq!(expected.iter().filter(|r| r["type"] == "star").count(), 1);
    assert!(
        !exported.contains("argon2") && !exported.contains("password"),
        "no secrets in the export"
    );
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
            stderr(&imported).contains(
                "imported 2 users, 4 sources (0 already subscribed), 2 posts, 1 stars and 13 items"
            ),
            "{name}: {}",
            stderr(&imported)
        );
        let again = run(&copy, db, &["export"]).await;
        let copied = String::from_utf8(again.stdout).expect("UTF-8");
        same_records(&normalized(&copied), &expected, &name);
        // Importing the same file again adds nothing.
        let twice = run(&copy, db, &["import", file.to_str().unwrap()]).await;
        assert!(
            stderr(&twice).contains("and 0 items (13 already stored)"),
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
        assert_eq!(sources.as_array().map(Vec::len), Some(4), "{name}");
        // Imported accounts sign in once a password is set.
        let mut args: Vec<&str> = Vec::new();
        if let Some(db) = db {
            args.extend(["--database", db]);
        }
        args.extend(["user", "password", "ana"]);
        let set = with_input(&copy, &args, "another long password\n").await;
        assert!(set.status.success(), "{}", stderr(&set));
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
