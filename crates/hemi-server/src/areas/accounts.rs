//! Logging in and out, and a user's own account: changing their password and issuing
//! their own API tokens.
//!
//! The login form has no session yet, so its CSRF token is a double submit whose
//! cookie is signed by the server (`SignedCookieJar`): a value planted by another site
//! or a sibling subdomain fails the signature. Behind TLS the cookie carries the
//! `__Host-` prefix. After logging in, the browser goes only to a path on this site:
//! `next` is parsed as a URL relative to this origin, and anything that would leave it
//! (another host, a scheme, control characters, backslashes) sends it home instead.

use axum::extract::{Query, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Extension;
use axum_extra::extract::cookie::{CookieJar, SignedCookieJar};
use hemi_app::accounts::{hash_token, random_token, LoginOutcome, MAX_LOGIN_ATTEMPTS_PER_ACCOUNT};
use hemi_core::roles::groups::STAFF;
use maud::html;
use serde::Deserialize;

use crate::access::{Access, ClientIp, Viewer};
use crate::error::{WebForm, WebResult};
use crate::layout::{field, form_notice, page, FormState};
use crate::routing::Area;
use crate::AppState;

/// Largest login or account form accepted (user name, password, token, next).
const MAX_FORM_BYTES: usize = 8 * 1024;

/// Login, logout, the account page.
pub fn router(state: &AppState) -> Area {
    let limit = axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES);
    Area::new(state)
        .page(Method::GET, "/login", Access::Public, get(form))
        .page(
            Method::POST,
            "/login",
            Access::Public,
            post(submit).layer(limit),
        )
        .page(
            Method::POST,
            "/logout",
            Access::Roles(STAFF),
            post(logout).layer(limit),
        )
        .page(Method::GET, "/account", Access::Roles(STAFF), get(account))
        .page(
            Method::POST,
            "/account/password",
            Access::Roles(STAFF),
            post(change_password).layer(limit),
        )
        .page(
            Method::POST,
            "/account/tokens",
            Access::Roles(STAFF),
            post(issue_token).layer(limit),
        )
}

/// `?next=` on the login page.
#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// Only a path on this site: parsed as a URL against this origin, it must stay on it,
/// and must hold no control character or backslash (browsers read `/\evil` and
/// `/<tab>/evil` as `//evil`, another host).
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else { return "/".into() };
    if next.is_empty()
        || !next.starts_with('/')
        || next.chars().any(|c| c.is_control() || c == '\\')
        || next.contains("%09")
        || next.contains("%0")
        || next.contains("%5C")
        || next.contains("%5c")
    {
        return "/".into();
    }
    let origin = url::Url::parse("http://hemisphere.invalid/").expect("valid base");
    match origin.join(next) {
        Ok(u) if u.origin() == origin.origin() && !next.starts_with("//") => {
            let mut path = u.path().to_owned();
            if let Some(q) = u.query() {
                path.push('?');
                path.push_str(q);
            }
            path
        }
        _ => "/".into(),
    }
}

fn login_page(
    state: &AppState,
    viewer: &Viewer,
    jar: SignedCookieJar,
    status: StatusCode,
    next: &str,
    message: Option<&str>,
    username: &str,
) -> Response {
    let csrf = random_token();
    let jar = jar.add(
        state
            .cookies
            .cookie(state.cookies.login_csrf, csrf.clone(), 3600),
    );
    let body = html! {
        h1 { "Log in" }
        @if let Some(user) = &viewer.0 {
            p.notice { "You are logged in as " strong { (user.name) } ". Log in below to switch account." }
        }
        div.login-box {
            @if let Some(m) = message { p.notice.bad role="alert" { (m) } }
            form method="post" action="/login" {
                input type="hidden" name="csrf" value=(csrf);
                input type="hidden" name="next" value=(next);
                label { "User name" input type="text" name="username" value=(username) autocomplete="username" maxlength="64" required autofocus; }
                label { "Password" input type="password" name="password" autocomplete="current-password" maxlength="256" required; }
                button.primary type="submit" { "Log in" }
            }
        }
        p.muted { "The public portal needs no account. Accounts are created by an administrator." }
    };
    (jar, page(state, status, viewer, "/login", "Log in", body)).into_response()
}

/// `GET /login`.
pub async fn form(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    jar: SignedCookieJar,
    Query(q): Query<NextQuery>,
) -> Response {
    login_page(
        &state,
        &viewer,
        jar,
        StatusCode::OK,
        &safe_next(q.next.as_deref()),
        None,
        "",
    )
}

/// `POST /login`.
pub async fn submit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    jar: SignedCookieJar,
    WebForm(form): WebForm<LoginForm>,
) -> WebResult {
    let next = safe_next(Some(&form.next));
    let expected = jar
        .get(state.cookies.login_csrf)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let username: String = form.username.trim().chars().take(64).collect();
    if expected.is_empty() || !hemi_app::accounts::secrets_match(&expected, &form.csrf) {
        return Ok(login_page(
            &state,
            &viewer,
            jar,
            StatusCode::FORBIDDEN,
            &next,
            Some("The form expired or was not sent from this site. Please try again."),
            &username,
        ));
    }
    let outcome = state
        .app
        .login(form.username.trim(), &form.password, &ip.text())
        .await?;
    let user = match outcome {
        LoginOutcome::Accepted(user) => user,
        LoginOutcome::Rejected => {
            return Ok(login_page(
                &state,
                &viewer,
                jar,
                StatusCode::UNAUTHORIZED,
                &next,
                Some("Wrong user name or password."),
                &username,
            ))
        }
        LoginOutcome::Throttled => {
            let message = format!(
                "Too many attempts (at most {MAX_LOGIN_ATTEMPTS_PER_ACCOUNT} in 15 minutes) for this account or from your address. Wait 15 minutes and try again."
            );
            return Ok(login_page(
                &state,
                &viewer,
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                &next,
                Some(&message),
                &username,
            ));
        }
    };
    let token = random_token();
    let now = hemi_app::time::now_unix();
    let lifetime = state.config().session_lifetime.as_secs() as i64;
    // A fresh token at every login: a session id planted before login is never used.
    state
        .app
        .store()
        .insert_session(
            &hash_token(&token),
            user.id,
            &random_token(),
            now,
            now + lifetime,
        )
        .await?;
    let jar = jar.remove(
        state
            .cookies
            .cookie(state.cookies.login_csrf, String::new(), 0),
    );
    let session =
        CookieJar::new().add(state.cookies.cookie(state.cookies.session, token, lifetime));
    Ok((
        StatusCode::SEE_OTHER,
        jar,
        session,
        [(header::LOCATION, next)],
    )
        .into_response())
}

/// Fields of forms that only carry the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`.
pub async fn logout(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    WebForm(form): WebForm<CsrfForm>,
) -> WebResult {
    let user = viewer.user()?;
    user.check_csrf(&form.csrf)?;
    if let Some(hash) = &user.session_hash {
        state
            .app
            .store()
            .delete_session(hash, hemi_app::time::now_unix())
            .await?;
    }
    state
        .app
        .store()
        .record_audit(&user.actor("").audit("logout", &user.name, ""))
        .await?;
    let cleared = CookieJar::new().add(state.cookies.cookie(
        state.cookies.session,
        String::new(),
        0,
    ));
    Ok((
        StatusCode::SEE_OTHER,
        cleared,
        [(header::LOCATION, "/".to_owned())],
    )
        .into_response())
}

async fn account_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    form: &FormState,
    message: Option<&str>,
    new_token: Option<&str>,
) -> WebResult {
    let user = viewer.user()?;
    let tokens = state.app.store().api_tokens(user.id).await?;
    let csrf = user.csrf.clone().unwrap_or_default();
    let body = html! {
        h1 { "Your account" }
        dl.report {
            dt { "User name" } dd { (user.name) }
            dt { "Role" } dd { (user.role.label()) }
            @if let Some(c) = &user.country { dt { "Country" } dd { (crate::layout::country_name(c)) " (" (c) ")" } }
            @if let Some(o) = &user.office { dt { "Office" } dd { (o) } }
        }
        @if let Some(m) = message { p.notice.good role="status" { (m) } }
        section {
            h2 { "Change your password" }
            p.muted { "At least 10 characters; a few unrelated words work well. Common or easily guessed passwords are refused. Your other sessions end." }
            (form_notice(form, &["current_password", "new_password"]))
            form method="post" action="/account/password" {
                input type="hidden" name="csrf" value=(csrf);
                (field(form, "current_password", "Current password", "", "password", true))
                (field(form, "new_password", "New password", "", "password", true))
                button.primary type="submit" { "Change password" }
            }
        }
        section {
            h2 { "API tokens" }
            p.muted { "Programs use a token as 'Authorization: Bearer TOKEN'. A token is shown once, when issued; only its hash is kept." }
            @if let Some(t) = new_token {
                div.notice.good role="status" { p { "Your new token (copy it now, it is not shown again):" } p { code.token { (t) } } }
            }
            @if tokens.is_empty() { p { "You have no API token." } } @else {
                table.data {
                    thead { tr { th { "Label" } th { "Issued" } th { "State" } } }
                    tbody { @for (_, label, created, revoked) in &tokens {
                        tr { td { (label) } td { (crate::layout::format_time(*created)) } td { @if let Some(r) = revoked { "revoked " (crate::layout::format_time(*r)) } @else { "active" } } }
                    } }
                }
            }
            form method="post" action="/account/tokens" {
                input type="hidden" name="csrf" value=(csrf);
                (field(form, "label", "What the token is for", "", "text", true))
                button type="submit" { "Issue a token" }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/account",
        "Your account",
        body,
    ))
}

/// `GET /account`.
pub async fn account(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    account_page(
        &state,
        &viewer,
        StatusCode::OK,
        &FormState::default(),
        None,
        None,
    )
    .await
}

/// The password form.
#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(form): WebForm<PasswordForm>,
) -> WebResult {
    let user = viewer.user()?;
    user.check_csrf(&form.csrf)?;
    let actor = user.actor(&ip.text());
    match state
        .app
        .change_own_password(
            user.id,
            &form.current_password,
            &form.new_password,
            user.session_hash.as_deref(),
            &actor,
        )
        .await
    {
        Ok(()) => {
            account_page(
                &state,
                &viewer,
                StatusCode::OK,
                &FormState::default(),
                Some("Your password is changed; your other sessions have ended."),
                None,
            )
            .await
        }
        Err(e) if e.is_callers() => {
            account_page(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormState::from_error(&e),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

/// `POST /account/tokens`: issue a token for oneself.
pub async fn issue_token(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(form): WebForm<TokenForm>,
) -> WebResult {
    let user = viewer.user()?;
    user.check_csrf(&form.csrf)?;
    let label = form.label.trim();
    if label.is_empty() {
        let e = hemi_app::AppError::invalid(
            "label",
            "say what the token is for",
            "e.g. the program or machine using it",
        );
        return account_page(
            &state,
            &viewer,
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormState::from_error(&e),
            None,
            None,
        )
        .await;
    }
    match state
        .app
        .issue_api_token(&user.name, label, &user.actor(&ip.text()))
        .await
    {
        Ok(token) => {
            account_page(
                &state,
                &viewer,
                StatusCode::OK,
                &FormState::default(),
                None,
                Some(&token),
            )
            .await
        }
        Err(e) if e.is_callers() => {
            account_page(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormState::from_error(&e),
                None,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/explorer?reporting=PAN")),
            "/explorer?reporting=PAN"
        );
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\t/evil.example",
            "/%09/evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "\\\\evil.example",
            "/\n/evil",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_next(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/a/../watch")), "/watch");
    }
}
