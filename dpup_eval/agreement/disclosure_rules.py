"""The disclosure rules an agreement publishes findings under, and the one check that they only tighten.

The Stats NZ microdata output rules (as the Social Wellbeing Agency applies them) are the floor: counts
randomly rounded to base 3, counts under 6 suppressed, a mean or sum from at least 20 people. A contract's
``disclosureControl`` custom property may make them stricter, never looser; every place that derives
rules (a contract, an indicator, a caller) goes through :class:`DisclosureRules`, so that check lives here
once. Applying the rules to numbers is :mod:`dpup_eval.findings.disclosure`.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, cast

from dpup_eval.errors import DpupEvalError

__all__ = ["DisclosureRules", "LooserRuleError"]

# Contract field names (ODCS customProperty ``disclosureControl``) and the dataclass fields they set.
_CONTRACT_FIELDS = {
    "roundingBase": "rounding_base",
    "minimumCount": "minimum_count",
    "minimumForMean": "minimum_for_mean",
}


class LooserRuleError(DpupEvalError, ValueError):
    """A disclosure rule was set looser than the default or than the rules it was derived from."""


@dataclass(frozen=True)
class DisclosureRules:
    """The disclosure rules a finding is published under; each can only be made stricter.

    ``rounding_base``: counts are randomly rounded to a multiple of this (larger is stricter).
    ``minimum_count``: a count cell resting on fewer people is suppressed.
    ``minimum_for_mean``: a mean, median or sum needs at least this many contributing people.
    """

    rounding_base: int = 3
    minimum_count: int = 6
    minimum_for_mean: int = 20

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            # numbers.Integral takes numpy's integers too, without importing numpy for every contract.
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise ValueError(f"{item.name} must be a whole number, got {value!r}")
            _refuse_looser(item.name, int(value), cast(int, item.default), "the default")  # every default is an int

    @classmethod
    def from_mapping(cls, value: Mapping[str, Any] | None) -> DisclosureRules:
        """Rules from a contract's ``disclosureControl`` custom property; missing fields keep defaults.

        Unknown keys are an error, so a misspelt ``minimumcount: 10`` cannot silently leave the
        default in force while the agreement's readers believe it is 10.
        """
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            raise ValueError(f"disclosureControl must be a mapping, got {type(value).__name__}")
        unknown = sorted(set(value) - set(_CONTRACT_FIELDS))
        if unknown:
            raise ValueError(
                f"disclosureControl has unknown field(s) {', '.join(unknown)}; "
                f"expected {', '.join(_CONTRACT_FIELDS)}"
            )
        defaults = cls()
        changes: dict[str, int] = {}
        for contract_name, field_name in _CONTRACT_FIELDS.items():
            if contract_name not in value:
                continue
            given = value[contract_name]
            if isinstance(given, bool) or not isinstance(given, int):
                raise ValueError(f"{contract_name} must be a whole number, got {given!r}")
            _refuse_looser(contract_name, given, getattr(defaults, field_name), "the default", "a contract")
            changes[field_name] = given
        return cls(**changes)

    def stricter(self, **changes: int) -> DisclosureRules:
        """A copy with some rules tightened; loosening any rule relative to these raises."""
        names = {item.name for item in fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ValueError(
                f"unknown disclosure rule(s) {', '.join(unknown)}; expected {', '.join(sorted(names))}"
            )
        for name, new in changes.items():
            if not isinstance(new, bool) and isinstance(new, int):  # other types: refused by __post_init__
                _refuse_looser(name, new, getattr(self, name), "the current")
        return replace(self, **changes)

    def no_looser_than(self, floor: DisclosureRules, floor_words: str) -> DisclosureRules:
        """These rules, after checking that none is looser than ``floor`` (e.g. the contract's)."""
        for item in fields(self):
            _refuse_looser(item.name, getattr(self, item.name), getattr(floor, item.name), floor_words)
        return self


def _refuse_looser(name: str, value: int, floor: int, floor_words: str, who: str = "") -> None:
    """The one strictness check: a rule below its floor (the default, the contract's) is refused."""
    if value < floor:
        may = f"{who} may only make disclosure rules stricter" if who else "disclosure rules may only be made stricter"
        raise LooserRuleError(f"{name} {value} is looser than {floor_words} {floor}; {may}")
