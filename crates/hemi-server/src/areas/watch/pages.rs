//! The watch board (open early-warning events) and the event page (alerts, country
//! roles, corridor chart, status history and the status form for watch officers).

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Extension;
use hemi_app::board::SPARK_MONTHS;
use hemi_core::roles::groups::WATCH_DECIDERS;
use hemi_core::Period;
use hemi_warning::events::EventStatus;
use maud::{html, Markup};
use serde::Deserialize;

use super::api::{alert_levels, MAP_RECENT_ALERT_MONTHS};
use crate::access::{ClientIp, Viewer};
use crate::chart::{format_count, line_chart, sparkline, Line};
use crate::error::{WebError, WebForm, WebResult};
use crate::layout::{country_name, encode_component, format_time, page};
use crate::map::americas_map;
use crate::AppState;

/// `?as_of=YYYY-MM`.
#[derive(Debug, Default, Deserialize)]
pub struct AsOfQuery {
    as_of: Option<String>,
}

/// The month asked for (or the newest), and the problem with what was asked, if any.
async fn resolve_as_of(
    state: &AppState,
    raw: &Option<String>,
) -> Result<(Option<Period>, Option<String>), WebError> {
    match super::api::as_of(state, raw).await {
        Ok(m) => Ok((m, None)),
        Err(e @ WebError::Unprocessable(..)) => {
            let p = e.problem();
            let text = format!(
                "{}{}",
                p.detail.unwrap_or_default(),
                p.hint.map(|h| format!(" ({h})")).unwrap_or_default()
            );
            Ok((state.app.newest_month().await?, Some(text)))
        }
        Err(e) => Err(e),
    }
}

fn status_badge(status: EventStatus) -> Markup {
    html! { span class=(format!("status status-{}", status.as_str())) { (status.as_str()) } }
}

fn as_of_form(action: &str, as_of: Option<Period>) -> Markup {
    html! {
        form.filters method="get" action=(action) {
            label { "As of month"
                input type="text" name="as_of" value=(as_of.map(|m| m.to_string()).unwrap_or_default()) placeholder="YYYY-MM" size="8" pattern="[0-9]{4}-[0-9]{2}";
            }
            button.primary type="submit" { "Show" }
        }
    }
}

fn countries_text(codes: &[String]) -> String {
    // In the order of their first alert: not a route, so no arrows.
    codes
        .iter()
        .map(|c| country_name(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn nationality_label(code: &str) -> String {
    if code == "ALL" {
        "All nationalities (total)".into()
    } else {
        format!("{} ({code})", country_name(code))
    }
}

fn months(n: i32) -> String {
    if n == 1 {
        "1 month".into()
    } else {
        format!("{n} months")
    }
}

/// `GET /watch`.
pub async fn board(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    let (as_of, problem) = resolve_as_of(&state, &q.as_of).await?;
    let rows = match as_of {
        Some(m) => state.app.board(m).await?,
        None => Vec::new(),
    };
    let levels = as_of.map(|m| alert_levels(&rows, m)).unwrap_or_default();
    let as_of_param = as_of.map(|m| format!("?as_of={m}")).unwrap_or_default();
    Ok(page(
        &state,
        StatusCode::OK,
        &viewer,
        "/watch",
        "Watch board",
        html! {
            h1 { "Watch board" }
            p.lead {
                "Open early-warning events: waves of one nationality surging in the reporting countries, most severe first "
                "(people above expected, growth, countries, downstream reach). An event closes by rule after "
                (state.app.rules().triggers.events.close_after_quiet_months) " quiet months; a later wave is a new event that follows it. "
                "Small waves stay off the board until they reach " (format_count(state.app.rules().triggers.events.board_min_people_above_expected))
                " people above expected or " (state.app.rules().triggers.events.board_min_countries) " countries. "
                "Each row's line is the nationality summed over the event's countries, the last " (SPARK_MONTHS) " months."
            }
            (as_of_form("/watch", as_of))
            @if let Some(p) = &problem {
                div.notice.bad role="alert" { p { (p) " — showing the newest month instead." } }
            }
            @match as_of {
                None => { p.notice { "No watched data yet: import the watched flow tables first." } }
                Some(m) => {
                    h2 { "As of " (m) ": " (rows.len()) " open " (if rows.len() == 1 { "event" } else { "events" }) }
                    @if rows.is_empty() {
                        p.notice { "No open event is big enough for the board as of " (m) "." }
                    } @else {
                        div.table-wrap.full {
                            table.data.board {
                                thead { tr {
                                    th { "Event" } th { "Nationality" } th { "Countries alerting" } th { "Status" }
                                    th.num { "Severity" } th.num { "Above expected" } th { "Peak" }
                                    th.num { "Age" } th.num { "Alerts" } th { "Last " (SPARK_MONTHS) " months" }
                                } }
                                tbody {
                                    @for r in &rows {
                                        @let e = &r.event;
                                        tr {
                                            td { a href=(format!("/events/{}?as_of={m}", encode_component(&e.id))) { (e.id) } }
                                            td.wrap { (nationality_label(&e.nationality)) }
                                            td.wrap { (countries_text(&e.countries)) }
                                            td { (status_badge(e.status)) @if let Some(f) = &e.follows { br; span.muted { "follows " (f) } } }
                                            td.num { (format!("{:.1}", e.severity)) }
                                            td.num { (format_count(e.people_above_expected.round())) }
                                            td { (e.peak) }
                                            td.num title=(format!("first alert {}", e.first_alert)) { (months(r.age_months)) }
                                            td.num title=(format!("last alert {}", e.last_alert)) { (e.alerts.len()) }
                                            td { (sparkline(&r.spark.iter().map(|(p, v)| (p.to_string(), *v)).collect::<Vec<_>>(),
                                                &format!("{} nationals in {}", country_name(&e.nationality), e.countries.join(", ")))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    h2 { "Map: highest level per country among these events" }
                    p.muted { "Alerting now: an alert in the " (MAP_RECENT_ALERT_MONTHS) " months to " (m) ". Hover a country for its level; the table above lists the events." }
                    (americas_map(&levels))
                    p { a href=(format!("/api/events{as_of_param}")) { "This board as JSON" } " · "
                        a href=(format!("/api/events{}{}format=csv", as_of_param, if as_of_param.is_empty() { "?" } else { "&" })) { "as CSV" } }
                }
            }
        },
    ))
}

/// `GET /events/{id}`.
pub async fn event(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> WebResult {
    render_event(&state, &viewer, &id, &q.as_of, None, "").await
}

/// The event page, with an optional refusal of a status move to show above the form.
async fn render_event(
    state: &AppState,
    viewer: &Viewer,
    id: &str,
    raw_as_of: &Option<String>,
    refusal: Option<String>,
    reason: &str,
) -> WebResult {
    let (as_of, problem) = resolve_as_of(state, raw_as_of).await?;
    let Some(as_of) = as_of else {
        return Err(WebError::NotFound(Some(
            "no watched data yet: import the watched flow tables first".into(),
        )));
    };
    let view = state.app.event_view(id, as_of).await?;
    let tasks = &view.tasks;
    let now = hemi_app::time::now_unix();
    let e = &view.event;
    let m = view.as_of;
    let nat = if e.nationality == "ALL" {
        "All".to_owned()
    } else {
        country_name(&e.nationality)
    };
    let lines: Vec<Line> = view
        .corridor
        .iter()
        .enumerate()
        .map(|(i, (country, points))| {
            let place = if view.corridor.len() == 1 {
                String::new()
            } else if i == 0 {
                ", upstream".into()
            } else if i + 1 == view.corridor.len() {
                ", downstream".into()
            } else {
                String::new()
            };
            Line {
                label: format!("{} ({country}{place})", country_name(country)),
                points: points.iter().map(|(p, v)| (p.to_string(), *v)).collect(),
            }
        })
        .collect();
    let decider = viewer
        .0
        .as_ref()
        .filter(|u| WATCH_DECIDERS.contains(&u.role));
    let failed = refusal.is_some();
    let body = html! {
        p.muted { a href=(format!("/watch?as_of={m}")) { "← Watch board" } }
        h1 { "Event " (e.id) ": " (nat) " nationals" }
        p.lead {
            "Status " (status_badge(e.status)) ". A wave from " (e.first_alert) " (onset) to " (e.last_alert)
            " (latest alert), peaking in " (e.peak) " with " (format_count(e.peak_people.round())) " people counted"
            @if let Some(c) = e.closed { ", closed by rule in " (c) " after quiet months" }
            "; in " (countries_text(&e.countries)) " (in order of first alert); read as of " (m) "."
        }
        p {
            "Severity " strong { (format!("{:.1}", e.severity)) } ": " (format_count(e.people_above_expected.round())) " people above expected, growth up to "
            (format!("{:.1}", e.max_growth)) "×, " (e.countries.len()) " " (if e.countries.len() == 1 { "country" } else { "countries" })
            ", " (e.downstream_countries) " downstream."
            @if let Some(f) = &e.follows { " It follows the earlier wave " a href=(format!("/events/{}?as_of={m}", encode_component(f))) { (f) } "." }
        }
        (as_of_form(&format!("/events/{}", encode_component(&e.id)), Some(m)))
        @if let Some(p) = &problem {
            div.notice.bad role="alert" { p { (p) " — showing the newest month instead." } }
        }

        h2 { "Alerts" }
        div.table-wrap {
            table.data {
                thead { tr { th { "Month" } th { "Reporting country" } th.num { (e.nationality) " counted" } } }
                tbody {
                    @for a in &e.alerts {
                        tr { td { (a.month) } td { (country_name(&a.reporting)) " (" (a.reporting) ")" } td.num { (format_count(a.value)) } }
                    }
                }
            }
        }

        h2 { "Country roles" }
        @match &view.roles {
            None => { p.notice { "No corridor in the routes file passes through this event's countries." } }
            Some(r) => {
                p { "Along corridor " strong { (r.corridor) } ", event window " (r.window.0) " to " (r.window.1) "." }
                div.table-wrap {
                    table.data.roles {
                        thead { tr { th { "Country" } th { "Role" } th { "Evidence" } } }
                        tbody {
                            @for c in &r.roles {
                                tr {
                                    td { (country_name(&c.country)) " (" (c.country) ")" }
                                    td { span class=(format!("role role-{}", c.role.as_str())) { (c.role.as_str().replace('_', " ")) } }
                                    td { (c.evidence) }
                                }
                            }
                        }
                    }
                }
            }
        }

        h2 { (nat) " nationals along the corridor" }
        @if lines.is_empty() {
            p.muted { "No monthly values of this nationality in the event's countries." }
        } @else {
            (line_chart(&lines, "People counted per month", &format!("{nat} nationals counted per month, upstream to downstream")))
        }

        h2 { "Response tasks" }
        @if tasks.is_empty() {
            p.muted { "None yet: confirming the event creates the tasks of every playbook that applies (playbooks/)." }
        } @else {
            div.table-wrap {
                table.data.tasks {
                    thead { tr { th { "Assignee" } th { "Task" } th { "Due" } th { "Status" } th { "Escalates to" } } }
                    tbody {
                        @for t in tasks {
                            @let overdue = t.status != "done" && t.due_at < now;
                            tr {
                                td { (t.assignee) }
                                td.wrap { (t.what) }
                                td { (format_time(t.due_at)) @if overdue { " " strong { "overdue" } } }
                                td { (t.status) }
                                td { (t.escalate_to) }
                            }
                        }
                    }
                }
            }
            p.muted { "Member states update their tasks on the " a href="/tasks" { "response tasks page" } " (or with " code { "hemi process tasks update" } ")." }
        }

        h2 { "Expected arrivals downstream" }
        @if view.projections.is_empty() {
            p.muted { "No downstream country on the watched corridor has a lead-time model for this nationality." }
        } @else {
            @for p in &view.projections {
                h3 { (country_name(&p.downstream)) ", from " (country_name(&p.upstream)) " (lead " (p.lead_months) " months)" }
                p.muted { "Backtest: MASE " (format!("{:.2}", p.backtest.corridor.mase)) " against naive's " (format!("{:.2}", p.backtest.naive.mase)) " on " (p.backtest.corridor.forecasts) " forecasts." }
                div.table-wrap {
                    table.data {
                        thead { tr { th { "Month" } th.num { "Expected" } th.num { "80% interval" } } }
                        tbody { @for m in &p.months {
                            tr { td { (m.month) } td.num { (format_count(m.point.round())) } td.num { (format_count(m.lower80.round())) " to " (format_count(m.upper80.round())) } }
                        } }
                    }
                }
            }
            p.muted { "From the ratio of downstream to earlier upstream counts over recent months, estimated on data up to " (m) " only; beyond the lead time the last upstream count stands in, so the interval is too narrow there. A projection is shown only where it beat the naive forecast in its own backtest over the two years before " (m) "." }
        }

        h2 { "Status history" }
        @if view.history.is_empty() {
            p.muted { "No decision yet: the event is as the rules detected it." }
        } @else {
            div.table-wrap {
                table.data {
                    thead { tr { th { "When" } th { "Change" } th { "By" } th { "Reason" } } }
                    tbody {
                        @for t in &view.history {
                            tr { td { (t.changed_at.replace('T', " ")) } td { (t.from_status) " → " (t.to_status) } td { (t.changed_by) } td { (t.reason) } }
                        }
                    }
                }
            }
        }

        @if let Some(user) = decider {
            h2 id="decide" { "Change the status" }
            @if let Some(why) = &refusal {
                div.notice.bad role="alert" { p { "Not changed: " (why) } }
            }
            @if e.status.next().is_empty() {
                p.muted { "The event is " (e.status) ": it cannot move any further." }
            } @else {
                form.decide method="post" action=(format!("/events/{}/status", encode_component(&e.id))) {
                    input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
                    input type="hidden" name="as_of" value=(m.to_string());
                    fieldset {
                        legend { "Move from " (e.status) " to" }
                        @for (i, s) in e.status.next().iter().enumerate() {
                            label.choice {
                                input type="radio" name="status" value=(s.as_str()) checked[i == 0] required;
                                " " (move_label(*s))
                            }
                        }
                    }
                    label.block { "Reason (required: evidence or decision reference)"
                        textarea name="reason" rows="3" cols="60" required { (reason) }
                    }
                    p.muted { "Recorded as " (user.name) " with the time; the history keeps every decision." }
                    button.primary type="submit" { "Record decision" }
                }
            }
        }
    };
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(page(
        state,
        status,
        viewer,
        "/watch",
        &format!("Event {}", e.id),
        body,
    ))
}

fn move_label(s: EventStatus) -> &'static str {
    match s {
        EventStatus::Confirmed => "Confirmed: a real surge",
        EventStatus::Response => "Response under way",
        EventStatus::Closed => "Closed: over",
        EventStatus::Dismissed => "Dismissed: not a surge",
        EventStatus::Detected => "Detected",
    }
}

/// The status form's fields.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    as_of: Option<String>,
}

/// `POST /events/{id}/status`: record a lifecycle move (the same workflow as `hemi
/// events set`: decided on the newest data; confirming creates the playbooks' tasks),
/// then back to the event page.
pub async fn set_status(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Extension(ip): Extension<ClientIp>,
    Path(id): Path<String>,
    WebForm(form): WebForm<StatusForm>,
) -> WebResult {
    let user = viewer.user()?.clone();
    user.check_csrf(&form.csrf)?;
    let as_of = form
        .as_of
        .clone()
        .filter(|a| hemi_app::check::month(a, "as_of").is_ok());
    match state
        .app
        .set_event_status(&id, &form.status, &form.reason, &user.actor(&ip.text()))
        .await
    {
        Ok((row, _)) => {
            let back = match &as_of {
                Some(a) => format!(
                    "/events/{}?as_of={}",
                    encode_component(&row.event_id),
                    encode_component(a)
                ),
                None => format!("/events/{}", encode_component(&row.event_id)),
            };
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, back)]).into_response())
        }
        Err(e @ (hemi_app::AppError::Invalid(_) | hemi_app::AppError::Refused(_))) => {
            render_event(
                &state,
                &viewer,
                &id,
                &as_of,
                Some(e.to_string()),
                &form.reason,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}
