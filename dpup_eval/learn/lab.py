"""`dpup-eval lab`: JupyterLab on the course notebooks, with the demo data ready.

The learner works in their own folder (``dpup-eval-course/`` in the current directory by default):
the course notebooks are *copied* there, so the committed originals are never changed, and a
notebook the learner already has is never overwritten (their work stays theirs; delete a copy to
get a fresh one). The course's demo data is generated into ``demo-data/`` beside the copies.

JupyterLab listens on 127.0.0.1 only, and is told not to reach out to the internet: no news feed,
no update check, no extension installs from PyPI. It refuses to run as root unless asked, so
``--allow-root`` is added when running as root (as in a container).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from dpup_eval.demo.generator import DemoFiles, DemoOptions, write_demo_data
from dpup_eval.errors import DpupEvalError
from dpup_eval.files import private_dir, write_bytes
from dpup_eval.installation import require_extra, shipped_dir

__all__ = [
    "COURSE_DEMO",
    "COURSE_MESSY",
    "DEFAULT_COURSE_DIR",
    "course_notebook_dir",
    "demo_files",
    "lab_command",
    "prepare_course",
    "run_lab",
]

#: Where the learner's copies go, relative to the current directory.
DEFAULT_COURSE_DIR = Path("dpup-eval-course")
_HOST = "127.0.0.1"
#: What the course needs from the course extra (JupyterLab with a Python kernel).
COURSE_MODULES = ("jupyterlab", "ipykernel")
#: The course's demo data: small, so each notebook runs in seconds.
COURSE_DEMO = DemoOptions(families=300)
#: The same programme with known problems planted (notebook 2).
COURSE_MESSY = DemoOptions(families=300, messy=True)


def demo_files(folder: str | Path = "demo-data", messy: bool = False) -> DemoFiles:
    """The course's demo files in ``folder`` (made if missing; the same options give the same files).

    ``dpup-eval lab`` prepares ``demo-data/`` beside the notebooks; a notebook run anywhere else
    makes its own copy in its working folder.
    """
    folder = Path(folder)
    options = COURSE_MESSY if messy else COURSE_DEMO
    wanted = [folder / "evaluation.csv", folder / "service_reporting.csv"]
    if messy:
        return write_demo_data(folder, options)  # always fresh: notebook 2 edits these files
    if all(p.is_file() for p in wanted):
        return DemoFiles(wanted[0], wanted[1], None)
    return write_demo_data(folder, options)


def course_notebook_dir() -> Path:
    """The committed course notebooks (``notebooks/learn`` in a source checkout, or inside the package)."""
    folder = shipped_dir("notebooks/learn")
    if not any(folder.glob("*.ipynb")):
        raise DpupEvalError(f"the course notebooks are missing from {folder}")
    return folder


def prepare_course(
    course_dir: str | Path = DEFAULT_COURSE_DIR,
    notebook_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Copy the course notebooks into ``course_dir`` (keeping any copy already there) and make the data.

    Returns the course folder. The originals in ``notebook_dir`` are only read.
    """
    say = progress or (lambda message: None)
    source = Path(notebook_dir) if notebook_dir is not None else course_notebook_dir()
    notebooks = sorted(source.glob("*.ipynb"))
    if not notebooks:
        raise DpupEvalError(f"no notebooks (*.ipynb) in {source}")
    target = Path(course_dir)
    if target.resolve() == source.resolve():
        raise DpupEvalError("the course folder must not be the folder of the original notebooks")
    private_dir(target)
    for path in [*notebooks, source / "README.md"]:
        copy = target / path.name
        if not path.is_file():
            continue
        if copy.exists():
            say(f"keeping your copy of {path.name}")
        else:
            write_bytes(copy, path.read_bytes())
            say(f"copied {path.name}")
    files = demo_files(target / "demo-data")
    say(f"demo data ready in {files.evaluation.parent}")
    return target


def lab_command(course_dir: str | Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The JupyterLab command line: local only, no internet, rooted at the course folder."""
    if port is not None and (isinstance(port, bool) or not 0 < int(port) < 65536):
        raise ValueError(f"port must be between 1 and 65535, not {port!r}")
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.ip={_HOST}",
        f"--ServerApp.root_dir={Path(course_dir).resolve()}",
        f"--ServerApp.open_browser={open_browser}",
        # No network: no news feed, no update check, no extension installs from PyPI.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    if port is not None:
        command.append(f"--ServerApp.port={int(port)}")
    if _running_as_root():
        command.append("--allow-root")
    return command


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_lab(
    port: int | None = None,
    notebook_dir: str | Path | None = None,
    course_dir: str | Path = DEFAULT_COURSE_DIR,
    open_browser: bool = True,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Prepare the course folder, then run JupyterLab on it until it is stopped; returns its exit code.

    ``port`` None lets JupyterLab choose (8888, or the next free one). ``notebook_dir`` is where the
    original notebooks are (default: the project's ``notebooks/learn``).
    """
    require_extra("course", COURSE_MODULES, "the course (dpup-eval lab)")
    say = progress or (lambda message: None)
    folder = prepare_course(course_dir, notebook_dir, progress=say)
    command = lab_command(folder, port, open_browser)
    say(f"starting JupyterLab on {_HOST} in {folder} (press Ctrl+C twice to stop)")
    try:
        return subprocess.call(command, cwd=folder)
    except KeyboardInterrupt:
        return 0
