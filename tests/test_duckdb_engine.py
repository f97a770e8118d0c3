"""`load(..., engine="duckdb")` gives the same report, data and quarantine as the Great Expectations path.

The DuckDB engine writes each check spec as SQL; Great Expectations (with its vectorised helpers,
themselves compared with GX in test_value_checks.py) is the oracle. Only the name of the engine in
each rule's result may differ.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_value_checks import EDGES

from dpup_eval import load
from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.intake.loading import ENGINES

pytest.importorskip("duckdb")


def _same_load(path: Path, contract, purpose: str):
    by_gx = load(path, contract, purpose, audit=False)
    by_duckdb = load(path, contract, purpose, audit=False, engine="duckdb")
    assert {e.engine for e in by_duckdb.report.expectations} == {"duckdb"}
    assert {e.engine for e in by_gx.report.expectations} <= {"great_expectations", "vectorised"}
    a, b = by_gx.report.model_dump(), by_duckdb.report.model_dump()
    for report in (a, b):
        for expectation in report["expectations"]:
            expectation.pop("engine")
    assert a == b
    pd.testing.assert_frame_equal(by_gx.data, by_duckdb.data)
    pd.testing.assert_frame_equal(by_gx.quarantine, by_duckdb.quarantine)
    return by_gx


@pytest.mark.parametrize("purpose", ["evaluation", "service_reporting"])
def test_duckdb_engine_reports_as_gx_on_the_messy_demo(messy_dir: Path, purpose: str) -> None:
    result = _same_load(messy_dir / f"{purpose}.csv", default_contract_dir(), purpose)
    assert any(not e.success for e in result.report.expectations)  # rules did fail: not a vacuous match


def test_duckdb_engine_reports_as_gx_on_the_clean_demo(demo_dir: Path) -> None:
    result = _same_load(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation")
    assert result.report.accepted


def test_duckdb_engine_reports_as_gx_on_the_trial(trial) -> None:
    from trial_programme import PURPOSE

    path, contract, _ = trial
    _same_load(path, contract, PURPOSE)


def test_duckdb_engine_reports_as_gx_on_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "edges.csv"
    pd.DataFrame(EDGES).to_csv(path, index=False)
    result = _same_load(path, default_contract_dir(), "evaluation")
    failing = {e.check: e.failing_rows for e in result.report.expectations}
    assert failing["region.allowed"] == 2 and failing["enrolment_date.type"] == 3


def test_an_unknown_engine_is_refused(demo_dir: Path) -> None:
    with pytest.raises(ValueError, match="engine must be one of"):
        load(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation", audit=False, engine="spark")
    assert ENGINES == ("pandas", "duckdb")


def test_check_command_takes_the_engine(messy_dir: Path) -> None:
    """`dpup-eval check --engine duckdb` prints the same summary and exits as the default engine does."""
    from test_cli import CONTRACTS, run

    file = str(messy_dir / "evaluation.csv")
    default = run("check", file, "--contract", CONTRACTS, "--purpose", "evaluation")
    by_duckdb = run("check", file, "--contract", CONTRACTS, "--purpose", "evaluation", "--engine", "duckdb")
    assert default.returncode == by_duckdb.returncode == 1, by_duckdb.stderr
    assert by_duckdb.stdout == default.stdout and "quarantined" in default.stdout
    wrong = run("check", file, "--contract", CONTRACTS, "--purpose", "evaluation", "--engine", "spark")
    assert wrong.returncode == 2 and "spark" in wrong.stderr and "Traceback" not in wrong.stderr
