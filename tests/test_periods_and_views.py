"""Periods other than quarters, chart axes that fit the data, and `evaluate` tables in the terminal.

Counts are checked against the CSV read with plain pandas; the chart's axis is read from the figure
as Chromium renders it (plotly's own computed layout), not from the figure dict.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_run import dpup_eval
from trial_programme import FOLDER, PURPOSE

from dpup_eval.findings.charts import group_chart, trend_chart
from dpup_eval.findings.evaluation import Findings, evaluate
from dpup_eval.findings.indicators import IndicatorError, load_indicators
from dpup_eval.findings.text_tables import findings_text


@pytest.fixture(scope="module")
def raw(trial) -> pd.DataFrame:
    return pd.read_csv(trial[0], parse_dates=["enrolment_date"])


@pytest.fixture(scope="module")
def indicators(trial):
    return load_indicators(FOLDER / "indicators.yaml", trial[1])


@pytest.fixture(scope="module")
def monthly(trial, indicators) -> Findings:
    _, contract, data = trial
    return evaluate(data, indicators, contract=contract, period="enrolment_date", period_grain="month")


def _everyone(findings: Findings, indicator: str) -> dict[str | None, object]:
    return {f.period: f for f in findings.select(indicator=indicator, grouping="")}


def test_dates_read_by_month(monthly: Findings, raw: pd.DataFrame) -> None:
    months = raw["enrolment_date"].dt.strftime("%Y-%m")
    assert monthly.periods == sorted(months.unique()) and monthly.period_grain == "month"
    everyone = _everyone(monthly, "passed")
    in_trial = raw[raw["arm"].notna()]
    for month, count in in_trial["enrolment_date"].dt.strftime("%Y-%m").value_counts().items():
        assert abs(everyone[month].n - count) <= 2  # rounded to base 3
    assert everyone[None].period_label == "All months"
    later = everyone[monthly.periods[1]]
    assert later.versus_previous is not None and later.versus_previous.versus_label == "the month before"
    assert "look at all" not in (everyone[None].reason or "")


def test_years_quarters_and_the_contract_schedule(trial, indicators, raw: pd.DataFrame) -> None:
    _, contract, data = trial
    by_year = evaluate(data, indicators, contract=contract, period="enrolment_date", period_grain="year")
    assert by_year.periods == ["2025"] and _everyone(by_year, "passed")[None].period_label == "All years"
    quarters = evaluate(data, indicators, contract=contract, period="enrolment_month", period_grain="quarter")
    assert quarters.periods == ["2025-Q1", "2025-Q2"]
    q2 = (raw["arm"].notna() & (raw["enrolment_date"].dt.month >= 4)).sum()
    assert abs(_everyone(quarters, "passed")["2025-Q2"].n - q2) <= 2
    # A date with no grain asked for follows the contract's schedule ("monthly").
    assert evaluate(data, indicators, contract=contract, period="enrolment_date").period_grain == "month"
    text_months = evaluate(data, indicators, contract=contract, period="enrolment_month")
    assert text_months.period_grain == "month" and "by month" in trend_chart(text_months, "passed").layout.title.text
    with pytest.raises(IndicatorError, match="holds quarters; it cannot be read by month"):
        evaluate(data.assign(enrolment_month=data["enrolment_month"].str.slice(0, 4) + "-Q1"), indicators,
                 contract=contract, period="enrolment_month", period_grain="month")  # fmt: skip


def test_axes_fit_scores_near_900_with_the_target_in_view(monthly: Findings) -> None:
    figure = group_chart(monthly, "reading_score", "arm")
    low, high = figure.layout.xaxis.range
    shown = [f for f in monthly.select(indicator="reading_score", period=None) if f.group.keys() <= {"arm"}]
    values = [v for f in shown for v in (f.estimate, f.ci_low, f.ci_high)] + [880]
    assert low <= min(values) and max(values) <= high
    assert low > 800 and high - low < 100  # not squashed against 0: the arms' 16-point gap is visible
    share = group_chart(monthly, "passed", "arm")
    assert tuple(share.layout.xaxis.range) == (0.0, 1.0)  # shares keep their whole scale


def test_the_rendered_chart_keeps_the_fitted_range(monthly: Findings, tmp_path: Path) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` (Debian) to run this")
    page_file = tmp_path / "chart.html"
    page_file.write_text(group_chart(monthly, "reading_score", "arm").to_html(include_plotlyjs=True), "utf-8")
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=args)
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri(), timeout=180_000)  # 4.5 MB of plotly.js inline; the machine is shared
            page.wait_for_selector(".js-plotly-plot .xtick text", state="attached", timeout=180_000)
            low, high = page.evaluate("document.querySelector('.js-plotly-plot')._fullLayout.xaxis.range")
            ticks = page.evaluate(
                "Array.from(document.querySelectorAll('.js-plotly-plot .xtick text')).map(t => t.textContent)"
            )
        finally:
            browser.close()
    assert 800 < low < 880 < high < 950
    assert "0" not in ticks and all(float(t.replace(",", "")) > 800 for t in ticks)


def test_text_tables_show_every_grouping(monthly: Findings) -> None:
    text = findings_text(monthly)
    block = text.split("\n\n")[0]
    assert block.startswith("Reading at the end: Reading score at the end (200 to 1000) (proposed by agency)")
    assert "values in points" in block.splitlines()[0]
    header = block.splitlines()[1].split()
    assert header[:5] == ["All", "months", "likely", "range", "people"] and "2025-06" in header
    for words in ("Everyone", "By trial arm:", "control", "offered the incentive", "By class:", "Small class",
                  "Trial arm: offered the incentive vs control: +"):  # fmt: skip
        assert words in block, words
    assert "Welch's t interval" in block
    everyone = next(f for f in monthly.select(indicator="reading_score", grouping="", period=None))
    assert f"{everyone.n}" in block.splitlines()[2]
    hidden = [f for f in monthly.select(indicator="reading_score") if f.suppressed]
    table = [line for line in block.splitlines()[2:] if not line.startswith(("  Trial arm:", "  Class:", "  hidden ("))]
    assert hidden and sum(line.split().count("hidden") for line in table) == len(hidden)
    assert "hidden (by class): fewer than 20 people" in block  # the reason, once per table


def test_evaluate_in_the_terminal(trial, tmp_path: Path) -> None:
    path = trial[0]
    out = dpup_eval("evaluate", str(path), "--contract", str(FOLDER), "--purpose", PURPOSE,
                    "--period", "enrolment_date", "--period-grain", "month", "--json", str(tmp_path / "f.json"))  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "By trial arm:" in out.stdout and "offered the incentive" in out.stdout and "By class:" in out.stdout
    assert "Reading gain" in out.stdout and "vs control" in out.stdout
    bad = dpup_eval("evaluate", str(path), "--contract", str(FOLDER), "--purpose", PURPOSE,
                    "--period", "enrolment_date", "--period-grain", "week")  # main() here (tests/cli_run.py)
    assert bad.returncode == 2 and bad.stderr.strip().startswith("Error:") and "Traceback" not in bad.stderr
