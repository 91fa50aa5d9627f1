//! Administration: accounts with their roles and scopes, API tokens, and the webhook
//! subscribers of the early warning with their delivery log. Every change goes through
//! `hemi-app` (which checks it and writes the audit entry); forms that are refused show
//! again with the field errors and what was typed.

use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::routing::{get, post};
use axum::Extension;
use hemi_core::roles::groups::ADMINS;
use hemi_core::Role;
use maud::{html, Markup};
use serde::Deserialize;

use crate::access::{Access, ClientIp, CurrentUser, Viewer};
use crate::error::{WebForm, WebResult};
use crate::layout::{field, form_notice, format_time, page, FormState};
use crate::routing::Area;
use crate::AppState;

const MAX_FORM_BYTES: usize = 16 * 1024;

/// Accounts and subscribers.
pub fn router(state: &AppState) -> Area {
    let limit = || axum::extract::DefaultBodyLimit::max(MAX_FORM_BYTES);
    let admins = Access::Roles(ADMINS);
    Area::new(state)
        .page(Method::GET, "/admin/users", admins, get(users))
        .page(
            Method::POST,
            "/admin/users",
            admins,
            post(add_user).layer(limit()),
        )
        .page(
            Method::POST,
            "/admin/users/{name}/disable",
            admins,
            post(disable_user).layer(limit()),
        )
        .page(
            Method::POST,
            "/admin/users/{name}/password",
            admins,
            post(reset_password).layer(limit()),
        )
        .page(
            Method::POST,
            "/admin/users/{name}/role",
            admins,
            post(change_role).layer(limit()),
        )
        .page(
            Method::POST,
            "/admin/users/{name}/tokens",
            admins,
            post(issue_token).layer(limit()),
        )
        .page(Method::GET, "/admin/subscribers", admins, get(subscribers))
        .page(
            Method::POST,
            "/admin/subscribers",
            admins,
            post(add_subscriber).layer(limit()),
        )
        .page(
            Method::POST,
            "/admin/subscribers/{name}/remove",
            admins,
            post(remove_subscriber).layer(limit()),
        )
        .nav("/admin/users", "Accounts", admins, 90)
}

/// The account form's fields (also what was typed, shown again on refusal).
#[derive(Debug, Default, Deserialize)]
pub struct UserForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    password: String,
}

fn role_select(form: &FormState, selected: &str) -> Markup {
    let error = form.error("role");
    html! {
        div.field.invalid[error.is_some()] {
            label for="f-role" { "Role" }
            select id="f-role" name="role" required {
                @for r in Role::ALL {
                    option value=(r.as_str()) selected[r.as_str() == selected] { (r.label()) }
                }
            }
            @if let Some(e) = error { p.field-error { (e) } }
        }
    }
}

async fn users_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    form: &FormState,
    typed: &UserForm,
    message: Option<Markup>,
) -> WebResult {
    let user = viewer.user()?;
    let csrf = user.csrf.clone().unwrap_or_default();
    let users = state.app.users().await?;
    let body = html! {
        h1 { "Accounts" }
        p.lead { "Who may log in, with which role, for which country or office. Disabling an account ends its sessions and revokes its API tokens." }
        @if let Some(m) = message { div.notice.good role="status" { (m) } }
        div.table-wrap {
            table.data {
                thead { tr { th { "Name" } th { "Role" } th { "Country" } th { "Office" } th { "Created" } th { "State" } th { "Actions" } } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.name) }
                            td { (Role::parse(&u.role).map(Role::label).unwrap_or(&u.role)) }
                            td { (u.country.clone().unwrap_or_default()) }
                            td { (u.office.clone().unwrap_or_default()) }
                            td { (format_time(u.created_at)) }
                            td { @if let Some(d) = u.disabled_at { "disabled " (format_time(d)) } @else { "active" } }
                            td.actions {
                                @if u.disabled_at.is_none() {
                                    details {
                                        summary { "Manage" }
                                        form method="post" action=(format!("/admin/users/{}/role", u.name)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            select name="role" aria-label="New role" { @for r in Role::ALL { option value=(r.as_str()) selected[r.as_str() == u.role] { (r.label()) } } }
                                            input type="text" name="country" placeholder="Country (ISO3)" value=(u.country.clone().unwrap_or_default()) aria-label="Country";
                                            input type="text" name="office" placeholder="Office" value=(u.office.clone().unwrap_or_default()) aria-label="Office";
                                            button type="submit" { "Change role" }
                                        }
                                        form method="post" action=(format!("/admin/users/{}/password", u.name)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="password" name="password" placeholder="New password" aria-label="New password" required;
                                            button type="submit" { "Reset password" }
                                        }
                                        form method="post" action=(format!("/admin/users/{}/tokens", u.name)) {
                                            input type="hidden" name="csrf" value=(csrf);
                                            input type="text" name="label" placeholder="Token label" aria-label="Token label" required;
                                            button type="submit" { "Issue API token" }
                                        }
                                        @if u.id != user.id {
                                            form method="post" action=(format!("/admin/users/{}/disable", u.name)) {
                                                input type="hidden" name="csrf" value=(csrf);
                                                button.danger type="submit" { "Disable" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section {
            h2 { "Add an account" }
            p.muted { "National officers need their reporting country; pathways officers, registration officers and caseworkers their office. Passwords follow NIST SP 800-63B: at least 10 characters, not a common one." }
            (form_notice(form, &["name", "role", "country", "office", "password"]))
            form method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(csrf);
                (field(form, "name", "User name", &typed.name, "text", true))
                (role_select(form, &typed.role))
                (field(form, "country", "Country (ISO3, national officers)", &typed.country, "text", false))
                (field(form, "office", "Office (pathways and registry roles)", &typed.office, "text", false))
                (field(form, "password", "Password", "", "password", true))
                button.primary type="submit" { "Add account" }
            }
        }
        p { a href="/admin/subscribers" { "Webhook subscribers and delivery log" } " · " a href="/audit" { "Audit log" } }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/admin/users",
        "Accounts",
        body,
    ))
}

fn admin(viewer: &Viewer, csrf: &str) -> WebResult<CurrentUser> {
    let user = viewer.user()?.clone();
    user.check_csrf(csrf)?;
    Ok(user)
}

fn blank(v: &str) -> Option<&str> {
    Some(v.trim()).filter(|t| !t.is_empty())
}

async fn answer(
    state: &AppState,
    viewer: &Viewer,
    typed: &UserForm,
    outcome: hemi_app::Result<String>,
) -> WebResult {
    match outcome {
        Ok(message) => {
            users_page(
                state,
                viewer,
                StatusCode::OK,
                &FormState::default(),
                &UserForm::default(),
                Some(html! { p { (message) } }),
            )
            .await
        }
        Err(e) if e.is_callers() => {
            let status = match e {
                hemi_app::AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                hemi_app::AppError::Refused(_) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            users_page(
                state,
                viewer,
                status,
                &FormState::from_error(&e),
                typed,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    users_page(
        &state,
        &viewer,
        StatusCode::OK,
        &FormState::default(),
        &UserForm::default(),
        None,
    )
    .await
}

/// `POST /admin/users`.
pub async fn add_user(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(form): WebForm<UserForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    let outcome = match form.role.parse::<Role>() {
        Ok(role) => state
            .app
            .add_user(
                form.name.trim(),
                role,
                blank(&form.country),
                blank(&form.office),
                &form.password,
                &user.actor(&ip.text()),
            )
            .await
            .map(|_| format!("Account {} added.", form.name.trim())),
        Err(why) => Err(hemi_app::AppError::invalid(
            "role",
            why,
            "choose a role from the list",
        )),
    };
    answer(&state, &viewer, &form, outcome).await
}

/// `POST /admin/users/{name}/disable`.
pub async fn disable_user(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(name): Path<String>,
    WebForm(form): WebForm<UserForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    let outcome = if name == user.name {
        Err(hemi_app::AppError::refused(
            "name",
            "you cannot disable your own account",
            "ask another administrator",
        ))
    } else {
        state
            .app
            .disable_user(&name, &user.actor(&ip.text()))
            .await
            .map(|_| format!("Account {name} disabled."))
    };
    answer(&state, &viewer, &UserForm::default(), outcome).await
}

/// `POST /admin/users/{name}/password`.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(name): Path<String>,
    WebForm(form): WebForm<UserForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    let outcome = state
        .app
        .set_password(&name, &form.password, None, &user.actor(&ip.text()))
        .await
        .map(|_| format!("Password of {name} reset; its sessions have ended."));
    answer(&state, &viewer, &UserForm::default(), outcome).await
}

/// `POST /admin/users/{name}/role`.
pub async fn change_role(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(name): Path<String>,
    WebForm(form): WebForm<UserForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    let outcome = match form.role.parse::<Role>() {
        Ok(role) => state
            .app
            .set_user_role(
                &name,
                role,
                blank(&form.country),
                blank(&form.office),
                &user.actor(&ip.text()),
            )
            .await
            .map(|_| format!("{name} is now {}.", role.label())),
        Err(why) => Err(hemi_app::AppError::invalid(
            "role",
            why,
            "choose a role from the list",
        )),
    };
    answer(&state, &viewer, &UserForm::default(), outcome).await
}

/// The token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
}

/// `POST /admin/users/{name}/tokens`: a token for another account (a machine account).
pub async fn issue_token(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(name): Path<String>,
    WebForm(form): WebForm<TokenForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    let outcome = state
        .app
        .issue_api_token(&name, form.label.trim(), &user.actor(&ip.text()))
        .await;
    match outcome {
        Ok(token) => {
            let message = html! { p { "API token for " (name) " (copy it now, it is not shown again): " code.token { (token) } } };
            users_page(
                &state,
                &viewer,
                StatusCode::OK,
                &FormState::default(),
                &UserForm::default(),
                Some(message),
            )
            .await
        }
        Err(e) => answer(&state, &viewer, &UserForm::default(), Err(e)).await,
    }
}

/// The subscriber form.
#[derive(Debug, Default, Deserialize)]
pub struct SubscriberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    url: String,
}

async fn subscribers_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    form: &FormState,
    typed: &SubscriberForm,
    message: Option<&str>,
) -> WebResult {
    let user = viewer.user()?;
    let csrf = user.csrf.clone().unwrap_or_default();
    let subscribers = state.app.store().all_subscribers().await?;
    let attempts = state.app.store().delivery_attempts(100).await?;
    let timeliness = state.app.notification_timeliness().await?;
    let within = state.app.rules().roster.notify_within_hours;
    let on_time = timeliness
        .iter()
        .filter(|t| t.within_time_frame == Some(true))
        .count();
    let body = html! {
        h1 { "Webhook subscribers" }
        p.lead { "Each new alert is sent as JSON (HTTP POST) to every active subscriber, retried with backoff; every attempt is logged below." }
        @if let Some(m) = message { p.notice.good role="status" { (m) } }
        table.data {
            thead { tr { th { "Name" } th { "Webhook URL" } th { "State" } th { "" } } }
            tbody {
                @for s in &subscribers {
                    tr {
                        td { (s.name) } td { code { (s.webhook_url) } } td { (if s.active { "active" } else { "stopped" }) }
                        td { @if s.active {
                            form method="post" action=(format!("/admin/subscribers/{}/remove", s.name)) {
                                input type="hidden" name="csrf" value=(csrf);
                                button.danger type="submit" { "Stop" }
                            }
                        } }
                    }
                }
            }
        }
        section {
            h2 { "Add a subscriber" }
            (form_notice(form, &["name", "url"]))
            form method="post" action="/admin/subscribers" {
                input type="hidden" name="csrf" value=(csrf);
                (field(form, "name", "Name (agency or desk)", &typed.name, "text", true))
                (field(form, "url", "Webhook URL", &typed.url, "url", true))
                button.primary type="submit" { "Add subscriber" }
            }
        }
        section {
            h2 { "Timeliness" }
            p { (on_time) " of " (timeliness.len()) " notifications were delivered within " (within) " hours of the data arriving (the roster's designated time frame)." }
            h2 { "Delivery log" }
            @if attempts.is_empty() { p { "No delivery attempt yet." } } @else {
                table.data {
                    thead { tr { th { "When" } th { "Subscriber" } th { "Alert" } th { "HTTP status" } th { "Error" } } }
                    tbody { @for a in &attempts {
                        tr { td { (a.attempted_at) } td { (a.subscriber) } td { (a.alert_id) } td { (a.http_status.map(|s| s.to_string()).unwrap_or_default()) } td { (a.error.clone().unwrap_or_default()) } }
                    } }
                }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/admin/users",
        "Webhook subscribers",
        body,
    ))
}

/// `GET /admin/subscribers`.
pub async fn subscribers(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    subscribers_page(
        &state,
        &viewer,
        StatusCode::OK,
        &FormState::default(),
        &SubscriberForm::default(),
        None,
    )
    .await
}

/// `POST /admin/subscribers`.
pub async fn add_subscriber(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(form): WebForm<SubscriberForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    match state
        .app
        .subscribe(&form.name, &form.url, &user.actor(&ip.text()))
        .await
    {
        Ok(()) => {
            subscribers_page(
                &state,
                &viewer,
                StatusCode::OK,
                &FormState::default(),
                &SubscriberForm::default(),
                Some("Subscriber added."),
            )
            .await
        }
        Err(e) if e.is_callers() => {
            subscribers_page(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormState::from_error(&e),
                &form,
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/subscribers/{name}/remove`.
pub async fn remove_subscriber(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(name): Path<String>,
    WebForm(form): WebForm<SubscriberForm>,
) -> WebResult {
    let user = admin(&viewer, &form.csrf)?;
    match state.app.unsubscribe(&name, &user.actor(&ip.text())).await {
        Ok(()) => {
            subscribers_page(
                &state,
                &viewer,
                StatusCode::OK,
                &FormState::default(),
                &SubscriberForm::default(),
                Some("Subscriber stopped."),
            )
            .await
        }
        Err(e) if e.is_callers() => {
            subscribers_page(
                &state,
                &viewer,
                StatusCode::NOT_FOUND,
                &FormState::from_error(&e),
                &SubscriberForm::default(),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
