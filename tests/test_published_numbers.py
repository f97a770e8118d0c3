"""What leaves the workbench carries only rounded numbers: the findings JSON, the HTML page's chart data,
and the chart bundle a workshop page sends to browsers. No published average lets its count be worked
out (the integer-mean trick), checked here by hand for every average the demo publishes."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.findings.charts import charts_for
from dpup_eval.findings.evaluation import Findings, evaluate
from dpup_eval.findings.guard import DisclosureGuard
from dpup_eval.findings.indicators import load_indicators
from dpup_eval.intake.loading import load
from dpup_eval.workshop.widgets_findings import show_figure

pytestmark = pytest.mark.slow  # the demo data checked and evaluated
SECRET = bytes(range(32))


@pytest.fixture(scope="module")
def findings(demo_dir: Path, agreement) -> Findings:
    contract = agreement.for_purpose("evaluation")
    data = load(demo_dir / "evaluation.csv", contract, "evaluation").data
    indicators = load_indicators(default_contract_dir() / "indicators.yaml", contract)
    return evaluate(data, indicators, period="enrolment_quarter", contract=contract,
                    guard=DisclosureGuard(contract, secret=SECRET))  # fmt: skip


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return []


def _on_grid(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


def test_json_numbers_are_rounded_to_their_precision(findings: Findings) -> None:
    records = json.loads(findings.to_json())
    shown = [r for r in records if not r["suppressed"]]
    assert shown
    for r in shown:
        assert r["n"] % 3 == 0
        if r["kind"] == "count":
            continue
        step = r["precision"]
        assert step is not None and abs(math.log10(step) - round(math.log10(step))) < 1e-9  # 0.1, 0.01, ...
        for name in ("estimate", "ci_low", "ci_high"):
            if r[name] is not None:
                assert _on_grid(r[name], step), (name, r[name], step)
        for comparison in (r["versus_rest"], r["versus_previous"]):
            for v in _numbers(comparison):
                assert _on_grid(v, 0.001), comparison
    hidden = [r for r in records if r["suppressed"]]
    assert hidden and all(r["estimate"] is None and r["n"] is None for r in hidden)


def _chart_data(page: str) -> list[Any]:
    """The trace arrays of every chart embedded in a page (plotly's ``Plotly.newPlot(id, data, ...)``)."""
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", page):
        data, _ = decoder.raw_decode(page, match.end())
        found.append(data)
    return found


def _data_numbers(traces: list[dict[str, Any]]) -> list[float]:
    numbers = []
    for trace in traces:
        for key in ("x", "y", "base"):
            numbers += _numbers(trace.get(key))
        for key in ("error_x", "error_y"):
            numbers += _numbers((trace.get(key) or {}).get("array")) + _numbers((trace.get(key) or {}).get("arrayminus"))
    return numbers


def test_the_html_page_sends_no_full_precision_number(findings: Findings) -> None:
    page = findings.to_html("Findings")
    charts = _chart_data(page)
    assert len(charts) >= 6
    numbers = [n for traces in charts for n in _data_numbers(traces)]
    assert numbers and all(_on_grid(n, 0.0001) for n in numbers), [n for n in numbers if not _on_grid(n, 1e-4)][:5]
    assert not re.search(r"\d\.\d{6,}", " ".join(re.findall(r"<td>[^<]*</td>", page)))


def test_workshop_pages_send_only_rounded_chart_data(findings: Findings) -> None:
    import ipywidgets as w

    for indicator in dict.fromkeys(f.indicator for f in findings.findings):
        for figure in charts_for(findings, indicator):
            out = w.Output()
            show_figure(out, figure)
            bundle = out.outputs[0]["data"]["application/vnd.plotly.v1+json"]
            numbers = _data_numbers(bundle["data"])
            assert all(_on_grid(n, 0.0001) for n in numbers), indicator


def test_no_published_average_gives_its_count_away(findings: Findings) -> None:
    """The integer-mean trick, by hand: of the counts a published count can stand for (it is randomly
    rounded to base 3, so the true count is within 2 of it), every one has a whole-number total whose
    average rounds (up or down, within one step) to the published average: the average rules none out."""
    averages = [f for f in findings.findings if f.kind in ("mean", "change") and not f.suppressed]
    assert averages
    for f in averages:
        candidates = [
            n for n in range(f.n - 2, f.n + 3)
            if math.ceil(n * (f.estimate - f.precision) - 1e-9) <= math.floor(n * (f.estimate + f.precision) + 1e-9)
        ]  # fmt: skip
        assert len(candidates) == 5, (f.sentence, candidates)
