//! How an area declares its routes: each route is registered together with its access
//! rule (there is no table to keep in step with the handlers), API routes bring their
//! OpenAPI operation with them (`utoipa_axum`), and pages bring their entry in the
//! navigation. [`crate::app`] merges the areas; tests walk [`RouteInfo`]s as every role.

use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;
use hemi_core::Role;
use utoipa::openapi::path::{HttpMethod, Paths};
use utoipa_axum::router::UtoipaMethodRouter;

use crate::access::{guard, Access, RouteGuard};
use crate::AppState;

/// One route and who may call it.
#[derive(Debug, Clone)]
pub struct RouteInfo {
    /// HTTP method.
    pub method: Method,
    /// Path as axum matches it.
    pub path: String,
    /// Who may call it.
    pub access: Access,
    /// A page (rather than an API endpoint).
    pub page: bool,
}

/// An entry of the site's navigation.
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Link.
    pub href: &'static str,
    /// Text.
    pub label: &'static str,
    /// Who sees it.
    pub access: Access,
    /// Order in the bar (lower first).
    pub order: u8,
}

impl NavItem {
    /// True when `role` (`None` for anonymous) sees the entry.
    pub fn shown_to(&self, role: Option<Role>) -> bool {
        self.access.allows(role)
    }
}

/// The routes, navigation and API paths of one area.
pub struct Area {
    state: AppState,
    router: Router<AppState>,
    pub(crate) routes: Vec<RouteInfo>,
    pub(crate) nav: Vec<NavItem>,
    pub(crate) paths: Paths,
    pub(crate) schemas: Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
}

fn guarded(
    state: &AppState,
    route: RouteGuard,
    handler: MethodRouter<AppState>,
) -> MethodRouter<AppState> {
    let state = state.clone();
    handler.route_layer(axum::middleware::from_fn(move |request, next| {
        guard(state.clone(), route, request, next)
    }))
}

fn method_of(m: &HttpMethod) -> Method {
    match m {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Delete => Method::DELETE,
        HttpMethod::Options => Method::OPTIONS,
        HttpMethod::Head => Method::HEAD,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Trace => Method::TRACE,
    }
}

impl Area {
    /// An empty area.
    pub fn new(state: &AppState) -> Area {
        Area {
            state: state.clone(),
            router: Router::new(),
            routes: Vec::new(),
            nav: Vec::new(),
            paths: Paths::new(),
            schemas: Vec::new(),
        }
    }

    /// A page route: HTML answers, errors rendered as pages, anonymous callers sent to
    /// the login page.
    pub fn page(
        mut self,
        method: Method,
        path: &'static str,
        access: Access,
        handler: MethodRouter<AppState>,
    ) -> Area {
        self.routes.push(RouteInfo {
            method,
            path: path.to_owned(),
            access,
            page: true,
        });
        let route = RouteGuard { access, page: true };
        self.router = self
            .router
            .route(path, guarded(&self.state, route, handler));
        self
    }

    /// An API route with its OpenAPI operation (from `utoipa_axum::routes!`); its path
    /// and method come from the handler's `#[utoipa::path]`.
    pub fn api(mut self, access: Access, route: UtoipaMethodRouter<AppState>) -> Area {
        let (schemas, paths, handler) = route;
        let mut path_text: Option<String> = None;
        for (path, item) in paths.paths.iter() {
            for method in item_methods(item) {
                self.routes.push(RouteInfo {
                    method: method_of(&method),
                    path: path.clone(),
                    access,
                    page: false,
                });
            }
            path_text = Some(path.clone());
        }
        let path = path_text.expect("a utoipa route has a path");
        let route = RouteGuard {
            access,
            page: false,
        };
        self.router = self
            .router
            .route(&path, guarded(&self.state, route, handler));
        // Two routes of an area may share a path with different methods and access
        // (a public GET, a role's POST): their operations are merged, not replaced.
        for (p, mut item) in paths.paths {
            document_extractor_answers(&mut item);
            match self.paths.paths.get_mut(&p) {
                Some(existing) => existing.merge_operations(item),
                None => {
                    self.paths.paths.insert(p, item);
                }
            }
        }
        self.schemas.extend(schemas);
        self
    }

    /// A navigation entry.
    pub fn nav(
        mut self,
        href: &'static str,
        label: &'static str,
        access: Access,
        order: u8,
    ) -> Area {
        self.nav.push(NavItem {
            href,
            label,
            access,
            order,
        });
        self
    }

    pub(crate) fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// The answers the shared extractors give before a handler runs, added to every
/// operation that can meet them so the document states them once for all areas: a
/// query or body that does not parse or is not JSON (400, `ApiQuery` and `ApiJson`), a
/// value that parses but is refused with field problems (422).
fn document_extractor_answers(item: &mut utoipa::openapi::path::PathItem) {
    use utoipa::openapi::path::ParameterIn;
    let operations = [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ];
    for operation in operations.into_iter().flatten() {
        let has_query = operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == ParameterIn::Query);
        let has_body = operation.request_body.is_some();
        let mut add = |code: &str, description: &str| {
            operation
                .responses
                .responses
                .entry(code.to_owned())
                .or_insert_with(|| utoipa::openapi::Response::new(description).into());
        };
        if has_query || has_body {
            add("400", "The query or body does not parse (problem details)");
            add(
                "422",
                "A value is refused, with the field named (problem details)",
            );
        }
    }
}

fn item_methods(item: &utoipa::openapi::path::PathItem) -> Vec<HttpMethod> {
    let mut methods = Vec::new();
    if item.get.is_some() {
        methods.push(HttpMethod::Get);
    }
    if item.post.is_some() {
        methods.push(HttpMethod::Post);
    }
    if item.put.is_some() {
        methods.push(HttpMethod::Put);
    }
    if item.delete.is_some() {
        methods.push(HttpMethod::Delete);
    }
    if item.patch.is_some() {
        methods.push(HttpMethod::Patch);
    }
    methods
}
