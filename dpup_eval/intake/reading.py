"""Reading a provider's file into text columns, accounting for every line.

Everything is read as text first (Arrow-backed strings) so that a value which does not parse
becomes a reported problem on its row instead of a silent NaN. CSV goes through pyarrow's
reader; lines with the wrong number of fields are kept aside as malformed rows with their
line numbers, never dropped. Excel and Parquet are turned into the same shape.

Row numbers are 1-based data-line numbers: line 1 is the first line after the header. A line
break inside a quoted value (spreadsheets write them) belongs to the value; such a row is numbered
by the line it starts on.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dpup_eval.errors import DataFileError

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
TEXT = pd.ArrowDtype(pa.string())


@dataclass(frozen=True)
class MalformedRow:
    """A line that could not be split into the header's fields."""

    row: int
    expected_fields: int
    actual_fields: int


@dataclass
class RawTable:
    """A file's content as text columns, with where each row came from."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    header: list[str]
    malformed: list[MalformedRow] = field(default_factory=list)
    source_format: str = "csv"
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.malformed)

    @property
    def duplicate_columns(self) -> list[str]:
        counts = Counter(self.header)
        return [name for name, n in counts.items() if n > 1]


def read_table(path: str | Path, *, sheet: str | None = None, expected: list[str] | None = None) -> RawTable:
    """Read CSV (UTF-8, with or without BOM), Excel or Parquet; `DataFileError` if it cannot be read."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise DataFileError(path, "no such file") from None
    except IsADirectoryError:
        raise DataFileError(path, "is a folder, not a data file") from None
    except OSError as exc:
        raise DataFileError(path, f"cannot be read ({exc.strerror})") from None
    if not head.strip(BOM + b" \r\n\t"):
        raise DataFileError(path, "is empty: expected a header line and data rows")
    if head.startswith(b"PK\x03\x04"):
        table = _read_excel(path, sheet, expected)
    elif head.startswith(b"PAR1"):
        table = _read_parquet(path)
    elif b"\x00" in head:
        raise DataFileError(path, "looks like a binary file, not CSV, Excel (.xlsx) or Parquet")
    else:
        table = _read_csv(path, head, expected)
    table.frame = _normalise_text(table.frame)
    return table


def _dedupe(header: list[str]) -> list[str]:
    """Unique internal names for a header with repeated names (`age`, `age__2`)."""
    seen: Counter[str] = Counter()
    out = []
    for name in header:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name}__{seen[name]}")
    return out


def _sniff_delimiter(header_line: str, expected: list[str] | None) -> str:
    """The delimiter that splits the header into the most expected (or simply the most) names."""

    def score(delim: str) -> tuple[int, int]:
        names = [n.strip() for n in next(csv.reader([header_line], delimiter=delim))]
        known = len(set(names) & set(expected)) if expected else 0
        return known, len(names)

    return max(DELIMITERS, key=score)


def _first_bad_utf8(path: Path) -> tuple[int, int]:
    """(line number, byte) of the first byte that is not UTF-8, read in chunks."""
    line = 1
    with path.open("rb") as handle:
        carry = b""
        while chunk := handle.read(1 << 20):
            data = carry + chunk
            try:
                data.decode("utf-8")
                carry = b""
            except UnicodeDecodeError as exc:
                if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
                    carry = data[exc.start :]
                    line += data[: exc.start].count(b"\n")
                    continue
                return line + data[: exc.start].count(b"\n"), data[exc.start]
            line += data.count(b"\n")
    return line, 0


def _read_csv(path: Path, head: bytes, expected: list[str] | None) -> RawTable:
    has_bom = head.startswith(BOM)
    first_line_bytes = head[len(BOM) if has_bom else 0 :].split(b"\n", 1)[0]
    try:
        header_line = first_line_bytes.decode("utf-8").rstrip("\r")
    except UnicodeDecodeError:
        _raise_encoding(path)
    delimiter = _sniff_delimiter(header_line, expected)
    header = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    if not any(header):
        raise DataFileError(path, "the first line is blank: expected a header line naming the columns")
    names = _dedupe(header)
    malformed: list[tuple[int | None, int, int]] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:
        malformed.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def read(threads: bool, multiline: bool = False) -> pa.Table:
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows=1, use_threads=threads, block_size=16 << 20, encoding="utf8"
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, invalid_row_handler=on_bad_row, newlines_in_values=multiline
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    notes = []
    multiline_rows: np.ndarray | None = None
    try:
        table = read(threads=True)
        if not malformed and _has_line_breaks(table):
            multiline_rows = _start_lines(table)
            notes.append("some values contain line breaks; row numbers are the line where each row starts")
        if malformed:
            # Spreadsheets put line breaks inside quoted cells; if reading them as part of the value
            # makes every line fit, that is the file's real shape.
            malformed.clear()
            table = read(threads=True, multiline=True)
            if not malformed:
                multiline_rows = _start_lines(table)
                notes.append("some values contain line breaks; row numbers are the line where each row starts")
            else:  # line numbers are only known when reading on one thread
                malformed.clear()
                table = read(threads=False)
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            _raise_encoding(path)
        raise DataFileError(path, f"could not be read as CSV ({_plain_arrow(exc)})") from None
    bad = sorted(
        MalformedRow(row=(number or 0) - 1, expected_fields=exp, actual_fields=act)
        for number, exp, act in malformed
    )
    bad_rows = np.array([m.row for m in bad], dtype=np.int64)
    # Data-line number of each good row: its position plus the malformed lines before it.
    positions = np.arange(1, table.num_rows + 1, dtype=np.int64)
    if multiline_rows is not None:
        positions = multiline_rows
    elif len(bad_rows):
        # The k-th good row sits after every malformed row whose number is <= its own final number.
        all_rows = np.arange(1, table.num_rows + len(bad_rows) + 1, dtype=np.int64)
        positions = np.setdiff1d(all_rows, bad_rows, assume_unique=True)
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    if delimiter != ",":
        notes.append(f"read with {'tab' if delimiter == chr(9) else repr(delimiter)} as the delimiter")
    if has_bom:
        notes.append("the file starts with a byte-order mark (BOM); read as UTF-8")
    return RawTable(frame=frame, row_numbers=positions, header=header, malformed=bad, notes=notes)


def _has_line_breaks(table: pa.Table) -> bool:
    return any(pc.any(pc.match_substring(column, "\n")).as_py() for column in table.columns)


def _start_lines(table: pa.Table) -> np.ndarray:
    """Data-line number where each row starts, when values may span several lines."""
    spans = np.ones(table.num_rows, dtype=np.int64)
    for column in table.columns:
        breaks = pc.count_substring(column, "\n").fill_null(0)
        spans += np.asarray(breaks.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.concatenate([[1], 1 + np.cumsum(spans[:-1])]) if len(spans) else spans


def _raise_encoding(path: Path) -> None:
    line, byte = _first_bad_utf8(path)
    raise DataFileError(
        path,
        f"is not UTF-8 text (byte 0x{byte:02X} on line {line}); save it as 'CSV UTF-8' "
        "so that macrons such as in whānau survive",
    )


def _plain_arrow(exc: Exception) -> str:
    return str(exc).split("\n", 1)[0]


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


def _read_excel(path: Path, sheet: str | None, expected: list[str] | None) -> RawTable:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise DataFileError(
            path, f"could not be opened as an Excel workbook ({type(exc).__name__})"
        ) from None
    try:
        names = book.sheetnames
        if sheet is not None:
            if sheet not in names:
                raise DataFileError(path, f"has no sheet '{sheet}'; sheets: {', '.join(names)}")
            chosen = sheet
        elif len(names) == 1:
            chosen = names[0]
        else:
            chosen = _pick_sheet(path, book, names, expected)
        rows = book[chosen].iter_rows(values_only=True)
        header_cells = next(rows, None)
        if header_cells is None or not any(c is not None for c in header_cells):
            raise DataFileError(path, f"sheet '{chosen}' is empty: expected a header row and data rows")
        header = [str(c).strip() if c is not None else "" for c in header_cells]
        while header and header[-1] == "":
            header.pop()
        width = len(header)
        records, numbers = [], []
        for number, cells in enumerate(rows, start=1):
            values = [_cell_text(c) for c in cells[:width]]
            if all(v is None or v == "" for v in values) and all(c is None for c in cells[width:]):
                continue  # a blank spreadsheet row is not a record
            records.append(values + [None] * (width - len(values)))
            numbers.append(number)
    finally:
        book.close()
    frame = pd.DataFrame(records, columns=_dedupe(header), dtype=TEXT) if records else _empty(header)
    notes = [f"read from sheet '{chosen}'"]
    return RawTable(
        frame=frame,
        row_numbers=np.array(numbers, dtype=np.int64),
        header=header,
        source_format="excel",
        notes=notes,
    )


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
        path, f"has {len(names)} sheets ({', '.join(names)}); say which one to check with --sheet"
    )


def _empty(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=TEXT) for name in _dedupe(header)})


def _read_parquet(path: Path) -> RawTable:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds for damaged files
        raise DataFileError(path, f"could not be read as Parquet ({_plain_arrow(exc)})") from None
    header = list(table.column_names)
    columns = {}
    for name, column in zip(_dedupe(header), table.columns, strict=True):
        if pa.types.is_floating(column.type):
            column = pc.if_else(pc.is_nan(column), None, column)
            # Whole numbers stored as floats (pandas' habit with blanks) read as "3", not "3.0".
            whole = pc.equal(pc.floor(column), column)
            as_int = pc.cast(pc.if_else(whole, column, None), pa.int64(), safe=False)
            column = pc.if_else(whole, pc.cast(as_int, pa.string()), pc.cast(column, pa.string()))
        elif pa.types.is_timestamp(column.type):
            # Dates saved from pandas arrive as midnight timestamps: write them as dates.
            midnight = pc.all(pc.equal(pc.cast(pc.cast(column, pa.date32()), column.type), column)).as_py()
            column = pc.strftime(column, format="%Y-%m-%d" if midnight is not False else "%Y-%m-%d %H:%M:%S")
        elif not pa.types.is_string(column.type) and not pa.types.is_large_string(column.type):
            column = pc.cast(column, pa.string())
        columns[name] = column
    frame = pa.table(columns).to_pandas(types_mapper=pd.ArrowDtype) if columns else _empty(header)
    return RawTable(
        frame=frame,
        row_numbers=np.arange(1, len(frame) + 1, dtype=np.int64),
        header=header,
        source_format="parquet",
    )


def _normalise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Trim surrounding spaces and treat empty cells as missing, column by column in Arrow.

    Columns are replaced one at a time so that only one column's old text is held at once.
    """
    for position, name in enumerate(frame.columns):
        column = frame.iloc[:, position]
        array = pa.chunked_array(column.array._pa_array) if len(frame) else pa.chunked_array([], pa.string())
        trimmed = pc.utf8_trim_whitespace(array)
        cleaned = pc.if_else(pc.equal(trimmed, ""), None, trimmed)
        del column, array, trimmed
        frame.isetitem(position, pd.Series(pd.arrays.ArrowExtensionArray(cleaned), index=frame.index, name=name))
    return frame
