"""Check-digit rules for New Zealand NHI and IRD numbers, kept apart from the text scanner.

Why a check digit matters here: the scanner in :mod:`dpup_eval.intake.identifiers` runs over free text where
seven-character codes and eight- or nine-digit numbers turn up for all sorts of reasons (stock codes,
counts, reference numbers). Flagging every one of them would bury the real identifiers in false alarms,
so a token only counts as an NHI or IRD number when its check digit is right.

NHI numbers follow HISO 10046 (Consumer Health Identity Standard), 2023 and later editions:

* Old format ``AAANNNC``: three letters (A-Z without I and O, valued A=1 ... Z=24), three digits and a
  numeric check digit. The first six values are weighted 7, 6, 5, 4, 3, 2 and summed; the sum modulo 11 is
  the checksum. A checksum of 0 means the six characters have no valid NHI (about 1.26 million of them).
  Otherwise the check digit is ``11 - checksum``, with 10 written as 0.
* New format ``AAANNAC``: three letters, two digits, a letter and a check letter. The same values and
  weights are summed; the check letter is the one whose value is ``23 - (sum % 23)``. Every six-character
  stem has exactly one check letter (never Z, since 23 - x is at most 23 = Y).

An earlier edition gave the new format a modulus of 24. With 24, the weights 2, 3, 4 and 6 share factors
with the modulus, so some single-character typing errors left the checksum unchanged; HISO 10046:2023
moved to the prime 23, under which any single changed digit is caught. The modulus-23 rule is the one
applied here, and the published test NHI ``ZZZ00AC`` is valid under it (under modulus 24 it would need X).

`is_valid_nhi` takes the number exactly as the standard writes it (upper case, no spaces). Reading the
ways people type an NHI in free text (lower case, spaces, dashes) is the scanner's job
(:mod:`dpup_eval.intake.number_finders`), which folds the case and removes separators before asking here.

IRD numbers are checked by python-stdnum (``stdnum.nz.ird``), a maintained implementation of Inland
Revenue's two-pass modulus 11 rule and valid range, rather than by arithmetic written again here.
"""

from __future__ import annotations

import re

from stdnum.nz import ird as _stdnum_ird

__all__ = ["NHI_LETTERS", "is_valid_ird", "is_valid_nhi", "nhi_check_character"]

#: The 24 letters an NHI may use, in value order (A=1 ... Z=24): I and O are left out so they are never
#: confused with 1 and 0.
NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LETTER_VALUE = {letter: value for value, letter in enumerate(NHI_LETTERS, start=1)}
_WEIGHTS = (7, 6, 5, 4, 3, 2)

_NHI_OLD = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{4}")
_NHI_NEW = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}")
_NHI_STEM = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}[0-9A-HJ-NP-Z]")
_IRD = re.compile(r"[0-9]{2,3}(?P<sep>[-./ ]?)[0-9]{3}(?P=sep)[0-9]{3}|[0-9]{7,8}-[0-9]")


def _weighted_sum(stem: str) -> int:
    """Sum of the first six NHI characters' values times the weights 7..2 (digits count as themselves)."""
    return sum(
        weight * (int(char) if char.isdigit() else _LETTER_VALUE[char])
        for weight, char in zip(_WEIGHTS, stem, strict=True)
    )


def nhi_check_character(stem: str) -> str | None:
    """The check character that completes a six-character NHI stem, or None if the stem has none.

    A stem ending in a digit is old format (check digit, modulus 11); a stem ending in a letter is new
    format (check letter, modulus 23). Old-format stems whose checksum is 0 cannot be issued, hence None.
    Exposed so that tests and synthetic-data tools build valid NHIs from the same rule the scanner checks.
    """
    if not isinstance(stem, str) or not _NHI_STEM.fullmatch(stem):
        return None
    total = _weighted_sum(stem)
    if stem[5].isdigit():
        checksum = total % 11
        if checksum == 0:
            return None
        return str((11 - checksum) % 10)
    return NHI_LETTERS[23 - total % 23 - 1]


def is_valid_nhi(text: str) -> bool:
    """True when the whole of ``text`` is an NHI number with the right check character.

    Both formats are accepted (``AAANNNC`` and ``AAANNAC``), upper case only, with no spaces. A valid check
    character means the number is well formed, not that it was ever issued to anyone.
    """
    if not isinstance(text, str) or not (_NHI_OLD.fullmatch(text) or _NHI_NEW.fullmatch(text)):
        return False
    return nhi_check_character(text[:6]) == text[6]


def is_valid_ird(text: str) -> bool:
    """True when the whole of ``text`` is an IRD number: 8 or 9 digits with a correct check digit.

    The digits may be grouped with one kind of single separator (dash, space, point or slash) as people
    write them (``123-456-789``, ``12 345 678``, ``49.098.576``), or with the check digit split off
    (``4909185-0``). The check digit and the valid range (10,000,000 to 150,000,000) are python-stdnum's.
    """
    if not isinstance(text, str) or not _IRD.fullmatch(text):
        return False
    digits = re.sub(r"[-./ ]", "", text)
    return len(digits) in (8, 9) and bool(_stdnum_ird.is_valid(digits))
