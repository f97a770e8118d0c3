"""The course checker, against answers worked out by hand.

Every exercise is run on a small hand-made course (twelve whānau, eighteen people, below) whose answers
are counted by hand in the comments and typed in here, never taken from the exercises' own code. Typical
mistakes are worked out by hand the same way and must earn their hint, and no hint gives the answer
away. The course's real demo data is checked only for what the notebooks' story needs (Auckland's row
has one small cell, Canterbury is the smallest region) and, with plain pandas on the files, for a few
answers; `tests/test_notebooks.py` runs every notebook with learner-written solutions.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from dpup_eval import learn
from dpup_eval.agreement.contract import Agreement
from dpup_eval.learn.checker import Feedback
from dpup_eval.learn.exercises import EXERCISES, Course, demo_course

IDS = sorted(EXERCISES)
# Since disclosure control (issue 11), the hand course's "finished" share is withheld: only 3 people left
# early, and a share where fewer than 6 did not succeed is not published. The two exercises about the
# published share have no published number to check against on this course (known gap: the exercise should
# then say the share is withheld). Strict: these start failing the day that is fixed, so the marks come off.
WITHHELD = pytest.mark.xfail(strict=True, raises=TypeError,
                             reason="hand course: the finished share is withheld by disclosure control")
HAND_IDS = [pytest.param(i, marks=WITHHELD) if i.startswith("06.") else i for i in IDS]
Z = 1.959963984540054  # the 97.5% point of the standard normal distribution

# --- the hand-made course --------------------------------------------------------------------------

# (family, region, quarter started, status, sessions offered, sessions attended by each person; the
# first person is a parent, the others children)
FAMILIES = [
    ("F1", "Auckland", "2025-Q1", "completed", 12, [12, 9]),
    ("F2", "Auckland", "2025-Q1", "completed", 12, [10, 6]),
    ("F3", "Auckland", "2025-Q1", "withdrew", 12, [3]),
    ("F4", "Auckland", "2025-Q2", "enrolled", 0, [0, 0]),
    ("F5", "Canterbury", "2025-Q1", "completed", 8, [8, 6]),
    ("F6", "Canterbury", "2025-Q1", "moved", 8, [5]),
    ("F7", "Canterbury", "2025-Q2", "withdrew", 8, [2, 1]),
    ("F8", "Waikato", "2025-Q2", "completed", 12, [12, 12]),
    ("F9", "Auckland", "2025-Q1", "completed", 12, [12]),
    ("F10", "Auckland", "2025-Q1", "completed", 12, [12]),
    ("F11", "Auckland", "2025-Q1", "completed", 12, [12]),
    ("F12", "Auckland", "2025-Q1", "completed", 12, [12]),
]
# The messy file: row 3 says "seven" where a number belongs; home_phone is not in the agreement.
MESSY = pd.DataFrame(
    {
        "participant_ref": ["P-00000001", "P-00000002", "P-00000003", "P-00000004"],
        "sessions_attended": ["3", "", "seven", "5"],
        "home_phone": ["(not a number)"] * 4,
        "feedback": ["", "Good, thanks", "", ""],
    },
    index=pd.RangeIndex(1, 5, name="row"),
)


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval, written out from Newcombe (1998a), method 3."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return centre - half, centre + half


def newcombe_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float, float]:
    """p1 - p2 with Newcombe's (1998b) method 10: each share's Wilson interval, combined."""
    (l1, u1), (l2, u2) = wilson_by_hand(k1, n1), wilson_by_hand(k2, n2)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def test_the_hand_made_wilson_matches_a_published_example() -> None:
    # Newcombe (1998a), Table I: 81 of 263 gives 0.2553 to 0.3662 by the score method.
    low, high = wilson_by_hand(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    # Newcombe (1998b), Table II example (a): 56/70 - 48/80 = 0.2, method 10: 0.0524 to 0.3339.
    d, low, high = newcombe_by_hand(56, 70, 48, 80)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)


#: Each exercise's answer for the hand-made course, counted by hand.
HAND = {
    "01.people": 18,  # 2+2+1+2+2+1+2+2 + 4 single parents
    "01.quasi_identifiers": ["participant_type", "age_band", "region"],  # their role in the YAML
    "02.rejected_column": "home_phone",
    "02.find_row": 3,
    "02.fixed_value": "7",
    "03.families": 12,
    "03.finished_share": 8 / 11,  # stopped: all but F4; finished: F1 F2 F5 F8 F9-F12
    "03.families_by_quarter": {"2025-Q1": 9, "2025-Q2": 3},
    "03.attendance": 11 / 16,  # offered any: 16 people; at 0.75 or more: F1 x2, F2 x1, F5 x2, F8 x2, F9-F12
    "04.small_cells": 5,  # Q1 table: Auckland 6 1 0, Canterbury 1 0 1 (completed, withdrew, moved)
    "04.recover": 1,  # Auckland: 7 whānau, 6 shown, so the hidden cells hold 1
    "05.interval": wilson_by_hand(1, 3),  # Canterbury: F5 finished; F6, F7 did not
    "05.difference": newcombe_by_hand(6, 7, 1, 3),  # Auckland 6 of 7 stopped finished
    "06.published_share": 12 / 15,  # people finished 12, left early 3: multiples of 3, so no rounding
    "06.sentence": "80%",
}


@pytest.fixture(scope="module")
def hand_course(agreement: Agreement) -> Course:
    rows = []
    for family, region, quarter, status, offered, attended in FAMILIES:
        for k, sessions in enumerate(attended):
            rows.append({
                "participant_ref": f"P-{len(rows) + 1:08X}", "family_ref": f"F-{int(family[1:]):08X}",
                "participant_type": "parent" if k == 0 else "child", "age_band": "25-34" if k == 0 else "5-9",
                "region": region, "enrolment_quarter": quarter, "programme_status": status,
                "sessions_offered": offered, "sessions_attended": sessions,
            })  # fmt: skip
    data = pd.DataFrame(rows).astype({"sessions_offered": "Int64", "sessions_attended": "Int64"})
    return Course(data, agreement.for_purpose("evaluation"), MESSY, tuple(MESSY.columns))


def test_the_hand_made_course_is_as_described(hand_course: Course) -> None:
    assert len(hand_course.data.columns) == 9  # so no answer below is also the number of columns
    assert set(HAND) == set(EXERCISES)


@pytest.mark.parametrize("exercise_id", HAND_IDS)
def test_the_hand_counted_answer_is_right(hand_course: Course, exercise_id: str) -> None:
    feedback = learn.check(exercise_id, HAND[exercise_id], hand_course)
    assert isinstance(feedback, Feedback)
    assert feedback.correct, feedback.message
    assert feedback.message == EXERCISES[exercise_id].praise
    assert "Right" in feedback._repr_markdown_()


# A wrong answer, counted by hand, for each exercise: what a learner who slipped would give.
NEAR_MISSES = {
    "01.people": 17,
    "01.quasi_identifiers": ["participant_type", "region", "ethnic_groups"],
    "02.rejected_column": "feedback",
    "02.find_row": 5,
    "02.fixed_value": "8",
    "03.families": 11,
    "03.finished_share": 7 / 11,
    "03.families_by_quarter": {"2025-Q1": 9, "2025-Q2": 4},
    "03.attendance": 10 / 16,
    "04.small_cells": 4,
    "04.recover": 2,
    "05.interval": wilson_by_hand(2, 3),
    "05.difference": newcombe_by_hand(5, 7, 1, 3),
    "06.published_share": 9 / 15,
    "06.sentence": "75% of the people who have stopped coming finished the programme.",
}


@pytest.mark.parametrize("exercise_id", HAND_IDS)
def test_a_near_miss_is_not_right(hand_course: Course, exercise_id: str) -> None:
    assert set(NEAR_MISSES) == set(EXERCISES)
    feedback = learn.check(exercise_id, NEAR_MISSES[exercise_id], hand_course)
    assert not feedback.correct
    assert feedback.message != EXERCISES[exercise_id].praise


def _turned_around(d: float, low: float, high: float) -> tuple[float, float, float]:
    return -d, -high, -low


# Typical mistakes, each worked out by hand on the hand-made course, and a few words of the hint it earns.
MISTAKES = [
    ("01.people", 9, "number of columns"),
    ("01.people", 12, "counts whānau"),
    ("01.people", 19, "header"),
    ("01.quasi_identifiers", ["participant_type", "age_band", "region", "family_ref"], "pseudonymous"),
    ("01.quasi_identifiers", ["participant_type", "region"], "missing"),
    ("01.quasi_identifiers", ["feedback"], "not quasi-identifiers"),
    ("02.rejected_column", "feedback", "The feedback column is agreed"),
    ("02.find_row", 2, "one row short"),
    ("02.find_row", 4, "one row over"),
    ("02.fixed_value", "seven", "what the file says already"),
    ("02.fixed_value", "7.0", "without a decimal point"),
    ("03.families", 18, "counted every person"),
    ("03.finished_share", 12 / 16, "you counted people"),  # people: 12 finished of 16 stopped
    ("03.finished_share", 8 / 12, "still coming"),  # every whānau, the one still coming included
    ("03.finished_share", 3 / 11, "other side"),
    ("03.families_by_quarter", {"2025-Q1": 12, "2025-Q2": 6}, "counts people"),
    ("03.families_by_quarter", {"Auckland": 8, "Canterbury": 3, "Waikato": 1}, "not quarters"),
    # mean of the 16 rates: (1 + .75 + 10/12 + .5 + .25 + 1 + .75 + .625 + .25 + .125 + 1 + 1 + 4) / 16
    ("03.attendance", (145 / 12) / 16, "average attendance"),
    ("03.attendance", 9 / 16, "Use >= rather than >"),  # the two at exactly 0.75 left out
    ("04.small_cells", 3, "a 0 is hidden too"),  # the 1, 1 and 1, without the two zeros
    ("04.recover", 7, "row's total"),
    ("05.interval", wilson_by_hand(8, 11), "every whānau"),
    ("05.interval", wilson_by_hand(2, 5), "those counts are people"),  # Canterbury people: 2 of 5
    ("05.difference", _turned_around(*newcombe_by_hand(6, 7, 1, 3)), "turned around"),  # Canterbury first
    ("06.sentence", "Only 80% of people finished.", "shortfall"),
    ("06.sentence", "Most people finished the programme.", "published percentage"),
]


def _spellings(value: Any) -> set[str]:
    """Ways an answer could appear in a message (as typed, rounded, as a percentage)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in _spellings(v)}
    if isinstance(value, tuple | list):
        return {s for v in value for s in _spellings(v)}
    number = float(value)
    if number == int(number) and abs(number) > 1:
        return {str(int(number))}
    return {repr(number), f"{number:.2f}", f"{number:.3f}", f"{number * 100:.0f}%", f"{number * 100:.1f}%"}


@pytest.mark.parametrize(
    ("exercise_id", "answer", "words"),
    [pytest.param(*m, marks=WITHHELD) if m[0].startswith("06.") else m for m in MISTAKES],
    ids=[f"{m[0]}-{m[2]}" for m in MISTAKES],
)
def test_a_typical_mistake_gets_its_hint_and_never_the_answer(
    hand_course: Course, exercise_id: str, answer: Any, words: str
) -> None:
    feedback = learn.check(exercise_id, answer, hand_course)
    assert not feedback.correct
    assert words in feedback.message
    secrets = _spellings(HAND[exercise_id]) - {"1", "3", "5", "7"}  # digits any sentence may hold
    for secret in secrets:
        assert secret not in feedback.message, f"the hint gives away {secret!r}"


def test_every_exercise_has_a_typical_mistake_tested() -> None:
    # 06.published_share's typical mistakes give 12/15 on this course too (nobody left early there moved),
    # so they are right answers here; its near miss is tested above.
    assert {m[0] for m in MISTAKES} == set(IDS) - {"06.published_share"}


def test_a_share_given_as_a_percentage_is_spotted_without_the_answer(hand_course: Course) -> None:
    feedback = learn.check("03.finished_share", 72.7, hand_course)
    assert "percentage" in feedback.message and "73" not in feedback.message
    assert learn.check("03.finished_share", 0.73, hand_course).correct  # rounding to 2 places is fine
    assert not learn.check("03.finished_share", 0.72, hand_course).correct  # 8/11 = 0.7273


def test_a_wrong_answer_nobody_expected_gets_the_general_hint(hand_course: Course) -> None:
    feedback = learn.check("03.attendance", 0.01, hand_course)
    assert not feedback.correct
    assert feedback.message == EXERCISES["03.attendance"].hint


def test_answers_in_other_spellings(hand_course: Course) -> None:
    check = lambda exercise, answer: learn.check(exercise, answer, hand_course).correct  # noqa: E731
    assert check("01.quasi_identifiers", ["REGION", " age_band", "Participant_Type"])
    assert check("02.fixed_value", 7) and check("02.fixed_value", " 7 ")
    assert check("03.families_by_quarter", pd.Series({"2025-Q1": 9, "2025-Q2": 3}))
    assert check("05.interval", [round(v, 2) for v in wilson_by_hand(1, 3)])


@WITHHELD
def test_the_sentence_in_other_spellings(hand_course: Course) -> None:
    check = lambda exercise, answer: learn.check(exercise, answer, hand_course).correct  # noqa: E731
    assert check("06.sentence", "80% of the whānau who have stopped coming finished the programme.")
    assert not check("06.sentence", "180% of whānau finished.")


@pytest.mark.parametrize("exercise_id", IDS)
def test_unanswered_and_wrong_sort_of_answer(hand_course: Course, exercise_id: str) -> None:
    assert "You have not answered yet" in learn.check(exercise_id, ..., hand_course).message
    feedback = learn.check(exercise_id, None, hand_course)
    assert not feedback.correct
    assert "should be" in feedback.message


def test_intervals_need_two_numbers(hand_course: Course) -> None:
    assert "one number" in learn.check("05.interval", 0.7, hand_course).message
    assert "You gave 3 numbers" in learn.check("05.interval", (0.1, 0.2, 0.3), hand_course).message


def test_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="03.families"):
        learn.check("03.nope", 1)


# --- the course's own demo data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The course's demo evaluation file (same options, same bytes), read with plain pandas."""
    return pd.read_csv(learn.demo_files(tmp_path_factory.mktemp("course") / "demo-data").evaluation)


def test_the_demo_data_still_fits_the_notebooks_story(demo_csv: pd.DataFrame) -> None:
    """Notebook 4 hides one cell in Auckland's row; notebook 5 calls Canterbury the smallest region."""
    families = demo_csv.drop_duplicates("family_ref")
    first = families[families["enrolment_quarter"] == "2025-Q1"]
    table = pd.crosstab(first["region"], first["programme_status"])
    assert (table.loc["Auckland"] < 6).sum() == 1
    stopped = families[families["programme_status"] != "enrolled"]
    sizes = stopped["region"].value_counts()
    assert sizes.idxmin() == "Canterbury" and sizes.idxmax() == "Auckland"
    assert len(demo_course().data) == len(demo_csv)  # every demo row is accepted


def test_demo_answers_worked_out_with_plain_pandas(demo_csv: pd.DataFrame) -> None:
    rows = demo_csv
    families = rows.drop_duplicates("family_ref")
    stopped = families[families["programme_status"] != "enrolled"]
    offered = rows[rows["sessions_offered"] >= 1]
    answers = {
        "01.people": len(rows),
        "03.families": rows["family_ref"].nunique(),
        "03.finished_share": (stopped["programme_status"] == "completed").mean(),
        "03.families_by_quarter": rows.groupby("enrolment_quarter")["family_ref"].nunique(),
        "03.attendance": (offered["sessions_attended"] / offered["sessions_offered"] >= 0.75).mean(),
    }
    for exercise_id, answer in answers.items():
        assert learn.check(exercise_id, answer).correct, exercise_id
        assert not learn.check(exercise_id, answer * 0.9 if exercise_id != "03.families_by_quarter"
                               else answer + 1).correct, exercise_id  # fmt: skip
    canterbury = stopped[stopped["region"] == "Canterbury"]
    finished = int((canterbury["programme_status"] == "completed").sum())
    assert learn.check("05.interval", wilson_by_hand(finished, len(canterbury))).correct


def test_demo_files_are_made_once_and_kept(tmp_path) -> None:
    files = learn.demo_files(tmp_path / "demo-data")
    files.evaluation.write_text(files.evaluation.read_text(encoding="utf-8"), encoding="utf-8")
    stamp = files.evaluation.stat().st_mtime_ns
    again = learn.demo_files(tmp_path / "demo-data")
    assert again.evaluation.stat().st_mtime_ns == stamp
    messy = learn.demo_files(tmp_path / "messy-data", messy=True)
    assert messy.manifest is not None and messy.manifest.is_file()
