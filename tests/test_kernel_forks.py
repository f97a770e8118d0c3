"""Page kernels forked from one warm process (issue 12: fast join, bounded memory).

A real fork server and real kernels, driven through Jupyter's own kernel manager (as Voila drives them):
the kernel runs code with the environment it was given, is the fork server's child, has the page's
modules already imported, speaks the widget protocol's fast path, can be interrupted and stopped, and
dies with the fork server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from dpup_eval.workshop import kernel_forks
from dpup_eval.workshop.kernel_forks import ForkedKernel, kernel_arguments

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork server: Linux")

PROBE = """
import json, os, sys
from IPython import get_ipython
targets = sorted(get_ipython().kernel.comm_manager.targets)
print(json.dumps({"ppid": os.getppid(), "pid": os.getpid(), "env": os.environ.get("DPUP_TEST_PAGE"),
                  "cwd": os.getcwd(), "preloaded": "dpup_eval.findings.evaluation" in sys.modules,
                  "comm": open("/proc/self/comm").read().strip(), "targets": targets}))
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def _output(client: Any, code: str, timeout: float = 60) -> tuple[str, dict[str, Any]]:
    printed: list[str] = []

    def collect(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            printed.append(msg["content"]["text"])

    reply = await client.execute_interactive(code, output_hook=collect, timeout=timeout)
    return "".join(printed), reply["content"]


@pytest.fixture
def fork_server(tmp_path: Path) -> Any:
    server = kernel_forks.use_fork_server()
    yield server
    server.stop()
    kernel_forks.SERVER = None
    from jupyter_client.provisioning.factory import KernelProvisionerFactory

    KernelProvisionerFactory.instance().default_provisioner_name = "local-provisioner"


def test_a_kernel_forked_by_the_fork_server_is_a_whole_page_kernel(fork_server: Any, tmp_path: Path) -> None:
    import json

    from jupyter_client.manager import AsyncKernelManager

    async def scenario() -> None:
        assert await fork_server.ready()
        manager = AsyncKernelManager(kernel_name="python3", transport="ipc", connection_file=str(tmp_path / "k.json"))
        await manager.start_kernel(env={**os.environ, "DPUP_TEST_PAGE": "page-7"}, cwd=str(tmp_path))
        assert type(manager.provisioner).__name__ == "ForkProvisioner"
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=120)
            printed, reply = await _output(client, PROBE)
            assert reply["status"] == "ok", reply
            seen = json.loads(printed)
            assert seen["ppid"] == fork_server.process.pid and seen["pid"] == manager.provisioner.pid
            assert seen["env"] == "page-7" and Path(seen["cwd"]) == tmp_path
            assert seen["preloaded"] and seen["comm"] == kernel_forks.KERNEL_NAME
            assert {"jupyter.widget", "jupyter.widget.control"} <= set(seen["targets"])
            # Interrupt: a long cell stops with KeyboardInterrupt, and the kernel goes on.
            started = time.monotonic()
            running = asyncio.ensure_future(_output(client, "import time; time.sleep(60)"))
            await asyncio.sleep(2)
            await manager.interrupt_kernel()
            _, reply = await asyncio.wait_for(running, 30)
            assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
            assert time.monotonic() - started < 40
            printed, reply = await _output(client, "print(6 * 7)")
            assert printed.strip() == "42"
        finally:
            client.stop_channels()
        pid = manager.provisioner.pid
        await manager.shutdown_kernel()
        assert not _alive(pid)

    asyncio.run(scenario())


def test_kernels_die_with_the_fork_server(fork_server: Any, tmp_path: Path) -> None:
    async def two_kernels() -> list[int]:
        assert await fork_server.ready()
        return [await fork_server.fork(["-f", str(tmp_path / f"k{i}.json")], dict(os.environ), str(tmp_path))
                for i in range(2)]  # fmt: skip

    pids = asyncio.run(two_kernels())
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"k{i}.json").exists() for i in range(2)) and time.monotonic() < deadline:
        time.sleep(0.1)  # both kernels up (each writes its connection file)
    assert all(_alive(pid) for pid in pids)
    kernels = [ForkedKernel(pid) for pid in pids]
    os.kill(fork_server.process.pid, signal.SIGKILL)
    fork_server.process.wait()
    deadline = time.monotonic() + 30
    while any(k.poll() is None for k in kernels) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(k.poll() is not None for k in kernels)
    assert not any(_alive(pid) for pid in pids)


def test_a_forked_kernel_is_looked_after_like_a_process() -> None:
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        kernel = ForkedKernel(child.pid)
        assert kernel.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            kernel.wait(0.2)
        kernel.terminate()
        child.wait(10)  # ours to reap here; under the fork server the system reaps it
        assert kernel.wait(10) == 0 and kernel.poll() == 0
        kernel.kill()  # a signal to an ended kernel is a no-op, never another process
    finally:
        with contextlib.suppress(OSError):
            child.kill()


def test_only_an_ipython_kernel_of_this_python_is_forked() -> None:
    me = sys.executable
    assert kernel_arguments([me, "-m", "ipykernel_launcher", "-f", "/tmp/k.json"]) == ["-f", "/tmp/k.json"]
    assert kernel_arguments(["/usr/bin/python3.9", "-m", "ipykernel_launcher", "-f", "k.json"]) is None
    assert kernel_arguments([me, "-m", "other_kernel", "-f", "k.json"]) is None
    assert kernel_arguments(["julia", "-i"]) is None


BUILD_PAGES = """
import importlib, json, sys
from dpup_eval.workshop import kernel_forks
for name in kernel_forks.PRELOAD:
    importlib.import_module(name)
kernel_forks._warm()
before = set(sys.modules)
from dpup_eval.workshop.pages import findings_page, success_measures_page
success_measures_page(poll=False)
findings_page(poll=False)
print(json.dumps(sorted(set(sys.modules) - before)))
"""


def test_building_the_pooled_pages_imports_nothing_the_fork_server_has_not(tmp_path: Path, demo_dir: Path) -> None:
    """Every pooled page is built in a kernel forked from the fork server: what the build imports (and the
    agreement's schema check) is paid once there and shared, not in each page. Before, each build imported
    381 modules of its own (jsonschema, phonenumbers, the widget modules, plotly's chart types)."""
    import json
    import subprocess

    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.workshop.server import WorkshopConfig, prepare_workshop

    config = WorkshopConfig.resolve(demo_dir / "evaluation.csv", default_contract_dir(), folder=tmp_path / "w", port=8999)
    prepare_workshop(config, say=lambda _: None)
    env = dict(os.environ, **config.kernel_env(), HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", BUILD_PAGES], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
