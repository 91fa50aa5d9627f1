//! Log-link GLM fitted by iteratively reweighted least squares, a line-by-line port of R's
//! `stats::glm.fit` (R 4.2.2) for the two families the detectors need.
//!
//! Why hand-written rather than a crate: the detectors must reproduce R `surveillance`
//! to 1e-6, and R's answers depend on `glm.fit`'s exact recipe (starting values
//! `mustart`, the deviance-change stopping rule `|dev - devold| / (|dev| + 0.1) < 1e-8`,
//! at most 25 iterations, step halving, and which iteration's weights end up in the
//! returned hat values and dispersion). The systems are tiny (≤ ~40 rows, ≤ 6 columns),
//! so a dense Householder QR (the same factorisation R's `Cdqrls` uses, minus LINPACK's
//! column pivoting, see [`qr`]) is both simplest and exact enough.

/// `.Machine$double.eps`: R's log link clamps `exp(eta)` from below at this value.
const DBL_EPS: f64 = f64::EPSILON;

/// Error family of the GLM (the link is always log).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Family {
    /// `quasipoisson(link = "log")`: variance `mu`, dispersion estimated by Pearson.
    QuasiPoisson,
    /// `MASS::negative.binomial(theta)`: variance `mu + mu^2 / theta`.
    NegBin { theta: f64 },
}

impl Family {
    fn mustart(self, y: f64) -> f64 {
        match self {
            // stats::poisson()$initialize (shared by quasipoisson)
            Family::QuasiPoisson => y + 0.1,
            // MASS::negative.binomial()$initialize
            Family::NegBin { .. } => y + if y == 0.0 { 1.0 / 6.0 } else { 0.0 },
        }
    }
    fn variance(self, mu: f64) -> f64 {
        match self {
            Family::QuasiPoisson => mu,
            Family::NegBin { theta } => mu + mu * mu / theta,
        }
    }
    fn dev_resid(self, y: f64, mu: f64, wt: f64) -> f64 {
        match self {
            Family::QuasiPoisson => {
                if y > 0.0 {
                    2.0 * (wt * (y * (y / mu).ln() - (y - mu)))
                } else {
                    2.0 * (mu * wt)
                }
            }
            Family::NegBin { theta } => {
                2.0 * wt
                    * (y * (y.max(1.0) / mu).ln() - (y + theta) * ((y + theta) / (mu + theta)).ln())
            }
        }
    }
    fn valid_mu(self, mu: &[f64]) -> bool {
        match self {
            Family::QuasiPoisson => mu.iter().all(|m| m.is_finite() && *m > 0.0),
            Family::NegBin { .. } => mu.iter().all(|m| *m > 0.0),
        }
    }
}

fn linkinv(eta: f64) -> f64 {
    eta.exp().max(DBL_EPS)
}

/// Householder QR of an n×p matrix, stored flat and column-major: the fits run once
/// per series and month, so allocation per row showed up as a fifth of replay time.
pub(crate) struct Qr {
    /// Householder vectors, column-major n×p (zeros above the diagonal).
    v: Vec<f64>,
    /// Squared norm of each Householder vector.
    vnorm2: Vec<f64>,
    /// Upper-triangular factor R, p×p, row-major.
    r: Vec<f64>,
    n: usize,
    p: usize,
}

/// Factorises the n×p matrix `m` given column-major (`m[j * n + i]` = row i, column j).
/// Returns `None` when a column is numerically dependent on the previous ones
/// (|R_jj| ≤ 1e-7 × column norm, R's `Cdqrls` tolerance): R would pivot that column out
/// and report an `NA` coefficient; we report a failed fit instead (documented
/// deviation, never met on the fixtures).
pub(crate) fn qr(mut m: Vec<f64>, n: usize, p: usize) -> Option<Qr> {
    if n < p {
        return None;
    }
    let norms: Vec<f64> = m
        .chunks_exact(n.max(1))
        .take(p)
        .map(|c| c.iter().map(|x| x * x).sum::<f64>().sqrt())
        .collect();
    let mut v = vec![0.0; n * p];
    let mut vnorm2 = vec![0.0; p];
    for j in 0..p {
        let col = &m[j * n..(j + 1) * n];
        let alpha_norm = col[j..].iter().map(|x| x * x).sum::<f64>().sqrt();
        if alpha_norm.is_nan() || alpha_norm <= 1e-7 * norms[j] {
            return None;
        }
        let alpha = if col[j] > 0.0 {
            -alpha_norm
        } else {
            alpha_norm
        };
        let vj = &mut v[j * n..(j + 1) * n];
        vj[j] = col[j] - alpha;
        vj[(j + 1)..n].copy_from_slice(&col[(j + 1)..n]);
        let vn2: f64 = vj.iter().map(|x| x * x).sum();
        vnorm2[j] = vn2;
        if vn2 > 0.0 {
            for c in j..p {
                let colc = &mut m[c * n..(c + 1) * n];
                let d: f64 = vj[j..].iter().zip(&colc[j..]).map(|(a, b)| a * b).sum();
                let f = 2.0 * d / vn2;
                for i in j..n {
                    colc[i] -= f * vj[i];
                }
            }
        }
    }
    let mut r = vec![0.0; p * p];
    for i in 0..p {
        for j in i..p {
            r[i * p + j] = m[j * n + i];
        }
    }
    Some(Qr { v, vnorm2, r, n, p })
}

impl Qr {
    fn reflect(&self, j: usize, b: &mut [f64]) {
        let vn2 = self.vnorm2[j];
        if vn2 > 0.0 {
            let v = &self.v[j * self.n..(j + 1) * self.n];
            let d: f64 = v[j..].iter().zip(&b[j..]).map(|(a, c)| a * c).sum();
            let f = 2.0 * d / vn2;
            for i in j..self.n {
                b[i] -= f * v[i];
            }
        }
    }
    fn apply_qt(&self, b: &mut [f64]) {
        for j in 0..self.p {
            self.reflect(j, b);
        }
    }
    fn apply_q(&self, b: &mut [f64]) {
        for j in (0..self.p).rev() {
            self.reflect(j, b);
        }
    }
    fn r_at(&self, i: usize, j: usize) -> f64 {
        self.r[i * self.p + j]
    }
    /// Least-squares solution of `A x = b`.
    fn solve(&self, b: &[f64]) -> Vec<f64> {
        let mut qtb = b.to_vec();
        self.apply_qt(&mut qtb);
        let mut x = vec![0.0; self.p];
        for i in (0..self.p).rev() {
            let s: f64 = ((i + 1)..self.p).map(|j| self.r_at(i, j) * x[j]).sum();
            x[i] = (qtb[i] - s) / self.r_at(i, i);
        }
        x
    }
    /// Diagonal of the hat matrix Q₁Q₁ᵀ (what R's `lm.influence()$hat` computes).
    fn hat(&self) -> Vec<f64> {
        let mut h = vec![0.0; self.n];
        let mut e = vec![0.0; self.n];
        for j in 0..self.p {
            e.iter_mut().for_each(|x| *x = 0.0);
            e[j] = 1.0;
            self.apply_q(&mut e);
            for i in 0..self.n {
                h[i] += e[i] * e[i];
            }
        }
        // lm.influence: hat values within 10 eps of 1 are set to 1.
        for x in &mut h {
            if *x > 1.0 - 10.0 * f64::EPSILON {
                *x = 1.0;
            }
        }
        h
    }
    /// (RᵀR)⁻¹, R's `chol2inv(Qr$qr)`: the unscaled covariance of the coefficients.
    #[allow(clippy::needless_range_loop)] // triangular solve reads clearer with indices
    fn cov_unscaled(&self) -> Vec<Vec<f64>> {
        let p = self.p;
        // Rinv (upper triangular)
        let mut rinv = vec![vec![0.0; p]; p];
        for c in 0..p {
            for i in (0..=c).rev() {
                let rhs = if i == c { 1.0 } else { 0.0 };
                let s: f64 = ((i + 1)..=c).map(|j| self.r_at(i, j) * rinv[j][c]).sum();
                rinv[i][c] = (rhs - s) / self.r_at(i, i);
            }
        }
        let mut out = vec![vec![0.0; p]; p];
        for i in 0..p {
            for j in 0..p {
                out[i][j] = (0..p).map(|k| rinv[i][k] * rinv[j][k]).sum();
            }
        }
        out
    }
}

/// Result of [`glm_fit`], holding what `summary.glm`, `hatvalues` and `predict` use.
pub(crate) struct GlmFit {
    pub coef: Vec<f64>,
    /// Fitted means after the last update (`fitted.values`).
    pub mu: Vec<f64>,
    /// Working weights `w^2` of the LAST iteration (computed before its update, as in R).
    pub working_weights: Vec<f64>,
    /// Working residuals `(y - mu) / mu.eta(eta)` at the final `eta`.
    pub working_residuals: Vec<f64>,
    /// Hat values of the last weighted least-squares step (0 for zero-weight rows).
    pub hat: Vec<f64>,
    pub converged: bool,
    pub df_residual: f64,
    cov_unscaled: Vec<Vec<f64>>,
}

impl GlmFit {
    /// `summary.glm(m)$dispersion` for a quasi family: Pearson χ² / residual df
    /// (NaN when df is 0, as in R).
    pub fn pearson_dispersion(&self) -> f64 {
        if self.df_residual > 0.0 {
            let s: f64 = self
                .working_weights
                .iter()
                .zip(&self.working_residuals)
                .filter(|(w, _)| **w > 0.0)
                .map(|(w, r)| w * r * r)
                .sum();
            s / self.df_residual
        } else {
            f64::NAN
        }
    }
    /// Two-sided t-test p-value of coefficient `j` as `summary.glm` reports it for a
    /// quasi family (dispersion estimated, t distribution with residual df).
    pub fn p_value(&self, j: usize) -> f64 {
        let disp = self.pearson_dispersion();
        let se = (self.cov_unscaled[j][j] * disp).sqrt();
        let t = self.coef[j] / se;
        if !t.is_finite() || self.df_residual <= 0.0 {
            return f64::NAN;
        }
        use statrs::distribution::{ContinuousCDF, StudentsT};
        match StudentsT::new(0.0, 1.0, self.df_residual) {
            Ok(d) => 2.0 * d.cdf(-t.abs()),
            Err(_) => f64::NAN,
        }
    }
    /// Linear predictor `x0ᵀβ`.
    pub fn eta(&self, x0: &[f64]) -> f64 {
        x0.iter().zip(&self.coef).map(|(a, b)| a * b).sum()
    }
}

/// Why a fit could not be produced at all (R would stop with an error here).
#[derive(Debug)]
pub(crate) struct FitError;

/// Port of `stats::glm.fit` with log link, `control = glm.control()` (epsilon 1e-8,
/// maxit 25). `x` holds the design rows, `prior` the prior weights.
pub(crate) fn glm_fit(
    x: &[Vec<f64>],
    y: &[f64],
    prior: &[f64],
    family: Family,
) -> Result<GlmFit, FitError> {
    const EPSILON: f64 = 1e-8;
    const MAXIT: usize = 25;
    let n = y.len();
    let p = x.first().map_or(0, Vec::len);
    let dev = |mu: &[f64]| -> f64 {
        (0..n)
            .map(|i| family.dev_resid(y[i], mu[i], prior[i]))
            .sum()
    };
    let lin = |beta: &[f64]| -> Vec<f64> {
        x.iter()
            .map(|row| row.iter().zip(beta).map(|(a, b)| a * b).sum())
            .collect()
    };
    let relin = |eta: &mut Vec<f64>, beta: &[f64]| {
        for (e, row) in eta.iter_mut().zip(x) {
            *e = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        }
    };

    let mut eta: Vec<f64> = y.iter().map(|&yi| family.mustart(yi).ln()).collect();
    let mut mu: Vec<f64> = eta.iter().map(|&e| linkinv(e)).collect();
    let mut devold = dev(&mu);
    let mut coefold: Option<Vec<f64>> = None;
    let mut coef = vec![0.0; p];
    let mut converged = false;
    let mut last: Option<(Qr, Vec<f64>)> = None;
    // Prior weights do not change between iterations, so neither do the rows used.
    let good: Vec<usize> = (0..n).filter(|&i| prior[i] > 0.0).collect();
    let ng = good.len();
    let mut zw = Vec::with_capacity(ng);

    for _iter in 0..MAXIT {
        if good.is_empty() {
            break;
        }
        let mut cols = vec![0.0; ng * p];
        let mut wv = Vec::with_capacity(ng);
        zw.clear();
        for (k, &i) in good.iter().enumerate() {
            // mu.eta of the log link is pmax(exp(eta), eps): `mu[i]` holds exactly
            // that for the current eta, so it is not recomputed (exp was a tenth of
            // the replay's time).
            let mu_eta = mu[i];
            let z = eta[i] + (y[i] - mu[i]) / mu_eta;
            let w = (prior[i] * mu_eta * mu_eta / family.variance(mu[i])).sqrt();
            for (j, v) in x[i].iter().enumerate() {
                cols[j * ng + k] = v * w;
            }
            zw.push(z * w);
            wv.push(w);
        }
        let q = qr(cols, ng, p).ok_or(FitError)?;
        let mut start = q.solve(&zw);
        if start.iter().any(|c| !c.is_finite()) {
            break;
        }
        last = Some((q, wv));
        relin(&mut eta, &start);
        for (m, e) in mu.iter_mut().zip(&eta) {
            *m = linkinv(*e);
        }
        let mut d = dev(&mu);
        if !d.is_finite() {
            let old = coefold.as_ref().ok_or(FitError)?;
            let mut ii = 1;
            while !d.is_finite() {
                if ii > MAXIT {
                    return Err(FitError);
                }
                ii += 1;
                start = start.iter().zip(old).map(|(a, b)| (a + b) / 2.0).collect();
                eta = lin(&start);
                mu = eta.iter().map(|&e| linkinv(e)).collect();
                d = dev(&mu);
            }
        }
        if !family.valid_mu(&mu) {
            let old = coefold.as_ref().ok_or(FitError)?;
            let mut ii = 1;
            while !family.valid_mu(&mu) {
                if ii > MAXIT {
                    return Err(FitError);
                }
                ii += 1;
                start = start.iter().zip(old).map(|(a, b)| (a + b) / 2.0).collect();
                eta = lin(&start);
                mu = eta.iter().map(|&e| linkinv(e)).collect();
            }
            d = dev(&mu);
        }
        coef = start.clone();
        if (d - devold).abs() / (d.abs() + 0.1) < EPSILON {
            converged = true;
            break;
        }
        devold = d;
        coefold = Some(start);
    }
    let (q, wv) = last.ok_or(FitError)?;
    let mut working_weights = vec![0.0; n];
    let mut hat = vec![0.0; n];
    let h = q.hat();
    for (k, &i) in good.iter().enumerate() {
        working_weights[i] = wv[k] * wv[k];
        hat[i] = h[k];
    }
    // mu.eta(eta) is mu (see above).
    let working_residuals = (0..n).map(|i| (y[i] - mu[i]) / mu[i]).collect();
    let n_ok = prior.iter().filter(|w| **w != 0.0).count();
    Ok(GlmFit {
        coef,
        mu,
        working_weights,
        working_residuals,
        hat,
        converged,
        df_residual: n_ok as f64 - p as f64,
        cov_unscaled: q.cov_unscaled(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intercept_only_fit_is_the_mean() {
        let y = [3.0, 5.0, 7.0, 9.0];
        let x: Vec<Vec<f64>> = y.iter().map(|_| vec![1.0]).collect();
        let f = glm_fit(&x, &y, &[1.0; 4], Family::QuasiPoisson).unwrap();
        assert!(f.converged);
        assert!((f.eta(&[1.0]).exp() - 6.0).abs() < 1e-9);
        // hat values of an intercept-only Poisson fit are 1/n
        for h in &f.hat {
            assert!((h - 0.25).abs() < 1e-6);
        }
    }

    #[test]
    fn collinear_design_is_reported() {
        let x = vec![vec![1.0, 2.0], vec![1.0, 2.0], vec![1.0, 2.0]];
        assert!(glm_fit(&x, &[1.0, 2.0, 3.0], &[1.0; 3], Family::QuasiPoisson).is_err());
    }
}
