"""Shipped folders are found in a source checkout and in an installed package; missing extras are named.

The installed wheel itself is exercised end to end by `.ci/wheel_smoke.py` (run by `make test`); these
tests pin the lookup rules without building anything.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.errors import DpupEvalError
from dpup_eval.installation import (
    SHIPPED_ROOTS,
    MissingExtraError,
    ShippedFolderMissingError,
    require_extra,
    shipped_dir,
)

ROOT = Path(__file__).resolve().parents[1]


def test_a_source_checkout_uses_the_repository_folders() -> None:
    assert shipped_dir("data_contracts/best_foot_forward") == ROOT / "data_contracts" / "best_foot_forward"
    assert shipped_dir("dashboards") == ROOT / "dashboards"
    assert shipped_dir("notebooks/learn") == ROOT / "notebooks" / "learn"


def test_the_lookups_of_the_three_callers_use_it() -> None:
    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.learn.lab import course_notebook_dir
    from dpup_eval.workshop.server import dashboards_dir

    assert default_contract_dir() == ROOT / "data_contracts" / "best_foot_forward"
    assert dashboards_dir() == ROOT / "dashboards"
    assert course_notebook_dir() == ROOT / "notebooks" / "learn"


def _installed_layout(tmp_path: Path) -> Path:
    """site-packages/dpup_eval with the build's copies, and no repository around it."""
    package = tmp_path / "site-packages" / "dpup_eval"
    for name in ("data_contracts/best_foot_forward", "dashboards", "notebooks/learn"):
        (package / "shipped" / name).mkdir(parents=True)
    return package


def test_an_installed_package_uses_its_own_copies(tmp_path: Path) -> None:
    package = _installed_layout(tmp_path)
    assert shipped_dir("dashboards", package=package) == package / "shipped" / "dashboards"
    assert shipped_dir("notebooks/learn", package=package) == package / "shipped" / "notebooks" / "learn"


def test_the_copy_inside_the_package_wins_over_a_folder_beside_it(tmp_path: Path) -> None:
    """A stray `dashboards/` next to site-packages' dpup_eval must not replace the shipped pages."""
    package = _installed_layout(tmp_path)
    (package.parent / "dashboards").mkdir()
    assert shipped_dir("dashboards", package=package) == package / "shipped" / "dashboards"


def test_a_missing_folder_says_where_it_looked_and_what_to_do(tmp_path: Path) -> None:
    package = tmp_path / "site-packages" / "dpup_eval"
    package.mkdir(parents=True)
    with pytest.raises(ShippedFolderMissingError) as missing:
        shipped_dir("notebooks/learn", package=package)
    message = str(missing.value)
    assert isinstance(missing.value, DpupEvalError)
    assert str(package / "shipped" / "notebooks" / "learn") in message
    assert str(package.parent / "notebooks" / "learn") in message
    assert "reinstall" in message


@pytest.mark.parametrize("name", ["tests", "../etc", "/etc", "", "dpup_eval/templates"])
def test_only_shipped_folders_can_be_asked_for(name: str) -> None:
    with pytest.raises(ValueError, match="not a shipped folder"):
        shipped_dir(name)


def test_setup_py_copies_the_same_folders_the_lookup_knows() -> None:
    """setup.py is not importable (it runs the build), so its SHIPPED_ROOTS is read from its source."""
    tree = ast.parse((ROOT / "setup.py").read_text("utf-8"))
    value = next(
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(getattr(t, "id", None) == "SHIPPED_ROOTS" for t in getattr(node, "targets", [getattr(node, "target", None)]))
    )  # fmt: skip
    assert ast.literal_eval(value) == SHIPPED_ROOTS
    assert all((ROOT / root).is_dir() for root in SHIPPED_ROOTS)


def test_require_extra_names_the_extra_and_the_install_command() -> None:
    require_extra("test", ["pytest"], "the tests")  # installed: no error
    with pytest.raises(MissingExtraError) as missing:
        require_extra("workshop", ["pytest", "no_such_module_here"], "the workshop")
    assert missing.value.missing == ["no_such_module_here"]
    assert str(missing.value) == (
        "the workshop needs the 'workshop' extra, which is not installed (missing: no_such_module_here); "
        "install it with: pip install 'dpup_eval[workshop]'"
    )


@pytest.mark.parametrize(("command", "extra", "absent"), [
    (["workshop", "--port", "9", "--programme", str(default_contract_dir()), "--data", "evaluation.csv"], "workshop",
     "voila"),
    (["lab", "--no-browser", "--port", "9"], "course", "jupyterlab"),
])  # fmt: skip
def test_commands_without_their_extra_say_how_to_install_it(
    command: list[str], extra: str, absent: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As on a core-only install: the module cannot be found, so nothing is started or written."""
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == absent else real(name, *a))
    monkeypatch.chdir(tmp_path)
    from dpup_eval.cli.app import main

    assert main(command) == 2
    error = capsys.readouterr().err
    assert error.startswith("Error: ") and error.count("\n") == 1  # one line, no traceback
    assert f"(missing: {absent}); install it with: pip install 'dpup_eval[{extra}]'" in error
    assert list(tmp_path.iterdir()) == []  # no workshop-data/ or course folder was made
