"""Differences between named groups: treated vs control, each arm vs a reference arm.

A trial asks "did the arm offered the incentive do better than control?", not "did each arm do better
than everyone else?". An indicator's ``compare`` entries (:class:`~dpup_eval.findings.indicators.CompareGroups`)
name the pairs; each pair gets **one** published difference per period, with its 95% interval and the
method named:

- shares (``proportion``, ``improved``): Newcombe's hybrid score interval (method 10 of Newcombe 1998),
  computed from the **published, rounded** counts of the two groups (allowing for the rounding, as
  :mod:`dpup_eval.findings.perturbation` says), so the difference is exactly the difference of the
  two published percentages and reveals nothing they do not;
- averages and changes (``mean``, ``change``): the difference of the two published averages with
  Welch's unequal-variance t interval (Welch-Satterthwaite degrees of freedom), allowing for each
  average's rounding and rounded like them (:func:`~dpup_eval.findings.perturbation.average_difference`).

A difference is shown only where both groups' findings are shown: if disclosure control hides either
one, the difference is withheld too (it would give the hidden one away). Medians and counts are not
compared. Everything here works on whole group × period tables at once (numpy), like :mod:`tables`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dpup_eval.findings.indicators import PROPORTION_KINDS
from dpup_eval.findings.perturbation import average_difference, share_difference
from dpup_eval.findings.tables import Cells

__all__ = ["METHODS", "PairDifference", "named_differences"]

#: The method behind each kind of comparison, in words a reader can look up.
METHODS = {
    "share": "Newcombe's hybrid score interval, from the rounded counts",
    "average": "Welch's t interval",
}


def method_for(kind: str) -> str:
    """The interval method used to compare findings of this kind."""
    return METHODS["share"] if kind in PROPORTION_KINDS else METHODS["average"]


@dataclass(frozen=True)
class PairDifference:
    """One published difference: group minus ``other`` in one period column (None bounds: no interval)."""

    other: str
    difference: float
    ci_low: float | None
    ci_high: float | None
    method: str


def named_differences(
    kind: str,
    cells: Cells,
    estimate: np.ndarray,
    hidden: np.ndarray,
    rounded: tuple[np.ndarray, np.ndarray | None],
    labels: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    *,
    spread: tuple[np.ndarray, np.ndarray] | None = None,
    protected: bool = True,
    base: int = 3,
) -> np.ndarray:
    """Per cell of the group × period table, the list of :class:`PairDifference` it publishes.

    ``estimate``: the published estimates (object array, None where withheld); ``hidden``: the
    suppression mask; ``rounded``: the published (rounded) people and success counts, used for shares;
    ``spread``: for averages, each cell's true standard deviation and rounding step.
    Rows are ``labels`` (the last row of the table, Total, is never in a pair). The difference for a
    pair (a, b) sits on a's row, in each period column where both a and b are shown.
    """
    shape = cells.n.shape
    result = np.empty(shape, dtype=object)
    for index in np.ndindex(shape):
        result[index] = []
    if kind not in (*PROPORTION_KINDS, "mean", "change") or not pairs:
        return result
    row = {label: i for i, label in enumerate(labels)}
    method = method_for(kind)
    n_rounded, s_rounded = rounded
    if kind not in PROPORTION_KINDS:
        sd, steps = spread if spread is not None else (cells.mean_sd()[1], np.zeros(shape))
    for a, b in pairs:
        i, j = row[a], row[b]
        shown = ~hidden[i] & ~hidden[j]
        if kind in PROPORTION_KINDS:
            diff, low, high = share_difference(
                (s_rounded[i], n_rounded[i]), (s_rounded[j], n_rounded[j]), base, protected  # type: ignore[index]
            )
        else:
            published = np.array([np.nan if v is None else v for v in estimate[i]], dtype=float)
            published_other = np.array([np.nan if v is None else v for v in estimate[j]], dtype=float)
            diff, low, high = average_difference(
                (published, sd[i], cells.n[i], steps[i]), (published_other, sd[j], cells.n[j], steps[j]), protected
            )
        for c in np.flatnonzero(shown & np.isfinite(diff)):
            finite = bool(np.isfinite(low[c]) and np.isfinite(high[c]))
            result[i, c].append(PairDifference(b, float(diff[c]), float(low[c]) if finite else None,
                                               float(high[c]) if finite else None, method))
    return result
