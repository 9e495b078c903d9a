//! Bulletin's one door to the network.
//!
//! Every outbound request goes through [`Fetcher`], which holds all the
//! safety rules in one place a reviewer can read:
//! - **SSRF guard** ([`guard`]): host names are resolved by our own resolver,
//!   which drops every non-public address, and the connection is made only to
//!   the addresses it returned (no DNS-rebinding gap). IP-literal hosts, in any
//!   spelling the URL standard accepts (decimal, octal, hex, IPv4-mapped IPv6),
//!   are checked before the request and on every redirect hop.
//! - **Limits**: a body larger than the limit (counted after decompression) is
//!   cut off; the whole exchange has a deadline; at most 10 redirects.
//! - **No ambient proxy**: proxy environment variables are ignored.

pub mod guard;
pub mod robots;

use futures_util::StreamExt;
use guard::{GuardedResolver, check_url_host};
use reqwest::header::{self, HeaderMap, HeaderValue};
use reqwest::redirect;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The `User-Agent` Bulletin sends.
pub const USER_AGENT: &str = concat!(
    "Bulletin/",
    env!("CARGO_PKG_VERSION"),
    " (self-hosted news reader; +https://github.com/bulletin-news/bulletin)"
);

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    /// Allow loopback, private and other non-public addresses (tests, intranets).
    pub allow_private_networks: bool,
    /// Largest body accepted, after decompression.
    pub max_body_bytes: usize,
    /// Deadline for the whole exchange, body included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_redirects: usize,
    /// Requests in flight to one host at a time.
    pub per_host: usize,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            allow_private_networks: false,
            max_body_bytes: 10 * 1024 * 1024,
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            max_redirects: 10,
            per_host: 2,
        }
    }
}

/// Cache validators from an earlier response, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful exchange.
#[derive(Debug, Clone)]
pub struct FetchResponse {
    /// The URL after redirects.
    pub final_url: Url,
    pub status: u16,
    /// The server answered 304: nothing changed since `Validators`.
    pub not_modified: bool,
    pub content_type: Option<String>,
    pub validators: Validators,
    /// How long the response may be reused (`Cache-Control: max-age`).
    pub max_age: Option<Duration>,
    /// Where the resource now lives, when every redirect on the way was
    /// permanent (301 or 308).
    pub moved_permanently: Option<Url>,
    pub body: Vec<u8>,
}

/// Why a fetch failed, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("not a fetchable URL: {0}")]
    InvalidUrl(String),
    #[error("refused: {0} (use --allow-private-networks to allow it)")]
    Blocked(String),
    #[error("the server answered HTTP {status}{}{}", reason.as_deref().map(|r| format!(" {r}")).unwrap_or_default(), retry_after.map(|d| format!(" and asked to wait {}s", d.as_secs())).unwrap_or_default())]
    Status {
        status: u16,
        reason: Option<String>,
        /// How long the server asked us to wait (`Retry-After`), if it did.
        retry_after: Option<Duration>,
    },
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    #[error("the body is larger than {limit} bytes and was cut off")]
    TooLarge { limit: usize },
    #[error("too many redirects or a redirect loop")]
    Redirects,
    #[error("could not connect: {0}")]
    Connect(String),
    #[error("the transfer failed: {0}")]
    Transfer(String),
}

/// The HTTP client every stage shares.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    config: Arc<FetchConfig>,
    /// One semaphore per host, so no site sees more than `per_host` requests at once.
    hosts: Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>>,
    /// For requests being redirected, by the URL first asked for: whether
    /// every hop so far was permanent (301 or 308).
    redirects: Arc<std::sync::Mutex<std::collections::HashMap<Url, bool>>>,
}

impl Fetcher {
    pub fn new(config: FetchConfig) -> Result<Fetcher, FetchError> {
        let allow_private = config.allow_private_networks;
        let max_redirects = config.max_redirects;
        let redirects: Arc<std::sync::Mutex<std::collections::HashMap<Url, bool>>> = Arc::default();
        let seen = redirects.clone();
        let policy = redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= max_redirects
                || attempt.previous().contains(attempt.url())
            {
                return attempt.error(RedirectLimit);
            }
            if let Err(e) = check_url_host(attempt.url(), allow_private) {
                return attempt.error(e);
            }
            let permanent = matches!(attempt.status().as_u16(), 301 | 308);
            if let (Some(first), Ok(mut seen)) = (attempt.previous().first(), seen.lock()) {
                seen.entry(first.clone())
                    .and_modify(|all| *all &= permanent)
                    .or_insert(permanent);
            }
            attempt.follow()
        });
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT,
            HeaderValue::from_static(
                "application/atom+xml, application/rss+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, */*;q=0.5",
            ),
        );
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .default_headers(headers)
            .redirect(policy)
            .no_proxy()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .pool_max_idle_per_host(4)
            .dns_resolver(GuardedResolver { allow_private })
            .build()
            .map_err(|e| FetchError::Connect(format!("cannot build the HTTP client: {e}")))?;
        Ok(Fetcher {
            client,
            config: Arc::new(config),
            hosts: Arc::default(),
            redirects,
        })
    }

    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// GETs `url`, conditionally when `validators` are given.
    pub async fn get(
        &self,
        url: &Url,
        validators: Option<&Validators>,
    ) -> Result<FetchResponse, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl(format!(
                "{url}: only http and https are fetched"
            )));
        }
        check_url_host(url, self.config.allow_private_networks)
            .map_err(|e| FetchError::Blocked(e.to_string()))?;
        let _permit = self.host_permit(url).await;
        let mut request = self.client.get(url.clone());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        if let Ok(mut seen) = self.redirects.lock() {
            seen.remove(url);
        }
        let sent = request.send().await;
        let all_permanent = self.redirects.lock().ok().and_then(|mut s| s.remove(url));
        let response = sent.map_err(|e| self.classify(e))?;
        let status = response.status();
        let final_url = response.url().clone();
        let moved_permanently =
            (all_permanent == Some(true) && final_url != *url).then(|| final_url.clone());
        let head = Head::of(&response);
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(FetchResponse {
                final_url,
                status: 304,
                not_modified: true,
                content_type: head.content_type,
                validators: validators.cloned().unwrap_or(head.validators),
                max_age: head.max_age,
                moved_permanently,
                body: Vec::new(),
            });
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                status: status.as_u16(),
                reason: status.canonical_reason().map(str::to_string),
                retry_after: head.retry_after,
            });
        }
        let body = self.read_body(response).await?;
        Ok(FetchResponse {
            final_url,
            status: status.as_u16(),
            not_modified: false,
            content_type: head.content_type,
            validators: head.validators,
            max_age: head.max_age,
            moved_permanently,
            body,
        })
    }

    /// The response's body, refused past `max_body_bytes` (by its declared
    /// length, or as it arrives).
    async fn read_body(&self, response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let limit = self.config.max_body_bytes;
        if response
            .content_length()
            .is_some_and(|len| len as usize > limit)
        {
            return Err(FetchError::TooLarge { limit });
        }
        let mut body =
            Vec::with_capacity(response.content_length().map_or(16 * 1024, |l| l as usize));
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| self.classify(e))?;
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// POSTs an `application/x-www-form-urlencoded` form (a WebSub
    /// subscription request) under the same guard and limits as `get`.
    /// Returns the status of a 2xx answer; any other is an error whose
    /// reason includes the start of the body the server gave.
    pub async fn post_form(&self, url: &Url, fields: &[(&str, &str)]) -> Result<u16, FetchError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.post(
            url,
            "application/x-www-form-urlencoded",
            &[],
            body.into_bytes(),
        )
        .await
    }

    /// POSTs `body` as `content_type` with `headers` (a WebSub hub's content
    /// distribution to a subscriber), under the same guard and limits as
    /// `get`. Returns the status of a 2xx answer; any other is an error.
    pub async fn post(
        &self,
        url: &Url,
        content_type: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<u16, FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::InvalidUrl(format!(
                "{url}: only http and https are used"
            )));
        }
        check_url_host(url, self.config.allow_private_networks)
            .map_err(|e| FetchError::Blocked(e.to_string()))?;
        let _permit = self.host_permit(url).await;
        let mut request = self
            .client
            .post(url.clone())
            .header(header::CONTENT_TYPE, content_type);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| self.classify(e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(status.as_u16());
        }
        let retry_after = response
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // The reason a hub gives is in its body; a short, one-line piece of it.
        let mut said = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(Ok(chunk)) = stream.next().await {
            said.extend_from_slice(&chunk);
            if said.len() >= 200 {
                break;
            }
        }
        let said: String = String::from_utf8_lossy(&said)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(160)
            .collect();
        Err(FetchError::Status {
            status: status.as_u16(),
            reason: Some(if said.is_empty() {
                status.canonical_reason().unwrap_or_default().to_string()
            } else {
                format!("({said})")
            }),
            retry_after,
        })
    }

    /// Waits for a free slot for the URL's host.
    async fn host_permit(&self, url: &Url) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let host = url.host_str()?.to_ascii_lowercase();
        let semaphore = {
            let mut hosts = self.hosts.lock().ok()?;
            hosts
                .entry(host)
                .or_insert_with(|| {
                    Arc::new(tokio::sync::Semaphore::new(self.config.per_host.max(1)))
                })
                .clone()
        };
        semaphore.acquire_owned().await.ok()
    }

    fn classify(&self, e: reqwest::Error) -> FetchError {
        let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&e);
        while let Some(s) = source {
            if let Some(blocked) = s.downcast_ref::<guard::Blocked>() {
                return FetchError::Blocked(blocked.to_string());
            }
            if s.downcast_ref::<RedirectLimit>().is_some() {
                return FetchError::Redirects;
            }
            source = s.source();
        }
        if e.is_timeout() {
            FetchError::Timeout(self.config.timeout)
        } else if e.is_redirect() {
            FetchError::Redirects
        } else if e.is_connect() {
            FetchError::Connect(innermost(&e))
        } else {
            FetchError::Transfer(innermost(&e))
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("too many redirects")]
struct RedirectLimit;

/// `Cache-Control: max-age=N`.
fn parse_max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|part| {
        let (k, v) = part.trim().split_once('=')?;
        k.trim().eq_ignore_ascii_case("max-age").then(|| {
            v.trim()
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs)
        })?
    })
}

/// `Retry-After`: seconds, or an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    // A date already past means "now".
    let when = bulletin_core::parse_datetime(value)?;
    Some((when - chrono::Utc::now()).to_std().unwrap_or_default())
}

/// The time from now until an HTTP date, when it is in the future.
fn time_until(value: &str) -> Option<Duration> {
    let when = bulletin_core::parse_datetime(value.trim())?;
    (when - chrono::Utc::now()).to_std().ok()
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// What a response's headers say that the pipeline uses.
struct Head {
    content_type: Option<String>,
    validators: Validators,
    /// How long the answer stays fresh: Cache-Control's max-age, else the
    /// Expires date.
    max_age: Option<Duration>,
    retry_after: Option<Duration>,
}

impl Head {
    fn of(response: &reqwest::Response) -> Head {
        let header_str = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Head {
            content_type: header_str(header::CONTENT_TYPE),
            validators: Validators {
                etag: header_str(header::ETAG),
                last_modified: header_str(header::LAST_MODIFIED),
            },
            max_age: header_str(header::CACHE_CONTROL)
                .as_deref()
                .and_then(parse_max_age)
                .or_else(|| header_str(header::EXPIRES).as_deref().and_then(time_until)),
            retry_after: header_str(header::RETRY_AFTER)
                .as_deref()
                .and_then(parse_retry_after),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_caching_headers() {
        assert_eq!(
            parse_max_age("public, max-age=600"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(parse_max_age("no-cache"), None);
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(time_until("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert!(time_until("Fri, 01 Jan 2100 00:00:00 GMT").is_some());
        assert_eq!(time_until("0"), None);
    }
}
