//! The route table: every route, its method, and who may call it, in one place.
//!
//! The router is built from this table ([`router`]) and the access middleware reads
//! it, so a route cannot exist without a rule. Tests walk every row as every role.

use axum::extract::DefaultBodyLimit;
use axum::http::Method;
use axum::routing::{get, post, MethodRouter};
use axum::Router;

use crate::access::{Access, Role};
use crate::{api, assets, pages, AppState};

/// One route and its access rule.
#[derive(Debug, Clone)]
pub struct RouteRule {
    /// HTTP method.
    pub method: Method,
    /// Path as axum matches it.
    pub path: &'static str,
    /// Who may call it.
    pub access: Access,
}

/// Every logged-in role.
pub const STAFF: &[Role] = &[
    Role::Admin,
    Role::Secretariat,
    Role::WatchOfficer,
    Role::NationalOfficer,
    Role::PathwaysOfficer,
];
/// Who may upload tables: national officers (own country only) and administrators.
pub const UPLOADERS: &[Role] = &[Role::Admin, Role::NationalOfficer];
/// Who reads the early-warning pages: roles that see every country's detail and watch
/// flows. National officers are left out: events span other countries' detail, which
/// they may not read; pathways officers do not work on surges.
pub const WATCH_READERS: &[Role] = &[Role::Admin, Role::Secretariat, Role::WatchOfficer];
/// Who decides an event's status (confirm, response, close, dismiss).
pub const WATCH_DECIDERS: &[Role] = &[Role::Admin, Role::WatchOfficer];
/// Administrators only.
pub const ADMINS: &[Role] = &[Role::Admin];

const fn rule(method: Method, path: &'static str, access: Access) -> RouteRule {
    RouteRule {
        method,
        path,
        access,
    }
}

/// The table. Order is documentation order.
pub static RULES: &[RouteRule] = &[
    rule(Method::GET, "/", Access::Public),
    rule(Method::GET, "/healthz", Access::Public),
    rule(Method::GET, "/readyz", Access::Public),
    rule(Method::GET, "/static/{file}", Access::Public),
    rule(Method::GET, "/login", Access::Public),
    rule(Method::POST, "/login", Access::Public),
    rule(Method::POST, "/logout", Access::Roles(STAFF)),
    rule(Method::GET, "/portal", Access::Public),
    rule(Method::GET, "/indicators", Access::Public),
    rule(Method::GET, "/explorer", Access::Roles(STAFF)),
    rule(Method::GET, "/import", Access::Roles(UPLOADERS)),
    rule(Method::POST, "/import", Access::Roles(UPLOADERS)),
    rule(Method::POST, "/import/commit", Access::Roles(UPLOADERS)),
    rule(Method::GET, "/audit", Access::Roles(ADMINS)),
    rule(Method::GET, "/governance", Access::Public),
    rule(
        Method::GET,
        "/reports/{quarter}",
        Access::Roles(WATCH_READERS),
    ),
    rule(Method::GET, "/watch", Access::Roles(WATCH_READERS)),
    rule(Method::GET, "/events/{id}", Access::Roles(WATCH_READERS)),
    rule(
        Method::POST,
        "/events/{id}/status",
        Access::Roles(WATCH_DECIDERS),
    ),
    rule(Method::GET, "/api/openapi.json", Access::Public),
    rule(Method::GET, "/api/series", Access::Roles(STAFF)),
    rule(Method::GET, "/api/series/values", Access::Roles(STAFF)),
    rule(Method::GET, "/api/totals", Access::Roles(STAFF)),
    rule(Method::GET, "/api/indicators", Access::Public),
    rule(Method::GET, "/api/commitments", Access::Public),
    rule(Method::GET, "/api/events", Access::Roles(WATCH_READERS)),
    rule(
        Method::GET,
        "/api/events/{id}",
        Access::Roles(WATCH_READERS),
    ),
];

/// Largest upload accepted: the biggest bundled table is about 30 MB.
const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

fn handler(rule: &RouteRule) -> MethodRouter<AppState> {
    match (rule.method.as_str(), rule.path) {
        ("GET", "/") => get(pages::home),
        ("GET", "/healthz") => get(api::healthz),
        ("GET", "/readyz") => get(api::readyz),
        ("GET", "/static/{file}") => get(assets::serve),
        ("GET", "/login") => get(pages::login::form),
        ("POST", "/login") => post(pages::login::submit),
        ("POST", "/logout") => post(pages::login::logout),
        ("GET", "/portal") => get(pages::portal::show),
        ("GET", "/indicators") => get(pages::indicators::show),
        ("GET", "/explorer") => get(pages::explorer::show),
        ("GET", "/import") => get(pages::import::form),
        ("POST", "/import") => {
            post(pages::import::preview).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        }
        ("POST", "/import/commit") => post(pages::import::commit),
        ("GET", "/audit") => get(pages::audit),
        ("GET", "/governance") => get(pages::governance::show),
        ("GET", "/reports/{quarter}") => get(pages::governance::quarterly),
        ("GET", "/watch") => get(pages::watch::board),
        ("GET", "/events/{id}") => get(pages::watch::event),
        ("POST", "/events/{id}/status") => post(pages::watch::set_status),
        ("GET", "/api/openapi.json") => get(api::openapi_json),
        ("GET", "/api/series") => get(api::list_series),
        ("GET", "/api/series/values") => get(api::series_values),
        ("GET", "/api/totals") => get(api::totals),
        ("GET", "/api/indicators") => get(crate::indicators::list_indicators),
        ("GET", "/api/commitments") => get(crate::governance::list_commitments),
        ("GET", "/api/events") => get(crate::watch::list_events),
        ("GET", "/api/events/{id}") => get(crate::watch::event_detail),
        (method, path) => panic!("route table row {method} {path} has no handler"),
    }
}

/// Routes from the table, each behind the access middleware.
pub fn router(state: AppState) -> Router<AppState> {
    let mut router = Router::new();
    for rule in RULES {
        router = router.route(rule.path, handler(rule));
    }
    // route_layer: the middleware runs only for matched routes, where MatchedPath is known.
    router.route_layer(axum::middleware::from_fn_with_state(
        state,
        crate::access::enforce,
    ))
}
