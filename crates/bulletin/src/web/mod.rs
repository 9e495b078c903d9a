//! The web server: pages, JSON API and outgoing feeds over one store.
//! Handlers are thin: parse the request, ask the store, render.

mod api;
mod assets;
mod feeds;
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
        .route("/healthz", get(api::healthz))
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

/// How `serve` runs.
pub struct ServeOptions<'a> {
    pub addr: &'a str,
    /// Load the offline demo sample first.
    pub demo: bool,
    /// Minutes between background fetch passes; `None`: no fetching.
    pub poll_minutes: Option<u64>,
    /// Where readers and WebSub hubs reach this server; with it, sources
    /// whose feeds name a hub are subscribed to.
    pub public_url: Option<url::Url>,
}

pub async fn serve(app: App, options: ServeOptions<'_>) -> Result<()> {
    let ServeOptions {
        addr,
        demo,
        poll_minutes,
        public_url,
    } = options;
    let mut ingestor = Ingestor::new(app.store.clone(), Loader::new(app.fetcher.clone()));
    if let Some(public_url) = public_url {
        eprintln!("WebSub: hubs will call back at {public_url}websub/…");
        ingestor = ingestor.with_websub(crate::websub::WebSub::new(
            public_url,
            app.store.clone(),
            app.fetcher.clone(),
        ));
    }
    let ingestor = Arc::new(ingestor);
    // Listen before fetching: a WebSub hub may call back while the first
    // pass is still running (connections wait until the server takes them).
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; is another server using it? Try --addr 127.0.0.1:8081")
    })?;
    if demo {
        load_demo(&app, &ingestor).await?;
    }
    if let Some(minutes) = poll_minutes {
        let ingestor = ingestor.clone();
        tokio::spawn(async move {
            let period = Duration::from_secs(minutes.max(1) * 60);
            loop {
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
        });
    }
    let local = listener.local_addr()?;
    eprintln!("Bulletin is serving on http://{local}/ (Ctrl-C stops it)");
    axum::serve(
        listener,
        router(AppState {
            store: app.store.clone(),
            ingestor: Some(ingestor.clone()),
        }),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("the web server stopped")?;
    Ok(())
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
