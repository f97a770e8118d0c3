"""What a guided proposal form can offer, built from the agreement and the indicators already written.

A parent proposing a success measure picks from sentences ("Where they are up to", "Change in parenting
confidence", "Sessions attended, out of sessions offered"), never field names: each
:class:`MeasureOption` is one such choice, worded from the contract's plain names and labels, and knows
how to become a :class:`~dpup_eval.findings.indicators.Definition` (declarative filters and thresholds only).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.indicators import Filter, Indicator, IndicatorSet
from dpup_eval.findings.wording import percent, with_unit

__all__ = [
    "GroupChoice", "MeasureOption", "change_words", "group_choices", "measure_options", "options_for_kind",
]  # fmt: skip

#: Categorical fields with at most this many values are offered as "who is included" tick boxes.
MAX_GROUP_VALUES = 6
_GROUP_ROLES = ("quasi_identifier", "outcome")


def change_words(value: float, unit: str = "points") -> str:
    """A change threshold in words: 'went up by at least 1 point', 'went down by no more than 2 points'."""
    if value >= 0:
        return f"went up by at least {with_unit(f'{value:g}', unit)}"
    return f"went down by no more than {with_unit(f'{-value:g}', unit)}"


@dataclass(frozen=True)
class MeasureOption:
    """One thing that can count as success.

    ``style``: ``category`` (success = one of the ticked values of ``field``), ``ratio`` (``field`` out
    of ``per`` at least a share), ``number`` (``field`` at least a value) or ``change`` (``post`` minus
    ``pre`` at least some points).
    """

    key: str
    words: str
    style: str
    field: str | None = None
    per: str | None = None
    pre: str | None = None
    post: str | None = None
    low: float = 0.0
    high: float = 1.0
    step: float = 1.0
    values: tuple[tuple[str, Any], ...] = ()  # (label, value in the field's type) for a category

    @property
    def kind(self) -> str:
        """The indicator kind a new measure built on this option has."""
        return "improved" if self.style == "change" else "proportion"

    def threshold_words(self, value: float) -> str:
        if self.style == "ratio":
            return f"at least {percent(value)}"
        if self.style == "change":
            return change_words(value)
        return f"{self.words[:1].lower()}{self.words[1:]} at least {value:g}"

    def definition_fields(self, threshold: float | None, success_values: list[str]) -> dict[str, Any]:
        """The measure part of a definition (``success`` or ``field``/``per``/``pre``/``post`` + threshold)."""
        if self.style == "category":
            if not success_values:
                raise ValueError("choose at least one answer that counts as success.")
            op_value: tuple[str, Any] = (
                ("eq", success_values[0]) if len(success_values) == 1 else ("in", success_values)
            )
            return {
                "success": [  # validated as a Filter (the field is set for a category)
                    Filter.model_validate({"field": self.field, "op": op_value[0], "value": op_value[1]})
                    .model_dump(mode="json")
                ]
            }
        if threshold is None:
            raise ValueError("choose the level that counts as success.")
        if self.style == "change":
            return {"pre": self.pre, "post": self.post, "threshold": float(threshold)}
        return {"field": self.field, "per": self.per, "threshold": float(threshold)}

    def matches(self, definition: Any) -> bool:
        if self.style == "category":
            return bool(definition.success) and definition.success[0].field == self.field
        if self.style == "change":
            return (definition.pre, definition.post) == (self.pre, self.post)
        return definition.success is None and (definition.field, definition.per) == (self.field, self.per)


@dataclass(frozen=True)
class GroupChoice:
    """A "who is included" question: tick boxes over one categorical field (all ticked = everyone)."""

    field: str
    words: str
    values: tuple[tuple[str, Any], ...]  # (label, value in the field's type: "control", 0)


def _change_words(contract: Contract, post: str) -> str:
    name = contract.field(post).plain_name
    for suffix in (" at the end", " after", " (end)"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return f"Change in {name[:1].lower()}{name[1:]} (start to end)"


def measure_options(contract: Contract, indicators: IndicatorSet) -> list[MeasureOption]:
    """Every success option the agreement allows, worded plainly (no field names)."""
    options: dict[str, MeasureOption] = {}
    for f in contract.fields:
        if f.role == "outcome" and f.allowed and len(f.allowed) <= 10:
            options[f"category:{f.name}"] = MeasureOption(
                key=f"category:{f.name}", words=f.plain_name, style="category", field=f.name,
                values=tuple((f.label(v), f.typed_value(v)) for v in f.allowed),
            )  # fmt: skip
        elif f.role == "outcome" and f.logical_type == "boolean":  # yes/no: success is one of the two
            options[f"category:{f.name}"] = MeasureOption(
                key=f"category:{f.name}", words=f.plain_name, style="category", field=f.name,
                values=(("Yes", True), ("No", False)),
            )  # fmt: skip
    for indicator in indicators.indicators:
        for d in indicator.definitions:
            if d.pre and d.post and contract.has_field(d.pre):
                pre = contract.field(d.pre)
                low, high = pre.minimum, pre.maximum
                number = (int, float)  # a date range gives no points to move by
                span = float(high - low) if isinstance(low, number) and isinstance(high, number) else 20.0
                options.setdefault(f"change:{d.pre}:{d.post}", MeasureOption(
                    key=f"change:{d.pre}:{d.post}", words=_change_words(contract, d.post), style="change",
                    pre=d.pre, post=d.post, low=-min(span, 10.0), high=min(span, 20.0), step=1.0,
                ))  # fmt: skip
            elif d.field and d.per and contract.has_field(d.field) and contract.has_field(d.per):
                words = (
                    f"{contract.field(d.field).plain_name}, out of {contract.field(d.per).plain_name.lower()}"
                )
                options.setdefault(f"ratio:{d.field}:{d.per}", MeasureOption(
                    key=f"ratio:{d.field}:{d.per}", words=words, style="ratio", field=d.field, per=d.per,
                    low=0.0, high=1.0, step=0.05,
                ))  # fmt: skip
    # A number on its own counts as success only if it is an outcome (the contract's field role): not a
    # count of service given ("Sessions offered") and not a baseline ("Confidence at the start", the
    # "before" of any change the indicators measure). Those stay usable inside a ratio or a change.
    baselines = {d.pre for i in indicators.indicators for d in i.definitions if d.pre}
    for f in contract.fields:
        if f.role == "outcome" and f.name not in baselines and f.logical_type in ("integer", "number"):
            low = float(f.minimum) if isinstance(f.minimum, int | float) else 0.0
            high = float(f.maximum) if isinstance(f.maximum, int | float) else max(low + 10.0, 10.0)
            options.setdefault(f"number:{f.name}", MeasureOption(
                key=f"number:{f.name}", words=f.plain_name, style="number", field=f.name, low=low, high=high, step=1.0,
            ))  # fmt: skip
    return list(options.values())


def options_for_kind(options: list[MeasureOption], kind: str) -> list[MeasureOption]:
    """The options an alternative definition of an indicator of this kind may use."""
    if kind == "improved":
        return [o for o in options if o.style == "change"]
    if kind in ("proportion", "count"):
        return [o for o in options if o.style != "change"]
    return []  # means, medians and changes have no success rule to change


def group_choices(contract: Contract) -> list[GroupChoice]:
    """The "who is included" questions: short categorical fields a family would recognise."""
    return [
        GroupChoice(
            field=f.name, words=f.plain_name, values=tuple((f.label(v), f.typed_value(v)) for v in f.allowed)
        )
        for f in contract.fields
        if f.role in _GROUP_ROLES
        and f.allowed
        and len(f.allowed) <= MAX_GROUP_VALUES
        and not f.multi_value_separator
    ]


def option_for(options: list[MeasureOption], indicator: Indicator) -> MeasureOption | None:
    """The option the indicator's first definition uses, if the form can show it."""
    first = indicator.definitions[0]
    return next((o for o in options_for_kind(options, indicator.kind) if o.matches(first)), None)
