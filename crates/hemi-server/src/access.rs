//! Who is calling and whether they may: roles, sessions, bearer tokens, CSRF.
//!
//! The middleware [`enforce`] looks the matched route up in the route table
//! ([`crate::routes`]) and refuses before any handler runs. Handlers only add the
//! finer rule that depends on data: a national officer sees and uploads detail for
//! their own reporting country alone ([`CurrentUser::scope_reporting`]).

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::accounts::hash_token;
use crate::problem::ApiError;
use crate::{unix_now, AppState};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "hemi_session";
/// Name of the cookie that carries the login form's CSRF token before a session exists.
pub const LOGIN_CSRF_COOKIE: &str = "hemi_login_csrf";

/// A staff role. Anonymous visitors ("public") have no role and no account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts; sees and uploads everything.
    Admin,
    /// Regional secretariat: sees all countries' detail.
    Secretariat,
    /// Watches flows for early warning: sees all countries' detail.
    WatchOfficer,
    /// A country's officer: uploads and sees detail for that reporting country only.
    NationalOfficer,
    /// Works on regular pathways: sees all countries' detail.
    PathwaysOfficer,
}

impl Role {
    /// Every role, in the order pages list them.
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Secretariat,
        Role::WatchOfficer,
        Role::NationalOfficer,
        Role::PathwaysOfficer,
    ];

    /// The stored and command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Secretariat => "secretariat",
            Role::WatchOfficer => "watch_officer",
            Role::NationalOfficer => "national_officer",
            Role::PathwaysOfficer => "pathways_officer",
        }
    }

    /// Parse a stored or typed name.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }

    /// A label for pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Secretariat => "Secretariat",
            Role::WatchOfficer => "Watch officer",
            Role::NationalOfficer => "National officer",
            Role::PathwaysOfficer => "Pathways officer",
        }
    }
}

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
    /// The session's CSRF token; `None` for bearer-token callers, who post no forms.
    pub csrf: Option<String>,
    /// Hash of the session token, to end the session on logout.
    pub session_hash: Option<String>,
}

impl CurrentUser {
    /// The reporting country to read given what was asked: national officers get their
    /// own country when they asked for none, and a refusal when they asked for another.
    pub fn scope_reporting(&self, asked: Option<String>) -> Result<Option<String>, String> {
        if self.role != Role::NationalOfficer {
            return Ok(asked);
        }
        let own = self.country.clone().unwrap_or_default();
        match asked {
            None => Ok(Some(own)),
            Some(code) if code == own => Ok(Some(code)),
            Some(code) => Err(format!(
                "national officers for {own} cannot read detail reported by {code}"
            )),
        }
    }

    /// True when a posted CSRF token matches this session's.
    pub fn csrf_matches(&self, posted: &str) -> bool {
        self.csrf
            .as_deref()
            .is_some_and(|expected| constant_time_eq(expected.as_bytes(), posted.as_bytes()))
    }
}

/// The caller of a request, put into request extensions by [`enforce`].
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<CurrentUser>);

/// Compare secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.trim().split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// A `Set-Cookie` value with the attributes every cookie here carries.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_seconds}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The client address used for rate limiting: the socket peer.
pub fn client_ip(request_extensions: &axum::http::Extensions) -> String {
    request_extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_default()
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<CurrentUser>, hemi_store::StoreError> {
    if let Some(token) = cookie(headers, SESSION_COOKIE) {
        let hash = hash_token(&token);
        if let Some((user, csrf)) = state.store.session_user(&hash, unix_now()).await? {
            if let Some(role) = Role::parse(&user.role) {
                return Ok(Some(CurrentUser {
                    id: user.id,
                    name: user.name,
                    role,
                    country: user.country,
                    csrf: Some(csrf),
                    session_hash: Some(hash),
                }));
            }
        }
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        });
    if let Some(token) = bearer {
        if let Some(user) = state
            .store
            .api_token_user(&hash_token(token.trim()))
            .await?
        {
            if let Some(role) = Role::parse(&user.role) {
                return Ok(Some(CurrentUser {
                    id: user.id,
                    name: user.name,
                    role,
                    country: user.country,
                    csrf: None,
                    session_hash: None,
                }));
            }
        }
    }
    Ok(None)
}

fn rules() -> &'static HashMap<(Method, &'static str), Access> {
    static RULES: OnceLock<HashMap<(Method, &'static str), Access>> = OnceLock::new();
    RULES.get_or_init(|| {
        crate::routes::RULES
            .iter()
            .map(|r| ((r.method.clone(), r.path), r.access))
            .collect()
    })
}

/// Resolve the caller and apply the route's access rule. Fails closed: a route
/// missing from the table is refused (and logged), never served.
pub async fn enforce(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    let is_api = path.starts_with("/api/");
    // HEAD is answered by the GET handler, so it follows the GET rule.
    let method = if request.method() == Method::HEAD {
        Method::GET
    } else {
        request.method().clone()
    };
    let Some(&access) = rules().get(&(method.clone(), path.as_str())) else {
        // A path the table knows, with a method it does not list (axum matched the
        // path for another method and would answer 405 itself): say so, with Allow.
        let allowed: Vec<&str> = crate::routes::RULES
            .iter()
            .filter(|r| r.path == path)
            .map(|r| r.method.as_str())
            .collect();
        if !allowed.is_empty() {
            return ApiError::MethodNotAllowed(method.to_string(), allowed.join(", "))
                .into_response();
        }
        tracing::error!(%path, "route has no access rule; refusing");
        return ApiError::Internal(anyhow::anyhow!("route {path} has no access rule"))
            .into_response();
    };
    let viewer = match resolve(&state, request.headers()).await {
        Ok(user) => user,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let role = viewer.as_ref().map(|u| u.role);
    if !access.allows(role) {
        return match (viewer.is_some(), is_api) {
            (false, true) => ApiError::Unauthorized.into_response(),
            (true, true) => {
                ApiError::Forbidden("your role may not use this endpoint".into()).into_response()
            }
            (false, false) => {
                let target = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let next = crate::pages::encode_component(target);
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, format!("/login?next={next}"))],
                )
                    .into_response()
            }
            (true, false) => crate::pages::forbidden_page(
                &Viewer(viewer),
                "Your role does not give access to this page.",
            ),
        };
    }
    request.extensions_mut().insert(Viewer(viewer));
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_officers_are_scoped_to_their_country() {
        let officer = CurrentUser {
            id: 1,
            name: "pa".into(),
            role: Role::NationalOfficer,
            country: Some("PAN".into()),
            csrf: None,
            session_hash: None,
        };
        assert_eq!(officer.scope_reporting(None), Ok(Some("PAN".into())));
        assert_eq!(
            officer.scope_reporting(Some("PAN".into())),
            Ok(Some("PAN".into()))
        );
        assert!(officer.scope_reporting(Some("USA".into())).is_err());
        let secretariat = CurrentUser {
            role: Role::Secretariat,
            country: None,
            ..officer
        };
        assert_eq!(
            secretariat.scope_reporting(Some("USA".into())),
            Ok(Some("USA".into()))
        );
    }

    #[test]
    fn cookies_parse_and_carry_attributes() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; hemi_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        let set = set_cookie(SESSION_COOKIE, "x", 60, true);
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.ends_with("; Secure")
        );
        assert!(!set_cookie(SESSION_COOKIE, "x", 60, false).contains("Secure"));
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("public"), None);
    }
}
