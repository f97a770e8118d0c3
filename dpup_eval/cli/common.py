"""What several commands share: progress on stderr, dates typed on the command line, the audit log option,
and groups of options declared once for every command that takes them.

One copy each, so every command words a bad date the same way and every ``--log`` means the same file.
Imports nothing heavy (``tests/test_startup.py``): the library is imported inside the commands.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

__all__ = ["LogOpt", "OptionGroup", "grouped", "parse_day", "say"]

R = TypeVar("R")

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


class OptionGroup:
    """Base of a dataclass whose fields are typer options (``name: SomeOpt = default``) that several
    commands take together. A command names the group once as a keyword-only parameter and is wrapped
    in :func:`grouped`; it receives one instance with every value."""


def grouped(command: Callable[..., R]) -> Callable[..., R]:
    """The command with each :class:`OptionGroup` parameter spread into the group's own options.

    Why: typer reads options from the function's signature, so commands taking the same options listed
    them again, with the same help text, each time. Here the options are declared once (on the group) and
    the signature typer reads is built from it; the command itself receives the group as one object.
    """
    hints = typing.get_type_hints(command, include_extras=True)
    parameters: list[inspect.Parameter] = []
    groups: dict[str, tuple[type[Any], list[str]]] = {}
    for parameter in inspect.signature(command).parameters.values():
        kind = hints.get(parameter.name, parameter.annotation)
        if isinstance(kind, type) and issubclass(kind, OptionGroup) and dataclasses.is_dataclass(kind):
            options = typing.get_type_hints(kind, include_extras=True)
            names = [f.name for f in dataclasses.fields(kind)]
            parameters += [inspect.Parameter(f.name, inspect.Parameter.KEYWORD_ONLY, default=f.default,
                                             annotation=options[f.name]) for f in dataclasses.fields(kind)]
            groups[parameter.name] = (kind, names)
        else:
            parameters.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=kind))

    @functools.wraps(command)
    def run(**values: Any) -> R:
        for name, (kind, names) in groups.items():
            values[name] = kind(**{option: values.pop(option) for option in names})
        return command(**values)

    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    return run
