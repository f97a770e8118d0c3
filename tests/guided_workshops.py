"""Workshops as the guided form can make them, for the attacker tests.

A workshop publishes: each measure's result on the Success measures page, every level someone tries on a
slider, every proposal's live preview (all for everyone, over all periods), and then the Findings page
(every agreed measure, with the proposals as alternative definitions, by quarter and by group). The
proposals are built the way :class:`~dpup_eval.workshop.widgets_propose.ProposalForm` builds them: a
success option from :func:`~dpup_eval.workshop.measure_options.measure_options` (ticked answers, or a
level on the option's slider steps), "who is included" tick boxes from
:func:`~dpup_eval.workshop.measure_options.group_choices` (all ticked means no filter), and the measure's
other filters kept as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from dpup_eval.agreement.contract import Contract
from dpup_eval.findings.evaluation import evaluate
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import Definition, Filter, Indicator, IndicatorSet
from dpup_eval.workshop.measure_options import MeasureOption, group_choices, measure_options, options_for_kind


@dataclass
class Workshop:
    """What one workshop tried (slider levels, proposals) and what it agreed."""

    slider: list[tuple[str, str, float]] = field(default_factory=list)  # indicator, definition, level
    proposals: list[Indicator] = field(default_factory=list)  # one definition each, as previewed
    agreed: list[Indicator] = field(default_factory=list)  # for the Findings page


def _level(draw: Any, option: MeasureOption) -> float:
    steps = round((option.high - option.low) / option.step)
    return round(option.low + draw(st.integers(0, steps)) * option.step, 6)


def _include(draw: Any, contract: Contract, indicator: Indicator) -> list[dict[str, Any]]:
    groups = {g.field: g for g in group_choices(contract)}
    first = indicator.definitions[0]
    kept = [f for f in first.include if not (f.field in groups and f.op in ("eq", "in"))]
    ticked = {f.field: (f.value if isinstance(f.value, list) else [f.value]) for f in first.include if f not in kept}
    include = [f.model_dump(mode="json") for f in kept]
    for name, choice in groups.items():
        values = [v for _, v in choice.values]
        start = ticked.get(name, values)
        if draw(st.booleans()):  # leave the boxes as they were
            chosen = [v for v in values if v in start]
        else:
            chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=len(values), unique=True))
        if len(chosen) < len(values):
            include.append(Filter(field=name, op="in", value=sorted(chosen, key=values.index)).model_dump(mode="json"))
    return include


@st.composite
def guided_workshop(draw: Any, contract: Contract, indicators: IndicatorSet, proposals: int = 3) -> Workshop:
    """A random workshop: slider tries, proposals through the guided form, and what was agreed."""
    options = measure_options(contract, indicators)
    workshop = Workshop()
    for indicator in indicators.indicators:
        for d in indicator.definitions:
            option = next((o for o in options_for_kind(options, indicator.kind)
                           if o.style != "category" and o.matches(d)), None)  # fmt: skip
            if option is not None and d.threshold is not None:
                for _ in range(draw(st.integers(0, 3))):
                    workshop.slider.append((indicator.id, d.id, _level(draw, option)))
    for number in range(draw(st.integers(1, proposals))):
        indicator = draw(st.sampled_from(indicators.indicators))
        allowed = options_for_kind(options, indicator.kind)
        body: dict[str, Any] = {"id": f"p{number}", "label": f"Proposal {number}", "proposed_by": "a participant",
                                "include": _include(draw, contract, indicator)}  # fmt: skip
        if allowed:
            option = draw(st.sampled_from(allowed))
            values = [v for _, v in option.values]
            ticks = draw(st.lists(st.sampled_from(values), min_size=1, unique=True)) if values else []
            level = _level(draw, option) if option.style != "category" else None
            body.update(option.definition_fields(level, ticks))
        else:  # a statistic: what is measured stays as written
            body.update(indicator.definitions[0].model_dump(mode="json", include={"field", "per", "pre", "post"}))
        definition = Definition.model_validate(body)
        workshop.proposals.append(indicator.model_copy(update={"definitions": [definition]}))
    for indicator in indicators.indicators:
        mine = [p.definitions[0] for p in workshop.proposals if p.id == indicator.id]
        if mine and draw(st.booleans()):
            workshop.agreed.append(indicator.model_copy(update={"definitions": [*indicator.definitions, *mine]}))
        else:
            workshop.agreed.append(indicator)
    return workshop


def publish_workshop(
    data: pd.DataFrame, contract: Contract, indicators: IndicatorSet, workshop: Workshop, guard: DisclosureGuard,
    period: str = "enrolment_quarter",
) -> int:  # fmt: skip
    """Evaluate and record everything the workshop's pages would show; returns the number of releases."""
    releases = 0

    def show(findings: Any, channel: str) -> None:
        nonlocal releases
        guard.record(findings, channel, workshop="Simulated workshop")
        releases += 1

    for indicator in indicators.indicators:  # the Success measures page: every card
        for d in indicator.definitions:
            one = indicator.model_copy(update={"definitions": [d]})
            show(evaluate(data, one, by=[], contract=contract, guard=guard), "Success measures page")
    for indicator_id, definition_id, level in workshop.slider:
        moved = indicators.indicator(indicator_id).with_threshold(definition_id, level)
        moved = moved.model_copy(update={"definitions": [moved.definition(definition_id)]})
        show(evaluate(data, moved, by=[], contract=contract, guard=guard), "Success measures page (slider)")
    for proposal in workshop.proposals:
        show(evaluate(data, proposal, by=[], contract=contract, guard=guard), "Success measures page (preview)")
    show(evaluate(data, workshop.agreed, period=period, contract=contract, guard=guard), "Findings page")
    return releases
