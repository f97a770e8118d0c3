"""Finding people's names in free text ("Tama loved the sessions") and replacing them with a neutral word.

Why names: they are the identifier most often written in notes and stories, and no check digit or
number plan says what a name is. So the decision is made from two kinds of evidence, as a careful reader
would make it:

* **The word.** A list of first names and surnames: the person-name lists of the maintained `Faker`
  package (its New Zealand, United States, British, Irish and Indian locales; about 4,900 names, including
  the te reo Māori names in DIA's most-popular-names lists that Faker's New Zealand locale holds). Te reo Māori and Pacific names that no list
  holds are recognised by their shape: Polynesian languages build words from (consonant +) vowel
  syllables with a small set of consonants, so "Tevita", "Salote", "Wiremu" or "Losa" are read as
  names, unless they are everyday te reo words (whānau, tamariki, kōrero: :mod:`dpup_eval.intake.te_reo`)
  or places (:mod:`dpup_eval.intake.nz_places`).
* **The context.** A title or a relation before a word makes it a name even when no list holds it
  ("Whaea Losa", "my son Tevita", "Mrs Fifita"), and so does a possessive ("Tevita's mum"). A word that is also an everyday word (Hope, Grace, Rose, May, Will, Aroha, Tama) is a name only
  with such context, or a verb that people do ("Grace loved the group"), or when it is capitalised in the
  middle of a sentence ("we went with Grace"). A place or organisation word after it ("Rose Street",
  "Hope Centre", "Grace Church"), "the" before it ("the Warehouse", "the Bay of Plenty"), "X of Y"
  ("Bay of Plenty", "Ministry of Health") and a place after "in", "to" or "from" ("moved to Nelson")
  mean it is not a person. A run of capitalised words that are not all names is a title ("Best Foot
  Forward", "Family Start").

Names written all in lower case are caught only after a title or a relation ("my son tevita"); lower
case is how te reo words and ordinary words are written, so reading every lower-case "tama" or "grace"
as a name would bury the real ones.

Which values of a column need these rules at all is decided column-wide, in Arrow, by
:mod:`~dpup_eval.intake.name_candidates`. The lists are loaded once per process (Faker's import takes a few tenths of a second), and only when a
column has text that could hold a name. Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from dpup_eval.intake.name_words import (
    CONTACT_VERBS,
    EVERYDAY_NAMES,
    FAMILY_AFTER,
    FUNCTION_WORDS,
    GREETINGS,
    GROUP_WORDS,
    JOINED_FAMILY,
    LOCATIVES,
    MONTHS_AND_DAYS,
    NAME_LABELS,
    NOT_PEOPLE,
    PERSON_VERBS,
    PLACE_PREFIXES,
    PLACE_WORDS,
    POSSESSED,
    RELATIONS,
    SALUTATIONS,
    SPOKEN_TO,
    TE_REO_GIVEN_NAMES,
    THING_WORDS,
    TITLES,
)
from dpup_eval.intake.nz_places import COUNTRIES_AND_CAPITALS, NZ_PLACES, NZ_REGIONS
from dpup_eval.intake.te_reo import TE_REO_WORDS

__all__ = ["NAME_MARKER", "NameLexicon", "lexicon", "name_spans"]


#: The neutral word a name is replaced with.
NAME_MARKER = "[name]"

#: Faker locales whose person-name lists are used: the people of Aotearoa come from all of these.
_FAKER_LOCALES = ("en_NZ", "en_US", "en_GB", "en_IE", "en_IN")
_FAKER_ATTRIBUTES = (
    "first_names",
    "first_names_male",
    "first_names_female",
    "first_names_nonbinary",
    "last_names",
)
_LIST_NAME = re.compile(r"(?:[A-Z][a-z]+|[A-Z]['’][A-Z][a-z]+)(?:['’-][A-Z]?[a-z]+)?")  # "O'Connor" too

# A word stands alone: letters glued to a digit or underscore ("0Li", "Tama2", "kiri_h") are a code or a
# user name, not a name in prose (and the column-wide prefilter, which splits on spaces, agrees).
_TOKEN = re.compile(r"(?<!\w)[^\W\d_](?:[\w'’-]*[^\W\d_])?(?!\w)")
_NUMBER_AFTER = re.compile(r" {0,2}[0-9]")
_POSSESSIVE = re.compile(r"['’]s\Z")
# A label's mark, and a break between sentences, include the cell marks of a pasted table ("| Name | Tama").
_LABEL_MARK = re.compile(r"[:\-–—|\t]\s*\Z")
_SENTENCE_BREAK = re.compile(r"[.!?:;\n\"“”(|\t]\s*\Z")
# Polynesian word shape: (consonant +) vowel syllables; at least two syllables (and three letters).
_POLYNESIAN = re.compile(
    r"(?:(?:ng|wh|[hkmnprtwfglsv])?[aeiouāēīōū]){2,}", re.IGNORECASE
)


@dataclass(frozen=True)
class NameLexicon:
    """The words the name finder knows: names, everyday words, places (all compared in lower case)."""

    names: frozenset[str]
    everyday: frozenset[str]
    places: frozenset[str]

    def is_name_word(self, word: str) -> bool:
        """A known name, or a word with the shape of a te reo Māori or Pacific name."""
        low = word.lower()
        return low in self.names or self.is_polynesian(word)

    def is_polynesian(self, word: str) -> bool:
        low = word.lower()
        return len(low) >= 3 and bool(_POLYNESIAN.fullmatch(low)) and low not in self.everyday

    def is_ambiguous(self, word: str) -> bool:
        """Also an everyday word or a place: a name only with context."""
        low = word.lower()
        return low in self.everyday or low in self.places or low in MONTHS_AND_DAYS


@lru_cache(maxsize=1)
def lexicon() -> NameLexicon:
    """Build the lists once: Faker's names, textstat's everyday English words, te reo words, NZ places."""
    names: set[str] = set()
    for locale in _FAKER_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in _FAKER_ATTRIBUTES:
            names.update(n.lower() for n in getattr(provider, attribute, ()) if _LIST_NAME.fullmatch(n))
    names -= FUNCTION_WORDS
    easy = resources.files("textstat").joinpath("resources/en/easy_words.txt").read_text("utf-8")
    everyday = {w.strip().lower() for w in easy.split() if w.strip()} | TE_REO_WORDS | FUNCTION_WORDS
    everyday |= EVERYDAY_NAMES
    places = {word.lower() for place in (*NZ_PLACES, *NZ_REGIONS, *COUNTRIES_AND_CAPITALS) for word in re.findall(r"[\w']+", place)}
    places -= {"te", "of", "the", "a", "o", "bay", "park", "north", "south", "east", "west", "mount", "saint"}
    return NameLexicon(names=frozenset(names), everyday=frozenset(everyday), places=frozenset(places))


# --- Finding names in one text ---------------------------------------------------------------------
@dataclass
class _Token:
    start: int
    end: int
    text: str  # without a possessive 's
    possessive: bool
    sentence_start: bool
    label: bool = False  # followed directly by a number ("Ward 12")
    after_mark: bool = False  # a colon or dash just before it ("Mum: Hunter", "Worker - Mason")
    spaced: bool = False  # only spaces between it and the word before ("Tama Smith", not "Name: Tama")

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        # All capitals is an acronym, with a suffix too ("DNA'd", "OK'd"), not a capitalised word.
        stem = re.split(r"['’]", self.text, maxsplit=1)[0]
        return self.text[:1].isupper() and not (len(stem) > 1 and stem.isupper())


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    previous_end = 0
    for m in _TOKEN.finditer(text):
        word, end = m[0], m.end()
        possessive = bool(_POSSESSIVE.search(word))
        if possessive:
            word, end = word[:-2], end - 2
        between = text[previous_end : m.start()]
        starts = not tokens or bool(_SENTENCE_BREAK.search(between))
        tokens.append(
            _Token(m.start(), end, word, possessive, starts, bool(_NUMBER_AFTER.match(text, m.end())),
                   bool(_LABEL_MARK.search(between)), bool(tokens) and between.strip(" ") == "")
        )
        previous_end = m.end()
    return tokens


def name_spans(text: str, names: NameLexicon | None = None) -> list[tuple[int, int]]:
    """Spans of people's names; a first name and surname side by side make one span."""
    names = names or lexicon()
    tokens = _tokens(text)
    flagged = [_is_name(tokens, i, names) for i in range(len(tokens))]
    # "Grace and Tama came": two name words joined by "and" before a verb people do.
    for i in range(len(tokens) - 3):
        first, joiner, second, verb = tokens[i : i + 4]
        if (
            joiner.low in ("and", "&")
            and verb.low in PERSON_VERBS
            and first.capitalised
            and second.capitalised
            and names.is_name_word(first.low)
            and names.is_name_word(second.low)
        ):
            flagged[i] = flagged[i + 2] = True
    # "Jack + mum attended": a name joined by + or & to a family word.
    for i in range(len(tokens) - 1):
        token, family = tokens[i], tokens[i + 1]
        if (
            not flagged[i]
            and token.capitalised
            and family.low in JOINED_FAMILY
            and text[token.end : family.start].strip() in ("+", "&")
            and names.is_name_word(token.low)
            and not _part_of_place(tokens, i, names)
        ):
            flagged[i] = True
    if "(" in text or sum(1 for t in tokens if t.capitalised) > 1:  # the only cases _people_together reads
        _people_together(text, tokens, flagged, names)
    _surname_in_capitals(text, tokens, flagged, names)
    spans: list[tuple[int, int]] = []
    for i, token in enumerate(tokens):
        if not flagged[i]:
            continue
        if i > 0 and tokens[i - 1].text == "Te" and not flagged[i - 1]:
            token = _Token(tokens[i - 1].start, token.end, token.text, token.possessive, token.sentence_start)
        if spans and i > 0 and flagged[i - 1] and not tokens[i - 1].possessive and text[spans[-1][1] : token.start].isspace():
            spans[-1] = (spans[-1][0], token.end)
        else:
            spans.append((token.start, token.end))
    return [(start, end) for start, end in spans if " ".join(text[start:end].lower().split()) not in NOT_PEOPLE]


# Between the people of a list: "Tama, Mere & Hine", "Hazel and Billie", "Tama n Mere".
_LIST_JOIN = re.compile(r"\s*(?:,\s*(?:(?:and|&|n)\s+)?|&|\+|/)\s*", re.IGNORECASE)
# What marks a group of names as people: "(twins)", "(8)", "(Mum)", "(client)", "(whāngai)" after it.
_PEOPLE_BRACKET = re.compile(r"\s*\(\s*(?:[0-9]|(?P<word>[^\W\d_][\w'’-]*))")


_NEVER_IN_A_LIST = FUNCTION_WORDS | PLACE_PREFIXES | TITLES | RELATIONS | JOINED_FAMILY | POSSESSED | NAME_LABELS


def _could_be_person(token: _Token, tokens: list[_Token], i: int, names: NameLexicon) -> bool:
    """A capitalised word that may be a person's name when the words around make a person: a listed name,
    a te reo or Pacific name's shape, or a word no list holds; never an everyday word alone, a place or a
    thing ("Hamilton, Tauranga and Rotorua" stay)."""
    return (
        token.capitalised
        and not _part_of_place(tokens, i, names)
        and token.low not in _NEVER_IN_A_LIST
        and (token.low in names.names or not names.is_ambiguous(token.low))
    )


def _people_together(text: str, tokens: list[_Token], flagged: list[bool], names: NameLexicon) -> None:
    """Names in a list are names together: "Hazel and Billie (twins)", "Xiaoling, Min-jun & Ananya all
    came", "Harpreet Kaur (client)". A list is one or more members (a capitalised word, or a full name of
    up to three) joined by commas, "and", "&" or "n". It is people when one member is already a name, when
    two or more members come before a verb people do, or when a bracket with an age, a relation or a role
    follows it; then every member that could be a person's name is one."""
    i = 0
    while i < len(tokens):
        if not tokens[i].capitalised:
            i += 1
            continue
        members = [_member_at(tokens, i)]
        while True:
            last = members[-1][-1]
            nxt = last + 1
            if nxt < len(tokens) and tokens[nxt].low in ("and", "n") and tokens[nxt].spaced:
                nxt += 1
                between_ok = True
            else:
                between = text[_end_of(tokens[last]) : tokens[nxt].start] if nxt < len(tokens) else ""
                between_ok = bool(_LIST_JOIN.fullmatch(between)) and between.strip() != ""
            if nxt < len(tokens) and between_ok and tokens[nxt].capitalised and not tokens[nxt].sentence_start:
                members.append(_member_at(tokens, nxt))
            else:
                break
        end = members[-1][-1]
        after = tokens[end + 1] if end + 1 < len(tokens) else None
        if after is not None and after.low in ("all", "both") and end + 2 < len(tokens):
            after = tokens[end + 2]
        bracket = _PEOPLE_BRACKET.match(text, _end_of(tokens[end]))
        marked = bracket is not None and (
            bracket["word"] is None
            or bracket["word"].lower() in RELATIONS | NAME_LABELS | TITLES | FAMILY_AFTER | GROUP_WORDS
        )
        together = len(members) > 1
        people = (
            marked
            or (together and any(flagged[k] for member in members for k in member))
            or (together and after is not None and after.low in PERSON_VERBS)
        )
        if people:
            for member in members:
                if all(_could_be_person(tokens[k], tokens, k, names) for k in member):
                    for k in member:
                        flagged[k] = True
        i = end + 1


def _member_at(tokens: list[_Token], i: int) -> list[int]:
    """The word at i and up to two capitalised words right after it (a full name), as indices."""
    member = [i]
    while (
        len(member) < 3
        and member[-1] + 1 < len(tokens)
        and not tokens[member[-1]].possessive
        and tokens[member[-1] + 1].capitalised
        and tokens[member[-1] + 1].spaced
    ):
        member.append(member[-1] + 1)
    return member


def _end_of(token: _Token) -> int:
    return token.end + (2 if token.possessive else 0)


def _surname_in_capitals(text: str, tokens: list[_Token], flagged: list[bool], names: NameLexicon) -> None:
    """A family name in capitals before a comma and a given name, as forms and lists write them
    ("HAVEA, Semisi", "SMITH, Jane"): a name when the given name is one."""
    for i in range(len(tokens) - 1):
        token = tokens[i]
        stem = token.text.replace("-", "").replace("'", "")
        if (
            len(stem) >= 2
            and stem.isalpha()
            and token.text.isupper()
            and flagged[i + 1]
            and text[token.end : tokens[i + 1].start].strip() == ","
            and names.is_name_word(token.low)  # a listed or te reo/Pacific-shaped name: not "MSD, Tama said"
        ):
            flagged[i] = True


def _is_name(tokens: list[_Token], i: int, names: NameLexicon) -> bool:
    token = tokens[i]
    before = tokens[i - 1] if i > 0 else None
    before2 = tokens[i - 2] if i > 1 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    low = token.low
    if len(low) < 2 or low in FUNCTION_WORDS or low in TITLES or low in RELATIONS:
        return False
    titled = before is not None and before.low in TITLES and not before.possessive
    greeted = (
        before is not None
        and before.low in GREETINGS
        and not token.sentence_start
        and token.capitalised
        and (after is None or after.low not in PLACE_WORDS)
    )
    related = before is not None and before.low in RELATIONS and not token.sentence_start
    if not token.capitalised:
        # Lower case only after a title or relation, and only for a word that is a name and nothing else.
        return (titled or related) and names.is_name_word(low) and not names.is_ambiguous(low)
    if _part_of_place(tokens, i, names):
        return False
    family = (
        after is not None
        and after.low in FAMILY_AFTER
        and before is not None
        and before.low == "the"
        and names.is_name_word(low)
        and not _part_of_place(tokens, i + 1, names)
    )
    contacted = before is not None and before.low in CONTACT_VERBS and names.is_name_word(low)
    # "Dear Yusuf,", "Namaste Rajesh ji", "Chatted to Maricel": a person even when no list holds the name.
    saluted = greeted and before is not None and before.low in SALUTATIONS and not names.is_ambiguous(low)
    spoken_to = (
        before is not None
        and before.low == "to"
        and before2 is not None
        and before2.low in SPOKEN_TO
        and low not in names.places
        and low not in MONTHS_AND_DAYS
        and (low in TE_REO_WORDS or not names.is_ambiguous(low))
    )
    labelled = before is not None and before.low in NAME_LABELS and token.after_mark and names.is_name_word(low)
    if titled or related or family or contacted or labelled or saluted or spoken_to:
        return True
    if greeted and names.is_name_word(low):
        return True
    if token.sentence_start and token.label:
        return False  # "Ward 12", "Room 4": a label followed by its number
    if before is not None and before.low == "the" and not token.sentence_start:
        return False
    known = names.is_name_word(low) or low in TE_REO_GIVEN_NAMES
    next_to_name = any(
        other is not None
        and other.capitalised
        and names.is_name_word(other.low)
        and not names.is_ambiguous(other.low)
        and not _part_of_place(tokens, j, names)
        for j, other in ((i - 1, before), (i + 1, after))
        if other is not None
        and not (j == i - 1 and token.sentence_start)
        and (token.spaced if j == i - 1 else other.spaced)
    )
    if not known and not next_to_name:
        return False
    if _in_title_run(tokens, i, names):
        return False
    acts = after is not None and (after.low in PERSON_VERBS) and not token.possessive
    possessive = token.possessive and (after is None or after.low in POSSESSED or not after.capitalised)
    if names.is_ambiguous(low):
        if low in MONTHS_AND_DAYS or low in TE_REO_WORDS:
            return acts or (possessive and after is not None and after.low in POSSESSED) or next_to_name
        if low in names.places and low not in names.names:
            return acts or possessive or next_to_name  # "went to Tauranga and Rotorua": places, capitalised
        return acts or possessive or next_to_name or not token.sentence_start
    if before2 is not None and before2.low in LOCATIVES and before is not None and before.capitalised:
        return next_to_name
    return True


def _part_of_place(tokens: list[_Token], i: int, names: NameLexicon) -> bool:
    """"Rose Street", "Hope Centre", "Bay of Plenty", "Ministry of Health", "moved to Nelson", "Te Aroha"."""
    token = tokens[i]
    before = tokens[i - 1] if i > 0 else None
    after = tokens[i + 1] if i + 1 < len(tokens) else None
    if not token.possessive:
        # "Rose Street", "Sir Edmund Hillary Drive", "Hope Centre": capitalised words up to a place word;
        # "Jasmine tea", "the Mei Mei restaurant", "Harmony Day": up to a thing's word, in any case.
        j = i + 1
        while j < len(tokens) and j <= i + 4 and tokens[j].capitalised and not tokens[j].sentence_start:
            if tokens[j].low in PLACE_WORDS or tokens[j].low in THING_WORDS:
                return True
            if tokens[j].possessive:
                break
            j += 1
        if j < len(tokens) and tokens[j].spaced and not tokens[j - 1].possessive:
            if tokens[j].low in THING_WORDS:
                return True
            # "Milo and toast": joined to a thing.
            if tokens[j].low in ("and", "with", "n") and j + 1 < len(tokens) and tokens[j + 1].low in THING_WORDS:
                return True
    if (
        (token.low in PLACE_WORDS or token.low in THING_WORDS)
        and before is not None
        and before.capitalised
        and token.spaced
        and not token.sentence_start
    ):
        return True
    if after is not None and after.low == "of" and i + 2 < len(tokens) and tokens[i + 2].capitalised:
        return True
    if before is not None and before.low == "of" and i > 1 and tokens[i - 2].capitalised:
        return True
    if before is not None and before.capitalised and before.low in PLACE_PREFIXES and not before.sentence_start:
        return True
    if before is not None and before.text in ("Te", "Mt", "Mount", "Lake", "Port"):
        # "Te Aroha" is a town and "Te Whatu Ora" an agency, but "Te Ariki said" is a person.
        end = i
        while end + 1 < len(tokens) and tokens[end + 1].capitalised and not tokens[end + 1].sentence_start:
            end += 1
        verb = tokens[end + 1] if end + 1 < len(tokens) else None
        return not (before.text == "Te" and verb is not None and verb.low in PERSON_VERBS)
    if before is None or before.low not in LOCATIVES:
        return False
    if before.low == "to" and i > 1 and tokens[i - 2].low in SPOKEN_TO:
        return False  # "spoke to Losa", "thanks to Lagi": a person, not a destination
    # "moved to Nelson", "back from Rarotonga": a place, or a word shaped like one and in no name list.
    return token.low in names.places or (token.low not in names.names and names.is_polynesian(token.low))


def _in_title_run(tokens: list[_Token], i: int, names: NameLexicon) -> bool:
    """A run of capitalised words that are not all names is a title or an organisation ("Family Start")."""
    start = i
    while start > 0 and tokens[start - 1].capitalised and not tokens[start].sentence_start:
        start -= 1
    end = i
    while end + 1 < len(tokens) and tokens[end + 1].capitalised and not tokens[end + 1].sentence_start:
        end += 1
    if end == start:
        return False
    run = [t for t in tokens[start : end + 1] if t.text != "Te"]  # "Te Ariki" is a name, "Te" a particle
    if any(t.low in FUNCTION_WORDS for t in run):
        return True
    after = tokens[end + 1] if end + 1 < len(tokens) else None
    if after is not None and after.low in PERSON_VERBS and len(run) <= 3:
        # "Te Ariki Leota said": a short run before a verb people do is a full name, te reo words and all.
        return not all(names.is_name_word(t.low) or t.low in TE_REO_WORDS for t in run)
    return any(not names.is_name_word(t.low) for t in run)
