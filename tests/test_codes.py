"""The one error vocabulary: every problem code is declared once in `dpup_eval.codes`, used by reference,
and listed in the README; every exception a user can meet is listed too.

Read from the source (ast), not by running it, so a code that only an error path would produce is
caught as well.
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from dpup_eval import codes
from dpup_eval.codes import CODES, EXCEPTIONS, Code

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dpup_eval"
REGISTRY = PACKAGE / "codes.py"

#: Calls whose argument is a problem code: (callee name, positional index or keyword).
CODE_ARGUMENTS = {
    "Problem": ("code", None), "LineProblem": ("code", 1), "CheckSpec": ("code", 1),
    "dataset": ("code", 0), "rows": ("code", 0), "AuditProblem": ("kind", None), "report": ("kind", 2),
}


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py")) if p != REGISTRY]


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            ids.add(id(body[0].value))
    return ids


def _callee(node: ast.Call) -> str:
    f = node.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def test_no_code_is_written_as_a_literal() -> None:
    """A code spelt out (``"blank-required"``), or made up (``f"identifier-{kind}"``), anywhere but the registry."""
    kebab = {c for c in CODES if "-" in c}  # single words (audit's "edited") are checked at their call sites
    found = []
    for path, tree in _modules():
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in kebab and id(node) not in docs:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                    and any(str(node.values[0].value).startswith(c.split("-")[0] + "-") for c in kebab):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: a code made up in an f-string")
            if isinstance(node, ast.Call) and _callee(node) in CODE_ARGUMENTS:
                keyword, position = CODE_ARGUMENTS[_callee(node)]
                given = [k.value for k in node.keywords if k.arg == keyword]
                if position is not None and len(node.args) > position:
                    given.append(node.args[position])
                for arg in given:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: code {arg.value!r} as a literal")
    assert found == [], "refer to dpup_eval.codes instead:\n" + "\n".join(found)


def test_every_declared_code_is_used() -> None:
    constants = {name for name, value in vars(codes).items() if isinstance(value, Code)}
    used: set[str] = set()
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                used.add(node.id)
            elif isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.alias):
                used.add(node.asname or node.name)
    # Identifier codes are reached by kind (`identifier_code("phone")`), from the scanner's kinds.
    from dpup_eval.intake.identifier_checks import IDENTIFIER_WORDS

    if "identifier_code" in used:
        used |= {name for name in constants if getattr(codes, name).startswith("identifier-")
                 and getattr(codes, name).removeprefix("identifier-") in IDENTIFIER_WORDS}
    assert sorted(constants - used) == [], "declared but never used: remove them or use them"


def test_codes_are_declared_once_in_kebab_case_with_a_heading_and_template() -> None:
    constants = [value for value in vars(codes).values() if isinstance(value, Code)]
    assert len(constants) == len(CODES) == len(set(CODES))
    for code in CODES.values():
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", code), code
        assert code.heading and code.heading[0].isupper() and not code.heading.endswith("."), code
        fields = {f for _, f, _, _ in string.Formatter().parse(code.template) if f}
        assert code.message(**dict.fromkeys(fields, "X")), code


def test_a_code_is_its_string() -> None:
    """Reports, JSON and comparisons see the plain code; it pickles (worker processes) as itself."""
    import pickle

    assert codes.BLANK_REQUIRED == "blank-required"
    assert json.dumps({"code": codes.BLANK_REQUIRED}) == '{"code": "blank-required"}'
    again = pickle.loads(pickle.dumps(codes.OUT_OF_RANGE))
    assert again == "out-of-range" and again.heading == codes.OUT_OF_RANGE.heading
    assert codes.OUT_OF_RANGE.message(field="age", bounds="from 0 to 5") == "age must be from 0 to 5"
    assert codes.K_ANONYMITY.message(groups=2, people=3, k=5, fields="region, age_band") == (
        "2 group(s) with 3 people in all have fewer than 5 people sharing region, age_band; combine categories "
        "or hold these rows back before sending")
    with pytest.raises(KeyError):
        codes.OUT_OF_RANGE.message(field="age")


def test_identifier_codes_cover_every_kind_the_scanner_finds() -> None:
    from dpup_eval.intake.identifier_checks import IDENTIFIER_WORDS

    assert {codes.identifier_code(kind) for kind in IDENTIFIER_WORDS} == \
        {c for c in CODES.values() if c.startswith("identifier-")}


def _dpup_errors() -> dict[str, str]:
    """Every subclass of DpupEvalError declared in the package: class name -> module."""
    classes: dict[str, tuple[str, list[str]]] = {}
    for path, tree in _modules():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases = [ast.unparse(b).split("[")[0].split(".")[-1] for b in node.bases]
                classes[node.name] = (module, bases)
    errors = {"DpupEvalError"}
    grew = True
    while grew:
        before = len(errors)
        errors |= {name for name, (_, bases) in classes.items() if errors & set(bases)}
        grew = len(errors) > before
    return {name: classes[name][0] for name in errors}


def test_every_user_facing_exception_is_listed() -> None:
    declared = _dpup_errors()
    assert {name: doc.module for name, doc in EXCEPTIONS.items()} == declared


def _readme_table(heading: str) -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(heading)
    rows = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith("#"):
            break
        if line.startswith("| ") and not line.startswith("| ---"):
            rows.append([cell.strip().strip("`") for cell in line.strip("|").split("|")])
    return rows[1:]  # without the header row


def test_the_readme_lists_every_code_as_declared() -> None:
    assert _readme_table("### Problem codes") == [[c, c.area, c.heading, c.template] for c in CODES.values()]


def test_every_template_says_what_is_wrong_beyond_its_fields() -> None:
    """A template that is only a placeholder (``"{detail}"``) leaves each call site to word the problem its own
    way: the registry then says nothing a person can read. Each template has words of its own (what is wrong),
    with the place and the particulars as named fields."""
    for code in CODES.values():
        words = " ".join(text for text, _, _, _ in string.Formatter().parse(code.template))
        assert len(words.split()) >= 1, f"{code}: {code.template!r}"


def test_the_readme_lists_every_exception() -> None:
    assert _readme_table("### Errors a command can report") == [
        [e.name, e.module, e.title] for e in EXCEPTIONS.values()
    ]
