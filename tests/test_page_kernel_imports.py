"""A page's kernel imports only what it needs (issue 12: memory that stays bounded).

Each open workshop page is its own Python process. ``scipy.stats`` alone cost each one about 45 MB and
seconds of start-up (measured with ``python -X importtime`` and RSS), for three quantile functions; Great
Expectations is for the one check the server runs. The findings use the distributions' functions from
``scipy.special``, checked here against ``scipy.stats`` itself (an independent implementation).
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from dpup_eval.findings.intervals import binomial_cdf, binomial_quantile, median_ranks, t_quantile

HEAVY = ("scipy.stats", "great_expectations", "jsonschema", "duckdb", "jupyterlab")


def test_a_workshop_page_s_kernel_does_not_import_the_heavy_stack() -> None:
    code = (
        "import json, sys\n"
        "import dpup_eval.workshop.pages, dpup_eval.workshop.session, dpup_eval.findings.evaluation\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600)
    assert json.loads(out.stdout) == []


def test_the_quantiles_are_scipy_stats_own() -> None:
    stats = pytest.importorskip("scipy.stats")
    df = np.concatenate([np.arange(1, 400), np.linspace(1.0, 1e6, 500), [1.5, 2.7]])
    for p in (0.9, 0.95, 0.975, 0.995):
        np.testing.assert_array_equal(t_quantile(p, df), stats.t.ppf(p, df))
    n = np.arange(0, 3001)
    for q in (0.005, 0.025, 0.05, 0.1):
        expected = stats.binom.ppf(q, n, 0.5)
        np.testing.assert_array_equal(binomial_quantile(q, n, 0.5), np.where(n == 0, 0.0, expected))
        for k in (expected - 1, expected, expected + 1, n + 3.0, np.full(n.shape, -2.0)):
            np.testing.assert_allclose(binomial_cdf(k, n, 0.5), stats.binom.cdf(k, n, 0.5), rtol=1e-10, atol=1e-15)


def test_median_ranks_by_hand() -> None:
    # n = 6 at 95 %: P(B <= 0) = 1/64 = 0.0156 <= 0.025, P(B <= 1) = 7/64 > 0.025: k = 1, ranks (1, 6).
    # n = 5: P(B <= 0) = 1/32 = 0.031 > 0.025: no interval. n = 17: P(B <= 4) = 3214/131072 = 0.0245: k = 5.
    low, high = median_ranks(np.array([0, 5, 6, 17]), 0.95)
    assert low.tolist() == [0, 0, 1, 5] and high.tolist() == [0, 0, 6, 13]
