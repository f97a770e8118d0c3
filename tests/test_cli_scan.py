"""`dpup-eval scan`: kinds and places only, exit 1 when found. One test runs the installed entry point;
the others call the same `main()` in this process (each fresh process pays the imports again)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest

from dpup_eval.cli.app import main

PHONE = phonenumbers.format_number(
    phonenumbers.example_number_for_type("NZ", phonenumbers.PhoneNumberType.MOBILE),
    phonenumbers.PhoneNumberFormat.NATIONAL,
)
NHI = "ZAC5361"  # python-nhi's published example
LETTER = f"""Kia ora,

Tama loved the sessions and wants to keep going.
You can ring me on {PHONE} after 5.

His NHI is {NHI.lower()} if the nurse needs it.
Ngā mihi
"""


def dpup_eval(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("dpup-eval")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "dpup_eval.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=os.environ.copy(),
                          stdin=subprocess.DEVNULL, timeout=300)


def test_a_letter_with_identifiers(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text(LETTER, encoding="utf-8")
    done = dpup_eval("scan", str(letter), "--json", str(tmp_path / "found.json"), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "phone: line 4" in done.stdout
    assert "name: line 3" in done.stdout
    assert "nhi: line 6" in done.stdout
    shown = done.stdout + done.stderr + (tmp_path / "found.json").read_text(encoding="utf-8")
    for value in (PHONE, PHONE.replace(" ", ""), NHI, NHI.lower(), "Tama"):
        assert value not in shown
    found = json.loads((tmp_path / "found.json").read_text(encoding="utf-8"))
    assert found["found"] and {f["kind"] for f in found["findings"]} == {"name", "phone", "nhi"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out.out, out.err)


def test_a_clean_story_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = tmp_path / "story.txt"
    story.write_text("The group helped us set a bedtime routine. Ka pai to the team!\n", encoding="utf-8")
    done = run(capsys, "scan", str(story))
    assert done.returncode == 0, done.stderr
    assert "no identifiers found" in done.stdout


def test_a_csv_with_identifiers_in_cells_and_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    table = tmp_path / "notes.csv"
    table.write_text(
        f"ref,notes,{PHONE}\nP-1,fine,\nP-2,Ring {PHONE} please,\nP-3,ok,x\n", encoding="utf-8"
    )
    done = run(capsys, "scan", str(table))
    assert done.returncode == 1, done.stderr
    assert "phone in column 'notes': row 2" in done.stdout
    assert "phone in the header: column 3" in done.stdout
    assert PHONE not in done.stdout + done.stderr
    as_text = run(capsys, "scan", str(table), "--as-text")
    assert as_text.returncode == 1 and "phone: lines 1, 3" in as_text.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "no such file"), (b"\xff\xfe\x00\x01binary", "binary"), (b"caf\xe9\n", "not UTF-8")],
)
def test_files_that_cannot_be_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    path = tmp_path / "file.txt"
    if content is not None:
        path.write_bytes(content)
    done = run(capsys, "scan", str(path))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith("Error:") and message in done.stderr
    assert "Traceback" not in done.stderr


def test_help_describes_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    done = run(capsys, "scan", "--help")
    assert done.returncode == 0 and "never the values" in " ".join(done.stdout.split())
    assert "--as-text" in done.stdout and "--json" in done.stdout
