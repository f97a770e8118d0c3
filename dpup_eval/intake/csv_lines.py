"""Reading CSV line by line, so that every physical line is accounted for.

Why: with line breaks allowed inside quoted values, one unclosed quote made the reader take the lines
after it as part of one value, and 8 participants vanished without a word. Here the file's physical
lines are found first, independently of any CSV parser, and each ends up as exactly one of:

* a **row** (or the first line of a row whose quoted value spans several lines, plus its continuation
  lines);
* a **blank line** (nothing on it), skipped and counted;
* a **quarantined line** with its line number and reason: wrong number of fields, a quote that is not
  closed or is misplaced, a NUL byte, bytes that are not UTF-8, or a line longer than
  :data:`MAX_LINE_BYTES`. Reading resumes at the next line.

Line ends are "universal newlines": ``\\n``, ``\\r\\n`` and a lone ``\\r`` (old Mac files) each end a line,
as Python's ``bytes.splitlines()`` counts them.

How, fast: one vectorised pass (numpy, in chunks) finds each line's start and, per line, whether it holds
a quote character, a NUL byte or invalid UTF-8, and how many delimiters. Lines without any quote
character are split by Arrow with quoting turned off (for them a plain split is exact). Lines with a
quote character are parsed one by one by Python's csv module in strict mode. A line whose quote is still
open at its end may start a row whose quoted value spans lines: the following lines are joined to it,
as Python's strict csv reads them from that line on. If that makes a well-formed row, its lines are one
row: kept if it has exactly the header's number of fields, otherwise quarantined as one malformed row
over all its lines (the lines inside its quoted value are never read as rows of their own). If the quote
is never properly closed (strict csv raises), only the first line is quarantined ("quote not closed")
and the lines after it are read on their own. A quoted value may span at most :data:`MAX_ROW_LINES` lines.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dpup_eval.codes import BAD_QUOTES, INVALID_ENCODING, LINE_TOO_LONG, MALFORMED_LINE, NUL_BYTE

__all__ = ["MAX_LINE_BYTES", "MAX_ROW_LINES", "CsvLines", "LineProblem", "RowCountMismatch", "read_csv_lines"]

#: A line (or a row spanning lines) longer than this is quarantined without being parsed.
MAX_LINE_BYTES = 4 << 20
#: A quoted value may span at most this many lines; beyond it the quote is taken as never closed.
MAX_ROW_LINES = 1000
SCAN_CHUNK = 4 << 20
ARROW_BLOCK = 16 << 20

# What each physical line turned out to be.
ROW, BLANK, QUOTED, CONTINUATION, BAD, PARSED, OPEN, JOINED = range(8)
# Per-line flags found by the scan.
F_QUOTE, F_NUL, F_BADUTF8, F_LONG, F_BLANK = 1, 2, 4, 8, 16
_DAMAGED = F_NUL | F_BADUTF8 | F_LONG

@dataclass(frozen=True)
class Source:
    """Where the CSV bytes are: a file, or bytes in memory (a UTF-16 file converted to UTF-8)."""

    path: Path | None = None
    data: bytes | None = None

    def open(self) -> BinaryIO:
        return self.path.open("rb") if self.path is not None else io.BytesIO(self.data or b"")

    def arrow_at(self, offset: int) -> pa.NativeFile:
        """A stream Arrow reads natively (no Python in between), from ``offset`` to the end."""
        stream = pa.OSFile(str(self.path)) if self.path is not None else pa.BufferReader(self.data or b"")
        stream.seek(offset)
        return stream


@dataclass(frozen=True)
class LineProblem:
    """A line (or a row spanning lines) quarantined as it stands: where, which kind, and why."""

    row: int  # data-line number where it starts (1 = the first line after the header)
    code: str
    detail: str  # never a value from the file
    lines: int = 1


@dataclass
class CsvLines:
    """The rows of a CSV file with the data-line number each starts on, and what else each line was."""

    table: pa.Table
    row_numbers: np.ndarray
    problems: list[LineProblem]
    lines_read: int
    blank_lines: list[int] = field(default_factory=list)
    multi_line_rows: int = 0


class RowCountMismatch(RuntimeError):
    """Arrow read a different number of rows than the line scan found: a bug, never silently accepted."""

    def __init__(self, expected: int, found: int) -> None:
        super().__init__(f"the line scan found {expected} rows but the CSV reader returned {found}")


_FOUND = threading.local()
_HANDLER = "dpup-eval-note-position"


def _note_position(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: note (position, byte) of an invalid sequence and go on after it."""
    assert isinstance(exc, UnicodeDecodeError)
    _FOUND.items.append((exc.start, exc.object[exc.start]))
    return "", exc.end


def _bad_utf8(block: bytes) -> list[tuple[int, int]]:
    """(offset, byte) of every invalid UTF-8 sequence in ``block`` (empty when it is valid)."""
    if block.isascii():
        return []
    try:  # Arrow's validation is several times faster than decoding into a Python string
        pa.Array.from_buffers(pa.large_string(), 1, [None, pa.py_buffer(np.array([0, len(block)], np.int64)),
                                                     pa.py_buffer(block)]).validate(full=True)
        return []
    except pa.ArrowInvalid:
        pass
    try:
        codecs.lookup_error(_HANDLER)
    except LookupError:
        codecs.register_error(_HANDLER, _note_position)
    _FOUND.items = []
    block.decode("utf-8", errors=_HANDLER)
    found, _FOUND.items = _FOUND.items, []
    return found


def _problem(line: int, flags: int, fields: int, width: int, bad_byte: int | None, lines: int = 1) -> LineProblem:
    """Why a line is quarantined, in words that never repeat the line's content."""
    if flags & F_LONG:
        return LineProblem(line + 1, LINE_TOO_LONG, LINE_TOO_LONG.message(limit=f"{MAX_LINE_BYTES >> 20} MiB"), lines)
    if flags & F_NUL:
        return LineProblem(line + 1, NUL_BYTE, NUL_BYTE.message(), lines)
    if flags & F_BADUTF8:
        which = f" (byte 0x{bad_byte:02X})" if bad_byte is not None else ""
        return LineProblem(line + 1, INVALID_ENCODING, INVALID_ENCODING.message(byte=which), lines)
    return LineProblem(line + 1, MALFORMED_LINE, MALFORMED_LINE.message(width=width, fields=fields), lines)


def _quote_problem(line: int, message: str) -> LineProblem:
    if "expected after" in message:
        return LineProblem(line + 1, BAD_QUOTES, BAD_QUOTES.message(what="text follows a closing quote"))
    return LineProblem(line + 1, BAD_QUOTES, BAD_QUOTES.message(what="the quotes on this line do not make sense"))


_UNCLOSED = BAD_QUOTES.message(what="a quote opened on this line is not closed")


class _Scan:
    """Every physical line: start offset, flags, number of fields; quoted lines parsed."""

    def __init__(self, delimiter: str, width: int) -> None:
        self.delimiter, self.width = delimiter, width
        self.byte = delimiter.encode()[0]
        self.starts: list[np.ndarray] = []
        self.flags: list[np.ndarray] = []
        self.fields: list[np.ndarray] = []
        self.bad_byte: dict[int, int] = {}
        self.count = 0
        # Lines with quote characters, each parsed on its own.
        self.whole_lines: list[int] = []  # well formed, with the right number of fields: Arrow splits them
        self.parsed_lines: list[int] = []  # read as whole rows by Python's csv: Arrow's split is checked
        self.parsed: list[pa.Table] = []
        self.open_lines: list[int] = []  # a quote still open at the end of the line
        self.problems: dict[int, LineProblem] = {}

    def block(self, data: bytes, offset: int, final_line_open: bool) -> None:
        """Lines in ``data`` (file offset ``offset``); the last one has no line end if ``final_line_open``."""
        a = np.frombuffer(data, dtype=np.uint8)
        lf = np.flatnonzero(a == 10)
        cr = np.flatnonzero(a == 13)
        if len(cr):
            nxt = cr + 1
            alone = nxt >= len(a)
            alone[~alone] = a[nxt[~alone]] != 10
            cr = cr[alone]
        ends = np.union1d(lf, cr) if len(cr) else lf  # the last byte of each line end
        starts = np.concatenate([[0], ends + 1]).astype(np.int64)
        content_end = np.concatenate([ends, [len(a)]]).astype(np.int64)
        if len(lf):  # "\r\n": the content stops before the "\r"
            pos = ends[ends > 0]
            crlf = np.zeros(len(ends), dtype=bool)
            crlf[ends > 0] = (a[pos] == 10) & (a[pos - 1] == 13)
            content_end[:-1][crlf] -= 1
        if not final_line_open or starts[-1] == len(a):
            starts, content_end = starts[:-1], content_end[:-1]  # no line after the last line end
        n = len(starts)
        flags = np.zeros(n, dtype=np.uint8)
        if n == 0:
            return

        # Positions of the bytes that matter, then per line by where the lines start (no per-byte sums).
        edges = np.append(starts, len(a))
        delimiter_at = np.flatnonzero(a == self.byte).astype(np.int32)  # a block is far below 2 GiB
        delimiters = np.diff(np.searchsorted(delimiter_at, edges))
        quote_at = np.flatnonzero(a == 34).astype(np.int32) if data.find(b'"') >= 0 else np.zeros(0, np.int32)
        quotes = np.diff(np.searchsorted(quote_at, edges))
        flags[quotes > 0] |= F_QUOTE
        if data.find(b"\x00") >= 0:
            flags[np.searchsorted(starts, np.flatnonzero(a == 0), side="right") - 1] |= F_NUL
        for position, byte in _bad_utf8(data):
            line = int(np.searchsorted(starts, position, side="right") - 1)
            if not flags[line] & F_BADUTF8:
                flags[line] |= F_BADUTF8
                self.bad_byte[self.count + line] = byte
        lengths = content_end - starts
        flags[lengths > MAX_LINE_BYTES] |= F_LONG
        flags[lengths == 0] |= F_BLANK
        quoted = np.flatnonzero(((flags & F_QUOTE) > 0) & ((flags & _DAMAGED) == 0))
        if len(quoted):
            quoted = self._well_formed(a, quoted, quote_at, quotes, starts, delimiter_at, delimiters)
        if len(quoted):
            self._parse_quoted(data, quoted, starts, content_end)
        self.starts.append(starts + offset)
        self.flags.append(flags)
        self.fields.append(delimiters + 1)
        self.count += n

    def _well_formed(self, a: np.ndarray, quoted: np.ndarray, quote_at: np.ndarray, quotes: np.ndarray,
                     starts: np.ndarray, delimiter_at: np.ndarray, delimiters: np.ndarray) -> np.ndarray:
        """Lines whose quoting is plainly well formed (RFC 4180), judged in bulk; returns the other lines.

        Well formed: every field is either quoted (a quote inside doubled) or holds no quote at all. Then
        any CSV parser reads the line the same way and it cannot run on into the next line, so Arrow
        splits it later. Checked per quote, by its rank on its line: an odd one (opening, or the second of
        a doubled pair) must follow the line start, a delimiter or a quote; an even one (closing, or the
        first of a pair) must come before the line end, a delimiter or a quote; a line has an even number
        of them. Its fields are the delimiters not between an opening quote and the next quote, plus one.
        The other lines with quotes (a quote inside an unquoted value, one left open...) go to Python's
        csv module.
        """
        n, size, d = len(starts), len(a), self.byte
        line = np.repeat(np.arange(n), quotes)
        rank = np.arange(len(quote_at)) - np.repeat(np.cumsum(quotes) - quotes, quotes) + 1
        prev = np.where(quote_at > starts[line], a[np.maximum(quote_at - 1, 0)].astype(np.int16), -1)
        after = np.where(quote_at + 1 < size, a[np.minimum(quote_at + 1, size - 1)].astype(np.int16), -1)
        opening_ok = (prev == -1) | (prev == d) | (prev == 34)
        closing_ok = (after == -1) | (after == d) | (after == 34) | (after == 10) | (after == 13)
        odd = rank % 2 == 1
        misplaced = np.where(odd, ~opening_ok, ~closing_ok)
        bad = (np.bincount(line, weights=misplaced, minlength=n) > 0) | (quotes % 2 == 1)
        # Delimiters between each opening quote and the quote after it are inside a quoted value.
        opening = np.flatnonzero(odd[:-1] & (line[:-1] == line[1:])) if len(quote_at) > 1 else np.zeros(0, int)
        between = (np.searchsorted(delimiter_at, quote_at[opening + 1])
                   - np.searchsorted(delimiter_at, quote_at[opening]))
        inner = np.bincount(line[opening], weights=between, minlength=n).astype(np.int64)
        clean = quoted[~bad[quoted]]
        fields = (delimiters - inner + 1)[clean]
        self.whole_lines.extend((clean[fields == self.width] + self.count).tolist())
        for local, count in zip(clean[fields != self.width].tolist(), fields[fields != self.width].tolist(),
                                strict=True):
            self.problems[self.count + local] = _problem(self.count + local, 0, count, self.width, None)
        return quoted[bad[quoted]]

    def _parse_quoted(self, data: bytes, quoted: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        """Each line with a quote, parsed alone: a row, a problem, or a quote left open at its end.

        One csv reader goes through the lines (fast); a line whose quote is still open at its end makes
        the reader take in the next one, which shows in ``line_num``: that line is set aside for
        :class:`_Joined` and a new reader starts at the line after it.
        """
        lines = [self.count + local for local in quoted.tolist()]
        pieces = [data[starts[local] : ends[local]] for local in quoted.tolist()]
        # One decode for all of them: a line's content holds no "\n" (it would have ended the line).
        texts = b"\n".join(pieces).decode("utf-8").split("\n") if pieces else []
        rows: list[list[str]] = []
        i = 0
        while i < len(texts):
            reader = csv.reader(itertools.islice(texts, i, None), delimiter=self.delimiter, strict=True)
            done = 0  # lines used by the rows this reader has returned
            try:
                for values in reader:
                    if reader.line_num - done > 1:  # line i's quote stayed open and took the next line in
                        self.open_lines.append(lines[i])
                        i += 1
                        break
                    done = reader.line_num
                    if len(values) == self.width:
                        rows.append(values)
                        self.parsed_lines.append(lines[i])
                    else:
                        self.problems[lines[i]] = _problem(lines[i], 0, len(values), self.width, None)
                    i += 1
                else:
                    break
            except csv.Error as exc:
                if reader.line_num - done > 1 or "unexpected end of data" in str(exc):
                    self.open_lines.append(lines[i])
                else:
                    self.problems[lines[i]] = _quote_problem(lines[i], str(exc))
                i += 1
        if rows:
            self.parsed.append(_as_table(rows, self.width))

    def long_line(self, start: int, length: int) -> None:
        """A line too long to hold in memory: only where it starts and that it is too long."""
        self.starts.append(np.array([start], dtype=np.int64))
        self.flags.append(np.array([F_LONG], dtype=np.uint8))
        self.fields.append(np.array([0], dtype=np.int32))
        self.count += 1

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        def cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        return cat(self.starts, np.int64), cat(self.flags, np.uint8), cat(self.fields, np.int32)


def _as_table(rows: list[list[str]], width: int) -> pa.Table:
    """Rows parsed by Python's csv module, as a table shaped like Arrow's."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    return pa.Table.from_arrays([pa.array(c, pa.string()) for c in columns], names=[f"f{i}" for i in range(width)])


def _scan(source: Source, data_start: int, delimiter: str, width: int) -> tuple[_Scan, int]:
    """Find every physical line after the header; returns the scan and the offset where the file ends."""
    scan = _Scan(delimiter, width)
    with source.open() as stream:
        stream.seek(data_start)
        carry, carry_at = b"", data_start
        skipping: tuple[int, int] | None = None  # (start, length so far) of a line too long to hold
        while True:
            chunk = stream.read(SCAN_CHUNK)
            eof = not chunk
            if skipping is not None:
                start, length = skipping
                cut = min((i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0), default=-1)
                if cut < 0 and not eof:
                    skipping = (start, length + len(chunk))
                    continue
                cut = len(chunk) if cut < 0 else cut
                if chunk[cut : cut + 2] == b"\r\n":
                    rest_at = cut + 2
                elif chunk[cut : cut + 1] == b"\r" and cut + 1 == len(chunk):
                    more = stream.read(1)  # is this "\r" the first half of "\r\n"?
                    chunk += more
                    rest_at = cut + (2 if more == b"\n" else 1)
                else:
                    rest_at = cut + 1
                scan.long_line(start, length + cut)
                skipping = None
                carry, carry_at = chunk[rest_at:], start + length + rest_at
                if eof:
                    break
                continue
            data = carry + chunk
            if eof:
                if data:
                    scan.block(data, carry_at, final_line_open=True)
                break
            # Keep a trailing "\r" back: it may be the first half of a "\r\n" in the next chunk.
            limit = len(data) - 1 if data.endswith(b"\r") else len(data)
            last_end = max(data.rfind(b"\n", 0, limit), data.rfind(b"\r", 0, limit))
            if last_end < 0:
                if len(data) > MAX_LINE_BYTES:
                    skipping, carry = (carry_at, len(data)), b""
                else:
                    carry = data
                continue
            scan.block(data[: last_end + 1], carry_at, final_line_open=False)
            carry, carry_at = data[last_end + 1 :], carry_at + last_end + 1
            if len(carry) > MAX_LINE_BYTES:
                skipping, carry = (carry_at, len(carry)), b""
        end = stream.tell()
    return scan, end


class _Joined:
    """Rows whose quoted value spans lines: each line left with an open quote, joined to the lines after it.

    Taken in file order; a joined row overrides what its continuation lines were on their own, also when
    it is quarantined (wrong number of fields, a damaged line): a strict reader reads those lines as part
    of its quoted value, so making rows of them would turn part of a value into a row.
    """

    def __init__(self, source: Source, bounds: np.ndarray, status: np.ndarray, flags: np.ndarray,
                 problems: dict[int, LineProblem], bad_byte: dict[int, int], delimiter: str, width: int) -> None:
        self.source, self.bounds, self.status, self.flags = source, bounds, status, flags
        self.problems, self.bad_byte, self.delimiter, self.width = problems, bad_byte, delimiter, width
        self.lines: list[int] = []
        self.rows: list[list[str]] = []

    def join_all(self, open_lines: list[int]) -> None:
        if not open_lines:
            return
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, MAX_LINE_BYTES))
        try:
            with self.source.open() as stream:
                for line in open_lines:
                    if self.status[line] == OPEN:  # not taken into an earlier joined row
                        self._join(stream, line)
        finally:
            csv.field_size_limit(limit)

    def _join(self, stream: BinaryIO, first: int) -> None:
        total = len(self.status)
        taken = [first]

        def lines() -> Iterator[str]:
            stream.seek(int(self.bounds[first]))
            k = first
            while k < total:
                too_long = self.bounds[k + 1] - self.bounds[first] > MAX_LINE_BYTES
                if k > first and (k - first >= MAX_ROW_LINES or too_long or self.flags[k] & F_LONG):
                    return  # a quote left open this long is taken as never closed
                size = int(self.bounds[k + 1] - self.bounds[k])
                taken[0] = k
                yield stream.read(size).decode("utf-8", errors="surrogateescape")
                k += 1

        try:
            values = next(csv.reader(lines(), delimiter=self.delimiter, strict=True))
        except (csv.Error, StopIteration):
            values = None
        last = taken[0]
        if values is None or last == first:
            self.problems[first] = LineProblem(first + 1, BAD_QUOTES, _UNCLOSED)
            self.status[first] = BAD
            return
        # A strict reader reads these lines as one row: the quote opened on the first line is closed. Even
        # with the wrong number of fields, the lines after the first are inside its quoted value, never rows.
        used = last - first + 1
        for k in range(first + 1, last + 1):
            self.problems.pop(k, None)
        self.status[first + 1 : last + 1] = CONTINUATION
        marks = int(np.bitwise_or.reduce(self.flags[first : last + 1]))
        if marks & _DAMAGED or len(values) != self.width:
            damaged = np.flatnonzero(self.flags[first : last + 1] & _DAMAGED)
            bad_byte = self.bad_byte.get(first + int(damaged[0])) if len(damaged) else None
            self.problems[first] = _problem(first, marks, len(values), self.width, bad_byte, used)
            self.status[first] = BAD
            return
        self.problems.pop(first, None)
        self.status[first] = JOINED
        self.lines.append(first)
        self.rows.append(values)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last + 1) of each run of True in ``mask``."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate([[0], mask.view(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist(), strict=True))


def read_csv_lines(source: Source, data_start: int, delimiter: str, names: list[str]) -> CsvLines:
    """Read the data lines of a CSV file whose header ends at ``data_start``; see the module docstring."""
    width = len(names)
    scan, end = _scan(source, data_start, delimiter, width)
    starts, flags, fields = scan.arrays()
    total = len(starts)
    bounds = np.append(starts, end)  # line i is bytes bounds[i]:bounds[i + 1], line end included
    status = np.full(total, ROW, dtype=np.uint8)
    status[fields != width] = BAD
    status[(flags & F_BLANK) > 0] = BLANK
    quoted = (flags & F_QUOTE) > 0
    status[quoted] = BAD  # unless parsed or left open, below
    status[np.asarray(scan.parsed_lines, dtype=np.int64)] = PARSED
    status[np.asarray(scan.whole_lines, dtype=np.int64)] = PARSED
    status[np.asarray(scan.open_lines, dtype=np.int64)] = OPEN
    damaged = (flags & _DAMAGED) > 0
    status[damaged] = BAD
    problems = scan.problems
    for line in np.flatnonzero((status == BAD) & (damaged | ~quoted)).tolist():
        problems[line] = _problem(line, int(flags[line]), int(fields[line]), width, scan.bad_byte.get(line))

    joined = _Joined(source, bounds, status, flags, problems, scan.bad_byte, delimiter, width)
    joined.join_all(scan.open_lines)

    # Arrow splits the plain lines and the quoted lines that Python's csv read as whole rows; the
    # latter are checked against Python's own values. Rows joined across lines are then put in place.
    table, arrow_lines = _arrow_rows(source, bounds, status, delimiter, width)
    if scan.parsed:
        single_lines = np.asarray(scan.parsed_lines, dtype=np.int64)
        still = status[single_lines] == PARSED  # not taken into a joined row since
        single = pa.concat_tables(scan.parsed)
        single = single if still.all() else single.filter(pa.array(still))
        where = np.searchsorted(arrow_lines, single_lines[still])
        table = _agree(table, where, single)
        scan.parsed = []
    numbers = arrow_lines
    if joined.rows:
        table = pa.concat_tables([table, _as_table(joined.rows, width)])
        lines = np.concatenate([arrow_lines, np.asarray(joined.lines, dtype=np.int64)])
        order = np.argsort(lines, kind="stable")
        table, numbers = table.take(pa.array(order)), lines[order]
    expected = int(np.isin(status, (ROW, PARSED, JOINED)).sum())
    if np.isin(status, (OPEN, QUOTED)).any() or table.num_rows != expected:  # pragma: no cover - a bug
        raise RowCountMismatch(expected, table.num_rows)
    return CsvLines(
        table=table,
        row_numbers=(numbers + 1).astype(np.int64),
        problems=sorted(problems.values(), key=lambda p: p.row),
        lines_read=total,
        blank_lines=(np.flatnonzero(status == BLANK) + 1).tolist(),
        multi_line_rows=len(joined.rows),
    )


class _Ranges(io.RawIOBase):
    """A read-only stream of chosen byte ranges of a file, one after the other (for Arrow)."""

    def __init__(self, source: Source, ranges: list[tuple[int, int]]) -> None:
        self._stream = source.open()
        self._ranges = [r for r in ranges if r[1] > r[0]]
        self._index = 0
        self._left = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while self._left == 0 and self._index < len(self._ranges):
            start, end = self._ranges[self._index]
            self._stream.seek(start)
            self._left, self._index = end - start, self._index + 1
        if self._left == 0:
            return 0
        view = memoryview(buffer)
        data = self._stream.read(min(len(view), self._left))
        if not data:  # pragma: no cover - the file shrank while being read
            return 0
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._stream.close()
        super().close()


def _arrow_rows(source: Source, bounds: np.ndarray, status: np.ndarray, delimiter: str,
                width: int) -> tuple[pa.Table, np.ndarray]:
    """The rows of plain lines and of quoted lines parsed as whole rows, split by Arrow, and their lines.

    Only those lines are handed to Arrow (ranges of the file, streamed), so a bad line cannot mislead it.
    """
    internal = [f"f{i}" for i in range(width)]
    rows = (status == ROW) | (status == PARSED)
    lines = np.flatnonzero(rows).astype(np.int64)
    if not len(lines):
        return _as_table([], width), lines
    runs = _runs(rows | (status == BLANK))  # Arrow skips blank lines itself
    if len(runs) == 1 and runs[0][1] == len(status):
        stream: object = source.arrow_at(int(bounds[runs[0][0]]))  # the common case: read natively
    else:
        stream = io.BufferedReader(_Ranges(source, [(int(bounds[a]), int(bounds[b])) for a, b in runs]),
                                   buffer_size=4 << 20)
    skipped: list[int] = []

    def on_bad_row(row: pacsv.InvalidRow) -> str:  # pragma: no cover - the scan let no such line through
        skipped.append(row.actual_columns)
        return "skip"

    with stream:  # type: ignore[attr-defined]
        table = pacsv.read_csv(
            stream,
            read_options=pacsv.ReadOptions(column_names=internal, use_threads=True, block_size=ARROW_BLOCK),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(internal, pa.string()),
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    if skipped or table.num_rows != len(lines):  # pragma: no cover - Arrow and the scan must see the same rows
        raise RowCountMismatch(len(lines), table.num_rows)
    return table, lines


def _agree(table: pa.Table, where: np.ndarray, python: pa.Table) -> pa.Table:
    """Arrow's rows at ``where`` must equal Python's parse of the same lines; where not, Python's win."""
    if not len(where):
        return table
    arrow = table.take(pa.array(where))
    differ = np.zeros(len(where), dtype=bool)
    for mine, theirs in zip(arrow.columns, python.columns, strict=True):
        same = pc.fill_null(pc.equal(mine, theirs), False)
        differ |= ~np.asarray(same.to_numpy(zero_copy_only=False), dtype=bool)
    if not differ.any():
        return table
    mask = pa.array(np.isin(np.arange(table.num_rows), where[differ]))
    fixes = pa.array(np.flatnonzero(differ))
    replaced = [pc.replace_with_mask(column.combine_chunks(), mask, theirs.take(fixes).combine_chunks())
                for column, theirs in zip(table.columns, python.columns, strict=True)]
    return pa.table(replaced, names=table.column_names)
