"""Every line of every file the reader accepts is accounted for: the issue's bad files, then a fuzz test.

Line counts are taken independently of the reader: `bytes.splitlines()` (universal newlines: "\\n",
"\\r\\n" and a lone "\\r") on the bytes after the header line.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from dpup_eval import DataFileError, load
from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.cli import main
from dpup_eval.intake.reading import read_table

CONTRACTS = default_contract_dir()


@pytest.fixture(scope="module")
def lines(demo_dir: Path) -> list[str]:
    return (demo_dir / "evaluation.csv").read_text(encoding="utf-8").splitlines()


def data_lines(data: bytes) -> int:
    """Physical lines after the header, counted without any CSV parser."""
    return len(data.splitlines()[1:])


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def accounted(result, data: bytes | None = None) -> None:
    """Rows read = accepted + quarantined; rows + blank + continuation lines = physical lines."""
    report = result.report
    assert report.rows_read == report.rows_accepted + report.rows_quarantined
    assert len(result.data) + len(result.quarantine) == report.rows_read
    numbers = [*result.data.index, *result.quarantine.index]
    assert len(set(numbers)) == len(numbers)
    if data is not None:
        assert report.lines_read == data_lines(data)
        assert all(1 <= n <= report.lines_read for n in numbers)


def with_feedback(lines: list[str], row: int, text: str) -> None:
    """Set the last field (feedback) of data line `row` to raw `text` (as written in the file)."""
    fields = lines[row].split(",")
    lines[row] = ",".join([*fields[:-1], text])


# -- the issue's files ----------------------------------------------------------------------------------

def test_unclosed_quote_no_longer_swallows_people(tmp_path: Path, lines: list[str]) -> None:
    """Before: 1,039 rows read of 1,046 and every later row number off by 7."""
    edited = list(lines)
    with_feedback(edited, 10, '"We loved the sessions')  # opened, never closed
    with_feedback(edited, 18, 'She said "ka pai" to us')  # a quote inside a plain value, 8 lines later
    fields = edited[30].split(",")
    fields[11] = "many"  # sessions_attended: a row problem further down, at data line 30
    edited[30] = ",".join(fields)
    data = ("\n".join(edited) + "\n").encode()
    result = load(write(tmp_path, "unclosed.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    assert result.report.rows_read == 1046 == len(lines) - 1
    [quotes] = [p for p in result.report.problems if p.code == "bad-quotes"]
    assert quotes.rows == [10] and "not closed" in quotes.message
    assert sorted(result.quarantine.index) == [10, 30]  # row numbers after the bad line are not shifted
    assert result.data.loc[18, "feedback"] == 'She said "ka pai" to us'


def test_several_malformed_lines(tmp_path: Path, lines: list[str]) -> None:
    """Before: a traceback (exit 1) as soon as two lines had the wrong number of fields."""
    edited = list(lines)
    edited[5] += ",extra"
    edited[20] += ",x,y"
    edited[21] = edited[21].rsplit(",", 2)[0]
    data = ("\n".join(edited) + "\n").encode()
    result = load(write(tmp_path, "bad.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    found = {(p.code, tuple(p.rows), p.message) for p in result.report.problems if p.code == "malformed-line"}
    assert found == {("malformed-line", (5,), "expected 19 fields, found 20"),
                     ("malformed-line", (20,), "expected 19 fields, found 21"),
                     ("malformed-line", (21,), "expected 19 fields, found 17")}


@pytest.mark.parametrize("ending", ["\r", "\r\n", "mixed"])
def test_line_endings(tmp_path: Path, lines: list[str], ending: str) -> None:
    """Before: CR-only files gave a traceback."""
    if ending == "mixed":
        text = "".join(line + ("\r", "\n", "\r\n")[i % 3] for i, line in enumerate(lines))
    else:
        text = ending.join(lines) + ending
    data = text.encode()
    result = load(write(tmp_path, "endings.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    assert result.report.accepted and result.report.rows_accepted == len(lines) - 1


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_with_bom_is_read(tmp_path: Path, lines: list[str], codec: str) -> None:
    """Before: a UTF-16 CSV was called "binary"."""
    text = "\r\n".join(lines) + "\r\n"
    data = (b"\xfe\xff" + text.encode("utf-16-be")) if codec == "utf-16-be" else text.encode("utf-16")
    result = load(write(tmp_path, "u16.csv", data), CONTRACTS, "evaluation")
    assert result.report.accepted and result.report.rows_accepted == len(lines) - 1
    assert any("UTF-16" in note for note in result.report.notes)
    plain = load(write(tmp_path, "u8.csv", text.encode()), CONTRACTS, "evaluation")
    pd.testing.assert_frame_equal(result.data, plain.data)


def test_utf16_without_bom_is_named(tmp_path: Path, lines: list[str]) -> None:
    with pytest.raises(DataFileError, match="UTF-16 text without a byte-order mark"):
        load(write(tmp_path, "u16.csv", "\n".join(lines).encode("utf-16-le")), CONTRACTS, "evaluation")


@pytest.mark.parametrize("where", [3, 1000])
def test_nul_byte_is_quarantined_wherever_it_is(tmp_path: Path, lines: list[str], where: int) -> None:
    """Before: refused as "binary" in the first 64 KiB, accepted silently after it."""
    edited = list(lines)
    with_feedback(edited, where, "ka\x00pai")
    data = ("\n".join(edited) + "\n").encode()
    result = load(write(tmp_path, "nul.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    [nul] = [p for p in result.report.problems if p.code == "nul-byte"]
    assert nul.rows == [where] and list(result.quarantine.index) == [where]


def test_bytes_that_are_not_utf8_quarantine_their_line(tmp_path: Path, lines: list[str]) -> None:
    edited = [line.encode() for line in lines]
    edited[7] = edited[7].replace(b"Auckland", "Aucklànd".encode("latin-1"))
    edited[8] = edited[8] + "é".encode("latin-1")
    data = b"\n".join(edited) + b"\n"
    result = load(write(tmp_path, "latin1.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    [bad] = [p for p in result.report.problems if p.code == "invalid-encoding"]
    changed = [i for i in (7, 8) if b"\xe0" in edited[i] or b"\xe9" in edited[i]]
    assert bad.rows == changed and "not UTF-8" in bad.message and "CSV UTF-8" in bad.message


@pytest.mark.parametrize("megabytes", [20, pytest.param(200, marks=pytest.mark.slow)])
def test_a_huge_line_gets_our_message(tmp_path: Path, lines: list[str], megabytes: int) -> None:
    """Before: an Arrow-internal message about block sizes."""
    path = tmp_path / "huge.csv"
    with path.open("wb") as out:
        out.write(("\n".join(lines[:6]) + "\n").encode())
        fields = lines[6].split(",")
        out.write(",".join(fields[:-1]).encode() + b',"')
        chunk = b"x" * (1 << 20)
        for _ in range(megabytes):
            out.write(chunk)
        out.write(b'"\n')
        out.write(("\n".join(lines[7:12]) + "\n").encode())
    result = load(path, CONTRACTS, "evaluation")
    [long] = [p for p in result.report.problems if p.code == "line-too-long"]
    assert long.rows == [6] and "MiB a row may hold" in long.message
    assert result.report.rows_read == 11 == result.report.lines_read
    assert sorted([*result.data.index, *result.quarantine.index]) == list(range(1, 12))
    assert result.quarantine.loc[6, "reasons"].startswith("line-too-long")


def test_zero_rows_accepted_is_never_accepted(tmp_path: Path, lines: list[str]) -> None:
    """Before: "ACCEPTED" when every line was quarantined."""
    data = ("\n".join([lines[0]] + [line + ",extra" for line in lines[1:6]]) + "\n").encode()
    result = load(write(tmp_path, "none.csv", data), CONTRACTS, "evaluation")
    accounted(result, data)
    report = result.report
    assert report.rows_accepted == 0 and not report.accepted and report.status == "rejected"
    assert "ACCEPTED" not in report.to_summary() and "no-rows-accepted" in report.codes()
    assert report.exit_code == 1


def test_parquet_columns_the_contract_cannot_hold(tmp_path: Path, demo_dir: Path) -> None:
    """Before: a traceback for binary and list columns."""
    typed = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    table = pa.Table.from_pandas(typed, preserve_index=False)
    region = table.column("region")
    table = table.set_column(table.schema.get_field_index("region"), "region", pc_binary(region))
    table = table.set_column(table.schema.get_field_index("feedback"), "feedback",
                             pa.array([[1, 2]] * table.num_rows, pa.list_(pa.int64())))
    table = table.append_column("photo", pa.array([b"\xff\xd8\xff"] * table.num_rows, pa.binary()))
    path = tmp_path / "odd.parquet"
    pq.write_table(table, path)
    result = load(path, CONTRACTS, "evaluation")
    report = result.report
    unsupported = {p.column: p.message for p in report.problems if p.code == "unsupported-type"}
    assert set(unsupported) == {"feedback", "photo"}
    assert "lists" in unsupported["feedback"] and "bytes that are not text" in unsupported["photo"]
    assert "missing-column" not in report.codes()
    assert not report.accepted and report.rows_read == len(typed) == report.rows_quarantined
    # The binary column that holds text was read as text: no problem named for it.
    assert not [p for p in report.problems if p.column == "region" and p.level == "dataset"]


def pc_binary(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return column.cast(pa.binary())


def test_excel_row_of_unsaved_formulas_is_not_skipped(tmp_path: Path, demo_dir: Path) -> None:
    """Before: a row made only of formulas (never calculated) looked blank and was skipped silently."""
    import openpyxl

    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False).head(12)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if i == 4:
            sheet.append([f"=A{i + 1}" for _ in row])  # a whole row of formulas, no saved results
        elif i == 7:
            sheet.append([*row[:11], "=K8-1", *row[12:]])  # one formula among values
        else:
            sheet.append(list(row))
    sheet.append([None] * len(frame.columns))  # trailing blank rows are not rows
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    result = load(path, CONTRACTS, "evaluation")
    report = result.report
    unsaved = {p.rows[0]: p.message for p in report.problems if p.code == "formula-without-value"}
    assert sorted(unsaved) == [4, 7] and unsaved[7].startswith("sessions_attended: formula")
    assert unsaved[4].startswith("participant_ref, family_ref, participant_type")
    assert report.rows_read == 12 == report.lines_read
    reasons = result.quarantine["reasons"]
    assert sorted(reasons.index[reasons.str.startswith("formula-without-value")]) == [4, 7]


# -- through the real entry point -----------------------------------------------------------------------

def run_main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_issue_files_through_check(tmp_path: Path, lines: list[str]) -> None:
    files = {
        "cr.csv": ("\r".join(lines) + "\r").encode(),
        "two-bad.csv": ("\n".join([lines[0], lines[1] + ",x", lines[2], lines[3] + ",y,z"]) + "\n").encode(),
        "utf16.csv": ("\n".join(lines[:5]) + "\n").encode("utf-16"),
    }
    for name, data in files.items():
        report_path = tmp_path / f"{name}.json"
        code, out, err = run_main("check", str(write(tmp_path, name, data)), "--purpose", "evaluation",
                                  "--programme", str(CONTRACTS), "--json", str(report_path))
        assert "Traceback" not in err and code in (0, 1), (name, err)
        report = json.loads(report_path.read_text())
        assert report["lines_read"] == data_lines(data.decode("utf-16").encode() if "16" in name else data)
        assert report["rows_read"] == report["rows_accepted"] + report["rows_quarantined"]


# -- fuzz -----------------------------------------------------------------------------------------------

SERVICE_HEADER = ("family_ref,quarter,region,household_type,referral_source,parents_enrolled,children_enrolled,"
                  "sessions_offered,sessions_attended,status")
GOOD = ["S-1F2AE5F3,2025-Q1,Auckland,two_parents,school,2,1,5,3,active",
        "S-209E8CB3,2025-Q1,Waikato,one_parent,social_service,1,1,7,7,active"]
PIECES = st.sampled_from(['"', '""', ",", ";", "\t", "\x00", "\n", "\r", "\r\n", "=1+2", "-3", "whānau", " ", "x",
                          "\ufeff", "\u2028", "\x0b"])


@st.composite
def csv_bytes(draw) -> bytes:
    """A service-reporting CSV with some good rows and every kind of damage, in some encoding."""
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["good", "good", "pieces", "quoted", "fields", "blank", "bytes"]))
        row = draw(st.sampled_from(GOOD))
        fields = row.split(",")
        if kind == "pieces":
            at = draw(st.integers(0, len(row)))
            row = row[:at] + "".join(draw(st.lists(PIECES, min_size=1, max_size=4))) + row[at:]
        elif kind == "quoted":
            i = draw(st.integers(0, len(fields) - 1))
            inner = draw(st.text(st.sampled_from('ab,"\n\r '), max_size=6)).replace('"', '""')
            fields[i] = f'"{fields[i]}{inner}"'
            row = ",".join(fields)
        elif kind == "fields":
            row = ",".join(fields + ["x"] * draw(st.integers(1, 2))) if draw(st.booleans()) else ",".join(fields[:-1])
        elif kind == "blank":
            row = draw(st.sampled_from(["", " ", ",,,,,,,,,"]))
        rows.append(row.encode("utf-8") + (b"\xe9\xff" if kind == "bytes" else b""))
    ending = draw(st.sampled_from([b"\n", b"\r\n", b"\r"]))
    body = ending.join([SERVICE_HEADER.encode(), *rows]) + (ending if draw(st.booleans()) else b"")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    if encoding == "utf-8-sig":
        return b"\xef\xbb\xbf" + body
    if encoding == "utf-16":
        try:
            return body.decode("utf-8").encode("utf-16")
        except UnicodeDecodeError:
            return body
    return body


def expected_lines(data: bytes) -> list[bytes]:
    """The data lines, independently: decode UTF-16 if it has a BOM, drop a UTF-8 BOM, split universally."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16").encode("utf-8", errors="surrogatepass")
    return data.removeprefix(b"\xef\xbb\xbf").splitlines()[1:]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(csv_bytes())
def test_fuzz_reader_accounts_for_every_line(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_bytes(data)
    raw = read_table(path, expected=SERVICE_HEADER.split(","))
    lines = expected_lines(data)
    numbers = sorted([*raw.row_numbers.tolist(), *[m.row for m in raw.malformed]])
    assert raw.lines_read == len(lines)
    assert len(numbers) == raw.rows_read == len(set(numbers))
    spans = sum(m.lines - 1 for m in raw.malformed)
    continuation = raw.lines_read - raw.rows_read - len(raw.blank_lines)
    assert continuation >= spans >= 0
    assert set(numbers).isdisjoint(raw.blank_lines)
    assert all(lines[n - 1] == b"" for n in raw.blank_lines)
    if b'"' not in b"\n".join(lines):
        # Without quotes, each line's fate is known independently: blank, a row split at commas, or bad.
        assert continuation == 0
        expect_rows, expect_bad = [], []
        for n, line in enumerate(lines, start=1):
            if line == b"":
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                expect_bad.append(n)
                continue
            if "\x00" in text or len(text.split(",")) != 10:
                expect_bad.append(n)
            else:
                expect_rows.append((n, [v.strip() or None for v in text.split(",")]))
        assert [m.row for m in raw.malformed] == expect_bad
        assert raw.row_numbers.tolist() == [n for n, _ in expect_rows]
        got = raw.frame.astype(object).where(raw.frame.notna(), None).values.tolist()
        assert got == [values for _, values in expect_rows]


@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large], deadline=None)
@given(csv_bytes())
def test_fuzz_check_command(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzzcli")
    path = folder / "f.csv"
    path.write_bytes(data)
    code, out, err = run_main("check", str(path), "--purpose", "service_reporting", "--json",
                              str(folder / "r.json"), "--quarantine", str(folder / "q.csv"))
    assert "Traceback" not in err + out
    assert code in (0, 1, 2)
    if code == 2:
        assert err.strip().splitlines()[-1].startswith("Error: ") and "did not expect" not in err  # an Error: line about the file, not a bug
        return
    report = json.loads((folder / "r.json").read_text())
    assert report["lines_read"] == len(expected_lines(data))
    assert report["rows_read"] == report["rows_accepted"] + report["rows_quarantined"]
    assert (code == 0) == (report["accepted"] and report["rows_quarantined"] == 0)
    assert ("ACCEPTED" in out) == (report["rows_accepted"] > 0 and report["accepted"])
    quarantined = pd.read_csv(folder / "q.csv", dtype=str)
    assert len(quarantined) == report["rows_quarantined"]


def test_scan_chunks_do_not_change_the_result(tmp_path: Path, lines: list[str], monkeypatch) -> None:
    """Lines cut across the scanner's chunks (and a "\\r\\n" split in two) are found the same."""
    from dpup_eval.intake import csv_lines

    edited = list(lines[:200])
    with_feedback(edited, 50, '"two\nlines"')
    data = "\r\n".join(edited).encode() + b"\r\n"
    path = write(tmp_path, "chunks.csv", data)
    whole = read_table(path)
    for size in (7, 64, 1000, 4097):
        monkeypatch.setattr(csv_lines, "SCAN_CHUNK", size)
        small = read_table(path)
        assert np.array_equal(small.row_numbers, whole.row_numbers) and small.lines_read == whole.lines_read
        pd.testing.assert_frame_equal(small.frame, whole.frame)


def _python_rows(text: str) -> list[list[str]] | None:
    """Python's csv module, strict, on the data lines: the independent reference."""
    import csv

    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error:
        return None


def _python_first_row(text: str) -> list[str] | None:
    """The first row Python's strict csv reads from ``text``; None if that row itself is bad (or there is none).

    A csv reader is an iterator: it hands out each row once the row is complete, and strict mode raises
    ``csv.Error`` at the bad input it meets (Python docs, csv: reader objects, ``Dialect.strict``). Bad
    input in a later row does not undo a row already read, so the rows before it are still Python's reading.
    """
    import csv

    try:
        return next(csv.reader(io.StringIO(text, newline=""), strict=True), None)
    except csv.Error:
        return None


def test_a_row_before_an_unclosed_quote_is_read_as_pythons_csv_reads_it(tmp_path: Path) -> None:
    """Found by the property below (width 3). Lines 1-2 are one RFC 4180 record whose first value holds a
    line break and a doubled quote; line 3 opens a quote that is never closed. Worked by hand (RFC 4180
    section 2, rules 5-7): the record is ['<line break>"', '', '']; trimmed as every value is, ['"', None,
    None]. Python's strict csv reads the same first row, then raises on line 3 only."""
    body = '"\n""",,\n"'
    raw = read_table(write(tmp_path, "q.csv", f"c0,c1,c2\n{body}\n".encode()))
    assert raw.lines_read == 3
    assert raw.row_numbers.tolist() == [1]
    assert raw.frame.astype(object).where(raw.frame.notna(), None).values.tolist() == [['"', None, None]]
    assert [(m.row, m.code, m.lines) for m in raw.malformed] == [(3, "bad-quotes", 1)]
    assert "not closed" in raw.malformed[0].detail
    assert raw.blank_lines == []
    assert _python_first_row(body + "\n") == ['\n"', "", ""] and _python_rows(body + "\n") is None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(st.sampled_from('ab,"\n '), min_size=1, max_size=16), st.integers(1, 4))
@example(body='"\n""",,\n"', width=3)  # a good two-line row, then an unclosed quote (test above)
def test_quoted_lines_agree_with_pythons_csv(tmp_path_factory: pytest.TempPathFactory, body: str, width: int) -> None:
    """What becomes a row is exactly what Python's strict csv reads as a row of the header's width.

    For a single line that is the whole story; for a line whose quote stays open, the row joined with
    the next lines must be the first row Python's csv reads from that line on (whatever comes after that
    row), or the first line is quarantined.
    """
    header = ",".join(f"c{i}" for i in range(width))
    path = tmp_path_factory.mktemp("q") / "q.csv"
    path.write_bytes(f"{header}\n{body}\n".encode())
    raw = read_table(path)
    expected = _python_rows(body + "\n")
    lines = body.split("\n")
    assert raw.lines_read == len(lines)
    rows = raw.frame.astype(object).where(raw.frame.notna(), None).values.tolist()
    if expected is not None and len(expected) == 1 and len(expected[0]) == width:
        # Python reads one row of the right width from all the lines: so must we.
        assert raw.row_numbers.tolist() == [1] and not raw.malformed
        assert rows == [[v.strip() or None for v in expected[0]]]
    for number, row in zip(raw.row_numbers.tolist(), rows, strict=True):
        # Every row we produce is Python's reading of the lines it came from.
        alone = _python_rows(lines[number - 1] + "\n")
        first = _python_first_row("\n".join(lines[number - 1:]) + "\n")
        candidates = [r[0] for r in (alone,) if r] + ([first] if first is not None else [])
        assert any(r and [v.strip() or None for v in r] == row for r in candidates)


def test_a_row_over_lines_with_the_wrong_width_is_quarantined_whole(tmp_path: Path) -> None:
    """Lines 1-2 are one well-formed record (RFC 4180: the quote opened on line 1 closes on line 2) of 2
    fields where the header has 3. Before: line 1 was quarantined as "quote not closed" (it is closed) and
    line 2, text inside the quoted value, became a row ['a', 'b"', 'c'] that nobody wrote."""
    raw = read_table(write(tmp_path, "w.csv", b'c0,c1,c2\n"x\na,b",c\nd,e,f\n'))
    assert raw.lines_read == 3
    assert raw.row_numbers.tolist() == [3]
    assert raw.frame.astype(object).values.tolist() == [["d", "e", "f"]]
    assert [(m.row, m.code, m.detail, m.lines) for m in raw.malformed] == [
        (1, "malformed-line", "expected 3 fields, found 2", 2)]


def _strict_reader_resuming(lines: list[str], width: int) -> tuple[list[tuple[int, list[str | None]]],
                                                                      list[tuple[int, int]]]:
    """The reference for what the reader should do, built on Python's strict csv and nothing of ours.

    From each line that starts a row: read one record as strict csv reads it from there. A record of the
    header's width is a row (values trimmed, empty = None); another well-formed record is quarantined over
    all its lines; a record strict csv cannot read quarantines its first line, and reading starts again at
    the next line. Blank lines are skipped. Returns (line, values) of rows and (line, lines spanned) of the
    quarantined.
    """
    import csv

    rows: list[tuple[int, list[str | None]]] = []
    bad: list[tuple[int, int]] = []
    k = 0
    while k < len(lines):
        if not lines[k].strip("\r\n"):
            k += 1
            continue
        used = [k]  # the last line the record took

        def from_k(start: int, used: list[int]) -> Iterator[str]:
            for j in range(start, len(lines)):
                used[0] = j
                yield lines[j]

        try:
            record = next(csv.reader(from_k(k, used), strict=True))
        except csv.Error:
            bad.append((k + 1, 1))
            k += 1
            continue
        if len(record) == width:
            rows.append((k + 1, [v.strip() or None for v in record]))
        else:
            bad.append((k + 1, used[0] - k + 1))
        k = used[0] + 1
    return rows, bad


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.sampled_from(["a", "b", ",", '"', '""', "\n", "\r", "\r\n", " "]), min_size=1, max_size=30)
       .map("".join), st.integers(1, 5), st.sampled_from(["\n", "\r\n", "\r"]))
@example(body='"\n""",,\n"', width=3, ending="\n")
@example(body='"x\na,b",c\nd,e,f', width=3, ending="\n")
def test_reading_is_a_strict_reader_that_resumes_at_the_next_line(
        tmp_path_factory: pytest.TempPathFactory, body: str, width: int, ending: str) -> None:
    """Every row, and every quarantined line with the lines it spans, exactly as the reference above."""
    assume(not (ending == "\r" and body.startswith("\n")))  # that "\n" would join the header's line end
    path = tmp_path_factory.mktemp("s") / "s.csv"
    path.write_bytes((",".join(f"c{i}" for i in range(width)) + ending + body + ending).encode())
    raw = read_table(path)
    lines = (body + ending).splitlines(keepends=True)
    rows, bad = _strict_reader_resuming(lines, width)
    assert raw.lines_read == len(lines)
    got = raw.frame.astype(object).where(raw.frame.notna(), None).values.tolist()
    assert list(zip(raw.row_numbers.tolist(), got, strict=True)) == rows
    assert [(m.row, m.lines) for m in raw.malformed] == bad
