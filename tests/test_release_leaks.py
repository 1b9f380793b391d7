"""A released notebook reveals nothing (the contract's rule 2, autograder/__init__.py).

Two tests per assignment, on release/ as `make release` wrote it:
* the visible part of every test cell holds data and calls only (autograder/instructor/leaks.py);
* nothing in it passes as an answer: every literal and every cases.function source of a test
  cell is tried as each answer of its exercise that the cell reads (the other answers being the
  solution's), and the cell, graded in this process with its hidden tests
  (autograder/instructor/dry_run.py), must fail.
"""
import ast
import re
from pathlib import Path

import nbformat
import pytest

from autograder.instructor.dry_run import DryRun, grade_id, is_answer_cell, is_test_cell
from autograder.instructor.leaks import answer_candidates, formula_problems

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").glob("[0-9][0-9]_*") if p.is_dir())
EXERCISE = re.compile(r"(ex\d+)_")


def _release(assignment):
    return nbformat.read(REPO / "release" / assignment / f"{assignment}.ipynb", as_version=4)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_tests_hold_data_not_formulas(assignment):
    problems = {grade_id(cell): formula_problems(cell.source)
                for cell in _release(assignment).cells if is_test_cell(cell)}
    problems = {cell: found for cell, found in problems.items() if found}
    assert not problems, "\n".join(f"{cell}: {'; '.join(found)}" for cell, found in problems.items())


def _answers(source_cell) -> list[tuple[str, str]]:
    """(kind, name) of what a solution cell defines at top level: "function" for a def or a
    class, "value" for an assigned name."""
    found = []
    for node in ast.parse(source_cell.source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            found.append(("function", node.name))
        elif isinstance(node, ast.Assign):
            found += [("value", t.id) for t in node.targets if isinstance(t, ast.Name)]
    return list(dict.fromkeys(found))


def _with(solution: str, name: str, kind: str, candidate: str) -> str:
    """The solution cell, its ``name`` then replaced by the candidate."""
    if kind == "function" and not candidate.lstrip().startswith("lambda"):
        defined = ast.parse(candidate).body[-1].name
        return f"{solution}\n{candidate}\n{name} = {defined}\n"
    return f"{solution}\nfrom autograder import cases\n{name} = {candidate}\n"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_nothing_in_a_release_passes_as_an_answer(assignment):
    source = REPO / "source" / assignment / f"{assignment}.ipynb"
    dry = DryRun(source)
    source_cells = nbformat.read(source, as_version=4).cells
    solutions = {grade_id(c): c for c in source_cells if is_answer_cell(c)}
    judged = {grade_id(c): c.source for c in source_cells if is_test_cell(c)}  # with hidden tests
    leaks, tried = [], 0
    for cell in _release(assignment).cells:
        if not is_test_cell(cell):
            continue
        test_id = grade_id(cell)
        exercise = EXERCISE.match(test_id).group(1)
        assert dry.run(test_id, {}).passed, f"{test_id}: the solution itself fails in a dry run"
        for answer_id, solution in solutions.items():
            if not answer_id.startswith(exercise + "_"):
                continue
            for kind, name in _answers(solution):
                if not re.search(rf"\b{re.escape(name)}\b", judged[test_id]):
                    continue  # a cell that never reads this answer cannot pass because of it
                for candidate_kind, candidate in answer_candidates(cell.source):
                    if candidate_kind != kind:
                        continue
                    tried += 1
                    answers = {answer_id: _with(solution.source, name, kind, candidate)}
                    if dry.run(test_id, answers).passed:
                        leaks.append(f"{test_id}: {name} = {candidate!r} passes")
    assert not leaks, "\n".join(leaks)
