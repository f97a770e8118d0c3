"""Minimisation hints for a draft agreement: where it could ask for less, or for less detail.

Why hints and not rules: only the people co-designing the agreement know whether an exact date is needed;
the workbench points at what *could* be less identifying and says why. From the contract alone:
- an exact date where a month would do (``coarsen`` it);
- free text, or text with no agreed categories, where categories could be agreed;
- a field no success measure uses (DHIS2's rule: data not used should probably not be collected), given
  the fields the programme's measures use.
Combinations of quasi-identifiers whose smallest groups fall under k on sample data are found by
:mod:`dpup_eval.intake.minimisation_data` (it needs the data), as the same `Hint`.

A hint names fields and counts, never a value from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

from dpup_eval.agreement.contract import Contract

__all__ = ["Hint", "contract_hints"]

#: Roles a measure is not expected to use: references link records, periods split findings.
NOT_FOR_MEASURES = ("pseudonymous_key", "period")


@dataclass(frozen=True)
class Hint:
    """One thing that could be less identifying: a stable ``kind``, the purpose and fields, and the words."""

    kind: str
    purpose: str
    fields: tuple[str, ...]
    text: str


def contract_hints(contract: Contract, used: set[str] | None = None) -> list[Hint]:
    """Hints from the contract alone; with ``used`` (fields the measures use), the fields no measure uses."""
    p = contract.purpose
    out: list[Hint] = []
    for f in contract.fields:
        if f.logical_type == "date":
            out.append(Hint("exact-date", p, (f.name,), f"{f.plain_name} is an exact date: would the month (or the "
                                                        "quarter) do? Propose to coarsen it."))
        if f.is_free_text:
            out.append(Hint("free-text", p, (f.name,), f"{f.plain_name} is free text: people's own words can say who "
                                                       "they are. If the answers fall into a few kinds, agree "
                                                       "categories instead."))
        elif (f.logical_type == "string" and not f.allowed and not f.pattern and f.role != "pseudonymous_key"):
            out.append(Hint("no-categories", p, (f.name,), f"{f.plain_name} is text with no agreed categories: "
                                                           "agree the categories it may hold."))
        if used is not None and f.name not in used and f.role not in NOT_FOR_MEASURES:
            out.append(Hint("not-used", p, (f.name,), f"{f.plain_name} is not used by any measure: is it needed?"))
    return out
