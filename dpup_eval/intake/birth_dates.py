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

from dpup_eval.intake.te_reo import without_macrons

__all__ = ["dob_spans"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# Te reo Māori month names (Kohitātea = January ... Hakihea = December), typed with or without macrons.
_TE_REO_MONTHS = (
    "kohitatea", "huitanguru", "poututerangi", "paengawhawha", "haratua", "pipiri", "hongongoi",
    "hereturikoka", "mahuru", "whiringa-a-nuku", "whiringa-a-rangi", "hakihea",
)
_MACRONED = {"a": "[aā]", "e": "[eē]", "i": "[iī]", "o": "[oō]", "u": "[uū]"}
_TE_REO_MONTH = "(?:" + "|".join("".join(_MACRONED.get(c, c) for c in m) for m in _TE_REO_MONTHS) + ")"
# Ordinal words for the day ("the third of April").
_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth", "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth",
    "twenty-sixth", "twenty-seventh", "twenty-eighth", "twenty-ninth", "thirtieth", "thirty-first",
]
_DAY_WORD = "(?:" + "|".join(sorted(_ORDINAL_WORDS, key=len, reverse=True)) + ")"
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:[0-9]{4}|'?[0-9]{2})"
_DATE = re.compile(
    r"(?<![0-9A-Za-z])(?:"
    rf"(?P<d1>[0-9]{{1,2}}{_ORD}|{_DAY_WORD})[\s.-]*(?:(?:of|o)\s+)?(?P<m1>{_MONTH}|{_TE_REO_MONTH})\.?"
    rf"(?:,?[\s.-]*(?P<y1>{_YEAR}))?"
    rf"|(?P<m2>{_MONTH})\.?\s*(?P<d2>[0-9]{{1,2}}){_ORD}(?:,?\s+(?P<y2>{_YEAR}))?"
    r"|(?P<y3>[0-9]{4})(?P<sep3>[-/.])(?P<m3>[0-9]{1,2})(?P=sep3)(?P<d3>[0-9]{1,2})"  # year first
    r"|(?P<c>[0-9]{8})"  # a system's 20150403 or 03042015; only right after a birth word (_governs_after)
    r"|(?P<a>[0-9]{1,2})(?P<sep>[/.-])(?P<b>[0-9]{1,2})(?:(?P=sep)(?P<y4>[0-9]{4}|[0-9]{2}))?"
    r")(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# The birth words. "b." only counts right before a date ("b. 03-04-15"), see _BIRTH_INITIAL.
_BIRTH_WORDS = re.compile(
    r"(?<![\w])(?:born|d[./]?\s?o[./]?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birth\s*day|b['’]?days?|b/day"
    r"|b/d(?=\s*[:-]?\s*[0-9])"  # "b/d 30/01/2021" (birth date), only right before a date
    r"|r[aā]\s+wh[aā]nau|wh[aā]nau\s+mai|aso\s+f[aā]nau)",  # te reo "rā whānau", "i whānau mai"; Samoan
    re.IGNORECASE,
)
_BIRTH_INITIAL = re.compile(r"(?<![\w.])b\.\s?(?=[0-9])", re.IGNORECASE)
# Words that give a following date another role: "born in 2016, seen 3 May 2024".
_OTHER_ROLE = re.compile(
    r"(?i)\b(?:session|sessions|seen|saw|visit|visited|met|meet|review|reviewed|appointment|appt|attended|"
    r"referred|referral|enrolled|enrolment|started|start|finished|exit|exited|moved|called|rang|phoned|"
    r"hui|group|class|course|due|next|last|since|until|from|today|(?:19|20)[0-9]{2}|"
    # "DOB checked on 3/4/2024": the date of the checking, not the birth.
    r"(?:checked|verified|confirmed|sighted|updated|entered|recorded|requested|ordered|issued|signed|received|sent)"
    r"\s+(?:on|at))\b"
)
# Leader dots or lines in forms ("Date of Birth ........ 3 April 2015") are a gap, not a full stop.
_LEADER = re.compile(r"[._]{2,}|…")
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
        month = _month_number(m["m1"] or m["m2"])
        day = _day_number(m["d1"] or m["d2"])
        written = m["y1"] or m["y2"]
        return [(year, month, day) for year in _years(written)]
    if m["y3"]:
        return [(int(m["y3"]), int(m["m3"]), int(m["d3"]))]
    if m["c"]:
        digits = m["c"]
        readings = [(int(digits[:4]), int(digits[4:6]), int(digits[6:])), (int(digits[4:]), int(digits[2:4]), int(digits[:2]))]
        return [(y, mo, d) for y, mo, d in readings if 1900 <= y <= 2099]
    first, second = int(m["a"]), int(m["b"])
    return [(year, mo, d) for year in _years(m["y4"]) for d, mo in ((first, second), (second, first))]


def _month_number(word: str) -> int:
    low = without_macrons(word.lower())
    if low in _TE_REO_MONTHS:
        return _TE_REO_MONTHS.index(low) + 1
    return _MONTH_NUMBER[low[:3]]


def _day_number(written: str) -> int:
    low = written.lower()
    if low in _ORDINAL_WORDS:
        return _ORDINAL_WORDS.index(low) + 1
    return int(re.sub(r"\D", "", low))


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
    return bool(m["y1"] or m["y2"] or m["y3"] or m["y4"] or m["c"])


def _gap_ok(gap: str, words: int) -> bool:
    """A gap a birth word reaches over: short, in the same sentence, with no word giving the date another role."""
    gap = _LEADER.sub(" ", gap)
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
    found |= _column_dates(text, dates)
    return sorted(found)


_CELL_MARKS = " \t:-|"


def _column_dates(text: str, dates: list[re.Match[str]]) -> set[tuple[int, int]]:
    """Dates under a birth word that heads its column: a label alone on its line ("DOB" then "3/4/2015" on
    the next) or a header cell of a table pasted with tabs or pipes ("Name\tDOB\tSex" then a row per
    person). The date must fill its cell; only lines right below, up to a line without the table's mark."""
    found: set[tuple[int, int]] = set()
    lines, cursor = [], 0
    for line in text.split("\n"):
        lines.append((cursor, cursor + len(line)))
        cursor += len(line) + 1
    by_start = {m.start(): m for m in dates}
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        mark = "\t" if "\t" in line else "|" if "|" in line else None
        cells = _cells(text, start, end, mark)
        columns = [k for k, (a, b) in enumerate(cells) if _BIRTH_WORDS.fullmatch(text[a:b].strip(_CELL_MARKS))]
        if not columns:
            continue
        for below_start, below_end in lines[index + 1 :]:
            if mark is not None and mark not in text[below_start:below_end]:
                break
            below = _cells(text, below_start, below_end, mark)
            for k in columns:
                if k < len(below):
                    a, b = below[k]
                    stripped_start = a + len(text[a:b]) - len(text[a:b].lstrip(_CELL_MARKS))
                    m = by_start.get(stripped_start)
                    if m is not None and _has_year(m) and not text[m.end() : b].strip(_CELL_MARKS):
                        found.add(m.span())
            if mark is None:
                break
    return found


def _cells(text: str, start: int, end: int, mark: str | None) -> list[tuple[int, int]]:
    """The (start, end) of each cell of one line split at `mark` (the whole line when None)."""
    if mark is None:
        return [(start, end)]
    cells, cursor = [], start
    for i in range(start, end):
        if text[i] == mark:
            cells.append((cursor, i))
            cursor = i + 1
    cells.append((cursor, end))
    return cells


def _governs_after(gap: str, m: re.Match[str]) -> bool:
    """Whether a birth word reaches over `gap` to the date after it. A date without a year must be close:
    a day and month in words may have one word between ("birthday is 3 April"), "3/4" none ("bday 3/4"),
    and "3-4" or "3.5" never count (age ranges and weights: "born 6-8 weeks early", "born at 3.5 kg")."""
    if not _gap_ok(gap, _AFTER_WORDS):
        return False
    if m["c"]:
        return not _WORD.findall(gap)
    if _has_year(m):
        return True
    if m["m1"] or m["m2"]:
        return len(_WORD.findall(gap)) <= 1
    return m["sep"] == "/" and not _WORD.findall(gap)
