//! Uploading a table: the file is validated with its profile and compared with what
//! is stored, the report is shown, and only a second, explicit POST stores it.
//!
//! Between the two requests the validated table waits in memory, bound to the user who
//! uploaded it, for at most [`PENDING_TTL`]. A restart forgets it: the officer uploads again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use hemi_core::{CountryCodes, Diagnostic};
use hemi_flows::{classify_vintage, parse_table, ParsedTable, Profile, ProfileKind};
use hemi_store::{AuditEvent, ImportItem};
use maud::{html, Markup};
use serde::Deserialize;

use super::{forget_choices, page, server_error_page};
use crate::access::{CurrentUser, Viewer};
use crate::accounts::random_token;
use crate::chart::format_count;
use crate::{unix_now, AppState};

/// How long a previewed upload waits for its commit.
pub const PENDING_TTL: Duration = Duration::from_secs(30 * 60);
/// Most previewed uploads kept at once; the oldest is dropped beyond.
const MAX_PENDING: usize = 16;

/// A validated table waiting for its commit.
pub struct PendingUpload {
    user_id: i64,
    created: Instant,
    profile: Profile,
    table: ParsedTable,
}

fn form_body(user: &CurrentUser) -> Markup {
    html! {
        form method="post" action="/import" enctype="multipart/form-data" {
            input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
            label { "CSV file" input type="file" name="file" accept=".csv,text/csv" required; }
            p { button.primary type="submit" { "Check the file" } }
        }
    }
}

fn scope_text(user: &CurrentUser) -> String {
    match &user.country {
        Some(c) => format!(
            "You can upload tables reported by {} ({c}).",
            super::country_name(c)
        ),
        None => "You can upload tables for any reporting country.".to_owned(),
    }
}

/// `GET /import`.
pub async fn form(Extension(viewer): Extension<Viewer>) -> Response {
    let Some(user) = &viewer.0 else {
        return super::forbidden_page(&viewer, "Log in first.");
    };
    page(
        StatusCode::OK,
        &viewer,
        "/import",
        "Import a table",
        html! {
            h1 { "Import a table" }
            p.lead { "Upload a CSV as your authority publishes it. It is checked against its source profile and compared with the stored figures; nothing is stored until you confirm." }
            p { (scope_text(user)) }
            (form_body(user))
        },
    )
}

fn problems_page(
    viewer: &Viewer,
    user: &CurrentUser,
    file_name: &str,
    problems: &[Diagnostic],
    more: usize,
) -> Response {
    page(
        StatusCode::UNPROCESSABLE_ENTITY,
        viewer,
        "/import",
        "Import: problems found",
        html! {
            h1 { "Import: problems found" }
            div.notice.bad role="alert" {
                p { strong { (file_name) } " was not stored: " (problems.len() + more) " " (if problems.len() + more == 1 { "problem" } else { "problems" }) " to fix." }
            }
            ul.problems { @for d in problems { li { (d.to_string()) } } }
            @if more > 0 { p { "… and " (more) " more." } }
            h2 { "Upload a corrected file" }
            (form_body(user))
        },
    )
}

fn diagnostic(file: &str, line: u64, field: &str, message: String, hint: &str) -> Diagnostic {
    Diagnostic {
        file: file.into(),
        line,
        field: field.into(),
        message,
        hint: hint.into(),
    }
}

/// The file's header row, as `hemi import` reads it (BOM stripped, cells trimmed).
fn header_of(bytes: &[u8]) -> Option<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    if !reader.read_byte_record(&mut record).unwrap_or(false) {
        return None;
    }
    Some(
        record
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let raw = if i == 0 {
                    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                } else {
                    raw
                };
                String::from_utf8_lossy(raw).trim().to_owned()
            })
            .collect(),
    )
}

/// `POST /import`: validate and preview.
pub async fn preview(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    mut multipart: Multipart,
) -> Response {
    let Some(user) = viewer.0.clone() else {
        return super::forbidden_page(&viewer, "Log in first.");
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => {
                        csrf = String::from_utf8_lossy(&bytes).into_owned()
                    }
                    Ok(bytes) if name == "file" => {
                        file = Some((
                            file_name.unwrap_or_else(|| "upload.csv".into()),
                            bytes.to_vec(),
                        ))
                    }
                    Ok(_) => {}
                    Err(e) => return bad_upload(&viewer, &user, &e.body_text()),
                }
            }
            Ok(None) => break,
            Err(e) => return bad_upload(&viewer, &user, &e.body_text()),
        }
    }
    if !user.csrf_matches(&csrf) {
        return super::forbidden_page(
            &viewer,
            "The form expired or was not sent from this site. Please reload the import page.",
        );
    }
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return bad_upload(&viewer, &user, "choose a non-empty CSV file");
    };
    // Keep only the base name: browsers may send a path.
    let file_name = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload.csv")
        .to_owned();
    let fail = |d: Diagnostic| problems_page(&viewer, &user, &file_name, &[d], 0);

    let Some(header) = header_of(&bytes) else {
        return fail(diagnostic(
            &file_name,
            0,
            "file",
            "the file is empty".into(),
            "export the table again with its header and rows",
        ));
    };
    let profile = match state.profiles.detect(&file_name, &header) {
        Ok(p) => p.clone(),
        Err(e) => {
            let text = e.to_string();
            let (message, hint) = text.split_once(" — ").unwrap_or((&text, ""));
            return fail(diagnostic(
                &file_name,
                1,
                "header",
                message.to_owned(),
                hint,
            ));
        }
    };
    if profile.kind != ProfileKind::Observations {
        return fail(diagnostic(
            &file_name,
            0,
            "file",
            format!("is a reference table ({})", profile.name),
            "reference tables are imported by an administrator with `hemi import`",
        ));
    }
    let table = match parse_table(
        &profile,
        &file_name,
        bytes.as_slice(),
        CountryCodes::bundled(),
    ) {
        Ok(t) => t,
        Err(d) => {
            let shown: Vec<Diagnostic> = d.iter().cloned().collect();
            let more = d.total() - shown.len();
            return problems_page(&viewer, &user, &file_name, &shown, more);
        }
    };
    if let Some(own) = &user.country {
        let others: std::collections::BTreeSet<&str> = table
            .series
            .iter()
            .map(|s| s.reporting.as_str())
            .filter(|r| r != own)
            .collect();
        if !others.is_empty() {
            let list = others.into_iter().collect::<Vec<_>>().join(", ");
            return fail(diagnostic(
                &file_name,
                0,
                "reporting",
                format!("the table holds figures reported by {list}"),
                &format!("national officers upload tables of their own country ({own}) only"),
            ));
        }
    }

    let latest = match state.store.latest_batch(&profile.name).await {
        Ok(l) => l,
        Err(e) => return server_error_page(&viewer, e),
    };
    let identical = latest.as_ref().is_some_and(|l| l.sha256 == table.sha256);
    let stored = match state
        .store
        .observations(&hemi_store::SeriesFilter {
            source: Some(profile.name.clone()),
            ..Default::default()
        })
        .await
    {
        Ok(rows) => rows,
        Err(e) => return server_error_page(&viewer, e),
    };
    type Key = (String, String, String, String, String);
    let latest_values: HashMap<Key, f64> = stored
        .into_iter()
        .map(|o| {
            (
                (o.reporting, o.measure, o.breakdown, o.dims, o.period),
                o.value,
            )
        })
        .collect();
    let incoming = table.observations.iter().map(|(&(index, period), &value)| {
        let s = &table.series[index];
        (
            (
                s.reporting.clone(),
                s.measure.clone(),
                s.breakdown.clone(),
                s.dims.clone(),
                period.to_string(),
            ),
            value,
        )
    });
    let diff = classify_vintage(incoming, &latest_values);
    let next_vintage = latest.as_ref().map_or(1, |l| l.vintage + 1);
    let will_change = !identical && !diff.is_empty();

    let upload_id = random_token();
    let rows_read = table.rows_read;
    let combined = table.combined.len();
    let recodes: u64 = table.recodes.iter().map(|r| r.rows).sum();
    if will_change {
        let mut pending = state.pending_uploads.lock().expect("pending lock");
        pending.retain(|_, p| p.created.elapsed() < PENDING_TTL);
        while pending.len() >= MAX_PENDING {
            let oldest = pending
                .iter()
                .min_by_key(|(_, p)| p.created)
                .map(|(k, _)| k.clone())
                .expect("non-empty");
            pending.remove(&oldest);
        }
        pending.insert(
            upload_id.clone(),
            PendingUpload {
                user_id: user.id,
                created: Instant::now(),
                profile: profile.clone(),
                table,
            },
        );
    }
    page(
        StatusCode::OK,
        &viewer,
        "/import",
        "Import: check the report",
        html! {
            h1 { "Import: check the report" }
            div.notice.good { p { strong { (file_name) } " is valid for the profile " code { (profile.name) } " (" (profile.source.publisher) ")." } }
            dl.report {
                dt { "Rows read" } dd { (format_count(rows_read as f64)) }
                dt { "New observations" } dd { (format_count(diff.new.len() as f64)) }
                dt { "Changed (revised) observations" } dd { (format_count(diff.changed.len() as f64)) }
                dt { "Unchanged observations" } dd { (format_count(diff.unchanged as f64)) }
                dt { "Stored but not in this file (kept)" } dd { (format_count(diff.absent as f64)) }
                dt { "Duplicate keys summed" } dd { (combined) }
                dt { "Rows recoded" } dd { (recodes) }
            }
            @if identical {
                p.notice { "This file is identical to the one stored as vintage " (latest.as_ref().map_or(0, |l| l.vintage)) ". Nothing to store." }
            } @else if !will_change {
                p.notice { "Every value is already stored. Nothing to store." }
            } @else {
                @if !diff.changed.is_empty() {
                    h2 { "First revisions" }
                    div.table-wrap {
                        table.data {
                            thead { tr { th { "Series" } th { "Period" } th.num { "Stored" } th.num { "In this file" } } }
                            tbody {
                                @for ((reporting, measure, _, dims, period), old, new) in diff.changed.iter().take(20) {
                                    tr { td { (reporting) " " (measure) " [" (dims) "]" } td { (period) } td.num { (format_count(*old)) } td.num { (format_count(*new)) } }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/import/commit" {
                    input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
                    input type="hidden" name="upload" value=(upload_id);
                    p { "Storing creates vintage " (next_vintage) " of " code { (profile.name) } "; earlier figures stay readable." }
                    p { button.primary type="submit" { "Store as vintage " (next_vintage) } " " a href="/import" { "Cancel" } }
                }
            }
        },
    )
}

fn bad_upload(viewer: &Viewer, user: &CurrentUser, why: &str) -> Response {
    page(
        StatusCode::BAD_REQUEST,
        viewer,
        "/import",
        "Import: upload failed",
        html! {
            h1 { "Import: upload failed" }
            p.notice.bad role="alert" { (why) }
            (form_body(user))
        },
    )
}

/// The commit form's fields.
#[derive(Debug, Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    upload: String,
}

/// `POST /import/commit`: store a previewed upload.
pub async fn commit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Form(form): Form<CommitForm>,
) -> Response {
    let Some(user) = viewer.0.clone() else {
        return super::forbidden_page(&viewer, "Log in first.");
    };
    if !user.csrf_matches(&form.csrf) {
        return super::forbidden_page(
            &viewer,
            "The form expired or was not sent from this site. Please reload the import page.",
        );
    }
    let pending = {
        let mut map = state.pending_uploads.lock().expect("pending lock");
        match map.get(&form.upload) {
            Some(p) if p.user_id == user.id && p.created.elapsed() < PENDING_TTL => {
                map.remove(&form.upload)
            }
            _ => None,
        }
    };
    let Some(pending) = pending else {
        return page(
            StatusCode::NOT_FOUND,
            &viewer,
            "/import",
            "Import: nothing to store",
            html! {
                h1 { "Import: nothing to store" }
                p.notice.bad { "This upload is no longer waiting (it was stored already, expired after 30 minutes, or the server restarted). Upload the file again." }
                (form_body(&user))
            },
        );
    };
    let file_name = pending.table.file_name.clone();
    let source = pending.profile.name.clone();
    let imported_at = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let outcomes = match state
        .store
        .import(
            vec![ImportItem::Observations {
                profile: pending.profile,
                table: pending.table,
            }],
            &imported_at,
            || {},
        )
        .await
    {
        Ok(o) => o,
        Err(e) => return server_error_page(&viewer, e),
    };
    forget_choices(&state);
    let outcome = outcomes.into_iter().next();
    let vintage = outcome.as_ref().and_then(|o| o.vintage);
    let event = AuditEvent {
        at: unix_now(),
        actor: user.name.clone(),
        action: "import".into(),
        subject: user.name.clone(),
        ip: String::new(),
        detail: format!(
            "file={file_name} source={source} vintage={}",
            vintage
                .map(|v| v.to_string())
                .unwrap_or_else(|| "none".into())
        ),
    };
    if let Err(e) = state.store.record_audit(&event).await {
        return server_error_page(&viewer, e);
    }
    page(
        StatusCode::OK,
        &viewer,
        "/import",
        "Import: stored",
        html! {
            h1 { "Import: stored" }
            @if let Some(o) = &outcome {
                div.notice.good role="status" {
                    p { strong { (file_name) } " is stored" @if let Some(v) = o.vintage { " as vintage " (v) } " of " code { (o.source) } "." }
                }
                dl.report {
                    dt { "New observations" } dd { (format_count(o.new as f64)) }
                    dt { "Changed observations" } dd { (format_count(o.changed as f64)) }
                    dt { "Unchanged observations" } dd { (format_count(o.unchanged as f64)) }
                }
            }
            p { a href="/import" { "Import another table" } " · " a href="/explorer" { "Open the series explorer" } }
        },
    )
}
