"""The room view for the projector: each measure, its result, and the room's views by role group.

Everyone in the room sees whether families, provider staff and the agency agree on a suggestion.
In a small room, counts by group could give away who said what, so a group's counts are shown only
once at least :data:`MIN_GROUP_VIEWS` people of that group have given a view on that suggestion;
until then the group reads "not enough views yet". No names and no comments are shown here.

Results come from the session's findings (disclosure control applied), never from rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from dpup_eval.workshop import VIEWS, Participant, Proposal, Role, View
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.widgets_base import VIEW_SHORT, text_html

__all__ = [
    "GROUP_WORDS",
    "MIN_GROUP_VIEWS",
    "NOT_ENOUGH",
    "GroupViews",
    "RoomView",
    "group_views_words",
    "views_by_group",
]

#: Fewest people of one role group whose views are counted before that group's counts are shown.
MIN_GROUP_VIEWS = 3
NOT_ENOUGH = "not enough views yet"
#: The groups shown on the projector, in this order ("other" only when someone of it gave a view).
GROUP_WORDS = {"family": "Family members", "provider": "Provider staff", "agency": "Agency staff",
               "other": "Others"}  # fmt: skip


@dataclass(frozen=True)
class GroupViews:
    """One role group's views on one suggestion: counts per view, or None while too few have spoken."""

    group: str
    people: int  # how many of the group have given a view (never shown when under the minimum)
    counts: dict[str, int] | None

    @property
    def words(self) -> str:
        if self.counts is None:
            return NOT_ENOUGH
        return ", ".join(f"{VIEW_SHORT[k]} {self.counts[k]}" for k in VIEWS)


def views_by_group(
    views: Iterable[View], participants: Iterable[Participant], roles: Sequence[Role],
    minimum: int = MIN_GROUP_VIEWS,
) -> list[GroupViews]:  # fmt: skip
    """Each role group's current views on one suggestion, counts hidden below ``minimum`` people.

    ``views`` are each participant's latest view (:meth:`WorkshopStore.views`). Family, provider and
    agency are always listed (so an empty group reads "not enough views yet"); "other" only when
    someone of that group gave a view.
    """
    group_of_role = {r.id: r.group for r in roles}
    group_of = {p.id: group_of_role.get(p.role, "other") for p in participants}
    tallies: dict[str, dict[str, int]] = {}
    for view in views:
        tally = tallies.setdefault(group_of.get(view.participant_id, "other"), dict.fromkeys(VIEWS, 0))
        tally[view.view] += 1
    shown = [g for g in GROUP_WORDS if g != "other" or g in tallies]
    out = []
    for group in shown:
        tally = tallies.get(group, dict.fromkeys(VIEWS, 0))
        people = sum(tally.values())
        out.append(GroupViews(group, people, dict(tally) if people >= minimum else None))
    return out


def group_views_words(groups: Iterable[GroupViews]) -> list[str]:
    """One line per group, as the projector shows it: "Family members: Support 4, Not sure 1, Concern 0"."""
    return [f"{GROUP_WORDS[g.group]}: {g.words}" for g in groups]


class RoomView(w.VBox):
    """For the projector: every measure with its result, and each suggestion with its result and views."""

    def __init__(self, session: WorkshopSession, **kwargs: Any) -> None:
        from dpup_eval.workshop.widgets_views import suggestion_result

        self.session = session
        self._result = suggestion_result
        self.body = w.HTML()
        self._signature: tuple[Any, ...] | None = None
        super().__init__([self.body], **kwargs)
        self.add_class("dpup-room")
        self.refresh()

    def refresh(self) -> None:
        """Redraw when suggestions, views or decisions changed (the poller calls this)."""
        from dpup_eval.workshop.widgets_measures import result_text

        store, workshop_id = self.session.store, self.session.workshop.id
        proposals = store.proposals(workshop_id)
        participants = store.participants(workshop_id)
        views = {p.id: store.views(p.id) for p in proposals}
        signature = (
            tuple(p.id for p in proposals), tuple(p.id for p in participants),
            tuple((pid, tuple((v.participant_id, v.view) for v in vs)) for pid, vs in views.items()),
        )  # fmt: skip
        if signature == self._signature:
            return
        self._signature = signature
        parts: list[tuple[str, str] | str] = []
        for indicator in self.session.indicators.indicators:
            parts.append(("h2", indicator.name))
            overall = self.session.evaluate_overall(indicator).select(grouping="", period=None)
            if overall:
                parts.append(("p", f"The measure as it stands: {result_text(overall[0])}"))
            for proposal in [p for p in proposals if p.indicator_id == indicator.id]:
                parts += self._suggestion(proposal, views[proposal.id], participants)
        new = [p for p in proposals if p.indicator_id is None]
        if new:
            parts.append(("h2", "New measures suggested"))
            for proposal in new:
                parts += self._suggestion(proposal, views[proposal.id], participants)
        self.body.value = text_html(*parts)

    def _suggestion(
        self, proposal: Proposal, views: list[View], participants: list[Participant]
    ) -> list[tuple[str, str]]:
        lines = [("h3", f"Suggestion {proposal.id}: {proposal.label}"),
                 ("p", f"On today's data: {self._result(self.session, proposal)}")]  # fmt: skip
        groups = views_by_group(views, participants, self.session.workshop.roles)
        lines += [("p", line) for line in group_views_words(groups)]
        return lines
