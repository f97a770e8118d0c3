"""Find and remove New Zealand personal identifiers in text columns, fast enough for million-row files.

Why this module exists: under the Data Protection and Use Policy a provider shares what it needs and no
more. A data file headed for evaluation must not carry NHI or IRD numbers, phone numbers, email or street
addresses, or dates of birth, and free-text feedback is where they slip in ("ring me on 021 ..."). Every
text column of an incoming file is scanned, so the scanner has to be both right and quick:

* Right means few false alarms. A flag stops a file or sends a person to look, so a token only counts
  when it really is the identifier: NHI and IRD numbers need a correct check digit, phone numbers must be
  valid New Zealand numbers (libphonenumber's metadata), a date only counts as a date of birth next to a
  word such as "born" or "DOB", and a street address needs a house number, a capitalised name and a street
  type. Tokens glued to other letters or digits (``P-02112345``) are parts of codes, not identifiers.
* Quick means no Python loop over a million cells. Each column is reduced to its distinct values when it
  has few, then one broad regular expression runs over the text in Arrow's RE2 engine, and only the
  values it lets through (usually a tiny share) are examined in Python. Results map back by position.

Nothing here prints, logs or raises with an identifier's value: this is privacy software, and the values
it finds are exactly the ones that must not leak into logs or error reports.

Masks always hold every kind in :data:`IDENTIFIER_KINDS`, even kinds with no hit, so callers can index
them without checking. Missing cells (None, NaN, ``pd.NA``) are never flagged and stay missing on redaction.
Digits are matched as ASCII 0-9.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.intake.nz_numbers import is_valid_ird, is_valid_nhi

__all__ = ["IDENTIFIER_KINDS", "is_valid_ird", "is_valid_nhi", "redact_text", "scan_text"]

#: Every kind of identifier the scanner knows, in the order masks are returned.
IDENTIFIER_KINDS: tuple[str, ...] = ("nhi", "ird", "phone", "email", "address", "dob")

#: Plain-language markers left where an identifier was removed.
MARKERS: dict[str, str] = {
    "nhi": "[NHI removed]",
    "ird": "[IRD number removed]",
    "phone": "[phone removed]",
    "email": "[email removed]",
    "address": "[address removed]",
    "dob": "[date of birth removed]",
}

_Span = tuple[int, int, str]

# --- Prefilter (RE2 syntax, run by Arrow over whole columns) -----------------------------------------
# It must let through every value in which the exact Python rules below could find something; it may let
# through more. Each branch is a loose form of one rule.
_STREET_TYPES = (
    "street|st|road|rd|avenue|ave|drive|dr|place|pl|crescent|cres|terrace|tce|lane|ln|way|grove|close|"
    "court|ct|crt|parade|pde|highway|hwy|quay|boulevard|blvd|rise|square|sq|mews|esplanade|esp|glade|"
    "heights|hts"
)
_PREFILTER = "|".join(
    (
        r"[A-HJ-NP-Z]{3}[0-9]{2}",  # NHI (either format)
        r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){7}",  # IRD and phone: eight or more digits close together
        r"@",  # email
        r"(?i:born|d\.?[ ]?o\.?[ ]?b|birth)",  # the words that make a date a date of birth
        rf"[0-9][A-Za-z]?[^\pL\pN]{{1,3}}\p{{Lu}}(?s:.*)(?i:\b(?:{_STREET_TYPES})\b)",  # street address
    )
)

# --- Exact rules (Python re, run on prefiltered values only) ---------------------------------------
_GLUED_BEFORE = re.compile(r"(?:[0-9A-Za-z]|[0-9A-Za-z][-/]|[0-9]\.)\Z")
_GLUED_AFTER = re.compile(r"[0-9A-Za-z]|[-/][0-9A-Za-z]|\.[0-9]")
_NHI_TOKEN = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}(?:[0-9]{2}|[A-HJ-NP-Z]{2})")
_IRD_TOKEN = re.compile(r"(?<![0-9])(?<![0-9][- ])[0-9]{2,3}[- ]?[0-9]{3}[- ]?[0-9]{3}(?![0-9])(?![- ][0-9])")
_PHONE_HINT = re.compile(r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){7}")
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]{1,64}@[^\W_](?:[\w-]{0,61}[^\W_])?(?:\.[^\W_](?:[\w-]{0,61}[^\W_])?)*\.[^\W\d_]{2,24}(?!\w)"
)
_CAPITAL = "A-ZĀĒĪŌŪ"
_ADDRESS = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?:(?i:flat|unit|apartment|apt)\.?\s{1,3}[0-9]{1,4}[A-Za-z]?,?\s{1,3}|[0-9]{1,4}[A-Za-z]?/)?"
    r"(?!(?:19|20)[0-9]{2}\b)[0-9]{1,4}[A-Za-z]?\s{1,3}"  # house number, but not a year ("In 2019 Family Court")
    rf"(?P<name>(?:[{_CAPITAL}][\w'’.-]*\s{{1,3}}){{1,4}}?)"
    rf"(?P<type>(?i:{_STREET_TYPES}))(?!\w)"
)
# "3 District Court hearings" names a court, not a street.
_COURTS = {"youth", "family", "district", "high", "supreme", "appeal", "land", "environment", "employment"}
_COURTS |= {"coroners", "disputes", "rangatahi", "pasifika", "criminal", "civil", "children's"}
# Title-case prose ("Top 10 Ways To Close The Gap") is not an address: street names do not use these.
_NOT_NAME_WORDS = {"to", "and", "or", "for", "with", "in", "on", "at", "is", "are", "was", "were", "we", "i"}
_NOT_NAME_WORDS |= {"my", "our", "your", "you", "it", "this", "that", "from", "by", "if", "not", "no", "be"}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    rf"(?P<d1>[0-9]{{1,2}}){_ORD}\s+(?:of\s+)?(?P<m1>{_MONTH})\.?,?\s+(?P<y1>[0-9]{{4}})"
    rf"|(?P<m2>{_MONTH})\.?\s+(?P<d2>[0-9]{{1,2}}){_ORD},?\s+(?P<y2>[0-9]{{4}})"
    r"|(?P<y3>[0-9]{4})-(?P<m3>[0-9]{1,2})-(?P<d3>[0-9]{1,2})"
    r"|(?P<a>[0-9]{1,2})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?P=sep)(?P<y4>[0-9]{4}|[0-9]{2})"
    r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
_BIRTH_WORDS = re.compile(
    r"\b(?:born|d\.?[ ]?o\.?[ ]?b\b\.?|date\s+of\s+birth|birth\s*date|birthday)", re.IGNORECASE
)
_WORD = re.compile(r"[^\W_]+")
#: How many words may stand between a date and its birth word ("born in Hamilton on 3 May 2016").
_BIRTH_WORD_DISTANCE = 4
_BIRTH_GAP_CHARS = 120  # four words and their spacing fit easily; longer gaps are never "a few words"
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NUMBER = {month: number for number, month in enumerate(_MONTHS, start=1)}


def _glued(text: str, start: int, end: int) -> bool:
    """True when a match is part of a longer code: touching a letter or digit directly or over - or /
    (``P-02112345``), or a digit over a point (``3.021123456``)."""
    return bool(_GLUED_BEFORE.search(text, max(0, start - 2), start) or _GLUED_AFTER.match(text, end))


def _nhi_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _NHI_TOKEN.finditer(text) if not _glued(text, *m.span()) and is_valid_nhi(m[0])]


def _ird_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _IRD_TOKEN.finditer(text) if not _glued(text, *m.span()) and is_valid_ird(m[0])]


def _phone_spans(text: str) -> list[tuple[int, int]]:
    """NZ numbers written as people write them: starting 0, (0 or +, valid for New Zealand."""
    if not _PHONE_HINT.search(text):
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, "NZ", leniency=phonenumbers.Leniency.VALID):
        if (
            match.raw_string.lstrip("(").startswith(("0", "+"))
            and phonenumbers.is_valid_number_for_region(match.number, "NZ")
            and not _glued(text, match.start, match.end)
        ):
            found.append((match.start, match.end))
    return found


def _email_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _EMAIL.finditer(text)] if "@" in text else []


def _address_spans(text: str) -> list[tuple[int, int]]:
    found = []
    for m in _ADDRESS.finditer(text):
        name_words = m["name"].lower().split()
        if m["type"].lower() in {"court", "ct", "crt"} and name_words[-1] in _COURTS:
            continue
        if _NOT_NAME_WORDS.intersection(name_words):
            continue
        found.append(m.span())
    return found


def _is_calendar_date(match: re.Match[str]) -> bool:
    """True when the matched date exists (30 February does not; 3/5/16 may be day-first or month-first)."""
    if match["y1"] or match["y2"]:
        day, month, year = (
            match["d1"] or match["d2"],
            (match["m1"] or match["m2"])[:3],
            match["y1"] or match["y2"],
        )
        options = [(int(year), _MONTH_NUMBER[month.lower()], int(day))]
    elif match["y3"]:
        options = [(int(match["y3"]), int(match["m3"]), int(match["d3"]))]
    else:
        year = int(match["y4"])
        years = [year] if year >= 100 else [1900 + year, 2000 + year]
        first, second = int(match["a"]), int(match["b"])
        options = [(y, m, d) for y in years for d, m in ((first, second), (second, first))]
    for year, month, day in options:
        try:
            date(year, month, day)
        except ValueError:
            continue
        return True
    return False


def _dob_spans(text: str) -> list[tuple[int, int]]:
    """Exact dates within a few words of a birth word; the date alone is removed, the words stay."""
    birth_words = [m.span() for m in _BIRTH_WORDS.finditer(text)]
    if not birth_words:
        return []
    # Only the nearest birth word on each side can be close enough, so look those up rather than
    # measuring every pair (a long note with many dates would otherwise take quadratic time).
    starts, ends = [span[0] for span in birth_words], [span[1] for span in birth_words]
    found = []
    for m in _DATE.finditer(text):
        start, end = m.span()
        before, after = bisect_right(ends, start) - 1, bisect_left(starts, end)
        gaps = ([text[ends[before] : start]] if before >= 0 else []) + (
            [text[end : starts[after]]] if after < len(starts) else []
        )
        near = any(
            len(gap) <= _BIRTH_GAP_CHARS and len(_WORD.findall(gap)) <= _BIRTH_WORD_DISTANCE for gap in gaps
        )
        if near and _is_calendar_date(m):
            found.append((start, end))
    return found


_FINDERS: tuple[tuple[str, Callable[[str], list[tuple[int, int]]]], ...] = (
    ("nhi", _nhi_spans),
    ("ird", _ird_spans),
    ("phone", _phone_spans),
    ("email", _email_spans),
    ("address", _address_spans),
    ("dob", _dob_spans),
)


def _find(text: str) -> list[_Span]:
    """Every identifier in one text, as (start, end, kind); spans of different kinds may overlap."""
    return [(start, end, kind) for kind, finder in _FINDERS for start, end in finder(text)]


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
_SAMPLE_SIZE = 5_000
_SMALL_COLUMN = 20_000


def _is_arrow_text(dtype: object) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def _as_arrow_text(values: pd.Series) -> pd.Series:
    """The column as Arrow-backed strings, which is what lets RE2 run over it without Python."""
    return values if _is_arrow_text(values.dtype) else values.astype("string[pyarrow]")


def _prefilter(text: pd.Series) -> np.ndarray:
    """Boolean array: which values could hold an identifier (missing values cannot)."""
    hits = pc.match_substring_regex(pa.array(text.array), _PREFILTER)
    return np.asarray(pc.fill_null(hits, False), dtype=bool)


def _mostly_distinct(values: pd.Series) -> bool:
    """Guess from an evenly spaced sample whether most values are distinct (free text) or repeat (codes).

    Finding the distinct values of a million free-text cells costs about three times more than running
    the prefilter over all of them, so that step is only worth it when values repeat.
    """
    if len(values) <= _SMALL_COLUMN:
        return False
    sample = values.iloc[np.linspace(0, len(values) - 1, _SAMPLE_SIZE).astype(np.intp)].dropna()
    return len(sample) > 0 and sample.nunique() > len(sample) // 2


def _candidates(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(codes, texts): the distinct values that pass the prefilter, and for each cell the index of its
    value in ``texts`` or -1 when the cell is missing or cannot hold an identifier."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy(dtype=np.intp)
        uniques = _as_arrow_text(pd.Series(values.cat.categories))
    elif _mostly_distinct(values):
        text = _as_arrow_text(values)
        positions = np.flatnonzero(_prefilter(text))
        sub_codes, sub_uniques = pd.factorize(text.iloc[positions])
        codes = np.full(len(values), -1, dtype=np.intp)
        codes[positions] = sub_codes
        return codes, [str(value) for value in sub_uniques]
    else:
        codes, unique_values = pd.factorize(values)
        uniques = _as_arrow_text(pd.Series(unique_values))
    keep = np.flatnonzero(_prefilter(uniques))
    # Index -1 (missing) reads the extra last slot, which stays -1.
    remap = np.full(len(uniques) + 1, -1, dtype=np.intp)
    remap[keep] = np.arange(len(keep))
    return remap[codes], [str(value) for value in uniques.iloc[keep]]


def _scan(values: pd.Series) -> tuple[dict[str, np.ndarray], np.ndarray, list[str], list[list[_Span]]]:
    if not isinstance(values, pd.Series):
        values = pd.Series(values)
    codes, texts = _candidates(values)
    found = [_find(text) for text in texts]
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

    Returns a mask for every kind in :data:`IDENTIFIER_KINDS` (all six, always), each a boolean array as
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
