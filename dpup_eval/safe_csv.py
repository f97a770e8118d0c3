"""The one CSV writer: files a spreadsheet can open safely, written atomically and owner-only.

Why: providers open the quarantine and accepted files in Excel. A cell such as ``=HYPERLINK(...)``,
``+cmd|...``, ``@SUM(...)`` or ``-2+3`` is run as a formula when the file is opened (CSV injection), and
a family's free text can hold exactly that. So every CSV the workbench writes goes through
:func:`write_csv`, which applies the OWASP rule:

* a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets one single quote
  ``'`` put in front, so a spreadsheet shows it as text and runs nothing;
* **except a plain number** (``-2``, ``+3.5``, ``-1e5``): a number cannot call a function or refer to a
  cell, and a negative value in a numeric column is data. Escaping it would turn ``-2`` into the text
  ``'-2``, which our own reader (and anyone else's) would then refuse as a number. ``-2+3`` is not a plain
  number and is escaped;
* a cell that itself starts with ``'`` also gets one more ``'``, so escaping can always be undone.

**Getting the original value back**: a cell starts with ``'`` exactly when it was escaped; remove that one
first character (:func:`unescape_cell`; in a spreadsheet ``=MID(A2,2,LEN(A2))`` on such cells). Nothing
else is changed: no other cell starts with ``'``.

The text is built column by column with Arrow compute functions and written straight from Arrow's buffers
(about three times faster than ``DataFrame.to_csv``): UTF-8 without BOM, ``\\n`` line ends, a field quoted
only when it holds the delimiter, a quote or a line break (as the csv module does), blanks as empty
fields, dates as YYYY-MM-DD.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dpup_eval.files import atomic_open

__all__ = ["FORMULA_STARTS", "escape_cell", "escape_formulas", "unescape_cell", "write_csv", "write_csv_to"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
_STARTS_RE = "^[=+\\-@\\t\\r']"
_NUMBER_RE = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(_NUMBER_RE)
_NEEDS_QUOTES = '[,"\\r\\n]'
_CHUNK_ROWS = 250_000


def escape_cell(text: str) -> str:
    """``text`` as it is written to a CSV cell: with a leading ``'`` if a spreadsheet could run it."""
    if text[:1] == ESCAPE or (text[:1] in FORMULA_STARTS and text[:1] and not _NUMBER.match(text)):
        return ESCAPE + text
    return text


def unescape_cell(text: str) -> str:
    """The original value of a cell written by :func:`write_csv` (undoes :func:`escape_cell`)."""
    return text[1:] if text[:1] == ESCAPE else text


def escape_formulas(values: pa.Array) -> pa.Array:
    """:func:`escape_cell` over a string array, vectorised."""
    starts = pc.fill_null(pc.match_substring_regex(values, _STARTS_RE), False)
    if not pc.any(starts).as_py():
        return values
    number = pc.fill_null(pc.match_substring_regex(values, _NUMBER_RE), False)
    needs = pc.and_(starts, pc.invert(number))
    escaped = pc.binary_join_element_wise(_scalar(ESCAPE, values.type), values, _scalar("", values.type))
    return pc.if_else(needs, escaped, values)


def _scalar(text: str, kind: pa.DataType | None = None) -> pa.Scalar:
    return pa.scalar(text, kind or pa.large_string())


def _as_text(series: pd.Series) -> pa.Array:
    """One column as a large_string array (nulls kept): numbers as written, dates as YYYY-MM-DD."""
    values = pa.array(series, from_pandas=True)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if pa.types.is_dictionary(values.type):
        values = values.dictionary_decode()
    if pa.types.is_timestamp(values.type):
        as_dates = pc.cast(values, pa.date32())
        midnight = pc.all(pc.equal(pc.cast(as_dates, values.type), values)).as_py()
        if midnight is not False:
            values = as_dates
        else:
            return pc.cast(pc.strftime(values, format="%Y-%m-%d %H:%M:%S"), pa.large_string())
    if pa.types.is_null(values.type):
        return pa.nulls(len(values), pa.large_string())
    return pc.cast(values, pa.large_string())


def _field_text(values: pa.Array, escape: bool) -> pa.Array:
    """CSV fields for one column: escaped, quoted when needed, blanks as empty text."""
    if escape:
        values = escape_formulas(values)
    needs = pc.fill_null(pc.match_substring_regex(values, _NEEDS_QUOTES), False)
    if pc.any(needs).as_py():
        doubled = pc.replace_substring(values, '"', '""')
        quoted = pc.binary_join_element_wise(_scalar('"'), doubled, _scalar('"'), _scalar(""))
        values = pc.if_else(needs, quoted, values)
    return pc.fill_null(values, _scalar(""))


def write_csv_to(
    out: IO[bytes],
    frame: pd.DataFrame,
    *,
    index: bool = False,
    verbatim: Mapping[tuple[int, str], str] | None = None,
    escape: bool = True,
) -> None:
    """Write ``frame`` as CSV to an open binary handle (see the module docstring for the format).

    ``index`` writes the index (named, e.g. ``row``) as the first column. ``verbatim`` maps (row position,
    column) to text written exactly as given, never quoted or escaped: only for making deliberately
    malformed test files (the demo's messy data). ``escape=False`` is for the same purpose.
    """
    if index:
        frame = frame.reset_index()
    verbatim = verbatim or {}
    header = [escape_cell(str(name)) if escape else str(name) for name in frame.columns]
    header_text = pa.array(header, pa.large_string())
    header_fields = _field_text(header_text, escape=False)
    out.write((",".join(header_fields.to_pylist()) + "\n").encode("utf-8"))
    by_column: dict[str, dict[int, str]] = {}
    for (row, column), text in verbatim.items():
        by_column.setdefault(column, {})[row] = text
    for start in range(0, len(frame), _CHUNK_ROWS):
        chunk = frame.iloc[start : start + _CHUNK_ROWS]
        fields = []
        for position, column in enumerate(frame.columns):
            values = _field_text(_as_text(chunk.iloc[:, position]), escape)
            here = {row - start: text for row, text in by_column.get(column, {}).items()
                    if 0 <= row - start < len(chunk)}
            if here:
                mask = np.zeros(len(chunk), dtype=bool)
                mask[list(here)] = True
                replacements = pa.array([here[row] for row in sorted(here)], pa.large_string())
                values = pc.replace_with_mask(values, pa.array(mask), replacements)
            fields.append(values)
        if not fields:
            out.write(b"\n" * len(chunk))
            continue
        lines = pc.binary_join_element_wise(*fields, _scalar(","))
        lines = pc.binary_join_element_wise(lines, _scalar(""), _scalar("\n"))
        offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
        out.write(memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]])


def write_csv(
    path: Path | str,
    frame: pd.DataFrame,
    *,
    index: bool = False,
    verbatim: Mapping[tuple[int, str], str] | None = None,
    escape: bool = True,
) -> Path:
    """Write ``frame`` to ``path`` as spreadsheet-safe CSV, atomically and owner-only; returns ``path``."""
    with atomic_open(path, "wb") as out:
        write_csv_to(out, frame, index=index, verbatim=verbatim, escape=escape)
    return Path(path)
