//! Allocation on the web (issue 15): the public appointment draws and their
//! verification, the scheduler's week, the placement coordinator's page, and their JSON
//! API. Schedulers open and run draws; placement coordinators solve and override plans.

pub mod api;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::{PLACEMENT, SCHEDULERS};
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// Largest body of these routes (a policy text, an override form).
const MAX_BODY_BYTES: usize = 64 * 1024;

/// The allocation pages and API.
pub fn router(state: &AppState) -> Area {
    let schedulers = Access::Roles(SCHEDULERS);
    let placement = Access::Roles(PLACEMENT);
    let limit = || DefaultBodyLimit::max(MAX_BODY_BYTES);
    Area::new(state)
        .page(Method::GET, "/draws", Access::Public, get(pages::draws))
        .page(Method::GET, "/draws/{id}", Access::Public, get(pages::draw))
        .page(
            Method::GET,
            "/draws/{id}/verification",
            Access::Public,
            get(pages::verification),
        )
        .page(Method::GET, "/schedule", schedulers, get(pages::schedule))
        .page(Method::GET, "/placement", placement, get(pages::placement))
        .page(
            Method::POST,
            "/placement/plans/{id}/override",
            placement,
            post(pages::override_plan).layer(limit()),
        )
        .api(Access::Public, routes!(api::list_draws))
        .api(Access::Public, routes!(api::get_draw))
        .api(Access::Public, routes!(api::verify_draw))
        .api(schedulers, routes!(api::open_draw))
        .api(schedulers, routes!(api::run_draw))
        .api(placement, routes!(api::list_plans))
        .api(placement, routes!(api::solve_instance))
        .api(placement, routes!(api::get_plan))
        .api(placement, routes!(api::explain))
        .api(placement, routes!(api::override_plan))
        .nav("/draws", "Draws", Access::Public, 14)
        .nav("/schedule", "Schedule", schedulers, 44)
        .nav("/placement", "Placement", placement, 45)
}
