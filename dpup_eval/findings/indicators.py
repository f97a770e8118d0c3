"""Indicators: success measures defined together, as data, and checked against the agreement.

An indicator is what a workshop agrees to look at ("parents' confidence improved"); each of its
definitions is one way of counting it ("improved" = +2 points, as families proposed, or +5 points, as
the agency proposed), labelled with who proposed it, so alternatives sit side by side instead of one
side's idea of success winning by default.

Everything here is declarative: who is included and what counts as success are lists of
:class:`Filter` (``field``, ``op``, ``value``), never code. A filter is applied with pandas
comparisons against its value, so a value such as ``"__import__('os')"`` is only ever a string that
matches nobody. Definitions are validated against the contract for the purpose they will be
evaluated for (:func:`validate_indicators`): every field must be agreed for that purpose, the operator
must suit the field's type, a category must be one of the agreed values, a threshold must lie in the
field's range. All problems are collected into one :class:`IndicatorError` that says what to change.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dpup_eval.agreement.contract import Contract, value_text
from dpup_eval.agreement.field_values import Scalar
from dpup_eval.errors import IssuesError
from dpup_eval.findings.derived import DerivedOutcome, extend_contract

__all__ = [
    "CompareGroups",
    "Definition",
    "Filter",
    "Indicator",
    "IndicatorError",
    "IndicatorIssue",
    "IndicatorSet",
    "load_indicators",
    "validate_indicators",
]

Op = Literal["eq", "ne", "in", "not_in", "lt", "le", "gt", "ge", "between", "missing", "not_missing"]
Kind = Literal["proportion", "count", "mean", "median", "change", "improved"]

#: Kinds whose estimate is a share of people (0 to 1), published from rounded counts.
PROPORTION_KINDS = ("proportion", "improved")
#: Kinds whose estimate is a statistic of a measure (needs `minimum_for_mean` people).
STATISTIC_KINDS = ("mean", "median", "change")

_PRESENCE_OPS = ("missing", "not_missing")
_OP_WORDS = {
    "eq": "is", "ne": "is not", "in": "is one of", "not_in": "is none of", "lt": "is less than",
    "le": "is at most", "gt": "is more than", "ge": "is at least", "between": "is between",
    "missing": "is not recorded", "not_missing": "is recorded",
}  # fmt: skip


class IndicatorIssue(BaseModel):
    """One thing wrong in an indicator file: where (``indicators[2].definitions[0].threshold``) and what."""

    model_config = ConfigDict(frozen=True)

    place: str
    message: str

    def __str__(self) -> str:
        return f"{self.place}: {self.message}" if self.place else self.message


class IndicatorError(IssuesError[IndicatorIssue]):
    """Indicator definitions that cannot be evaluated; ``issues`` lists every problem, each actionable."""

    def __init__(self, issues: list[IndicatorIssue], source: str = "indicators"):
        super().__init__(issues, "invalid indicator definitions", prefix=f"{source}: ")


class Filter(BaseModel):
    """``field op value``: who is included, or what counts as success. Structured data, never code.

    ``in``/``not_in`` take a list, ``between`` a pair ``[low, high]`` (both included), ``missing`` and
    ``not_missing`` no value. A person whose value is missing never matches a comparison (``ne``
    included): only ``missing`` selects them, so "not recorded" is never silently read as "not X".
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    op: Op
    value: Scalar | list[Scalar] | None = None

    def describe(self, contract: Contract | None = None) -> str:
        """The filter in words, with the contract's plain names and labels where known."""
        name, label = self.field, (lambda v: str(v))
        if contract is not None and contract.has_field(self.field):
            f = contract.field(self.field)
            name, label = f.plain_name, f.label
        if self.op in _PRESENCE_OPS:
            return f"{name} {_OP_WORDS[self.op]}"
        if isinstance(self.value, list):
            joined = (
                " and ".join(label(v) for v in self.value)
                if self.op == "between"
                else ", ".join(label(v) for v in self.value)
            )
            return f"{name} {_OP_WORDS[self.op]} {joined}"
        return f"{name} {_OP_WORDS[self.op]} {label(self.value)}"

    def mask(self, data: pd.DataFrame) -> np.ndarray:
        """Which rows match, as a boolean array (vectorised pandas comparisons; missing never matches).

        Works on every type a contract allows (text, categories, whole numbers, numbers, true/false,
        dates). A filter whose value cannot be compared with the data's column (a number against a
        column of text, say) raises :class:`IndicatorError` saying so, rather than silently matching
        nobody or failing deep inside pandas.
        """
        if self.field not in data.columns:
            raise self._cannot_apply(f"the data has no column '{self.field}'")
        series = data[self.field]
        if self.op == "missing":
            return series.isna().to_numpy()
        present = series.notna().to_numpy()
        if self.op == "not_missing":
            return present
        values = self.value if isinstance(self.value, list) else [self.value]
        problem = _comparison_problem(series, values)
        if problem:
            raise self._cannot_apply(problem)
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = [pd.Timestamp(v) for v in values]
        if isinstance(series.dtype, pd.CategoricalDtype) and self.op in ("eq", "in", "ne", "not_in"):
            # On the integer codes: several times faster than Categorical.isin on 100,000 rows.
            # A lookup table by code; its extra last entry (False) is where code -1 (missing) lands.
            lookup = np.append(series.cat.categories.isin(values), False)
            hit = lookup[series.cat.codes.to_numpy()]
            return hit if self.op in ("eq", "in") else ~hit & present
        try:
            if self.op in ("eq", "in"):
                return series.isin(values).to_numpy(dtype=bool, na_value=False) & present
            if self.op in ("ne", "not_in"):
                return ~series.isin(values).to_numpy(dtype=bool, na_value=False) & present
            if self.op == "between":
                low, high = values
                result = series.ge(low) & series.le(high)
            else:
                result = getattr(series, self.op)(values[0])
        except (TypeError, ValueError) as error:
            raise self._cannot_apply(f"its values cannot be compared with {values!r} ({error})") from None
        return np.asarray(result.to_numpy(dtype=bool, na_value=False))

    def _cannot_apply(self, why: str) -> IndicatorError:
        value = "" if self.value is None else f" {self.value!r}"
        return IndicatorError(
            [IndicatorIssue(
                place=f"filter '{self.field} {self.op}{value}'",
                message=f"cannot be applied: {why}. Load the data with its contract (`dpup-eval check`, "
                "dpup_eval.load) so every field has its agreed type, and check the filter against the contract",
            )],
            "data",
        )  # fmt: skip


def _comparison_problem(series: pd.Series, values: list[Any]) -> str | None:
    """Why a filter's values cannot be compared with a column (None if they can), by kind of value."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        dtype = dtype.categories.dtype
    is_bool = pd.api.types.is_bool_dtype(dtype)
    is_number = pd.api.types.is_numeric_dtype(dtype) and not is_bool
    is_date = pd.api.types.is_datetime64_any_dtype(dtype)
    for value in values:
        if isinstance(value, bool):
            ok, kind = is_bool, "true/false"
        elif isinstance(value, int | float):
            ok, kind = is_number, "a number"
        elif isinstance(value, dt.date):
            ok, kind = is_date, "a date"
        elif is_date:
            try:
                dt.date.fromisoformat(str(value))
                ok = True
            except ValueError:
                ok = False
            kind = "text that is not a date (YYYY-MM-DD)"
        else:
            ok, kind = not (is_bool or is_number), "text"
        if not ok:
            held = "true/false" if is_bool else "numbers" if is_number else "dates" if is_date else "text"
            return f"the data's '{series.name}' holds {held}, and {value!r} is {kind}"
    return None


class Definition(BaseModel):
    """One way of counting an indicator, labelled with who proposed it.

    Measure: ``field`` (optionally divided by ``per``, e.g. sessions attended per session offered), or
    ``pre`` and ``post`` for a change between two measurements. ``threshold`` is "at least": a person
    succeeds when their measure (or change) is at least this. ``phrase`` is the success in words for
    sentences ("felt at least 2 points more confident"); the label is used when it is absent.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    label: str
    proposed_by: str
    phrase: str | None = None
    include: list[Filter] = []
    success: list[Filter] | None = None
    field: str | None = None
    per: str | None = None
    pre: str | None = None
    post: str | None = None
    threshold: float | None = None

    @property
    def measure_fields(self) -> list[str]:
        return [name for name in (self.field, self.per, self.pre, self.post) if name]

    def population_key(self) -> str:
        """Canonical text of who is counted: the same people give the same key, whatever the definition."""
        return json.dumps(
            {"include": [f.model_dump(mode="json") for f in self.include], "measure": self.measure_fields},
            sort_keys=True,
        )

    def success_key(self) -> str:
        success = [f.model_dump(mode="json") for f in self.success or []]
        return json.dumps({"success": success, "threshold": self.threshold}, sort_keys=True)


class CompareGroups(BaseModel):
    """Named groups of one field compared directly: treated vs control, each arm vs a reference arm.

    ``reference``: every other group is compared with this one (``arm``, ``reference: 0``).
    ``pairs``: chosen pairs instead, each ``[group, other]`` published as group minus other.
    Exactly one of the two. One difference is published per pair (never one per direction).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    reference: Scalar | None = None
    pairs: list[list[Scalar]] | None = None

    def pairs_among(self, labels: Sequence[str]) -> list[tuple[str, str]]:
        """The (group, other) pairs as group labels (codes written one way), among the groups present."""
        present = set(labels)
        if self.pairs is not None:
            chosen = [(value_text(a), value_text(b)) for a, b in (p for p in self.pairs if len(p) == 2)]
        else:
            reference = value_text(self.reference)
            chosen = [(label, reference) for label in labels if label != reference]
        return [(a, b) for a, b in chosen if a in present and b in present and a != b]


class Indicator(BaseModel):
    """A success measure: what it is, how it may be counted, the target and which groupings make sense."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    what_it_tells_us: str
    people: str = Field("people", description="who the indicator is about, plainly: 'parents who finished'")
    kind: Kind
    unit: str | None = Field(None, description="for means/medians/changes: 'points', 'sessions'...")
    definitions: list[Definition]
    target: float | None = None
    direction: Literal["higher", "lower"] = "higher"
    groupings: list[str] = []
    compare: list[CompareGroups] = Field(
        [], description="named groups compared directly, alongside each group vs everyone else"
    )
    domain: str | None = Field(
        None, description="the domain of change (the programme's stories.yaml) this measure speaks to: the "
        "workshop shows the families' stories the room chose for it beside the measure"
    )

    def definition(self, definition_id: str) -> Definition:
        for candidate in self.definitions:
            if candidate.id == definition_id:
                return candidate
        raise KeyError(f"indicator '{self.id}' has no definition '{definition_id}'")

    def with_threshold(self, definition_id: str, threshold: float) -> Indicator:
        """A copy with one definition's threshold moved (what a workshop slider does)."""
        definitions = [
            d.model_copy(update={"threshold": threshold}) if d.id == definition_id else d
            for d in self.definitions
        ]
        self.definition(definition_id)
        return self.model_copy(update={"definitions": definitions})


class IndicatorSet(BaseModel):
    """The indicators of one programme, for one purpose (the YAML file's top level)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    programme: str = ""
    purpose: str = "evaluation"
    derived: list[DerivedOutcome] = Field(
        [], description="outcomes worked out from fields (sum, difference, ratio), usable like fields"
    )
    indicators: list[Indicator]

    def indicator(self, indicator_id: str) -> Indicator:
        for candidate in self.indicators:
            if candidate.id == indicator_id:
                return candidate
        raise KeyError(f"no indicator '{indicator_id}'; defined: {', '.join(i.id for i in self.indicators)}")


def load_indicators(path: str | Path, contract: Contract | None = None) -> IndicatorSet:
    """Read an indicators YAML file; with ``contract``, also validate it (raises :class:`IndicatorError`)."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise IndicatorError(
            [IndicatorIssue(place="", message=f"cannot read the file ({error.strerror})")], path.name
        ) from None
    except yaml.YAMLError as error:
        raise IndicatorError(
            [IndicatorIssue(place="", message=f"not valid YAML: {error}")], path.name
        ) from None
    try:
        indicators = IndicatorSet.model_validate(raw)
    except ValidationError as error:
        issues = [IndicatorIssue(place=_place(item["loc"]), message=item["msg"]) for item in error.errors()]
        raise IndicatorError(issues, path.name) from None
    if contract is not None:
        validate_indicators(indicators, contract, source=path.name)
    return indicators


def _place(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def validate_indicators(
    indicators: IndicatorSet | list[Indicator] | Indicator, contract: Contract, source: str = "indicators"
) -> None:
    """Check every definition against the contract; raise one :class:`IndicatorError` listing all problems."""
    from dpup_eval.findings.indicator_checks import check_indicator

    items = _as_list(indicators)
    issues: list[IndicatorIssue] = []
    if isinstance(indicators, IndicatorSet) and indicators.derived:
        contract, problems = extend_contract(contract, indicators.derived)
        issues += [IndicatorIssue(place=place, message=message) for place, message in problems]
    seen: set[str] = set()
    for i, indicator in enumerate(items):
        place = f"indicators[{i}]"
        if indicator.id in seen:
            issues.append(
                IndicatorIssue(
                    place=f"{place}.id",
                    message=f"'{indicator.id}' is used twice; give each indicator its own id",
                )
            )
        seen.add(indicator.id)
        issues += check_indicator(indicator, contract, place)
    if issues:
        raise IndicatorError(issues, source)


def _as_list(indicators: IndicatorSet | Sequence[Indicator] | Indicator) -> list[Indicator]:
    if isinstance(indicators, IndicatorSet):
        return list(indicators.indicators)
    if isinstance(indicators, Indicator):
        return [indicators]
    return list(indicators)
