//! Outbreak-style early-warning detectors for monthly migration count series.
//!
//! Three families of detectors, each a port of R package `surveillance` 1.20.3 (the
//! version shipped by Debian 12) and checked against it to 1e-6 relative on real
//! series (see `test_data/` and `tests/it/`):
//!
//! * [`Farrington`]: the improved Farrington method of Noufaily et al. (2013,
//!   *Statistics in Medicine* 32:1206–1222) as computed by `farringtonFlexible` with
//!   `thresholdMethod = "nbPlugin"`;
//! * [`Ears`]: the CDC EARS C1, C2 and C3 charts as computed by `earsC`
//!   (Hutwagner et al. 2003; Fricker et al. 2008);
//! * [`GlrNb`]: the negative-binomial GLR intercept chart of Höhle & Paul (2008,
//!   *CSDA* 52:4357–4368) as computed by `glrnb` (C routine `glr_nb_window`).
//!
//! # Input convention
//! Counts are `&[f64]`, one value per month, oldest first, no gaps: every value must be a
//! finite, non-negative whole number. A month the publisher has no entry for must be
//! filled by the caller *before* calling (with 0 when the table simply lists no cases,
//! e.g. borders closed); a detector never guesses. A `NaN`, negative or fractional value
//! in the part of the series a detector reads yields [`Status::InvalidInput`].
//!
//! # No look-ahead
//! [`Detector::assess`]`(counts, t)` reads only `counts[..=t]`, so
//! `assess(counts, t) == assess(&counts[..=t], t)`; the integration tests check this on
//! real series for every detector and every `t`.
//!
//! # Deliberate deviations from R (all documented at the item concerned)
//! * A design matrix that is rank deficient makes the fit fail ([`Status::Undefined`])
//!   where R would pivot a column out; R errors (`stop`) also map to `Undefined`.
//! * `Farrington` with `b < 3` skips fitting the trend model that R fits and then always
//!   discards (R requires three years of history to keep a trend): identical results.
//! * `glrnb`: only `ret = "value"` (the GLR statistic, in `score`) is ported, with a
//!   fixed, user-given dispersion `alpha`; R's brute-force `ret = "cases"` and its
//!   `glm.nb` estimate of `alpha` are not. `upper` is therefore `None` for GLR.
//! * EARS: R reports no expected value or statistic; we report the baseline mean and
//!   the C1/C2 statistic (C3: sum of the last three `max(0, C2 − 1)`), recomputed
//!   in the fixture script from the same reference values.
//!
//! # From detector alarms to events (no I/O: callers pass series and file texts)
//! * [`series`]: complete monthly series per reporting country and nationality;
//! * [`rules`]: the Task Force's trigger rules (`rules/triggers.toml`);
//! * [`replay`]: month-by-month alerts as the system would have raised them (detectors
//!   assessed once by [`replay::assess`], rules applied by [`replay::apply_rules`]);
//! * [`events`]: alerts grouped into waves across countries (onset, peak, closed by
//!   rule, `follows`), severity and the watch board, and the event lifecycle;
//! * [`roles`]: sending, transit and receiving countries of an event (`rules/routes.toml`);
//! * [`corridor`]: lead times and downstream projections along a route;
//! * [`forecast`]: one forecast per series and month with an 80% interval, the methods
//!   it was chosen from, a no-look-ahead backtest, and which corridors qualify;
//! * [`evaluate`]: detection scores against labelled surges (`data/labels/surges.csv`);
//! * [`protocol`]: rules chosen on one period and scored on another (time splits).
#![deny(missing_docs)]

mod dist;
mod ears;
mod farrington;
mod glm;
mod glrnb;

pub mod corridor;
pub mod evaluate;
pub mod events;
pub mod forecast;
pub mod protocol;
pub mod replay;
pub mod roles;
pub mod roster;
pub mod rules;
pub mod series;

pub use ears::{Ears, EarsConfig, EarsMethod};
pub use farrington::{Farrington, FarringtonConfig};
pub use glrnb::{GlrNb, GlrNbConfig};

/// Outcome of assessing one time point.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assessment {
    /// Index of the assessed point in the input series.
    pub index: usize,
    /// Observed count at `index`.
    pub observed: f64,
    /// Expected (in-control) count, when the detector could compute one.
    pub expected: Option<f64>,
    /// Upper bound on the count scale: an observation above it raises an alarm.
    pub upper: Option<f64>,
    /// Detector-specific score (Farrington: R's `score`; EARS: C statistic; GLR: the
    /// GLR statistic, alarm when it reaches `c_arl`).
    pub score: Option<f64>,
    /// Whether an alarm is raised at `index`.
    pub alarm: bool,
    /// Whether the numbers above are meaningful.
    pub status: Status,
}

/// Why an assessment does or does not carry a bound.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub enum Status {
    /// Computed as the method prescribes.
    Ok,
    /// The series before `index` is too short for the configuration; no bound.
    InsufficientHistory {
        /// Number of points (`index + 1`) the configuration needs.
        needed: usize,
        /// Number of points available (`index + 1`).
        available: usize,
    },
    /// Farrington's "limit54" rule: fewer than `needed` cases in the last `periods`
    /// months (current one included), so R reports no bound and never alarms.
    TooFewCases {
        /// Cases in the last `periods` months.
        cases: f64,
        /// Minimum number of cases.
        needed: f64,
        /// Length of the window, in months.
        periods: usize,
    },
    /// A value in `counts[..=index]` is NaN, negative or not a whole number.
    InvalidInput {
        /// First offending index.
        at: usize,
    },
    /// The model could not be fitted or the bound is not a number (R returns `NA` or
    /// stops with an error here).
    Undefined {
        /// Short explanation.
        reason: &'static str,
    },
}

impl Assessment {
    /// An assessment without numbers, for a non-`Ok` status.
    pub fn empty(index: usize, observed: f64, status: Status) -> Self {
        Assessment {
            index,
            observed,
            expected: None,
            upper: None,
            score: None,
            alarm: false,
            status,
        }
    }
}

/// A detector assessing one point of a monthly count series.
pub trait Detector {
    /// Stable name (`"farrington"`, `"ears_c1"`, …).
    fn name(&self) -> &'static str;
    /// Assesses `counts[t]` using only `counts[..=t]`. Panics if `t >= counts.len()`.
    fn assess(&self, counts: &[f64], t: usize) -> Assessment;
    /// Assesses every point of `counts`.
    fn assess_all(&self, counts: &[f64]) -> Vec<Assessment> {
        (0..counts.len()).map(|t| self.assess(counts, t)).collect()
    }
}

/// The detectors with default configurations, in a stable order:
/// `farrington`, `ears_c1`, `ears_c2`, `ears_c3`, `glrnb`.
pub fn all_detectors() -> Vec<Box<dyn Detector + Send + Sync>> {
    vec![
        Box::new(Farrington::new(FarringtonConfig::default())),
        Box::new(Ears::new(EarsConfig::c1())),
        Box::new(Ears::new(EarsConfig::c2())),
        Box::new(Ears::new(EarsConfig::c3())),
        Box::new(GlrNb::new(GlrNbConfig::default())),
    ]
}

/// First index in `counts` that is not a finite, non-negative whole number.
pub fn first_invalid(counts: &[f64]) -> Option<usize> {
    counts
        .iter()
        .position(|c| !(c.is_finite() && *c >= 0.0 && c.fract() == 0.0))
}
