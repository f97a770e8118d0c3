"""The three views in a real browser (issue 12, problems 2, 7 and 8).

A parent on a phone (390 px), the facilitator on a laptop and the room's projector, against
`python -m dpup_eval.workshop.server` as in test_workshop_browser (whose helpers these reuse). Checks
what a browser draws: nothing wider than the phone, a focus ring on every kind of control reached
with the keyboard (axe-core does not catch an invisible one), no facilitator controls on the
participant's page, and the room view's counts by group with the small-group rule.
"""

# ruff: noqa: F811  (fixtures imported from the sibling module are parameters here)
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from test_workshop_browser import (  # noqa: F401
    DESKTOP,
    FACILITATOR_CODE,
    PHONE,
    Recorder,
    Server,
    _browser_available,
    _free_port,
    _join,
    _open,
    _scenario,
    _shot,
    browser,
)

from dpup_eval.workshop import WorkshopStore
from dpup_eval.workshop.page_scripts import ROUTE as PAGE_SCRIPTS
from dpup_eval.workshop.room import NOT_ENOUGH

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: The participant page's parts, as its buttons name them (pages.success_measures_page).
PARTS = ("The measures", "Suggestions", "Suggest one", "Findings")


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo's workshop only: the three views are the same pages for every programme, and
    test_workshop_browser already runs the whole journey for each programme."""
    running = Server(tmp_path_factory.mktemp("workshop"), _free_port(), _scenario("best_foot_forward", request))
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


def _show(page: object, part: str) -> None:
    """Choose one part of the participant page and wait until its button is the pressed one."""
    # (the buttons' accessible names carry the empty icon's space, so match their text exactly)
    page.locator(".widget-toggle-button", has_text=re.compile(rf"^{re.escape(part)}$")).click()
    page.locator(".widget-toggle-button.mod-active", has_text=part).wait_for(timeout=15_000)


# Every visible element of the page sticking out of the viewport, and the page's scroll width.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('.dpup-page *')].filter((e) => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden' && (r.right > width + 1 || r.left < -1);
  }).map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().left)}-${Math.round(e.getBoundingClientRect().right)}`);
  return {width, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 10),
          screens: document.querySelector('.dpup-page').getBoundingClientRect().height / window.innerHeight};
}"""

# The element the keyboard is on: its kind and how its focus is drawn.
FOCUSED = """() => {
  const e = document.activeElement; const s = getComputedStyle(e);
  const kind = e.classList.contains('noUi-handle') ? 'slider' : e.tagName === 'INPUT' ? 'input-' + e.type : e.tagName.toLowerCase();
  return {kind, inPage: !!e.closest('.dpup-page'), outline: s.outlineStyle !== 'none' ? parseFloat(s.outlineWidth) : 0,
          shadow: s.boxShadow, classes: e.className};
}"""


def test_participant_page_fits_a_phone_and_has_no_facilitator_controls(
    browser: object, server: Server
) -> None:
    rec = Recorder()
    phone = _open(browser, server, "success_measures", PHONE, rec)
    _join(phone, "Mere", "Family member")
    screens = {}
    for part in PARTS:
        _show(phone, part)
        measured = phone.evaluate(OVERFLOW)
        assert measured["scroll"] <= measured["width"], (part, measured)
        assert measured["wide"] == [], (part, measured["wide"])
        text = phone.locator(".dpup-page").inner_text()
        assert "Facilitator code" not in text and "Record the decision" not in text, part
        screens[part] = round(measured["screens"], 1)
    _show(phone, "The measures")
    _shot(phone, "participant-phone", server)
    print(f"participant page at 390 px, screens long by part: {screens}")
    # The whole page was 10-13 phone screens; one part at a time stays well under that (measured: the
    # measures 5.6, suggestions 1.5, suggest one 3.3, findings 3.4).
    assert max(screens.values()) < 7, screens


def test_focus_is_visible_on_every_kind_of_control(browser: object, server: Server) -> None:
    page = _open(browser, server, "success_measures", DESKTOP, Recorder())
    seen: dict[str, list[dict]] = {}
    for part in PARTS:  # one part shows at a time: tab through each
        _show(page, part)
        page.locator(".dpup-page h1").first.click()  # start from the top, as a keyboard user would
        for _ in range(60):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUSED)
            if focused["inPage"]:
                seen.setdefault(focused["kind"], []).append(focused)
    assert {"input-text", "button", "slider", "select", "textarea"} <= set(seen), sorted(seen)
    for kind, found in seen.items():
        for f in found:
            assert f["outline"] >= 2 or f["shadow"] not in ("", "none"), (kind, f)


def test_room_view_counts_by_group_and_the_facilitator_page_needs_the_code(
    browser: object, server: Server
) -> None:
    rec = Recorder()
    room = _open(browser, server, "room", DESKTOP, rec, ready=".dpup-room h2")
    facilitator = _open(browser, server, "facilitator", DESKTOP, rec)
    assert not facilitator.get_by_role("button", name="Record the decision").is_visible()
    facilitator.get_by_label("Facilitator code (shown when the workshop started)").fill(FACILITATOR_CODE)
    facilitator.get_by_role("button", name="Open the facilitator tools").click()
    facilitator.get_by_role("button", name="Record the decision").wait_for(timeout=15_000)
    with WorkshopStore(server.folder / "workshop.sqlite") as store:
        workshop = store.current_workshop()
        family = [store.join(workshop.id, f"Kiri{k}", "family_member") for k in range(3)]
        agency = store.join(workshop.id, "Someone at the agency", "agency_staff")
        measure = store.propose(workshop.id, agency.id, indicator_id="attendance", label="Half the sessions",
                                definition={"definition": {"id": "half", "label": "Half the sessions",
                                                           "proposed_by": "agency", "field": "sessions_attended",
                                                           "per": "sessions_offered", "threshold": 0.5}},
                                reason="")  # fmt: skip
        for person in family[:2]:
            store.give_view(measure.id, person.id, "support")
    room.locator(".dpup-room").get_by_text("Suggestion 1: Half the sessions").wait_for(timeout=30_000)
    room.get_by_text(f"Family members: {NOT_ENOUGH}").first.wait_for(timeout=30_000)
    with WorkshopStore(server.folder / "workshop.sqlite") as store:
        store.give_view(measure.id, family[2].id, "concern")
    room.get_by_text("Family members: Support 2, Not sure 0, Concern 1").wait_for(timeout=30_000)
    assert room.get_by_text(f"Agency staff: {NOT_ENOUGH}").count() >= 1
    assert "Kiri" not in room.locator(".dpup-page").inner_text()
    _shot(room, "room-desktop", server)
    assert rec.external() == []


def test_where_information_goes_is_served_offline_in_plain_words(browser: object, server: Server) -> None:
    rec = Recorder()
    context = browser.new_context(viewport=DESKTOP)
    page = rec.attach(context.new_page())
    page.goto(server.url("where_information_goes"), wait_until="commit", timeout=180_000)
    page.wait_for_selector(".dpup-page .js-plotly-plot", timeout=180_000)
    text = page.locator(".dpup-page").inner_text()
    assert "Where information goes" in text
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a raw field name or developer text on the page"
    assert "DPUP_EVAL" not in text and "Thin on purpose" not in text
    assert rec.external() == [], "the page fetched something from the internet"


def test_the_page_loads_its_scripts_as_one_file_and_plotly_only_for_a_chart(browser: object, server: Server) -> None:
    """The pieces of Voila's front end come in one file (page_scripts.py): the participant page fetches
    none of them one by one. plotly.js (4.8 MB) is not loaded until a chart is drawn, and the chart is then
    drawn by plotly itself (dpup-plotly-lazy)."""
    rec = Recorder()
    phone = _open(browser, server, "success_measures", PHONE, rec)
    phone.locator(".dpup-card .noUi-handle").first.wait_for(state="attached", timeout=60_000)
    pieces = [u.split("?")[0] for u in rec.requests
              if re.search(r"/voila/static/\d+\.voila\.js|/voila/labextensions/.+/static/\d+\.[0-9a-f]+\.js", u)]
    assert [u for u in rec.requests if u.split("?")[0].endswith(PAGE_SCRIPTS)] != []
    # Fetched one by one: not in dpup_eval/workshop/page_chunks.json for the installed versions. Add them
    # there (names after /voila/static/ to "voila_static", after /voila/labextensions/ to "labextensions").
    assert [p for p in pieces if "jupyterlab-plotly" not in p] == [], pieces
    assert not any("jupyterlab-plotly" in u for u in rec.requests)
    _join(phone, "Aroha", "Family member")
    _show(phone, "Findings")
    chart = phone.locator(".dpup-page .js-plotly-plot .main-svg").first
    chart.wait_for(state="visible", timeout=60_000)
    assert any("jupyterlab-plotly" in u for u in rec.requests)
    assert phone.locator(".dpup-plotly-lazy .js-plotly-plot").count() >= 1
    assert chart.bounding_box()["width"] <= PHONE["width"]
