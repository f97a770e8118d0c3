"""Confidence intervals for findings: proportions, differences, means, medians and paired change.

Why these methods: findings are read in workshops by parents and provider staff, often about small
groups, so an interval must behave sensibly at 0 %, 100 % and with a handful of people. The Wilson score
interval never leaves [0, 1] and keeps close to its nominal coverage for small n (Newcombe 1998a,
Agresti & Coull 1998), unlike the textbook "p ± z·se" interval, which collapses to zero width at 0/n.
Differences of proportions use Newcombe's hybrid score interval (method 10 of Newcombe 1998b), built
from the two Wilson intervals. Means use Student's t, two groups Welch's unequal-variance t, and medians
the distribution-free order-statistic interval, which needs no assumption about the outcome's shape.

Every function takes arrays where that is natural, because findings evaluate many indicators × groups
× quarters at once: one numpy/scipy call over all cells instead of a Python loop per cell. The
`grouped_*` helpers do the grouping itself with sorting and ``bincount``.

Missing values (NaN) in a sample are left out: an indicator's "who is included" rule decides upstream
who counts, and a missing outcome cannot move a mean. A bound that cannot be computed (too few people
for the requested coverage, n == 0) is NaN rather than an invented number.

These are *statistical* results on true values. Publishing them is the job of findings, which must apply
disclosure control first (see :mod:`dpup_eval.findings.disclosure`): exact bounds computed from true counts can
reveal the count that random rounding hides, so compute published intervals from the rounded counts.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from pandas.api.extensions import ExtensionArray
from scipy import stats

__all__ = [
    "grouped_mean_t",
    "grouped_median_interval",
    "grouped_proportion",
    "mean_t",
    "mean_t_from_summary",
    "median_interval",
    "median_ranks",
    "newcombe_difference",
    "paired_change",
    "welch_difference",
    "wilson",
]

GroupKeys = ArrayLike | Sequence[ArrayLike]


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return float(confidence)


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + _check_confidence(confidence) / 2.0))


def _scalar_or_array(value: np.ndarray) -> np.ndarray:
    """A 0-d result becomes a numpy scalar, so scalar inputs give scalar-like outputs."""
    return value[()] if value.ndim == 0 else value


def _clean(values: ArrayLike) -> np.ndarray:
    array = np.asarray(values, dtype=float).ravel()
    return array[~np.isnan(array)]


def wilson(successes: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes/n, vectorised (inputs broadcast); n == 0 gives NaN bounds.

    The bounds are forced to contain successes/n and to lie in [0, 1]: mathematically they do, and the
    forcing only removes floating-point dust (a lower bound of -1e-17 at 0/n would look like a bug).
    """
    z = _z(confidence)
    s, total = np.broadcast_arrays(np.asarray(successes, dtype=float), np.asarray(n, dtype=float))
    if np.any(total < 0) or np.any(s < 0) or np.any(s > total):
        raise ValueError("wilson needs 0 <= successes <= n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = s / total
        z2n = z * z / total
        denominator = 1.0 + z2n
        centre = (p + z2n / 2.0) / denominator
        half = z * np.sqrt(p * (1.0 - p) / total + z2n / (4.0 * total)) / denominator
    low = np.where(s == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(s == total, 1.0, np.clip(centre + half, 0.0, 1.0))
    low = np.where(total == 0, np.nan, np.minimum(low, p))
    high = np.where(total == 0, np.nan, np.maximum(high, p))
    return _scalar_or_array(low), _scalar_or_array(high)


def newcombe_difference(
    s1: ArrayLike, n1: ArrayLike, s2: ArrayLike, n2: ArrayLike, confidence: float = 0.95
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """p1 - p2 with Newcombe's hybrid score interval (1998b, method 10), vectorised.

    Each side of the interval combines the distances from each proportion to its own Wilson limit, so
    the interval inherits Wilson's good small-sample behaviour and stays inside [-1, 1].
    """
    low1, high1 = wilson(s1, n1, confidence)
    low2, high2 = wilson(s2, n2, confidence)
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
    t = stats.t.ppf(0.5 + confidence / 2.0, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = t * sd_arr / np.sqrt(n_arr)
    low = np.where(enough, mean_arr - half, np.nan)
    high = np.where(enough, mean_arr + half, np.nan)
    return _scalar_or_array(low), _scalar_or_array(high)


def mean_t(values: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t interval; fewer than two values give NaN bounds (and no values a NaN mean)."""
    data = _clean(values)
    if data.size == 0:
        _check_confidence(confidence)
        return float("nan"), float("nan"), float("nan")
    mean = float(data.mean())
    sd = float(data.std(ddof=1)) if data.size > 1 else float("nan")
    low, high = mean_t_from_summary(data.size, mean, sd, confidence)
    return mean, float(low), float(high)


def welch_difference(a: ArrayLike, b: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """mean(a) - mean(b) with Welch's interval (Welch-Satterthwaite degrees of freedom).

    Welch rather than the pooled t because programme groups rarely have equal spread or equal size.
    If both groups have no spread at all the interval is the single point ``diff`` (no uncertainty
    is visible in the data); fewer than two values in either group gives NaN bounds.
    """
    _check_confidence(confidence)
    x, y = _clean(a), _clean(b)
    if x.size == 0 or y.size == 0:
        return float("nan"), float("nan"), float("nan")
    diff = float(x.mean() - y.mean())
    if x.size < 2 or y.size < 2:
        return diff, float("nan"), float("nan")
    vx, vy = x.var(ddof=1) / x.size, y.var(ddof=1) / y.size
    se2 = vx + vy
    if se2 == 0.0:
        return diff, diff, diff
    # Welch-Satterthwaite df written with variance shares, which cannot underflow the way se2**2 can.
    share_x, share_y = vx / se2, vy / se2
    df = 1.0 / (share_x**2 / (x.size - 1) + share_y**2 / (y.size - 1))
    half = float(stats.t.ppf(0.5 + confidence / 2.0, df) * np.sqrt(se2))
    return diff, diff - half, diff + half


def paired_change(pre: ArrayLike, post: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Mean of post - pre per person, with a t interval on those differences.

    A person missing either measurement is left out: their change is unknown. The two arrays must be
    aligned person by person, so different lengths are an error rather than a silent truncation.
    """
    before = np.asarray(pre, dtype=float).ravel()
    after = np.asarray(post, dtype=float).ravel()
    if before.shape != after.shape:
        raise ValueError(f"pre and post must have one value per person: got {before.size} and {after.size}")
    return mean_t(after - before, confidence)


def median_ranks(n: ArrayLike, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """1-based order-statistic ranks (k, n - k + 1) of the distribution-free median interval, vectorised.

    The interval x_(k)..x_(n-k+1) covers the median with probability 1 - 2·P(B <= k - 1), B ~
    Binomial(n, 1/2); k is the largest rank that still reaches ``confidence``. Where even k = 1 falls
    short (n too small, e.g. n <= 5 at 95 %), both ranks are 0, meaning "no interval".
    """
    alpha_half = (1.0 - _check_confidence(confidence)) / 2.0
    size = np.asarray(n, dtype=np.int64)
    j = stats.binom.ppf(alpha_half, size, 0.5)
    j = np.where(np.isnan(j), -1.0, j)  # n == 0
    # ppf gives the smallest j with cdf(j) >= alpha/2; step back unless cdf(j) equals it.
    j = np.where(stats.binom.cdf(j, size, 0.5) > alpha_half * (1.0 + 1e-12), j - 1.0, j)
    k = (j + 1.0).astype(np.int64)
    usable = k >= 1
    return np.where(usable, k, 0), np.where(usable, size - k + 1, 0)


def median_interval(values: ArrayLike, confidence: float = 0.95) -> tuple[float, float, float]:
    """Median with the distribution-free order-statistic (binomial) interval; NaN bounds if n is too small."""
    data = np.sort(_clean(values))
    low_rank, high_rank = median_ranks(data.size, confidence)
    if data.size == 0:
        return float("nan"), float("nan"), float("nan")
    median = float(np.median(data))
    if low_rank == 0:
        return median, float("nan"), float("nan")
    return median, float(data[int(low_rank) - 1]), float(data[int(high_rank) - 1])


def _codes(groups: GroupKeys, size: int) -> tuple[np.ndarray, pd.Index]:
    """Integer group codes (-1 for a missing key) and the observed group labels, in sorted order.

    One key (array or Series) or a list/tuple of keys, as pandas ``groupby`` takes them; a Series'
    name becomes the name of the result's index. Built from one ``factorize`` per key and a
    ``bincount``, which is several times faster than a pandas groupby's ``ngroup`` on string keys.
    """
    keys = list(groups) if isinstance(groups, list | tuple) else [groups]
    names = [getattr(key, "name", None) for key in keys]
    codes_per_key, uniques_per_key = [], []
    for key in keys:
        array = (
            key if isinstance(key, pd.Series | pd.Index | np.ndarray | ExtensionArray) else np.asarray(key)
        )
        if len(array) != size:
            raise ValueError(f"group keys have {len(array)} entries for {size} values")
        codes, uniques = pd.factorize(array, sort=True)
        codes_per_key.append(codes)
        uniques_per_key.append(uniques)
    dims = tuple(max(len(u), 1) for u in uniques_per_key)
    missing = np.zeros(size, dtype=bool)
    for codes in codes_per_key:
        missing |= codes < 0
    flat = np.ravel_multi_index([np.where(missing, 0, c) for c in codes_per_key], dims)
    observed = np.bincount(flat[~missing], minlength=int(np.prod(dims))) > 0
    rank = np.cumsum(observed) - 1
    combined = np.where(missing, -1, rank[flat]).astype(np.int64)
    present = np.flatnonzero(observed)
    parts = np.unravel_index(present, dims)
    if len(keys) == 1:
        labels = pd.Index(uniques_per_key[0].take(parts[0]), name=names[0])
    else:
        labels = pd.MultiIndex.from_arrays(
            [u.take(p) for u, p in zip(uniques_per_key, parts, strict=True)], names=names
        )
    return combined, labels


def grouped_proportion(outcomes: ArrayLike, groups: GroupKeys, confidence: float = 0.95) -> pd.DataFrame:
    """Per group: n, successes, p and its Wilson interval, from one boolean (or 0/1) outcome per person.

    Missing outcomes and missing group keys are left out. Rows are the groups, in sorted order.
    """
    values = np.asarray(outcomes, dtype=float).ravel()
    codes, labels = _codes(groups, values.size)
    keep = (codes >= 0) & ~np.isnan(values)
    n = np.bincount(codes[keep], minlength=len(labels))
    successes = np.bincount(codes[keep], weights=values[keep], minlength=len(labels))
    low, high = wilson(successes, n, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = successes / n
    return pd.DataFrame(
        {"n": n, "successes": successes.astype(np.int64), "estimate": p, "low": low, "high": high},
        index=labels,
    )


def grouped_mean_t(values: ArrayLike, groups: GroupKeys, confidence: float = 0.95) -> pd.DataFrame:
    """Per group: n, mean and its t interval, in one pass (``bincount`` moments, one ``t.ppf`` call)."""
    data = np.asarray(values, dtype=float).ravel()
    codes, labels = _codes(groups, data.size)
    keep = (codes >= 0) & ~np.isnan(data)
    c, x = codes[keep], data[keep]
    n = np.bincount(c, minlength=len(labels)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.bincount(c, weights=x, minlength=len(labels)) / n
        # Two-pass variance (deviations from each group's own mean) for numerical stability.
        squares = np.bincount(c, weights=(x - mean[c]) ** 2, minlength=len(labels))
        sd = np.sqrt(squares / (n - 1.0))
    low, high = mean_t_from_summary(n, mean, sd, confidence)
    return pd.DataFrame({"n": n.astype(np.int64), "estimate": mean, "low": low, "high": high}, index=labels)


def grouped_median_interval(values: ArrayLike, groups: GroupKeys, confidence: float = 0.95) -> pd.DataFrame:
    """Per group: n, median and its order-statistic interval, from one sort of all values."""
    data = np.asarray(values, dtype=float).ravel()
    codes, labels = _codes(groups, data.size)
    keep = (codes >= 0) & ~np.isnan(data)
    c, x = codes[keep], data[keep]
    order = np.lexsort((x, c))
    x_sorted = x[order]
    n = np.bincount(c, minlength=len(labels))
    start = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)
    has = n > 0
    last = max(x_sorted.size - 1, 0)
    lower_mid = np.clip(start + (n - 1) // 2, 0, last)
    upper_mid = np.clip(start + n // 2, 0, last)
    if x_sorted.size:
        median = np.where(has, (x_sorted[lower_mid] + x_sorted[upper_mid]) / 2.0, np.nan)
    else:
        median = np.full(len(labels), np.nan)
    k_low, k_high = median_ranks(n, confidence)
    usable = k_low >= 1
    if x_sorted.size:
        low = np.where(usable, x_sorted[np.clip(start + k_low - 1, 0, last)], np.nan)
        high = np.where(usable, x_sorted[np.clip(start + k_high - 1, 0, last)], np.nan)
    else:
        low = high = np.full(len(labels), np.nan)
    return pd.DataFrame({"n": n, "estimate": median, "low": low, "high": high}, index=labels)
