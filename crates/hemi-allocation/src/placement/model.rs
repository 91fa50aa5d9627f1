//! Employment-likelihood model per household × site: logistic regression fitted by
//! Newton–Raphson (iteratively reweighted least squares, McCullagh & Nelder 1989 §4.4),
//! trained on synthetic outcomes from a documented generator until real outcome data
//! arrive (`fit` takes any rows), with calibration on held-out rows (reliability bins,
//! Brier score).
//!
//! Written by hand: ten features need a 10×10 solve; the Rust GLM crates (linfa-logistic,
//! with ndarray and argmin) would add far more than they save. Checked against R's
//! `glm(family = binomial)` on a stored data set (`test_data/model/`).
//!
//! The outcome is GeoMatch's (Bansak et al. 2018): someone in the household is employed
//! within 90 days of arrival.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

/// Job sectors used for skills and openings.
pub const SECTORS: [&str; 5] = [
    "agriculture",
    "construction",
    "manufacturing",
    "services",
    "care",
];

/// What the model knows of a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdFeatures {
    /// Members aged 18–64.
    pub working_age_adults: u32,
    /// Members under 18.
    pub children: u32,
    /// Most years of schooling among adults.
    pub max_schooling_years: f64,
    /// Someone speaks English.
    pub speaks_english: bool,
    /// Main skill sector (index into [`SECTORS`]).
    pub skill_sector: usize,
    /// Relatives or friends already at the site.
    pub ties_at_site: bool,
}

/// What the model knows of a site (community).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteFeatures {
    /// Local unemployment rate, %.
    pub unemployment_rate_percent: f64,
    /// Job openings per 1,000 residents, by sector (same order as [`SECTORS`]).
    pub openings_per_1000_by_sector: [f64; 5],
    /// English classes for adults are offered.
    pub english_classes: bool,
    /// School places free per arriving child.
    pub school_places_per_child: f64,
}

/// Feature names, in the order of [`features`] (after the intercept).
pub const FEATURE_NAMES: [&str; 9] = [
    "working-age adults",
    "children",
    "schooling years (max)",
    "speaks English",
    "openings in own sector per 1,000",
    "local unemployment %",
    "English classes × no English",
    "ties at the site",
    "school places per child",
];

/// Number of coefficients (intercept plus features).
pub const COEFFICIENTS: usize = 10;

/// The model's inputs for a pair, with a leading 1 for the intercept.
pub fn features(h: &HouseholdFeatures, s: &SiteFeatures) -> [f64; COEFFICIENTS] {
    [
        1.0,
        h.working_age_adults as f64,
        h.children as f64,
        h.max_schooling_years,
        h.speaks_english as u8 as f64,
        s.openings_per_1000_by_sector[h.skill_sector.min(4)],
        s.unemployment_rate_percent,
        (s.english_classes && !h.speaks_english) as u8 as f64,
        h.ties_at_site as u8 as f64,
        s.school_places_per_child.min(3.0),
    ]
}

/// Coefficients of the synthetic generator (log-odds), documented so results on it can
/// be read: intercept −2.0; +0.45 per working-age adult; −0.10 per child; +0.06 per
/// year of schooling; +0.50 for English; +0.08 per opening per 1,000 in the household's
/// sector; −0.15 per point of unemployment; +0.40 for English classes when nobody speaks
/// English; +0.60 for ties; +0.10 per school place per child (capped at 3).
pub const TRUE_COEFFICIENTS: [f64; COEFFICIENTS] =
    [-2.0, 0.45, -0.10, 0.06, 0.50, 0.08, -0.15, 0.40, 0.60, 0.10];

/// Random households and sites with the shapes above (adults 1–3, children 0–4,
/// schooling 0–16 years, English 30 %, sectors uniform, ties 10 %; unemployment 2–9 %,
/// openings 0–20 per 1,000 per sector, English classes 60 %, school places 0–3).
pub fn synth_features(rng: &mut ChaCha20Rng) -> (HouseholdFeatures, SiteFeatures) {
    let h = HouseholdFeatures {
        working_age_adults: rng.gen_range(1..=3),
        children: rng.gen_range(0..=4),
        max_schooling_years: rng.gen_range(0..=16) as f64,
        speaks_english: rng.gen_bool(0.3),
        skill_sector: rng.gen_range(0..5),
        ties_at_site: rng.gen_bool(0.1),
    };
    let s = SiteFeatures {
        unemployment_rate_percent: rng.gen_range(2.0..9.0),
        openings_per_1000_by_sector: std::array::from_fn(|_| rng.gen_range(0.0..20.0)),
        english_classes: rng.gen_bool(0.6),
        school_places_per_child: rng.gen_range(0.0..3.0),
    };
    (h, s)
}

/// Synthetic outcomes: `rows` random pairs, each employed with probability
/// `logistic(TRUE_COEFFICIENTS · x + e)`, `e ~ N(0, 0.3)` (unmodelled heterogeneity, so the
/// fitted model is not the generator). Returns (inputs, outcomes).
pub fn synth_outcomes(rows: usize, seed: u64) -> (Vec<[f64; COEFFICIENTS]>, Vec<bool>) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 0.3).expect("valid");
    let mut x = Vec::with_capacity(rows);
    let mut y = Vec::with_capacity(rows);
    for _ in 0..rows {
        let (h, s) = synth_features(&mut rng);
        let f = features(&h, &s);
        let z: f64 = f
            .iter()
            .zip(TRUE_COEFFICIENTS)
            .map(|(a, b)| a * b)
            .sum::<f64>()
            + noise.sample(&mut rng);
        x.push(f);
        y.push(rng.gen::<f64>() < logistic(z));
    }
    (x, y)
}

fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmploymentModel {
    /// Coefficients: intercept, then [`FEATURE_NAMES`].
    pub coefficients: [f64; COEFFICIENTS],
    /// Newton iterations used.
    pub iterations: u32,
    /// Rows it was fitted on.
    pub training_rows: usize,
}

/// Why fitting failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    /// Inputs and outcomes differ in length, or there are none.
    #[error("{rows} input rows but {outcomes} outcomes")]
    Shape {
        /// Input rows.
        rows: usize,
        /// Outcomes.
        outcomes: usize,
    },
    /// The Hessian is singular (a constant or duplicated feature, or separation).
    #[error("singular information matrix at iteration {0}: a feature is constant or duplicated, or outcomes are perfectly separated")]
    Singular(u32),
}

/// Solve `a x = b` for symmetric positive-definite `a` by Cholesky; None if not PD.
/// (Index loops on purpose: the formulas read as in the textbook.)
#[allow(clippy::needless_range_loop)]
fn cholesky_solve(
    a: &[[f64; COEFFICIENTS]; COEFFICIENTS],
    b: &[f64; COEFFICIENTS],
) -> Option<[f64; COEFFICIENTS]> {
    let n = COEFFICIENTS;
    let mut l = [[0.0; COEFFICIENTS]; COEFFICIENTS];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i][j];
            for k in 0..j {
                sum -= l[i][k] * l[j][k];
            }
            if i == j {
                if sum <= 1e-12 {
                    return None;
                }
                l[i][i] = sum.sqrt();
            } else {
                l[i][j] = sum / l[j][j];
            }
        }
    }
    let mut y = [0.0; COEFFICIENTS];
    for i in 0..n {
        let mut sum = b[i];
        for k in 0..i {
            sum -= l[i][k] * y[k];
        }
        y[i] = sum / l[i][i];
    }
    let mut x = [0.0; COEFFICIENTS];
    for i in (0..n).rev() {
        let mut sum = y[i];
        for k in i + 1..n {
            sum -= l[k][i] * x[k];
        }
        x[i] = sum / l[i][i];
    }
    Some(x)
}

impl EmploymentModel {
    /// Fit by Newton–Raphson to convergence (change of deviance below 1e-10 relative, as
    /// R's `glm.control(epsilon = 1e-8)` or tighter), at most 50 iterations.
    #[allow(clippy::needless_range_loop)]
    pub fn fit(x: &[[f64; COEFFICIENTS]], y: &[bool]) -> Result<Self, FitError> {
        if x.len() != y.len() || x.is_empty() {
            return Err(FitError::Shape {
                rows: x.len(),
                outcomes: y.len(),
            });
        }
        let mut beta = [0.0; COEFFICIENTS];
        let mut deviance = f64::INFINITY;
        for iteration in 1..=50 {
            let mut info = [[0.0; COEFFICIENTS]; COEFFICIENTS];
            let mut score = [0.0; COEFFICIENTS];
            let mut new_deviance = 0.0;
            for (row, &outcome) in x.iter().zip(y) {
                let p = logistic(row.iter().zip(&beta).map(|(a, b)| a * b).sum());
                let yv = outcome as u8 as f64;
                let w = (p * (1.0 - p)).max(1e-12);
                for i in 0..COEFFICIENTS {
                    score[i] += (yv - p) * row[i];
                    for j in 0..=i {
                        info[i][j] += w * row[i] * row[j];
                    }
                }
                new_deviance -= 2.0
                    * if outcome {
                        p.max(1e-300).ln()
                    } else {
                        (1.0 - p).max(1e-300).ln()
                    };
            }
            for i in 0..COEFFICIENTS {
                for j in 0..i {
                    info[j][i] = info[i][j];
                }
            }
            if (deviance - new_deviance).abs() < 1e-12 * (new_deviance.abs() + 0.1) {
                return Ok(EmploymentModel {
                    coefficients: beta,
                    iterations: iteration - 1,
                    training_rows: x.len(),
                });
            }
            deviance = new_deviance;
            let step = cholesky_solve(&info, &score).ok_or(FitError::Singular(iteration))?;
            for i in 0..COEFFICIENTS {
                beta[i] += step[i];
            }
        }
        Ok(EmploymentModel {
            coefficients: beta,
            iterations: 50,
            training_rows: x.len(),
        })
    }

    /// Predicted probability of employment.
    pub fn predict(&self, x: &[f64; COEFFICIENTS]) -> f64 {
        logistic(x.iter().zip(&self.coefficients).map(|(a, b)| a * b).sum())
    }

    /// Each feature's contribution to the log-odds of a pair (coefficient × value),
    /// named, for explanations.
    pub fn factors(&self, x: &[f64; COEFFICIENTS]) -> Vec<(String, f64)> {
        FEATURE_NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| (name.to_string(), self.coefficients[i + 1] * x[i + 1]))
            .collect()
    }
}

/// One reliability bin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lower edge of predicted probability.
    pub from: f64,
    /// Upper edge.
    pub to: f64,
    /// Rows in the bin.
    pub rows: usize,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// Observed employment rate.
    pub observed_rate: f64,
}

/// Calibration on rows the model was not fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Ten equal-width bins of predicted probability.
    pub bins: Vec<ReliabilityBin>,
    /// Mean squared error of the probabilities (Brier 1950).
    pub brier_score: f64,
    /// Brier score of always predicting the observed mean (the no-skill reference).
    pub brier_score_of_mean: f64,
    /// Rows.
    pub rows: usize,
}

/// Calibration of `model` on held-out rows.
pub fn calibration(model: &EmploymentModel, x: &[[f64; COEFFICIENTS]], y: &[bool]) -> Calibration {
    let mut bins: Vec<(usize, f64, f64)> = vec![(0, 0.0, 0.0); 10];
    let mut brier = 0.0;
    let mean = y.iter().filter(|&&v| v).count() as f64 / y.len().max(1) as f64;
    let mut brier_mean = 0.0;
    for (row, &outcome) in x.iter().zip(y) {
        let p = model.predict(row);
        let yv = outcome as u8 as f64;
        brier += (p - yv).powi(2);
        brier_mean += (mean - yv).powi(2);
        let b = ((p * 10.0).floor() as usize).min(9);
        bins[b].0 += 1;
        bins[b].1 += p;
        bins[b].2 += yv;
    }
    let n = y.len().max(1) as f64;
    Calibration {
        bins: bins
            .into_iter()
            .enumerate()
            .map(|(i, (rows, sp, sy))| ReliabilityBin {
                from: i as f64 / 10.0,
                to: (i + 1) as f64 / 10.0,
                rows,
                mean_predicted: sp / rows.max(1) as f64,
                observed_rate: sy / rows.max(1) as f64,
            })
            .collect(),
        brier_score: brier / n,
        brier_score_of_mean: brier_mean / n,
        rows: y.len(),
    }
}

/// Candidate arcs scored by the model: for each `(household, site)` index pair, the
/// predicted probability of employment, ready for [`super::Instance::new`]. This is how
/// the plan maximises expected employment.
pub fn score_arcs(
    model: &EmploymentModel,
    households: &[HouseholdFeatures],
    sites: &[SiteFeatures],
    candidates: &[(u32, u32)],
) -> Vec<super::ArcRow> {
    candidates
        .iter()
        .map(|&(h, s)| super::ArcRow {
            household: h,
            site: s,
            score: model.predict(&features(&households[h as usize], &sites[s as usize])),
            line: 0,
        })
        .collect()
}
