"""What several commands share: progress on stderr, dates typed on the command line, the audit log option.

One copy each, so every command words a bad date the same way and every ``--log`` means the same file.
Imports nothing heavy (``tests/test_startup.py``): the library is imported inside the commands.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["LogOpt", "parse_day", "say"]

LogOpt = Annotated[Path | None, typer.Option("--log", help="The audit log. Default: $DPUP_EVAL_HOME/audit.jsonl.")]


def say(message: str) -> None:
    """Progress for people, on stderr so that stdout stays machine-readable."""
    print(message, file=sys.stderr, flush=True)


def parse_day(text: str | None, name: str) -> date:
    """A date typed as 2025-03-31 (today when not given); a usage error naming the option otherwise."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{name} must be a date like 2025-03-31, not {text!r}") from None
