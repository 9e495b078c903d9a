//! When two URLs name the same page.
//!
//! Feeds and share buttons decorate links with tracking parameters; the same
//! article then arrives under several URLs. [`canonicalize_url`] removes what
//! does not change the page, so the store can keep one copy.

use url::Url;

/// Query parameters that only track the reader and never change the page.
const TRACKING_PARAMS: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "ref_src",
    "cmpid",
    "ito",
    "ocid",
    "s_cid",
    "__twitter_impression",
    "_ga",
    "_gl",
];

/// Prefixes of tracking parameter families (`utm_source`, `utm_medium`, …).
const TRACKING_PREFIXES: &[&str] = &["utm_", "pk_", "mtm_", "hmb_", "at_"];

fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TRACKING_PARAMS.contains(&lower.as_str())
        || TRACKING_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Returns the canonical form of `url`: fragment removed, default port
/// removed, scheme and host lowercased (done by `Url`), tracking parameters
/// removed, and an empty query dropped. The order of the remaining parameters
/// is kept, since some sites depend on it.
pub fn canonicalize_url(url: &Url) -> Url {
    let mut out = url.clone();
    out.set_fragment(None);
    // `Url` already drops a port equal to the scheme's default on parse; this
    // covers URLs built by hand.
    if out.port().is_some() && out.port() == default_port(out.scheme()) {
        let _ = out.set_port(None);
    }
    if out.query().is_some() {
        let kept: Vec<(String, String)> = out
            .query_pairs()
            .filter(|(k, _)| !is_tracking_param(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            out.set_query(None);
        } else {
            out.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    out
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonicalize_url(&Url::parse(s).unwrap()).to_string()
    }

    #[test]
    fn removes_tracking_fragment_and_default_port() {
        let want = "https://example.org/news/1?id=7";
        assert_eq!(canon("https://example.org/news/1?id=7"), want);
        assert_eq!(
            canon("https://EXAMPLE.org:443/news/1?utm_source=x&id=7&fbclid=abc#top"),
            want
        );
        assert_eq!(
            canon("https://example.org/news/1?id=7&gclid=1&utm_medium=rss"),
            want
        );
    }

    #[test]
    fn drops_empty_query() {
        assert_eq!(
            canon("http://example.org:80/a?utm_campaign=z"),
            "http://example.org/a"
        );
    }

    #[test]
    fn keeps_meaningful_params_and_other_ports() {
        assert_eq!(
            canon("http://example.org:8080/a?page=2&q=x"),
            "http://example.org:8080/a?page=2&q=x"
        );
    }
}
