//! The offline demo: a small news site written for Bulletin, embedded in the
//! binary and served under a reserved host name that never resolves, so
//! `serve --demo` shows a populated feed without internet access.

use bulletin_fetch::{FetchResponse, Validators};
use bulletin_pipeline::DocumentSource;
use url::Url;

include!(concat!(env!("OUT_DIR"), "/demo_files.rs"));

/// The demo site's host (`.example` is reserved and never resolves).
pub const DEMO_HOST: &str = "demo.bulletin.example";

/// The demo's feeds, as a user would subscribe to them.
pub const DEMO_FEEDS: &[&str] = &[
    "https://demo.bulletin.example/feeds/world.xml",
    "https://demo.bulletin.example/feeds/business.atom",
    "https://demo.bulletin.example/feeds/live.json",
];

/// Path prefix under which `serve` makes the demo's pictures available.
pub const BROWSER_PREFIX: &str = "/demo/";

/// A demo file by its path inside the demo site (`img/x.svg`).
pub fn file(path: &str) -> Option<&'static [u8]> {
    DEMO_FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("xml") => "application/rss+xml; charset=utf-8",
        Some("atom") => "application/atom+xml; charset=utf-8",
        Some("json") => "application/feed+json; charset=utf-8",
        Some("svg") => "image/svg+xml",
        _ => "text/html; charset=utf-8",
    }
}

/// The demo site, put in front of the network by `serve --demo`.
pub struct DemoSite;

impl DocumentSource for DemoSite {
    fn owns(&self, url: &Url) -> bool {
        url.host_str() == Some(DEMO_HOST)
    }

    fn document(&self, url: &Url) -> Option<FetchResponse> {
        document(url)
    }
}

/// The demo document at `url`, when `url` is on the demo host. Article URLs
/// (`/{section}/{slug}`) map to `articles/{slug}.html`.
fn document(url: &Url) -> Option<FetchResponse> {
    if url.host_str() != Some(DEMO_HOST) {
        return None;
    }
    let path = url.path().trim_start_matches('/');
    let (file_path, body) = match file(path) {
        Some(b) => (path.to_string(), b),
        None => {
            let slug = path.rsplit('/').next()?;
            let p = format!("articles/{slug}.html");
            let b = file(&p)?;
            (p, b)
        }
    };
    Some(FetchResponse {
        final_url: url.clone(),
        status: 200,
        not_modified: false,
        content_type: Some(content_type(&file_path).to_string()),
        validators: Validators::default(),
        max_age: None,
        moved_permanently: None,
        body: body.to_vec(),
    })
}

/// Points demo picture URLs at the local server, for the browser.
pub fn rewrite_for_browser(html_or_url: &str) -> std::borrow::Cow<'_, str> {
    const ORIGIN: &str = "https://demo.bulletin.example/";
    if html_or_url.contains(ORIGIN) {
        html_or_url.replace(ORIGIN, BROWSER_PREFIX).into()
    } else {
        html_or_url.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serves_embedded_documents() {
        for feed in DEMO_FEEDS {
            let doc = document(&Url::parse(feed).unwrap()).unwrap();
            assert!(!doc.body.is_empty(), "{feed}");
        }
        let page = document(
            &Url::parse("https://demo.bulletin.example/climate/climate-deal?utm_source=rss")
                .unwrap(),
        )
        .unwrap();
        assert!(page.content_type.unwrap().starts_with("text/html"));
        assert!(document(&Url::parse("https://example.org/feeds/world.xml").unwrap()).is_none());
    }
}
