//! `hemi serve`: run the web app and JSON API until Ctrl-C or SIGTERM.

use std::path::Path;

use hemi_flows::ProfileSet;
use hemi_server::{AppState, ServerConfig};
use hemi_store::Store;

use crate::cli::ServeArgs;

/// `rules_dir` is `--rules-dir`: the early-warning rules the watch pages use are loaded
/// from it (or the bundled ones) with `crate::watch::load_rules`, before serving.
pub async fn run(
    store: Store,
    profiles: ProfileSet,
    rules_dir: Option<&Path>,
    playbooks_dir: Option<&Path>,
    args: &ServeArgs,
) -> anyhow::Result<()> {
    let rules = crate::watch::load_rules(rules_dir)?;
    let playbooks = crate::governance::playbooks(playbooks_dir)?;
    hemi_server::init_tracing();
    let config = ServerConfig {
        secure_cookies: args.secure_cookies,
        suppression_threshold: args.suppression_threshold,
        ..ServerConfig::default()
    };
    let result = hemi_server::serve(
        AppState::new(store.clone(), profiles, rules, config).with_playbooks(playbooks),
        args.bind,
    )
    .await;
    // Flush the SQLite WAL on the way out.
    store.close().await;
    result
}
