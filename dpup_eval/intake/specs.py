"""Contract -> engine-neutral check specs.

Each spec is one rule a row can fail, with the problem code it raises and a plain description.
`to_expectations` turns specs into Great Expectations configurations as plain dicts (type +
kwargs), so the mapping is tested without any GX context; `gx_engine` runs them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from dpup_eval.agreement.contract import Contract, Field
from dpup_eval.agreement.field_values import BOOLEAN_TEXT, DATE_FORMAT, INTEGER_TEXT, NUMBER_TEXT
from dpup_eval.codes import (
    BLANK_REQUIRED,
    DUPLICATE_KEY,
    INVALID_DATE,
    INVALID_TYPE,
    OUT_OF_RANGE,
    PATTERN_MISMATCH,
    QUALITY_RULE,
    TOO_LONG,
    UNKNOWN_CATEGORY,
)

#: Where a spec is evaluated: on one column's distinct values, on distinct pairs of two
#: columns' values, or on whole rows (keys).
Scope = Literal["value", "pair", "rows"]



@dataclass(frozen=True)
class CheckSpec:
    """One rule: which columns, what must hold, and the problem code when it does not."""

    key: str
    code: str
    kind: str
    columns: tuple[str, ...]
    scope: Scope
    description: str
    params: dict[str, Any] = field(default_factory=dict, compare=False)
    typed: bool = False  # evaluated on parsed values (numbers, dates) rather than the text


#: The type rule of each logical type: the check kind, what the value must be, and the check's parameters.
_TYPE_RULES: dict[str, tuple[str, str, dict[str, object]]] = {
    "integer": ("match_regex", "a whole number", {"regex": INTEGER_TEXT}),
    "number": ("match_regex", "a number", {"regex": NUMBER_TEXT}),
    "date": ("date_format", "a real date written YYYY-MM-DD", {"format": DATE_FORMAT}),
    "boolean": ("in_set", "true or false", {"values": list(BOOLEAN_TEXT)}),
}


def _label_list(values: tuple[str, ...], limit: int = 6) -> str:
    shown = ", ".join(values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _value_spec(
    field: str, rule: str, code: str, kind: str, description: str, params: dict[str, Any] | None = None,
    typed: bool = False,
) -> CheckSpec:
    """A rule on one column's values (every field rule is one): keyed ``<field>.<rule>``."""
    return CheckSpec(f"{field}.{rule}", code, kind, (field,), "value", description, params or {}, typed)


def _field_specs(f: Field) -> list[CheckSpec]:
    name = f.name
    specs: list[CheckSpec] = []
    if f.required:
        specs.append(_value_spec(name, "required", BLANK_REQUIRED, "not_null",
                                 BLANK_REQUIRED.message(plain_name=f.plain_name, field=name)))
    typed = _TYPE_RULES.get(f.logical_type)
    if typed is not None:
        kind, what, params = typed
        code = INVALID_DATE if f.logical_type == "date" else INVALID_TYPE
        specs.append(_value_spec(name, "type", code, kind, code.message(field=name, what=what), dict(params)))
    # A true/false field's agreed values only give its labels: "yes", "1" and "TRUE" are all read as
    # true by the type rule above, so the codes are not matched as text.
    if f.allowed is not None and f.logical_type != "boolean":
        if f.multi_value_separator:
            alternatives = "|".join(re.escape(v) for v in f.allowed)
            sep = re.escape(f.multi_value_separator)
            regex = f"^(?:{alternatives})(?:{sep}(?:{alternatives}))*$"
            values = f"each of the {name} values (separated by '{f.multi_value_separator}')"
            specs.append(_value_spec(name, "allowed", UNKNOWN_CATEGORY, "match_regex",
                                     UNKNOWN_CATEGORY.message(values=values, allowed=_label_list(f.allowed)),
                                     {"regex": regex}))
        else:
            specs.append(_value_spec(name, "allowed", UNKNOWN_CATEGORY, "in_set",
                                     UNKNOWN_CATEGORY.message(values=name, allowed=_label_list(f.allowed)),
                                     {"values": list(f.allowed)}))
    if f.pattern:
        specs.append(_value_spec(name, "pattern", PATTERN_MISMATCH, "match_regex",
                                 PATTERN_MISMATCH.message(field=name, pattern=f.pattern), {"regex": f.pattern}))
    if f.minimum is not None or f.maximum is not None:
        low, high = f.minimum, f.maximum
        bounds = (
            f"from {low}" if high is None else f"up to {high}" if low is None else f"from {low} to {high}"
        )
        specs.append(_value_spec(name, "range", OUT_OF_RANGE, "between", OUT_OF_RANGE.message(field=name, bounds=bounds),
                                 {"min": low, "max": high}, typed=True))
    if f.max_length is not None:
        specs.append(_value_spec(name, "length", TOO_LONG, "max_length", TOO_LONG.message(field=name, limit=f.max_length),
                                 {"max": f.max_length}))
    return specs


def build_specs(contract: Contract) -> list[CheckSpec]:
    """Every row rule the contract implies, in contract order, without duplicates."""
    specs: list[CheckSpec] = []
    for f in contract.fields:
        specs += _field_specs(f)
    key_sets: list[tuple[str, ...]] = []
    if contract.key_fields:
        key_sets.append(tuple(contract.key_fields))
    key_sets += [(f.name,) for f in contract.fields if f.unique and (f.name,) not in key_sets]
    key_sets += [r.fields for r in contract.rules if r.kind == "unique_together" and r.fields not in key_sets]
    for columns in key_sets:
        joined = " + ".join(columns)
        specs.append(
            CheckSpec(
                f"{joined}.unique",
                DUPLICATE_KEY,
                "unique",
                columns,
                "rows",
                DUPLICATE_KEY.message(key=joined),
            )
        )
    for rule in contract.rules:
        if rule.kind == "field_order":
            left, right = rule.fields
            specs.append(
                CheckSpec(
                    f"rule.{rule.name}",
                    QUALITY_RULE,
                    "field_order",
                    (left, right),
                    "pair",
                    QUALITY_RULE.message(rule=rule.description, left=left, op=rule.op, right=right),
                    {"op": rule.op, "rule": rule.name},
                    typed=True,
                )
            )
    return specs


def _bound(value: Any) -> Any:
    """Dates become timestamps: the parsed column holds datetime64 values, which GX compares with timestamps."""
    if isinstance(value, dt.date):
        import pandas as pd

        return pd.Timestamp(value)
    return value


def to_expectation(spec: CheckSpec, *, rename: dict[str, str] | None = None) -> dict[str, Any]:
    """The GX expectation for a spec as `{"type": ..., "kwargs": ...}` (no GX import needed).

    `rename` maps the spec's columns to the columns of the frame the engine validates (a frame of
    distinct values holds, e.g., a column `x` and its parsed `x__typed`).
    """
    names = rename or {}
    col = names.get(spec.columns[0], spec.columns[0])
    p = spec.params
    if spec.kind == "not_null":
        return {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": col}}
    if spec.kind == "in_set":
        return {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": col, "value_set": p["values"]},
        }
    if spec.kind == "match_regex":
        return {"type": "expect_column_values_to_match_regex", "kwargs": {"column": col, "regex": p["regex"]}}
    if spec.kind == "date_format":
        return {
            "type": "expect_column_values_to_match_strftime_format",
            "kwargs": {"column": col, "strftime_format": p["format"]},
        }
    if spec.kind == "between":
        return {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": col, "min_value": _bound(p["min"]), "max_value": _bound(p["max"])},
        }
    if spec.kind == "max_length":
        return {
            "type": "expect_column_value_lengths_to_be_between",
            "kwargs": {"column": col, "min_value": None, "max_value": p["max"]},
        }
    if spec.kind == "unique":
        if len(spec.columns) == 1:
            return {"type": "expect_column_values_to_be_unique", "kwargs": {"column": spec.columns[0]}}
        return {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": list(spec.columns)}}
    if spec.kind == "field_order":
        left, right = (names.get(c, c) for c in spec.columns)
        op = p["op"]
        # GX checks "A > B" (or >=); "left <= right" is "right >= left".
        a, b = (left, right) if op in (">", ">=") else (right, left)
        return {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": a,
                "column_B": b,
                "or_equal": op.endswith("="),
                "ignore_row_if": "either_value_is_missing",
            },
        }
    raise ValueError(f"unknown check kind '{spec.kind}'")
