"""The command line: through its real entry point (the installed `dpup-eval` script) for a real exit
status and stderr, and otherwise through the same `main()` in this process (tests/cli_run.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_run import dpup_eval

from dpup_eval.agreement.contract import default_contract_dir

CONTRACTS = str(default_contract_dir())
EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"


def script(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed script in its own process."""
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=300,
                          stdin=subprocess.DEVNULL)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The same command in this process (no start-up to pay again)."""
    return dpup_eval(*args, cwd=cwd)


def test_help_on_every_command() -> None:
    for args in ([], ["check"], ["evaluate"], ["workshop"], ["init"], ["demo"], ["demo", "data"], ["demo", "check"],
                 ["demo", "workshop"], ["contract"], ["contract", "draft"], ["contract", "validate"],
                 ["contract", "roles"], ["contract", "diff"], ["contract", "hints"], ["contract", "checked"]):
        out = run(*args, "--help")
        assert out.returncode == 0 and "Usage:" in out.stdout, args


def test_check_clean_exit_0_with_outputs(tmp_path: Path, demo_dir: Path) -> None:
    out = run("check", str(demo_dir / "evaluation.csv"), "--programme", CONTRACTS, "--purpose", "evaluation",
              "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html"))
    assert out.returncode == 0, out.stderr
    assert "ACCEPTED" in out.stdout
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["accepted"] and report["rows_read"] == report["rows_accepted"]
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "http" not in html.split("<body>")[0]


def test_check_messy_exit_1_with_quarantine(tmp_path: Path, messy_dir: Path) -> None:
    out = script("check", str(messy_dir / "evaluation.csv"), "--programme", CONTRACTS, "--purpose", "evaluation",
                 "--quarantine", str(tmp_path / "q.csv"), "--json", str(tmp_path / "r.json"))
    assert out.returncode == 1
    assert "REJECTED" in out.stdout
    assert (tmp_path / "q.csv").read_text(encoding="utf-8").startswith("row,reasons,")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["check", "{demo}/evaluation.csv", "--programme", CONTRACTS, "--purpose", "marketing"],
         "defined purposes: evaluation, service_reporting"),
        (["check", "{tmp}/absent.csv", "--programme", CONTRACTS, "--purpose", "evaluation"], "no such file"),
        (["check", "{tmp}/empty.csv", "--programme", CONTRACTS, "--purpose", "evaluation"], "is empty"),
        (["check", "{demo}/evaluation.csv", "--programme", "{tmp}/bad.odcs.yaml", "--purpose", "evaluation"],
         "bad.odcs.yaml"),
        (["check", "{demo}/evaluation.csv", "--contract", CONTRACTS, "--purpose", "marketing"],
         "defined purposes: evaluation, service_reporting"),
        (["check", "{demo}/evaluation.csv", "--purpose", "evaluation"], "no programme: give --programme"),
        (["check", "{demo}/evaluation.csv"], "Missing option"),
        (["check"], "Missing argument"),
    ],
    ids=["unknown-purpose", "absent", "empty", "programme-is-a-file", "old-option-name", "no-programme",
         "no-purpose", "usage"],
)
def test_cannot_run_exit_2_one_error_line(tmp_path: Path, demo_dir: Path, args: list[str], words: str) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.odcs.yaml").write_text("kind: DataContract\n", encoding="utf-8")
    filled = [a.format(demo=demo_dir, tmp=tmp_path) for a in args]
    out = run(*filled, cwd=tmp_path)  # not a programme folder: nothing falls back to the demo
    assert out.returncode == 2
    errors = [line for line in out.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and words in errors[0], out.stderr
    assert "Traceback" not in out.stderr


def test_debug_shows_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_bytes(b"")
    out = script("--debug", "check", str(tmp_path / "empty.csv"), "--purpose", "evaluation")
    assert out.returncode == 2 and "Traceback" in out.stderr


def test_demo_data_same_seed_same_bytes(tmp_path: Path) -> None:
    for name in ("a", "b"):
        out = run("demo", "data", str(tmp_path / name), "--families", "40", "--seed", "7", "--messy")
        assert out.returncode == 0, out.stderr
    for file in ("evaluation.csv", "service_reporting.csv", "manifest.json"):
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()


def test_contract_draft_flags_identifiers(tmp_path: Path, messy_dir: Path) -> None:
    out = run("contract", "draft", str(messy_dir / "evaluation.csv"), "--purpose", "evaluation",
              "--recipient", "Evaluation team", "--out", str(tmp_path / "draft.odcs.yaml"))
    assert out.returncode == 0, out.stderr
    text = (tmp_path / "draft.odcs.yaml").read_text(encoding="utf-8")
    assert "suspected_identifier" in text and "home_phone" in text
    assert "021 " not in text  # no identifying values copied into the draft
    # The draft is not usable until people settle it.
    check = run("contract", "validate", str(tmp_path / "draft.odcs.yaml"))
    assert check.returncode == 2 and "needs a role" in check.stderr and "looks like it identifies" in check.stderr


def test_contract_draft_of_clean_data_validates_as_odcs(tmp_path: Path, demo_dir: Path) -> None:
    out = run("contract", "draft", str(demo_dir / "service_reporting.csv"), "--purpose", "service_reporting",
              "--recipient", "Contracts", "--out", str(tmp_path / "d.odcs.yaml"))
    assert out.returncode == 0
    text = (tmp_path / "d.odcs.yaml").read_text(encoding="utf-8")
    assert "enum" in text and "minimum" in text and "pattern" in text


def test_demo_runs_the_main_job(tmp_path: Path) -> None:
    out = run("demo", "check", "--outdir", str(tmp_path / "d"))
    assert out.returncode == 0, out.stdout + out.stderr
    assert (tmp_path / "d" / "evaluation-report.html").exists()
    assert out.stdout.count("ACCEPTED") == 2
