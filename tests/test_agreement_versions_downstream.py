"""Everything downstream follows the agreement's version: check reports and audit entries name it, data
checked against an older version is flagged, notices carry the version they describe and `dpup-eval notice`
warns when a notice on file is older than the agreement. Through the command line where a person would
(its `main()` in this process, tests/cli_run.py: test_cli.py runs the installed script itself).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_run import dpup_eval

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.revision import Edit, read_texts, revise, write_version
from dpup_eval.audit import AuditLog
from dpup_eval.rights.notices import build_notice, notice_staleness, notice_versions


def run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    return dpup_eval(*args, env={**os.environ, "DPUP_EVAL_HOME": str(home)})


@pytest.fixture
def programme(tmp_path: Path) -> Path:
    folder = tmp_path / "programme"
    shutil.copytree(default_contract_dir(), folder)
    return folder


def sign_version_2(folder: Path) -> None:
    """As signing in the workshop does: the agreed version replaces the files (old ones kept)."""
    edit = Edit.of("not_used_for", "evaluation", None, text="marketing")
    write_version(folder, revise(read_texts(folder), [edit], folder).texts)


def test_notice_carries_its_versions_and_goes_stale(programme: Path) -> None:
    for fmt in ("html", "md"):
        notice = build_notice(Agreement.load(programme), "adult")
        text = notice.to_html() if fmt == "html" else notice.to_markdown()
        assert notice_versions(text) == {"evaluation": "1.0.0", "service_reporting": "1.0.0"}
        assert "evaluation version 1.0.0, service reporting version 1.0.0" in text
        assert notice_staleness(text, Agreement.load(programme)) == []
    sign_version_2(programme)
    assert notice_staleness(text, Agreement.load(programme)) == [
        "it describes evaluation version 1.0.0; the agreement is now version 1.1.0"]
    assert notice_staleness("<html>an old notice</html>", Agreement.load(programme))[0].startswith(
        "it does not say which version")


def test_notice_command_warns_about_an_older_notice_on_file(programme: Path, tmp_path: Path) -> None:
    out = tmp_path / "notice.html"
    first = run("notice", "--programme", str(programme), "--out", str(out), home=tmp_path / "home")
    assert first.returncode == 0, first.stderr
    assert "out of date" not in first.stderr
    current = run("notice", "--programme", str(programme), "--check", str(out), home=tmp_path / "home")
    assert current.returncode == 0 and "describes the agreement in use" in current.stderr
    sign_version_2(programme)
    stale = run("notice", "--programme", str(programme), "--check", str(out), home=tmp_path / "home")
    assert stale.returncode == 1
    assert (f"Warning: the notice on file {out} is out of date: it describes evaluation version 1.0.0; the "
            "agreement is now version 1.1.0") in stale.stderr
    again = run("notice", "--programme", str(programme), "--out", str(out), home=tmp_path / "home")
    assert again.returncode == 0 and "it is being replaced now: give families the new one" in again.stderr
    assert notice_versions(out.read_text(encoding="utf-8")) == {"evaluation": "1.1.0", "service_reporting": "1.0.0"}


def test_check_records_the_version_and_older_checks_are_flagged(programme: Path, tmp_path: Path,
                                                                demo_dir: Path) -> None:
    home = tmp_path / "home"
    report = tmp_path / "report.json"
    checked = run("check", str(demo_dir / "service_reporting.csv"), "--programme", str(programme), "--purpose",
                  "service_reporting", "--json", str(report), home=home)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(report.read_text(encoding="utf-8"))["contract_version"] == "1.0.0"
    entries = [e for e in AuditLog(home / "audit.jsonl").entries() if e.action == "load"]
    assert [e.details.get("contract_version") for e in entries] == ["1.0.0"]
    fine = run("contract", "checked", str(report), "--programme", str(programme), home=home)
    assert fine.returncode == 0 and "the agreement in use" in fine.stdout

    def drop_status(folder: Path) -> None:
        write_version(folder, revise(read_texts(folder), [Edit.of("drop", "service_reporting", "status")],
                                     folder).texts)
    drop_status(programme)
    flagged = run("contract", "checked", str(report), "--programme", str(programme), home=home)
    assert flagged.returncode == 1
    assert (f"{report}: OLDER: the service reporting data was checked against version 1.0.0 of the agreement; "
            "the agreement is now version 2.0.0: check the file again before using it") in flagged.stdout
    bad = run("contract", "checked", str(tmp_path / "absent.json"), "--programme", str(programme), home=home)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


def test_flows_page_shows_the_version_and_what_changed(programme: Path) -> None:
    from dpup_eval.workshop.widgets_flows import version_html

    assert "nothing has changed since it was agreed" in version_html(Agreement.load(programme))
    sign_version_2(programme)
    shown = version_html(Agreement.load(programme))
    assert "The agreement in use: evaluation version 1.1.0, service reporting version 1.0.0." in shown
    assert "Added to what it will not be used for: &quot;marketing&quot;" in shown
