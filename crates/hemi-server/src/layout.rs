//! The page frame every HTML page shares (header with the navigation the areas
//! registered, main content, footer), error pages, and small text helpers.

use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup, DOCTYPE};

use crate::access::Viewer;
use crate::error::{ErrorPage, WebError};
use crate::AppState;

/// Percent-encode a query-string component.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A country's name from the bundled reference table, or the code itself.
pub fn country_name(code: &str) -> String {
    hemi_core::CountryCodes::bundled()
        .get(code)
        .map(|c| c.name.clone())
        .unwrap_or_else(|| code.to_owned())
}

/// Readable UTC time from Unix seconds.
pub fn format_time(unix: i64) -> String {
    hemi_app::time::readable(unix)
}

/// The page frame: header with navigation, main content, footer.
pub fn layout(
    state: &AppState,
    viewer: &Viewer,
    current: &str,
    title: &str,
    body: Markup,
) -> Markup {
    let role = viewer.role();
    let nav = state.nav();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Hemisphere" }
                link rel="stylesheet" href=(crate::assets::css_path());
            }
            body {
                a.skip href="#content" { "Skip to content" }
                header.site {
                    div.bar {
                        a.brand href="/" { "Hemisphere" }
                        nav.main aria-label="Main" {
                            ul {
                                @for item in nav.iter().filter(|i| i.shown_to(role)) {
                                    li { a href=(item.href) aria-current=[(current == item.href).then_some("page")] { (item.label) } }
                                }
                            }
                        }
                        div.who {
                            @match &viewer.0 {
                                Some(user) => {
                                    a.account href="/account" {
                                        (user.name) " · " (user.role.label())
                                        @if let Some(c) = &user.country { " (" (c) ")" }
                                        @if let Some(o) = &user.office { " (" (o) ")" }
                                    }
                                    @if let Some(csrf) = &user.csrf {
                                        form method="post" action="/logout" {
                                            input type="hidden" name="csrf" value=(csrf);
                                            button type="submit" { "Log out" }
                                        }
                                    }
                                }
                                None => { a.login href="/login" { "Log in" } }
                            }
                        }
                    }
                }
                main id="content" { (body) }
                footer.site {
                    "Hemisphere · migration-flow data of the Americas from public official statistics. "
                    a href="/api/openapi.json" { "API description (OpenAPI)" }
                }
            }
        }
    }
}

/// Render a page with a status.
pub fn page(
    state: &AppState,
    status: StatusCode,
    viewer: &Viewer,
    current: &str,
    title: &str,
    body: Markup,
) -> Response {
    (
        status,
        Html(layout(state, viewer, current, title, body).into_string()),
    )
        .into_response()
}

/// An error as a page in the layout: what went wrong and what to do.
pub fn error_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    error: &ErrorPage,
) -> Response {
    let title = if status == StatusCode::INTERNAL_SERVER_ERROR {
        "Something went wrong".to_owned()
    } else {
        error.title.clone()
    };
    page(
        state,
        status,
        viewer,
        "",
        &title,
        html! {
            h1 { (title) }
            @if !error.detail.is_empty() { p.notice.bad role="alert" { (error.detail) } }
            @if !error.hint.is_empty() { p { (error.hint) } }
            @if status == StatusCode::UNAUTHORIZED { p { a href="/login" { "Log in" } } }
            p { a href="/" { "Back to the home page" } }
        },
    )
}

/// 404: problem details under /api, a page elsewhere.
pub async fn not_found(
    axum::extract::State(state): axum::extract::State<AppState>,
    viewer: Option<Extension<Viewer>>,
    uri: Uri,
) -> Response {
    if uri.path().starts_with("/api/") {
        return WebError::NotFound(None).into_response();
    }
    let viewer = viewer.map(|Extension(v)| v).unwrap_or_default();
    page(
        &state,
        StatusCode::NOT_FOUND,
        &viewer,
        "",
        "Not found",
        html! {
            h1 { "Page not found" }
            p { "There is nothing at " code { (uri.path()) } ". " a href="/" { "Go to the home page" } "." }
        },
    )
}

/// 405 for a path that exists with another method: problem details, the `Allow`
/// header set by axum.
pub async fn method_not_allowed(method: axum::http::Method) -> Response {
    WebError::MethodNotAllowed(method.to_string(), "the methods in the Allow header".into())
        .into_response()
}

/// Field errors of a form, and what was typed, to show the form again.
#[derive(Debug, Clone, Default)]
pub struct FormState {
    /// (field, message) for each refused field.
    pub errors: Vec<(String, String)>,
    /// A message not about one field.
    pub notice: Option<String>,
}

impl FormState {
    /// The state after an application error: the field it names gets the message.
    pub fn from_error(e: &hemi_app::AppError) -> FormState {
        match e {
            hemi_app::AppError::Invalid(p) | hemi_app::AppError::Refused(p) => FormState {
                errors: p
                    .diagnostics
                    .iter()
                    .map(|d| {
                        let text = if d.hint.is_empty() {
                            d.message.clone()
                        } else {
                            format!("{} — {}", d.message, d.hint)
                        };
                        (d.field.trim_start_matches("--").to_owned(), text)
                    })
                    .collect(),
                notice: None,
            },
            other => FormState {
                errors: Vec::new(),
                notice: Some(other.to_string()),
            },
        }
    }

    /// The error of one field.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// True when nothing was refused.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.notice.is_none()
    }

    /// Errors not shown beside a field of the form (fields it does not have).
    pub fn other_errors<'a>(&'a self, fields: &[&str]) -> Vec<&'a str> {
        self.errors
            .iter()
            .filter(|(f, _)| !fields.contains(&f.as_str()))
            .map(|(_, m)| m.as_str())
            .chain(self.notice.as_deref())
            .collect()
    }
}

/// A labelled text input that shows its error and keeps what was typed.
pub fn field(
    form: &FormState,
    name: &str,
    label: &str,
    value: &str,
    kind: &str,
    required: bool,
) -> Markup {
    let error = form.error(name);
    let id = format!("f-{name}");
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(value) required[required]
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| format!("{id}-error"))];
            @if let Some(e) = error { p.field-error id=(format!("{id}-error")) { (e) } }
        }
    }
}

/// The notice listing problems a form's fields do not show.
pub fn form_notice(form: &FormState, fields: &[&str]) -> Markup {
    let others = form.other_errors(fields);
    html! {
        @if !others.is_empty() {
            div.notice.bad role="alert" { @for m in others { p { (m) } } }
        }
    }
}
