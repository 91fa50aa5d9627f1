//! `/governance`: the L.A. Process in the open: the declaration as it stands (pillars,
//! goals, deliverables, signatories), each commitment's progress, the sessions, and
//! funding pledged against disbursed.
//!
//! Everything here is read through `hemi_app::governance`, the workflows the
//! `hemi process` commands use, so the page and the CLI show the same records.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Extension;
use maud::html;

use crate::access::Viewer;
use crate::chart::{format_count, progress_bar};
use crate::error::WebResult;
use crate::layout::{country_name, page};
use crate::AppState;

/// A progress bar with the share written beside.
fn progress(share: Option<f64>) -> maud::Markup {
    html! {
        (progress_bar(share, 120.0, 10.0))
        " " (share.map_or("–".into(), |s| format!("{:.0}%", s * 100.0)))
    }
}

/// `GET /governance`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    let store = state.app.store();
    let declaration = store.declaration(None, None).await?;
    let versions = store.declaration_versions().await?;
    let commitments = state.app.commitments(None).await?;
    let sessions = store.sessions().await?;
    let funding = store.funding_summary().await?;
    Ok(page(
        &state,
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
                p { "No session recorded yet." }
            } @else {
                div.table-wrap { table.data {
                    thead { tr { th { "Date" } th { "Kind" } th { "Host" } th { "Title" } th.num { "Participants" } } }
                    tbody { @for s in &sessions { tr { td { (s.held_on) } td { (s.kind) } td { (country_name(&s.host)) } td.wrap { (s.title) } td.num { (s.participants.len()) } } } }
                } }
            }
            h2 { "Funding: pledged and disbursed" }
            @if funding.is_empty() {
                p { "No pledge recorded yet." }
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
    ))
}
