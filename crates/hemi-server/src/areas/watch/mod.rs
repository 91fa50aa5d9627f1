//! Early warning on the web: the watch board, event pages with their decisions, and
//! the events API. For watch officers, the secretariat and administrators.

pub mod api;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::{WATCH_DECIDERS, WATCH_READERS};
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// The board, event pages, the status form, the events API.
pub fn router(state: &AppState) -> Area {
    let readers = Access::Roles(WATCH_READERS);
    Area::new(state)
        .page(Method::GET, "/watch", readers, get(pages::board))
        .page(Method::GET, "/events/{id}", readers, get(pages::event))
        .page(
            Method::POST,
            "/events/{id}/status",
            Access::Roles(WATCH_DECIDERS),
            post(pages::set_status).layer(DefaultBodyLimit::max(64 * 1024)),
        )
        .api(readers, routes!(api::list_events))
        .api(readers, routes!(api::event_detail))
        .nav("/watch", "Watch board", readers, 30)
}
