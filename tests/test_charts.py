"""Charts are built from findings only; hidden findings are drawn as hidden, never as zero."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import plotly.graph_objects as go
import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.findings.charts import (
    charts_for,
    definitions_chart,
    findings_page,
    group_chart,
    target_chart,
    trend_chart,
)
from dpup_eval.findings.evaluation import Findings, evaluate_file


@pytest.fixture(scope="module")
def findings(demo_dir: Path) -> Findings:
    return evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                         default_contract_dir() / "indicators.yaml", by=["region", "age_band"],
                         period="enrolment_quarter")  # fmt: skip


def _points(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if isinstance(t, go.Scatter) and t.mode != "lines"]  # not the target's legend


def _bands(fig: go.Figure) -> list[go.Bar]:
    return [t for t in fig.data if isinstance(t, go.Bar)]


def test_every_view_is_a_figure_with_labelled_points(findings: Findings) -> None:
    figures = [
        target_chart(findings, "parent_confidence_improved"),
        trend_chart(findings, "finished"),
        group_chart(findings, "attendance", "region"),
        definitions_chart(findings, "parent_confidence_improved"),
    ]
    for fig in figures:
        assert isinstance(fig, go.Figure)
        for trace in _points(fig):
            assert all(text for text in trace.text)  # a value written beside every point
            assert trace.error_x.array is not None or trace.error_y.array is not None
    definitions = definitions_chart(findings, "parent_confidence_improved")
    names = [t.name for t in _points(definitions)]
    assert any("families" in n for n in names) and any("agency" in n for n in names)
    symbols = {s.split("-")[0] for t in _points(definitions) for s in t.marker.symbol}
    assert len(symbols) >= 2  # the definitions differ in shape, not only colour


def test_target_is_marked_by_shape_and_words(findings: Findings) -> None:
    fig = target_chart(findings, "parent_confidence_improved")
    target = [t for t in fig.data if t.name == "Target 60%"]  # named in the legend, not laid over the points
    assert target and target[0].line.dash == "dash" and target[0].line.width >= 2
    (line,) = fig.layout.shapes
    assert line.x0 == line.x1 == 0.6 and line.line.width >= 2 and line.opacity == 1
    for trace in _points(fig):
        for symbol, text in zip(trace.marker.symbol, trace.text, strict=True):
            assert symbol.endswith("-open") == ("below target" in text)


def test_hidden_findings_are_hatched_bands_with_the_reason(findings: Findings) -> None:
    hidden = list(
        findings.select(
            indicator="parent_confidence_improved",
            definition="plus_two",
            grouping="age_band",
            period="2025-Q4",
        )
    )
    assert any(f.suppressed for f in hidden)
    fig = group_chart(findings, "parent_confidence_improved", "age_band", period="2025-Q4")
    bands = _bands(fig)
    assert bands and all(t.marker.pattern.shape == "/" for t in bands)
    labels = {"not shown: small numbers", "not shown: too close to another result", "almost all", "very few"}
    assert all(text in labels for t in bands for text in t.text)
    reasons = ("fewer than 6 people", "almost all of them", "very few of them", "too close to a result already shown")
    assert all(f.reason.startswith(reasons) for f in hidden if f.suppressed)
    hidden_labels = {f.group_label.split(": ", 1)[-1] for f in hidden if f.suppressed}
    assert hidden_labels <= {label.replace("<br>", " ") for label in bands[0].y}  # rows' labels wrap
    plotted = {label.replace("<br>", " ") for t in _points(fig) for label in t.y}
    assert not hidden_labels & plotted  # no point (and so no zero) for a hidden group


class _Page(HTMLParser):
    """What a reader of the page sees: its title, headings, the findings table's cells, the chart divs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.headings, self.rows, self.chart_ids = "", [], [], []
        self._open: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("title", "h1", "h2"):
            self._open, self._text = tag, ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "div" and "plotly-graph-div" in (found.get("class") or ""):
            self.chart_ids.append(found["id"])

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            if tag == "title":
                self.title = self._text
            else:
                self.headings.append((tag, self._text))
            self._open = None
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text += data
        if self._cell is not None:
            self._cell.append(data)


def _read(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    parsed.close()
    return parsed


def test_page_is_standalone_and_shows_every_finding(findings: Findings) -> None:
    page = findings_page(findings, "Best foot forward")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src=" not in page  # plotly.js inline, nothing fetched
    seen = _read(page)
    assert seen.title == "Best foot forward" and ("h1", "Best foot forward") in seen.headings
    header, *body = seen.rows
    assert header == ["Indicator", "Definition", "Group", "Period", "Value", "Likely range",
                      "People (rounded)", "Reading"]  # fmt: skip
    assert len(body) == len(findings.findings)  # one row per finding, in order
    assert any(f.suppressed for f in findings.findings) and not all(f.suppressed for f in findings.findings)
    for row, f in zip(body, findings.findings, strict=True):
        indicator, definition, group, period, value, likely, people, reading = row
        assert (indicator, group, period, reading) == (f.indicator_name, f.group_label, f.period_label,
                                                       f.sentence)  # fmt: skip
        assert definition == f"{f.definition_label} ({f.proposed_by})"
        if f.suppressed:  # a hidden finding shows no number anywhere in its row but its reading
            assert (value, likely, people) == ("not shown", "", "")
        else:
            assert people == str(f.n) and int(people) % 3 == 0
            assert value and value != "not shown" and any(ch.isdigit() for ch in value)
            assert " to " in likely
    # One chart div per chart, each drawn by its own Plotly.newPlot call.
    indicators = dict.fromkeys(f.indicator for f in findings.findings)
    expected_charts = sum(len(charts_for(findings, indicator)) for indicator in indicators)
    assert len(seen.chart_ids) == expected_charts >= 6
    assert len(set(seen.chart_ids)) == len(seen.chart_ids)
    for chart_id in seen.chart_ids:
        assert re.search(r'Plotly\.newPlot\(\s*"' + re.escape(chart_id) + '"', page)


def test_to_html_is_the_findings_page(findings: Findings) -> None:
    """`Findings.to_html()` renders the same page as `findings_page(..., "Findings")`, chart ids aside."""

    def without_chart_ids(page: str) -> str:
        for number, chart_id in enumerate(_read(page).chart_ids):
            page = page.replace(chart_id, f"chart-{number}")
        return page

    page = findings.to_html()
    assert _read(page).title == "Findings"
    assert without_chart_ids(page) == without_chart_ids(findings_page(findings, "Findings"))
