"""The rights commands (notice, audit, request, uses) through a typer app, as the lead registers them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.audit import AuditLog
from dpup_eval.cli import rights as cli_rights
from dpup_eval.demo.key_map import write_demo_key_map
from dpup_eval.errors import DpupEvalError

PAYLOAD = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Root."""

    cli_rights.register(app)
    return app


@pytest.fixture
def run(app: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DPUP_EVAL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DPUP_EVAL_ACTOR", "Privacy officer")
    monkeypatch.setenv("DPUP_EVAL_ROLE", "privacy officer")
    monkeypatch.chdir(default_contract_dir())  # the commands find the programme in the current folder
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        result = runner.invoke(app, list(args))
        if isinstance(result.exception, DpupEvalError) and code == 2:
            return result
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    return invoke


@pytest.mark.parametrize("audience", ["adult", "child"])
@pytest.mark.parametrize("fmt", ["html", "md"])
def test_notice(run, tmp_path: Path, audience: str, fmt: str) -> None:
    out = tmp_path / f"notice.{fmt}"
    result = run("notice", "--audience", audience, "--format", fmt, "--out", str(out))
    text = out.read_text(encoding="utf-8")
    assert ("<!doctype html>" in text) == (fmt == "html")
    assert "meets the target" in result.stderr
    printed = run("notice", "--audience", audience, "--format", fmt)
    assert printed.stdout == text


def test_notice_bad_options(run) -> None:
    assert "--audience" in run("notice", "--audience", "teen", code=2).output
    assert "--format" in run("notice", "--format", "pdf", code=2).output


def _log(path: Path, count: int = 4) -> AuditLog:
    log = AuditLog(path)
    for i in range(count):
        log.record(actor="Ana", role="evaluator", action="load", purpose="evaluation", dataset="sha256:" + "ab" * 32,
                   fields=["region"], details={"rows": i}, at=datetime(2025, 3, 2 + i, tzinfo=UTC))
    return log


def test_audit_verify_intact_then_tampered(run, tmp_path: Path) -> None:
    log = _log(tmp_path / "audit.jsonl")
    result = run("audit", "verify", "--log", str(log.path))
    assert "intact: 4 entries" in result.stdout
    head = result.stdout.split("head ")[1].strip()
    run("audit", "verify", "--log", str(log.path), "--head", head)
    lines = log.path.read_text(encoding="utf-8").splitlines(keepends=True)

    log.path.write_text("".join([lines[0], lines[1].replace('"rows":1', '"rows":7'), *lines[2:]]), encoding="utf-8")
    edited = run("audit", "verify", "--log", str(log.path), code=1)
    assert "DAMAGED" in edited.stdout and "line 2: edited" in edited.stdout

    log.path.write_text("".join([lines[0], *lines[2:]]), encoding="utf-8")
    assert "deleted" in run("audit", "verify", "--log", str(log.path), code=1).stdout

    log.path.write_text("".join([lines[1], lines[0], *lines[2:]]), encoding="utf-8")
    assert "reordered" in run("audit", "verify", "--log", str(log.path), code=1).stdout

    log.path.write_text("".join(lines[:3]), encoding="utf-8")  # the tail cut: the keyed checkpoint shows it
    assert "truncated" in run("audit", "verify", "--log", str(log.path), code=1).stdout
    cut = run("audit", "verify", "--log", str(log.path), "--head", head, code=1)
    assert "removed" in cut.stdout
    run("audit", "verify", "--log", str(log.path), "--head", "nonsense", code=2)
    assert run("audit", "verify", "--log", str(tmp_path / "none.jsonl"), code=2).exception


def test_audit_summary(run, tmp_path: Path) -> None:
    log = _log(tmp_path / "audit.jsonl")
    result = run("audit", "summary", "--log", str(log.path))
    assert "Ana (evaluator) load for evaluation: 4x" in result.stdout and "fields: region" in result.stdout
    rows = json.loads(run("audit", "summary", "--log", str(log.path), "--json").stdout)
    assert rows[0]["count"] == 4
    assert "Nothing recorded" in run("audit", "summary", "--log", str(tmp_path / "empty.jsonl")).stdout


def test_request_lifecycle(run, tmp_path: Path, demo_dir: Path) -> None:
    key_map = str(write_demo_key_map(tmp_path / "key_map.csv"))
    sent = ["--sent", f"evaluation={demo_dir / 'evaluation.csv'}",
            "--sent", f"service_reporting={demo_dir / 'service_reporting.csv'}"]
    new = run("request", "new", "CCSS-00007", "--received", "2025-12-01", "--key-map", key_map)
    assert "answer due 2026-01-20" in new.stdout and "transfer (if needed) due 2025-12-15" in new.stdout
    listed = run("request", "list", "--today", "2025-12-01")
    assert "20 working days left" in listed.stdout
    assert "OVERDUE by 1 working days" in run("request", "list", "--today", "2026-01-21").stdout

    out = tmp_path / "pack"
    pages = run("request", "compile", "1", "--key-map", key_map, *sent, "--out", str(out)).stdout.split()
    assert pages and all(Path(p).is_file() for p in pages) and len(pages) % 2 == 0

    first = (out / "request-1-person-1-adult.html").read_text(encoding="utf-8")
    ref = first.split("P-")[1][:8]
    corrected = run("request", "correct", "1", "--purpose", "evaluation", "--field", "goals_set",
                    "--record", f"participant_ref=P-{ref}", "--value", "2", "--reason", "recounted",
                    "--key-map", key_map, *sent)
    assert "Corrected goals_set" in corrected.stdout and "Evaluation team" in corrected.stdout
    refused = run("request", "correct", "1", "--purpose", "evaluation", "--field", "surname",
                  "--record", f"participant_ref=P-{ref}", "--value", "Smith", "--key-map", key_map, *sent, code=1)
    assert "refused" in refused.stdout and "Smith" not in refused.stdout
    run("request", "correct", "1", "--purpose", "evaluation", "--field", "region", "--key-map", key_map, *sent, code=2)
    statement = run("request", "correct", "1", "--purpose", "evaluation", "--field", "region",
                    "--record", f"participant_ref=P-{ref}", "--statement", PAYLOAD, "--key-map", key_map, *sent)
    assert "Statement attached" in statement.stdout

    run("request", "new", PAYLOAD, "--received", "2025-12-02", "--key-map", key_map)
    unknown = run("request", "compile", "2", "--key-map", key_map, *sent, "--out", str(tmp_path / "unknown"))
    assert "No information is held" in unknown.stderr
    assert "<script" not in (tmp_path / "unknown" / "request-2-person-1-adult.html").read_text(encoding="utf-8")

    assert "answered 2025-12-10 (on time)" in run("request", "answer", "1", "--on", "2025-12-10").stdout
    assert "\t1\t" not in run("request", "list").stdout
    assert "answered 2025-12-10" in run("request", "list", "--all").stdout
    run("request", "compile", "1", "--key-map", key_map, "--sent", "evaluation", "--out", str(out), code=2)
    run("request", "new", "CCSS-00001", "--received", "31/12/2025", code=2)
    audit = (tmp_path / "home" / "audit.jsonl").read_text(encoding="utf-8")
    assert "CCSS-00007" not in audit and f"P-{ref}" not in audit and "script" not in audit


def test_demo_key_map_command(run, tmp_path: Path) -> None:
    out = tmp_path / "km.csv"
    run("request", "demo-key-map", str(out), "--families", "5")
    assert out.read_text(encoding="utf-8").startswith("provider_family_ref,purpose,family_ref\nCCSS-00001,")
    assert (out.stat().st_mode & 0o077) == 0
    run("request", "demo-key-map", str(out), "--families", "0", code=2)


def test_uses_commands(run, tmp_path: Path) -> None:
    run("uses", "add", "--what", f"Board paper {PAYLOAD}", "--summary", "Counts by region.", "--kind", "report",
        "--date", "2025-09-01", "--purpose", "evaluation", "--data", "region", "--finding", "More whānau finished")
    assert "Board paper" in run("uses", "list").stdout
    assert "No uses recorded." in run("uses", "list", "--purpose", "service_reporting").stdout
    page = tmp_path / "uses.html"
    run("uses", "export", "--out", str(page))
    assert "&lt;script&gt;" in page.read_text(encoding="utf-8") and "<script" not in page.read_text(encoding="utf-8")
    run("uses", "export", "--out", str(tmp_path / "uses.csv"), "--format", "csv")
    run("uses", "add", "--what", "x", "--summary", "y", "--kind", "gossip", code=2)
