"""Kernels are released (issue 12): after the tabs close, the kernel count returns to the pool size.

Three participants open the Success measures page in Debian's Chromium (Playwright), one the Stories page
(its loading screen speaks plain words), and one more page is fetched and never opened (a phone that lost
the network); all close. Each page held a kernel of about
250 MB; within two minutes only the pool's ready kernels are left. The workshop is started as a
facilitator starts it (`dpup-eval workshop`) with one ready kernel per main page.
"""

from __future__ import annotations

import socket
import time
import urllib.request
from pathlib import Path

import pytest
from test_workshop_browser import ARGS, CHROMIUM, READY, _browser_available  # noqa: F401 (a module fixture)
from workshop_process import Workshop, workshop_command

from dpup_eval.agreement.contract import default_contract_dir

pytestmark = [pytest.mark.browser, pytest.mark.slow]
POOL = 2  # --pool-size 1 for each of the two pages with ready kernels (Success measures, Findings)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _count_settles(workshop: Workshop, wanted: int, within: float) -> float:
    """Seconds until exactly ``wanted`` kernels run (fails after ``within`` s, naming the count)."""
    start = time.monotonic()
    while len(workshop.kernels()) != wanted:
        assert time.monotonic() - start < within, f"{len(workshop.kernels())} kernels, not {wanted}, after {within:.0f} s"
        time.sleep(1)
    return time.monotonic() - start


def test_closed_tabs_give_their_kernels_back_within_two_minutes(tmp_path: Path, demo_dir: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    workshop = Workshop(workshop_command(tmp_path / "w", port, default_contract_dir(), demo_dir / "evaluation.csv",
                                         "--pool-size", "1"))  # fmt: skip
    try:
        workshop.wait_ready()
        _count_settles(workshop, POOL, within=300)  # the pool is ready
        url = f"http://127.0.0.1:{port}/voila/render/success_measures.ipynb"
        with urllib.request.urlopen(url, timeout=300) as response:  # fetched, never connected
            assert b"voila" in response.read()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            contexts = []
            for _ in range(3):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                page = context.new_page()
                page.goto(url, timeout=300_000)
                page.wait_for_selector(READY, state="visible", timeout=300_000)
                contexts.append(context)
            assert len(workshop.kernels()) >= POOL + 3  # three open pages (each its own kernel) and the pool
            # A page without a ready kernel (Stories) shows the loading screen while its kernel starts.
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            page.goto(url.replace("success_measures", "stories"), wait_until="commit", timeout=300_000)
            page.wait_for_selector("#loading_text", state="attached", timeout=300_000)
            loading = page.locator("#loading_text").text_content(timeout=60_000) or ""
            assert loading.startswith(("Opening the workshop page", "Still opening")), loading
            assert page.locator("#loading_text").get_attribute("role") == "status"
            page.wait_for_selector("#loading", state="detached", timeout=300_000)  # gone once the page is there
            page.wait_for_selector(".dpup-page", state="attached", timeout=60_000)
            contexts.append(context)
            for context in contexts:
                context.close()
            closed = time.monotonic()
            browser.close()
        # Released 90 s after the last browser left (checked every 10 s); never the pool's kernels.
        _count_settles(workshop, POOL, within=120 - (time.monotonic() - closed))
        time.sleep(15)
        assert len(workshop.kernels()) == POOL  # the pool is kept, not culled
    finally:
        workshop.stop()
