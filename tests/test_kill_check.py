"""kill -9 of `dpup-eval check` at random points: every output is the old file or the new one, never a part.

Before: a killed run left a truncated quarantine file beside a complete report claiming 206,965
quarantined rows. Here a first run on file A leaves complete outputs; then runs on file B (other rows
quarantined, other accepted rows) are killed at random moments, half of them while the outputs are being
written (a hidden ``.part`` file has appeared). After each kill, each output must be byte for byte A's or
B's, and a report present must count exactly the rows of the quarantine file beside it.
"""

from __future__ import annotations

import csv
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.audit import AuditLog
from dpup_eval.demo.generator import DemoOptions, write_demo_data

EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"
OUTPUTS = {"quarantine": "q.csv", "accepted": "a.csv", "json": "r.json", "html": "r.html"}
KILLS = 6

pytestmark = pytest.mark.slow


def command(source: Path, out: Path) -> list[str]:
    args = [EXE, "check", str(source), "--programme", str(default_contract_dir()), "--purpose", "evaluation"]
    for option, name in OUTPUTS.items():
        args += [f"--{option}", str(out / name)]
    return args


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {name: (folder / name).read_bytes() if (folder / name).exists() else None for name in OUTPUTS.values()}


def quarantine_rows(data: bytes) -> int:
    return len(list(csv.reader(data.decode("utf-8").splitlines(keepends=True)))) - 1


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two large files of the same shape whose checks quarantine different rows."""
    folder = tmp_path_factory.mktemp("kill-inputs")
    files = write_demo_data(folder / "demo", DemoOptions(families=8_000, quarters=4, seed=7))
    frame = pd.read_csv(files.evaluation, dtype=str, keep_default_na=False)
    made = []
    for name, every, formula in (("a.csv", 9, "=1+1"), ("b.csv", 4, "@SUM(1,1)")):
        changed = frame.copy()
        changed.loc[::every, "sessions_attended"] = "lots"  # quarantined
        changed.loc[1::every, "feedback"] = formula  # escaped in the outputs
        changed.to_csv(folder / name, index=False)
        made.append(folder / name)
    return made[0], made[1]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(args, env=env, capture_output=True, stdin=subprocess.DEVNULL, timeout=900)


def test_kill_9_leaves_old_or_new_files_never_parts(tmp_path: Path, inputs: tuple[Path, Path]) -> None:
    a, b = inputs
    env = {**os.environ, "DPUP_EVAL_HOME": str(tmp_path / "home")}
    old_dir, new_dir = tmp_path / "old", tmp_path / "new"
    old_dir.mkdir()
    done = run(command(a, old_dir), env)
    assert done.returncode == 1, done.stderr.decode()
    new_dir.mkdir()  # the reference run for B, timed: the whole run, and from the first part file to the end
    started = time.monotonic()
    process = subprocess.Popen(command(b, new_dir), env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    writing = None
    while process.poll() is None:
        if writing is None and list(new_dir.glob(".*.part")):
            writing = time.monotonic()
        time.sleep(0.001)
    assert process.returncode == 1, process.stderr.read().decode() if process.stderr else ""
    full_run = time.monotonic() - started
    write_phase = time.monotonic() - (writing or started)
    old, new = snapshot(old_dir), snapshot(new_dir)
    assert all(old.values()) and all(new.values())
    assert all(old[name] != new[name] for name in OUTPUTS.values())  # so a mix would show
    for version in (old, new):
        assert json.loads(version["r.json"])["rows_quarantined"] == quarantine_rows(version["q.csv"])

    rng = random.Random(2026)
    seen: dict[str, set[str]] = {name: set() for name in OUTPUTS.values()}
    for kill in range(KILLS):
        work = tmp_path / f"run{kill}"
        shutil.copytree(old_dir, work)
        process = subprocess.Popen(command(b, work), env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill % 2:  # while writing: soon after the first hidden part file appears
            deadline = time.monotonic() + full_run * 3
            while not list(work.glob(".*.part")) and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0, write_phase * 1.2))
        else:  # anywhere in the run
            time.sleep(rng.uniform(0, full_run))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = snapshot(work)
        for name, data in now.items():
            state = "old" if data == old[name] else "new" if data == new[name] else "absent" if data is None \
                else "PART"
            assert state != "PART", f"kill {kill}: {name} is neither the old nor the new file"
            assert state != "absent" or name in ("r.json", "r.html"), f"kill {kill}: {name} vanished"
            seen[name].add(state)
        if now["r.json"] is not None:
            report = json.loads(now["r.json"])
            assert report["rows_quarantined"] == quarantine_rows(now["q.csv"]), f"kill {kill}: report and quarantine differ"
        for part in work.glob(".*.part"):  # what a killed run leaves: hidden, owner-only, never an output
            assert part.stat().st_mode & 0o077 == 0
    print("states seen after the kills:", seen)
    assert seen["q.csv"] >= {"old"}  # the kills did land before the outputs were replaced
    # The audit log written by all these killed runs is still a sound, sealed chain.
    result = AuditLog(tmp_path / "home" / "audit.jsonl", key_path=tmp_path / "home" / "audit.key").verify()
    assert result.ok and result.sealed, result.problems
