"""Reference perturbation tables for hemi-disclosure's ptable tests.

An independent construction of the same maximum-entropy rows (Giessing 2016; the
construction of Destatis' `ptable` R package, which cannot be installed here): for each
original count i, maximise entropy over the allowed noises v (|v| <= D, i+v >= 0, i+v not
in 1..js) subject to sum p = 1, mean 0 and variance V, with SciPy's SLSQP on the primal
(not Newton on the dual, as the Rust code does). Rows where variance V is out of reach
keep mean 0 only. Run: python3 make_fixtures.py  (numpy and scipy; versions are written
into the CSV's first line).
"""
import numpy as np
import scipy
from scipy.optimize import minimize


def allowed(i, d, js):
    if i == 0:
        return [0]
    return [j - i for j in range(max(0, i - d), i + d + 1) if not (1 <= j <= js)]


def reachable(noises, v):
    neg = [-x for x in noises if x < 0]
    pos = [x for x in noises if x > 0]
    if not neg or not pos:
        return False
    products = [n * q for n in neg for q in pos]
    low = 0.0 if 0 in noises else min(products)
    high = max(products)
    margin = 1e-9 * max(high, 1.0)
    return low + margin < v < high - margin


def row(noises, variance):
    x = np.array(noises, dtype=float)
    if not ((x < 0).any() and (x > 0).any()):
        return [1.0 if n == 0 else 0.0 for n in noises], False
    use_variance = reachable(noises, variance)
    constraints = [{"type": "eq", "fun": lambda p: p.sum() - 1.0},
                   {"type": "eq", "fun": lambda p: p @ x}]
    if use_variance:
        constraints.append({"type": "eq", "fun": lambda p: p @ (x * x) - variance})
    start = np.full(len(x), 1.0 / len(x))
    result = minimize(lambda p: np.sum(p * np.log(np.maximum(p, 1e-300))), start,
                      jac=lambda p: np.log(np.maximum(p, 1e-300)) + 1.0,
                      bounds=[(1e-12, 1.0)] * len(x), constraints=constraints,
                      method="SLSQP", options={"ftol": 1e-15, "maxiter": 2000})
    assert result.success, result.message
    p = result.x / result.x.sum()
    return list(p), use_variance


with open("maximum_entropy.csv", "w") as out:
    out.write(f"# made by make_fixtures.py with numpy {np.__version__}, scipy {scipy.__version__}\n")
    out.write("maximum_noise,variance,blocked_up_to,original,noise,probability,variance_met\n")
    for d, v, js in [(5, 3.0, 2), (3, 1.08, 1), (4, 2.0, 0)]:
        for i in range(0, d + js + 2):
            noises = allowed(i, d, js)
            probabilities, met = row(noises, v)
            for n, p in zip(noises, probabilities):
                out.write(f"{d},{v},{js},{i},{n},{p:.12f},{str(met).lower()}\n")
