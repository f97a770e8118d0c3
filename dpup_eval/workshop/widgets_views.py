"""Suggestions on the table: what each one says, who suggested it, and everyone's views and comments.

New suggestions from other participants' pages appear through the :class:`~.widgets_base.Poller`
(:meth:`ProposalsList.refresh` fetches only proposals newer than the last one shown). Everything a
participant typed (label, reason, comments, names) is escaped before it is shown.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from dpup_eval.findings.indicators import Filter
from dpup_eval.findings.wording import percent
from dpup_eval.workshop import Proposal, View
from dpup_eval.workshop.measure_options import change_words
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import VIEW_SHORT, VIEW_WORDS, Message, button, text_html

__all__ = ["ProposalCard", "ProposalsList", "agreed_result", "definition_words", "suggestion_result"]


def suggestion_result(session: WorkshopSession, proposal: Proposal) -> str:
    """What a suggestion says on today's data, in words (disclosure control applied, as everywhere).

    Everyone sees this beside the suggestion, not only its proposer: a view is given knowing the result.
    """
    from dpup_eval.workshop.widgets_measures import result_text

    try:
        findings = session.evaluate_overall(session.proposal_indicator(proposal))
    except Exception as error:  # a suggestion the data cannot answer still shows, with why
        return f"no result on today's data ({str(error).strip()})."
    overall = findings.select(grouping="", period=None)
    return result_text(overall[0]) if overall else "no result on today's data."


def agreed_result(session: WorkshopSession, indicator_id: str | None) -> str | None:
    """The measure's result as it stands (its first definition), for beside a suggestion about it."""
    from dpup_eval.workshop.widgets_measures import result_text

    if indicator_id is None:
        return None
    try:
        indicator = session.indicators.indicator(indicator_id)
    except KeyError:
        return None
    overall = session.evaluate_overall(indicator).select(grouping="", period=None)
    return result_text(overall[0]) if overall else None


def definition_words(session: WorkshopSession, proposal: Proposal) -> list[str]:
    """The proposal's definition in plain sentences (plain names and labels from the agreement)."""
    body = proposal.definition.get("definition", {})
    contract = session.contract
    words = []
    if proposal.indicator_id is None:
        words.append(f"A new measure: {proposal.definition.get('indicator', {}).get('name', '')}.")
    else:
        try:
            words.append(f"About: {session.indicators.indicator(proposal.indicator_id).name}.")
        except KeyError:
            words.append(f"About: {proposal.indicator_id}.")
    include = [Filter.model_validate(f).describe(contract) for f in body.get("include", [])]
    words.append("Who is included: " + ("; ".join(include) if include else "everyone") + ".")
    success = [Filter.model_validate(f).describe(contract) for f in body.get("success") or []]
    if success:
        words.append("Counts as success: " + "; ".join(success) + ".")
    elif body.get("threshold") is not None:
        threshold = float(body["threshold"])
        if body.get("pre") and body.get("post"):
            name = (
                contract.field(body["post"]).plain_name if contract.has_field(body["post"]) else body["post"]
            )
            words.append(f"Counts as success: {name} {change_words(threshold)} from the start.")
        elif body.get("per"):
            words.append(
                f"Counts as success: {_plain(session, body['field'])} at least {percent(threshold)} of "
                f"{_plain(session, body['per']).lower()}."
            )
        elif body.get("field"):
            words.append(f"Counts as success: {_plain(session, body['field'])} at least {threshold:g}.")
    target = proposal.definition.get("target", proposal.definition.get("indicator", {}).get("target"))
    if target is not None:
        words.append(f"Target: {percent(float(target))}.")
    return words


def _plain(session: WorkshopSession, name: str) -> str:
    return session.contract.field(name).plain_name if session.contract.has_field(name) else name


class ProposalCard(w.VBox):
    """One suggestion, its views so far, and this participant's view + comment."""

    def __init__(
        self, session: WorkshopSession, proposal: Proposal, names: dict[int, Any], **kwargs: Any
    ) -> None:
        self.session = session
        self.proposal = proposal
        author = names.get(proposal.participant_id)
        by = f"{author.display_name} ({session.role_name(author.role)})" if author else "a participant"
        parts: list[tuple[str, str]] = [
            ("h3", f"Suggestion {proposal.id}: {proposal.label}"),
            ("p", f"Suggested by {by}."),
        ]
        parts += [("p", line) for line in definition_words(session, proposal)]
        if proposal.reason.strip():
            parts.append(("p", f"Why: {proposal.reason}"))
        self.about = w.HTML(text_html(*parts))
        results = [("p", f"This suggestion on today's data: {suggestion_result(session, proposal)}")]
        agreed = agreed_result(session, proposal.indicator_id)
        if agreed is not None:
            results.append(("p", f"The measure as it stands: {agreed}"))
        self.result = w.HTML(text_html(*results, cls="dpup-result"))
        self.counts = w.HTML()
        self.comments = w.HTML()
        self.view = w.ToggleButtons(
            options=[(VIEW_WORDS[k], k) for k in VIEW_WORDS], value=None,
            description=f"My view on suggestion {proposal.id}", style={"description_width": "initial", "button_width": "auto"},
        )  # fmt: skip
        self.comment = w.Text(description="A comment (optional)", style={"description_width": "initial"})
        self.send = button("Send my view", primary=True)
        self.message = Message()
        self.send.on_click(self.on_send)
        super().__init__(
            [
                self.about,
                self.result,
                self.counts,
                self.comments,
                self.view,
                self.comment,
                self.send,
                self.message,
            ],
            **kwargs,
        )
        self.add_class("dpup-card")

    def on_send(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            if self.view.value is None:
                raise ValueError("choose support, not sure or concern.")
            self.session.store.give_view(
                self.proposal.id, participant.id, self.view.value, self.comment.value
            )
            return "your view is recorded."

        if self.message.attempt(action):
            self.comment.value = ""

    def show_views(self, counts: dict[str, int], views: list[View], names: dict[int, Any]) -> None:
        summary = " · ".join(f"{VIEW_SHORT[k]}: {counts.get(k, 0)}" for k in VIEW_SHORT)
        self.counts.value = text_html(("p", f"Views so far: {summary}"), cls="dpup-muted")
        lines = []
        for v in views:
            who = names.get(v.participant_id)
            name = who.display_name if who else "someone"
            lines.append(
                ("p", f"{name}: {VIEW_SHORT[v.view]}" + (f" – “{v.comment}”" if v.comment.strip() else ""))
            )
        self.comments.value = text_html(*lines) if lines else ""


class ProposalsList(w.VBox):
    """Every suggestion in the workshop, newest last; :meth:`refresh` adds new ones and updates views."""

    def __init__(self, session: WorkshopSession, **kwargs: Any) -> None:
        self.session = session
        self.cards: dict[int, ProposalCard] = {}
        self.last_id = 0
        self.empty = w.HTML(text_html(("p", "No suggestions yet. Use the form below to make one.")))
        super().__init__([self.empty], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        store, workshop_id = self.session.store, self.session.workshop.id
        names = {p.id: p for p in store.participants(workshop_id)}
        new = store.proposals(workshop_id, since_id=self.last_id)
        for proposal in new:
            self.cards[proposal.id] = ProposalCard(self.session, proposal, names)
            self.last_id = max(self.last_id, proposal.id)
        if new:
            self.children = list(self.cards.values())
        counts = store.view_counts(workshop_id)
        for pid, card in self.cards.items():
            card.show_views(counts.get(pid, {}), store.views(pid), names)
