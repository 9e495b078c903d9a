//! The web server: pages, JSON API and outgoing feeds over one store.
//! Handlers are thin: parse the request, ask the store, render.

mod account;
mod admin;
mod api;
mod apps;
mod assets;
mod claims;
mod conditional;
mod error;
mod feeds;
mod hub;
mod live;
mod newsroom;
mod pages;
mod server;
mod settings;
mod stories;
mod view;
mod websub;

pub use server::ConnectionLimits;

use anyhow::{Context, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use bulletin_pipeline::worker::{self, WorkerOptions};
use bulletin_pipeline::{Ingestor, Pipeline};
use bulletin_store::Store;
use std::sync::Arc;
use std::time::Duration;

/// The largest content a WebSub hub may push (as for fetched feeds).
const WEBSUB_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Arc<[std::net::IpAddr]>,
    /// Served over HTTPS (the public address says so): cookies are `Secure`.
    pub https: bool,
    /// Stores content pushed by WebSub hubs.
    pub ingestor: Option<Arc<Ingestor>>,
    /// This server's own origin (`https://news.example.org`, no trailing
    /// slash), for self links in outgoing feeds: from `--public-url`, else
    /// the address it listens on; never from a request's headers.
    pub public_origin: String,
    /// Follows the change log for `/api/v1/events`.
    pub live: Option<Arc<live::LiveHub>>,
    /// The WebSub hub the outgoing feeds name.
    pub hub: Option<Arc<hub::OutgoingHub>>,
    /// Reader apps' app passwords checked lately.
    pub checked_passwords: Arc<apps::CheckedPasswords>,
    /// Readers (not only admins) may add sources to the installation from
    /// their apps.
    pub readers_add_sources: bool,
}

/// The Content-Security-Policy of every HTML page: scripts and styles only
/// from this server's own files (no inline script at all), pictures and
/// media from anywhere on the web (feeds' pictures live on their sites),
/// nothing embedded, no `<base>`, forms only to this server, never framed.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' https: http:; media-src 'self' https: http:; object-src 'none'; base-uri 'none'; \
frame-ancestors 'none'; form-action 'self'";

/// Headers every response gets: no type sniffing, no referrer sent to the
/// sites readers click through to, never framed; HTML pages also get the
/// Content-Security-Policy, and a signed-in reader's pages are not kept in
/// any cache.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let signed_in = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| crate::auth::cookie_value(c, crate::auth::SESSION_COOKIE).is_some());
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    if signed_in {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/", get(pages::feed))
        .route("/search", get(pages::search))
        .route("/items/{id}", get(pages::item))
        .route("/authors/{name}", get(pages::author))
        .route("/authors", get(pages::author_by_query))
        .route("/sources", get(pages::sources))
        .route("/sources.opml", get(feeds::opml))
        .route("/sources/{id}", get(pages::source))
        .route("/sources/{id}/{feed}", get(feeds::source_feed))
        .route("/{feed}", get(feeds::site_feed))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/items", get(api::items))
        .route("/api/v1/items/{id}", get(api::item))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/events", get(live::events))
        .route("/cards", get(pages::cards))
        .route("/api/v1/stories", get(stories::api_list))
        .route("/api/v1/claims", get(claims::api))
        .route("/people/{slug}", get(claims::person))
        .route("/people/{slug}/{feed}", get(claims::person_feed))
        .route("/organisations/{slug}", get(claims::organisation))
        .route(
            "/organisations/{slug}/{feed}",
            get(claims::organisation_feed),
        )
        .route("/places/{slug}", get(claims::place))
        .route("/places/{slug}/{feed}", get(claims::place_feed))
        .route("/api/v1/stories/{id}", get(stories::api_story))
        .route("/stories", get(stories::list))
        .route("/stories/{segment}", get(stories::page_or_feed))
        .route(
            "/api/v1/items/{id}/star",
            axum::routing::put(api::star).delete(api::star),
        )
        .route(
            "/api/v1/items/{id}/read",
            axum::routing::put(api::read).delete(api::read),
        )
        .route("/healthz", get(api::healthz))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", axum::routing::post(account::logout))
        .route("/account", get(settings::show))
        .route(
            "/account/app-password",
            axum::routing::post(settings::set_app_password),
        )
        .route("/admin/sources", get(admin::list).post(admin::add))
        .route(
            "/admin/sources/opml",
            axum::routing::post(admin::import_opml),
        )
        .route("/admin/sources/{id}", axum::routing::post(admin::act))
        .route("/newsroom", get(newsroom::list))
        .route("/newsroom/new", get(newsroom::new_post))
        .route(
            "/newsroom/posts",
            axum::routing::post(newsroom::create_post),
        )
        .route(
            "/newsroom/posts/{id}",
            get(newsroom::edit_post).post(newsroom::update_post),
        )
        .route("/websub/hub", axum::routing::post(hub::subscribe))
        .route(
            "/websub/{token}",
            get(websub::verify)
                .post(websub::content)
                .layer(DefaultBodyLimit::max(WEBSUB_BODY_LIMIT)),
        )
        .route("/static/{file}", get(assets::asset))
        .route("/demo/{*path}", get(assets::demo_file))
        .merge(apps_routes())
        .fallback(pages::not_found)
        .with_state(state);
    // Paths are read with runs of slashes as one, before routing: reader
    // apps join a configured "https://host/" and "/v1/…" into "//v1/…".
    Router::new()
        .fallback_service(routes)
        .layer(axum::middleware::map_request(collapse_slashes))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn(security_headers))
}

/// The reader apps' APIs. Their answers are large JSON (a page of full
/// articles, 200 KB) asked for many at a time (newsboat's sync asks 200):
/// compressed at gzip's fastest level, which takes a third of the default's
/// time for a few percent more bytes (the page-wide layer leaves an answer
/// compressed here alone).
fn apps_routes() -> Router<AppState> {
    use tower_http::compression::{CompressionLayer, CompressionLevel};
    Router::new()
        .merge(apps::miniflux::routes())
        .merge(apps::greader::routes())
        .merge(apps::fever::routes())
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
}

/// The request with `//` in its path read as `/`.
async fn collapse_slashes(mut request: axum::extract::Request) -> axum::extract::Request {
    let uri = request.uri();
    if uri.path().contains("//") {
        let mut path = String::with_capacity(uri.path().len());
        for c in uri.path().chars() {
            if !(c == '/' && path.ends_with('/')) {
                path.push(c);
            }
        }
        let rebuilt = match uri.query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(path_and_query) = rebuilt.parse::<axum::http::uri::PathAndQuery>() {
            let mut parts = uri.clone().into_parts();
            parts.path_and_query = Some(path_and_query);
            if let Ok(new) = axum::http::Uri::from_parts(parts) {
                *request.uri_mut() = new;
            }
        }
    }
    request
}

/// What a `serve` process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProcessRole {
    /// Serve the web page, API and feeds; fetch nothing (behind a load
    /// balancer, beside workers).
    Web,
    /// Fetch sources; serve nothing.
    Worker,
    /// Both (one process does everything).
    All,
}

/// How `serve` runs.
pub struct ServeOptions<'a> {
    pub addr: &'a str,
    /// Load the offline demo sample first.
    pub demo: bool,
    /// With `demo`: how often the demo desk posts an update.
    pub demo_every: Option<Duration>,
    pub role: ProcessRole,
    /// Time between fetch passes; `None`: no fetching.
    pub poll: Option<Duration>,
    /// How long a worker holds the sources it claimed.
    pub lease: chrono::Duration,
    /// Remove unstarred items older than this many days.
    pub retention_days: Option<u32>,
    /// Where readers and WebSub hubs reach this server; with it, sources
    /// whose feeds name a hub are subscribed to.
    pub public_url: Option<url::Url>,
    /// The operator's WebSub hub for the outgoing feeds (else Bulletin is
    /// their hub).
    pub websub_hub: Option<url::Url>,
    /// What one client may hold open.
    pub limits: ConnectionLimits,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Readers may add sources to the installation from their apps.
    pub readers_add_sources: bool,
}

pub async fn serve(app: Pipeline, options: ServeOptions<'_>) -> Result<()> {
    let ServeOptions {
        addr,
        demo,
        demo_every,
        role,
        poll,
        lease,
        retention_days,
        public_url,
        websub_hub,
        limits,
        trusted_proxies,
        readers_add_sources,
    } = options;
    let configured_origin = public_url
        .as_ref()
        .map(|u| u.origin().ascii_serialization() + u.path().trim_end_matches('/'));
    let poll = if role == ProcessRole::Web { None } else { poll };
    let mut ingestor = app.ingestor().with_lease(lease);
    let https = public_url.as_ref().is_some_and(|u| u.scheme() == "https");
    if let Some(public_url) = public_url {
        eprintln!("WebSub: hubs will call back at {public_url}websub/…");
        ingestor = ingestor.with_websub(bulletin_pipeline::websub::WebSub::new(
            public_url,
            app.store.clone(),
            app.loader.fetcher().clone(),
        ));
    }
    let ingestor = Arc::new(ingestor);
    if role == ProcessRole::Worker {
        if demo {
            load_demo(&ingestor, &app.store, demo_every).await?;
        }
        let Some(period) = poll else {
            anyhow::bail!("a worker that does not fetch has nothing to do; drop --no-fetch");
        };
        eprintln!(
            "Bulletin worker {} is fetching due sources every {}s (Ctrl-C stops it)",
            ingestor.worker(),
            period.as_secs_f64()
        );
        let options = WorkerOptions {
            period,
            retention_days,
        };
        tokio::select! {
            () = worker::fetch_forever(&ingestor, options) => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        return Ok(());
    }
    // Listen before fetching: a WebSub hub may call back while the first
    // pass is still running (connections wait until the server takes them).
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; is another server using it? Try --addr 127.0.0.1:8081")
    })?;
    if demo {
        load_demo(&ingestor, &app.store, demo_every).await?;
    }
    if let Some(period) = poll {
        let ingestor = ingestor.clone();
        let options = WorkerOptions {
            period,
            retention_days,
        };
        tokio::spawn(async move { worker::fetch_forever(&ingestor, options).await });
    }
    let local = listener.local_addr()?;
    eprintln!("Bulletin is serving on http://{local}/ (Ctrl-C stops it)");
    if configured_origin.is_none() && !local.ip().is_loopback() {
        eprintln!(
            "warning: listening on {local} without --public-url: outgoing feeds link to http://{local}/; \
             pass --public-url https://your.host/ so readers get links that work"
        );
    }
    let public_origin = configured_origin.unwrap_or_else(|| format!("http://{local}"));
    let live = live::LiveHub::start(&*app.store)
        .await
        .context("cannot read the change log")?;
    tokio::spawn(live.clone().follow(app.store.clone()));
    let fetcher = app.loader.fetcher().clone();
    let hub = Arc::new(match websub_hub {
        Some(url) => hub::OutgoingHub::operator(url.to_string(), fetcher),
        None => hub::OutgoingHub::own(&public_origin, fetcher),
    });
    let state = AppState {
        store: app.store.clone(),
        ingestor: Some(ingestor.clone()),
        trusted_proxies: trusted_proxies.into(),
        https,
        public_origin,
        live: Some(live.clone()),
        hub: Some(hub.clone()),
        checked_passwords: Arc::default(),
        readers_add_sources,
    };
    tokio::spawn(hub.run(state.clone(), live.subscribe()));
    server::serve(listener, router(state), limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}

/// Fills the feed with the offline demo's sources, and sets the demo desk
/// posting (every `every`).
async fn load_demo(
    ingestor: &Ingestor,
    store: &Arc<dyn Store>,
    every: Option<Duration>,
) -> Result<()> {
    if let Some(every) = every {
        tokio::spawn(crate::demo::run_desk(store.clone(), every));
    }
    let summary = worker::seed(ingestor, crate::demo::DEMO_FEEDS)
        .await
        .context("cannot load the demo")?;
    eprintln!(
        "demo: {} new items from {} sources",
        summary.new_items, summary.sources
    );
    Ok(())
}
