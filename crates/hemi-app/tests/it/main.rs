//! Application-layer tests, each run on SQLite and on PostgreSQL: the workflows the CLI
//! and the web app share, driven through `hemi_app::App` on real bundled data.

mod accounts;
mod allocation;
mod audit;
mod governance;
mod imports;
mod pathways;
mod registry;

use std::sync::Arc;

use hemi_app::flows::{expand_paths, ImportOptions};
use hemi_app::progress::NoProgress;
use hemi_app::{Actor, App, Config};
use hemi_store::Store;
use hemi_testing::{data, TestDb};

/// An application over a fresh test database with the bundled configuration.
async fn app(db: &TestDb) -> App {
    let store = Store::open(&db.url).await.unwrap();
    App::new(store, Config::bundled().unwrap())
}

/// An operator on the command line, at a fixed time.
fn operator(at: i64) -> Actor {
    Actor::cli("tester", None).at(at)
}

/// Import the bundled monthly flow tables.
async fn import_flows(app: &App) {
    let files = expand_paths(&[data("flows")]).unwrap();
    app.import(
        &files,
        ImportOptions::default(),
        Arc::new(NoProgress),
        &operator(1_700_000_000),
    )
    .await
    .unwrap();
}
