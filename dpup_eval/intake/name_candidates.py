"""Which values of a column could hold a person's name, decided for the whole column at once, in Arrow.

Why a module of its own: the exact name rules (:mod:`dpup_eval.intake.person_names`) read one text at a
time in Python, which is far too slow for a million cells. This module looks at every word of a column
with Arrow's vectorised kernels (word lists as hash lookups, regular expressions in RE2) and lets through
only the values in which the exact rules *could* find a name. It must never let through fewer: it is a
superset of what `name_spans` finds, and `tests/test_person_names.py` compares the two on generated text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.intake.name_words import (
    CONTACT_VERBS,
    FAMILY_AFTER,
    GREETINGS,
    GROUP_WORDS,
    JOINED_FAMILY,
    MONTHS_AND_DAYS,
    NAME_LABELS,
    PERSON_VERBS,
    RELATIONS,
    SPOKEN_TO,
    TE_REO_GIVEN_NAMES,
    TITLES,
)
from dpup_eval.intake.person_names import lexicon

__all__ = ["name_candidates"]

# A title, relation, greeting or contact verb before a capitalised word ("Mrs Nguyen", "my son Tevita").
# Also: "spoke to ...", a list of capitalised words ("Xiaoling, Min-jun & Ananya"), and a capitalised word
# before a bracket with an age, a relation or a role ("Harpreet Kaur (client)"): _people_together's cases.
_TRIGGER = (
    r"(?i:\b(?:" + "|".join(sorted(TITLES | RELATIONS | GREETINGS | CONTACT_VERBS)) + r"))\.?,?\s+\p{Lu}"
    r"|\p{Lu}\pL*['’]s\s"
    r"|(?i:\b(?:" + "|".join(sorted(map(re.escape, SPOKEN_TO))) + r")\s+to)\s+\p{Lu}"
    r"|\p{Lu}[\pL'’-]*(?:\s*[,&+/]\s*|\s+(?i:and|n)\s+)(?:(?i:and|n|&)\s+)?\p{Lu}"
    r"|\p{Lu}[\pL'’-]*['’]?s?\s*\(\s*(?:[0-9]|(?i:"
    + "|".join(sorted(map(re.escape, RELATIONS | NAME_LABELS | TITLES | FAMILY_AFTER | GROUP_WORDS)))
    + r")\b)"
)
# The exact finder's words (_TOKEN) start at a letter after any mark that is not a letter, digit or
# underscore (":Li", "(Tama)") and end at a letter before one; "3pm" or "2025-Q1" hold none. The column-wide
# lookups strip common marks from a word's ends (_EDGE_CHARACTERS). A word that holds an exact word and
# still something other than letters, apostrophes and hyphens ("Tama/Hine", "x:Li", "«Tama") may hide
# several, so its value is a candidate outright (a little more work, never a missed name). Letters as Python's regex counts them: \pL, \p{Nl},
# \p{No}; word characters: \pL, \pN and "_".
_EDGE_CHARACTERS = ".,;:!?()[]{}<>\"'“”‘’«»…-–—/\\|*&#%+=~^`@$"
_BREAKS = pa.array(list('.!?:;"“”('))
_HOLDS_TOKEN = (
    r"(?:^|[^\pL\pN_])[\pL\p{Nl}\p{No}](?:[\pL\pN_'’-]*[\pL\p{Nl}\p{No}])?(?:$|[^\pL\pN_])"
)
_POLYNESIAN_WORD = r"^(?:(?:ng|wh|[hkmnprtwfglsv])?[aeiouāēīōū]){2,}$"


@lru_cache(maxsize=1)
def _value_sets() -> dict[str, pa.Array]:
    """The word lists as Arrow arrays, built once, for the column-wide lookups."""
    names = lexicon()
    return {
        "names": pa.array(sorted(names.names | TE_REO_GIVEN_NAMES), pa.string()),
        "ambiguous": pa.array(sorted(names.everyday | names.places | MONTHS_AND_DAYS), pa.string()),
        "verbs": pa.array(sorted(PERSON_VERBS | FAMILY_AFTER | JOINED_FAMILY), pa.string()),
        "context": pa.array(sorted(TITLES | RELATIONS | GREETINGS | CONTACT_VERBS | NAME_LABELS), pa.string()),
        "kin": pa.array(sorted(TITLES | RELATIONS), pa.string()),
    }


def name_candidates(text: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Boolean array: which values could hold a name. Runs in Arrow and numpy over the whole column.

    A value is a candidate when it has a title, relation, greeting or contact verb before a word, a
    capitalised word with the shape of a Polynesian name, or a capitalised listed name, except a listed name
    that is also an everyday word at the start of a sentence with no verb people do after it ("Best of all,
    ..."), which the exact rules never flag; or a word mixing letters with other marks ("Tama/Hine"). It is
    a superset of what `name_spans` finds (a property test compares them). Missing values never are.
    """
    hits = np.asarray(pc.fill_null(pc.match_substring_regex(text, _TRIGGER), False), dtype=bool)
    words = pc.utf8_split_whitespace(text)
    flat = pc.list_flatten(words)
    if not len(flat):
        return hits
    parents = np.asarray(pc.list_parent_indices(words))
    edged = pc.utf8_trim(flat, characters=_EDGE_CHARACTERS)
    lowered = pc.utf8_lower(edged)
    trimmed = pc.replace_substring_regex(lowered, pattern=r"['’]s$", replacement="")

    def flags(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
        return np.asarray(pc.fill_null(array, False), dtype=bool)

    def matches_where(array: pa.Array | pa.ChunkedArray, pattern: str, where: np.ndarray) -> np.ndarray:
        """The regex run only on the words `where` says (False elsewhere): most words never need it."""
        found = np.zeros(len(where), dtype=bool)
        chosen = np.flatnonzero(where)
        if len(chosen):
            found[chosen] = flags(pc.match_substring_regex(pc.take(array, pa.array(chosen)), pattern))
        return found

    sets = _value_sets()
    # A word left with letters only (and ' ’ -) holds exactly one of the exact finder's words, the same
    # text; any other word is tested with the exact finder's own pattern.
    letters_only = pc.replace_substring(pc.replace_substring(pc.replace_substring(trimmed, "'", ""), "’", ""), "-", "")
    plain = flags(pc.utf8_is_alpha(letters_only)) & flags(pc.greater(pc.utf8_length(trimmed), 0))
    not_plain = ~plain & flags(pc.greater(pc.utf8_length(trimmed), 0))
    holds_token = plain | matches_where(flat, _HOLDS_TOKEN, not_plain)
    # The exact rules look at the word before and after among words that hold one of theirs ("Tama 12 came").
    before, after = _lettered_neighbours(holds_token, parents)
    capital = flags(pc.utf8_is_upper(pc.utf8_slice_codeunits(edged, 0, 1)))
    listed = flags(pc.is_in(trimmed, value_set=sets["names"]))
    kin = flags(pc.is_in(trimmed, value_set=sets["kin"]))
    after_kin = np.zeros(len(parents), dtype=bool)
    after_kin[before >= 0] = kin[before[before >= 0]]
    # A word with the shape of a te reo Māori or Pacific name counts like a listed one ("LiA" too: the exact
    # rules fold case before testing the shape); only capitalised words or words after kin need the test.
    shaped = matches_where(trimmed, _POLYNESIAN_WORD, plain & (capital | after_kin))
    known = (listed | shaped) & capital
    ambiguous = flags(pc.is_in(trimmed, value_set=sets["ambiguous"]))
    # Counted as a sentence start only where the exact rules surely see one (so never fewer candidates).
    first_char = pc.utf8_slice_codeunits(flat, 0, 1)
    ends_with_break = flags(pc.is_in(pc.utf8_slice_codeunits(flat, -1), value_set=_BREAKS))
    previous_breaks = np.zeros(len(parents), dtype=bool)
    previous_breaks[1:] = ends_with_break[:-1] & (parents[1:] == parents[:-1])
    leading_mark = ~(flags(pc.utf8_is_alnum(first_char)) | flags(pc.equal(first_char, "_")))
    starts = (
        (before < 0)
        | (~leading_mark & previous_breaks)
        | matches_where(flat, r"^[^\pL\pN_]*[.!?:;\"“”(][\pL\pN_]", leading_mark)
    )
    acts = flags(pc.is_in(trimmed, value_set=sets["verbs"]))
    verb_after = np.zeros(len(parents), dtype=bool)
    verb_after[after >= 0] = acts[after[after >= 0]]
    possessive = flags(pc.ends_with(lowered, "'s")) | flags(pc.ends_with(lowered, "’s"))
    word_hits = known & (~ambiguous | ~starts | verb_after | possessive)
    word_hits |= holds_token & not_plain
    # After a title, relation, greeting, contact verb or label: any capitalised word; in lower case, only
    # after a title or relation, a listed or Polynesian word ("Mrs Nguyen", "my son tevita").
    context = flags(pc.is_in(trimmed, value_set=sets["context"]))
    after_context = np.zeros(len(parents), dtype=bool)
    after_context[before >= 0] = context[before[before >= 0]]
    word_hits |= (after_context & capital) | (after_kin & (listed | shaped))
    hits[parents[np.flatnonzero(word_hits)]] = True
    return hits


def _lettered_neighbours(lettered: np.ndarray, parents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each word, the index of the nearest word before and after it in the same value that is flagged
    in `lettered` (-1 when there is none)."""
    positions = np.arange(len(parents))
    order = np.flatnonzero(lettered)
    before = np.full(len(parents), -1)
    after = np.full(len(parents), -1)
    if not len(order):
        return before, after
    left = np.searchsorted(order, positions, side="left") - 1
    right = np.searchsorted(order, positions, side="right")
    has_left, has_right = left >= 0, right < len(order)
    before[has_left] = order[left[has_left]]
    after[has_right] = order[right[has_right]]
    before[(before >= 0) & (parents[np.maximum(before, 0)] != parents)] = -1
    after[(after >= 0) & (parents[np.maximum(after, 0)] != parents)] = -1
    return before, after
