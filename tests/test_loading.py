"""Checked loading: every planted problem is caught, every row is accounted for, nothing leaks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dpup_eval import load
from dpup_eval.agreement.contract import default_contract_dir

CONTRACTS = default_contract_dir()


@pytest.fixture(scope="module")
def clean(demo_dir: Path):
    return load(demo_dir / "evaluation.csv", CONTRACTS, "evaluation")


@pytest.fixture(scope="module")
def messy(messy_dir: Path):
    return load(messy_dir / "evaluation.csv", CONTRACTS, "evaluation")


@pytest.fixture(scope="module")
def manifest(messy_dir: Path) -> dict:
    return json.loads((messy_dir / "manifest.json").read_text(encoding="utf-8"))


def test_clean_demo_is_accepted_with_proper_types(clean) -> None:
    data, report, quarantine = clean
    assert report.accepted and report.exit_code == 0
    assert report.rows_read == report.rows_accepted == len(data) > 500
    assert report.problems == [] and len(quarantine) == 0
    assert str(data["sessions_attended"].dtype) == "Int64"
    assert str(data["enrolment_date"].dtype).startswith("datetime64")
    assert isinstance(data["region"].dtype, pd.CategoricalDtype)
    assert list(data.columns) == clean.contract.field_names
    failed = [e.check for e in report.expectations if not e.success]
    assert failed == [] and len(report.expectations) >= 30


def test_clean_service_reporting_is_accepted(demo_dir: Path) -> None:
    result = load(demo_dir / "service_reporting.csv", CONTRACTS, "service_reporting")
    assert result.report.accepted and result.report.rows_quarantined == 0


@pytest.mark.parametrize("file", ["evaluation", "service_reporting"])
def test_every_planted_problem_is_caught(messy_dir: Path, manifest: dict, file: str) -> None:
    purpose = file
    report = load(messy_dir / f"{file}.csv", CONTRACTS, purpose).report
    planted = [p for p in manifest["problems"] if p["file"] == file]
    assert planted
    for p in planted:
        found = [q for q in report.problems if q.code == p["code"] and (p["column"] is None or q.column == p["column"])]
        assert any(set(p["rows"]) <= set(q.rows) for q in found), (p["code"], p["column"], p["rows"])


def test_row_problems_quarantine_exactly_the_planted_rows(messy, manifest: dict) -> None:
    """Rows carrying a planted row problem are quarantined with every reason; free-text identifiers are redacted."""
    reasons = messy.quarantine["reasons"]
    for p in manifest["problems"]:
        if p["file"] != "evaluation" or not p["rows"]:
            continue
        for row in p["rows"]:
            assert row in reasons.index
            own = reasons[row].split("dataset-rejected")[0]  # the row's own reasons
            if p["code"].startswith("identifier-"):
                assert p["code"] not in own  # redacted, not a reason to hold the row back
            else:
                assert p["code"] in own, (p["code"], reasons[row])


def test_unexpected_column_rejects_dataset_and_never_passes_through(messy) -> None:
    data, report, quarantine = messy
    assert not report.accepted and report.status == "rejected"
    assert "home_phone" not in data.columns and "home_phone" not in quarantine.columns
    codes = {(p.code, p.level) for p in report.problems}
    assert ("unexpected-column", "dataset") in codes and ("identifier-phone", "dataset") in codes
    assert report.rows_accepted == 0 and report.rows_quarantined == report.rows_read


def test_identifiers_are_redacted_and_never_reported(messy, messy_dir: Path, manifest: dict) -> None:
    report = messy.report
    rendered = report.to_json() + report.to_html() + report.to_summary()
    quarantine_text = messy.quarantine.to_csv()
    for p in manifest["problems"]:
        value = p.get("value")
        if p["code"].startswith("identifier-") and value:
            assert value not in rendered
            assert value not in quarantine_text  # held-back rows are redacted too
    assert "removed]" in quarantine_text
    assert report.rows_redacted == sum(1 for p in manifest["problems"] if p["code"].startswith("identifier-"))


def test_report_json_shape(messy) -> None:
    data = json.loads(messy.report.to_json())
    for key in ("accepted", "rows_read", "rows_accepted", "rows_quarantined", "problems"):
        assert key in data
    for problem in data["problems"]:
        assert set(problem) >= {"code", "level", "column", "rows", "count", "message"}
        assert problem["level"] in ("row", "dataset")
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", problem["code"])
        assert all(isinstance(r, int) and r >= 1 for r in problem["rows"])


def test_accepted_file_with_quarantined_rows(tmp_path: Path, demo_dir: Path) -> None:
    lines = (demo_dir / "evaluation.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("sessions_attended")] = "99"
    lines[3] = ",".join(cells)
    (tmp_path / "one.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = load(tmp_path / "one.csv", CONTRACTS, "evaluation")
    assert result.report.accepted and result.report.exit_code == 1
    assert result.report.rows_quarantined == 1 and list(result.quarantine.index) == [3]
    assert "out-of-range (sessions_attended)" in result.quarantine["reasons"].iloc[0]
    assert 3 not in result.data.index and len(result.data) == len(lines) - 2


def test_purpose_separation(demo_dir: Path) -> None:
    """An evaluation file offered as service reporting is rejected: its extra fields never pass."""
    result = load(demo_dir / "evaluation.csv", CONTRACTS, "service_reporting")
    assert not result.report.accepted
    unexpected = {p.column for p in result.report.problems if p.code == "unexpected-column"}
    assert {"participant_ref", "feedback", "confidence_pre"} <= unexpected
    assert result.data.empty


def test_k_anonymity_rejects_small_groups(tmp_path: Path, demo_dir: Path) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    # One person alone in a combination of parent/child, age group and region.
    frame.loc[0, ["participant_type", "age_band", "region"]] = ["parent", "55+", "Canterbury"]
    frame = frame[~((frame.index > 0) & (frame.age_band == "55+") & (frame.region == "Canterbury"))]
    frame.to_csv(tmp_path / "k.csv", index=False)
    report = load(tmp_path / "k.csv", CONTRACTS, "evaluation").report
    [risk] = [p for p in report.problems if p.code == "k-anonymity"]
    assert risk.level == "dataset" and 1 in risk.rows and not report.accepted
    assert "Canterbury" not in risk.message  # the combination itself is not printed


corruptions = st.lists(
    st.tuples(st.integers(1, 40), st.sampled_from(["age_band", "region", "sessions_attended", "enrolment_date",
                                                   "confidence_pre", "participant_ref", "feedback"]),
              st.sampled_from(["", "x", "-1", "2025-13-01", "Otago", "P-1", "999", "021 555 0199 call me"])),
    max_size=12,
)


@given(changes=corruptions)
def test_accepted_plus_quarantined_equals_read(tmp_path_factory, demo_dir: Path, agreement, changes) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False).head(40)
    for row, column, value in changes:
        frame.loc[row - 1, column] = value
    path = tmp_path_factory.mktemp("inv") / "f.csv"
    frame.to_csv(path, index=False)
    # The contract parsed once (the session's), not once per example: the property is about the rows.
    result = load(path, agreement.for_purpose("evaluation"), "evaluation")
    report = result.report
    assert report.rows_read == 40
    assert report.rows_accepted + report.rows_quarantined == report.rows_read
    assert len(result.data) == report.rows_accepted and len(result.quarantine) == report.rows_quarantined
    assert set(result.data.index).isdisjoint(result.quarantine.index)
    assert sorted([*result.data.index, *result.quarantine.index]) == list(range(1, 41))


def test_each_load_is_recorded_in_the_audit_log(tmp_path: Path, demo_dir: Path, monkeypatch) -> None:
    from dpup_eval.audit import AuditLog

    monkeypatch.setenv("DPUP_EVAL_HOME", str(tmp_path))
    monkeypatch.setenv("DPUP_EVAL_ACTOR", "Aroha (evaluator)")
    load(demo_dir / "service_reporting.csv", CONTRACTS, "service_reporting")
    [entry] = AuditLog(tmp_path / "audit.jsonl").entries()
    assert entry.action == "load" and entry.purpose == "service_reporting" and entry.actor == "Aroha (evaluator)"
    assert entry.dataset.startswith("sha256:") and "family_ref" in entry.fields
    assert entry.details["rows_read"] == entry.details["rows_accepted"]
    assert "S-" not in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")  # no reference values logged
    load(demo_dir / "service_reporting.csv", CONTRACTS, "service_reporting", audit=False)
    assert len(AuditLog(tmp_path / "audit.jsonl").entries()) == 1
