//! `hemi serve`: run the web app and JSON API until Ctrl-C or SIGTERM.

use hemi_flows::ProfileSet;
use hemi_server::{AppState, ServerConfig};
use hemi_store::Store;

use crate::cli::ServeArgs;

pub async fn run(store: Store, profiles: ProfileSet, args: &ServeArgs) -> anyhow::Result<()> {
    hemi_server::init_tracing();
    let config = ServerConfig {
        secure_cookies: args.secure_cookies,
        suppression_threshold: args.suppression_threshold,
        ..ServerConfig::default()
    };
    let result =
        hemi_server::serve(AppState::new(store.clone(), profiles, config), args.bind).await;
    // Flush the SQLite WAL on the way out.
    store.close().await;
    result
}
