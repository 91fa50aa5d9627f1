//! `/governance`: the L.A. Process in the open: the declaration as it stands (pillars,
//! goals, deliverables, signatories), each commitment's progress, the sessions, funding
//! pledged against disbursed, and `/reports/{quarter}`, the Task Force's quarterly report.
//!
//! Everything here is read through `hemi_store::governance`, the service the
//! `hemi process` commands use, so the page and the CLI show the same records.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use hemi_governance::Quarter;
use maud::html;

use super::{country_name, page, server_error_page};
use crate::access::Viewer;
use crate::chart::{format_count, progress_bar};
use crate::AppState;

/// A progress bar with the share written beside.
fn progress(share: Option<f64>) -> maud::Markup {
    html! {
        (progress_bar(share, 120.0, 10.0))
        " " (share.map_or("–".into(), |s| format!("{:.0}%", s * 100.0)))
    }
}

/// `GET /governance`.
pub async fn show(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Response {
    let store = &state.store;
    let loaded = async {
        Ok::<_, hemi_store::StoreError>((
            store.declaration(None, None).await?,
            store.declaration_versions().await?,
            store.commitments(None).await?,
            store.sessions().await?,
            store.funding_summary().await?,
        ))
    }
    .await;
    let (declaration, versions, commitments, sessions, funding) = match loaded {
        Ok(v) => v,
        Err(e) => return server_error_page(&viewer, e),
    };
    page(
        StatusCode::OK,
        &viewer,
        "/governance",
        "L.A. Process",
        html! {
            h1 { "L.A. Process: the living declaration" }
            p.lead { "The Los Angeles Declaration on Migration and Protection as it stands today, every state's commitments and their progress, the ministerial and emergency sessions that changed it, and the funding behind it." }
            @match &declaration {
                None => p.notice { "The declaration has not been recorded yet: run " code { "hemi process seed" } " (or " code { "hemi demo" } ")." },
                Some((version, d)) => {
                    p { "Version " strong { (version.version) } " in effect since " (version.effective_on) ": " (version.reason)
                        " · " (versions.len()) " versions in all (" code { "hemi process versions" } ", " code { "hemi process diff V1 V2" } ")." }
                    h2 { "Pillars and deliverables" }
                    @for p in &d.pillars {
                        section.pillar {
                            h3 { (p.title) " " span.muted { "(" (p.kind.as_str()) @if let Some(e) = &p.event_id { ", event " (e) } ")" } }
                            @if !p.goals.is_empty() {
                                ul { @for g in &p.goals { li { (g) } } }
                            }
                            @let deliverables: Vec<_> = d.deliverables.iter().filter(|x| x.pillar == p.key).collect();
                            @if !deliverables.is_empty() {
                                div.table-wrap { table.data {
                                    thead { tr { th { "Deliverable" } th { "State" } th { "Status" } } }
                                    tbody { @for x in deliverables { tr { td.wrap { (x.text) } td { (country_name(&x.owner)) } td { (x.status) } } } }
                                } }
                            }
                        }
                    }
                    h2 { "Signatories (" (d.signatories.iter().filter(|s| s.withdrew_on.is_none()).count()) ")" }
                    p { (d.signatories.iter().map(|s| match &s.withdrew_on {
                        None => format!("{} (since {})", s.name, s.joined_on),
                        Some(w) => format!("{} (withdrew {w})", s.name),
                    }).collect::<Vec<_>>().join(" · ")) }
                }
            }
            h2 { "Commitments and progress" }
            @if commitments.is_empty() {
                p.notice { "No commitment recorded." }
            } @else {
                div.table-wrap.full { table.data {
                    thead { tr { th { "Owner" } th { "Commitment" } th { "Pillar" } th.num { "Baseline" } th.num { "Target" } th.num { "Latest" } th { "Progress" } th { "Due" } th { "Status" } } }
                    tbody {
                        @for c in &commitments {
                            tr {
                                td { (country_name(&c.owner)) }
                                td.wrap { (c.title) @if let Some(a) = &c.arrangement { br; span.muted { "alternate arrangement: " (a) } } }
                                td { (c.pillar) }
                                td.num { (format_count(c.baseline_value)) }
                                td.num { (format_count(c.target_value)) " " span.muted { (c.unit) } }
                                td.num { (c.latest_value.map_or("–".into(), format_count)) @if let Some(on) = &c.latest_on { br; span.muted { (on) } } }
                                td { (progress(c.progress_share)) }
                                td { (c.target_date) }
                                td { (c.status) }
                            }
                        }
                    }
                } }
                p.muted { "Progress is the share of the way from the baseline to the target reached by the latest report; " a href="/api/commitments" { "as JSON" } " · " a href="/api/commitments?format=csv" { "as CSV" } "." }
            }
            h2 { "Sessions" }
            @if sessions.is_empty() {
                p { "No session recorded yet (" code { "hemi process sessions open" } ")." }
            } @else {
                div.table-wrap { table.data {
                    thead { tr { th { "Date" } th { "Kind" } th { "Host" } th { "Title" } th.num { "Participants" } } }
                    tbody { @for s in &sessions { tr { td { (s.held_on) } td { (s.kind) } td { (country_name(&s.host)) } td.wrap { (s.title) } td.num { (s.participants.len()) } } } }
                } }
            }
            h2 { "Funding: pledged and disbursed" }
            @if funding.is_empty() {
                p { "No pledge recorded yet (" code { "hemi process funding pledge" } ")." }
            } @else {
                div.table-wrap { table.data {
                    thead { tr { th { "Pillar" } th { "Currency" } th.num { "Pledged" } th.num { "Disbursed" } th { "Disbursed share" } } }
                    tbody { @for f in &funding { tr {
                        td { (f.pillar) } td { (f.currency) }
                        td.num { (format_count(f.pledged.round())) } td.num { (format_count(f.disbursed.round())) }
                        td { (progress((f.pledged > 0.0).then(|| f.disbursed / f.pledged))) }
                    } } }
                } }
                p.muted { "Amounts are summed per currency, never converted." }
            }
        },
    )
}

/// `GET /reports/{quarter}`: the quarterly report, the same document `hemi report
/// quarterly` writes. It carries its own styles (it is also saved as a file), so it is
/// served with a policy that allows inline styles and nothing else.
pub async fn quarterly(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(quarter): Path<String>,
) -> Response {
    let Ok(quarter) = Quarter::parse(&quarter) else {
        return page(
            StatusCode::NOT_FOUND,
            &viewer,
            "/governance",
            "No such report",
            html! { h1 { "No such report" } p { "Reports are named by quarter, e.g. " a href="/reports/2023Q3" { "2023Q3" } "." } },
        );
    };
    let input = match crate::report::gather(&state.store, &state.rules, &quarter).await {
        Ok(i) => i,
        Err(e) => return server_error_page(&viewer, e),
    };
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
            ),
        ],
        crate::report::render(&input).into_string(),
    )
        .into_response()
}
