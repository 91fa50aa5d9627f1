//! The watched flows as complete monthly series for the early-warning engine, built
//! from the store's sums.
//!
//! Gap rule (the contract of `hemi_warning::series`): publishers list only the
//! nationalities with entries in a month, so between a table's first and last month a
//! nationality without a row counts 0. The same holds for a month with no rows at all
//! inside that span (Honduras 2020-04 and 2020-05: borders closed, the total table says 0).
//! Annual periods are never part of a monthly series.

use std::collections::{BTreeMap, HashMap};

use hemi_core::Period;
use hemi_warning::roster::{Roster, WatchedFlow};
use hemi_warning::series::MonthlySeries;

use hemi_store::{SeriesFilter, Store};

use crate::Result;

/// Which watched series to read.
#[derive(Debug, Clone, Default)]
pub struct WatchFilter {
    /// Only this reporting country.
    pub reporting: Option<String>,
    /// Only this nationality (`ALL` for the totals).
    pub nationality: Option<String>,
    /// Only months up to this one: data as it stood then.
    pub to: Option<Period>,
}

/// The watched series (each nationality and the total per reporting country).
pub async fn watched_series(
    store: &Store,
    roster: &Roster,
    filter: &WatchFilter,
) -> Result<Vec<MonthlySeries>> {
    let mut all = Vec::new();
    for flow in roster
        .watch
        .iter()
        .filter(|w| filter.reporting.as_ref().is_none_or(|r| *r == w.reporting))
    {
        let mut series = flow_series(store, flow, filter.to, true).await?;
        series.retain(|s| {
            filter
                .nationality
                .as_ref()
                .is_none_or(|n| s.nationality_code() == n)
        });
        all.extend(series);
    }
    Ok(all)
}

/// The returns series of the roster (per reporting country and nationality).
pub async fn returns_series(
    store: &Store,
    roster: &Roster,
    to: Option<Period>,
) -> Result<Vec<MonthlySeries>> {
    let mut all = Vec::new();
    for flow in &roster.returns {
        all.extend(flow_series(store, flow, to, false).await?);
    }
    Ok(all)
}

/// People born in `origin` living in each destination, in the latest year <= `year`
/// (both sexes summed).
pub async fn diaspora_stocks(
    store: &Store,
    roster: &Roster,
    origin: &str,
    year: i32,
) -> Result<BTreeMap<String, f64>> {
    let filter = SeriesFilter {
        source: Some(roster.stocks.source.clone()),
        measure: Some(roster.stocks.measure.clone()),
        nationality: Some(origin.to_owned()),
        to: Some(format!("{year:04}")),
        ..Default::default()
    };
    let rows = store.sums(&filter, true).await?;
    let latest = rows
        .iter()
        .filter(|r| r.period.len() == 4)
        .map(|r| r.period.clone())
        .max();
    let mut stocks = BTreeMap::new();
    for r in rows
        .into_iter()
        .filter(|r| Some(&r.period) == latest.as_ref())
    {
        *stocks.entry(r.reporting).or_insert(0.0) += r.value;
    }
    Ok(stocks)
}

async fn flow_series(
    store: &Store,
    flow: &WatchedFlow,
    to: Option<Period>,
    with_total: bool,
) -> Result<Vec<MonthlySeries>> {
    let filter = SeriesFilter {
        reporting: Some(flow.reporting.clone()),
        source: Some(flow.source.clone()),
        measure: Some(flow.measure.clone()),
        breakdown: Some("nationality".into()),
        to: to.map(|p| p.to_string()),
        ..Default::default()
    };
    let rows = store.sums(&filter, true).await?;
    let mut by_nationality: BTreeMap<String, HashMap<Period, f64>> = BTreeMap::new();
    let (mut first, mut last): (Option<Period>, Option<Period>) = (None, None);
    for r in rows {
        let Ok(period @ Period::Month(..)) = r.period.parse::<Period>() else {
            continue;
        };
        let Some(nationality) = r.nationality else {
            continue;
        };
        first = Some(first.map_or(period, |f| f.min(period)));
        last = Some(last.map_or(period, |l| l.max(period)));
        *by_nationality
            .entry(nationality)
            .or_default()
            .entry(period)
            .or_insert(0.0) += r.value;
    }
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Vec::new());
    };
    let months = first.distance_to(last).expect("both monthly") as usize + 1;
    let mut total = vec![0.0; months];
    let mut series = Vec::with_capacity(by_nationality.len() + 1);
    for (nationality, values) in by_nationality {
        let mut filled = vec![0.0; months];
        for (period, value) in values {
            let i = first.distance_to(period).expect("monthly") as usize;
            filled[i] = value;
            total[i] += value;
        }
        series.push(
            MonthlySeries::new(flow.reporting.clone(), Some(nationality), first, filled)
                .expect("monthly start"),
        );
    }
    if with_total {
        series.push(
            MonthlySeries::new(flow.reporting.clone(), None, first, total).expect("monthly start"),
        );
    }
    Ok(series)
}
