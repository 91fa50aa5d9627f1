//! The areas of the web app, each one module with its `router`: routes declared with
//! their access rules, API types, pages and OpenAPI operations. Areas use the shared
//! modules of the crate (`access`, `error`, `layout`, `format`, `chart`, `map`), never
//! each other; what two areas both need lives in one of those or in `hemi-app`.

pub mod accounts;
pub mod admin;
pub mod allocation;
pub mod audit;
pub mod flows;
pub mod governance;
pub mod home;
pub mod indicators;
pub mod jobs;
pub mod pathways;
pub mod portal;
pub mod registry;
pub mod watch;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi;

use crate::routing::Area;
use crate::AppState;

/// Every area, in the order their routes are merged.
pub fn all(state: &AppState) -> Vec<Area> {
    vec![
        home::router(state),
        accounts::router(state),
        admin::router(state),
        audit::router(state),
        flows::router(state),
        portal::router(state),
        indicators::router(state),
        watch::router(state),
        governance::router(state),
        pathways::router(state),
        allocation::router(state),
        jobs::router(state),
        registry::router(state),
    ]
}

/// The OpenAPI document before the areas add their paths: title, description,
/// security schemes, the problem schema.
pub fn openapi_base() -> OpenApi {
    let mut doc = utoipa::openapi::OpenApiBuilder::new()
        .info(
            utoipa::openapi::InfoBuilder::new()
                .title("Hemisphere API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Migration-flow series of the Americas: series, values per period, totals, burden-sharing \
                     indicators, early-warning events, commitments, jobs. Authenticate with a session cookie \
                     (browser) or `Authorization: Bearer TOKEN` (issued with `hemi users token` or on the \
                     account page). Errors are RFC 9457 problem details.",
                ))
                .build(),
        )
        .build();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    components.add_security_scheme(
        "session",
        SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new("hemi_session"))),
    );
    use utoipa::PartialSchema;
    components
        .schemas
        .insert("Problem".into(), crate::error::Problem::schema());
    doc.security = Some(vec![
        utoipa::openapi::security::SecurityRequirement::new("bearer", Vec::<String>::new()),
        utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
    ]);
    doc
}
