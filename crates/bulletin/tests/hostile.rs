//! Hostile URLs: every URL field of RSS, Atom and JSON Feed, newsroom forms
//! and OPML carries `javascript:`, `data:`, `vbscript:` and obfuscated
//! variants. No page may carry one in an `href`, `src`, `srcset` or
//! `poster`, no outgoing feed may republish one, and in Chromium clicking
//! every link of every page runs nothing (`web-tests/hostile.mjs`).

mod common;

use common::*;
use std::collections::BTreeSet;

/// Hostile URLs as they are written inside XML (entities are the feed
/// author's to choose).
const XML_VARIANTS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&#10;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript&#x3A;alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "data:image/svg+xml,&lt;svg onload=alert(1)&gt;",
    "vbscript:msgbox(1)",
    "&#0001;javascript:alert(1)",
];

/// The same for JSON (escapes are JSON's).
const JSON_VARIANTS: &[&str] = &[
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "\\tjavascript:alert(1)",
    "java\\tscript:alert(1)",
    "java\\nscript:alert(1)",
    "\\u006aavascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
];

fn rss(n: usize) -> String {
    let mut items = String::new();
    for (i, bad) in XML_VARIANTS.iter().enumerate() {
        items.push_str(&format!(
            r#"<item><title>Hostile RSS {n}-{i}</title><link>{bad}</link><guid isPermaLink="true">{bad}#{i}</guid>
<comments>{bad}</comments><source url="{bad}">Elsewhere</source>
<author>ana@example.org (Ana {i})</author><dc:creator>Ana {i}</dc:creator>
<enclosure url="{bad}" type="image/jpeg" length="1"/>
<media:content url="{bad}" medium="image"><media:credit>x</media:credit></media:content>
<media:thumbnail url="{bad}"/>
<description>A hostile item {i} with a paragraph of words about harbours.</description>
<pubDate>Sun, 25 May 2025 10:0{}:00 GMT</pubDate></item>"#,
            i % 10
        ));
    }
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel><title>Hostile RSS</title><link>javascript:alert(1)</link><description>d</description>
<image><url>javascript:alert(1)</url><link>javascript:alert(1)</link><title>i</title></image>
<atom:link rel="hub" href="javascript:alert(1)"/>
{items}</channel></rss>"#
    )
}

fn atom() -> String {
    let mut entries = String::new();
    for (i, bad) in XML_VARIANTS.iter().enumerate() {
        entries.push_str(&format!(
            r#"<entry><id>urn:hostile:atom:{i}</id><title>Hostile Atom {i}</title>
<link rel="alternate" href="{bad}"/><link rel="enclosure" type="image/png" href="{bad}"/>
<link rel="related" href="{bad}"/>
<author><name>Bo {i}</name><uri>{bad}</uri></author>
<contributor><name>Cy {i}</name><uri>{bad}</uri></contributor>
<media:thumbnail xmlns:media="http://search.yahoo.com/mrss/" url="{bad}"/>
<updated>2025-05-25T11:0{}:00Z</updated>
<content type="html">&lt;p&gt;Body {i} &lt;a href="{bad}"&gt;link&lt;/a&gt; &lt;img src="{bad}"&gt;&lt;/p&gt;</content></entry>"#,
            i % 10
        ));
    }
    format!(
        r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile Atom</title><id>urn:hostile:atom</id>
<link rel="alternate" href="javascript:alert(1)"/><icon>javascript:alert(1)</icon><logo>javascript:alert(1)</logo>
<author><name>Feed</name><uri>javascript:alert(1)</uri></author><updated>2025-05-25T12:00:00Z</updated>{entries}</feed>"#
    )
}

fn json_feed() -> String {
    let items: Vec<String> = JSON_VARIANTS
        .iter()
        .enumerate()
        .map(|(i, bad)| {
            format!(
                r#"{{"id":"hostile-json-{i}","url":"{bad}","external_url":"{bad}","title":"Hostile JSON {i}",
"content_html":"<p>Body {i} <a href=\"{bad}\">x</a> <video poster=\"{bad}\" src=\"{bad}\"></video> <img srcset=\"{bad} 1x\"></p>",
"image":"{bad}","banner_image":"{bad}","date_published":"2025-05-25T13:0{}:00Z",
"authors":[{{"name":"Di {i}","url":"{bad}","avatar":"{bad}"}}],"author":{{"name":"Ed {i}","url":"{bad}","avatar":"{bad}"}},
"attachments":[{{"url":"{bad}","mime_type":"image/png"}}]}}"#,
                i % 10
            )
        })
        .collect();
    format!(
        r#"{{"version":"https://jsonfeed.org/version/1.1","title":"Hostile JSON","home_page_url":"javascript:alert(1)",
"feed_url":"javascript:alert(1)","icon":"javascript:alert(1)","favicon":"javascript:alert(1)",
"authors":[{{"name":"Feed","url":"javascript:alert(1)","avatar":"javascript:alert(1)"}}],"items":[{}]}}"#,
        items.join(",")
    )
}

/// Decodes the HTML character references a browser would in an attribute.
fn decode_attr(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e < 12) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "Tab" => Some('\t'),
            "NewLine" => Some('\n'),
            "colon" => Some(':'),
            e if e.starts_with("#x") || e.starts_with("#X") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The URL values of every `href`, `src`, `srcset` and `poster` in `html`.
fn url_attributes(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    for name in [
        "href=",
        "src=",
        "srcset=",
        "poster=",
        "action=",
        "formaction=",
    ] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(name) {
            let start = from + at + name.len();
            from = start;
            // Only attribute names (preceded by whitespace).
            let before = lower[..start - name.len()].chars().last();
            if !before.is_some_and(char::is_whitespace) {
                continue;
            }
            let rest = &html[start..];
            let value = match rest.chars().next() {
                Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
                _ => rest
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            };
            found.push(decode_attr(value));
        }
    }
    found
}

/// Whether a URL value (as a browser reads it: control characters and
/// whitespace inside a scheme are skipped) names a scheme that runs code or
/// smuggles a document.
fn dangerous(value: &str) -> bool {
    let squeezed: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    squeezed.split(',').any(|part| {
        let part = part.trim();
        ["javascript:", "data:", "vbscript:"]
            .iter()
            .any(|s| part.starts_with(s))
    })
}

/// Every URL an outgoing feed (Atom, RSS, JSON Feed or OPML) gives a
/// reader: link and enclosure attributes, `<link>` and `<uri>` elements,
/// JSON Feed's URL fields, and the links inside each entry's HTML.
fn feed_urls(body: &str) -> Vec<String> {
    let mut urls = Vec::new();
    if let Ok(json) = serde_json::from_str::<serde_json::Value>(body) {
        fn walk(v: &serde_json::Value, urls: &mut Vec<String>) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v.as_str()) {
                            ("content_html", Some(html)) => urls.extend(url_attributes(html)),
                            (
                                "url" | "external_url" | "image" | "banner_image" | "avatar"
                                | "icon" | "favicon" | "home_page_url" | "feed_url",
                                Some(u),
                            ) => urls.push(u.to_string()),
                            _ => walk(v, urls),
                        }
                    }
                }
                serde_json::Value::Array(list) => list.iter().for_each(|v| walk(v, urls)),
                _ => {}
            }
        }
        walk(&json, &mut urls);
        return urls;
    }
    // XML: attributes of the feed's own elements, then the elements whose
    // text is a URL, then the escaped HTML of each entry, unescaped once.
    // (Escaped markup inside entries reads as `&quot;`-quoted values here;
    // those are read properly below.)
    urls.extend(
        url_attributes(body)
            .into_iter()
            .filter(|a| !a.starts_with('"')),
    );
    for name in ["url=", "xmlurl=", "htmlurl="] {
        let lower = body.to_ascii_lowercase();
        for (at, _) in lower.match_indices(name) {
            let rest = &body[at + name.len()..];
            if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                urls.push(decode_attr(rest[1..].split(q).next().unwrap_or("")));
            }
        }
    }
    for tag in ["link", "uri", "comments", "docs"] {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        for piece in body.split(&open).skip(1) {
            urls.push(decode_attr(piece.split(&close).next().unwrap_or("")));
        }
    }
    for tag in ["content", "content:encoded"] {
        for piece in body.split(&format!("<{tag}")).skip(1) {
            let inner = piece.split_once('>').map_or("", |(_, r)| r);
            let inner = inner.split(&format!("</{tag}>")).next().unwrap_or("");
            urls.extend(url_attributes(&decode_attr(inner)));
        }
    }
    urls
}

/// Whether every URL an outgoing feed gives out is a web URL.
fn feed_is_clean(body: &str) -> bool {
    feed_urls(body).iter().all(|u| {
        !dangerous(u)
            && (u.starts_with("http://")
                || u.starts_with("https://")
                || (u.starts_with('/') && !u.starts_with("//"))
                || u.starts_with('#'))
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_hostile_url_reaches_a_page_or_a_feed_and_no_click_runs_script() {
    let site = FixtureServer::start().await;
    site.set("rss.xml", Doc::ok("application/rss+xml", rss(1)));
    site.set("atom.xml", Doc::ok("application/atom+xml", atom()));
    site.set("feed.json", Doc::ok("application/feed+json", json_feed()));
    site.set(
        "opml.xml",
        Doc::ok(
            "application/rss+xml",
            r#"<rss version="2.0"><channel><title>From OPML</title><link>javascript:alert(1)</link>
<item><title>Hostile OPML item</title><link>vbscript:msgbox(1)</link><guid>opml-1</guid><description>Words.</description></item></channel></rss>"#,
        ),
    );
    let data = DataDir::new();
    for path in ["rss.xml", "atom.xml", "feed.json"] {
        let out = bulletin(&data, &["source", "add", &site.url(path)]).await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // OPML with hostile feed and site URLs: the feed URLs are refused, the
    // site URL is not kept.
    let opml_path = data.path().join("hostile.opml");
    let mut outlines = String::new();
    for bad in XML_VARIANTS {
        outlines.push_str(&format!(
            r#"<outline text="bad" xmlUrl="{bad}" htmlUrl="{bad}"/>"#
        ));
    }
    outlines.push_str(&format!(
        r#"<outline text="Good feed, bad site" type="rss" xmlUrl="{}" htmlUrl="javascript:alert(1)"/>"#,
        site.url("opml.xml")
    ));
    std::fs::write(
        &opml_path,
        format!(r#"<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>{outlines}</body></opml>"#),
    )
    .unwrap();
    let out = bulletin(&data, &["opml", "import", opml_path.to_str().unwrap()]).await;
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 1 source"),
        "{}",
        stderr(&out)
    );
    let out = bulletin(&data, &["fetch", "--all"]).await;
    assert!(
        stderr(&out).contains("new items") || out.status.code().is_some(),
        "{}",
        stderr(&out)
    );

    // An editor whose avatar URL is hostile is refused; a real one writes a
    // post whose picture URL is hostile.
    let refused = with_input(
        &data,
        &[
            "user",
            "add",
            "mallory",
            "--role",
            "editor",
            "--avatar-url",
            "javascript:alert(1)",
        ],
        "a-long-password\n",
    )
    .await;
    assert!(
        !refused.status.success(),
        "a hostile avatar URL was accepted"
    );
    let added = with_input(
        &data,
        &[
            "user",
            "add",
            "ed",
            "--role",
            "editor",
            "--display-name",
            "Ed Itor",
        ],
        "a-long-password\n",
    )
    .await;
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );

    let server = Server::start(&data).await;
    let mut editor = Browser::new(&server.base);
    editor.sign_in("ed", "a-long-password").await;
    for (i, bad) in [
        "javascript:alert(1)",
        " JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/relative.png",
    ]
    .iter()
    .enumerate()
    {
        let csrf = editor.csrf("/newsroom/new").await;
        let headline = format!("Hostile post {i}");
        let markdown =
            format!("Words [a link]({bad}) and ![a picture]({bad}) <a href=\"{bad}\">x</a>");
        let answer = editor
            .post(
                "/newsroom/posts",
                &[
                    ("csrf", &csrf),
                    ("kind", "article"),
                    ("headline", &headline),
                    ("markdown", &markdown),
                    ("image_url", bad),
                    ("image_caption", "c"),
                    ("image_credit", "d"),
                    ("action", "publish"),
                ],
            )
            .await;
        // A hostile picture address is refused with the form again; a
        // relative one too (it is not a web address).
        assert_eq!(answer.status, 422, "post {i}: {}", answer.body);
        assert!(
            answer.body.contains("must be a full web address"),
            "post {i}"
        );
        // Without the picture, the post is published, its text's links
        // sanitized.
        let answer = editor
            .post(
                "/newsroom/posts",
                &[
                    ("csrf", &csrf),
                    ("kind", "article"),
                    ("headline", &headline),
                    ("markdown", &markdown),
                    ("action", "publish"),
                ],
            )
            .await;
        assert_eq!(answer.status, 303, "post {i}: {}", answer.body);
    }

    // Every item, with its pages.
    let mut items = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = server
            .json(&format!("/api/v1/items?limit=100{cursor}"))
            .await;
        for item in page["items"].as_array().unwrap() {
            items.push(item.clone());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    let expected = 2 * XML_VARIANTS.len() + JSON_VARIANTS.len() + 6 + 1;
    let titles: BTreeSet<String> = items.iter().map(|i| i["title"].to_string()).collect();
    assert_eq!(
        items.len(),
        expected,
        "every hostile item is stored once: {titles:?}"
    );
    let mut pages: BTreeSet<String> = ["/", "/sources", "/search?q=hostile", "/search?q=body"]
        .into_iter()
        .map(String::from)
        .collect();
    for item in &items {
        let mut urls = vec![
            &item["url"],
            &item["canonical_url"],
            &item["lead_image"]["url"],
        ];
        for author in item["authors"].as_array().unwrap() {
            urls.push(&author["url"]);
            urls.push(&author["avatar_url"]);
        }
        for url in urls.into_iter().filter_map(|u| u.as_str()) {
            assert!(
                url.starts_with("http://") || url.starts_with("https://"),
                "API item {} carries {url:?}",
                item["id"]
            );
        }
        pages.insert(format!("/items/{}", item["id"]));
        pages.insert(format!("/sources/{}", item["source"]["id"]));
        for author in item["authors"].as_array().unwrap() {
            let name = author["name"].as_str().unwrap();
            pages.insert(format!("/authors/{}", name.replace(' ', "%20")));
        }
    }
    let mut feeds = vec![
        "/feed.atom".to_string(),
        "/feed.rss".into(),
        "/feed.json".into(),
    ];
    for page in &pages {
        let (status, _, html) = server.get(page).await;
        assert_eq!(status, 200, "{page}");
        for value in url_attributes(&html) {
            assert!(!dangerous(&value), "{page} links to {value:?}");
            assert!(
                value.starts_with("http://")
                    || value.starts_with("https://")
                    || (value.starts_with('/') && !value.starts_with("//"))
                    || value.starts_with('#')
                    || value.starts_with('?'),
                "{page} has a URL that is neither absolute http(s) nor site-local: {value:?}"
            );
        }
        if let Some(id) = page.strip_prefix("/sources/") {
            for f in ["feed.atom", "feed.rss", "feed.json"] {
                feeds.push(format!("/sources/{id}/{f}"));
            }
        }
    }
    for feed in &feeds {
        let (status, _, body) = server.get(feed).await;
        assert_eq!(status, 200, "{feed}");
        let bad: Vec<String> = feed_urls(&body)
            .into_iter()
            .filter(|u| !feed_is_clean(&format!("<link>{}</link>", u.replace('&', "&amp;"))))
            .collect();
        assert!(
            feed_is_clean(&body),
            "{feed} republishes hostile URLs: {bad:?}"
        );
    }
    let (_, _, opml) = server.get("/sources.opml").await;
    assert!(
        feed_is_clean(&opml),
        "the OPML export carries a hostile URL"
    );

    // Chromium: click every link of every page; nothing may run.
    if let Some(missing) = browser_missing() {
        assert!(
            std::env::var_os("CI").is_none(),
            "required in CI: {missing}"
        );
        eprintln!("browser part skipped: {missing}");
        return;
    }
    let out = tokio::process::Command::new("node")
        .arg(web_tests().join("hostile.mjs"))
        .arg(&server.base)
        .args(&pages)
        .output()
        .await
        .expect("run node");
    assert!(
        out.status.success(),
        "hostile.mjs failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_checks_of_this_test_can_fail() {
    assert!(dangerous(&decode_attr("java&#x09;script:alert(1)")));
    assert!(dangerous(" JaVaScRiPt:x"));
    assert!(dangerous(
        "https://a.example/x.png 1x, data:image/png;base64,AAA 2x"
    ));
    assert!(!dangerous("https://a.example/x"));
    assert_eq!(
        url_attributes(r#"<a class="x" href="javascript:alert(1)">x</a><img src=/a.png>"#),
        vec!["javascript:alert(1)".to_string(), "/a.png".to_string()]
    );
    assert!(!feed_is_clean("<link>javascript&amp;#58;alert(1)</link>"));
    assert!(!feed_is_clean(
        r#"<media:content url="java&#x09;script:x"/>"#
    ));
    assert!(!feed_is_clean(
        r#"{"items":[{"url":"https://a.example/","authors":[{"avatar":"data:x"}]}]}"#
    ));
    assert!(!feed_is_clean(
        r#"<content type="html">&lt;a href="javascript:x"&gt;</content>"#
    ));
    assert!(feed_is_clean(
        r#"<summary>java script:alert(1) as text</summary><link>https://a.example/</link>"#
    ));
}
