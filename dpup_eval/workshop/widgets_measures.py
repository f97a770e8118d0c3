"""The measures on the table, each with its live result on today's data (disclosure control applied).

One card per measure: what it tells us, a choice between its definitions (each labelled with who
proposed it), the result in a sentence, and, where a definition has a threshold, a slider to try
another one. Moving the slider recomputes the finding in the kernel and shows the new sentence; the
browser only ever receives the sentence. "Suggest this" puts the tried threshold on the table.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from dpup_eval.findings.evaluation import Finding
from dpup_eval.findings.indicators import Definition, Indicator
from dpup_eval.findings.wording import (
    percent,
    published_step,
    show_value,
    target_mark,
    target_position,
    with_unit,
)
from dpup_eval.workshop.measure_options import MeasureOption, measure_options
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import Message, button, text_html

__all__ = ["MeasureCard", "MeasuresBoard", "result_text"]


def result_text(finding: Finding) -> str:
    """A finding as the board shows it: the sentence, and the value against the target in words."""
    if finding.suppressed:
        return finding.sentence
    value = show_value(finding.kind, finding.unit, finding.estimate)
    if finding.target is None or finding.estimate is None:
        return f"{finding.sentence} [Result: {value}]"
    step = published_step(finding.kind, finding.precision)
    position = target_position(finding.estimate, finding.target, finding.ci_low, finding.ci_high, step)
    return f"{finding.sentence} [Result: {value}, {target_mark(position, finding.direction)}]"


class MeasureCard(w.VBox):
    """One measure: pick a definition, see its result, try another threshold, suggest it."""

    def __init__(
        self, session: WorkshopSession, indicator: Indicator, on_proposed: Any = None, **kwargs: Any
    ) -> None:
        self.session = session
        self.indicator = indicator
        self.on_proposed = on_proposed
        self.header = w.HTML(text_html(("h3", indicator.name), ("p", indicator.what_it_tells_us)))
        self.choice = w.Dropdown(
            options=[(f"{d.label} (proposed by {d.proposed_by})", d.id) for d in indicator.definitions],
            description=f"Definition of “{indicator.name}”", style={"description_width": "initial"},
        )  # fmt: skip
        self.threshold = w.FloatSlider(
            description=f"Try another level for “{indicator.name}”", style={"description_width": "initial"},
            continuous_update=False,
        )  # fmt: skip
        self.level = w.HTML()  # the slider's level in words, with its unit (the slider shows no bare number)
        self.result = w.HTML()
        self.suggest = button("Suggest this level")
        self.message = Message()
        self.choice.observe(self.on_choice, "value")
        self.threshold.observe(self.on_threshold, "value")
        self.suggest.on_click(self.on_suggest)
        super().__init__(
            [self.header, self.choice, self.threshold, self.level, self.result, self.suggest, self.message], **kwargs
        )
        self.add_class("dpup-card")
        self.on_choice()

    @property
    def definition(self) -> Definition:
        return self.indicator.definition(self.choice.value)

    def _option(self, d: Definition) -> MeasureOption | None:
        options = measure_options(self.session.contract, self.session.indicators)
        return next((o for o in options if o.style != "category" and o.matches(d)), None)

    def _slider_range(self, d: Definition) -> tuple[float, float, float, str]:
        o = self._option(d)
        if o is not None:
            return o.low, o.high, o.step, ".0%" if o.style == "ratio" else ".0f"
        return 0.0, max(10.0, (d.threshold or 0) * 2), 1.0, ".0f"

    def level_words(self) -> str:
        """The level being tried, in words with its unit: 'at least 75%', 'went up by at least 1 point'."""
        value = float(self.threshold.value)
        o = self._option(self.definition)
        if o is not None:
            return o.threshold_words(value)
        if self.threshold.readout_format == ".0%":
            return f"at least {value * 100:.0f}%"
        return "at least " + with_unit(f"{value:g}", self.indicator.unit)

    def on_choice(self, _: object = None) -> None:
        d = self.definition
        has_threshold = d.threshold is not None
        self.threshold.layout.display = None if has_threshold else "none"
        self.suggest.layout.display = "none"
        if has_threshold:
            low, high, step, fmt = self._slider_range(d)
            # widen first, then narrow: min may never pass max on the way
            self.threshold.min, self.threshold.max = (
                min(low, self.threshold.min),
                max(high, self.threshold.max),
            )
            self.threshold.min, self.threshold.max, self.threshold.step = low, high, step
            self.threshold.readout_format = fmt
            self.threshold.readout = fmt == ".0%"  # a share reads as one; points and counts go in words
            if self.threshold.value == d.threshold:
                self.show()
            self.threshold.value = d.threshold
        else:
            self.show()

    def on_threshold(self, _: object = None) -> None:
        self.suggest.layout.display = None if self.threshold.value != self.definition.threshold else "none"
        self.show()

    def current_indicator(self) -> Indicator:
        d = self.definition
        chosen = self.indicator.model_copy(update={"definitions": [d]})
        if d.threshold is not None and self.threshold.value != d.threshold:
            chosen = chosen.with_threshold(d.id, float(self.threshold.value))
        return chosen

    def show(self) -> None:
        has_threshold = self.definition.threshold is not None
        self.level.value = text_html(("p", f"Counts as success: {self.level_words()}")) if has_threshold else ""
        findings = self.session.evaluate_overall(self.current_indicator())
        text = result_text(findings.findings[0]) if findings.findings else "No result."
        self.result.value = text_html(("p", text), cls="dpup-result")

    def on_suggest(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            d = self.current_indicator().definitions[0]
            if d.threshold is None:  # the slider sets a level; a measure without one has none to suggest
                raise ValueError("this measure has no level to move.")
            level = (
                percent(d.threshold) if self.threshold.readout_format == ".0%" else f"{d.threshold:g}"
            )
            label = f"{d.label}, with the level at {level}"
            who = f"{participant.display_name}"
            body = {
                "definition": {
                    **d.model_dump(mode="json", exclude_none=True),
                    "label": label,
                    "proposed_by": who,
                }
            }
            self.session.store.propose(
                self.session.workshop.id, participant.id, indicator_id=self.indicator.id, label=label,
                definition=body, reason="",
            )  # fmt: skip
            if self.on_proposed is not None:
                self.on_proposed()
            return f"'{label}' is on the table."

        self.message.attempt(action)


class MeasuresBoard(w.VBox):
    """Every measure in the indicators file, as cards."""

    children: Any  # the widget's trait (ipywidgets is untyped): annotation only, no class attribute

    def __init__(self, session: WorkshopSession, on_proposed: Any = None, **kwargs: Any) -> None:
        self.cards = [MeasureCard(session, i, on_proposed=on_proposed) for i in session.indicators.indicators]
        super().__init__(self.cards, **kwargs)

    def follow(self, measure_id: str | None) -> None:
        """The measure the room is on comes first, marked; the others keep their order after it."""
        ordered = sorted(self.cards, key=lambda c: c.indicator.id != measure_id)
        for c in self.cards:
            (c.add_class if c.indicator.id == measure_id else c.remove_class)("dpup-current")
        if list(self.children) != ordered:
            self.children = ordered

    def card(self, indicator_id: str) -> MeasureCard:
        return next(c for c in self.cards if c.indicator.id == indicator_id)
