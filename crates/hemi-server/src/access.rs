//! Who is calling and whether they may: the viewer behind a session cookie or a bearer
//! token, the access rule each route declares where it is registered ([`crate::routing`]),
//! CSRF tokens for forms, cookies, and the limits on how much one client may ask at once.
//!
//! [`resolve_viewer`] runs on every request and puts a [`Viewer`] into its extensions;
//! [`guard`] runs on each route with that route's [`Access`] and refuses before the
//! handler runs. Handlers only add the finer rules that depend on data (a national
//! officer's country, a pathways officer's office), which the application layer checks.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use hemi_app::accounts::{hash_token, secrets_match};
use hemi_app::Actor;
use hemi_core::Role;

use crate::error::{ErrorPage, WebError};
use crate::AppState;

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not.
    Public,
    /// A logged-in account with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether a caller (`None` for anonymous) may pass.
    pub fn allows(self, role: Option<Role>) -> bool {
        match self {
            Access::Public => true,
            Access::Roles(roles) => role.is_some_and(|r| roles.contains(&r)),
        }
    }
}

/// A logged-in caller.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Reporting country a national officer is scoped to.
    pub country: Option<String>,
    /// Office a pathways or registry officer is scoped to.
    pub office: Option<String>,
    /// The session's CSRF token; `None` for bearer-token callers, who post no forms.
    pub csrf: Option<String>,
    /// Hash of the session token, to end the session on logout.
    pub session_hash: Option<String>,
}

impl CurrentUser {
    /// The reporting country to read given what was asked: national officers get their
    /// own country when they asked for none, and a refusal when they asked for another.
    pub fn scope_reporting(&self, asked: Option<String>) -> Result<Option<String>, WebError> {
        if self.role != Role::NationalOfficer {
            return Ok(asked);
        }
        let own = self.country.clone().unwrap_or_default();
        match asked {
            None => Ok(Some(own)),
            Some(code) if code.eq_ignore_ascii_case(&own) => Ok(Some(own)),
            Some(code) => Err(WebError::Forbidden(format!(
                "national officers for {own} cannot read detail reported by {code}"
            ))),
        }
    }

    /// Refuse a posted form whose CSRF token is not this session's.
    pub fn check_csrf(&self, posted: &str) -> Result<(), WebError> {
        match &self.csrf {
            Some(expected) if secrets_match(expected, posted) => Ok(()),
            _ => Err(WebError::ExpiredForm),
        }
    }

    /// The actor the application layer records for this user.
    pub fn actor(&self, ip: &str) -> Actor {
        Actor::web(
            self.id,
            &self.name,
            self.role,
            self.country.clone(),
            self.office.clone(),
            ip,
        )
    }
}

/// The caller of a request, put into request extensions by [`resolve_viewer`].
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

impl Viewer {
    /// The logged-in user, or 401.
    pub fn user(&self) -> Result<&CurrentUser, WebError> {
        self.0.as_ref().ok_or(WebError::Unauthorized)
    }

    /// The role, if logged in.
    pub fn role(&self) -> Option<Role> {
        self.0.as_ref().map(|u| u.role)
    }
}

/// The client's address: the socket peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub Option<IpAddr>);

impl ClientIp {
    /// As text, empty when unknown (tests without a socket).
    pub fn text(&self) -> String {
        self.0.map(|ip| ip.to_string()).unwrap_or_default()
    }
}

/// Cookie names. Behind TLS they carry the `__Host-` prefix, which browsers accept only
/// with `Secure`, `Path=/` and no `Domain`: no other site or subdomain can set them.
#[derive(Debug, Clone)]
pub struct CookieNames {
    /// The session cookie.
    pub session: &'static str,
    /// The login form's signed CSRF cookie.
    pub login_csrf: &'static str,
    /// Cookies are `Secure`.
    pub secure: bool,
}

impl CookieNames {
    /// Names for a server reached over TLS or over plain HTTP (development, loopback).
    pub fn new(tls: bool) -> CookieNames {
        if tls {
            CookieNames {
                session: "__Host-hemi_session",
                login_csrf: "__Host-hemi_login_csrf",
                secure: true,
            }
        } else {
            CookieNames {
                session: "hemi_session",
                login_csrf: "hemi_login_csrf",
                secure: false,
            }
        }
    }

    /// A cookie with the attributes every cookie here carries.
    pub fn cookie(
        &self,
        name: &'static str,
        value: String,
        max_age_seconds: i64,
    ) -> Cookie<'static> {
        Cookie::build((name, value))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .max_age(cookie::time::Duration::seconds(max_age_seconds))
            .build()
    }
}

async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<Option<CurrentUser>, WebError> {
    let store = state.app.store();
    let jar = CookieJar::from_headers(headers);
    let now = hemi_app::time::now_unix();
    if let Some(token) = jar.get(state.cookies.session).map(|c| c.value().to_owned()) {
        // A token is 64 hex characters; anything else is not worth a query.
        if token.len() == 64 {
            let hash = hash_token(&token);
            if let Some((user, csrf)) = store.session_user(&hash, now).await? {
                if let Some(role) = Role::parse(&user.role) {
                    return Ok(Some(CurrentUser {
                        id: user.id,
                        name: user.name,
                        role,
                        country: user.country,
                        office: user.office,
                        csrf: Some(csrf),
                        session_hash: Some(hash),
                    }));
                }
            }
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| t.len() == 64);
    if let Some(token) = bearer {
        if let Some(user) = store.api_token_user(&hash_token(token)).await? {
            if let Some(role) = Role::parse(&user.role) {
                return Ok(Some(CurrentUser {
                    id: user.id,
                    name: user.name,
                    role,
                    country: user.country,
                    office: user.office,
                    csrf: None,
                    session_hash: None,
                }));
            }
        }
    }
    Ok(None)
}

/// Resolve the caller (session or bearer token) and the client address, and keep one
/// client from taking more than its share of the server: at most
/// [`MAX_IN_FLIGHT_PER_CLIENT`] requests at once per account (or per address for
/// anonymous callers); more wait up to [`QUEUE_WAIT`], then get 429.
pub async fn resolve_viewer(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let ip = ClientIp(
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
    );
    let viewer = match lookup(&state, request.headers()).await {
        Ok(user) => user,
        Err(e) => return e.into_response(),
    };
    let key = match &viewer {
        Some(user) => ClientKey::User(user.id),
        None => ClientKey::Address(ip.0),
    };
    let permit = match state.limits().acquire(key).await {
        Some(p) => p,
        None => {
            let mut response = WebError::TooManyRequests(
                "too many requests at once from this client; try again in a moment".into(),
            )
            .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return response;
        }
    };
    let authenticated = viewer.is_some();
    request.extensions_mut().insert(ip);
    request.extensions_mut().insert(Viewer(viewer));
    let mut response = next.run(request).await;
    drop(permit);
    if authenticated {
        // Nothing an account sees may sit in a shared or browser cache.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Requests one client may have in flight at once.
pub const MAX_IN_FLIGHT_PER_CLIENT: usize = 16;
/// How long a request over the limit waits for a slot.
pub const QUEUE_WAIT: Duration = Duration::from_secs(2);

/// Whose share a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// A logged-in account (all its sessions and tokens together).
    User(i64),
    /// An anonymous address.
    Address(Option<IpAddr>),
}

/// Per-client semaphores, dropped when idle so the map stays small.
#[derive(Default)]
pub struct ClientLimits {
    slots: Mutex<HashMap<ClientKey, Arc<tokio::sync::Semaphore>>>,
}

impl ClientLimits {
    async fn acquire(&self, key: ClientKey) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let semaphore = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            if slots.len() > 10_000 {
                // Forget idle clients (all permits back).
                slots.retain(|_, s| s.available_permits() < MAX_IN_FLIGHT_PER_CLIENT);
            }
            slots
                .entry(key)
                .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT_PER_CLIENT)))
                .clone()
        };
        tokio::time::timeout(QUEUE_WAIT, semaphore.acquire_owned())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

/// What the guard of a route knows about it.
#[derive(Debug, Clone, Copy)]
pub struct RouteGuard {
    /// Who may call it.
    pub access: Access,
    /// A page (HTML errors, login redirect) rather than an API route.
    pub page: bool,
}

/// Apply a route's access rule, and render errors of page routes as pages.
pub async fn guard(state: AppState, route: RouteGuard, request: Request, next: Next) -> Response {
    let viewer = request
        .extensions()
        .get::<Viewer>()
        .cloned()
        .unwrap_or_default();
    if !route.access.allows(viewer.role()) {
        return match (viewer.0.is_some(), route.page) {
            (false, false) => WebError::Unauthorized.into_response(),
            (true, false) => {
                WebError::Forbidden("your role may not use this endpoint".into()).into_response()
            }
            (false, true) => {
                let target = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next = crate::layout::encode_component(target);
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, format!("/login?next={next}"))],
                )
                    .into_response()
            }
            (true, true) => crate::layout::error_page(
                &state,
                &viewer,
                StatusCode::FORBIDDEN,
                &ErrorPage {
                    title: "Not allowed".into(),
                    detail: "Your role does not give access to this page.".into(),
                    hint: String::new(),
                },
            ),
        };
    }
    let is_head = request.method() == Method::HEAD;
    let response = next.run(request).await;
    if route.page && !is_head {
        if let Some(page) = response.extensions().get::<ErrorPage>().cloned() {
            return crate::layout::error_page(&state, &viewer, response.status(), &page);
        }
    }
    response
}
