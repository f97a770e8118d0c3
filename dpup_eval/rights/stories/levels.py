"""How far a family's story may go, and the question that asks them, in adult and child words.

Why levels in one order: a family's choice is "how far may my story travel", and every place a story can
reach is further out than the one before it. The order is what every output checks (a page shown in a
workshop asks for ``workshop`` or further; a tender pack asks for ``tender``):

1. ``provider``: kept by the provider only (the default until the family chooses);
2. ``evaluation``: shared with the agency's evaluation team;
3. ``workshop``: shown in workshops where families, the provider and the agency look at the evaluation;
4. ``report``: quoted in published reports about the programme;
5. ``tender``: also used when the provider applies for funding (a tender).

The issue names "quoted in published reports or a tender" as one choice; it is two here because the
seeds' provider asks families separately "what is reasonable to share in the tender": a family may be
glad to see their words in the evaluation's report and still not want them in a provider's bid for money.
A tender is the further of the two (it serves another purpose than the evaluation), so agreeing to it
includes reports.

The question is written from the programme (provider, programme, who the evaluation team is), never by
hand beside it, like the notices (:mod:`dpup_eval.rights.notices`), and its readability is measured the
same way: Flesch-Kincaid grade <= 7 for adults, Spache grade <= 3 for children.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from dpup_eval.errors import DpupEvalError
from dpup_eval.rights.notices import Audience, Notice, NoticeBlock, NoticeSection, short_name

__all__ = [
    "LEVELS",
    "WITHDRAWN",
    "ConsentOption",
    "Level",
    "consent_question",
    "level_rank",
    "level_words",
    "parse_level",
]

Level = Literal["provider", "evaluation", "workshop", "report", "tender"]
#: Every choice, nearest first: a story allowed at one level may go to every level before it.
LEVELS: tuple[Level, ...] = ("provider", "evaluation", "workshop", "report", "tender")
#: Not a level: the family took the story back. It goes nowhere, not even to the provider's own use.
WITHDRAWN = "withdrawn"


def level_rank(level: str) -> int:
    """0 for provider ... 4 for tender; -1 for a withdrawn story (below everything)."""
    if level == WITHDRAWN:
        return -1
    return LEVELS.index(level)


def parse_level(text: str) -> Level:
    """A level as typed on the command line or stored; a clear error naming the choices otherwise."""
    value = text.strip().lower()
    if value not in LEVELS:
        raise DpupEvalError(f"'{text}' is not a choice for a story; the choices are {', '.join(LEVELS)}")
    return value


class ConsentOption(BaseModel):
    """One choice as it is put to the family."""

    level: Level
    adult: str
    child: str


def _options(provider: str, evaluators: str) -> list[ConsentOption]:
    short = short_name(provider)
    return [
        ConsentOption(level="provider", adult=f"Only {short} keeps it. Nobody else sees it.",
                      child=f"Only the {short} people who help you can read it."),
        ConsentOption(level="evaluation", adult=f"{short} may also give it to {evaluators}.",
                      child="Some people who check if the group is good for families can read it too."),
        ConsentOption(level="workshop", adult="It may also be shown at meetings where families, "
                                              f"{short} and the agency talk about how the programme is going.",
                      child="People at a big meeting about the group can read it too."),
        ConsentOption(level="report", adult="It may also be quoted in reports about the programme. "
                                            "Anyone can read these reports.",
                      child="It can go in a story book about the group. Lots of people can read it."),
        ConsentOption(level="tender", adult=f"It may also be used when {short} asks for money to run "
                                            "programmes like this one. This is called a tender.",
                      child=f"{short} can show it when they ask for money to help more kids."),
    ]  # fmt: skip


def level_words(level: str, audience: Audience, *, provider: str, evaluators: str) -> str:
    """The words a family reads for ``level`` (adult or child); a withdrawn story has its own words."""
    if level == WITHDRAWN:
        return ("You took your story back. We do not use it." if audience == "adult"
                else "You said no to sharing your story. We do not use it.")
    option = next(o for o in _options(provider, evaluators) if o.level == level)
    return option.adult if audience == "adult" else option.child


def consent_question(audience: Audience, *, provider: str, programme: str, evaluators: str) -> Notice:
    """The question put to a family about their story, built like a notice (same rendering, same scoring).

    ``evaluators`` is how the family is told who the agency's evaluation team is (the evaluation
    contract's ``recipientPlain``).
    """
    short = short_name(provider)
    options = _options(provider, evaluators)
    if audience == "adult":
        return Notice(
            audience="adult", title="Your story, and how far it can go", programme=programme, provider=provider,
            intro=[f"Thank you for telling us your story. {short} would like to use it to show how {programme} "
                   "helps. You choose who may see it.",
                   "We take out your name and anything else that could show who you are. You see your story "
                   "with these things taken out before you choose."],
            sections=[
                NoticeSection(key="choice", heading="Choose one", blocks=[NoticeBlock(
                    paragraphs=["Each choice includes the ones above it."],
                    items=[(f"{i}", o.adult) for i, o in enumerate(options, start=1)])]),
                NoticeSection(key="how", heading="What we promise", blocks=[NoticeBlock(items=[
                    (None, "Your story is never joined up with the other information we keep about you."),
                    (None, "If someone could still guess it is you, a person at "
                           f"{short} checks it with you first."),
                    (None, "We tell you where your story has been used."),
                ])]),
                NoticeSection(key="transparency", heading="Changing your mind", blocks=[NoticeBlock(paragraphs=[
                    f"You can change your choice at any time. Just tell your {short} worker.",
                    "If you take your story back, we take it out of anything not yet printed or sent. We cannot "
                    "take it out of a report that is already out. We will tell you where it went.",
                ])]),
            ],
        )  # fmt: skip
    if audience == "child":
        return Notice(
            audience="child", title="Your story", programme=programme, provider=provider,
            intro=["Thank you for telling us your story!", "You can choose who gets to read it."],
            sections=[
                NoticeSection(key="choice", heading="Pick one", blocks=[NoticeBlock(
                    items=[(f"{i}", o.child) for i, o in enumerate(options, start=1)])]),
                NoticeSection(key="how", heading="We keep you safe", blocks=[NoticeBlock(paragraphs=[
                    "We take out your name. We take out where you live.",
                ])]),
                NoticeSection(key="transparency", heading="You can change your mind", blocks=[NoticeBlock(
                    paragraphs=["You can say no at any time. Tell your mum, dad or your worker."])]),
            ],
        )  # fmt: skip
    raise DpupEvalError(f"audience must be 'adult' or 'child', not {audience!r}")
