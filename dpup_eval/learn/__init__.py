"""Learning alongside the agency: the course in `notebooks/learn/` and its friendly checker.

Provider staff learn data analysis on made-up data shaped like their own programme, with the same
library the evaluators use. Each exercise in a notebook ends with ``learn.check("03.families", answer)``,
which says what is right or gives a hint, and never just the answer.

May import: every stage the course teaches (`findings`, `intake`, `agreement`), `demo` and the base modules.
"""

from dpup_eval.learn.checker import Feedback, check
from dpup_eval.learn.lab import COURSE_DEMO, COURSE_MESSY, demo_files

__all__ = ["COURSE_DEMO", "COURSE_MESSY", "Feedback", "check", "demo_files"]
