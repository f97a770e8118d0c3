"""Made safe before it travels: a story's identifiers taken out, and what could still pick someone out flagged.

Why two steps. The identifier scan (:mod:`dpup_eval.intake.identifiers`: NHI and IRD numbers, phone
numbers, emails, addresses, dates of birth and people's names, however a caseworker types them) removes
what names a person outright, and this module adds the programme's own pseudonymous references (a
story must never carry the key that would link it to a row of the data). What the scan cannot know is
that "the only Tongan family in Huntly" or "my twins, who are 15" picks out one family among the few who
share those circumstances. That is a judgement for a person, so it is *flagged*, not decided:

* a value of one of the contract's quasi-identifiers or demographic fields (a region, an age group, an
  ethnic group, or an age that falls in an age group) whose group in the data has fewer than the
  contract's k people; with no data to count from, every such mention is flagged as "group size unknown";
* a New Zealand place name that is not one of those agreed values (a town is a smaller group than a region);
* a word or phrase on the programme's watch list (rare circumstances the programme knows about).

Nothing here prints or logs a story; flags carry the matched words because the provider who reviews the
story must see what raised them, and they stay in the provider's own register.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import pandas as pd

from dpup_eval.agreement.contract import Contract, value_text
from dpup_eval.intake.identifiers import find_spans, redact_text
from dpup_eval.intake.nz_places import NZ_PLACES, NZ_REGIONS

__all__ = [
    "REFERENCE_MARKER",
    "Flag",
    "GroupSizes",
    "Redaction",
    "StoryCheck",
    "flag_story",
    "redact_story",
]

#: Left where a pseudonymous reference was taken out of a story.
REFERENCE_MARKER = "[reference removed]"
#: Field roles whose values describe who someone is (and so can pick them out in a small group).
DESCRIBING_ROLES = ("quasi_identifier", "demographic")
FlagKind = Literal["small_group", "group_size_unknown", "place", "watch_word"]

_AGE = re.compile(
    r"(?i)\b(?:aged\s+(?P<a>\d{1,2})\b|(?P<b>\d{1,2})\s*(?:-|\s)?\s*(?:years?|yrs?|year-olds?)(?:\s+old)?\b)"
)
_RANGE = re.compile(r"^\s*(\d{1,3})\s*(?:-|–|to)\s*(\d{1,3})\s*$|^\s*(\d{1,3})\s*\+\s*$")


@dataclass(frozen=True)
class Redaction:
    """A story's text with identifiers and references replaced by markers, and how many of each kind."""

    text: str
    removed: dict[str, int]

    @property
    def changed(self) -> bool:
        return bool(self.removed)


def _plain(text: str) -> str:
    """Without macrons or other accents: "Kaikōura" meets the place list's "Kaikoura"."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _fold(text: str) -> str:
    """Lower case without accents ("Māori", "MAORI" and "Maori" meet)."""
    return _plain(text).casefold()


@lru_cache(maxsize=1)
def _places() -> re.Pattern[str]:
    """Every New Zealand place and region as one pattern, longest first; matched with its capitals
    ("Hope" the town, not "hope"), on text without accents."""
    names = sorted({_plain(p) for p in (*NZ_PLACES, *NZ_REGIONS)}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)")


def redact_story(text: str, references: Iterable[re.Pattern[str]] = (), family_ref: str | None = None) -> Redaction:
    """The story with every identifier the scan finds, and every pseudonymous reference, taken out.

    ``references`` are the shapes of the programme's pseudonymous keys (from its contracts);
    ``family_ref`` is the reference the provider knows the family by, taken out wherever it is written.
    Running it again on its own output changes nothing (the markers hold no identifier), which is how
    every output re-checks a story it is about to show.
    """
    removed: dict[str, int] = {}
    patterns = list(references)
    if family_ref and family_ref.strip():
        patterns.append(re.compile(rf"(?<![A-Za-z0-9]){re.escape(family_ref.strip())}(?![A-Za-z0-9])", re.IGNORECASE))
    for pattern in patterns:
        text, count = pattern.subn(REFERENCE_MARKER, text)
        if count:
            removed["reference"] = removed.get("reference", 0) + count
    spans = find_spans(text)
    if spans:
        for _, _, kind in spans:
            removed[kind] = removed.get(kind, 0) + 1
        redacted, _ = redact_text(pd.Series([text], dtype=object))
        text = str(redacted.iloc[0])
    return Redaction(text=text, removed=removed)


@dataclass(frozen=True)
class Flag:
    """Something in a story that could pick someone out: what kind, the words that raised it, and why."""

    kind: FlagKind
    term: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "term": self.term, "why": self.why}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Flag:
        return cls(kind=data["kind"], term=data["term"], why=data["why"])  # type: ignore[arg-type]


@dataclass(frozen=True)
class GroupSizes:
    """How many people in the data share each value of each describing field (None: not counted)."""

    sizes: dict[str, dict[str, int]] = field(default_factory=dict)
    source: str = ""

    @classmethod
    def from_data(cls, data: pd.DataFrame, contract: Contract, source: str) -> GroupSizes:
        """Count, in accepted data for ``contract``'s purpose, the people with each agreed value."""
        sizes: dict[str, dict[str, int]] = {}
        for f in contract.fields:
            if f.role not in DESCRIBING_ROLES or f.name not in data.columns:
                continue
            values = data[f.name].dropna()
            if f.multi_value_separator:
                values = values.astype(str).str.split(f.multi_value_separator).explode().str.strip()
            counts = values.map(value_text).value_counts()
            sizes[f.name] = {str(k): int(v) for k, v in counts.items()}
        return cls(sizes=sizes, source=source)

    def size(self, field_name: str, value: str) -> int | None:
        counted = self.sizes.get(field_name)
        if counted is None:
            return None
        return counted.get(value, 0)


def _phrase(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(_fold(term))}(?!\w)")


def _band_of(age: int, bands: Sequence[tuple[str, int, int]]) -> str | None:
    for value, low, high in bands:
        if low <= age <= high:
            return value
    return None


def _age_bands(allowed: Sequence[str]) -> list[tuple[str, int, int]]:
    """An age-group field's values as (value, lowest, highest); empty unless every value is a range."""
    bands = []
    for value in allowed:
        m = _RANGE.match(value)
        if m is None:
            return []
        if m.group(3) is not None:
            bands.append((value, int(m.group(3)), 200))
        else:
            bands.append((value, int(m.group(1)), int(m.group(2))))
    return bands


def flag_story(text: str, contracts: Sequence[Contract], sizes: GroupSizes | None,
               watch_words: Sequence[str] = ()) -> list[Flag]:
    """What in ``text`` could pick someone out in a small group (see the module docstring); one flag per thing."""
    folded = _fold(text)
    flags: dict[tuple[str, str], Flag] = {}
    agreed_terms: set[str] = set()

    def group_flag(contract: Contract, field_name: str, plain: str, value: str, term: str) -> None:
        k = contract.min_group_size
        size = sizes.size(field_name, value) if sizes is not None else None
        if size is None:
            flags[("group", f"{field_name}={value}")] = Flag(
                "group_size_unknown", term, f"mentions {plain} '{term}'; with no data to count from, nobody "
                                            f"knows whether fewer than {k} people share it")
        elif size < k:
            flags[("group", f"{field_name}={value}")] = Flag(
                "small_group", term, f"mentions {plain} '{term}', which fewer than {k} people in the data share")

    for contract in contracts:
        for f in contract.fields:
            if f.role not in DESCRIBING_ROLES or not f.allowed:
                continue
            for value in f.allowed:
                terms = {value, f.label(value)}
                agreed_terms |= {_fold(t) for t in terms}
                for term in sorted(terms, key=len, reverse=True):
                    if len(term) >= 3 and _phrase(term).search(folded):
                        group_flag(contract, f.name, f.plain_name.lower(), value, term)
                        break
            bands = _age_bands(f.allowed)
            if bands:
                for m in _AGE.finditer(text):
                    age = int(m.group("a") or m.group("b"))
                    band = _band_of(age, bands)
                    if band is not None:
                        group_flag(contract, f.name, f.plain_name.lower(), band, m.group(0))
    for m in _places().finditer(_plain(text)):
        place, key = m.group(0), _fold(m.group(0))
        if key not in agreed_terms:
            flags[("place", key)] = Flag("place", place, f"names a place ({place}); a town or suburb is a smaller "
                                                         "group than the data is counted by")
    for word in watch_words:
        if word.strip() and _phrase(word.strip()).search(folded):
            flags[("watch", _fold(word))] = Flag("watch_word", word.strip(), f"mentions '{word.strip()}', on the "
                                                                            "programme's watch list of rare circumstances")
    return list(flags.values())



@dataclass(frozen=True)
class StoryCheck:
    """What a story is checked with before it can travel: the programme's contracts (their describing
    fields and k), the shapes of its pseudonymous references, the group sizes counted from its data
    (None: not counted, so every describing mention is flagged) and its watch list."""

    contracts: tuple[Contract, ...]
    references: tuple[re.Pattern[str], ...] = ()
    sizes: GroupSizes | None = None
    watch_words: tuple[str, ...] = ()

    def describe(self) -> str:
        """What the check used, kept with each version so a reviewer knows what the flags rest on."""
        counted = f"group sizes from {self.sizes.source}" if self.sizes else "no data (group sizes unknown)"
        return f"{counted}; {len(self.watch_words)} watch-list words"

    def make_safe(self, text: str, family_ref: str | None = None) -> tuple[Redaction, list[Flag]]:
        """The redacted text and the flags, found in the redacted text (what would travel)."""
        redaction = redact_story(text, self.references, family_ref)
        return redaction, flag_story(redaction.text, self.contracts, self.sizes, self.watch_words)
