"""The course's exercises, with their answers worked out from whatever course data they are given.

An exercise's answer and typical mistakes are functions of a :class:`Course`: the accepted evaluation
rows, the agreement, and the messy file as text. The notebooks' learners are checked against the course's
own demo data (:func:`demo_course`, generated once per session from :data:`COURSE_DEMO` and
:data:`COURSE_MESSY`); the tests also hand the same exercises a small hand-made course whose answers are
counted by hand. No answer is typed in here as a number, and nothing here asserts what the demo data
holds: that the demo data still fits the notebooks' story (e.g. Auckland's row has one small cell) is
checked by the tests.
"""

from __future__ import annotations

import atexit
import csv
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from dpup_eval.agreement.contract import Agreement, Contract, default_contract_dir
from dpup_eval.learn.checker import Exercise, Mistake
from dpup_eval.learn.lab import COURSE_DEMO, demo_files

__all__ = ["EXERCISES", "Course", "demo_course", "read_messy"]

#: The region and quarter the questions in notebooks 4 and 5 are about.
SMALL_REGION, BIG_REGION, FIRST_QUARTER = "Canterbury", "Auckland", COURSE_DEMO.first_quarter
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                "eleven", "twelve", "thirteen")  # fmt: skip
DEFICIT_WORDS = re.compile(
    r"\b(fail(ed|s|ure)?|drop(ped)?[- ]?outs?|only|non[- ]?complian\w*|poor(ly)?|refus\w*|lack(ed|ing)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity: it holds data frames
class Course:
    """What the exercises are worked out from.

    ``data``: the accepted evaluation rows, as ``load()`` gives them. ``messy``: the messy evaluation
    file as text, one row per data line (numbered from 1), every column kept. ``messy_header``: its
    column names as written.
    """

    data: pd.DataFrame
    contract: Contract
    messy: pd.DataFrame
    messy_header: tuple[str, ...]

    @cached_property
    def families(self) -> pd.DataFrame:
        """One row per whānau (everyone in a whānau shares its region, quarter and status)."""
        return self.data.drop_duplicates("family_ref")

    @cached_property
    def stopped(self) -> pd.DataFrame:
        """Whānau who have stopped coming (finished, left or moved)."""
        return self.families[self.families["programme_status"] != "enrolled"]

    @cached_property
    def table(self) -> pd.DataFrame:
        """Whānau who started in the first quarter, by region and status (notebook 4's table)."""
        first = self.families[self.families["enrolment_quarter"] == FIRST_QUARTER]
        return pd.crosstab(first["region"], first["programme_status"])


def read_messy(path: str | Path) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """A CSV file as text, every line kept (a story's stray comma mended), rows numbered from 1."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    cut = header.index("feedback") if "feedback" in header else len(header) - 1
    rows = []
    for fields in lines:
        extra = len(fields) - len(header)
        if extra > 0:
            fields = [*fields[:cut], ",".join(fields[cut : cut + extra + 1]), *fields[cut + extra + 1 :]]
        rows.append(fields)
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="row")
    return frame, tuple(header)


@cache
def _workdir() -> Path:
    where = Path(tempfile.mkdtemp(prefix="dpup_eval_course_"))
    atexit.register(shutil.rmtree, where, ignore_errors=True)
    return where


@cache
def demo_course() -> Course:
    """The course's own demo data, loaded the way the notebooks load it (made once per session)."""
    from dpup_eval.intake.loading import load

    contract = Agreement.load(default_contract_dir()).for_purpose("evaluation")
    files = demo_files(_workdir() / "demo-data")
    messy, header = read_messy(demo_files(_workdir() / "messy-data", messy=True).evaluation)
    return Course(load(files.evaluation, contract, "evaluation").data, contract, messy, header)


def _finished_counts(frame: pd.DataFrame) -> tuple[int, int]:
    return int((frame["programme_status"] == "completed").sum()), len(frame)


def _words_row(c: Course) -> int:
    bad = c.messy.index[~c.messy["sessions_attended"].str.fullmatch(r"\d*")]
    return int(bad[0])


# --- 01 What is in our data ---------------------------------------------------------------------


def _people_mistakes(c: Course, expected: int) -> list[Mistake]:
    d = c.data
    return [
        Mistake(len(d.columns), "That is the number of columns (one per agreed field). Each row is one person: "
                "how many rows are there?"),
        Mistake(d["family_ref"].nunique(), "That counts whānau. The question asks about people, and each row is "
                "one person."),
        Mistake(expected + 1, "One too many: if you counted lines in the file, the first line is the header "
                "naming the columns, not a person."),
    ]  # fmt: skip


def _qi_mistakes(c: Course, expected: list[str]) -> list[Mistake]:
    wanted = set(expected)
    keys = [f.name for f in c.contract.fields if f.role == "pseudonymous_key"]
    return [
        Mistake([*expected, *keys], "Close, but the references (participant_ref, family_ref) are pseudonymous "
                "keys: made-up codes that mean nothing outside this file. Look for the role "
                "'quasi_identifier'.", lambda a, _: set(a) > wanted and bool(set(a) & set(keys))),
        Mistake(expected[:-1], "You are on the right track, but at least one is missing. Go through every field "
                "and look at its role.", lambda a, _: set(a) < wanted),
        Mistake([*expected, "ethnic_groups"], "Some of the fields you listed are not quasi-identifiers in this "
                "agreement. Look at each field's role, not just at what it is about.",
                lambda a, _: bool(set(a) - wanted)),
    ]  # fmt: skip


# --- 02 Is the data right -----------------------------------------------------------------------


def _rejected_column(c: Course) -> str:
    return next(name for name in c.messy_header if not c.contract.has_field(name))


def _find_row_mistakes(c: Course, expected: int) -> list[Mistake]:
    return [
        Mistake(expected - 1, "Nearly: you are one row short. pandas starts counting at 0, but the check "
                "report counts data lines from 1. Use the number the report gives."),
        Mistake(expected + 1, "Nearly: you are one row over. If you counted lines in the file, the header is "
                "line 1; the report counts data lines, starting after the header."),
    ]  # fmt: skip


def _fixed_value(c: Course) -> str:
    raw = c.messy
    return str(NUMBER_WORDS.index(raw.loc[_words_row(c), "sessions_attended"].strip().lower()))


def _same_digits(answer: Any, expected: str) -> bool:
    return str(answer).strip() == expected


def _fixed_mistakes(c: Course, expected: str) -> list[Mistake]:
    raw = c.messy
    word = raw.loc[_words_row(c), "sessions_attended"]
    return [
        Mistake(word, "That is what the file says already. The agreement wants a number written in digits."),
        Mistake(f"{word}.0", "Write it as a whole number, in digits only, without a decimal point.",
                lambda a, _: "." in str(a)),
    ]  # fmt: skip


# --- 03 Counting and percentages -----------------------------------------------------------------


def _families_mistakes(c: Course, expected: int) -> list[Mistake]:
    return [
        Mistake(len(c.data), "Nearly: you counted every person, but the question asks about whānau (families). "
                "Try counting unique family_ref values."),
    ]  # fmt: skip


def _finished_share(c: Course) -> float:
    done, stopped = _finished_counts(c.stopped)
    return done / stopped


def _finished_mistakes(c: Course, expected: float) -> list[Mistake]:
    d = c.data
    people_done, people_stopped = _finished_counts(d[d["programme_status"] != "enrolled"])
    fam = c.families
    done_all = (fam["programme_status"] == "completed").sum() / len(fam)
    return [
        Mistake(people_done / people_stopped, "Nearly: you counted people, but the question asks about whānau. "
                "Use the `families` table (one row per whānau) instead of `data`."),
        Mistake(done_all, "Close: you included whānau who are still coming. They have not stopped yet, so "
                "leave them out before you work out the share."),
        Mistake(1 - expected, "You worked out the other side: the share who stopped for another reason. Which "
                "status means they finished?"),
    ]  # fmt: skip


def _families_by_quarter(c: Course) -> pd.Series:
    return c.data.groupby("enrolment_quarter")["family_ref"].nunique()


def _by_quarter_mistakes(c: Course, expected: pd.Series) -> list[Mistake]:
    d = c.data
    return [
        Mistake(d.groupby("enrolment_quarter").size(), "Nearly: that counts people (rows) in each quarter. "
                "Count unique family_ref values instead: .nunique() rather than .size()."),
        Mistake(d.groupby("region")["family_ref"].nunique(), "Those groups are not quarters. Group by the "
                "quarter each whānau started: enrolment_quarter.",
                lambda a, _: set(map(str, pd.Series(a).index)) != set(map(str, expected.index))),
    ]  # fmt: skip


def _attendance_rates(c: Course) -> pd.Series:
    d = c.data
    offered = d[d["sessions_offered"] >= 1]
    return (offered["sessions_attended"] / offered["sessions_offered"]).astype(float)


def _attendance_mistakes(c: Course, expected: float) -> list[Mistake]:
    rates = _attendance_rates(c)
    return [
        Mistake(rates.mean(), "That is the average attendance. The question asks a different thing: what share "
                "of people came to at least three quarters (0.75) of their sessions?"),
        Mistake((rates > 0.75).mean(), "Nearly: 'at least three quarters' includes people at exactly 0.75. "
                "Use >= rather than >."),
    ]  # fmt: skip


# --- 04 Keeping people safe in numbers ------------------------------------------------------------


def _small_cells(c: Course) -> int:
    return int((c.table < 6).sum().sum())


def _small_mistakes(c: Course, expected: int) -> list[Mistake]:
    table = c.table
    return [
        Mistake(int(((table > 0) & (table < 6)).sum().sum()), "Nearly: a 0 is hidden too. 'Nobody in this "
                "group' can tell people something, so count cells under 6 including zeros."),
        Mistake(int((table <= 6).sum().sum()), "Nearly: 'fewer than 6' means 6 itself is fine to show. Use < 6."),
    ]  # fmt: skip


def _recover(c: Course) -> int:
    """What the hidden cells of the row add up to: its total less the cells shown (6 or more)."""
    row = c.table.loc[BIG_REGION]
    return int(row[row < 6].sum())


def _recover_mistakes(c: Course, expected: int) -> list[Mistake]:
    row = c.table.loc[BIG_REGION]
    return [
        Mistake(
            int(row.sum()), "That is the row's total. Take away the cells you can see to find the hidden one."
        ),
    ]


# --- 05 How sure are we --------------------------------------------------------------------------


def _interval(c: Course) -> tuple[float, float]:
    from dpup_eval.findings.intervals import wilson

    stopped = c.stopped
    low, high = wilson(*_finished_counts(stopped[stopped["region"] == SMALL_REGION]))
    return float(low), float(high)


def _interval_mistakes(c: Course, expected: tuple[float, float]) -> list[Mistake]:
    from dpup_eval.findings.intervals import wilson

    d = c.data
    people = d[(d["programme_status"] != "enrolled") & (d["region"] == SMALL_REGION)]
    return [
        Mistake(wilson(*_finished_counts(c.stopped)), f"That is the range for every whānau. The question is "
                f"about {SMALL_REGION} only: pick out its row first."),
        Mistake(wilson(*_finished_counts(people)), "Nearly: those counts are people. Use whānau (the "
                "`stopped` table has one row per whānau)."),
    ]  # fmt: skip


def _difference(c: Course) -> tuple[float, float, float]:
    from dpup_eval.findings.intervals import newcombe_difference

    stopped = c.stopped
    big = _finished_counts(stopped[stopped["region"] == BIG_REGION])
    small = _finished_counts(stopped[stopped["region"] == SMALL_REGION])
    return tuple(float(v) for v in newcombe_difference(*big, *small))  # type: ignore[return-value]


def _difference_mistakes(c: Course, expected: tuple[float, float, float]) -> list[Mistake]:
    diff, low, high = expected
    return [
        Mistake((-diff, -high, -low), f"The numbers are right but turned around: the question asks {BIG_REGION} "
                f"minus {SMALL_REGION}, so give {BIG_REGION}'s counts first."),
    ]  # fmt: skip


# --- 06 Telling the story ------------------------------------------------------------------------


def _finding(c: Course, definition: str) -> Any:
    from dpup_eval.findings.evaluation import evaluate
    from dpup_eval.findings.indicators import load_indicators

    agreed = load_indicators(default_contract_dir() / "indicators.yaml", c.contract)
    findings = evaluate(c.data, agreed.indicator("finished"), by=[], contract=c.contract)
    return findings.select(indicator="finished", definition=definition, grouping="")[0]


def _published_share(c: Course) -> float:
    return float(_finding(c, "finished_not_counting_moves").estimate)


def _published_mistakes(c: Course, expected: float) -> list[Mistake]:
    d = c.data
    left = d[d["programme_status"].isin(["completed", "withdrew"])]
    return [
        Mistake(float(_finding(c, "finished_of_left").estimate), "That is the agency's definition, which counts "
                "whānau who moved away. The question asks for the provider's: finished_not_counting_moves."),
        Mistake(float((left["programme_status"] == "completed").mean()), "That is worked out from the rows "
                "directly. Use the published finding's estimate: it is worked out from rounded counts, which is "
                "what keeps people safe."),
    ]  # fmt: skip


def _sentence_expected(c: Course) -> str:
    from dpup_eval.findings.wording import percent

    return percent(_published_share(c))


def _sentence_ok(answer: str, expected: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(expected)}", answer) is not None and not DEFICIT_WORDS.search(
        answer
    )


def _sentence_mistakes(c: Course, expected: str) -> list[Mistake]:
    return [
        Mistake(f"Only {expected} of people finished.", "Your sentence has a word that frames the result as a "
                "shortfall (such as 'only', 'failed' or 'dropped out'). Say what people did: '... finished the "
                "programme' or '... came to most sessions'.", lambda a, _: bool(DEFICIT_WORDS.search(a))),
        Mistake("Most people finished the programme.", "Put the published percentage in your sentence: "
                "percent(finding.estimate) writes it the way reports do.",
                lambda a, _: not re.search(r"\d+%", a)),
    ]  # fmt: skip


def _e(id: str, question: str, kind: str, expected: Any, praise: str, hint: str, **more: Any) -> Exercise:
    return Exercise(
        id=id, question=question, kind=kind, expected=cache(expected), praise=praise, hint=hint, **more
    )  # cached per course (a Course is hashed by identity)


EXERCISES: dict[str, Exercise] = {e.id: e for e in [
    _e("01.people", "How many people are in the evaluation data?", "count", lambda c: len(c.data),
       "One row is one person, and len(data) counts rows.",
       "Each row of `data` is one person. len(data) counts the rows.", mistakes=_people_mistakes),
    _e("01.quasi_identifiers", "Which fields could help someone work out who a person is?", "names",
       lambda c: c.contract.quasi_identifiers,
       "These are the quasi-identifiers: harmless alone, but together they can point at one person.",
       "Look at each field's role in the agreement: the ones marked 'quasi_identifier'.",
       mistakes=_qi_mistakes),
    _e("02.rejected_column", "Which column made the check reject the whole file?", "name", _rejected_column,
       "That column is not in the agreement, and it holds phone numbers: it must never leave CCSS.",
       "Look at the problems at the 'dataset' level in the report: they name the column.",
       mistakes=lambda c, expected: [Mistake("feedback", "The feedback column is agreed. Identifiers found in the "
                                          "stories were removed (redacted), which does not reject the file.")]),
    _e("02.find_row", "Which row did the check hold back because sessions_attended is not a whole number?",
       "count", _words_row, "That row's number is in the report, so we can find it in the file.",
       "Look for the problem with code 'invalid-type' in `report.problems`: its `rows` list says where.",
       mistakes=_find_row_mistakes),
    _e("02.fixed_value", "What should sessions_attended say in that row?", "digits", _fixed_value,
       "Digits, as the agreement asks. Now write it back to the file and check again.",
       "Look at what the row says now, and write the same number in digits, in quotes.",
       mistakes=_fixed_mistakes, same=_same_digits),
    _e("03.families", "How many whānau are in the data?", "count", lambda c: int(c.data["family_ref"].nunique()),
       "Each whānau has one family_ref, shared by everyone in it, so counting unique values counts whānau.",
       "Each whānau has one family_ref. How many different family_ref values are there?",
       mistakes=_families_mistakes),
    _e("03.finished_share", "Of the whānau who have stopped coming, what share finished?", "share",
       _finished_share, "Whānau first, then leave out those still coming, then divide.",
       "Use `families` (one row per whānau), keep those whose status is not 'enrolled', then work out the "
       "share whose status is 'completed' (the mean of a True/False column is a share).",
       mistakes=_finished_mistakes),
    _e("03.families_by_quarter", "How many whānau started in each quarter?", "series", _families_by_quarter,
       "groupby splits the table by quarter, and nunique counts the whānau in each part.",
       "Group `data` by enrolment_quarter, pick family_ref, and count unique values in each group.",
       mistakes=_by_quarter_mistakes),
    _e("03.attendance", "What share of people came to at least three quarters of the sessions offered?",
       "share", lambda c: float((_attendance_rates(c) >= 0.75).mean()),
       "People with no sessions offered yet are left out, because nobody can come to a session that has not "
       "happened.", "Keep people offered at least one session, divide attended by offered, then work out the "
       "share at or above 0.75.", mistakes=_attendance_mistakes),
    _e("04.small_cells", "How many cells of the table rest on fewer than 6 whānau?", "count", _small_cells,
       "Every one of those cells could point at a whānau someone knows.",
       "Compare the table with 6: (table < 6) gives True where a cell is small. Then add up the Trues.",
       mistakes=_small_mistakes),
    _e("04.recover", f"What number is hidden in the {BIG_REGION} row?", "count", _recover,
       "That is the problem: hiding one cell is not enough when the total is shown.",
       "The row's total is shown. Take away the cells you can see.", mistakes=_recover_mistakes),
    _e("05.interval", f"How sure are we about the share of {SMALL_REGION} whānau who finished?", "interval",
       _interval, "A small group gives a wide range: that is honesty, not a weakness of the programme.",
       f"Use wilson(finished, stopped) with {SMALL_REGION}'s two numbers from the `counts` table.",
       mistakes=_interval_mistakes),
    _e("05.difference", f"How much higher is the share finishing in {BIG_REGION} than in {SMALL_REGION}?",
       "triple", _difference, "Look at the range: if it includes 0, the data cannot tell the two regions apart.",
       f"Use newcombe_difference with {BIG_REGION}'s finished and stopped first, then {SMALL_REGION}'s.",
       mistakes=_difference_mistakes),
    _e("06.published_share", "What share finished, by the provider's definition, as published?", "share",
       _published_share, "Published findings are worked out from rounded counts, so this is the number to quote.",
       "Pick the finding with findings.select(...) for definition 'finished_not_counting_moves' and everyone "
       "(grouping=\"\"), and take its .estimate.", mistakes=_published_mistakes),
    _e("06.sentence", "Write the sentence for the report.", "sentence", _sentence_expected,
       "A sentence that says what people did, with the published number. That is one a whānau can read.",
       "Use the published percentage (percent(finding.estimate)) and say what people did.",
       mistakes=_sentence_mistakes, same=_sentence_ok),
]}  # fmt: skip
