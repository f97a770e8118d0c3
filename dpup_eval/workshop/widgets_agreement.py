"""The Agreement page: the draft agreement explained, views, proposals, the provider's declines, the agency's
answers, new versions and sign-offs. Every callback is here (tested without a browser); the notebook
``dashboards/agreement.ipynb`` only builds the page and displays it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as w

from dpup_eval.agreement.contract import Agreement
from dpup_eval.agreement.diff import words
from dpup_eval.agreement.editing import COARSER, REWORDABLE
from dpup_eval.agreement.hints import contract_hints
from dpup_eval.agreement.revision import load_texts
from dpup_eval.workshop.agreement_explained import (
    VIEW_WORDS,
    agreement_html,
    proposal_words,
    proposals_html,
    versions_html,
)
from dpup_eval.workshop.agreement_record import AgreementRecord, AgreementVersion
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import Message, button, full_width, set_options

if TYPE_CHECKING:
    from dpup_eval.workshop.pages import Page

__all__ = ["AgreementBoard", "AgreementState", "AnswerForm", "ProposalForm", "SignPanel", "ViewForm", "agreement_page",
           "data_check_warning", "measure_uses"]

WIDE = {"description_width": "initial"}
KINDS = [("Drop this field", "drop"), ("Coarsen it (less detail)", "coarsen"),
         ("Move it to another purpose", "move"), ("Reword a description", "reword"),
         ("Add something it will not be used for", "not_used_for"), ("Decline this field (provider only)", "decline")]
ANSWERS = [("Accept", "accepted"), ("Not accepted", "not_accepted"), ("Let's discuss", "discuss")]


def measure_uses(session: WorkshopSession) -> dict[str, dict[str, list[str]]]:
    """Purpose -> field -> names of the measures that use it, from each purpose's indicators file."""
    from dpup_eval.findings.field_use import programme_field_uses

    return programme_field_uses(session.programme)


class AgreementState:
    """What every panel of the page reads: the record, the version under discussion, names; one refresh."""

    def __init__(self, session: WorkshopSession, on_change: Callable[[], None] | None = None):
        self.session = session
        self.record = AgreementRecord(session.store, session.programme.folder)
        self.uses = measure_uses(session)
        self.listeners: list[Callable[[], None]] = []
        self.on_change = on_change
        self._loaded: dict[int, Agreement] = {}
        self.latest = self.record.start(session.workshop.id)

    def agreement(self, version: AgreementVersion) -> Agreement:
        if version.id not in self._loaded:
            self._loaded[version.id] = load_texts(version.contracts, self.session.programme.folder)
        return self._loaded[version.id]

    def names(self) -> dict[int, str]:
        groups = {r.id: r.group for r in self.session.roles}
        return {p.id: f"{p.display_name}, {groups.get(p.role, p.role)}"
                for p in self.session.store.participants(self.session.workshop.id)}

    def subjects(self) -> list[tuple[str, tuple[str, str | None]]]:
        """(words, (purpose, field or None)) for every purpose and field of the latest version."""
        agreement = self.agreement(self.latest)
        out: list[tuple[str, tuple[str, str | None]]] = []
        for purpose in agreement.purposes:
            out.append((f"{words(purpose).capitalize()}: the purpose as a whole", (purpose, None)))
            out += [(f"{words(purpose).capitalize()}: {f.plain_name}", (purpose, f.name))
                    for f in agreement.for_purpose(purpose).fields]
        return out

    def plain(self) -> dict[tuple[str, str], str]:
        agreement = self.agreement(self.latest)
        return {(p, f.name): f.plain_name for p in agreement.purposes for f in agreement.for_purpose(p).fields}

    def participant_id(self) -> int:
        if self.session.participant is None:
            raise ValueError("join the workshop first (at the top of the page).")
        return self.session.participant.id

    def changed(self) -> None:
        """After any write: reread the latest version and redraw every panel (and tell other pages)."""
        self.refresh()
        if self.on_change is not None:
            self.on_change()

    def refresh(self) -> None:
        self.latest = self.record.versions(self.session.workshop.id)[-1]
        for listener in self.listeners:
            listener()


class AgreementBoard(w.VBox):
    """The version under discussion explained, the proposals with their answers, and every version."""

    def __init__(self, state: AgreementState, **kwargs: Any) -> None:
        self.state = state
        self.explained, self.proposals, self.versions, self.warning = w.HTML(), w.HTML(), w.HTML(), w.HTML()
        self.hints = w.HTML()
        super().__init__([self.warning, self.explained, w.HTML("<h3>Ways to ask for less</h3>"), self.hints,
                          w.HTML("<h3>Proposals and declines</h3>"), self.proposals,
                          w.HTML("<h3>Versions</h3>"), self.versions], **kwargs)
        state.listeners.append(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        state, record = self.state, self.state.record
        latest, names = state.latest, state.names()
        agreement = state.agreement(latest)
        self.explained.value = agreement_html(agreement, state.uses, record.views(latest.id), names)
        hints = [h for p in agreement.purposes for h in contract_hints(
            agreement.for_purpose(p), set(state.uses[p]) if p in state.uses else None)]
        self.hints.value = ("<ul>" + "".join(f"<li>{escape(h.purpose.replace('_', ' ').capitalize())}: "
                                             f"{escape(h.text)}</li>" for h in hints) + "</ul>"
                            if hints else "<p>Nothing to point out.</p>")
        notes = {p.id: [r["note"] for r in record.responses(p.id) if r["note"]] for p in record.proposals(latest.id)}
        self.proposals.value = proposals_html(record.proposals(latest.id), state.plain(), names, notes)
        versions = record.versions(state.session.workshop.id)
        in_use = {p: c.version for p, c in Agreement.load(state.session.programme.folder).contracts.items()}
        self.versions.value = versions_html(versions, {v.id: record.signoffs(v.id) for v in versions}, in_use)
        problem = data_check_warning(state.session, in_use)
        self.warning.value = (f'<p class="dpup-message dpup-message-error" role="status">Please note: '
                              f"{escape(problem)} (start the workshop again to check it).</p>") if problem else ""


def data_check_warning(session: WorkshopSession, in_use: dict[str, str]) -> str | None:
    """Whether today's data was checked against an older version than the agreement now in use (signed here)."""
    import json

    from dpup_eval.agreement.versions import older_check

    report_file = session.folder / "check-report.json"  # written by the workshop server before the pages open
    if not report_file.is_file():
        return None
    report = json.loads(report_file.read_text(encoding="utf-8")).get("report", {})
    purpose = report.get("purpose")
    if purpose not in in_use:
        return None
    return older_check(purpose, report.get("contract_version"), in_use[purpose])


class ViewForm(w.VBox):
    """A participant's view on a field or a purpose: needed / not sure / don't collect, and why."""

    def __init__(self, state: AgreementState, **kwargs: Any) -> None:
        self.state = state
        self.subject = w.Dropdown(description="About", style=WIDE)
        self.view = w.ToggleButtons(options=[(v, k) for k, v in VIEW_WORDS.items()], value="needed",
                                    description="My view", style=WIDE)
        self.reason = full_width(w.Textarea(description="Why (in your own words)", style=WIDE))
        self.give = button("Give my view", primary=True)
        self.message = Message()
        self.give.on_click(self.on_give)
        state.listeners.append(self.refresh)
        super().__init__([self.subject, self.view, self.reason, self.give, self.message], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        set_options(self.subject, self.state.subjects())

    def on_give(self, _: object = None) -> None:
        def action() -> str:
            purpose, field = self.subject.value
            self.state.record.give_view(self.state.latest.id, self.state.participant_id(), purpose, field,
                                        self.view.value, self.reason.value)
            self.reason.value = ""
            self.state.changed()
            return "your view is recorded."

        self.message.attempt(action)


class ProposalForm(w.VBox):
    """Propose a change to a field or purpose; the provider declines a field here too."""

    def __init__(self, state: AgreementState, **kwargs: Any) -> None:
        self.state = state
        self.kind = w.Dropdown(options=KINDS, value="drop", description="I propose to", style=WIDE)
        self.subject = w.Dropdown(description="About", style=WIDE)
        self.to = w.Dropdown(options=[(f"only {said.removeprefix('the ')}", k) for k, (_, said, _) in COARSER.items()]
                             + [("bands (for a number such as an age)", "bands")], description="Keep", style=WIDE)
        self.edges = w.Text(description="Bands start at", placeholder="0, 5, 10, 15, 18, 25, 35, 45, 55", style=WIDE)
        self.to_purpose = w.Dropdown(description="Move to", style=WIDE)
        self.what = w.Dropdown(options=[(v.capitalize(), k) for k, v in REWORDABLE.items()], description="Reword",
                               style=WIDE)
        self.text = full_width(w.Textarea(description="New words", style=WIDE))
        self.reason = full_width(w.Textarea(description="Why (in your own words)", style=WIDE))
        self.submit = button("Put it on the table", primary=True)
        self.message = Message()
        self.submit.on_click(self.on_submit)
        self.kind.observe(lambda _: self._show(), names="value")
        state.listeners.append(self.refresh)
        super().__init__([self.kind, self.subject, self.to, self.edges, self.to_purpose, self.what, self.text,
                          self.reason, self.submit, self.message], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        set_options(self.subject, self.state.subjects())
        set_options(self.to_purpose, [(words(p).capitalize(), p) for p in self.state.agreement(self.state.latest).purposes])
        self._show()

    def _show(self) -> None:
        kind = self.kind.value
        shown = {"coarsen": [self.to, self.edges], "move": [self.to_purpose], "reword": [self.what, self.text],
                 "not_used_for": [self.text]}.get(kind, [])
        for widget in (self.to, self.edges, self.to_purpose, self.what, self.text):
            widget.layout.display = None if widget in shown else "none"

    def detail(self) -> dict[str, Any]:
        kind = self.kind.value
        if kind == "coarsen":
            detail: dict[str, Any] = {"to": self.to.value}
            if self.to.value == "bands" and self.edges.value.strip():
                try:
                    detail["edges"] = [int(x) for x in self.edges.value.replace(",", " ").split()]
                except ValueError:
                    raise ValueError("give the bands as whole numbers, such as 0, 5, 10, 18") from None
            return detail
        if kind == "move":
            return {"to_purpose": self.to_purpose.value}
        if kind == "reword":
            return {"what": self.what.value, "text": self.text.value}
        if kind == "not_used_for":
            return {"text": self.text.value}
        return {}

    def on_submit(self, _: object = None) -> None:
        def action() -> str:
            purpose, field = self.subject.value
            kind = self.kind.value
            if kind in ("not_used_for",) or (kind == "reword" and self.what.value == "purpose_statement"):
                field = None
            proposal = self.state.record.propose(self.state.latest.id, self.state.participant_id(), kind, purpose,
                                                 field, self.detail(), self.reason.value)
            self.reason.value = self.text.value = ""
            self.state.changed()
            return f"#{proposal.id} is on the table: {proposal_words(proposal, self.state.plain())}."

        self.message.attempt(action)


class AnswerForm(w.VBox):
    """The provider's or the agency's answer to a proposal (only the agency answers a decline)."""

    def __init__(self, state: AgreementState, **kwargs: Any) -> None:
        self.state = state
        self.proposal = w.Dropdown(description="Proposal", style=WIDE)
        self.answer = w.ToggleButtons(options=ANSWERS, value="accepted", description="Our answer", style=WIDE)
        self.note = full_width(w.Textarea(description="Note (why, or what to discuss)", style=WIDE))
        self.send = button("Record our answer", primary=True)
        self.message = Message()
        self.send.on_click(self.on_send)
        state.listeners.append(self.refresh)
        super().__init__([self.proposal, self.answer, self.note, self.send, self.message], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        plain = self.state.plain()
        set_options(self.proposal, [(f"#{p.id} {proposal_words(p, plain)}", p.id)
                                    for p in self.state.record.proposals(self.state.latest.id)])

    def on_send(self, _: object = None) -> None:
        def action() -> str:
            if self.proposal.value is None:
                raise ValueError("there is no proposal to answer yet.")
            self.state.record.respond(int(self.proposal.value), self.state.participant_id(), self.answer.value,
                                      self.note.value)
            self.note.value = ""
            self.state.changed()
            return f"your answer to #{self.proposal.value} is recorded."

        self.message.attempt(action)


class SignPanel(w.VBox):
    """Make the next version from the accepted proposals; sign it for your side; when both sides have
    signed, it becomes the agreement in use (the programme folder's contracts, old ones kept in history/)."""

    def __init__(self, state: AgreementState, today: Callable[[], dt.date] = dt.date.today, **kwargs: Any) -> None:
        self.state = state
        self.make = button("Make the next version from the accepted proposals")
        self.role = w.Text(description="Signing as (your role)", placeholder="e.g. Service manager", style=WIDE)
        self.on_date = w.DatePicker(description="Date", value=today(), style=WIDE)
        self.sign = button("Sign this version for my side", primary=True)
        self.message = Message()
        self.make.on_click(self.on_make)
        self.sign.on_click(self.on_sign)
        super().__init__([self.make, self.role, self.on_date, self.sign, self.message], **kwargs)

    def on_make(self, _: object = None) -> None:
        def action() -> str:
            version = self.state.record.make_version(self.state.latest.id, self.state.participant_id())
            self.state.changed()
            return f"version {version.number} is ready: " + "; ".join(version.summary) + "."

        self.message.attempt(action)

    def on_sign(self, _: object = None) -> None:
        def action() -> str:
            if self.on_date.value is None:
                raise ValueError("give the date of signing.")
            record, latest = self.state.record, self.state.latest
            signed = record.sign(latest.id, self.state.participant_id(), self.role.value, self.on_date.value)
            said = f"version {latest.number} is signed for the {signed.side} by {signed.signer_role}"
            if record.is_agreed(latest.id):
                record.adopt(latest.id)
                said += "; both sides have signed, so it is now the agreement in use"
            self.state.changed()
            return said + "."

        self.message.attempt(action)


def agreement_page(session: WorkshopSession | None = None, *, poll: bool = True) -> Page:
    """Join; the agreement explained; views; proposals and declines; answers; versions and sign-offs."""
    from dpup_eval.workshop.pages import NAV, Page
    from dpup_eval.workshop.session import open_session
    from dpup_eval.workshop.widgets_base import PageWatch, Poller, page_style, section, text_html
    from dpup_eval.workshop.widgets_join import JoinPanel

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    state = AgreementState(session, on_change=poller.notify)
    poller.on_change(state.refresh)
    join, board = JoinPanel(session), AgreementBoard(state)
    views, proposals, answers, sign = ViewForm(state), ProposalForm(state), AnswerForm(state), SignPanel(state)
    again = button("Show the latest")
    again.on_click(lambda _: state.refresh())
    links = {**NAV, "agreement.ipynb": "Agreement: what is shared, and why"}
    current = ' aria-current="page"'
    nav = w.HTML('<nav class="dpup-nav" aria-label="Workshop pages">' + " ".join(
        f'<a href="{name}"{current if name == "agreement.ipynb" else ""}>{said}</a>'
        for name, said in links.items()) + "</nav>")
    title = w.HTML(text_html(
        ("h1", f"The data agreement – {session.workshop.name}"),
        ("p", "What information is shared, with whom, how often and why, field by field. Say what you think "
              "of each part, propose changes, and when both sides agree, sign the new version."),
    ))  # fmt: skip
    root = w.VBox([
        page_style(), title, nav,
        section("1. Join", join, intro="Choose a name to use today and say how you are taking part."),
        section("2. The agreement, explained", board, again,
                intro="For each purpose: who receives it, how often, what it will not be used for. For each field: "
                      "what it is, why it is needed, whether it could identify someone, and which measures use it."),
        section("3. Your view", views, intro="Is each field needed? Say why in your own words."),
        section("4. Propose a change", proposals,
                intro="Drop a field, ask for less detail, move it, reword it, or say what it must not be used for. "
                      "The provider can decline a field here."),
        section("5. Answers (provider and agency)", answers,
                intro="Each side answers the proposals; only the agency answers a decline."),
        section("6. New version and signatures", sign,
                intro="Accepted proposals make the next version. A named role on each side signs it, with the date."),
    ])  # fmt: skip
    root.add_class("dpup-page")
    if poll:
        poller.start()
    parts = {"join": join, "board": board, "views": views, "proposals": proposals, "answers": answers, "sign": sign}
    return Page(root, parts, poller, session)
