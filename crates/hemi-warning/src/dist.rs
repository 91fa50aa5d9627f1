//! Discrete quantile functions with R's exact conventions (R 4.2.2 `nmath/qnbinom.c`,
//! `qpois.c`): the answer is the smallest integer `y ≥ 0` with
//! `F(y) ≥ p · (1 − 64·DBL_EPSILON)` (R's "fuzz to ensure left continuity").
//! CDFs come from `statrs` regularized incomplete beta/gamma functions, the same
//! identities R uses (`pnbinom = pbeta(prob, size, y + 1)`, `ppois = Q(y + 1, λ)`).

use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::{beta::beta_reg, gamma::gamma_ur};

/// Standard normal quantile (R `qnorm(p)`).
pub(crate) fn qnorm(p: f64) -> f64 {
    Normal::new(0.0, 1.0)
        .expect("standard normal")
        .inverse_cdf(p)
}

fn pnbinom(y: f64, size: f64, prob: f64) -> f64 {
    if y < 0.0 {
        0.0
    } else {
        beta_reg(size, y + 1.0, prob)
    }
}

fn ppois(y: f64, lambda: f64) -> f64 {
    if y < 0.0 {
        0.0
    } else if lambda == 0.0 {
        1.0
    } else {
        gamma_ur(y + 1.0, lambda)
    }
}

/// Smallest integer `y ≥ 0` with `cdf(y) ≥ target`, starting the search at `guess`
/// (exponential bracketing then bisection; same answer as R's linear `do_search`,
/// which relies on the same monotonicity).
fn search(guess: f64, target: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let mut lo; // cdf(lo) < target, or lo = -1
    let mut hi; // cdf(hi) >= target
    let g = guess.max(0.0).round();
    if cdf(g) >= target {
        hi = g;
        let mut step = 1.0;
        loop {
            let c = hi - step;
            if c < 0.0 {
                lo = -1.0;
                break;
            }
            if cdf(c) < target {
                lo = c;
                break;
            }
            hi = c;
            step *= 2.0;
        }
    } else {
        lo = g;
        let mut step = 1.0;
        loop {
            let c = lo + step;
            if cdf(c) >= target {
                hi = c;
                break;
            }
            lo = c;
            step *= 2.0;
            if !c.is_finite() {
                return f64::INFINITY;
            }
        }
    }
    while hi - lo > 1.0 {
        let mid = ((lo + hi) / 2.0).floor();
        if cdf(mid) >= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// R `qnbinom(p, size, prob)` (lower tail).
pub(crate) fn qnbinom(p: f64, size: f64, prob: f64) -> f64 {
    if !(p.is_finite() && size.is_finite() && prob.is_finite())
        || size < 0.0
        || prob <= 0.0
        || prob > 1.0
    {
        return f64::NAN;
    }
    if prob == 1.0 || size == 0.0 {
        return 0.0;
    }
    if p + 1.01 * f64::EPSILON >= 1.0 {
        return f64::INFINITY;
    }
    let q = 1.0 / prob;
    let pp = (1.0 - prob) * q;
    let mu = size * pp;
    let sigma = (size * pp * q).sqrt();
    let gamma = (q + pp) / sigma;
    let z = qnorm(p);
    let guess = (mu + sigma * (z + gamma * (z * z - 1.0) / 6.0)).round();
    search(guess, p * (1.0 - 64.0 * f64::EPSILON), |y| {
        pnbinom(y, size, prob)
    })
}

/// R `qpois(p, lambda)` (lower tail).
pub(crate) fn qpois(p: f64, lambda: f64) -> f64 {
    if !(p.is_finite() && lambda.is_finite()) || lambda < 0.0 {
        return f64::NAN;
    }
    if lambda == 0.0 {
        return 0.0;
    }
    if p + 1.01 * f64::EPSILON >= 1.0 {
        return f64::INFINITY;
    }
    let sigma = lambda.sqrt();
    let gamma = 1.0 / sigma;
    let z = qnorm(p);
    let guess = (lambda + sigma * (z + gamma * (z * z - 1.0) / 6.0)).round();
    search(guess, p * (1.0 - 64.0 * f64::EPSILON), |y| ppois(y, lambda))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference values from R 4.2.2.
    #[test]
    fn matches_r_quantiles() {
        assert_eq!(qpois(0.95, 3.0), 6.0); // qpois(0.95, 3)
        assert_eq!(qpois(0.95, 0.01), 0.0);
        assert_eq!(qnbinom(0.95, 2.0, 0.5), 6.0); // qnbinom(0.95, 2, 0.5)
        assert_eq!(qnbinom(0.95, 100.0 / 3.0, 0.25), 135.0); // qnbinom(0.95, 100/3, 1/4)
        assert!((qnorm(0.999) - 3.090_232_306_167_813).abs() < 1e-13);
    }
}
