//! Conditional responses for what readers poll (outgoing feeds, API pages):
//! an `ETag` from the body, `Last-Modified` from the newest change, and
//! `304 Not Modified` when the client already has it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};

/// How long a client may reuse a polled document before asking again.
const MAX_AGE_SECONDS: u32 = 60;

/// A weak validator of `body` (weak, since the body may be sent compressed).
fn etag(body: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, body);
    let hex: String = digest.as_ref()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("W/\"{hex}\"")
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 asks
/// for `GET`).
fn none_match(headers: &HeaderMap, tag: &str) -> Option<bool> {
    let value = headers.get(header::IF_NONE_MATCH)?.to_str().ok()?;
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let wanted = bare(tag);
    Some(
        value
            .split(',')
            .any(|t| t.trim() == "*" || bare(t) == wanted),
    )
}

/// Whether the client's copy, dated by `If-Modified-Since`, is as new as
/// `modified` (HTTP dates have whole seconds).
fn not_modified_since(headers: &HeaderMap, modified: DateTime<Utc>) -> bool {
    headers
        .get(header::IF_MODIFIED_SINCE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v.trim()).ok())
        .is_some_and(|since| modified.timestamp() <= since.timestamp())
}

/// The response for a document the client may already hold: `304` with
/// the validators when it does, else the body with them.
pub fn respond(
    request: &HeaderMap,
    content_type: &'static str,
    body: Vec<u8>,
    modified: Option<DateTime<Utc>>,
) -> Response {
    let tag = etag(&body);
    // If-None-Match wins over If-Modified-Since when both are sent.
    let fresh = match none_match(request, &tag) {
        Some(matched) => matched,
        None => modified.is_some_and(|m| not_modified_since(request, m)),
    };
    let mut headers = HeaderMap::new();
    if let Ok(v) = HeaderValue::from_str(&tag) {
        headers.insert(header::ETAG, v);
    }
    if let Some(m) = modified
        && let Ok(v) = HeaderValue::from_str(&m.format("%a, %d %b %Y %H:%M:%S GMT").to_string())
    {
        headers.insert(header::LAST_MODIFIED, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_SECONDS}")) {
        headers.insert(header::CACHE_CONTROL, v);
    }
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if fresh {
        return (StatusCode::NOT_MODIFIED, headers).into_response();
    }
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    (headers, body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn a_matching_etag_gets_304_and_another_gets_the_body() {
        let body = b"<feed/>".to_vec();
        let tag = etag(&body);
        let r = respond(
            &request(header::IF_NONE_MATCH, &tag),
            "text/xml",
            body.clone(),
            None,
        );
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        let r = respond(
            &request(header::IF_NONE_MATCH, "W/\"other\""),
            "text/xml",
            body,
            None,
        );
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::ETAG], tag.as_str());
    }

    #[test]
    fn if_modified_since_compares_whole_seconds() {
        let modified = DateTime::parse_from_rfc3339("2025-05-25T10:00:00.500Z")
            .unwrap()
            .with_timezone(&Utc);
        let same = request(header::IF_MODIFIED_SINCE, "Sun, 25 May 2025 10:00:00 GMT");
        let older = request(header::IF_MODIFIED_SINCE, "Sun, 25 May 2025 09:59:59 GMT");
        let ok = |h: &HeaderMap| respond(h, "text/xml", b"x".to_vec(), Some(modified)).status();
        assert_eq!(ok(&same), StatusCode::NOT_MODIFIED);
        assert_eq!(ok(&older), StatusCode::OK);
    }
}
