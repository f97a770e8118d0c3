"""Confidence intervals for findings: proportions, differences, means, medians and paired change.

Why these methods: findings are read in workshops by parents and provider staff, often about small
groups, so an interval must behave sensibly at 0 %, 100 % and with a handful of people. The Wilson score
interval never leaves [0, 1] and keeps close to its nominal coverage for small n (Newcombe 1998a,
Agresti & Coull 1998), unlike the textbook "p ± z·se" interval, which collapses to zero width at 0/n.
Differences of proportions use Newcombe's hybrid score interval (method 10 of Newcombe 1998b), built
from the two Wilson intervals. Means use Student's t from each cell's summary, and medians the
distribution-free order-statistic interval (its ranks here; :mod:`dpup_eval.findings.tables` picks the
values), which needs no assumption about the outcome's shape.

Every function takes arrays, because findings evaluate many indicators × groups × quarters at once: one
numpy/scipy call over all cells instead of a Python loop per cell (the grouping itself is done in
:mod:`dpup_eval.findings.tables`). A bound that cannot be computed (too few people for the requested
coverage, n == 0) is NaN rather than an invented number.

These are *statistical* results on true values. Publishing them is the job of findings, which must apply
disclosure control first (see :mod:`dpup_eval.findings.disclosure`): exact bounds computed from true counts can
reveal the count that random rounding hides, so compute published intervals from the rounded counts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# The distributions' own functions (scipy.special), not scipy.stats: every workshop page's kernel imports
# this module, and scipy.stats cost each one about 45 MB more and seconds of start-up. The three helpers
# below are what scipy.stats computes for norm.ppf, t.ppf, binom.ppf and binom.cdf (tests compare them).
from scipy import special

__all__ = [
    "binomial_cdf",
    "binomial_quantile",
    "mean_t_from_summary",
    "median_ranks",
    "newcombe_difference",
    "t_quantile",
    "wilson",
]


def t_quantile(q: ArrayLike, df: ArrayLike) -> np.ndarray:
    """Student's t quantile (``scipy.stats.t.ppf(q, df)``)."""
    return np.asarray(special.stdtrit(df, q))


def binomial_quantile(q: float, n: ArrayLike, p: float) -> np.ndarray:
    """Smallest k with P(B <= k) >= q, B ~ Binomial(n, p), for 0 < q < 1 (``scipy.stats.binom.ppf``)."""
    size = np.asarray(n, dtype=float)
    some = np.maximum(size, 1.0)  # n = 0 has one answer, 0; bdtrik gives NaN there
    guess = np.where(size == 0, 0.0, np.ceil(special.bdtrik(q, some, p)))
    below = np.maximum(guess - 1.0, 0.0)
    return np.where(special.bdtr(below.astype(np.int64), some.astype(np.int64), p) >= q, below, guess)  # k as integers


def binomial_cdf(k: ArrayLike, n: ArrayLike, p: float) -> np.ndarray:
    """P(B <= k), B ~ Binomial(n, p) (``scipy.stats.binom.cdf``): 0 below 0, 1 from n on."""
    at, size = np.floor(np.asarray(k, dtype=float)), np.asarray(n, dtype=float)
    whole = np.maximum(size, 0.0).astype(np.int64)  # bdtr wants integers (floats are deprecated)
    inside = special.bdtr(np.nan_to_num(np.clip(at, 0.0, whole)).astype(np.int64), whole, p)
    return np.where(at < 0, 0.0, np.where(at >= size, 1.0, inside))

def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return float(confidence)


def _z(confidence: float) -> float:
    return float(special.ndtri(0.5 + _check_confidence(confidence) / 2.0))


def _scalar_or_array(value: np.ndarray) -> np.ndarray:
    """A 0-d result becomes a numpy scalar, so scalar inputs give scalar-like outputs."""
    return value[()] if value.ndim == 0 else value


def wilson(
    successes: ArrayLike, n: ArrayLike, confidence: float = 0.95, *, rounding_variance: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes/n, vectorised (inputs broadcast); n == 0 gives NaN bounds.

    The bounds are forced to contain successes/n and to lie in [0, 1]: mathematically they do, and the
    forcing only removes floating-point dust (a lower bound of -1e-17 at 0/n would look like a bug).

    ``rounding_variance``: when successes and n are published *perturbed* counts (each off its true
    value by noise of this variance, as random rounding makes them), the interval solves
    (p̂ - p)² = z² [p(1 - p)/n + v(1 + p²)/n²] instead of Wilson's (p̂ - p)² = z² p(1 - p)/n: the
    noise in p̂ = s/n from both counts, to first order, is added to the binomial variance. 0 gives
    Wilson's interval exactly.
    """
    z = _z(confidence)
    s, total = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    if np.any(total < 0) or np.any(s < 0) or np.any(s > total):
        raise ValueError("wilson needs 0 <= successes <= n")
    if rounding_variance < 0:
        raise ValueError("rounding_variance cannot be negative")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / total
        z2n = z * z / total
        extra = z * z * rounding_variance / (total * total)
        a = 1.0 + z2n - extra
        b = 2.0 * p + z2n
        root = np.sqrt(np.maximum(b * b - 4.0 * a * (p * p - extra), 0.0))
        centre = b / (2.0 * a)
        half = root / (2.0 * a)
    low = np.where(s == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(s == total, 1.0, np.clip(centre + half, 0.0, 1.0))
    # Noise so large (a <= 0) that every share fits: the equation's "interval" turns inside out there.
    low, high = np.where(a > 0, low, 0.0), np.where(a > 0, high, 1.0)
    low = np.where(total == 0, np.nan, np.minimum(low, p))
    high = np.where(total == 0, np.nan, np.maximum(high, p))
    return _scalar_or_array(low), _scalar_or_array(high)


def newcombe_difference(
    s1: ArrayLike, n1: ArrayLike, s2: ArrayLike, n2: ArrayLike, confidence: float = 0.95, *,
    rounding_variance: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """p1 - p2 with Newcombe's hybrid score interval (1998b, method 10), vectorised.

    Each side of the interval combines the distances from each proportion to its own Wilson limit, so
    the interval inherits Wilson's good small-sample behaviour and stays inside [-1, 1].
    ``rounding_variance`` is passed to :func:`wilson` (counts published perturbed).
    """
    low1, high1 = wilson(s1, n1, confidence, rounding_variance=rounding_variance)
    low2, high2 = wilson(s2, n2, confidence, rounding_variance=rounding_variance)
    with np.errstate(divide="ignore", invalid="ignore"):
        p1 = np.asarray(s1, dtype=float) / np.asarray(n1, dtype=float)
        p2 = np.asarray(s2, dtype=float) / np.asarray(n2, dtype=float)
    diff = p1 - p2
    low = diff - np.sqrt((p1 - low1) ** 2 + (high2 - p2) ** 2)
    high = diff + np.sqrt((high1 - p1) ** 2 + (p2 - low2) ** 2)
    low = np.minimum(np.clip(low, -1.0, 1.0), diff)
    high = np.maximum(np.clip(high, -1.0, 1.0), diff)
    return _scalar_or_array(np.asarray(diff)), _scalar_or_array(low), _scalar_or_array(high)


def mean_t_from_summary(
    n: ArrayLike, mean: ArrayLike, sd: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Student t bounds from per-cell (n, mean, sd), vectorised: the fast path for many groups at once.

    ``sd`` is the sample standard deviation (ddof=1). Cells with n < 2 get NaN bounds: one person
    says nothing about spread.
    """
    _check_confidence(confidence)
    n_arr, mean_arr, sd_arr = np.broadcast_arrays(
        np.asarray(n, dtype=float), np.asarray(mean, dtype=float), np.asarray(sd, dtype=float)
    )
    enough = n_arr >= 2
    df = np.where(enough, n_arr - 1.0, 1.0)
    t = t_quantile(0.5 + confidence / 2.0, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * sd_arr / np.sqrt(n_arr)
    low = np.where(enough, mean_arr - half, np.nan)
    high = np.where(enough, mean_arr + half, np.nan)
    return _scalar_or_array(low), _scalar_or_array(high)


def median_ranks(n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """1-based order-statistic ranks (k, n - k + 1) of the distribution-free median interval, vectorised.

    The interval x_(k)..x_(n-k+1) covers the median with probability 1 - 2·P(B <= k - 1), B ~
    Binomial(n, 1/2); k is the largest rank that still reaches ``confidence``. Where even k = 1 falls
    short (n too small, e.g. n <= 5 at 95 %), both ranks are 0, meaning "no interval".
    """
    alpha_half = (1.0 - _check_confidence(confidence)) / 2.0
    size = np.asarray(n, dtype=np.int64)
    if np.any(size < 0):
        raise ValueError("median_ranks needs n >= 0")
    j = binomial_quantile(alpha_half, size, 0.5)  # 0 for n == 0, so k = 0 below
    # ppf gives the smallest j with cdf(j) >= alpha/2; step back unless cdf(j) equals it.
    j = np.where(binomial_cdf(j, size, 0.5) > alpha_half * (1.0 + 1e-12), j - 1.0, j)
    k = (j + 1.0).astype(np.int64)
    usable = k >= 1
    return np.where(usable, k, 0), np.where(usable, size - k + 1, 0)
