//! CDC EARS C1, C2 and C3 charts (Hutwagner et al. 2003, *J. Urban Health* 80:i89–i96;
//! Fricker, Hegler & Dunfee 2008, *Stat. Med.* 27:3407–3429), a port of R
//! `surveillance::earsC` 1.20.3.
//!
//! With `m`/`s` the mean and sample standard deviation of the `baseline` reference
//! months (R: lags `baseline..1` for C1, lags `baseline+2..3` for C2 and C3),
//! `s* = max(s, minSigma)` and `z = qnorm(1 − alpha)`:
//! * C1, C2: `upper = m + z·s*`;
//! * C3: `upper = max(0, y_t + s*_t · (z − Σ_{j=1,2} max(0, C2_{t−j} − 1)))` with
//!   `C2_u = (y_u − m_u)/s*_u`, exactly R's formula (it alarms when the two previous
//!   C2 exceedances plus the current one cross `z`).
//!
//! Alarm iff `y_t > upper`. R's default `alpha` is 0.001 for C1/C2 and 0.025 for C3
//! (what `earsC` uses when `alpha` is not given).

use crate::dist::qnorm;
use crate::{first_invalid, Assessment, Detector, Status};

/// Which EARS chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EarsMethod {
    /// C1: baseline is the `baseline` months just before `t`.
    C1,
    /// C2: baseline skips two months (lag 2 guard band).
    C2,
    /// C3: cumulates C2 exceedances over `t−2..t`.
    C3,
}

/// Configuration of [`Ears`] (R `earsC` control).
#[derive(Debug, Clone, PartialEq)]
pub struct EarsConfig {
    /// Chart.
    pub method: EarsMethod,
    /// Number of reference months (`baseline`, at least 3).
    pub baseline: usize,
    /// Lower bound for the standard deviation (`minSigma`).
    pub min_sigma: f64,
    /// One-sided level (`alpha`).
    pub alpha: f64,
}

impl EarsConfig {
    /// C1, baseline 7, alpha 0.001.
    pub fn c1() -> Self {
        EarsConfig {
            method: EarsMethod::C1,
            baseline: 7,
            min_sigma: 0.0,
            alpha: 0.001,
        }
    }
    /// C2, baseline 7, alpha 0.001.
    pub fn c2() -> Self {
        EarsConfig {
            method: EarsMethod::C2,
            ..Self::c1()
        }
    }
    /// C3, baseline 7, alpha 0.025.
    pub fn c3() -> Self {
        EarsConfig {
            method: EarsMethod::C3,
            alpha: 0.025,
            ..Self::c1()
        }
    }
    /// Months of history (`t + 1`) needed.
    pub fn needed(&self) -> usize {
        self.baseline
            + 1
            + match self.method {
                EarsMethod::C1 => 0,
                EarsMethod::C2 => 2,
                EarsMethod::C3 => 4,
            }
    }
}

/// An EARS chart.
#[derive(Debug, Clone)]
pub struct Ears {
    cfg: EarsConfig,
}

impl Ears {
    /// A chart with this configuration (`baseline` below 3 is raised to 3, as R refuses it).
    pub fn new(mut cfg: EarsConfig) -> Self {
        cfg.baseline = cfg.baseline.max(3);
        Ears { cfg }
    }
    /// The configuration.
    pub fn config(&self) -> &EarsConfig {
        &self.cfg
    }

    /// Mean and `max(sd, minSigma)` of `counts[t−lag_hi ..= t−lag_lo]`.
    fn stats(&self, counts: &[f64], t: usize, gap: usize) -> (f64, f64) {
        let n = self.cfg.baseline;
        let r = &counts[t + 1 - gap - n..=t - gap];
        let mean = r.iter().sum::<f64>() / n as f64;
        let var = r.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt().max(self.cfg.min_sigma))
    }
    fn c2(&self, counts: &[f64], u: usize) -> f64 {
        let (m, s) = self.stats(counts, u, 3);
        (counts[u] - m) / s
    }
}

/// R's `pmax(0, x)`: NaN propagates.
fn pmax0(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        x.max(0.0)
    }
}

impl Detector for Ears {
    fn name(&self) -> &'static str {
        match self.cfg.method {
            EarsMethod::C1 => "ears_c1",
            EarsMethod::C2 => "ears_c2",
            EarsMethod::C3 => "ears_c3",
        }
    }

    fn assess(&self, counts: &[f64], t: usize) -> Assessment {
        let obs = counts[t];
        let needed = self.cfg.needed();
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
        let from = t + 1 - needed;
        if let Some(at) = first_invalid(&counts[from..=t]) {
            return Assessment::empty(t, obs, Status::InvalidInput { at: from + at });
        }
        let z = qnorm(1.0 - self.cfg.alpha);
        let (expected, upper, score) = match self.cfg.method {
            EarsMethod::C1 | EarsMethod::C2 => {
                let gap = if self.cfg.method == EarsMethod::C1 {
                    1
                } else {
                    3
                };
                let (m, s) = self.stats(counts, t, gap);
                (m, m + z * s, (obs - m) / s)
            }
            EarsMethod::C3 => {
                let (m, s) = self.stats(counts, t, 3);
                let lag2 = pmax0(self.c2(counts, t - 2) - 1.0);
                let lag1 = pmax0(self.c2(counts, t - 1) - 1.0);
                let cur = pmax0(self.c2(counts, t) - 1.0);
                let u = obs + s * (z - (lag2 + lag1));
                (
                    m,
                    if u.is_nan() { u } else { u.max(0.0) },
                    lag2 + lag1 + cur,
                )
            }
        };
        if upper.is_nan() {
            // zero variance with 0/0 statistics: R yields NA
            // (the baseline mean is still reported as `expected`)
            return Assessment {
                expected: Some(expected),
                ..Assessment::empty(
                    t,
                    obs,
                    Status::Undefined {
                        reason: "zero variance in baseline",
                    },
                )
            };
        }
        Assessment {
            index: t,
            observed: obs,
            expected: Some(expected),
            upper: Some(upper),
            score: score.is_finite().then_some(score),
            alarm: obs > upper,
            status: Status::Ok,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c1_by_hand() {
        let counts = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 30.0];
        let a = Ears::new(EarsConfig::c1()).assess(&counts, 7);
        let sd = (28.0f64 / 6.0).sqrt(); // sd(1:7) = sqrt(56/12)
        assert!((a.expected.unwrap() - 4.0).abs() < 1e-12);
        assert!((a.upper.unwrap() - (4.0 + 3.090_232_306_167_813 * sd)).abs() < 1e-9);
        assert!(a.alarm);
    }

    #[test]
    fn constant_zero_baseline() {
        // C1 with sd = 0: upper = mean, R alarms on anything above it.
        let mut counts = vec![0.0; 8];
        counts[7] = 1.0;
        let a = Ears::new(EarsConfig::c1()).assess(&counts, 7);
        assert_eq!(a.upper, Some(0.0));
        assert!(a.alarm);
        // C3 with sd = 0 everywhere: C2 is 0/0 = NaN, R gives NA; we say Undefined.
        let counts = vec![0.0; 12];
        let a = Ears::new(EarsConfig::c3()).assess(&counts, 11);
        assert!(matches!(a.status, Status::Undefined { .. }));
    }

    #[test]
    fn short_series() {
        let counts = [5.0; 9];
        for (cfg, needed) in [
            (EarsConfig::c1(), 8),
            (EarsConfig::c2(), 10),
            (EarsConfig::c3(), 12),
        ] {
            let d = Ears::new(cfg);
            for t in 0..counts.len().min(needed - 1) {
                let a = d.assess(&counts, t);
                assert_eq!(
                    a.status,
                    Status::InsufficientHistory {
                        needed,
                        available: t + 1
                    }
                );
                assert_eq!(a.upper, None);
            }
        }
    }
}
