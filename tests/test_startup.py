"""Fast to start: `import dpup_eval` and the commands that compute no findings load only what they use.

Each case runs in a fresh interpreter (``sys.modules`` of this test process is full of everything) and
reports which modules it loaded. Speed itself is measured in ``benchmarks/bench_startup.py``, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: What a command that computes no findings must not load: the statistics stack, charts, the quality
#: engine, the findings engine, Jupyter.
HEAVY = ("scipy", "plotly", "great_expectations", "dpup_eval.findings", "dpup_eval.workshop", "ipywidgets",
         "jupyter_server", "IPython")
#: `notice` scores readability with textstat, which imports all of NLTK, and NLTK imports scipy.stats
#: (nltk.metrics.association). That is textstat's dependency, not ours: allowed only alongside nltk.
VIA_NLTK = {"scipy"}

PROBE = """
import io, json, sys, contextlib
args = json.loads(sys.argv[1])
if args is None:
    import dpup_eval
else:
    from dpup_eval.cli import main
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(args)
    assert code in (0, 1), f"the command failed with exit code {code}"
print(json.dumps(sorted(sys.modules)))
"""


def loaded(args: list[str] | None, tmp_path: Path) -> set[str]:
    """The modules a fresh interpreter holds after ``import dpup_eval`` (None) or after running the command."""
    env = {**os.environ, "DPUP_EVAL_HOME": str(tmp_path / "home"), "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, check=False)
    assert out.returncode == 0, out.stderr[-3000:]
    return set(json.loads(out.stdout))


def heavy_in(modules: set[str]) -> list[str]:
    return sorted(h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules))


def test_import_dpup_eval_loads_nothing_but_itself(tmp_path: Path) -> None:
    modules = loaded(None, tmp_path)
    third_party = {m.split(".")[0] for m in modules} - set(sys.stdlib_module_names) - {"dpup_eval", "__main__"}
    # An editable install's import hook and setuptools' distutils shim are the interpreter's, not ours.
    assert {m for m in third_party if not m.startswith(("__editable__", "_distutils_hack"))} == set()
    assert {m for m in modules if m.startswith("dpup_eval")} == {"dpup_eval"}


def test_help_loads_only_the_command_line(tmp_path: Path) -> None:
    modules = loaded(["--help"], tmp_path)
    assert not heavy_in(modules)
    assert not {"pandas", "numpy", "pydantic", "yaml", "pyarrow", "jsonschema"} & {m.split(".")[0] for m in modules}
    # The command modules (thin: they import the library inside each command) and the errors, nothing else.
    ours = {m for m in modules if m.startswith("dpup_eval.")}
    assert {m for m in ours if not m.startswith("dpup_eval.cli")} <= {"dpup_eval.errors"}


@pytest.mark.parametrize(
    "args",
    [["audit", "verify"], ["audit", "summary"], ["uses", "list"], ["request", "list"],
     ["notice", "--programme", "DEFAULT", "--audience", "child", "--format", "md"], ["request", "--help"], ["uses", "--help"]],
    ids=lambda a: " ".join(a),
)  # fmt: skip
def test_commands_that_compute_no_findings_load_no_heavy_module(args: list[str], tmp_path: Path) -> None:
    # (`contract validate` is not here: validating a programme checks its indicators, which are findings code.)
    if "DEFAULT" in args:  # the demo programme's folder
        from dpup_eval.agreement.contract import default_contract_dir

        args = [str(default_contract_dir()) if a == "DEFAULT" else a for a in args]
    modules = loaded(args, tmp_path)
    heavy = set(heavy_in(modules))
    if "nltk" in modules:
        heavy -= VIA_NLTK
    assert not heavy, f"dpup-eval {' '.join(args)} loaded {sorted(heavy)}"
    assert "pandas" not in modules


@pytest.mark.slow
def test_the_probe_sees_heavy_modules(tmp_path: Path) -> None:
    """It can fail: a command that does compute findings shows the findings engine and the statistics."""
    from dpup_eval.agreement.contract import default_contract_dir

    contract = default_contract_dir()
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "dpup_eval.cli", "demo-data", str(data)], check=True,
                   capture_output=True, env={**os.environ, "DPUP_EVAL_HOME": str(tmp_path / "home")})
    modules = loaded(["evaluate", str(data / "evaluation.csv"), "--purpose", "evaluation", "--contract",
                      str(contract)], tmp_path)
    assert {"scipy", "dpup_eval.findings", "great_expectations"} <= set(heavy_in(modules))
