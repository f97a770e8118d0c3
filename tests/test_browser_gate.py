"""Browser tests fail in CI when Chromium is missing (a broken set-up must not pass as skipped), and skip
with the reason on a developer's machine without it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BROWSER_TESTS = Path(__file__).resolve().parent / "test_workshop_browser.py"


def _run_without_chromium(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["DPUP_EVAL_CHROMIUM"] = str(tmp_path / "no-chromium-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(BROWSER_TESTS), "-q", "-p", "no:cacheprovider", "-rA",
         "--rootdir", str(BROWSER_TESTS.parent.parent)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600,
    )  # fmt: skip


@pytest.mark.slow
def test_missing_chromium_fails_in_ci(tmp_path: Path) -> None:
    run = _run_without_chromium(tmp_path, "true")
    assert run.returncode == 1, run.stdout[-2000:]
    assert "CI=true but chromium is not installed" in run.stdout
    assert " skipped" not in run.stdout.splitlines()[-1]
    assert " passed" not in run.stdout.splitlines()[-1]


@pytest.mark.slow
def test_missing_chromium_skips_with_the_reason_elsewhere(tmp_path: Path) -> None:
    run = _run_without_chromium(tmp_path, None)
    assert run.returncode == 0, run.stdout[-2000:]
    assert "Chromium is not installed" in run.stdout
    assert " skipped" in run.stdout.splitlines()[-1] and "error" not in run.stdout.splitlines()[-1]
