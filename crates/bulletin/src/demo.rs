//! The offline demo: a small news site written for Bulletin, embedded in the
//! binary and served under a reserved host name that never resolves, so
//! `serve --demo` shows a populated feed without internet access.

use bulletin_core::ItemKind;
use bulletin_fetch::{FetchResponse, Validators};
use bulletin_pipeline::{DocumentSource, newsroom};
use bulletin_store::{NewUser, Role, Store, StoreError, UserId};
use chrono::{DateTime, Utc};
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

/// The newest date written in the demo's documents: it is moved to the
/// moment the demo starts, and every other date with it.
const DEMO_NEWEST: &str = "2025-05-25T18:00:00Z";

/// The demo site, put in front of the network by `serve --demo`. Its
/// documents were written on one day in May 2025; they are served as if
/// written in the hours before the site was made, so relative times show.
pub struct DemoSite {
    shift: chrono::TimeDelta,
}

impl DemoSite {
    /// The site as of `now`: its newest item published a minute ago.
    pub fn as_of(now: DateTime<Utc>) -> DemoSite {
        let newest = DateTime::parse_from_rfc3339(DEMO_NEWEST)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now);
        let minutes = (now - newest).num_minutes() - 1;
        DemoSite {
            shift: chrono::TimeDelta::minutes(minutes.max(0)),
        }
    }
}

impl DocumentSource for DemoSite {
    fn owns(&self, url: &Url) -> bool {
        url.host_str() == Some(DEMO_HOST)
    }

    fn document(&self, url: &Url) -> Option<FetchResponse> {
        let mut doc = document(url)?;
        if !self.shift.is_zero()
            && let Ok(text) = std::str::from_utf8(&doc.body)
        {
            doc.body = shift_dates(text, self.shift).into_bytes();
        }
        Some(doc)
    }
}

/// `text` with every date in the demo's two forms (`2025-05-25T17:00:00Z`,
/// `Sun, 25 May 2025 17:00:00 +0000`) moved by `shift`.
fn shift_dates(text: &str, shift: chrono::TimeDelta) -> String {
    const RFC3339_LEN: usize = "2025-05-25T17:00:00Z".len();
    const RFC2822_LEN: usize = "Sun, 25 May 2025 17:00:00 +0000".len();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("2025") {
        // A date in either form starts at most 12 bytes before its year.
        let start = rest[..at]
            .char_indices()
            .map(|(i, _)| i)
            .filter(|i| at - i <= 12)
            .chain([at])
            .find_map(|i| {
                let two = rest.get(i..i + RFC2822_LEN)?;
                let date = DateTime::parse_from_rfc2822(two).ok()?;
                Some((
                    i,
                    RFC2822_LEN,
                    (date.with_timezone(&Utc) + shift).to_rfc2822(),
                ))
            })
            .or_else(|| {
                let three = rest.get(at..at + RFC3339_LEN)?;
                let date = DateTime::parse_from_rfc3339(three).ok()?;
                Some((
                    at,
                    RFC3339_LEN,
                    (date.with_timezone(&Utc) + shift)
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string(),
                ))
            });
        match start {
            Some((i, len, moved)) => {
                out.push_str(&rest[..i]);
                out.push_str(&moved);
                rest = &rest[i + len..];
            }
            None => {
                out.push_str(&rest[..at + 4]);
                rest = &rest[at + 4..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The demo desk's short updates, posted in turn while `serve --demo` runs.
const DESK_UPDATES: &[&str] = &[
    "Rail operators say morning services are running normally again after the overnight signal fault.",
    "The climate talks' final text is now expected on Friday, a spokesperson for the presidency said.",
    "Markets opened slightly higher; the central bank's decision is due at 14:00 local time.",
    "Firefighters say the hillside blaze is 60% contained; two roads remain closed.",
    "The lunar mission team will hold a briefing on the far-side pictures within the hour.",
    "Heat warnings now cover four regions; officials urge people to check on elderly neighbours.",
    "Port workers have voted to accept the new pay offer, ending a week of stoppages.",
    "Polls close in two hours in the regional election; turnout is up on the last vote.",
];

/// Posts one of the desk's updates every `every`, as the newsroom's
/// "Demo Desk" (an account nobody can sign in to), until the process ends.
pub async fn run_desk(store: std::sync::Arc<dyn Store>, every: std::time::Duration) {
    let author = match desk_author(&*store).await {
        Ok(author) => author,
        Err(e) => {
            tracing::warn!("demo desk: cannot make its account: {e}");
            return;
        }
    };
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    for text in DESK_UPDATES.iter().cycle() {
        tick.tick().await;
        let now = Utc::now();
        let mut post = newsroom::new_post(author, now);
        post.kind = ItemKind::Update;
        post.markdown = (*text).to_string();
        let published = async {
            post.id = store.save_post(post.clone()).await?;
            newsroom::publish(&*store, post, now).await
        };
        if let Err(e) = published.await {
            tracing::warn!("demo desk: cannot publish an update: {e}");
        }
    }
}

async fn desk_author(store: &dyn Store) -> Result<UserId, StoreError> {
    const NAME: &str = "demo-desk";
    if let Some(user) = store.user_by_name(NAME.into()).await? {
        return Ok(user.id);
    }
    store
        .add_user(NewUser {
            name: NAME.into(),
            role: Some(Role::Editor),
            // Not a password hash: no password matches it.
            password_hash: "!".into(),
            display_name: Some("Demo Desk".into()),
            title: Some("Live desk".into()),
            bio: None,
            avatar_url: None,
            created_at: None,
        })
        .await
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

    #[test]
    fn moves_the_demos_dates_to_the_hours_before_it_starts() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T12:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let site = DemoSite::as_of(now);
        let text = "<pubDate>Sun, 25 May 2025 17:00:00 +0000</pubDate> \
                    <updated>2025-05-25T18:00:00Z</updated> 2025 stays";
        let moved = shift_dates(text, site.shift);
        assert_eq!(
            moved,
            "<pubDate>Sun, 29 Nov 2026 11:29:00 +0000</pubDate> \
             <updated>2026-11-29T12:29:00Z</updated> 2025 stays"
        );
        for feed in DEMO_FEEDS {
            let doc = site.document(&Url::parse(feed).unwrap()).unwrap();
            let body = String::from_utf8(doc.body).unwrap();
            assert!(
                !body.contains("2025-05-2") && !body.contains("May 2025"),
                "{feed}"
            );
            assert!(
                body.contains("2026-11-2") || body.contains("Nov 2026"),
                "{feed}"
            );
        }
    }
}
