"""The house's one-way dependencies: each stage imports only the stages before it.

agreement <- intake <- findings <- workshop; rights beside findings; learn and demo on top of what they
teach or demonstrate; the command line over everything. The base (`errors`, `paths`, `audit`, and the
`records` package: the database layer the workshop record and both registers keep their records with)
may be imported by every part and imports none of them. Every import in `dpup_eval/` is read with `ast`
(module level and inside functions alike), so a lazy import cannot hide a wrong direction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "dpup_eval"

BASE = {"audit", "audit_seal", "codes", "errors", "files", "installation", "paths", "records", "safe_csv"}
#: What each part may import besides itself and the base modules.
ALLOWED: dict[str, set[str]] = {
    "base": set(),
    "agreement": set(),
    "intake": {"agreement"},
    "findings": {"intake", "agreement"},
    "rights": {"intake", "agreement"},
    # Not demo: only `dpup-eval demo ...` (the cli) may use the demo programme.
    "workshop": {"findings", "intake", "agreement", "rights"},
    "demo": {"agreement", "intake", "rights"},
    "learn": {"findings", "intake", "agreement", "demo"},
    "cli": {"findings", "intake", "agreement", "rights", "workshop", "learn", "demo"},
    "package": {"findings", "intake", "agreement", "rights", "workshop", "learn", "demo", "cli"},
}


def part_of(module: str) -> str:
    """`dpup_eval.intake.loading` -> `intake`; `dpup_eval.errors` -> `base`; `dpup_eval` -> `package`."""
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    if parts[1] in ALLOWED:
        return parts[1]
    if parts[1] in BASE:
        return "base"
    raise AssertionError(f"{module} belongs to no part of the house; add it to ALLOWED or BASE")


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every `dpup_eval...` module the file imports, anywhere in it."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("dpup_eval"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "dpup_eval":
                # `from dpup_eval import learn` names a subpackage; `import load` the public API.
                found.update(
                    f"dpup_eval.{alias.name}" if alias.name in ALLOWED or alias.name in BASE else "dpup_eval"
                    for alias in node.names
                )
            elif node.module.startswith("dpup_eval"):
                found.add(node.module)
    return found


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_belongs_to_a_part() -> None:
    for path in sources():
        part_of(module_name(path))


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_one_way(path: Path) -> None:
    here = part_of(module_name(path))
    allowed = ALLOWED[here] | {here, "base"}
    wrong = sorted(m for m in imported_modules(path) if part_of(m) not in allowed)
    assert not wrong, f"{path.relative_to(PACKAGE)} ({here}) may not import {wrong}"


def test_the_checker_sees_a_wrong_direction(tmp_path: Path) -> None:
    """The test can fail: an intake module importing findings, even lazily, is caught."""
    fake = tmp_path / "loading.py"
    fake.write_text("def f():\n    from dpup_eval.findings.evaluation import evaluate\n", "utf-8")
    assert imported_modules(fake) == {"dpup_eval.findings.evaluation"}
    assert part_of("dpup_eval.findings.evaluation") not in ALLOWED["intake"]
