"""A family's own stories as their access pack shows them: the words, their choices, and where each went.

Why: the family was promised "we tell you where your story has been used" (the question they were asked),
and under IPP 6 a family may see everything held about them, their stories included. Where a story went
comes from the use register (which stories each report or tender quoted), not from the family's memory.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from dpup_eval.rights.stories.levels import level_words
from dpup_eval.rights.stories.register import HOW_ASKED, StoryRegister
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.uses import UseRegister

__all__ = ["FamilyStory", "family_stories"]

_EVENT = {"chosen": "You chose", "changed": "You changed your choice to", "confirmed": "You said again",
          "withdrawn": "You took your story back"}


class FamilyStory(BaseModel):
    """One of the family's stories, for their access pack (adult and child words side by side)."""

    number: int
    told_on: date
    domain: str
    domain_child: str
    words: str  # as the family told it (their own information)
    shared_words: str  # the made-safe words others may see
    choice_adult: str
    choice_child: str
    history: list[str]
    went_to: list[str]


def family_stories(register: StoryRegister, family_ref: str, settings: StorySettings | None, uses: UseRegister | None,
                   *, provider: str, evaluators: str) -> list[FamilyStory]:
    """Every story recorded under ``family_ref`` (withdrawn ones too: they are still held, and said so)."""
    out = []
    for story in register.stories(family_ref=family_ref):
        domain = settings.domain(story.domain) if settings is not None else None
        history = []
        for c in story.consents:
            what = "" if c.event == "withdrawn" else " " + level_words(c.level, "adult", provider=provider,
                                                                       evaluators=evaluators)
            history.append(f"{c.given_on:%-d %B %Y}: {_EVENT[c.event]}{':' if what else '.'}{what} "
                           f"(asked {HOW_ASKED.get(c.how, c.how)})")
        went = [f"{u.used_on:%-d %B %Y}: {u.what}" for u in (uses.list(story=story.id) if uses is not None else [])]
        out.append(FamilyStory(
            number=story.id, told_on=story.told_on, domain=domain.name if domain else story.domain,
            domain_child=(domain.child_name or domain.name) if domain else story.domain,
            words=story.current.original, shared_words=story.current.redacted,
            choice_adult=level_words(story.level, "adult", provider=provider, evaluators=evaluators),
            choice_child=level_words(story.level, "child", provider=provider, evaluators=evaluators),
            history=history, went_to=sorted(went)))
    return out
