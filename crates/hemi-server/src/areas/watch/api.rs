//! The early-warning JSON API: the watch board (`/api/events`) and one event with its
//! alerts, roles, projections and history (`/api/events/{id}`), composed by
//! `hemi_app::board` as the pages and `hemi events` are.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hemi_app::board::BoardRow;
use hemi_core::{Iso3, Period};
use hemi_warning::events::EventStatus;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiQuery, Problem, WebError};
use crate::format::{csv_response, month_param, wants_csv};
use crate::map::AlertLevel;
use crate::AppState;

/// Months (`as_of` and the ones before it) in which an alert still counts as "alerting
/// now" on the board's map; older alerts of an open event leave the country at `Watch`.
pub const MAP_RECENT_ALERT_MONTHS: i32 = 3;

/// Alert level per country for the board's map: the highest among the open events on
/// the board. A country alerting in a confirmed event or one with a response under way is
/// at `Event`; in a detected event, at `Alert` when its latest alert is within
/// [`MAP_RECENT_ALERT_MONTHS`] of `as_of`, else at `Watch` (it alerted earlier and has
/// been quiet since). Computed from the board's events alone: no further reading.
pub fn alert_levels(board: &[BoardRow], as_of: Period) -> HashMap<Iso3, AlertLevel> {
    let mut levels: HashMap<Iso3, AlertLevel> = HashMap::new();
    for row in board {
        let event = &row.event;
        let confirmed = matches!(event.status, EventStatus::Confirmed | EventStatus::Response);
        for alert in &event.alerts {
            let recent = alert
                .month
                .distance_to(as_of)
                .is_some_and(|d| (0..MAP_RECENT_ALERT_MONTHS).contains(&d));
            let level = if confirmed {
                AlertLevel::Event
            } else if recent {
                AlertLevel::Alert
            } else {
                AlertLevel::Watch
            };
            if let Ok(iso3) = Iso3::parse(&alert.reporting) {
                let entry = levels.entry(iso3).or_default();
                *entry = (*entry).max(level);
            }
        }
    }
    levels
}

/// The month asked for, checked against the data, else the newest (`None`: no data).
pub async fn as_of(state: &AppState, raw: &Option<String>) -> Result<Option<Period>, WebError> {
    match month_param(raw, "as_of")? {
        Some(m) => Ok(Some(state.app.check_month(m, "as_of").await?)),
        None => Ok(state.app.newest_month().await?),
    }
}

/// A month and a value.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthValue {
    /// `YYYY-MM`.
    pub month: String,
    /// Count.
    pub value: f64,
}

/// An open event on the watch board.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventItem {
    /// Event id: nationality and month of the first alert, e.g. `HTI-2021-01`.
    pub id: String,
    /// Nationality (ISO3; `ALL` for totals).
    pub nationality: String,
    /// detected | confirmed | response (closed and dismissed events are not listed).
    pub status: String,
    /// Month of the first alert.
    pub first_alert: String,
    /// Month of the latest alert.
    pub last_alert: String,
    /// Months from the first alert to `as_of`.
    pub age_months: i32,
    /// Alert months (one per reporting country and month).
    pub alert_count: usize,
    /// Reporting countries in the order of their first alert.
    pub countries: Vec<String>,
    /// The nationality summed over the event's countries, the last 24 months to `as_of`.
    pub sparkline: Vec<MonthValue>,
    /// Severity score (the board's order).
    pub severity: f64,
    /// Month with the most people counted in the event's alerts.
    pub peak: String,
    /// People above expected, summed over the alerts.
    pub people_above_expected: f64,
    /// The earlier wave of the same nationality this one follows, if any.
    pub follows: Option<String>,
}

/// The watch board.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventsPage {
    /// Month the board is computed at (`null` when nothing is watched yet).
    pub as_of: Option<String>,
    /// Open events whose last alert is within the 6 months to `as_of`, newest first.
    pub items: Vec<EventItem>,
}

#[derive(Serialize)]
struct EventCsvRow {
    id: String,
    nationality: String,
    status: String,
    first_alert: String,
    last_alert: String,
    age_months: i32,
    alert_count: usize,
    countries: String,
}

/// One alert of an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlertItem {
    /// `YYYY-MM`.
    pub month: String,
    /// Reporting country.
    pub reporting: String,
    /// Count in that month.
    pub value: f64,
}

/// A country's role in an event, with the evidence.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoleItem {
    /// ISO3.
    pub country: String,
    /// sending | transit | inferred_transit | transit_receiving | receiving.
    pub role: String,
    /// One sentence of evidence.
    pub evidence: String,
    /// The numbers behind it.
    pub figures: BTreeMap<String, f64>,
}

/// One status change.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who decided.
    pub changed_by: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339).
    pub changed_at: String,
}

/// An event with its alerts, country roles and status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventDetail {
    /// Event id.
    pub id: String,
    /// Nationality.
    pub nationality: String,
    /// Current status.
    pub status: String,
    /// Statuses it may move to next.
    pub next_statuses: Vec<String>,
    /// Month of the first alert.
    pub first_alert: String,
    /// Month of the latest alert known at `as_of`.
    pub last_alert: String,
    /// Month with the most people counted in the event's alerts.
    pub peak: String,
    /// Month the event closed by rule after quiet months (`null` while open).
    pub closed: Option<String>,
    /// The earlier wave of the same nationality this one follows.
    pub follows: Option<String>,
    /// Severity score.
    pub severity: f64,
    /// Month the event is read at.
    pub as_of: String,
    /// Reporting countries in the order of their first alert.
    pub countries: Vec<String>,
    /// Alerts in month order.
    pub alerts: Vec<AlertItem>,
    /// Corridor the roles were assigned along (`null`: no corridor passes these countries).
    pub corridor: Option<String>,
    /// Event window used for the roles, `[from, to]`.
    pub window: Option<[String; 2]>,
    /// Country roles, sending countries first, then in corridor order.
    pub roles: Vec<RoleItem>,
    /// Status changes, oldest first.
    pub history: Vec<HistoryItem>,
    /// Projected arrivals further down the corridor, estimated from data up to `as_of`.
    pub projections: Vec<ProjectionItem>,
}

/// Projected arrivals at one downstream country.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectionItem {
    /// Where the people are seen now.
    pub upstream: String,
    /// Where they are expected.
    pub downstream: String,
    /// Months between the two.
    pub lead_months: usize,
    /// Projected months.
    pub months: Vec<ProjectedMonth>,
}

/// One projected month with its 80% interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectedMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Median estimate.
    pub point: f64,
    /// 10% bound.
    pub lower80: f64,
    /// 90% bound.
    pub upper80: f64,
}

/// Parameters of `GET /api/events`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Month to read the board at, `YYYY-MM` (default: the newest watched month).
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub as_of: Option<String>,
    /// `json` (default) or `csv`.
    #[param(pattern = r"^(json|csv)?$")]
    pub format: Option<String>,
}

/// Parameters of `GET /api/events/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// Month to read the event at, `YYYY-MM` (default: the newest watched month).
    #[param(pattern = r"^((19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2]))?$")]
    pub as_of: Option<String>,
}

/// The watch board: open early-warning events with a recent alert (like `hemi events list`).
#[utoipa::path(get, path = "/api/events", params(EventsQuery),
    responses(
        (status = 200, description = "Open events, newest first", content((EventsPage = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Malformed parameter (e.g. a number out of range)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not read early warning", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid as_of", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> Result<Response, WebError> {
    let csv = wants_csv(&q.format, &headers)?;
    let as_of = as_of(&state, &q.as_of).await?;
    let rows = match as_of {
        Some(m) => state.app.board(m).await?,
        None => Vec::new(),
    };
    if csv {
        let flat: Vec<EventCsvRow> = rows
            .iter()
            .map(|r| EventCsvRow {
                id: r.event.id.clone(),
                nationality: r.event.nationality.clone(),
                status: r.event.status.to_string(),
                first_alert: r.event.first_alert.to_string(),
                last_alert: r.event.last_alert.to_string(),
                age_months: r.age_months,
                alert_count: r.event.alerts.len(),
                countries: r.event.countries.join(";"),
            })
            .collect();
        return csv_response(
            &flat,
            &[
                "id",
                "nationality",
                "status",
                "first_alert",
                "last_alert",
                "age_months",
                "alert_count",
                "countries",
            ],
        );
    }
    let items = rows
        .into_iter()
        .map(|r| EventItem {
            id: r.event.id,
            nationality: r.event.nationality,
            status: r.event.status.to_string(),
            first_alert: r.event.first_alert.to_string(),
            last_alert: r.event.last_alert.to_string(),
            age_months: r.age_months,
            alert_count: r.event.alerts.len(),
            countries: r.event.countries,
            severity: r.event.severity,
            peak: r.event.peak.to_string(),
            people_above_expected: r.event.people_above_expected,
            follows: r.event.follows.clone(),
            sparkline: r
                .spark
                .into_iter()
                .map(|(m, value)| MonthValue {
                    month: m.to_string(),
                    value,
                })
                .collect(),
        })
        .collect();
    Ok(Json(EventsPage {
        as_of: as_of.map(|m| m.to_string()),
        items,
    })
    .into_response())
}

/// One event: alerts, country roles with evidence, status history (like `hemi events show`).
#[utoipa::path(get, path = "/api/events/{id}", params(("id" = String, Path, description = "Event id, e.g. HTI-2021-01"), EventQuery),
    responses(
        (status = 200, description = "The event", body = EventDetail),
        (status = 400, description = "Malformed parameter (e.g. a number out of range)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not logged in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Role may not read early warning", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event at as_of", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid as_of", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn event_detail(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<EventQuery>,
) -> Result<Response, WebError> {
    let Some(as_of) = as_of(&state, &q.as_of).await? else {
        return Err(WebError::NotFound(Some("no watched data yet".into())));
    };
    let view = state.app.event_view(&id, as_of).await?;
    let e = &view.event;
    let detail = EventDetail {
        id: e.id.clone(),
        nationality: e.nationality.clone(),
        status: e.status.to_string(),
        next_statuses: e.status.next().iter().map(|s| s.to_string()).collect(),
        first_alert: e.first_alert.to_string(),
        last_alert: e.last_alert.to_string(),
        peak: e.peak.to_string(),
        closed: e.closed.map(|c| c.to_string()),
        follows: e.follows.clone(),
        severity: e.severity,
        as_of: view.as_of.to_string(),
        countries: e.countries.clone(),
        alerts: e
            .alerts
            .iter()
            .map(|a| AlertItem {
                month: a.month.to_string(),
                reporting: a.reporting.clone(),
                value: a.value,
            })
            .collect(),
        corridor: view.roles.as_ref().map(|r| r.corridor.clone()),
        window: view
            .roles
            .as_ref()
            .map(|r| [r.window.0.to_string(), r.window.1.to_string()]),
        roles: view
            .roles
            .iter()
            .flat_map(|r| &r.roles)
            .map(|c| RoleItem {
                country: c.country.clone(),
                role: c.role.as_str().to_owned(),
                evidence: c.evidence.clone(),
                figures: c.figures.iter().cloned().collect(),
            })
            .collect(),
        history: view
            .history
            .iter()
            .map(|t| HistoryItem {
                from_status: t.from_status.clone(),
                to_status: t.to_status.clone(),
                changed_by: t.changed_by.clone(),
                reason: t.reason.clone(),
                changed_at: t.changed_at.clone(),
            })
            .collect(),
        projections: view
            .projections
            .iter()
            .map(|p| ProjectionItem {
                upstream: p.upstream.clone(),
                downstream: p.downstream.clone(),
                lead_months: p.lead_months,
                months: p
                    .months
                    .iter()
                    .map(|m| ProjectedMonth {
                        month: m.month.to_string(),
                        point: m.point,
                        lower80: m.lower80,
                        upper80: m.upper80,
                    })
                    .collect(),
            })
            .collect(),
    };
    Ok(Json(detail).into_response())
}
