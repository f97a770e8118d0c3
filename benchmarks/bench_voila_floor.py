"""What any Voila page costs a browser: a one-button page, as a floor for the workshop's figures.

The workshop's Success measures page is a Voila page. Before blaming (or crediting) the workshop's own
widgets for how long a page takes to become usable, this measures the least a Voila page can cost: plain
Voila (the same version and lab template the workshop uses, pages built in advance) serving a notebook
that shows one button. It prints, like ``bench_workshop.py``:

* **one person**: time from navigation to the button on screen, N fresh loads one after another (a new
  browser context each: empty cache), median and worst, and how long the browser's main thread was busy
  per page (Chrome's ``TaskDuration``);
* **ten at once**: ten fresh browser contexts navigating at the same moment, their drawing sharing this
  machine's cores with Voila (the harshest reading of "ten people join at once on a 2-core laptop").

Compare with ``bench_workshop.py``'s lines of the same names, measured on the same machine.

Usage: ``python benchmarks/bench_voila_floor.py [--loads 5] [--together 10]``. Needs ``/usr/bin/chromium``
and Playwright (the test extra). Runs in its own temporary folder and HOME.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_workshop import ARGS, _free_port, _main_thread, _open, _summary  # the same browser and figures

BUTTON = ".floor .widget-button"
CELL = (
    "import ipywidgets as widgets\n"
    "from IPython.display import display\n"
    "display(widgets.VBox([widgets.HTML('<b>Welcome</b>'), widgets.Button(description='Join')], _dom_classes=['floor']))"
)


async def _run(url: str, args: argparse.Namespace) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        alone, busy = [], []
        for _ in range(args.loads):
            context, seconds = await _open(browser, url, visible=BUTTON, attached=None)
            alone.append(seconds)
            busy.append(await _main_thread(context))
            await context.close()
            time.sleep(5)  # the pool builds the page taken again
        print(f"one-button Voila page, one person at a time ({args.loads} fresh loads): {_summary(alone)}", flush=True)
        print(f"the browser's main thread busy per page: median {statistics.median(busy):.2f} s", flush=True)
        time.sleep(15)
        opened = await asyncio.gather(*(_open(browser, url, visible=BUTTON, attached=None) for _ in range(args.together)))
        print(f"one-button Voila page, {args.together} at the same moment, browsers on this machine's cores: "
              f"{_summary([s for _, s in opened])}", flush=True)  # fmt: skip
        await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5, help="fresh loads one after another")
    parser.add_argument("--together", type=int, default=10, help="people joining at the same moment")
    args = parser.parse_args()
    import nbformat

    work = Path(tempfile.mkdtemp(prefix="bench-voila-floor-"))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(CELL)]
    nbformat.write(notebook, work / "floor.ipynb")
    home = work / "home"
    env = dict(os.environ, HOME=str(home), JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
               JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"), IPYTHONDIR=str(home / ".ipython"),
               JUPYTER_RUNTIME_DIR=str(home / ".local/share/jupyter/runtime"))  # fmt: skip
    port = _free_port()
    print(f"load average at start: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores",
          flush=True)  # fmt: skip
    voila = subprocess.Popen(
        [sys.executable, "-m", "voila", str(work / "floor.ipynb"), "--no-browser", f"--port={port}",
         "--preheat_kernel=True", f"--pool_size={args.together}", "--Voila.log_level=WARN"],
        env=env, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:  # the port answers (a page fetched here would take one of the pool's)
                socket.create_connection(("127.0.0.1", port), timeout=5).close()
                break
            except OSError:
                time.sleep(0.5)
        time.sleep(20)  # the pool's pages are built
        asyncio.run(_run(url, args))
    finally:
        voila.terminate()
        voila.wait(timeout=60)
        print(f"load average at end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
