"""The public surface is explicit, and importing the package stays cheap."""

from __future__ import annotations

import subprocess
import sys

import dpup_eval


def test_all_matches_exports() -> None:
    exported = {name for name in dir(dpup_eval) if not name.startswith("_")}
    modules = {name for name in exported if type(getattr(dpup_eval, name)).__name__ == "module"}
    assert set(dpup_eval.__all__) == exported - modules
    for name in dpup_eval.__all__:
        assert getattr(dpup_eval, name) is not None


def test_import_does_not_import_great_expectations() -> None:
    code = "import sys, dpup_eval; print('great_expectations' in sys.modules, 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
