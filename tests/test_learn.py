"""The course checker: right answers are praised, typical mistakes get hints, no hint gives the answer away."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

from dpup_eval import learn
from dpup_eval.learn.checker import Feedback
from dpup_eval.learn.exercises import EXERCISES
from dpup_eval.learn.exercises import data as course_data

IDS = sorted(EXERCISES)


def _spellings(value: Any) -> set[str]:
    """Ways the expected value could appear in a message (as typed, rounded, as a percentage)."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, pd.Series):
        return {s for v in value.to_numpy() for s in _spellings(v)}
    if isinstance(value, tuple | list):
        return (
            {s for v in value for s in _spellings(v)}
            if all(isinstance(v, int | float) for v in value)
            else {str(value)}
        )
    number = float(value)
    if number == int(number) and abs(number) > 1:
        return {str(int(number))}
    return {
        repr(number),
        f"{number:.2f}",
        f"{number:.3f}",
        f"{number * 100:.0f}%",
        f"{number * 100:.1f}%",
    }


@pytest.mark.parametrize("exercise_id", IDS)
def test_right_answer_is_praised(exercise_id: str) -> None:
    exercise = EXERCISES[exercise_id]
    feedback = learn.check(exercise_id, exercise.expected())
    assert isinstance(feedback, Feedback)
    assert feedback.correct, feedback.message
    assert "Right" in feedback._repr_markdown_()


@pytest.mark.parametrize("exercise_id", IDS)
def test_typical_mistakes_get_their_hint_and_never_the_answer(exercise_id: str) -> None:
    exercise = EXERCISES[exercise_id]
    expected = exercise.expected()
    secrets = _spellings(expected) | set(exercise.secrets(expected))
    mistakes = [m for m in exercise.mistakes(expected) if not exercise.is_right(m.answer, expected)]
    assert mistakes, "every exercise knows a typical mistake"
    for mistake in mistakes:
        feedback = learn.check(exercise_id, mistake.answer)
        assert not feedback.correct
        assert feedback.message == mistake.hint
        for secret in secrets:
            assert secret not in feedback.message, f"the hint gives away {secret!r}"


@pytest.mark.parametrize("exercise_id", IDS)
def test_unanswered_and_wrong_sort_of_answer(exercise_id: str) -> None:
    assert "You have not answered yet" in learn.check(exercise_id, ...).message
    feedback = learn.check(exercise_id, None)
    assert not feedback.correct
    assert "should be" in feedback.message


def test_hint_for_counting_people_instead_of_families() -> None:
    feedback = learn.check("03.families", len(course_data()))
    assert not feedback.correct
    assert "counted every person" in feedback.message
    assert "unique family_ref" in feedback.message


def test_a_share_given_as_a_percentage_is_spotted_without_the_answer() -> None:
    expected = EXERCISES["03.finished_share"].expected()
    feedback = learn.check("03.finished_share", round(expected * 100, 1))
    assert "percentage" in feedback.message
    assert f"{expected * 100:.0f}" not in feedback.message
    assert learn.check("03.finished_share", round(expected, 2)).correct  # rounding to 2 places is fine


def test_a_wrong_answer_nobody_expected_gets_the_general_hint() -> None:
    feedback = learn.check("03.attendance", 0.01)
    assert not feedback.correct
    assert feedback.message == EXERCISES["03.attendance"].hint


def test_quasi_identifier_hints() -> None:
    expected = EXERCISES["01.quasi_identifiers"].expected()
    assert learn.check("01.quasi_identifiers", [name.upper() for name in reversed(expected)]).correct
    assert "missing" in learn.check("01.quasi_identifiers", expected[:1]).message
    assert "pseudonymous" in learn.check("01.quasi_identifiers", [*expected, "family_ref"]).message
    assert "not quasi-identifiers" in learn.check("01.quasi_identifiers", ["feedback"]).message
    assert "in quotes" in learn.check("01.quasi_identifiers", "region").message


def test_fixed_value_takes_digits_as_text_or_number() -> None:
    expected = EXERCISES["02.fixed_value"].expected()
    assert learn.check("02.fixed_value", expected).correct
    assert learn.check("02.fixed_value", int(expected)).correct


def test_sentence_checks_framing_and_number() -> None:
    expected = EXERCISES["06.sentence"].expected()
    good = f"{expected} of the people who have stopped coming finished the programme."
    assert learn.check("06.sentence", good).correct
    deficit = learn.check("06.sentence", f"{expected} finished, but the rest dropped out.")
    assert not deficit.correct and "shortfall" in deficit.message
    other = learn.check("06.sentence", "12% of people finished the programme.")
    assert not other.correct and "published percentage" in other.message
    assert expected not in deficit.message + other.message


def test_intervals_need_two_numbers() -> None:
    feedback = learn.check("05.interval", 0.7)
    assert "one number" in feedback.message
    assert not math.isnan(EXERCISES["05.interval"].expected()[0])


def test_unknown_exercise_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="03.families"):
        learn.check("03.nope", 1)


def test_demo_files_are_made_once_and_kept(tmp_path) -> None:
    files = learn.demo_files(tmp_path / "demo-data")
    files.evaluation.write_text(files.evaluation.read_text(encoding="utf-8"), encoding="utf-8")
    stamp = files.evaluation.stat().st_mtime_ns
    again = learn.demo_files(tmp_path / "demo-data")
    assert again.evaluation.stat().st_mtime_ns == stamp
    messy = learn.demo_files(tmp_path / "messy-data", messy=True)
    assert messy.manifest is not None and messy.manifest.is_file()
