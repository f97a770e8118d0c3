"""Findings in plain words: one sentence per finding that a workshop can read aloud.

A sentence leads with the everyday reading ("About 7 in 10 parents who finished felt more confident"),
gives the number and its likely range ("68%, probably between 61% and 75%"), says how it stands against
the target, and ends with what to be careful about: a small group, a difference the data cannot tell
from chance, a hidden cell. Names come from the contract's plain names and labels, never raw field names.
"""

from __future__ import annotations

from typing import Any

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.disclosure import DisclosureRules
from dpup_eval.findings.indicators import PROPORTION_KINDS, Definition, Indicator
from dpup_eval.findings.periods import period_words

__all__ = ["Wording", "in_ten", "number", "percent", "show_difference", "show_value"]

#: Below this many people a finding gets a "rough guide" caution even when it may be shown.
SMALL_GROUP = 30


def percent(share: float) -> str:
    """0.683 -> '68%' (whole percents: more digits would claim a precision rounding does not have)."""
    return f"{share * 100:.0f}%"


def in_ten(share: float) -> str:
    """0.683 -> 'About 7 in 10'; the extremes say 'Nearly all' / 'Very few' rather than '10 in 10'."""
    if share >= 0.995:
        return "All or nearly all"
    if share >= 0.95:
        return "Nearly all"
    if share < 0.05:
        return "Very few"
    tenths = round(share * 10)
    if tenths == 5:
        return "About half of"
    return f"About {max(tenths, 1)} in 10"


def number(value: float, digits: int = 1) -> str:
    """A measure for reading: no trailing '.0' on whole numbers."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def show_value(kind: str, unit: str | None, value: float | None) -> str:
    """A finding's number as read in tables and chart labels ('68%', '+1.8 points', '6 sessions')."""
    if value is None:
        return ""
    if kind in PROPORTION_KINDS:
        return percent(value)
    if kind == "count":
        return f"{value:.0f}"
    text = f"{'+' if kind == 'change' and value > 0 else ''}{number(value)}"
    return f"{text} {unit}" if unit else text


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
        """The finding's sentence and its cautions (each caution is also inside the sentence)."""
        context = self._context(f)
        if f.get("band"):
            phrase = d.phrase or d.label[:1].lower() + d.label[1:]
            caution = "the exact share is not shown: in a small group it could point at someone"
            return f"{context}{f['band'].capitalize()} {indicator.people} {phrase} ({caution}).", [caution]
        if f["suppressed"]:
            caution = f"not shown: {f['reason'].rstrip('.')}"
            return f"{context}{indicator.name} ({d.label}): {caution}.", [caution]
        main = self._main(indicator, d, f)
        clauses = (
            [self._target(indicator, indicator.target, f)]
            if indicator.target is not None and f["estimate"] is not None
            else []
        )
        cautions: list[str] = []
        if f["n"] is not None and f["n"] < SMALL_GROUP and indicator.kind != "count":
            cautions.append(f"this rests on only about {f['n']} people, so read it as a rough guide")
        if f["ci_low"] is None and indicator.kind not in ("count",):
            cautions.append("too few people for a likely range")
        # A design's own question (this arm vs the reference arm) comes first; otherwise vs everyone else.
        named = f.get("versus_groups") or []
        fallback = f.get("versus_rest") or f.get("versus_previous")
        for comparison in named or ([fallback] if fallback is not None else []):
            text, clear = self._comparison(indicator, comparison)
            (clauses if clear else cautions).append(text)
        sentence = context + main + "".join(f", {c}" for c in clauses if c)
        if cautions:
            sentence += "; careful: " + "; ".join(cautions)
        return sentence + ".", cautions

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

    def _range(self, indicator: Indicator, f: dict[str, Any]) -> str:
        if f["ci_low"] is None or f["ci_high"] is None:
            return ""
        return f"probably between {self._value(indicator, f['ci_low'])} and {self._value(indicator, f['ci_high'])}"

    def _main(self, indicator: Indicator, d: Definition, f: dict[str, Any]) -> str:
        estimate, people = f["estimate"], indicator.people
        likely = self._range(indicator, f)
        if indicator.kind in PROPORTION_KINDS:
            phrase = d.phrase or d.label[:1].lower() + d.label[1:]
            detail = percent(estimate) + (f", {likely}" if likely else "") + f", of about {f['n']} people"
            return f"{in_ten(estimate)} {people} {phrase} ({detail})"
        if indicator.kind == "count":
            phrase = d.phrase or d.label[:1].lower() + d.label[1:]
            return f"About {f['n']} {people} {phrase} (rounded to protect privacy)"
        detail = f" ({likely}; {f['n']} people)" if likely else f" ({f['n']} people)"
        if indicator.kind == "change":
            direction = "went up" if estimate > 0 else "went down" if estimate < 0 else "did not change"
            amount = (
                ""
                if estimate == 0
                else f" by {number(abs(estimate))}{' ' + indicator.unit if indicator.unit else ''}"
            )
            return f"{indicator.name}: on average, scores for {people} {direction}{amount}{detail}"
        if indicator.kind == "median":
            return (
                f"{indicator.name}: the middle value for {people} was {self._value(indicator, estimate)} "
                f"(half were above, half below){detail}"
            )
        return f"{indicator.name}: on average {self._value(indicator, estimate)} for {people}{detail}"

    def _target(self, indicator: Indicator, goal: float, f: dict[str, Any]) -> str:
        target = self._value(indicator, goal) if indicator.kind != "change" else number(goal)
        low, high = f["ci_low"], f["ci_high"]
        if low is not None and high is not None and low <= goal <= high:
            side = "above" if f["meets_target"] else "below"
            return (
                f"just {side} the target of {target}, but the likely range includes it, so we cannot be sure"
            )
        return (
            f"which meets the target of {target}"
            if f["meets_target"]
            else f"which is short of the target of {target}"
        )

    def _comparison(self, indicator: Indicator, c: Any) -> tuple[str, bool]:
        share = indicator.kind in PROPORTION_KINDS
        unit = " percentage points" if share else (f" {indicator.unit}" if indicator.unit else "")

        def amount(value: float) -> str:
            return f"{value * 100:.0f}" if share else number(value)

        size = f"{amount(abs(c.difference))}{unit}"
        likely = ""
        if c.versus == "group" and c.ci_low is not None and c.ci_high is not None:
            likely = f"probably between {amount(c.ci_low)} and {amount(c.ci_high)}{unit}; {c.method}"
        if c.distinguishable:
            way = "higher" if c.difference > 0 else "lower"
            return f"{way} than {c.versus_label} by about {size}" + (f" ({likely})" if likely else ""), True
        detail = f"difference about {size}" + (f", {likely}" if likely else "")
        return f"the data cannot tell this apart from {c.versus_label} ({detail})", False
