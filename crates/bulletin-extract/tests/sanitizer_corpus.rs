//! The sanitizer against the field's attack corpora (../shared/corpus, beside
//! the repository): DOMPurify's XSS fixtures, html5lib's sanitizer cases and
//! Universal Feed Parser's 745 sanitizing feeds. Whatever goes in, what comes
//! out must parse to allowlisted elements and attributes only, with no
//! script, event handler, `javascript:`/`data:` URL or CSS.

use scraper::{Html, Node};
use std::path::PathBuf;

const SAFE_TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "wbr",
    // Added by the HTML parser around fragments.
    "html",
    "head",
    "body",
];

const SAFE_ATTRS: &[&str] = &[
    "href", "src", "alt", "title", "width", "height", "colspan", "rowspan", "scope", "start",
    "reversed", "type", "datetime", "cite", "lang", "dir", "hreflang", "rel", "loading",
    "decoding",
];

fn assert_safe(output: &str, case: &str) {
    let lower = output.to_ascii_lowercase();
    // `javascript:` may appear harmlessly inside a path or text; URL schemes are checked below.
    for needle in [
        "<script",
        "expression(",
        "<style",
        "<iframe",
        "<object",
        "<embed",
        "<svg",
        "<math",
        "<form",
        "<base",
        "<meta",
        "<link",
    ] {
        assert!(
            !lower.contains(needle),
            "{case}: output contains {needle}: {output}"
        );
    }
    let doc = Html::parse_fragment(output);
    for node in doc.tree.root().descendants() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        assert!(
            SAFE_TAGS.contains(&el.name()),
            "{case}: element <{}> survived: {output}",
            el.name()
        );
        for (name, value) in el.attrs() {
            assert!(
                SAFE_ATTRS.contains(&name),
                "{case}: attribute {name} survived: {output}"
            );
            if matches!(name, "href" | "src" | "cite") {
                let v = value.trim().to_ascii_lowercase();
                let scheme_ok = v.starts_with("http://")
                    || v.starts_with("https://")
                    || v.starts_with("mailto:")
                    || v.starts_with('/')
                    || v.starts_with('#')
                    || !v.contains(':');
                assert!(scheme_ok, "{case}: unsafe URL {value:?}: {output}");
            }
        }
    }
}

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .join("../../../shared/corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        assert!(
            std::env::var_os("CI").is_none(),
            "the shared corpus must be beside the repository in CI"
        );
        eprintln!("skipped: ../shared/corpus not found");
        None
    }
}

#[test]
fn dompurify_payloads_come_out_safe() {
    let Some(root) = corpus() else { return };
    let raw =
        std::fs::read_to_string(root.join("sanitize/dompurify/test/fixtures/expect.json")).unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&raw).unwrap();
    assert!(cases.len() >= 200);
    for (i, case) in cases.iter().enumerate() {
        let payload = case["payload"].as_str().unwrap_or_default();
        let out = bulletin_extract::sanitize_fragment(payload, None);
        assert_safe(&out.html, &format!("dompurify #{i} {:?}", case["title"]));
    }
}

#[test]
fn html5lib_sanitizer_cases_come_out_safe() {
    let Some(root) = corpus() else { return };
    let raw = std::fs::read_to_string(
        root.join("sanitize/html5lib-sanitizer/html5lib/tests/sanitizer-testdata/tests1.dat"),
    )
    .unwrap();
    let cases: Vec<serde_json::Value> = serde_json::from_str(&raw).unwrap();
    assert!(cases.len() >= 70);
    for case in &cases {
        let input = case["input"].as_str().unwrap_or_default();
        let out = bulletin_extract::sanitize_fragment(
            input,
            url::Url::parse("http://example.com/").ok().as_ref(),
        );
        assert_safe(&out.html, case["name"].as_str().unwrap_or("?"));
    }
}

#[test]
fn feedparser_sanitize_feeds_come_out_safe() {
    let Some(root) = corpus() else { return };
    let dir = root.join("feeds/feedparser/tests/wellformed/sanitize");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap().flatten() {
        let path = entry.path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let Ok(feed) = bulletin_feeds::parse_feed(&bytes, None) else {
            continue;
        };
        for e in &feed.entries {
            for html in [e.content.as_deref(), e.summary.as_deref()]
                .into_iter()
                .flatten()
            {
                let out = bulletin_extract::sanitize_fragment(html, None);
                assert_safe(&out.html, &name);
            }
        }
        if let Some(d) = &feed.description {
            assert_safe(&bulletin_extract::sanitize_fragment(d, None).html, &name);
        }
        checked += 1;
    }
    assert!(checked >= 700, "only {checked} feeds parsed");
}
