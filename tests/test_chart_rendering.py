"""Charts as a browser draws them, at phone width and on a laptop (issue 12, problem 5).

Figure dicts can say a target line exists while the browser draws nothing (the chart template gave
shapes a width of 0), so these tests read the rendered SVG: the target line's computed stroke width,
the boxes of every piece of text (title, axis ticks, point labels, legend) inside the chart and not on
top of each other, no plotly toolbar, and a plot that uses the phone's width. The charts are written with
:func:`~dpup_eval.findings.charts.figure_html`, the one function the workshop report and
``dpup-eval evaluate --html`` use (the workshop pages send the same figure with the same config).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.findings.charts import charts_for, figure_html, findings_page
from dpup_eval.findings.evaluation import Findings, evaluate_file

CHROMIUM = Path(os.environ.get("DPUP_EVAL_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Every chart's geometry as drawn: text boxes by kind, the target line, the toolbar, the plot's width.
MEASURE = """() => [...document.querySelectorAll('.js-plotly-plot')].map((div) => {
  const box = div.getBoundingClientRect();
  const kind = (t) => t.closest('.gtitle') ? 'title' : t.closest('.xtick, .ytick') ? 'tick'
    : t.closest('.legend') ? 'legend' : t.classList.contains('bartext') ? 'band' : t.closest('.textpoint') ? 'point' : 'other';
  const texts = [...div.querySelectorAll('.main-svg text')]
    .filter((t) => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map((t) => { const r = t.getBoundingClientRect();
      return {kind: kind(t), text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom}; });
  const lines = [...div.querySelectorAll('.shapelayer path')].map((p) => ({
    width: parseFloat(getComputedStyle(p).strokeWidth || '0'), height: p.getBoundingClientRect().height}));
  const area = div.querySelector('.nsewdrag');
  return {title: div._fullLayout.title.text, box: {l: box.left, r: box.right, t: box.top, b: box.bottom},
          texts, lines, hasTarget: div._fullData.some((t) => (t.name || '').startsWith('Target ')),
          toolbar: [...div.querySelectorAll('.modebar')].filter((m) => m.getBoundingClientRect().width > 0).length,
          plotWidth: area ? area.getBoundingClientRect().width : 0};
})"""


def _overlap(a: dict, b: dict) -> bool:
    return min(a["r"], b["r"]) - max(a["l"], b["l"]) > 1 and min(a["b"], b["b"]) - max(a["t"], b["t"]) > 1


@pytest.fixture(scope="module")
def findings(demo_dir: Path) -> Findings:
    return evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                         default_contract_dir() / "indicators.yaml", by=["region", "age_band"],
                         period="enrolment_quarter")  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> object:
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` (Debian) to run this")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def _measure(browser: object, page_file: Path, viewport: dict[str, int]) -> list[dict]:
    page = browser.new_page(viewport=viewport)
    try:
        page.goto(page_file.as_uri(), timeout=180_000)  # 4.5 MB of plotly.js inline; the machine is shared
        page.wait_for_selector(".js-plotly-plot .ytick text", state="attached", timeout=180_000)
        page.wait_for_timeout(500)
        return page.evaluate(MEASURE)
    finally:
        page.close()


@pytest.fixture(scope="module")
def charts_file(findings: Findings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    figures = [figure for indicator in ("finished", "parent_confidence_improved", "attendance")
               for figure in charts_for(findings, indicator)]  # fmt: skip
    body = "".join(figure_html(figure, include_plotlyjs=k == 0) for k, figure in enumerate(figures))
    page_file = tmp_path_factory.mktemp("charts") / "charts.html"
    page_file.write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"></head><body style="margin:8px">{body}</body></html>',
        encoding="utf-8",
    )
    return page_file


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_charts_draw_the_target_and_keep_every_label_clear(
    browser: object, charts_file: Path, viewport: dict[str, int]
) -> None:
    charts = _measure(browser, charts_file, viewport)
    assert len(charts) >= 8
    for chart in charts:
        where = chart["title"]
        assert chart["toolbar"] == 0, f"{where}: plotly's toolbar is shown"
        if chart["hasTarget"]:
            assert chart["lines"], f"{where}: no target line drawn"
            assert all(line["width"] >= 1.5 and line["height"] > 50 for line in chart["lines"]), (
                where,
                chart["lines"],
            )
        box, texts = chart["box"], chart["texts"]
        assert {"title", "tick", "point", "legend"} <= {t["kind"] for t in texts}, where
        for t in texts:  # nothing cut off at the chart's edges
            assert box["l"] - 1 <= t["l"] and t["r"] <= box["r"] + 1, (where, t["text"], "cut off at a side")
            assert box["t"] - 1 <= t["t"] and t["b"] <= box["b"] + 1, (
                where,
                t["text"],
                "cut off at top/bottom",
            )
        for i, a in enumerate(texts):  # nothing written on top of something else
            for b in texts[i + 1 :]:
                assert not _overlap(a, b), (where, a["text"], b["text"])
        # the plot uses most of the width it is given (on a phone it was about 230 of 390 px)
        assert chart["plotWidth"] >= 0.55 * (box["r"] - box["l"]), (where, chart["plotWidth"])


def test_the_findings_page_of_evaluate_html_draws_its_target_lines(
    browser: object, findings: Findings, tmp_path: Path
) -> None:
    page_file = tmp_path / "findings.html"
    page_file.write_text(findings_page(findings, "Findings"), encoding="utf-8")
    charts = _measure(browser, page_file, PHONE)
    targets = [chart for chart in charts if chart["hasTarget"]]
    assert targets and all(chart["lines"] and chart["lines"][0]["width"] >= 1.5 for chart in targets)
    assert all(chart["toolbar"] == 0 for chart in charts)
