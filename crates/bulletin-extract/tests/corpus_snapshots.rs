//! Snapshot tests: the extraction of real pages from Mozilla Readability's
//! test corpus (../shared/corpus, beside the repository) is pinned, so any
//! change in output shows up as a reviewable diff (`cargo insta review`).

use std::path::PathBuf;

/// Pages chosen to cover news sites, blogs, non-English text, legacy
/// charsets, JSON-LD, bylines and images.
const PAGES: &[&str] = &[
    "001",
    "002",
    "aclu",
    "aktualne",
    "archive-of-our-own",
    "ars-1",
    "base-url",
    "bbc-1",
    "blogger",
    "breitbart",
    "bug-1255978",
    "buzzfeed-1",
    "citylab-1",
    "cnet",
    "cnn",
    "daringfireball-1",
    "ehow-1",
    "engadget",
    "herald-sun-1",
    "heise",
    "hukumusume",
    "lemonde-1",
    "liberation-1",
    "lifehacker-post-comment-load",
    "medium-1",
    "msn",
    "nytimes-1",
    "qq",
    "salon-1",
    "seattletimes-1",
    "tmz-1",
    "wapo-1",
    "wikipedia",
    "yahoo-1",
];

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../../../shared/corpus/readability/test/test-pages");
    dir.is_dir().then_some(dir)
}

#[test]
fn readability_corpus_pages() {
    let Some(dir) = corpus() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus must be beside the repository in CI"
        );
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    // Snapshots of this checkout, also when the test binary was built in another.
    if let Some(manifest) = std::env::var_os("CARGO_MANIFEST_DIR") {
        settings.set_snapshot_path(PathBuf::from(manifest).join("tests/snapshots"));
    }
    settings.bind(|| {
        for page in PAGES {
            let path = dir.join(page).join("source.html");
            let Ok(html) = std::fs::read(&path) else {
                panic!("missing corpus page {}", path.display());
            };
            let url = url::Url::parse(&format!("http://fakehost/test/{page}/")).unwrap();
            let mut article = bulletin_extract::extract(&html, Some(&url), None);
            // The HTML body is pinned through its text; keep snapshots readable.
            article.html = format!("{} bytes", article.html.len());
            insta::assert_json_snapshot!(*page, article);
        }
    });
}

#[test]
fn hostile_pages_neither_panic_nor_hang() {
    let deep = "<div>".repeat(200_000) + "text" + &"</div>".repeat(10);
    let big = format!(
        "<html><body><article>{}</article></body></html>",
        "<p>Some words in a paragraph, with commas, repeated.</p>".repeat(1_000_000)
    );
    assert!(big.len() > 50_000_000);
    let junk: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for input in [
        deep.as_bytes(),
        big.as_bytes(),
        &junk[..],
        b"",
        b"\0\0\0<",
        b"<![CDATA[",
        b"<svg><math><table><tr><td><p><a><b><i>",
    ] {
        let started = std::time::Instant::now();
        let article = bulletin_extract::extract(input, None, None);
        assert!(article.reading_time_minutes >= 1);
        assert!(
            started.elapsed().as_secs() < 60,
            "took {:?}",
            started.elapsed()
        );
    }
}
