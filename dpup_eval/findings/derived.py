"""Outcomes worked out from agreed fields by a small declarative expression: sum, difference, ratio.

Real evaluations often measure something no single field holds: a literacy total (reading + spelling),
a gain (end score minus start score), a rate (books read per week). An indicators file may declare
such an outcome once, by name, and use it like an agreed field in definitions and filters:

.. code-block:: yaml

    derived:
      - name: literacy_total
        plain_name: Reading and spelling together
        sum: [score_post, spelling_post]
      - name: books_per_week
        plain_name: Books read each week
        ratio: [books_read, weeks_enrolled]

An expression is data, never code: one of ``sum`` (two or more fields), ``difference`` (first minus
second) or ``ratio`` (first divided by second), over whole-number or number fields agreed for the
purpose (or outcomes derived before it). It is validated against the contract like any definition;
nothing is evaluated as Python. A person missing any part has no value (a sum never treats "not
recorded" as 0), nor does a ratio with a zero or missing denominator.

:func:`apply_derived` returns the data with the new columns and the contract with a field for each
(role ``outcome``, a plain name, the range implied by its parts), so checks, sentences and charts treat
it as any other outcome.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from dpup_eval.agreement.contract import Contract
from dpup_eval.agreement.contract import Field as ContractField

__all__ = ["DerivedOutcome", "add_derived_columns", "extend_contract"]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
Operation = Literal["sum", "difference", "ratio"]


class DerivedOutcome(BaseModel):
    """One outcome worked out from fields: exactly one of ``sum``, ``difference`` or ``ratio``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    plain_name: str
    sum: list[str] | None = None
    difference: list[str] | None = None
    ratio: list[str] | None = None

    @property
    def operation(self) -> tuple[Operation, list[str]] | None:
        """The one expression given, or None when there is not exactly one."""
        given = [(op, parts) for op, parts in (("sum", self.sum), ("difference", self.difference),
                                               ("ratio", self.ratio)) if parts is not None]  # fmt: skip
        return given[0] if len(given) == 1 else None  # type: ignore[return-value]

    def describe(self, contract: Contract) -> str:
        """The expression in words, with the contract's plain names."""
        op, parts = self.operation or ("sum", [])
        names = [contract.field(p).plain_name if contract.has_field(p) else p for p in parts]
        if op == "sum":
            return "the sum of " + ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
        joiner = " minus " if op == "difference" else " divided by "
        return joiner.join(names)


def _problems(outcome: DerivedOutcome, contract: Contract) -> list[tuple[str, str]]:
    """What is wrong with one derived outcome against the contract as extended so far: (where, what)."""
    problems: list[tuple[str, str]] = []
    if not _NAME.match(outcome.name):
        problems.append((".name", f"'{outcome.name}' is not a usable name: lower-case letters, digits and _"))
    elif contract.has_field(outcome.name):
        problems.append((".name", f"'{outcome.name}' is already a field; choose another name"))
    if not outcome.plain_name.strip():
        problems.append((".plain_name", "say what it is in plain words"))
    expression = outcome.operation
    if expression is None:
        return [*problems, ("", "give exactly one of 'sum', 'difference' or 'ratio', each a list of fields")]
    op, parts = expression
    if op == "sum" and len(parts) < 2:
        problems.append((f".{op}", "a sum needs two or more fields"))
    if op != "sum" and len(parts) != 2:
        first, second = ("the first", "the second")
        verb = "minus" if op == "difference" else "divided by"
        problems.append((f".{op}", f"a {op} needs exactly two fields: {first} {verb} {second}"))
    for i, name in enumerate(parts):
        if not contract.has_field(name):
            problems.append((f".{op}[{i}]", f"'{name}' is not a field agreed for {contract.purpose}"))
            continue
        f = contract.field(name)
        if f.logical_type not in ("integer", "number") or f.allowed is not None:
            what = "coded values" if f.allowed is not None else f"a {f.logical_type}"
            problems.append((f".{op}[{i}]", f"'{name}' ({f.plain_name}) holds {what}; only amounts can be added or divided"))
    return problems


def _bounds(op: Operation, parts: Sequence[ContractField]) -> tuple[float | None, float | None]:
    """The range the outcome can take, from its parts' agreed ranges (None where unknown)."""
    lows = [p.minimum if isinstance(p.minimum, int | float) else None for p in parts]
    highs = [p.maximum if isinstance(p.maximum, int | float) else None for p in parts]
    if op == "sum":
        return (
            None if None in lows else float(sum(lows)),  # type: ignore[arg-type]
            None if None in highs else float(sum(highs)),  # type: ignore[arg-type]
        )
    (low_a, low_b), (high_a, high_b) = lows, highs
    if op == "difference":
        low = None if low_a is None or high_b is None else float(low_a - high_b)
        high = None if high_a is None or low_b is None else float(high_a - low_b)
        return low, high
    if low_a is not None and low_b is not None and low_a >= 0 and low_b > 0:  # positive amounts
        return (
            None if high_b is None else float(low_a / high_b),
            None if high_a is None else float(high_a / low_b),
        )
    return (0.0 if low_a is not None and low_a >= 0 else None), None


def extend_contract(
    contract: Contract, derived: Sequence[DerivedOutcome]
) -> tuple[Contract, list[tuple[str, str]]]:
    """The contract with one outcome field per valid derived outcome, and every problem found as
    (place, what to change): unknown or non-numeric parts, a name already taken, not one expression."""
    problems: list[tuple[str, str]] = []
    extended = contract
    for i, outcome in enumerate(derived):
        found = _problems(outcome, extended)
        problems += [(f"derived[{i}]{where}", message) for where, message in found]
        if found:
            continue
        op, parts = outcome.operation  # type: ignore[misc]
        fields = [extended.field(p) for p in parts]
        whole = op != "ratio" and all(f.logical_type == "integer" for f in fields)
        low, high = _bounds(op, fields)
        words = outcome.describe(extended)
        field = ContractField(
            name=outcome.name, plain_name=outcome.plain_name, logical_type="integer" if whole else "number",
            minimum=low, maximum=high, role="outcome", why=f"Worked out as {words}.",
            adult_description=f"{outcome.plain_name}: {words}.", child_description=f"{outcome.plain_name}.",
            place=f"derived[{i}]",
        )  # fmt: skip
        extended = extended.model_copy(update={"fields": (*extended.fields, field)})
    return extended, problems


def add_derived_columns(data: pd.DataFrame, contract: Contract, derived: Sequence[DerivedOutcome]) -> pd.DataFrame:
    """The data with a column per derived outcome (``contract``: as :func:`extend_contract` made it).

    Computed with numpy on whole columns, in the order given (a later outcome may use an earlier one).
    A part missing from the data raises ``KeyError`` naming it.
    """
    columns: dict[str, np.ndarray] = {}

    def values(name: str) -> np.ndarray:
        if name in columns:
            return columns[name]
        return data[name].to_numpy(dtype=float, na_value=np.nan)

    for outcome in derived:
        op, parts = outcome.operation  # type: ignore[misc]
        arrays = [values(p) for p in parts]
        with np.errstate(divide="ignore", invalid="ignore"):
            if op == "sum":
                result = np.sum(arrays, axis=0)  # NaN in any part stays NaN: not recorded is not 0
            elif op == "difference":
                result = arrays[0] - arrays[1]
            else:
                result = np.where(arrays[1] != 0, arrays[0] / arrays[1], np.nan)
        columns[outcome.name] = result
    typed = {}
    for name, array in columns.items():
        column = pd.array(array, dtype="Float64")  # NaN becomes missing
        typed[name] = column.astype("Int64") if contract.field(name).logical_type == "integer" else column
    return data.assign(**typed)
