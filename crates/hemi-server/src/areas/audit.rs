//! The audit log for administrators: paged (newest first, 100 a page, "older" follows
//! the sequence), filtered by action, actor or subject, with the chain's state.

use axum::extract::{Query, State};
use axum::http::{Method, StatusCode};
use axum::routing::get;
use axum::Extension;
use hemi_core::roles::groups::ADMINS;
use hemi_store::AuditFilter;
use maud::html;
use serde::Deserialize;

use crate::access::{Access, Viewer};
use crate::error::WebResult;
use crate::format::text;
use crate::layout::{encode_component, format_time, page};
use crate::routing::Area;
use crate::AppState;

/// Entries per page.
pub const AUDIT_PAGE_SIZE: i64 = 100;

/// The audit log page.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/audit", Access::Roles(ADMINS), get(audit))
        .nav("/audit", "Audit log", Access::Roles(ADMINS), 91)
}

/// Filters and paging of the audit page.
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    actor: Option<String>,
    subject: Option<String>,
    before: Option<i64>,
    verify: Option<String>,
}

/// `GET /audit`.
pub async fn audit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<AuditQuery>,
) -> WebResult {
    let filter = AuditFilter {
        action: text(&q.action),
        actor: text(&q.actor),
        subject: text(&q.subject),
        before_seq: q.before.filter(|b| *b > 0),
        limit: AUDIT_PAGE_SIZE,
    };
    let entries = state.app.audit_log(&filter).await?;
    let check = if q.verify.is_some() {
        Some(state.app.verify_audit_chain(None).await?)
    } else {
        None
    };
    let head = state.app.store().audit_head().await?;
    let older = (entries.len() as i64 == AUDIT_PAGE_SIZE)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let keep = |name: &str, v: &Option<String>| {
        v.as_deref()
            .map(|v| format!("&{name}={}", encode_component(v)))
            .unwrap_or_default()
    };
    let filters = format!(
        "{}{}{}",
        keep("action", &filter.action),
        keep("actor", &filter.actor),
        keep("subject", &filter.subject)
    );
    let body = html! {
        h1 { "Audit log" }
        p.lead { "Every change to accounts, records, commitments and decisions, newest first. Each entry carries the hash of the one before it, so a changed, removed or reordered entry breaks the chain." }
        p { "Head: entry " (head.seq) ", hash " code { (head.hash) } ". Keep it somewhere else (a report, a ticket) to prove later that nothing was rewritten: " code { "hemi audit verify --expect-head HASH" } "." }
        @match &check {
            Some(c) => @match &c.first_broken {
                None => p.notice.good role="status" { "The chain is intact: " (c.entries) " entries checked." },
                Some(b) => p.notice.bad role="alert" { "The chain is broken at entry " (b.seq) ": " (b.reason) },
            },
            None => p { a href="/audit?verify=1" { "Verify the chain" } },
        }
        form.filters method="get" action="/audit" {
            label { "Action" input type="text" name="action" value=(filter.action.clone().unwrap_or_default()) placeholder="e.g. event_status"; }
            label { "Actor" input type="text" name="actor" value=(filter.actor.clone().unwrap_or_default()); }
            label { "Subject" input type="text" name="subject" value=(filter.subject.clone().unwrap_or_default()); }
            button type="submit" { "Filter" }
        }
        div.table-wrap {
            table.data {
                thead { tr { th.num { "#" } th { "Time" } th { "Actor" } th { "Action" } th { "Subject" } th { "Address" } th { "Detail" } } }
                tbody {
                    @for e in &entries {
                        tr { td.num { (e.seq) } td { (format_time(e.event.at)) } td { (e.event.actor) } td { (e.event.action) } td { (e.event.subject) } td { (e.event.ip) } td.wrap { (e.event.detail) } }
                    }
                }
            }
        }
        @if entries.is_empty() { p { "No entry matches." } }
        @if let Some(seq) = older { p { a href=(format!("/audit?before={seq}{filters}")) { "Older entries" } } }
    };
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/audit",
        "Audit log",
        body,
    ))
}
