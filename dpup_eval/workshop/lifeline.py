"""A child process that dies with its parent: no Voila and no kernel outlives the workshop.

``dpup-eval workshop`` starts Voila, and Voila starts the pages' kernels. If the workshop process is
killed outright (``kill -9``, a closed terminal, an out-of-memory kill), nothing runs its clean stop: Voila
would go on serving the room's data with its kernels. Two independent checks close that gap:

* **the kernel's own notice** (Linux): ``prctl(PR_SET_PDEATHSIG)`` asks the kernel to send this process a
  signal the moment its parent dies;
* **a watchdog thread** (every system): it looks at the parent's process id every second and, when the
  parent has gone (this process was handed to another), sends the same signal.

Either one makes this process stop as it would on Ctrl-C. If that stop has not finished after
``grace`` seconds, the watchdog kills the whole process group. Kernels need nothing more: Jupyter starts
each with its parent's process id, and a kernel exits when that parent (Voila) has gone.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

from dpup_eval.workshop.kernel_settings import ENV

__all__ = ["PARENT_ENV", "die_with_parent", "name_process", "parent_death_signal", "set_parent_death_signal"]

#: The environment variable through which the workshop tells Voila its process id.
PARENT_ENV = ENV["parent"]
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_PR_GET_PDEATHSIG = 2
_PR_SET_NAME = 15


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    with contextlib.suppress(OSError):
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return None


def parent_death_signal() -> int:
    """The signal Linux sends this process when its parent dies (0: none, or not Linux)."""
    libc = _libc()
    if libc is None:
        return 0
    found = ctypes.c_int(0)
    libc.prctl(_PR_GET_PDEATHSIG, ctypes.byref(found), 0, 0, 0)
    return found.value


def set_parent_death_signal(sig: int) -> None:
    """Ask Linux to send this process ``sig`` the moment its parent dies (nothing elsewhere)."""
    libc = _libc()
    if libc is not None:
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def name_process(name: str) -> None:
    """This process's name as ``ps -o comm`` and ``top`` show it (Linux; at most 15 bytes are kept)."""
    libc = _libc()
    if libc is not None:
        libc.prctl(_PR_SET_NAME, name.encode(), 0, 0, 0)


def die_with_parent(parent: int, sig: int = signal.SIGTERM, *, every: float = 1.0, grace: float = 20.0) -> bool:
    """Stop this process (``sig``, then SIGKILL to its group after ``grace`` s) when ``parent`` has gone.

    Returns False, having already sent the signal, if the parent was gone before the watch started (it
    may die between starting this process and this call).
    """
    set_parent_death_signal(sig)
    if os.getppid() != parent:  # died before the notice was set up: nobody would send it
        _stop(sig, grace)
        return False

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        _stop(sig, grace)

    threading.Thread(target=watch, name="dpup-lifeline", daemon=True).start()
    return True


def _stop(sig: int, grace: float) -> None:
    os.kill(os.getpid(), sig)

    def last_resort() -> None:
        time.sleep(grace)
        with contextlib.suppress(OSError):
            if os.getpgid(0) == os.getpid():  # its own group (the workshop starts it so): take it all
                os.killpg(os.getpid(), signal.SIGKILL)
            os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=last_resort, name="dpup-lifeline-kill", daemon=True).start()
