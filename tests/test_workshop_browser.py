"""The workshop in a real browser: two participants, a proposal, a view, a decision, findings, a report.

Drives Debian's Chromium through Playwright against `dpup-eval workshop`, once per programme: the demo, the
second programme (`second_programme.py`: other purpose, monthly periods, other roles, a data file of
another name) and a programme made with
`dpup-eval init` from a generated file and settled (`made_by_init.py`). Each programme's words (roles,
measures, groups) come from its own files. Also proves what the pages must never do: fetch anything
from the internet, render a participant's text as HTML, or send row-level data (a reference, an
unsuppressed count under 6) to the browser.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from workshop_process import workshop_command

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.agreement.programme import Programme
from dpup_eval.rights.references import reference_patterns

try:
    from playwright.sync_api import expect
except ImportError:  # the test extra installs it; without it these tests cannot run (see below)
    expect = None

# Debian's Chromium; DPUP_EVAL_CHROMIUM points elsewhere (tests/test_browser_gate.py uses it).
CHROMIUM = Path(os.environ.get("DPUP_EVAL_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
REPO = Path(__file__).resolve().parent.parent
SHOTS = REPO / "artifacts" / "screenshots"
READY = ".dpup-page .widget-button"  # a real, interactive element of the page
PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _in_ci() -> bool:
    """CI sets CI=true: there a missing browser is a broken set-up, never a reason to skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing() -> str | None:
    if expect is None:
        return "Playwright is not installed: `pip install -e '.[test]'` to run the browser tests"
    if not CHROMIUM.exists():
        return "Chromium is not installed: `apt-get install chromium` (Debian) to run the browser tests"
    return None


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    """Fail in CI, skip (with the reason) on a developer's machine, when the browser cannot run.

    Module-scoped and autouse, so it runs before the server and browser fixtures start anything.
    """
    missing = _missing()
    if missing and _in_ci():
        pytest.fail(f"CI=true but {missing[0].lower()}{missing[1:]} (`make test` installs it)", pytrace=False)
    if missing:
        pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


FACILITATOR_CODE = "TEST-CODE"


@dataclass(frozen=True)
class Scenario:
    """One programme's workshop, in its own words (roles, measures and groups from its files)."""

    name: str
    programme: Path
    data: Path
    purpose: str
    family_role: str  # the plain names of two of its roles
    provider_role: str
    slider_measure: str  # a measure whose card has a threshold slider
    proposal_measure: str  # the measure a participant suggests another definition of
    leave_out: str  # a "who is included" tick box to untick in that suggestion
    group_text: str  # a group's label on the findings page ("Region: Auckland")


def _scenario(name: str, request: pytest.FixtureRequest) -> Scenario:
    if name == "best_foot_forward":
        data = request.getfixturevalue("demo_dir") / "evaluation.csv"
        return Scenario(name, default_contract_dir(), data, "evaluation", "Family member", "Provider staff",
                        "Came to most sessions", "Finished the programme", "Moved away", "Region: Auckland")
    if name == "work_ready":
        wr = request.getfixturevalue("work_ready")
        return Scenario(name, wr.folder, wr.outcomes, "outcomes_study", "Trial participant", "Trust staff",
                        "Worked more hours", "In paid work six months on", "Otago", "District: Northland")
    made = request.getfixturevalue("made_by_init")
    return Scenario(name, made.folder, made.data, "outcomes_study", "Family or whānau member", "Provider staff",
                    "Weekly hours went up", "Employed at six months", "Otago", "Trial arm: 1")


class Server:
    def __init__(self, folder: Path, port: int, scenario: Scenario) -> None:
        self.folder, self.port, self.scenario = folder, port, scenario
        self.programme = Programme.load(scenario.programme)
        command = workshop_command(folder, port, scenario.programme, scenario.data)
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "DPUP_WORKSHOP_FACILITATOR_CODE": FACILITATOR_CODE},
            start_new_session=True, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("Press Ctrl-C" in line for line in self.lines):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("workshop server did not start:\n" + "\n".join(self.lines))

    def url(self, page: str) -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{page}.ipynb"

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


@pytest.fixture(scope="module", params=["best_foot_forward", "work_ready", "made_by_init"])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("workshop"), _free_port(), _scenario(request.param, request))
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def _server_log_when_failed(request: pytest.FixtureRequest, server: Server) -> Iterator[None]:
    """A failed test shows the end of the workshop's own log (kernel errors, kernels released) with it."""
    yield
    report = getattr(request.node, "rep_call", None)
    log = server.folder / "server.log"
    if report is not None and report.failed and log.exists():
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-80:]
        print("--- the end of the workshop's server.log ---", *tail, sep="\n")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


class Recorder:
    """Every request a page makes and every text it receives (HTTP responses and websocket frames)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.received: list[str] = []
        self.dialogs: list[str] = []

    def attach(self, page: object) -> object:
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        page.on("response", self._response)
        return page

    def _frame(self, payload: object) -> None:
        self.received.append(
            payload if isinstance(payload, str) else bytes(payload).decode("utf-8", "replace")
        )

    def _response(self, response: object) -> None:
        kind = response.headers.get("content-type", "")
        if any(t in kind for t in ("html", "json", "text")):
            with contextlib.suppress(Exception):  # a redirect or a body already gone: nothing received
                self.received.append(response.text())

    def external(self) -> list[str]:
        return [
            u for u in self.requests if not re.match(r"^(https?|wss?)://127\.0\.0\.1[:/]|^(data|blob):", u)
        ]


def _open(
    browser: object, server: Server, page_name: str, viewport: dict[str, int], recorder: Recorder,
    ready: str = READY,
) -> object:
    context = browser.new_context(viewport=viewport)
    page = recorder.attach(context.new_page())
    # Voila runs the page's notebook before the page "loads": on a busy machine that takes longer than
    # Playwright's 30 s default, so wait for the response, then for a real element of the page.
    page.goto(server.url(page_name), wait_until="commit", timeout=180_000)
    page.wait_for_selector(ready, timeout=180_000)
    return page


def _shot(page: object, name: str, server: Server) -> None:
    if server.scenario.name != "best_foot_forward":
        return  # the committed screenshots are of the demo
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _join(page: object, name: str, role: str) -> None:
    page.get_by_label("Your name for today (a first name or a nickname is fine)").first.fill(name)
    page.locator(".widget-radio-box label", has_text=role).first.click()
    page.get_by_role("button", name="Join the workshop").first.click()
    page.get_by_text(f"You are taking part as {name}").wait_for(timeout=15_000)


def _leave_out(form: object, label: str) -> None:
    """Leave one group out of a suggestion: its tick box under "who is included", or, when success is a
    value of the same field (the demo's status), that value's answer "Leave them out of the count"."""
    box = form.locator(".widget-checkbox:visible", has_text=label)
    answer = form.locator("select:visible").and_(form.get_by_label(label, exact=True))
    box.or_(answer).first.wait_for(timeout=15_000)
    if answer.count():
        answer.select_option(label="Leave them out of the count")
    else:
        box.first.locator("input").uncheck()


def _check_readable(page: object, *, sliders: bool = False) -> None:
    """Text at least 18px, every visible button and text box at least 44px tall, a label on each."""
    sizes = page.evaluate(
        """() => {
        const visible = (e) => e.offsetParent !== null && e.getBoundingClientRect().height > 0;
        const q = (s) => [...document.querySelectorAll('.dpup-page ' + s)].filter(visible);
        return {
          text: q('p, .widget-label, label, button').map((e) => parseFloat(getComputedStyle(e).fontSize)),
          controls: q('button, input[type=text], select, textarea').map((e) => e.getBoundingClientRect().height),
          unlabelled: q('input[type=text], select, textarea').filter(
            (e) => !(e.id && document.querySelector(`label[for="${e.id}"]`)) && !e.closest('label')).length,
          unnamed_sliders: q('[role=slider]').filter((e) => !e.getAttribute('aria-label')).length,
          sliders: q('[role=slider]').length,
          unnamed_radio_groups: q('.widget-radio-box').filter(
            (e) => e.getAttribute('role') !== 'radiogroup' || !e.getAttribute('aria-label')).length,
          width: document.documentElement.scrollWidth,
        };
    }"""
    )
    assert sizes["text"] and min(sizes["text"]) >= 18
    assert sizes["controls"] and min(sizes["controls"]) >= 44
    assert sizes["unlabelled"] == 0
    assert sizes["unnamed_sliders"] == 0 and sizes["unnamed_radio_groups"] == 0
    if sliders:  # the measures board is showing: its sliders are named after their labels
        assert sizes["sliders"] > 0


def test_two_participants_propose_view_decide_and_report(browser: object, server: Server) -> None:
    sc = server.scenario
    rec = Recorder()
    aroha = _open(browser, server, "success_measures", DESKTOP, rec)
    mere = _open(browser, server, "success_measures", PHONE, rec)
    _shot(aroha, "success_measures-desktop", server)
    _shot(mere, "success_measures-phone", server)
    for page in (aroha, mere):
        _check_readable(page)
    _join(aroha, "Aroha", sc.family_role)
    _join(mere, "Mere", sc.provider_role)

    # Changing a level on the measures board updates its live result.
    card = aroha.locator(".dpup-card", has_text=sc.slider_measure).first
    before = card.locator(".dpup-result").inner_text()
    handle = card.locator(".noUi-handle").first
    handle.focus()
    handle.press("PageDown")
    expect(card.locator(".dpup-result")).not_to_have_text(before, timeout=10_000)
    _check_readable(aroha, sliders=True)

    # Aroha proposes through the guided form (with a script payload in her reason).
    aroha.get_by_role("button", name="Suggest one").click()
    form = aroha.locator(".dpup-section", has_text="Suggest a measure").first
    form.get_by_label("1. Which measure is this about?").select_option(label=sc.proposal_measure)
    _leave_out(form, sc.leave_out)
    form.get_by_label("A short name for your suggestion").fill("Not counting one group")
    form.get_by_label("Why do you suggest it? (optional)").fill("Moving is not failing. " + PAYLOAD)
    form.get_by_role("button", name="Put my suggestion on the table").click()
    form.get_by_text("is on the table").wait_for(timeout=15_000)

    # Mere sees it appear without reloading, and gives her view.
    mere.get_by_role("button", name="Suggestions").click()
    suggestion = mere.locator(".dpup-card", has_text="Suggestion 1: Not counting one group").first
    suggestion.wait_for(timeout=20_000)
    assert "Moving is not failing. <img src=x" in suggestion.inner_text()  # shown as text
    suggestion.get_by_role("button", name="I have a concern").click()
    suggestion.get_by_label("A comment (optional)").fill("Moving can mean things went wrong " + PAYLOAD)
    suggestion.get_by_role("button", name="Send my view").click()
    suggestion.get_by_text("your view is recorded").wait_for(timeout=15_000)
    aroha.get_by_role("button", name="Suggestions").click()
    aroha.locator(".dpup-card", has_text="Suggestion 1").get_by_text("Concern: 1").wait_for(timeout=20_000)

    # The facilitator, on their own page (the participants' pages have no decision form), records the
    # decision with Mere's dissent; the code opens the page's tools.
    assert aroha.get_by_role("button", name="Record the decision").count() == 0
    tui = _open(browser, server, "facilitator", DESKTOP, rec)
    tui.get_by_label("Facilitator code (shown when the workshop started)").fill("WRONG")
    tui.get_by_role("button", name="Open the facilitator tools").click()
    tui.get_by_text("that is not the facilitator code").wait_for(timeout=15_000)
    tui.get_by_label("Facilitator code (shown when the workshop started)").fill(FACILITATOR_CODE)
    tui.get_by_role("button", name="Open the facilitator tools").click()
    _join(tui, "Tui", sc.provider_role)
    decide = tui.locator(".dpup-section", has_text="What was agreed").first
    decide.get_by_label("Which measure was decided?").select_option(label=sc.proposal_measure)
    decide.locator(".widget-checkbox", has_text="Suggestion 1: Not counting").locator("input").check()
    dissent_boxes = decide.locator(".widget-checkbox", has_text="Mere")
    dissent_boxes.nth(1).locator("input").check()  # the second "Mere" box is under "Who disagreed"
    decide.get_by_label("What those who disagreed said (in their words)").fill(
        "Moving can mean it went wrong"
    )
    decide.get_by_role("button", name="Record the decision").click()
    decide.get_by_text("agreed to use suggestion 1").first.wait_for(timeout=15_000)
    mere.get_by_text("Disagreed: Mere.").wait_for(timeout=20_000)

    # The findings page shows the agreed measure's chart; the report exports.
    findings = _open(browser, server, "findings", DESKTOP, rec)
    findings.wait_for_selector(".js-plotly-plot", timeout=60_000)
    options = findings.locator("select").first.inner_text().replace("\xa0", " ")  # ipywidgets uses nbsp
    assert f"Agreed: {sc.proposal_measure}" in options
    shown = findings.locator("select").first.evaluate("s => s.options[s.selectedIndex].text").replace("\xa0", " ")
    assert shown == f"Agreed: {sc.proposal_measure}"  # the page opens on what the room agreed
    period_word = server.programme.settings.periods.word
    findings.get_by_role("button", name=f"By {period_word}").wait_for(timeout=15_000)
    assert findings.get_by_role("button", name="By quarter").count() == (period_word == "quarter")
    _shot(findings, "findings-desktop", server)
    phone_findings = _open(browser, server, "findings", PHONE, rec)
    phone_findings.wait_for_selector(".js-plotly-plot", timeout=60_000)
    _shot(phone_findings, "findings-phone", server)
    _join(findings, "Aroha", sc.family_role)
    findings.get_by_role("button", name="By group").click()
    findings.get_by_text(sc.group_text).first.wait_for(timeout=15_000)
    findings.get_by_label("What do you read into it? (in your own words)").fill("Auckland lags " + PAYLOAD)
    findings.get_by_role("button", name="Add my reading").click()
    findings.get_by_text("your reading is added").wait_for(timeout=15_000)
    findings.get_by_role("button", name="Make the workshop report").click()
    link = findings.get_by_role("link", name="Open the workshop report")
    link.wait_for(timeout=30_000)
    response = findings.request.get(link.evaluate("a => a.href"))
    assert response.ok
    report = response.text()
    assert "Disagreed: Mere." in report and "Moving can mean it went wrong" in report
    assert "Auckland lags &lt;img src=x" in report and "<img src=x" not in report
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?:", report)  # plotly.js inline
    assert "Plotly.newPlot" in report
    _shot(findings, "findings-report-desktop", server)

    assert rec.external() == [], "the pages fetched something from the internet"
    assert rec.dialogs == []
    for page in (aroha, mere, findings):
        assert page.evaluate("window.__xss === undefined")
        assert page.locator("img[src=x]").count() == 0


def test_nothing_row_level_reaches_the_browser(browser: object, server: Server) -> None:
    sc = server.scenario
    contract = server.programme.for_purpose(sc.purpose)
    data = pd.read_csv(sc.data, dtype=str)
    keys = [f.name for f in contract.fields if f.role == "pseudonymous_key"]
    references = set().union(*(set(data[k].dropna()) for k in keys))
    shapes = [re.compile(p.regex.pattern) for p in reference_patterns(server.programme)]  # case as written
    assert references and shapes
    rec = Recorder()
    page = _open(browser, server, "success_measures", DESKTOP, rec)
    for handle in page.locator(".dpup-card .noUi-handle").all()[:2]:
        handle.focus()
        handle.press("PageUp")
    findings = _open(browser, server, "findings", DESKTOP, rec)
    findings.wait_for_selector(".js-plotly-plot", timeout=60_000)
    for view in ("By group", "Against the target", f"By {server.programme.settings.periods.word}"):
        findings.get_by_role("button", name=view).click()
        findings.wait_for_timeout(700)
    assert "1970" not in findings.locator(".js-plotly-plot").first.inner_text()  # months drawn as names, not dates
    measure = findings.get_by_label("Measure", exact=True)
    measure.select_option(index=min(3, measure.locator("option").count() - 1))  # another measure than the first
    findings.wait_for_timeout(1500)
    received = "\n".join(rec.received)
    assert len(received) > 10_000  # the capture saw the pages' traffic
    # SVG path data ("M1352.3,326.2h37V28...", in Jupyter's icons) has the shape of a letter-and-digits key.
    text = re.sub(r"""\bd=(['"])[^'"]*\1|data:image/svg\+xml[^"')]*""", " ", received)
    found = [(m.group(0)[0], text[max(0, m.start() - 60):m.start()].replace("\n", " "))
             for shape in shapes for m in shape.finditer(text)][:5]  # the letter and what came before only
    assert not found, f"a reference-shaped value reached the browser, after: {found}"
    assert not any(ref in received for ref in references)
    counts = [
        int(n) for n in re.findall(r"(?:of about|only about|rests on only about|\(|;) ?(\d+) people", received)
    ]
    assert counts, "no published counts were seen"
    assert min(counts) >= 6, f"an unsuppressed count under 6 reached the browser: {sorted(counts)[:5]}"
    assert rec.external() == []


def test_report_file_is_listed(server: Server) -> None:
    """The exported report is written in the workshop folder (the browser test above made it)."""
    reports = sorted((server.folder / "pages" / "reports").glob("workshop-report-*.html"))
    assert reports
    assert json.loads((server.folder / "check-report.json").read_text(encoding="utf-8"))["summary"][
        "accepted"
    ]
