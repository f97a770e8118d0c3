"""`dpup-eval scan FILE`: the identifier scan alone, on any text or table file.

A provider's privacy officer checks a story or a letter before sending it. Exit 0: nothing found; exit 1:
identifiers found (kinds and places are printed, never the values); exit 2: the file could not be read.
Register with :func:`register` (kept out of `cli/app.py` to keep that file thin).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["register", "scan"]


def scan(
    file: Annotated[Path, typer.Argument(help="The file to check: any UTF-8 text, or a table (CSV, Excel, Parquet).")],
    as_text: Annotated[
        bool, typer.Option("--as-text", help="Read the file as plain text even if it ends in .csv/.xlsx/.parquet.")
    ] = False,
    as_table: Annotated[
        bool, typer.Option("--as-table", help="Read the file as a CSV table whatever its ending.")
    ] = False,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Which sheet of an Excel workbook to scan.")] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the findings (kinds and places) as JSON here.")
    ] = None,
) -> None:
    """Look for NZ identifiers (NHI, IRD, phone, email, address, date of birth, people's names) in a file.

    Prints what kinds were found and where (lines, or columns and rows), never the values.
    Exit 0: nothing found. Exit 1: identifiers found. Exit 2: could not run.
    """
    from dpup_eval.files import write_text
    from dpup_eval.intake.file_scan import scan_file

    if as_text and as_table:
        raise typer.BadParameter("choose one of --as-text and --as-table")
    print(f"Scanning {file.name} for identifiers ...", file=sys.stderr, flush=True)
    result = scan_file(file, as_table=True if as_table else False if as_text else None, sheet=sheet)
    if json_out:
        write_text(json_out, result.to_json())  # atomic, owner-only: it says where identifiers are
    print(result.to_summary())
    raise typer.Exit(1 if result.found else 0)


def register(app: typer.Typer) -> None:
    """Add `scan` to the `dpup-eval` command."""
    app.command("scan")(scan)
