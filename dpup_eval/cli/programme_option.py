"""The `--programme` option every command shares, and how a command finds its programme.

A command works on the programme folder it is given (`--programme DIR`), or on the current folder when
that holds `programme.yaml`. It never falls back to the built-in demo: `dpup-eval demo ...` is how the
demo is asked for, so that an agency's command can never silently run on someone else's agreement.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dpup_eval.errors import DpupEvalError

__all__ = ["ContractAliasOpt", "ProgrammeOpt", "resolve_programme"]

ProgrammeOpt = Annotated[
    Path | None,
    typer.Option(
        "--programme",
        help="The programme folder: its contracts (one per purpose), indicators and programme.yaml. "
        "Default: the current folder, when it holds programme.yaml.",
    ),
]
#: The option's old name, kept so existing scripts keep working; it takes a programme folder too.
ContractAliasOpt = Annotated[Path | None, typer.Option("--contract", hidden=True)]


def resolve_programme(programme: Path | None, contract: Path | None = None):  # -> Programme
    """The programme a command works on (see the module docstring); a clear `Error:` when there is none."""
    from dpup_eval.agreement.programme import SETTINGS_FILE, Programme, is_programme_folder

    given = programme or contract
    if given is not None:
        if Path(given).is_file():
            raise DpupEvalError(
                f"{given} is a file: give the programme's folder (the one holding {SETTINGS_FILE} and the "
                "contracts)"
            )
        return Programme.load(given)
    here = Path.cwd()
    if not is_programme_folder(here):
        raise DpupEvalError(
            f"no programme: give --programme DIR (a folder with {SETTINGS_FILE}, its contracts and "
            "indicators), or run the command inside one. `dpup-eval init DIR --data FILE` makes one from a "
            "data file; `dpup-eval demo ...` runs the built-in demo."
        )
    return Programme.load(here)
