"""The identifier scan on its own, for any text or table file: what kinds were found and where.

Why: a provider's privacy officer checks a story, a letter or a spreadsheet before it is sent, without a
contract and without loading anything. The answer names kinds and places (line 3; column 'feedback',
rows 4 and 9; the header, column 7), never a value, so it can be shown, printed or pasted anywhere.

A table (CSV, Excel, Parquet) is read as the checked loading reads it; every column is scanned, the header
cells too, and lines that could not be split into columns are scanned as plain text. Any other file is
read as UTF-8 text and scanned whole, so an identifier is found wherever it sits; places are line numbers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dpup_eval.errors import DataFileError
from dpup_eval.intake.identifiers import IDENTIFIER_KINDS, find_spans, redact_text, safe_labels, scan_text

__all__ = ["TABLE_SUFFIXES", "FileScan", "ScanFinding", "scan_file"]

#: File endings read as tables; anything else is read as text.
TABLE_SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".parquet"})
_PLACES_SHOWN = 20


@dataclass(frozen=True)
class ScanFinding:
    """One kind of identifier in one place: `where` is "text", "header", or a column's shown label."""

    kind: str
    where: str
    lines: tuple[int, ...] = ()  # line numbers (text) or data-row numbers (tables); header: column numbers

    def describe(self) -> str:
        shown = ", ".join(str(n) for n in self.lines[:_PLACES_SHOWN])
        more = f" and {len(self.lines) - _PLACES_SHOWN} more" if len(self.lines) > _PLACES_SHOWN else ""
        if self.where == "text":
            return f"{self.kind}: line{'s' if len(self.lines) > 1 else ''} {shown}{more}"
        if self.where == "header":
            return f"{self.kind} in the header: column{'s' if len(self.lines) > 1 else ''} {shown}{more}"
        return f"{self.kind} in column '{self.where}': row{'s' if len(self.lines) > 1 else ''} {shown}{more}"


@dataclass
class FileScan:
    """What the scan of one file found (kinds and places only)."""

    file: str
    read_as: str  # "text" or "table"
    findings: list[ScanFinding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.findings)

    def to_summary(self) -> str:
        if not self.findings:
            return f"{self.file}: no identifiers found (read as {self.read_as})"
        kinds = sorted({f.kind for f in self.findings}, key=IDENTIFIER_KINDS.index)
        lines = [f"{self.file}: identifiers found ({', '.join(kinds)}); values are not shown"]
        lines += [f"  {finding.describe()}" for finding in self.findings]
        lines += [f"  note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "file": self.file,
                "read_as": self.read_as,
                "found": self.found,
                "findings": [{"kind": f.kind, "where": f.where, "lines": list(f.lines)} for f in self.findings],
                "notes": self.notes,
            },
            ensure_ascii=False,
            indent=2,
        )


def scan_file(path: str | Path, *, as_table: bool | None = None, sheet: str | None = None) -> FileScan:
    """Scan a file for identifiers. `as_table` None: decided by the file's ending (see TABLE_SUFFIXES)."""
    path = Path(path)
    table = path.suffix.lower() in TABLE_SUFFIXES if as_table is None else as_table
    return _scan_table(path, sheet) if table else _scan_text(path)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataFileError.unreadable(path, exc, "a file") from None
    if b"\x00" in data[:65536]:
        raise DataFileError(path, "looks like a binary file; scan text (UTF-8), CSV, Excel (.xlsx) or Parquet")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(path, f"is not UTF-8 text (line {line}); save it as UTF-8 and scan again") from None


def _scan_text(path: Path) -> FileScan:
    text = _read_text(path)
    line_starts = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == ord("\n")) + 1
    by_kind: dict[str, set[int]] = {}
    for start, _end, kind in find_spans(text):
        line = int(np.searchsorted(line_starts, start, side="right")) + 1
        by_kind.setdefault(kind, set()).add(line)
    findings = [
        ScanFinding(kind, "text", tuple(sorted(by_kind[kind]))) for kind in IDENTIFIER_KINDS if kind in by_kind
    ]
    return FileScan(file=path.name, read_as="text", findings=findings)


def _scan_table(path: Path, sheet: str | None) -> FileScan:
    from dpup_eval.intake.reading import read_table

    raw = read_table(path, sheet=sheet)
    result = FileScan(file=path.name, read_as="table")
    labels = safe_labels(raw.header, "column")
    header_masks = scan_text(pd.Series(raw.header, dtype="string[pyarrow]")) if raw.header else {}
    for kind, mask in header_masks.items():
        columns = tuple(int(i) + 1 for i in np.flatnonzero(mask))
        if columns:
            result.findings.append(ScanFinding(kind, "header", columns))
    for position, name in enumerate(raw.frame.columns):
        masks = scan_text(raw.frame[name])
        label = labels[position] if position < len(labels) else f"column {position + 1}"
        for kind, mask in masks.items():
            rows = raw.row_numbers[np.asarray(mask, dtype=bool)]
            if len(rows):
                result.findings.append(ScanFinding(kind, label, tuple(int(r) for r in rows)))
    if raw.malformed:
        result.notes.append(
            f"{len(raw.malformed)} line(s) could not be split into columns; they were scanned as plain text"
        )
        result.findings += _scan_malformed(path, [m.row for m in raw.malformed])
    if raw.notes:  # notes can quote the file (a sheet's name): redact them like any text
        result.notes += [str(note) for note in redact_text(pd.Series(raw.notes, dtype=object))[0]]
    return result


def _scan_malformed(path: Path, rows: list[int]) -> list[ScanFinding]:
    """Malformed data lines, scanned as text (data line r is physical line r + 1, after the header)."""
    lines = _read_text(path).splitlines()
    texts = [lines[row] if 0 <= row < len(lines) else "" for row in rows]
    masks = scan_text(pd.Series(texts, dtype="string[pyarrow]"))
    return [
        ScanFinding(kind, "malformed lines", tuple(rows[i] for i in np.flatnonzero(mask)))
        for kind, mask in masks.items()
        if np.asarray(mask).any()
    ]
