//! Logging in and out. The login form is protected against CSRF with a double-submit
//! cookie (no session exists yet); logout uses the session's token.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use maud::html;
use serde::Deserialize;

use super::{page, server_error_page};
use crate::access::{cookie, set_cookie, Viewer, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::accounts::{self, hash_token, random_token, LoginOutcome, MAX_LOGIN_FAILURES};
use crate::{unix_now, AppState};

/// `?next=` on the login page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Only local paths, so a crafted link cannot send a user elsewhere after login.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn login_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    csrf: &str,
    next: &str,
    message: Option<&str>,
    username: &str,
) -> Response {
    let mut response = page(
        status,
        viewer,
        "/login",
        "Log in",
        html! {
            h1 { "Log in" }
            @if let Some(user) = &viewer.0 {
                p.notice { "You are logged in as " strong { (user.name) } ". Log in below to switch account." }
            }
            div.login-box {
                @if let Some(m) = message { p.notice.bad role="alert" { (m) } }
                form method="post" action="/login" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="hidden" name="next" value=(next);
                    label { "User name" input type="text" name="username" value=(username) autocomplete="username" required autofocus; }
                    label { "Password" input type="password" name="password" autocomplete="current-password" required; }
                    button.primary type="submit" { "Log in" }
                }
            }
            p.muted { "The public portal needs no account. Accounts are created by an administrator." }
        },
    );
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(LOGIN_CSRF_COOKIE, csrf, 3600, state.config.secure_cookies)
            .parse()
            .expect("cookie header"),
    );
    response
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    // Reuse the browser's token so two open login tabs both work.
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE)
        .filter(|c| c.len() == 64)
        .unwrap_or_else(random_token);
    login_page(
        &state,
        &viewer,
        StatusCode::OK,
        &csrf,
        &safe_next(q.next.as_deref()),
        None,
        "",
    )
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    headers: HeaderMap,
    request_parts: axum::http::Extensions,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let expected = cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if expected.is_empty()
        || !crate::access::constant_time_eq(expected.as_bytes(), form.csrf.as_bytes())
    {
        let fresh = random_token();
        return login_page(
            &state,
            &viewer,
            StatusCode::FORBIDDEN,
            &fresh,
            &next,
            Some("The form expired or was not sent from this site. Please try again."),
            &form.username,
        );
    }
    let ip = crate::access::client_ip(&request_parts);
    let name = form.username.trim();
    let outcome = match accounts::login(&state.store, name, &form.password, &ip).await {
        Ok(o) => o,
        Err(e) => return server_error_page(&viewer, e),
    };
    let user = match outcome {
        LoginOutcome::Accepted(user) => user,
        LoginOutcome::Rejected => {
            return login_page(
                &state,
                &viewer,
                StatusCode::UNAUTHORIZED,
                &form.csrf,
                &next,
                Some("Wrong user name or password."),
                name,
            )
        }
        LoginOutcome::Throttled => {
            let message = format!(
                "Too many failed attempts ({MAX_LOGIN_FAILURES} in 15 minutes) for this user from your address. Wait 15 minutes and try again."
            );
            return login_page(
                &state,
                &viewer,
                StatusCode::TOO_MANY_REQUESTS,
                &form.csrf,
                &next,
                Some(&message),
                name,
            );
        }
    };
    let token = random_token();
    let now = unix_now();
    let lifetime = state.config.session_lifetime.as_secs() as i64;
    if let Err(e) = state
        .store
        .insert_session(
            &hash_token(&token),
            user.id,
            &random_token(),
            now,
            now + lifetime,
        )
        .await
    {
        return server_error_page(&viewer, e);
    }
    let secure = state.config.secure_cookies;
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, next),
            (
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &token, lifetime, secure),
            ),
        ],
    )
        .into_response()
}

/// Fields of the logout form.
#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<LogoutForm>,
) -> Response {
    let Some(user) = &viewer.0 else {
        return StatusCode::UNAUTHORIZED.into_response();
    };
    if !user.csrf_matches(&form.csrf) {
        return super::forbidden_page(
            &viewer,
            "The form expired or was not sent from this site. Please try again.",
        );
    }
    if let Some(hash) = &user.session_hash {
        if let Err(e) = state.store.delete_session(hash, unix_now()).await {
            return server_error_page(&viewer, e);
        }
    }
    let event = hemi_store::AuditEvent {
        at: unix_now(),
        actor: user.name.clone(),
        action: "logout".into(),
        subject: user.name.clone(),
        ip: String::new(),
        detail: String::new(),
    };
    if let Err(e) = state.store.record_audit(&event).await {
        return server_error_page(&viewer, e);
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/".to_owned()),
            (
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
            ),
        ],
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            super::safe_next(Some("/explorer?reporting=PAN")),
            "/explorer?reporting=PAN"
        );
        assert_eq!(super::safe_next(Some("//evil.example")), "/");
        assert_eq!(super::safe_next(Some("https://evil.example")), "/");
        assert_eq!(super::safe_next(None), "/");
    }
}
