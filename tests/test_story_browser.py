"""The Stories page in a real browser: two participants mark a story with reasons, the facilitator records
the room's choice with dissent, and the workshop report quotes only what the family allowed.

Same server and browser as tests/test_workshop_browser.py (Debian's Chromium through Playwright, against
`dpup-eval workshop`), with a story register made here: which family allowed what is set
by hand. Also proves that a caseworker's typed name, phone and NHI never reach the browser or the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import test_workshop_browser
from test_workshop_browser import (  # the shared server, browser and page helpers
    DESKTOP,
    FACILITATOR_CODE,
    PAYLOAD,
    PHONE,
    READY,
    Recorder,
    Server,
    _browser_available,  # noqa: F401  (the module's fail-in-CI / skip gate, used as an autouse fixture)
    _check_readable,
    _free_port,
    _join,
    _scenario,
    _shot,
)

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.rights.stories.register import StoryRegister
from dpup_eval.rights.stories.settings import StorySettings
from dpup_eval.rights.stories.sharing import story_check
from dpup_eval.workshop.stories import STORIES_ENV

pytestmark = [pytest.mark.browser, pytest.mark.slow]
browser = test_workshop_browser.browser  # the module-scoped Chromium fixture (pytest finds it by name)

ATTACK = "Whaea Losa Tuilagi rang Mere Tipene on 021 555 0199 (NHI ZZZ0016). Now I feel like a real parent."
SECRETS = ("Losa", "Tuilagi", "Tipene", "021 555 0199", "ZZZ0016", "CCSS-0000")
#: (family, domain, words, how far the family allowed it)
STORIES = [
    ("CCSS-00001", "parent_confidence", ATTACK, "report"),
    ("CCSS-00002", "children_wellbeing", "The kids laugh at dinner again.", "workshop"),
    ("CCSS-00003", "parent_confidence", "Evaluators only, please.", "evaluation"),
]


def _register(path: Path) -> None:
    folder = default_contract_dir()
    agreement, settings = Agreement.load(folder), StorySettings.load(folder)
    check = story_check(agreement, settings)
    register = StoryRegister(path, audit=path.parent / "audit.jsonl")
    for family, domain, text, level in STORIES:
        story = register.record(family_ref=family, told_on=date(2025, 3, 4), domain=domain, text=text,
                                settings=settings, check=check)
        register.review(story.id, approve=True, family_saw=True,
                        flags_reason="Checked with the family: 'parent' says nothing about who they are")
        register.choose(story.id, level, asked_with="adult", how="in_person", given_on=date(2025, 3, 11))


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("stories-workshop")
    _register(folder / "stories.sqlite")
    before = os.environ.get(STORIES_ENV)
    os.environ[STORIES_ENV] = str(folder / "stories.sqlite")  # Server passes its environment to the kernels
    try:
        running = Server(folder, _free_port(), _scenario("best_foot_forward", request))
        try:
            running.wait_ready()
            yield running
        finally:
            running.stop()
    finally:
        if before is None:
            os.environ.pop(STORIES_ENV, None)
        else:
            os.environ[STORIES_ENV] = before


def _open(browser: object, server: Server, page_name: str, viewport: dict[str, int], recorder: Recorder) -> object:
    """As test_workshop_browser's, with room for a slow first load: the server keeps kernels ready for three
    pages now, and on a busy two-core machine the first page can take longer than Playwright's 30 s."""
    context = browser.new_context(viewport=viewport)
    page = recorder.attach(context.new_page())
    page.goto(server.url(page_name), timeout=180_000)
    page.wait_for_selector(READY, timeout=120_000)
    return page


def test_marking_and_choosing_stories_with_reasons_and_the_report(browser: object, server: Server) -> None:
    rec = Recorder()
    aroha = _open(browser, server, "stories", DESKTOP, rec)
    hemi = _open(browser, server, "stories", PHONE, rec)
    _shot(aroha, "stories-desktop", server)
    _shot(hemi, "stories-phone", server)
    for page in (aroha, hemi):
        _check_readable(page)
        text = page.locator(".dpup-page").inner_text()
        assert "Now I feel like a real parent." in text and "The kids laugh at dinner again." in text
        assert "Evaluators only" not in text
    _join(aroha, "Aroha", "Family member")
    _join(hemi, "Hemi", "Provider staff")

    # Aroha marks the story that matters most to her, with her reason (and a script payload).
    mark = aroha.locator(".dpup-section", has_text="3. The story that matters most to you").first
    mark.get_by_label("Which story matters most to you?").select_option(label="Story 1 (Confidence as a parent)")
    mark.get_by_label("Why it matters to you (in your own words)").fill("It is my story too " + PAYLOAD)
    mark.get_by_role("button", name="Mark this story").click()
    mark.get_by_text("your mark on story 1 is recorded").wait_for(timeout=15_000)

    # Hemi sees it after asking for the latest marks, and marks the other story.
    hemi.get_by_role("button", name="Show the latest marks").click()
    hemi.get_by_text("Matters most to Aroha: It is my story too <img src=x").wait_for(timeout=15_000)
    mark = hemi.locator(".dpup-section", has_text="3. The story that matters most to you").first
    mark.get_by_label("Which story matters most to you?").select_option(label="Story 2 (The children's wellbeing)")
    mark.get_by_label("Why it matters to you (in your own words)").fill("Children laughing says it all")
    mark.get_by_role("button", name="Mark this story").click()
    mark.get_by_text("your mark on story 2 is recorded").wait_for(timeout=15_000)

    # Aroha, facilitating, records the room's choice in each domain; Hemi disagrees with the first.
    choose = aroha.locator(".dpup-section", has_text="4. The room's choice").first
    aroha.get_by_role("button", name="Show the latest marks").click()
    choose.get_by_label("Which story did the room choose as most significant?").select_option(
        label="Story 1 (Confidence as a parent)")
    choose.get_by_label("Why the room chose it (the reasons people gave)").fill("A parent finding their voice")
    choose.locator(".widget-checkbox", has_text="Hemi").nth(1).locator("input").check()  # under "Who disagreed"
    choose.get_by_label("What those who disagreed said (in their words)").fill("Story 2 is about the children")
    choose.get_by_role("button", name="Record the room's choice").click()
    # the refusal itself (the code box's label says the same words: waiting on the words alone could end at once)
    choose.locator(".dpup-message-error", has_text="only the facilitator records the room's choice").wait_for(
        timeout=15_000)
    code = "Facilitator code (only the facilitator records the room's choice)"
    choose.get_by_label(code).fill(FACILITATOR_CODE)
    choose.get_by_role("button", name="Record the room's choice").click()
    choose.get_by_text("story 1 is the room's choice for Confidence as a parent").wait_for(timeout=15_000)
    choose.get_by_label("Which story did the room choose as most significant?").select_option(
        label="Story 2 (The children's wellbeing)")
    choose.get_by_label("Why the room chose it (the reasons people gave)").fill("Joy at home")
    choose.get_by_label(code).fill(FACILITATOR_CODE)
    choose.get_by_role("button", name="Record the room's choice").click()
    choose.get_by_text("story 2 is the room's choice").wait_for(timeout=15_000)
    aroha.get_by_text("Disagreed: Hemi. Story 2 is about the children").wait_for(timeout=15_000)
    _shot(aroha, "stories-chosen-desktop", server)

    # The workshop report quotes story 1 (its family allowed reports), not story 2 (workshops only).
    findings = _open(browser, server, "findings", DESKTOP, rec)
    findings.wait_for_selector(".js-plotly-plot", timeout=60_000)
    _join(findings, "Aroha", "Family member")
    findings.get_by_role("button", name="Make the workshop report").click()
    link = findings.get_by_role("link", name="Open the workshop report")
    link.wait_for(timeout=30_000)
    report = findings.request.get(link.evaluate("a => a.href")).text()
    assert "Now I feel like a real parent." in report and "A parent finding their voice" in report
    assert "Disagreed: Hemi. What was said: Story 2 is about the children" in report
    assert "The kids laugh at dinner again." not in report and "Joy at home" not in report

    everything = "\n".join(rec.received) + report
    for secret in SECRETS:
        assert secret not in everything, secret
    assert "Evaluators only" not in everything
    assert rec.external() == [], "the pages fetched something from the internet"
    for page in (aroha, hemi):
        assert page.evaluate("window.__xss === undefined")
        assert page.locator("img[src=x]").count() == 0
