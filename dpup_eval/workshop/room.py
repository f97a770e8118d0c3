"""The room view for the projector, and the room moving from one measure to the next.

The projector shows the measure under discussion, its result, and the room's views by role group.
The facilitator moves the room (:class:`RoomMover`, a field of the workshop record, so every page's
kernel sees it on its next poll); the room view and the participants' pages follow (:class:`NowDiscussing`).

Everyone in the room sees whether families, provider staff and the agency agree on a suggestion.
In a small room, counts by group could give away who said what, so a group's counts are shown only
once at least :data:`MIN_GROUP_VIEWS` people of that group have given a view on that suggestion;
until then the group reads "not enough views yet". No names and no comments are shown here.

Results come from the session's findings (disclosure control applied), never from rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as w

from dpup_eval.workshop import VIEWS, Participant, Proposal, Role, View
from dpup_eval.workshop.session import WorkshopSession, measure_choices
from dpup_eval.workshop.widgets_base import VIEW_SHORT, Message, button, set_options, text_html

__all__ = [
    "GROUP_WORDS",
    "MIN_GROUP_VIEWS",
    "NOBODY",
    "NOT_ENOUGH",
    "GroupViews",
    "NowDiscussing",
    "RoomMover",
    "RoomView",
    "current_measure",
    "group_views_words",
    "views_by_group",
]

#: Fewest people of one role group whose views are counted before that group's counts are shown.
MIN_GROUP_VIEWS = 3
NOT_ENOUGH = "not enough views yet"
NOBODY = "(no measure in particular)"
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
        from dpup_eval.workshop.session import new_measure_id
        from dpup_eval.workshop.widgets_measures import result_text

        store, workshop_id = self.session.store, self.session.workshop.id
        proposals = store.proposals(workshop_id)
        participants = store.participants(workshop_id)
        views = {p.id: store.views(p.id) for p in proposals}
        current = current_measure(self.session)
        signature = (
            current, tuple(p.id for p in proposals), tuple(p.id for p in participants),
            tuple((pid, tuple((v.participant_id, v.view) for v in vs)) for pid, vs in views.items()),
        )  # fmt: skip
        if signature == self._signature:
            return
        self._signature = signature
        parts: list[tuple[str, str] | str] = []
        names = {i: n for n, i in measure_choices(self.session.indicators, proposals)}
        if current in names:  # the room is on one measure: the projector shows that one, the rest by name
            parts.append(("p", "Now discussing:"))
        for indicator in self.session.indicators.indicators:
            if current in names and indicator.id != current:
                continue
            parts.append(("h2", indicator.name))
            overall = self.session.evaluate_overall(indicator).select(grouping="", period=None)
            if overall:
                parts.append(("p", f"The measure as it stands: {result_text(overall[0])}"))
            for proposal in [p for p in proposals if p.indicator_id == indicator.id]:
                parts += self._suggestion(proposal, views[proposal.id], participants)
        new = [p for p in proposals if p.indicator_id is None
               and (current not in names or new_measure_id(p.id) == current)]  # fmt: skip
        if new:
            parts.append(("h2", names.get(current or "", "New measures suggested")))
            for proposal in new:
                parts += self._suggestion(proposal, views[proposal.id], participants)
        if current in names:
            later = [name for i, name in names.items() if i != current]
            parts.append(("p", "Other measures: " + "; ".join(later) + "." if later else ""))
        self.body.value = text_html(*[p for p in parts if p != ("p", "")])

    def _suggestion(
        self, proposal: Proposal, views: list[View], participants: list[Participant]
    ) -> list[tuple[str, str]]:
        lines = [("h3", f"Suggestion {proposal.id}: {proposal.label}"),
                 ("p", f"On today's data: {self._result(self.session, proposal)}")]  # fmt: skip
        groups = views_by_group(views, participants, self.session.workshop.roles)
        lines += [("p", line) for line in group_views_words(groups)]
        return lines


def current_measure(session: WorkshopSession) -> str | None:
    """The measure the room is discussing, as the record says now (None: none in particular)."""
    found = session.store.workshop(session.workshop.id)
    return found.current_measure if found is not None else None


class RoomMover(w.VBox):
    """For the facilitator: which measure the room is on, and a button to move to the next one."""

    def __init__(self, session: WorkshopSession, on_moved: Callable[[], None] | None = None) -> None:
        self.session = session
        self.on_moved = on_moved
        self.measure = w.Dropdown(description="The room is discussing", style={"description_width": "initial"})
        self.next = button("Move the room to the next measure", primary=True)
        self.message = Message()
        self._quiet = False  # set while the page itself changes the choice (a refresh is not a move)
        self.measure.observe(self.on_choose, "value")
        self.next.on_click(self.on_next)
        super().__init__([self.measure, self.next, self.message])
        self.refresh()

    def refresh(self) -> None:
        """Follow the record (another facilitator tab may have moved the room)."""
        options = [(NOBODY, "")] + measure_choices(self.session.indicators, self.session.store.proposals(
            self.session.workshop.id))  # fmt: skip
        current = current_measure(self.session) or ""
        self._quiet = True
        try:
            if list(self.measure.options) != options:
                set_options(self.measure, options)
            if self.measure.value != current and current in [v for _, v in options]:
                self.measure.value = current
        finally:
            self._quiet = False

    def on_choose(self, _: object = None) -> None:
        if self._quiet:
            return
        chosen = self.measure.value or None
        self.message.attempt(lambda: self._move(chosen))

    def on_next(self, _: object = None) -> None:
        ids = [v for _, v in self.measure.options if v]

        def action() -> str:
            if not ids:
                raise ValueError("there are no measures to move to.")
            here = self.measure.value
            following = ids[(ids.index(here) + 1) % len(ids)] if here in ids else ids[0]
            self._quiet = True
            try:
                self.measure.value = following
            finally:
                self._quiet = False
            return self._move(following)

        self.message.attempt(action)

    def _move(self, measure_id: str | None) -> str:
        self.session.store.move_room(self.session.workshop.id, measure_id)
        if self.on_moved is not None:
            self.on_moved()
        label = {v: n for n, v in self.measure.options}.get(measure_id or "", NOBODY)
        return f"the room is now on: {label}." if measure_id else "the room is on no measure in particular."


class NowDiscussing(w.HTML):
    """On a participant's page: the measure the room is on, so a phone follows the projector."""

    value: str  # the widget's trait (ipywidgets is untyped): annotation only, no class attribute

    def __init__(self, session: WorkshopSession) -> None:
        self.session = session
        self.current: str | None = None
        super().__init__()
        self.add_class("dpup-now")
        self.refresh()

    def refresh(self) -> None:
        self.current = current_measure(self.session)
        names = {i: n for n, i in measure_choices(self.session.indicators, self.session.store.proposals(
            self.session.workshop.id))}  # fmt: skip
        name = names.get(self.current or "")
        value = text_html(("p", f"The room is now discussing: {name}.")) if name else ""
        if value != self.value:
            self.value = value
