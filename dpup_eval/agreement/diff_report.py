"""The change summary between two versions, for the terminal and as one self-contained HTML page.

Both read the same :class:`~dpup_eval.agreement.diff.AgreementDiff`, so what is printed and what is
shared or signed say the same thing. Only contract wording appears: never a data value.
"""

from __future__ import annotations

from html import escape

from dpup_eval.agreement.diff import AgreementDiff, PurposeVerdict, words

__all__ = ["diff_html", "diff_lines", "verdict_words"]

_LEVEL_WORDS = {"major": "what is shared changes", "minor": "the terms change, not the data",
                "patch": "wording only"}


def verdict_words(verdict: PurposeVerdict) -> str:
    """``evaluation: 1.0.0 -> 2.0.0 (major: what is shared changes)``."""
    old, new = verdict.old or "none", verdict.new or "none"
    if verdict.level is None:
        return f"{words(verdict.purpose)}: {old} -> {new} (no change)"
    return f"{words(verdict.purpose)}: {old} -> {new} ({verdict.level}: {_LEVEL_WORDS[verdict.level]})"


def diff_lines(diff: AgreementDiff) -> list[str]:
    """The summary as lines: each purpose's versions, then its changes, then any version problem."""
    lines: list[str] = []
    for verdict in diff.verdicts:
        lines.append(verdict_words(verdict))
        lines += [f"  - {change.summary}" for change in diff.for_purpose(verdict.purpose)]
    if not diff.changes:
        lines.append("No changes.")
    return lines


def diff_html(diff: AgreementDiff, *, old_name: str, new_name: str, language: str = "en-NZ") -> str:
    """One page, no scripts and nothing fetched: each purpose's versions and its changes in plain words."""
    parts = [
        "<!doctype html>",
        f'<html lang="{escape(language)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>What changed in the agreement</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;"
        "line-height:1.5}.level{font-size:.85em;padding:0 .4em;border:1px solid #555;border-radius:.3em;"
        "margin-left:.4em}.problem{color:#8a1c1c;font-weight:600}q{font-style:italic}</style>",
        "</head><body>",
        "<h1>What changed in the agreement</h1>",
        f"<p>From <strong>{escape(old_name)}</strong> to <strong>{escape(new_name)}</strong>.</p>",
    ]
    for verdict in diff.verdicts:
        parts.append(f"<h2>{escape(words(verdict.purpose).capitalize())}</h2>")
        parts.append(f"<p>{escape(verdict_words(verdict))}</p>")
        if verdict.problem:
            parts.append(f'<p class="problem">Version: {escape(verdict.problem)}</p>')
        changes = diff.for_purpose(verdict.purpose)
        if changes:
            parts.append("<ul>")
            for change in changes:
                parts.append(f"<li>{escape(change.summary)}<span class=\"level\">{change.level}</span>"
                             + _before_after(change.before, change.after) + "</li>")
            parts.append("</ul>")
    if not diff.changes:
        parts.append("<p>No changes.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _before_after(before: str | None, after: str | None) -> str:
    """Old and new wording for a reworded text (long texts only: short ones are in the sentence)."""
    if not before or not after or max(len(before), len(after)) < 40:
        return ""
    return (f"<details><summary>Before and after</summary><p>Before: <q>{escape(before)}</q></p>"
            f"<p>After: <q>{escape(after)}</q></p></details>")
