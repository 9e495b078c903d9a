//! `bulletin attributions` end to end: an article shaped like the reference
//! page (written from its sentences) gives its attributed claims with their
//! speakers, roles, channels and dates resolved against publication.

mod common;

use common::*;
use std::process::Command;

fn run(args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_bulletin"))
        .args(args)
        .output()
        .expect("bulletin runs");
    assert!(
        out.status.success(),
        "bulletin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on standard output")
}

fn article() -> String {
    format!(
        "{}/tests/data/reference_claims.txt",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn the_reference_article_gives_its_claims_speakers_and_dates() {
    let doc = run(&["attributions", "--published", "2025-05-25", &article()]);
    let found = doc["attributions"].as_array().expect("a list");
    let text = std::fs::read_to_string(article()).expect("the article");
    let chars: Vec<char> = text.chars().collect();
    let by_cue = |cue: &str| {
        found
            .iter()
            .find(|a| a["cue"]["text"] == cue)
            .unwrap_or_else(|| panic!("no attribution with the cue {cue:?} in {doc:#}"))
    };
    // Offsets are characters of the text as read.
    for a in found {
        for part in ["cue", "content"] {
            let (s, e) = (
                a[part]["start"].as_u64().unwrap() as usize,
                a[part]["end"].as_u64().unwrap() as usize,
            );
            let cut: String = chars[s..e].iter().collect();
            assert_eq!(cut, a[part]["text"].as_str().unwrap());
        }
    }

    let said = by_cue("said");
    assert_eq!(said["speaker"], "Oleh Ivashchenko");
    assert_eq!(
        said["role"],
        "head of Ukraine's Foreign Intelligence Service"
    );
    assert_eq!(said["date"], "2025-05-25");
    assert_eq!(said["channel"]["text"], "in an interview with Ukrinform");
    assert!(
        said["content"]["text"]
            .as_str()
            .unwrap()
            .starts_with("China supplies Russia with machine tools")
    );

    let claimed = by_cue("claimed");
    assert_eq!(claimed["speaker"], "Volodymyr Zelensky");
    assert_eq!(claimed["role"], "President");
    assert_eq!(claimed["date"], "2025-04-17");

    let labeled = by_cue("has labeled");
    assert_eq!(labeled["speaker"], "NATO");
    assert_eq!(labeled["date"], serde_json::Value::Null);

    let according = by_cue("According to");
    assert_eq!(according["speaker"], "US Defense Intelligence Agency");
    assert_eq!(
        according["content"]["text"],
        "China supplies the bulk of the machine tools Russia imports"
    );

    let dismissed = by_cue("dismissed as");
    assert_eq!(dismissed["speaker"], "China");
    assert_eq!(dismissed["speaker_kind"], "place");
    assert_eq!(said["speaker_kind"], "person");
    assert_eq!(labeled["speaker_kind"], "organisation");
    assert_eq!(
        dismissed["content"]["text"],
        "\"groundless accusations and political manipulations.\""
    );

    // "The intelligence chief" is the head of the intelligence service
    // named above; "on Monday" in Sunday's paper is six days before.
    let wrote = by_cue("wrote");
    assert_eq!(wrote["speaker"], "Oleh Ivashchenko");
    assert_eq!(wrote["date"], "2025-05-19");
    assert_eq!(wrote["channel"]["text"], "on Telegram");
}

#[test]
fn without_a_publication_date_no_date_is_guessed() {
    let doc = run(&["attributions", &article()]);
    assert!(
        doc["attributions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["date"].is_null() && a["period"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn claims_are_stored_on_ingest_and_shown_on_entity_pages_feeds_and_the_api() {
    let (_fixture, data, fetched) = reference_claims_ingested().await;
    assert!(fetched.contains("merges, 7 claims"), "{fetched}");
    let server = Server::start(&data).await;

    // The API: the main speaker's claims, with their dates resolved.
    let doc = server.json("/api/v1/claims?speaker=oleh-ivashchenko").await;
    let claims = doc["claims"].as_array().expect("a list");
    assert_eq!(claims.len(), 2, "{doc:#}");
    let dates: Vec<&str> = claims
        .iter()
        .map(|c| c["said_from"].as_str().unwrap_or("none"))
        .collect();
    assert_eq!(dates, vec!["2025-05-25", "2025-05-19"], "{doc:#}");
    assert_eq!(claims[0]["channel"], "in an interview with Ukrinform");
    assert_eq!(claims[1]["channel"], "on Telegram");
    assert_eq!(claims[1]["source"], "The intelligence chief");
    // All five of the reference page's attributed claims, by speaker.
    let all = server.json("/api/v1/claims?limit=100").await;
    let speakers: Vec<&str> = all["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["speaker"]["name"].as_str())
        .collect();
    for who in [
        "Oleh Ivashchenko",
        "Volodymyr Zelensky",
        "NATO",
        "US Defense Intelligence Agency",
        "China",
    ] {
        assert!(speakers.contains(&who), "{who} missing from {speakers:?}");
    }
    // Search and time.
    let q = server.json("/api/v1/claims?q=gunpowder").await;
    assert_eq!(q["claims"].as_array().unwrap().len(), 1);
    let later = server.json("/api/v1/claims?since=2025-05-26").await;
    assert!(later["claims"].as_array().unwrap().is_empty());
    let (status, _, body) = server.get("/api/v1/claims?since=yesterday").await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid_since"), "{body}");

    // The person's page: role, names, claims with their dates and links to
    // the sentences.
    let (status, _, page) = server.get("/people/oleh-ivashchenko").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<h1 class=\"headline\">Oleh Ivashchenko</h1>"),
        "{page}"
    );
    assert!(
        page.contains("head of Ukraine&#39;s Foreign Intelligence Service"),
        "{page}"
    );
    assert!(
        page.contains("machine tools, gunpowder and electronics"),
        "{page}"
    );
    assert!(
        page.contains("datetime=\"2025-05-19\" title=\"Said 19 May 2025\""),
        "{page}"
    );
    assert!(page.contains("#claim-"), "{page}");
    assert!(
        page.contains("/people/oleh-ivashchenko/feed.atom"),
        "{page}"
    );
    // An organisation lives at its own address; the other is sent there.
    let (status, _, nato) = server.get("/organisations/nato").await;
    assert_eq!(status, 200, "{nato}");
    assert!(nato.contains("decisive enabler"), "{nato}");
    // So does a place speaking for its government.
    let (status, _, china) = server.get("/places/china").await;
    assert_eq!(status, 200, "{china}");
    assert!(china.contains("groundless accusations"), "{china}");
    assert!(china.contains("/places/china/feed.atom"), "{china}");
    // The person's address leads there (the client follows the redirect).
    let (status, _, sent) = server.get("/people/china").await;
    assert_eq!(status, 200);
    assert!(sent.contains("groundless accusations"), "{sent}");
    let (status, content_type, _) = server.get("/places/china/feed.atom").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/atom+xml"));
    assert_eq!(server.get("/people/nobody-at-all").await.0, 404);

    // Its Atom feed: one entry per claim, linking to the claim's sentence.
    let (status, content_type, atom) = server.get("/people/oleh-ivashchenko/feed.atom").await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/atom+xml"),
        "{content_type}"
    );
    assert_eq!(atom.matches("<entry>").count(), 2, "{atom}");
    assert!(
        atom.contains("Oleh Ivashchenko: “China supplies Russia"),
        "{atom}"
    );
    assert!(atom.contains("#claim-"), "{atom}");

    // The article's page marks who said what, with the resolved date on
    // hover.
    let item = claims[0]["item"].as_i64().expect("an item id");
    let (status, _, article_page) = server.get(&format!("/items/{item}")).await;
    assert_eq!(status, 200);
    assert!(article_page.contains("Who said what"), "{article_page}");
    assert!(
        article_page.contains(
            "<a class=\"speaker\" href=\"/people/oleh-ivashchenko\">Oleh Ivashchenko</a>"
        ),
        "{article_page}"
    );
    assert!(
        article_page.contains("title=\"Said 17 April 2025\""),
        "{article_page}"
    );
}
