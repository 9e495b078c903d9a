//! `bulletin attributions` end to end: an article shaped like the reference
//! page (written from its sentences) gives its attributed claims with their
//! speakers, roles, channels and dates resolved against publication.

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
