"""The workshop report: one standalone, printable HTML page of what the workshop found and decided.

It holds the findings the room chose (each with its reading, its chart by period and its chart
against the target), the decisions with who was present and who disagreed, and the participants'
interpretations. plotly.js is embedded once, inline: the file opens on a laptop with no network.
Only findings (disclosure control applied) and the workshop record go in; every piece of text is
escaped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dpup_eval.findings.evaluation import Finding, Findings
from dpup_eval.workshop import finding_key_text
from dpup_eval.workshop.session import WorkshopSession

__all__ = [
    "chosen_findings",
    "finding_key",
    "in_report_by_default",
    "workshop_report_html",
    "write_workshop_report",
]

_CSS = """
body { font-family: system-ui, sans-serif; font-size: 18px; line-height: 1.5; color: #1a1a1a; max-width: 60em;
  margin: 1.5em auto; padding: 0 1em; }
h1 { font-size: 1.8em; } h2 { font-size: 1.4em; border-top: 3px solid #0b3d6b; padding-top: .4em; }
h3 { font-size: 1.15em; } .muted { color: #444; } .reading { background: #f1f5f9; border-left: 6px solid #0b3d6b;
  padding: .4em .8em; } .dissent { border-left: 6px solid #8a1c00; padding-left: .8em; }
@media print { body { font-size: 12pt; max-width: none; } h2 { break-before: page; } .chart { break-inside: avoid; } }
"""


def finding_key(finding: Finding) -> dict[str, Any]:
    """The key naming a finding in the workshop record."""
    return {
        "indicator_id": finding.indicator,
        "definition_id": finding.definition,
        "group": dict(finding.group),
        "period": finding.period,
    }


def in_report_by_default(indicator_id: str, agreed: set[str]) -> bool:
    """Whether a finding goes in the report when nobody has ticked or unticked it.

    Every agreed measure does; before any measure is agreed, every measure does. The findings page's
    tick box shows this same default, so what the box shows is what the report holds.
    """
    return indicator_id in agreed or not agreed


def chosen_findings(session: WorkshopSession, findings: Findings) -> list[Finding]:
    """The overall findings (everyone, all periods) that go in the report, one choice per finding.

    Each finding is in when it was ticked, out when it was unticked, and otherwise follows
    :func:`in_report_by_default`. Ticking one measure never takes another out.
    """
    choices = session.store.report_choices(session.workshop.id)
    agreed = {i.id for i, ok in session.agreed_indicators() if ok}
    chosen = []
    for finding in findings.select(grouping="", period=None):
        choice = choices.get(("finding", finding_key_text(finding_key(finding))))
        if choice if choice is not None else in_report_by_default(finding.indicator, agreed):
            chosen.append(finding)
    return chosen


def workshop_report_html(session: WorkshopSession, findings: Findings, *, now: datetime | None = None) -> str:
    """The report as one HTML page (plotly.js inline once; no network needed to open or print it)."""
    from dpup_eval.findings.charts import figure_html, target_chart, trend_chart
    from dpup_eval.workshop.stories import stories_report_html, workshop_stories
    from dpup_eval.workshop.widgets_decide import decision_words

    esc = html.escape
    store, workshop = session.store, session.workshop
    names = {p.id: p for p in store.participants(workshop.id)}
    choices = store.report_choices(workshop.id)
    when = (now or datetime.now(UTC)).strftime("%d %B %Y")
    rules = findings.rules
    out = [
        f"<h1>{esc(workshop.name)}: workshop report</h1>",
        f'<p class="muted">Held on {esc(workshop.held_on.strftime("%d %B %Y"))}; report made on {esc(when)}. '
        f"Data: {esc(workshop.data_description)}.</p>",
        "<p>Counts of people are randomly rounded to a multiple of "
        f"{rules.get('rounding_base', 3)}; results resting on fewer than {rules.get('minimum_count', 6)} people "
        f"(averages and medians: {rules.get('minimum_for_mean', 20)}) are not shown, nor are results that would let "
        "a hidden one be worked out. Nobody can be picked out from this report.</p>",
        "<h2>Who took part</h2><ul>",
        *[f"<li>{esc(p.display_name)} ({esc(session.role_name(p.role))})</li>" for p in names.values()],
        "</ul><h2>What was decided</h2>",
    ]
    decisions = [d for d in store.decisions(workshop.id) if choices.get(("decision", str(d.id))) is not False]
    if not decisions:
        out.append("<p>No decisions were recorded.</p>")
    for decision in decisions:
        lines = decision_words(session, decision)
        out.append("<div>" + "".join(
            f'<p class="dissent">{esc(line)}</p>' if line.startswith(("Disagreed", "What was said")) else f"<p>{esc(line)}</p>"
            for line in lines
        ) + "</div>")  # fmt: skip
    out.append(stories_report_html(workshop_stories(session)))
    interpretations = [
        i
        for i in store.interpretations(workshop.id)
        if choices.get(("interpretation", str(i.id))) is not False
    ]
    out.append("<h2>Findings</h2>")
    first = True
    for finding in chosen_findings(session, findings):
        out.append(
            f"<h3>{esc(finding.indicator_name)}: {esc(finding.definition_label)} (proposed by {esc(finding.proposed_by)})</h3>"
        )
        out.append(f'<p class="reading">{esc(finding.sentence)}</p>')
        by_period = [
            f for f in findings.select(indicator=finding.indicator, definition=finding.definition, grouping="")
            if f.period is not None
        ]  # fmt: skip
        if by_period:
            out.append(
                f"<p>By {esc(session.period_word)}:</p><ul>"
                + "".join(f"<li>{esc(f.sentence)}</li>" for f in by_period)
                + "</ul>"
            )
        for build, args in (
            (trend_chart, (finding.indicator, finding.definition)),
            (target_chart, (finding.indicator,)),
        ):
            try:
                chart = figure_html(build(findings, *args), include_plotlyjs=first)
                out.append(f'<div class="chart">{chart}</div>')
                first = False
            except ValueError:
                continue
        related = [
            i for i in interpretations
            if i.finding_key.get("indicator_id") == finding.indicator and i.finding_key.get("definition_id") == finding.definition
        ]  # fmt: skip
        if related:
            out.append("<p>How the room read it:</p><ul>")
            for i in related:
                who = names.get(i.participant_id)
                where = _where(i.finding_key)
                out.append(
                    f"<li>{esc(who.display_name if who else 'Someone')}{esc(where)}: “{esc(i.text)}”</li>"
                )
            out.append("</ul>")
    title = f"{workshop.name}: workshop report"
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(session.programme.language)}"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{esc(title)}</title><style>{_CSS}</style></head>'
        f"<body>{''.join(out)}</body></html>\n"
    )


def _where(key: dict[str, Any]) -> str:
    parts = [f"{k}: {v}" for k, v in (key.get("group") or {}).items()]
    if key.get("period"):
        parts.append(str(key["period"]))
    return f" (about {', '.join(parts)})" if parts else ""


def write_workshop_report(session: WorkshopSession, findings: Findings, folder: Path) -> Path:
    """Write the report into ``folder`` with a time-stamped name; returns its path."""
    from dpup_eval.files import private_dir, write_text

    path = private_dir(folder) / f"workshop-report-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}.html"
    write_text(path, workshop_report_html(session, findings))
    from dpup_eval.workshop.stories import record_report_uses, workshop_stories

    record_report_uses(workshop_stories(session), path)  # which families' stories it quoted, so they can be told
    session.release(findings, f"workshop report ({path.name})")
    return path
