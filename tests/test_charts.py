"""Charts are built from findings only; hidden findings are drawn as hidden, never as zero."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import pytest

from dpup_eval.agreement.contract import default_contract_dir
from dpup_eval.findings.charts import definitions_chart, findings_page, group_chart, target_chart, trend_chart
from dpup_eval.findings.evaluation import Findings, evaluate_file


@pytest.fixture(scope="module")
def findings(demo_dir: Path) -> Findings:
    return evaluate_file(demo_dir / "evaluation.csv", default_contract_dir(), "evaluation",
                         default_contract_dir() / "indicators.yaml", by=["region", "age_band"],
                         period="enrolment_quarter")  # fmt: skip


def _points(fig: go.Figure) -> list[go.Scatter]:
    return [t for t in fig.data if isinstance(t, go.Scatter)]


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
    assert any("Target 60%" in (a.text or "") for a in fig.layout.annotations)
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
    assert all(text == "not shown: small numbers" for t in bands for text in t.text)
    assert all(f.reason.startswith("fewer than 6 people") for f in hidden if f.suppressed)
    hidden_labels = {f.group_label.split(": ", 1)[-1] for f in hidden if f.suppressed}
    assert hidden_labels <= set(bands[0].y)
    plotted = {label for t in _points(fig) for label in t.y}
    assert not hidden_labels & plotted  # no point (and so no zero) for a hidden group


def test_page_is_standalone(findings: Findings) -> None:
    page = findings_page(findings, "Best foot forward")
    assert page.startswith("<!DOCTYPE html>")
    assert "<script src=" not in page  # plotly.js inline, nothing fetched
    assert page.count("Plotly.newPlot") >= 6
    assert findings.findings[0].sentence.split(" – ")[-1][:40] in page.replace("&#x27;", "'")
    assert (
        findings.to_html() == page.replace("Best foot forward", "Findings", 2)
        or "<table>" in findings.to_html()
    )
