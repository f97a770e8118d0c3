"""Re-identification risk: small combinations of quasi-identifiers, counted by hand and by pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dpup_eval.intake.risk import count_small_groups, small_group_rows

# Six people: (age band code, region code). Combinations: (0, 0) x3, (0, 1) x1, (1, 0) x2.
AGE = np.array([0, 0, 0, 0, 1, 1])
REGION = np.array([0, 0, 0, 1, 0, 0])
EVERYONE = np.ones(6, dtype=bool)


def test_small_groups_counted_by_hand() -> None:
    marked = small_group_rows([AGE, REGION], EVERYONE, 3)
    assert marked.dtype == bool and marked.tolist() == [False, False, False, True, True, True]
    assert count_small_groups([AGE, REGION], EVERYONE, 3) == 2  # (0, 1) alone, (1, 0) with two
    assert small_group_rows([AGE, REGION], EVERYONE, 2).tolist() == [False, False, False, True, False, False]
    assert count_small_groups([AGE, REGION], EVERYONE, 2) == 1
    assert count_small_groups([AGE, REGION], EVERYONE, 4) == 3  # every group: 3 < 4
    assert not small_group_rows([AGE, REGION], EVERYONE, 1).any()  # nobody is in a group of fewer than 1


def test_only_selected_rows_count_and_are_marked() -> None:
    # Leaving out person 2 makes (0, 0) a group of two; person 2 itself is never marked.
    selected = np.array([True, True, False, True, True, True])
    assert small_group_rows([AGE, REGION], selected, 3).tolist() == [True, True, False, True, True, True]
    assert count_small_groups([AGE, REGION], selected, 3) == 3


def test_codes_are_combined_without_collisions() -> None:
    # (1, 0) and (0, 2) would collide if the second column's width were taken as 2 instead of 3.
    first, second = np.array([1, 0, 0, 0]), np.array([0, 2, 1, 1])
    assert small_group_rows([first, second], np.ones(4, dtype=bool), 2).tolist() == [True, True, False, False]
    # One column alone, and no columns at all (everyone in one group).
    assert count_small_groups([second], np.ones(4, dtype=bool), 2) == 2
    assert count_small_groups([], np.ones(4, dtype=bool), 5) == 1
    # Codes combined by division would make (2, 0) and (0, 1) the same group.
    first, second = np.array([2, 0, 0]), np.array([0, 1, 1])
    assert small_group_rows([first, second], np.ones(3, dtype=bool), 2).tolist() == [True, False, False]
    # Codes near 2**30: the combined code needs exact 64-bit integers (floats would merge these groups).
    big = 2**30 - 1
    first, second = np.array([big, big, big, 0]), np.array([0, 1, 1, 2**30 - 1])
    assert small_group_rows([first, second], np.ones(4, dtype=bool), 2).tolist() == [True, False, False, True]
    assert small_group_rows([], np.ones(4, dtype=bool), 4).tolist() == [False] * 4


def test_nobody_selected() -> None:
    nobody = np.zeros(6, dtype=bool)
    assert not small_group_rows([AGE, REGION], nobody, 5).any()
    assert count_small_groups([AGE, REGION], nobody, 5) == 0
    assert small_group_rows([np.array([], dtype=np.int64)], np.array([], dtype=bool), 5).tolist() == []


PEOPLE = st.integers(1, 60).flatmap(
    lambda n: st.tuples(
        st.lists(st.lists(st.integers(0, 6), min_size=n, max_size=n), min_size=1, max_size=3),
        st.lists(st.booleans(), min_size=n, max_size=n),
        st.integers(1, 8),
    )
)


@given(PEOPLE)
def test_matches_counting_with_pandas(case: tuple[list[list[int]], list[bool], int]) -> None:
    columns, chosen, k = case
    codes = [np.array(c, dtype=np.int64) for c in columns]
    rows = np.array(chosen, dtype=bool)
    frame = pd.DataFrame({f"q{i}": c for i, c in enumerate(columns)})[rows]
    sizes = frame.groupby(list(frame.columns)).size()
    expected_rows = np.zeros(len(rows), dtype=bool)
    if len(frame):
        per_row = frame.groupby(list(frame.columns))[frame.columns[0]].transform("size")
        expected_rows[frame.index.to_numpy()] = (per_row < k).to_numpy()
    assert small_group_rows(codes, rows, k).tolist() == expected_rows.tolist()
    assert count_small_groups(codes, rows, k) == int((sizes < k).sum())
