"""Agreed changes make a new contract version that the checks then enforce.

An accepted "drop" or "coarsen" gives a contract that validates (ODCS and DPUP rules, through the same
loading as any programme folder), carries a bumped version, and whose checks accept data shaped the new
way and reject data shaped the old way. The data is the generated demo data, reshaped here with pandas
(independently of the code under test); only counts are compared, never a row.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.editing import EditError, apply_edit, band_codes
from dpup_eval.agreement.revision import HISTORY, Edit, read_texts, revise, write_version
from dpup_eval.errors import ContractError
from dpup_eval.intake.loading import load

DEMO = default_contract_dir()


def programme_with(tmp: Path, texts: dict[str, str]) -> Path:
    folder = tmp / "programme"
    shutil.copytree(DEMO, folder)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def check(data: pd.DataFrame, tmp: Path, folder: Path, name: str):
    path = tmp / f"{name}.csv"
    data.to_csv(path, index=False)
    return load(path, folder, "evaluation", audit=False).report


def test_drop_gives_a_valid_version_that_rejects_the_old_shape(tmp_path: Path, demo_dir: Path) -> None:
    revision = revise(read_texts(DEMO), [Edit.of("drop", "evaluation", "feedback")], DEMO)
    assert [c.summary for c in revision.diff.changes] == ["Feedback in their own words no longer sent for evaluation"]
    folder = programme_with(tmp_path, revision.texts)
    contract = Agreement.load(folder).for_purpose("evaluation")
    assert contract.version == "2.0.0" and not contract.has_field("feedback")
    assert Agreement.load(folder).for_purpose("service_reporting").version == "1.0.0"  # untouched
    data = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    new = check(data.drop(columns=["feedback"]), tmp_path, folder, "new")
    assert new.accepted and new.rows_accepted == len(data)
    old = check(data, tmp_path, folder, "old")
    assert not old.accepted
    assert any(p.code == "unexpected-column" for p in old.problems)


def test_coarsen_a_date_to_a_month(tmp_path: Path, demo_dir: Path) -> None:
    revision = revise(read_texts(DEMO), [Edit.of("coarsen", "evaluation", "exit_date", to="month")], DEMO)
    summaries = [c.summary for c in revision.diff.changes]
    # The exit date leaves the "exit not before enrolment" rule: it no longer compares with a date.
    assert sorted(summaries) == ["Check removed: A person cannot finish before they started.",
                                 "Date finished sent as a month instead of an exact date"]
    folder = programme_with(tmp_path, revision.texts)
    assert Agreement.load(folder).for_purpose("evaluation").version == "2.0.0"
    data = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    with_exit = int((data["exit_date"] != "").sum())
    assert 0 < with_exit < len(data)
    months = data.assign(exit_date=data["exit_date"].str[:7])
    new = check(months, tmp_path, folder, "new")
    assert new.accepted and new.rows_accepted == len(data)
    old = check(data, tmp_path, folder, "old")
    # Every exact exit date is refused by the new pattern (more rows may then fall to the k check).
    mismatches = [p for p in old.problems if p.code == "pattern-mismatch"]
    assert [(p.column, p.count) for p in mismatches] == [("exit_date", with_exit)]
    assert old.rows_accepted <= len(data) - with_exit


def test_coarsen_a_number_to_bands(tmp_path: Path, demo_dir: Path) -> None:
    edit = Edit.of("coarsen", "evaluation", "goals_set", to="bands", edges=[0, 3, 6])
    revision = revise(read_texts(DEMO), [edit], DEMO)
    summaries = [c.summary for c in revision.diff.changes]
    assert sorted(summaries) == ["Check removed: Nobody can achieve more goals than they set.",
                                 "Goals set replaced by goals set band (coarsened: 3 groups instead of an exact number)"]
    folder = programme_with(tmp_path, revision.texts)
    field = Agreement.load(folder).for_purpose("evaluation").field("goals_set_band")
    assert field.allowed == ("0-2", "3-5", "6+") and field.replaces == "goals_set"
    data = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    goals = pd.to_numeric(data["goals_set"], errors="coerce")
    bands = pd.cut(goals, [0, 3, 6, 1000], right=False, labels=["0-2", "3-5", "6+"]).astype(object).fillna("")
    shaped = data.drop(columns=["goals_set"]).assign(goals_set_band=bands)
    new = check(shaped, tmp_path, folder, "new")
    assert new.accepted and new.rows_accepted == len(data)
    old = check(data, tmp_path, folder, "old")
    assert not old.accepted


def test_move_reword_and_not_used_for_in_one_version() -> None:
    edits = [Edit.of("move", "service_reporting", "referral_source", to_purpose="evaluation"),
             Edit.of("reword", "evaluation", "region", what="adult_description", text="Your region, never your address."),
             Edit.of("not_used_for", "service_reporting", None, text="marketing")]
    revision = revise(read_texts(DEMO), edits, DEMO)
    assert sorted(c.summary for c in revision.diff.changes) == sorted([
        "How they found the programme moved from service reporting to evaluation",
        "Description of Region reworded",
        'Added to what it will not be used for: "marketing"',
    ])
    versions = {v.purpose: v.new for v in revision.diff.verdicts}
    assert versions == {"evaluation": "2.0.0", "service_reporting": "2.0.0"}
    assert not revision.diff.problems


def test_wording_only_is_a_patch() -> None:
    edit = Edit.of("reword", "evaluation", None, what="purpose_statement", text="To learn what helps whānau.")
    revision = revise(read_texts(DEMO), [edit], DEMO)
    assert {v.purpose: v.new for v in revision.diff.verdicts} == {"evaluation": "1.0.1",
                                                                  "service_reporting": "1.0.0"}


def test_a_change_that_breaks_the_programme_is_refused() -> None:
    """The period field cannot be dropped: the programme's settings name it (validation catches it)."""
    with pytest.raises(ContractError, match="enrolment_quarter"):
        revise(read_texts(DEMO), [Edit.of("drop", "evaluation", "enrolment_quarter")], DEMO)


@pytest.mark.parametrize(("kind", "field", "detail", "words"), [
    ("drop", "nonexistent", {}, "not a field"),
    ("coarsen", "region", {"to": "month"}, "only exact dates and whole numbers"),
    ("coarsen", "exit_date", {"to": "fortnight"}, "month, quarter, year"),
    ("move", "region", {"to_purpose": "service_reporting"}, "already has"),
    ("reword", "region", {"what": "colour", "text": "x"}, "says what it rewords"),
])
def test_edits_that_cannot_be_made(kind: str, field: str, detail: dict, words: str) -> None:
    docs = {"evaluation": __import__("yaml").safe_load((DEMO / "evaluation.odcs.yaml").read_text(encoding="utf-8")),
            "service_reporting": __import__("yaml").safe_load(
                (DEMO / "service_reporting.odcs.yaml").read_text(encoding="utf-8"))}
    with pytest.raises(EditError, match=words):
        apply_edit(docs, kind, "evaluation", field, detail)


def test_band_codes_by_hand() -> None:
    assert band_codes([0, 5, 18]) == [("0-4", "0 to 4"), ("5-17", "5 to 17"), ("18+", "18 or more")]
    with pytest.raises(EditError):
        band_codes([5, 0])


def test_write_version_keeps_the_replaced_files(tmp_path: Path) -> None:
    folder = programme_with(tmp_path, {})
    before = (folder / "evaluation.odcs.yaml").read_text(encoding="utf-8")
    revision = revise(read_texts(folder), [Edit.of("drop", "evaluation", "feedback")], folder)
    kept = write_version(folder, revision.texts)
    assert kept == [folder / HISTORY / "evaluation.odcs.yaml@1.0.0"]
    assert kept[0].read_text(encoding="utf-8") == before
    assert Agreement.load(folder).for_purpose("evaluation").version == "2.0.0"
    with pytest.raises(ContractError):  # a version that would not load is never written
        write_version(folder, {"evaluation.odcs.yaml": "not: a contract\n"})
    assert Agreement.load(folder).for_purpose("evaluation").version == "2.0.0"
