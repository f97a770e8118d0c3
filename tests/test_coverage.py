"""Honest statistics after protection: 95% intervals from published (perturbed) numbers cover the truth.

A simulation through the publishing code itself (:func:`dpup_eval.findings.tables.publish`, one table
row per simulated group, uniform draws as cell keys give): for shares and for averages, for groups of
6 to 500 people, the published 95% interval must cover the true value between 93% and 97% of the time.
The true values are drawn at random for each simulated group (shares uniformly in 5%..95%; averages of
0-40 scores and of changes between two scores), so no true value sits on the rounding grid by design.
The number of simulated groups follows the hypothesis profile (more in ci).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from dpup_eval.findings.disclosure import DisclosureRules, Protections
from dpup_eval.findings.perturbation import Noise, Precision
from dpup_eval.findings.tables import Cells, publish

SIZES = [6, 10, 20, 50, 100, 500]
REPEATS = 12_000 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 3_000
RULES = DisclosureRules()


def _noise(shape: tuple[int, int], rng: np.random.Generator, precision: Precision) -> Noise:
    return Noise(people=rng.random(shape), successes=rng.random(shape), averages=rng.random(shape),
                 rest_averages=rng.random(shape), precision=precision, protections=Protections(), base=3)  # fmt: skip


def _covered(published: dict, truth: np.ndarray) -> float:
    low = np.array([v if v is not None else np.nan for v in published["ci_low"][:, 0]], dtype=float)
    high = np.array([v if v is not None else np.nan for v in published["ci_high"][:, 0]], dtype=float)
    assert not np.isnan(low).any()
    return float(np.mean((low <= truth) & (truth <= high)))


@pytest.mark.parametrize("n", SIZES)
def test_share_intervals_cover(n: int) -> None:
    rng = np.random.default_rng(n)
    p = rng.uniform(0.05, 0.95, REPEATS)
    s = rng.binomial(n, p)
    cells = Cells(n=np.full((REPEATS, 1), n, dtype=np.int64), s=s[:, None].astype(np.int64))
    mask = np.zeros((REPEATS, 1), dtype=bool)
    published = publish("proportion", cells, mask, RULES, False, _noise((REPEATS, 1), rng, Precision(0.01, False)))
    coverage = _covered(published, p)
    assert 0.93 <= coverage <= 0.97, f"shares, {n} people: {coverage:.3f}"


def _scores(kind: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(values per simulated group, true mean per group): 0-40 scores, or a change between two scores."""
    if kind == "score":
        q = rng.uniform(0.15, 0.85, REPEATS)
        return rng.binomial(40, q[:, None], (REPEATS, n)).astype(float), 40 * q
    q1, q2 = rng.uniform(0.3, 0.8, REPEATS), rng.uniform(0.3, 0.8, REPEATS)
    before = rng.binomial(20, q1[:, None], (REPEATS, n))
    after = rng.binomial(20, q2[:, None], (REPEATS, n))
    return (after - before).astype(float), 20 * (q2 - q1)


@pytest.mark.parametrize("kind", ["score", "change"])
@pytest.mark.parametrize("n", SIZES)
def test_average_intervals_cover(kind: str, n: int) -> None:
    rng = np.random.default_rng(1000 + n)
    values, truth = _scores(kind, n, rng)
    cells = Cells(
        n=np.full((REPEATS, 1), n, dtype=np.int64), total=values.sum(axis=1)[:, None],
        squares=(values**2).sum(axis=1)[:, None], centre=0.0,
    )  # fmt: skip
    mask = np.zeros((REPEATS, 1), dtype=bool)
    published = publish("mean", cells, mask, RULES, False, _noise((REPEATS, 1), rng, Precision(0.1, True)))
    coverage = _covered(published, truth)
    assert 0.93 <= coverage <= 0.97, f"{kind} averages, {n} people: {coverage:.3f}"
    estimates = np.array(published["estimate"][:, 0], dtype=float)
    assert abs(np.mean(estimates - values.mean(axis=1))) < 0.01  # random rounding adds no bias
