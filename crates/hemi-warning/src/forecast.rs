//! One forecast per series and month, with an 80% interval, and a backtest without
//! look-ahead.
//!
//! Methods (every one sees `series.cut_at(as_of)` only; all but the corridor work on
//! `log(1 + y)`, where a migration series' month-to-month changes are roughly
//! proportional to its level, and transform back):
//! * `"naive"`: the last value;
//! * `"ets"`: `augurs-ets` `AutoETS` (a Rust port of statsforecast's AutoETS, Hyndman
//!   & Khandakar 2008) over the non-seasonal additive models by AICc, fitted on the last
//!   `ETS_WINDOW` months (old regimes of a migration series say little about the next
//!   months);
//! * `"theta"`: the standard Theta method (Assimakopoulos & Nikolopoulos 2000) as
//!   Hyndman & Billah (2003) showed it to be: simple exponential smoothing plus half
//!   the slope of a linear trend, with R `forecast::thetaf`'s drift term, on the same
//!   window. SES is fitted here by least squares (golden-section search on alpha,
//!   initial level = first value) because `augurs-ets` does not expose the fitted alpha
//!   that the drift term needs;
//! * `"combination"`: the median of the three points above, per month (forecast
//!   combination, e.g. Petropoulos & Svetunkov 2020 for the M4 median of ETS, theta and
//!   a naive-type method);
//! * `"corridor"`: downstream arrivals projected from an upstream series through
//!   [`crate::corridor`] (offered only where its own backtest beats naive:
//!   [`corridor_qualification`]).
//!
//! # Intervals
//! Every log-scale method's 80% interval is its point plus the empirical
//! [`INTERVAL_QUANTILES`] (R `quantile` type 7) of the series' past `h`-month changes of `log(1+y)`
//! (with fewer than `MIN_CHANGES` of them, the one-month quantiles scaled by `√h`),
//! bounds never negative and never on the wrong side of the point: an interval learnt
//! from the series' own volatility, not from a model's assumptions (ETS's analytic
//! intervals covered 42-44% of outcomes in the check).
//!
//! # The one forecast
//! [`forecast`] returns one forecast per series and month, by [`CHOSEN_METHOD`]. It was
//! fixed by the backtest on origins 2019-12..2021-12, scored on outcomes up to 2021-12
//! only, before any origin of 2022-01..2024-04 was scored (`data/labels/README.md`,
//! "Forecasts"): no other method beat the naive forecast there, so the one forecast is
//! naive with an interval learnt from the series' own past changes.
//!
//! # Backtest
//! For every origin `o` in `from..=to` and every series whose mean over the 12 months
//! up to `o` is at least `min_mean_level` (a choice made from data `<= o` only), each
//! method forecasts `o+1..=o+horizon` from data `<= o`; an error is scaled by the mean
//! absolute one-step change of the data `<= o` (MASE, Hyndman & Koehler 2006,
//! *Int. J. Forecasting* 22:679–688), and so is the 80% interval score (Winkler 1972;
//! Gneiting & Raftery 2007: width plus `2/α` times the distance of a miss, α = 0.2).
//! Figures are pooled over series and origins, per horizon and over all horizons.

use augurs_core::{Fit, Predict};
use augurs_ets::AutoETS;
use hemi_core::Period;

use crate::corridor::{fit_corridor, project, quantile, CorridorParams};
use crate::series::MonthlySeries;

/// Fewest past `h`-month changes for an `h`-specific interval.
pub const MIN_CHANGES: usize = 8;
/// Months the ETS and theta models are fitted on.
pub const ETS_WINDOW: usize = 36;
/// Fewest months an ETS or theta model is fitted on.
pub const ETS_MIN_MONTHS: usize = 12;
/// The method of the one forecast per series and month: the lowest pooled MASE on the
/// selection origins 2019-12..2021-12 (outcomes up to 2021-12), horizons 1-6, series
/// averaging at least 500 a month: naive 1.000, combination 1.017, theta 1.059,
/// selected 1.060, ETS 1.082 (× naive). Fixed before any later origin was scored.
pub const CHOSEN_METHOD: Method = Method::Naive;
/// Past origins whose errors choose the method of [`Method::Selected`].
pub const SELECTION_ORIGINS: usize = 12;
/// Quantile levels of the past `h`-month changes that bound the 80% interval. The
/// 10%/90% quantiles covered 73% of outcomes on the selection origins (a series' past
/// changes understate what comes next); 7.5%/92.5% covered 77%, chosen there
/// (5%/95%: 82%, at a much worse interval score).
pub const INTERVAL_QUANTILES: (f64, f64) = (0.075, 0.925);

/// One forecast month.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ForecastRow {
    /// Month forecast.
    pub month: Period,
    /// Point forecast.
    pub point: f64,
    /// 10% bound.
    pub lower80: f64,
    /// 90% bound.
    pub upper80: f64,
    /// Method name (see [`Method::name`]).
    pub method: &'static str,
}

/// Forecast methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Last value.
    Naive,
    /// AutoETS on `log(1 + y)`.
    Ets,
    /// Theta on `log(1 + y)`.
    Theta,
    /// Median of naive, ETS and theta.
    Combination,
    /// Per series and origin, whichever of naive, ETS, theta and combination had the
    /// lowest scaled error over the previous `SELECTION_ORIGINS` origins (outcomes up
    /// to the origin only).
    Selected,
    /// Projection from an upstream series.
    Corridor,
}

impl Method {
    /// The single-series methods, in report order.
    pub const SINGLE: [Method; 5] = [
        Method::Naive,
        Method::Ets,
        Method::Theta,
        Method::Combination,
        Method::Selected,
    ];

    /// Name used in rows.
    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::Ets => "ets",
            Method::Theta => "theta",
            Method::Combination => "combination",
            Method::Selected => "selected",
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

fn unlog(z: f64) -> f64 {
    (z.exp() - 1.0).max(0.0)
}

/// 10% and 90% quantiles of the past `h`-month changes of `log(1 + y)`, per horizon.
fn change_quantiles(known: &[f64], horizon: usize) -> Vec<(f64, f64)> {
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
            let (ql, qh) = INTERVAL_QUANTILES;
            if c.len() >= MIN_CHANGES {
                (quantile(&c, ql), quantile(&c, qh))
            } else if !one.is_empty() {
                let s = (h as f64).sqrt();
                (quantile(&one, ql) * s, quantile(&one, qh) * s)
            } else {
                (0.0, 0.0)
            }
        })
        .collect()
}

/// Log-scale points to rows: point, and the empirical interval around it.
fn with_interval(known: &[f64], log_points: &[f64]) -> Vec<(f64, f64, f64)> {
    change_quantiles(known, log_points.len())
        .into_iter()
        .zip(log_points)
        .map(|((lo, hi), &z)| {
            // The naive point is the last value exactly, not its log round trip.
            let last = known[known.len() - 1];
            let point = if z == log1(last) { last } else { unlog(z) };
            (point, unlog(z + lo).min(point), unlog(z + hi).max(point))
        })
        .collect()
}

fn window(known: &[f64]) -> Vec<f64> {
    known[known.len().saturating_sub(ETS_WINDOW)..]
        .iter()
        .map(|&y| log1(y))
        .collect()
}

fn naive_log(known: &[f64], horizon: usize) -> Vec<f64> {
    vec![log1(*known.last().expect("non-empty")); horizon]
}

fn ets_log(known: &[f64], horizon: usize) -> Result<Vec<f64>, ForecastError> {
    let data = window(known);
    let fitted = AutoETS::non_seasonal()
        .fit(&data)
        .map_err(|e| ForecastError::Ets(e.to_string()))?;
    let f = fitted
        .predict(horizon, None)
        .map_err(|e| ForecastError::Ets(e.to_string()))?;
    if f.point.iter().any(|x| !x.is_finite()) {
        return Err(ForecastError::Ets("non-finite forecast".into()));
    }
    Ok(f.point)
}

/// Simple exponential smoothing by least squares: `(alpha, final level)`.
fn ses(z: &[f64]) -> (f64, f64) {
    let run = |alpha: f64| -> (f64, f64) {
        let mut level = z[0];
        let mut sse = 0.0;
        for &x in &z[1..] {
            let e = x - level;
            sse += e * e;
            level += alpha * e;
        }
        (sse, level)
    };
    // Golden-section search on [0.0001, 0.9999] (SSE is unimodal in alpha in practice;
    // R's ses searches the same interval).
    let (mut a, mut b) = (1e-4, 0.9999);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let (mut c, mut d) = (b - g * (b - a), a + g * (b - a));
    for _ in 0..60 {
        if run(c).0 < run(d).0 {
            b = d;
        } else {
            a = c;
        }
        c = b - g * (b - a);
        d = a + g * (b - a);
    }
    let alpha = (a + b) / 2.0;
    (alpha, run(alpha).1)
}

fn theta_log(known: &[f64], horizon: usize) -> Vec<f64> {
    let z = window(known);
    let n = z.len() as f64;
    // OLS slope of z on 1..n.
    let tm = (n + 1.0) / 2.0;
    let zm = z.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, &x) in z.iter().enumerate() {
        let t = i as f64 + 1.0 - tm;
        sxy += t * (x - zm);
        sxx += t * t;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let (alpha, level) = ses(&z);
    // forecast::thetaf: SES forecast + b/2 * (0:(h-1) + 1/alpha - (1-alpha)^n/alpha).
    (0..horizon)
        .map(|i| level + slope / 2.0 * (i as f64 + 1.0 / alpha - (1.0 - alpha).powf(n) / alpha))
        .collect()
}

/// Log-scale points of naive, ETS, theta and their median, from one ETS fit.
fn components(v: &[f64], horizon: usize) -> [Vec<f64>; 4] {
    let (n, t) = (naive_log(v, horizon), theta_log(v, horizon));
    // Without an ETS fit the median of three is the mean of the other two, and the
    // ETS point falls back to naive.
    let e = ets_log(v, horizon).ok();
    let c: Vec<f64> = match &e {
        Some(e) => (0..horizon).map(|i| median3(n[i], e[i], t[i])).collect(),
        None => (0..horizon).map(|i| (n[i] + t[i]) / 2.0).collect(),
    };
    [n.clone(), e.unwrap_or(n), t, c]
}

/// Index (naive, ETS, theta, combination) with the lowest scaled absolute error over
/// forecasts from the `SELECTION_ORIGINS` origins before the end of `v`, outcomes
/// inside `v` only; naive when nothing can be scored.
fn select_component(v: &[f64], horizon: usize) -> usize {
    let n = v.len();
    let scale = mase_scale(v);
    let mut err = [0.0f64; 4];
    let mut scored = 0;
    for back in 1..=SELECTION_ORIGINS {
        if n < ETS_MIN_MONTHS + back {
            break;
        }
        let o = n - back; // forecasts from v[..o]
        let h = horizon.min(back);
        let points = components(&v[..o], h);
        for (k, p) in points.iter().enumerate() {
            for (i, z) in p.iter().enumerate() {
                err[k] += (v[o + i] - unlog(*z)).abs() / scale.max(1e-9);
            }
        }
        scored += 1;
    }
    if scored == 0 {
        return 0;
    }
    (0..4)
        .min_by(|&a, &b| err[a].total_cmp(&err[b]))
        .unwrap_or(0)
}

fn median3(a: f64, b: f64, c: f64) -> f64 {
    a.max(b.min(c)).min(b.max(c))
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
    let v = &known.values;
    let needed = match method {
        Method::Naive => 2,
        Method::Corridor => 1,
        _ => ETS_MIN_MONTHS,
    };
    if v.len() < needed {
        return Err(too_short(needed));
    }
    let values: Vec<(f64, f64, f64)> = match method {
        Method::Naive => with_interval(v, &naive_log(v, horizon)),
        Method::Ets => with_interval(v, &ets_log(v, horizon)?),
        Method::Theta => with_interval(v, &theta_log(v, horizon)),
        Method::Combination => {
            let [_, _, _, c] = components(v, horizon);
            with_interval(v, &c)
        }
        Method::Selected => {
            let k = select_component(v, horizon);
            let points = components(v, horizon);
            with_interval(v, &points[k])
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

/// The one forecast of `series` for the `horizon` months after `as_of`, by
/// [`CHOSEN_METHOD`], falling back to naive when the series is too short for it.
pub fn forecast(
    series: &MonthlySeries,
    as_of: Period,
    horizon: usize,
) -> Result<Vec<ForecastRow>, ForecastError> {
    forecast_with(series, None, as_of, horizon, CHOSEN_METHOD)
        .or_else(|_| forecast_with(series, None, as_of, horizon, Method::Naive))
}

/// A series to backtest, with its upstream series for the corridor method.
#[derive(Debug, Clone)]
pub struct BacktestSeries {
    /// The series forecast.
    pub series: MonthlySeries,
    /// Upstream series (same nationality, upstream country), if any.
    pub upstream: Option<MonthlySeries>,
}

/// Which origins and series a backtest scores.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct BacktestSpec {
    /// First origin.
    pub from: Period,
    /// Last origin.
    pub to: Period,
    /// Months ahead, 1..=horizon.
    pub horizon: usize,
    /// A series enters at an origin when its mean over the 12 months up to the origin
    /// is at least this (500 in the issue).
    pub min_mean_level: f64,
    /// Only outcomes up to this month are scored (`None`: all known). The method
    /// selection uses `Some(2021-12)` so that no outcome of the test period is seen.
    pub outcomes_until: Option<Period>,
}

impl BacktestSpec {
    /// The method selection: origins 2019-12..2021-12, outcomes up to 2021-12,
    /// horizons 1-6, series averaging at least 500 a month.
    pub const SELECTION: BacktestSpec = BacktestSpec {
        from: Period::Month(2019, 12),
        to: Period::Month(2021, 12),
        horizon: 6,
        min_mean_level: 500.0,
        outcomes_until: Some(Period::Month(2021, 12)),
    };
    /// The out-of-sample test: origins 2022-01..2024-04, every known outcome.
    pub const TEST: BacktestSpec = BacktestSpec {
        from: Period::Month(2022, 1),
        to: Period::Month(2024, 4),
        horizon: 6,
        min_mean_level: 500.0,
        outcomes_until: None,
    };
}

/// Scores at one horizon (or pooled).
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize)]
pub struct HorizonScores {
    /// Months ahead (0 = all horizons pooled).
    pub horizon: usize,
    /// Forecasts scored.
    pub forecasts: usize,
    /// Mean absolute scaled error.
    pub mase: f64,
    /// Share of outcomes inside the 80% interval.
    pub coverage80: f64,
    /// Mean scaled 80% interval (Winkler) score.
    pub interval_score80: f64,
}

/// Backtest figures of one method.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BacktestRow {
    /// Method name.
    pub method: &'static str,
    /// Series with at least one forecast scored.
    pub series_count: usize,
    /// All horizons pooled.
    pub pooled: HorizonScores,
    /// Per horizon 1..=horizon.
    pub by_horizon: Vec<HorizonScores>,
}

impl BacktestRow {
    /// Mean MASE (pooled).
    pub fn mase(&self) -> f64 {
        self.pooled.mase
    }
}

#[derive(Default, Clone)]
struct Acc {
    n: usize,
    scaled: f64,
    covered: usize,
    interval: f64,
}

impl Acc {
    fn add(&mut self, actual: f64, r: &ForecastRow, scale: f64) {
        self.n += 1;
        self.scaled += (actual - r.point).abs() / scale;
        self.covered += usize::from(actual >= r.lower80 && actual <= r.upper80);
        let alpha = 0.2;
        let miss = if actual < r.lower80 {
            r.lower80 - actual
        } else if actual > r.upper80 {
            actual - r.upper80
        } else {
            0.0
        };
        self.interval += (r.upper80 - r.lower80 + 2.0 / alpha * miss) / scale;
    }
    fn scores(&self, horizon: usize) -> HorizonScores {
        let n = self.n.max(1) as f64;
        HorizonScores {
            horizon,
            forecasts: self.n,
            mase: self.scaled / n,
            coverage80: self.covered as f64 / n,
            interval_score80: self.interval / n,
        }
    }
}

/// Mean absolute one-step change of `v` (the MASE scale), 0 with fewer than 2 values.
pub fn mase_scale(v: &[f64]) -> f64 {
    if v.len() < 2 {
        0.0
    } else {
        v.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / (v.len() - 1) as f64
    }
}

/// Whether `series` enters the backtest at `origin` (mean of the 12 months up to it).
pub fn enters(series: &MonthlySeries, origin: Period, min_mean_level: f64) -> bool {
    let known = series.cut_at(origin);
    let v = &known.values;
    v.len() >= 12 && known.end() == Some(origin) && {
        let last: &[f64] = &v[v.len() - 12..];
        last.iter().sum::<f64>() / 12.0 >= min_mean_level
    }
}

/// Backtests `methods` over the origins of `spec` (see the module documentation);
/// `progress(done, total)` counts origins.
pub fn backtest(
    set: &[BacktestSeries],
    spec: &BacktestSpec,
    methods: &[Method],
    progress: &dyn Fn(u64, u64),
) -> Vec<BacktestRow> {
    let origins: Vec<Period> = {
        let mut o = Vec::new();
        let mut m = spec.from;
        while m <= spec.to {
            o.push(m);
            m = m.offset(1);
        }
        o
    };
    let mut pooled = vec![Acc::default(); methods.len()];
    let mut by_h = vec![vec![Acc::default(); spec.horizon]; methods.len()];
    let mut scored = vec![vec![false; set.len()]; methods.len()];
    for (k, &origin) in origins.iter().enumerate() {
        for (si, item) in set.iter().enumerate() {
            let s = &item.series;
            if !enters(s, origin, spec.min_mean_level) {
                continue;
            }
            let known = s.cut_at(origin);
            let scale = mase_scale(&known.values);
            if scale <= 0.0 {
                continue;
            }
            // Forecasts see only `known` (and the upstream cut at the origin).
            let upstream = item.upstream.as_ref().map(|u| u.cut_at(origin));
            for (mi, &method) in methods.iter().enumerate() {
                let Ok(rows) =
                    forecast_with(&known, upstream.as_ref(), origin, spec.horizon, method)
                else {
                    continue;
                };
                for (h, r) in rows.iter().enumerate() {
                    if spec.outcomes_until.is_some_and(|u| r.month > u) {
                        continue;
                    }
                    if let Some(actual) = s.value_at(r.month) {
                        scored[mi][si] = true;
                        pooled[mi].add(actual, r, scale);
                        by_h[mi][h].add(actual, r, scale);
                    }
                }
            }
        }
        progress(k as u64 + 1, origins.len() as u64);
    }
    methods
        .iter()
        .enumerate()
        .filter(|(mi, _)| pooled[*mi].n > 0)
        .map(|(mi, m)| BacktestRow {
            method: m.name(),
            series_count: scored[mi].iter().filter(|x| **x).count(),
            pooled: pooled[mi].scores(0),
            by_horizon: by_h[mi]
                .iter()
                .enumerate()
                .map(|(h, a)| a.scores(h + 1))
                .collect(),
        })
        .collect()
}

/// A corridor's own backtest against naive.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CorridorBacktest {
    /// Upstream series key (e.g. `PAN/HTI`).
    pub upstream: String,
    /// Downstream series key (e.g. `USA/HTI`).
    pub downstream: String,
    /// Corridor figures.
    pub corridor: HorizonScores,
    /// Naive figures on the same forecasts.
    pub naive: HorizonScores,
    /// Whether the corridor projection is offered: its MASE is below naive's.
    pub qualifies: bool,
}

/// Which corridors beat naive in their own backtest over origins `from..=to`, outcomes
/// up to `outcomes_until` (use origins and outcomes before the month the projection is
/// shown for: nothing after it is read). Only months where both methods forecast are
/// scored, so the comparison is like for like.
pub fn corridor_qualification(
    set: &[BacktestSeries],
    from: Period,
    to: Period,
    outcomes_until: Period,
    horizon: usize,
) -> Vec<CorridorBacktest> {
    let mut out = Vec::new();
    for item in set {
        let Some(up) = &item.upstream else { continue };
        let s = &item.series;
        let (mut c, mut n) = (Acc::default(), Acc::default());
        let mut origin = from;
        while origin <= to {
            let known = s.cut_at(origin);
            let scale = mase_scale(&known.values);
            let upstream = up.cut_at(origin);
            if scale > 0.0 {
                if let (Ok(cr), Ok(nr)) = (
                    forecast_with(&known, Some(&upstream), origin, horizon, Method::Corridor),
                    forecast_with(&known, None, origin, horizon, Method::Naive),
                ) {
                    for (a, b) in cr.iter().zip(&nr) {
                        if a.month > outcomes_until {
                            continue;
                        }
                        if let Some(actual) = s.value_at(a.month) {
                            c.add(actual, a, scale);
                            n.add(actual, b, scale);
                        }
                    }
                }
            }
            origin = origin.offset(1);
        }
        if c.n == 0 {
            continue;
        }
        let (corridor, naive) = (c.scores(0), n.scores(0));
        out.push(CorridorBacktest {
            upstream: up.key(),
            downstream: s.key(),
            qualifies: corridor.mase < naive.mase,
            corridor,
            naive,
        });
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
        let b = forecast_with(&s(poisoned.clone()), None, as_of, 4, Method::Ets).unwrap();
        assert_eq!(a, b);
        for m in Method::SINGLE {
            let a = forecast_with(&full, None, as_of, 4, m).unwrap();
            let b = forecast_with(&s(poisoned.clone()), None, as_of, 4, m).unwrap();
            assert_eq!(a, b, "{m:?}");
        }
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

#[cfg(test)]
mod theta_tests {
    use super::*;

    #[test]
    fn ses_recovers_a_level_and_theta_follows_a_trend() {
        let flat = vec![5.0; 20];
        let (_, level) = ses(&flat);
        assert!((level - 5.0).abs() < 1e-12);
        // A straight line: theta's drift is half the slope per step beyond the
        // SES level, which itself lags the line.
        let line: Vec<f64> = (0..30)
            .map(|i| (1.0 + 100.0 * (i as f64 + 1.0)).ln())
            .collect();
        let raw: Vec<f64> = line.iter().map(|z| z.exp() - 1.0).collect();
        let f = theta_log(&raw, 3);
        assert!(f[1] > f[0] && f[2] > f[1], "{f:?}");
        assert_eq!(median3(3.0, 1.0, 2.0), 2.0);
        assert_eq!(median3(1.0, 2.0, 3.0), 2.0);
    }

    #[test]
    fn interval_score_and_coverage_accumulate() {
        let mut a = Acc::default();
        let r = ForecastRow {
            month: Period::Month(2022, 1),
            point: 10.0,
            lower80: 8.0,
            upper80: 12.0,
            method: "naive",
        };
        a.add(11.0, &r, 2.0); // inside: width 4 / 2
        a.add(14.0, &r, 2.0); // 2 above: (4 + 10 * 2) / 2
        let s = a.scores(1);
        assert_eq!((s.forecasts, s.coverage80), (2, 0.5));
        assert!((s.mase - (0.5 + 2.0) / 2.0).abs() < 1e-12);
        assert!((s.interval_score80 - (2.0 + 12.0) / 2.0).abs() < 1e-12);
    }
}
