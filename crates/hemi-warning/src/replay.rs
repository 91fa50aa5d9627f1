//! Replay: what the early-warning system would have said, month by month, had it run
//! in the past with the trigger rules given.
//!
//! # No look-ahead
//! The row for month `m` is computed from `values[..=m]` only: each detector is given
//! the series *cut* at `m` (not merely told to stop reading at `m`), and the rule state
//! (cool-down, detector memory, growth baseline) only looks backwards. The rule state is
//! always run from the first month of the series, so a row does not depend on `from`
//! either. Event ids come from grouping alerts in month order ([`crate::events`]), which
//! only ever attaches an alert to an earlier event, so they obey the same property.
//!
//! # Which detector's numbers a row reports
//! `expected`, `upper` and `score` are Farrington's when its status is `Ok` (it models
//! seasonality and trend and gives a calibrated bound), otherwise EARS C3's when `Ok`
//! (needs only 10 months of history), otherwise none; `reported_by` names the source.
//! Every detector's full assessment is in `detectors` anyway.

use hemi_core::Period;

use rayon::prelude::*;

use crate::events::{alerts_of, group_alerts};
use crate::rules::TriggerRules;
use crate::series::MonthlySeries;
use crate::{all_detectors, Assessment, Status};

/// One month of one series, as the system would have seen it then.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRow {
    /// The month assessed.
    pub month: Period,
    /// Reporting country.
    pub reporting: String,
    /// Nationality; `None` for a total.
    pub nationality: Option<String>,
    /// Count in `month`.
    pub value: f64,
    /// Expected count (see the module documentation for the source).
    pub expected: Option<f64>,
    /// Upper bound on the count scale.
    pub upper: Option<f64>,
    /// Detector score.
    pub score: Option<f64>,
    /// Detector that `expected`, `upper` and `score` come from.
    pub reported_by: Option<&'static str>,
    /// The rule-level alert (see [`crate::rules`]).
    pub alarm: bool,
    /// Every detector's assessment of this month, in [`all_detectors`] order.
    pub detectors: Vec<(&'static str, Assessment)>,
    /// The event this alert belongs to (alerts only).
    pub event_id: Option<String>,
}

/// Replays every series over `from..=to` (months a series does not cover are skipped)
/// and links alerts to events. Rows are in input-series order, then month order.
pub fn replay(
    series: &[MonthlySeries],
    from: Period,
    to: Period,
    rules: &TriggerRules,
) -> Vec<ReplayRow> {
    // Run from each series' first month so that rule state and event ids do not depend
    // on `from`; keep only the requested months at the end.
    // Series are independent until events are formed, so they are replayed in parallel.
    let mut rows: Vec<ReplayRow> = series
        .par_iter()
        .flat_map_iter(|s| replay_series(s, to, rules))
        .collect();
    let events = group_alerts(&alerts_of(&rows), rules.event_window_months);
    for event in &events {
        for alert in &event.alerts {
            if let Some(row) = rows.iter_mut().find(|r| {
                r.month == alert.month
                    && r.reporting == alert.reporting
                    && r.nationality == alert.nationality
            }) {
                row.event_id = Some(event.id.clone());
            }
        }
    }
    rows.retain(|r| r.month >= from);
    rows
}

/// Rows of one series from its first month to `to` (or its end), without event ids.
pub fn replay_series(series: &MonthlySeries, to: Period, rules: &TriggerRules) -> Vec<ReplayRow> {
    let detectors = all_detectors();
    let n = series.known_len(to);
    let mut rows: Vec<ReplayRow> = Vec::with_capacity(n);
    // Indices (into `detectors`) of the detectors the rules count.
    let counted: Vec<usize> = (0..detectors.len())
        .filter(|&i| rules.detectors.iter().any(|d| d == detectors[i].name()))
        .collect();
    let mut last_alarm: Option<usize> = None;
    // Each detector's assessment of every month; `assess_all` assesses month t from
    // values[..=t] only (the Detector contract), so this is still month-by-month.
    let assessed: Vec<Vec<Assessment>> = detectors
        .iter()
        .map(|d| d.assess_all(&series.values[..n]))
        .collect();
    for t in 0..n {
        let known = &series.values[..=t];
        let assessments: Vec<(&'static str, Assessment)> = detectors
            .iter()
            .zip(&assessed)
            .map(|(d, a)| (d.name(), a[t].clone()))
            .collect();
        let value = known[t];
        let (reported_by, expected, upper, score) = ["farrington", "ears_c3"]
            .iter()
            .find_map(|name| {
                let (n, a) = assessments.iter().find(|(n, _)| n == name)?;
                (a.status == Status::Ok).then_some((Some(*n), a.expected, a.upper, a.score))
            })
            .unwrap_or((None, None, None, None));
        rows.push(ReplayRow {
            month: series.period_at(t),
            reporting: series.reporting.clone(),
            nationality: series.nationality.clone(),
            value,
            expected,
            upper,
            score,
            reported_by,
            alarm: false,
            detectors: assessments,
            event_id: None,
        });
        let condition = rule_condition(&rows, known, &counted, rules);
        let continuing = t > 0 && rows[t - 1].alarm;
        let cooled = last_alarm.is_none_or(|l| t - l > rules.cooldown_months);
        let alarm = condition && (continuing || cooled);
        if alarm {
            last_alarm = Some(t);
        }
        rows[t].alarm = alarm;
    }
    rows
}

/// Conditions 1-3 of [`crate::rules`] for the last row, from earlier rows and values.
fn rule_condition(
    rows: &[ReplayRow],
    known: &[f64],
    counted: &[usize],
    rules: &TriggerRules,
) -> bool {
    let t = known.len() - 1;
    let value = known[t];
    if value < rules.min_count || t < rules.growth_window {
        return false;
    }
    let grew = |k: usize| {
        let baseline =
            known[k - rules.growth_window..k].iter().sum::<f64>() / rules.growth_window as f64;
        if baseline > 0.0 {
            known[k] / baseline >= rules.min_growth
        } else {
            known[k] > 0.0
        }
    };
    let earliest = t
        .saturating_sub(rules.growth_memory_months)
        .max(rules.growth_window);
    if !(earliest..=t).any(grew) {
        return false;
    }
    let first = t.saturating_sub(rules.detector_memory_months);
    let alarming = counted
        .iter()
        .filter(|&&d| rows[first..=t].iter().any(|r| r.detectors[d].1.alarm))
        .count();
    alarming >= rules.min_detectors
}
