//! The web server: pages, JSON API and outgoing feeds over one store.
//! Handlers are thin: parse the request, ask the store, render.

mod account;
mod admin;
mod api;
mod assets;
mod feeds;
mod newsroom;
mod pages;
mod view;
mod websub;

use crate::App;
use crate::ingest::{Ingestor, Loader};
use anyhow::{Context, Result};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use bulletin_store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// The largest content a WebSub hub may push (as for fetched feeds).
const WEBSUB_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    /// Failed sign-ins, to slow guessing.
    pub throttle: Arc<crate::auth::LoginThrottle>,
    /// Served over HTTPS (the public address says so): cookies are `Secure`.
    pub https: bool,
    /// Stores content pushed by WebSub hubs.
    pub ingestor: Option<Arc<Ingestor>>,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::feed))
        .route("/search", get(pages::search))
        .route("/items/{id}", get(pages::item))
        .route("/authors/{name}", get(pages::author))
        .route("/sources", get(pages::sources))
        .route("/sources.opml", get(feeds::opml))
        .route("/sources/{id}", get(pages::source))
        .route("/sources/{id}/{feed}", get(feeds::source_feed))
        .route("/{feed}", get(feeds::site_feed))
        .route("/api/v1/items", get(api::items))
        .route("/api/v1/items/{id}", get(api::item))
        .route("/api/v1/sources", get(api::sources))
        .route(
            "/api/v1/items/{id}/star",
            axum::routing::put(api::star).delete(api::star),
        )
        .route("/healthz", get(api::healthz))
        .route("/login", get(account::login_form).post(account::login))
        .route("/logout", axum::routing::post(account::logout))
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
        .route(
            "/websub/{token}",
            get(websub::verify)
                .post(websub::content)
                .layer(DefaultBodyLimit::max(WEBSUB_BODY_LIMIT)),
        )
        .route("/static/{file}", get(assets::asset))
        .route("/demo/{*path}", get(assets::demo_file))
        .fallback(pages::not_found)
        .with_state(state)
}

/// What a `serve` process does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
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
    pub role: Role,
    /// Time between fetch passes; `None`: no fetching.
    pub poll: Option<Duration>,
    /// How long a worker holds the sources it claimed.
    pub lease: chrono::Duration,
    /// Remove unstarred items older than this many days.
    pub retention_days: Option<u32>,
    /// Where readers and WebSub hubs reach this server; with it, sources
    /// whose feeds name a hub are subscribed to.
    pub public_url: Option<url::Url>,
}

pub async fn serve(app: App, options: ServeOptions<'_>) -> Result<()> {
    let ServeOptions {
        addr,
        demo,
        role,
        poll,
        lease,
        retention_days,
        public_url,
    } = options;
    let poll = if role == Role::Web { None } else { poll };
    let mut ingestor =
        Ingestor::new(app.store.clone(), Loader::new(app.fetcher.clone())).with_lease(lease);
    let https = public_url.as_ref().is_some_and(|u| u.scheme() == "https");
    if let Some(public_url) = public_url {
        eprintln!("WebSub: hubs will call back at {public_url}websub/…");
        ingestor = ingestor.with_websub(crate::websub::WebSub::new(
            public_url,
            app.store.clone(),
            app.fetcher.clone(),
        ));
    }
    let ingestor = Arc::new(ingestor);
    if role == Role::Worker {
        if demo {
            load_demo(&app, &ingestor).await?;
        }
        let Some(period) = poll else {
            anyhow::bail!("a worker that does not fetch has nothing to do; drop --no-fetch");
        };
        eprintln!(
            "Bulletin worker {} is fetching due sources every {}s (Ctrl-C stops it)",
            ingestor.worker(),
            period.as_secs_f64()
        );
        tokio::select! {
            _ = fetch_forever(ingestor, period, retention_days) => {}
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
        load_demo(&app, &ingestor).await?;
    }
    if let Some(period) = poll {
        tokio::spawn(fetch_forever(ingestor.clone(), period, retention_days));
    }
    let local = listener.local_addr()?;
    eprintln!("Bulletin is serving on http://{local}/ (Ctrl-C stops it)");
    axum::serve(
        listener,
        router(AppState {
            store: app.store.clone(),
            ingestor: Some(ingestor.clone()),
            throttle: Arc::default(),
            https,
        })
        .into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the web server stopped")?;
    Ok(())
}

/// Passes over the due sources, `period` apart (claimed, so other workers
/// on the same database share them).
async fn fetch_forever(ingestor: Arc<Ingestor>, period: Duration, retention_days: Option<u32>) {
    loop {
        if let Some(days) = retention_days {
            let before = chrono::Utc::now() - chrono::Duration::days(i64::from(days));
            match crate::retention::prune(ingestor.store(), before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("retention: removed {n} items older than {days} days"),
                Err(e) => tracing::warn!("retention: {e}"),
            }
        }
        match crate::newsroom::publish_due(ingestor.store(), chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!("newsroom: published {n} scheduled posts"),
            Err(e) => tracing::warn!("newsroom: scheduled posts not published: {e}"),
        }
        match ingestor.run_pass(false, 16, |_| {}, |_, _| {}).await {
            Ok(s) if s.sources > 0 => tracing::info!(
                "background fetch: {} sources, {} new items, {} failed",
                s.sources,
                s.new_items,
                s.failed.len()
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!("background fetch stopped early: {e}"),
        }
        tokio::time::sleep(period).await;
    }
}

async fn load_demo(app: &App, ingestor: &Ingestor) -> Result<()> {
    for url in crate::demo::DEMO_FEEDS {
        let result = app
            .store
            .add_source(bulletin_store::NewSource {
                url: url.to_string(),
                ..Default::default()
            })
            .await;
        match result {
            Ok(_) | Err(StoreError::DuplicateSource(_)) => {}
            Err(e) => return Err(e).context("cannot add the demo sources"),
        }
    }
    let summary = ingestor.run_pass(false, 4, |_| {}, |_, _| {}).await?;
    eprintln!(
        "demo: {} new items from {} sources",
        summary.new_items, summary.sources
    );
    Ok(())
}
