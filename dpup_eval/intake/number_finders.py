"""Finding NHI, IRD and phone numbers in text the way people actually type them.

Why a module of its own: these three are numbers with a structure a maintained rule can check (an NHI or
IRD check digit, libphonenumber's plan for New Zealand), so the question here is only how generously to
read what was typed. Caseworkers write NHIs in lower case, with a space or a dash inside, or letter by
letter ("z z z 0 0 1 6"); IRD numbers with dashes, spaces, dots or slashes; phone numbers in every
grouping. Each finder undoes the typing (separators out, case folded) and then applies the exact rule, so
a wrong check digit still means "not an identifier".

Where the generous reading could turn ordinary prose into an identifier, the finder asks for more:

* "the 2021 review" reads as ``THE2021`` and one such phrase in eleven has a valid check digit. So an NHI
  written in lower or title case with a space between its letters and its digits counts only when its
  letters are not a common three-letter word, or the word NHI is close by; an upper-case one whose digits
  look like a year ("MSD 2021") also needs the word NHI close by.
* A decimal such as 0.93396384 is a number, not the phone number 09 339 6384.

Every finder returns (start, end) spans; none prints or logs what it found.
"""

from __future__ import annotations

import re

import phonenumbers

from dpup_eval.intake.nz_numbers import is_valid_ird, is_valid_nhi

__all__ = ["glued", "ird_spans", "nhi_spans", "phone_spans"]


def _words(text: str) -> list[str]:
    """The words of a space-separated list (keeps long word lists readable)."""
    return text.split()

_GLUED_BEFORE = re.compile(r"(?:[0-9A-Za-z]|[0-9A-Za-z][-/]|[0-9]\.)\Z")
_GLUED_AFTER = re.compile(r"[0-9A-Za-z]|[-/][0-9A-Za-z]|\.[0-9]")


def glued(text: str, start: int, end: int) -> bool:
    """True when a match is part of a longer code: touching a letter or digit directly or over - or /
    (``P-02112345``), or a digit over a point (``3.021123456``)."""
    return bool(_GLUED_BEFORE.search(text, max(0, start - 2), start) or _GLUED_AFTER.match(text, end))


# --- NHI -------------------------------------------------------------------------------------------
# Seven characters, each pair optionally split by one space, dash or point: "ZZZ0016", "zzz 0016",
# "ZZZ-00-16", "Z Z Z 0 0 1 6". Case is folded before the check character is tested.
_NHI_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])"
    r"(?P<letters>[A-Za-z](?:[ .-]?[A-Za-z]){2})(?P<gap>[ .-]?)"
    r"(?P<rest>[0-9](?:[ .-]?[0-9])(?:[ .-]?[0-9A-Za-z]){2})"
    r"(?![0-9A-Za-z])"
)
_SEPARATORS = re.compile(r"[ .-]")
_NHI_WORD = re.compile(r"(?i)\bN\.?H\.?I\b")
#: How far (in characters) the word NHI may be from a number that needs it ("NHI is zzz 0016").
_NHI_WORD_REACH = 30
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
# Three-letter words that come before a number in ordinary notes ("the 2021 review", "was 1234").
_COMMON_TRIGRAMS = frozenset(
    _words(
        """the and for was are but not you all any can had her his him she one our out day get has how man
        new now old see two way who boy did its let put say too use dad mum son age due jan feb mar apr may
        jun jul aug sep oct nov dec mon tue wed thu fri sat sun yes got met ten six set off per via ago yet
        own few far try ran saw ate end kid gym bus car job pay tax fee box top lot bed cot art fun big
        wee ref bay map app aim why yep nah eta asb anz bnz kfc acc msd gst cyf dhb gps"""
    )
)


def nhi_spans(text: str) -> list[tuple[int, int]]:
    """NHIs in either format (``AAANNNC``, ``AAANNAC``) with a valid check character, however typed."""
    found = []
    for m in _NHI_CANDIDATE.finditer(text):
        compact = _SEPARATORS.sub("", m[0]).upper()
        if not is_valid_nhi(compact) or (glued(text, *m.span()) and not _labelled_or_listed(text, *m.span())):
            continue
        if m["gap"] and not _letter_by_letter(m[0]) and not _nhi_word_near(text, *m.span()):
            letters = _SEPARATORS.sub("", m["letters"])
            digits = _SEPARATORS.sub("", m["rest"])
            if not letters.isupper() and letters.lower() in _COMMON_TRIGRAMS:
                continue
            if letters.isupper() and _YEAR.fullmatch(digits):
                continue
        found.append(m.span())
    return found


# The label glued on ("NHI-ZZZ0016", "nhi:zzz0016", "NHI#ZZZ0016"); siblings' NHIs with a slash between.
_NHI_LABEL_GLUED = re.compile(r"(?i)(?<![0-9A-Za-z])N\.?H\.?I[-/:#=]\Z")


def _labelled_or_listed(text: str, start: int, end: int) -> bool:
    """A glued NHI that is still one: glued only to its label, or to another valid NHI over a slash."""
    before_ok = (
        not _GLUED_BEFORE.search(text, max(0, start - 2), start)
        or bool(_NHI_LABEL_GLUED.search(text, max(0, start - 8), start))
        or (text[start - 1 : start] == "/" and _nhi_at(text, start - 8, start - 1))
    )
    after_ok = not _GLUED_AFTER.match(text, end) or (text[end : end + 1] == "/" and _nhi_at(text, end + 1, end + 8))
    return before_ok and after_ok


def _nhi_at(text: str, start: int, end: int) -> bool:
    """Whether exactly seven characters at text[start:end] are a valid NHI standing alone."""
    if start < 0 or end > len(text) or (start > 0 and text[start - 1].isalnum()) or text[end : end + 1].isalnum():
        return False
    return is_valid_nhi(text[start:end].upper())


def _letter_by_letter(token: str) -> bool:
    """"Z Z Z 0 0 1 6": a separator between every pair of characters, which prose never does."""
    return len(token) == 13 and all(token[i] in " .-" for i in range(1, 13, 2))


def _nhi_word_near(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - _NHI_WORD_REACH) : end + _NHI_WORD_REACH]
    return bool(_NHI_WORD.search(window))


# --- IRD -------------------------------------------------------------------------------------------
# 8 or 9 digits, plain or grouped 2-3/3-3-3 with one kind of separator used throughout, or with the check
# digit split off ("4909185-0", as python-stdnum's documentation writes one).
_IRD_CANDIDATE = re.compile(
    r"(?<![0-9])(?<![0-9][-./ ])"
    r"(?:[0-9]{2,3}(?P<sep>[-./ ]?)[0-9]{3}(?P=sep)[0-9]{3}|[0-9]{7,8}-[0-9])"
    r"(?![0-9])(?![-./ ][0-9])"
)
# Grouped by spaces or points and followed by a word, a number is a quantity ("about 35 901 981 people"),
# unless a tax word is close by ("IRD", "tax", "GST", "IR number", "Inland Revenue"). Alone (a cell of
# its own) it still counts.
_IRD_WORD = re.compile(r"(?i)\b(?:i\.?\s?r\.?\s?d|ird|tax|gst|ir\s+(?:no|number)|inland\s+revenue)\b")
_IRD_WORD_REACH = 30
_WORD_AFTER = re.compile(r"\s+[^\W\d_]")


def ird_spans(text: str) -> list[tuple[int, int]]:
    """IRD numbers with a valid check digit (python-stdnum), written plain or grouped by - . / or space."""
    found = []
    for m in _IRD_CANDIDATE.finditer(text):
        if glued(text, *m.span()) or not is_valid_ird(m[0]):
            continue
        if m["sep"] in (" ", ".") and _WORD_AFTER.match(text, m.end()) and not _IRD_WORD.search(
            text, max(0, m.start() - _IRD_WORD_REACH), m.end() + _IRD_WORD_REACH
        ):
            continue
        found.append(m.span())
    return found


# --- Phone -----------------------------------------------------------------------------------------
_PHONE_HINT = re.compile(r"[0-9](?:[^0-9A-Za-z]{0,3}[0-9]){7}")
_DECIMAL = re.compile(r"[+-]?[0-9]+\.[0-9]+")


def phone_spans(text: str) -> list[tuple[int, int]]:
    """NZ numbers written as people write them: starting 0, (0 or +, valid for New Zealand.

    A decimal number (one point, digits either side) is never a phone number, whatever its digits.
    """
    if not _PHONE_HINT.search(text):
        return []
    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, "NZ", leniency=phonenumbers.Leniency.VALID):
        raw = match.raw_string
        if (
            raw.lstrip("(").startswith(("0", "+"))
            and not _DECIMAL.fullmatch(raw)
            and not _in_decimal(text, match.start, match.end)
            and phonenumbers.is_valid_number_for_region(match.number, "NZ")
            and not glued(text, match.start, match.end)
        ):
            found.append((match.start, match.end))
    return found


def _in_decimal(text: str, start: int, end: int) -> bool:
    """True when the match sits inside a longer decimal number ("0.93396384" matched from "93396384")."""
    left = start
    while left > 0 and (text[left - 1].isdigit() or text[left - 1] == "."):
        left -= 1
    right = end
    while right < len(text) and (text[right].isdigit() or text[right] == "."):
        right += 1
    return bool(_DECIMAL.fullmatch(text[left:right]))
