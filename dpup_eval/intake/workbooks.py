"""Reading Excel workbooks and Parquet files into the same shape as CSV: text columns, every row accounted for.

Why a module of its own: each format has its own ways to lose or garble rows. In Excel, a formula whose
result was never saved (a file written by a program, not by a spreadsheet) reads as an empty cell, so a
row made only of formulas looked blank and was skipped silently; such rows are now quarantined, naming
the columns. In Parquet, a column can hold types the contract cannot hold (lists, structures, bytes that
are not text); such a column is reported as a dataset-level problem instead of a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.codes import FORMULA_WITHOUT_VALUE
from dpup_eval.errors import DataFileError
from dpup_eval.intake.csv_lines import LineProblem
from dpup_eval.intake.reading import TEXT, RawTable, dedupe_names, empty_frame, lines_text

__all__ = ["read_excel", "read_parquet"]

_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula (one cheap pass over the compressed XML)."""
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as stream:
                        tail = b""
                        while chunk := stream.read(1 << 20):
                            if _FORMULA_TAG.search(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    return False


def read_excel(path: Path, sheet: str | None, expected: list[str] | None) -> RawTable:
    import openpyxl

    def open_book(values: bool):  # -> openpyxl Workbook
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=values)
        except Exception as exc:  # openpyxl raises many kinds for damaged files
            raise DataFileError(path, f"could not be opened as an Excel workbook ({type(exc).__name__})") from None

    book = open_book(values=True)
    formulas = None
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise DataFileError(path, f"has no sheet '{sheet}'; sheets: {', '.join(_shown(names))}")
            chosen = sheet
        elif len(names) == 1:
            chosen = names[0]
        else:
            chosen = _pick_sheet(path, book, names, expected)
        rows = book[chosen].iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None or not any(c is not None for c in header_cells):
            label = _shown(names)[names.index(chosen)]
            raise DataFileError(path, f"sheet '{label}' is empty: expected a header row and data rows")
        header = [str(c).strip() if c is not None else "" for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        width = len(header)
        if _has_formulas(path):
            formulas = open_book(values=False)
            formula_rows = formulas[chosen].iter_rows()
            next(formula_rows, None)
        else:
            formula_rows = iter(())
        records, numbers, blank, problems = [], [], [], []
        labels: list[str] = []  # header cells as they may be shown, worked out when first needed
        for number, cells in enumerate(rows, start=1):
            kinds = next(formula_rows, ())
            values = [_cell_text(c) for c in cells[:width]]
            unsaved = [i for i, cell in enumerate(kinds[:width])
                       if getattr(cell, "data_type", None) == "f" and (i >= len(values) or values[i] is None)]
            if unsaved:
                labels = labels or _shown(header, "column")
                columns = ", ".join(labels[i] or f"column {i + 1}" for i in unsaved)
                problems.append(LineProblem(number, FORMULA_WITHOUT_VALUE,
                                            FORMULA_WITHOUT_VALUE.message(columns=columns)))
                continue
            if all(v is None or v == "" for v in values) and all(c is None for c in cells[width:]):
                blank.append(number)  # a blank spreadsheet row is not a record
                continue
            records.append(values + [None] * (width - len(values)))
            numbers.append(number)
    finally:
        book.close()
        if formulas is not None:
            formulas.close()
    last_used = max([numbers[-1] if numbers else 0, problems[-1].row if problems else 0])
    blank = [n for n in blank if n < last_used]  # trailing empty rows are not rows at all
    frame = pd.DataFrame(records, columns=dedupe_names(header), dtype=TEXT) if records else empty_frame(header)
    notes = [f"read from sheet '{_shown(names)[names.index(chosen)]}'"]
    if blank:
        notes.append(f"{len(blank)} blank row(s) skipped: row(s) {lines_text(blank)}")
    return RawTable(frame=frame, row_numbers=np.array(numbers, dtype=np.int64), header=header, malformed=problems,
                    source_format="excel", notes=notes, lines_read=last_used, blank_lines=blank)


def _shown(names: list[str], noun: str = "sheet") -> list[str]:
    """Names typed by people, fit to be shown: one holding an identifier becomes its position ("sheet 2")."""
    from dpup_eval.intake.identifiers import safe_labels

    return safe_labels([str(n) for n in names], noun)


def _pick_sheet(path: Path, book: object, names: list[str], expected: list[str] | None) -> str:
    """With several sheets, the one whose header matches the contract; otherwise ask."""
    if expected:
        matching = []
        for name in names:
            first = next(book[name].iter_rows(values_only=True, max_row=1), ())  # type: ignore[index]
            if set(expected) <= {str(c).strip() for c in first if c is not None}:
                matching.append(name)
        if len(matching) == 1:
            return matching[0]
    raise DataFileError(
        path, f"has {len(names)} sheets ({', '.join(_shown(names))}); say which one to check with --sheet"
    )


def _parquet_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """One Parquet column as text, or `ValueError` naming what the contract cannot hold."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        column = pc.cast(column, kind.value_type)
        kind = column.type
    if pa.types.is_nested(kind):
        raise ValueError(f"holds {'lists' if 'list' in str(kind) else 'nested values'} ({kind})")
    if pa.types.is_floating(kind):
        column = pc.if_else(pc.is_nan(column), None, column)
        # Whole numbers stored as floats (pandas' habit with blanks) read as "3", not "3.0".
        whole = pc.equal(pc.floor(column), column)
        as_int = pc.cast(pc.if_else(whole, column, None), pa.int64(), safe=False)
        return pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
    if pa.types.is_timestamp(kind):
        # Dates saved from pandas arrive as midnight timestamps: write them as dates.
        midnight = pc.all(pc.equal(pc.cast(pc.cast(column, pa.date32()), kind), column)).as_py()
        return pc.strftime(column, format="%Y-%m-%d" if midnight is not False else "%Y-%m-%d %H:%M:%S")
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_fixed_size_binary(kind):
        try:
            return pc.cast(column, pa.string())
        except pa.ArrowInvalid:
            raise ValueError(f"holds bytes that are not text ({kind})") from None
    try:
        return pc.cast(column, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise ValueError(f"holds values of type {kind}, which cannot be read as text") from None


def read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for damaged files
        message = str(exc).split("\n", 1)[0]
        raise DataFileError(path, f"could not be read as Parquet ({message})") from None
    header = list(table.column_names)
    columns, unsupported = {}, {}
    for name, column in zip(dedupe_names(header), table.columns, strict=True):
        try:
            columns[name] = _parquet_text(column)
        except ValueError as exc:
            unsupported[name] = str(exc)
    frame = pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype) if columns else empty_frame([])
    if not columns:
        frame = pd.DataFrame(index=pd.RangeIndex(table.num_rows))
    return RawTable(
        frame=frame,
        row_numbers=np.arange(1, table.num_rows + 1, dtype=np.int64),
        header=header,
        source_format="parquet",
        unsupported=unsupported,
    )
