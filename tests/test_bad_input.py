"""Bad input: each gets a clear message or a correct result, never a traceback, never fewer rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dpup_eval import DataFileError, load
from dpup_eval.agreement.contract import default_contract_dir

CONTRACTS = default_contract_dir()


@pytest.fixture(scope="module")
def good_lines(demo_dir: Path) -> list[str]:
    return (demo_dir / "evaluation.csv").read_text(encoding="utf-8").splitlines()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="is empty"):
        load(_write(tmp_path, "empty.csv", b""), CONTRACTS, "evaluation")
    with pytest.raises(DataFileError, match="is empty"):
        load(_write(tmp_path, "blank.csv", b"\n\n  \n"), CONTRACTS, "evaluation")


def test_header_only(tmp_path: Path, good_lines: list[str]) -> None:
    report = load(_write(tmp_path, "h.csv", (good_lines[0] + "\n").encode()), CONTRACTS, "evaluation").report
    assert report.rows_read == 0 and not report.accepted
    assert [p.code for p in report.problems] == ["no-rows"]


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_give_the_correct_result(tmp_path: Path, demo_dir: Path, delimiter: str) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "semi.csv"
    frame.to_csv(path, sep=delimiter, index=False)
    report = load(path, CONTRACTS, "evaluation").report
    assert report.accepted and report.rows_accepted == len(frame)
    assert any("delimiter" in note for note in report.notes)


def test_latin1_bytes(tmp_path: Path, good_lines: list[str]) -> None:
    text = "\n".join(good_lines[:10]).replace("whānau", "whanau") + "\n"
    lines = text.encode("utf-8").split(b"\n")
    lines[6] = lines[6].replace(b"Auckland", "Aucklànd".encode("latin-1"), 1) if b"Auckland" in lines[6] \
        else lines[6] + "é".encode("latin-1")
    # The line is quarantined with its number and reason; the other lines are read.
    result = load(_write(tmp_path, "latin1.csv", b"\n".join(lines)), CONTRACTS, "evaluation")
    [bad] = [p for p in result.report.problems if p.code == "invalid-encoding"]
    assert bad.rows == [6] and "not UTF-8" in bad.message  # line 7 of the file is data line 6
    assert result.report.rows_read == 9
    # A header that is not UTF-8 still stops the check: nothing can be matched to the agreement.
    with pytest.raises(DataFileError, match="not UTF-8 .*line 1"):
        load(_write(tmp_path, "latin1h.csv", "é,".encode("latin-1") + b"\n".join(lines)), CONTRACTS, "evaluation")


def test_bom_is_accepted(tmp_path: Path, good_lines: list[str]) -> None:
    data = b"\xef\xbb\xbf" + ("\n".join(good_lines) + "\n").encode("utf-8")
    report = load(_write(tmp_path, "bom.csv", data), CONTRACTS, "evaluation").report
    assert report.accepted and report.rows_accepted == len(good_lines) - 1
    assert "participant_ref" in report.columns


def test_binary_file(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    with pytest.raises(DataFileError, match="binary"):
        load(_write(tmp_path, "data.csv", data), CONTRACTS, "evaluation")


def test_duplicated_headers_reject_the_dataset(tmp_path: Path, good_lines: list[str]) -> None:
    lines = [line + ",x" for line in good_lines[:20]]
    lines[0] = good_lines[0] + ",region"
    report = load(_write(tmp_path, "dup.csv", ("\n".join(lines) + "\n").encode()), CONTRACTS, "evaluation").report
    assert not report.accepted
    [dup] = [p for p in report.problems if p.code == "duplicate-column"]
    assert dup.column == "region" and dup.level == "dataset"
    assert report.rows_read == 19 == report.rows_quarantined


def test_missing_required_column(tmp_path: Path, demo_dir: Path) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False).drop(columns=["region"])
    frame.to_csv(tmp_path / "m.csv", index=False)
    report = load(tmp_path / "m.csv", CONTRACTS, "evaluation").report
    assert ("missing-column", "region") in [(p.code, p.column) for p in report.problems]
    assert not report.accepted and report.rows_quarantined == report.rows_read == len(frame)


def test_excel_with_several_sheets(tmp_path: Path, demo_dir: Path) -> None:
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    typed = pd.read_csv(demo_dir / "evaluation.csv", parse_dates=["enrolment_date", "exit_date"])
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["made-up data"]}).to_excel(writer, sheet_name="About", index=False)
        typed.to_excel(writer, sheet_name="Quarter data", index=False)
        frame.head(5).to_excel(writer, sheet_name="Old copy", index=False)
    # Two sheets have the contract's columns: the user must say which.
    with pytest.raises(DataFileError, match="3 sheets .*--sheet"):
        load(path, CONTRACTS, "evaluation")
    report = load(path, CONTRACTS, "evaluation", sheet="Quarter data").report
    assert report.accepted and report.rows_accepted == len(frame) and report.source_format == "excel"
    with pytest.raises(DataFileError, match="no sheet 'Nope'"):
        load(path, CONTRACTS, "evaluation", sheet="Nope")


def test_excel_single_matching_sheet_is_chosen(tmp_path: Path, demo_dir: Path) -> None:
    typed = pd.read_csv(demo_dir / "evaluation.csv")
    path = tmp_path / "two.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["made-up data"]}).to_excel(writer, sheet_name="About", index=False)
        typed.to_excel(writer, sheet_name="Data", index=False)
    result = load(path, CONTRACTS, "evaluation")
    assert result.report.accepted and len(result.data) == len(typed)
    assert any("sheet 'Data'" in n for n in result.report.notes)


def test_parquet(tmp_path: Path, demo_dir: Path) -> None:
    typed = pd.read_csv(demo_dir / "evaluation.csv", parse_dates=["enrolment_date", "exit_date"])
    typed.to_parquet(tmp_path / "e.parquet")
    result = load(tmp_path / "e.parquet", CONTRACTS, "evaluation")
    assert result.report.accepted, result.report.to_summary()
    assert result.report.rows_accepted == len(typed)
    pd.testing.assert_series_equal(result.data["sessions_attended"].reset_index(drop=True),
                                   typed["sessions_attended"].astype("Int64"), check_names=False)


def test_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="no such file"):
        load(tmp_path / "absent.csv", CONTRACTS, "evaluation")
    with pytest.raises(DataFileError, match="folder"):
        load(tmp_path, CONTRACTS, "evaluation")


@pytest.mark.slow
def test_a_million_rows(tmp_path: Path, demo_dir: Path) -> None:
    """A 1,000,000-row file loads completely: nothing silently dropped."""
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    reps = -(-1_000_000 // len(frame))
    big = pd.concat([frame] * reps, ignore_index=True).head(1_000_000)
    big["participant_ref"] = [f"P-{i:08X}" for i in range(len(big))]
    big.loc[123_456, "sessions_attended"] = "many"
    big.to_csv(tmp_path / "big.csv", index=False)
    result = load(tmp_path / "big.csv", CONTRACTS, "evaluation")
    report = result.report
    assert report.rows_read == 1_000_000
    assert report.rows_accepted + report.rows_quarantined == 1_000_000
    assert list(result.quarantine.index) == [123_457]
    assert np.array_equal(result.data.index[:3], [1, 2, 3])


def test_line_breaks_inside_quoted_values(tmp_path: Path, demo_dir: Path) -> None:
    """A spreadsheet's line break inside a quoted cell is part of the value, not a broken line."""
    frame = pd.read_csv(demo_dir / "evaluation.csv", dtype=str, keep_default_na=False)
    frame.loc[4, "feedback"] = "We loved it.\nThe tamariki did too.\nKa pai."
    frame.loc[9, "sessions_attended"] = "99"  # a row problem after the multi-line value
    frame.to_csv(tmp_path / "multi.csv", index=False)
    result = load(tmp_path / "multi.csv", CONTRACTS, "evaluation")
    report = result.report
    assert report.rows_read == len(frame) and not [p for p in report.problems if p.code == "malformed-line"]
    assert result.data.loc[5, "feedback"] == "We loved it.\nThe tamariki did too.\nKa pai."
    # Row 10 starts on data line 12: the value in row 5 took two extra lines.
    assert list(result.quarantine.index) == [12]
    assert any("line breaks" in note for note in report.notes)
