"""Findings in plain words: one sentence per finding that a workshop can read aloud.

A sentence leads with the everyday reading ("About 7 in 10 parents felt more confident"), gives the
number and how many people it rests on ("68% of about 120 people"), says where it stands against the
target in words a parent reads ("just below the target of 70%, but we can't be sure it's below the
target"), and ends with what to be careful about: a small group, a difference that could be chance, a
hidden cell. No interval jargon ("likely range", "probably between", "percentage points"): how sure we
can be is said in plain words, and the chart's whiskers carry the range. Names come from the contract's
plain names and labels, never raw field names.

Every case reads right: at, just above, just below, clearly above or below the target (compared on the
published numbers, so "60%" is never "just below the target of 60%"); one, few or many people; one or
several units ("1 point", "2 points").
"""

from __future__ import annotations

from typing import Any, Literal

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.disclosure import DisclosureRules
from dpup_eval.findings.indicators import PROPORTION_KINDS, Definition, Indicator
from dpup_eval.findings.periods import period_words

__all__ = [
    "TargetPosition",
    "Wording",
    "in_ten",
    "number",
    "people_count",
    "percent",
    "published_step",
    "show_difference",
    "show_value",
    "target_mark",
    "target_position",
    "with_unit",
]

#: Below this many people a finding gets a "rough guide" caution even when it may be shown.
SMALL_GROUP = 30


def percent(share: float) -> str:
    """0.683 -> '68%' (whole percents: more digits would claim a precision rounding does not have)."""
    return f"{share * 100:.0f}%"


#: How far a share may be from "k in 10" and still be called "about k in 10": at most 3.5 points, and at
#: most a fifth of the smaller side (14% is not "about 1 in 10", nor 87% "about 9 in 10").
NEAR_TENTH = 0.035
#: How far a small share may be from "1 in n" and still be called "about 1 in n" (14% is "about 1 in 7").
NEAR_ONE_IN = 0.02


def in_ten(share: float) -> str:
    """0.683 -> 'About 7 in 10'; 0.14 -> 'About 1 in 7'; 0.86 -> 'More than 8 in 10'.

    "About k in 10" only when that is close (see :data:`NEAR_TENTH`); otherwise "about 1 in n" for a
    small share when that is close, else "more than k in 10", which is always true. The extremes say
    'Nearly all' / 'Very few' rather than '10 in 10' or '0 in 10'.
    """
    if share >= 0.995:
        return "All or nearly all"
    if share >= 0.95:
        return "Nearly all"
    if share < 0.05:
        return "Very few"
    tenths = round(share * 10)
    off = abs(share - tenths / 10)
    if off <= NEAR_TENTH and off <= min(share, 1 - share) / 5:
        return "About half of" if tenths == 5 else f"About {tenths} in 10"
    one_in = round(1 / share)
    if share < 0.5 and abs(share - 1 / one_in) <= NEAR_ONE_IN:
        return f"About 1 in {one_in}"
    return f"More than {int(share * 10)} in 10"


def people_count(n: int, *, about: bool = True) -> str:
    """How many people, as a sentence says it: '1 person', 'about 120 people' (counts are rounded)."""
    if n == 1:
        return "1 person"
    return f"{'about ' if about else ''}{n} people"


def with_unit(text: str, unit: str | None) -> str:
    """A number with its unit, singular for one: '1 point', '2 points', '1 session', '3.5 hours'."""
    if not unit:
        return text
    if text.lstrip("+-") == "1" and unit.endswith("s") and not unit.endswith("ss"):
        unit = unit[:-1]
    return f"{text} {unit}"


def published_step(kind: str, precision: float | None) -> float | None:
    """The step a finding's number is published at: its own, or whole percents for a share."""
    return precision or (0.01 if kind in PROPORTION_KINDS else None)


TargetPosition = Literal["clearly_above", "just_above", "at", "just_below", "clearly_below"]


def target_position(
    estimate: float, target: float, ci_low: float | None, ci_high: float | None, precision: float | None,
) -> TargetPosition:  # fmt: skip
    """Where a published number stands against its target, in the words a sentence will use.

    "at" when the published number equals the target to the precision it is published at (a share
    shown as 60% is at a 60% target, whatever the unrounded value was). "just" when the range the
    data allows includes the target (we can't be sure which side it is on), "clearly" when it does not
    (or when there is no range: the caution about too few people says the rest).
    """
    step = precision or 0.0
    if abs(estimate - target) <= step / 2 + 1e-9:
        return "at"
    side = "above" if estimate > target else "below"
    unsure = ci_low is not None and ci_high is not None and ci_low <= target <= ci_high
    return f"just_{side}" if unsure else f"clearly_{side}"  # type: ignore[return-value]


def target_mark(position: TargetPosition, direction: str = "higher") -> str:
    """The short verdict beside a result ('meets the target'), consistent with the sentence's words."""
    if position == "at":
        return "at the target"
    good = position.endswith("above") == (direction == "higher")
    if position.startswith("clearly"):
        return "meets the target" if good else "does not meet the target"
    return "seems to meet the target (we can't be sure)" if good else "seems short of the target (we can't be sure)"


def number(value: float, digits: int = 1) -> str:
    """A measure for reading: no trailing '.0' on whole numbers."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def show_value(kind: str, unit: str | None, value: float | None) -> str:
    """A finding's number as read in tables and chart labels ('68%', '+1.8 points', '1 session')."""
    if value is None:
        return ""
    if kind in PROPORTION_KINDS:
        return percent(value)
    if kind == "count":
        return f"{value:.0f}"
    return with_unit(f"{'+' if kind == 'change' and value > 0 else ''}{number(value)}", unit)


def show_difference(kind: str, unit: str | None, value: float | None, with_unit: bool = True) -> str:
    """A difference as read in tables: '+10 percentage points' for shares, '+15.9 points' otherwise."""
    if value is None:
        return ""
    if kind in PROPORTION_KINDS:
        return f"{value * 100:+.0f}" + (" percentage points" if with_unit else "")
    text = ("+" if value > 0 else "") + number(value)
    return f"{text} {unit}" if unit and with_unit else text


class Wording:
    """Labels and sentences for findings under one contract (plain names) and period field."""

    def __init__(
        self, contract: Contract, period_field: str | None, rules: DisclosureRules | None = None,
        grain: str | None = None,
    ):  # fmt: skip
        self.contract = contract
        self.period_field = period_field
        self.rules = rules or contract.disclosure_rules()
        self.grain = grain
        self._fields = {f.name: f for f in contract.fields}

    def _plain(self, name: str) -> str:
        return self._fields[name].plain_name if name in self._fields else name

    def value_label(self, name: str, value: str) -> str:
        """A group's value in words: the contract's label for a code ("control" for arm 0)."""
        return self._fields[name].label(value) if name in self._fields else value

    def group_label(self, group: dict[str, str]) -> str:
        if not group:
            return "Everyone"
        return ", ".join(f"{self._plain(name)}: {self.value_label(name, value)}" for name, value in group.items())

    def period_label(self, period: str | None) -> str:
        if period is not None:
            return period
        return f"All {period_words(self.grain)[1]}" if self.period_field else "All periods"

    def versus_label(
        self, versus: str, group: dict[str, str], period: str | None, other: str | None = None
    ) -> str:
        """Whom a finding is compared with; ``other``: the one other group when a grouping has two."""
        if versus == "previous period":
            return f"the {period_words(self.grain)[0]} before"
        if other is not None and group:
            (name,) = group
            return self.value_label(name, other) + (f" in {period}" if period else "")
        return "everyone else" + (f" in {period}" if period else "")

    def grouping_words(self, name: str | None) -> str | None:
        """A grouping in running text ("trial arm"), None for everyone."""
        if name is None:
            return None
        plain = self._plain(name)
        return plain[:1].lower() + plain[1:] if not plain[:2].isupper() else plain

    def periods_word(self) -> str | None:
        """The periods in running text, plural ("quarters"), None when findings are not by period."""
        if self.period_field is None:
            return None
        return period_words(self.grain)[1]

    def describe(self, indicator: Indicator, d: Definition, f: dict[str, Any]) -> tuple[str, list[str]]:
        """The finding's sentences and its cautions (each caution is also in the last sentence).

        Short sentences, one idea each: the result, where it stands against the target, how it compares,
        then what to be careful about (a long sentence of clauses scored a grade too hard to read).
        """
        context = self._context(f)
        if f.get("band"):
            phrase = d.phrase or d.label[:1].lower() + d.label[1:]
            caution = "the exact share is not shown: in a small group it could point at someone"
            return f"{context}{f['band'].capitalize()} {indicator.people} {phrase} ({caution}).", [caution]
        if f["suppressed"]:
            caution = f"not shown: {f['reason'].rstrip('.')}"
            return f"{context}{indicator.name} ({d.label}): {caution}.", [caution]
        sentences = [self._main(indicator, d, f) + "."]
        if indicator.target is not None and f["estimate"] is not None:
            sentences.append(f"That is {self._target(indicator, f)}.")
        cautions: list[str] = []
        if f["n"] is not None and f["n"] < SMALL_GROUP and indicator.kind != "count":
            cautions.append(f"This rests on only {people_count(f['n'])}. Read it as a rough guide")
        if f["ci_low"] is None and indicator.kind not in ("count",):
            cautions.append("There are too few people to say how sure we can be")
        # A design's own question (this arm vs the reference arm) comes first; otherwise vs everyone else.
        named = f.get("versus_groups") or []
        fallback = f.get("versus_rest") or f.get("versus_previous")
        for comparison in named or ([fallback] if fallback is not None else []):
            text, clear = self._comparison(indicator, comparison)
            if clear:
                sentences.append(f"It is {text}.")
            else:
                cautions.append(text)
        if cautions:  # one short sentence each: a caution of clauses read a grade harder
            sentences.append("Careful: " + " ".join(c[:1].lower() + c[1:] if k == 0 else c for k, c in
                                                    enumerate(f"{c}." for c in cautions)))  # fmt: skip
        return context + " ".join(sentences), cautions

    def _context(self, f: dict[str, Any]) -> str:
        parts = [] if not f["group"] else [f["group_label"]]
        if f["period"] is not None:
            field = self._fields.get(self.period_field or "")
            if field is not None and field.logical_type == "date":  # "Date joined in 2025-03"
                parts.append(f"{field.plain_name} in {f['period']}")
            else:
                parts.append(f"{self._plain(self.period_field)} {f['period']}" if self.period_field else f["period"])
        return (" – ".join(parts) + " – ") if parts else ""

    def _value(self, indicator: Indicator, value: float) -> str:
        return show_value(indicator.kind, indicator.unit, value)

    def _main(self, indicator: Indicator, d: Definition, f: dict[str, Any]) -> str:
        estimate, people, n = f["estimate"], indicator.people, f["n"]
        phrase = d.phrase or d.label[:1].lower() + d.label[1:]
        if indicator.kind in PROPORTION_KINDS:
            return f"{in_ten(estimate)} {people} {phrase} ({percent(estimate)} of {people_count(n)})"
        if indicator.kind == "count":
            if n == 0:
                return f"Hardly any {people} {phrase} (rounded to protect privacy)"
            return f"About {n} {people} {phrase} (rounded to protect privacy)"
        detail = f" ({people_count(n, about=False)})"
        if indicator.kind == "change":
            direction = "went up" if estimate > 0 else "went down" if estimate < 0 else "did not change"
            amount = "" if estimate == 0 else " by " + with_unit(number(abs(estimate)), indicator.unit)
            return f"{indicator.name}: on average, scores for {people} {direction}{amount}{detail}"
        if indicator.kind == "median":
            return (
                f"{indicator.name}: the middle value for {people} was {self._value(indicator, estimate)}"
                f" ({people_count(n, about=False)}; half were above it, half below)"
            )
        return f"{indicator.name}: on average {self._value(indicator, estimate)} for {people}{detail}"

    def _target(self, indicator: Indicator, f: dict[str, Any]) -> str:
        assert indicator.target is not None
        target = (
            self._value(indicator, indicator.target)
            if indicator.kind != "change"
            else with_unit(number(indicator.target), indicator.unit)
        )
        step = published_step(indicator.kind, f.get("precision"))
        position = target_position(f["estimate"], indicator.target, f["ci_low"], f["ci_high"], step)
        if position == "at":
            return f"right at the target of {target}"
        side = position.split("_")[1]
        if position.startswith("just"):
            return f"just {side} the target of {target}, but we can't be sure it's {side} the target"
        return f"{side} the target of {target}"

    def _comparison(self, indicator: Indicator, c: Any) -> tuple[str, bool]:
        """Against another group or period, in plain words: "about 10 more in every 100" for shares."""
        share = indicator.kind in PROPORTION_KINDS
        if share:
            size_number = round(abs(c.difference) * 100)
            size = f"about {size_number} {'more' if c.difference > 0 else 'fewer'} in every 100"
        else:
            size_number = abs(c.difference)
            size = "about " + with_unit(number(size_number), indicator.unit)
        if size_number == 0:
            return f"about the same as {c.versus_label}", True
        if c.distinguishable:
            way = "higher" if c.difference > 0 else "lower"
            return (f"{way} than {c.versus_label} ({size})" if share else f"{way} than {c.versus_label} by {size}"), True
        gap = size.replace(" more", "").replace(" fewer", "") if share else size
        return f"We can't be sure it differs from {c.versus_label}. The gap of {gap} could be chance", False
