"""Where information goes: the agreed flows, the flows the audit log shows, and record_use."""

from __future__ import annotations

from pathlib import Path

import pytest

from dpup_eval.agreement.contract import Agreement, default_contract_dir
from dpup_eval.audit import DEFAULT_ROLE, AuditLog, configured_actor, fingerprint_file, record_use
from dpup_eval.rights.flows import audit_flows, audit_use_rows, contract_flows, sankey_figure

CONTRACT_DIR = default_contract_dir()


def test_contract_flows_go_field_to_purpose_to_recipient(agreement: Agreement) -> None:
    graph = contract_flows(agreement)
    edges = graph.edges()
    evaluation, service = agreement.for_purpose("evaluation"), agreement.for_purpose("service_reporting")
    assert ("evaluation", evaluation.recipient, len(evaluation.fields)) in edges
    assert ("service reporting", service.recipient, len(service.fields)) in edges
    assert ("Region", "evaluation", 1) in edges and ("Region", "service reporting", 1) in edges
    assert ("Feedback in their own words", "service reporting", 1) not in edges
    kinds = {n.kind for n in graph.nodes}
    assert kinds == {"field", "purpose", "recipient"}


def test_sankey_figure_draws_the_graph(agreement: Agreement) -> None:
    import plotly.graph_objects as go

    graph = contract_flows(agreement)
    figure = sankey_figure(graph)
    assert isinstance(figure, go.Figure)
    trace = figure.data[0]
    assert isinstance(trace, go.Sankey)
    assert list(trace.node.label) == [n.label for n in graph.nodes]
    assert sum(trace.link.value) == sum(k.value for k in graph.links)
    assert "cdn" not in figure.to_json().lower()


def test_record_use_takes_actor_and_role_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DPUP_EVAL_ACTOR", "Ana")
    monkeypatch.setenv("DPUP_EVAL_ROLE", "analyst")
    data = tmp_path / "Smith family evaluation.csv"
    data.write_text("participant_ref\nP-0000000A\n", encoding="utf-8")
    log = AuditLog(tmp_path / "audit.jsonl")
    entry = record_use("load", purpose="evaluation", dataset=data, fields=["participant_ref"], details={"rows": 1}, log=log)
    assert (entry.actor, entry.role) == ("Ana", "analyst")
    assert entry.dataset == fingerprint_file(data)
    text = log.path.read_text(encoding="utf-8")
    assert "Smith" not in text and "P-0000000A" not in text  # neither file names nor values


def test_configured_actor_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DPUP_EVAL_ACTOR", raising=False)
    monkeypatch.delenv("DPUP_EVAL_ROLE", raising=False)
    actor, role = configured_actor()
    assert actor and role == DEFAULT_ROLE
    monkeypatch.setenv("DPUP_EVAL_ACTOR", "Tama\nInjected")
    assert "\n" not in configured_actor()[0]


def test_audit_flows_show_who_used_what(agreement: Agreement, tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    fingerprint = "sha256:" + "ab" * 32
    record_use("load", purpose="evaluation", dataset=fingerprint, fields=["region", "age_band"], log=log,
               actor="Ana", role="evaluator")
    record_use("evaluate", purpose="evaluation", dataset=fingerprint, fields=["region"], log=log,
               actor="Ana", role="evaluator")
    record_use("load", purpose="service_reporting", dataset=fingerprint, fields=["region"], log=log,
               actor="Mere", role="contract manager")
    record_use("request.access", details={"request": 1}, log=log, actor="Privacy officer", role="privacy officer")
    graph = audit_flows(log, agreement)
    edges = graph.edges()
    assert ("Region", "evaluation", 2) in edges
    assert ("Age group", "evaluation", 1) in edges
    assert ("evaluation", "Ana (evaluator)", 3) in edges
    assert ("service reporting", "Mere (contract manager)", 1) in edges
    assert not any("Privacy officer" in n.label for n in graph.nodes)  # no data flowed
    rows = audit_use_rows(log)
    assert {r["who"] for r in rows} >= {"Ana (evaluator)", "Mere (contract manager)"}
    assert all(r["first"] <= r["last"] for r in rows)


def test_audit_flows_of_an_empty_log(tmp_path: Path) -> None:
    graph = audit_flows(tmp_path / "none.jsonl")
    assert graph.nodes == [] and graph.links == []
    sankey_figure(graph)


def test_dashboard_page_has_the_flows_and_both_notices(agreement: Agreement, tmp_path: Path) -> None:
    from dpup_eval.workshop.widgets_flows import where_information_goes_page

    log = AuditLog(tmp_path / "audit.jsonl")
    record_use("load", purpose="evaluation", dataset="sha256:" + "cd" * 32, fields=["region"], log=log,
               actor="Ana <b>", role="evaluator")
    page = where_information_goes_page(agreement, log)
    assert page.titles == ("Where it goes (agreed)", "Who used what (audit log)", "Notice for adults",
                           "Notice for children", "Version and what changed")
    assert "The agreement in use: evaluation version 1.0.0, service reporting version 1.0.0." in page.children[4].value
    agreed = page.children[0].outputs[0]["data"]
    assert "application/vnd.plotly.v1+json" in agreed
    used = page.children[1].children
    assert len(used) == 2 and "Ana &lt;b&gt; (evaluator)" in used[1].value
    adult, child = page.children[2].value, page.children[3].value
    assert adult.startswith("<iframe") and "srcdoc=" in adult and "&lt;!doctype html&gt;" in adult
    assert "About your information" in child


DASHBOARD = Path(__file__).resolve().parents[1] / "dashboards" / "where_information_goes.ipynb"


def test_dashboard_notebook_is_thin_and_clean() -> None:
    import nbformat

    nb = nbformat.read(DASHBOARD, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    source = "\n".join(c.source for c in code)
    assert "great_expectations" not in source and source.count("display(") == 1
    assert len(source.splitlines()) < 15


@pytest.mark.slow
def test_dashboard_notebook_runs_without_great_expectations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("DPUP_EVAL_PROGRAMME", str(CONTRACT_DIR))
    nb = nbformat.read(DASHBOARD, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys\nassert 'great_expectations' not in sys.modules\nprint(type(page.tabs).__name__)"))
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert nb.cells[-1].outputs[0]["text"].strip() == "Tab"
    widget_views = [o for o in nb.cells[0].outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widget_views) == 1
