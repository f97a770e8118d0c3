"""Confidence intervals checked against published values, scipy, hand calculation and properties.

Published references:
* Newcombe RG (1998a), "Two-sided confidence intervals for the single proportion: comparison of seven
  methods", Stat Med 17:857-872, Table I, method 3 (Wilson score, no continuity correction).
* Newcombe RG (1998b), "Interval estimation for the difference between independent proportions:
  comparison of eleven methods", Stat Med 17:873-890, Table II, method 10 (hybrid score).
* Order-statistic ranks for the median: the familiar table (e.g. Campbell & Gardner, BMJ 1988) gives
  ranks 2 and 9 for n = 10 and 6 and 15 for n = 20 at 95 %.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from dpup_eval.findings.intervals import mean_t_from_summary, median_ranks, newcombe_difference, wilson

# Applied per test rather than loaded globally, so other modules' hypothesis settings are untouched.
PROFILE = settings.get_profile("maths-" + os.environ.get("HYPOTHESIS_PROFILE", "dev"))  # see conftest.py
CONFIDENCES = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
FINITE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize(
    ("s", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_matches_newcombe_1998a(s: int, n: int, low: float, high: float) -> None:
    got_low, got_high = wilson(s, n)
    assert round(float(got_low), 4) == low
    assert round(float(got_high), 4) == high


def test_wilson_by_formula_at_90_percent() -> None:
    z = stats.norm.ppf(0.95)
    p, n = 7 / 20, 20
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low, high = wilson(7, 20, confidence=0.9)
    assert low == pytest.approx(centre - half, abs=1e-12)
    assert high == pytest.approx(centre + half, abs=1e-12)


def test_wilson_is_vectorised_and_nan_for_empty_groups() -> None:
    low, high = wilson(np.array([0, 5, 3, 0]), np.array([5, 5, 10, 0]))
    assert low.shape == (4,)
    assert low[0] == 0.0 and high[1] == 1.0
    assert np.isnan(low[3]) and np.isnan(high[3])
    single_low, single_high = wilson(3, 10)
    assert (single_low, single_high) == (low[2], high[2])


@pytest.mark.parametrize(("s", "n"), [(-1, 5), (6, 5), (1, -2)])
def test_wilson_rejects_impossible_counts(s: int, n: int) -> None:
    with pytest.raises(ValueError, match=r"^wilson needs 0 <= successes <= n$"):
        wilson(s, n)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95, -0.1])
def test_confidence_must_be_a_probability(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson(1, 2, confidence)
    with pytest.raises(ValueError, match="confidence"):
        mean_t_from_summary(2, 1.5, 0.7, confidence)
    with pytest.raises(ValueError, match="confidence"):
        median_ranks(10, confidence)


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((56, 70, 48, 80), (0.2000, 0.0524, 0.3339)),
        ((9, 10, 3, 10), (0.6000, 0.1705, 0.8090)),
        ((6, 7, 2, 7), (0.5714, 0.0582, 0.8062)),
        ((5, 56, 0, 29), (0.0893, -0.0381, 0.1926)),
        ((0, 10, 0, 20), (0.0, -0.1611, 0.2775)),
        ((0, 10, 0, 10), (0.0, -0.2775, 0.2775)),
        ((10, 10, 0, 20), (1.0, 0.6791, 1.0)),
        ((10, 10, 0, 10), (1.0, 0.6075, 1.0)),
    ],
)
def test_newcombe_matches_1998b_table_ii(
    counts: tuple[int, int, int, int], expected: tuple[float, ...]
) -> None:
    got = newcombe_difference(*counts)
    assert tuple(round(float(x), 4) for x in got) == expected


def test_newcombe_at_90_percent_by_hand() -> None:
    """Method 10 written out, from Wilson limits at z = 1.645 (both limits must use the confidence)."""
    z = stats.norm.ppf(0.95)

    def score(k: int, n: int) -> tuple[float, float]:
        p = k / n
        centre, half = p + z * z / (2 * n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)

    (l1, u1), (l2, u2) = score(9, 10), score(3, 10)
    d = 0.9 - 0.3
    expected = (
        d,
        d - math.sqrt((0.9 - l1) ** 2 + (u2 - 0.3) ** 2),
        d + math.sqrt((u1 - 0.9) ** 2 + (0.3 - l2) ** 2),
    )
    assert tuple(float(x) for x in newcombe_difference(9, 10, 3, 10, 0.9)) == pytest.approx(
        expected, abs=1e-12
    )


def test_empty_groups_give_nan_quietly() -> None:
    """No one in a group: NaN, and no numpy warning (the suite turns warnings into errors)."""
    diff, low, high = newcombe_difference(0, 0, 1, 2)
    assert math.isnan(diff) and math.isnan(low) and math.isnan(high)
    low, high = mean_t_from_summary(np.array([0, 1]), np.array([3.0, 3.0]), np.array([1.0, 1.0]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_newcombe_is_vectorised() -> None:
    diff, low, high = newcombe_difference(
        np.array([56, 9]), np.array([70, 10]), np.array([48, 3]), np.array([80, 10])
    )
    assert np.round(low, 4).tolist() == [0.0524, 0.1705]
    assert np.round(high, 4).tolist() == [0.3339, 0.809]


def test_mean_t_from_summary_by_hand_and_against_scipy() -> None:
    values = np.array([3.0, 5.0, 4.0, 8.0, 6.0, 2.0])
    mean = values.sum() / 6
    sd = math.sqrt(((values - mean) ** 2).sum() / 5)
    half = stats.t.ppf(0.975, 5) * sd / math.sqrt(6)
    got = mean_t_from_summary(6, mean, sd)
    assert got == pytest.approx((mean - half, mean + half), abs=1e-12)
    reference = stats.ttest_1samp(values, 0.0).confidence_interval(0.95)
    assert got == pytest.approx((reference.low, reference.high), abs=1e-12)


def test_mean_t_from_summary_is_vectorised_and_nan_below_two_people() -> None:
    rng = np.random.default_rng(3)
    samples = [rng.normal(10, 3, size=n) for n in (2, 5, 30, 400)]
    n = np.array([s.size for s in samples])
    low, high = mean_t_from_summary(n, [s.mean() for s in samples], [s.std(ddof=1) for s in samples], 0.9)
    for i, sample in enumerate(samples):
        reference = stats.ttest_1samp(sample, 0.0).confidence_interval(0.9)
        assert (low[i], high[i]) == pytest.approx((reference.low, reference.high), rel=1e-12)
    low, high = mean_t_from_summary(np.array([0, 1, 2]), np.array([0.0, 4.0, 4.0]), np.array([0.0, 0.0, 2.0]))
    assert np.isnan(low[:2]).all() and np.isnan(high[:2]).all() and np.isfinite([low[2], high[2]]).all()


@pytest.mark.parametrize(("n", "ranks"), [(10, (2, 9)), (20, (6, 15)), (6, (1, 6)), (100, (40, 61))])
def test_median_ranks_match_tables(n: int, ranks: tuple[int, int]) -> None:
    low, high = median_ranks(n)
    assert (int(low), int(high)) == ranks


def test_median_ranks_against_exact_binomial_sums() -> None:
    """k is the largest rank whose interval still reaches the coverage, from exact cdf sums."""
    for confidence in (0.5, 0.75, 0.9, 0.95, 0.99):  # 0.5 and 0.75 land exactly on cdf values
        for n in range(0, 120):
            cdf = [sum(math.comb(n, i) for i in range(j + 1)) / 2**n for j in range(n + 1)]
            ok = [k for k in range(1, n // 2 + 2) if 1 - 2 * cdf[k - 1] >= confidence - 1e-12]
            expected = (max(ok), n - max(ok) + 1) if ok else (0, 0)
            low, high = median_ranks(n, confidence)
            assert (int(low), int(high)) == expected, (n, confidence)


def test_median_ranks_are_whole_numbers_and_need_a_count() -> None:
    low, high = median_ranks(np.array([10.0, 20.0]))
    assert low.dtype.kind == high.dtype.kind == "i"
    assert tuple(int(r) for r in median_ranks(2, 0.5)) == (1, 2)  # 1 - 2 * P(B <= 0) = 1/2 exactly
    with pytest.raises(ValueError, match=r"^median_ranks needs n >= 0$"):
        median_ranks(-1)


def test_scalar_inputs_give_numpy_scalars() -> None:
    low, high = wilson(3, 10)
    diff, d_low, d_high = newcombe_difference(3, 10, 5, 10)
    m_low, m_high = mean_t_from_summary(10, 2.0, 1.0)
    for value in (low, high, diff, d_low, d_high, m_low, m_high):
        assert isinstance(value, np.floating), type(value)


def test_median_ranks_give_scipys_quantile_test_interval() -> None:
    rng = np.random.default_rng(11)
    sample = np.sort(rng.exponential(size=57))
    low, high = median_ranks(57)
    reference = stats.quantile_test(sample, q=np.median(sample), p=0.5).confidence_interval(0.95)
    assert (sample[int(low) - 1], sample[int(high) - 1]) == pytest.approx((reference.low, reference.high))
    assert tuple(int(r) for r in median_ranks(5)) == (0, 0)  # n = 5 cannot reach 95 %
    assert tuple(int(r) for r in median_ranks(0)) == (0, 0)
    low, high = median_ranks(np.array([10, 20]))
    assert low.tolist() == [2, 6] and high.tolist() == [9, 15]


@PROFILE
@given(n=st.integers(1, 100_000), data=st.data(), confidence=CONFIDENCES)
def test_wilson_bounds_contain_estimate_inside_unit_interval(
    n: int, data: st.DataObject, confidence: float
) -> None:
    s = data.draw(st.integers(0, n))
    low, high = wilson(s, n, confidence)
    assert 0.0 <= low <= s / n <= high <= 1.0


@PROFILE
@given(
    n1=st.integers(1, 5_000),
    n2=st.integers(1, 5_000),
    f1=st.floats(0, 1),
    f2=st.floats(0, 1),
    confidence=CONFIDENCES,
)
def test_newcombe_bounds_contain_difference(
    n1: int, n2: int, f1: float, f2: float, confidence: float
) -> None:
    s1, s2 = round(f1 * n1), round(f2 * n2)
    diff, low, high = newcombe_difference(s1, n1, s2, n2, confidence)
    assert -1.0 <= low <= diff <= high <= 1.0
    assert diff == pytest.approx(s1 / n1 - s2 / n2)


@PROFILE
@given(values=st.lists(FINITE, min_size=2, max_size=200), confidence=CONFIDENCES)
def test_mean_and_median_intervals_contain_estimate(values: list[float], confidence: float) -> None:
    array = np.array(values)
    mean = float(array.mean())
    low, high = mean_t_from_summary(len(array), mean, float(array.std(ddof=1)), confidence)
    assert low <= mean <= high
    k, upper = (int(r) for r in median_ranks(len(array), confidence))
    if k:
        ordered = np.sort(array)
        assert 1 <= k <= upper <= len(array) and k + upper == len(array) + 1
        assert ordered[k - 1] <= float(np.median(array)) <= ordered[upper - 1]


# --- aimed at surviving mutants (issue 15): the noise-widened interval and the binomial helpers --------


@pytest.mark.parametrize(("s", "n", "v"), [(7, 20, 2.0), (30, 50, 0.5), (3, 9, 0.5), (120, 400, 9.0)])
def test_the_noise_widened_interval_solves_its_defining_equation(s: int, n: int, v: float) -> None:
    """Each bound p solves (p̂ - p)² = z² [p(1 - p)/n + v(1 + p²)/n²] (the docstring's equation, checked by
    putting the bounds back in, not by the closed form), and the interval is wider than Wilson's."""
    z = stats.norm.ppf(0.975)
    low, high = wilson(s, n, rounding_variance=v)
    p_hat = s / n
    for p in (float(low), float(high)):
        assert (p_hat - p) ** 2 == pytest.approx(z * z * (p * (1 - p) / n + v * (1 + p * p) / n**2), rel=1e-9)
    plain_low, plain_high = wilson(s, n)
    assert low < plain_low and high > plain_high


def test_noise_wider_than_the_counts_keeps_the_bounds_in_the_unit_interval() -> None:
    """With this much noise one root of the equation falls outside [0, 1]: that bound stops at 0 (or 1)."""
    z = stats.norm.ppf(0.975)
    low, high = wilson(3, 9, rounding_variance=4.0)
    assert float(low) == 0.0 and 3 / 9 < float(high) < 1.0
    h = float(high)
    assert (3 / 9 - h) ** 2 == pytest.approx(z * z * (h * (1 - h) / 9 + 4.0 * (1 + h * h) / 81), rel=1e-9)
    low, high = wilson(6, 9, rounding_variance=4.0)
    assert 0.0 < float(low) < 6 / 9 and float(high) == 1.0
    # 5 of 6 with v = 6.25: a = 1 + z²/n - z²v/n² is about 0.97, below 1 but above 0: still an interval,
    # whose lower bound solves the equation (only a <= 0 means nothing is known).
    low, high = wilson(5, 6, rounding_variance=6.25)
    lo = float(low)
    assert 0.0 < lo < 5 / 6 and float(high) == 1.0
    assert (5 / 6 - lo) ** 2 == pytest.approx(z * z * (lo * (1 - lo) / 6 + 6.25 * (1 + lo * lo) / 36), rel=1e-9)


@pytest.mark.parametrize(("s", "n"), [(1, 4), (2, 4), (3, 4)])
def test_noise_that_swamps_the_counts_says_nothing_is_known(s: int, n: int) -> None:
    """z²v/n² > 1 + z²/n: the noise alone is wider than any share, and every p in [0, 1] satisfies
    (p̂ - p)² <= z²[p(1 - p)/n + v(1 + p²)/n²] (checked on a grid): the interval is all of [0, 1]
    (it was [0, p̂] before issue 15's mutation tests found it)."""
    z, v = stats.norm.ppf(0.975), 50.0
    grid = np.linspace(0.0, 1.0, 201)
    assert np.all((s / n - grid) ** 2 <= z * z * (grid * (1 - grid) / n + v * (1 + grid**2) / n**2))
    low, high = wilson(s, n, rounding_variance=v)
    assert (float(low), float(high)) == (0.0, 1.0)


def test_negative_noise_variance_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="^rounding_variance cannot be negative$"):
        wilson(3, 10, rounding_variance=-0.1)


def test_newcombe_passes_the_noise_to_both_wilson_intervals() -> None:
    """Newcombe's method 10 from each proportion's own (noise-widened) Wilson limits, composed by hand."""
    s1, n1, s2, n2, v = 30, 60, 12, 48, 3.0
    l1, u1 = (float(b) for b in wilson(s1, n1, rounding_variance=v))
    l2, u2 = (float(b) for b in wilson(s2, n2, rounding_variance=v))
    p1, p2 = s1 / n1, s2 / n2
    diff, low, high = newcombe_difference(s1, n1, s2, n2, rounding_variance=v)
    assert float(diff) == pytest.approx(p1 - p2)
    assert float(low) == pytest.approx(p1 - p2 - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), rel=1e-12)
    assert float(high) == pytest.approx(p1 - p2 + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2), rel=1e-12)
    _, plain_low, plain_high = newcombe_difference(s1, n1, s2, n2)
    assert low < plain_low and high > plain_high


def test_binomial_cdf_outside_the_support_and_against_scipy() -> None:
    from dpup_eval.findings.intervals import binomial_cdf

    k = np.array([-3, -1, 0, 4, 9, 10, 12])
    assert binomial_cdf(k, 10, 0.3).tolist() == pytest.approx(stats.binom.cdf(k, 10, 0.3).tolist(), abs=1e-12)
    assert binomial_cdf(-1, 10, 0.5) == 0.0 and binomial_cdf(12, 10, 0.3) == 1.0  # below and above 0..n


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 57])
def test_binomial_quantile_against_scipy_for_small_counts(n: int) -> None:
    """scipy.stats.binom.ppf: the smallest k with P(X <= k) >= q (n = 0: always 0), and q exactly at a step of
    the CDF where the float sum is exact (0.25 for n = 2, p = 0.5). Not at q = 0.5 for n = 57, p = 0.5: there
    P(X <= 28) is 0.5 exactly but sums to just below it, and this gives 29 where scipy (boost) gives 28."""
    from dpup_eval.findings.intervals import binomial_quantile

    for q in (0.025, 0.1, 0.9, 0.975):
        for p in (0.1, 0.5, 0.8):
            assert float(binomial_quantile(q, n, p)) == stats.binom.ppf(q, n, p), (q, n, p)
    if n == 2:
        assert float(binomial_quantile(0.25, 2, 0.5)) == 0.0 == stats.binom.ppf(0.25, 2, 0.5)  # P(X <= 0) = 0.25
