"""Known problems planted in the demo data, with an answer key (the manifest's `problems`).

Each problem goes in its own row, chosen at random from rows whose quasi-identifier group is large
(so that quarantining the planted rows cannot push a group under the minimum size), and the manifest
gives the 1-based data-line numbers after every insertion. Identifiers are real-looking and pass their
checks (NHI and IRD check digits, a valid NZ mobile), because a check that only catches invalid ones
is no check at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.nz import ird

from dpup_eval.codes import (
    BLANK_REQUIRED,
    DUPLICATE_KEY,
    IDENTIFIER_ADDRESS,
    IDENTIFIER_DOB,
    IDENTIFIER_EMAIL,
    IDENTIFIER_IRD,
    IDENTIFIER_NHI,
    IDENTIFIER_PHONE,
    INVALID_DATE,
    INVALID_TYPE,
    MALFORMED_LINE,
    OUT_OF_RANGE,
    PATTERN_MISMATCH,
    QUALITY_RULE,
    UNEXPECTED_COLUMN,
    UNKNOWN_CATEGORY,
)
from dpup_eval.intake.nz_numbers import NHI_LETTERS, nhi_check_character

__all__ = ["MALFORMED_TEXT", "MessyData", "ird_valid_digits", "plant"]

MALFORMED_TEXT = "The kai was great, and the tamariki loved the games."
_NUMBER_WORDS = (
    "none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen",
)  # fmt: skip
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_STREETS = ("Kōwhai", "Rimu", "Tōtara", "Pōhutukawa", "Mānuka", "Harakeke", "Kauri", "Tawa")
_STREET_TYPES = ("Street", "Road", "Avenue", "Crescent", "Place")
_AREA_CODES = {"Auckland": 9, "Waikato": 7, "Wellington": 4, "Canterbury": 3}
_QUASI = ["participant_type", "age_band", "region"]


@dataclass
class MessyData:
    """The messy frames, the answer key, and fields to write unquoted ((row position, column) -> text)."""

    evaluation: pd.DataFrame
    service: pd.DataFrame
    problems: list[dict[str, Any]] = field(default_factory=list)
    raw_fields: dict[tuple[int, str], str] = field(default_factory=dict)


def plant(rng: np.random.Generator, evaluation: pd.DataFrame, service: pd.DataFrame) -> MessyData:
    """Copies of the clean frames with the problems planted; the inputs are not changed."""
    messy = MessyData(evaluation.copy(), service.copy())
    _plant_evaluation(rng, messy)
    _plant_service(rng, messy)
    return messy


class _Rows:
    """Picks rows at random from the first non-empty pool, never the same row twice."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.used = rng, np.zeros(n, dtype=bool)

    def pick(self, *pools: np.ndarray) -> int:
        for pool in (*pools, np.ones(self.used.size, dtype=bool)):
            candidates = np.flatnonzero(pool & ~self.used)
            if candidates.size:
                row = int(candidates[self.rng.integers(candidates.size)])
                self.used[row] = True
                return row
        raise ValueError("not enough rows to plant every problem in its own row")


def _insert_copy(
    rng: np.random.Generator, frame: pd.DataFrame, big: np.ndarray
) -> tuple[pd.DataFrame, int, int]:
    """Insert a copy of a row from a large group somewhere after it; returns (frame, original, copy)."""
    candidates = (
        np.flatnonzero(big[: len(frame) - 1]) if big[: len(frame) - 1].any() else np.arange(len(frame) - 1)
    )
    source = int(candidates[rng.integers(candidates.size)])
    target = int(rng.integers(source + 1, len(frame) + 1))
    parts = [frame.iloc[:target], frame.iloc[[source]], frame.iloc[target:]]
    return pd.concat(parts, ignore_index=True), source, target


def _group_size(frame: pd.DataFrame, columns: list[str], count: str | None = None) -> np.ndarray:
    groups = frame.groupby(columns, sort=False, dropna=False)
    sizes = groups[count].transform("nunique") if count else groups[columns[0]].transform("size")
    return sizes.to_numpy()


def _plant_evaluation(rng: np.random.Generator, messy: MessyData) -> None:
    big = _group_size(messy.evaluation, _QUASI) >= 10
    e, source, copy = _insert_copy(rng, messy.evaluation, big)
    attended = e["sessions_attended"].to_numpy(dtype=np.int64)
    # Columns that will hold text where numbers or dates belong: as text, written unchanged otherwise.
    e["enrolment_date"] = _as_text(pc.cast(pa.array(e["enrolment_date"]), pa.date32()))
    e["sessions_attended"] = _as_text(pa.array(e["sessions_attended"]))
    big = _group_size(e, _QUASI) >= 10
    rows = _Rows(rng, len(e))
    rows.used[[source, copy]] = True
    parent = (e["participant_type"] == "parent").to_numpy()
    has = {c: e[c].notna().to_numpy() for c in ("feedback", "exit_date", "confidence_post", "wellbeing_pre")}
    problems = messy.problems

    def add(code: str, column: str | None, at: list[int], value: Any, description: str) -> None:
        problems.append(
            {
                "file": "evaluation",
                "code": code,
                "column": column,
                "rows": [r + 1 for r in at],
                "value": value,
                "description": description,
            }
        )

    for code, value, sentence, description in _identifier_sentences(rng):
        row = rows.pick(parent & big & has["feedback"], parent & big, parent)
        e.loc[row, "feedback"] = sentence
        add(code, "feedback", [row], value, description)

    home = _home_phones(rng, e["region"].to_numpy())
    home[copy] = home[source]  # the copy is the same record entered twice
    e["home_phone"] = pd.array(home, dtype="str")
    add(
        UNEXPECTED_COLUMN,
        "home_phone",
        [],
        "home_phone",
        "a column not in the agreement, holding home phone numbers",
    )
    add(
        DUPLICATE_KEY,
        "participant_ref",
        [source, copy],
        e.loc[source, "participant_ref"],
        "the same person twice",
    )

    row = rows.pick(big)
    value = f"P-{rng.integers(10000, 100000)}"
    e.loc[row, "participant_ref"] = value
    add(PATTERN_MISMATCH, "participant_ref", [row], value, "a participant reference in an old short format")

    enrol = e["enrolment_date"].to_numpy(dtype=str)
    month = np.array([int(d[5:7]) for d in enrol])
    short = np.isin(month, (2, 4, 6, 9, 11))
    row = rows.pick(big & short & ~has["exit_date"], big & short, short)
    value = enrol[row][:8] + ("30" if month[row] == 2 else "31")
    e.loc[row, "enrolment_date"] = value
    add(INVALID_DATE, "enrolment_date", [row], value, "a start date that does not exist")

    days = enrol.astype("datetime64[D]")
    room = (days - np.datetime64("2024-01-01")).astype(np.int64)  # keep the exit date after the minimum
    row = rows.pick(big & has["exit_date"] & (room > 40), has["exit_date"] & (room > 40), room > 1)
    value = str(days[row] - rng.integers(1, min(40, room[row]) + 1))
    e.loc[row, "exit_date"] = pd.Timestamp(value)
    add(QUALITY_RULE, "exit_date", [row], value, "a finish date before the start date")

    row = rows.pick(parent & big & has["confidence_post"], parent & big, parent)
    e.loc[row, "confidence_post"] = 57
    add(OUT_OF_RANGE, "confidence_post", [row], 57, "a confidence score above the top of the scale (50)")
    row = rows.pick(~parent & big & has["wellbeing_pre"], ~parent & big, ~parent)
    e.loc[row, "wellbeing_pre"] = 45
    add(OUT_OF_RANGE, "wellbeing_pre", [row], 45, "a wellbeing score above the top of the scale (40)")

    row = rows.pick(big)
    e.loc[row, "region"] = "Otago"
    e.loc[row, "home_phone"] = _home_phones(rng, np.array(["Canterbury"]))[0]  # Otago shares 03
    add(UNKNOWN_CATEGORY, "region", [row], "Otago", "a region where the programme does not run")
    older = e["age_band"].isin(["45-54", "55+"]).to_numpy()
    row = rows.pick(parent & big & older, parent & big)
    e.loc[row, "participant_type"] = "grandparent"
    add(
        UNKNOWN_CATEGORY,
        "participant_type",
        [row],
        "grandparent",
        "a participant type not in the agreement",
    )

    row = rows.pick(big)
    e.loc[row, "age_band"] = None
    add(BLANK_REQUIRED, "age_band", [row], None, "a missing age group")

    some = (attended >= 1) & (attended < len(_NUMBER_WORDS))
    row = rows.pick(big & some, some)
    value = _NUMBER_WORDS[attended[row]]
    e.loc[row, "sessions_attended"] = value
    add(INVALID_TYPE, "sessions_attended", [row], value, "a number of sessions written in words")

    row = rows.pick(big)
    e.loc[row, "feedback"] = MALFORMED_TEXT
    messy.raw_fields[(row, "feedback")] = MALFORMED_TEXT
    add(
        MALFORMED_LINE,
        None,
        [row],
        MALFORMED_TEXT,
        "a story with an unquoted comma, so the line has an extra field",
    )
    messy.evaluation = e


def _as_text(values: pa.Array) -> pd.api.extensions.ExtensionArray:
    return pd.array(pc.cast(values, pa.large_string()), dtype="str")


def _plant_service(rng: np.random.Generator, messy: MessyData) -> None:
    big = _group_size(messy.service, ["region", "household_type"], count="family_ref") >= 10
    s, source, copy = _insert_copy(rng, messy.service, big)
    big = np.insert(big, copy, big[source])
    rows = _Rows(rng, len(s))
    rows.used[[source, copy]] = True
    key = f"{s.loc[source, 'family_ref']} {s.loc[source, 'quarter']}"
    row = rows.pick(big)
    s.loc[row, "sessions_offered"] = 20
    messy.service = s
    for code, column, at, value, description in (
        (
            DUPLICATE_KEY,
            "family_ref + quarter",
            [source, copy],
            key,
            "the same whānau twice in one quarter",
        ),
        (
            OUT_OF_RANGE,
            "sessions_offered",
            [row],
            20,
            "more sessions in a quarter than there are weeks (13)",
        ),
    ):
        messy.problems.append(
            {
                "file": "service_reporting",
                "code": code,
                "column": column,
                "rows": [r + 1 for r in at],
                "value": value,
                "description": description,
            }
        )


def _identifier_sentences(rng: np.random.Generator) -> list[tuple[str, str, str, str]]:
    """(code, identifier, the sentence it sits in, description) for each kind of identifier."""
    nhi = _nhi(rng)
    ird_number = _ird(rng)
    mobile = _mobile(rng)
    user = rng.choice(["busy.mum", "tamariki.dad", "nana.cares", "kiwi.parent"])
    email = f"{user}@{rng.choice(['gmail.com', 'xtra.co.nz', 'outlook.com'])}"
    address = f"{rng.integers(2, 180)} {rng.choice(_STREETS)} {rng.choice(_STREET_TYPES)}"
    dob = f"{rng.integers(1, 29)} {rng.choice(_MONTHS)} {rng.integers(2013, 2022)}"
    return [
        (IDENTIFIER_NHI, nhi, f"The nurse wrote my son's NHI number {nhi} on the referral form.",
         "an NHI number (valid check digit) in a feedback story"),
        (IDENTIFIER_IRD, ird_number, f"I brought my IRD number {ird_number} so the worker could help me with a tax credit form.",
         "an IRD number (valid check digit) in a feedback story"),
        (IDENTIFIER_PHONE, mobile, f"Our worker texted me on {mobile} whenever a session was moved, which really helped.",
         "a mobile number in a feedback story"),
        (IDENTIFIER_EMAIL, email, f"Please send the handouts to {email} because I lost mine.",
         "an email address in a feedback story"),
        (IDENTIFIER_ADDRESS, address, f"Since we moved to {address} the bus ride to the group takes much longer.",
         "a street address in a feedback story"),
        (IDENTIFIER_DOB, dob, f"My daughter was born on {dob} and this was her first group.",
         "a date of birth in a feedback story"),
    ]  # fmt: skip


def _nhi(rng: np.random.Generator) -> str:
    while True:
        stem = "".join(rng.choice(list(NHI_LETTERS), 3)) + f"{rng.integers(0, 1000):03d}"
        check = nhi_check_character(stem)
        if check not in (None, "0"):  # check digit 1-9: valid whichever way 10 is treated
            return f"{stem}{check}"


def _ird(rng: np.random.Generator) -> str:
    while True:
        number = str(rng.integers(100_000_000, 150_000_000))
        if ird.is_valid(number):
            return f"{number[:3]}-{number[3:6]}-{number[6:]}"


def _mobile(rng: np.random.Generator) -> str:
    while True:
        number = f"02{rng.choice([1, 2, 7])} {rng.integers(200, 1000)} {rng.integers(0, 10000):04d}"
        digits = np.frombuffer(number.replace(" ", "").encode(), dtype=np.uint8)[None, :] - 48
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "NZ")) and not _any_ird_window(digits)[0]:
            return number


def _home_phones(rng: np.random.Generator, regions: np.ndarray) -> np.ndarray:
    """NZ landline numbers like "09 376 5432", with the region's area code; none of their digit runs is a
    valid IRD number (so only the unexpected column itself is the planted problem)."""
    area = np.array([_AREA_CODES.get(r, 3) for r in pd.unique(regions)])[pd.factorize(regions)[0]]
    digits = np.zeros((regions.size, 9), dtype=np.int64)
    digits[:, 1] = area
    digits[:, 2] = np.array([3, 4, 5, 7, 9])[rng.integers(0, 5, regions.size)]  # valid in every area
    digits[:, 3:] = rng.integers(0, 10, (regions.size, 6))
    while (bad := _any_ird_window(digits)).any():
        digits[bad, 7] = (digits[bad, 7] + 1) % 10
    text = np.full((regions.size, 11), ord(" "), dtype=np.uint8)
    text[:, [0, 1, 3, 4, 5, 7, 8, 9, 10]] = digits + 48
    return text.view("S11").ravel().astype("U11")


def _any_ird_window(digits: np.ndarray) -> np.ndarray:
    """Whether any run of 8 or 9 consecutive digits (rows of `digits`) is a valid IRD number."""
    width = digits.shape[1]
    bad = np.zeros(digits.shape[0], dtype=bool)
    for size in (8, 9):
        for start in range(width - size + 1):
            bad |= ird_valid_digits(digits[:, start : start + size])
    return bad


def ird_valid_digits(digits: np.ndarray) -> np.ndarray:
    """Vectorised `stdnum.nz.ird.is_valid` for rows of 8 or 9 digits (range and two-pass mod-11 check)."""
    digits = np.asarray(digits, dtype=np.int64)
    value = digits @ (10 ** np.arange(digits.shape[1] - 1, -1, -1))
    stem = np.zeros((digits.shape[0], 8), dtype=np.int64)
    stem[:, 8 - (digits.shape[1] - 1) :] = digits[:, :-1]
    primary = -(stem @ np.array([3, 2, 7, 6, 5, 4, 3, 2])) % 11
    secondary = -(stem @ np.array([7, 4, 3, 2, 5, 2, 7, 6])) % 11
    check = np.where(primary != 10, primary, secondary)
    return (value > 10_000_000) & (value < 150_000_000) & (check != 10) & (check == digits[:, -1])
