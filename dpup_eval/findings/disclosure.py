"""Disclosure control for findings: stable random rounding (RR3), small-count and secondary suppression.

Why: findings about a programme's families are shown in workshops the families attend, so a count of
"2 Pasifika fathers in Q3 who did not finish" can point at a person. The defaults follow the Stats NZ
microdata output rules as the Social Wellbeing Agency applies them (see DESIGN.md, "Disclosure control
defaults"): counts of people are randomly rounded to base 3, a cell resting on fewer than 6 people is
suppressed, a mean/median/sum needs at least 20 people, and a suppressed cell must not be recoverable by
subtraction from the totals. A contract can make these rules stricter, never looser.

Rounding is *stable*: the random draw comes from the cell, not from a random generator, so asking the
same question twice gives the same answer and repeated questions cannot be averaged to recover the
true count. Findings draw from each cell's *people* (:mod:`dpup_eval.findings.cell_keys`, through
:func:`round_with_draws`); :func:`stable_random_round` and :func:`publish_table` draw from a keyed hash
of a cell's label, for tables of counts that have no record keys (pass a secret: the default is public).

Suppression convention (:func:`suppress`): the caller passes the table of **true** counts *with its
margins*: a row labelled ``"Total"`` and/or a column labelled ``"Total"`` (:func:`with_totals` adds them).
Every published total must be in that table, including totals published elsewhere (the overall finding
is the ``Total`` row of every grouping's table), because protection is only as good as the relations it
knows about. A margin that is absent is taken as not published: with no ``Total`` column, rows are not
linked by any sum. A true 0 is suppressed like any other count under the minimum: in a small people table
"nobody in this group" is itself a disclosure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import pandas as pd

from dpup_eval.agreement.disclosure_rules import DisclosureRules, LooserRuleError

__all__ = [
    "TOTAL",
    "DisclosureRules",
    "LooserRuleError",
    "label_draws",
    "Protections",
    "PublishedCount",
    "publish_count",
    "publish_table",
    "round_with_draws",
    "stable_random_round",
    "statistic_reason",
    "suppress",
    "with_totals",
]

TOTAL = "Total"

# The hash key for the rounding draw. A deployment can pass its own secret so that outsiders cannot
# recompute which way a cell was rounded; the default still gives stable, well-spread draws.
_DEFAULT_ROUNDING_KEY = b"dpup_eval/stable-random-round/v1"

@dataclass(frozen=True)
class PublishedCount:
    """A count ready to show: the rounded value, or None with the reason it was withheld."""

    value: int | None
    suppressed: bool
    reason: str | None = None


def _uniform_draws(keys: Sequence[str], secret: bytes) -> np.ndarray:
    """One number in [0, 1) per key from a keyed BLAKE2b hash: stable, and well spread across keys."""
    hasher = hashlib.blake2b(key=secret, digest_size=8)
    digests = bytearray()
    for key in keys:
        copy = hasher.copy()  # copying a keyed state is cheaper than re-keying for every cell
        copy.update(str(key).encode("utf-8"))
        digests += copy.digest()
    words = np.frombuffer(bytes(digests), dtype="<u8")
    return (words >> np.uint64(11)).astype(np.float64) * 2.0**-53


def label_draws(labels: Sequence[str], secret: bytes = _DEFAULT_ROUNDING_KEY) -> np.ndarray:
    """The draw :func:`stable_random_round` uses for each label (public with the default key)."""
    return _uniform_draws(labels, secret)


@overload
def stable_random_round(count: int, cell_key: str, base: int = 3, *, secret: bytes = ...) -> int: ...
@overload
def stable_random_round(
    count: np.ndarray | Sequence[int], cell_key: Sequence[str], base: int = 3, *, secret: bytes = ...
) -> np.ndarray: ...
def stable_random_round(
    count: int | np.ndarray | Sequence[int],
    cell_key: str | Sequence[str],
    base: int = 3,
    *,
    secret: bytes = _DEFAULT_ROUNDING_KEY,
) -> int | np.ndarray:
    """Randomly round counts to a multiple of ``base``, the draw fixed by each cell's key.

    A multiple of ``base`` stays. Otherwise the count goes to one of its two neighbouring multiples, the
    nearer with probability (base - distance) / base: for base 3, residue 1 goes down with probability
    2/3 and residue 2 goes up with probability 2/3. The expected rounded value is the true count, so
    rounding adds no bias to totals over many cells.

    ``cell_key`` names the cell (indicator, group, period, measure), never its value: the same cell
    always rounds the same way. Arrays of counts need one key per count (same order, any shape).
    """
    if isinstance(base, bool) or not isinstance(base, int | np.integer) or base < 1:
        raise ValueError(f"rounding base must be a positive whole number, got {base!r}")
    scalar = isinstance(cell_key, str)
    counts = np.asarray(count)
    if scalar != (counts.ndim == 0):
        raise ValueError("give one key for one count, or a sequence of keys for an array of counts")
    keys = [cell_key] if isinstance(cell_key, str) else list(cell_key)
    if len(keys) != counts.size:
        raise ValueError(f"{counts.size} counts but {len(keys)} cell keys: each cell needs its own key")
    if counts.size and not (np.issubdtype(counts.dtype, np.integer) or np.all(np.mod(counts, 1) == 0)):
        raise ValueError("counts of people must be whole numbers")
    whole = counts.astype(np.int64)
    if np.any(whole < 0):
        raise ValueError("counts of people cannot be negative")
    rounded = round_with_draws(whole, _uniform_draws(keys, secret).reshape(whole.shape), base)
    return int(rounded) if scalar else rounded


def round_with_draws(counts: np.ndarray, draws: np.ndarray, base: int = 3) -> np.ndarray:
    """The random-rounding rule given each cell's uniform draw in [0, 1) (whole, non-negative counts).

    A multiple of ``base`` stays; otherwise residue r goes up when ``draw * base < r`` (probability
    r / base), else down, so the rounded count is unbiased. Who supplies the draw decides what is
    consistent: a cell key (:mod:`dpup_eval.findings.cell_keys`) makes it a function of the people.
    """
    whole = np.asarray(counts).astype(np.int64)
    residue = whole % base
    return whole - residue + np.where((residue > 0) & (np.asarray(draws) * base < residue), base, 0)


@dataclass(frozen=True)
class Protections:
    """Which protections apply to published findings. The workbench always uses them all.

    Only the tests switch one off, to prove that the shipped attacker
    (:mod:`dpup_eval.findings.attacker`) finds exactly what that protection guards against:
    ``cell_keys`` off rounds counts by their labels with the public default key (the old way);
    ``magnitudes`` off publishes means, medians and intervals at full precision; ``overlap`` off
    publishes populations that differ by a few people; ``bands`` off publishes "all" or "none" of a
    small group as a share.
    """

    cell_keys: bool = True
    magnitudes: bool = True
    overlap: bool = True
    bands: bool = True

    @classmethod
    def none(cls) -> Protections:
        return cls(cell_keys=False, magnitudes=False, overlap=False, bands=False)


def publish_count(true_count: int, cell_key: str, rules: DisclosureRules | None = None) -> PublishedCount:
    """One count of people as it may be published: suppressed if too small, otherwise stably rounded."""
    rules = rules or DisclosureRules()
    if true_count < 0:
        raise ValueError("counts of people cannot be negative")
    if true_count < rules.minimum_count:
        return PublishedCount(None, True, f"fewer than {rules.minimum_count} people")
    return PublishedCount(stable_random_round(int(true_count), cell_key, rules.rounding_base), False, None)


def statistic_reason(n_people: int, rules: DisclosureRules | None = None) -> str | None:
    """Why a mean, median or sum over ``n_people`` may not be published, or None if it may."""
    rules = rules or DisclosureRules()
    if n_people < rules.minimum_for_mean:
        return f"fewer than {rules.minimum_for_mean} people contributing"
    return None


def with_totals(
    table: pd.DataFrame, *, rows: bool = True, columns: bool = True, total_label: str = TOTAL
) -> pd.DataFrame:
    """The table with a ``Total`` row (column sums) and/or ``Total`` column (row sums) appended.

    Only right when the groups partition the people; when they do not (a person in two groups, or a
    yearly count of distinct people), build the totals from the data and add them yourself.
    """
    result = table.copy()
    if columns:
        if total_label in result.columns:
            raise ValueError(f"the table already has a {total_label!r} column")
        result[total_label] = result.sum(axis=1)
    if rows:
        if total_label in result.index:
            raise ValueError(f"the table already has a {total_label!r} row")
        result.loc[total_label] = result.sum(axis=0)
    return result


def _position(labels: pd.Index, total_label: str, what: str) -> int | None:
    matches = np.flatnonzero(labels == total_label)
    if len(matches) > 1:
        raise ValueError(f"the table has {len(matches)} {what}s labelled {total_label!r}")
    return int(matches[0]) if len(matches) else None


def _lines(shape: tuple[int, int], total_row: int | None, total_col: int | None) -> list[list[int]]:
    """Each additive relation of the table: flat indices of its parts, then of its total (last)."""
    n_rows, n_cols = shape
    lines: list[list[int]] = []
    if total_col is not None and n_cols > 1:
        lines += [
            [r * n_cols + c for c in range(n_cols) if c != total_col] + [r * n_cols + total_col]
            for r in range(n_rows)
        ]
    if total_row is not None and n_rows > 1:
        lines += [
            [r * n_cols + c for r in range(n_rows) if r != total_row] + [total_row * n_cols + c]
            for c in range(n_cols)
        ]
    return lines


def _partner(
    line: int, members: list[list[int]], cell_lines: list[list[int]], mask: np.ndarray, values: np.ndarray
) -> int | None:
    """The open part of ``line`` to withhold next to its single withheld cell, or None if none is open.

    Preference, then smallest count: a cell whose crossing line also has exactly one withheld cell
    (one suppression mends both lines), then one whose crossing line already has two or more (creates
    no new problem), then one whose crossing line has none (that line will need a partner in turn).
    Preferring smallest alone made long chains: 6 cells where a rectangle of 4 would do.
    """
    parts = members[line][:-1]

    def cost(cell: int) -> tuple[int, float, int]:
        hidden = [int(mask[members[other]].sum()) for other in cell_lines[cell] if other != line]
        tier = 0 if 1 in hidden else 2 if 0 in hidden else 1
        return tier, float(values[cell]), cell

    open_parts = [i for i in parts if not mask[i]]
    return min(open_parts, key=cost) if open_parts else None


def _bridge_fix(
    mask: np.ndarray, values: np.ndarray, shape: tuple[int, int], rows_linked: bool, cols_linked: bool
) -> int | None:
    """A cell to suppress so that no suppressed cell is pinned down by combining several sums.

    With margins, the sums say each row and column of the (signed) table adds to zero. Picture rows
    and columns as nodes and suppressed cells as edges between them: the hidden values can move
    together exactly along cycles, so a suppressed cell is determined precisely when its edge is a
    bridge (on no cycle). This finds the first bridge and returns the smallest open cell joining its
    two sides, which puts the bridge on a cycle. An unlinked direction is one shared "free" node.
    """
    n_rows, n_cols = shape
    row_node = (lambda r: r) if rows_linked else (lambda r: 0)
    offset = n_rows if rows_linked else 1
    col_node = (lambda c: offset + c) if cols_linked else (lambda c: offset)
    edges = [(int(i), row_node(int(i) // n_cols), col_node(int(i) % n_cols)) for i in np.flatnonzero(mask)]
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for cell, u, v in edges:
        adjacency.setdefault(u, []).append((v, cell))
        adjacency.setdefault(v, []).append((u, cell))

    def reachable(start: int, banned: int) -> set[int]:
        seen, stack = {start}, [start]
        while stack:
            for nxt, cell in adjacency[stack.pop()]:
                if cell != banned and nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return seen

    for cell, u, v in edges:
        side_u = reachable(u, cell)
        if v in side_u:
            continue
        side_v = reachable(v, cell)
        joining = [
            i
            for i in range(n_rows * n_cols)
            if not mask[i]
            and {row_node(i // n_cols), col_node(i % n_cols)} & side_u
            and {row_node(i // n_cols), col_node(i % n_cols)} & side_v
        ]
        # Fallback (never needed once every line has 0 or 2+ hidden cells): widen the bridge's lines.
        line = [
            i
            for i in range(mask.size)
            if not mask[i] and (i // n_cols == cell // n_cols or i % n_cols == cell % n_cols)
        ]
        candidates = joining or line
        return min(candidates, key=lambda i: (values[i], i)) if candidates else None
    return None


def suppress(
    table: pd.DataFrame, rules: DisclosureRules | None = None, *, total_label: str = TOTAL
) -> pd.DataFrame:
    """Which cells of a table of true counts must be withheld (True = suppressed).

    ``table``: counts of people, rows = groups, columns = periods, with margins labelled ``total_label``
    (see the module docstring for the convention). Primary suppression withholds every cell, margins
    included, resting on fewer than ``rules.minimum_count`` people (0 included). Secondary suppression
    then makes sure no withheld cell can be worked out from what is published: every row and column
    sum (totals included) with exactly one withheld cell gets another (an open part chosen as
    :func:`_partner` explains; the line's total only if no part is open), and a withheld cell still
    fixed by combining several sums gets a partner that puts it on a cycle of withheld cells
    (:func:`_bridge_fix`). Repeats until stable; deterministic. Bounds implied by counts being
    non-negative are not audited: publishing the open cells RR3-rounded adds noise that covers those.
    """
    rules = rules or DisclosureRules()
    try:
        values = table.to_numpy(dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError("suppress needs a table of counts (numbers only)") from error
    if np.isnan(values).any() or (values < 0).any():
        raise ValueError("suppress needs a table of counts: no missing or negative values")
    total_row = _position(table.index, total_label, "row")
    total_col = _position(table.columns, total_label, "column")
    shape = values.shape
    flat = values.ravel()
    mask = flat < rules.minimum_count
    members = _lines(shape, total_row, total_col)
    cell_lines: list[list[int]] = [[] for _ in range(flat.size)]
    for number, cells in enumerate(members):
        for cell in cells:
            cell_lines[cell].append(number)
    rows_linked = total_col is not None and shape[1] > 1
    cols_linked = total_row is not None and shape[0] > 1
    changed = bool(members) and bool(mask.any())
    while changed:
        changed = False
        for number, cells in enumerate(members):
            if mask[cells].sum() == 1:
                pick = _partner(number, members, cell_lines, mask, flat)
                mask[cells[-1] if pick is None else pick] = True
                changed = True
        if not changed:
            pick = _bridge_fix(mask, flat, shape, rows_linked, cols_linked)
            if pick is not None:
                mask[pick] = True
                changed = True
    return pd.DataFrame(mask.reshape(shape), index=table.index, columns=table.columns)


def publish_table(
    table: pd.DataFrame, cell_key: str, rules: DisclosureRules | None = None, *, total_label: str = TOTAL
) -> pd.DataFrame:
    """The table as it may be published: suppressed cells missing (<NA>), the rest stably rounded.

    Each cell's rounding key is ``"{cell_key}|{row}|{column}"``, so ``cell_key`` should name the
    indicator and measure (e.g. ``"attendance/count/by-ethnicity"``).
    """
    rules = rules or DisclosureRules()
    mask = suppress(table, rules, total_label=total_label)
    keys = [f"{cell_key}|{r}|{c}" for r in table.index for c in table.columns]
    rounded = stable_random_round(table.to_numpy(dtype=float).ravel(), keys, rules.rounding_base)
    published = pd.DataFrame(rounded.reshape(table.shape), index=table.index, columns=table.columns)
    return published.astype("Int64").mask(mask.to_numpy())
