//! What the watch board and an event page show, composed once for the web pages, the
//! JSON API and the CLI: open events with a recent alert, each with the nationality's
//! recent counts, and one event with its roles, history, corridor series and projections.

use std::collections::BTreeMap;
use std::sync::Arc;

use hemi_core::Period;
use hemi_store::EventTransitionRow;
use hemi_warning::events::{Event, EventStatus};
use hemi_warning::roles::RoleAssignment;

use crate::forecasts::CorridorProjection;
use crate::watch::Replayed;
use crate::{App, Result};

/// Months in a board sparkline, ending at `as_of`.
pub const SPARK_MONTHS: i32 = 24;
/// Months before the first alert shown on an event's corridor chart.
pub const CHART_LEAD_MONTHS: i32 = 12;

/// True for statuses still worth watching.
pub fn is_open(status: EventStatus) -> bool {
    !matches!(status, EventStatus::Closed | EventStatus::Dismissed)
}

/// Months from `from` to `to`, 0 when reversed or of other granularity.
pub fn months_between(from: Period, to: Period) -> i32 {
    from.distance_to(to).unwrap_or(0).max(0)
}

/// The monthly values of one nationality summed over some reporting countries, for the
/// months `from..=to` that any of them reported.
pub fn summed(
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
#[derive(Debug, Clone)]
pub struct BoardRow {
    /// The event.
    pub event: Event,
    /// Months from its first alert to `as_of`.
    pub age_months: i32,
    /// The nationality summed over the event's countries, the last months to `as_of`.
    pub spark: Vec<(Period, f64)>,
}

/// Everything an event page shows.
#[derive(Debug, Clone)]
pub struct EventView {
    /// The event.
    pub event: Event,
    /// Month it is read at.
    pub as_of: Period,
    /// Country roles with evidence.
    pub roles: Option<Arc<RoleAssignment>>,
    /// Status changes, oldest first.
    pub history: Vec<EventTransitionRow>,
    /// Per event country, upstream first: the nationality's monthly values.
    pub corridor: Vec<(String, Vec<(Period, f64)>)>,
    /// Projected arrivals downstream.
    pub projections: Vec<CorridorProjection>,
    /// Response tasks created for it.
    pub tasks: Vec<hemi_store::governance::TaskRow>,
}

impl App {
    /// The watch board at `as_of`: events still open (not closed by rule after quiet
    /// months, nor closed or dismissed by a person) and big enough for the board (the
    /// `[board]` rules), most severe first (`hemi_warning::events::board`).
    pub async fn board(&self, as_of: Period) -> Result<Vec<BoardRow>> {
        let (rows, events) = self.events(as_of).await?;
        let board = hemi_warning::events::board(&events)
            .into_iter()
            .filter(|e| is_open(e.status))
            .map(|event| BoardRow {
                age_months: months_between(event.first_alert, as_of),
                spark: summed(
                    &rows,
                    &event.nationality,
                    &event.countries,
                    as_of.offset(1 - SPARK_MONTHS),
                    as_of,
                ),
                event: event.clone(),
            })
            .collect();
        Ok(board)
    }

    /// The event `id` as known at `as_of`, with everything its page shows.
    pub async fn event_view(&self, id: &str, as_of: Period) -> Result<EventView> {
        let (rows, event) = self.event(id, as_of).await?;
        let roles = self.roles(&event, as_of).await?;
        let history = self.store().event_transitions(Some(&event.id)).await?;
        // Upstream first: the position along the corridor used for roles, else alert order.
        let path: Vec<String> = roles
            .as_ref()
            .and_then(|r| {
                self.rules()
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
        let projections = self.projections(&event, as_of).await?;
        let tasks = self.store().tasks(Some(&event.id)).await?;
        Ok(EventView {
            event,
            as_of,
            roles,
            history,
            corridor,
            projections,
            tasks,
        })
    }
}
