"""The "Where information goes" dashboard page: the flows of :mod:`dpup_eval.rights.flows` as ipywidgets tabs.

Built whole and displayed once by the thin notebook ``dashboards/where_information_goes.ipynb``. It lives
with the other pages because it needs ipywidgets (the workshop extra); the flows themselves are core.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from dpup_eval.agreement.contract import Agreement
from dpup_eval.audit import AuditLog
from dpup_eval.rights.flows import (
    FlowGraph,
    audit_flows,
    audit_use_rows,
    contract_flows,
    plain_field_names,
    sankey_figure,
)
from dpup_eval.rights.notices import build_notice

__all__ = ["version_html", "where_information_goes_page"]


#: The audit table's columns in plain words (the rows' keys are for code, not for families).
_COLUMN_WORDS = {"who": "Who", "action": "What they did", "purpose": "What for", "fields": "Which information",
                 "times": "How many times", "first": "First time", "last": "Last time"}  # fmt: skip


def _rows_table(rows: list[dict[str, str | int]], plain: dict[str, str] | None = None) -> str:
    """The audit summary as a table with plain column names, and fields by their plain names."""
    if not rows:
        return "<p>Nothing has been recorded in the audit log yet.</p>"
    plain = plain or {}

    def cell(key: str, value: str | int) -> str:
        if key == "fields":
            return ", ".join(plain.get(name, name) for name in str(value).split(", ") if name)
        if key == "purpose":
            return str(value).replace("_", " ")
        return str(value)

    head = "".join(f"<th>{html.escape(_COLUMN_WORDS.get(k, k))}</th>" for k in rows[0])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell(k, v))}</td>" for k, v in row.items()) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _framed(page: str, height: int = 720) -> str:
    """A standalone page inside an iframe, so its styles stay inside it (``srcdoc`` is escaped)."""
    return (f'<iframe title="notice" srcdoc="{html.escape(page, quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ccc"></iframe>')


def where_information_goes_page(agreement: Agreement, log: AuditLog | Path | None = None) -> Any:
    """The dashboard: agreed flows, actual use from the audit log, and the notices, as ipywidgets tabs.

    Only names, counts and the notices' text reach the page: never a row of data. The child notice is
    shown only where the programme says children take part.
    """
    from dpup_eval.agreement.programme import Programme

    def figure(graph: FlowGraph) -> Any:
        # The plotly mime bundle itself, so JupyterLab/Voila's bundled renderer draws it (no CDN, no renderer guess).
        data = {"application/vnd.plotly.v1+json": json.loads(sankey_figure(graph).to_json()), "text/plain": graph.title}
        out = widgets.Output()
        out.outputs = ({"output_type": "display_data", "data": data, "metadata": {}},)
        return out

    used = audit_flows(log, agreement)
    actual = [figure(used)] if used.links else []
    children = not isinstance(agreement, Programme) or agreement.children_take_part
    notices = [widgets.HTML(_framed(build_notice(agreement, "adult").to_html()))]
    if children:
        notices.append(widgets.HTML(_framed(build_notice(agreement, "child").to_html())))
    tabs = widgets.Tab(children=[
        figure(contract_flows(agreement)),
        widgets.VBox([*actual, widgets.HTML(_rows_table(audit_use_rows(log), plain_field_names(agreement)))]),
        *notices,
        widgets.HTML(version_html(agreement)),
    ])
    tabs.titles = ("Where it goes (agreed)", "Who used what (audit log)", "Notice for adults",
                   *(["Notice for children"] if children else []), "Version and what changed")
    return tabs


def version_html(agreement: Agreement) -> str:
    """The agreement's version in use and, when a signed version replaced an earlier one, what changed."""
    from dpup_eval.agreement.diff import diff_agreements
    from dpup_eval.agreement.diff_report import diff_lines
    from dpup_eval.agreement.revision import load_texts, previous_texts

    versions = ", ".join(f"{p.replace('_', ' ')} version {agreement.for_purpose(p).version}" for p in agreement.purposes)
    parts = [f"<p>The agreement in use: {html.escape(versions)}.</p>"]
    folder = getattr(agreement, "folder", None)
    before = previous_texts(folder) if folder is not None else None
    if before is None or folder is None:
        parts.append("<p>This is the first version: nothing has changed since it was agreed.</p>")
    else:
        lines = diff_lines(diff_agreements(load_texts(before, folder), agreement))
        parts.append("<p>What changed from the version before:</p><ul>"
                     + "".join(f"<li>{html.escape(line.strip().removeprefix('- '))}</li>" for line in lines) + "</ul>")
    return "".join(parts)


@dataclass
class ServedPage:
    """The page as the workshop serves it: ``root`` to display once, ``tabs`` for tests."""

    root: widgets.VBox
    tabs: widgets.Tab


def served_page(environ: Mapping[str, str] | None = None) -> ServedPage:
    """The programme the workshop serves (or ``DPUP_EVAL_PROGRAMME``, else the notebook's folder), titled
    and styled like the other workshop pages; the thin notebook displays ``root``."""
    from dpup_eval.agreement.programme import Programme
    from dpup_eval.workshop.widgets_base import page_style, text_html

    env = os.environ if environ is None else environ
    where = env.get("DPUP_WORKSHOP_PROGRAMME") or env.get("DPUP_EVAL_PROGRAMME") or "."
    tabs = where_information_goes_page(Programme.load(where))
    title = widgets.HTML(text_html(("h1", "Where information goes"),
                                   ("p", "What is shared, with whom, and who has used it.")))  # fmt: skip
    root = widgets.VBox([page_style(), title, tabs])
    root.add_class("dpup-page")
    return ServedPage(root, tabs)
