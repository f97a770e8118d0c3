"""Attacks on the audit log by someone who can write its file but does not hold the key.

The issue's findings, each tried here exactly: a cut tail, a rewritten and re-hashed tail and an emptied
log all passed plain `audit verify`; a forged appended line passed even with `--head`. Then what the
seals still cannot catch (someone holding the key; both files rolled back together), stated as tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dpup_eval.audit import AuditChainError, AuditLog, AuditProblem
from dpup_eval.audit_seal import AuditKeyError

T0 = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "home"
    monkeypatch.setenv("DPUP_EVAL_HOME", str(folder))
    return folder


def filled(path: Path, count: int = 5) -> AuditLog:
    log = AuditLog(path)
    for i in range(count):
        log.record(actor="Aroha", role="evaluator", action="load", purpose="evaluation",
                   dataset="sha256:" + "ab" * 32, fields=["region"], details={"rows": 10 + i}, at=T0 + timedelta(hours=i))
    return log


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write(path: Path, entries: list[dict]) -> None:
    path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")


def chain_hash(entry: dict) -> str:
    """What an attacker computes: the documented sha256 over everything but hash and seal."""
    body = {k: v for k, v in entry.items() if k not in ("hash", "seal")}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def rehash_from(entries: list[dict], start: int) -> None:
    """Re-chain every entry from position `start`, as someone rewriting the tail would."""
    for i in range(start, len(entries)):
        entries[i]["prev_hash"] = entries[i - 1]["hash"] if i else "0" * 64
        entries[i]["hash"] = chain_hash(entries[i])


def verify(path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, "audit", "verify", "--log", str(path), *extra], capture_output=True, text=True,
                          env=os.environ.copy(), stdin=subprocess.DEVNULL, timeout=120)


def kinds(problems: list[AuditProblem]) -> set[str]:
    return {p.kind for p in problems}


def test_files_are_owner_only(home: Path, tmp_path: Path) -> None:
    os.umask(old := os.umask(0))  # read the umask
    try:
        os.umask(0)
        log = filled(tmp_path / "logs" / "audit.jsonl", 1)
    finally:
        os.umask(old)
    for path in (log.path, log.checkpoints, home / "audit.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE(log.path.parent.stat().st_mode) == 0o700


def test_intact_log_verifies_sealed(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    result = log.verify()
    assert result.ok and result.sealed and result.entries == 5
    assert result.checkpoint and result.checkpoint.startswith("5:")
    done = verify(log.path)
    assert done.returncode == 0 and "(sealed: matches its checkpoints)" in done.stdout


def test_cut_tail(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    write(log.path, lines(log.path)[:3])
    done = verify(log.path)
    assert done.returncode == 1 and "truncated" in done.stdout and "the last 2 were removed" in done.stdout
    with pytest.raises(AuditChainError, match="tail was cut"):
        log.record(actor="Aroha", role="evaluator", action="load")


def test_rewritten_and_rehashed_tail(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    entries = lines(log.path)
    entries[3]["purpose"] = "service_reporting"  # what the data was used for, rewritten
    entries[4]["fields"] = ["region", "ethnic_groups"]
    rehash_from(entries, 3)
    write(log.path, entries)
    result = log.verify()
    assert {(p.seq, p.kind) for p in result.problems} >= {(4, "rewritten"), (4, "forged"), (5, "forged")}
    assert verify(log.path).returncode == 1
    # Without the seals (dropped, as if never sealed), the checkpoints still show the rewrite.
    for entry in entries:
        entry.pop("seal")
    write(log.path, entries)
    assert kinds(log.verify().problems) == {"rewritten", "unsealed"}


def test_emptied_or_deleted_log(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    log.path.write_bytes(b"")
    done = verify(log.path)
    assert done.returncode == 1 and "emptied" in done.stdout
    log.path.unlink()
    assert [p.kind for p in log.verify().problems] == ["emptied"]
    done = verify(log.path)
    assert done.returncode == 1 and "emptied" in done.stdout


def test_forged_appended_line_fails_even_with_head(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    head = str(log.head())
    entries = lines(log.path)
    forged = dict(entries[-1], seq=6, action="export", details={"rows": 1})
    forged.pop("seal")
    forged["prev_hash"] = entries[-1]["hash"]
    forged["hash"] = chain_hash(forged)
    write(log.path, [*entries, forged])
    done = verify(log.path, "--head", head)
    assert done.returncode == 1 and "unsealed" in done.stdout and "line 6" in done.stdout
    # A made-up seal is no better, and neither is a made-up checkpoint to cover it.
    forged["seal"] = "f" * 64
    write(log.path, [*entries, forged])
    assert [(p.line, p.kind) for p in log.verify().problems] == [(6, "forged")]
    forged.pop("seal")
    write(log.path, [*entries, forged])
    with log.checkpoints.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps({"seq": 6, "hash": forged["hash"], "at": T0.isoformat(), "mac": "0" * 64}) + "\n")
    assert kinds(log.verify().problems) == {"forged", "unsealed"}
    with pytest.raises(AuditChainError):
        log.record(actor="Aroha", role="evaluator", action="load")


def test_removed_checkpoints_or_key(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    saved = log.checkpoints.read_bytes()
    log.checkpoints.unlink()
    assert [p.kind for p in log.verify().problems] == ["no-checkpoints"]
    with pytest.raises(AuditChainError, match="checkpoints .* are missing"):
        log.record(actor="Aroha", role="evaluator", action="load")
    log.checkpoints.write_bytes(saved)
    (home / "audit.key").unlink()
    assert [p.kind for p in log.verify().problems] == ["no-key"]
    with pytest.raises(AuditKeyError, match="missing"):
        log.record(actor="Aroha", role="evaluator", action="load")


def test_a_log_from_before_sealing_is_adopted_then_protected(home: Path, tmp_path: Path) -> None:
    log = filled(tmp_path / "audit.jsonl")
    entries = lines(log.path)
    for entry in entries:
        entry.pop("seal")
    write(log.path, entries)
    log.checkpoints.unlink()
    (home / "audit.key").unlink()
    result = log.verify()
    assert result.ok and not result.sealed and "never been sealed" in result.notes[0]
    done = subprocess.run([EXE, "audit", "checkpoint", "--log", str(log.path)], capture_output=True, text=True,
                          env=os.environ.copy(), stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 0 and "Checkpoint written: head 5:" in done.stdout
    assert log.verify().ok and log.verify().sealed
    write(log.path, entries[:4])  # now a cut shows
    # ... and what is left is no longer vouched for (the checkpoint that bound it pointed past the cut).
    assert [p.kind for p in log.verify().problems] == ["truncated", "unsealed"]
    with pytest.raises(AuditChainError, match="not checkpointed: truncated"):
        log.checkpoint()


def test_what_it_cannot_detect(home: Path, tmp_path: Path) -> None:
    """Documented limits: a key holder can re-seal a rewrite; both files rolled back together pass."""
    log = filled(tmp_path / "audit.jsonl")
    head = str(log.head())
    # 1. Rolling back the log and its checkpoints together to an earlier point: only --head catches it.
    write(log.path, lines(log.path)[:3])
    log.checkpoints.write_text("".join(log.checkpoints.read_text().splitlines(keepends=True)[:3]))
    assert log.verify().ok
    assert verify(log.path, "--head", head).returncode == 1
    # 2. Someone who can read the key rewrites, re-seals and re-checkpoints: nothing here can tell.
    key = bytes.fromhex((home / "audit.key").read_text().strip())
    entries = lines(log.path)
    entries[1]["purpose"] = "service_reporting"
    rehash_from(entries, 1)
    for entry in entries:
        entry["seal"] = hmac.new(key, b"entry:" + entry["hash"].encode(), hashlib.sha256).hexdigest()
    write(log.path, entries)
    body = {"seq": 3, "hash": entries[-1]["hash"], "at": T0.isoformat()}
    mac = hmac.new(key, b"checkpoint:" + json.dumps(body, sort_keys=True, separators=(",", ":")).encode(),
                   hashlib.sha256).hexdigest()
    log.checkpoints.write_text(json.dumps({**body, "mac": mac}) + "\n")
    assert log.verify().ok
