//! Corridors: how long people of one nationality take from an upstream count (e.g. the
//! Darién, PAN) to a downstream one (HND, MEX, USA), and how many arrive downstream.
//!
//! Everything here uses data at months `<= as_of` only.
//!
//! # Lead time
//! For each lag `L` in `0..=max_lag`, the Pearson correlation between the month-on-month
//! log changes `Δ log(1 + y)` of the upstream series at `t − L` and of the downstream
//! series at `t`, over the months `t` of the last `lag_window_months` months up to
//! `as_of`. Changes, not levels, are correlated: two series that both trend upwards
//! correlate at every lag in levels, but only the true delay lines up their month-to-
//! month jumps (the classic pre-whitening argument for cross-correlation, Box & Jenkins
//! 1976 §11.1; differencing is the simplest pre-whitening). `log(1 + y)` makes a jump
//! from 1,000 to 2,000 weigh like one from 10,000 to 20,000 and tolerates zeros. The lag
//! with the largest correlation wins (ties go to the shorter lag); at least
//! `min_pairs` month pairs are required.
//!
//! # Projection
//! The ratio `down(t) / up(t − L)` over the last `ratio_window_months` months (those with
//! `up(t − L) > 0`) measures which share of the upstream flow shows up downstream `L`
//! months later. Expected arrivals at `t` are the median ratio times `up(t − L)`; the
//! 80% interval uses the ratio's empirical 10% and 90% quantiles (R `quantile` type 7).
//! When `t − L` is after `as_of`, the last known upstream value stands in (persistence),
//! so the interval then ignores the upstream's own uncertainty: say so when reporting.

use hemi_core::Period;

use crate::series::MonthlySeries;

/// Settings of the corridor estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct CorridorParams {
    /// Largest lag considered, months.
    pub max_lag: usize,
    /// Months (up to `as_of`) whose changes enter the correlation.
    pub lag_window_months: usize,
    /// Minimum number of month pairs for a correlation.
    pub min_pairs: usize,
    /// Months (up to `as_of`) whose ratios enter the projection.
    pub ratio_window_months: usize,
}

impl Default for CorridorParams {
    /// Lags 0-6 (the Darién to the US border takes weeks to a few months, IOM/UNHCR
    /// route monitoring); one year of changes and of ratios. One year rather than two:
    /// route conditions change from year to year (visa rules, waits in Tapachula), and
    /// a two-year window as of 2021 is dominated by the 2020 border closures, a shock
    /// common to every country in the same month that pulls the estimate to lag 0
    /// whatever the travel time (Haitians PAN -> USA as of 2021-09: lag 0 with 24
    /// months, lag 3 with 12 or 15).
    fn default() -> Self {
        CorridorParams {
            max_lag: 6,
            lag_window_months: 12,
            min_pairs: 8,
            ratio_window_months: 12,
        }
    }
}

/// Estimated lead time.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadTime {
    /// Months from upstream to downstream.
    pub lag: usize,
    /// Correlation of log changes at that lag.
    pub correlation: f64,
    /// Number of month pairs used.
    pub pairs: usize,
    /// Correlation at every lag `0..=max_lag` (`None`: too few pairs).
    pub by_lag: Vec<Option<f64>>,
}

/// A fitted corridor: lag and arrival ratio.
#[derive(Debug, Clone, PartialEq)]
pub struct CorridorModel {
    /// Upstream reporting country.
    pub upstream: String,
    /// Downstream reporting country.
    pub downstream: String,
    /// Data used up to this month.
    pub as_of: Period,
    /// Lead time.
    pub lead: LeadTime,
    /// Median of `down(t) / up(t − lag)`.
    pub ratio: f64,
    /// 10% quantile of the ratio.
    pub ratio_low: f64,
    /// 90% quantile of the ratio.
    pub ratio_high: f64,
    /// Ratios used.
    pub ratios_used: usize,
}

/// Expected downstream arrivals in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    /// Month.
    pub month: Period,
    /// Median estimate.
    pub point: f64,
    /// 10% bound.
    pub lower80: f64,
    /// 90% bound.
    pub upper80: f64,
    /// Whether the upstream value used was observed (false: persistence of the last).
    pub upstream_observed: bool,
}

fn log_change(s: &MonthlySeries, t: Period) -> Option<f64> {
    Some((1.0 + s.value_at(t)?).ln() - (1.0 + s.value_at(t.offset(-1))?).ln())
}

fn pearson(pairs: &[(f64, f64)]) -> Option<f64> {
    let n = pairs.len() as f64;
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// R `quantile(x, p, type = 7)` of a non-empty sample.
pub(crate) fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Lead time from `upstream` to `downstream` using months `<= as_of` only.
pub fn lead_time(
    upstream: &MonthlySeries,
    downstream: &MonthlySeries,
    as_of: Period,
    params: &CorridorParams,
) -> Option<LeadTime> {
    let (up, down) = (upstream.cut_at(as_of), downstream.cut_at(as_of));
    let months: Vec<Period> = (0..params.lag_window_months as i32)
        .rev()
        .map(|k| as_of.offset(-k))
        .collect();
    let mut best: Option<LeadTime> = None;
    let mut by_lag = Vec::new();
    for lag in 0..=params.max_lag {
        let pairs: Vec<(f64, f64)> = months
            .iter()
            .filter_map(|&t| {
                Some((
                    log_change(&up, t.offset(-(lag as i32)))?,
                    log_change(&down, t)?,
                ))
            })
            .collect();
        let r = if pairs.len() >= params.min_pairs {
            pearson(&pairs)
        } else {
            None
        };
        by_lag.push(r);
        if let Some(r) = r {
            if best.as_ref().is_none_or(|b| r > b.correlation) {
                best = Some(LeadTime {
                    lag,
                    correlation: r,
                    pairs: pairs.len(),
                    by_lag: vec![],
                });
            }
        }
    }
    best.map(|b| LeadTime { by_lag, ..b })
}

/// Lead time and arrival ratio from `upstream` to `downstream` as of `as_of`.
pub fn fit_corridor(
    upstream: &MonthlySeries,
    downstream: &MonthlySeries,
    as_of: Period,
    params: &CorridorParams,
) -> Option<CorridorModel> {
    let lead = lead_time(upstream, downstream, as_of, params)?;
    let (up, down) = (upstream.cut_at(as_of), downstream.cut_at(as_of));
    let mut ratios: Vec<f64> = (0..params.ratio_window_months as i32)
        .filter_map(|k| {
            let t = as_of.offset(-k);
            let u = up.value_at(t.offset(-(lead.lag as i32)))?;
            (u > 0.0).then_some(down.value_at(t)? / u)
        })
        .collect();
    if ratios.is_empty() {
        return None;
    }
    ratios.sort_by(f64::total_cmp);
    Some(CorridorModel {
        upstream: upstream.reporting.clone(),
        downstream: downstream.reporting.clone(),
        as_of,
        ratio: quantile(&ratios, 0.5),
        ratio_low: quantile(&ratios, 0.1),
        ratio_high: quantile(&ratios, 0.9),
        ratios_used: ratios.len(),
        lead,
    })
}

/// Expected downstream arrivals in the `horizon` months after `from` (an upstream
/// alert month, or `as_of` for a forecast), from upstream values known at `model.as_of`.
pub fn project(
    model: &CorridorModel,
    upstream: &MonthlySeries,
    from: Period,
    horizon: usize,
) -> Vec<Projection> {
    let known = upstream.cut_at(model.as_of);
    let last = known.end().and_then(|e| known.value_at(e));
    (1..=horizon as i32)
        .filter_map(|k| {
            let month = from.offset(k);
            let source = month.offset(-(model.lead.lag as i32));
            let (u, observed) = match known.value_at(source) {
                Some(u) => (u, true),
                None if source > model.as_of => (last?, false),
                None => return None,
            };
            Some(Projection {
                month,
                point: model.ratio * u,
                lower80: model.ratio_low * u,
                upper80: model.ratio_high * u,
                upstream_observed: observed,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(rep: &str, values: Vec<f64>) -> MonthlySeries {
        MonthlySeries::new(rep, Some("HTI".into()), Period::Month(2020, 1), values).unwrap()
    }

    #[test]
    fn recovers_a_known_lag_and_ratio() {
        // Downstream = 30% of upstream two months later.
        let up: Vec<f64> = (0..40)
            .map(|i| 1000.0 + 800.0 * ((i * 7 % 11) as f64))
            .collect();
        let down: Vec<f64> = (0..40)
            .map(|i| if i >= 2 { 0.3 * up[i - 2] } else { 100.0 })
            .collect();
        let (up, down) = (s("PAN", up), s("USA", down));
        let as_of = Period::Month(2022, 12);
        let m = fit_corridor(&up, &down, as_of, &CorridorParams::default()).unwrap();
        assert_eq!(m.lead.lag, 2);
        assert!((m.ratio - 0.3).abs() < 1e-12 && (m.ratio_high - 0.3).abs() < 1e-12);
        let p = project(&m, &up, as_of, 3);
        assert_eq!(p.len(), 3);
        assert!(p[0].upstream_observed && p[1].upstream_observed && !p[2].upstream_observed);
        assert!((p[0].point - 0.3 * up.value_at(Period::Month(2022, 11)).unwrap()).abs() < 1e-9);
    }

    #[test]
    fn quantile_type_7() {
        let x = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile(&x, 0.5), 3.0);
        assert!((quantile(&x, 0.9) - 7.6).abs() < 1e-12);
    }
}
