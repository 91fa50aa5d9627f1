//! Server-rendered pages (maud): readable without JavaScript, one stylesheet, charts
//! as inline SVG. Layout, the home page and what several pages share live here.

pub mod explorer;
pub mod governance;
pub mod import;
pub mod indicators;
pub mod login;
pub mod portal;
pub mod watch;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup, DOCTYPE};

use crate::access::{Role, Viewer};
use crate::problem::ApiError;
use crate::routes::{ADMINS, STAFF, UPLOADERS, WATCH_READERS};
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
    humantime::format_rfc3339_seconds(
        std::time::UNIX_EPOCH + Duration::from_secs(unix.max(0) as u64),
    )
    .to_string()
    .replace('T', " ")
    .replace('Z', " UTC")
}

fn role_of(viewer: &Viewer) -> Option<Role> {
    viewer.0.as_ref().map(|u| u.role)
}

/// The page frame: header with navigation, main content, footer.
pub fn layout(viewer: &Viewer, current: &str, title: &str, body: Markup) -> Markup {
    let role = role_of(viewer);
    let nav_item = |href: &str, label: &str| {
        html! { li { a href=(href) aria-current=[(current == href).then_some("page")] { (label) } } }
    };
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
                header.site {
                    div.bar {
                        a.brand href="/" { "Hemisphere" }
                        nav.main aria-label="Main" {
                            ul {
                                (nav_item("/portal", "Public portal"))
                                (nav_item("/indicators", "Burden sharing"))
                                @if role.is_some_and(|r| STAFF.contains(&r)) { (nav_item("/explorer", "Series explorer")) }
                                @if role.is_some_and(|r| UPLOADERS.contains(&r)) { (nav_item("/import", "Import")) }
                                @if role.is_some_and(|r| WATCH_READERS.contains(&r)) { (nav_item("/watch", "Watch board")) }
                                @if role.is_some_and(|r| ADMINS.contains(&r)) { (nav_item("/audit", "Audit log")) }
                                (nav_item("/governance", "L.A. Process"))
                            }
                        }
                        div.who {
                            @match &viewer.0 {
                                Some(user) => {
                                    span { (user.name) " · " (user.role.label()) @if let Some(c) = &user.country { " (" (c) ")" } }
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
    status: StatusCode,
    viewer: &Viewer,
    current: &str,
    title: &str,
    body: Markup,
) -> Response {
    (
        status,
        Html(layout(viewer, current, title, body).into_string()),
    )
        .into_response()
}

/// A 403 page for a logged-in user whose role does not reach a page.
pub fn forbidden_page(viewer: &Viewer, why: &str) -> Response {
    page(
        StatusCode::FORBIDDEN,
        viewer,
        "",
        "Not allowed",
        html! {
            h1 { "Not allowed" }
            p { (why) }
            p { a href="/" { "Back to the home page" } }
        },
    )
}

/// A page-level failure: logged in full, shown generically.
pub fn server_error_page(viewer: &Viewer, error: impl std::fmt::Display) -> Response {
    tracing::error!(error = %error, "page failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        viewer,
        "",
        "Something went wrong",
        html! {
            h1 { "Something went wrong" }
            p { "The error has been logged. Quote the request id (the x-request-id response header) when reporting it." }
        },
    )
}

/// 404: problem details under /api, a page elsewhere.
pub async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return ApiError::NotFound.into_response();
    }
    page(
        StatusCode::NOT_FOUND,
        &Viewer::default(),
        "",
        "Not found",
        html! {
            h1 { "Page not found" }
            p { "There is nothing at " code { (uri.path()) } ". " a href="/" { "Go to the home page" } "." }
        },
    )
}

/// The home page: what is here and where to go.
pub async fn home(Extension(viewer): Extension<Viewer>) -> Response {
    let role = role_of(&viewer);
    page(
        StatusCode::OK,
        &viewer,
        "/",
        "Home",
        html! {
            h1 { "Hemisphere" }
            p.lead { "Migration flows across the Americas, as published by national authorities: transits, irregular entries, encounters and returns by nationality, month by month, with every revision kept." }
            div.card-grid {
                div.card {
                    h2 { a href="/portal" { "Public portal" } }
                    p { "Monthly flows by reporting country and nationality, open to everyone. Small counts are suppressed to protect individuals." }
                }
                div.card {
                    h2 { a href="/indicators" { "Burden sharing" } }
                    p { "Refugees and foreign-born people hosted per 1,000 inhabitants and per USD 1 million of GDP, by country, ranked, with the source of every number. Open to everyone." }
                }
                div.card {
                    h2 { a href="/explorer" { "Series explorer" } }
                    p { "Charts and tables for any reporting country and nationality, at any vintage. For staff: log in first." }
                }
                @if role.is_none() || role.is_some_and(|r| UPLOADERS.contains(&r)) {
                    div.card {
                        h2 { a href="/import" { "Import a table" } }
                        p { "National officers upload their country's CSV; it is checked and previewed before anything is stored." }
                    }
                }
                div.card {
                    h2 { a href="/api/openapi.json" { "JSON API" } }
                    p { "Series, values and totals as JSON or CSV, described by an OpenAPI 3.1 document. Machines use bearer tokens." }
                }
                @if role.is_none() || role.is_some_and(|r| WATCH_READERS.contains(&r)) {
                    div.card {
                        h2 { a href="/watch" { "Watch board" } }
                        p { "Early warning: open events where one nationality surges in several countries, with country roles and the decisions taken. For watch officers and the secretariat." }
                    }
                }
                div.card {
                    h2 { a href="/governance" { "L.A. Process" } }
                    p { "The living declaration: pillars, deliverables, signatories, each state's commitments and their progress, sessions and funding." }
                }
                @if role.is_some_and(|r| WATCH_READERS.contains(&r)) {
                    div.card {
                        h2 { a href="/reports/2023Q3" { "Quarterly report" } }
                        p { "The Task Force's report for a quarter (change the quarter in the address): events, corridors, timeliness, commitments, recommendations." }
                    }
                }
            }
        },
    )
}

/// Recent audit events, for administrators.
pub async fn audit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> Response {
    let events = match state.store.recent_audit(200).await {
        Ok(e) => e,
        Err(e) => return server_error_page(&viewer, e),
    };
    page(
        StatusCode::OK,
        &viewer,
        "/audit",
        "Audit log",
        html! {
            h1 { "Audit log" }
            p.lead { "Logins and account changes, newest first. The log is append-only." }
            div.table-wrap {
                table.data {
                    thead { tr { th { "Time" } th { "Actor" } th { "Action" } th { "Account" } th { "Address" } th { "Detail" } } }
                    tbody {
                        @for e in &events {
                            tr { td { (format_time(e.at)) } td { (e.actor) } td { (e.action) } td { (e.subject) } td { (e.ip) } td { (e.detail) } }
                        }
                    }
                }
            }
        },
    )
}

/// What the explorer and portal offer in their menus, per reporting country.
#[derive(Debug, Default)]
pub struct Choices {
    /// Reporting countries with a nationality breakdown.
    pub reporting: BTreeMap<String, ReportingChoices>,
}

/// Menus for one reporting country.
#[derive(Debug, Default)]
pub struct ReportingChoices {
    /// Measures.
    pub measures: BTreeSet<String>,
    /// Nationalities.
    pub nationalities: BTreeSet<String>,
    /// Highest vintage of its series.
    pub max_vintage: i64,
    /// Years with monthly data.
    pub monthly_years: BTreeSet<String>,
}

/// How long menus are reused before being read again; imports also clear them.
const CHOICES_TTL: Duration = Duration::from_secs(60);

/// Menus, read from the store at most once a minute.
pub async fn choices(state: &AppState) -> Result<Arc<Choices>, hemi_store::StoreError> {
    if let Some((at, cached)) = state.choices.lock().expect("choices lock").as_ref() {
        if at.elapsed() < CHOICES_TTL {
            return Ok(cached.clone());
        }
    }
    let filter = hemi_store::SeriesFilter {
        breakdown: Some("nationality".into()),
        ..Default::default()
    };
    let mut built = Choices::default();
    for s in state.store.list_series(&filter).await? {
        let entry = built.reporting.entry(s.reporting.clone()).or_default();
        entry.measures.insert(s.measure.clone());
        if let Some(n) = s.nationality {
            entry.nationalities.insert(n);
        }
        entry.max_vintage = entry.max_vintage.max(s.vintage);
        // Months run from first to last period; years in between have monthly data too.
        let first_year: i32 = s
            .first_period
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        let last_year: i32 = s
            .last_period
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        if s.last_period.len() == 7 {
            let from = if s.first_period.len() == 7 {
                first_year
            } else {
                first_year + 1
            };
            for y in from..=last_year {
                entry.monthly_years.insert(format!("{y:04}"));
            }
        }
    }
    let built = Arc::new(built);
    *state.choices.lock().expect("choices lock") = Some((Instant::now(), built.clone()));
    Ok(built)
}

/// Forget the menus (after an import).
pub fn forget_choices(state: &AppState) {
    *state.choices.lock().expect("choices lock") = None;
}
