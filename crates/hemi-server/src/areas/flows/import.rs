//! Uploading a table: the file is validated with its profile and compared with what is
//! stored, the report is shown, and only a second, explicit POST stores it. Between
//! the two the upload waits in the database (a restart does not lose it), bound to the
//! user who sent it, for 30 minutes; each user has at most three waiting.
//!
//! Storing runs the early warning afterwards as a job, so the page answers at once and
//! links to the job's progress.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Extension;
use hemi_app::flows::UploadPreview;
use maud::{html, Markup};
use serde::Deserialize;

use crate::access::{ClientIp, CurrentUser, Viewer};
use crate::chart::format_count;
use crate::error::{WebError, WebForm, WebResult};
use crate::layout::{country_name, page};
use crate::AppState;

/// Largest upload accepted: the biggest bundled table is about 30 MB.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

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
            country_name(c)
        ),
        None => "You can upload tables for any reporting country.".to_owned(),
    }
}

fn formats(state: &AppState) -> Markup {
    html! {
        details {
            summary { "Formats this node reads" }
            ul { @for p in state.app.config().profiles.all() {
                li { code { (p.name) } " — " (p.source.publisher) ": " (p.source.table) }
            } }
            p.muted { "A table in another format needs a source profile: ask your administrator to add one (a TOML file, no programming), or export the table in one of the formats above." }
        }
    }
}

/// `GET /import`.
pub async fn form(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
) -> WebResult {
    let user = viewer.user()?;
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/import",
        "Import a table",
        html! {
            h1 { "Import a table" }
            p.lead { "Upload a CSV as your authority publishes it. It is checked against its source profile and compared with the stored figures; nothing is stored until you confirm." }
            p { (scope_text(user)) }
            (form_body(user))
            (formats(&state))
        },
    ))
}

fn problems_page(
    state: &AppState,
    viewer: &Viewer,
    user: &CurrentUser,
    file_name: &str,
    e: &hemi_app::AppError,
) -> Response {
    let (lines, more): (Vec<String>, usize) = match e {
        hemi_app::AppError::Invalid(p) => (
            p.diagnostics.iter().map(|d| d.to_string()).collect(),
            p.more,
        ),
        other => (vec![other.to_string()], 0),
    };
    let total = lines.len() + more;
    page(
        state,
        StatusCode::UNPROCESSABLE_ENTITY,
        viewer,
        "/import",
        "Import: problems found",
        html! {
            h1 { "Import: problems found" }
            div.notice.bad role="alert" {
                p { strong { (file_name) } " was not stored: " (total) " " (if total == 1 { "problem" } else { "problems" }) " to fix." }
            }
            ul.problems { @for d in &lines { li { (d) } } }
            @if more > 0 { p { "… and " (more) " more." } }
            h2 { "Upload a corrected file" }
            (form_body(user))
            (formats(state))
        },
    )
}

fn bad_upload(
    state: &AppState,
    viewer: &Viewer,
    user: &CurrentUser,
    status: StatusCode,
    why: &str,
) -> Response {
    page(
        state,
        status,
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

fn preview_page(
    state: &AppState,
    viewer: &Viewer,
    user: &CurrentUser,
    p: &UploadPreview,
) -> Response {
    page(
        state,
        StatusCode::OK,
        viewer,
        "/import",
        "Import: check the report",
        html! {
            h1 { "Import: check the report" }
            div.notice.good { p { strong { (p.file_name) } " is valid for the profile " code { (p.profile) } " (" (p.publisher) ")." } }
            dl.report {
                dt { "Rows read" } dd { (format_count(p.rows_read as f64)) }
                dt { "New observations" } dd { (format_count(p.new as f64)) }
                dt { "Changed (revised) observations" } dd { (format_count(p.changed_count as f64)) }
                dt { "Unchanged observations" } dd { (format_count(p.unchanged as f64)) }
                dt { "Stored but not in this file (kept)" } dd { (format_count(p.absent as f64)) }
                dt { "Duplicate keys summed" } dd { (p.combined) }
                dt { "Rows recoded" } dd { (p.recoded_rows) }
            }
            @if let Some(v) = p.identical_to_vintage {
                p.notice { "This file is identical to the one stored as vintage " (v) ". Nothing to store." }
            } @else if p.upload_id.is_none() {
                p.notice { "Every value is already stored. Nothing to store." }
            } @else {
                @if !p.changed.is_empty() {
                    h2 { "First revisions" }
                    div.table-wrap {
                        table.data {
                            thead { tr { th { "Series" } th { "Period" } th.num { "Stored" } th.num { "In this file" } } }
                            tbody {
                                @for r in &p.changed {
                                    tr { td { (r.series) } td { (r.period) } td.num { (format_count(r.stored)) } td.num { (format_count(r.incoming)) } }
                                }
                            }
                        }
                    }
                }
                form method="post" action="/import/commit" {
                    input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
                    input type="hidden" name="upload" value=(p.upload_id.clone().unwrap_or_default());
                    p { "Storing creates vintage " (p.next_vintage) " of " code { (p.profile) } "; earlier figures stay readable." }
                    p { button.primary type="submit" { "Store as vintage " (p.next_vintage) } " " a href="/import" { "Cancel" } }
                }
            }
        },
    )
}

/// `POST /import`: validate and preview.
pub async fn preview(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> WebResult {
    let user = viewer.user()?.clone();
    let mut multipart = multipart.map_err(|e| WebError::BadRequest(e.body_text()))?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file_name = field.file_name().map(str::to_owned);
                match field.bytes().await {
                    Ok(bytes) if name == "csrf" => {
                        csrf = String::from_utf8_lossy(&bytes).chars().take(128).collect()
                    }
                    Ok(bytes) if name == "file" => {
                        file = Some((
                            file_name.unwrap_or_else(|| "upload.csv".into()),
                            bytes.to_vec(),
                        ))
                    }
                    Ok(_) => {}
                    Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Ok(bad_upload(
                            &state,
                            &viewer,
                            &user,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            &format!(
                                "the file is larger than the {} MB this page accepts",
                                MAX_UPLOAD_BYTES >> 20
                            ),
                        ))
                    }
                    Err(e) => {
                        return Ok(bad_upload(
                            &state,
                            &viewer,
                            &user,
                            StatusCode::BAD_REQUEST,
                            &e.body_text(),
                        ))
                    }
                }
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Ok(bad_upload(
                    &state,
                    &viewer,
                    &user,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!(
                        "the file is larger than the {} MB this page accepts",
                        MAX_UPLOAD_BYTES >> 20
                    ),
                ))
            }
            Err(e) => {
                return Ok(bad_upload(
                    &state,
                    &viewer,
                    &user,
                    StatusCode::BAD_REQUEST,
                    &e.body_text(),
                ))
            }
        }
    }
    user.check_csrf(&csrf)?;
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Ok(bad_upload(
            &state,
            &viewer,
            &user,
            StatusCode::BAD_REQUEST,
            "choose a non-empty CSV file",
        ));
    };
    // Keep only the base name: browsers may send a path.
    let file_name: String = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload.csv")
        .chars()
        .take(200)
        .collect();
    match state
        .app
        .preview_upload(&file_name, bytes, &user.actor(&ip.text()))
        .await
    {
        Ok(p) => Ok(preview_page(&state, &viewer, &user, &p)),
        Err(e) if e.is_callers() => Ok(problems_page(&state, &viewer, &user, &file_name, &e)),
        Err(e) => Err(e.into()),
    }
}

/// The commit form's fields.
#[derive(Debug, Deserialize)]
pub struct CommitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    upload: String,
}

/// `POST /import/commit`: store a previewed upload, then run the early warning as a job.
pub async fn commit(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    WebForm(form): WebForm<CommitForm>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(&form.csrf)?;
    let actor = user.actor(&ip.text());
    let report = match state.app.commit_upload(&form.upload, &actor).await {
        Ok(r) => r,
        Err(e @ hemi_app::AppError::NotFound { .. }) => {
            return Ok(page(
                &state,
                StatusCode::NOT_FOUND,
                &viewer,
                "/import",
                "Import: nothing to store",
                html! {
                    h1 { "Import: nothing to store" }
                    p.notice.bad { (e.to_string()) }
                    (form_body(&user))
                },
            ))
        }
        Err(e) if e.is_callers() => {
            return Ok(problems_page(&state, &viewer, &user, "the upload", &e))
        }
        Err(e) => return Err(e.into()),
    };
    state.choices().forget();
    let job = if report.changed_watched_flow(&state.app) {
        Some(state.app.spawn_warning_job(&actor).await?)
    } else {
        None
    };
    let outcome = report.files.first().map(|l| &l.outcome);
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/import",
        "Import: stored",
        html! {
            h1 { "Import: stored" }
            @if let Some(o) = outcome {
                div.notice.good role="status" {
                    p { strong { (o.file_name) } " is stored" @if let Some(v) = o.vintage { " as vintage " (v) } " of " code { (o.source) } "." }
                }
                dl.report {
                    dt { "New observations" } dd { (format_count(o.new as f64)) }
                    dt { "Changed observations" } dd { (format_count(o.changed as f64)) }
                    dt { "Unchanged observations" } dd { (format_count(o.unchanged as f64)) }
                }
            }
            @if let Some(id) = job {
                p { "The early warning is running on the new data: " a href=(format!("/jobs/{id}")) { "follow its progress" } "." }
            }
            p { a href="/import" { "Import another table" } " · " a href="/explorer" { "Open the series explorer" } }
        },
    ))
}
