"""Minimisation hints that need sample data: quasi-identifier combinations whose smallest groups fall under k.

Uses the same group counting as the check's re-identification step (:mod:`dpup_eval.intake.risk`), on the
sample file as it stands (before any row is set aside), for the whole combination and for the combination
without each field in turn, so people can see which field's detail makes groups small. Only counts of
groups and rows are reported; never a value or a row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.agreement.hints import Hint
from dpup_eval.intake import risk
from dpup_eval.intake.reading import read_table

__all__ = ["small_group_hints"]


def _codes(frame: pd.DataFrame, names: list[str]) -> list[np.ndarray]:
    return [pd.factorize(frame[name].astype("string").fillna("\x00missing"))[0].astype(np.int64) for name in names]


def small_group_hints(contract: Contract, sample: str | Path, *, sheet: str | None = None) -> list[Hint]:
    """A hint when the quasi-identifiers' combination leaves groups under k in ``sample`` (with what helps)."""
    qi = list(contract.quasi_identifiers)
    raw = read_table(sample, sheet=sheet, expected=contract.field_names)
    present = [name for name in qi if name in raw.frame.columns]
    if len(present) < 1 or raw.frame.empty:
        return []
    frame = raw.frame
    rows = np.ones(len(frame), dtype=bool)
    codes = dict(zip(present, _codes(frame, present), strict=True))
    k = contract.min_group_size

    def small(names: list[str]) -> tuple[int, int]:
        columns = [codes[n] for n in names]
        return risk.count_small_groups(columns, rows, k), int(risk.small_group_rows(columns, rows, k).sum())

    groups, people = small(present)
    if not groups:
        return []
    plain = {f.name: f.plain_name for f in contract.fields}
    combined = " × ".join(plain[n] for n in present)
    text = (f"{combined}: {groups} combinations are shared by fewer than {k} rows ({people} of {len(frame)} rows "
            "in the sample).")
    if len(present) > 1:
        without = sorted((small([n for n in present if n != name])[1], name) for name in present)
        best_people, best = without[0]
        text += f" Without {plain[best]} (or with less detail in it), {best_people} rows would be in such groups."
    else:
        text += " Less detail in it (wider bands) would make groups larger."
    return [Hint("small-groups", contract.purpose, tuple(present), text)]
