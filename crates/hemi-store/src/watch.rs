//! The early-warning service: reads the watched series and runs the pure engine in
//! `hemi-warning` over them. The CLI and the web app call these functions, so both show
//! the same alerts, events and roles.

use std::collections::BTreeMap;

use hemi_core::{CountryCodes, Period};
use hemi_warning::events::{events_as_of, Event, EventStatus};
use hemi_warning::replay::{replay, ReplayRow};
use hemi_warning::roles::{assign_roles, RoleAssignment, RoleInputs, Routes};
use hemi_warning::roster::Roster;
use hemi_warning::rules::TriggerRules;
use hemi_warning::series::MonthlySeries;

use crate::{Result, Store, WatchFilter};

/// Everything the Task Force edits: trigger rules, routes, roster.
#[derive(Debug, Clone)]
pub struct WatchRules {
    /// When detector alarms become alerts, and how alerts form events.
    pub triggers: TriggerRules,
    /// Corridors and role thresholds.
    pub routes: Routes,
    /// Which series are watched.
    pub roster: Roster,
}

/// The newest month of any watched series.
pub async fn newest_month(store: &Store, rules: &WatchRules) -> Result<Option<Period>> {
    let series = store
        .watched_series(&rules.roster, &WatchFilter::default())
        .await?;
    Ok(series.iter().filter_map(MonthlySeries::end).max())
}

/// Replay every watched series up to `to` (so event ids are the same whatever is
/// shown), keeping rows from `from` that match the filter.
pub async fn replay_rows(
    store: &Store,
    rules: &WatchRules,
    from: Period,
    to: Period,
    reporting: Option<&str>,
    nationality: Option<&str>,
) -> Result<Vec<ReplayRow>> {
    let filter = WatchFilter {
        to: Some(to),
        ..Default::default()
    };
    let series = store.watched_series(&rules.roster, &filter).await?;
    let mut rows = replay(&series, from, to, &rules.triggers);
    rows.retain(|r| {
        reporting.is_none_or(|c| r.reporting.eq_ignore_ascii_case(c))
            && nationality.is_none_or(|n| {
                r.nationality
                    .as_deref()
                    .unwrap_or("ALL")
                    .eq_ignore_ascii_case(n)
            })
    });
    Ok(rows)
}

/// Events known at `as_of`, with the status people gave them.
pub async fn events(
    store: &Store,
    rules: &WatchRules,
    as_of: Period,
) -> Result<(Vec<ReplayRow>, Vec<Event>)> {
    let filter = WatchFilter {
        to: Some(as_of),
        ..Default::default()
    };
    let series = store.watched_series(&rules.roster, &filter).await?;
    let first = series.iter().map(|s| s.start).min().unwrap_or(as_of);
    let rows = replay(&series, first, as_of, &rules.triggers);
    let mut events = events_as_of(&rows, as_of, rules.triggers.event_window_months);
    let transitions = store.event_transitions(None).await?;
    for event in &mut events {
        if let Some(last) = transitions.iter().filter(|t| t.event_id == event.id).last() {
            event.status = last
                .to_status
                .parse::<EventStatus>()
                .unwrap_or(event.status);
        }
    }
    Ok((rows, events))
}

/// Country roles of an event, with evidence, from the data as it stood at `as_of`.
pub async fn roles(
    store: &Store,
    rules: &WatchRules,
    event: &Event,
    as_of: Period,
) -> Result<Option<RoleAssignment>> {
    let filter = WatchFilter {
        to: Some(as_of),
        nationality: None,
        reporting: None,
    };
    let presentations = store.watched_series(&rules.roster, &filter).await?;
    let returns = store.returns_series(&rules.roster, Some(as_of)).await?;
    let codes = CountryCodes::bundled();
    let stocks: BTreeMap<String, f64> = store
        .diaspora_stocks(&rules.roster, &event.nationality, event.first_alert.year())
        .await?
        .into_iter()
        .filter(|(destination, _)| {
            codes
                .get(destination)
                .is_some_and(|c| c.region == "Americas")
        })
        .collect();
    Ok(assign_roles(&RoleInputs {
        event,
        as_of,
        presentations: &presentations,
        returns: &returns,
        stocks: &stocks,
        routes: &rules.routes,
    }))
}
