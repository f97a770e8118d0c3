"""The story register: families' stories, kept with each family's choice of how far they may go.

Why: numbers alone miss what matters to families, and the families in the service-provider journey
"want to be part of" showing how the programme helps. Their stories are evidence, but personal: a story
goes only as far as its family agreed, in the words the family saw, with identifying details taken out.

The journey of one story, each step a new row (history kept, nothing overwritten):

1. **recorded** by the provider: the family's reference (as the provider knows them; it never leaves the
   register), the day it was told, the domain of change it speaks to, whether these are the family's own
   words or a worker's note of them, and the words. The identifier scan runs at once and the made-safe
   words are kept beside the original, with what could still pick someone out flagged
   (:mod:`~dpup_eval.rights.stories.safety`).
2. **reviewed**: a person looks at the made-safe words beside the original (the family too, where they
   want) and approves them to travel, or holds them back. Flags need a reason to be approved as they are;
   otherwise the story is reworded.
3. **revised** with the family when it should be shorter or say less: a new version, scanned again. The
   family's earlier choice was about other words, so the story stays with the provider until the family
   chooses again for the new ones.
4. **chosen**: the family's choice of level (:mod:`~dpup_eval.rights.stories.levels`), asked in adult or
   child words, how, and when; **confirmed** when asked again with the same answer; **changed**; or
   **withdrawn** at any time. A choice beyond the provider needs the current words approved first.

What any output may use is :meth:`StoryRegister.shared`: only stories whose current, approved words the
family allowed at that level, each re-checked by the scan as it leaves, without the family's reference.
The audit log gets story numbers and levels, never words or references.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel

from dpup_eval.audit import AuditLog, configured_actor, record_use
from dpup_eval.errors import DpupEvalError
from dpup_eval.intake.identifiers import find_spans
from dpup_eval.records import inserted_id
from dpup_eval.rights.registers import target_of
from dpup_eval.rights.stories.levels import WITHDRAWN, Level, level_rank, parse_level
from dpup_eval.rights.stories.safety import Flag, StoryCheck, redact_story
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.stories.tables import (
    CONSENT_TABLE,
    REVIEW_TABLE,
    STORY_TABLE,
    VERSION_TABLE,
    default_stories_path,
    open_stories,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

__all__ = [
    "HOW_ASKED",
    "ConsentEvent",
    "Review",
    "SharedStory",
    "Story",
    "StoryError",
    "StoryRegister",
    "StoryVersion",
]

T = TypeVar("T")
MAX_STORY_CHARS = 5000
Source = Literal["family", "worker"]
AskedWith = Literal["adult", "child"]
#: How a family was asked (plain words in the tender pack's statement).
HOW_ASKED: dict[str, str] = {
    "in_person": "in person", "phone": "by phone", "video": "by video call", "writing": "in writing",
    "interpreter": "in person, with an interpreter",
}  # fmt: skip


class StoryError(DpupEvalError):
    """A step that cannot be taken with a story (unknown number, no approved words, empty text...)."""


class StoryVersion(BaseModel):
    """One wording of a story: as told, made safe, what was taken out and what was flagged."""

    version: int
    original: str
    redacted: str
    removed: dict[str, int]
    flags: list[dict[str, str]]
    checked_with: str
    reason: str
    with_family: bool
    made_by: str
    made_at: str

    @property
    def flag_list(self) -> list[Flag]:
        return [Flag.from_dict(f) for f in self.flags]


class Review(BaseModel):
    """A person's look at one version's made-safe words beside the original."""

    version: int
    decision: Literal["approved", "held"]
    family_saw: bool
    flags_reason: str | None
    reviewed_by: str
    reviewed_at: str


class ConsentEvent(BaseModel):
    """One answer from the family, for the words of ``version``."""

    version: int
    level: str  # a Level, or "withdrawn"
    event: Literal["chosen", "changed", "confirmed", "withdrawn"]
    asked_with: AskedWith
    how: str
    given_on: date
    note: str | None
    recorded_by: str
    recorded_at: str


class Story(BaseModel):
    """A story with its whole history; the properties say where it stands now."""

    id: int
    family_ref: str
    told_on: date
    domain: str
    source: Source
    recorded_by: str
    recorded_at: str
    versions: list[StoryVersion]
    reviews: list[Review]
    consents: list[ConsentEvent]

    @property
    def current(self) -> StoryVersion:
        return self.versions[-1]

    @property
    def choice(self) -> ConsentEvent | None:
        """The family's latest answer (None: not asked yet, so it stays with the provider)."""
        return self.consents[-1] if self.consents else None

    @property
    def review(self) -> Review | None:
        """The latest review of the current words."""
        mine = [r for r in self.reviews if r.version == self.current.version]
        return mine[-1] if mine else None

    @property
    def approved(self) -> bool:
        return self.review is not None and self.review.decision == "approved"

    @property
    def withdrawn(self) -> bool:
        return self.choice is not None and self.choice.level == WITHDRAWN

    @property
    def level(self) -> str:
        """How far the story may go now: the family's choice, if it was for these approved words;
        "provider" otherwise; "withdrawn" if the family took it back."""
        choice = self.choice
        if choice is None:
            return "provider"
        if choice.level == WITHDRAWN:
            return WITHDRAWN
        if choice.version != self.current.version or not self.approved:
            return "provider"
        return choice.level

    def allows(self, level: str) -> bool:
        return level_rank(self.level) >= level_rank(level)

    @property
    def last_confirmed(self) -> date | None:
        """When the family last gave or confirmed its current choice."""
        return self.choice.given_on if self.choice is not None else None

    def waiting_for(self) -> list[str]:
        """What stands between the family's choice and the story going that far (empty: nothing)."""
        choice = self.choice
        if choice is None or choice.level in (WITHDRAWN, "provider"):
            return []
        waiting = []
        if choice.version != self.current.version:
            waiting.append(f"the family has not chosen for the words of version {self.current.version} yet")
        if self.review is None:
            waiting.append(f"nobody has reviewed the made-safe words of version {self.current.version}")
        elif not self.approved:
            waiting.append(f"the made-safe words of version {self.current.version} are held back")
        return waiting


class SharedStory(BaseModel):
    """A story as it may leave the register: made-safe words, no reference to the family or their data."""

    number: int
    domain: str
    told_in: str
    source: Source
    text: str
    level: Level
    asked_with: AskedWith
    how: str
    chosen_on: date
    last_confirmed: date


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise StoryError("the story is empty: give the family's words (or the worker's note of them)")
    if len(text) > MAX_STORY_CHARS:
        raise StoryError(f"the story is {len(text)} characters long; keep it under {MAX_STORY_CHARS} (shorten it "
                         "with the family, or record it in parts)")
    return text


class StoryRegister:
    """The register at ``path`` (default ``$DPUP_EVAL_HOME/stories.sqlite``): a SQLite file or a PostgreSQL URL."""

    def __init__(self, path: Path | str | None = None, audit: AuditLog | Path | None = None):
        self.path = target_of(path, default_stories_path())
        self.audit = audit if isinstance(audit, AuditLog) or audit is None else AuditLog(audit)

    def run(self, body: Callable[[Connection], T], *, write: bool = False) -> T:
        """``body(conn)`` in one transaction on the register (what :mod:`.room` builds on)."""
        with open_stories(self.path) as db:
            return db.transaction(body, write=write)

    def _audit(self, action: str, **details: int | str) -> None:
        record_use(action, details=details, log=self.audit)  # story numbers and levels only

    # -- recording ---------------------------------------------------------------------------------------
    def record(self, *, family_ref: str, told_on: date, domain: str, text: str, settings: StorySettings,
               check: StoryCheck, source: Source = "family", recorded_by: str | None = None) -> Story:
        """Record a story (kept by the provider only until the family chooses); the scan runs at once."""
        family_ref = family_ref.strip()
        if not family_ref or len(family_ref) > 60 or any(c.isspace() for c in family_ref):
            raise StoryError("give the family's reference as the provider knows it (e.g. CCSS-00007), one word")
        if find_spans(family_ref):
            raise StoryError("the family's reference looks like a name or a contact detail; give the reference "
                             "the provider knows the family by, never who they are")
        settings.domain(domain)
        if source not in ("family", "worker"):
            raise StoryError(f"say whose words these are: family or worker, not {source!r}")
        if told_on > date.today():
            raise StoryError(f"the story cannot have been told on {told_on}, a day still to come")
        text = _clean_text(text)
        redaction, flags = check.make_safe(text, family_ref)
        who = recorded_by or configured_actor()[0]
        now = _now()

        def body(conn: Connection) -> int:
            story_id = inserted_id(conn.execute(STORY_TABLE.insert().values(
                family_ref=family_ref, told_on=told_on.isoformat(), domain=domain, source=source, recorded_by=who,
                recorded_at=now)))
            conn.execute(VERSION_TABLE.insert().values(_version_row(story_id, 1, text, redaction.text,
                         redaction.removed, flags, check, "recorded", True, who, now)))
            return story_id

        story_id = self.run(body, write=True)
        self._audit("story.record", story=story_id, domain=domain)
        return self.get(story_id)

    def revise(self, story_id: int, text: str, *, reason: str, with_family: bool, check: StoryCheck,
               by: str | None = None) -> Story:
        """New words for a story (shortened or reworded); the old ones stay in its history."""
        if not reason.strip():
            raise StoryError("say why the story is reworded (e.g. 'shortened with the family')")
        text = _clean_text(text)
        story = self.get(story_id)
        redaction, flags = check.make_safe(text, story.family_ref)
        who, now = by or configured_actor()[0], _now()
        version = story.current.version + 1
        self.run(lambda c: c.execute(VERSION_TABLE.insert().values(_version_row(
            story_id, version, text, redaction.text, redaction.removed, flags, check, reason.strip(), with_family,
            who, now))), write=True)  # fmt: skip
        self._audit("story.revise", story=story_id, version=version)
        return self.get(story_id)

    def review(self, story_id: int, *, approve: bool, family_saw: bool = False, flags_reason: str | None = None,
               by: str | None = None) -> Story:
        """Approve the current made-safe words to travel, or hold them back.

        Words with flags are approved only when the family saw them and a person gives the reason: the
        question the family is asked promises that someone checks with them when they could be recognised.
        """
        story = self.get(story_id)
        flags = story.current.flag_list
        reason = (flags_reason or "").strip() or None
        if approve and flags and (reason is None or not family_saw):
            kinds = ", ".join(sorted({f.kind.replace("_", " ") for f in flags}))
            raise StoryError(f"story {story_id} has {len(flags)} thing(s) that could pick someone out ({kinds}): "
                             "check it with the family and say why it is fine to share as it is (the family saw it, "
                             "and a person's reason), or reword it with the family")
        decision = "approved" if approve else "held"
        row = {"story_id": story_id, "version": story.current.version, "decision": decision,
               "family_saw": int(family_saw), "flags_reason": reason, "reviewed_by": by or configured_actor()[0],
               "reviewed_at": _now()}
        self.run(lambda c: c.execute(REVIEW_TABLE.insert().values(**row)), write=True)
        self._audit("story.review", story=story_id, version=story.current.version, decision=decision)
        return self.get(story_id)

    def choose(self, story_id: int, level: str, *, asked_with: AskedWith, how: str, given_on: date,
               note: str | None = None) -> Story:
        """Record the family's choice for the current words (chosen, changed or confirmed)."""
        chosen = parse_level(level)
        story = self.get(story_id)
        if level_rank(chosen) > 0 and not story.approved:
            raise StoryError(f"story {story_id}: the made-safe words of version {story.current.version} have not been "
                             "approved to travel; review them (beside the original) before the family's choice "
                             "can take the story beyond the provider")
        previous = story.choice
        if previous is None:
            event = "chosen"
        elif previous.level == chosen and previous.version == story.current.version:
            event = "confirmed"
        else:
            event = "changed"
        return self._answer(story, chosen, event, asked_with, how, given_on, note)

    def withdraw(self, story_id: int, *, asked_with: AskedWith, how: str, given_on: date,
                 note: str | None = None) -> Story:
        """The family takes the story back: from now on it goes nowhere, and that is recorded."""
        story = self.get(story_id)
        if story.withdrawn:
            raise StoryError(f"story {story_id} was already withdrawn on {story.choice.given_on}")  # type: ignore[union-attr]
        return self._answer(story, WITHDRAWN, "withdrawn", asked_with, how, given_on, note)

    def _answer(self, story: Story, level: str, event: str, asked_with: str, how: str, given_on: date,
                note: str | None) -> Story:
        if asked_with not in ("adult", "child"):
            raise StoryError(f"say which words the family was asked with: adult or child, not {asked_with!r}")
        if how not in HOW_ASKED:
            raise StoryError(f"say how the family was asked: one of {', '.join(HOW_ASKED)}, not {how!r}")
        if given_on > date.today() or given_on < story.told_on:
            raise StoryError(f"the family's answer cannot be dated {given_on}: between the day the story was told "
                             f"({story.told_on}) and today")
        if note and find_spans(note):
            raise StoryError("the note holds what looks like a name or contact detail; keep notes free of them")
        row = {"story_id": story.id, "version": story.current.version, "level": level, "event": event,
               "asked_with": asked_with, "how": how, "given_on": given_on.isoformat(), "note": (note or "").strip() or None,
               "recorded_by": configured_actor()[0], "recorded_at": _now()}
        self.run(lambda c: c.execute(CONSENT_TABLE.insert().values(**row)), write=True)
        self._audit(f"story.{event}", story=story.id, level=level)
        return self.get(story.id)

    # -- reading -----------------------------------------------------------------------------------------
    def get(self, story_id: int) -> Story:
        found = self.run(lambda c: _load(c, [story_id]))
        if not found:
            raise StoryError(f"there is no story number {story_id} in {self.path}")
        return found[0]

    def stories(self, *, family_ref: str | None = None, domain: str | None = None) -> list[Story]:
        """Every story (optionally one family's, or one domain's), oldest first, with its history."""
        query = sa.select(STORY_TABLE.c.id).order_by(STORY_TABLE.c.id)
        if family_ref is not None:
            query = query.where(STORY_TABLE.c.family_ref == family_ref.strip())
        if domain is not None:
            query = query.where(STORY_TABLE.c.domain == domain)

        def body(conn: Connection) -> list[Story]:
            return _load(conn, [int(i) for i in conn.execute(query).scalars()])

        return self.run(body)

    def shared(self, level: str, *, check: StoryCheck | None = None, domains: Sequence[str] | None = None,
               numbers: Sequence[int] | None = None) -> list[SharedStory]:
        """The stories allowed at ``level`` or further, as they may leave: their approved, made-safe words,
        scanned again now (with ``check``'s reference shapes when given), and nothing that links them
        to the family or the family's data."""
        wanted = parse_level(level)
        if wanted == "provider":
            raise StoryError("a story kept by the provider only is not shared; the provider's own view is stories()")
        out = []
        for story in self.stories():
            if not story.allows(wanted) or (domains is not None and story.domain not in domains):
                continue
            if numbers is not None and story.id not in numbers:
                continue
            choice = story.choice
            assert choice is not None  # allowed beyond the provider: the family chose
            text = redact_story(story.current.redacted, check.references if check else (), story.family_ref).text
            first = next(c.given_on for c in story.consents if c.version == choice.version and c.level == choice.level
                         and c.event != "confirmed")  # fmt: skip
            out.append(SharedStory(
                number=story.id, domain=story.domain, told_in=story.told_on.strftime("%B %Y"), source=story.source,
                text=text, level=choice.level, asked_with=choice.asked_with, how=choice.how,  # type: ignore[arg-type]
                chosen_on=first, last_confirmed=choice.given_on))
        return out


def _version_row(story_id: int, version: int, text: str, redacted: str, removed: Mapping[str, int],
                 flags: Sequence[Flag], check: StoryCheck, reason: str, with_family: bool, who: str,
                 now: str) -> dict[str, Any]:
    return {"story_id": story_id, "version": version, "original": text, "redacted": redacted,
            "removed": json.dumps(dict(removed)), "flags": json.dumps([f.to_dict() for f in flags], ensure_ascii=False),
            "checked_with": check.describe(), "reason": reason, "with_family": int(with_family), "made_by": who,
            "made_at": now}


def _load(conn: Connection, ids: Sequence[int]) -> list[Story]:
    if not ids:
        return []
    stories = conn.execute(sa.select(STORY_TABLE).where(STORY_TABLE.c.id.in_(ids)).order_by(STORY_TABLE.c.id)).mappings().all()

    def rows(table: sa.Table) -> dict[int, list[sa.RowMapping]]:
        grouped: dict[int, list[sa.RowMapping]] = {}
        for row in conn.execute(sa.select(table).where(table.c.story_id.in_(ids)).order_by(table.c.id)).mappings():
            grouped.setdefault(int(row["story_id"]), []).append(row)
        return grouped

    versions, reviews, consents = rows(VERSION_TABLE), rows(REVIEW_TABLE), rows(CONSENT_TABLE)
    out = []
    for s in stories:
        sid = int(s["id"])
        out.append(Story.model_validate(dict(s) | {
            "versions": [dict(v) | {"removed": json.loads(v["removed"]), "flags": json.loads(v["flags"]),
                                    "with_family": bool(v["with_family"])} for v in versions.get(sid, [])],
            "reviews": [dict(r) | {"family_saw": bool(r["family_saw"])} for r in reviews.get(sid, [])],
            "consents": consents.get(sid, []),
        }))  # fmt: skip
    return out

