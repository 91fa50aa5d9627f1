//! The migrant registry on the web: pages for registration officers (search, register,
//! a record with its permits) and caseworkers (the review queue), the JSON API under
//! `/api/registry`, and the public statistics. Role and office scope are checked in
//! `hemi_app::registry`; routes admit the registry roles only.

pub mod api;
pub mod pages;

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post};
use hemi_core::roles::groups::{CASEWORKERS, REGISTRY};
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// Largest form or JSON body of these routes.
const MAX_BODY_BYTES: usize = 16 * 1024;

/// The registry pages and API.
pub fn router(state: &AppState) -> Area {
    let registry = Access::Roles(REGISTRY);
    let caseworkers = Access::Roles(CASEWORKERS);
    let limit = || DefaultBodyLimit::max(MAX_BODY_BYTES);
    Area::new(state)
        .page(Method::GET, "/registry", registry, get(pages::show))
        .page(
            Method::POST,
            "/registry/persons",
            registry,
            post(pages::register).layer(limit()),
        )
        .page(
            Method::GET,
            "/registry/persons/{id}",
            registry,
            get(pages::person),
        )
        .page(
            Method::POST,
            "/registry/persons/{id}/permits",
            registry,
            post(pages::create_permit).layer(limit()),
        )
        .page(
            Method::POST,
            "/registry/permits/{id}/transition",
            registry,
            post(pages::transition).layer(limit()),
        )
        .page(
            Method::GET,
            "/registry/review",
            caseworkers,
            get(pages::review),
        )
        .page(
            Method::POST,
            "/registry/review/{id}",
            caseworkers,
            post(pages::resolve).layer(limit()),
        )
        .api(registry, routes!(api::search, api::register))
        .api(registry, routes!(api::person))
        .api(registry, routes!(api::create_permit))
        .api(registry, routes!(api::transition))
        .api(caseworkers, routes!(api::review))
        .api(caseworkers, routes!(api::resolve))
        .api(Access::Public, routes!(api::statistics))
        .nav("/registry", "Registry", registry, 50)
        .nav("/registry/review", "Review queue", caseworkers, 51)
}
