"""Every command, given bad input through the real entry point, answers with one `Error:` line (exit 2).

Not a built-in exception's fallback line ("a problem it did not expect"), not a traceback: the library
raises the project's own errors (`dpup_eval.codes.EXCEPTIONS`) for what a user can get wrong. The list of
commands is read from the command tree, so a new command without a case here fails the test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from dpup_eval.cli import main
from dpup_eval.cli.app import app

MISSING = "/nonexistent/dpup-eval/none.csv"

# Commands that start a long-running server or program; what they refuse is tested with them
# (tests/test_lab.py, tests/test_workshop_server.py). `demo programme` and `contract roles` take no input.
NOT_DRIVEN = {"lab", "demo workshop", "demo programme", "demo check", "contract roles"}


def _cases(empty: Path, not_a_folder: Path) -> dict[str, list[str]]:
    """Bad input for each command: a programme folder with nothing in it, files that do not exist,
    numbers of things that were never recorded."""
    p = ["--programme", str(empty)]
    return {
        "check": [MISSING, "--purpose", "evaluation", *p],
        "evaluate": [MISSING, "--purpose", "evaluation", *p],
        "init": [str(empty / "new"), "--data", MISSING],
        "notice": p,
        "scan": [MISSING],
        "tender-pack": [str(empty / "pack"), "--title", "t", *p],
        "demo-data": [str(not_a_folder)],
        "contract draft": [MISSING, "--purpose", "evaluation", "--recipient", "someone"],
        "contract validate": [str(empty)],
        "contract checked": [str(not_a_folder), *p],  # not a check report
        "contract diff": [MISSING, str(empty)],
        "contract hints": p,
        "audit verify": ["--log", str(not_a_folder / "audit.log")],
        "audit checkpoint": ["--log", str(not_a_folder / "audit.log")],
        "audit summary": ["--log", str(not_a_folder)],  # a file that is not an audit log
        "request new": ["family-1", "--register", str(not_a_folder / "r.sqlite")],
        "request list": ["--register", str(not_a_folder / "r.sqlite")],
        "request compile": ["999", "--key-map", MISSING, "--sent", f"evaluation={MISSING}", "--out",
                            str(empty / "pack.html"), *p],
        "request answer": ["999", "--register", str(not_a_folder / "r.sqlite")],
        "request correct": ["999", "--purpose", "evaluation", "--field", "x", "--key-map", MISSING, "--sent",
                            f"evaluation={MISSING}", *p],
        "request demo-key-map": [str(not_a_folder / "key.csv")],
        "uses add": ["--what", "a report", "--summary", "s", *p],
        "uses list": ["--uses", str(not_a_folder / "u.sqlite")],
        "uses export": ["--out", str(empty / "u.csv"), *p],
        "workshop": ["--data", MISSING, *p],
        "workshop export": [str(empty / "w.zip"), "--db", str(not_a_folder / "w.sqlite")],
        "workshop import": [MISSING, "--db", str(empty / "w.sqlite")],
        "stories record": ["--family", "f", "--domain", "d", *p],
        "stories show": ["1", "--stories", str(not_a_folder / "s.sqlite")],
        "stories sheet": ["1", "--out", str(empty / "s.html"), *p],
        "stories export": [str(empty / "s.csv"), "--level", "workshop", *p],
        "stories list": ["--stories", str(not_a_folder / "s.sqlite")],
        "stories review": ["1", "--approve", "--stories", str(not_a_folder / "s.sqlite")],
        "stories reword": ["1", "--reason", "r", *p],
        "stories choose": ["1", "workshop", "--stories", str(not_a_folder / "s.sqlite")],
        "stories withdraw": ["1", "--stories", str(not_a_folder / "s.sqlite")],
        "stories question": p,
        "releases": p,
        "releases attack": p,
        "demo data": [str(not_a_folder)],
        "demo key-map": [str(not_a_folder / "key.csv")],
    }


def _commands() -> list[str]:
    """Every command a user can run, as its words ("request new"); a group that runs itself included."""
    found: list[str] = []

    def walk(command: Any, words: list[str]) -> None:  # typer's own click: a group is what has commands
        if hasattr(command, "commands"):
            if command.invoke_without_command and words:
                found.append(" ".join(words))
            for name, sub in command.commands.items():
                walk(sub, [*words, name])
        else:
            found.append(" ".join(words))

    walk(typer.main.get_command(app), [])
    return found


@pytest.fixture
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("DPUP_EVAL_HOME", str(home / "dpup"))
    monkeypatch.setenv("DPUP_EVAL_ACTOR", "tester")
    empty = tmp_path / "empty"
    empty.mkdir()
    not_a_folder = tmp_path / "a-file"
    not_a_folder.write_text("not a folder\n", encoding="utf-8")
    monkeypatch.chdir(empty)
    return empty, not_a_folder


def test_every_command_has_a_bad_input_case(places: tuple[Path, Path]) -> None:
    cases = _cases(*places)
    commands = set(_commands())
    assert commands - set(cases) - NOT_DRIVEN == set(), "add a bad-input case for the new command(s)"
    assert set(cases) - commands == set(), "a case names a command that no longer exists"


@pytest.mark.parametrize("command", sorted(set(_commands()) - NOT_DRIVEN))
def test_bad_input_gives_one_error_line(command: str, places: tuple[Path, Path],
                                        capsys: pytest.CaptureFixture[str]) -> None:
    argv = [*command.split(), *_cases(*places)[command]]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2, f"{argv}: exit {code}, stderr {err!r}"
    # Progress lines may come first; then one `Error:` line (a list of problems follows it, indented).
    lines = err.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("Error: ")]
    assert len(starts) == 1 and all(line.startswith("  ") for line in lines[starts[0] + 1:]), err
    assert "did not expect" not in err, f"a built-in exception reached the user from {command}: {err}"
    assert "Traceback" not in err
