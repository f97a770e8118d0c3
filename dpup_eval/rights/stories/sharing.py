"""What a programme checks its stories with, and the words the family is asked with, from its folder.

Why here: every command that records, rewords or shares a story must check it against the same things
(the programme's contracts, the shapes of its pseudonymous references, the group sizes in its accepted
data when given, its watch list); building that in one place means no output can forget one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from dpup_eval.agreement.contract import Agreement
from dpup_eval.errors import DpupEvalError
from dpup_eval.rights import references
from dpup_eval.rights.notices import Notice, render_template
from dpup_eval.rights.stories.levels import consent_question
from dpup_eval.rights.stories.register import Story
from dpup_eval.rights.stories.safety import GroupSizes, StoryCheck
from dpup_eval.rights.stories.settings import StorySettings

__all__ = ["consent_sheet", "question_for", "reference_patterns", "story_check"]

_KIND_WORDS = {"name": "names", "phone": "phone numbers", "email": "email addresses", "address": "addresses",
               "nhi": "NHI numbers", "ird": "IRD numbers", "dob": "dates of birth", "reference": "reference codes"}


def reference_patterns(agreement: Agreement) -> tuple[re.Pattern[str], ...]:
    """The shapes of every pseudonymous key the programme's contracts define, found anywhere in a text.

    The same shapes the use register guards with (:func:`dpup_eval.rights.references.reference_patterns`:
    anchors become word edges, case ignored), each shape once.
    """
    return tuple({p.regex.pattern: p.regex for p in references.reference_patterns(agreement)}.values())


def story_check(agreement: Agreement, settings: StorySettings, data: Path | None = None,
                purpose: str = "evaluation") -> StoryCheck:
    """The check for this programme; ``data`` (accepted rows for ``purpose``, CSV) lets small groups be counted.

    Without data every mention of an agreed describing value is flagged "group size unknown" for a
    person to decide: nobody can say a group is big enough without counting it.
    """
    contracts = tuple(agreement.for_purpose(p) for p in agreement.purposes)
    sizes = None
    if data is not None:
        contract = agreement.for_purpose(purpose)
        wanted = [f.name for f in contract.fields if f.role in ("quasi_identifier", "demographic")]
        try:
            frame = pd.read_csv(data, dtype=str, keep_default_na=False, na_values=[""],
                                usecols=lambda c: c in wanted, encoding="utf-8")
        except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            raise DpupEvalError(f"{data}: cannot be read as the accepted data to count groups from "
                                f"({type(exc).__name__})") from None
        sizes = GroupSizes.from_data(frame, contract, f"{Path(data).name} ({len(frame)} rows)")
    return StoryCheck(contracts=contracts, references=reference_patterns(agreement), sizes=sizes,
                      watch_words=settings.watch_words)


def question_for(agreement: Agreement, audience: str) -> Notice:
    """The question about a story as this programme's families are asked it (adult or child words)."""
    contract = agreement.for_purpose(agreement.purposes[0])
    evaluation = agreement.contracts.get("evaluation", contract)
    return consent_question(audience, provider=contract.provider, programme=contract.programme,  # type: ignore[arg-type]
                            evaluators=evaluation.recipient_plain)


def consent_sheet(story: Story, agreement: Agreement, audience: str) -> str:
    """A printable page to go through with the family before they choose: their words beside the made-safe
    words, what was taken out (kinds and counts, never the values twice), and the question with its choices.

    It holds the family's own words, so it is for the family and the provider only (written owner-only).
    """
    question = question_for(agreement, audience)
    v = story.current
    removed = ", ".join(f"{_KIND_WORDS.get(kind, kind)}: {n}" for kind, n in sorted(v.removed.items()))
    flagged = sorted({f.term for f in v.flag_list})
    return render_template("stories_sheet.html.j2", question=question, words=v.original, shared=v.redacted,
                           removed=removed, flagged=flagged, number=story.id, version=v.version)
