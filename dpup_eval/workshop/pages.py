"""The two workshop pages, built whole and displayed once by the thin notebooks in ``dashboards/``.

Why one ``display()``: widgets displayed from several cells intermittently fail to render in Voila
("model not found"); a page built as one tree and displayed at the end does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from dpup_eval.workshop.session import WorkshopSession, open_session
from dpup_eval.workshop.widgets_base import PageWatch, Poller, button, page_style, section, text_html

__all__ = ["Page", "facilitator_page", "findings_page", "room_page", "stories_page", "success_measures_page"]

#: The pages every page links to. The participant's page holds the findings too, so nobody is asked
#: to join a second time (the findings page stays for a laptop on its own). The facilitator and room
#: pages are opened by address (the terminal prints them): a parent's phone is never offered them.
NAV = {
    "success_measures.ipynb": "Success measures: join, suggest, give your view, see the findings",
    "stories.ipynb": "Stories: what changed for families",
}


@dataclass
class Page:
    """A built page: the widget tree to display, its parts (for tests) and its poller."""

    root: w.VBox
    parts: dict[str, w.Widget]
    poller: Poller
    session: WorkshopSession

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.root)


def _nav(current: str) -> w.HTML:
    links = " ".join(
        f'<a href="{name}" aria-current="page">{words}</a>'
        if name == current
        else f'<a href="{name}">{words}</a>'
        for name, words in NAV.items()
    )
    return w.HTML(f'<nav class="dpup-nav" aria-label="Workshop pages">{links}</nav>')


def _root(children: list[w.Widget]) -> w.VBox:
    root = w.VBox([page_style(), *children])
    root.add_class("dpup-page")
    return root


def success_measures_page(session: WorkshopSession | None = None, *, poll: bool = True) -> Page:
    """The participant's page: join once; the measures with live results; suggestions and views; the form.

    No facilitator controls: decisions are recorded on :func:`facilitator_page`.
    """
    from dpup_eval.workshop.room import NowDiscussing
    from dpup_eval.workshop.widgets_decide import DecisionsList
    from dpup_eval.workshop.widgets_findings import FindingsPanel
    from dpup_eval.workshop.widgets_join import JoinPanel
    from dpup_eval.workshop.widgets_measures import MeasuresBoard
    from dpup_eval.workshop.widgets_propose import ProposalForm
    from dpup_eval.workshop.widgets_views import ProposalsList

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    join = JoinPanel(session)
    board = MeasuresBoard(session, on_proposed=poller.notify)
    proposals = ProposalsList(session)
    form = ProposalForm(session, on_proposed=poller.notify)
    poller.on_change(proposals.refresh)
    agreed = DecisionsList(session)
    poller.on_change(agreed.refresh)
    now = NowDiscussing(session)  # follows the facilitator moving the room

    def follow() -> None:
        now.refresh()
        board.follow(now.current)

    follow()
    poller.on_change(follow)
    findings = FindingsPanel(session, on_written=poller.notify, join=False, report=False, lazy=True)
    poller.on_change(findings.refresh)
    title = w.HTML(
        text_html(
            ("h1", f"Success measures – {session.workshop.name}"),
            ("p", "Together we decide what success means for the programme. Results come from today's data, "
                  "with small groups hidden and counts rounded so that nobody can be picked out."),
        )
    )  # fmt: skip
    parts_shown = PartSwitcher(
        {
            "The measures": section("The measures on the table", board,
                                    intro="Each measure with its result on today's data. Try another level."),
            "Suggestions": section("Suggestions and views", proposals,
                                   w.HTML(text_html(("h3", "What was agreed so far"))), agreed,
                                   intro="Suggestions from everyone in the room, each with its result on today's "
                                         "data. Say whether you support each one."),
            "Suggest one": section("Suggest a measure", form,
                                   intro="Answer the questions; the result on today's data shows before you put "
                                         "it on the table."),
            "Findings": section("What the measures show", findings),
        },
        on_show={"Findings": findings.redraw},
    )  # fmt: skip
    root = _root(
        [
            title, _nav("success_measures.ipynb"),
            section("Join", join, intro="Choose a name to use today and say how you are taking part."),
            now, parts_shown,
        ]
    )  # fmt: skip
    if poll:
        poller.start()
    parts = {"join": join, "board": board, "proposals": proposals, "agreed": agreed, "form": form,
             "findings": findings, "switcher": parts_shown, "now": now}  # fmt: skip
    return Page(root, parts, poller, session)


class PartSwitcher(w.VBox):
    """One part of a page at a time, chosen with buttons: a phone shows one short screen, not thirteen."""

    def __init__(self, parts: dict[str, w.Widget], on_show: dict[str, Callable[[], None]] | None = None) -> None:
        self.parts = parts
        self.on_show = on_show or {}
        self.choice = w.ToggleButtons(
            options=list(parts), value=next(iter(parts)), description="Show",
            style={"description_width": "initial", "button_width": "auto"},
        )  # fmt: skip
        self.choice.observe(self.show, "value")
        super().__init__([self.choice, *parts.values()])
        self.show()

    def show(self, _: object = None) -> None:
        for name, part in self.parts.items():
            part.layout.display = None if name == self.choice.value else "none"
        if _ is not None and self.choice.value in self.on_show:  # a person chose it (not the first draw)
            self.on_show[self.choice.value]()


def findings_page(session: WorkshopSession | None = None, *, poll: bool = True) -> Page:
    """The agreed measures by period and by group, interpretations, report choices and the export."""
    from dpup_eval.workshop.widgets_findings import FindingsPanel

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    panel = FindingsPanel(session, on_written=poller.notify)
    poller.on_change(panel.refresh)
    by = f"by {session.period_word} and by group" if session.period else "overall and by group"
    title = w.HTML(
        text_html(
            ("h1", f"Findings – {session.workshop.name}"),
            ("p", f"What the measures show on today's data: {by}, with the likely range and the target. "
                  "Small groups are hidden and counts rounded so that nobody can be picked out."),
        )
    )  # fmt: skip
    root = _root([title, _nav("findings.ipynb"), panel])
    if poll:
        poller.start()
    return Page(root, {"findings": panel}, poller, session)


def stories_page(
    session: WorkshopSession | None = None, *, poll: bool = True, environ: dict[str, str] | None = None
) -> Page:
    """Families' stories by domain (those the families allowed for workshops); marks; the room's choice."""
    from dpup_eval.workshop.stories import workshop_stories
    from dpup_eval.workshop.widgets_join import JoinPanel
    from dpup_eval.workshop.widgets_stories import MarkForm, SelectionForm, StoriesBoard

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    title = w.HTML(text_html(
        ("h1", f"Stories – {session.workshop.name}"),
        ("p", "Families' own stories of what changed, shown only where each family agreed, with names and "
              "anything else that could show who they are taken out. Nobody here knows whose story it is."),
    ))  # fmt: skip
    stories = workshop_stories(session, environ)
    if stories is None:
        root = _root(
            [
                title,
                _nav("stories.ipynb"),
                w.HTML(
                    text_html(
                        (
                            "p",
                            "This workshop has no stories: start it "
                            "with dpup-eval workshop --stories, with a stories.yaml in the programme folder.",
                        )
                    )
                ),
            ]
        )
        return Page(root, {}, poller, session)
    join = JoinPanel(session)
    board = StoriesBoard(stories)
    marks = MarkForm(session, stories, on_marked=board.refresh)
    choice = SelectionForm(session, stories, on_selected=board.refresh)
    again = button("Show the latest marks")

    def show_latest(_: object) -> None:
        board.refresh()
        marks.refresh()
        choice.refresh()

    again.on_click(show_latest)
    poller.on_change(choice.refresh)
    root = _root([
        title, _nav("stories.ipynb"),
        section("1. Join", join, intro="Choose a name to use today and say how you are taking part."),
        section("2. The stories, by what changed", board, again,
                intro="Read the stories in each area of change. The marks show which ones matter most to whom."),
        section("3. The story that matters most to you", marks,
                intro="Pick one story and say why it matters to you, in your own words."),
        section("4. The room's choice (for the facilitator)", choice,
                intro="For each area, record the story the room chose as most significant, why, who was there, "
                      "and who disagreed and why."),
    ])  # fmt: skip
    if poll:
        poller.start()
    return Page(root, {"join": join, "board": board, "marks": marks, "choice": choice}, poller, session)


def facilitator_page(session: WorkshopSession | None = None, *, poll: bool = True) -> Page:
    """The facilitator's page, opened with the facilitator code: move the room from one measure to the next,
    record decisions, findings and the report."""
    from dpup_eval.workshop.room import RoomMover
    from dpup_eval.workshop.widgets_decide import DecisionForm
    from dpup_eval.workshop.widgets_findings import FindingsPanel
    from dpup_eval.workshop.widgets_join import JoinPanel

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    gate = FacilitatorGate(session)
    join = JoinPanel(session)
    decisions = DecisionForm(session, on_decided=poller.notify)
    mover = RoomMover(session, on_moved=poller.notify)
    poller.on_change(mover.refresh)
    findings = FindingsPanel(session, on_written=poller.notify, join=False)
    poller.on_change(decisions.refresh)
    poller.on_change(findings.refresh)
    tools = w.VBox(
        [
            section("Join", join, intro="Join under your own name: decisions are recorded as yours."),
            section("The measure under discussion", mover,
                    intro="The projector and everyone's pages follow the measure you choose here."),
            section("What was agreed", decisions,
                    intro="Record what the room agreed, who was there, and who disagreed and why."),
            section("Findings and the workshop report", findings),
        ]
    )  # fmt: skip
    gate.then_show(tools, decisions.unlock)
    title = w.HTML(text_html(("h1", f"Facilitator – {session.workshop.name}")))
    root = _root([title, gate, tools])
    if poll:
        poller.start()
    parts = {"gate": gate, "join": join, "mover": mover, "decisions": decisions, "findings": findings}
    return Page(root, parts, poller, session)


def room_page(session: WorkshopSession | None = None, *, poll: bool = True) -> Page:
    """The projector's view: each measure, its result, and views on each suggestion by role group."""
    from dpup_eval.workshop.room import MIN_GROUP_VIEWS, RoomView

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    room = RoomView(session)
    poller.on_change(room.refresh)
    title = w.HTML(
        text_html(
            ("h1", f"In the room – {session.workshop.name}"),
            ("p", f"Views on each suggestion by group. A group's views show once {MIN_GROUP_VIEWS} or more of "
                  "its people have given one, so nobody's view can be picked out."),
        )
    )  # fmt: skip
    root = _root([title, room])
    root.add_class("dpup-projector")
    if poll:
        poller.start()
    return Page(root, {"room": room}, poller, session)


class FacilitatorGate(w.VBox):
    """Asks for the facilitator code once; the facilitator's tools stay hidden until it matches."""

    def __init__(self, session: WorkshopSession) -> None:
        from dpup_eval.workshop.widgets_base import Message, button

        self.session = session
        self.code = w.Password(description="Facilitator code (shown when the workshop started)",
                               style={"description_width": "initial"})  # fmt: skip
        self.open_button = button("Open the facilitator tools", primary=True)
        self.message = Message()
        self.open_button.on_click(self.on_open)
        self._tools: w.Widget | None = None
        self._unlock: Any = None
        super().__init__([self.code, self.open_button, self.message])

    def then_show(self, tools: w.Widget, unlock: Any) -> None:
        self._tools, self._unlock = tools, unlock
        tools.layout.display = "none"
        if not self.session.facilitator_code:  # a notebook outside a workshop: nothing to check
            self.on_open()

    def on_open(self, _: object = None) -> None:
        from dpup_eval.workshop.code_limits import check_facilitator_code

        def action() -> str:
            typed = self.code.value.strip().upper()
            if not check_facilitator_code(typed, self.session.facilitator_code):  # limited per device
                raise ValueError("that is not the facilitator code (it was shown when the workshop started).")
            if self._tools is not None:
                self._tools.layout.display = None
            if self._unlock is not None:
                self._unlock(typed)
            self.code.layout.display = self.open_button.layout.display = "none"
            self.code.value = ""
            return "the facilitator tools are open."

        self.message.attempt(action)
