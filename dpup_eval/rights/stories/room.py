"""Stories in a workshop: participants mark the ones that matter most to them; the room selects one per domain.

Why this is Most Significant Change: the people involved read the stories of each domain of change, say
which matters most to them and why (in their own words), and the room selects the most significant one
with the reasons recorded; like indicator decisions, those who disagreed and what they said are kept.

Only stories whose families allowed workshops can be marked or selected, checked when it is written as
well as when the page is drawn; a story withdrawn since drops out of :meth:`StoryRoom.stories`, and out of
:meth:`StoryRoom.selected` (and so out of any report written after). The workshop is named by a text
(``workshop_name``): the workshop record is another database, and no key of it is needed here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from pydantic import BaseModel

from dpup_eval.intake.identifiers import find_spans
from dpup_eval.rights.stories.register import SharedStory, StoryError, StoryRegister
from dpup_eval.rights.stories.safety import StoryCheck
from dpup_eval.rights.stories.tables import MARK_TABLE, SELECTION_TABLE

__all__ = ["Mark", "Selection", "StoryRoom", "workshop_name"]

MAX_REASON = 1000


def workshop_name(number: int, name: str, held_on: object) -> str:
    """How a workshop is named in the story register: ``workshop 3: Best foot forward review (2025-06-01)``."""
    return f"workshop {number}: {name} ({held_on})"


class Mark(BaseModel):
    """A participant's mark on a story that matters most to them, with their reason."""

    story: int
    participant: int
    participant_name: str
    reason: str
    marked_at: str


class Selection(BaseModel):
    """The room's most significant story in a domain, why, who was there, who disagreed and what they said."""

    story: int
    domain: str
    reasons: str
    present: list[str]
    dissenters: list[str]
    dissent: str
    recorded_by: str
    recorded_at: str


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _words(text: str, what: str) -> str:
    text = text.strip()
    if not text:
        raise StoryError(f"give {what} in your own words")
    if len(text) > MAX_REASON:
        raise StoryError(f"keep {what} under {MAX_REASON} characters")
    if find_spans(text):
        raise StoryError(f"{what} holds what looks like a name or contact detail; say it without them")
    return text


class StoryRoom:
    """One workshop's view of the story register: what it may show, the marks and the selections."""

    def __init__(self, register: StoryRegister, workshop: str, check: StoryCheck | None = None) -> None:
        self.register = register
        self.workshop = workshop
        self.check = check

    def stories(self, domain: str | None = None) -> list[SharedStory]:
        """The stories whose families allowed workshops (made-safe words, scanned again now)."""
        return self.register.shared("workshop", check=self.check, domains=[domain] if domain else None)

    def _allowed(self, story: int) -> SharedStory:
        found = self.register.shared("workshop", check=self.check, numbers=[story])
        if not found:
            raise StoryError(f"story {story} is not one the families allowed for workshops (or it was taken back)")
        return found[0]

    def mark(self, story: int, participant: int, participant_name: str, reason: str) -> Mark:
        """A participant marks a story as mattering most to them, with their reason (a new mark replaces
        none: each mark is kept, and the latest per participant and story is the one shown)."""
        self._allowed(story)
        mark = Mark(story=story, participant=participant, participant_name=participant_name,
                    reason=_words(reason, "the reason"), marked_at=_now())
        row = {"story_id": story, "workshop": self.workshop, "participant": participant,
               "participant_name": participant_name, "reason": mark.reason, "marked_at": mark.marked_at}
        self.register.run(lambda c: c.execute(MARK_TABLE.insert().values(**row)), write=True)
        return mark

    def marks(self) -> list[Mark]:
        """The latest mark of each participant on each story still allowed, oldest first."""
        allowed = {s.number for s in self.stories()}
        query = sa.select(MARK_TABLE).where(MARK_TABLE.c.workshop == self.workshop).order_by(MARK_TABLE.c.id)
        latest: dict[tuple[int, int], Mark] = {}
        for r in self.register.run(lambda c: c.execute(query).mappings().all()):
            if int(r["story_id"]) in allowed:
                latest[(int(r["story_id"]), int(r["participant"]))] = Mark(
                    story=int(r["story_id"]), participant=int(r["participant"]), participant_name=r["participant_name"],
                    reason=r["reason"], marked_at=r["marked_at"])
        return list(latest.values())

    def select(self, story: int, *, reasons: str, present: Sequence[str], dissenters: Sequence[str] = (),
               dissent: str = "", recorded_by: str) -> Selection:
        """The facilitator records the room's most significant story in its domain (the caller checks the code)."""
        shared = self._allowed(story)
        if not present:
            raise StoryError("tick who was present")
        if dissent.strip():
            dissent = _words(dissent, "what those who disagreed said")
        chosen = Selection(story=story, domain=shared.domain, reasons=_words(reasons, "the room's reasons"),
                           present=list(present), dissenters=list(dissenters), dissent=dissent.strip(),
                           recorded_by=recorded_by, recorded_at=_now())
        row = {"story_id": story, "workshop": self.workshop, "domain": shared.domain, "reasons": chosen.reasons,
               "present": json.dumps(list(present)), "dissenters": json.dumps(list(dissenters)),
               "dissent": chosen.dissent, "recorded_by": recorded_by, "recorded_at": chosen.recorded_at}
        self.register.run(lambda c: c.execute(SELECTION_TABLE.insert().values(**row)), write=True)
        return chosen

    def selected(self) -> dict[str, Selection]:
        """The latest selection per domain, if its story is still allowed for workshops."""
        allowed = {s.number for s in self.stories()}
        query = (sa.select(SELECTION_TABLE).where(SELECTION_TABLE.c.workshop == self.workshop)
                 .order_by(SELECTION_TABLE.c.id))
        latest: dict[str, Selection] = {}
        for r in self.register.run(lambda c: c.execute(query).mappings().all()):
            latest[r["domain"]] = Selection(
                story=int(r["story_id"]), domain=r["domain"], reasons=r["reasons"], present=json.loads(r["present"]),
                dissenters=json.loads(r["dissenters"]), dissent=r["dissent"], recorded_by=r["recorded_by"],
                recorded_at=r["recorded_at"])
        return {d: s for d, s in latest.items() if s.story in allowed}

    def for_report(self) -> list[tuple[Selection, SharedStory]]:
        """The selected stories whose families allowed published reports, with their selection."""
        chosen = self.selected()
        if not chosen:
            return []
        allowed = {s.number: s for s in self.register.shared("report", check=self.check,
                                                             numbers=[c.story for c in chosen.values()])}
        return [(sel, allowed[sel.story]) for sel in chosen.values() if sel.story in allowed]
