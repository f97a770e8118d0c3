"""What the room agreed: the facilitator records a decision, who was present, and who disagreed and why.

Dissent is part of the record, not a footnote: the decisions list shows who disagreed next to what was
agreed, and the workshop report carries both.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from dpup_eval.workshop import Decision
from dpup_eval.workshop.code_limits import check_facilitator_code
from dpup_eval.workshop.session import WorkshopSession, measure_choices, new_measure_id
from dpup_eval.workshop.widgets_base import (
    Message,
    button,
    keep_ticked,
    set_options,
    text_html,
    ticked,
)

__all__ = ["DecisionForm", "DecisionsList", "decision_words"]

KEEP = "keep"


def decision_words(session: WorkshopSession, decision: Decision) -> list[str]:
    """A decision in sentences: what was agreed, who was there, who disagreed and why."""
    store, workshop_id = session.store, session.workshop.id
    names = {p.id: p.display_name for p in store.participants(workshop_id)}
    proposals = {p.id: p for p in store.proposals(workshop_id)}
    measure = _measure_name(session, decision.indicator_id, proposals)
    if decision.proposal_ids:
        chosen = "; ".join(
            f"suggestion {i} ({proposals[i].label})" for i in decision.proposal_ids if i in proposals
        )
        agreed = f"{measure}: agreed to use {chosen}."
    else:
        agreed = f"{measure}: agreed to keep it as written."
    present = ", ".join(names.get(i, "?") for i in decision.present)
    lines = [agreed, f"Present: {present}."]
    if decision.dissenters:
        lines.append("Disagreed: " + ", ".join(names.get(i, "?") for i in decision.dissenters) + ".")
    else:
        lines.append("Nobody recorded disagreement.")
    if decision.dissent.strip():
        lines.append(f"What was said against it: {decision.dissent}")
    return lines


def _measure_name(session: WorkshopSession, indicator_id: str, proposals: dict[int, Any]) -> str:
    try:
        return session.indicators.indicator(indicator_id).name
    except KeyError:
        for p in proposals.values():
            if p.indicator_id is None and new_measure_id(p.id) == indicator_id:
                return p.definition.get("indicator", {}).get("name", indicator_id)
    return indicator_id


class DecisionsList(w.HTML):
    """What the room has agreed so far, in sentences: read-only, for every page (the form shows it too)."""

    value: str  # the widget's trait (ipywidgets is untyped): annotation only, no class attribute

    def __init__(self, session: WorkshopSession, **kwargs: Any) -> None:
        self.session = session
        super().__init__(**kwargs)
        self.refresh()

    def refresh(self) -> None:
        decisions = self.session.store.decisions(self.session.workshop.id)
        lines = [
            ("p", line) for d in decisions for line in [*decision_words(self.session, d), ""] if line
        ] or [("p", "No decisions yet.")]
        value = text_html(*lines)
        if value != self.value:
            self.value = value


class DecisionForm(w.VBox):
    """For the facilitator: which measure, which definition(s), who was present, who disagreed."""

    def unlock(self, code: str) -> None:
        """The facilitator page checked the code already: keep it and hide the code box."""
        self.unlocked_with = code
        self.code.layout.display = "none"

    def __init__(self, session: WorkshopSession, on_decided: Any = None, **kwargs: Any) -> None:
        self.session = session
        self.on_decided = on_decided
        self.measure = w.Dropdown(
            description="Which measure was decided?", style={"description_width": "initial"}
        )
        self.choices = w.VBox()
        self.present = w.VBox()
        self.dissenters = w.VBox()
        self.dissent = w.Textarea(
            description="What those who disagreed said (in their words)",
            style={"description_width": "initial"},
        )
        self.code = w.Password(
            description="Facilitator code (only the facilitator records decisions)",
            style={"description_width": "initial"},
        )
        self.record = button("Record the decision", primary=True)
        self.message = Message()
        self.decisions = DecisionsList(session)
        self.measure.observe(self.on_measure, "value")
        self.record.on_click(self.on_record)
        self._participants: tuple[int, ...] = ()
        self._proposal_ids: tuple[int, ...] = ()
        self._choices_for: str | None = None
        self.unlocked_with = ""  # the facilitator page's code, once checked: no need to type it again
        super().__init__(
            [
                self.measure, w.HTML(text_html(("h3", "What was agreed"))), self.choices,
                w.HTML(text_html(("h3", "Who was present"))), self.present,
                w.HTML(text_html(("h3", "Who disagreed"))), self.dissenters, self.dissent, self.code, self.record,
                self.message, w.HTML(text_html(("h3", "Decisions so far"))), self.decisions,
            ],
            **kwargs,
        )  # fmt: skip
        self.refresh()

    def refresh(self) -> None:
        """Bring the lists up to date with the record (keeping what is already ticked)."""
        store, workshop_id = self.session.store, self.session.workshop.id
        proposals = store.proposals(workshop_id)
        options = measure_choices(self.session.indicators, proposals)
        if list(self.measure.options) != options:
            set_options(self.measure, options)
        if tuple(p.id for p in proposals) != self._proposal_ids:
            self._proposal_ids = tuple(p.id for p in proposals)
            self.on_measure()
        participants = store.participants(workshop_id)
        if tuple(p.id for p in participants) != self._participants:
            self._participants = tuple(p.id for p in participants)
            people = [(p.display_name, p.id) for p in participants]
            keep_ticked(self.present, people, value=True)
            keep_ticked(self.dissenters, people, value=False)
        self.decisions.refresh()

    def on_measure(self, _: object = None) -> None:
        measure = self.measure.value
        proposals = self.session.store.proposals(self.session.workshop.id)
        related = [
            p
            for p in proposals
            if p.indicator_id == measure or (p.indicator_id is None and new_measure_id(p.id) == measure)
        ]
        options: list[tuple[str, str | int]] = (
            [] if measure is None or measure.startswith("new-") else [("Keep it as written", KEEP)]
        )
        options += [(f"Suggestion {p.id}: {p.label}", p.id) for p in related]
        if measure != self._choices_for:  # another measure: its own choices, none ticked
            self._choices_for = measure
            self.choices.children = ()
        keep_ticked(self.choices, options, value=False)  # a new suggestion keeps what is ticked

    def on_record(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            chosen = ticked(self.choices.children)
            if not chosen:
                raise ValueError("tick what was agreed (keep it as written, or one or more suggestions).")
            if KEEP in chosen and len(chosen) > 1:
                raise ValueError("tick either 'Keep it as written' or suggestions, not both.")
            typed = self.code.value.strip() or self.unlocked_with
            if not check_facilitator_code(typed, self.session.facilitator_code):  # limited per device
                raise ValueError(
                    "only the facilitator records decisions: type the facilitator code "
                    "(shown when the workshop started)."
                )
            self.session.store.decide(
                self.session.workshop.id, indicator_id=self.measure.value,
                proposal_ids=[c for c in chosen if c != KEEP], present=ticked(self.present.children),
                dissent=self.dissent.value, dissenters=ticked(self.dissenters.children), recorded_by=participant.id,
            )  # fmt: skip
            self.dissent.value = ""
            self.code.value = ""
            self.refresh()
            if self.on_decided is not None:
                self.on_decided()
            return "the decision is recorded."

        self.message.attempt(action)
