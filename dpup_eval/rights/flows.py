"""Where information goes: what the agreement says, and what the audit log shows actually happened.

Why: without DPUP the provider asks "Who sees it? Who at the agency is using what parts of it?". Two
pictures answer it, drawn the same way so they can be put side by side:

* :func:`contract_flows`: each agreed field -> the purpose it is shared for -> the part of the agency
  that receives it (a field shared for two purposes, such as region, flows to both);
* :func:`audit_flows`: each field -> the purpose it was loaded for -> who loaded it (name and role),
  counted from the tamper-evident audit log, with first and last use in :func:`audit_use_rows`.

Writing to the log is :func:`dpup_eval.audit.record_use`.
plotly is imported only when a figure is drawn. The dashboard page that shows both pictures with the
notices is :func:`dpup_eval.workshop.widgets_flows.where_information_goes_page` (it needs ipywidgets,
part of the workshop extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from dpup_eval.agreement.contract import Agreement
from dpup_eval.audit import AuditEntry, AuditLog, UseSummaryRow, default_audit_path

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = [
    "FlowGraph",
    "FlowLink",
    "FlowNode",
    "audit_flows",
    "audit_use_rows",
    "contract_flows",
    "sankey_figure",
]

NodeKind = Literal["field", "purpose", "recipient", "actor"]
#: The role recorded when ``DPUP_EVAL_ROLE`` is not set: most loads and evaluations are an evaluator's.
_COLOURS = {"field": "#7aa6c2", "purpose": "#2e7d6b", "recipient": "#8a5a00", "actor": "#6a3d9a"}


class FlowNode(BaseModel):
    """A box in the diagram: a field, a purpose, a part of the agency, or a person at the agency."""

    key: str
    label: str
    kind: NodeKind


class FlowLink(BaseModel):
    """A flow between two nodes (indexes into ``FlowGraph.nodes``); ``value`` is its width."""

    source: int
    target: int
    value: int
    note: str = ""


class FlowGraph(BaseModel):
    """Nodes and links, ready for :func:`sankey_figure` or a table; no data values, only names."""

    title: str
    nodes: list[FlowNode] = []
    links: list[FlowLink] = []

    def node(self, key: str, label: str, kind: NodeKind) -> int:
        for index, existing in enumerate(self.nodes):
            if existing.key == key:
                return index
        self.nodes.append(FlowNode(key=key, label=label, kind=kind))
        return len(self.nodes) - 1

    def link(self, source: int, target: int, value: int = 1, note: str = "") -> None:
        for existing in self.links:
            if existing.source == source and existing.target == target:
                existing.value += value
                return
        self.links.append(FlowLink(source=source, target=target, value=value, note=note))

    def edges(self) -> list[tuple[str, str, int]]:
        """``(from label, to label, value)`` for every link: what tests and tables read."""
        return [(self.nodes[k.source].label, self.nodes[k.target].label, k.value) for k in self.links]


def contract_flows(agreement: Agreement) -> FlowGraph:
    """Fields -> purposes -> the parts of the agency that receive them, as the agreement says."""
    graph = FlowGraph(title="Where information goes, as agreed")
    for purpose in agreement.purposes:
        contract = agreement.for_purpose(purpose)
        p = graph.node(f"purpose:{purpose}", purpose.replace("_", " "), "purpose")
        r = graph.node(f"recipient:{contract.recipient}", contract.recipient, "recipient")
        for field in contract.fields:
            f = graph.node(f"field:{field.name}", field.plain_name, "field")
            graph.link(f, p, 1, field.why)
        graph.link(p, r, len(contract.fields), f"sent {contract.schedule}")
    return graph


def _who(entry: AuditEntry | UseSummaryRow) -> str:
    return f"{entry.actor} ({entry.role})"


def plain_field_names(agreement: Agreement | None) -> dict[str, str]:
    """Field name -> the agreement's plain name, over every purpose (empty without an agreement)."""
    plain: dict[str, str] = {}
    if agreement is not None:
        for purpose in agreement.purposes:
            plain |= {f.name: f.plain_name for f in agreement.for_purpose(purpose).fields}
    return plain


def audit_flows(log: AuditLog | Path | None = None, agreement: Agreement | None = None) -> FlowGraph:
    """Fields -> purposes -> who used them, counted from the audit log (one per entry and field).

    With ``agreement``, fields are labelled with their plain names. Entries without a purpose or fields
    (for example an access request being logged) are not flows of data and are left out.
    """
    log = log if isinstance(log, AuditLog) else AuditLog(log or default_audit_path())
    plain = plain_field_names(agreement)
    graph = FlowGraph(title="Who at the agency used what, from the audit log")
    for entry in log.entries():
        if not entry.purpose or not entry.fields:
            continue
        p = graph.node(f"purpose:{entry.purpose}", entry.purpose.replace("_", " "), "purpose")
        a = graph.node(f"actor:{entry.actor}:{entry.role}", _who(entry), "actor")
        for name in entry.fields:
            f = graph.node(f"field:{name}", plain.get(name, name), "field")
            graph.link(f, p, 1)
        graph.link(p, a, len(entry.fields), entry.action)
    return graph


def audit_use_rows(log: AuditLog | Path | None = None) -> list[dict[str, str | int]]:
    """Who used what for what, and when: the audit summary as plain rows for a table."""
    log = log if isinstance(log, AuditLog) else AuditLog(log or default_audit_path())
    return [
        {
            "who": _who(row),
            "action": row.action,
            "purpose": row.purpose or "",
            "fields": ", ".join(row.fields),
            "times": row.count,
            "first": row.first_at[:16].replace("T", " "),
            "last": row.last_at[:16].replace("T", " "),
        }
        for row in log.summary()
    ]


def sankey_figure(graph: FlowGraph, height: int = 640) -> go.Figure:
    """A plotly Sankey of ``graph`` (self-contained: no data values, only names and counts)."""
    import plotly.graph_objects as go

    figure = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": [n.label for n in graph.nodes],
                "color": [_COLOURS[n.kind] for n in graph.nodes],
                "pad": 12,
                "thickness": 16,
            },
            link={
                "source": [k.source for k in graph.links],
                "target": [k.target for k in graph.links],
                "value": [k.value for k in graph.links],
                "customdata": [k.note for k in graph.links],
                "hovertemplate": "%{source.label} → %{target.label}<br>%{customdata}<extra></extra>",
            },
        )
    )
    figure.update_layout(title_text=graph.title, height=height, font_size=12)
    return figure
