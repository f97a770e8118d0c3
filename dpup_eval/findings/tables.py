"""The numeric engine behind findings: group × period tables of true statistics, and their protection.

Every statistic is computed for a whole table at once with ``np.bincount`` (or one sort, for medians):
rows are a grouping's groups plus a last ``Total`` row (everyone), columns are the periods plus a last
``All`` column. The ``Total`` row is the overall finding, shared by every grouping, so its suppression
must agree across all of them (:func:`protect`). Nothing here is published as it is: `findings` rounds,
suppresses and words it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import value_text
from dpup_eval.findings.disclosure import DisclosureRules, suppress
from dpup_eval.findings.indicators import PROPORTION_KINDS
from dpup_eval.findings.intervals import median_ranks, wilson
from dpup_eval.findings.perturbation import (
    SHARE_STEP,
    Noise,
    average_difference,
    publish_average,
    publish_median,
    round_to_steps,
    share_difference,
    share_rounding_variance,
)

NOT_RECORDED = "not recorded"


@dataclass(frozen=True)
class Coding:
    """One categorical column as integer codes (one per row, never -1) and the label of each code.

    Categories keep the contract's order; other values are sorted. Labels are the values written as
    the contract writes them (``0``, ``true``, ``Auckland``: see
    :func:`dpup_eval.agreement.contract.value_text`); ``values`` keeps each group's value in the
    data's own type, so a filter such as ``arm in [0, 1]`` can be applied to the groups themselves.
    Missing values get their own code labelled ``not recorded`` (value missing), so the groups always
    partition the people and the ``Total`` row is their sum.
    """

    labels: tuple[str, ...]
    codes: np.ndarray
    values: pd.Series | None = None

    @classmethod
    def of(cls, series: pd.Series) -> Coding:
        if isinstance(series.dtype, pd.CategoricalDtype):
            codes = series.cat.codes.to_numpy().astype(np.int64)
            categories = series.cat.categories
            values = pd.Series(pd.Categorical(categories, categories=categories))
        else:
            if pd.api.types.is_datetime64_any_dtype(series.dtype):
                quarters = series.dt.to_period("Q")
                series = quarters.dt.year.astype("string") + "-Q" + quarters.dt.quarter.astype("string")
            codes, uniques = pd.factorize(series, sort=True)
            codes = np.asarray(codes, dtype=np.int64)
            values = pd.Series(uniques)
        labels = [value_text(v) for v in values]
        missing = codes < 0
        if missing.any():
            codes = np.where(missing, len(labels), codes)
            labels.append(NOT_RECORDED)
            values = pd.concat([values, pd.Series([None], dtype=values.dtype)], ignore_index=True)
        return cls(tuple(labels), codes, values.reset_index(drop=True))

    @property
    def not_recorded(self) -> int | None:
        """The code of the ``not recorded`` group (people whose value is missing), if there is one."""
        if self.values is None or not len(self.values) or not pd.isna(self.values.iloc[-1]):
            return None
        return len(self.labels) - 1

    def keep(self, wanted: np.ndarray) -> Coding:
        """Only the labels marked in ``wanted``; rows of dropped labels get code 0 (callers never select them)."""
        new = np.cumsum(wanted) - 1
        codes = np.where(wanted[self.codes], new[self.codes], 0)
        labels = tuple(label for label, w in zip(self.labels, wanted, strict=True) if w)
        values = None if self.values is None else self.values[wanted].reset_index(drop=True)
        return Coding(labels, codes, values)

    @classmethod
    def single(cls, rows: int) -> Coding:
        return cls(("*",), np.zeros(rows, dtype=np.int64))


@dataclass
class Cells:
    """True statistics for one table: every array has shape (rows, periods + 1).

    ``n``: people the cell rests on. ``s``: successes (proportion kinds). ``total``/``squares``: sum and
    sum of squared deviations (from one common centre) of the measure. ``median``/``low``/``high``:
    medians with their order-statistic bounds (median kind only).
    """

    n: np.ndarray
    s: np.ndarray | None = None
    total: np.ndarray | None = None
    squares: np.ndarray | None = None
    centre: float = 0.0
    median: np.ndarray | None = None
    low: np.ndarray | None = None
    high: np.ndarray | None = None

    def stack(self, other: Cells) -> Cells:
        """These rows with ``other``'s rows below (the Total row)."""

        def join(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
            return None if a is None or b is None else np.vstack([a, b])

        return Cells(
            n=np.vstack([self.n, other.n]), s=join(self.s, other.s), total=join(self.total, other.total),
            squares=join(self.squares, other.squares), centre=self.centre, median=join(self.median, other.median),
            low=join(self.low, other.low), high=join(self.high, other.high),
        )  # fmt: skip

    def mean_sd(self) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = self.centre + self.total / self.n
            variance = (self.squares - self.total**2 / self.n) / (self.n - 1)  # type: ignore[operator]
        return mean, np.sqrt(np.clip(variance, 0.0, None))


def cell_stats(
    kind: str, selected: np.ndarray, rows: Coding, periods: Coding, *,
    success: np.ndarray | None = None, measure: np.ndarray | None = None, centre: float = 0.0,
) -> Cells:  # fmt: skip
    """Statistics of the selected people for every (row, period) cell plus the all-periods column."""
    n_rows, n_periods = len(rows.labels), len(periods.labels)
    r, p = rows.codes[selected], periods.codes[selected]
    flat = r * n_periods + p

    def table(weights: np.ndarray | None) -> np.ndarray:
        cells = np.bincount(flat, weights=weights, minlength=n_rows * n_periods).reshape(n_rows, n_periods)
        return np.hstack([cells, cells.sum(axis=1, keepdims=True)])

    n = table(None).astype(np.int64)
    if kind == "median":
        x = measure[selected]  # type: ignore[index]
        order = np.argsort(x, kind="stable")  # one sort of the values, shared by both tables
        x, flat, r = x[order], flat[order], r[order]
        median, low, high = _grouped_median(x, flat, n_rows * n_periods)
        m_all, l_all, h_all = _grouped_median(x, r, n_rows)
        shape = (n_rows, n_periods)
        return Cells(
            n=n,
            median=np.column_stack([median.reshape(shape), m_all]),
            low=np.column_stack([low.reshape(shape), l_all]),
            high=np.column_stack([high.reshape(shape), h_all]),
        )
    if kind in ("mean", "change"):
        x = measure[selected] - centre  # type: ignore[index]
        return Cells(n=n, total=table(x), squares=table(x * x), centre=centre)
    s = table(success[selected].astype(float)).round().astype(np.int64) if success is not None else None
    return Cells(n=n, s=s)


def _grouped_median(
    x: np.ndarray, codes: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median and 95% order-statistic bounds per code (NaN where a group is empty or too small).

    ``x`` must already be sorted: a stable sort by code then keeps each group's values in order, and
    on small integer codes numpy's stable sort is a linear-time radix sort.
    """
    small = np.int16 if groups < 2**15 else np.int64
    order = np.argsort(codes.astype(small), kind="stable")
    ordered = x[order]
    n = np.bincount(codes, minlength=groups)
    start = np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)
    if not ordered.size:
        empty = np.full(groups, np.nan)
        return empty, empty.copy(), empty.copy()
    last = ordered.size - 1
    median = (
        ordered[np.clip(start + (n - 1) // 2, 0, last)] + ordered[np.clip(start + n // 2, 0, last)]
    ) / 2.0
    median = np.where(n > 0, median, np.nan)
    k_low, k_high = median_ranks(n, 0.95)
    usable = k_low >= 1
    low = np.where(usable, ordered[np.clip(start + k_low - 1, 0, last)], np.nan)
    high = np.where(usable, ordered[np.clip(start + k_high - 1, 0, last)], np.nan)
    return median, low, high


def protect(
    tables: list[np.ndarray], primary: list[np.ndarray], overall: np.ndarray, overall_primary: np.ndarray,
    rules: DisclosureRules,
) -> tuple[list[np.ndarray], np.ndarray]:  # fmt: skip
    """Suppression masks for each grouping's table and for the shared Total row.

    ``tables``: true counts, shape (groups + 1, periods + 1), last row = Total, last column = All.
    ``primary``: cells that must be withheld for their own sake (too few people, too few successes).
    Each table is protected with :func:`dpup_eval.findings.disclosure.suppress` (secondary suppression over its
    row and column sums). A primary cell is passed to ``suppress`` as 0, which it withholds; its true
    count only steers which partner cell is chosen. The Total row is one published finding shared by
    every table, so a cell withheld there in any table is forced in all of them, until nothing changes
    (masks only grow, so this ends).
    """
    columns = pd.RangeIndex(overall.size - 1).tolist() + ["Total"]
    forced = overall_primary.copy()
    while True:
        single = _suppress_rows(overall[None, :], forced[None, :], columns, rules, total_row=False)[0]
        masks = [
            _suppress_rows(
                table, prim | np.vstack([np.zeros_like(prim[:-1]), forced[None, :]]), columns, rules
            )
            for table, prim in zip(tables, primary, strict=True)
        ]
        union = single | forced
        for mask in masks:
            union |= mask[-1]
        if np.array_equal(union, forced):
            return masks, forced
        forced = union


def _suppress_rows(
    table: np.ndarray, primary: np.ndarray, columns: list, rules: DisclosureRules, total_row: bool = True
) -> np.ndarray:
    values = np.where(primary, 0, np.maximum(table, rules.minimum_count))
    index = pd.RangeIndex(table.shape[0] - 1).tolist() + ["Total"] if total_row else [0]
    frame = pd.DataFrame(values, index=index, columns=columns)
    return suppress(frame, rules).to_numpy()


def publish(
    kind: str, cells: Cells, mask: np.ndarray, rules: DisclosureRules, has_periods: bool, noise: Noise,
) -> dict[str, Any]:  # fmt: skip
    """Published arrays (same shape as the table, object dtype with None where withheld).

    The numbers are perturbed as :mod:`dpup_eval.findings.perturbation` says, by ``noise`` (the cells'
    keys); comparisons are between published numbers only.
    """
    n_rows, n_cols = cells.n.shape
    n_r = noise.counts(cells.n)
    shown = ~mask
    estimate = low = high = precision = None
    rest = previous = None
    protected = noise.protections.magnitudes
    if kind in PROPORTION_KINDS:
        s_r = np.minimum(noise.counts(cells.s, noise.successes), n_r)  # type: ignore[arg-type]
        variance = share_rounding_variance(rules.rounding_base)
        with np.errstate(divide="ignore", invalid="ignore"):
            estimate = s_r / n_r
        low, high = wilson(s_r, n_r, rounding_variance=variance)
        if protected:
            estimate, low, high = (round_to_steps(v, SHARE_STEP) for v in (estimate, low, high))
            precision = np.full(n_r.shape, SHARE_STEP)
        if n_rows == 3:  # two groups: everyone else *is* the other group, as it was published
            rest_s, rest_n, rest_shown = s_r[[1, 0, 2]], n_r[[1, 0, 2]], shown[[1, 0, 2]]
        else:
            rest_s, rest_n, rest_shown = s_r[-1:] - s_r, n_r[-1:] - n_r, shown[-1:]
        ok_rest = (
            shown & rest_shown & (rest_n >= rules.minimum_count) & (np.arange(n_rows)[:, None] < n_rows - 1)
        )
        rest_s = np.clip(rest_s, 0, np.maximum(rest_n, 0))
        base = rules.rounding_base
        rest = (ok_rest, *share_difference((s_r, n_r), (rest_s, np.maximum(rest_n, 1)), base, protected))
        ok_prev = shown[:, 1:-1] & shown[:, :-2]
        previous = (ok_prev, *share_difference(
            (s_r[:, 1:-1], n_r[:, 1:-1]), (s_r[:, :-2], n_r[:, :-2]), base, protected))  # fmt: skip
    elif kind == "count":
        estimate = n_r
    elif kind == "median":
        estimate, low, high = publish_median(cells.median, cells.low, cells.high, noise)  # type: ignore[arg-type]
        precision = np.full(n_r.shape, noise.precision.step) if protected else None
    else:
        mean, sd = cells.mean_sd()
        estimate, low, high, steps = publish_average(mean, sd, cells.n, n_r, noise)
        precision = steps if protected else None
        if n_rows == 3:  # two groups: everyone else *is* the other group, as it was published
            swap = [1, 0, 2]
            rest_n, rest_published, rest_sd, rest_steps = cells.n[swap], estimate[swap], sd[swap], steps[swap]
            rest_shown = shown[swap]
        else:  # everyone else: the total's people without the group's, perturbed by their own key
            rest_n = cells.n[-1:] - cells.n
            rest_total, rest_squares = cells.total[-1:] - cells.total, cells.squares[-1:] - cells.squares  # type: ignore[index]
            rest_mean, rest_sd = Cells(
                n=rest_n, total=rest_total, squares=rest_squares, centre=cells.centre
            ).mean_sd()
            rest_noise = replace(noise, averages=noise.rest_averages)
            rest_published, _, _, rest_steps = publish_average(rest_mean, rest_sd, rest_n, n_r[-1:] - n_r, rest_noise)
            rest_shown = shown[-1:]
        ok_rest = (
            shown
            & rest_shown
            & (rest_n >= rules.minimum_for_mean)
            & (np.arange(n_rows)[:, None] < n_rows - 1)
        )
        rest = (ok_rest, *average_difference(
            (estimate, sd, cells.n, steps), (rest_published, rest_sd, rest_n, rest_steps), protected))  # fmt: skip
        ok_prev = shown[:, 1:-1] & shown[:, :-2]
        previous = (ok_prev, *average_difference(
            (estimate[:, 1:-1], sd[:, 1:-1], cells.n[:, 1:-1], steps[:, 1:-1]),
            (estimate[:, :-2], sd[:, :-2], cells.n[:, :-2], steps[:, :-2]), protected))  # fmt: skip

    def masked(values: np.ndarray | None) -> np.ndarray:
        result = np.full(cells.n.shape, None, dtype=object)
        if values is not None:
            finite = shown & np.isfinite(values)
            result[finite] = values[finite].astype(float)
        return result

    published: dict[str, Any] = {"estimate": masked(estimate), "ci_low": masked(low), "ci_high": masked(high),
                 "n": masked(n_r), "suppressed": mask, "precision": masked(precision)}  # fmt: skip
    # What comparisons between named groups need (they must use what was published): the published
    # counts, and for averages the true spread with each cell's rounding step.
    published["rounded"] = (n_r, s_r if kind in PROPORTION_KINDS else None)
    published["spread"] = (sd, steps) if kind in ("mean", "change") else None
    published["versus_rest"] = comparisons(rest, cells.n.shape, 0)
    published["versus_previous"] = (
        comparisons(previous, cells.n.shape, 1) if has_periods else comparisons(None, cells.n.shape, 1)
    )
    return published


def comparisons(parts: tuple[np.ndarray, ...] | None, shape: tuple[int, int], offset: int) -> np.ndarray:
    """Per cell, None or (difference, low, high) for the cells where the comparison may be shown."""
    result = np.full(shape, None, dtype=object)
    if parts is None:
        return result
    ok, diff, low, high = (np.asarray(p) for p in parts)
    ok = ok & np.isfinite(diff)
    for r, c in zip(*np.nonzero(ok), strict=True):
        bounds = (
            (float(low[r, c]), float(high[r, c]))
            if np.isfinite(low[r, c]) and np.isfinite(high[r, c])
            else (None, None)
        )
        result[r, c + offset] = (float(diff[r, c]), *bounds)
    return result
