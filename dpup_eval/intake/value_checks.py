"""Rules on columns with very many distinct values, vectorised, answering as Great Expectations does.

Great Expectations runs every rule on a frame of each column's distinct values (`gx_engine`). That
suits categories, scores and dates: a few thousand values at most. A pseudonymous key is different
on every row, so its distinct values are the whole column, and GX's fixed work per value (building
failing-index lists of a million entries, a Python call per value for some rules) then costs more
than the check. Such columns, and key uniqueness over every row, are checked here with the same
pandas/Arrow operations GX's pandas engine applies (named beside each rule), and reported through
the same check report. `tests/test_value_checks.py` runs both on the same values and compares.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dpup_eval.intake.specs import CheckSpec
from dpup_eval.intake.values import ColumnValues


def failing_values(spec: CheckSpec, column: ColumnValues) -> np.ndarray:
    """Mask over the column's distinct values that fail a single-value rule (missing values pass,
    except for `not_null`), as the GX expectation from `specs.to_expectation` would say."""
    p = spec.params
    if spec.kind == "not_null":  # expect_column_values_to_not_be_null
        return column.raw.isna().to_numpy(dtype=bool)
    values = column.typed if spec.typed else column.raw
    present = values.notna().to_numpy(dtype=bool)
    failing = np.zeros(len(values), dtype=bool)
    kept = values[present]
    if spec.kind == "match_regex":  # GX: column.astype(str).str.contains(regex)
        ok = kept.astype(str).str.contains(p["regex"])
    elif spec.kind == "in_set":  # GX: column.isin(value_set)
        ok = kept.isin(p["values"])
    elif spec.kind == "max_length":  # GX: column.astype(str).str.len() <= max_value
        ok = kept.astype(str).str.len() <= p["max"]
    elif spec.kind == "between":  # GX: min_value <= value <= max_value, either bound optional
        ok = pd.Series(True, index=kept.index)
        if p["min"] is not None:
            ok &= kept >= _bound(p["min"])
        if p["max"] is not None:
            ok &= kept <= _bound(p["max"])
    elif spec.kind == "date_format":  # GX calls datetime.strptime on each value; so do we (dates repeat)
        ok = pd.Series([_parses(v, p["format"]) for v in kept.tolist()], index=kept.index, dtype=bool)
    else:
        raise ValueError(f"'{spec.kind}' is not a single-value rule")
    failing[present] = ~np.asarray(ok.to_numpy(dtype=bool, na_value=False), dtype=bool)
    return failing


def failing_pairs(spec: CheckSpec, left: pd.Series, right: pd.Series) -> np.ndarray:
    """Mask over pairs of parsed values that break a field-order rule; a pair missing either value
    passes (GX: expect_column_pair_values_a_to_be_greater_than_b, ignore_row_if="either_value_is_missing")."""
    op = spec.params["op"]
    present = (left.notna() & right.notna()).to_numpy(dtype=bool)
    a, b = left[present].reset_index(drop=True), right[present].reset_index(drop=True)
    held = {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]
    failing = np.zeros(len(left), dtype=bool)
    failing[present] = ~held.to_numpy(dtype=bool, na_value=False)
    return failing


def duplicate_rows(columns: list[ColumnValues]) -> np.ndarray:
    """Rows whose key repeats, every copy flagged (GX: `~duplicated(keep=False)`).

    One column: missing keys are skipped (expect_column_values_to_be_unique). Several columns: rows
    missing every key value are skipped, a missing value otherwise equals another missing value
    (expect_compound_columns_to_be_unique, ignore_row_if="all_values_are_missing"). Equal codes are
    equal values, so the work is on integer codes.
    """
    skipped = np.logical_and.reduce([_missing_rows(column) for column in columns])
    combined = columns[0].codes.astype(np.int64)
    for column in columns[1:]:  # renumbered after each column, so the combined code never overflows
        combined = np.unique(combined * column.size + column.codes, return_inverse=True)[1].reshape(-1)
    kept = ~skipped
    counts = np.bincount(combined[kept], minlength=int(combined.max(initial=0)) + 1)
    return kept & (counts[combined] > 1)


def _missing_rows(column: ColumnValues) -> np.ndarray:
    if len(column.raw) and pd.isna(column.raw.iloc[-1]):  # a missing value is always the last code
        return column.codes == column.size - 1
    return np.zeros(len(column.codes), dtype=bool)


def _bound(value: object) -> object:
    return pd.Timestamp(value) if isinstance(value, dt.date) else value


def _parses(value: object, fmt: str) -> bool:
    try:
        dt.datetime.strptime(str(value), fmt)
    except ValueError:
        return False
    return True
