"""Findings as plain-text tables for a terminal: every grouping, every period, hidden ones marked.

``dpup-eval evaluate`` used to print only the overall sentences; a workshop needs the breakdowns too.
One block per indicator definition: a header (the measure, who proposed the definition, the target),
then a table whose rows are everyone and each group of each grouping, and whose columns are the value
over all periods, its likely range, the (rounded) number of people, then each period's value. A hidden
finding shows ``hidden`` (never a number), and the block ends with each table's reason in words, the
differences between named groups (with their interval and method), and what the symbols mean.
Built only from :class:`~dpup_eval.findings.evaluation.Findings`: nothing here sees a row of data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dpup_eval.findings.wording import show_difference, show_value

if TYPE_CHECKING:
    from dpup_eval.findings.evaluation import Comparison, Finding, Findings

__all__ = ["findings_text"]

HIDDEN = "hidden"


def _value(f: Finding) -> str:
    return HIDDEN if f.suppressed else show_value(f.kind, None, f.estimate)  # the unit is in the header


def _likely(f: Finding) -> str:
    if f.suppressed or f.ci_low is None or f.ci_high is None:
        return ""
    return f"{show_value(f.kind, None, f.ci_low)} to {show_value(f.kind, None, f.ci_high)}"


def _grid(rows: list[list[str]]) -> list[str]:
    """Rows as aligned text: the first column left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


def _difference(f: Finding, c: Comparison) -> str:
    """'+15.9 points (probably +8.7 to +23.1; Welch's t interval)'."""
    likely = (
        f" (probably {show_difference(f.kind, f.unit, c.ci_low, False)} to "
        f"{show_difference(f.kind, f.unit, c.ci_high, False)}; {c.method})"
        if c.ci_low is not None and c.ci_high is not None
        else ""
    )
    return f"{show_difference(f.kind, f.unit, c.difference)}{likely}"


def _row_key(f: Finding) -> tuple[str | None, str]:
    """(grouping field or None for everyone, the group's label)."""
    grouping = next(iter(f.group), None)
    return grouping, f.group_label.split(": ", 1)[-1] if f.group else "Everyone"


def _block(findings: Findings, chosen: list[Finding]) -> list[str]:
    """One indicator definition: header, the table, then reasons for hidden results and differences."""
    first = chosen[0]
    target = (
        f"; target {show_value(first.kind, first.unit, first.target)} ({first.direction} is better)"
        if first.target is not None
        else ""
    )
    unit = f"; values in {first.unit}" if first.unit else ""
    lines = [f"{first.indicator_name}: {first.definition_label} (proposed by {first.proposed_by}){target}{unit}"]
    periods = findings.periods
    cells = {(_row_key(f), f.period): f for f in chosen}
    keys = list(dict.fromkeys(_row_key(f) for f in chosen))
    all_periods = next((f.period_label for f in chosen if f.period is None), "All")
    rows = [["", all_periods, "likely range", "people", *periods]]
    notes: dict[tuple[str, str], str] = {}
    differences: list[str] = []
    current: str | None = None
    for key in keys:
        grouping, label = key
        overall = cells.get((key, None))
        if grouping is not None and grouping != current:
            plain = next(f.group_label.split(": ", 1)[0] for f in chosen if grouping in f.group)
            rows.append([f"By {plain[:1].lower()}{plain[1:]}:", "", "", "", *["" for _ in periods]])
            current = grouping
        row = [f"  {label}" if grouping is not None else label]
        row += (
            [_value(overall), _likely(overall), "" if overall.n is None else str(overall.n)]
            if overall is not None
            else ["", "", ""]
        )
        row += ["" if (key, p) not in cells else _value(cells[(key, p)]) for p in periods]
        rows.append(row)
        for f in (cells.get((key, p)) for p in [None, *periods]):
            if f is not None and f.suppressed and f.reason:
                where = f"by {f.group_label.split(': ', 1)[0].lower()}" if f.group else "everyone"
                # One note per table and rule: the longest wording has the most advice.
                rule = (where, f.reason.split(" To see more")[0])
                if len(f.reason) > len(notes.get(rule, "")):
                    notes[rule] = f.reason
        if overall is not None:
            differences += [f"{overall.group_label} vs {c.versus_label}: {_difference(overall, c)}"
                            for c in overall.versus_groups]  # fmt: skip
    lines += ["  " + line for line in _grid(rows)]
    lines += [f"  {note}" for note in differences]
    lines += [f"  {HIDDEN} ({where}): {reason}" for (where, _), reason in notes.items()]
    return lines


def findings_text(findings: Findings) -> str:
    """Every finding as plain-text tables, one block per indicator definition (see the module docstring)."""
    blocks: list[str] = []
    seen: dict[tuple[str, str], list[Finding]] = {}
    for f in findings.findings:
        seen.setdefault((f.indicator, f.definition), []).append(f)
    for chosen in seen.values():
        blocks.append("\n".join(_block(findings, chosen)))
    rules = findings.rules
    footer = (
        f"People are counted to a multiple of {rules['rounding_base']}; '{HIDDEN}' results rest on too few "
        f"people (fewer than {rules['minimum_count']}; averages fewer than {rules['minimum_for_mean']}) or "
        "would let a hidden one be worked out. Likely range: 95% interval."
    )
    return "\n\n".join([*blocks, footer]) + "\n"
