"""The identifier scan's part of checked loading: header cells, agreed columns, unexpected columns.

Why a module of its own: `load()` runs many checks, and this one has its own rules. Free text is
redacted in place; an identifier in any other agreed column holds its row back, and the value is replaced
by a marker in what the quarantine file will show (that file goes back to the provider but also sits on
the agency's disk); an unexpected column holding identifiers rejects the file; and a header cell holding
one is reported by position ("column 7"), never by its text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.codes import identifier_code
from dpup_eval.intake.identifiers import MARKERS, redact_text, scan_text
from dpup_eval.intake.reading import RawTable
from dpup_eval.intake.values import ColumnValues

if TYPE_CHECKING:
    from dpup_eval.intake.loading import Problems

__all__ = ["IDENTIFIER_WORDS", "HeldValues", "header_problems", "identifier_problems"]

IDENTIFIER_WORDS = {
    "nhi": ("an NHI number", "NHI numbers"),
    "ird": ("an IRD number", "IRD numbers"),
    "phone": ("a phone number", "phone numbers"),
    "email": ("an email address", "email addresses"),
    "address": ("a street address", "street addresses"),
    "dob": ("a date of birth", "dates of birth"),
    "name": ("a person's name", "people's names"),
}
_HEADER_TODO = ("if the first line is a record rather than column names, add a header line; identifying data must "
                "never leave the provider")
_COLUMN_TODO = "identifying data must never leave the provider; remove the column"


def header_problems(raw: RawTable, shown: dict[str, str], problems: Problems) -> None:
    """A header cell holding an identifier: the first line may be a record, or a column is named with one."""
    if not raw.header:
        return
    masks = scan_text(pd.Series(raw.header, dtype="string[pyarrow]"))
    labels = list(shown.values())
    for kind, mask in masks.items():
        positions = np.flatnonzero(mask).tolist()
        if positions:
            where = ", ".join(labels[i] for i in positions)
            problems.dataset(
                identifier_code(kind),
                labels[positions[0]],
                identifier_code(kind).message(where=f"in the header ({where})", todo=_HEADER_TODO),
                count=len(positions),
            )


@dataclass
class HeldValues:
    """Per agreed column, the distinct values to show in the quarantine file: identifiers replaced."""

    values: dict[str, pd.Series]
    masks: dict[str, np.ndarray]

    def raw(self, name: str, column: ColumnValues) -> pd.Series:
        return self.values.get(name, column.raw)


def identifier_problems(
    c: Contract,
    frame: pd.DataFrame,
    values: dict[str, ColumnValues],
    problems: Problems,
    shown: dict[str, str],
) -> tuple[dict[str, pd.Series], int, HeldValues]:
    """Scan every text column; redact free text, quarantine elsewhere, reject unexpected columns.

    Values found outside free text are also replaced by markers in what the quarantine file will show:
    that file goes back to the provider but also sits on the agency's disk.
    """
    redacted: dict[str, pd.Series] = {}
    held = HeldValues({}, {})
    any_redacted = np.zeros(len(frame), dtype=bool)
    for name in dict.fromkeys([*values, *frame.columns]):  # agreed columns, then any others
        if name in values and c.field(name).is_free_text:
            # The column's distinct values are already known (load() factorised it): redact those and
            # map back by code, instead of finding them again.
            column = values[name]
            clean_distinct, distinct_masks = redact_text(column.raw)
            clean = clean_distinct.take(column.codes).reset_index(drop=True)
            clean.index = frame.index
            clean.name = name
            redacted[name] = clean
            for kind, distinct_mask in distinct_masks.items():
                mask = np.asarray(distinct_mask, dtype=bool)[column.codes]
                if mask.any():
                    any_redacted |= mask
                    problems.rows(
                        identifier_code(kind),
                        name,
                        mask,
                        identifier_code(kind).message(where="in free text",
                                                      todo="removed; please remove it at the source too"),
                        action="redacted",
                    )
        elif name in values:
            column = values[name]
            candidates = _scan_candidates(c, column, problems)
            if not len(candidates):
                continue
            clean, masks = redact_text(column.raw.iloc[candidates].reset_index(drop=True))
            found = np.zeros(len(candidates), dtype=bool)
            for kind, hit in masks.items():
                hit = np.asarray(hit, dtype=bool)
                if hit.any():
                    found |= hit
                    problems.rows(
                        identifier_code(kind),
                        name,
                        column.rows_where(candidates[hit]),
                        identifier_code(kind).message(where="in a column that must not hold one",
                                                      todo=f"the quarantine file shows {MARKERS[kind]} in its place"),
                    )
            if found.any():
                shown_values = column.raw.astype("string[pyarrow]").copy()
                shown_values.iloc[candidates[found]] = clean[found].astype(str).to_numpy()
                held.values[name] = shown_values
                held.masks[name] = found
        elif name:
            masks = scan_text(frame[name].drop_duplicates().reset_index(drop=True))
            label = shown.get(name, name)
            for kind, hit in masks.items():
                if np.asarray(hit, dtype=bool).any():
                    problems.dataset(
                        identifier_code(kind),
                        label,
                        identifier_code(kind).message(where=f"in the column '{label}'", todo=_COLUMN_TODO),
                    )
    return redacted, int(any_redacted.sum()), held


def _scan_candidates(c: Contract, column: ColumnValues, problems: Problems) -> np.ndarray:
    """Positions of the distinct values worth scanning in an agreed column that is not free text.

    A value that conforms to an agreed pattern, category list or type cannot hold an identifier, so in
    constrained columns only the values of rows already held back are scanned (found with a boolean mask
    over the codes, not a sort: most files quarantine nothing). A number in a numeric column is a number,
    never a phone number: only text that did not parse as one is scanned there.
    """
    f = c.field(column.name)
    candidate = column.raw.notna().to_numpy().copy()
    if f.logical_type in ("integer", "number"):
        candidate &= np.asarray(column.typed.isna(), dtype=bool)
    if f.pattern is not None or f.allowed is not None or f.logical_type != "string":
        if not problems.quarantine.any():
            return np.zeros(0, dtype=np.intp)
        in_held_rows = np.zeros(column.size, dtype=bool)
        in_held_rows[column.codes[problems.quarantine]] = True
        candidate &= in_held_rows
    return np.flatnonzero(candidate)
