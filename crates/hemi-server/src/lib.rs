//! Hemisphere's web app and JSON API: an axum adapter over the application layer
//! (`hemi_app::App`). It knows HTTP and nothing else: every workflow a page or an
//! endpoint runs is a call into `hemi-app`, the same the command line makes.
//!
//! The house reads top-down: [`app`] merges the routers of the areas in [`areas`]
//! (home, accounts, administration, audit, flows, portal, indicators, watch,
//! governance, jobs); each area declares its routes next to their access rules
//! ([`routing::Area`]), its API types, its pages and its OpenAPI operations. Areas use
//! the shared modules below them ([`access`], [`error`], [`layout`], [`format`],
//! [`chart`], [`map`]) and never each other. Tests drive [`app`] with
//! `tower::ServiceExt::oneshot`, without a socket.
#![deny(missing_docs)]

pub mod access;
pub mod areas;
mod assets;
pub mod chart;
pub mod disclosure;
pub mod error;
pub mod format;
pub mod layout;
pub mod map;
pub mod menus;
pub mod report;
pub mod routing;

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Request};
use axum::Router;
use hemi_app::App;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::access::{ClientLimits, CookieNames};
use crate::routing::{NavItem, RouteInfo};

/// Default cells below this count are suppressed on the public portal.
pub const DEFAULT_SUPPRESSION_THRESHOLD: u32 = 5;

/// How the server behaves; set from the command line.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Users reach the app over HTTPS (directly or behind a TLS proxy): cookies are
    /// `Secure` with the `__Host-` prefix, and HSTS is sent.
    pub tls: bool,
    /// Public portal cells below this value are suppressed.
    pub suppression_threshold: u32,
    /// How long a browser session lasts.
    pub session_lifetime: Duration,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            tls: false,
            suppression_threshold: DEFAULT_SUPPRESSION_THRESHOLD,
            session_lifetime: Duration::from_secs(12 * 3600),
        }
    }
}

struct Shared {
    config: ServerConfig,
    nav: OnceLock<Vec<NavItem>>,
    routes: OnceLock<Vec<RouteInfo>>,
    openapi: OnceLock<String>,
    login_key: axum_extra::extract::cookie::Key,
    limits: ClientLimits,
    choices: menus::ChoicesCache,
}

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
    /// The application.
    pub app: App,
    /// Cookie names and attributes.
    pub cookies: Arc<CookieNames>,
}

impl AppState {
    /// State over the application with a configuration. `login_key` (at least 64
    /// bytes) signs the login form's CSRF cookie; it must stay the same across restarts
    /// and nodes of one deployment ([`login_key`] keeps it in the database).
    pub fn new(app: App, config: ServerConfig, login_key: &[u8]) -> AppState {
        let shared = Arc::new(Shared {
            config,
            nav: OnceLock::new(),
            routes: OnceLock::new(),
            openapi: OnceLock::new(),
            login_key: axum_extra::extract::cookie::Key::try_from(login_key)
                .unwrap_or_else(|_| axum_extra::extract::cookie::Key::generate()),
            limits: ClientLimits::default(),
            choices: Default::default(),
        });
        AppState {
            app,
            cookies: Arc::new(CookieNames::new(shared.config.tls)),
            shared,
        }
    }

    /// The server's configuration.
    pub fn config(&self) -> &ServerConfig {
        &self.shared.config
    }

    /// The navigation the areas registered, in order.
    pub fn nav(&self) -> &[NavItem] {
        self.shared.nav.get().map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every route with its access rule (what tests walk).
    pub fn routes(&self) -> &[RouteInfo] {
        self.shared.routes.get().map(Vec::as_slice).unwrap_or(&[])
    }

    /// The OpenAPI document, as JSON.
    pub fn openapi_json(&self) -> &str {
        self.shared
            .openapi
            .get()
            .map(String::as_str)
            .unwrap_or("{}")
    }

    pub(crate) fn limits(&self) -> &ClientLimits {
        &self.shared.limits
    }

    pub(crate) fn login_key(&self) -> &axum_extra::extract::cookie::Key {
        &self.shared.login_key
    }

    pub(crate) fn choices(&self) -> &menus::ChoicesCache {
        &self.shared.choices
    }
}

/// The whole application: every area's routes behind their access rules, the viewer
/// and per-client limits, request ids, tracing, compression and security headers.
pub fn app(state: AppState) -> Router {
    let request_id = HeaderName::from_static("x-request-id");
    let mut router = Router::new();
    let mut routes = Vec::new();
    let mut nav = Vec::new();
    let mut openapi = areas::openapi_base();
    for area in areas::all(&state) {
        routes.extend(area.routes.iter().cloned());
        nav.extend(area.nav.iter().cloned());
        let mut paths = area.paths.clone();
        openapi.paths.paths.append(&mut paths.paths);
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in area.schemas.iter().cloned() {
            components.schemas.insert(name, schema);
        }
        router = router.merge(area.into_router());
    }
    nav.sort_by_key(|n| n.order);
    let _ = state.shared.routes.set(routes);
    let _ = state.shared.nav.set(nav);
    let _ = state
        .shared
        .openapi
        .set(openapi.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let hsts = state.config().tls;
    let router = router
        .fallback(layout::not_found)
        .method_not_allowed_fallback(layout::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access::resolve_viewer,
        ))
        .with_state(state);
    let router = if hsts {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    };
    router
        // Fastest gzip: at the default level deflate took 70% of a watch-board request
        // (its map and tables are about 100 KB); the fastest level still shrinks HTML
        // about fivefold.
        .layer(CompressionLayer::new().gzip(true).quality(tower_http::CompressionLevel::Fastest))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
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
                    // The path only: query strings may carry names typed into search forms.
                    tracing::info_span!("request", id = %id, method = %request.method(), path = %request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// The login-form signing key of this deployment: 64 random bytes made on first start
/// and kept in the database, so every node and every restart signs alike.
pub async fn login_key(app: &App) -> anyhow::Result<Vec<u8>> {
    let hex_key = app
        .store()
        .secret("login_csrf_key", || {
            format!(
                "{}{}",
                hemi_app::accounts::random_token(),
                hemi_app::accounts::random_token()
            )
        })
        .await?;
    Ok(hex::decode(hex_key)?)
}

/// Serve on a listener until `shutdown` completes, then finish the requests in flight.
pub async fn serve(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let address = listener.local_addr()?;
    tracing::info!(%address, "serving");
    // Replay the watched series once now, so the first watch-board request does not pay
    // for it (the replay is cached per data version in hemi_app::watch).
    let warm = state.app.clone();
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        let result = async {
            if let Some(month) = warm.newest_month().await? {
                warm.full_replay(month).await?;
            }
            Ok::<_, hemi_app::AppError>(())
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
    .with_graceful_shutdown(shutdown)
    .await?;
    tracing::info!("stopped");
    Ok(())
}

impl axum::extract::FromRef<AppState> for axum_extra::extract::cookie::Key {
    fn from_ref(state: &AppState) -> Self {
        state.login_key().clone()
    }
}
