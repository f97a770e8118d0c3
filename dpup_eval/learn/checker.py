"""The friendly checker behind the course's exercises: says what is right, or gives a hint, never the answer.

An :class:`Exercise` knows how to work out its expected answer from course data (the course's demo
data in the notebooks, see :mod:`dpup_eval.learn.exercises`; a hand-made course in the tests), how
to compare an answer with it, and the typical mistakes a learner makes, each with a hint that points
at the idea rather than the number. :func:`check` is what a notebook calls:
``learn.check("03.finished_share", answer)``.

The expected value never appears in a message: hints are fixed sentences written for each mistake,
and the test suite checks that none of them contains the expected answer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Exercise", "Feedback", "Mistake", "check"]

#: How close a share or interval bound must be to count as right (rounding to 2 decimals is fine).
TOLERANCE = 0.005

_KIND_WORDS = {
    "count": "a whole number (for example 42)",
    "share": "a share between 0 and 1 (for example 0.5 for half)",
    "names": 'a list of field names in quotes, for example ["region", "age_band"]',
    "name": 'one name in quotes, for example "region"',
    "series": "a pandas Series (what a groupby gives you), one value per group",
    "interval": "two numbers, (low, high), as wilson(...) gives them",
    "triple": "three numbers, (difference, low, high), as newcombe_difference(...) gives them",
    "sentence": "a sentence in quotes (an f-string is fine)",
    "digits": 'the number written in digits, in quotes, for example "4"',
}


@dataclass(frozen=True)
class Feedback:
    """What :func:`check` says. Shown in a notebook as a short coloured note."""

    exercise: str
    correct: bool
    message: str

    def __str__(self) -> str:
        return f"{'Right' if self.correct else 'Not yet'} ({self.exercise}): {self.message}"

    def __repr__(self) -> str:
        return str(self)

    def _repr_markdown_(self) -> str:
        mark = "✅ **Right!**" if self.correct else "💡 **Not yet.**"
        return f"{mark} {self.message}"


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer (worked out from the course data) and the hint it earns.

    ``matches`` decides whether a learner's answer is this mistake; by default, the exercise's own
    comparison with ``answer``.
    """

    answer: Any
    hint: str
    matches: Callable[[Any, Any], bool] | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise: its question, how to work out the answer, and how to help someone get there.

    ``expected(course)`` works the answer out from course data; ``mistakes(course, expected)`` lists
    the typical wrong answers on that data.
    """

    id: str
    question: str
    kind: str
    expected: Callable[[Any], Any]
    praise: str
    hint: str
    mistakes: Callable[[Any, Any], list[Mistake]] = lambda course, expected: []
    same: Callable[[Any, Any], bool] | None = None
    #: Extra strings a hint must never contain (besides the expected value), for the tests.
    secrets: Callable[[Any], list[str]] = field(default=lambda expected: [])

    def is_right(self, answer: Any, expected: Any) -> bool:
        compare = self.same or _COMPARE[self.kind]
        try:
            return bool(compare(answer, expected))
        except (TypeError, ValueError, KeyError, AttributeError):
            return False


def check(exercise_id: str, answer: Any, course: Any = None) -> Feedback:
    """Check a learner's answer to one exercise; returns a :class:`Feedback` the notebook displays.

    ``course``: the data the answer is about (default: the course's own demo data, as the notebooks use).
    """
    from dpup_eval.learn.exercises import EXERCISES, demo_course

    if exercise_id not in EXERCISES:
        known = ", ".join(sorted(EXERCISES))
        raise KeyError(f"there is no exercise called {exercise_id!r}; the exercises are: {known}")
    exercise = EXERCISES[exercise_id]
    if answer is Ellipsis:
        return Feedback(
            exercise_id,
            False,
            "You have not answered yet: replace the `...` with your answer, then run both cells.",
        )
    shape = _shape_problem(exercise.kind, answer)
    if shape:
        return Feedback(exercise_id, False, shape)
    course = demo_course() if course is None else course
    expected = exercise.expected(course)
    if exercise.is_right(answer, expected):
        return Feedback(exercise_id, True, exercise.praise)
    for mistake in exercise.mistakes(course, expected):
        if exercise.is_right(mistake.answer, expected):
            continue  # with this data the "mistake" happens to give the right answer
        try:
            hit = (mistake.matches or exercise.is_right)(answer, mistake.answer)
        except (TypeError, ValueError, KeyError, AttributeError):
            hit = False
        if hit:
            return Feedback(exercise_id, False, mistake.hint)
    return Feedback(exercise_id, False, exercise.hint)


def _shape_problem(kind: str, answer: Any) -> str | None:
    """A hint when the answer is not even the right sort of thing (text instead of a number...)."""
    wanted = f"The answer should be {_KIND_WORDS[kind]}."
    if kind in ("count", "share"):
        if isinstance(answer, bool) or not _is_number(answer):
            if isinstance(answer, pd.Series | pd.DataFrame):
                return f"{wanted} You have a whole table or column; pick out the one number you need."
            return f"{wanted} You gave {_what(answer)}."
        if kind == "count" and float(answer) != math.floor(float(answer)):
            return f"{wanted} Yours has a fraction: are you counting, or working out a share?"
        if kind == "share" and 1 < float(answer) <= 100:
            return "That looks like a percentage. Give it as a share between 0 and 1: divide by 100."
        if kind == "share" and not 0 <= float(answer) <= 1:
            return f"{wanted} A share is always between 0 (nobody) and 1 (everybody)."
    elif kind == "digits":
        if not isinstance(answer, str | int | np.integer) or isinstance(answer, bool):
            return f"{wanted} You gave {_what(answer)}."
    elif kind in ("name", "sentence"):
        if not isinstance(answer, str):
            return f"{wanted} You gave {_what(answer)}."
    elif kind == "names":
        if isinstance(answer, str) or not isinstance(answer, Iterable):
            return f"{wanted} You gave {_what(answer)}."
        if not all(isinstance(item, str) for item in answer):
            return f"{wanted} Every item should be a field name in quotes."
    elif kind == "series":
        if not isinstance(answer, pd.Series | dict):
            return f"{wanted} You gave {_what(answer)}."
    elif kind in ("interval", "triple"):
        size = 2 if kind == "interval" else 3
        if _is_number(answer):
            return f"{wanted} You gave one number: the point of this exercise is the range around it."
        try:
            values = [float(v) for v in answer]
        except (TypeError, ValueError):
            return f"{wanted} You gave {_what(answer)}."
        if len(values) != size:
            return f"{wanted} You gave {len(values)} numbers."
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not (
        isinstance(value, float | np.floating) and math.isnan(value)
    )


def _what(answer: Any) -> str:
    if answer is None:
        return "nothing (None): did the cell end with a print() instead of a value?"
    if isinstance(answer, str):
        return "text (in quotes)"
    if isinstance(answer, pd.DataFrame):
        return "a whole table (a DataFrame)"
    if isinstance(answer, pd.Series):
        return "a column of values (a Series)"
    return f"a {type(answer).__name__}"


def _same_count(answer: Any, expected: Any) -> bool:
    return int(answer) == int(expected)


def _same_share(answer: Any, expected: Any) -> bool:
    return abs(float(answer) - float(expected)) <= TOLERANCE


def _same_names(answer: Any, expected: Any) -> bool:
    return {str(a).strip().lower() for a in answer} == {str(e).lower() for e in expected}


def _same_name(answer: Any, expected: Any) -> bool:
    return str(answer).strip().lower() == str(expected).strip().lower()


def _same_series(answer: Any, expected: Any) -> bool:
    given = pd.Series(answer) if isinstance(answer, dict) else answer
    given = {str(k): float(v) for k, v in given.items()}
    wanted = {str(k): float(v) for k, v in expected.items()}
    return given.keys() == wanted.keys() and all(abs(given[k] - wanted[k]) <= TOLERANCE for k in wanted)


def _same_numbers(answer: Any, expected: Any) -> bool:
    values = [float(v) for v in answer]
    wanted = [float(v) for v in expected]
    return len(values) == len(wanted) and all(
        abs(a - b) <= TOLERANCE for a, b in zip(values, wanted, strict=True)
    )


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "count": _same_count,
    "share": _same_share,
    "names": _same_names,
    "name": _same_name,
    "series": _same_series,
    "interval": _same_numbers,
    "triple": _same_numbers,
}
