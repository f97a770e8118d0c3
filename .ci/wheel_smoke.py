"""Build the wheel, install it into fresh virtual environments outside the source tree, and use it.

Why: a source checkout hides what an installed package lacks (the demo agreement, the Voila pages,
the course, an undeclared dependency). This proves the wheel alone works, as a user gets it:

1. ``uv build`` makes the source distribution and, from it, the wheel (so MANIFEST.in is tested too);
   the wheel must carry every file of data_contracts/, dashboards/ and notebooks/ (compared with git).
2. Core install (no extras), into a fresh venv: ``--help`` and ``check`` work, ``workshop`` and ``lab`` say
   which extra they need, and neither JupyterLab nor Voila was installed.
3. The extras (``[workshop,course]``) added to that venv: ``demo``, ``notice``, the workshop
   server starting and rendering a page (its kernel imports the installed package), ``lab --no-browser``
   starting and answering.

Everything runs from a temporary folder with HOME, DPUP_EVAL_HOME and JUPYTER_* pointed into it; every
process started is stopped. ``uv`` installs (resolution as pip's, seconds instead of minutes on a busy
machine); ``--installer pip`` uses pip instead. Usage: ``python .ci/wheel_smoke.py [--keep]``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED_ROOTS = ("data_contracts", "dashboards", "notebooks")
NEVER_SHIPPED = {".ipynb_checkpoints", "__pycache__", ".DS_Store"}
STARTED = time.monotonic()


class SmokeFailure(Exception):
    """A step of the smoke test failed; the message says which and shows the output."""


def say(message: str) -> None:
    print(f"[wheel smoke {time.monotonic() - STARTED:5.0f} s] {message}", flush=True)


def run(command: list[str | Path], env: dict[str, str], cwd: Path, expect: tuple[int, ...] = (0,),
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run a command to its end; fail with its output unless its exit code is one of ``expect``."""
    started = time.monotonic()
    done = subprocess.run([str(c) for c in command], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    words = [Path(str(c)).name if i == 0 else str(c) for i, c in enumerate(command[:3])]
    say(f"  {' '.join(words)[:70]}: {time.monotonic() - started:.1f} s")
    if done.returncode not in expect:
        raise SmokeFailure(f"{' '.join(map(str, command))} exited {done.returncode} (expected {expect})\n"
                           f"--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}")
    return done


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(home: Path, venv: Path) -> dict[str, str]:
    """The user's environment, minus anything pointing at the checkout, with every home in ``home``."""
    # PYTHONDONTWRITEBYTECODE is dropped too: with it, every command in the fresh venv would compile
    # pandas, Great Expectations and the rest from source again (minutes on a busy machine); without it the
    # first command writes the bytecode and the others reuse it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONDONTWRITEBYTECODE")}
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "XDG_CACHE_HOME",
                 "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        env[name] = str(home / name.lower())
    env.update(HOME=str(home), DPUP_EVAL_HOME=str(home / "dpup_eval"), VIRTUAL_ENV=str(venv),
               PATH=os.pathsep.join([str(venv / "bin"), env.get("PATH", "")]), PYTHONNOUSERSITE="1")
    return env


# -- 1. build -------------------------------------------------------------------------------------------
def build(uv: Path, out: Path) -> Path:
    say("building the source distribution and, from it, the wheel ...")
    run([uv, "build", "--quiet", "--out-dir", out, REPO], dict(os.environ), REPO)
    wheels = sorted(out.glob("dpup_eval-*.whl"))
    if len(wheels) != 1:
        raise SmokeFailure(f"expected one wheel in {out}, found {[w.name for w in wheels]}")
    return wheels[0]


def expected_shipped_files() -> set[str]:
    """What git knows under the shipped folders (committed, or new and not ignored), as wheel paths."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--",
                             *SHIPPED_ROOTS], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return {f"dpup_eval/shipped/{name}" for name in listed.split("\0")
            if name and (REPO / name).is_file() and not NEVER_SHIPPED.intersection(Path(name).parts)}


def check_wheel_contents(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    shipped = {n for n in names if n.startswith("dpup_eval/shipped/")}
    expected = expected_shipped_files()
    if shipped != expected:
        raise SmokeFailure(f"the wheel's shipped files differ from the repository's: missing "
                           f"{sorted(expected - shipped)}, unexpected {sorted(shipped - expected)}")
    for needed in ("dpup_eval/templates/check_report.html.j2", "dpup_eval/py.typed",
                   "dpup_eval/workshop/voila_template/voila/templates/dpup_workshop/index.html.j2"):
        if needed not in names:
            raise SmokeFailure(f"the wheel lacks {needed}")
    say(f"the wheel carries all {len(expected)} files of {', '.join(SHIPPED_ROOTS)}")


# -- installing -----------------------------------------------------------------------------------------
def make_venv(installer: str, venv: Path, work: Path) -> None:
    run([sys.executable, "-m", "venv", *(["--without-pip"] if installer == "uv" else []), venv],
        dict(os.environ), work)


def install(installer: str, uv: Path, venv: Path, requirement: str, work: Path) -> None:
    say(f"installing {Path(requirement).name} into {venv.name} with {installer} ...")
    python = venv / "bin" / "python"
    if installer == "uv":
        run([uv, "pip", "install", "--quiet", "--python", python, requirement], dict(os.environ), work, timeout=1500)
    else:
        run([python, "-m", "pip", "install", "--quiet", "--no-compile", requirement], dict(os.environ), work,
            timeout=1500)


def installed_from(venv: Path, env: dict[str, str], work: Path) -> None:
    """The package imported is the installed one, not the checkout."""
    where = run([venv / "bin" / "python", "-c", "import dpup_eval; print(dpup_eval.__file__)"], env, work).stdout
    if not Path(where.strip()).resolve().is_relative_to(venv.resolve()):
        raise SmokeFailure(f"dpup_eval was imported from {where.strip()}, not from the fresh venv {venv}")


# -- 2. core only ---------------------------------------------------------------------------------------
def smoke_core(venv: Path, home: Path, work: Path) -> None:
    env = isolated_env(home, venv)
    installed_from(venv, env, work)
    bin_ = venv / "bin"
    for absent in ("jupyterlab", "voila", "ipywidgets"):
        found = run([bin_ / "python", "-c", f"import importlib.util as u; print(u.find_spec('{absent}') is None)"],
                    env, work).stdout.strip()
        if found != "True":
            raise SmokeFailure(f"the core install pulled in {absent}: the core must not need Jupyter")
    help_text = run([bin_ / "dpup-eval", "--help"], env, work).stdout
    if "check" not in help_text or "workshop" not in help_text:
        raise SmokeFailure(f"dpup-eval --help does not list the commands:\n{help_text}")
    run([bin_ / "dpup-eval", "demo", "data", work / "core-data", "--families", "40"], env, work)
    programme = run([bin_ / "dpup-eval", "demo", "programme"], env, work).stdout.strip()
    run([bin_ / "dpup-eval", "check", work / "core-data" / "evaluation.csv", "--purpose", "evaluation",
         "--programme", programme], env, work, expect=(0, 1))
    workshop = ["workshop", "--programme", programme, "--data", str(work / "core-data" / "evaluation.csv"),
                "--port", str(free_port())]  # fmt: skip
    for command, extra in ((workshop, "workshop"), (["lab", "--no-browser"], "course")):
        done = run([bin_ / "dpup-eval", *command], env, work, expect=(2,), timeout=120)
        if f"pip install 'dpup_eval[{extra}]'" not in done.stderr or "Traceback" in done.stderr:
            raise SmokeFailure(f"dpup-eval {command[0]} without the {extra} extra said:\n{done.stderr}")
    say("core install: --help, demo data and check work; workshop and lab name the extra they need")


# -- 3. with the extras ---------------------------------------------------------------------------------
class Server:
    """A command left running in its own process group, its output collected line by line."""

    def __init__(self, command: list[str | Path], env: dict[str, str], cwd: Path):
        self.command = " ".join(map(str, command))
        self.process = subprocess.Popen([str(c) for c in command], env=env, cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                                        start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if found := re.search(pattern, line):
                    return found
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise SmokeFailure(f"{self.command} did not print /{pattern}/ within {timeout:.0f} s "
                           f"(exit code {self.process.poll()}):\n" + "\n".join(self.lines[-60:]))

    def stop(self, sig: int = signal.SIGINT, timeout: float = 60) -> int:
        """Signal the command (the workshop stops its kernels on SIGINT), then clear its whole group."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait()


@contextlib.contextmanager
def serving(command: list[str | Path], env: dict[str, str], cwd: Path) -> Iterator[Server]:
    server = Server(command, env, cwd)
    try:
        yield server
    finally:
        server.stop(signal.SIGKILL, timeout=0)


def fetch(url: str, timeout: float) -> str:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        if response.status != 200:
            raise SmokeFailure(f"{url} answered {response.status}")
        return response.read().decode("utf-8", "replace")


def smoke_full(venv: Path, home: Path, work: Path) -> None:
    env = isolated_env(home, venv)
    installed_from(venv, env, work)
    cli = venv / "bin" / "dpup-eval"
    run([cli, "--help"], env, work)
    run([cli, "demo", "check", "--outdir", work / "demo-data"], env, work)
    programme = run([cli, "demo", "programme"], env, work).stdout.strip()
    for name in ("evaluation-report.html", "service_reporting-report.html"):
        if not (work / "demo-data" / name).is_file():
            raise SmokeFailure(f"dpup-eval demo wrote no {name}")
    say("dpup-eval demo check: made up the data and checked both files against the shipped agreement")
    run([cli, "notice", "--programme", programme, "--audience", "child", "--out", work / "notice.html"], env, work)
    say("dpup-eval notice: written and scored offline")

    port = free_port()
    with serving([cli, "workshop", "--programme", programme, "--data", work / "demo-data" / "evaluation.csv",
                  "--db", work / "workshop.sqlite", "--port", str(port), "--pool-size", "0"], env, work) as workshop:
        workshop.wait_for(r"Press Ctrl-C", timeout=240)
        page = fetch(f"http://127.0.0.1:{port}/voila/render/success_measures.ipynb", timeout=240)
        if "application/vnd.jupyter.widget-view+json" not in page:
            raise SmokeFailure("the Success measures page rendered without its widgets:\n" + page[-3000:])
        if workshop.stop(signal.SIGINT) != 0:
            raise SmokeFailure("the workshop did not stop cleanly on Ctrl-C:\n" + "\n".join(workshop.lines[-40:]))
    say("dpup-eval workshop: served the Success measures page with its widgets, stopped on Ctrl-C")

    port = free_port()
    with serving([cli, "lab", "--no-browser", "--port", str(port), "--course-dir", work / "course"], env,
                 work) as lab:
        token = lab.wait_for(rf"http://127\.0\.0\.1:{port}/lab\?token=(\w+)", timeout=240).group(1)
        page = fetch(f"http://127.0.0.1:{port}/lab?token={token}", timeout=120)
        if "JupyterLab" not in page:
            raise SmokeFailure("JupyterLab answered without its page:\n" + page[:2000])
        copied = sorted(p.name for p in (work / "course").glob("*.ipynb"))
        if len(copied) < 6:
            raise SmokeFailure(f"the course folder holds {copied}, not the six course notebooks")
        lab.stop(signal.SIGTERM)
    say(f"dpup-eval lab: JupyterLab answered on port {port} with the {len(copied)} course notebooks copied")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--installer", choices=("uv", "pip"), default="uv", help="What installs the wheel.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (its path is printed).")
    args = parser.parse_args()
    uv = shutil.which("uv", path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if uv is None:
        print("Error: uv is not installed (it comes with the test extra: pip install -e '.[test]')", file=sys.stderr)
        return 2
    top = Path(tempfile.mkdtemp(prefix="dpup_eval_wheel_smoke_"))
    try:
        wheel = build(Path(uv), top / "dist")
        check_wheel_contents(wheel)
        # One fresh venv: the core alone first, then the extras added to it, as a user who needs the
        # workshop later does (and the bytecode the core's commands wrote is not compiled twice).
        venv = top / "venv"
        make_venv(args.installer, venv, top)
        for name, extras, smoke in (("core", "", smoke_core), ("full", "[workshop,course]", smoke_full)):
            home, work = top / f"home-{name}", top / f"work-{name}"
            home.mkdir()
            work.mkdir()
            install(args.installer, Path(uv), venv, f"{wheel}{extras}", work)
            smoke(venv, home, work)
    except (SmokeFailure, subprocess.TimeoutExpired, urllib.error.URLError, OSError) as failure:
        print(f"Error: the wheel smoke test failed: {failure}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            say(f"kept {top}")
        else:
            shutil.rmtree(top, ignore_errors=True)
    say("passed: the wheel installs and works outside the source tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
