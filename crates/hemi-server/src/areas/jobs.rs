//! Long work in the browser: a job's page shows its progress and refreshes itself
//! (no script: a `refresh` meta tag) until the job ends; `/api/jobs/{id}` gives the same
//! as JSON.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use hemi_core::roles::groups::STAFF;
use hemi_store::JobRow;
use maud::html;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use crate::access::{Access, Viewer};
use crate::error::{ApiPath, Problem, WebResult};
use crate::layout::{format_time, page};
use crate::routing::Area;
use crate::AppState;

/// Jobs' pages and API.
pub fn router(state: &AppState) -> Area {
    Area::new(state)
        .page(Method::GET, "/jobs/{id}", Access::Roles(STAFF), get(show))
        .api(Access::Roles(STAFF), routes!(job_status))
}

/// A job as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobItem {
    /// Id.
    pub id: i64,
    /// Kind of work.
    pub kind: String,
    /// queued | running | succeeded | failed.
    pub state: String,
    /// Units done.
    pub done: i64,
    /// Units in all (0: not known yet).
    pub total: i64,
    /// What it is doing.
    pub message: String,
    /// Result, when it succeeded.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    /// Error, when it failed.
    pub error: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// When it was started (Unix seconds).
    pub created_at: i64,
    /// When it finished (Unix seconds).
    pub finished_at: Option<i64>,
}

fn item(j: JobRow) -> JobItem {
    JobItem {
        id: j.id,
        kind: j.kind,
        state: j.state.as_str().into(),
        done: j.done,
        total: j.total,
        message: j.message,
        result: j.result.and_then(|r| serde_json::from_str(&r).ok()),
        error: j.error,
        created_by: j.created_by,
        created_at: j.created_at,
        finished_at: j.finished_at,
    }
}

/// A job's state and progress.
#[utoipa::path(get, path = "/api/jobs/{id}", params(("id" = i64, Path, description = "Job id")),
    responses(
        (status = 200, description = "The job", body = JobItem),
        (status = 400, description = "Malformed id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such job", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn job_status(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> WebResult<Response> {
    Ok(Json(item(state.app.job(id).await?)).into_response())
}

/// `GET /jobs/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    ApiPath(id): ApiPath<i64>,
) -> WebResult {
    let job = state.app.job(id).await?;
    let running = !job.state.is_finished();
    let share = (job.total > 0).then(|| job.done as f64 / job.total as f64);
    let body = html! {
        @if running { meta http-equiv="refresh" content="1"; }
        h1 { "Job " (job.id) ": " (job.kind.replace('_', " ")) }
        p { "Started by " (job.created_by) " at " (format_time(job.created_at)) "." }
        @match job.state {
            hemi_store::JobState::Succeeded => p.notice.good role="status" { "Done" @if let Some(f) = job.finished_at { " at " (format_time(f)) } "." },
            hemi_store::JobState::Failed => p.notice.bad role="alert" { "Failed: " (job.error.clone().unwrap_or_default()) },
            _ => p role="status" { "Running: " (job.message) },
        }
        @if running || share.is_some() {
            progress max="1" value=(share.unwrap_or(0.0)) aria-label="Progress" { (format!("{:.0}%", share.unwrap_or(0.0) * 100.0)) }
            p.muted { (job.done) @if job.total > 0 { " of " (job.total) } " steps" }
        }
        @if let Some(r) = &job.result {
            h2 { "Result" }
            pre { (serde_json::from_str::<serde_json::Value>(r).map(|v| serde_json::to_string_pretty(&v).unwrap_or_default()).unwrap_or_else(|_| r.clone())) }
        }
        p { a href=(format!("/api/jobs/{}", job.id)) { "As JSON" } }
    };
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "",
        &format!("Job {id}"),
        body,
    ))
}
