"""Re-identification risk: how many people share each combination of quasi-identifiers.

A person alone (or nearly alone) in their combination of age group, region and so on can be
recognised by someone who knows them. Group sizes are counted on integer codes (vectorised),
over the rows that would be sent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def _group_ids(codes: Sequence[np.ndarray], rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group id per selected row, size of each group) for the combination of coded columns."""
    combined = np.zeros(int(rows.sum()), dtype=np.int64)
    for column in codes:
        selected = column[rows]
        width = int(column.max()) + 1  # callers pass at least one selected row
        combined = combined * width + selected
    _, inverse, sizes = np.unique(combined, return_inverse=True, return_counts=True)
    return inverse, sizes


def small_group_rows(codes: Sequence[np.ndarray], rows: np.ndarray, k: int) -> np.ndarray:
    """Mask over all rows: selected rows whose combination is shared by fewer than k selected rows."""
    mask = np.zeros(len(rows), dtype=bool)
    if not rows.any():
        return mask
    inverse, sizes = _group_ids(codes, rows)
    mask[np.flatnonzero(rows)] = sizes[inverse] < k
    return mask


def count_small_groups(codes: Sequence[np.ndarray], rows: np.ndarray, k: int) -> int:
    """How many combinations have fewer than k selected rows."""
    if not rows.any():
        return 0
    _, sizes = _group_ids(codes, rows)
    return int((sizes < k).sum())

