"""The Stories page's parts: the stories by domain, marking the one that matters most, the room's choice.

Only what :class:`~dpup_eval.rights.stories.room.StoryRoom` gives reaches the browser: the made-safe words
of stories whose families allowed workshops, with a story number, the domain and the month told; never
the family's reference. Everything typed (reasons, dissent) is escaped. Recording the room's choice
needs the facilitator code, as decisions on measures do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as w

from dpup_eval.errors import DpupEvalError
from dpup_eval.workshop.code_limits import check_facilitator_code
from dpup_eval.workshop.session import WorkshopSession
from dpup_eval.workshop.stories import WorkshopStories
from dpup_eval.workshop.widgets_base import (
    Message,
    button,
    keep_ticked,
    set_options,
    text_html,
    ticked,
)

__all__ = ["MarkForm", "SelectionForm", "StoriesBoard"]


def _attempt(message: Message, action: Callable[[], str]) -> bool:
    """As :meth:`Message.attempt`, with the story register's own errors shown as things to fix."""
    def wrapped() -> str:
        try:
            return action()
        except DpupEvalError as error:
            raise ValueError(str(error)) from None

    return message.attempt(wrapped)


class StoriesBoard(w.VBox):
    """Each domain of change with its stories, the marks people gave them, and the room's choice."""

    def __init__(self, stories: WorkshopStories, **kwargs: Any) -> None:
        self.stories = stories
        self.view = w.HTML()
        super().__init__([self.view], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        room = self.stories.room
        shown, marks, chosen = room.stories(), room.marks(), room.selected()
        parts: list[tuple[str, str] | str] = []
        if not shown:
            parts.append(("p", "No family has agreed to their story being shown in a workshop yet."))
        for domain in self.stories.settings.domains:
            mine = [s for s in shown if s.domain == domain.id]
            if not mine:
                continue
            parts.append(("h3", domain.name))
            for story in mine:
                pick = chosen.get(domain.id)
                head = f"Story {story.number}" + (" – the room's most significant story" if pick and pick.story ==
                                                  story.number else "")
                who = "in the family's own words" if story.source == "family" else "a worker's note of the family's words"
                parts += [("h4", head), ("blockquote", story.text), ("p", f"Told {story.told_in}, {who}.")]
                for m in (m for m in marks if m.story == story.number):
                    parts.append(("p", f"Matters most to {m.participant_name}: {m.reason}"))
                if pick and pick.story == story.number:
                    parts.append(("p", f"Why the room chose it: {pick.reasons}"))
                    if pick.dissenters or pick.dissent:
                        parts.append(("p", f"Disagreed: {', '.join(pick.dissenters) or 'some'}. {pick.dissent}".strip()))
        self.view.value = text_html(*parts, cls="dpup-stories")


class MarkForm(w.VBox):
    """A participant marks the story that matters most to them, saying why in their own words."""

    def __init__(self, session: WorkshopSession, stories: WorkshopStories, on_marked: Callable[[], None] | None = None,
                 **kwargs: Any) -> None:
        self.session, self.stories, self.on_marked = session, stories, on_marked
        self.story = w.Dropdown(description="Which story matters most to you?", style={"description_width": "initial"})
        self.reason = w.Textarea(description="Why it matters to you (in your own words)",
                                 style={"description_width": "initial"})
        self.mark = button("Mark this story", primary=True)
        self.message = Message()
        self.mark.on_click(self.on_mark)
        super().__init__([self.story, self.reason, self.mark, self.message], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        set_options(self.story, [(f"Story {s.number} ({self.stories.domain_name(s.domain)})", s.number)
                                 for s in self.stories.room.stories()])

    def on_mark(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            if self.story.value is None:
                raise ValueError("there is no story to mark yet.")
            self.stories.room.mark(int(self.story.value), participant.id, participant.display_name, self.reason.value)
            self.reason.value = ""
            if self.on_marked is not None:
                self.on_marked()
            return f"your mark on story {self.story.value} is recorded."

        _attempt(self.message, action)


class SelectionForm(w.VBox):
    """For the facilitator: the room's most significant story in a domain, why, who was there, who disagreed."""

    def __init__(self, session: WorkshopSession, stories: WorkshopStories,
                 on_selected: Callable[[], None] | None = None, **kwargs: Any) -> None:
        self.session, self.stories, self.on_selected = session, stories, on_selected
        self.story = w.Dropdown(description="Which story did the room choose as most significant?",
                                style={"description_width": "initial"})
        self.reasons = w.Textarea(description="Why the room chose it (the reasons people gave)",
                                  style={"description_width": "initial"})
        self.present = w.VBox()
        self.dissenters = w.VBox()
        self.dissent = w.Textarea(description="What those who disagreed said (in their words)",
                                  style={"description_width": "initial"})
        self.code = w.Password(description="Facilitator code (only the facilitator records the room's choice)",
                               style={"description_width": "initial"})
        self.record = button("Record the room's choice", primary=True)
        self.message = Message()
        self.record.on_click(self.on_record)
        self._participants: tuple[int, ...] = ()
        super().__init__([
            self.story, self.reasons, w.HTML(text_html(("h3", "Who was present"))), self.present,
            w.HTML(text_html(("h3", "Who disagreed"))), self.dissenters, self.dissent, self.code, self.record,
            self.message,
        ], **kwargs)  # fmt: skip
        self.refresh()

    def refresh(self) -> None:
        set_options(self.story, [(f"Story {s.number} ({self.stories.domain_name(s.domain)})", s.number)
                                 for s in self.stories.room.stories()])
        participants = self.session.store.participants(self.session.workshop.id)
        if tuple(p.id for p in participants) != self._participants:
            self._participants = tuple(p.id for p in participants)
            people = [(p.display_name, p.display_name) for p in participants]
            keep_ticked(self.present, people, value=True)
            keep_ticked(self.dissenters, people, value=False)

    def on_record(self, _: object = None) -> None:
        def action() -> str:
            participant = self.session.participant
            if participant is None:
                raise ValueError("join the workshop first (at the top of the page).")
            if not check_facilitator_code(self.code.value, self.session.facilitator_code):  # limited per device
                raise ValueError("only the facilitator records the room's choice: type the facilitator code "
                                 "(shown when the workshop started).")
            if self.story.value is None:
                raise ValueError("there is no story to choose yet.")
            chosen = self.stories.room.select(
                int(self.story.value), reasons=self.reasons.value, present=ticked(self.present.children),
                dissenters=ticked(self.dissenters.children), dissent=self.dissent.value,
                recorded_by=participant.display_name)
            self.reasons.value = self.dissent.value = self.code.value = ""
            for box in self.dissenters.children:  # the next domain's choice starts with nobody disagreeing
                box.value = False
            if self.on_selected is not None:
                self.on_selected()
            return f"story {chosen.story} is the room's choice for {self.stories.domain_name(chosen.domain)}."

        _attempt(self.message, action)
