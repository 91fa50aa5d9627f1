//! Legal pathways on the web: the public catalogue (`/pathways`, who can apply where
//! and the places left) and its API, and the pathways officer's pages (the office
//! queue with waiting times, intake, and an application's screening, eligibility with
//! reasons, referral and outcome forms) with the JSON API over the same workflows.

pub mod api;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::PATHWAYS;
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// Largest form of these pages (a household with notes).
const MAX_FORM_BYTES: usize = 32 * 1024;

/// The pathways pages and API.
pub fn router(state: &AppState) -> Area {
    let officers = Access::Roles(PATHWAYS);
    let limit = || DefaultBodyLimit::max(MAX_FORM_BYTES);
    Area::new(state)
        .page(
            Method::GET,
            "/pathways",
            Access::Public,
            get(pages::catalogue),
        )
        .page(Method::GET, "/pathways/queue", officers, get(pages::queue))
        .page(
            Method::POST,
            "/pathways/applications",
            officers,
            post(pages::apply).layer(limit()),
        )
        .page(
            Method::GET,
            "/pathways/applications/{id}",
            officers,
            get(pages::application),
        )
        .page(
            Method::POST,
            "/pathways/applications/{id}/screening",
            officers,
            post(pages::screen).layer(limit()),
        )
        .page(
            Method::POST,
            "/pathways/applications/{id}/referrals",
            officers,
            post(pages::refer).layer(limit()),
        )
        .page(
            Method::POST,
            "/pathways/applications/{id}/outcomes",
            officers,
            post(pages::outcome).layer(limit()),
        )
        .api(Access::Public, routes!(api::list_programs))
        .api(officers, routes!(api::queue))
        .api(officers, routes!(api::application))
        .nav("/pathways", "Pathways", Access::Public, 13)
        .nav("/pathways/queue", "Cases", officers, 50)
}
