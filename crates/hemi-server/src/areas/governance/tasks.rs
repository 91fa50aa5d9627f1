//! Response tasks for the people who do them: every task the playbooks created when an
//! event was confirmed, with its deadline, status and escalation; national officers see
//! and update the tasks assigned to their country, the secretariat and watch officers
//! all of them. A task is done only with evidence; overdue tasks say whom they escalate to.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use hemi_governance::{TaskStatus, TaskUpdate};
use maud::html;

use crate::access::{ClientIp, Viewer};
use crate::error::{ApiPath, WebForm, WebResult};
use crate::layout::{encode_component, format_time, page, FormState};
use crate::AppState;

async fn tasks_page(
    state: &AppState,
    viewer: &Viewer,
    status: StatusCode,
    ip: &str,
    form: Option<(i64, FormState)>,
    message: Option<String>,
) -> WebResult {
    let user = viewer.user()?;
    let actor = user.actor(ip);
    let now = hemi_app::time::now_unix();
    let tasks = state.app.tasks(None, &actor).await?;
    let overdue = state.app.escalations(now).await?;
    let csrf = user.csrf.clone().unwrap_or_default();
    let scope = match (&user.country, user.role) {
        (Some(c), hemi_core::Role::NationalOfficer) => {
            format!("Tasks assigned to {}", crate::layout::country_name(c))
        }
        _ => "Every response task".to_owned(),
    };
    let body = html! {
        h1 { "Response tasks" }
        p.lead { (scope) ", from the playbooks of confirmed events. Overdue tasks escalate to the body named; a task is done only with evidence." }
        @if let Some(m) = &message { p.notice.good role="status" { (m) } }
        @if tasks.is_empty() { p.notice { "No task yet: tasks are created when a watch officer confirms an event." } }
        @for t in &tasks {
            @let late = overdue.iter().find(|e| e.task_id == t.id);
            @let errors = form.as_ref().filter(|(id, _)| *id == t.id).map(|(_, f)| f.clone()).unwrap_or_default();
            section.task.overdue[late.is_some()] id=(format!("task-{}", t.id)) {
                h2 { "Task " (t.id) ": " (t.what) }
                p {
                    "Event " a href=(format!("/events/{}", encode_component(&t.event_id))) { (t.event_id) } " · assigned to " strong { (t.assignee) }
                    " · due " (format_time(t.due_at)) " · status " strong { (t.status.replace('_', " ")) }
                }
                @if let Some(e) = late { p.notice.bad { "Overdue by " (e.overdue_hours) " hours: escalates to " strong { (e.escalate_to) } "." } }
                @if !t.evidence.is_empty() { p { "Evidence: " (t.evidence) } }
                @if !errors.is_ok() { div.notice.bad role="alert" { @for (_, m) in &errors.errors { p { (m) } } @if let Some(n) = &errors.notice { p { (n) } } } }
                @if t.status != "done" && t.status != "cancelled" {
                    form.inline method="post" action=(format!("/tasks/{}", t.id)) {
                        input type="hidden" name="csrf" value=(csrf);
                        label { "Status"
                            select name="status" {
                                @for s in ["open", "in_progress", "done", "cancelled"] { option value=(s) selected[s == t.status] { (s.replace('_', " ")) } }
                            }
                        }
                        label { "Evidence (what was done, or a link)" input type="text" name="evidence" value=(t.evidence); }
                        @if user.role != hemi_core::Role::NationalOfficer {
                            label { "Assignee" input type="text" name="assignee" value=(t.assignee); }
                        }
                        button.primary type="submit" { "Update" }
                    }
                }
            }
        }
    };
    Ok(page(
        state,
        status,
        viewer,
        "/tasks",
        "Response tasks",
        body,
    ))
}

/// `GET /tasks`.
pub async fn list(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Query(q): Query<BTreeMap<String, String>>,
) -> WebResult {
    let message = q.get("done").map(|m| m.chars().take(200).collect());
    tasks_page(&state, &viewer, StatusCode::OK, &ip.text(), None, message).await
}

/// `POST /tasks/{id}`: update a task.
pub async fn update(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    ApiPath(id): ApiPath<i64>,
    WebForm(form): WebForm<BTreeMap<String, String>>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(form.get("csrf").map(String::as_str).unwrap_or(""))?;
    let field = |name: &str| form.get(name).map(|v| v.trim().to_owned());
    let status = match field("status").as_deref() {
        None | Some("") => None,
        Some(s) => match TaskStatus::parse(s) {
            Ok(s) => Some(s),
            Err(_) => {
                let e = hemi_app::AppError::invalid(
                    "status",
                    format!("{s:?} is not a task status"),
                    "use open, in progress, done or cancelled",
                );
                return tasks_page(
                    &state,
                    &viewer,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &ip.text(),
                    Some((id, FormState::from_error(&e))),
                    None,
                )
                .await;
            }
        },
    };
    let current = state
        .app
        .store()
        .tasks(None)
        .await?
        .into_iter()
        .find(|t| t.id == id);
    // Only what changed is sent on: a form always carries every field.
    let update = TaskUpdate {
        status: status.filter(|s| current.as_ref().is_none_or(|t| t.status != s.as_str())),
        assignee: field("assignee")
            .filter(|a| !a.is_empty() && current.as_ref().is_none_or(|t| &t.assignee != a)),
        evidence: field("evidence").filter(|e| current.as_ref().is_none_or(|t| &t.evidence != e)),
    };
    match state
        .app
        .update_task(id, &update, &user.actor(&ip.text()))
        .await
    {
        Ok(task) => {
            let message = format!("Task {} is {}.", task.id, task.status.replace('_', " "));
            Ok((
                StatusCode::SEE_OTHER,
                [(
                    header::LOCATION,
                    format!("/tasks?done={}#task-{id}", encode_component(&message)),
                )],
            )
                .into_response())
        }
        Err(e @ (hemi_app::AppError::Forbidden(_) | hemi_app::AppError::NotFound { .. })) => {
            Err(e.into())
        }
        Err(e) if e.is_callers() => {
            tasks_page(
                &state,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                &ip.text(),
                Some((id, FormState::from_error(&e))),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
