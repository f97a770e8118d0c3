"""Identifiers in checked loading: header cells are data too, the quarantine file is redacted, numbers in
numeric columns are numbers. Values here are made up: an NHI from the test range, libphonenumber's
example mobile number."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import phonenumbers
import pytest

from dpup_eval import load
from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.cli.app import main
from dpup_eval.intake.identifiers import safe_label, safe_labels

CONTRACTS = default_contract_dir()
PHONE = phonenumbers.format_number(
    phonenumbers.example_number_for_type("NZ", phonenumbers.PhoneNumberType.MOBILE),
    phonenumbers.PhoneNumberFormat.NATIONAL,
)
NHI = "ZAC5361"  # python-nhi's published example


def rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write(path: Path, table: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def everything_shown(result, capsys: pytest.CaptureFixture[str] | None = None) -> str:
    report = result.report
    return report.to_json() + report.to_html() + report.to_summary() + result.quarantine.to_csv()


def test_safe_labels_replace_identifiers_by_position() -> None:
    labels = ["participant_ref", PHONE, "feedback", NHI, "Tama Parata", "region"]
    assert safe_labels(labels, "column") == [
        "participant_ref", "column 2", "feedback", "column 4", "column 5", "region",
    ]
    assert safe_label("Sheet1", "sheet", 1) == "Sheet1"
    assert safe_label(f"ring {PHONE}", "sheet", 2) == "sheet 2"
    assert safe_labels([], "column") == []


def test_extra_columns_named_with_identifiers_are_shown_by_position(tmp_path: Path, demo_dir: Path) -> None:
    table = rows(demo_dir / "evaluation.csv")
    table[0] += [PHONE, NHI]
    for row in table[1:]:
        row += ["", ""]
    result = load(write(tmp_path / "extra.csv", table), CONTRACTS, "evaluation")
    shown = everything_shown(result)
    assert PHONE not in shown and PHONE.replace(" ", "") not in shown and NHI not in shown
    width = len(table[0])
    codes = {(p.code, p.column) for p in result.report.problems}
    assert ("identifier-phone", f"column {width - 1}") in codes
    assert ("identifier-nhi", f"column {width}") in codes
    assert ("unexpected-column", f"column {width - 1}") in codes
    assert not result.report.accepted


def test_a_file_without_a_header_row(tmp_path: Path, demo_dir: Path) -> None:
    table = rows(demo_dir / "evaluation.csv")
    feedback = table[0].index("feedback")
    record = table[1][:]
    record[feedback] = f"Ring Tama on {PHONE}, NHI {NHI}"
    result = load(write(tmp_path / "no_header.csv", [record, *table[2:]]), CONTRACTS, "evaluation")
    shown = everything_shown(result)
    for value in (PHONE, NHI, "Tama", record[0], record[1]):
        assert value not in shown
    assert f"column {feedback + 1}" in shown
    assert {"identifier-phone", "identifier-nhi", "identifier-name"} <= set(result.report.codes())


def test_quarantine_file_never_holds_a_detected_value(tmp_path: Path, demo_dir: Path) -> None:
    table = rows(demo_dir / "evaluation.csv")
    header = table[0]
    table[2][header.index("region")] = PHONE  # an identifier in a category column
    table[3][header.index("region")] = f"{NHI} Auckland"
    table[4][header.index("feedback")] = f"Text me on {PHONE}"  # free text, in a row held back anyway
    table[4][header.index("sessions_attended")] = "999"
    result = load(write(tmp_path / "leaky.csv", table), CONTRACTS, "evaluation")
    quarantine = result.quarantine.to_csv()
    assert PHONE not in quarantine and NHI not in quarantine
    assert "[phone removed]" in quarantine and "[NHI removed]" in quarantine
    assert set(result.quarantine.index) >= {2, 3, 4}
    assert any("redacted in the quarantine file" in note for note in result.report.notes)
    assert {("identifier-phone", "region"), ("identifier-nhi", "region")} <= {
        (p.code, p.column) for p in result.report.problems
    }
    assert PHONE not in everything_shown(result)


def test_numbers_in_numeric_columns_are_not_phone_numbers(tmp_path: Path, demo_dir: Path) -> None:
    table = rows(demo_dir / "evaluation.csv")
    header = table[0]
    table[2][header.index("sessions_offered")] = "0.93396384"
    table[3][header.index("wellbeing_pre")] = "0211234567"
    result = load(write(tmp_path / "numbers.csv", table), CONTRACTS, "evaluation")
    codes = {p.code for p in result.report.problems}
    assert "identifier-phone" not in codes and "invalid-type" in codes


def test_check_command_prints_no_header_identifier(tmp_path: Path, demo_dir: Path, capsys) -> None:
    table = rows(demo_dir / "evaluation.csv")
    table[0] += [PHONE]
    for row in table[1:]:
        row += [""]
    path = write(tmp_path / "extra.csv", table)
    code = main(["check", str(path), "--purpose", "evaluation", "--json", str(tmp_path / "r.json"),
                 "--html", str(tmp_path / "r.html"), "--quarantine", str(tmp_path / "q.csv"),
                 "--programme", str(default_contract_dir())])
    out = capsys.readouterr()
    assert code == 1
    written = "".join((tmp_path / n).read_text(encoding="utf-8") for n in ("r.json", "r.html", "q.csv"))
    assert PHONE not in out.out + out.err + written
    assert f"column {len(table[0])}" in out.out


def test_sheet_and_column_names_with_identifiers_are_shown_by_position(tmp_path: Path, demo_dir: Path) -> None:
    """Before: the sheet list in a "which sheet?" error, the "read from sheet" note and a formula problem
    quoted sheet and column names as typed, so a sheet named with a phone number was printed."""
    import openpyxl
    import pandas as pd

    from dpup_eval import DataFileError

    table = rows(demo_dir / "evaluation.csv")
    book = openpyxl.Workbook()
    book.active.title = "About"
    book.active.append(["made-up data"])
    for title in (PHONE, f"copy {NHI}"):
        sheet = book.create_sheet(title)
        sheet.append([*table[0], PHONE])
        for row in table[1:]:
            sheet.append([*row, "=1+1"])  # a formula whose result was never saved, under a phone-number header
    book.create_sheet(NHI)  # empty
    path = tmp_path / "book.xlsx"
    book.save(path)

    with pytest.raises(DataFileError) as which:
        load(path, CONTRACTS, "evaluation")
    assert "sheet 2, sheet 3" in str(which.value)
    result = load(path, CONTRACTS, "evaluation", sheet=PHONE)
    assert "read from sheet 'sheet 2'" in result.report.notes
    assert result.report.rows_quarantined == result.report.rows_read == len(table) - 1
    formula = [p for p in result.report.problems if p.code == "formula-without-value"]
    assert formula and formula[0].message.startswith(f"column {len(table[0]) + 1}: formula")
    with pytest.raises(DataFileError) as empty:
        load(path, CONTRACTS, "evaluation", sheet=NHI)
    assert "sheet 'sheet 4' is empty" in str(empty.value)
    shown = [str(which.value), str(empty.value), everything_shown(result)]
    assert not [text for text in shown if PHONE in text or NHI in text or PHONE.replace(" ", "") in text]
    assert pd.read_excel(path, sheet_name=None).keys() == {"About", PHONE, f"copy {NHI}", NHI}  # the names were real
