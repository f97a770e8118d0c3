"""`dpup-eval stories ...` and `dpup-eval tender-pack`: families' stories, shared only as far as each agreed.

Thin commands over :mod:`dpup_eval.rights.stories`: parse options, call the register, print. The
programme folder (``--programme``) holds ``stories.yaml`` (domains of change, watch
list) beside the contracts. Story words are shown only by ``stories show``, to the provider reviewing them
(original beside the made-safe words); every other command prints numbers, domains and levels.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.cli.common import LogOpt, OptionGroup, grouped, parse_day, say
from dpup_eval.cli.programme_option import ContractAliasOpt, ProgrammeOpt, resolve_programme
from dpup_eval.errors import DpupEvalError

__all__ = ["register", "stories_app", "tender_pack"]

stories_app = typer.Typer(help="Families' stories: record them, make them safe, and keep each family's choice of "
                               "how far they may go.", no_args_is_help=True)

StoriesOpt = Annotated[str | None, typer.Option("--stories", help="The story register: a SQLite file or a "
                                                "postgresql:// URL. Default: $DPUP_EVAL_HOME/stories.sqlite.")]
DataOpt = Annotated[Path | None, typer.Option("--data", help="Accepted evaluation data (CSV) to count small groups "
                                              "from. Without it every mention of a region, age group etc. is "
                                              "flagged 'group size unknown' for a person to decide.")]
AskedOpt = Annotated[str, typer.Option("--asked-with", help="Which words the family was asked with: adult or child.")]
HowOpt = Annotated[str, typer.Option("--how", help="How they were asked: in_person, phone, video, writing or "
                                     "interpreter.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="The day the family answered (default today), e.g. 2025-03-11.")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A short note (no names or contact details).")]
TextOpt = Annotated[str | None, typer.Option("--text", help="The story's words.")]
FileOpt = Annotated[Path | None, typer.Option("--file", help="A UTF-8 text file with the story's words.")]


@dataclass(frozen=True)
class NewWords(OptionGroup):
    """A story's new words and what they are checked against (``record`` and ``reword``)."""

    text: TextOpt = None
    file: FileOpt = None
    programme: ProgrammeOpt = None
    contract: ContractAliasOpt = None
    data: DataOpt = None
    stories: StoriesOpt = None
    log: LogOpt = None

    def words(self) -> str:
        return _words(self.text, self.file)

    def programme_check(self):  # -> (Agreement, StorySettings, StoryCheck)
        return _programme(self.programme, self.contract, self.data)

    def register(self):  # -> StoryRegister
        return _register(self.stories, self.log)


def _words(text: str | None, file: Path | None) -> str:
    if (text is None) == (file is None):
        raise typer.BadParameter("give the story's words with --text or --file (one of them)")
    if file is None:
        return str(text)
    try:
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DpupEvalError(f"--file {file}: cannot be read as UTF-8 text ({type(exc).__name__})") from None


def _programme(programme: Path | None, contract: Path | None, data: Path | None = None):
    """The programme (its folder holds stories.yaml), its story settings and the story check."""
    from dpup_eval.rights.stories.settings import StorySettings
    from dpup_eval.rights.stories.sharing import story_check

    agreement = resolve_programme(programme, contract)
    settings = StorySettings.load(agreement.folder)
    if data is None:
        return agreement, settings, story_check(agreement, settings)
    return agreement, settings, story_check(agreement, settings, data, purpose=agreement.workshop_purpose())


def _audit(log: Path | None):  # -> AuditLog | None
    from dpup_eval.audit import AuditLog

    return AuditLog(log) if log is not None else None


def _register(stories: str | None, log: Path | None):  # -> StoryRegister
    from dpup_eval.rights.stories.register import StoryRegister

    return StoryRegister(stories, audit=log)


def _side_by_side(left: str, right: str, width: int = 48) -> str:
    """The original and the made-safe words in two columns, paragraph breaks kept."""
    def lines(text: str) -> list[str]:
        out: list[str] = []
        for para in text.split("\n"):
            out.extend(textwrap.wrap(para, width) or [""])
        return out

    a, b = lines(left), lines(right)
    a += [""] * (len(b) - len(a))
    b += [""] * (len(a) - len(b))
    rows = [f"{'As told':<{width}} | Made safe (what may travel)", f"{'-' * width}-+-{'-' * width}"]
    rows += [f"{x:<{width}} | {y}" for x, y in zip(a, b, strict=True)]
    return "\n".join(rows)


def _status(story) -> str:  # story: Story
    from dpup_eval.rights.stories.levels import WITHDRAWN

    if story.level == WITHDRAWN:
        return "withdrawn"
    choice = story.choice
    wanted = f" (family chose {choice.level}; waiting)" if choice and choice.level != story.level else ""
    return f"may go to: {story.level}{wanted}"


def _show(story) -> None:  # story: Story
    v = story.current
    print(f"Story {story.id}: {story.domain}, told {story.told_on}, "
          f"{'the family' if story.source == 'family' else 'a worker'}'s words; version {v.version}")
    print(_side_by_side(v.original, v.redacted))
    if v.removed:
        print("Taken out: " + ", ".join(f"{kind} x{n}" for kind, n in sorted(v.removed.items())))
    for f in v.flag_list:
        print(f"FLAG ({f.kind.replace('_', ' ')}): {f.why}")
    print(f"Checked with: {v.checked_with}")
    review = story.review
    print("Review: " + (f"{review.decision} by {review.reviewed_by} on {review.reviewed_at[:10]}"
                        + (" (the family saw it)" if review.family_saw else "") if review else "not reviewed yet"))
    print(_status(story))
    for waiting in story.waiting_for():
        print(f"  waiting: {waiting}")


@stories_app.command("record")
@grouped
def stories_record(
    family: Annotated[str, typer.Option("--family", help="The family's reference as the provider knows it "
                                        "(e.g. CCSS-00007); it never leaves the register.")],
    domain: Annotated[str, typer.Option("--domain", help="The domain of change it speaks to (an id from "
                                        "stories.yaml, e.g. parent_confidence).")],
    told: Annotated[str | None, typer.Option("--told", help="The day the story was told (default today).")] = None,
    worker: Annotated[bool, typer.Option("--worker", help="These are a worker's notes of what the family said, "
                                         "not the family's own words.")] = False,
    *,
    given: NewWords,
) -> None:
    """Record a story (kept by the provider only until the family chooses); the identifier scan runs at once."""
    _, settings, check = given.programme_check()
    story = given.register().record(family_ref=family, told_on=parse_day(told, "--told"), domain=domain,
                                    text=given.words(), settings=settings, check=check,
                                    source="worker" if worker else "family")
    _show(story)
    say(f"Story {story.id} recorded. Next: review the made-safe words with the family "
        f"(dpup-eval stories review {story.id} --approve), then record their choice (stories choose).")


@stories_app.command("show")
def stories_show(
    number: Annotated[int, typer.Argument(help="The story number.")],
    history: Annotated[bool, typer.Option("--history", help="Also list every earlier version and choice.")] = False,
    stories: StoriesOpt = None,
    log: LogOpt = None,
) -> None:
    """The story's words as told beside the made-safe words, what was taken out and flagged, and where it stands."""
    story = _register(stories, log).get(number)
    _show(story)
    if history:
        for v in story.versions[:-1]:
            print(f"version {v.version} ({v.made_at[:10]}, {v.reason}):")
            print(textwrap.indent(_side_by_side(v.original, v.redacted), "    "))
        for c in story.consents:
            print(f"{c.given_on} {c.event}: {c.level} (version {c.version}, asked {c.how} with {c.asked_with} words)")


@stories_app.command("sheet")
def stories_sheet(
    number: Annotated[int, typer.Argument(help="The story number.")],
    out: Annotated[Path, typer.Option("--out", help="The page to write (HTML, owner-only: it holds the family's "
                                      "own words).")],
    audience: Annotated[str, typer.Option("--audience", help="adult or child.")] = "adult",
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    stories: StoriesOpt = None,
    log: LogOpt = None,
) -> None:
    """A page to go through with the family before they choose: their words beside the made-safe words,
    and the question with its choices (adult or child words)."""
    from dpup_eval.files import write_text
    from dpup_eval.rights.stories.sharing import consent_sheet

    agreement, _, _ = _programme(programme, contract)
    print(write_text(out, consent_sheet(_register(stories, log).get(number), agreement, audience)))


@stories_app.command("export")
def stories_export(
    out: Annotated[Path, typer.Argument(help="The JSON file to write (owner-only).")],
    level: Annotated[str, typer.Option("--level", help="Who it is for: evaluation (the agency's evaluation team), "
                                       "workshop, report or tender. Only stories allowed that far go in.")],
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    stories: StoriesOpt = None,
    log: LogOpt = None,
) -> None:
    """Export the stories allowed at a level (made-safe words, no family reference), e.g. for the evaluation team."""
    import json

    from dpup_eval.audit import record_use
    from dpup_eval.files import write_text

    _, _, check = _programme(programme, contract)
    shared = _register(stories, log).shared(level, check=check)
    write_text(out, json.dumps([s.model_dump(mode="json") for s in shared], ensure_ascii=False, indent=2) + "\n")
    record_use("story.export", details={"level": level, "stories": len(shared)},
               log=_audit(log))
    print(out)
    say(f"{len(shared)} stories allowed for '{level}' written (made-safe words; no family reference).")


@stories_app.command("list")
def stories_list(
    domain: Annotated[str | None, typer.Option("--domain", help="Only this domain of change.")] = None,
    family: Annotated[str | None, typer.Option("--family", help="Only this family's stories.")] = None,
    stories: StoriesOpt = None,
    log: LogOpt = None,
) -> None:
    """Every story: number, domain, when told, how far it may go, and anything it is waiting for."""
    found = _register(stories, log).stories(family_ref=family, domain=domain)
    if not found:
        print("No stories recorded.")
    for s in found:
        flags = len(s.current.flag_list)
        print(f"{s.id}\t{s.domain}\ttold {s.told_on}\tv{s.current.version}\t{_status(s)}"
              + (f"\t{flags} flag(s)" if flags else ""))


@stories_app.command("review")
def stories_review(
    number: Annotated[int, typer.Argument(help="The story number.")],
    approve: Annotated[bool, typer.Option("--approve/--hold", help="Approve the made-safe words to travel, or hold "
                                          "them back.")],
    family_saw: Annotated[bool, typer.Option("--family-saw", help="The family saw the made-safe words beside "
                                             "their own.")] = False,
    reason: Annotated[str | None, typer.Option("--reason", help="Why flagged words are fine to share as they are "
                                               "(a person's decision; needs --family-saw).")] = None,
    stories: StoriesOpt = None,
    log: LogOpt = None,
) -> None:
    """Approve the current made-safe words (after looking at them beside the original), or hold them back."""
    story = _register(stories, log).review(number, approve=approve, family_saw=family_saw, flags_reason=reason)
    print(f"Story {number} version {story.current.version}: {story.review.decision}. {_status(story)}")


@stories_app.command("reword")
@grouped
def stories_reword(
    number: Annotated[int, typer.Argument(help="The story number.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (e.g. 'shortened with the family').")],
    with_family: Annotated[bool, typer.Option("--with-family/--without-family", help="Reworded with the family "
                                              "(default) or by the provider alone.")] = True,
    *,
    given: NewWords,
) -> None:
    """New words for a story (shorter, or saying less); the old ones stay, and the family chooses again."""
    _, _, check = given.programme_check()
    story = given.register().revise(number, given.words(), reason=reason, with_family=with_family, check=check)
    _show(story)


@dataclass(frozen=True)
class FamilyAnswer(OptionGroup):
    """How the family was asked and when they answered (``choose`` and ``withdraw``)."""

    asked_with: AskedOpt = "adult"
    how: HowOpt = "in_person"
    on: OnOpt = None
    note: NoteOpt = None
    stories: StoriesOpt = None
    log: LogOpt = None

    def asked(self) -> dict[str, object]:
        """The register's keyword arguments for the answer."""
        return {"asked_with": self.asked_with, "how": self.how, "given_on": parse_day(self.on, "--on"),
                "note": self.note}

    def register(self):  # -> StoryRegister
        return _register(self.stories, self.log)


@stories_app.command("choose")
@grouped
def stories_choose(
    number: Annotated[int, typer.Argument(help="The story number.")],
    level: Annotated[str, typer.Argument(help="How far it may go: provider, evaluation, workshop, report or tender "
                                         "(each includes the ones before it).")],
    *,
    answer: FamilyAnswer,
) -> None:
    """Record the family's choice for the current words (chosen, changed, or confirmed when asked again)."""
    story = answer.register().choose(number, level, **answer.asked())
    print(f"Story {number}: {story.choice.event} {level}. {_status(story)}")


@stories_app.command("withdraw")
@grouped
def stories_withdraw(
    number: Annotated[int, typer.Argument(help="The story number.")],
    *,
    answer: FamilyAnswer,
) -> None:
    """The family takes the story back: it goes nowhere from now on (what is already published stays out there)."""
    answer.register().withdraw(number, **answer.asked())
    print(f"Story {number} withdrawn: it is out of every workshop, report and tender pack not yet published.")


@stories_app.command("question")
def stories_question(
    audience: Annotated[str, typer.Option("--audience", help="adult or child.")] = "adult",
    fmt: Annotated[str, typer.Option("--format", help="html or md.")] = "html",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of printing.")] = None,
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
) -> None:
    """The question put to a family about their story, in adult or child words, with its readability."""
    from dpup_eval.cli.rights import write_notice
    from dpup_eval.rights.stories.sharing import question_for

    if fmt not in ("html", "md"):
        raise typer.BadParameter(f"--format must be html or md, not {fmt!r}")
    write_notice(question_for(resolve_programme(programme, contract), audience), fmt, out, "Question")


def tender_pack(
    out: Annotated[Path, typer.Argument(help="The pack to write (an HTML page).")],
    title: Annotated[str, typer.Option("--title", help="What the tender is for.")],
    findings: Annotated[list[Path], typer.Option("--findings", help="Published findings: JSON from dpup-eval "
                                                 "evaluate --json (repeat for several).")] = [],  # noqa: B006
    programme: ProgrammeOpt = None,
    contract: ContractAliasOpt = None,
    stories: StoriesOpt = None,
    uses: Annotated[str | None, typer.Option("--uses", help="The use register the pack is recorded in (a SQLite "
                                             "file or postgresql:// URL). Default: $DPUP_EVAL_HOME/uses.sqlite.")] = None,
    log: LogOpt = None,
) -> None:
    """Assemble a tender pack: published findings and only the stories whose families agreed to tender use."""
    from dpup_eval.rights.references import reference_patterns
    from dpup_eval.rights.stories.tender import build_tender_pack, write_tender_pack
    from dpup_eval.rights.uses import UseRegister

    agreement, settings, check = _programme(programme, contract)
    pack = build_tender_pack(_register(stories, log), agreement, settings, check, list(findings), title=title)
    print(write_tender_pack(pack, out, UseRegister(uses), references=reference_patterns(agreement)))
    say(f"Tender pack: {len(pack.findings)} published findings, {len(pack.stories)} stories (families agreed to "
        "tender use); recorded in the use register so each family can be told.")


def register(app: typer.Typer) -> None:
    """Add `stories` and `tender-pack` to the `dpup-eval` command."""
    app.add_typer(stories_app, name="stories")
    app.command("tender-pack")(tender_pack)
