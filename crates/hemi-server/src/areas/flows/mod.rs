//! Flow data on the web: the series explorer, the import page and the series API.

pub mod api;
pub mod explorer;
pub mod import;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::{SERIES_READERS, UPLOADERS};
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// The explorer, the import page, the series API.
pub fn router(state: &AppState) -> Area {
    let readers = Access::Roles(SERIES_READERS);
    Area::new(state)
        .page(Method::GET, "/explorer", readers, get(explorer::show))
        .page(
            Method::GET,
            "/import",
            Access::Roles(UPLOADERS),
            get(import::form),
        )
        .page(
            Method::POST,
            "/import",
            Access::Roles(UPLOADERS),
            post(import::preview).layer(DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES)),
        )
        .page(
            Method::POST,
            "/import/commit",
            Access::Roles(UPLOADERS),
            post(import::commit).layer(DefaultBodyLimit::max(8 * 1024)),
        )
        .api(readers, routes!(api::list_series))
        .api(readers, routes!(api::series_values))
        .api(readers, routes!(api::totals))
        .nav("/explorer", "Series explorer", readers, 20)
        .nav("/import", "Import", Access::Roles(UPLOADERS), 21)
}
