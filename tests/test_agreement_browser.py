"""The Agreement page in a real browser: three participants review a draft, the provider declines a field,
the agency answers, both sides sign, and the signed version becomes the programme's agreement.

Same browser and helpers as tests/test_workshop_browser.py (Debian's Chromium through Playwright, against
`dpup-eval workshop`), on a copy of the demo programme (signing writes into the folder).
Kernels are not pre-started here (``--pool-size 0``): three pages open at once on a busy two-core machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator

import pytest
import test_workshop_browser
from test_workshop_browser import (  # the shared server, browser and page helpers
    DESKTOP,
    FACILITATOR_CODE,
    PAYLOAD,
    PHONE,
    READY,
    SHOTS,
    Recorder,
    Scenario,
    Server,
    _browser_available,  # noqa: F401  (the module's fail-in-CI / skip gate, used as an autouse fixture)
    _free_port,
    _join,
)
from workshop_process import workshop_command

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.agreement.programme import Programme

pytestmark = [pytest.mark.browser, pytest.mark.slow]
browser = test_workshop_browser.browser  # the module-scoped Chromium fixture (pytest finds it by name)


class ColdServer(Server):
    """The workshop server with no pre-started kernels."""

    def __init__(self, folder, port, scenario) -> None:  # type: ignore[no-untyped-def]
        self.folder, self.port, self.scenario = folder, port, scenario
        self.programme = Programme.load(scenario.programme)
        command = workshop_command(folder, port, scenario.programme, scenario.data, "--pool-size", "0")
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "DPUP_WORKSHOP_FACILITATOR_CODE": FACILITATOR_CODE}, start_new_session=True, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("agreement-workshop")
    programme = folder / "programme"
    shutil.copytree(default_contract_dir(), programme)
    data = request.getfixturevalue("demo_dir") / "evaluation.csv"
    scenario = Scenario("agreement", programme, data, "evaluation", "Family member", "Provider staff", "", "", "", "")
    running = ColdServer(folder / "run", _free_port(), scenario)
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _open(browser: object, server: Server, viewport: dict[str, int], recorder: Recorder) -> object:
    context = browser.new_context(viewport=viewport)
    page = recorder.attach(context.new_page())
    page.goto(server.url("agreement"), wait_until="commit", timeout=240_000)
    page.wait_for_selector(READY, timeout=240_000)
    return page


def _section(page: object, title: str) -> object:
    return page.locator(".dpup-section", has_text=title).first


def test_review_decline_answer_and_sign(browser: object, server: Server) -> None:
    rec = Recorder()
    mere, sam, aroha = (_open(browser, server, size, rec) for size in (PHONE, DESKTOP, DESKTOP))
    text = mere.locator(".dpup-page").inner_text()
    assert "the team at the agency that pays CCSS to run the programme" in text
    assert "not used by any measure" in text
    _join(mere, "Mere", "Family member")
    _join(sam, "Sam", "Provider staff")
    _join(aroha, "Aroha", "Agency staff")

    # Mere (family) says feedback should not be collected, in her own words (with a script payload).
    view = _section(mere, "3. Your view")
    view.get_by_label("About").select_option(label="Evaluation: Feedback in their own words")
    view.get_by_role("button", name="Don't collect").click()
    view.get_by_label("Why (in your own words)").fill("Our words are ours " + PAYLOAD)
    view.get_by_role("button", name="Give my view").click()
    view.get_by_text("your view is recorded").wait_for(timeout=30_000)

    # Sam (provider) declines the field.
    propose = _section(sam, "4. Propose a change")
    propose.get_by_label("I propose to").select_option(label="Decline this field (provider only)")
    propose.get_by_label("About").select_option(label="Evaluation: Feedback in their own words")
    propose.get_by_label("Why (in your own words)").fill("We will not ask families for this.")
    propose.get_by_role("button", name="Put it on the table").click()
    propose.get_by_text("#1 is on the table").wait_for(timeout=30_000)

    # Aroha (agency) answers the decline.
    aroha.get_by_role("button", name="Show the latest").click()
    answer = _section(aroha, "5. Answers")
    answer.get_by_label("Proposal").select_option(index=0)
    answer.locator("button[data-value=Accept]").click()  # already chosen: shown as "✓ Accept"
    answer.get_by_label("Note (why, or what to discuss)").fill("Agreed: not collected.")
    answer.get_by_role("button", name="Record our answer").click()
    answer.get_by_text("your answer to #1 is recorded").wait_for(timeout=30_000)

    # Sam makes the next version and signs it for the provider; Aroha signs for the agency.
    sam.get_by_role("button", name="Show the latest").click()
    sign = _section(sam, "6. New version and signatures")
    sign.get_by_role("button", name="Make the next version from the accepted proposals").click()
    sign.get_by_text("version 2 is ready").wait_for(timeout=60_000)
    for page, role, side in ((sam, "Service manager", "provider"), (aroha, "Senior advisor", "agency")):
        page.get_by_role("button", name="Show the latest").click()
        panel = _section(page, "6. New version and signatures")
        panel.get_by_label("Signing as (your role)").fill(role)
        panel.get_by_label("Date").fill("2026-03-02")
        panel.get_by_role("button", name="Sign this version for my side").click()
        panel.get_by_text(f"signed for the {side} by {role}").wait_for(timeout=60_000)
    _section(aroha, "6. New version and signatures").get_by_text("now the agreement in use").wait_for(timeout=30_000)

    # Everyone sees the signed version; the programme folder now holds it.
    mere.get_by_role("button", name="Show the latest").click()
    mere.get_by_text("agreed by both sides; this is the agreement in use").wait_for(timeout=60_000)
    in_use = Agreement.load(server.scenario.programme).for_purpose("evaluation")
    assert in_use.version == "2.0.0" and not in_use.has_field("feedback")
    for page in (mere, sam, aroha):
        assert page.evaluate("() => window.__xss") is None
    assert not rec.external() and not rec.dialogs
    SHOTS.mkdir(parents=True, exist_ok=True)  # for people to look at (not committed)
    mere.screenshot(path=str(SHOTS / "agreement-phone.png"))
    aroha.screenshot(path=str(SHOTS / "agreement-desktop.png"), full_page=True)
