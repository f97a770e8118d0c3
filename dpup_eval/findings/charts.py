"""Charts of findings (plotly), built from :class:`~dpup_eval.findings.evaluation.Findings` only, never from rows.

Four views a workshop needs: an indicator against its target, its trend across periods, a comparison
across groups, and its alternative definitions side by side. Every point carries a text label with its
value and a whisker for its likely range; whether a target is met is shown by marker shape *and* words,
never by colour alone. A withheld finding is drawn as an empty hatched band across the whole axis with
the words "not shown: small numbers" (the rule; the full reason on hover), so it can never be read as a zero.

Every chart reads on a phone (390 px) as well as on a projector: categories are rows (periods, groups,
definitions down the side, values across), so point labels sit above their own point and never run
into the next one; the target is a dashed line of real width named in the legend (never a label laid
over the data); the legend is stacked under the plot and the margins are worked out from what the chart
holds (title lines, legend entries), so nothing is cut off; plotly's toolbar is never shown
(:data:`PLOT_CONFIG`). Pages written by :func:`findings_page` embed plotly.js inline: they open without
a network.
"""

from __future__ import annotations

import html
import textwrap
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from dpup_eval.findings.periods import period_words
from dpup_eval.findings.wording import show_difference, show_value

if TYPE_CHECKING:
    from dpup_eval.findings.evaluation import Finding, Findings

__all__ = [
    "PLOT_CONFIG",
    "definitions_chart",
    "figure_html",
    "findings_page",
    "group_chart",
    "target_chart",
    "trend_chart",
]

#: How every chart is drawn: no toolbar (on a phone it covered the title), no logo, fits its box.
PLOT_CONFIG: dict[str, Any] = {"displayModeBar": False, "displaylogo": False, "responsive": True}
_TITLE_WIDTH = 30  # characters per title line: fits 390 px at the title's size
_LABEL_WIDTH = 16  # characters per category label line (left of the rows)
_HALO = "0 0 3px white, 0 0 3px white, 0 0 2px white"  # point labels stay readable over the target line
_LEGEND_WIDTH = 38  # characters per legend line
_ROW = 56  # px per category row (room for a point, its whisker and its label above it)

_COLOURS = ("#1b4f72", "#b9770e", "#196f3d", "#7d3c98")  # colour-blind-safe-ish; never the only cue
_SYMBOLS = ("circle", "diamond", "square", "triangle-up")
_PATTERNS = ("", "x", ".", "-")


_SHORT_REASONS = {"small_numbers": "small numbers", "protects_elsewhere": "protects a small group",
                  "too_close": "too close to another result"}  # fmt: skip


def _short_reason(finding: Finding) -> str:
    """A hidden finding's band label: the rule in two words (the full reason is in the hover text), or
    the share in words ("almost all") where it is said that way."""
    if finding.band:
        return finding.band
    short = _SHORT_REASONS.get(finding.hidden_by or "")
    return f"not shown: {short}" if short else (finding.reason or "not shown").split(" (")[0]


def _axis_range(findings: list[Finding]) -> tuple[float, float]:
    """The value axis: shares on their whole 0-100% scale; anything else fitted to what is drawn.

    Every estimate, likely range and the target stay in view, with a margin. The axis does not
    start at 0 for averages and scores: reading scores near 900 on a 0-1000 axis lie in a flat line
    where a difference of 20 points cannot be seen.
    """
    if findings and findings[0].kind in ("proportion", "improved"):
        return 0.0, 1.0
    values = [v for f in findings for v in (f.estimate, f.ci_low, f.ci_high, f.target) if v is not None]
    if not values:
        return 0.0, 1.0
    low, high = min(values), max(values)
    pad = (high - low) * 0.15 or max(abs(high) * 0.05, 1.0)
    return low - pad, high + pad


def _add_points(
    fig: go.Figure, findings: list[Finding], categories: list[str], name: str, span: tuple[float, float],
    k: int = 0, legend_group: str | None = None, below: bool = False, offsetgroup: str | None = None,
) -> None:  # fmt: skip
    """Estimates with whiskers; the marker's shape (filled = meets the target) and text say the rest."""
    points = [
        (c, f, estimate)
        for c, f in zip(categories, findings, strict=True)
        if not f.suppressed and (estimate := f.estimate) is not None
    ]
    if not points:
        return
    shown = [(c, f) for c, f, _ in points]
    cats = [c for c, _ in shown]
    values = [v for _, _, v in points]
    # whiskers as published (rounded) numbers, without floating-point dust in the page's chart data
    plus = [round(f.ci_high - v, 6) if f.ci_high is not None else 0 for _, f, v in points]
    minus = [round(v - f.ci_low, 6) if f.ci_low is not None else 0 for _, f, v in points]
    symbols = [
        _SYMBOLS[k % len(_SYMBOLS)] + ("" if f.meets_target in (True, None) else "-open") for _, f in shown
    ]
    texts = [
        show_value(f.kind, f.unit, f.estimate) + ("" if f.meets_target is None else " ✓" if f.meets_target else " (below target)"
                                                  if f.direction == "higher" else " (above target)")
        for _, f in shown
    ]  # fmt: skip
    hover = [f"{f.sentence}" for _, f in shown]
    error = {
        "type": "data",
        "array": plus,
        "arrayminus": minus,
        "visible": True,
        "thickness": 1.5,
        "width": 6,
    }
    common = {
        "mode": "markers+text", "name": name, "textfont": {"shadow": _HALO}, "text": texts, "hovertext": hover, "hoverinfo": "text", "legendgroup": legend_group,
        "marker": {"symbol": symbols, "size": 12, "color": _COLOURS[k % len(_COLOURS)], "line": {"width": 2, "color": _COLOURS[k % len(_COLOURS)]}},
    }  # fmt: skip
    fig.add_trace(
        go.Scatter(x=values, y=cats, error_x=error, textposition=[_label_side(v, span, below) for v in values],
                   cliponaxis=False, orientation="h", offsetgroup=offsetgroup, **common)
    )  # fmt: skip


def _label_side(value: float, span: tuple[float, float], below: bool = False) -> str:
    """Above the point (or below it), leaning inwards near either end so the label stays inside the plot."""
    low, high = span
    where = (value - low) / ((high - low) or 1)
    side = "bottom" if below else "top"
    return f"{side} right" if where < 0.3 else f"{side} left" if where > 0.7 else f"{side} center"


def _add_suppressed(
    fig: go.Figure, findings: list[Finding], categories: list[str], span: tuple[float, float],
    name: str = "Not shown",
) -> None:  # fmt: skip
    """Withheld findings as empty hatched bands across the whole axis, labelled with the reason."""
    hidden = [(c, f) for c, f in zip(categories, findings, strict=True) if f.suppressed]
    if not hidden:
        return
    cats = [c for c, _ in hidden]
    reasons = [_short_reason(f) for _, f in hidden]
    low, high = span
    bar = {
        "base": [low] * len(cats), "text": reasons, "textposition": "inside", "insidetextanchor": "middle",
        "hovertext": [f.sentence for _, f in hidden], "hoverinfo": "text", "opacity": 0.6,
        "name": f"{name} ({reasons[0].removeprefix('not shown: ')})", "marker": {"color": "rgba(0,0,0,0)", "line": {"color": "#555", "width": 1},
                                                   "pattern": {"shape": "/", "fgcolor": "#888", "size": 8}},
    }  # fmt: skip
    fig.add_trace(go.Bar(y=cats, x=[high - low] * len(cats), orientation="h", **bar))


def _target_line(
    fig: go.Figure, target: float | None, kind: str, unit: str | None, offsetgroup: str | None = None
) -> None:
    """The target: a dashed line across the rows, named in the legend (a label on the plot sat on points).

    Its width is set here: the chart template draws shapes with width 0, which hid the line.
    """
    if target is None:
        return
    line = {"dash": "dash", "color": "#333", "width": 2}
    fig.add_vline(x=target, line=line, layer="below", opacity=1)  # the template fades shapes to 0.3
    fig.add_trace(
        go.Scatter(x=[None], y=[None], mode="lines", line=line, hoverinfo="skip", offsetgroup=offsetgroup,
                   name=f"Target {show_value(kind, unit, target)}")
    )  # fmt: skip


def _wrap(text: str, width: int) -> str:
    """Text broken into lines of at most ``width`` characters (plotly's ``<br>``), after a colon first."""
    parts = text.split(": ", 1) if len(text) > width else [text]
    head = [f"{parts[0]}:"] if len(parts) == 2 else []
    return "<br>".join(line for part in [*head, parts[-1]] for line in (textwrap.wrap(part, width) or [part]))


def _category(text: str) -> str:
    """A category label for the left of a row: each of its lines wrapped to fit beside a phone's plot."""
    return "<br>".join(_wrap(line, _LABEL_WIDTH) for line in text.split("<br>"))


def _legend_lines(fig: go.Figure) -> int:
    """Legend entries' names wrapped to fit a phone; returns how many lines the legend takes."""
    lines, seen = 0, set()
    for trace in fig.data:
        if trace.showlegend is False or not trace.name:
            continue
        trace.name = _wrap(trace.name.replace("<br>", " "), _LEGEND_WIDTH)
        if (trace.legendgroup or trace.name) not in seen:
            seen.add(trace.legendgroup or trace.name)
            lines += trace.name.count("<br>") + 1
    return lines


def _layout(
    fig: go.Figure, title: str, findings: list[Finding], span: tuple[float, float], rows: list[str],
    per_row: int = _ROW,
) -> go.Figure:  # fmt: skip
    """Rows down the side (first at the top), values across; height and margins from what it holds."""
    percent = bool(findings) and findings[0].kind in ("proportion", "improved")
    axis = {"range": list(span), "tickformat": ".0%" if percent else None, "zeroline": False}
    rows = list(dict.fromkeys(rows))
    label_lines = max((row.count("<br>") + 1 for row in rows), default=1)
    per_row = max(per_row, 18 * label_lines + 20)  # a row is at least as tall as its label
    wrapped = _wrap(title, _TITLE_WIDTH)
    top = 44 + 24 * (wrapped.count("<br>") + 1)
    bottom = 56 + 22 * _legend_lines(fig)  # the value axis, then the legend's lines
    fig.update_layout(
        title={"text": wrapped, "x": 0, "xanchor": "left", "y": 1, "yanchor": "top", "yref": "container",
               "pad": {"t": 22, "l": 8}},
        template="simple_white", barmode="overlay", height=top + bottom + max(len(rows), 1) * per_row,
        margin={"l": 10, "r": 30, "t": top, "b": bottom, "autoexpand": True},
        legend={"orientation": "v", "x": 0, "xanchor": "left", "y": 0, "yanchor": "bottom", "yref": "container"},
        font={"size": 14},
    )  # fmt: skip
    fig.update_xaxes(**axis, automargin=True)
    fig.update_yaxes(
        type="category",  # rows are names: plotly would read "2025-01" (a month) as a date axis
        automargin=True,
        range=[len(rows) - 0.5, -0.8],
        ticklabelstandoff=6,
        categoryorder="array",
        categoryarray=rows,
    )
    return fig


def _pick(findings: Findings, indicator: str, **criteria: object) -> list[Finding]:
    chosen = findings.select(indicator=indicator, **criteria)  # type: ignore[arg-type]
    if not chosen:
        raise ValueError(f"no findings for indicator '{indicator}' with {criteria}")
    return chosen


def target_chart(findings: Findings, indicator: str) -> go.Figure:
    """Each definition of the indicator, for everyone over all periods, against the target."""
    chosen = _pick(findings, indicator, grouping="", period=None)
    cats = [_category(f"{f.definition_label}<br>(proposed by {f.proposed_by})") for f in chosen]
    span = _axis_range(chosen)
    fig = go.Figure()
    _add_suppressed(fig, chosen, cats, span)
    _add_points(fig, chosen, cats, "Estimate (filled = meets target)", span)
    _target_line(fig, chosen[0].target, chosen[0].kind, chosen[0].unit)
    return _layout(fig, f"{chosen[0].indicator_name}: against the target", chosen, span, cats)


def trend_chart(findings: Findings, indicator: str, definition: str | None = None) -> go.Figure:
    """The indicator for everyone, period by period (one definition: the first unless named)."""
    everyone = [f for f in _pick(findings, indicator, grouping="") if f.period is not None]
    definition = definition or (everyone[0].definition if everyone else None)
    chosen = [f for f in everyone if f.definition == definition]
    if not chosen:
        raise ValueError(f"no findings by period for indicator '{indicator}' (evaluate with a period field)")
    cats = [_category(f.period_label) for f in chosen]
    span = _axis_range(chosen)
    fig = go.Figure()
    _add_suppressed(fig, chosen, cats, span)
    _add_points(fig, chosen, cats, chosen[0].definition_label, span)
    _target_line(fig, chosen[0].target, chosen[0].kind, chosen[0].unit)
    by = period_words(findings.period_grain)[0]
    return _layout(fig, f"{chosen[0].indicator_name}: by {by}", chosen, span, cats)


def group_chart(
    findings: Findings,
    indicator: str,
    grouping: str,
    definition: str | None = None,
    period: str | None = None,
) -> go.Figure:
    """The indicator for each group of one grouping (all periods unless one is named), with everyone."""
    chosen = _pick(findings, indicator, grouping=grouping, period=period)
    definition = definition or chosen[0].definition
    chosen = [f for f in chosen if f.definition == definition]
    everyone = list(findings.select(indicator=indicator, definition=definition, grouping="", period=period))
    rows = everyone + chosen
    cats = [_category(f.group_label.split(": ", 1)[-1]) for f in rows]
    span = _axis_range(rows)
    fig = go.Figure()
    _add_suppressed(fig, rows, cats, span)
    _add_points(fig, rows, cats, rows[0].definition_label, span)
    _target_line(fig, rows[0].target, rows[0].kind, rows[0].unit)
    plain = chosen[0].group_label.split(": ", 1)[0] if chosen else grouping
    when = f", {period}" if period else ""
    return _layout(fig, f"{rows[0].indicator_name}: by {plain.lower()}{when}", rows, span, cats)


def definitions_chart(findings: Findings, indicator: str, grouping: str = "") -> go.Figure:
    """Alternative definitions side by side (one trace each, own symbol), over periods or groups."""
    chosen = _pick(findings, indicator, grouping=grouping)
    by_period = not grouping and any(f.period is not None for f in chosen)
    chosen = (
        [f for f in chosen if (f.period is not None) == by_period]
        if by_period
        else [f for f in chosen if f.period is None]
    )
    span = _axis_range(chosen)
    fig = go.Figure()
    definitions = list(dict.fromkeys(f.definition for f in chosen))
    every_row: list[str] = []
    for k, definition in enumerate(definitions):
        rows = [f for f in chosen if f.definition == definition]
        cats = [_category(f.period_label if by_period else f.group_label.split(": ", 1)[-1]) for f in rows]
        every_row += cats
        name = f"{rows[0].definition_label} – proposed by {rows[0].proposed_by}"
        _add_suppressed(fig, rows, cats, span, name=f"Not shown, {rows[0].proposed_by}")
        # Side by side, each definition has its own slot in a row (its offset group), the first above the
        # second: its labels go above its points, the next one's below, so on a phone they never meet,
        # nor meet a hidden result's band text in the middle of the row.
        _add_points(fig, rows, cats, name, span, k=k, legend_group=definition, below=k % 2 == 1,
                    offsetgroup=str(k))
    # The target's legend entry is a trace too: in the first slot, so it takes no slot of its own.
    _target_line(fig, chosen[0].target, chosen[0].kind, chosen[0].unit, offsetgroup="0")
    fig.update_layout(scattermode="group", scattergap=0.3)
    title = f"{chosen[0].indicator_name}: the definitions side by side"
    return _layout(fig, title, chosen, span, every_row, per_row=_ROW + 40 * (len(definitions) - 1))


def figure_html(figure: go.Figure, *, include_plotlyjs: bool) -> str:
    """A chart as an HTML fragment that fills its box, without the toolbar (plotly.js inline if asked)."""
    figure.update_layout(width=None, autosize=True)
    return figure.to_html(full_html=False, include_plotlyjs=include_plotlyjs, config=PLOT_CONFIG)


def charts_for(findings: Findings, indicator: str) -> list[go.Figure]:
    """The charts a page shows for one indicator (skipping views the findings cannot support)."""
    figures = [target_chart(findings, indicator)]
    if findings.period_field:
        figures.append(trend_chart(findings, indicator))
    for grouping in findings.groupings:
        if findings.select(indicator=indicator, grouping=grouping, period=None):
            figures.append(group_chart(findings, indicator, grouping))
    if len({f.definition for f in findings.select(indicator=indicator)}) > 1 and findings.period_field:
        figures.append(definitions_chart(findings, indicator))
    return figures


def _differences_table(findings: Findings) -> str:
    """The differences between named groups (arm vs reference), one row per pair and period, or ""."""
    rows = []
    for f in findings.findings:
        for c in f.versus_groups:
            likely = (
                f"{show_difference(f.kind, None, c.ci_low, False)} to {show_difference(f.kind, f.unit, c.ci_high)}"
                if c.ci_low is not None and c.ci_high is not None else ""
            )  # fmt: skip
            cells = [f.indicator_name, f"{f.definition_label} ({f.proposed_by})", f.group_label,
                     c.versus_label, f.period_label, show_difference(f.kind, f.unit, c.difference), likely,
                     c.method or ""]  # fmt: skip
            rows.append("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>")
    if not rows:
        return ""
    head = "".join(f"<th>{h}</th>" for h in ("Indicator", "Definition", "Group", "Compared with", "Period",
                                               "Difference", "Likely range", "Method"))  # fmt: skip
    return (
        "<h2>Differences between groups</h2><p>Each group minus the group it is compared with; shown only "
        f"where both are shown.</p><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def findings_page(findings: Findings, title: str = "Findings") -> str:
    """A standalone HTML page: every finding's sentence in a table, then the charts (plotly.js inline)."""
    rows = []
    for f in findings.findings:
        value = "not shown" if f.suppressed else show_value(f.kind, f.unit, f.estimate)
        likely = (
            f"{show_value(f.kind, f.unit, f.ci_low)} to {show_value(f.kind, f.unit, f.ci_high)}"
            if f.ci_low is not None and f.ci_high is not None else ""
        )  # fmt: skip
        cells = [f.indicator_name, f"{f.definition_label} ({f.proposed_by})", f.group_label, f.period_label,
                 value, likely, "" if f.n is None else str(f.n), f.sentence]  # fmt: skip
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Indicator", "Definition", "Group", "Period", "Value",
                                               "Likely range", "People (rounded)", "Reading"))  # fmt: skip
    differences = _differences_table(findings)
    charts, first = [], True
    for indicator in dict.fromkeys(f.indicator for f in findings.findings):
        for figure in charts_for(findings, indicator):
            charts.append(figure_html(figure, include_plotlyjs=first))
            first = False
    rules = findings.rules
    note = (
        f"Counts of people are randomly rounded to a multiple of {rules['rounding_base']}; results resting on "
        f"fewer than {rules['minimum_count']} people (averages and medians: {rules['minimum_for_mean']}) are "
        "not shown, nor are results that would let a hidden one be worked out. Shares are worked out from the "
        "rounded counts."
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em;}}"
        "table{border-collapse:collapse;font-size:0.9em}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p>{html.escape(note)}</p>"
        f"<h2>Charts</h2>{''.join(charts)}{differences}"
        f"<h2>All findings</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        "</body></html>\n"
    )
