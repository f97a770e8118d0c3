"""How fast the workshop pages are in Chromium (a benchmark, not a test).

Prints, for the Success measures page served by ``python -m dpup_eval.workshop.server``:

* the median over N fresh loads (a new browser context each: empty cache) of the time from navigation
  to a usable page (the Join button and the first measure's slider handle are on screen);
* the median time from changing a threshold (a key press on a slider handle) to the updated result
  text, measured inside the page (``performance.now()`` around a MutationObserver).

Usage: ``python benchmarks/bench_workshop.py [--loads 5] [--pool-size 2] [--changes 7]``. Needs
``/usr/bin/chromium`` (``apt-get install chromium``). Runs in a temporary folder with its own HOME.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
USABLE = ".dpup-page .widget-button"
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--changes", type=int, default=7)
    parser.add_argument("--pool-size", type=int, default=2, help="pre-started kernels per page (0: none)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="bench-workshop-"))
    env = dict(os.environ, HOME=str(work / "home"), JUPYTER_CONFIG_DIR=str(work / "home/.jupyter"),
               JUPYTER_DATA_DIR=str(work / "home/.local/share/jupyter"), IPYTHONDIR=str(work / "home/.ipython"),
               JUPYTER_RUNTIME_DIR=str(work / "home/.local/share/jupyter/runtime"))  # fmt: skip
    port = _free_port()
    from dpup_eval.agreement.contract import default_contract_dir
    from dpup_eval.demo.generator import DemoOptions, write_demo_data

    data = write_demo_data(work / "demo-data", DemoOptions()).evaluation
    command = [
        sys.executable,
        "-m",
        "dpup_eval.workshop.server",
        "--folder",
        str(work / "w"),
        "--port",
        str(port),
        "--programme",
        str(default_contract_dir()),
        "--data",
        str(data),
    ]
    server = subprocess.Popen(
        command + ["--pool-size", str(args.pool_size)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=env, start_new_session=True,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(
        target=lambda: lines.extend(line.rstrip() for line in server.stdout), daemon=True
    ).start()
    try:
        while not any("Press Ctrl-C" in line for line in lines):
            if server.poll() is not None:
                raise SystemExit("server failed:\n" + "\n".join(lines))
            time.sleep(0.2)
        if args.pool_size:
            time.sleep(15)  # let the pool fill (each waiting kernel runs the page in advance)
        url = f"http://127.0.0.1:{port}/voila/render/success_measures.ipynb"
        loads, changes, requests = [], [], []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for n in range(args.loads):
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                seen: list[str] = []
                page.on("request", lambda r, seen=seen: seen.append(r.url))
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(USABLE, state="visible", timeout=120_000)
                page.locator(".dpup-card .noUi-handle").first.wait_for(state="attached", timeout=60_000)
                loads.append(time.perf_counter() - start)
                requests.append(len(seen))
                if n == 0:
                    card = page.locator(".dpup-card", has_text="Came to most sessions").first.element_handle()
                    for k in range(args.changes):
                        page.evaluate(f"window.__dir = '{'PageDown' if k % 2 == 0 else 'PageUp'}'")
                        changes.append(page.evaluate(CHANGE_JS, card))
                context.close()
                time.sleep(1)
            browser.close()
        print(f"pool size {args.pool_size}: usable Success measures page, median of {len(loads)} fresh loads: "
              f"{statistics.median(loads):.2f} s (all: {', '.join(f'{t:.2f}' for t in loads)}; "
              f"{statistics.median(requests):.0f} requests)")  # fmt: skip
        print(f"threshold change -> updated result, median of {len(changes)}: {statistics.median(changes):.0f} ms "
              f"(all: {', '.join(f'{t:.0f}' for t in changes)})")  # fmt: skip
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
