//! Accounts and the newsroom over HTTP, through the real binary: sign-in with
//! CSRF and throttling, editors' posts (published, drafted, scheduled,
//! edited, keeping their author and history), who may do what, API tokens
//! and stars, and pruning that keeps
//! starred items.

mod common;

use common::{Browser, DataDir, Server, bulletin, stderr, stdout, with_input};
use std::time::Duration;

async fn api_items(server: &Server) -> Vec<serde_json::Value> {
    server.json("/api/v1/items?limit=100&include=content").await["items"]
        .as_array()
        .expect("items")
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn editors_sign_in_and_publish_articles_updates_and_scheduled_posts() {
    let data = DataDir::new();
    let add = with_input(
        &data,
        &[
            "user",
            "add",
            "ana",
            "--role",
            "editor",
            "--display-name",
            "Ana Ruiz",
            "--title",
            "Senior News Editor",
            "--bio",
            "Covers diplomacy.",
        ],
        "correct horse battery\n",
    )
    .await;
    assert!(add.status.success(), "{}", stderr(&add));
    let reader = with_input(
        &data,
        &["user", "add", "rob", "--role", "reader"],
        "reader-password\n",
    )
    .await;
    assert!(reader.status.success(), "{}", stderr(&reader));
    let short = with_input(&data, &["user", "add", "eve"], "short\n").await;
    assert!(!short.status.success() && stderr(&short).contains("too short"));
    let listed = stdout(&bulletin(&data, &["user", "list"]).await);
    assert!(
        listed.contains("ana") && listed.contains("Senior News Editor"),
        "{listed}"
    );
    assert!(!listed.contains("argon2"), "hashes are never shown");

    let server = Server::start_with(
        &data,
        &["serve", "--addr", "127.0.0.1:0", "--poll-minutes", "0.02"],
    )
    .await;
    let mut ana = Browser::new(&server.base);

    // The newsroom asks for a sign-in first.
    let first = ana.get("/newsroom").await;
    assert_eq!(first.status, 303);
    assert_eq!(first.location, "/login?next=%2Fnewsroom");
    // A sign-in without the form's cookie is refused (CSRF).
    let mut stranger = Browser::new(&server.base);
    let forged = stranger
        .post(
            "/login",
            &[
                ("csrf", "x"),
                ("name", "ana"),
                ("password", "correct horse battery"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let wrong = ana.sign_in("ana", "wrong password").await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.body.contains("Wrong name or password"));
    let signed_in = ana.sign_in("ANA", "correct horse battery").await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    assert_eq!(signed_in.location, "/newsroom");
    let session_cookie = signed_in
        .set_cookies
        .iter()
        .find(|c| c.starts_with("bulletin_session="))
        .expect("a session cookie");
    assert!(session_cookie.contains("HttpOnly") && session_cookie.contains("SameSite=Lax"));
    assert!(!session_cookie.contains("Secure"), "plain HTTP here");
    let newsroom = ana.get("/newsroom").await;
    assert_eq!(newsroom.status, 200);
    assert!(newsroom.body.contains("New article") && newsroom.body.contains("Sign out Ana Ruiz"));

    // A post whose form is not the session's own is refused.
    let csrf = ana.csrf("/newsroom/new?kind=article").await;
    let refused = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", "0000"),
                ("kind", "update"),
                ("markdown", "Nope"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);
    // An article with a picture, published now.
    let article = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Talks resume in Geneva"),
                (
                    "markdown",
                    "Negotiators **returned** on Monday.\n\nBoth sides called it useful.",
                ),
                ("image_url", "https://images.example.org/geneva.jpg"),
                (
                    "image_caption",
                    "Delegates arrive at the Palais des Nations",
                ),
                ("image_credit", "Photo: Jane Roe / Agency"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(article.status, 303, "{}", article.body);
    let article_path = article.location.clone();
    assert!(article_path.starts_with("/items/"), "{article_path}");
    let page = ana.get(&article_path).await;
    assert!(page.body.contains("Talks resume in Geneva"));
    assert!(page.body.contains("<strong>returned</strong>"));
    assert!(page.body.contains("Photo: Jane Roe / Agency"));
    assert!(page.body.contains("Senior News Editor") && page.body.contains("Covers diplomacy."));
    // A short update, a draft, and a post scheduled three seconds ahead.
    let update = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "update"),
                ("markdown", "Delegates are still in the room."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(update.status, 303);
    let draft = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "update"),
                ("markdown", "Draft: not yet."),
                ("action", "draft"),
            ],
        )
        .await;
    assert_eq!((draft.status, draft.location.as_str()), (303, "/newsroom"));
    let missing_headline = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("markdown", "Text"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(missing_headline.status, 422);
    assert!(missing_headline.body.contains("needs a headline"));
    let at = (chrono::Utc::now() + chrono::Duration::seconds(3))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let scheduled = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Statement expected at noon"),
                ("markdown", "A statement is expected."),
                ("publish_at", &at),
                ("action", "schedule"),
            ],
        )
        .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    let titles = |items: &[serde_json::Value]| -> Vec<String> {
        items
            .iter()
            .map(|i| i["title"].as_str().unwrap_or("(update)").to_string())
            .collect()
    };
    let now_items = api_items(&server).await;
    assert_eq!(titles(&now_items), ["(update)", "Talks resume in Geneva"]);
    assert!(
        !serde_json::to_string(&now_items)
            .unwrap()
            .contains("Draft: not yet")
    );
    let mut published = false;
    for _ in 0..100 {
        if titles(&api_items(&server).await).contains(&"Statement expected at noon".to_string()) {
            published = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(published, "the scheduled post was not published");

    // Editing a published article keeps its address and dates the change.
    let item_id: i64 = article_path
        .trim_start_matches("/items/")
        .parse()
        .expect("id");
    let list = ana.get("/newsroom").await;
    let title_at = list
        .body
        .find("\">Talks resume in Geneva</a>")
        .expect("the article in the newsroom list");
    let link_at = list.body[..title_at]
        .rfind("/newsroom/posts/")
        .expect("its edit link");
    let edit_path = list.body[link_at..title_at].to_string();
    let edit_page = ana.get(&edit_path).await;
    assert!(
        edit_page.body.contains("Talks resume in Geneva"),
        "{edit_path}"
    );
    let edited = ana
        .post(
            &edit_path,
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Talks resume in Geneva"),
                (
                    "markdown",
                    "Negotiators returned on Monday and will meet again on Friday.",
                ),
                ("image_url", "https://images.example.org/geneva.jpg"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(
        (edited.status, edited.location.as_str()),
        (303, article_path.as_str())
    );
    let item = server.json(&format!("/api/v1/items/{item_id}")).await;
    assert!(item["text"].as_str().unwrap().contains("again on Friday"));
    assert!(item["modified_at"].is_string(), "{item}");
    assert_eq!(item["authors"][0]["name"], "Ana Ruiz");
    let (_, _, atom) = server.get("/feed.atom").await;
    assert!(atom.contains("Talks resume in Geneva") && atom.contains("Statement expected at noon"));

    // A reader may not publish.
    let mut rob = Browser::new(&server.base);
    assert_eq!(rob.sign_in("rob", "reader-password").await.status, 303);
    assert_eq!(rob.get("/newsroom").await.status, 403);

    // API tokens: stars need one.
    let token = stdout(&bulletin(&data, &["user", "token", "rob", "--label", "phone"]).await)
        .trim()
        .to_string();
    assert_eq!(token.len(), 64);
    let client = reqwest::Client::new();
    let star_url = format!("{}/api/v1/items/{item_id}/star", server.base);
    let anonymous = client.put(&star_url).send().await.expect("put");
    assert_eq!(anonymous.status().as_u16(), 401);
    let starred = client
        .put(&star_url)
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .expect("put");
    assert_eq!(starred.status().as_u16(), 204);
    let bad = client
        .put(&star_url)
        .header("authorization", "Bearer 0123")
        .send()
        .await
        .expect("put");
    assert_eq!(bad.status().as_u16(), 401);

    // Signing out ends the session on the server.
    let csrf = ana.csrf("/newsroom").await;
    let old_cookie = ana
        .cookies
        .get("bulletin_session")
        .cloned()
        .expect("cookie");
    let out = ana.post("/logout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    ana.cookies.insert("bulletin_session".into(), old_cookie);
    assert_eq!(
        ana.get("/newsroom").await.status,
        303,
        "the old cookie no longer works"
    );

    // Guessing is throttled: five failures, then a wait.
    let mut guesser = Browser::new(&server.base);
    for _ in 0..5 {
        assert_eq!(guesser.sign_in("ana", "guess").await.status, 401);
    }
    let throttled = guesser.sign_in("ana", "correct horse battery").await;
    assert_eq!(throttled.status, 429);
    assert!(throttled.body.contains("Too many failed attempts"));
    drop(server);

    // Nothing here is a day old, so pruning removes nothing (the store
    // suite checks that old items go and starred ones stay).
    let prune = bulletin(&data, &["prune", "--older-than-days", "1"]).await;
    assert!(prune.status.success(), "{}", stderr(&prune));
    assert!(
        stderr(&prune).contains("removed 0 items"),
        "{}",
        stderr(&prune)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_add_pause_resume_and_remove_sources_in_the_browser() {
    use common::{Doc, FixtureServer};
    let fixture = FixtureServer::start().await;
    fixture.set(
        "feed.xml",
        Doc::ok(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>Harbour News</title><item><title>Ferries</title><guid>1</guid></item></channel></rss>",
        ),
    );
    fixture.set(
        "home.html",
        Doc::ok(
            "text/html",
            format!(
                "<html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"{}\"></head><body>Home</body></html>",
                fixture.url("feed.xml")
            ),
        ),
    );
    let data = DataDir::new();
    for (name, role) in [("root", "admin"), ("ed", "editor")] {
        let out = with_input(
            &data,
            &["user", "add", name, "--role", role],
            "long enough password\n",
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let server = Server::start(&data).await;
    let mut ed = Browser::new(&server.base);
    assert_eq!(ed.sign_in("ed", "long enough password").await.status, 303);
    assert_eq!(
        ed.get("/admin/sources").await.status,
        403,
        "editors do not manage sources"
    );

    let mut root = Browser::new(&server.base);
    assert_eq!(
        root.sign_in("root", "long enough password").await.status,
        303
    );
    let csrf = root.csrf("/admin/sources").await;
    // A page that advertises its feed: the feed is subscribed.
    let added = root
        .post(
            "/admin/sources",
            &[("csrf", &csrf), ("url", &fixture.url("home.html"))],
        )
        .await;
    assert_eq!(added.status, 200, "{}", added.body);
    assert!(
        added.body.contains("Added source") && added.body.contains("Harbour News"),
        "{}",
        added.body
    );
    let again = root
        .post(
            "/admin/sources",
            &[("csrf", &csrf), ("url", &fixture.url("feed.xml"))],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("already source"), "{}", again.body);
    let nothing = root
        .post(
            "/admin/sources",
            &[("csrf", &csrf), ("url", &fixture.url("missing"))],
        )
        .await;
    assert_eq!(nothing.status, 422);
    let sources = server.json("/api/v1/sources").await;
    let id = sources["sources"][0]["id"].as_i64().expect("source id");
    let path = format!("/admin/sources/{id}");
    assert_eq!(
        root.post(&path, &[("csrf", "wrong"), ("action", "pause")])
            .await
            .status,
        403
    );
    assert_eq!(
        root.post(&path, &[("csrf", &csrf), ("action", "pause")])
            .await
            .status,
        303
    );
    let paused = server.json("/api/v1/sources").await;
    assert!(paused["sources"][0]["paused_at"].is_string(), "{paused}");
    assert!(root.get("/admin/sources").await.body.contains(">Resume<"));
    assert_eq!(
        root.post(&path, &[("csrf", &csrf), ("action", "resume")])
            .await
            .status,
        303
    );
    let resumed = server.json("/api/v1/sources").await;
    assert!(resumed["sources"][0]["paused_at"].is_null(), "{resumed}");
    assert_eq!(
        root.post(&path, &[("csrf", &csrf), ("action", "remove")])
            .await
            .status,
        303
    );
    let gone = server.json("/api/v1/sources").await;
    assert_eq!(gone["sources"].as_array().map(Vec::len), Some(0), "{gone}");

    // An OPML list: nested outlines become categories, a feed given twice
    // is subscribed once, a URL that is not http(s) is counted and skipped.
    let opml = r#"<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
<outline text="World"><outline type="rss" text="Wire" xmlUrl="https://wire.example/feed.xml"/>
<outline type="rss" text="Wire again" xmlUrl="https://wire.example/feed.xml"/></outline>
<outline type="rss" text="Local" xmlUrl="https://local.example/rss" htmlUrl="https://local.example/"/>
<outline type="rss" text="Odd" xmlUrl="ftp://odd.example/feed"/></body></opml>"#;
    assert_eq!(
        ed.post("/admin/sources/opml", &[("csrf", "x"), ("opml", opml)])
            .await
            .status,
        403,
        "editors do not import sources"
    );
    let imported = root
        .post("/admin/sources/opml", &[("csrf", &csrf), ("opml", opml)])
        .await;
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(
        imported
            .body
            .contains("imported 2 sources (0 already subscribed, 1 without a usable URL)"),
        "{}",
        imported.body
    );
    let listed = server.json("/api/v1/sources").await;
    let listed = listed["sources"].as_array().expect("sources").clone();
    assert_eq!(listed.len(), 2, "{listed:?}");
    let wire = listed
        .iter()
        .find(|s| s["url"] == "https://wire.example/feed.xml")
        .expect("the wire feed");
    assert_eq!(wire["category"], "World", "{wire}");
    let twice = root
        .post("/admin/sources/opml", &[("csrf", &csrf), ("opml", opml)])
        .await;
    assert!(
        twice
            .body
            .contains("imported 0 sources (2 already subscribed"),
        "{}",
        twice.body
    );
    let broken = root
        .post(
            "/admin/sources/opml",
            &[("csrf", &csrf), ("opml", "<opml><body>")],
        )
        .await;
    assert_eq!(broken.status, 422, "{}", broken.body);
    assert!(
        broken.body.contains("could not be imported"),
        "{}",
        broken.body
    );
    // And back out: the same list as OPML.
    let (status, _, exported) = server.get("/sources.opml").await;
    assert_eq!(status, 200);
    assert!(exported.contains("https://local.example/rss") && exported.contains("World"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_post_keeps_its_author_and_its_history_whoever_edits_it() {
    let data = DataDir::new();
    for (name, role, display) in [
        ("ana", "editor", "Ana Ruiz"),
        ("bob", "editor", "Bob Stone"),
        ("cy", "chief_editor", "Cy Chief"),
    ] {
        let out = with_input(
            &data,
            &[
                "user",
                "add",
                name,
                "--role",
                role,
                "--display-name",
                display,
            ],
            "a-long-password\n",
        )
        .await;
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let server = Server::start(&data).await;
    let mut ana = Browser::new(&server.base);
    assert_eq!(ana.sign_in("ana", "a-long-password").await.status, 303);
    let csrf = ana.csrf("/newsroom/new").await;
    let published = ana
        .post(
            "/newsroom/posts",
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Ferry service resumes"),
                ("markdown", "The first boat left at dawn."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let item_path = published.location.clone();
    let listing = ana.get("/newsroom").await.body;
    let post_path = listing
        .split("href=\"/newsroom/posts/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .map(|id| format!("/newsroom/posts/{id}"))
        .expect("the post is listed");

    // Another editor may neither open nor save Ana's post.
    let mut bob = Browser::new(&server.base);
    assert_eq!(bob.sign_in("bob", "a-long-password").await.status, 303);
    assert_eq!(bob.get(&post_path).await.status, 403);
    let csrf = bob.csrf("/newsroom/new").await;
    let refused = bob
        .post(
            &post_path,
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Taken over"),
                ("markdown", "Bob's words."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(refused.status, 403);

    // A chief editor may; the byline stays Ana's.
    let mut cy = Browser::new(&server.base);
    assert_eq!(cy.sign_in("cy", "a-long-password").await.status, 303);
    let csrf = cy.csrf(&post_path).await;
    let edited = cy
        .post(
            &post_path,
            &[
                ("csrf", &csrf),
                ("kind", "article"),
                ("headline", "Ferry service resumes after storm"),
                ("markdown", "The first boat left at dawn."),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(edited.status, 303, "{}", edited.body);
    // (Read signed out: the page header names whoever is signed in.)
    let (_, _, page) = server.get(&item_path).await;
    assert!(page.contains("after storm"), "the edit is published");
    assert!(
        page.contains("Ana Ruiz") && !page.contains("Cy Chief"),
        "the byline is Ana's"
    );
    let item = server.json(&format!("/api/v1{item_path}")).await;
    assert_eq!(item["authors"][0]["name"], "Ana Ruiz");

    // The history says who changed what.
    let form = cy.get(&post_path).await.body;
    assert!(form.contains("By Ana Ruiz"), "{form}");
    let changes = form
        .split("id=\"revisions-title\"")
        .nth(1)
        .expect("a history");
    let cy_at = changes
        .find("Cy Chief: headline")
        .expect("Cy's change is listed");
    let ana_at = changes
        .find("Ana Ruiz: created")
        .expect("Ana's creation is listed");
    assert!(cy_at < ana_at, "newest first");
}
