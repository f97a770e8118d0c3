"""The two workshop pages, built whole and displayed once by the thin notebooks in ``dashboards/``.

Why one ``display()``: widgets displayed from several cells intermittently fail to render in Voila
("model not found"); a page built as one tree and displayed at the end does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as w

from dpup_eval.workshop.session import WorkshopSession, open_session
from dpup_eval.workshop.widgets_base import PageWatch, Poller, page_style, section, text_html

__all__ = ["Page", "findings_page", "success_measures_page"]

NAV = {
    "success_measures.ipynb": "Success measures: join, suggest, give your view",
    "findings.ipynb": "Findings: what the agreed measures show",
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
    """The agreed measures by quarter and by group, interpretations, report choices and the export."""
    from dpup_eval.workshop.widgets_findings import FindingsPanel

    session = session or open_session()
    poller = Poller(session.store, session.workshop.id, alive=PageWatch.from_environment() if poll else None)
    panel = FindingsPanel(session, on_written=poller.notify)
    poller.on_change(panel.refresh)
    title = w.HTML(
        text_html(
            ("h1", f"Findings – {session.workshop.name}"),
            ("p", "What the measures show on today's data: by quarter and by group, with the likely range "
                  "and the target. Small groups are hidden and counts rounded so that nobody can be picked out."),
        )
    )  # fmt: skip
    root = _root([title, _nav("findings.ipynb"), panel])
    if poll:
        poller.start()
    return Page(root, {"findings": panel}, poller, session)
