//! Perturbation tables ("ptables") for the cell-key method: for every original count, the
//! probability of each noise value, built by maximum entropy as in the `ptable` R package
//! of Destatis (Enderle; Giessing 2016, "Computational issues in the design of transition
//! probabilities and disclosure risk estimation for additive noise", PSD 2016, LNCS 9867).
//!
//! Written by hand because no Rust crate builds ptables; the construction is small: each
//! row is the maximum-entropy distribution of the noise `v` over the allowed targets
//! `j = i + v` (|v| <= D, `j >= 0`, `j` not in `1..=js`) with mean 0 and variance V, i.e.
//! `p(v) ∝ exp(a·v + b·v²)`, found by Newton's method on the convex dual.
//! Where the allowed targets cannot reach variance V (the rows just above zero, where
//! blocking leaves few targets) the row keeps mean 0 only, as `ptable` does for blocked
//! rows. Row `D + js + 1` has every target in `i-D..=i+D` allowed and is used for every
//! larger count (the table is "symmetric" from there on, ptable's `i>=` row).

use serde::{Deserialize, Serialize};

use crate::DisclosureError;

/// The published parameters of the noise: maximum noise D, variance V and the largest
/// blocked small value js (the perturbation never publishes `1..=js`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NoiseParameters {
    /// Largest absolute noise added to any count (D), people.
    pub maximum_noise_people: u32,
    /// Variance of the noise (V) wherever the allowed targets can reach it, people².
    pub variance_people2: f64,
    /// Published counts are never in `1..=blocked_up_to_people` (js): such counts become
    /// 0 or larger. 0 blocks nothing.
    pub blocked_up_to_people: u32,
}

impl Default for NoiseParameters {
    /// D = 5, V = 3, js = 2: the parameters of the example in the documentation of
    /// ptable's `pt_create_pTable` (`create_cnt_ptable(D = 5, V = 3, js = 2)`), chosen
    /// before looking at Hemisphere's data. With them an attacker can never place a
    /// published count in fewer than six consecutive integers (see [`PerturbationTable::feasible_originals`]).
    fn default() -> Self {
        NoiseParameters {
            maximum_noise_people: 5,
            variance_people2: 3.0,
            blocked_up_to_people: 2,
        }
    }
}

/// One row of the table: the noise distribution of one original count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PtableRow {
    /// Original count `i` (the last row stands for every count from it on).
    pub original_people: u64,
    /// Allowed noise values, ascending.
    pub noise_people: Vec<i64>,
    /// Probability of each noise value.
    pub probability: Vec<f64>,
    /// Upper end of each noise value's interval of cell keys in `[0, 1)` (cumulative).
    pub cell_key_upper: Vec<f64>,
    /// False where the allowed targets cannot reach the variance V (mean 0 only).
    pub variance_met: bool,
}

impl PtableRow {
    /// Mean of the noise.
    pub fn mean(&self) -> f64 {
        self.noise_people
            .iter()
            .zip(&self.probability)
            .map(|(&v, &p)| v as f64 * p)
            .sum()
    }

    /// Variance of the noise.
    pub fn variance(&self) -> f64 {
        let mean = self.mean();
        self.noise_people
            .iter()
            .zip(&self.probability)
            .map(|(&v, &p)| (v as f64 - mean).powi(2) * p)
            .sum()
    }
}

/// The perturbation table: one row per original count `0..=D+js+1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerturbationTable {
    /// Parameters it was built from.
    pub parameters: NoiseParameters,
    /// Rows by original count.
    pub rows: Vec<PtableRow>,
}

impl PerturbationTable {
    /// Build the table. Fails when the parameters leave a blocked count without a target
    /// above and below it (D must be at least js and at least 1), or when V is not a
    /// positive finite number.
    pub fn new(parameters: NoiseParameters) -> Result<PerturbationTable, DisclosureError> {
        let d = i64::from(parameters.maximum_noise_people);
        let js = i64::from(parameters.blocked_up_to_people);
        let v = parameters.variance_people2;
        let invalid = |reason: &str| DisclosureError::InvalidNoiseParameters {
            parameters,
            reason: reason.to_owned(),
        };
        if d < 1 {
            return Err(invalid("the maximum noise D must be at least 1"));
        }
        if d < js {
            return Err(invalid(
                "the maximum noise D must be at least the blocked threshold js, or a blocked count could not move to 0",
            ));
        }
        if !(v.is_finite() && v > 0.0) {
            return Err(invalid("the variance V must be a positive number"));
        }
        if v > (d * d) as f64 {
            return Err(invalid(
                "the variance V cannot exceed D² for noise bounded by D",
            ));
        }
        let last = d + js + 1;
        let mut rows = Vec::with_capacity(last as usize + 1);
        for i in 0..=last {
            let noises: Vec<i64> = if i == 0 {
                // Zeros stay zero: there is nobody to protect, and ABS and ptable both
                // leave empty cells alone (ptable sets row i = 0 by hand).
                vec![0]
            } else {
                ((i - d).max(0)..=i + d)
                    .filter(|j| !(1..=js).contains(j))
                    .map(|j| j - i)
                    .collect()
            };
            let (probability, variance_met) = maximum_entropy(&noises, v);
            let mut cumulative = 0.0;
            let mut cell_key_upper: Vec<f64> = probability
                .iter()
                .map(|p| {
                    cumulative += p;
                    cumulative
                })
                .collect();
            // Rounding must not leave keys near 1 without a noise, nor give them to a
            // noise of probability 0 (the attacker's feasible sets assume it is never
            // drawn): the last noise that can happen takes every key up to 1.
            if let Some(last) = probability.iter().rposition(|&p| p > 0.0) {
                for upper in &mut cell_key_upper[last..] {
                    *upper = 1.0;
                }
            }
            rows.push(PtableRow {
                original_people: i as u64,
                noise_people: noises,
                probability,
                cell_key_upper,
                variance_met,
            });
        }
        Ok(PerturbationTable { parameters, rows })
    }

    /// The row used for an original count.
    pub fn row(&self, original_people: u64) -> &PtableRow {
        let index = (original_people as usize).min(self.rows.len() - 1);
        &self.rows[index]
    }

    /// The noise for an original count and a cell key in `[0, 1)`.
    pub fn noise(&self, original_people: u64, cell_key: f64) -> i64 {
        let row = self.row(original_people);
        let k = row
            .cell_key_upper
            .iter()
            .position(|&upper| cell_key < upper)
            .unwrap_or(row.noise_people.len() - 1);
        row.noise_people[k]
    }

    /// The published count for an original count and a cell key.
    pub fn perturb(&self, original_people: u64, cell_key: f64) -> u64 {
        let noise = self.noise(original_people, cell_key);
        // Rows never allow a negative target, so this cannot underflow.
        original_people.saturating_add_signed(noise)
    }

    /// Every original count that can be published as `published_people`, as the smallest
    /// and largest (the support of the published value: what an attacker who knows the
    /// table learns from it). Empty (`None`) for a value the table never publishes
    /// (`1..=js`).
    pub fn feasible_originals(&self, published_people: u64) -> Option<(u64, u64)> {
        let d = u64::from(self.parameters.maximum_noise_people);
        let mut feasible =
            (published_people.saturating_sub(d)..=published_people + d).filter(|&i| {
                let row = self.row(i);
                let noise = published_people as i64 - i as i64;
                row.noise_people
                    .iter()
                    .zip(&row.probability)
                    .any(|(&v, &p)| v == noise && p > 0.0)
            });
        let low = feasible.next()?;
        let high = feasible.next_back().unwrap_or(low);
        Some((low, high))
    }

    /// The narrowest interval of true values any published count leaves an attacker who
    /// knows the table (largest minus smallest feasible original, over every value the
    /// table publishes): D with a published 0, at least D everywhere else. Compare it
    /// with the protection width at start-up.
    pub fn guaranteed_width_people(&self) -> u64 {
        let d = u64::from(self.parameters.maximum_noise_people);
        let js = u64::from(self.parameters.blocked_up_to_people);
        // Beyond this every published value has all of p-D..=p+D feasible: width 2D.
        (0..=2 * d + js + 2)
            .filter_map(|p| self.feasible_originals(p))
            .map(|(low, high)| high - low)
            .min()
            .unwrap_or(2 * d)
    }
}

/// Maximum-entropy probabilities over `noises` with mean 0 and, when reachable, variance
/// `variance`; the flag says whether the variance was met.
fn maximum_entropy(noises: &[i64], variance: f64) -> (Vec<f64>, bool) {
    let has_negative = noises.iter().any(|&v| v < 0);
    let has_positive = noises.iter().any(|&v| v > 0);
    if !(has_negative && has_positive) {
        // Only "no change" can have mean 0 (the row always contains 0 here: a count
        // whose own value is blocked always has targets on both sides).
        let probability = noises
            .iter()
            .map(|&v| f64::from(u8::from(v == 0)))
            .collect();
        return (probability, false);
    }
    // Mean-zero distributions on a finite support are mixtures of two-point mean-zero
    // distributions on a negative n and a positive q, whose variance is |n|·q; so the
    // reachable variances run from the smallest such product (0 with 0 in the support)
    // to the largest.
    let negatives: Vec<f64> = noises
        .iter()
        .filter(|&&v| v < 0)
        .map(|&v| -v as f64)
        .collect();
    let positives: Vec<f64> = noises
        .iter()
        .filter(|&&v| v > 0)
        .map(|&v| v as f64)
        .collect();
    let products = negatives
        .iter()
        .flat_map(|n| positives.iter().map(move |q| n * q));
    let lowest = if noises.contains(&0) {
        0.0
    } else {
        products.clone().fold(f64::INFINITY, f64::min)
    };
    let highest = products.fold(0.0, f64::max);
    let margin = 1e-9 * highest.max(1.0);
    if variance > lowest + margin && variance < highest - margin {
        if let Some(p) = newton(noises, Some(variance)) {
            return (p, true);
        }
    }
    let p = newton(noises, None).expect("mean-zero maximum entropy exists with both signs");
    (p, false)
}

/// Newton's method on the dual `log Σ exp(a·v + b·v²) − b·V` (only `a` when no variance).
fn newton(noises: &[i64], variance: Option<f64>) -> Option<Vec<f64>> {
    let v: Vec<f64> = noises.iter().map(|&x| x as f64).collect();
    let probabilities = |a: f64, b: f64| {
        let exponents: Vec<f64> = v.iter().map(|&x| a * x + b * x * x).collect();
        let top = exponents.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = exponents.iter().map(|e| (e - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        let log_partition = top + total.ln();
        (
            weights.into_iter().map(|w| w / total).collect::<Vec<f64>>(),
            log_partition,
        )
    };
    let dual = |a: f64, b: f64| {
        let (_, log_partition) = probabilities(a, b);
        log_partition - variance.map_or(0.0, |target| b * target)
    };
    let (mut a, mut b) = (0.0_f64, 0.0_f64);
    for _ in 0..200 {
        let (p, _) = probabilities(a, b);
        let m1: f64 = p.iter().zip(&v).map(|(p, x)| p * x).sum();
        let m2: f64 = p.iter().zip(&v).map(|(p, x)| p * x * x).sum();
        let m3: f64 = p.iter().zip(&v).map(|(p, x)| p * x * x * x).sum();
        let m4: f64 = p.iter().zip(&v).map(|(p, x)| p * x.powi(4)).sum();
        let (step_a, step_b, gradient_norm) = match variance {
            None => {
                let h = m2 - m1 * m1;
                (m1 / h, 0.0, m1.abs())
            }
            Some(target) => {
                let (g1, g2) = (m1, m2 - target);
                let (h11, h12, h22) = (m2 - m1 * m1, m3 - m1 * m2, m4 - m2 * m2);
                let det = h11 * h22 - h12 * h12;
                if !(det.is_finite() && det > 0.0) {
                    return None;
                }
                (
                    (h22 * g1 - h12 * g2) / det,
                    (h11 * g2 - h12 * g1) / det,
                    g1.abs().max(g2.abs()),
                )
            }
        };
        if gradient_norm < 1e-13 {
            return Some(p);
        }
        // Backtracking keeps the dual decreasing, so the iteration cannot run away.
        let current = dual(a, b);
        let mut t = 1.0;
        while dual(a - t * step_a, b - t * step_b) > current && t > 1e-12 {
            t *= 0.5;
        }
        a -= t * step_a;
        b -= t * step_b;
        if !(a.is_finite() && b.is_finite()) {
            return None;
        }
    }
    let (p, _) = probabilities(a, b);
    let m1: f64 = p.iter().zip(&v).map(|(p, x)| p * x).sum();
    let m2: f64 = p.iter().zip(&v).map(|(p, x)| p * x * x).sum();
    let converged = m1.abs() < 1e-9 && variance.is_none_or(|target| (m2 - target).abs() < 1e-9);
    converged.then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(d: u32, v: f64, js: u32) -> PerturbationTable {
        PerturbationTable::new(NoiseParameters {
            maximum_noise_people: d,
            variance_people2: v,
            blocked_up_to_people: js,
        })
        .unwrap()
    }

    #[test]
    fn every_row_is_a_mean_zero_distribution_within_the_maximum_noise() {
        for (d, v, js) in [
            (5, 3.0, 2),
            (3, 1.08, 1),
            (3, 1.0, 0),
            (7, 3.0, 0),
            (4, 2.0, 4),
        ] {
            let t = table(d, v, js);
            assert_eq!(t.rows.len() as u32, d + js + 2);
            for row in &t.rows {
                let total: f64 = row.probability.iter().sum();
                assert!((total - 1.0).abs() < 1e-12, "{row:?}");
                assert!(row.mean().abs() < 1e-9, "mean of {row:?}");
                assert!(row
                    .noise_people
                    .iter()
                    .all(|n| n.unsigned_abs() <= u64::from(d)));
                for &n in &row.noise_people {
                    let target = row.original_people as i64 + n;
                    assert!(
                        target >= 0 && !(1..=i64::from(js)).contains(&target),
                        "{row:?}"
                    );
                }
                if row.variance_met {
                    assert!((row.variance() - v).abs() < 1e-9, "variance of {row:?}");
                }
            }
            let symmetric = t.rows.last().unwrap();
            assert!(symmetric.variance_met, "the symmetric row reaches V");
            assert_eq!(symmetric.noise_people.len() as u32, 2 * d + 1);
        }
    }

    #[test]
    fn zeros_stay_zero_and_blocked_values_are_never_published() {
        let t = table(5, 3.0, 2);
        for step in 0..1000 {
            let key = (f64::from(step) + 0.5) / 1000.0;
            assert_eq!(t.perturb(0, key), 0);
            for original in 1..40 {
                let published = t.perturb(original, key);
                assert!(!(1..=2).contains(&published), "{original} -> {published}");
                assert!(published.abs_diff(original) <= 5);
            }
        }
    }

    #[test]
    fn a_noise_of_probability_zero_is_never_drawn() {
        // With D = js every count just above the blocked range can only stay (row js + 1).
        let t = table(2, 1.0, 2);
        let row = t.row(3);
        assert_eq!(row.probability.iter().filter(|&&p| p > 0.0).count(), 1);
        for key in [0.0, 0.5, 0.999_999_999_999, 1.0 - f64::EPSILON] {
            assert_eq!(t.perturb(3, key), 3);
        }
        // A blocked 2 can become 4 (3 cannot): the interval is the hull, 2..=6.
        assert_eq!(t.feasible_originals(4), Some((2, 6)));
    }

    #[test]
    fn feasible_originals_are_what_an_attacker_learns() {
        let t = table(5, 3.0, 2);
        // A published 0 is a true 0 or a count of up to D that lost everything.
        assert_eq!(t.feasible_originals(0), Some((0, 5)));
        // Blocked values are never published.
        assert_eq!(t.feasible_originals(1), None);
        assert_eq!(t.feasible_originals(2), None);
        // The smallest positive value: never from a zero, otherwise anything within D.
        assert_eq!(t.feasible_originals(3), Some((1, 8)));
        assert_eq!(t.feasible_originals(100), Some((95, 105)));
        assert_eq!(t.guaranteed_width_people(), 5);
        assert_eq!(table(3, 1.08, 1).guaranteed_width_people(), 3);
    }

    #[test]
    fn bad_parameters_are_refused_with_the_parameters() {
        for (d, v, js) in [
            (0, 1.0, 0),
            (2, 1.0, 3),
            (3, -1.0, 0),
            (3, f64::NAN, 0),
            (2, 5.0, 0),
        ] {
            let p = NoiseParameters {
                maximum_noise_people: d,
                variance_people2: v,
                blocked_up_to_people: js,
            };
            match PerturbationTable::new(p) {
                Err(DisclosureError::InvalidNoiseParameters { parameters, .. }) => {
                    assert_eq!(parameters.maximum_noise_people, d)
                }
                other => panic!("{p:?} gave {other:?}"),
            }
        }
    }
}
