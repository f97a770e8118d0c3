"""The guided form for proposing a success measure: no code, no field names, a live result as you go.

Four questions in plain words, built from the agreement: which measure (one on the table, or a new
one), what counts as success, who is included, and the target. The result of the proposal on today's
data (disclosure control applied) updates as the answers change, so the room can see what a
definition would say before it is put on the table.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
import traitlets

from dpup_eval.findings.indicators import Definition, Filter, Indicator, IndicatorError, validate_indicators
from dpup_eval.workshop.measure_options import (
    GroupChoice,
    MeasureOption,
    group_choices,
    measure_options,
    option_for,
    options_for_kind,
)
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import (
    Message,
    button,
    checkboxes,
    set_options,
    text_html,
    ticked,
)
from dpup_eval.workshop.widgets_success import LEAVE_OUT, SUCCESS, SuccessChoice

__all__ = ["NEW", "ProposalForm"]

NEW = "__new__"
_WIDE = {"description_width": "initial"}


def _percent_slider(description: str, value: float) -> w.FloatSlider:
    return w.FloatSlider(
        value=value, min=0.0, max=1.0, step=0.05, description=description, readout_format=".0%",
        style=_WIDE, continuous_update=False,
    )  # fmt: skip


class ProposalForm(w.VBox):
    """Propose a definition; ``proposed`` counts proposals made here (other panels may watch it)."""

    proposed = traitlets.Int(0)

    def __init__(self, session: WorkshopSession, on_proposed: Any = None, **kwargs: Any) -> None:
        self.session = session
        self.on_proposed = on_proposed
        self.options = measure_options(session.contract, session.indicators)
        self.groups: list[GroupChoice] = group_choices(session.contract)
        self.measure = w.Dropdown(
            options=[(i.name, i.id) for i in session.indicators.indicators] + [("A new measure", NEW)],
            description="1. Which measure is this about?", style=_WIDE,
        )  # fmt: skip
        self.new_name = w.Text(
            description="Name of the new measure", placeholder="e.g. Tamariki kept coming", style=_WIDE
        )
        self.success = w.Dropdown(description="2. What counts as success?", style=_WIDE)
        self.success_values = w.VBox()
        self.choice: SuccessChoice | None = None  # one answer per value, for a success that is a value
        self.threshold = w.FloatSlider(description="Success is", style=_WIDE, continuous_update=False)
        self.threshold_words = w.HTML()
        self.fixed_measure = w.HTML()
        self.group_boxes = {g.field: checkboxes(g.values) for g in self.groups}
        self.group_sections = {
            g.field: w.VBox([w.HTML(text_html(("h3", g.words))), *self.group_boxes[g.field]],
                            layout=w.Layout(min_width="14em"))
            for g in self.groups
        }  # fmt: skip
        include = list(self.group_sections.values())
        self.kept_filters = w.HTML()
        self.target = _percent_slider("4. Target: the share we hope for", 0.6)
        self.label = w.Text(
            description="A short name for your suggestion",
            placeholder="e.g. Counting families who moved",
            style=_WIDE,
        )
        self.reason = w.Textarea(description="Why do you suggest it? (optional)", style=_WIDE)
        self.preview = w.HTML()
        self.submit = button("Put my suggestion on the table", primary=True)
        self.message = Message()
        self._kept: list[Filter] = []
        self._indicator: Indicator | None = None
        self.measure.observe(self.on_measure, "value")
        self.success.observe(self.on_success, "value")
        for widget in (self.threshold, self.target):
            widget.observe(self.update_preview, "value")
        for boxes in self.group_boxes.values():
            for box in boxes:
                box.observe(self.update_preview, "value")
        self.submit.on_click(self.on_submit)
        super().__init__(
            [
                self.measure, self.new_name, self.success, self.fixed_measure, self.success_values,
                self.threshold, self.threshold_words,
                w.HTML(text_html(("h3", "3. Who is included? (untick anyone to leave out)"))),
                w.HBox(include, layout=w.Layout(flex_flow="row wrap", gap="12px")), self.kept_filters,
                self.target, self.label, self.reason, w.HTML(text_html(("h3", "What it says on today's data"))),
                self.preview, self.submit, self.message,
            ],
            **kwargs,
        )  # fmt: skip
        self.on_measure()

    # --- the answers ----------------------------------------------------------------------------------

    @property
    def option(self) -> MeasureOption | None:
        return next((o for o in self.options if o.key == self.success.value), None)

    def on_measure(self, _: object = None) -> None:
        """Offer the success options that suit the chosen measure, pre-filled from its first definition."""
        is_new = self.measure.value == NEW
        self.new_name.layout.display = None if is_new else "none"
        indicator = None if is_new else self.session.indicators.indicator(self.measure.value)
        self._indicator = indicator
        allowed = self.options if indicator is None else options_for_kind(self.options, indicator.kind)
        set_options(self.success, [(o.words, o.key) for o in allowed])
        self.success.layout.display = None if allowed else "none"
        first = None if indicator is None else indicator.definitions[0]
        self.fixed_measure.value = (
            text_html(("p", f"2. What is measured stays as agreed: {first.label}."))
            if first is not None and not allowed else ""
        )  # fmt: skip
        current = None if indicator is None else option_for(self.options, indicator)
        self.success.value = current.key if current else (allowed[0].key if allowed else None)
        self._prefill_groups(first.include if first else [])
        target = None if indicator is None else indicator.target
        percent = indicator is None or indicator.kind in ("proportion", "improved")
        self.target.layout.display = None if percent else "none"
        if percent:
            self.target.value = target if target is not None else 0.6
        self.on_success(
            threshold=first.threshold if first else None, success=first.success if first else None
        )

    def _prefill_groups(self, include: list[Filter]) -> None:
        self._kept = []
        for boxes in self.group_boxes.values():
            for box in boxes:
                box.value = True
        for item in include:
            field_boxes = self.group_boxes.get(item.field)
            if field_boxes is not None and item.op in ("eq", "in"):
                wanted = item.value if isinstance(item.value, list) else [item.value]
                for box in field_boxes:
                    box.value = box.key in wanted
            else:
                self._kept.append(item)
        words = "; ".join(f.describe(self.session.contract) for f in self._kept)
        self.kept_filters.value = text_html(("p", f"Also kept as written: {words}.")) if words else ""

    def on_success(
        self, _: object = None, *, threshold: float | None = None, success: list[Filter] | None = None
    ) -> None:
        option = self.option
        style = option.style if option else None
        self.threshold.layout.display = None if style in ("ratio", "number", "change") else "none"
        self.threshold_words.layout.display = self.threshold.layout.display
        # A bare number on a slider means nothing: only a share reads as one (75%); points and counts
        # are said in words under the slider ("went up by at least 2 points").
        self.threshold.readout = style == "ratio"
        if option is not None and style != "category":
            self.threshold.min, self.threshold.max = (
                min(option.low, self.threshold.min),
                max(option.high, self.threshold.max),
            )
            self.threshold.min, self.threshold.max, self.threshold.step = option.low, option.high, option.step
            self.threshold.readout_format = ".0%" if style == "ratio" else ".0f"
            default = (
                option.low + (option.high - option.low) / 2
                if style == "ratio"
                else (2.0 if style == "change" else option.low + 1)
            )
            self.threshold.value = threshold if threshold is not None else default
        ticked_values: list[Any] = []
        if success:
            value = success[0].value
            ticked_values = value if isinstance(value, list) else [value]
        self.choice = None
        shared = option.field if option is not None and style == "category" and option.field in self.group_boxes else None
        if option is not None and style == "category":
            boxes = self.group_boxes.get(option.field or "", [])
            self.choice = SuccessChoice(
                option.values, success=ticked_values, left_out=[b.key for b in boxes if not b.value],
                can_leave_out=shared is not None,
            )  # fmt: skip
            self.choice.observe_rows(self._on_success_rows)
        self.success_values.children = [self.choice] if self.choice is not None else []
        for field, section in self.group_sections.items():  # one question per field, never two
            section.layout.display = "none" if field == shared else None
        self.update_preview()

    def _on_success_rows(self, _: object = None) -> None:
        """"Leave them out" on a success answer is the same as unticking that value under who is included."""
        option = self.option
        if self.choice is not None and option is not None and option.field in self.group_boxes:
            out = self.choice.answered(LEAVE_OUT)
            for box in self.group_boxes[option.field]:
                box.value = box.key not in out
        self.update_preview()

    def _success_keys(self) -> list[Any]:
        return self.choice.answered(SUCCESS) if self.choice is not None else []

    # --- building and checking the definition ---------------------------------------------------------

    def definition(self) -> dict[str, Any]:
        """The proposal as stored: ``definition`` (+ ``indicator`` for a new measure, ``target``)."""
        is_new = self.measure.value == NEW
        if is_new and not self.new_name.value.strip():
            raise ValueError("give the new measure a name.")
        participant = self.session.participant
        who = (
            f"{participant.display_name} ({self.session.role_name(participant.role).split(' (')[0].lower()})"
            if participant
            else "a participant"
        )
        label = self.label.value.strip() or (
            self.new_name.value.strip() if is_new else self._default_label()
        )  # a new measure's card goes by the name it was given
        include = [f.model_dump(mode="json") for f in self._kept]
        for field, boxes in self.group_boxes.items():
            chosen = ticked(boxes)
            if not chosen:
                raise ValueError(
                    f"tick at least one box under '{self.session.contract.field(field).plain_name}'."
                )
            if len(chosen) < len(boxes):
                include.append(Filter(field=field, op="in", value=chosen).model_dump(mode="json"))
        option = self.option
        if option is not None:
            measure = option.definition_fields(self.threshold.value, self._success_keys())
        elif self._indicator is not None:  # a statistic: what is measured stays as written
            first = self._indicator.definitions[0]
            measure = first.model_dump(mode="json", include={"field", "per", "pre", "post"})
        else:  # a new measure with no success option to choose (the agreement offers none)
            raise ValueError("choose what counts as success.")
        body: dict[str, Any] = {
            "definition": {
                "id": "proposal",
                "label": label,
                "proposed_by": who,
                **measure,
                "include": include,
            }
        }
        phrase = self._phrase(measure)
        if phrase:
            body["definition"]["phrase"] = phrase
        if self.measure.value == NEW:
            name = self.new_name.value.strip()
            body["indicator"] = {
                "name": name, "what_it_tells_us": self.reason.value.strip() or name, "people": "people",
                "kind": option.kind if option else "proportion", "target": round(self.target.value, 2), "direction": "higher",
                "groupings": list(self._default_groupings()),
            }  # fmt: skip
        elif self.target.layout.display != "none":
            body["target"] = round(self.target.value, 2)
        return body

    def _phrase(self, measure: dict[str, Any]) -> str | None:
        """What success is, for the result's sentence: a new measure by its name; a change to who is
        included keeps the measure's own words ("finished the programme"); else the label is used."""
        if self.measure.value == NEW:
            return f"counted as success for “{self.new_name.value.strip()}”"
        first = self._indicator.definitions[0] if self._indicator is not None else None
        if first is None or not first.phrase:
            return None
        keys = ("success", "field", "per", "pre", "post", "threshold")
        same = first.model_dump(mode="json", include=set(keys), exclude_none=True) == {
            k: v for k, v in measure.items() if k in keys and v is not None
        }
        return first.phrase if same else None

    def _default_label(self) -> str:
        option = self.option
        if option is None:
            return "Who is included, changed"
        if option.style == "category":
            chosen = [lbl for lbl, v in option.values if v in self._success_keys()]
            return f"{option.words}: {' or '.join(chosen) or '(nothing counts as success yet)'}"
        words = option.threshold_words(self.threshold.value)
        return words[:1].upper() + words[1:] if option.style == "number" else f"{option.words}: {words}"

    def _default_groupings(self) -> list[str]:
        period = self.session.period
        base = self.session.indicators.indicators[0].groupings if self.session.indicators.indicators else []
        return [g for g in base if g != period]

    def indicator(self) -> Indicator:
        """The proposal as an indicator, checked against the agreement (raises ValueError to show)."""
        body = self.definition()
        definition = Definition.model_validate(body["definition"])
        if "indicator" in body:
            indicator = Indicator.model_validate(
                {**body["indicator"], "id": "proposal", "definitions": [definition]}
            )
        elif self._indicator is None:  # set whenever a measure other than a new one is chosen
            raise ValueError("choose a measure.")
        else:
            indicator = self._indicator.model_copy(update={"definitions": [definition]})
            if "target" in body:
                indicator = indicator.model_copy(update={"target": body["target"]})
        try:
            validate_indicators(indicator, self.session.contract)
        except IndicatorError as error:
            raise ValueError("; ".join(issue.message for issue in error.issues)) from None
        return indicator

    def update_preview(self, _: object = None) -> None:
        option = self.option
        if option is not None and option.style != "category":
            self.threshold_words.value = text_html(
                ("p", f"Counts as success: {option.threshold_words(self.threshold.value)}")
            )
        try:
            findings = self.session.evaluate_overall(self.indicator())
            sentence = findings.findings[0].sentence if findings.findings else "No result."
        except ValueError as error:
            sentence = f"Not ready yet: {error}"
        self.preview.value = text_html(("p", sentence), cls="dpup-result")

    def on_submit(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            self.indicator()  # checked before it goes on the table
            body = self.definition()
            proposal = self.session.store.propose(
                self.session.workshop.id, participant.id,
                indicator_id=None if self.measure.value == NEW else self.measure.value,
                label=body["definition"]["label"], definition=body, reason=self.reason.value,
            )  # fmt: skip
            self.proposed += 1
            self.label.value = ""
            self.reason.value = ""
            if self.on_proposed is not None:
                self.on_proposed()
            return f"your suggestion '{proposal.label}' is on the table."

        self.message.attempt(action)
