"""The evaluator notebook runs top to bottom on demo data, with no error and no warning in its outputs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "evaluator.ipynb"


def test_committed_without_outputs() -> None:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == []
            assert cell["execution_count"] is None


@pytest.mark.slow
def test_notebook_runs_cleanly(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    problems = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {number}: {output.ename}: {output.evalue}")
            text = output.get("text", "") if output.output_type == "stream" else ""
            if output.output_type == "stream" and output.name == "stderr":
                problems.append(f"cell {number}: stderr: {text[:300]}")
            if "Warning" in text:
                problems.append(f"cell {number}: warning: {text[:300]}")
    assert not problems, "\n".join(problems)
    printed = "".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", []))
    assert "ACCEPTED" in printed  # the check report summary is shown
    assert "probably between" in printed  # findings are read out in plain language
