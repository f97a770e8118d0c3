"""A made-up two-arm trial ("Reading at home"), shaped unlike the demo, for the findings tests.

Integer-coded arms (0 = control, 1 = offered the incentive) with labels in the contract, a boolean
eligibility flag, an arm left blank for students outside the trial, a mentor field blank for everyone
not offered the incentive, a three-way class type, reading scores on a 200-1000 scale near 900, a count
with only a minimum and a number with only a maximum, and enrolment dates read by month. Generated in
a temporary folder by the tests (generated data is not committed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

FOLDER = Path(__file__).resolve().parent / "fixtures" / "reading_trial"
PURPOSE = "outcome_study"


@dataclass(frozen=True)
class TrialShape:
    """How many students of each kind; the defaults give a control arm of hundreds."""

    control: int = 240
    incentive: int = 360
    not_eligible: int = 45
    seed: int = 7


def trial_frame(shape: TrialShape = TrialShape()) -> pd.DataFrame:
    """One row per student, as text the way a provider's CSV would hold it."""
    rng = np.random.default_rng(shape.seed)
    n = shape.control + shape.incentive + shape.not_eligible
    arm = np.array([0] * shape.control + [1] * shape.incentive + [-1] * shape.not_eligible)
    rng.shuffle(arm)
    eligible = arm >= 0
    months = rng.integers(1, 7, size=n)
    days = rng.integers(1, 29, size=n)
    pre = np.clip(np.round(rng.normal(850, 35, size=n)), 200, 1000).astype(int)
    post = np.clip(np.round(pre + 12 + 18 * (arm == 1) + rng.normal(0, 25, size=n)), 200, 1000).astype(int)
    spelling = np.clip(np.round(rng.normal(70, 12, size=n)), 0, 100).astype(int)
    books = rng.poisson(6 + 5 * (arm == 1), size=n)
    weeks = np.round(rng.uniform(8, 20, size=n), 1)
    mentor = np.where(arm == 1, np.where(rng.random(n) < 0.5, "peer", "adult"), "")
    classes = rng.choice(["small", "regular", "regular_aide"], size=n, p=[0.3, 0.45, 0.25])
    return pd.DataFrame({
        "student_ref": [f"S-{100000 + i:06d}" for i in range(n)],
        "eligible": np.where(eligible, "true", "false"),
        "arm": [str(a) if a >= 0 else "" for a in arm],
        "class_type": classes,
        "mentor_kind": mentor,
        "enrolment_date": [f"2025-{m:02d}-{d:02d}" for m, d in zip(months, days, strict=True)],
        "enrolment_month": [f"2025-{m:02d}" for m in months],
        "score_pre": pre.astype(str),
        "score_post": post.astype(str),
        "spelling_post": spelling.astype(str),
        "books_read": books.astype(str),
        "weeks_enrolled": weeks.astype(str),
        "passed": np.where(post >= 880, "true", "false"),
    })  # fmt: skip


def write_trial_data(folder: Path, shape: TrialShape = TrialShape()) -> Path:
    """The trial's data file (CSV) in ``folder``; blanks are empty cells, as spreadsheets write them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "students.csv"
    trial_frame(shape).to_csv(path, index=False)
    return path
