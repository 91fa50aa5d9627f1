//! Early warning in the web app: what the watch board and the event pages show, read
//! through `hemi_store::watch` (the same service the `hemi events` commands use), and
//! the JSON API over it (`/api/events`, `/api/events/{id}`).

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use hemi_core::{Granularity, Iso3, Period};
use hemi_store::watch as service;
use hemi_store::watch::Replayed;
use hemi_store::{EventTransitionRow, StoreError};
use hemi_warning::events::{Event, EventStatus};
use hemi_warning::roles::RoleAssignment;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::{csv_response, text, wants_csv, ApiQuery};
use crate::map::AlertLevel;
use crate::problem::{ApiError, Problem};
use crate::AppState;

/// The board lists open events whose last alert is at most this many months before
/// `as_of` (0 to 5: the last six months, `as_of` included).
pub const RECENT_MONTHS: i32 = 6;
/// Months in a board sparkline, ending at `as_of`.
pub const SPARK_MONTHS: i32 = 24;
/// Months before the first alert shown on an event's corridor chart.
pub const CHART_LEAD_MONTHS: i32 = 12;

/// Parse an `as_of` parameter (`YYYY-MM`); empty means "newest month".
pub(crate) fn parse_as_of(raw: &Option<String>) -> Result<Option<Period>, ApiError> {
    match text(raw) {
        None => Ok(None),
        Some(t) => Period::parse_as(&t, Granularity::Month)
            .map(Some)
            .map_err(|e| {
                ApiError::Unprocessable("as_of".into(), format!("{e}; months are YYYY-MM"))
            }),
    }
}

/// The month asked for, else the newest month of any watched series (`None`: no data).
pub(crate) async fn as_of_or_newest(
    state: &AppState,
    asked: Option<Period>,
) -> Result<Option<Period>, StoreError> {
    match asked {
        Some(p) => Ok(Some(p)),
        None => service::newest_month(&state.store, &state.rules).await,
    }
}

/// True for statuses still worth watching.
pub(crate) fn is_open(status: EventStatus) -> bool {
    !matches!(status, EventStatus::Closed | EventStatus::Dismissed)
}

/// Months from `from` to `to`, 0 when reversed or of other granularity.
pub(crate) fn months_between(from: Period, to: Period) -> i32 {
    from.distance_to(to).unwrap_or(0).max(0)
}

/// The monthly values of one nationality summed over some reporting countries, for the
/// months `from..=to` that any of them reported.
fn summed(
    replayed: &Replayed,
    nationality: &str,
    countries: &[String],
    from: Period,
    to: Period,
) -> Vec<(Period, f64)> {
    let mut by_month: BTreeMap<Period, f64> = BTreeMap::new();
    for country in countries {
        for r in replayed.series(country, nationality) {
            if r.month >= from && r.month <= to {
                *by_month.entry(r.month).or_default() += r.value;
            }
        }
    }
    by_month.into_iter().collect()
}

/// One row of the watch board.
pub(crate) struct BoardRow {
    pub event: Event,
    pub age_months: i32,
    pub spark: Vec<(Period, f64)>,
}

/// Open events whose last alert is recent at `as_of`, newest first.
pub(crate) async fn board(state: &AppState, as_of: Period) -> Result<Vec<BoardRow>, StoreError> {
    let (rows, events) = service::events(&state.store, &state.rules, as_of).await?;
    let mut board: Vec<BoardRow> = events
        .into_iter()
        .filter(|e| is_open(e.status))
        .filter(|e| {
            e.last_alert
                .distance_to(as_of)
                .is_some_and(|d| (0..RECENT_MONTHS).contains(&d))
        })
        .map(|event| {
            let spark = summed(
                &rows,
                &event.nationality,
                &event.countries,
                as_of.offset(1 - SPARK_MONTHS),
                as_of,
            );
            BoardRow {
                age_months: months_between(event.first_alert, as_of),
                spark,
                event,
            }
        })
        .collect();
    board.sort_by(|a, b| {
        (b.event.last_alert, b.event.first_alert, &a.event.id).cmp(&(
            a.event.last_alert,
            a.event.first_alert,
            &b.event.id,
        ))
    });
    Ok(board)
}

/// Months (`as_of` and the ones before it) in which an alert still counts as "alerting
/// now" on the board's map; older alerts of an open event leave the country at `Watch`.
pub const MAP_RECENT_ALERT_MONTHS: i32 = 3;

/// Alert level per country for the board's map: the highest among the open events on
/// the board. A country alerting in a confirmed event or one with a response under way is
/// at `Event`; in a detected event, at `Alert` when its latest alert is within
/// [`MAP_RECENT_ALERT_MONTHS`] of `as_of`, else at `Watch` (it alerted earlier and has
/// been quiet since). Computed from the board's events alone: no further reading.
pub(crate) fn alert_levels(board: &[BoardRow], as_of: Period) -> HashMap<Iso3, AlertLevel> {
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

/// Everything the event page shows.
pub(crate) struct EventView {
    pub event: Event,
    pub as_of: Period,
    pub roles: Option<RoleAssignment>,
    pub history: Vec<EventTransitionRow>,
    /// Per event country, upstream first: the nationality's monthly values.
    pub corridor: Vec<(String, Vec<(Period, f64)>)>,
}

/// The event `id` as known at `as_of`; `None` when there is no such event then.
pub(crate) async fn event_view(
    state: &AppState,
    id: &str,
    as_of: Period,
) -> Result<Option<EventView>, StoreError> {
    let (rows, events) = service::events(&state.store, &state.rules, as_of).await?;
    let Some(event) = events.into_iter().find(|e| e.id.eq_ignore_ascii_case(id)) else {
        return Ok(None);
    };
    let roles = service::roles(&state.store, &state.rules, &event, as_of).await?;
    let history = state.store.event_transitions(Some(&event.id)).await?;
    // Upstream first: the position along the corridor used for roles, else alert order.
    let path: Vec<String> = roles
        .as_ref()
        .and_then(|r| {
            state
                .rules
                .routes
                .corridors
                .iter()
                .find(|c| c.name == r.corridor)
        })
        .map(|c| c.countries.clone())
        .unwrap_or_default();
    let mut countries = event.countries.clone();
    countries.sort_by_key(|c| path.iter().position(|x| x == c).unwrap_or(usize::MAX));
    let from = event.first_alert.offset(-CHART_LEAD_MONTHS);
    let corridor = countries
        .iter()
        .map(|c| {
            (
                c.clone(),
                summed(
                    &rows,
                    &event.nationality,
                    std::slice::from_ref(c),
                    from,
                    as_of,
                ),
            )
        })
        .filter(|(_, points)| !points.is_empty())
        .collect();
    Ok(Some(EventView {
        event,
        as_of,
        roles,
        history,
        corridor,
    }))
}

// ---------------------------------------------------------------- JSON API

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
) -> Result<Response, ApiError> {
    let csv = wants_csv(&q.format, &headers)?;
    let asked = parse_as_of(&q.as_of)?;
    let as_of = as_of_or_newest(&state, asked).await?;
    let rows = match as_of {
        Some(m) => board(&state, m).await?,
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
) -> Result<Response, ApiError> {
    let asked = parse_as_of(&q.as_of)?;
    let Some(as_of) = as_of_or_newest(&state, asked).await? else {
        return Err(ApiError::NotFound);
    };
    let Some(view) = event_view(&state, &id, as_of).await? else {
        return Err(ApiError::NotFound);
    };
    let e = &view.event;
    let detail = EventDetail {
        id: e.id.clone(),
        nationality: e.nationality.clone(),
        status: e.status.to_string(),
        next_statuses: e.status.next().iter().map(|s| s.to_string()).collect(),
        first_alert: e.first_alert.to_string(),
        last_alert: e.last_alert.to_string(),
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
    };
    Ok(Json(detail).into_response())
}
