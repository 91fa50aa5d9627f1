//! Replay: what the early-warning system would have said, month by month, had it run
//! in the past with the trigger rules given.
//!
//! # Two stages
//! [`assess`] runs every detector on every month of every series (the expensive part,
//! parallel over series); [`apply_rules`] turns those assessments into alerts under one
//! set of rules (cheap). The evaluation protocol ([`crate::protocol`]) scores many rule
//! candidates on one assessment. [`replay`] does both and links alerts to events.
//!
//! # No look-ahead
//! The row for month `m` is computed from `values[..=m]` only: each detector assesses
//! month `t` from `values[..=t]` (the [`crate::Detector`] contract, tested on real series),
//! and the rule state (persistence, cool-down, detector memory, growth baseline) only
//! looks backwards. The rule state is always run from the first month of the series, so
//! a row does not depend on `from` either. Event ids come from grouping alerts in month
//! order ([`crate::events`]), which only ever attaches an alert to an earlier event, so
//! they obey the same property.
//!
//! # Which detector's numbers a row reports
//! On an alert row, `expected`, `upper` and `score` are those of the detector that
//! decided the alert (the first detector of the rules' list alarming that month, see
//! [`crate::rules`]), and `reported_by` names it: the row never shows one detector's
//! bound beside another's alarm. On other rows they are those of the first detector of
//! the rules' list whose assessment is `Ok`. Every detector's full assessment is in
//! `detectors` anyway.

use hemi_core::Period;

use rayon::prelude::*;

use crate::events::{alerts_of, group_alerts};
use crate::rules::TriggerRules;
use crate::series::MonthlySeries;
use crate::{all_detectors, Assessment, Status};

/// One month of one series, as the system would have seen it then.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReplayRow {
    /// The month assessed.
    pub month: Period,
    /// Reporting country.
    pub reporting: String,
    /// Nationality; `None` for a total.
    pub nationality: Option<String>,
    /// Count in `month`.
    pub value: f64,
    /// Expected count of the `reported_by` detector.
    pub expected: Option<f64>,
    /// Upper bound of the `reported_by` detector on the count scale (`None` for glrnb,
    /// whose decision is on its statistic).
    pub upper: Option<f64>,
    /// Statistic of the `reported_by` detector.
    pub score: Option<f64>,
    /// Detector that `expected`, `upper` and `score` come from; on an alert row, the
    /// detector that decided the alert.
    pub reported_by: Option<&'static str>,
    /// Mean of the `growth_window` months before `month` (the growth baseline).
    pub growth_baseline: Option<f64>,
    /// The rule-level alert (see [`crate::rules`]).
    pub alarm: bool,
    /// Every detector's assessment of this month, in [`all_detectors`] order.
    pub detectors: Vec<(&'static str, Assessment)>,
    /// The event this alert belongs to (alerts only).
    pub event_id: Option<String>,
}

impl ReplayRow {
    /// `value − expected` of the reporting detector, at least 0 (`None` without an
    /// expected count).
    pub fn people_above_expected(&self) -> Option<f64> {
        self.expected.map(|e| (self.value - e).max(0.0))
    }
}

/// Every detector's assessment of every month of one series, cut at the replay's end.
#[derive(Debug, Clone, PartialEq)]
pub struct AssessedSeries {
    /// The series as known at the replay's last month.
    pub series: MonthlySeries,
    /// `assessments[d][t]`: detector `d` (in [`all_detectors`] order) at month `t`.
    pub assessments: Vec<Vec<Assessment>>,
}

/// Names of [`all_detectors`], in order.
fn detector_names() -> Vec<&'static str> {
    all_detectors().iter().map(|d| d.name()).collect()
}

/// Runs every detector on every month of `series` up to `to`.
pub fn assess_series(series: &MonthlySeries, to: Period) -> AssessedSeries {
    let series = series.cut_at(to);
    // `assess_all` assesses month t from values[..=t] only (the Detector contract).
    let assessments = all_detectors()
        .iter()
        .map(|d| d.assess_all(&series.values))
        .collect();
    AssessedSeries {
        series,
        assessments,
    }
}

/// [`assess_series`] for every series, in parallel; `progress(done, total)` is called
/// after each series (from worker threads, in no particular order).
pub fn assess(
    series: &[MonthlySeries],
    to: Period,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Vec<AssessedSeries> {
    let total = series.len() as u64;
    let done = std::sync::atomic::AtomicU64::new(0);
    series
        .par_iter()
        .map(|s| {
            let a = assess_series(s, to);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
            a
        })
        .collect()
}

/// Replays every series over `from..=to` (months a series does not cover are skipped)
/// and links alerts to events. Rows are in input-series order, then month order.
pub fn replay(
    series: &[MonthlySeries],
    from: Period,
    to: Period,
    rules: &TriggerRules,
) -> Vec<ReplayRow> {
    replay_assessed(&assess(series, to, &|_, _| {}), from, rules)
}

/// [`replay`] from assessments made by [`assess`].
pub fn replay_assessed(
    assessed: &[AssessedSeries],
    from: Period,
    rules: &TriggerRules,
) -> Vec<ReplayRow> {
    // Run from each series' first month so that rule state and event ids do not depend
    // on `from`; keep only the requested months at the end.
    let mut rows: Vec<ReplayRow> = assessed
        .par_iter()
        .flat_map_iter(|a| apply_rules(a, rules))
        .collect();
    // Ids and membership do not depend on `as_of`; only `closed` does.
    let events = group_alerts(&alerts_of(&rows), &rules.events, Period::Month(9999, 12));
    let mut index = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if r.alarm {
            index.insert((r.month, r.reporting.clone(), r.nationality.clone()), i);
        }
    }
    for event in &events {
        for alert in &event.alerts {
            let key = (
                alert.month,
                alert.reporting.clone(),
                alert.nationality.clone(),
            );
            if let Some(&i) = index.get(&key) {
                rows[i].event_id = Some(event.id.clone());
            }
        }
    }
    rows.retain(|r| r.month >= from);
    rows
}

/// Rows of one series from its first month to `to` (or its end), without event ids.
pub fn replay_series(series: &MonthlySeries, to: Period, rules: &TriggerRules) -> Vec<ReplayRow> {
    apply_rules(&assess_series(series, to), rules)
}

/// Per-month rule decisions of one assessed series, without building rows: `alarm[t]`
/// and the index (into [`all_detectors`]) of the deciding detector. Used by
/// [`apply_rules`] and by the protocol, which scores many rule candidates.
pub fn rule_alarms(assessed: &AssessedSeries, rules: &TriggerRules) -> Vec<Option<usize>> {
    let names = detector_names();
    let values = &assessed.series.values;
    let n = values.len();
    // Indices of the counted detectors, in the rules' order (the decision priority).
    let counted: Vec<usize> = rules
        .detectors
        .iter()
        .filter_map(|d| names.iter().position(|n| n == d))
        .collect();
    let baseline = |k: usize| -> Option<f64> {
        (k >= rules.growth_window).then(|| {
            values[k - rules.growth_window..k].iter().sum::<f64>() / rules.growth_window as f64
        })
    };
    let grew = |k: usize| match baseline(k) {
        Some(b) if b > 0.0 => values[k] / b >= rules.min_growth,
        Some(_) => values[k] > 0.0,
        None => false,
    };
    // conditions[t]: Some(deciding detector) when the conditions hold at t.
    let conditions: Vec<Option<usize>> = (0..n)
        .map(|t| {
            let value = values[t];
            let base = baseline(t)?;
            if value < rules.min_count || value - base < rules.min_excess_people {
                return None;
            }
            let earliest = t
                .saturating_sub(rules.growth_memory_months)
                .max(rules.growth_window);
            if !(earliest..=t).any(grew) {
                return None;
            }
            let first = t.saturating_sub(rules.detector_memory_months);
            let alarming = counted
                .iter()
                .filter(|&&d| (first..=t).any(|k| assessed.assessments[d][k].alarm))
                .count();
            if alarming < rules.min_detectors {
                return None;
            }
            counted
                .iter()
                .copied()
                .find(|&d| assessed.assessments[d][t].alarm)
        })
        .collect();
    let mut out = vec![None; n];
    let mut last_alarm: Option<usize> = None;
    let p = rules.persistence_months.max(1);
    for t in 0..n {
        let Some(decider) = conditions[t] else {
            continue;
        };
        if t + 1 < p || !conditions[t + 1 - p..t].iter().all(Option::is_some) {
            continue;
        }
        let continuing = t > 0 && out[t - 1].is_some();
        let cooled = last_alarm.is_none_or(|l| t - l > rules.cooldown_months);
        if continuing || cooled {
            out[t] = Some(decider);
            last_alarm = Some(t);
        }
    }
    out
}

/// Rows of one assessed series under `rules`, without event ids.
pub fn apply_rules(assessed: &AssessedSeries, rules: &TriggerRules) -> Vec<ReplayRow> {
    let names = detector_names();
    let series = &assessed.series;
    let decisions = rule_alarms(assessed, rules);
    let priority: Vec<usize> = rules
        .detectors
        .iter()
        .filter_map(|d| names.iter().position(|n| n == d))
        .chain(0..names.len())
        .collect();
    (0..series.values.len())
        .map(|t| {
            let shown = decisions[t].or_else(|| {
                priority
                    .iter()
                    .copied()
                    .find(|&d| assessed.assessments[d][t].status == Status::Ok)
            });
            let (expected, upper, score) = match shown {
                Some(d) => {
                    let a = &assessed.assessments[d][t];
                    (a.expected, a.upper, a.score)
                }
                None => (None, None, None),
            };
            let growth_baseline = (t >= rules.growth_window).then(|| {
                series.values[t - rules.growth_window..t]
                    .iter()
                    .sum::<f64>()
                    / rules.growth_window as f64
            });
            ReplayRow {
                month: series.period_at(t),
                reporting: series.reporting.clone(),
                nationality: series.nationality.clone(),
                value: series.values[t],
                expected,
                upper,
                score,
                reported_by: shown.map(|d| names[d]),
                growth_baseline,
                alarm: decisions[t].is_some(),
                detectors: names
                    .iter()
                    .zip(&assessed.assessments)
                    .map(|(n, a)| (*n, a[t].clone()))
                    .collect(),
                event_id: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn assess_reports_progress_and_apply_rules_is_the_replay() {
        let series: Vec<MonthlySeries> = (0..3)
            .map(|k| {
                let values = (0..40)
                    .map(|i| 100.0 + ((i * (k + 3)) % 7) as f64)
                    .collect();
                MonthlySeries::new("PAN", Some(format!("N{k}")), Period::Month(2020, 1), values)
                    .unwrap()
            })
            .collect();
        let to = Period::Month(2022, 12);
        let (calls, last) = (AtomicU64::new(0), AtomicU64::new(0));
        let assessed = assess(&series, to, &|done, total| {
            calls.fetch_add(1, Ordering::Relaxed);
            last.fetch_max(done, Ordering::Relaxed);
            assert_eq!(total, 3);
        });
        assert_eq!((calls.into_inner(), last.into_inner()), (3, 3));
        let text = include_str!("../../../rules/triggers.toml");
        let rules = TriggerRules::parse("rules/triggers.toml", text).unwrap();
        let rows = replay_assessed(&assessed, Period::Month(2020, 1), &rules);
        assert_eq!(rows, replay(&series, Period::Month(2020, 1), to, &rules));
        assert_eq!(rows.len(), 3 * 36);
    }
}
