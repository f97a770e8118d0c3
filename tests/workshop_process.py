"""A real workshop for tests and benchmarks, started the way a facilitator starts it: `dpup-eval workshop`.

One command line (issue 15: one CLI); the test keeps the terminal's lines, finds the page server (Voila)
and its kernels among the workshop's processes, and stops everything it started.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

EXE = shutil.which("dpup-eval", path=str(Path(sys.executable).parent))


def workshop_command(folder: Path, port: int, programme: Path, data: Path, *options: str) -> list[str]:
    """``dpup-eval workshop --folder F --port P --programme DIR --data FILE [options]``."""
    start = [EXE] if EXE else [sys.executable, "-m", "dpup_eval.cli"]
    if "--pool-size" not in options:  # tests: two ready pages (the default, ten, is for a room joining at once)
        options = (*options, "--pool-size", "2")
    return [*start, "workshop", "--folder", str(folder), "--port", str(port), "--programme", str(programme),
            "--data", str(data), *options]  # fmt: skip


def children(root: int) -> list[int]:
    """Every process below ``root`` (any depth)."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True).stdout
    pairs = [tuple(map(int, line.split())) for line in out.splitlines() if line.strip()]
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        kids = [pid for pid, ppid in pairs if ppid == parent]
        found += kids
        frontier += kids
    return found


def proc_file(pid: int, name: str) -> bytes:
    """``/proc/PID/NAME`` (``cmdline``, ``environ``, ...), or nothing once the process has gone."""
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def command_line(pid: int) -> bytes:
    return proc_file(pid, "cmdline")


def is_kernel(pid: int) -> bool:
    """A page's kernel: started as ``ipykernel_launcher``, or forked by the fork server (named so)."""
    if b"ipykernel" in command_line(pid):
        return True
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip() == "dpup-kernel"
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Running (a zombie waiting for its parent counts as gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status


class Workshop:
    """``dpup-eval workshop`` running in the background, its terminal read line by line."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ if env is None else env), start_new_session=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self._started: list[int] = []

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while not any("Press Ctrl-C" in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("the workshop did not start:\n" + "\n".join(self.lines))
            time.sleep(0.2)
        self._started = [self.process.pid, *children(self.process.pid)]

    def line(self, start: str) -> str:
        """The value after ``start`` on the terminal (``Join code (...): XXXX`` -> ``XXXX``)."""
        return next(line.split(": ", 1)[1] for line in self.lines if line.startswith(start))

    @property
    def voila(self) -> int:
        return next(pid for pid in children(self.process.pid) if b"voila" in command_line(pid))

    def kernels(self) -> list[int]:
        """The page kernels running now."""
        return [pid for pid in children(self.process.pid) if is_kernel(pid) and alive(pid)]

    def stop(self) -> int:
        """Ctrl-C, as a facilitator would; anything left is killed (and so is a server that hung)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.kill_leftovers()
        return self.process.returncode

    def kill_leftovers(self) -> None:
        for pid in [*self._started, *children(self.process.pid)]:
            if pid != self.process.pid and alive(pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
