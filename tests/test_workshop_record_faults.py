"""The workshop record under faults: a damaged or empty file is an `Error:` line naming the file and what
to do (never a traceback, never a silently new workshop); export/import through the command line keep
the history; every start writes a backup; `--new` keeps the old file; files are owner-only."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.errors import DpupEvalError
from dpup_eval.records import RecordDamagedError
from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop

EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent)) or "dpup-eval"


def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([EXE, *args], capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env=os.environ.copy())  # fmt: skip
    assert done.returncode == code, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def _record(path: Path) -> dict:
    with WorkshopStore(path) as store:
        w = store.create_workshop("Hui", date(2026, 11, 20), "Q3", "bff.yaml").id
        mere = store.join(w, "Mere", "family_member").id
        p = store.propose(w, mere, indicator_id="attendance", label="3 of 5", definition={"n": 3}, reason="Mahi.")
        store.give_view(p.id, mere, "support", "Ka pai")
        store.decide(w, indicator_id="attendance", proposal_ids=[p.id], present=[mere], recorded_by=mere)
        return store.to_json()


def _damaged(kind: str, path: Path) -> None:
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not sqlite":
        path.write_bytes(b"PK\x03\x04 a zip, not a record" * 100)
    else:  # a real record whose pages were overwritten: SQLite's own "malformed"
        _record(path)
        data = bytearray(path.read_bytes())
        data[100:] = b"\xff" * (len(data) - 100)
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["empty", "not sqlite", "pages overwritten"])
def test_a_damaged_record_is_one_plain_error_and_stays_as_it_was(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "workshop.sqlite"
    _damaged(kind, path)
    before = path.read_bytes()
    with pytest.raises(RecordDamagedError) as caught:
        WorkshopStore(path).current_workshop()
    message = str(caught.value)
    assert str(path) in message and "nothing was changed" in message
    assert "dpup-eval workshop import" in message and "--new" in message and "JSON export" in message
    assert path.read_bytes() == before  # never a silently new, empty workshop written over it
    out = run("workshop", "export", str(tmp_path / "out.json"), "--db", str(path), code=2)
    assert out.stderr.startswith("Error: The workshop record") and str(path) in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and not (tmp_path / "out.json").exists()


def test_export_then_import_through_the_command_line_keeps_everything(tmp_path: Path) -> None:
    archive = _record(tmp_path / "w.sqlite")
    out = run("workshop", "export", str(tmp_path / "w.json"), "--db", str(tmp_path / "w.sqlite"))
    assert "1 workshop(s), 1 participants" in out.stdout
    assert stat.S_IMODE((tmp_path / "w.json").stat().st_mode) == 0o600
    assert json.loads((tmp_path / "w.json").read_text("utf-8")) == archive
    run("workshop", "import", str(tmp_path / "w.json"), "--db", str(tmp_path / "copy.sqlite"))
    with WorkshopStore(tmp_path / "copy.sqlite") as copy:
        assert copy.to_json() == archive
    again = run("workshop", "import", str(tmp_path / "w.json"), "--db", str(tmp_path / "copy.sqlite"), code=2)
    assert "already exists" in again.stderr
    missing = run("workshop", "export", str(tmp_path / "x.json"), "--db", str(tmp_path / "nothing.sqlite"), code=2)
    assert "no workshop record" in missing.stderr and not (tmp_path / "nothing.sqlite").exists()


def test_export_and_import_between_sqlite_and_postgresql(tmp_path: Path, postgres: object) -> None:
    archive = _record(tmp_path / "w.sqlite")
    url = postgres.new_database()  # type: ignore[attr-defined]
    run("workshop", "export", str(tmp_path / "w.json"), "--db", str(tmp_path / "w.sqlite"))
    run("workshop", "import", str(tmp_path / "w.json"), "--db", url)
    run("workshop", "export", str(tmp_path / "pg.json"), "--db", url)
    assert (tmp_path / "pg.json").read_bytes() == (tmp_path / "w.json").read_bytes()  # the same bytes
    with WorkshopStore(url) as pg:  # and the PostgreSQL record carries on after the imported ids
        w = pg.current_workshop()
        assert w is not None and pg.join(w.id, "Tui", "other").id == len(archive["tables"]["participants"]) + 1


def test_the_record_and_its_folder_are_private(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "workshop.sqlite"
    _record(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    old = tmp_path / "old.sqlite"
    _record(old)
    old.chmod(0o644)  # as the first release made it
    WorkshopStore(old).close()
    assert stat.S_IMODE(old.stat().st_mode) == 0o600


@pytest.mark.slow
def test_every_start_backs_up_and_new_keeps_a_damaged_record(tmp_path: Path, demo_dir: Path) -> None:
    config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w", port=8878)
    first = prepare_workshop(config, say=lambda _: None)
    with WorkshopStore(config.db) as store:
        store.join(first["workshop_id"], "Mere", "family_member")
    messages: list[str] = []
    prepare_workshop(config, say=messages.append)
    backups = sorted((config.folder / "backups").glob("workshop-*.json"))
    assert len(backups) == 2 and any(str(backups[-1]) in m for m in messages)
    assert stat.S_IMODE((config.folder / "backups").stat().st_mode) == 0o700
    assert all(stat.S_IMODE(b.stat().st_mode) == 0o600 for b in backups)
    latest = json.loads(backups[-1].read_text("utf-8"))
    assert [p["display_name"] for p in latest["tables"]["participants"]] == ["Mere"]  # the history, in the backup

    config.db.write_bytes(b"")  # the file is lost ...
    with pytest.raises(DpupEvalError, match="is empty"):
        prepare_workshop(config, say=lambda _: None)  # ... which is said, not papered over
    fresh = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w", port=8878, new=True)
    messages.clear()
    prepare_workshop(fresh, say=messages.append)
    kept = [p for p in config.db.parent.iterdir() if ".set-aside-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == b"" and any(str(kept[0]) in m for m in messages)
    run("workshop", "import", str(backups[-1]), "--db", str(tmp_path / "restored.sqlite"))
    with WorkshopStore(tmp_path / "restored.sqlite") as restored:
        assert [p.display_name for p in restored.participants(first["workshop_id"])] == ["Mere"]


@pytest.mark.slow
def test_a_workshop_on_postgresql_from_server_to_page(tmp_path: Path, demo_dir: Path, postgres: object) -> None:
    """`--db postgresql://...`: the server makes the workshop there and backs it up; a page's session uses it."""
    from dpup_eval.workshop.session import ENV, open_session

    url = postgres.new_database()  # type: ignore[attr-defined]
    config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w", port=8879, db=url)
    assert config.db == url and not (tmp_path / "w" / "workshop.sqlite").exists()
    prepared = prepare_workshop(config, say=lambda _: None)
    assert len(list((config.folder / "backups").glob("workshop-*.json"))) == 1
    env = config.kernel_env() | {ENV["workshop"]: str(prepared["workshop_id"])}
    session = open_session(env)
    assert session.store.db.dialect == "postgresql" and session.workshop.id == prepared["workshop_id"]
    me = session.store.join(session.workshop.id, "Mere", "family_member")
    with WorkshopStore(url) as other_page:  # another kernel sees it
        assert other_page.participants(session.workshop.id) == [me]
    session.store.close()


def _open_new(path: str, barrier: object) -> None:
    barrier.wait(timeout=60)  # type: ignore[attr-defined]
    with WorkshopStore(path) as store:
        store.current_workshop()


def test_many_pages_creating_the_same_new_record_at_once_get_one_whole_record(tmp_path: Path) -> None:
    """The file is made under a temporary name and linked into place: nobody opens a half-made record,
    nobody replaces one another process already made."""
    import multiprocessing

    path = tmp_path / "new" / "workshop.sqlite"
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dpup_eval.workshop.store"])
    barrier = context.Barrier(8)
    workers = [context.Process(target=_open_new, args=(str(path), barrier)) for _ in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0] * 8
    assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["workshop.sqlite"]
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA application_id").fetchone()[0] == 0x44505550  # "DPUP": made by the record layer
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(3,)]
    raw.close()
