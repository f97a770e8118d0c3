"""Every notebook in `notebooks/` runs top to bottom, cleanly, and is committed without outputs.

The course's exercise cells (tagged ``"exercise": "<id>"``) are replaced by their worked solutions from
`dpup_eval.learn.solutions` before running, so a passing run proves every exercise can be solved
with what its notebook has set up, and every check cell then says "Right".
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dpup_eval.learn.exercises import EXERCISES
from dpup_eval.learn.solutions import SOLUTIONS

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(NOTEBOOKS.rglob("*.ipynb"))
ALL = [p for p in ALL if ".ipynb_checkpoints" not in p.parts]
LEARN = [p for p in ALL if p.parent.name == "learn"]


def _name(path: Path) -> str:
    return str(path.relative_to(NOTEBOOKS))


def _exercise_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in notebook.cells if c.cell_type == "code" and "exercise" in c.get("metadata", {})]


def test_the_notebooks_are_found() -> None:
    assert (NOTEBOOKS / "evaluator.ipynb") in ALL
    assert [p.name[:2] for p in LEARN] == ["01", "02", "03", "04", "05", "06"]


@pytest.mark.parametrize("path", ALL, ids=_name)
def test_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {number} has outputs: clear them before committing"
            assert cell["execution_count"] is None, f"cell {number} has an execution count"


@pytest.mark.parametrize("path", LEARN, ids=_name)
def test_course_notebook_shape(path: Path) -> None:
    """Starts with what you will be able to do, ends with what you learned, has exercises that check."""
    notebook = nbformat.read(path, as_version=4)
    assert "## What you will be able to do" in notebook.cells[0].source
    assert notebook.cells[-1].cell_type == "markdown"
    assert "## What you learned" in notebook.cells[-1].source
    exercises = _exercise_cells(notebook)
    assert exercises, "every course notebook has exercises"
    for cell in exercises:
        exercise_id = cell.metadata["exercise"]
        assert exercise_id.startswith(path.name[:2] + ".")
        assert "exercise" in cell.metadata.get("tags", [])
        assert "answer = ...  # your turn" in cell.source
        assert exercise_id in EXERCISES and exercise_id in SOLUTIONS
        following = notebook.cells[notebook.cells.index(cell) + 1]
        assert following.source.strip() == f'learn.check("{exercise_id}", answer)'


def test_every_exercise_is_in_a_notebook() -> None:
    used = [c.metadata["exercise"] for p in LEARN for c in _exercise_cells(nbformat.read(p, as_version=4))]
    assert sorted(used) == sorted(EXERCISES) == sorted(SOLUTIONS)


def _problems(notebook: nbformat.NotebookNode) -> list[str]:
    problems = []
    for number, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                problems.append(f"cell {number}: {output.ename}: {output.evalue}")
            if output.output_type == "stream" and output.name == "stderr" and "Warning" in output.text:
                problems.append(f"cell {number}: warning: {output.text[:400]}")
            if output.output_type == "stream" and "Traceback" in output.text:
                problems.append(f"cell {number}: traceback: {output.text[:400]}")
    return problems


@pytest.mark.slow
@pytest.mark.parametrize("path", ALL, ids=_name)
def test_notebook_runs_cleanly(path: Path, tmp_path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    solved = []
    for cell in _exercise_cells(notebook):
        cell.source = SOLUTIONS[cell.metadata["exercise"]]
        solved.append(cell.metadata["exercise"])
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    problems = _problems(notebook)
    assert not problems, "\n".join(problems)
    # Every check cell said "Right" for the worked solution.
    for cell in notebook.cells:
        if "check" in cell.get("metadata", {}).get("tags", []):
            shown = "".join(
                o.get("data", {}).get("text/markdown", "") + o.get("data", {}).get("text/plain", "")
                for o in cell.outputs
            )
            assert "Right" in shown, f"{cell.source}: {shown}"
    assert len(solved) == len(_exercise_cells(notebook))
