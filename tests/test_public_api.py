"""The public surface is explicit, and importing the package stays cheap.

Written so that it holds whether `dpup_eval/__init__.py` imports its names eagerly or lazily (a module
`__getattr__`): names are fetched the way users fetch them (`from dpup_eval import X`, attribute access,
`import *`), never by listing what happens to be in the module's namespace already.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import dpup_eval

ROOT = Path(__file__).resolve().parents[1]
#: Where users are told what to call: the READMEs and the notebooks they run.
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "notebooks").rglob("*.md"))]
NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _is_subpackage(name: str) -> bool:
    return importlib.util.find_spec(f"dpup_eval.{name}") is not None


def _documented_names() -> dict[str, str]:
    """Top-level names users are shown (`dpup_eval.load(...)`, `from dpup_eval import load`), and where."""
    texts = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8") for path in DOCUMENTS}
    for path in NOTEBOOKS:
        cells = nbformat.read(path, as_version=4).cells
        texts[path.relative_to(ROOT).as_posix()] = "\n".join(cell.source for cell in cells)
    found: dict[str, str] = {}
    for where, text in texts.items():
        for name in re.findall(r"(?<![\w/])dpup_eval\.([A-Za-z]\w*)", text):
            found.setdefault(name, where)
        for names in re.findall(r"^\s*from dpup_eval import (?:\(([^)]*)\)|([^\n#]*))", text, re.MULTILINE):
            for name in re.split(r"[\s,]+", "".join(names).strip()):
                if name:
                    found.setdefault(name, where)
    return {name: where for name, where in found.items() if not _is_subpackage(name)}


@pytest.mark.parametrize("name", dpup_eval.__all__)
def test_every_exported_name_is_its_home_modules_object(name: str) -> None:
    """`dpup_eval.X` is the very class or function defined (and exported) in its home module."""
    exported = getattr(dpup_eval, name)
    assert inspect.isclass(exported) or inspect.isfunction(exported), f"{name} is a {type(exported)}"
    home = exported.__module__
    assert home.startswith("dpup_eval.") and home != "dpup_eval", f"{name} is defined in {home}"
    assert exported.__name__ == name
    module = importlib.import_module(home)
    assert getattr(module, name) is exported
    assert name in getattr(module, "__all__", [name]), f"{home}.__all__ does not list {name}"
    assert not any(part.startswith("_") for part in home.split(".")), f"{name} lives in a private module"


def test_all_has_no_repeats_and_is_listed_by_dir() -> None:
    assert len(set(dpup_eval.__all__)) == len(dpup_eval.__all__)
    assert set(dpup_eval.__all__) <= set(dir(dpup_eval))  # tab completion finds lazy names too


def test_star_import_gives_exactly_all_in_a_fresh_interpreter() -> None:
    code = (
        "import dpup_eval\n"
        "namespace = {}\n"
        "exec('from dpup_eval import *', namespace)\n"
        "namespace.pop('__builtins__')\n"
        "print(sorted(namespace) == sorted(dpup_eval.__all__))\n"
        "print(all(namespace[n] is getattr(dpup_eval, n) for n in dpup_eval.__all__))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True"], out.stderr


def test_every_name_the_documents_show_is_exported() -> None:
    documented = _documented_names()
    assert {"load", "Contract"} <= set(documented)  # the README's own examples are found
    missing = {name: where for name, where in documented.items() if name not in dpup_eval.__all__}
    assert not missing, f"documented but not in dpup_eval.__all__: {missing}"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        _ = dpup_eval.no_such_thing  # type: ignore[attr-defined]


def test_import_does_not_import_great_expectations() -> None:
    code = "import sys, dpup_eval; print('great_expectations' in sys.modules, 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_lazy_names_agree_with_the_type_checking_imports() -> None:
    """`_EXPORTS` (what `__getattr__` imports), the TYPE_CHECKING imports (what editors see) and `__all__`
    name the same things from the same modules, read from the source rather than trusted."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(dpup_eval.__file__).read_text("utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If))
    for_editors = {alias.name: node.module for node in guarded.body if isinstance(node, ast.ImportFrom)
                   for alias in node.names}  # fmt: skip
    assert for_editors == dpup_eval._EXPORTS
    assert set(dpup_eval._EXPORTS) == set(dpup_eval.__all__)


def test_every_public_name_imports_from_its_module_in_a_fresh_interpreter() -> None:
    code = (
        "import importlib, sys, dpup_eval\n"
        "assert 'dpup_eval.intake.loading' not in sys.modules\n"
        "for name, module in dpup_eval._EXPORTS.items():\n"
        "    assert getattr(dpup_eval, name) is getattr(importlib.import_module(module), name), name\n"
        "from dpup_eval import load, evaluate\n"
        "assert 'dpup_eval.intake.loading' in sys.modules\n"
        "try:\n"
        "    dpup_eval.not_a_name\n"
        "except AttributeError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "module 'dpup_eval' has no attribute 'not_a_name'"
