"""Checks of indicator definitions against a contract (used by `indicators.validate_indicators`).

Each check returns what to change, in words a workshop facilitator can act on: the field that does not
exist (with the nearest agreed name), the operator that does not suit the field's type, the category
that is not agreed (with the agreed ones), the threshold outside the field's range.
"""

from __future__ import annotations

import difflib

from dpup_eval.agreement.contract import Contract, value_text
from dpup_eval.agreement.field_values import field_range, range_words, value_problem
from dpup_eval.findings.indicators import (
    _PRESENCE_OPS,
    PROPORTION_KINDS,
    CompareGroups,
    Definition,
    Filter,
    Indicator,
    IndicatorIssue,
)

__all__ = ["check_indicator", "filter_problem", "grouping_problem"]

_SET_OPS = ("in", "not_in")
_ORDER_OPS = ("lt", "le", "gt", "ge", "between")
_GROUPABLE_ROLES = ("quasi_identifier", "demographic", "period", "outcome", "service_delivery")


def check_indicator(indicator: Indicator, contract: Contract, place: str) -> list[IndicatorIssue]:
    issues: list[IndicatorIssue] = []
    if not indicator.definitions:
        issues.append(IndicatorIssue(place=f"{place}.definitions", message="add at least one definition"))
    ids = [d.id for d in indicator.definitions]
    for duplicate in sorted({d for d in ids if ids.count(d) > 1}):
        issues.append(
            IndicatorIssue(
                place=f"{place}.definitions",
                message=f"definition id '{duplicate}' is used twice; make each id unique",
            )
        )
    if indicator.target is not None and indicator.kind in PROPORTION_KINDS and not 0 <= indicator.target <= 1:
        issues.append(
            IndicatorIssue(
                place=f"{place}.target",
                message=f"a target share must be between 0 and 1 (e.g. 0.7 for 70%), not {indicator.target}",
            )
        )
    for g, name in enumerate(indicator.groupings):
        problem = grouping_problem(name, contract)
        if problem:
            issues.append(IndicatorIssue(place=f"{place}.groupings[{g}]", message=problem))
    for d, definition in enumerate(indicator.definitions):
        issues += _check_definition(indicator, definition, contract, f"{place}.definitions[{d}]")
    for c, compare in enumerate(indicator.compare):
        issues += [
            IndicatorIssue(place=f"{place}.compare[{c}]{where}", message=message)
            for where, message in _compare_problems(indicator, compare, contract)
        ]
    return issues


def _compare_problems(
    indicator: Indicator, compare: CompareGroups, contract: Contract
) -> list[tuple[str, str]]:
    """What is wrong with one ``compare`` entry: (where inside it, what to change)."""
    if indicator.kind in ("median", "count"):
        return [("", f"groups are compared on shares, averages and changes; a {indicator.kind} is not compared")]
    problem = grouping_problem(compare.field, contract)
    if problem:
        return [(".field", problem)]
    if (compare.reference is None) == (compare.pairs is None):
        return [("", "give either 'reference' (every other group is compared with it) or 'pairs' "
                     "(e.g. pairs: [[1, 0]]), not both and not neither")]  # fmt: skip
    f = contract.field(compare.field)
    problems: list[tuple[str, str]] = []
    entries = [(".reference", compare.reference)] if compare.pairs is None else [
        (f".pairs[{i}]", pair) for i, pair in enumerate(compare.pairs)
    ]  # fmt: skip
    for where, entry in entries:
        values = entry if isinstance(entry, list) else [entry]
        if isinstance(entry, list) and (len(entry) != 2 or value_text(entry[0]) == value_text(entry[1])):
            problems.append((where, "a pair is two different groups: [group, the group it is compared with]"))
            continue
        for value in values:
            problem = value_problem(value, f)  # type: ignore[arg-type]
            if problem:
                problems.append((where, problem))
    return problems


def grouping_problem(name: str, contract: Contract) -> str | None:
    """Why ``name`` cannot be used to split findings into groups (None if it can)."""
    if not contract.has_field(name):
        return _unknown_field(name, contract)
    f = contract.field(name)
    if f.multi_value_separator:
        return f"'{name}' ({f.plain_name}) can hold several values per person, so its groups overlap; it cannot be a grouping"
    if f.role not in _GROUPABLE_ROLES or (
        f.logical_type == "string" and f.allowed is None and f.pattern is None
    ):
        return f"'{name}' ({f.plain_name}) is not a set of categories; group by region, age band, quarter and the like"
    if f.logical_type in ("number", "date"):
        return f"'{name}' ({f.plain_name}) is a {f.logical_type}, not a set of categories"
    if f.logical_type == "integer" and f.allowed is None:
        low, high = field_range(f)
        if low is None or high is None or high - low > 20:
            return (
                f"'{name}' ({f.plain_name}) is a whole number with many possible values, not a set of "
                "categories; list its codes with labels in the contract (enum), or group by something else"
            )
    return None


def _unknown_field(name: str, contract: Contract) -> str:
    close = difflib.get_close_matches(name, contract.field_names, n=1)
    hint = (
        f"; did you mean '{close[0]}'?" if close else f"; agreed fields are {', '.join(contract.field_names)}"
    )
    return f"'{name}' is not a field agreed for {contract.purpose}{hint}"


def _check_definition(
    indicator: Indicator, d: Definition, contract: Contract, place: str
) -> list[IndicatorIssue]:
    issues: list[IndicatorIssue] = []

    def add(where: str, message: str) -> None:
        issues.append(IndicatorIssue(place=f"{place}.{where}" if where else place, message=message))

    kind = indicator.kind
    change = kind in ("change", "improved")
    if change and not (d.pre and d.post):
        add("", f"a '{kind}' indicator needs 'pre' and 'post' fields (the two measurements to compare)")
    if change and (d.field or d.per):
        add("field", f"a '{kind}' indicator is measured by 'pre' and 'post', not 'field'")
    if not change and (d.pre or d.post):
        add("pre", f"'pre'/'post' are for 'change' and 'improved' indicators; use 'field' for a '{kind}'")
    if kind in ("mean", "median") and not d.field:
        add("field", f"a '{kind}' indicator needs 'field' (what to average)")
    if d.per and not d.field:
        add("per", "'per' divides 'field'; give 'field' too")
    if kind == "improved" and d.threshold is None:
        add(
            "threshold",
            "an 'improved' indicator needs a threshold (how many points of change count as improved)",
        )
    if kind == "proportion" and not d.success and (d.threshold is None or not d.field):
        add("success", "say what counts as success: 'success' filters, or 'field' with a 'threshold'")
    if kind in ("mean", "median", "change") and (d.success or d.threshold is not None):
        add(
            "threshold",
            f"a '{kind}' has no success rule; use a 'proportion' or 'improved' indicator to count who reached a threshold",
        )
    if d.success and d.threshold is not None:
        add("threshold", "give either 'success' filters or a 'threshold', not both")
    for role, name in (("field", d.field), ("per", d.per), ("pre", d.pre), ("post", d.post)):
        if name is None:
            continue
        if not contract.has_field(name):
            add(role, _unknown_field(name, contract))
        elif contract.field(name).logical_type not in ("integer", "number"):
            f = contract.field(name)
            add(role, f"'{name}' ({f.plain_name}) is a {f.logical_type}; a measure must be a number")
    if d.threshold is not None and not issues:
        problem = _threshold_problem(d, contract)
        if problem:
            add("threshold", problem)
    for part in ("include", "success"):
        for j, item in enumerate(getattr(d, part) or []):
            problem = filter_problem(item, contract)
            if problem:
                add(f"{part}[{j}]", problem)
    return issues


def _threshold_problem(d: Definition, contract: Contract) -> str | None:
    if d.pre and d.post:
        low, high = field_range(contract.field(d.pre))
        if low is not None and high is not None and abs(d.threshold) > high - low:  # type: ignore[arg-type]
            return f"a change of {d.threshold:g} is impossible on a {low:g} to {high:g} scale; choose at most {high - low:g}"
        return None
    if d.per:
        if d.threshold < 0:  # type: ignore[operator]
            return (
                f"a share cannot be below 0; choose a threshold such as 0.75 (for 75%), not {d.threshold:g}"
            )
        return None
    low, high = field_range(contract.field(d.field))  # type: ignore[arg-type]
    if (low is not None and d.threshold < low) or (high is not None and d.threshold > high):  # type: ignore[operator]
        return f"{d.threshold:g} is outside the agreed range of {d.field} ({range_words(low, high)})"
    return None


def filter_problem(item: Filter, contract: Contract) -> str | None:
    """What is wrong with one filter for this contract (None if nothing), phrased as what to change."""
    if not contract.has_field(item.field):
        return _unknown_field(item.field, contract)
    f = contract.field(item.field)
    if f.is_free_text or f.role == "pseudonymous_key":
        return f"'{item.field}' ({f.plain_name}) cannot be used to choose people; use a category or a score"
    if item.op in _PRESENCE_OPS:
        return None if item.value is None else f"'{item.op}' takes no value; remove 'value'"
    if item.op in _ORDER_OPS and f.logical_type not in ("integer", "number", "date"):
        return f"'{item.op}' compares sizes, but '{item.field}' ({f.plain_name}) is a {f.logical_type}; use 'eq' or 'in'"
    if f.multi_value_separator and item.op not in _PRESENCE_OPS:
        return f"'{item.field}' ({f.plain_name}) can hold several values per person; only 'missing'/'not_missing' are supported"
    if item.op in _SET_OPS + ("between",):
        if not isinstance(item.value, list) or not item.value:
            return f"'{item.op}' needs a list of values, e.g. value: [a, b]"
        if item.op == "between" and len(item.value) != 2:
            return "'between' needs two values: [lowest, highest]"
        values = item.value
    elif isinstance(item.value, list) or item.value is None:
        return f"'{item.op}' needs one value; use 'in' for a list"
    else:
        values = [item.value]
    for value in values:
        problem = value_problem(value, f)
        if problem:
            return problem
    return None


