"""Families' stories in a workshop: which register, which check, and the stories part of the report.

The server tells each page's kernel where the story register is (:data:`STORIES_ENV`, set by
``dpup-eval workshop --stories``; otherwise ``$DPUP_EVAL_HOME/stories.sqlite`` if there is one). Stories
are checked with the programme's contracts and the group sizes of today's accepted data (the kernel
holds it), so a place or circumstance shared by fewer than k people in the data is caught as it leaves.

Report: only the selected stories whose families allowed published reports, with the room's reasons and
any dissent; writing the report records in the use register which stories it quoted (so families can be
told). Everything is escaped.
"""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dpup_eval.rights.references import ReferencePattern, reference_patterns
from dpup_eval.rights.stories.register import StoryRegister
from dpup_eval.rights.stories.room import StoryRoom, workshop_name
from dpup_eval.rights.stories.safety import GroupSizes
from dpup_eval.rights.stories.settings import STORIES_FILE, StorySettings
from dpup_eval.rights.stories.sharing import story_check
from dpup_eval.rights.stories.tables import default_stories_path
from dpup_eval.rights.uses import UseRegister
from dpup_eval.workshop.kernel_settings import ENV
from dpup_eval.workshop.session import WorkshopSession

__all__ = ["STORIES_ENV", "WorkshopStories", "chosen_stories_html", "record_report_uses", "stories_report_html",
           "workshop_stories"]

STORIES_ENV = ENV["stories"]


@dataclass
class WorkshopStories:
    """The story register as this workshop sees it: its room, and the programme's domains."""

    room: StoryRoom
    settings: StorySettings
    references: list[ReferencePattern]  # the programme's reference shapes, guarding the use register

    def domain_name(self, domain_id: str) -> str:
        return next((d.name for d in self.settings.domains if d.id == domain_id), domain_id)


def workshop_stories(session: WorkshopSession, environ: dict[str, str] | None = None) -> WorkshopStories | None:
    """The workshop's stories, or None when there is no story register or no ``stories.yaml`` for the programme."""
    env = os.environ if environ is None else environ
    target = env.get(STORIES_ENV) or (str(default_stories_path()) if default_stories_path().is_file() else None)
    folder = session.programme.folder
    if target is None or not (folder / STORIES_FILE).is_file():
        return None
    settings = StorySettings.load(folder)
    check = story_check(session.programme, settings)
    sizes = GroupSizes.from_data(session.data, session.contract, "today's workshop data")
    check = type(check)(contracts=check.contracts, references=check.references, sizes=sizes,
                        watch_words=check.watch_words)
    w = session.workshop
    room = StoryRoom(StoryRegister(target), workshop_name(w.id, w.name, w.held_on), check)
    return WorkshopStories(room=room, settings=settings, references=reference_patterns(session.programme))


def chosen_stories_html(session: WorkshopSession, stories: WorkshopStories | None, measure: str | None) -> str:
    """Beside a measure on the findings page: the stories the room chose in the measure's domain of change."""
    if stories is None or measure is None:
        return ""
    try:
        domain = session.indicators.indicator(measure).domain
    except KeyError:  # a measure the room made up today names no domain
        return ""
    pick = stories.room.selected().get(domain) if domain else None
    if pick is None or domain is None:
        return ""
    [story] = stories.room.register.shared("workshop", check=stories.room.check, numbers=[pick.story])
    esc = html.escape
    return (f'<div class="dpup-result"><p><strong>The story the room chose for '
            f"{esc(stories.domain_name(domain))}</strong></p><blockquote>{esc(story.text)}</blockquote>"
            f"<p>Why the room chose it: {esc(pick.reasons)}</p></div>")


def stories_report_html(stories: WorkshopStories | None) -> str:
    """The report's stories section: selected stories allowed for publication, with reasons and dissent."""
    if stories is None:
        return ""
    chosen = stories.room.for_report()
    esc = html.escape
    out = ["<h2>Families' stories the room chose</h2>"]
    if not chosen:
        out.append("<p>No story chosen in this workshop may be published (or none was chosen).</p>")
        return "".join(out)
    out.append("<p>For each domain of change, the room chose the story that mattered most. Each family agreed to "
               "their story being published, in these words (details that could show who they are were taken "
               "out).</p>")
    for selection, story in chosen:
        out.append(f"<h3>{esc(stories.domain_name(selection.domain))}</h3>")
        out.append(f'<blockquote class="reading">{esc(story.text)}</blockquote>')
        who = "In the family's own words" if story.source == "family" else "A worker's note of what the family said"
        out.append(f'<p class="muted">{esc(who)}, {esc(story.told_in)}.</p>')
        out.append(f"<p>Why the room chose it: {esc(selection.reasons)}</p>")
        if selection.dissenters or selection.dissent:
            names = ", ".join(selection.dissenters) or "Some"
            said = f" What was said: {selection.dissent}" if selection.dissent else ""
            out.append(f'<p class="dissent">Disagreed: {esc(names)}.{esc(said)}</p>')
    return "".join(out)


def record_report_uses(stories: WorkshopStories | None, report: Path, uses: UseRegister | None = None) -> list[int]:
    """Record in the use register which stories the written report quoted; returns their numbers."""
    if stories is None:
        return []
    numbers = [story.number for _, story in stories.room.for_report()]
    if numbers:
        (uses or UseRegister()).add(
            used_on=date.today(), kind="report", what=f"Workshop report {report.name}",
            summary=f"The workshop report quoted {len(numbers)} families' stories the room chose (each family "
                    "agreed to publication).", stories=numbers, references=stories.references)
    return numbers
