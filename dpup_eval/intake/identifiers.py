"""Find and remove New Zealand personal identifiers in text columns, fast enough for million-row files.

Why this module exists: under the Data Protection and Use Policy a provider shares what it needs and no
more. A data file headed for evaluation must not carry NHI or IRD numbers, phone numbers, email or street
addresses, dates of birth or people's names, and free-text feedback is where they slip in ("ring me on
021 ...", "Tama loved the sessions"). Every text column of an incoming file is scanned, so the scanner
has to be both right and quick:

* Right means catching identifiers however people type them, without false alarms. The finders live in
  their own modules: :mod:`~dpup_eval.intake.number_finders` (NHI and IRD with check digits, phone
  numbers by libphonenumber), :mod:`~dpup_eval.intake.contact_finders` (emails, also disguised; street,
  rural and postal addresses), :mod:`~dpup_eval.intake.birth_dates` (a date only when a birth word
  governs it) and :mod:`~dpup_eval.intake.person_names` (names from a maintained list and their context).
* Quick means no Python loop over a million cells. Each column is reduced to its distinct values; then
  one broad regular expression runs over them in Arrow's RE2 engine, and a hash lookup of their words
  finds the values that may hold a name. Only the values these let through (usually a
  small share) are examined in Python. Results map back by position.

Nothing here prints, logs or raises with an identifier's value: this is privacy software, and the values
it finds are exactly the ones that must not leak into logs or error reports.

Masks always hold every kind in :data:`IDENTIFIER_KINDS`, even kinds with no hit, so callers can index
them without checking. Missing cells (None, NaN, ``pd.NA``) are never flagged and stay missing on redaction.
Digits are matched as ASCII 0-9.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.intake.birth_dates import dob_spans
from dpup_eval.intake.contact_finders import EMAIL_PROVIDERS, STREET_TYPES, address_spans, email_spans
from dpup_eval.intake.name_candidates import name_candidates
from dpup_eval.intake.number_finders import ird_spans, nhi_spans, phone_spans
from dpup_eval.intake.nz_numbers import is_valid_ird, is_valid_nhi
from dpup_eval.intake.person_names import NAME_MARKER, name_spans
from dpup_eval.intake.text_folding import fold

__all__ = [
    "IDENTIFIER_KINDS",
    "MARKERS",
    "find_spans",
    "is_valid_ird",
    "is_valid_nhi",
    "redact_text",
    "safe_label",
    "safe_labels",
    "scan_text",
]

#: Every kind of identifier the scanner knows, in the order masks are returned.
IDENTIFIER_KINDS: tuple[str, ...] = ("nhi", "ird", "phone", "email", "address", "dob", "name")

#: Plain-language markers left where an identifier was removed.
MARKERS: dict[str, str] = {
    "nhi": "[NHI removed]",
    "ird": "[IRD number removed]",
    "phone": "[phone removed]",
    "email": "[email removed]",
    "address": "[address removed]",
    "dob": "[date of birth removed]",
    "name": NAME_MARKER,
}

_Span = tuple[int, int, str]

# --- Prefilter (RE2 syntax, run by Arrow over whole columns) -----------------------------------------
# It must let through every value in which the exact Python rules could find something; it may let
# through more. Each branch is a loose form of one rule.
_PREFILTER = "|".join(
    (
        # NHI, however typed: NHI letters (never I or O), two digits, two more characters, then a boundary.
        # Separators include every space and dash (text_folding reads them as " " and "-").
        r"(?i:[a-hj-np-z][\pZ.\-‐-―−]?[a-hj-np-z][\pZ.\-‐-―−]?[a-hj-np-z][\pZ.\-‐-―−]?[0-9][\pZ.\-‐-―−]?[0-9]"
        r"[\pZ.\-‐-―−]?[0-9a-z][\pZ.\-‐-―−]?[0-9a-z])"
        r"(?:[^0-9A-Za-z]|$)",
        r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){7}",  # IRD and phone: eight or more digits close together
        r"[@＠﹫]|%40|\([aA]\)|[-_](?i:at)[-_]",  # email, "%40" from a link, "(a)", "-at-", "_at_"
        r"(?i:(?:\bat\b|[\[({<]\s*at\s*[\])}>])['\"‘’“”]?\s*[a-z0-9-]+\s*(?:\.|['\"‘’“”]?\bdot\b|[\[({<]\s*(?:dot|\.)\s*[\])}>]))",
        rf"(?i:(?:\bat\b|[\[({{<]\s*at\s*[\])}}>])\s*(?:{EMAIL_PROVIDERS})\b)",  # "kiri at gmail"
        r"(?i:born|d[./]?\s?o[./]?\s?b|birth|b\.\s?[0-9]|b['’/]?days?\b|b/d\s*[:-]?\s*[0-9]|r[aā]\s+wh[aā]nau"
        r"|wh[aā]nau\s+mai|aso\s+f[aā]nau)",
        rf"[0-9][A-Za-z]?[^\pL\pN]{{1,3}}\pL(?s:.*)(?i:\b(?:{STREET_TYPES})\b)",  # street address
        r"(?i:\bp\.?\s?o\.?\s?b|post\s+office|priv(?:ate|\.)?\s+bag|\bc\.?m\.?b\b|community\s+mail|locked\s+bag)",
        r"Box\s[0-9]{3}",  # "Box 1234" without the PO
        r"(?i:\br\.?\s?d\.?\s{0,2}[0-9]|rural\s+delivery|state\s+highway|\bs\.?h\.?\s{0,2}[0-9])",
    )
)

#: What the prefilter says a value needs: the pattern finders, the name finder, or both (bit flags).
_NEEDS_PATTERNS, _NEEDS_NAMES = 1, 2

_FINDERS: tuple[tuple[str, Callable[[str], list[tuple[int, int]]]], ...] = (
    ("nhi", nhi_spans),
    ("ird", ird_spans),
    ("phone", phone_spans),
    ("email", email_spans),
    ("address", address_spans),
    ("dob", dob_spans),
    ("name", name_spans),
)


def _find(text: str, needs: int = _NEEDS_PATTERNS | _NEEDS_NAMES) -> list[_Span]:
    """Every identifier in one text, as (start, end, kind); spans of different kinds may overlap.
    `needs` limits the work to the finders the prefilter said could find something. The finders read a
    copy with the typing undone (:mod:`~dpup_eval.intake.text_folding`), except the name finder; spans
    are the original text's."""
    folded = fold(text) if needs & _NEEDS_PATTERNS else None
    spans: list[_Span] = []
    for kind, finder in _FINDERS:
        if kind == "name":
            if needs & _NEEDS_NAMES:  # names are read in the text as written (see text_folding)
                spans += [(start, end, kind) for start, end in finder(text)]
        elif folded is not None:
            spans += [(*folded.original(start, end), kind) for start, end in finder(folded.text)]
    return spans


def _redact_one(text: str, spans: list[_Span]) -> str:
    """Replace each span with its marker; where spans overlap the earliest (then longest) one wins."""
    pieces, cursor = [], 0
    for start, end, kind in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < cursor:  # overlaps the span just removed: widen that removal, add no second marker
            cursor = max(cursor, end)
            continue
        pieces += [text[cursor:start], MARKERS[kind]]
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


# --- Columns ---------------------------------------------------------------------------------------


def _is_arrow_text(dtype: object) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def _as_arrow_text(values: pd.Series) -> pd.Series:
    """The column as Arrow-backed strings, which is what lets RE2 run over it without Python."""
    return values if _is_arrow_text(values.dtype) else values.astype("string[pyarrow]")


#: Up to this many distinct values, every value goes to the exact rules: the column-wide passes cost about
#: 45 ms to set up whatever the column's length (Arrow compiles the regular expressions and hashes the word
#: lists on every call), far more than the exact rules take on a few values (a few ms each), and a story
#: or a letter made safe one at a time paid that each time.
_SMALL_COLUMN = 16


def _prefilter(text: pd.Series) -> np.ndarray:
    """Per value, which finders could find something in it (0: none; missing values never)."""
    if len(text) <= _SMALL_COLUMN:
        return np.where(text.isna().to_numpy(dtype=bool), 0, _NEEDS_PATTERNS | _NEEDS_NAMES).astype(np.int8)
    array = pa.array(text.array)
    hits = np.asarray(pc.fill_null(pc.match_substring_regex(array, _PREFILTER), False), dtype=bool)
    return hits * np.int8(_NEEDS_PATTERNS) + name_candidates(array) * np.int8(_NEEDS_NAMES)


def _candidates(values: pd.Series) -> tuple[np.ndarray, list[str], np.ndarray]:
    """(codes, texts, needs): the distinct values that pass the prefilter, for each cell the index of its
    value in ``texts`` or -1 when the cell is missing or cannot hold an identifier, and for each text which
    finders it needs (see _prefilter)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy(dtype=np.intp)
        uniques = _as_arrow_text(pd.Series(values.cat.categories))
    else:
        # Always distinct values first: hashing a million cells costs less than running the prefilter's
        # regular expression and the name lookup over all of them, and free text repeats more than a
        # sample suggests (a thousand stories over a million rows).
        codes, unique_values = pd.factorize(values)
        uniques = _as_arrow_text(pd.Series(unique_values))
    needs = _prefilter(uniques)
    keep = np.flatnonzero(needs)
    # Index -1 (missing) reads the extra last slot, which stays -1.
    remap = np.full(len(uniques) + 1, -1, dtype=np.intp)
    remap[keep] = np.arange(len(keep))
    return remap[codes], [str(value) for value in uniques.iloc[keep]], needs[keep]


def _scan(values: pd.Series) -> tuple[dict[str, np.ndarray], np.ndarray, list[str], list[list[_Span]]]:
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    codes, texts, needs = _candidates(values)
    found = [_find(text, int(need)) for text, need in zip(texts, needs, strict=True)]
    # One slot per candidate text plus a last, always False, slot that code -1 reads.
    per_text = {kind: np.zeros(len(texts) + 1, dtype=bool) for kind in IDENTIFIER_KINDS}
    for index, spans in enumerate(found):
        for _, _, kind in spans:
            per_text[kind][index] = True
    masks = {
        kind: hits[codes] if hits.any() else np.zeros(len(values), dtype=bool)
        for kind, hits in per_text.items()
    }
    return masks, codes, texts, found


def scan_text(values: pd.Series) -> dict[str, np.ndarray]:
    """Which cells of a text column hold each kind of identifier.

    Returns a mask for every kind in :data:`IDENTIFIER_KINDS` (all seven, always), each a boolean array as
    long as ``values`` and aligned by position, True where the cell holds at least one identifier of that
    kind. Accepts object, ``string`` (Arrow or Python storage), Arrow ``string`` and categorical columns;
    other dtypes are scanned through their string form.
    """
    return _scan(values)[0]


def redact_text(values: pd.Series) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """A copy of the column with each identifier replaced by a marker such as ``[phone removed]``.

    Everything else in a cell is kept exactly, macrons included. The copy keeps the index and the dtype
    (categorical stays categorical; a non-text column with something removed becomes object). The masks
    are the ones :func:`scan_text` returns, so a caller can report what was removed without scanning twice.
    """
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    masks, codes, texts, found = _scan(values)
    positions = np.flatnonzero(np.logical_or.reduce(list(masks.values())))
    if positions.size == 0:
        return values.copy(), masks
    redacted = np.array([_redact_one(text, spans) for text, spans in zip(texts, found, strict=True)], object)
    dtype = values.dtype
    is_text = (
        isinstance(dtype, pd.StringDtype) or _is_arrow_text(dtype) or pd.api.types.is_object_dtype(dtype)
    )
    result = values.copy() if is_text else values.astype(object)
    result.iloc[positions] = redacted[codes[positions]]
    if isinstance(dtype, pd.CategoricalDtype):
        result = result.astype("category")
    return result, masks


# --- Labels taken from a file (column names, sheet names) -------------------------------------------
def safe_labels(labels: list[str], noun: str) -> list[str]:
    """Labels taken from a file, fit to be shown: one that holds an identifier becomes its position.

    Header cells are data too. A file without a header row puts its first record where the column names
    should be, and a column can be named with a phone number or an NHI; sheet names are typed by people as
    well. Anything that reaches a report, a page or a terminal goes through here first: each label is
    scanned like a text cell, and one with an identifier of any kind is replaced by ``"{noun} {n}"``
    (1-based: "column 7", "sheet 2"). The others come back unchanged.
    """
    if not labels:
        return []
    masks = scan_text(pd.Series([str(label) for label in labels], dtype="string[pyarrow]"))
    holds = np.logical_or.reduce(list(masks.values()))
    return [f"{noun} {i}" if holds[i - 1] else str(label) for i, label in enumerate(labels, start=1)]


def safe_label(label: str, noun: str, position: int) -> str:
    """One label (1-based `position`), as :func:`safe_labels` would show it."""
    return f"{noun} {position}" if any(mask[0] for mask in scan_text(pd.Series([str(label)])).values()) else label


def find_spans(text: str) -> list[tuple[int, int, str]]:
    """Every identifier in one text as (start, end, kind), for callers that need places, not masks
    (``dpup-eval scan`` on a letter). Spans of different kinds may overlap."""
    return _find(text)
