"""`dpup-eval ARGS` in this process: the same `main()` the installed script calls, answered as
`subprocess.run(..., capture_output=True, text=True, stdin=DEVNULL)` would (exit code, stdout, stderr).

A fresh process pays every import again (Great Expectations alone takes seconds), so a test about what a
command does, not about the process it runs in, runs it here; each file that tests the command line keeps
at least one test through the installed script (the entry point, a real exit status, a real stderr).
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from dpup_eval.cli import main


@contextlib.contextmanager
def _as_a_process(env: Mapping[str, str] | None, cwd: Path | None) -> Iterator[None]:
    """``env`` replaces os.environ, ``cwd`` the working folder, and stdin is empty for the call; all back after."""
    saved_env, saved_cwd, saved_stdin = dict(os.environ), Path.cwd(), sys.stdin
    try:
        if env is not None:
            os.environ.clear()
            os.environ.update(env)
        if cwd is not None:
            os.chdir(cwd)
        sys.stdin = io.StringIO("")
        yield
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


def dpup_eval(
    *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``dpup-eval *args`` here, capturing what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with _as_a_process(env, cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["dpup-eval", *args], code, out.getvalue(), err.getvalue())
