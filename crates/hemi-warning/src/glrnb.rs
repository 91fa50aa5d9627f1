//! Negative-binomial GLR intercept chart (Höhle & Paul 2008, *Comput. Stat. Data Anal.*
//! 52:4357–4368), a port of R `surveillance::glrnb` 1.20.3 with `change = "intercept"`,
//! a fixed dispersion `alpha > 0` (C routine `glr_nb_window`) and `ret = "value"`.
//!
//! * In-control means `mu0_t` come from a log-linear negative-binomial GLM with fixed
//!   `theta = 1/alpha`, fitted on the first `train_len` months (R: all months before
//!   `range[1]`): `y ~ 1 [+ t] + Σ_s cos(2sπt/12) + sin(2sπt/12)`, `t` 1-based
//!   (R `estimateGLRNbHook`, `glm(family = MASS::negative.binomial(theta))`).
//! * From month `train_len` on, for each `n` the statistic is
//!   `max_k l_{n,k}(κ̂)`, `l = Σ_{i=k..n} κ x_i + (x_i + 1/α) log((1+α μ_i)/(1+α μ_i e^κ))`,
//!   with `κ̂` the Newton–Raphson MLE (started at the previous `k`'s estimate, stopped at
//!   step < 1e-6, κ ≤ −18 or 1000 iterations) clamped to `κ ≥ 0` for `dir = "inc"`;
//!   `k` ranges over the current run (or the last `M` months) up to `n − M̃ + 1`.
//! * An alarm is raised when the statistic reaches `c_ARL`; the chart then restarts at
//!   the next month (R's loop in `algo.glrnb`). Negative statistics are reported as 0.

use crate::glm::{glm_fit, Family};
use crate::{first_invalid, Assessment, Detector, Status};

/// Configuration of [`GlrNb`] (R `glrnb` control).
#[derive(Debug, Clone, PartialEq)]
pub struct GlrNbConfig {
    /// Months used to fit `mu0`; monitoring starts at this index.
    pub train_len: usize,
    /// NB dispersion `alpha` (variance `mu + alpha mu²`), must be > 0.
    pub alpha: f64,
    /// Alarm threshold on the GLR statistic (`c.ARL`).
    pub c_arl: f64,
    /// Maximum look-back window (`M`); `None` = whole current run (`M = -1`).
    pub m: Option<usize>,
    /// Minimum number of months after the change point (`Mtilde`).
    pub m_tilde: usize,
    /// Number of harmonics in the `mu0` model (`mu0$S`).
    pub harmonics: usize,
    /// Linear trend in the `mu0` model (`mu0$trend`).
    pub trend: bool,
}

impl Default for GlrNbConfig {
    /// Two training years, `alpha = 0.5`, `c.ARL = 5`, `M = -1`, `Mtilde = 1`, `S = 1`.
    fn default() -> Self {
        GlrNbConfig {
            train_len: 24,
            alpha: 0.5,
            c_arl: 5.0,
            m: None,
            m_tilde: 1,
            harmonics: 1,
            trend: false,
        }
    }
}

/// The NB GLR chart.
#[derive(Debug, Clone)]
pub struct GlrNb {
    cfg: GlrNbConfig,
}

impl GlrNb {
    /// A chart with this configuration.
    pub fn new(cfg: GlrNbConfig) -> Self {
        GlrNb { cfg }
    }
    /// The configuration.
    pub fn config(&self) -> &GlrNbConfig {
        &self.cfg
    }

    fn design_row(&self, t1: f64) -> Vec<f64> {
        let mut r = vec![1.0];
        if self.cfg.trend {
            r.push(t1);
        }
        for s in 1..=self.cfg.harmonics {
            // same operation order as R's `cos(2*s*pi/p*t)`
            let f = 2.0 * s as f64 * std::f64::consts::PI / 12.0;
            r.push((f * t1).cos());
            r.push((f * t1).sin());
        }
        r
    }

    /// In-control means for indices `train_len..upto` (exclusive), fitted on
    /// `counts[..train_len]` only.
    pub fn baseline(&self, counts: &[f64], upto: usize) -> Result<Vec<f64>, &'static str> {
        let n = self.cfg.train_len;
        if self.cfg.alpha.is_nan() || self.cfg.alpha <= 0.0 {
            return Err("alpha must be > 0");
        }
        let x: Vec<Vec<f64>> = (0..n).map(|i| self.design_row((i + 1) as f64)).collect();
        let fit = glm_fit(
            &x,
            &counts[..n],
            &vec![1.0; n],
            Family::NegBin {
                theta: 1.0 / self.cfg.alpha,
            },
        )
        .map_err(|_| "mu0 model could not be fitted")?;
        Ok((n..upto)
            .map(|i| {
                fit.eta(&self.design_row((i + 1) as f64))
                    .exp()
                    .max(f64::EPSILON)
            })
            .collect())
    }

    /// Runs the chart over `counts[train_len..=upto]` (reading nothing after `upto`) and
    /// returns one assessment per month of that range.
    pub fn run(&self, counts: &[f64], upto: usize) -> Vec<Assessment> {
        let start = self.cfg.train_len;
        if upto < start {
            return Vec::new();
        }
        let mk = |status: Status| -> Vec<Assessment> {
            (start..=upto)
                .map(|t| Assessment::empty(t, counts[t], status.clone()))
                .collect()
        };
        if let Some(at) = first_invalid(&counts[..=upto]) {
            return mk(Status::InvalidInput { at });
        }
        let mu0 = match self.baseline(counts, upto + 1) {
            Ok(m) => m,
            Err(reason) => return mk(Status::Undefined { reason }),
        };
        let x: Vec<f64> = counts[start..=upto].to_vec();
        let (alpha, m_tilde) = (self.cfg.alpha, self.cfg.m_tilde.max(1));
        let mut out = Vec::with_capacity(x.len());
        let mut run_start = 0; // first index (into x) of the current run
        for n in 0..x.len() {
            let rel = n - run_start;
            let stat = if rel + 1 < m_tilde {
                0.0
            } else {
                let (xs, ms) = (&x[run_start..=n], &mu0[run_start..=n]);
                let low = self.cfg.m.map_or(0, |m| rel.saturating_sub(m));
                glr_max(xs, ms, alpha, low, rel + 1 - m_tilde)
            };
            let alarm = stat >= self.cfg.c_arl;
            out.push(Assessment {
                index: start + n,
                observed: x[n],
                expected: Some(mu0[n]),
                upper: None,
                score: Some(if stat.is_nan() || stat < 0.0 {
                    0.0
                } else {
                    stat
                }),
                alarm,
                status: Status::Ok,
            });
            if alarm {
                run_start = n + 1;
            }
        }
        out
    }
}

/// `max_{low ≤ k ≤ up} l_{n,k}(κ̂_k)` over the run `x`, `mu0` (n = last index),
/// as in `glr_nb_window` (upward direction).
fn glr_max(x: &[f64], mu0: &[f64], alpha: f64, low: usize, up: usize) -> f64 {
    let n = x.len() - 1;
    let mut max_glr = -1e99;
    let mut kappa_ml: f64 = 0.5;
    for k in low..=up {
        let mut kappa_old: f64 = 0.4;
        let mut kappa_new = kappa_ml;
        let mut iter = 0;
        while kappa_new > -18.0 && (kappa_new - kappa_old).abs() > 1e-6 && iter < 1000 {
            iter += 1;
            kappa_old = kappa_new;
            let e = kappa_old.exp();
            let (mut score, mut fisher) = (0.0, 0.0);
            for i in k..=n {
                score += (x[i] - e * mu0[i]) / (1.0 + alpha * e * mu0[i]);
                let d = 1.0 + alpha * e * mu0[i];
                fisher += mu0[i] * (alpha * x[i] + 1.0) / (d * d);
            }
            kappa_new = kappa_old + score / (e * fisher);
        }
        kappa_ml = kappa_new.max(0.0);
        let e = kappa_ml.exp();
        let lnk: f64 = (k..=n)
            .map(|i| {
                kappa_ml * x[i]
                    + (x[i] + 1.0 / alpha)
                        * ((1.0 + alpha * mu0[i]) / (1.0 + alpha * mu0[i] * e)).ln()
            })
            .sum();
        if lnk > max_glr {
            max_glr = lnk;
        }
    }
    max_glr
}

impl Detector for GlrNb {
    fn name(&self) -> &'static str {
        "glrnb"
    }

    fn assess(&self, counts: &[f64], t: usize) -> Assessment {
        if t < self.cfg.train_len {
            let needed = self.cfg.train_len + 1;
            return Assessment::empty(
                t,
                counts[t],
                Status::InsufficientHistory {
                    needed,
                    available: t + 1,
                },
            );
        }
        self.run(counts, t).pop().expect("non-empty run")
    }

    /// One sequential pass instead of a pass per month: the statistic at `t` depends
    /// only on counts up to `t` (the baseline is fitted on the first `train_len`
    /// months), so this equals calling [`Detector::assess`] at every `t`, in O(n²)
    /// rather than O(n³). A test checks the equality on real series.
    fn assess_all(&self, counts: &[f64]) -> Vec<Assessment> {
        let n = counts.len();
        let short = n.min(self.cfg.train_len);
        let needed = self.cfg.train_len + 1;
        let mut all: Vec<Assessment> = (0..short)
            .map(|t| {
                Assessment::empty(
                    t,
                    counts[t],
                    Status::InsufficientHistory {
                        needed,
                        available: t + 1,
                    },
                )
            })
            .collect();
        if n > self.cfg.train_len {
            if crate::first_invalid(counts).is_some() {
                // An invalid value must only affect the months after it: fall back.
                all.extend((self.cfg.train_len..n).map(|t| self.assess(counts, t)));
            } else {
                all.extend(self.run(counts, n - 1));
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_series_raises_no_alarm_then_a_jump_does() {
        let mut counts: Vec<f64> = (0..36)
            .map(|i| (100.0 + 10.0 * ((i % 12) as f64 / 6.0 - 1.0)).round())
            .collect();
        let d = GlrNb::new(GlrNbConfig::default());
        assert!(d.run(&counts, 35).iter().all(|a| !a.alarm));
        counts.extend([1000.0, 1200.0]);
        let r = d.run(&counts, 37);
        assert!(r[12].alarm || r[13].alarm, "{:?}", &r[12..]);
    }

    #[test]
    fn training_months_are_insufficient_history() {
        let d = GlrNb::new(GlrNbConfig::default());
        let counts = vec![3.0; 30];
        let a = d.assess(&counts, 23);
        assert_eq!(
            a.status,
            Status::InsufficientHistory {
                needed: 25,
                available: 24
            }
        );
        assert_eq!(d.assess(&counts, 24).status, Status::Ok);
    }
}
