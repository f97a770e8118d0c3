"""Files the workbench writes: whole or not at all, owner-only, and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import os
import stat
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dpup_eval import files
from dpup_eval.files import AtomicFiles, atomic_open, atomic_path, private_dir, private_file, write_text
from dpup_eval.safe_csv import escape_cell, escape_formulas, unescape_cell, write_csv, write_csv_to


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """The most permissive umask, so that owner-only modes cannot come from the umask."""
    old = os.umask(0)
    yield
    os.umask(old)


def test_write_text_is_owner_only_and_replaces(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "new" / "deeper" / "report.json"
    write_text(target, "first")
    assert target.read_text() == "first" and mode(target) == 0o600
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "deeper") == 0o700
    target.chmod(0o644)
    write_text(target, "second")
    assert target.read_text() == "second" and mode(target) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.json"]  # no part left behind


def test_existing_folder_keeps_its_mode(tmp_path: Path, open_umask: None) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_dir(shared / "mine")
    assert mode(shared) == 0o755 and mode(shared / "mine") == 0o700


def test_private_file_for_sqlite(tmp_path: Path, open_umask: None) -> None:
    import sqlite3

    db = private_file(tmp_path / "rec" / "workshop.sqlite")
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (x)")
    conn.execute("INSERT INTO t VALUES (1)")
    conn.commit()
    made = sorted(tmp_path.joinpath("rec").iterdir())
    assert {p.name for p in made} >= {"workshop.sqlite", "workshop.sqlite-wal"}
    assert all(mode(p) == 0o600 for p in made), {p.name: oct(mode(p)) for p in made}
    conn.close()
    private_file(db)  # an existing file is left alone
    assert sqlite3.connect(db).execute("SELECT x FROM t").fetchall() == [(1,)]


def test_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old complete\n")
    with pytest.raises(RuntimeError), atomic_open(target, "w") as handle:
        handle.write("new but ")
        raise RuntimeError("stopped half-way")
    assert target.read_text() == "old complete\n"
    with pytest.raises(RuntimeError), atomic_path(target) as part:
        part.write_text("partial")
        raise RuntimeError("stopped")
    assert target.read_text() == "old complete\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_parquet_through_atomic_path(tmp_path: Path, open_umask: None) -> None:
    target = tmp_path / "accepted.parquet"
    with atomic_path(target) as part:
        pd.DataFrame({"a": [1, 2]}).to_parquet(part)
    assert mode(target) == 0o600 and pd.read_parquet(target)["a"].tolist() == [1, 2]


def test_create_if_absent_keeps_the_first_whole_file(tmp_path: Path, open_umask: None) -> None:
    """``replace=False`` (a new database, the audit key): the first whole file wins and is never replaced;
    the target is never seen empty, and a failed attempt leaves nothing."""
    target = tmp_path / "made" / "record.sqlite"
    with atomic_path(target, replace=False) as part:
        assert not target.exists()  # not in place while it is being made
        part.write_text("first, whole")
    with atomic_path(target, replace=False) as part:
        part.write_text("second")
    assert target.read_text() == "first, whole" and mode(target) == 0o600 and mode(target.parent) == 0o700
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "made" / "other", replace=False) as part:
        raise RuntimeError("stopped")
    assert [p.name for p in target.parent.iterdir()] == ["record.sqlite"]  # no part, no empty "other"


def test_stale_parts_are_cleaned_but_fresh_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "q.csv"
    old_part, fresh_part = tmp_path / ".q.csv.aaaa.part", tmp_path / ".q.csv.bbbb.part"
    old_part.write_text("left by a killed run")
    fresh_part.write_text("another run, writing now")
    os.utime(old_part, (0, 0))
    write_text(target, "done")
    assert not old_part.exists() and fresh_part.exists()


def test_atomic_files_rename_reports_last_and_never_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, report = tmp_path / "q.csv", tmp_path / "r.json"
    data.write_text("old data")
    report.write_text("old report")
    # Added in the "wrong" order: the report is still renamed last.
    with AtomicFiles(replaces_last=[report]) as out:
        out.text(report, "new report")
        out.text(data, "new data")
    assert (data.read_text(), report.read_text()) == ("new data", "new report")

    # Die after the first rename: the report must not be the old one beside the new data.
    commits = []
    real = files._commit

    def dying(part: Path, target: Path) -> None:
        if commits:
            raise KeyboardInterrupt
        commits.append(target)
        real(part, target)

    monkeypatch.setattr(files, "_commit", dying)
    with pytest.raises(KeyboardInterrupt), AtomicFiles(replaces_last=[report]) as out:
        out.text(data, "newer data")
        out.text(report, "newer report")
    assert commits == [data] and data.read_text() == "newer data" and not report.exists()

    # An exception while preparing: nothing changes at all.
    monkeypatch.setattr(files, "_commit", real)
    with pytest.raises(ValueError), AtomicFiles(replaces_last=[report]) as out:
        out.text(data, "never")
        raise ValueError
    assert data.read_text() == "newer data" and sorted(p.name for p in tmp_path.iterdir()) == ["q.csv"]


# -- spreadsheet formulas ------------------------------------------------------------------------------

# Expected values written by hand from the OWASP CSV-injection rule and our documented exceptions.
CASES = [
    ('=HYPERLINK("http://x.example","click")', '\'=HYPERLINK("http://x.example","click")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("-2+3", "'-2+3"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-", "'-"),
    ("+64 21 555 0199", "'+64 21 555 0199"),
    ("'already quoted", "''already quoted"),
    ("-2", "-2"),
    ("+3.5", "+3.5"),
    ("-0.25", "-0.25"),
    ("-1e5", "-1e5"),
    ("whānau = family", "whānau = family"),
    ("", ""),
    ("2025-01-13", "2025-01-13"),
]


@pytest.mark.parametrize(("value", "written"), CASES)
def test_escape_cell(value: str, written: str) -> None:
    assert escape_cell(value) == written
    assert unescape_cell(written) == value


def test_vectorised_escape_matches_the_cell_rule() -> None:
    values = pa.array([v for v, _ in CASES] + [None], pa.large_string())
    assert escape_formulas(values).to_pylist() == [w for _, w in CASES] + [None]


@given(st.text(alphabet=st.sampled_from("=+-@'\t\r\n,\"1.e aā"), max_size=12))
def test_escaping_is_reversible_and_safe(value: str) -> None:
    written = escape_cell(value)
    assert unescape_cell(written) == value
    assert escape_formulas(pa.array([value], pa.large_string())).to_pylist() == [written]
    if written[:1] in ("=", "+", "-", "@", "\t", "\r"):  # only a plain number may start so
        float(written)


def _dangerous(cell: str) -> bool:
    """Independent check: a spreadsheet would read this cell as a formula (numbers are not formulas)."""
    if not cell or cell[0] not in "=+-@\t\r":
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return cell.strip() != cell


def test_write_csv_round_trip(tmp_path: Path, open_umask: None) -> None:
    frame = pd.DataFrame({
        "text": pd.array([v for v, _ in CASES], dtype="string[pyarrow]"),
        "number": pd.array([-(i % 3) for i in range(len(CASES))], dtype="Int64"),
        "when": pd.to_datetime(["2025-01-13"] * len(CASES)),
    })
    frame.loc[3, "number"] = pd.NA
    frame.index = pd.Index(range(1, len(CASES) + 1), name="row")
    path = write_csv(tmp_path / "out.csv", frame, index=True)
    assert mode(path) == 0o600
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["row", "text", "number", "when"]
    assert not [cell for row in rows for cell in row if _dangerous(cell)]
    assert [unescape_cell(r[1]) for r in rows[1:]] == [v for v, _ in CASES]
    assert [r[2] for r in rows[1:]] == ["" if pd.isna(n) else str(n) for n in frame["number"]]
    assert {r[3] for r in rows[1:]} == {"2025-01-13"}
    assert [int(r[0]) for r in rows[1:]] == list(frame.index)


def test_header_names_are_escaped_too() -> None:
    out = io.BytesIO()
    write_csv_to(out, pd.DataFrame({"=cmd": ["a"], "ok": ["-5"]}))
    assert out.getvalue().decode() == "'=cmd,ok\na,-5\n"
