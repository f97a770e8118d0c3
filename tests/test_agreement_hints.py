"""`dpup-eval contract hints`: where the demo agreement could ask for less. Expected hints are worked out by
hand from the demo contract (dates, free text) and its indicators.yaml (which fields the measures read); the
small-group counts from pandas' own groupby on the sample, independently of the check's counting."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pandas as pd
from cli_run import dpup_eval

from dpup_eval.agreement.contract import default_contract_dir

DEMO = str(default_contract_dir())


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return dpup_eval(*args)  # main() in this process (tests/cli_run.py)


def test_hints_from_the_contract_and_the_measures() -> None:
    out = run("contract", "hints", "--programme", DEMO)
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())  # the lines are wrapped for the terminal
    assert out.stdout.startswith("evaluation: 7 hints")
    for said in (
        "Date started is an exact date: would the month (or the quarter) do?",
        "Date finished is an exact date: would the month (or the quarter) do?",
        "Feedback in their own words is free text:",
        "Ethnic groups is not used by any measure: is it needed?",
        "Date started is not used by any measure",
        "Date finished is not used by any measure",
        "Feedback in their own words is not used by any measure",
    ):
        assert said in text, said
    # Measures use these; references and periods are not expected to be used by a measure.
    for quiet in ("Region is not used", "Age group is not used", "Quarter started is not used", "reference"):
        assert quiet not in text
    # Service reporting has no indicators: no claim about use; all its text fields have categories.
    assert "service reporting: 0 hints" in out.stdout
    assert "Give sample data" in out.stderr


def test_small_groups_on_sample_data(tmp_path: Path, demo_dir: Path) -> None:
    data = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False).head(40)
    sample = tmp_path / "evaluation.csv"
    data.to_csv(sample, index=False)
    qi = ["participant_type", "age_band", "region"]
    sizes = data.groupby(qi).size()
    small_groups, small_rows = int((sizes < 5).sum()), int(sizes[sizes < 5].sum())
    assert small_groups > 0
    without = {name: int(s[s < 5].sum()) for name in qi
               for s in [data.groupby([n for n in qi if n != name]).size()]}
    best = min(without.values())
    out = run("contract", "hints", "--programme", DEMO, "--data", str(sample))
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert (f"Parent or child × Age group × Region: {small_groups} combinations are shared by fewer than 5 rows "
            f"({small_rows} of 40 rows in the sample).") in text
    assert f"or with less detail in it), {best} rows would be in such groups." in text
    for value in set(data["region"]) | set(data["participant_ref"]):  # no value from the data is printed
        assert value not in out.stdout


def test_hints_bad_input() -> None:
    out = run("contract", "hints", "--programme", DEMO, "--data", "/nonexistent/sample.csv", "--purpose", "evaluation")
    assert out.returncode == 2 and "Traceback" not in out.stderr and "no such file" in out.stderr
    out = run("contract", "hints", "--programme", DEMO, "--data", "/nonexistent/x.csv")
    assert out.returncode == 2 and "--purpose" in out.stderr
