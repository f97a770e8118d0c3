"""Finding dates of birth in text: a date counts only when the words around it say it is a birth date.

Why context decides: programme notes are full of dates (sessions, reviews, referrals), and those must stay,
since they are what an evaluation is made of. A date of birth is the one that a birth word governs:

* after the word: "born 3 May 2016", "DOB: 03/05/16", "b. 03-04-15", "bday 3/4", "date of birth
  2016-05-03", "rā whānau 3 May". The first date after the word, within a few words and in the same
  sentence, is the birth date; a date after another date or a year, or after a word that gives a date
  another role ("session", "review", "seen"), is not. (Te reo month names are not read.)
* before the word: "3 May 2016 (DOB)", "03/05/16 - bday".

Dates are read in the forms people type: day month year with the month in words or abbreviated
("3-Apr-2015", "3 Apr 15", "3rd of April 2015", "03APR2015"), month day year ("April 3, 2015"), numbers
with - / . and two- or four-digit years, ISO ``2015-04-03``, and day and month alone next to a birth word
("bday 3/4", "birthday 3 April"). The date must exist (30 February does not).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from datetime import date

__all__ = ["dob_spans"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:[0-9]{4}|'?[0-9]{2})"
_DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    rf"(?P<d1>[0-9]{{1,2}}){_ORD}[\s.-]*(?:of\s+)?(?P<m1>{_MONTH})\.?(?:,?[\s.-]*(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTH})\.?\s*(?P<d2>[0-9]{{1,2}}){_ORD}(?:,?\s+(?P<y2>{_YEAR}))?"
    r"|(?P<y3>[0-9]{4})-(?P<m3>[0-9]{1,2})-(?P<d3>[0-9]{1,2})"
    r"|(?P<a>[0-9]{1,2})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?:(?P=sep)(?P<y4>[0-9]{4}|[0-9]{2}))?"
    r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# The birth words. "b." only counts right before a date ("b. 03-04-15"), see _BIRTH_INITIAL.
_BIRTH_WORDS = re.compile(
    r"(?<![\w])(?:born|d[./]?\s?o[./]?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birth\s*day|b['’]?days?|b/day"
    r"|b/d(?=\s*[:-]?\s*[0-9])"  # "b/d 30/01/2021" (birth date), only right before a date
    r"|r[aā]\s+wh[aā]nau)",
    re.IGNORECASE,
)
_BIRTH_INITIAL = re.compile(r"(?<![\w.])b\.\s?(?=[0-9])", re.IGNORECASE)
# Words that give a following date another role: "born in 2016, seen 3 May 2024".
_OTHER_ROLE = re.compile(
    r"(?i)\b(?:session|sessions|seen|saw|visit|visited|met|meet|review|reviewed|appointment|appt|attended|"
    r"referred|referral|enrolled|enrolment|started|start|finished|exit|exited|moved|called|rang|phoned|"
    r"hui|group|class|course|due|next|last|since|until|from|today|(?:19|20)[0-9]{2})\b"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|[;\n]")
_WORD = re.compile(r"[^\W_]+")
#: How many words may stand between a birth word and its date ("born in Hamilton on 3 May 2016").
_AFTER_WORDS = 4
#: How many words may stand between a date and a birth word after it ("3 May 2016 is her birthday").
_BEFORE_WORDS = 3
_GAP_CHARS = 60
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NUMBER = {month: number for number, month in enumerate(_MONTHS, start=1)}


def _options(m: re.Match[str]) -> list[tuple[int | None, int, int]]:
    """The (year, month, day) readings of a matched date; year None when it was not written."""
    if m["m1"] or m["m2"]:
        month = _MONTH_NUMBER[(m["m1"] or m["m2"])[:3].lower()]
        day = int(m["d1"] or m["d2"])
        written = m["y1"] or m["y2"]
        return [(year, month, day) for year in _years(written)]
    if m["y3"]:
        return [(int(m["y3"]), int(m["m3"]), int(m["d3"]))]
    first, second = int(m["a"]), int(m["b"])
    return [(year, mo, d) for year in _years(m["y4"]) for d, mo in ((first, second), (second, first))]


def _years(written: str | None) -> list[int | None]:
    if not written:
        return [None]
    digits = written.lstrip("'")
    year = int(digits)
    return [year] if len(digits) == 4 else [1900 + year, 2000 + year]


def _is_calendar_date(m: re.Match[str]) -> bool:
    """True when some reading of the match exists (30 February does not; 3/5/16 may be either way round)."""
    for year, month, day in _options(m):
        try:
            date(year if year is not None else 2000, month, day)  # 2000 is a leap year: 29 Feb allowed
        except ValueError:
            continue
        return True
    return False


def _has_year(m: re.Match[str]) -> bool:
    return bool(m["y1"] or m["y2"] or m["y3"] or m["y4"])


def _gap_ok(gap: str, words: int) -> bool:
    """A gap a birth word reaches over: short, in the same sentence, with no word giving the date another role."""
    return (
        len(gap) <= _GAP_CHARS
        and len(_WORD.findall(gap)) <= words
        and not _SENTENCE_END.search(gap)
        and not _OTHER_ROLE.search(gap)
    )


def dob_spans(text: str) -> list[tuple[int, int]]:
    """Dates governed by a birth word; the date alone is removed, the words stay."""
    births = [(m.start(), m.end()) for m in _BIRTH_WORDS.finditer(text)]
    births += [(m.start(), m.end()) for m in _BIRTH_INITIAL.finditer(text)]
    if not births:
        return []
    dates = [m for m in _DATE.finditer(text) if _is_calendar_date(m)]
    starts, ends = [m.start() for m in dates], [m.end() for m in dates]
    found: set[tuple[int, int]] = set()
    for b_start, b_end in sorted(births):
        # The first date after the birth word, if the gap allows (a date after another date never is).
        index = bisect_left(starts, b_end)
        if index < len(dates) and _governs_after(text[b_end : starts[index]], dates[index]):
            found.add(dates[index].span())
            continue
        # Otherwise the nearest date just before it ("3 May 2016 (DOB)").
        index = bisect_right(ends, b_start) - 1
        if index >= 0 and _has_year(dates[index]) and _gap_ok(text[ends[index] : b_start], _BEFORE_WORDS):
            found.add(dates[index].span())
    return sorted(found)


def _governs_after(gap: str, m: re.Match[str]) -> bool:
    """Whether a birth word reaches over `gap` to the date after it. A date without a year must be close:
    a day and month in words may have one word between ("birthday is 3 April"), "3/4" none ("bday 3/4"),
    and "3-4" or "3.5" never count (age ranges and weights: "born 6-8 weeks early", "born at 3.5 kg")."""
    if not _gap_ok(gap, _AFTER_WORDS):
        return False
    if _has_year(m):
        return True
    if m["m1"] or m["m2"]:
        return len(_WORD.findall(gap)) <= 1
    return m["sep"] == "/" and not _WORD.findall(gap)
