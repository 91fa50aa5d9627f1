//! Burden sharing, public: the `/indicators` page and `/api/indicators`.

pub mod api;
pub mod page;

use axum::http::Method;
use axum::routing::get;
use utoipa_axum::routes;

use crate::access::Access;
use crate::routing::Area;
use crate::AppState;

/// The indicators page and API.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/indicators", Access::Public, get(page::show))
        .api(Access::Public, routes!(api::list_indicators))
        .nav("/indicators", "Burden sharing", Access::Public, 11)
}
