"""The two workshop pages, built whole and displayed once by the thin notebooks in ``dashboards/``.

Why one ``display()``: widgets displayed from several cells intermittently fail to render in Voila
("model not found"); a page built as one tree and displayed at the end does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from dpup_eval.workshop.session import WorkshopSession, open_session
from dpup_eval.workshop.widgets_base import PageWatch, Poller, button, page_style, section, text_html

__all__ = ["Page", "findings_page", "stories_page", "success_measures_page"]

NAV = {
    "success_measures.ipynb": "Success measures: join, suggest, give your view",
    "findings.ipynb": "Findings: what the agreed measures show",
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
    """Join; the measures with live results; suggestions and views; the guided form; decisions."""
    from dpup_eval.workshop.widgets_decide import DecisionForm
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
    decisions = DecisionForm(session, on_decided=poller.notify)
    poller.on_change(proposals.refresh)
    poller.on_change(decisions.refresh)
    title = w.HTML(
        text_html(
            ("h1", f"Success measures – {session.workshop.name}"),
            ("p", "Together we decide what success means for the programme. The results below come from "
                  "today's data, with small groups hidden and counts rounded so that nobody can be picked out."),
        )
    )  # fmt: skip
    root = _root(
        [
            title, _nav("success_measures.ipynb"),
            section("1. Join", join, intro="Choose a name to use today and say how you are taking part."),
            section("2. The measures on the table", board,
                    intro="Each measure with its result on today's data. Try another level to see what changes."),
            section("3. Suggestions and views", proposals,
                    intro="Suggestions from everyone in the room. Say whether you support each one."),
            section("4. Suggest a measure", form,
                    intro="Answer the questions; the result on today's data shows before you put it on the table."),
            section("5. What was agreed (for the facilitator)", decisions,
                    intro="Record what the room agreed, who was there, and who disagreed and why."),
        ]
    )  # fmt: skip
    if poll:
        poller.start()
    parts = {"join": join, "board": board, "proposals": proposals, "form": form, "decisions": decisions}
    return Page(root, parts, poller, session)


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


def stories_page(session: WorkshopSession | None = None, *, poll: bool = True, environ: dict[str, str] | None = None) -> Page:
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
        root = _root([title, _nav("stories.ipynb"), w.HTML(text_html(("p", "This workshop has no stories: start it "
                      "with dpup-eval workshop --stories, with a stories.yaml in the programme folder.")))])
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
