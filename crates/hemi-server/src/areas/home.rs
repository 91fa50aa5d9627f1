//! The home page, health and readiness checks, static assets and the OpenAPI document.

use axum::extract::State;
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use hemi_core::roles::groups::{SECRETARIAT, SERIES_READERS, UPLOADERS, WATCH_READERS};
use maud::html;
use utoipa_axum::routes;

use crate::access::{Access, Viewer};
use crate::layout::page;
use crate::routing::Area;
use crate::AppState;

/// The home page, health, readiness, assets, OpenAPI.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/", Access::Public, get(home))
        .api(Access::Public, routes!(healthz))
        .api(Access::Public, routes!(readyz))
        .page(
            Method::GET,
            "/static/{file}",
            Access::Public,
            get(crate::assets::serve),
        )
        .page(
            Method::GET,
            "/api/openapi.json",
            Access::Public,
            get(openapi_json),
        )
}

/// The home page: what is here and where to go.
pub async fn home(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Response {
    let role = viewer.role();
    let may = |group: &[hemi_core::Role]| role.is_some_and(|r| group.contains(&r));
    page(
        &state,
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
                    h2 { a href="/governance" { "L.A. Process" } }
                    p { "The living declaration: pillars, deliverables, signatories, each state's commitments and their progress, sessions and funding." }
                }
                @if role.is_none() || may(SERIES_READERS) {
                    div.card {
                        h2 { a href="/explorer" { "Series explorer" } }
                        p { "Charts and tables for any reporting country and nationality, at any vintage. For staff: log in first." }
                    }
                }
                @if role.is_none() || may(UPLOADERS) {
                    div.card {
                        h2 { a href="/import" { "Import a table" } }
                        p { "National officers upload their country's CSV; it is checked and previewed before anything is stored." }
                    }
                }
                @if role.is_none() || may(WATCH_READERS) {
                    div.card {
                        h2 { a href="/watch" { "Watch board" } }
                        p { "Early warning: open events where one nationality surges in several countries, with country roles and the decisions taken. For watch officers and the secretariat." }
                    }
                }
                @if may(SECRETARIAT) {
                    div.card {
                        h2 { a href="/secretariat" { "Secretariat" } }
                        p { "Sessions with their agendas and decisions, commitments with progress and assessments, funding pledges and disbursements, recommendations." }
                    }
                }
                @if may(hemi_core::roles::groups::TASK_WORKERS) {
                    div.card {
                        h2 { a href="/tasks" { "Response tasks" } }
                        p { "Tasks from the response playbooks, assigned to member states and agencies when an event is confirmed, with deadlines and escalation." }
                    }
                }
                @if may(WATCH_READERS) {
                    div.card {
                        h2 { a href="/reports/2023Q3" { "Quarterly report" } }
                        p { "The Task Force's report for a quarter (change the quarter in the address): events, corridors, timeliness, commitments, recommendations." }
                    }
                }
                div.card {
                    h2 { a href="/api/openapi.json" { "JSON API" } }
                    p { "Series, values, totals, indicators, events and commitments as JSON or CSV, described by an OpenAPI 3.1 document. Machines use bearer tokens." }
                }
            }
        },
    )
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", security(()), responses((status = 200, description = "Alive", body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
#[utoipa::path(get, path = "/readyz", security(()), responses(
    (status = 200, description = "Database answers", body = String),
    (status = 503, description = "Database unreachable", body = String)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    // A lookup by unique key on an application table: cheap, and it also proves the
    // migrations ran.
    match state.app.store().user_by_name("").await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// The OpenAPI 3.1 document, made from the operations the areas registered.
pub async fn openapi_json(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json().to_owned(),
    )
        .into_response()
}
