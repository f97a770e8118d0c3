"""A tender pack: the programme's published findings and the stories whose families agreed to tender use.

Why: the provider in the seeds asks "can we put information about the other families we have helped in
the tender?", and holds sessions with families about "what is reasonable to share in the tender". The
pack holds exactly that and nothing else about other families: published (disclosure-controlled)
findings, each story a family allowed as far as a tender in the made-safe words they saw, and a
statement of how consent was obtained and when each family last confirmed it. No count of the other
stories, no reference to a family or their data.

The pack is recorded in the use register (which stories went into which tender), so each family can be
told where their story went (their access pack lists it). The findings are read from the JSON that
``dpup-eval evaluate --json`` writes (already published: small cells hidden); only overall findings for
all periods are taken, the ones a tender quotes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from pydantic import BaseModel

from dpup_eval.agreement.contract import Agreement
from dpup_eval.errors import DpupEvalError
from dpup_eval.files import write_text
from dpup_eval.rights.notices import render_template
from dpup_eval.rights.references import ReferencePattern
from dpup_eval.rights.stories.register import HOW_ASKED, SharedStory, StoryRegister
from dpup_eval.rights.stories.safety import StoryCheck
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.stories.sharing import question_for
from dpup_eval.rights.uses import UseRegister

__all__ = ["PackStory", "PublishedFinding", "TenderPack", "build_tender_pack", "published_findings",
           "write_tender_pack"]


class PublishedFinding(BaseModel):
    """One overall finding as it was published: its indicator, and the sentence people read."""

    indicator: str
    sentence: str


class PackStory(BaseModel):
    """A story as a tender quotes it, with how its family's consent was obtained."""

    story: SharedStory
    domain_name: str
    consent: str


class TenderPack(BaseModel):
    """Everything the pack holds (rendered to one page)."""

    title: str
    provider: str
    programme: str
    made_on: date
    findings: list[PublishedFinding]
    stories: list[PackStory]
    question: list[str]  # the choices as the family read them (adult words)


def published_findings(paths: list[Path]) -> list[PublishedFinding]:
    """The overall, all-period, shown findings in ``dpup-eval evaluate --json`` files; hidden ones are left out."""
    found: list[PublishedFinding] = []
    for path in paths:
        try:
            raw = json.loads(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DpupEvalError(f"{path}: not readable as published findings (JSON from dpup-eval evaluate "
                                f"--json): {type(exc).__name__}") from None
        if not isinstance(raw, list) or not all(isinstance(f, dict) and "sentence" in f and "suppressed" in f
                                                for f in raw):
            raise DpupEvalError(f"{path}: not the findings JSON that dpup-eval evaluate --json writes")
        for f in raw:
            if f["suppressed"] or f.get("group") or f.get("period") is not None:
                continue
            found.append(PublishedFinding(indicator=str(f.get("indicator_name") or f.get("indicator")),
                                          sentence=str(f["sentence"])))
    return found


def consent_statement(story: SharedStory) -> str:
    """How and when the family agreed, in one sentence (the pack's statement for each story)."""
    words = "the adult words" if story.asked_with == "adult" else "the children's words"
    said = (f"The family chose on {story.chosen_on:%-d %B %Y}, asked {HOW_ASKED.get(story.how, story.how)} "
            f"with {words}, after seeing the story with identifying details taken out")
    if story.last_confirmed != story.chosen_on:
        return f"{said}; they last confirmed it on {story.last_confirmed:%-d %B %Y}."
    return f"{said}; it was last confirmed then."


def build_tender_pack(register: StoryRegister, agreement: Agreement, settings: StorySettings, check: StoryCheck,
                      findings: list[Path], *, title: str) -> TenderPack:
    """The pack: published findings and only the stories allowed for tenders (re-checked as they leave)."""
    if not title.strip():
        raise DpupEvalError("give the tender a title (what the provider is applying for)")
    contract = agreement.for_purpose(agreement.purposes[0])
    stories = [PackStory(story=s, domain_name=settings.domain(s.domain).name, consent=consent_statement(s))
               for s in register.shared("tender", check=check)]
    [choices] = [s for s in question_for(agreement, "adult").sections if s.key == "choice"]
    return TenderPack(title=title.strip(), provider=contract.provider, programme=contract.programme,
                      made_on=date.today(), findings=published_findings(findings), stories=stories,
                      question=[text for _, text in choices.blocks[0].items])


def write_tender_pack(pack: TenderPack, out: Path, uses: UseRegister, *, references: Sequence[ReferencePattern]) -> Path:
    """Write the pack (one standalone HTML page, owner-only) and record in the use register which stories went in.

    ``references``: the programme's reference shapes (:func:`~dpup_eval.rights.references.reference_patterns`);
    the use register refuses an entry naming one (a title with a family's reference in it, say).
    """
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise DpupEvalError(f"{out}: the tender pack is written as an HTML page; give a name ending in .html")
    write_text(out, render_template("stories_tender.html.j2", pack=pack))
    uses.add(used_on=pack.made_on, kind="funding", what=f"Tender pack: {pack.title}",
             summary=f"{pack.provider} put {len(pack.findings)} published finding(s) and {len(pack.stories)} "
                     "families' stories (each family agreed to tender use) into a tender.",
             findings=[f.sentence for f in pack.findings], stories=[s.story.number for s in pack.stories],
             references=references)
    return out
