//! Forecasts of a monthly series with 80% intervals, and a backtest without look-ahead.
//!
//! Methods (every one sees `series.cut_at(as_of)` only):
//! * `"naive"`: the last value; the interval applies the empirical 10% and 90% quantiles
//!   of the series' past `h`-month changes of `log(1 + y)` (R `quantile` type 7) to the
//!   last value, so it is asymmetric and never negative. With fewer than
//!   `MIN_CHANGES` past `h`-month changes, the one-month quantiles are scaled by
//!   `√h` (random-walk growth of the spread).
//! * `"ets"`: `augurs-ets` `AutoETS` (a Rust port of statsforecast's AutoETS, Hyndman
//!   & Khandakar 2008) searching the non-seasonal models `ZZN` by AICc, with
//!   multiplicative trends left out (their intervals need simulation with a random
//!   generator, which this crate does not use); 80% intervals are the analytic ones of
//!   Hyndman et al. (2008, ch. 6), bounds clipped at 0. Fitted on the last
//!   `ETS_WINDOW` months (old regimes of a migration series say little about the
//!   next months).
//! * `"corridor"`: downstream arrivals projected from an upstream series through
//!   [`crate::corridor`] (lag and arrival ratio estimated at `as_of`).
//!
//! # Backtest
//! For every origin `o` in `from..=to` and every series, each method forecasts
//! `o+1..=o+horizon` from data `<= o`; errors are scaled by the in-sample mean absolute
//! one-step naive change of the data `<= o` (MASE, Hyndman & Koehler 2006,
//! *Int. J. Forecasting* 22:679–688), pooled over series, origins and steps.
//! `coverage80` is the share of actual values inside the 80% interval.

use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;
use hemi_core::Period;

use crate::corridor::{fit_corridor, project, quantile, CorridorParams};
use crate::series::MonthlySeries;

/// Fewest past `h`-month changes for an `h`-specific naive interval.
pub const MIN_CHANGES: usize = 8;
/// Months an ETS model is fitted on.
pub const ETS_WINDOW: usize = 36;
/// Fewest months an ETS model is fitted on.
pub const ETS_MIN_MONTHS: usize = 12;

/// One forecast month.
#[derive(Debug, Clone, PartialEq)]
pub struct ForecastRow {
    /// Month forecast.
    pub month: Period,
    /// Point forecast.
    pub point: f64,
    /// 10% bound.
    pub lower80: f64,
    /// 90% bound.
    pub upper80: f64,
    /// `"naive"`, `"ets"` or `"corridor"`.
    pub method: &'static str,
}

/// Forecast methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Last value.
    Naive,
    /// AutoETS.
    Ets,
    /// Projection from an upstream series.
    Corridor,
}

impl Method {
    /// All methods, in report order.
    pub const ALL: [Method; 3] = [Method::Naive, Method::Ets, Method::Corridor];

    /// Name used in rows.
    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::Ets => "ets",
            Method::Corridor => "corridor",
        }
    }
}

/// Why a method gave no forecast.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// Not enough data at `as_of`.
    #[error("{series}: {available} months known at {as_of}, {method} needs {needed}")]
    TooShort {
        /// Series key.
        series: String,
        /// Method name.
        method: &'static str,
        /// Month.
        as_of: Period,
        /// Months known.
        available: usize,
        /// Months needed.
        needed: usize,
    },
    /// The corridor method needs an upstream series.
    #[error("the corridor method needs an upstream series")]
    NoUpstream,
    /// No lead time or ratio could be estimated.
    #[error("no corridor estimate from {upstream} to {downstream} at {as_of}")]
    NoCorridor {
        /// Upstream series key.
        upstream: String,
        /// Downstream series key.
        downstream: String,
        /// Month.
        as_of: Period,
    },
    /// The ETS fit failed.
    #[error("ETS fit failed: {0}")]
    Ets(String),
}

fn log1(y: f64) -> f64 {
    (1.0 + y).ln()
}

fn naive(known: &[f64], horizon: usize) -> Vec<(f64, f64, f64)> {
    let last = *known.last().unwrap();
    let changes = |h: usize| -> Vec<f64> {
        let mut c: Vec<f64> = (h..known.len())
            .map(|t| log1(known[t]) - log1(known[t - h]))
            .collect();
        c.sort_by(f64::total_cmp);
        c
    };
    let one = changes(1);
    (1..=horizon)
        .map(|h| {
            let c = changes(h);
            let (lo, hi) = if c.len() >= MIN_CHANGES {
                (quantile(&c, 0.1), quantile(&c, 0.9))
            } else if !one.is_empty() {
                let s = (h as f64).sqrt();
                (quantile(&one, 0.1) * s, quantile(&one, 0.9) * s)
            } else {
                (0.0, 0.0)
            };
            let bound = |q: f64| ((1.0 + last) * q.exp() - 1.0).max(0.0);
            (last, bound(lo).min(last), bound(hi).max(last))
        })
        .collect()
}

fn ets(known: &[f64], horizon: usize) -> Result<Vec<(f64, f64, f64)>, ForecastError> {
    let data = &known[known.len().saturating_sub(ETS_WINDOW)..];
    let fitted = AutoETS::non_seasonal()
        .fit(data)
        .map_err(|e| ForecastError::Ets(e.to_string()))?;
    let f = fitted
        .predict(horizon, 0.8)
        .map_err(|e| ForecastError::Ets(e.to_string()))?;
    let iv = f
        .intervals
        .ok_or_else(|| ForecastError::Ets("no intervals".into()))?;
    Ok((0..horizon)
        .map(|i| {
            (
                f.point[i].max(0.0),
                iv.lower[i].max(0.0),
                iv.upper[i].max(0.0),
            )
        })
        .collect())
}

/// Forecasts `series` for the `horizon` months after `as_of` with one method, using
/// data `<= as_of` only (`upstream` is needed by [`Method::Corridor`] only).
pub fn forecast_with(
    series: &MonthlySeries,
    upstream: Option<&MonthlySeries>,
    as_of: Period,
    horizon: usize,
    method: Method,
) -> Result<Vec<ForecastRow>, ForecastError> {
    let known = series.cut_at(as_of);
    if known.end() != Some(as_of) {
        // A forecast "as of" a month the series does not reach would silently age.
        return Err(ForecastError::TooShort {
            series: series.key(),
            method: method.name(),
            as_of,
            available: known.values.len(),
            needed: 1,
        });
    }
    let too_short = |needed: usize| ForecastError::TooShort {
        series: series.key(),
        method: method.name(),
        as_of,
        available: known.values.len(),
        needed,
    };
    let values: Vec<(f64, f64, f64)> = match method {
        Method::Naive => {
            if known.values.len() < 2 {
                return Err(too_short(2));
            }
            naive(&known.values, horizon)
        }
        Method::Ets => {
            if known.values.len() < ETS_MIN_MONTHS {
                return Err(too_short(ETS_MIN_MONTHS));
            }
            ets(&known.values, horizon)?
        }
        Method::Corridor => {
            let up = upstream.ok_or(ForecastError::NoUpstream)?;
            let no = || ForecastError::NoCorridor {
                upstream: up.key(),
                downstream: series.key(),
                as_of,
            };
            let model =
                fit_corridor(up, series, as_of, &CorridorParams::default()).ok_or_else(no)?;
            let p = project(&model, up, as_of, horizon);
            if p.len() != horizon {
                return Err(no());
            }
            p.iter().map(|p| (p.point, p.lower80, p.upper80)).collect()
        }
    };
    Ok(values
        .into_iter()
        .enumerate()
        .map(|(i, (point, lower80, upper80))| ForecastRow {
            month: as_of.offset(i as i32 + 1),
            point,
            lower80,
            upper80,
            method: method.name(),
        })
        .collect())
}

/// Forecasts with every method that can run: naive, ets, and corridor when `upstream`
/// is given. Methods that cannot run (too little data) are left out.
pub fn forecast(
    series: &MonthlySeries,
    upstream: Option<&MonthlySeries>,
    as_of: Period,
    horizon: usize,
) -> Vec<ForecastRow> {
    Method::ALL
        .iter()
        .filter(|m| upstream.is_some() || **m != Method::Corridor)
        .filter_map(|m| forecast_with(series, upstream, as_of, horizon, *m).ok())
        .flatten()
        .collect()
}

/// A series to backtest, with its upstream series for the corridor method.
#[derive(Debug, Clone)]
pub struct BacktestSeries {
    /// The series forecast.
    pub series: MonthlySeries,
    /// Upstream series (same nationality, upstream country), if any.
    pub upstream: Option<MonthlySeries>,
}

/// Backtest figures of one method.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestRow {
    /// Method name.
    pub method: &'static str,
    /// Series with at least one forecast scored.
    pub series_count: usize,
    /// Forecast values scored.
    pub forecasts: usize,
    /// Mean absolute scaled error (see the module documentation).
    pub mase: f64,
    /// Share of actual values inside the 80% interval.
    pub coverage80: f64,
}

/// Backtests every method over origins `from..=to` (see the module documentation).
pub fn backtest(
    set: &[BacktestSeries],
    from: Period,
    to: Period,
    horizon: usize,
) -> Vec<BacktestRow> {
    let mut out = Vec::new();
    for method in Method::ALL {
        let (mut series_count, mut n, mut scaled, mut covered) = (0, 0usize, 0.0, 0usize);
        for item in set {
            let s = &item.series;
            let mut scored = false;
            let mut origin = from;
            while origin <= to {
                let known = s.cut_at(origin);
                let v = &known.values;
                let scale = if v.len() >= 2 {
                    v.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (v.len() - 1) as f64
                } else {
                    0.0
                };
                // Forecasts see only `known` (and the upstream cut at the origin).
                let upstream = item.upstream.as_ref().map(|u| u.cut_at(origin));
                if scale > 0.0 {
                    if let Ok(rows) =
                        forecast_with(&known, upstream.as_ref(), origin, horizon, method)
                    {
                        for r in rows {
                            if let Some(actual) = s.value_at(r.month) {
                                scored = true;
                                n += 1;
                                scaled += (actual - r.point).abs() / scale;
                                covered += usize::from(actual >= r.lower80 && actual <= r.upper80);
                            }
                        }
                    }
                }
                origin = origin.offset(1);
            }
            series_count += usize::from(scored);
        }
        if n > 0 {
            out.push(BacktestRow {
                method: method.name(),
                series_count,
                forecasts: n,
                mase: scaled / n as f64,
                coverage80: covered as f64 / n as f64,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(values: Vec<f64>) -> MonthlySeries {
        MonthlySeries::new("MEX", Some("HTI".into()), Period::Month(2021, 1), values).unwrap()
    }

    #[test]
    fn naive_repeats_the_last_value_with_a_widening_interval() {
        let series = s((0..30)
            .map(|i| 100.0 + 10.0 * ((i * 5 % 7) as f64))
            .collect());
        let as_of = Period::Month(2022, 12);
        let rows = forecast_with(&series, None, as_of, 3, Method::Naive).unwrap();
        let last = series.value_at(as_of).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].month, Period::Month(2023, 1));
        for r in &rows {
            assert_eq!(r.point, last);
            assert!(r.lower80 <= r.point && r.point <= r.upper80 && r.lower80 < r.upper80);
        }
    }

    #[test]
    fn ets_runs_and_future_values_are_not_read() {
        let values: Vec<f64> = (0..40)
            .map(|i| 500.0 + 20.0 * i as f64 + 30.0 * ((i * 3 % 5) as f64))
            .collect();
        let full = s(values.clone());
        let as_of = Period::Month(2023, 6);
        let mut poisoned = values;
        for v in poisoned.iter_mut().skip(30) {
            *v = 1e9;
        }
        let a = forecast_with(&full, None, as_of, 4, Method::Ets).unwrap();
        let b = forecast_with(&s(poisoned), None, as_of, 4, Method::Ets).unwrap();
        assert_eq!(a, b);
        assert!(
            a.iter()
                .all(|r| r.lower80 <= r.point && r.point <= r.upper80),
            "{a:?}"
        );
        // An upward trend is extrapolated upward.
        assert!(a[3].point > 500.0 + 20.0 * 29.0 - 60.0, "{a:?}");
    }

    #[test]
    fn as_of_beyond_the_data_is_refused() {
        let series = s(vec![1.0; 20]);
        assert!(forecast_with(&series, None, Period::Month(2030, 1), 2, Method::Naive).is_err());
        assert!(matches!(
            forecast_with(&series, None, Period::Month(2022, 1), 2, Method::Corridor),
            Err(ForecastError::NoUpstream)
        ));
    }
}
