//! The web server: pages, JSON API and outgoing feeds over one store.
//! Handlers are thin: parse the request, ask the store, render.

mod api;
mod assets;
mod feeds;
mod pages;
mod view;

use crate::App;
use crate::ingest::{Ingestor, Loader};
use anyhow::{Context, Result};
use axum::Router;
use axum::routing::get;
use bulletin_store::{Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
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
        .route("/static/{file}", get(assets::asset))
        .route("/demo/{*path}", get(assets::demo_file))
        .fallback(pages::not_found)
        .with_state(state)
}

pub async fn serve(app: App, addr: &str, demo: bool, poll_minutes: Option<u64>) -> Result<()> {
    let ingestor = Arc::new(Ingestor::new(
        app.store.clone(),
        Loader::new(app.fetcher.clone()),
    ));
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
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr}; is another server using it? Try --addr 127.0.0.1:8081")
    })?;
    let local = listener.local_addr()?;
    eprintln!("Bulletin is serving on http://{local}/ (Ctrl-C stops it)");
    axum::serve(
        listener,
        router(AppState {
            store: app.store.clone(),
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
