"""`run_lab`: the course folder is prepared without touching the originals; JupyterLab runs locally only."""

from __future__ import annotations

import hashlib
import json
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dpup_eval.errors import DpupEvalError
from dpup_eval.learn import lab

ORIGINALS = Path(__file__).resolve().parent.parent / "notebooks" / "learn"


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def test_prepare_copies_notebooks_and_makes_demo_data(tmp_path: Path) -> None:
    before = _digests(ORIGINALS)
    said: list[str] = []
    course = lab.prepare_course(tmp_path / "dpup-eval-course", progress=said.append)
    copies = sorted(p.name for p in course.glob("*.ipynb"))
    assert copies == sorted(p.name for p in ORIGINALS.glob("*.ipynb"))
    assert len(copies) == 6
    assert (course / "README.md").is_file()
    assert (course / "demo-data" / "evaluation.csv").is_file()
    assert (course / "demo-data" / "service_reporting.csv").is_file()
    assert _digests(ORIGINALS) == before  # the committed originals are never changed
    assert any("demo data ready" in line for line in said)


def test_prepare_keeps_the_learners_own_work(tmp_path: Path) -> None:
    course = lab.prepare_course(tmp_path / "course")
    mine = course / "03_counting_and_percentages.ipynb"
    mine.write_text("my work", encoding="utf-8")
    said: list[str] = []
    lab.prepare_course(tmp_path / "course", progress=said.append)
    assert mine.read_text(encoding="utf-8") == "my work"
    assert "keeping your copy of 03_counting_and_percentages.ipynb" in said


def test_prepare_refuses_to_work_in_the_originals(tmp_path: Path) -> None:
    with pytest.raises(DpupEvalError, match="must not be the folder"):
        lab.prepare_course(ORIGINALS, ORIGINALS)
    with pytest.raises(DpupEvalError, match="no notebooks"):
        lab.prepare_course(tmp_path / "course", tmp_path)


def test_command_listens_locally_without_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lab, "_running_as_root", lambda: False)
    command = lab.lab_command(tmp_path, port=8899, open_browser=False)
    assert command[1:3] == ["-m", "jupyterlab"]
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=8899" in command
    assert f"--ServerApp.root_dir={tmp_path.resolve()}" in command
    assert "--ServerApp.open_browser=False" in command
    assert "--LabApp.news_url=None" in command
    assert "--LabApp.extension_manager=readonly" in command
    assert "--allow-root" not in command
    assert not any(part.startswith("--ServerApp.port") for part in lab.lab_command(tmp_path))
    monkeypatch.setattr(lab, "_running_as_root", lambda: True)
    assert "--allow-root" in lab.lab_command(tmp_path)
    with pytest.raises(ValueError, match="port"):
        lab.lab_command(tmp_path, port=70000)


def test_run_lab_prepares_then_runs_the_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_call(command: list[str], cwd: Path) -> int:
        seen.update(command=command, cwd=cwd)
        return 0

    monkeypatch.setattr(lab.subprocess, "call", fake_call)
    assert lab.run_lab(port=8123, course_dir=tmp_path / "c", open_browser=False) == 0
    assert seen["cwd"] == tmp_path / "c"
    assert "--ServerApp.port=8123" in seen["command"]  # type: ignore[operator]
    assert (tmp_path / "c" / "01_what_is_in_our_data.ipynb").is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_lab_serves_on_localhost(tmp_path: Path) -> None:
    course = lab.prepare_course(tmp_path / "course")
    port, token = _free_port(), secrets.token_hex(16)
    command = [*lab.lab_command(course, port, open_browser=False), f"--IdentityProvider.token={token}"]
    server = subprocess.Popen(command, cwd=course, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        status = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and server.poll() is None:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/status", headers={"Authorization": f"token {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=2) as response:
                    status = json.loads(response.read())
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        assert status is not None, "JupyterLab did not answer /api/status"
        assert "started" in status
        listing = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/contents", headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(listing, timeout=5) as response:
            names = {item["name"] for item in json.loads(response.read())["content"]}
        assert {"demo-data", "01_what_is_in_our_data.ipynb"} <= names
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr is not None:
            server.stderr.close()
