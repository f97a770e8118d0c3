"""Periods findings are shown by: months, quarters, years, or none, as the programme reports.

A period field is either a date (each person's date is read as its month, quarter or year: the
*grain*) or text already naming the period (``2025-03``, ``2025-Q1``, ``2025``), whose grain is read
from the values. The grain gives the words findings use: "All months", "the month before", "by month".
A programme without periods evaluates with no period field at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

import pandas as pd

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.tables import Coding

__all__ = [
    "GRAINS",
    "Grain",
    "date_periods",
    "grain_from_schedule",
    "grain_of_labels",
    "period_coding",
    "period_problem",
    "period_words",
]

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")

_PATTERNS: dict[Grain, re.Pattern[str]] = {
    "month": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "quarter": re.compile(r"^\d{4}-Q[1-4]$"),
    "year": re.compile(r"^\d{4}$"),
}
_SCHEDULES: dict[str, Grain] = {
    "monthly": "month", "month": "month", "quarterly": "quarter", "quarter": "quarter",
    "yearly": "year", "annually": "year", "annual": "year", "year": "year",
}  # fmt: skip


def date_periods(dates: pd.Series, grain: Grain) -> pd.Series:
    """Dates as period labels: ``2025-03`` (month), ``2025-Q1`` (quarter), ``2025`` (year); missing stays missing."""
    if grain == "month":
        return dates.dt.strftime("%Y-%m").astype("string")
    if grain == "year":
        return dates.dt.year.astype("Int64").astype("string")
    quarters = dates.dt.to_period("Q")
    return quarters.dt.year.astype("string") + "-Q" + quarters.dt.quarter.astype("string")


def grain_of_labels(labels: Iterable[str]) -> Grain | None:
    """The grain every label follows (``2025-03`` -> month), or None when they are other periods."""
    values = [label for label in labels if label]
    for grain, pattern in _PATTERNS.items():
        if values and all(pattern.match(v) for v in values):
            return grain
    return None


def grain_from_schedule(schedule: str | None) -> Grain | None:
    """A contract's schedule ("monthly", "quarterly") as a grain, if it names one."""
    if not schedule:
        return None
    words = re.findall(r"[a-z]+", schedule.lower())
    return next((_SCHEDULES[w] for w in words if w in _SCHEDULES), None)


def period_words(grain: str | None) -> tuple[str, str]:
    """(one, many) in running text: ("month", "months"); ("period", "periods") for other periods."""
    one = grain if grain in GRAINS else "period"
    return one, f"{one}s"


def _coarser(labels: pd.Series, have: Grain, want: Grain) -> pd.Series:
    """Text periods read at a coarser grain: ``2025-03`` -> ``2025-Q1`` or ``2025``; ``2025-Q1`` -> ``2025``."""
    year = labels.str.slice(0, 4)
    if want == "year":
        return year
    month = labels.str.slice(5, 7).astype("Int64")
    return year + "-Q" + ((month - 1) // 3 + 1).astype("string")


def period_problem(name: str, grain: Grain | None, contract: Contract, data: pd.DataFrame) -> str | None:
    """Why ``name`` cannot give the periods findings are shown by (None if it can)."""
    from dpup_eval.findings.indicator_checks import grouping_problem

    if contract.has_field(name) and contract.field(name).logical_type == "date":
        f = contract.field(name)
        if f.role in ("pseudonymous_key", "free_text"):
            return f"'{name}' ({f.plain_name}) cannot be used to split findings"
        return None if name in data.columns else f"'{name}' is not in the data"
    problem = grouping_problem(name, contract)
    if problem:
        return problem
    if name not in data.columns:
        return f"'{name}' is not in the data"
    if grain is not None:
        have = grain_of_labels(data[name].dropna().astype("string").unique())
        if have is None or GRAINS.index(have) > GRAINS.index(grain):
            one = have or "period"
            return f"'{name}' ({contract.field(name).plain_name}) holds {one}s; it cannot be read by {grain}"
    return None


def period_coding(
    data: pd.DataFrame, name: str, contract: Contract, grain: Grain | None = None
) -> tuple[Coding, Grain | None]:
    """Each row's period as a :class:`Coding`, and the grain the periods are in.

    A date is read at ``grain`` (default: the contract's schedule, else quarters). Text periods are
    taken as they are, or read at a coarser ``grain`` (months into quarters or years).
    """
    column = data[name]
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        chosen = grain or grain_from_schedule(contract.schedule) or "quarter"
        return Coding.of(date_periods(column, chosen)), chosen
    text = column.astype("string")
    have = grain_of_labels(text.dropna().unique())
    if grain is not None and have is not None and grain != have:
        return Coding.of(_coarser(text, have, grain)), grain
    return Coding.of(column), have
