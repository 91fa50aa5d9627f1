//! Improved Farrington detector (Noufaily et al. 2013), a port of R
//! `surveillance::farringtonFlexible` 1.20.3 with `thresholdMethod = "nbPlugin"`,
//! `fitFun = "algo.farrington.fitGLM.flexible"` and `populationOffset = FALSE`.
//!
//! Per evaluated month `t` (R functions in brackets):
//! 1. reference data [`algo.farrington.data.glm`, `blocks`]: the months from
//!    `t − 12b − w` to `t`; the windows `±w` around `t − 12i` (i = 1..b) and the months
//!    `t − w..t` form factor level `noPeriods`, the months between two windows are cut
//!    into `noPeriods − 1` blocks (levels 1..); the last `pastWeeksNotIncluded + 1`
//!    months (`t` included) are dropped;
//! 2. quasi-Poisson log-linear GLM `response ~ 1 + wtime + seasgroups`
//!    [`algo.farrington.fitGLM.flexible`], refitted with Anscombe-residual weights
//!    (weight `γ s⁻²` above `weightsThreshold`, else `γ`, so they average 1), dispersion
//!    `φ = max(Pearson, 1)`;
//! 3. the trend is kept only if `b ≥ 3`, its p-value is below `pThresholdTrend` and the
//!    prediction does not exceed the largest reference count [`algo.farrington.glm`];
//! 4. bound: the `1 − alpha` quantile of a negative binomial with mean `exp(η₀)` and
//!    variance `φ·exp(η₀)` (Poisson when `φ = 1`) [`algo.farrington.threshold.noufaily`];
//!    score `(y − η₀)/(U − η₀)` exactly as R computes it (note: R uses the LINK-scale
//!    prediction `η₀` here, not the mean; kept for fidelity: `score > 1 ⇔ y > U`);
//! 5. "limit54": no bound and no alarm unless the last `limit54.1` months (current
//!    included) hold at least `limit54.0` cases; alarm iff `score > 1` and `y ≠ 0`.

use crate::dist::{qnbinom, qpois};
use crate::glm::{glm_fit, Family, GlmFit};
use crate::{first_invalid, Assessment, Detector, Status};

/// Configuration of [`Farrington`]; field names follow R's `control` list.
#[derive(Debug, Clone, PartialEq)]
pub struct FarringtonConfig {
    /// Years of history (`b`). With `adaptive_b`, the maximum.
    pub b: usize,
    /// Half-width of the reference windows, months (`w`).
    pub w: usize,
    /// Number of seasonal factor levels (`noPeriods`); 1 = no seasonal factor.
    pub no_periods: usize,
    /// Most recent months left out of the fit (`pastWeeksNotIncluded`), besides `t`.
    pub past_periods_not_included: usize,
    /// Bound is the `1 − alpha` quantile (`alpha`).
    pub alpha: f64,
    /// Anscombe-residual threshold for down-weighting (`weightsThreshold`).
    pub weights_threshold: f64,
    /// Keep the trend only if its p-value is below this (`pThresholdTrend`).
    pub p_threshold_trend: f64,
    /// Fit a linear time trend at all (`trend`).
    pub trend: bool,
    /// Refit with Anscombe-residual weights (`reweight`).
    pub reweight: bool,
    /// `limit54 = c(cases, periods)`.
    pub limit54: (f64, usize),
    /// Use the largest `b' ≤ b` (at least 1) the history allows, so the detector works
    /// on short series; each point then equals R with that `b'` and, when
    /// `no_periods == b + 1` (the Noufaily monthly setting), `noPeriods = b' + 1`
    /// (as [`FarringtonConfig::monthly`]`(b')`; until 2026-12 `noPeriods` stayed at
    /// `b + 1`, which R's replay on every watched series showed in 7 of 25,661 alarms).
    pub adaptive_b: bool,
}

impl Default for FarringtonConfig {
    /// Noufaily settings for monthly data, `b = 3` shrinking to what the series has.
    fn default() -> Self {
        FarringtonConfig {
            adaptive_b: true,
            ..Self::monthly(3)
        }
    }
}

impl FarringtonConfig {
    /// Noufaily et al. settings for monthly data with a fixed `b`: `w = 2`,
    /// `noPeriods = b + 1`, `pastWeeksNotIncluded = 6`, `alpha = 0.05`,
    /// `weightsThreshold = 2.58`, `pThresholdTrend = 1`, `limit54 = (5, 4)`.
    /// These are the configurations of the R fixtures (b = 1, 2, 3).
    pub fn monthly(b: usize) -> Self {
        FarringtonConfig {
            b,
            w: 2,
            no_periods: b + 1,
            past_periods_not_included: 6,
            alpha: 0.05,
            weights_threshold: 2.58,
            p_threshold_trend: 1.0,
            trend: true,
            reweight: true,
            limit54: (5.0, 4),
            adaptive_b: false,
        }
    }
    /// For series with about two years of monthly history (e.g. Panama from 2020):
    /// `b = 1, w = 2, noPeriods = 2, pastWeeksNotIncluded = 6`; needs 15 months.
    pub fn short_history() -> Self {
        Self::monthly(1)
    }
    /// Months of history (`t + 1`) needed for `b` years.
    pub fn needed(&self, b: usize) -> usize {
        12 * b + self.w + 1
    }
}

/// The improved Farrington detector.
#[derive(Debug, Clone)]
pub struct Farrington {
    cfg: FarringtonConfig,
}

const FREQ: usize = 12;

struct Model {
    fit: GlmFit,
    phi: f64,
    trend: bool,
}

/// R's `max(x, 1)`: NaN propagates.
fn r_max1(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else {
        x.max(1.0)
    }
}

impl Farrington {
    /// A detector with this configuration.
    pub fn new(cfg: FarringtonConfig) -> Self {
        Farrington { cfg }
    }
    /// The configuration.
    pub fn config(&self) -> &FarringtonConfig {
        &self.cfg
    }

    /// `noPeriods` used with `b` years of history (see [`FarringtonConfig::adaptive_b`]).
    fn no_periods(&self, b: usize) -> usize {
        if self.cfg.adaptive_b && self.cfg.no_periods == self.cfg.b + 1 {
            b + 1
        } else {
            self.cfg.no_periods
        }
    }

    /// Factor level per month in `t−12b−w ..= t` [R `blocks`]; `None` = not used.
    fn blocks(&self, t: usize, b: usize) -> Result<Vec<(usize, usize)>, &'static str> {
        let (w, p) = (self.cfg.w, self.no_periods(b));
        let first = t - 12 * b - w;
        let mut f: Vec<Option<usize>> = vec![None; t - first + 1];
        let mut set = |i: usize, v: usize| f[i - first] = Some(v);
        for i in (t - w)..=t {
            set(i, p);
        }
        for i in 1..=b {
            let refw = t - FREQ * i;
            for j in (refw - w)..=(refw + w) {
                set(j, p);
            }
            if p != 1 {
                let period = FREQ as i64 - 2 * w as i64 - 1;
                // R stops when period < p - (2w+1); we also refuse empty blocks
                // (period < p - 1), for which R's `a:b` would run backwards.
                if period < p as i64 - 1 {
                    return Err("noPeriods too large for w");
                }
                let period = period as usize;
                let len = period / (p - 1);
                let rest = period % (p - 1);
                let mut start = refw + w + 1;
                for j in 1..p {
                    let l = len + usize::from(j <= rest);
                    for k in start..start + l {
                        set(k, j);
                    }
                    start += l;
                }
            }
        }
        let excl_from = t.saturating_sub(self.cfg.past_periods_not_included);
        Ok(f.iter()
            .enumerate()
            .filter_map(|(k, v)| {
                let i = first + k;
                if i >= excl_from {
                    None
                } else {
                    v.map(|lvl| (i, lvl))
                }
            })
            .collect())
    }

    fn design(
        rows: &[(usize, usize)],
        levels: &[usize],
        trend: bool,
        factors: bool,
    ) -> Vec<Vec<f64>> {
        rows.iter()
            .map(|&(i, lvl)| Self::row(i + 1, lvl, levels, trend, factors))
            .collect()
    }

    /// One design row: intercept, `wtime` (R's 1-based index), treatment dummies.
    fn row(wtime: usize, lvl: usize, levels: &[usize], trend: bool, factors: bool) -> Vec<f64> {
        let mut r = vec![1.0];
        if trend {
            r.push(wtime as f64);
        }
        if factors {
            r.extend(
                levels[1..]
                    .iter()
                    .map(|&l| if l == lvl { 1.0 } else { 0.0 }),
            );
        }
        r
    }

    /// R `algo.farrington.fitGLM.flexible`.
    fn fit(
        &self,
        rows: &[(usize, usize)],
        levels: &[usize],
        y: &[f64],
        trend: bool,
    ) -> Option<Model> {
        // Design rows only carry dummies for levels beyond the first.
        let factors = levels.len() > 1;
        let ones = vec![1.0; y.len()];
        let mut trend = trend;
        let mut x = Self::design(rows, levels, trend, factors);
        let mut m = glm_fit(&x, y, &ones, Family::QuasiPoisson).ok()?;
        if !m.converged {
            if trend {
                trend = false;
                x = Self::design(rows, levels, trend, factors);
                m = glm_fit(&x, y, &ones, Family::QuasiPoisson).ok()?;
            }
            if !m.converged {
                return None;
            }
        }
        let mut phi = r_max1(m.pearson_dispersion());
        if self.cfg.reweight {
            // R `anscombe.residuals`, then `algo.farrington.assign.weights`.
            let s: Vec<f64> = (0..y.len())
                .map(|i| {
                    let mu = m.mu[i];
                    let a = 1.5 * (y[i].powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt());
                    a / (phi * (1.0 - m.hat[i])).sqrt()
                })
                .collect();
            let thr = self.cfg.weights_threshold;
            let denom: f64 = s
                .iter()
                .map(|&si| if si > thr { si.powi(-2) } else { 1.0 })
                .sum();
            let gamma = s.len() as f64 / denom;
            let omega: Vec<f64> = s
                .iter()
                .map(|&si| if si > thr { gamma * si.powi(-2) } else { gamma })
                .collect();
            m = glm_fit(&x, y, &omega, Family::QuasiPoisson).ok()?;
            phi = r_max1(m.pearson_dispersion());
        }
        Some(Model { fit: m, phi, trend })
    }

    fn assess_b(&self, counts: &[f64], t: usize, b: usize) -> Assessment {
        let obs = counts[t];
        let undefined = |reason| Assessment::empty(t, obs, Status::Undefined { reason });
        let rows = match self.blocks(t, b) {
            Ok(r) => r,
            Err(e) => return undefined(e),
        };
        let y: Vec<f64> = rows.iter().map(|&(i, _)| counts[i]).collect();
        let mut levels: Vec<usize> = rows.iter().map(|&(_, l)| l).collect();
        levels.sort_unstable();
        levels.dedup();
        let p = self.no_periods(b);
        let factors = p != 1;
        if factors && !levels.contains(&p) {
            return undefined("reference windows all excluded");
        }
        // R `algo.farrington.glm`. With b < 3 the trend can never be kept, so the
        // trend model R fits first is skipped (R then refits without trend anyway).
        let want_trend = self.cfg.trend && b >= 3;
        let Some(mut model) = self.fit(&rows, &levels, &y, want_trend) else {
            return undefined("GLM did not converge");
        };
        let k = t + 1;
        if model.trend {
            let x0 = Self::row(k, p, &levels, true, factors);
            let pred = model.fit.eta(&x0).exp().max(f64::EPSILON);
            let pv = model.fit.p_value(1);
            // NaN p-value: R would fail on `if (NA)`; we treat it as not significant.
            let significant = pv < self.cfg.p_threshold_trend;
            let max_y = y.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let keep = b >= 3 && significant && pred <= max_y;
            if !keep {
                match self.fit(&rows, &levels, &y, false) {
                    Some(m) => model = m,
                    None => return undefined("GLM did not converge"),
                }
            }
        }
        let x0 = Self::row(k, p, &levels, model.trend, factors);
        let eta0 = model.fit.eta(&x0);
        let phi = model.phi;
        if phi.is_nan() {
            return undefined("dispersion not estimable");
        }
        // R `algo.farrington.threshold.noufaily`, method "nbPlugin".
        let mu0 = eta0.exp();
        if mu0 == f64::INFINITY {
            return undefined("prediction overflow");
        }
        let q = 1.0 - self.cfg.alpha;
        let upper = if phi > 1.0 {
            qnbinom(q, mu0 / (phi - 1.0), 1.0 / phi)
        } else {
            qpois(q, mu0)
        };
        if !upper.is_finite() {
            return undefined("bound not finite");
        }
        let score = (obs - eta0) / (upper - eta0);
        let (cases_needed, periods) = self.cfg.limit54;
        let cases: f64 = counts[(t + 1).saturating_sub(periods)..=t].iter().sum();
        if cases < cases_needed {
            return Assessment {
                score: Some(score),
                ..Assessment::empty(
                    t,
                    obs,
                    Status::TooFewCases {
                        cases,
                        needed: cases_needed,
                        periods,
                    },
                )
            };
        }
        Assessment {
            index: t,
            observed: obs,
            expected: Some(mu0),
            upper: Some(upper),
            score: Some(score),
            alarm: score > 1.0 && obs != 0.0,
            status: Status::Ok,
        }
    }
}

impl Detector for Farrington {
    fn name(&self) -> &'static str {
        "farrington"
    }

    fn assess(&self, counts: &[f64], t: usize) -> Assessment {
        let obs = counts[t];
        let mut b = self.cfg.b.max(1);
        if self.cfg.adaptive_b {
            while b > 1 && t + 1 < self.cfg.needed(b) {
                b -= 1;
            }
        }
        let needed = self.cfg.needed(b).max(self.cfg.limit54.1);
        if t + 1 < needed {
            return Assessment::empty(
                t,
                obs,
                Status::InsufficientHistory {
                    needed,
                    available: t + 1,
                },
            );
        }
        if let Some(at) = first_invalid(&counts[..=t]) {
            return Assessment::empty(t, obs, Status::InvalidInput { at });
        }
        self.assess_b(counts, t, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_match_r_for_b1_p2() {
        // R: blocks for k = 20 (t = 19), b = 1, w = 2, p = 2, then pastWeeksNotIncluded = 6.
        let f = Farrington::new(FarringtonConfig::short_history());
        let rows = f.blocks(19, 1).unwrap();
        let idx: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let lvl: Vec<usize> = rows.iter().map(|r| r.1).collect();
        assert_eq!(idx, vec![5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(lvl, vec![2, 2, 2, 2, 2, 1, 1, 1]);
    }

    #[test]
    fn too_short_series_has_no_bound() {
        let f = Farrington::new(FarringtonConfig::short_history());
        let counts = vec![10.0; 20];
        for t in 0..14 {
            let a = f.assess(&counts, t);
            assert_eq!(
                a.status,
                Status::InsufficientHistory {
                    needed: 15,
                    available: t + 1
                }
            );
            assert!(a.upper.is_none() && a.expected.is_none() && !a.alarm);
        }
        assert_eq!(f.assess(&counts, 14).status, Status::Ok);
    }

    #[test]
    fn limit54_suppresses_bound_and_alarm() {
        let f = Farrington::new(FarringtonConfig::short_history());
        let mut counts = vec![0.0; 20];
        counts[19] = 3.0; // a jump from zero, but fewer than 5 cases in 4 months
        let a = f.assess(&counts, 19);
        assert!(matches!(a.status, Status::TooFewCases { cases, .. } if cases == 3.0));
        assert!(a.upper.is_none() && !a.alarm);
    }

    #[test]
    fn adaptive_b_shrinks_to_history() {
        let f = Farrington::new(FarringtonConfig::default());
        let counts: Vec<f64> = (0..30).map(|i| 50.0 + (i % 12) as f64).collect();
        assert_eq!(
            f.assess(&counts, 13).status,
            Status::InsufficientHistory {
                needed: 15,
                available: 14
            }
        );
        // b = 2 here, and noPeriods = 3 with it: R's farringtonFlexible with b = 2
        // (the replay of every watched series in test_data/r_replay agrees).
        let a = f.assess(&counts, 29);
        let g = Farrington::new(FarringtonConfig::monthly(2));
        assert_eq!(a, g.assess(&counts, 29));
    }
}
