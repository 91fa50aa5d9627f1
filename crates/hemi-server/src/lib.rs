//! Hemisphere's web app and JSON API: an axum server over a [`hemi_store::Store`].
//!
//! [`app`] builds the whole router from the route table in [`routes`] (every route
//! declares who may call it there, and nowhere else), so tests drive it with
//! `tower::ServiceExt::oneshot` without a socket; [`serve`] binds it to an address and
//! stops gracefully on Ctrl-C or SIGTERM. This is the only crate that knows HTTP.

pub mod access;
pub mod accounts;
mod api;
mod assets;
mod chart;
pub mod disclosure;
mod governance;
mod indicators;
pub mod map;
mod pages;
mod problem;
pub mod report;
pub mod routes;
mod watch;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use hemi_flows::ProfileSet;
use hemi_store::watch::WatchRules;
use hemi_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

pub use access::Role;
pub use api::ApiDoc;

/// Default cells below this count are suppressed on the public portal.
pub const DEFAULT_SUPPRESSION_THRESHOLD: u32 = 5;

/// How the server behaves; set from the command line.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure` (set when the app is reached over TLS).
    pub secure_cookies: bool,
    /// Public portal cells below this value are suppressed.
    pub suppression_threshold: u32,
    /// How long a browser session lasts.
    pub session_lifetime: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            secure_cookies: false,
            suppression_threshold: DEFAULT_SUPPRESSION_THRESHOLD,
            session_lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

/// Menus for the explorer and portal, with when they were read.
type CachedChoices = (Instant, Arc<pages::Choices>);

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    store: Store,
    profiles: Arc<ProfileSet>,
    rules: Arc<WatchRules>,
    config: Arc<ServerConfig>,
    pending_uploads: Arc<Mutex<HashMap<String, pages::import::PendingUpload>>>,
    choices: Arc<Mutex<Option<CachedChoices>>>,
    /// Response playbooks: confirming an event creates their tasks.
    playbooks: Arc<hemi_governance::PlaybookSet>,
}

impl AppState {
    /// State over a store, the profiles uploads are read with, the early-warning rules
    /// (triggers, routes, roster) the watch pages use, and a configuration.
    pub fn new(
        store: Store,
        profiles: ProfileSet,
        rules: WatchRules,
        config: ServerConfig,
    ) -> AppState {
        AppState {
            store,
            profiles: Arc::new(profiles),
            rules: Arc::new(rules),
            config: Arc::new(config),
            pending_uploads: Arc::default(),
            choices: Arc::default(),
            playbooks: Arc::default(),
        }
    }

    /// The response playbooks confirmations instantiate (none unless given).
    pub fn with_playbooks(mut self, playbooks: hemi_governance::PlaybookSet) -> AppState {
        self.playbooks = Arc::new(playbooks);
        self
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// The whole application: routes, access control, request ids, tracing, compression.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let router = routes::router(state.clone())
        .fallback(pages::not_found)
        .with_state(state);
    router
        // Fastest gzip: at the default level deflate took 70% of a watch-board request
        // (its map and tables are about 100 KB); the fastest level still shrinks HTML
        // about fivefold.
        .layer(
            CompressionLayer::new()
                .gzip(true)
                .quality(tower_http::CompressionLevel::Fastest),
        )
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            // Everything is served from here: no CDN, no inline script.
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &Request<_>| {
                    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
                    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Log to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Serve until Ctrl-C or SIGTERM, then finish the requests in flight.
pub async fn serve(state: AppState, bind: SocketAddr) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving");
    eprintln!("Hemisphere is serving on http://{address}/ (Ctrl-C to stop)");
    // Replay the watched series once now, so the first watch-board request does not pay
    // for it (the replay is cached per data version in hemi_store::watch).
    let warm = state.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let result = async {
            if let Some(month) = hemi_store::watch::newest_month(&warm.store, &warm.rules).await? {
                hemi_store::watch::full_replay(&warm.store, &warm.rules, month).await?;
            }
            Ok::<_, hemi_store::StoreError>(())
        }
        .await;
        match result {
            Ok(()) => tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "early-warning replay ready"
            ),
            Err(e) => tracing::warn!(error = %e, "early-warning replay failed; pages will retry"),
        }
    });
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}

/// Seconds since the Unix epoch.
pub(crate) fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
