"""Cell keys: each cell's key is the sum of its people's record keys, modulo 2**32 (as ABS TableBuilder).

Why a sum: the same set of people always sums to the same key, in any table, measure or definition, so
it is always perturbed the same way and repeating a question cannot average the perturbation away.
Adding or removing one person adds or removes that person's secret, uniformly random key, so the new
cell's key is unrelated to the old one: two sets differing by one person are perturbed independently.
Sums also give every derived set's key for free: "everyone else" is the total's key minus the
group's.

Alongside the key, each cell carries what the overlap check (:mod:`dpup_eval.findings.overlap`) needs
to compare populations without listing them: a fingerprint (the sum of the keys' other half, so equal
count and fingerprint means the same people) and a sketch (how many of its people fall in each of
:data:`~dpup_eval.findings.record_keys.SKETCH_BUCKETS` key buckets; the sum of bucket differences is a
lower bound on how many people two populations do not share).

Everything is computed for a whole group × period table at once with ``np.bincount``, the same shape
as :class:`dpup_eval.findings.tables.Cells`: rows are the groups (plus the Total row once stacked),
columns the periods plus a last all-periods column.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from dpup_eval.findings.record_keys import SKETCH_BUCKETS, RecordKeys

__all__ = ["KEY_SPACE", "KeyCells", "Selection", "derived_draws", "key_cells", "key_draws"]

KEY_SPACE = 2.0**32
_EXACT_ROWS = 2**21  # below this, float64 sums of 32-bit halves are exact


@dataclass
class KeyCells:
    """Per cell: ``key`` and ``fingerprint`` (sums modulo 2**32) and ``sketch`` (cells × buckets)."""

    key: np.ndarray
    fingerprint: np.ndarray
    sketch: np.ndarray

    def stack(self, other: KeyCells) -> KeyCells:
        """These rows with ``other``'s rows below (the Total row)."""
        return KeyCells(
            key=np.vstack([self.key, other.key]),
            fingerprint=np.vstack([self.fingerprint, other.fingerprint]),
            sketch=np.concatenate([self.sketch, other.sketch]),
        )

    def minus(self, other: KeyCells) -> KeyCells:
        """The keys of ``self`` without ``other``'s people (``other`` must be a subset, e.g. a group)."""
        return KeyCells(
            key=np.mod(self.key - other.key, KEY_SPACE),
            fingerprint=np.mod(self.fingerprint - other.fingerprint, KEY_SPACE),
            sketch=self.sketch - other.sketch,
        )


def _sums(flat: np.ndarray, weights: np.ndarray, cells: int) -> np.ndarray:
    if flat.size >= _EXACT_ROWS:  # rare: exact integer sums, slower
        total = np.zeros(cells, dtype=np.uint64)
        np.add.at(total, flat, weights.astype(np.uint64))
        return np.mod(total, np.uint64(2**32)).astype(np.float64)
    return np.bincount(flat, weights=weights, minlength=cells)


@dataclass(frozen=True)
class Selection:
    """The selected people's keys and periods, taken out once and shared by every table of a definition."""

    rows: np.ndarray  # which rows of the data
    low: np.ndarray
    high: np.ndarray
    bucket: np.ndarray
    period: np.ndarray

    @classmethod
    def of(cls, selected: np.ndarray, keys: RecordKeys, period_codes: np.ndarray) -> Selection:
        rows = np.flatnonzero(selected)
        return cls(rows, keys.low[rows], keys.high[rows], keys.bucket[rows], period_codes[rows])


def key_cells(selection: Selection, row_codes: np.ndarray, n_rows: int, n_periods: int) -> KeyCells:
    """Key, fingerprint and sketch of the selected people in every (row, period) cell and row total."""
    flat = row_codes[selection.rows] * n_periods + selection.period if n_rows > 1 else selection.period
    cells = n_rows * n_periods

    def table(weights: np.ndarray) -> np.ndarray:
        sums = _sums(flat, weights, cells).reshape(n_rows, n_periods)
        return np.mod(np.hstack([sums, sums.sum(axis=1, keepdims=True)]), KEY_SPACE)

    sketch = np.bincount(flat * SKETCH_BUCKETS + selection.bucket, minlength=cells * SKETCH_BUCKETS)
    sketch = sketch.reshape(n_rows, n_periods, SKETCH_BUCKETS).astype(np.int32)
    sketch = np.concatenate([sketch, sketch.sum(axis=1, keepdims=True)], axis=1)
    return KeyCells(key=table(selection.low), fingerprint=table(selection.high), sketch=sketch)


def key_draws(key: np.ndarray) -> np.ndarray:
    """The uniform draw in [0, 1) a cell key stands for (counts are rounded with it)."""
    return np.asarray(key, dtype=np.float64) / KEY_SPACE


def _mix(words: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: spreads every input bit over the whole output (wraps modulo 2**64)."""
    z = words.astype(np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def derived_draws(key: np.ndarray, salt: str) -> np.ndarray:
    """Another uniform draw from the same cell key, one per purpose (``salt``: "mean:<field>").

    Still a function of the cell's people only, so the same people and measure are always perturbed
    the same way; unlike the key itself, it is not tied to which way the count was rounded.
    """
    tag = int.from_bytes(hashlib.blake2b(salt.encode("utf-8"), digest_size=8).digest(), "little")
    words = np.asarray(key, dtype=np.float64).astype(np.uint64) ^ np.uint64(tag)
    return (_mix(words) >> np.uint64(11)).astype(np.float64) * 2.0**-53
