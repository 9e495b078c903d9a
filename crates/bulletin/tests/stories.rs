//! Stories end to end: three outlets carry one wire story (two of them
//! nearly word for word) and a follow-up, a fourth writes about something
//! else. After `fetch`, the copies point at the original, the coverage of
//! the event is one story, and the web, the API and the stories' feed show
//! it; `stories rebuild` files everything the same way again.

mod common;

use common::*;

const WIRE: &str = "Heavy rain swelled the Danube overnight and officials in Vienna ordered \
    the evacuation of low-lying districts along the river, the city's mayor said on Tuesday. \
    Emergency crews filled sandbags through the night while the water rose above the level of the \
    2013 flood, and schools in three districts stayed closed. The national weather service said \
    more rain was expected in the Alps on Wednesday, and warned that the Inn and the Salzach \
    could burst their banks before the weekend. Farmers upstream reported fields under water and \
    roads cut off in several villages, and the army sent soldiers to help.";

fn feed(fixtures: &FixtureServer, name: &str, entries: &[(&str, &str, &str, &str)]) -> String {
    let items: String = entries
        .iter()
        .map(|(guid, title, minutes_ago, body)| {
            let at = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago.parse().unwrap());
            format!(
                "<item><title>{title}</title><link>{}</link><guid>{guid}</guid>\
                 <description><![CDATA[<p>{body}</p>]]></description><pubDate>{}</pubDate></item>",
                fixtures.url(&format!("news/{guid}.html")),
                at.to_rfc2822()
            )
        })
        .collect();
    format!("<rss version=\"2.0\"><channel><title>{name}</title>{items}</channel></rss>")
}

#[tokio::test(flavor = "multi_thread")]
async fn coverage_of_one_event_becomes_one_story() {
    let fixtures = FixtureServer::start().await;
    let edited = WIRE
        .replace("on Tuesday", "on Tuesday morning")
        .replace("three districts", "several districts");
    let follow_up = "The Danube peaked in Vienna on Wednesday below the feared level, and \
        evacuated residents began to return home as the flood warning for the river was lowered.";
    let other = "Parliament passed the budget after a long night of debate, with the \
        opposition voting against the spending plans for defence and schools.";
    fixtures.set(
        "wire.xml",
        Doc::ok(
            "application/rss+xml",
            feed(
                &fixtures,
                "Wire Service",
                &[(
                    "w1",
                    "Danube floods Vienna, districts evacuated",
                    "120",
                    WIRE,
                )],
            ),
        ),
    );
    fixtures.set(
        "daily.xml",
        Doc::ok(
            "application/rss+xml",
            feed(
                &fixtures,
                "The Daily",
                &[
                    (
                        "d1",
                        "Vienna evacuates districts as Danube floods",
                        "100",
                        &edited,
                    ),
                    (
                        "d2",
                        "Danube flood peaks in Vienna, residents return",
                        "10",
                        follow_up,
                    ),
                ],
            ),
        ),
    );
    fixtures.set(
        "herald.xml",
        Doc::ok(
            "application/rss+xml",
            feed(
                &fixtures,
                "The Herald",
                &[
                    (
                        "h1",
                        "Danube floods: Vienna evacuates low-lying districts",
                        "90",
                        WIRE,
                    ),
                    (
                        "h2",
                        "Parliament passes budget after night of debate",
                        "60",
                        other,
                    ),
                ],
            ),
        ),
    );
    let data = DataDir::new();
    for f in ["wire.xml", "daily.xml", "herald.xml"] {
        let added = bulletin(&data, &["source", "add", &fixtures.url(f)]).await;
        assert!(added.status.success(), "{}", stderr(&added));
    }
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert!(
        stdout(&fetched).contains("filed 5 items into stories"),
        "{}",
        stdout(&fetched)
    );
    let server = Server::start(&data).await;
    let items = server.json("/api/v1/items?limit=50").await;
    let items = items["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5, "every item is listed, copies included");
    let by_title = |t: &str| {
        items
            .iter()
            .find(|i| i["title"].as_str().is_some_and(|x| x.starts_with(t)))
            .unwrap_or_else(|| panic!("no item {t}"))
            .clone()
    };
    let wire = by_title("Danube floods Vienna");
    let daily = by_title("Vienna evacuates");
    let herald = by_title("Danube floods: Vienna");
    let peak = by_title("Danube flood peaks");
    let budget = by_title("Parliament");
    for i in &items {
        assert!(i["story_id"].is_i64(), "every item is filed: {i}");
        assert!(i.get("duplicate_of").is_some() && i.get("duplicates").is_some());
    }
    // The copies point at the first; the first lists them.
    assert_eq!(daily["duplicate_of"], wire["id"]);
    assert_eq!(herald["duplicate_of"], wire["id"]);
    assert!(wire["duplicate_of"].is_null());
    assert_eq!(wire["duplicates"].as_array().unwrap().len(), 2);
    // One story for the event; the budget is another.
    let story = wire["story_id"].clone();
    for i in [&daily, &herald, &peak] {
        assert_eq!(i["story_id"], story, "{}", i["title"]);
    }
    assert_ne!(budget["story_id"], story);
    // Listings can leave the copies out.
    let originals = server.json("/api/v1/items?duplicates=false").await;
    assert_eq!(originals["items"].as_array().unwrap().len(), 3);
    // The stories API.
    let stories = server.json("/api/v1/stories").await;
    let listed = stories["stories"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let flood = listed.iter().find(|s| s["id"] == story).unwrap();
    assert_eq!(flood["size"], 4);
    assert_eq!(flood["sources"], 3);
    assert_eq!(
        flood["title"], wire["title"],
        "the first headline stands for it"
    );
    let one = server.json(&format!("/api/v1/stories/{story}")).await;
    assert_eq!(one["items"].as_array().unwrap().len(), 4);
    let (status, _, _) = server.get("/api/v1/stories/999999").await;
    assert_eq!(status, 404);
    // The feed page: one card for the three copies.
    let (_, _, page) = server.get("/").await;
    assert_eq!(page.matches("\">Danube floods Vienna").count(), 1, "{page}");
    assert!(!page.contains("Vienna evacuates districts"));
    assert!(
        page.contains("Also published by The Daily and The Herald"),
        "{page}"
    );
    assert!(page.contains(&format!("href=\"/stories/{story}\"")));
    // The stories view and a story's page.
    let (status, _, view) = server.get("/stories").await;
    assert_eq!(status, 200);
    assert!(
        view.contains("3 sources") && view.contains("4 articles"),
        "{view}"
    );
    let (status, _, story_page) = server.get(&format!("/stories/{story}")).await;
    assert_eq!(status, 200);
    for name in [
        "Wire Service",
        "The Daily",
        "The Herald",
        "Coverage by source",
        "Timeline",
    ] {
        assert!(story_page.contains(name), "{name} missing");
    }
    // The article page: where it appeared, its story, related coverage.
    let (_, _, article) = server.get(&format!("/items/{}", wire["id"])).await;
    assert!(article.contains("Also published"), "{article}");
    assert!(article.contains("Full coverage: 4 articles from 3 sources"));
    // The stories' feed: one entry per story, read by an independent parser.
    let (status, ty, atom) = server.get("/stories/feed.atom").await;
    assert_eq!(status, 200);
    assert!(ty.starts_with("application/atom+xml"));
    assert_eq!(atom.matches("<entry>").count(), 2);
    assert!(atom.contains(&format!("tag:bulletin,2025:story-{story}")));
    drop(server);
    // Rebuilding files everything the same way.
    let rebuilt = bulletin(&data, &["stories", "rebuild"]).await;
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert!(
        stdout(&rebuilt).contains("filed 5 items"),
        "{}",
        stdout(&rebuilt)
    );
    let server = Server::start(&data).await;
    let again = server.json("/api/v1/items?limit=50").await;
    let again = again["items"].as_array().unwrap();
    let group = |list: &[serde_json::Value]| {
        let mut ids: Vec<(String, i64, bool)> = list
            .iter()
            .map(|i| {
                let same = list
                    .iter()
                    .filter(|j| j["story_id"] == i["story_id"])
                    .count() as i64;
                (
                    i["title"].as_str().unwrap().to_string(),
                    same,
                    i["duplicate_of"].is_null(),
                )
            })
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(group(again), group(&items));
}

#[tokio::test(flavor = "multi_thread")]
async fn related_articles_come_from_other_stories() {
    let fixtures = FixtureServer::start().await;
    let text = |topic: &str| {
        format!(
            "Officials in Geneva said on Monday that talks on {topic} would continue. \
             The Geneva meeting drew delegates from many countries."
        )
    };
    let bakery = "A bakery won a prize for its bread.";
    fixtures.set(
        "a.xml",
        Doc::ok(
            "application/rss+xml",
            feed(
                &fixtures,
                "Alpha",
                &[
                    (
                        "a1",
                        "Climate finance talks resume",
                        "300",
                        &text("climate finance"),
                    ),
                    ("a2", "Local bakery wins bread prize", "100", bakery),
                ],
            ),
        ),
    );
    fixtures.set(
        "b.xml",
        Doc::ok(
            "application/rss+xml",
            feed(
                &fixtures,
                "Beta",
                &[(
                    "b1",
                    "Donors pledge refugee aid",
                    "200",
                    &text("refugee aid"),
                )],
            ),
        ),
    );
    let data = DataDir::new();
    for f in ["a.xml", "b.xml"] {
        assert!(
            bulletin(&data, &["source", "add", &fixtures.url(f)])
                .await
                .status
                .success()
        );
    }
    let fetched = bulletin(&data, &["fetch", "--all"]).await;
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    let server = Server::start(&data).await;
    let items = server.json("/api/v1/items").await;
    let items = items["items"].as_array().unwrap();
    let id_of = |t: &str| {
        items
            .iter()
            .find(|i| i["title"].as_str().is_some_and(|x| x.starts_with(t)))
            .map(|i| i["id"].clone())
            .unwrap()
    };
    let (climate, refugees) = (id_of("Climate finance"), id_of("Donors pledge"));
    assert_ne!(
        items.iter().find(|i| i["id"] == climate).unwrap()["story_id"],
        items.iter().find(|i| i["id"] == refugees).unwrap()["story_id"],
        "two events, two stories"
    );
    let (_, _, page) = server.get(&format!("/items/{climate}")).await;
    let related = page
        .split("Read also")
        .nth(1)
        .unwrap_or_else(|| panic!("no related block: {page}"));
    assert!(related.contains(&format!("/items/{refugees}")), "{related}");
    assert!(!related.contains("bakery"), "{related}");
}
