//! The WebSub callback: `GET /websub/{token}` answers a hub's verification
//! of intent, `POST /websub/{token}` takes pushed content. The checks live in
//! `bulletin_pipeline::websub`; this file only speaks HTTP.

use super::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bulletin_pipeline::websub::{Intent, IntentAnswer, signature_matches, verify_intent};
use chrono::Utc;
use std::collections::HashMap;

pub async fn verify(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let sub = match state.store.websub_by_token(token).await {
        Ok(Some(sub)) => sub,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => {
            tracing::warn!("WebSub verification: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let param = |name: &str| params.get(name).map(String::as_str);
    let intent = Intent {
        mode: param("hub.mode"),
        topic: param("hub.topic"),
        challenge: param("hub.challenge"),
        lease_seconds: param("hub.lease_seconds"),
        reason: param("hub.reason"),
    };
    let (changed, answer) = verify_intent(&sub, &intent, Utc::now());
    if let Some(changed) = changed
        && let Err(e) = state.store.save_websub(changed).await
    {
        tracing::warn!("WebSub verification: {e}");
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match answer {
        IntentAnswer::Confirm(challenge) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            challenge,
        )
            .into_response(),
        IntentAnswer::Noted => StatusCode::OK.into_response(),
        IntentAnswer::Refuse => StatusCode::NOT_FOUND.into_response(),
    }
}

pub async fn content(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let sub = match state.store.websub_by_token(token).await {
        Ok(Some(sub)) => sub,
        // 410 tells the hub to stop: there is no such subscription (any more).
        Ok(None) => return StatusCode::GONE.into_response(),
        Err(e) => {
            tracing::warn!("WebSub content: {e}");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let signature = headers.get("x-hub-signature").and_then(|v| v.to_str().ok());
    if !signature_matches(&sub.secret, signature, &body) {
        // Ignored, but acknowledged, as the recommendation asks: a forger
        // learns nothing from the answer.
        tracing::warn!(
            "WebSub: ignored content for source {} without a valid signature",
            sub.source
        );
        return StatusCode::ACCEPTED.into_response();
    }
    let Some(ingestor) = state.ingestor.clone() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    // The hub should not wait for article pages to be fetched.
    tokio::spawn(async move {
        let source = sub.source;
        match ingestor.ingest_pushed(sub, body.to_vec()).await {
            Ok(n) => tracing::info!("WebSub: {n} new items pushed for source {source}"),
            Err(e) => tracing::warn!("WebSub: pushed content for source {source} not stored: {e}"),
        }
    });
    StatusCode::ACCEPTED.into_response()
}
