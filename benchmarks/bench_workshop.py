"""How the workshop holds up in a room, in Chromium (a benchmark, not a test).

Starts ``dpup-eval workshop`` on the demo data (its own temporary folder and HOME) and prints:

* **join, one person**: time from navigation to a usable Success measures page (the Join button and the
  first measure's slider on screen), N fresh loads one after another (a new browser context each: empty
  cache), median and worst;
* **the browser's own work**: how long each of those pages kept the browser's main thread busy (Chrome's
  ``TaskDuration``), and one more load with the CPU slowed four times (Chrome's mid-range phone setting);
* **join, ten at once**, four ways:
  - **served** (the laptop's part): ten clients at once fetch the page and every file a browser fetched
    for it (gzip, six at a time each, as a browser does), then ask the page's kernel for every widget's
    state over its websocket (what a browser waits for before it draws); also one client alone;
  - **each on their own device** (the room: phones draw on their own CPUs): each of the ten is given the
    median single-person load plus the extra time the laptop took to serve that person with ten at once
    (served together minus served alone);
  - **one of them a real browser** (measured, not modelled): in each of ``--rounds`` rounds a Chromium
    page and nine served joins start at the same moment, so the browser draws while the laptop serves the
    other nine (on the laptop's cores, harsher than a phone drawing on its own);
  - **ten browsers on the laptop's own two cores**: ten fresh browser contexts navigate at the same
    moment, so the ten pages' drawing shares the workshop's two cores (the harshest reading, not a room);
* **threshold change**: median time from a key press on a slider to the updated result text (in the page);
* **memory**: each page kernel's PSS and RSS (``/proc/PID/smaps_rollup``; PSS shares common libraries
  fairly between the kernels), then the whole workshop (Voila and every kernel) with ``--pages`` pages open;
* **release**: the kernel count two minutes after all those pages closed (aim: back to the pool's size).

Usage: ``python benchmarks/bench_workshop.py [--loads 5] [--together 10] [--rounds 5] [--pages 30] [--pool-size 10]``.
Needs ``/usr/bin/chromium`` (``apt-get install chromium``) and Playwright (the test extra). The machine's
load average is printed with the figures: on a shared machine, compare figures measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from workshop_process import Workshop, children, workshop_command  # the tests' own helper

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
USABLE = ".dpup-page .widget-button"
SLIDER = ".dpup-card .noUi-handle"
CHANGE_JS = """
async (card) => {
  const result = card.querySelector('.dpup-result').parentElement;
  const handle = card.querySelector('.noUi-handle');
  const done = new Promise((resolve) => {
    const observer = new MutationObserver(() => { observer.disconnect(); resolve(performance.now()); });
    observer.observe(result, {childList: true, subtree: true, characterData: true});
  });
  const t0 = performance.now();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key: window.__dir || 'PageDown', bubbles: true}));
  const t1 = await done;
  return t1 - t0;
}
"""
TIMEOUT = 600_000  # ms: on a busy shared machine, thirty pages starting take minutes
QUIET = 7.0  # s: settled when the workshop used almost no CPU for this long (rebuilds wait 5 s)
_CDP: dict[int, object] = {}  # each page's DevTools session, by its browser context
V1 = "v1.kernel.websocket.jupyter.org"  # the kernel websocket protocol Voila's page speaks
_THREADS = ThreadPoolExecutor(max_workers=64)  # server-side joins: six connections per person
_STATES: dict[str, float] = {}  # the last served join's widget states: how many models, how many KB


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _memory(pid: int) -> tuple[int, int]:
    """(PSS, RSS) in kB, or (0, 0) for a process that has gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {line.split(":")[0]: int(line.split()[1]) for line in text.splitlines() if line.startswith(("Pss:", "Rss:"))}
    return values.get("Pss", 0), values.get("Rss", 0)


class Room(Workshop):
    """`dpup-eval workshop` on made-up demo data, in its own folder and HOME."""

    def __init__(self, work: Path, pool_size: int) -> None:
        from dpup_eval.agreement.contract import default_contract_dir
        from dpup_eval.demo.generator import DemoOptions, write_demo_data

        self.port = _free_port()
        data = write_demo_data(work / "demo-data", DemoOptions()).evaluation
        env = dict(os.environ, HOME=str(work / "home"), JUPYTER_CONFIG_DIR=str(work / "home/.jupyter"),
                   JUPYTER_DATA_DIR=str(work / "home/.local/share/jupyter"), IPYTHONDIR=str(work / "home/.ipython"),
                   JUPYTER_RUNTIME_DIR=str(work / "home/.local/share/jupyter/runtime"),
                   DPUP_EVAL_HOME=str(work / "home/.dpup_eval"))  # fmt: skip
        super().__init__(workshop_command(work / "w", self.port, default_contract_dir(), data, "--pool-size",
                                          str(pool_size)), env)  # fmt: skip
        self.wait_ready()

    def url(self, page: str = "success_measures") -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{page}.ipynb"

    def all_processes(self) -> list[int]:
        return children(self.process.pid)

    def wait_for_kernels(self, count: int, timeout: float = 600) -> None:
        """Until ``count`` kernels run and the workshop has settled: its ready pages are built (pages
        taken are rebuilt a few seconds after the last join, so settled means quiet for ``QUIET`` s)."""
        deadline = time.monotonic() + timeout
        while len(self.kernels()) < count and time.monotonic() < deadline:
            time.sleep(1)
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(QUIET)
            used, before = self.cpu_seconds(), used
            if sum(used.get(pid, was) - was for pid, was in before.items()) + sum(
                    t for pid, t in used.items() if pid not in before) < 0.04 * QUIET:  # under 4% of one core
                return

    def cpu_seconds(self) -> dict[int, float]:
        """CPU seconds used so far by each of the workshop's processes (Voila, fork server, kernels)."""
        used = {}
        for pid in self.all_processes():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return used


async def _open(browser: object, url: str, slower: float = 1, visible: str = USABLE,
                attached: str | None = SLIDER) -> tuple[object, float]:  # fmt: skip
    """A fresh browser context (empty cache) at a phone's width: seconds to a usable page (``visible`` on
    screen, ``attached`` in the page). ``slower``: the CPU slowed that many times (Chrome's throttling, as
    DevTools does for phones)."""
    context = await browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Performance.enable")  # counts from here: read by _main_thread
    _CDP[id(context)] = cdp
    if slower > 1:
        await cdp.send("Emulation.setCPUThrottlingRate", {"rate": slower})
    start = time.perf_counter()
    await page.goto(url, timeout=TIMEOUT)
    await page.wait_for_selector(visible, state="visible", timeout=TIMEOUT)
    if attached:
        await page.locator(attached).first.wait_for(state="attached", timeout=TIMEOUT)
    return context, time.perf_counter() - start


async def _main_thread(context: object) -> float:
    """Seconds the page's main thread has been busy (Chrome's Performance.getMetrics TaskDuration)."""
    cdp = _CDP[id(context)]
    metrics = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    return float(metrics["TaskDuration"])


async def _files(context: object, url: str) -> list[str]:
    """The files (scripts, styles, fonts) the browser fetched from the workshop for this page."""
    base = url.split("/voila/")[0]
    names = await context.pages[0].evaluate("performance.getEntriesByType('resource').map(r => r.name)")  # type: ignore[attr-defined]
    return sorted({n for n in names if n.startswith(base) and "/static/" in n})


async def _server_join(url: str, files: list[str]) -> float:
    """Seconds until the page and its ``files`` are served (gzip, over six kept-alive connections as a
    browser does) and its kernel has sent every widget's state (a browser's wait before drawing), without
    a browser. It speaks the kernel websocket protocol a browser speaks (v1: Voila passes the kernel's
    messages on without decoding them)."""
    import json
    import re
    import uuid

    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1,
        serialize_msg_to_ws_v1,
    )
    from tornado.httpclient import AsyncHTTPClient
    from tornado.websocket import websocket_connect

    start = time.perf_counter()
    page = await AsyncHTTPClient().fetch(url, request_timeout=TIMEOUT / 1000)
    html = page.body.decode()
    queue = list(files)

    def connection() -> None:  # one of the browser's six kept-alive connections to the workshop
        import http.client
        import urllib.parse

        where = urllib.parse.urlsplit(url)
        link = http.client.HTTPConnection(where.hostname or "", where.port, timeout=TIMEOUT / 1000)
        while queue:
            file = urllib.parse.urlsplit(queue.pop())
            link.request("GET", f"{file.path}?{file.query}", headers={"Accept-Encoding": "gzip"})
            answer = link.getresponse()
            answer.read()
            if answer.status != 200:
                raise RuntimeError(f"{file.path} answered {answer.status}")
        link.close()

    loop = asyncio.get_running_loop()
    await asyncio.gather(*(loop.run_in_executor(_THREADS, connection) for _ in range(6)))
    config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    base = url.split("/voila/")[0]
    session, comm = uuid.uuid4().hex, uuid.uuid4().hex
    socket = await websocket_connect(f"{base.replace('http', 'ws', 1)}/api/kernels/{config['kernelId']}/channels"
                                     f"?session_id={session}", subprotocols=[V1])  # fmt: skip

    def message(kind: str, content: dict[str, object], metadata: dict[str, object] | None = None) -> bytes:
        header = {"msg_id": uuid.uuid4().hex, "username": "bench", "session": session, "msg_type": kind,
                  "version": "5.3", "date": ""}  # fmt: skip
        parts = {"header": header, "parent_header": {}, "metadata": metadata or {}, "content": content}
        return bytes(serialize_msg_to_ws_v1(parts, "shell", pack=lambda part: json.dumps(part).encode()))

    await socket.write_message(message("comm_open", {"comm_id": comm, "target_name": "jupyter.widget.control",
                                                     "data": {}}, {"version": "1.0.0"}), binary=True)  # fmt: skip
    await socket.write_message(message("comm_msg", {"comm_id": comm, "data": {"method": "request_states"}}),
                               binary=True)  # fmt: skip
    while True:
        frame = await socket.read_message()
        if frame is None:
            raise RuntimeError("the kernel's websocket closed before the widgets' state came")
        _channel, parts = deserialize_msg_from_ws_v1(frame)  # header, parent, metadata, content, buffers
        content = json.loads(parts[3])
        if content.get("comm_id") == comm and content.get("data", {}).get("method") == "update_states":
            socket.close()
            _STATES.update(models=len(content["data"]["states"]), kb=len(parts[3]) / 1024)
            return time.perf_counter() - start


def _summary(times: list[float]) -> str:
    return (f"median {statistics.median(times):.2f} s, worst {max(times):.2f} s "
            f"(all: {', '.join(f'{t:.1f}' for t in sorted(times))})")  # fmt: skip


async def _run(workshop: Room, args: argparse.Namespace, pool: int) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        alone, changes, busy, files = [], [], [], []
        for n in range(args.loads):
            workshop.wait_for_kernels(pool)
            context, seconds = await _open(browser, workshop.url())
            alone.append(seconds)
            busy.append(await _main_thread(context))
            if n == 0:
                files = await _files(context, workshop.url())
                page = context.pages[0]
                card = await page.locator(".dpup-card", has_text="Came to most sessions").first.element_handle()
                for k in range(args.changes):
                    await page.evaluate(f"window.__dir = '{'PageDown' if k % 2 == 0 else 'PageUp'}'")
                    changes.append(await page.evaluate(CHANGE_JS, card))
            await context.close()
        print(f"join, one person at a time ({args.loads} fresh loads): {_summary(alone)}", flush=True)
        print(f"the browser's main thread busy per page: median {statistics.median(busy):.2f} s "
              f"({len(files)} files fetched from the workshop)", flush=True)  # fmt: skip
        workshop.wait_for_kernels(pool)
        context, phone = await _open(browser, workshop.url(), slower=4)
        await context.close()
        print(f"join, one person, CPU slowed 4x (a mid-range phone): {phone:.2f} s", flush=True)
        if changes:
            print(f"threshold change -> updated result, median of {len(changes)}: {statistics.median(changes):.0f} ms",
                  flush=True)  # fmt: skip

        single = []
        for _ in range(3):
            workshop.wait_for_kernels(pool)
            single.append(await _server_join(workshop.url(), files))
        print(f"served, one alone (page, its {len(files)} files, every widget's state: {_STATES['models']:.0f} models, "
              f"{_STATES['kb']:.0f} KB; no browser): {_summary(single)}", flush=True)  # fmt: skip
        workshop.wait_for_kernels(pool)
        served = await asyncio.gather(*(_server_join(workshop.url(), files) for _ in range(args.together)))
        print(f"served, {args.together} at the same moment: {_summary(list(served))}", flush=True)
        own = [statistics.median(alone) + max(0.0, s - statistics.median(single)) for s in served]
        print(f"join, {args.together} at the same moment, each on their own device (one page's median load + "
              f"the laptop's extra wait with {args.together}): {_summary(own)}", flush=True)  # fmt: skip
        among = []
        for _ in range(args.rounds):  # one real browser joins at the same moment as the others, served
            workshop.wait_for_kernels(pool)
            (context, seconds), *_ = await asyncio.gather(
                _open(browser, workshop.url()), *(_server_join(workshop.url(), files) for _ in range(args.together - 1)))
            among.append(seconds)
            await context.close()
        print(f"join, {args.together} at the same moment, one of them a real browser on the laptop's own cores "
              f"(the other {args.together - 1} served; {args.rounds} rounds): {_summary(among)}", flush=True)  # fmt: skip
        workshop.wait_for_kernels(pool)
        time.sleep(100)  # the served kernels are released (90 s with no browser): a room as before
        workshop.wait_for_kernels(pool)
        opened = await asyncio.gather(*(_open(browser, workshop.url()) for _ in range(args.together)))
        print(f"join, {args.together} at the same moment, ten browsers on the laptop's own cores: "
              f"{_summary([s for _, s in opened])}", flush=True)  # fmt: skip
        pss = sorted(_memory(pid)[0] for pid in workshop.kernels())
        rss = sorted(_memory(pid)[1] for pid in workshop.kernels())
        print(f"one page's kernel: PSS median {statistics.median(pss) / 1024:.0f} MB, RSS median "
              f"{statistics.median(rss) / 1024:.0f} MB ({len(pss)} kernels)", flush=True)  # fmt: skip

        contexts = [c for c, _ in opened]
        more = args.pages - len(contexts)
        for start in range(0, more, 5):  # in fives, as a room trickles in
            contexts += [c for c, _ in await asyncio.gather(*(_open(browser, workshop.url())
                                                              for _ in range(min(5, more - start))))]  # fmt: skip
        time.sleep(10)
        everything = [_memory(pid) for pid in workshop.all_processes()]
        print(f"{len(contexts)} pages open: {len(workshop.kernels())} kernels; workshop total PSS "
              f"{sum(m[0] for m in everything) / 1024 / 1024:.2f} GB, RSS {sum(m[1] for m in everything) / 1024 / 1024:.2f} GB",
              flush=True)  # fmt: skip
        for context in contexts:
            await context.close()
        await browser.close()
    closed = time.monotonic()
    while time.monotonic() - closed < 120:
        time.sleep(5)
    print(f"two minutes after all {len(contexts)} closed: {len(workshop.kernels())} kernels (pool: {pool})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="fresh loads one after another")
    parser.add_argument("--changes", type=int, default=7, help="threshold changes timed on the first page")
    parser.add_argument("--together", type=int, default=10, help="people joining at the same moment")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of one browser joining with the others served")
    parser.add_argument("--pages", type=int, default=30, help="pages open at once for the memory figure")
    parser.add_argument("--pool-size", type=int, default=10, help="Success measures pages built in advance (0: none)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores",
          flush=True)  # fmt: skip
    workshop = Room(work, args.pool_size)
    pool = args.pool_size + min(args.pool_size, 2)  # Success measures pages ready, and up to two Findings pages
    try:
        asyncio.run(_run(workshop, args, pool))
    finally:
        workshop.stop()
        print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
