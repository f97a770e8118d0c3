"""The scanner on the held-out set (`identifier_heldout.py`): identifiers and near-misses written after the
rules were tuned, by another procedure (published test values, specification examples, hand-written forms).

Expected values come from outside the scanner: python-nhi and python-stdnum say which numbers are valid,
libphonenumber which phone numbers are, and the texts say which substrings must be gone.
"""

from __future__ import annotations

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


def test_second_heldout_set_no_worse_than_its_first_score() -> None:
    # Still held out (no change was made for it): no kind may catch fewer or flag more than on its first run.
    cases = heldout_b()
    for case in cases:
        assert all(value in case.text for value in case.values), case.text
        if case.kind == "nhi":
            assert python_nhi.is_nhi(case.values[0].replace(" ", ""), allow_test_values=True)
        if case.kind == "ird":
            assert stdnum_ird.is_valid(case.values[0].replace(" ", "").replace(".", "").replace("-", ""))
        if case.kind == "phone":
            assert phonenumbers.is_valid_number_for_region(phonenumbers.parse(case.values[0], "NZ"), "NZ")
    scores = score(cases)
    print("\n" + table(scores))
    assert set(scores) == set(FIRST_SCORE_B)
    for kind, s in scores.items():
        (caught, positives), (flagged, negatives) = FIRST_SCORE_B[kind]
        assert (s.positives, s.negatives) == (positives, negatives), kind
        assert s.caught >= caught and s.flagged <= flagged, (kind, s.caught, s.flagged)
