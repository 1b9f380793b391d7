"""A self-learner's tools: the workspace copy of an assignment, and validate's exit status."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from scripts.workspace import copy_assignment

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = sorted(p.name for p in (ROOT / "release").glob("[0-9][0-9]_*"))[0]


@pytest.fixture
def course(tmp_path):
    shutil.copytree(ROOT / "release", tmp_path / "release")
    return tmp_path


def test_workspace_copy_never_overwrites_answers(course):
    notebook = copy_assignment(ASSIGNMENT[:2], course)
    assert notebook == course / "workspace" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook.write_text("my answers", encoding="utf-8")
    assert copy_assignment(ASSIGNMENT[:2], course) == notebook
    assert notebook.read_text(encoding="utf-8") == "my answers"
    assert not (course / "release" / ASSIGNMENT / ".ipynb_checkpoints").exists()


def test_workspace_unknown_chapter_says_what_to_do(course):
    with pytest.raises(SystemExit, match="make assignment CHAPTER=01") as caught:
        copy_assignment("9", course)
    assert "没有第 9 章的作业" in str(caught.value)


def _validate(path):
    return subprocess.run([sys.executable, "-m", "scripts.validate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_validate_fails_on_an_unanswered_notebook_and_passes_the_solutions(tmp_path):
    blank = tmp_path / "blank" / f"{ASSIGNMENT}.ipynb"
    blank.parent.mkdir()
    shutil.copy(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", blank)
    proc = _validate(blank)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "not answered yet" in proc.stdout and "还没有作答" in proc.stdout, proc.stdout[-2000:]

    answered = nbformat.read(blank, as_version=4)
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    for cell in answered.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]  # its ### BEGIN/END SOLUTION lines are comments
    solved = tmp_path / "solved" / f"{ASSIGNMENT}.ipynb"
    solved.parent.mkdir()
    nbformat.write(answered, solved)
    proc = _validate(solved)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
