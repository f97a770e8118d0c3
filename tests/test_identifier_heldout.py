"""The scanner on the held-out set (`identifier_heldout.py`): identifiers and near-misses written after the
rules were tuned, by another procedure (published test values, specification examples, hand-written forms).

Expected values come from outside the scanner: python-nhi and python-stdnum say which numbers are valid,
libphonenumber which phone numbers are, and the texts say which substrings must be gone.
"""

from __future__ import annotations

import re

import nhi as python_nhi
import phonenumbers
import pytest
from identifier_corpus import KINDS, Case, score, table
from identifier_heldout import (
    FIRST_SCORE,
    FIRST_SCORE_B,
    PUBLISHED_NHIS,
    PUBLISHED_NOT_NHIS,
    SPEC_IRDS,
    SPEC_NOT_IRDS,
    heldout,
    heldout_b,
)
from identifier_heldout_c import FIRST_SCORE_C, GUIDE_NHIS, LIBPHONENUMBER_NZ, STDNUM_TEST_IRDS, heldout_c
from stdnum.nz import ird as stdnum_ird

RECALL_AIM = 0.98
# Near-misses flagged after the fixes that followed the first score, each one reported in the README; any
# other flag fails the test.
KNOWN_FALSE_ALARMS = {"meter reading 0215 550 12"}  # a valid 021 mobile's digits, grouped 4-3-2


@pytest.fixture(scope="module")
def cases() -> list[Case]:
    return heldout()


def test_expected_values_come_from_the_maintained_libraries(cases: list[Case]) -> None:
    assert all(python_nhi.is_nhi(v, allow_test_values=True) for v in PUBLISHED_NHIS)
    assert not any(python_nhi.is_nhi(v, allow_test_values=True) for v in PUBLISHED_NOT_NHIS)
    assert all(stdnum_ird.is_valid(v) for v in SPEC_IRDS)
    assert not any(stdnum_ird.is_valid(v) for v in SPEC_NOT_IRDS)
    phones = [v for c in cases if c.kind == "phone" for v in c.values]
    for value in phones:
        number = phonenumbers.parse(value.replace("(0)", ""), "NZ")
        assert phonenumbers.is_valid_number_for_region(number, "NZ"), value
    assert len(phones) >= 20
    for case in cases:
        assert all(value in case.text for value in case.values), case.text


def test_the_heldout_set_is_broad(cases: list[Case]) -> None:
    for kind in KINDS:
        positives = [c for c in cases if c.kind == kind]
        negatives = [c for c in cases if c.kind is None and c.resembles == kind]
        assert len(positives) >= 18 and len(negatives) >= 14, kind
        assert len({c.form for c in positives}) >= 5, kind
    assert set(FIRST_SCORE) == set(KINDS)


def test_heldout_recall_and_false_alarms(cases: list[Case]) -> None:
    scores = score(cases)
    print("\n" + table(scores))
    for kind, s in scores.items():
        assert s.recall >= RECALL_AIM, (kind, [f"{c.form}: {c.text}" for c in s.missed])
        assert {c.text for c in s.false_alarms} <= KNOWN_FALSE_ALARMS, kind


def test_second_set_now_at_the_aims() -> None:
    # No longer held out: the scanner was changed for the classes its first run showed (see
    # test_identifier_classes.py), and since then every kind reaches the aims, with no false alarm.
    scores = score(heldout_b())
    for kind, s in scores.items():
        assert s.recall >= RECALL_AIM, (kind, [c.text for c in s.missed])
        assert not s.false_alarms, (kind, [c.text for c in s.false_alarms])


def test_second_heldout_set_no_worse_than_its_first_score() -> None:
    # No kind may catch fewer or flag more than on its first run.
    cases = heldout_b()
    for case in cases:
        assert all(value in case.text for value in case.values), case.text
        if case.kind == "nhi":
            assert python_nhi.is_nhi(case.values[0].replace(" ", ""), allow_test_values=True)
        if case.kind == "ird":
            assert stdnum_ird.is_valid(case.values[0].replace(" ", "").replace(".", "").replace("-", ""))
        if case.kind == "phone":
            assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(case.values[0], "NZ"), "NZ")
    _no_worse_than(cases, FIRST_SCORE_B)


def _no_worse_than(cases: list[Case], record: dict[str, tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """No kind catches fewer or flags more than `record` says; the set itself has not changed size."""
    scores = score(cases)
    print("\n" + table(scores))
    assert set(scores) == set(record)
    for kind, s in scores.items():
        (caught, positives), (flagged, negatives) = record[kind]
        assert (s.positives, s.negatives) == (positives, negatives), kind
        assert s.caught >= caught and s.flagged <= flagged, (kind, [c.text for c in s.missed + s.false_alarms])


# --- Set C (`identifier_heldout_c.py`): pasted tables, text shorthand, te reo and Pacific forms ----------
NHI_SHAPE = re.compile(r"\b[A-Za-z]{3}[- ]?\d{2}[A-Za-z\d]{2}\b")
IRD_SHAPE = re.compile(r"\b\d[\d ,.\-\u2013\u00a0]{6,12}\d\b")


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_set_c_values_come_from_the_maintained_libraries() -> None:
    assert all(python_nhi.is_nhi(v, allow_test_values=True) for v in GUIDE_NHIS)
    assert all(stdnum_ird.is_valid(_digits(v)) for v in STDNUM_TEST_IRDS)
    for value in LIBPHONENUMBER_NZ:
        assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(value, "NZ"), "NZ"), value
    for case in heldout_c():
        assert all(value in case.text for value in case.values), case.text
        if case.kind == "nhi":
            for value in case.values:
                compact = re.sub(r"[^A-Za-z0-9]", "", value).upper()
                assert compact in GUIDE_NHIS and python_nhi.is_nhi(compact, allow_test_values=True), value
        if case.kind == "ird":
            for value in case.values:
                assert stdnum_ird.is_valid(_digits(value)), value
                assert _digits(value).lstrip("0") in {_digits(v).lstrip("0") for v in STDNUM_TEST_IRDS}, value
        if case.kind == "phone":
            for value in case.values:
                number = phonenumbers.parse(value.removeprefix("tel:"), "NZ")
                assert phonenumbers.is_valid_number_for_region(number, "NZ"), value
                national = "0" + str(number.national_number)
                assert national in {"0" + _digits(v)[1:] for v in LIBPHONENUMBER_NZ}, value


def test_set_c_near_misses_hold_no_identifier_the_libraries_accept() -> None:
    for case in heldout_c():
        if case.kind is not None:
            continue
        for token in NHI_SHAPE.findall(case.text):
            assert not python_nhi.is_nhi(re.sub(r"[- ]", "", token), allow_test_values=True), case.text
        for token in IRD_SHAPE.findall(case.text):
            assert not (8 <= len(_digits(token)) <= 9 and stdnum_ird.is_valid(_digits(token))), case.text
        if case.resembles == "phone":
            assert not list(phonenumbers.PhoneNumberMatcher(case.text, "NZ", leniency=phonenumbers.Leniency.VALID)), (
                case.text)


def test_set_c_is_broad() -> None:
    cases = heldout_c()
    for kind in KINDS:
        positives = [c for c in cases if c.kind == kind]
        negatives = [c for c in cases if c.kind is None and c.resembles == kind]
        assert len(positives) >= 16 and len(negatives) >= 14, kind
        assert len({c.form for c in positives}) == len(positives), kind


# Set C after the changes for the classes B and C showed (2 Dec 2026). No longer held out. What it still
# misses or flags is listed in the README: "w/ Teina n her bro" (a te reo word as a name, no title),
# "hey its lupe here" (a name in lower case), and "Tūī sang at the hui" (a bird that is also a name).
AFTER_FIXES_C = {
    "nhi": ((20, 20), (0, 15)),
    "ird": ((18, 18), (0, 14)),
    "phone": ((18, 18), (0, 14)),
    "email": ((16, 16), (0, 15)),
    "address": ((20, 20), (1, 17)),
    "dob": ((20, 20), (0, 14)),
    "name": ((22, 24), (0, 30)),
}


def test_set_c_no_worse_than_after_the_fixes() -> None:
    _no_worse_than(heldout_c(), AFTER_FIXES_C)


def test_set_c_no_worse_than_its_first_score() -> None:
    _no_worse_than(heldout_c(), FIRST_SCORE_C)
