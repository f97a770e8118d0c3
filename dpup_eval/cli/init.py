"""`dpup-eval init DIR --data FILE`: a new programme folder, drafted from one data file."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["init", "register"]


def init(
    folder: Annotated[Path, typer.Argument(help="The new programme's folder (must not exist yet, or be empty).")],
    data: Annotated[Path, typer.Option("--data", help="A data file to profile (CSV, Excel or Parquet).")],
    purpose: Annotated[str, typer.Option("--purpose", help="What the data would be shared for (lower case, "
                                         "e.g. evaluation).")] = "evaluation",
    recipient: Annotated[str | None, typer.Option("--recipient", help="The part of the agency that would "
                                                  "receive it (else left for people to settle).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="The programme's name (else left to settle).")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Which sheet of an Excel workbook.")] = None,
) -> None:
    """Profile a data file into a new programme: draft contract, draft indicators, settings and a README.

    Nothing in it is agreed yet: every command refuses the folder, listing what is left to settle,
    until people have settled it (README.md in the folder says what and how).
    """
    from dpup_eval.intake.programme_draft import draft_programme

    try:
        drafted = draft_programme(folder, data, purpose=purpose, recipient=recipient, name=name, sheet=sheet)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    flagged = [c.name for c in drafted.columns if c.role == "suspected_identifier"]
    for path in (drafted.contract, drafted.indicators, drafted.settings, drafted.readme):
        print(path)
    print(f"Profiled {drafted.rows} rows and {len(drafted.columns)} columns; drafted {drafted.indicator_count} "
          f"indicator(s). Read {drafted.readme} for what to settle, then run "
          f"`dpup-eval contract validate {drafted.folder}`.", file=sys.stderr)
    if flagged:
        print(f"{len(flagged)} column(s) look identifying and must not be shared: {', '.join(flagged)}.",
              file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add `init` to the main app."""
    app.command("init")(init)
