//! The L.A. Process on the web: the public page and commitments API, the quarterly
//! reports, the secretariat's pages, and the response tasks of member states.

pub mod api;
pub mod public;
pub mod reports;
pub mod secretariat;
pub mod tasks;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::{SECRETARIAT, TASK_WORKERS, WATCH_READERS};
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// Largest form of these pages (minutes and notes included).
const MAX_FORM_BYTES: usize = 64 * 1024;

/// The L.A. Process pages and API.
pub fn router(state: &AppState) -> Area {
    let secretariat = Access::Roles(SECRETARIAT);
    let limit = || DefaultBodyLimit::max(MAX_FORM_BYTES);
    Area::new(state)
        .page(
            Method::GET,
            "/governance",
            Access::Public,
            get(public::show),
        )
        .api(Access::Public, routes!(api::list_commitments))
        .page(
            Method::GET,
            "/reports/{quarter}",
            Access::Roles(WATCH_READERS),
            get(reports::quarterly),
        )
        .page(
            Method::GET,
            "/secretariat",
            secretariat,
            get(secretariat::show),
        )
        .page(
            Method::POST,
            "/secretariat/sessions",
            secretariat,
            post(secretariat::open_session).layer(limit()),
        )
        .page(
            Method::GET,
            "/secretariat/sessions/{id}",
            secretariat,
            get(secretariat::session),
        )
        .page(
            Method::POST,
            "/secretariat/sessions/{id}/decisions",
            secretariat,
            post(secretariat::decide).layer(limit()),
        )
        .page(
            Method::POST,
            "/secretariat/sessions/{id}/assessments",
            secretariat,
            post(secretariat::assess).layer(limit()),
        )
        .page(
            Method::POST,
            "/secretariat/commitments",
            secretariat,
            post(secretariat::add_commitment).layer(limit()),
        )
        .page(
            Method::POST,
            "/secretariat/progress",
            secretariat,
            post(secretariat::report_progress).layer(limit()),
        )
        .page(
            Method::POST,
            "/secretariat/funding",
            secretariat,
            post(secretariat::record_funding).layer(limit()),
        )
        .page(
            Method::POST,
            "/secretariat/recommendations",
            secretariat,
            post(secretariat::add_recommendation).layer(limit()),
        )
        .page(
            Method::GET,
            "/tasks",
            Access::Roles(TASK_WORKERS),
            get(tasks::list),
        )
        .page(
            Method::POST,
            "/tasks/{id}",
            Access::Roles(TASK_WORKERS),
            post(tasks::update).layer(limit()),
        )
        .nav("/governance", "L.A. Process", Access::Public, 12)
        .nav("/secretariat", "Secretariat", secretariat, 40)
        .nav("/tasks", "Tasks", Access::Roles(TASK_WORKERS), 41)
}
