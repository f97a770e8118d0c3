"""Reading a provider's file into text columns, accounting for every line.

Everything is read as text first (Arrow-backed strings) so that a value which does not parse
becomes a reported problem on its row instead of a silent NaN. CSV is read line by line
(`intake.csv_lines`): every physical line becomes a row, a blank line (counted), or a quarantined
line with its number and reason; reading always resumes at the next line. UTF-16 with a byte-order
mark is read (converted to UTF-8); other encodings and binary files are named. Excel and Parquet are
turned into the same shape (`intake.workbooks`).

Row numbers are 1-based data-line numbers: line 1 is the first line after the header. A line
break inside a quoted value (spreadsheets write them) belongs to the value; such a row is numbered
by the line it starts on.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.errors import DataFileError
from dpup_eval.intake.csv_lines import MAX_LINE_BYTES, LineProblem, RowCountMismatch, Source, read_csv_lines

BOM = b"\xef\xbb\xbf"
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
TEXT = pd.ArrowDtype(pa.string())
LINES_SHOWN = 8


@dataclass
class RawTable:
    """A file's content as text columns, with where each row came from and what else each line was."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    header: list[str]
    malformed: list[LineProblem] = field(default_factory=list)
    source_format: str = "csv"
    notes: list[str] = field(default_factory=list)
    lines_read: int | None = None  # physical data lines (CSV) or sheet rows up to the last used one (Excel)
    blank_lines: list[int] = field(default_factory=list)
    unsupported: dict[str, str] = field(default_factory=dict)  # column -> the type the contract cannot hold

    def __post_init__(self) -> None:
        if self.lines_read is None:
            self.lines_read = self.rows_read + len(self.blank_lines)

    @property
    def rows_read(self) -> int:
        return len(self.frame) + len(self.malformed)

    @property
    def duplicate_columns(self) -> list[str]:
        counts = Counter(self.header)
        return [name for name, n in counts.items() if n > 1]


def read_table(path: str | Path, *, sheet: str | None = None, expected: list[str] | None = None) -> RawTable:
    """Read CSV (UTF-8 with or without BOM, or UTF-16 with BOM), Excel or Parquet.

    Raises `DataFileError` only when the file cannot be read at all; a bad line is quarantined instead.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as exc:
        raise DataFileError.unreadable(path, exc) from None
    if head.startswith(b"PK\x03\x04"):
        from dpup_eval.intake.workbooks import read_excel

        table = read_excel(path, sheet, expected)
    elif head.startswith(b"PAR1"):
        from dpup_eval.intake.workbooks import read_parquet

        table = read_parquet(path)
    else:
        table = _read_text(path, head, expected)
    table.frame = _normalise_text(table.frame)
    return table


def _read_text(path: Path, head: bytes, expected: list[str] | None) -> RawTable:
    """A text file: find its encoding (or say what it is instead), then read it as CSV."""
    kind = sniff_text_kind(head)
    if kind in ("utf-16-le", "utf-16-be"):
        data = _utf16_as_utf8(path, kind)
        if not data.strip(b" \r\n\t"):
            raise DataFileError(path, "is empty: expected a header line and data rows")
        return _read_csv(path, Source(data=data), data[:SNIFF_BYTES], expected, f"read as {kind.upper()} "
                         "text (converted to UTF-8)")
    if kind != "text":
        raise DataFileError(path, kind)
    if not head.strip(BOM + b" \r\n\t"):
        raise DataFileError(path, "is empty: expected a header line and data rows")
    return _read_csv(path, Source(path=path), head, expected, None)


_MAGIC = {
    b"\xd0\xcf\x11\xe0": "is an old Excel 97-2003 workbook (.xls); save it as .xlsx or as 'CSV UTF-8'",
    b"\x1f\x8b": "is compressed (gzip); uncompress it first",
    b"%PDF": "is a PDF document, not CSV, Excel (.xlsx) or Parquet",
}


def sniff_text_kind(head: bytes) -> str:
    """"text", "utf-16-le" / "utf-16-be" (with a byte-order mark), or what the file is, in words.

    A stray NUL byte in text does not make it binary (that line is quarantined); a file whose bytes are
    largely control characters does.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "is UTF-32 text; save it as 'CSV UTF-8'"
    if head.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if head.startswith(b"\xfe\xff"):
        return "utf-16-be"
    for magic, words in _MAGIC.items():
        if head.startswith(magic):
            return words
    sample = np.frombuffer(head, dtype=np.uint8)
    if len(sample) >= 16:
        even, odd = sample[0::2], sample[1::2]
        n = min(len(even), len(odd))
        zero_even, zero_odd = (even[:n] == 0).mean(), (odd[:n] == 0).mean()
        if max(zero_even, zero_odd) > 0.3 and min(zero_even, zero_odd) < 0.05:
            return "looks like UTF-16 text without a byte-order mark; save it as 'CSV UTF-8'"
    control = np.isin(sample, np.r_[0:9, 14:27, 28:32]).sum() if len(sample) else 0
    if len(sample) and control > max(8, len(sample) // 10):
        return "looks like a binary file, not CSV, Excel (.xlsx) or Parquet"
    return "text"


def _utf16_as_utf8(path: Path, kind: str) -> bytes:
    """The whole file re-encoded as UTF-8. Invalid UTF-16 becomes bytes that are not UTF-8, so the line
    holding it is quarantined as "not UTF-8 text" rather than silently changed."""
    try:
        codecs.lookup_error("dpup-eval-utf16-mark")
    except LookupError:
        codecs.register_error("dpup-eval-utf16-mark", _utf16_mark)
    text = path.read_bytes()[2:].decode(kind, errors="dpup-eval-utf16-mark")
    return text.encode("utf-8", errors="surrogatepass")


def _utf16_mark(exc: UnicodeError) -> tuple[str, int]:
    assert isinstance(exc, UnicodeDecodeError)
    return "\udcff", exc.end


def dedupe_names(header: list[str]) -> list[str]:
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
        try:
            names = [n.strip() for n in next(csv.reader([header_line], delimiter=delim))]
        except csv.Error:
            return -1, 0
        known = len(set(names) & set(expected)) if expected else 0
        return known, len(names)

    return max(DELIMITERS, key=score)


def _header_line(path: Path, source: Source, head: bytes) -> tuple[bytes, int]:
    """The header line's bytes (without BOM and line end) and the offset where the data lines start."""
    offset = len(BOM) if head.startswith(BOM) else 0
    data = head
    ends = [i for i in (data.find(b"\n", offset), data.find(b"\r", offset)) if i >= 0]
    if not ends and len(head) == SNIFF_BYTES:
        with source.open() as stream:
            data = stream.read(MAX_LINE_BYTES + 2)
        ends = [i for i in (data.find(b"\n", offset), data.find(b"\r", offset)) if i >= 0]
        if not ends and len(data) > MAX_LINE_BYTES:
            raise DataFileError(path, f"the first line is longer than {MAX_LINE_BYTES >> 20} MiB: expected a "
                                "header line naming the columns")
    if not ends:
        return data[offset:], len(data)
    cut = min(ends)
    if data[cut : cut + 2] == b"\r\n":
        return data[offset:cut], cut + 2
    return data[offset:cut], cut + 1


def _read_csv(path: Path, source: Source, head: bytes, expected: list[str] | None, converted: str | None) -> RawTable:
    header_bytes, data_start = _header_line(path, source, head)
    if b"\x00" in header_bytes:
        raise DataFileError(path, "the header line holds a NUL byte: expected a header line naming the columns")
    try:
        header_line = header_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataFileError(
            path, f"is not UTF-8 text (byte 0x{header_bytes[exc.start]:02X} on line 1, the header); save it as "
            "'CSV UTF-8' so that macrons such as in whānau survive") from None
    delimiter = _sniff_delimiter(header_line, expected)
    try:
        header = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter, strict=True))]
    except (csv.Error, StopIteration):
        raise DataFileError(path, "the header line has a quote that is not closed: expected a header line "
                            "naming the columns") from None
    if not any(header):
        raise DataFileError(path, "the first line is blank: expected a header line naming the columns")
    names = dedupe_names(header)
    try:
        lines = read_csv_lines(source, data_start, delimiter, names)
    except RowCountMismatch as exc:  # pragma: no cover - a bug; never lose rows quietly
        raise DataFileError(path, f"could not be read consistently ({exc}); please report this") from None
    table = lines.table.rename_columns(names)
    frame = table.to_pandas(types_mapper=pd.ArrowDtype) if table.num_columns else empty_frame(header)
    notes = []
    if converted:
        notes.append(converted)
    if delimiter != ",":
        notes.append(f"read with {'tab' if delimiter == chr(9) else repr(delimiter)} as the delimiter")
    if head.startswith(BOM):
        notes.append("the file starts with a byte-order mark (BOM); read as UTF-8")
    if lines.multi_line_rows:
        notes.append(f"{lines.multi_line_rows} row(s) have values with line breaks in them; row numbers are the "
                     "line where each row starts")
    if lines.blank_lines:
        notes.append(f"{len(lines.blank_lines)} blank line(s) skipped: line(s) {lines_text(lines.blank_lines)}")
    return RawTable(frame=frame, row_numbers=lines.row_numbers, header=header, malformed=lines.problems,
                    notes=notes, lines_read=lines.lines_read, blank_lines=lines.blank_lines)


def lines_text(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:LINES_SHOWN])
    return shown + (f" and {len(numbers) - LINES_SHOWN} more" if len(numbers) > LINES_SHOWN else "")


def empty_frame(header: list[str]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=TEXT) for name in dedupe_names(header)})


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
