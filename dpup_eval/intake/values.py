"""Columns as distinct values plus a code per row.

A 1,000,000-row file has a few hundred distinct dates, four regions and fifty scores: every rule
about a single value (allowed categories, ranges, patterns, parsing) gives the same answer for
every row holding that value. So each column is factorised once, rules and parsing run on the
distinct values, and the answers are mapped back to rows through the codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Field
from dpup_eval.agreement.field_values import FALSE_TEXT, TRUE_TEXT


@dataclass
class ColumnValues:
    """One column: its distinct text values (a missing value last, if any) and each row's code."""

    name: str
    codes: np.ndarray
    raw: pd.Series
    typed: pd.Series

    @property
    def size(self) -> int:
        return len(self.raw)

    def rows_where(self, failing: np.ndarray) -> np.ndarray:
        """Row mask from a mask (or positions) over the distinct values."""
        mask = np.zeros(self.size, dtype=bool)
        mask[failing] = True
        return mask[self.codes]

    def typed_rows(self, rows: np.ndarray | None = None) -> pd.Series:
        """The parsed column, one value per row (only the rows where `rows` is True, if given)."""
        codes = self.codes if rows is None or rows.all() else self.codes[rows]
        values = self.typed.take(codes).reset_index(drop=True)
        values.name = self.name
        return values


def parse_values(raw: pd.Series, f: Field | None) -> pd.Series:
    """Parse distinct text values to the field's type; unparseable values become missing."""
    kind = f.logical_type if f is not None else "string"
    if kind in ("integer", "number"):
        numbers = pd.to_numeric(raw.astype("string[pyarrow]").astype(object), errors="coerce")
        numbers = pd.Series(numbers, dtype="float64")
        if kind == "number":
            return numbers.astype("Float64")
        whole = numbers.where(np.isfinite(numbers) & (numbers == np.floor(numbers)) & (numbers.abs() < 2**53))
        return whole.astype("Int64")
    if kind == "date":
        return pd.to_datetime(raw.astype(object), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    if kind == "boolean":
        lowered = raw.astype(object).map(lambda v: v.lower() if isinstance(v, str) else v)
        return lowered.map(lambda v: True if v in TRUE_TEXT else False if v in FALSE_TEXT else pd.NA).astype(
            "boolean"
        )
    if f is not None and f.allowed is not None and not f.multi_value_separator:
        known = raw.astype(object).where(raw.isin(f.allowed).fillna(False).to_numpy(dtype=bool), None)
        return pd.Series(pd.Categorical(known, categories=list(f.allowed)))
    return raw.reset_index(drop=True)


def factorize(series: pd.Series, f: Field | None) -> ColumnValues:
    """Distinct values of a text column, parsed once."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    raw = pd.Series(uniques, dtype=series.dtype)
    codes = np.asarray(codes, dtype=np.int32 if len(uniques) < 2**31 - 1 else np.int64)
    if (codes < 0).any():
        raw = pd.concat([raw, pd.Series([None], dtype=series.dtype)], ignore_index=True)
        codes = np.where(codes < 0, len(raw) - 1, codes)
    return ColumnValues(
        name=str(series.name), codes=codes, raw=raw.reset_index(drop=True), typed=parse_values(raw, f)
    )
