"""The audit log: round trip, tamper detection (and its honest limit), refusal, concurrent writers."""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dpup_eval.audit import (
    GENESIS_HASH,
    AuditChainError,
    AuditEntry,
    AuditHead,
    AuditLog,
    AuditValueError,
    default_audit_path,
    fingerprint_file,
)

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

FINGERPRINT = "sha256:" + "ab" * 32
T0 = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)


def _filled(path: Path, count: int = 5) -> AuditLog:
    log = AuditLog(path)
    for i in range(count):
        log.record(
            actor="Aroha",
            role="evaluator",
            action="load" if i % 2 == 0 else "evaluate",
            purpose="evaluation",
            dataset=FINGERPRINT,
            fields=["child_key", "whānau_size"],
            details={"rows": 10 + i, "quarantined": i, "ok": True},
            at=T0 + timedelta(hours=i),
        )
    return log


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_record_and_read_back(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    when = datetime(2026, 3, 3, 9, 30, tzinfo=timezone(timedelta(hours=13)))  # NZDT
    first = log.record(
        actor="Mere Tūhoe",
        role="privacy officer",
        action="export",
        purpose="service_reporting",
        dataset=FINGERPRINT,
        fields=("whānau_size", "attended"),
        details={"rows": 42, "suppressed_cells": 3, "rounded": True, "rate": 0.25, "note": None},
        at=when,
    )
    second = log.record(actor="Sam", role="agency analyst", action="request")
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    assert first.at == "2026-03-02T20:30:00.000000+00:00"  # stored in UTC
    assert second.seq == 2 and second.prev_hash == first.hash
    assert log.entries() == [first, second]
    # Macrons stay intact in the file itself (UTF-8, not \\u escapes).
    assert "Mere Tūhoe" in (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
    # The hash is sha256 over the canonical JSON of everything but the hash and the seal.
    content = first.model_dump(mode="json", exclude={"hash", "seal"})
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert first.hash == hashlib.sha256(canonical.encode()).hexdigest()
    # The seal is HMAC-SHA256 of "entry:" + hash with the key kept in the workbench's folder.
    key = bytes.fromhex((Path(os.environ["DPUP_EVAL_HOME"]) / "audit.key").read_text().strip())
    assert first.seal == hmac.new(key, b"entry:" + first.hash.encode(), hashlib.sha256).hexdigest()
    assert log.head() == AuditHead(2, second.hash)


def test_verify_ok(tmp_path: Path) -> None:
    log = _filled(tmp_path / "audit.jsonl")
    result = log.verify(expected_head=log.head())
    assert result.ok and result.entries == 5 and result.problems == []


def test_empty_and_missing_log(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "none" / "audit.jsonl")
    assert log.entries() == []
    assert log.verify().ok
    assert log.head() == AuditHead(0, GENESIS_HASH)
    assert log.verify(expected_head=AuditHead(0, GENESIS_HASH)).ok


def test_edit_of_a_middle_entry_is_found_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    entry = json.loads(lines[2])
    entry["purpose"] = "service_reporting"  # someone rewrites what the data was used for
    lines[2] = json.dumps(entry, ensure_ascii=False)
    _write(path, lines)
    result = AuditLog(path).verify()
    assert not result.ok
    assert [(p.line, p.seq, p.kind) for p in result.problems] == [(3, 3, "edited")]


def test_edit_with_recomputed_hash_is_found_by_the_next_link(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    entry = json.loads(lines[1])
    entry["fields"] = ["child_key"]
    body = {k: v for k, v in entry.items() if k not in ("hash", "seal")}  # the documented hash
    entry["hash"] = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    lines[1] = json.dumps(entry, ensure_ascii=False)
    _write(path, lines)
    problems = AuditLog(path).verify().problems
    # The chain shows where; the seal and the checkpoint taken after seq 2 show it was done without the key.
    assert [(p.line, p.seq, p.kind) for p in problems] == [(2, 2, "edited"), (2, 2, "forged"), (2, 2, "rewritten")]
    assert "line 3 (seq 3)" in problems[0].message


def test_deleted_middle_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    del lines[2]  # seq 3
    _write(path, lines)
    problems = AuditLog(path).verify().problems
    assert [(p.line, p.seq, p.kind) for p in problems] == [(3, 4, "deleted")]
    assert "seq 3 missing before line 3" in problems[0].message


def test_deleted_first_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    _write(path, _lines(path)[1:])
    problems = AuditLog(path).verify().problems
    assert [(p.line, p.seq, p.kind) for p in problems] == [(1, 2, "deleted")]


def test_swapped_lines_are_reordered(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    lines[1], lines[2] = lines[2], lines[1]
    _write(path, lines)
    problems = AuditLog(path).verify().problems
    assert [(p.line, p.seq, p.kind) for p in problems] == [(3, 2, "reordered")]
    assert "comes after line 2 (seq 3)" in problems[0].message


def test_inserted_copy_of_a_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    forged = json.loads(lines[3])
    forged["actor"] = "Someone else"
    lines.insert(4, json.dumps(forged))  # a second seq 4 after the real one
    _write(path, lines)
    kinds = {(p.line, p.kind) for p in AuditLog(path).verify().problems}
    assert (5, "inserted") in kinds
    assert (5, "edited") in kinds  # its hash no longer matches its content either


def test_truncated_tail_is_caught_by_the_checkpoint_and_the_anchor(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _filled(path)
    anchor = log.head()  # e.g. printed in an exported report's footer
    assert AuditHead.parse(str(anchor)) == anchor
    _write(path, _lines(path)[:3])
    # A chain that simply stops early is still a valid chain, but the keyed checkpoint says 5 entries.
    result = log.verify()
    assert [(p.seq, p.kind) for p in result.problems] == [(4, "truncated")]
    assert "the last 2 were removed" in result.problems[0].message
    # Against the anchor kept elsewhere, the removal shows too.
    result = log.verify(expected_head=anchor)
    assert [(p.seq, p.kind) for p in result.problems] == [(4, "deleted"), (4, "truncated")]
    assert "the last 2 entries were removed" in result.problems[0].message


def test_rewriting_the_tail_through_the_library_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    log = _filled(path, 3)
    _write(path, _lines(path)[:2])
    before = path.read_bytes()
    with pytest.raises(AuditChainError, match="checkpointed at 3: its tail was cut"):
        log.record(actor="Aroha", role="evaluator", action="load", at=T0)  # would be a new, valid seq 3
    assert path.read_bytes() == before
    # Entries added after the anchor are fine.
    log2 = _filled(tmp_path / "other.jsonl", 3)
    head = log2.head()
    log2.record(actor="Aroha", role="evaluator", action="export")
    assert log2.verify(expected_head=head).ok


def test_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    _filled(path)
    lines = _lines(path)
    lines[1] = lines[1][:40]  # cut short
    lines[3] = json.dumps({"seq": 4, "note": "not an entry"})
    _write(path, lines)
    problems = AuditLog(path).verify().problems
    assert [(p.line, p.kind) for p in problems] == [(2, "malformed"), (4, "malformed")]
    assert "not valid JSON" in problems[0].message
    assert "not an audit entry" in problems[1].message
    with pytest.raises(AuditChainError, match="line 2"):
        AuditLog(path).entries()


@pytest.mark.parametrize("damage", ["edit_last", "rehash_last", "truncate_last_line", "garbage"])
def test_record_refuses_to_append_after_tampering(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "audit.jsonl"
    log = _filled(path, 3)
    lines = _lines(path)
    last = json.loads(lines[-1])
    if damage == "edit_last":
        last["details"]["rows"] = 999
        lines[-1] = json.dumps(last)
    elif damage == "rehash_last":
        last["actor"] = "Someone else"
        body = {k: v for k, v in last.items() if k != "hash"}
        last["hash"] = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        last["prev_hash"] = "f" * 64  # and pretend it followed something else
        body = {k: v for k, v in last.items() if k != "hash"}
        last["hash"] = hashlib.sha256(
            json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        lines[-1] = json.dumps(last)
    elif damage == "garbage":
        lines.append("{not json")
    _write(path, lines)
    if damage == "truncate_last_line":
        path.write_bytes(path.read_bytes()[:-10])
    before = path.read_bytes()
    with pytest.raises(AuditChainError, match=r"line [34].*refuses writes that would break the chain"):
        log.record(actor="Aroha", role="evaluator", action="load")
    assert path.read_bytes() == before  # nothing was appended


def test_record_refuses_identifying_or_unbounded_values(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    with pytest.raises(AuditValueError, match="dataset") as caught:
        log.record(actor="A", role="evaluator", action="load", dataset="Smith_family_records.csv")
    assert "Smith" not in str(caught.value)  # the refusal does not repeat the value either
    with pytest.raises(AuditValueError, match="details"):
        log.record(actor="A", role="evaluator", action="load", details={"row": "x" * 500})
    with pytest.raises(AuditValueError, match="details"):
        log.record(actor="A", role="evaluator", action="load", details={"values": [1, 2]})  # type: ignore[dict-item]
    with pytest.raises(AuditValueError, match="details"):
        log.record(actor="A", role="evaluator", action="load", details={"mean": float("nan")})
    with pytest.raises(AuditValueError, match="fields"):
        log.record(actor="A", role="evaluator", action="load", fields="child_key")
    with pytest.raises(AuditValueError, match="timezone"):
        log.record(actor="A", role="evaluator", action="load", at=datetime(2026, 1, 1))
    with pytest.raises(AuditValueError, match="action"):
        log.record(actor="A", role="evaluator", action="Load everything")
    assert not (tmp_path / "audit.jsonl").exists()


def test_numpy_counts_keep_their_type(tmp_path: Path) -> None:
    np = pytest.importorskip("numpy")
    entry = AuditLog(tmp_path / "audit.jsonl").record(
        actor="A", role="evaluator", action="evaluate", details={"rows": np.int64(5), "ok": np.bool_(True)}
    )
    assert entry.details == {"rows": 5, "ok": True}
    assert type(entry.details["rows"]) is int and type(entry.details["ok"]) is bool


def test_summary(tmp_path: Path) -> None:
    log = _filled(tmp_path / "audit.jsonl", 4)
    log.record(
        actor="Sam", role="agency analyst", action="export", purpose="evaluation", fields=["attended"], at=T0
    )
    rows = log.summary()
    assert [(r.actor, r.action, r.count) for r in rows] == [
        ("Aroha", "evaluate", 2),
        ("Aroha", "load", 2),
        ("Sam", "export", 1),
    ]
    load = rows[1]
    assert load.fields == ["child_key", "whānau_size"]
    assert load.datasets == [FINGERPRINT]
    assert load.first_at == "2026-03-02T21:00:00.000000+00:00"
    assert load.last_at == "2026-03-02T23:00:00.000000+00:00"


def test_fingerprint_file(tmp_path: Path) -> None:
    data = b"child_key,whanau_size\n" + b"k1,3\n" * 300_000  # several chunks
    path = tmp_path / "quarter.csv"
    path.write_bytes(data)
    assert fingerprint_file(path) == "sha256:" + hashlib.sha256(data).hexdigest()
    AuditEntry.model_validate(
        {
            "seq": 1,
            "at": "2026-01-01T00:00:00+00:00",
            "actor": "A",
            "role": "r",
            "action": "load",
            "purpose": None,
            "dataset": fingerprint_file(path),
            "fields": [],
            "details": {},
            "prev_hash": GENESIS_HASH,
            "hash": GENESIS_HASH,
        }
    )


def test_default_audit_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPUP_EVAL_HOME", str(tmp_path))
    assert default_audit_path() == tmp_path / "audit.jsonl"
    monkeypatch.delenv("DPUP_EVAL_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_audit_path() == tmp_path / "home" / ".dpup_eval" / "audit.jsonl"


def _writer(path: str, worker: int, count: int, barrier: Barrier) -> None:
    log = AuditLog(Path(path))
    barrier.wait()
    for i in range(count):
        log.record(actor=f"worker {worker}", role="evaluator", action="evaluate", details={"i": i})


def test_concurrent_writers_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    context = multiprocessing.get_context("spawn")  # no fork of a threaded pytest process
    barrier = context.Barrier(4)
    workers = [context.Process(target=_writer, args=(str(path), w, 50, barrier)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0, 0, 0, 0]
    log = AuditLog(path)
    result = log.verify()
    assert result.ok, result.problems
    entries = log.entries()
    assert len(entries) == 200
    assert [e.seq for e in entries] == list(range(1, 201))
    assert {e.actor for e in entries} == {f"worker {w}" for w in range(4)}
