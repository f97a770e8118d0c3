"""Page kernels forked from one warm process: a page starts in a fraction of a second and shares memory.

Why: every workshop page is its own Python kernel. Started the usual way, each one imports pandas,
pyarrow, plotly, ipywidgets, SQLAlchemy and the findings engine (2-3 s of CPU on a laptop) and holds its
own copy of all of it (about 170 MB of its own, measured with PSS). Ten people joining at once on a
2-core laptop waited more than a minute; thirty open pages took 5.7 GB.

Here one process (the *fork server*) imports all that once, reads the workshop's checked data, freezes
what it holds (``gc.freeze``: the collector never writes to those objects again, so the memory pages stay
shared) and waits. For each page Voila asks for a kernel; the :class:`ForkProvisioner` (a Jupyter kernel
provisioner) asks the fork server over a private local socket, and the server ``fork()``s: the child
*becomes* the kernel (``ipykernel``'s own start, with the connection file and environment Voila gave),
in its own session like any kernel. What the child does not change stays shared with the server and
with every other page.

The lifecycle is Jupyter's own: the provisioner reports the kernel's process (through a pidfd, so a
reused process id is never signalled), interrupts, stops and kills it as the local provisioner does. A
kernel dies with the fork server (``PR_SET_PDEATHSIG``), and the fork server dies with Voila
(:mod:`dpup_eval.workshop.lifeline`). Anything the provisioner cannot hand to the fork server (another
kernel, a server that failed to start) is started the usual way.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import os
import pathlib
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from dpup_eval.workshop.lifeline import PARENT_ENV, die_with_parent, name_process, set_parent_death_signal

__all__ = ["KERNEL_NAME", "PROVISIONER", "ForkProvisioner", "ForkServer", "ForkedKernel", "kernel_arguments", "serve"]

#: The name this provisioner is known by to Jupyter's provisioner factory.
PROVISIONER = "dpup-eval-fork"
#: What the fork server imports before it forks (everything a workshop page's kernel imports).
PRELOAD = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.comm", "ipywidgets", "IPython.display",
    "pandas", "pyarrow.parquet", "plotly.graph_objects", "sqlalchemy", "sqlalchemy.dialects.sqlite", "sqlite3",
    "dpup_eval.workshop.pages", "dpup_eval.workshop.session", "dpup_eval.findings.evaluation",
    "dpup_eval.findings.charts",
    # what the pages import when they are built (tests/test_kernel_forks.py checks nothing is left)
    "dpup_eval.workshop.room", "dpup_eval.workshop.report", "dpup_eval.workshop.stories",
    "dpup_eval.workshop.widgets_decide", "dpup_eval.workshop.widgets_findings", "dpup_eval.workshop.widgets_join",
    "dpup_eval.workshop.widgets_measures", "dpup_eval.workshop.widgets_propose", "dpup_eval.workshop.widgets_success",
    "dpup_eval.workshop.widgets_views",
)  # fmt: skip
#: A forked kernel's process name (``ps -o comm``, ``top``): its command line is the fork server's.
KERNEL_NAME = "dpup-kernel"
#: Numeric libraries start no thread pools in the fork server (a fork copies only the calling thread).
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# --- the fork server (its own process) -------------------------------------------------------------------


def serve(path: str, preload: tuple[str, ...] = PRELOAD) -> None:
    """Import ``preload``, read the workshop's data, then fork a kernel for each request on ``path``."""
    for name in preload:
        importlib.import_module(name)
    _warm()
    gc.collect()
    gc.freeze()  # what the server holds is never touched by the collector again: it stays shared
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the system reaps ended kernels: no zombies
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    partial = f"{path}.part"
    listener.bind(partial)
    pathlib.Path(partial).chmod(0o600)
    listener.listen(64)
    pathlib.Path(partial).replace(path)  # the socket appears only once it is ready
    while True:
        connection, _ = listener.accept()
        with connection:
            try:
                request = json.loads(_read_line(connection))
            except (OSError, ValueError):
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                _become_kernel(request, connection)
            with contextlib.suppress(OSError):
                connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")


def _warm() -> None:
    """Read the checked data and the agreement once (every page reads the same files; the agreement's
    schema check is remembered, agreement/rules.py) and draw one chart (plotly's lazy parts)."""
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.workshop.kernel_settings import KernelSettings
    from dpup_eval.workshop.session import read_accepted

    with contextlib.suppress(Exception):  # a page reports a problem with the data itself, in its own words
        read_accepted(KernelSettings.from_env().data)
    with contextlib.suppress(Exception):  # ... and with the agreement
        Programme.load(KernelSettings.from_env().programme)
    with contextlib.suppress(Exception):
        import plotly.graph_objects as go

        figure = go.Figure([
            go.Scatter(x=[1], y=[1], text=["a"], error_x={"array": [0.1]}, marker={"line": {"width": 1}},
                       textfont={"size": 10}, line={"width": 1}),
            go.Bar(x=[1], y=["a"], orientation="h"),
        ])  # fmt: skip
        figure.update_layout(title={"text": "warm", "pad": {"t": 1}}, legend={"x": 0}, margin={"l": 1},
                             template="simple_white")  # the charts' template (findings/charts.py)  # fmt: skip
        figure.add_vline(x=1, line={"width": 2})
        figure.to_plotly_json()


def _read_line(connection: socket.socket, limit: int = 1 << 20) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = connection.recv(65536)
        if not chunk or len(data) > limit:
            raise OSError("incomplete request")
        data += chunk
    return data


def _become_kernel(request: dict[str, Any], connection: socket.socket) -> None:
    """In the forked child: become the kernel Voila asked for; never returns."""
    code = 1
    try:
        connection.close()
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setsid()  # its own session and process group, as Jupyter starts kernels
        set_parent_death_signal(signal.SIGKILL)  # the moment the fork server ends
        name_process(KERNEL_NAME)
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("cwd"):
            os.chdir(request["cwd"])
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        import ipywidgets
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = ["ipykernel_launcher", *request["argv"]]
        # Voila's process id, as an ordinary kernel reads it when imported (here: imported before the fork)
        app = IPKernelApp.instance(parent_handle=int(os.environ.get("JPY_PARENT_PID") or 0))
        app.initialize(list(request["argv"]))
        # ipywidgets registers its comm targets when first imported inside a kernel; here it was imported
        # before there was one. Without them a page's browser asks for each widget's state one message at
        # a time (440 round trips on the Success measures page) instead of all at once.
        ipywidgets.register_comm_target()
        app.start()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def main(argv: list[str] | None = None) -> None:
    """``python -m dpup_eval.workshop.kernel_forks SOCKET``: the fork server (started by the room's Voila)."""
    args = sys.argv[1:] if argv is None else argv
    parent = os.environ.get(PARENT_ENV)
    if parent:
        die_with_parent(int(parent), signal.SIGTERM)
    serve(args[0])


# --- in Voila's process ------------------------------------------------------------------------------------


class ForkServer:
    """The fork server process, started by Voila; hands out kernel processes (see the module docstring)."""

    def __init__(self, ready_within: float = 120.0) -> None:
        self.folder = tempfile.mkdtemp(prefix="dpup-forks-")  # 0700: only this user reaches the socket
        self.path = str(pathlib.Path(self.folder) / "forks.sock")
        self.ready_within = ready_within
        env = {**os.environ, **SINGLE_THREADED, PARENT_ENV: str(os.getpid())}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dpup_eval.workshop.kernel_forks", self.path], env=env,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        self.started = time.monotonic()

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    async def ready(self) -> bool:
        """Wait until the server listens (it imports first); False if it ended or took too long."""
        while self.alive and not pathlib.Path(self.path).exists():
            if time.monotonic() - self.started > self.ready_within:
                return False
            await asyncio.sleep(0.05)
        return self.alive

    async def fork(self, argv: list[str], env: dict[str, str], cwd: str) -> int:
        """A new kernel process; its process id."""
        reader, writer = await asyncio.open_unix_connection(self.path)
        try:
            writer.write(json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n")
            await writer.drain()
            answer = json.loads(await reader.readline())
        finally:
            writer.close()
        return int(answer["pid"])

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
            if self.alive:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


#: The fork server of this process (Voila's), if it runs one.
SERVER: ForkServer | None = None


def kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The kernel's own arguments when ``cmd`` starts an IPython kernel of this Python, else None."""
    same_python = len(cmd) >= 3 and pathlib.Path(cmd[0]).absolute() == pathlib.Path(sys.executable).absolute()
    if same_python and cmd[1:3] == ["-m", "ipykernel_launcher"]:  # a link is compared, not what it points to
        return list(cmd[3:])
    return None


class ForkedKernel:
    """A forked kernel, looked after like :class:`subprocess.Popen` (what Jupyter's provisioner expects).

    It is the fork server's child, not ours: its end is seen through a pidfd (Linux) or by signal 0.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and self._ended():
            self.returncode = 0  # a child of the fork server: its exit status is not ours to read
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
        return self.returncode

    def _ended(self) -> bool:
        if self._fd is not None:
            return bool(select.select([self._fd], [], [], 0)[0])
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.05)
        return int(self.returncode or 0)

    def send_signal(self, sig: int) -> None:
        if self.poll() is not None:
            return
        if self._fd is not None and hasattr(signal, "pidfd_send_signal"):
            signal.pidfd_send_signal(self._fd, sig)
        else:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkProvisioner(LocalProvisioner):
    """Jupyter's local provisioner, with kernels forked by this process's :data:`SERVER` when it can."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        server, argv = SERVER, kernel_arguments(cmd)
        if server is None or argv is None or not await server.ready():
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or pathlib.Path.cwd())
        try:
            pid = await server.fork(argv, env, cwd)
        except (OSError, ValueError, KeyError) as problem:
            self.log.warning("fork server did not answer (%s): starting the kernel the usual way", problem)
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedKernel(pid)  # type: ignore[assignment]  # Popen-like: what the base class calls
        self.pid = self.pgid = pid  # the kernel leads its own process group (setsid)
        self.cwd = kwargs.get("cwd", pathlib.Path.cwd())
        return self.connection_info


def use_fork_server() -> ForkServer:
    """Start this process's fork server and make it the provisioner of kernels without one of their own."""
    from importlib.metadata import EntryPoint

    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    global SERVER
    SERVER = ForkServer()
    factory = KernelProvisionerFactory.instance()
    factory.provisioners[PROVISIONER] = EntryPoint(
        name=PROVISIONER, value=f"{__name__}:ForkProvisioner", group=KernelProvisionerFactory.GROUP_NAME
    )
    factory.default_provisioner_name = PROVISIONER
    return SERVER


if __name__ == "__main__":
    main()
