"""Options declared once for several commands (cli/common.py `OptionGroup` + `grouped`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import typer
from typer.testing import CliRunner

from dpup_eval.cli.common import OptionGroup, grouped

ColourOpt = Annotated[str, typer.Option("--colour", help="A colour.")]
SizeOpt = Annotated[int, typer.Option("--size", help="A size.")]


@dataclass(frozen=True)
class Shape(OptionGroup):
    colour: ColourOpt = "red"
    size: SizeOpt = 3


app = typer.Typer()
seen: list[tuple[str, Shape, bool]] = []


@app.command("draw")
@grouped
def draw(name: Annotated[str, typer.Argument(help="What to draw.")], *, shape: Shape,
         filled: Annotated[bool, typer.Option("--filled", help="Fill it.")] = False) -> None:
    """Draw a thing."""
    seen.append((name, shape, filled))


@app.command("erase")
@grouped
def erase(*, shape: Shape) -> None:
    """Erase a thing."""
    seen.append(("", shape, False))


def test_a_group_s_options_reach_the_command_as_one_object_with_their_defaults() -> None:
    runner = CliRunner()
    seen.clear()
    assert runner.invoke(app, ["draw", "box", "--size", "7", "--filled"]).exit_code == 0
    assert runner.invoke(app, ["erase", "--colour", "blue"]).exit_code == 0
    assert seen == [("box", Shape("red", 7), True), ("", Shape("blue", 3), False)]


def test_each_command_s_help_lists_the_group_s_options_with_their_help_and_its_own_docstring() -> None:
    runner = CliRunner()
    for command in ("draw", "erase"):
        shown = runner.invoke(app, [command, "--help"]).output
        assert "--colour" in shown and "A colour." in shown and "--size" in shown and "A size." in shown
    drawn = runner.invoke(app, ["draw", "--help"]).output
    assert "Draw a thing." in drawn and "--filled" in drawn
    assert runner.invoke(app, ["draw", "box", "--size", "big"]).exit_code == 2  # typer still checks the type
