"""Which success measures use which fields: DHIS2's rule that data no measure uses should probably not be collected.

A field counts as used by an indicator when any of its definitions measures it (``field``, ``per``,
``pre``, ``post``), includes or counts success by it (filters), or the indicator groups or compares by it.
"""

from __future__ import annotations

from dpup_eval.agreement.programme import Programme
from dpup_eval.errors import DpupEvalError
from dpup_eval.findings.indicators import Indicator, IndicatorSet, load_indicators

__all__ = ["field_uses", "indicator_fields", "programme_field_uses"]


def indicator_fields(indicator: Indicator) -> set[str]:
    """Every field the indicator reads, in any of its definitions, groupings or comparisons."""
    used = set(indicator.groupings) | {c.field for c in indicator.compare}
    for definition in indicator.definitions:
        used |= set(definition.measure_fields)
        used |= {f.field for f in [*definition.include, *(definition.success or [])]}
    return used


def field_uses(indicators: IndicatorSet | None) -> dict[str, list[str]]:
    """Field name -> the names of the indicators that use it (fields no indicator uses are absent)."""
    out: dict[str, list[str]] = {}
    for indicator in indicators.indicators if indicators else []:
        for name in sorted(indicator_fields(indicator)):
            out.setdefault(name, []).append(indicator.name)
    return out


def programme_field_uses(programme: Programme) -> dict[str, dict[str, list[str]]]:
    """Purpose -> field -> names of the measures using it, for each purpose whose indicators are settled.

    A purpose with no indicators file, or one still being settled (TODOs, errors), is left out: nothing
    can be said about which of its fields are used, rather than something wrong.
    """
    out: dict[str, dict[str, list[str]]] = {}
    for purpose in programme.indicator_files:
        try:
            out[purpose] = field_uses(load_indicators(programme.indicators_file(purpose)))
        except (DpupEvalError, OSError, ValueError):  # an unsettled file: no claim about use
            continue
    return out
