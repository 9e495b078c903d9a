//! An article page's own "Read also" links, end to end: extracted when the
//! page is fetched, stored with the item, given by the API with its content
//! and listed on Bulletin's article page: to Bulletin's copy of an article
//! it holds, out to the site otherwise, never to a non-web address.

mod common;

use common::*;

fn page(n: usize, teaser: &str) -> String {
    format!(
        r##"<!doctype html><html lang="en"><head><title>Harbour report {n}</title></head>
<body><article><h1>Harbour report {n}</h1>
<p>The harbour report number {n} begins with a long paragraph about the boats, the cranes, the people who work there, and the weather that shapes their days.</p>
{teaser}
<p>It continues with a second paragraph, in which the reporter explains, in some detail, why the night shift matters to the whole town.</p>
</article></body></html>"##
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn read_also_links_are_stored_served_and_listed() {
    let fixtures = FixtureServer::start().await;
    let teaser = format!(
        r#"<aside class="related-articles"><h3>Read also</h3><ul>
<li><a href="{held}">Dockers vote on the night shift plan</a></li>
<li><a href="{outside}">Fishing fleet returns early from the north</a></li>
<li><a href="javascript:alert(1)">Click here for a free cruise ticket</a></li>
</ul></aside>"#,
        held = fixtures.url("news/2.html"),
        outside = fixtures.url("news/elsewhere.html"),
    );
    fixtures.set("/news/1.html", Doc::ok("text/html", page(1, &teaser)));
    fixtures.set("/news/2.html", Doc::ok("text/html", page(2, "")));
    let items: String = [(1, "10"), (2, "11")]
        .iter()
        .map(|(n, hour)| {
            format!(
                "<item><title>Harbour report {n}</title><link>{}</link><guid>h{n}</guid>\
                 <pubDate>Mon, 01 Jun 2026 {hour}:00:00 GMT</pubDate>\
                 <description>Report {n}.</description></item>",
                fixtures.url(&format!("news/{n}.html"))
            )
        })
        .collect();
    fixtures.set(
        "/feed.xml",
        Doc::ok(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>Harbour News</title>{items}</channel></rss>"
            ),
        ),
    );
    let data = DataDir::new();
    let out = bulletin(&data, &["source", "add", &fixtures.url("/feed.xml")]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(out.status.success(), "{}", stderr(&out));

    let server = Server::start(&data).await;
    let list = server.json("/api/v1/items?limit=10").await;
    let id_of = |title: &str| {
        list["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["title"] == title)
            .and_then(|i| i["id"].as_i64())
            .unwrap_or_else(|| panic!("{title} is not stored: {list}"))
    };
    let (first, second) = (id_of("Harbour report 1"), id_of("Harbour report 2"));
    // The listing leaves the links out; the item with its content has them,
    // the hostile one dropped before it was stored.
    assert!(
        list["items"][0].get("related_links").is_none(),
        "{}",
        list["items"][0]
    );
    let full = server.json(&format!("/api/v1/items/{first}")).await;
    let links = full["related_links"].as_array().expect("related_links");
    let urls: Vec<&str> = links.iter().filter_map(|l| l["url"].as_str()).collect();
    assert_eq!(
        urls,
        [
            fixtures.url("news/2.html").as_str(),
            fixtures.url("news/elsewhere.html").as_str()
        ],
        "{full}"
    );
    assert_eq!(links[0]["title"], "Dockers vote on the night shift plan");
    assert!(
        !full["text"]
            .as_str()
            .unwrap_or_default()
            .contains("Fishing fleet"),
        "the teaser stayed in the body: {}",
        full["text"]
    );
    let other = server.json(&format!("/api/v1/items/{second}")).await;
    assert!(other.get("related_links").is_none(), "{other}");

    // The article page: the held article opens Bulletin's page, the other
    // leads out to its site, and nothing writes the javascript: address.
    let (status, _, html) = server.get(&format!("/items/{first}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<h2 id=\"related\">Read also</h2>"), "{html}");
    assert!(
        html.contains(&format!(
            "<a href=\"/items/{second}\">Dockers vote on the night shift plan</a>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">Fishing fleet returns early from the north</a>",
            fixtures.url("news/elsewhere.html")
        )),
        "{html}"
    );
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("free cruise"), "{html}");
}
