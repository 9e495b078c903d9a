//! Which URLs from outside may become a link or a picture.
//!
//! Feeds, article pages, editors and OPML files all hand Bulletin URLs that
//! end up in an `href`, a `src` or an outgoing feed. Only absolute `http`
//! and `https` URLs pass: `javascript:`, `data:`, `vbscript:`, relative and
//! unparsable values are dropped, however they are spelled (the URL parser
//! removes the tabs, newlines and surrounding control characters a browser
//! would also ignore, and lowercases the scheme). The same check runs where
//! a URL enters and again where it is written.

use crate::{Author, Image, RelatedLink};
use url::Url;

/// `raw` as an absolute `http(s)` URL in its normalized form, or `None`.
pub fn web_url(raw: &str) -> Option<String> {
    web_url_from(raw, None)
}

/// Like [`web_url`], resolving a relative `raw` against `base` first.
pub fn web_url_from(raw: &str, base: Option<&Url>) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let url = match base {
        Some(base) => base.join(raw).ok()?,
        None => Url::parse(raw).ok()?,
    };
    let web =
        matches!(url.scheme(), "http" | "https") && url.host_str().is_some_and(|h| !h.is_empty());
    web.then(|| url.into())
}

/// Whether `raw` is already an absolute `http(s)` URL (as [`web_url`] would
/// keep it).
pub fn is_web_url(raw: &str) -> bool {
    web_url(raw).is_some()
}

/// Keeps an optional URL only when it is a web URL.
pub fn keep_web_url(raw: Option<String>) -> Option<String> {
    raw.as_deref().and_then(web_url)
}

impl Author {
    /// The author with profile and avatar URLs that are not web URLs dropped.
    pub fn with_web_urls(self) -> Author {
        Author {
            url: keep_web_url(self.url),
            avatar_url: keep_web_url(self.avatar_url),
            ..self
        }
    }
}

impl Image {
    /// The picture, when its URL is a web URL.
    pub fn with_web_url(self) -> Option<Image> {
        let url = web_url(&self.url)?;
        Some(Image { url, ..self })
    }
}

impl RelatedLink {
    /// The link, when its URL is a web URL and it has a title to show.
    pub fn with_web_url(self) -> Option<RelatedLink> {
        let url = web_url(&self.url)?;
        let title = self.title.trim();
        (!title.is_empty()).then(|| RelatedLink {
            title: title.to_owned(),
            url,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_absolute_http_urls_pass() {
        assert_eq!(
            web_url("https://example.org/a").as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(
            web_url("  HTTP://Example.org ").as_deref(),
            Some("http://example.org/")
        );
        for hostile in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "\u{1}javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "javascript&#58;alert(1)",
            "/relative/path",
            "//evil.example/x",
            "mailto:a@example.org",
            "file:///etc/passwd",
            "http:",
            "",
        ] {
            assert_eq!(web_url(hostile), None, "{hostile:?} passed");
        }
    }

    #[test]
    fn relative_urls_resolve_against_a_base() {
        let base = Url::parse("https://example.org/news/").ok();
        assert_eq!(
            web_url_from("a.html", base.as_ref()).as_deref(),
            Some("https://example.org/news/a.html")
        );
        assert_eq!(web_url_from("javascript:alert(1)", base.as_ref()), None);
    }

    #[test]
    fn authors_and_images_lose_hostile_urls() {
        let a = Author {
            name: "Ana".into(),
            url: Some("javascript:alert(1)".into()),
            avatar_url: Some("https://example.org/a.png".into()),
            ..Author::default()
        }
        .with_web_urls();
        assert_eq!(a.url, None);
        assert_eq!(a.avatar_url.as_deref(), Some("https://example.org/a.png"));
        let img = Image {
            url: "data:image/svg+xml,<svg onload=alert(1)>".into(),
            ..Image::default()
        };
        assert_eq!(img.with_web_url(), None);
    }

    #[test]
    fn related_links_need_a_web_url_and_a_title() {
        let link = |title: &str, url: &str| RelatedLink {
            title: title.into(),
            url: url.into(),
        };
        assert_eq!(
            link(" Floods in the north ", "https://example.org/a").with_web_url(),
            Some(link("Floods in the north", "https://example.org/a"))
        );
        assert_eq!(link("Click", "javascript:alert(1)").with_web_url(), None);
        assert_eq!(link("Relative", "/news/a").with_web_url(), None);
        assert_eq!(link("  ", "https://example.org/a").with_web_url(), None);
    }
}
