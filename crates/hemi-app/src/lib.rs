//! Hemisphere's application layer: every workflow exists here once, and the command
//! line (`hemi`) and the web app (`hemi-server`) are thin adapters over it, so they can
//! never disagree about what importing a table, confirming an event or building the
//! quarterly report does.
//!
//! A workflow reads rows through `hemi-store`, asks the pure domain crates
//! (`hemi-flows`, `hemi-warning`, `hemi-governance`, `hemi-indicators`, ...) what to
//! decide, and writes the result with its audit entry in one transaction. It knows no
//! HTTP and prints nothing: adapters turn [`AppError`] into exit codes or status codes.
//! CPU-heavy steps (replays, parsing, solvers) run on the blocking pool, long ones as
//! [jobs](App::spawn_job) with [progress](progress::Progress).
//!
//! Areas: [`flows`] (import, series), [`watch`] (replay, events, roles, decisions),
//! [`warning`] and [`notify`] (alerts, outbox, webhooks), [`forecasts`],
//! [`governance`] (the L.A. Process), [`indicators`], [`report`] (the quarterly
//! report), [`accounts`], [`audit`], [`jobs`]. Pathways, allocation, the registry and
//! federation get a module each here.
#![deny(missing_docs)]

pub mod accounts;
pub mod actor;
pub mod allocation;
pub mod audit;
pub mod board;
pub mod check;
pub mod config;
mod error;
pub mod evaluation;
pub mod flows;
pub mod forecasts;
pub mod governance;
pub mod indicators;
pub mod jobs;
pub mod notify;
pub mod pathways;
pub mod progress;
pub mod public;
pub mod registry;
pub mod report;
pub mod series;
pub mod time;
pub mod warning;
pub mod watch;

use std::sync::Arc;

pub use actor::{Actor, Via};
pub use config::{Config, ConfigDirs, WatchRules};
pub use error::{AppError, Problems, Result};
pub use notify::{HttpOutbound, Outbound, PostOutcome};

use hemi_store::Store;

struct Inner {
    store: Store,
    config: Config,
    watch: watch::WatchCache,
    public: public::PublicCache,
    outbound: Arc<dyn Outbound>,
    hashing: tokio::sync::Semaphore,
    registry_keys: std::sync::OnceLock<Arc<registry::RegistryKeys>>,
}

/// The application: a store, the configuration it runs with, and the caches and
/// limits shared by every caller. Cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Inner>);

impl App {
    /// An application over a store with a configuration; webhooks go out over HTTP.
    pub fn new(store: Store, config: Config) -> App {
        App::with_outbound(store, config, Arc::new(HttpOutbound::default()))
    }

    /// The same with another sender for webhooks.
    pub fn with_outbound(store: Store, config: Config, outbound: Arc<dyn Outbound>) -> App {
        App(Arc::new(Inner {
            store,
            config,
            watch: watch::WatchCache::default(),
            public: public::PublicCache::default(),
            outbound,
            hashing: tokio::sync::Semaphore::new(accounts::CONCURRENT_PASSWORD_HASHES),
            registry_keys: std::sync::OnceLock::new(),
        }))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.0.config
    }

    /// The early-warning rules.
    pub fn rules(&self) -> &WatchRules {
        &self.0.config.rules
    }

    pub(crate) fn watch_cache(&self) -> &watch::WatchCache {
        &self.0.watch
    }

    pub(crate) fn public_cache(&self) -> &public::PublicCache {
        &self.0.public
    }

    pub(crate) fn outbound(&self) -> Arc<dyn Outbound> {
        self.0.outbound.clone()
    }

    pub(crate) fn hashing(&self) -> &tokio::sync::Semaphore {
        &self.0.hashing
    }

    pub(crate) fn registry_key_slot(&self) -> &std::sync::OnceLock<Arc<registry::RegistryKeys>> {
        &self.0.registry_keys
    }

    /// Drop cached answers computed from stored data (after an import). Caches keyed by
    /// data version renew themselves; this is for the rest.
    pub fn forget_public_caches(&self) {}
}
