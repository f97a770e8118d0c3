"""The request and use registers on the record layer: both databases, a register made before registers
were versioned keeps everything, files are private, and a damaged file is a plain error."""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from dpup_eval.records import RecordDamagedError
from dpup_eval.rights.requests import Register
from dpup_eval.rights.uses import UseRegister

#: The use and request registers' tables as the first release created them (no version table).
OLD_USES = """CREATE TABLE IF NOT EXISTS uses (
  id INTEGER PRIMARY KEY, used_on TEXT NOT NULL, kind TEXT NOT NULL, what TEXT NOT NULL, purpose TEXT,
  data_used TEXT NOT NULL, findings TEXT NOT NULL, summary TEXT NOT NULL, recorded_by TEXT NOT NULL,
  recorded_at TEXT NOT NULL);"""
OLD_REQUESTS = """CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, family_ref TEXT NOT NULL, received TEXT NOT NULL,
  due TEXT NOT NULL, transfer_due TEXT NOT NULL, covers TEXT NOT NULL, known INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'open', answered_on TEXT, answer_note TEXT,
  transferred_to TEXT, transferred_on TEXT, logged_by TEXT NOT NULL, logged_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (
  id INTEGER PRIMARY KEY, request_id INTEGER NOT NULL REFERENCES requests(id), purpose TEXT NOT NULL,
  record_key TEXT NOT NULL, field TEXT NOT NULL, old_value TEXT, new_value TEXT, outcome TEXT NOT NULL,
  statement TEXT, reason TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS record_versions (
  id INTEGER PRIMARY KEY, purpose TEXT NOT NULL, record_key TEXT NOT NULL, version INTEGER NOT NULL,
  field_values TEXT NOT NULL, changed_by TEXT NOT NULL, reason TEXT NOT NULL, changed_at TEXT NOT NULL,
  UNIQUE (purpose, record_key, version));"""


def test_use_register_on_both_databases(record_target: str) -> None:
    register = UseRegister(record_target)
    first = register.add(used_on=date(2026, 3, 1), kind="report", what="Quarterly report", summary="Shared.",
                         references=(),
                         data_used=["attendance"], purpose="evaluation", recorded_by="ana")  # fmt: skip
    second = register.add(used_on=date(2026, 5, 1), kind="advice", what="Advice", summary="Kōrero.", recorded_by="ana",
                          references=())
    assert [u.id for u in register.list()] == [second.id, first.id]  # newest first
    assert [u.id for u in register.list(purpose="evaluation")] == [first.id]
    assert [u.id for u in register.list(since=date(2026, 4, 1))] == [second.id]
    assert register.get(first.id).data_used == ["attendance"]


def test_request_register_on_both_databases(record_target: str, tmp_path: Path) -> None:
    register = Register(record_target, audit=tmp_path / "audit.jsonl")
    first = register.new_request("CCSS-1", date(2026, 3, 2))
    second = register.new_request("CCSS-2", date(2026, 3, 3), kind="correction")
    assert (first.due, first.status) == (date(2026, 3, 30), "open")  # 20 working days (none are holidays)
    register.answer(first.id, date(2026, 3, 10), "sent")
    assert [r.id for r in register.list_requests()] == [second.id]
    assert [r.id for r in register.list_requests(open_only=False)] == [first.id, second.id]
    assert register.transfer(second.id, "the agency", date(2026, 3, 4)).transferred_to == "the agency"


def test_registers_made_before_versioning_keep_everything(tmp_path: Path) -> None:
    uses, requests = tmp_path / "uses.sqlite", tmp_path / "requests.sqlite"
    with sqlite3.connect(uses) as raw:
        raw.executescript(OLD_USES)
        raw.execute("INSERT INTO uses VALUES (1, '2026-01-05', 'decision', 'Kept the programme', 'evaluation',"
                    " '[]', '[\"attendance\"]', 'Funded again.', 'ana', '2026-01-05T01:00:00+00:00')")  # fmt: skip
    raw.close()
    with sqlite3.connect(requests) as raw:
        raw.executescript(OLD_REQUESTS)
        raw.execute("INSERT INTO requests VALUES (1, 'access', 'CCSS-9', '2026-01-05', '2026-02-03', '2026-01-19',"
                    " '[]', 1, 'open', NULL, NULL, NULL, NULL, 'sam', '2026-01-05T01:00:00+00:00')")  # fmt: skip
    raw.close()
    old_use = UseRegister(uses).get(1)
    assert (old_use.what, old_use.findings) == ("Kept the programme", ["attendance"])
    assert UseRegister(uses).add(used_on=date(2026, 2, 1), kind="other", what="W", summary="S", recorded_by="a",
                                 references=()).id == 2
    register = Register(requests, audit=tmp_path / "audit.jsonl")
    assert register.get(1).family_ref == "CCSS-9"
    assert register.new_request("CCSS-10", date(2026, 2, 2)).id == 2
    # adopted as version 1; the use register then migrated to 2 (stories used), the request register has no 2
    for path, table, latest in ((uses, "uses_register_version", 2), (requests, "requests_register_version", 1)):
        with sqlite3.connect(path) as raw:
            assert raw.execute(f"SELECT version FROM {table}").fetchall() == [(latest,)]
        raw.close()


def test_register_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "home"
    UseRegister(folder / "uses.sqlite").list()
    assert stat.S_IMODE((folder / "uses.sqlite").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == stat.S_IMODE(folder.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize("content", [b"", b"not a database at all\n" * 50])
def test_a_damaged_register_is_a_plain_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "uses.sqlite"
    path.write_bytes(content)
    with pytest.raises(RecordDamagedError, match=r"The use register .*uses\.sqlite is (empty|not a SQLite).*nothing was changed"):
        UseRegister(path).list()
    assert path.read_bytes() == content  # untouched
