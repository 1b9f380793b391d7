"""A tiny class with known mistakes, graded once per test session, for the class report's tests
(tests/test_class_report.py) and the browser test of the feedback and the report.

It is an assignment of its own in a scratch course, so it does not change when the chapters'
assignments are rewritten: two exercises, a hidden test with a labelled kind of case and one
without, and a student for each thing the report counts. The course is graded once by
grade_class, shared by the xdist workers through a lock; tests that change it work on a copy.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from filelock import FileLock
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "90_report_sample"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
HIDDEN_MARKER = "a hidden line the feedback must never show"
DTYPE_KIND = ("另一种数据类型", "another dtype")

SETUP = "import torch\nfrom autograder import call, cases, check_tensor"
EX1_TEST = f"""check_tensor(call(double, cases.tensor([1.0, -2.0]), name="double(x)"),
             cases.tensor([2.0, -4.0]), name="double(x)")
print("练习 1：可见测试通过 / Exercise 1: visible tests passed")
### BEGIN HIDDEN TESTS
# {HIDDEN_MARKER}
y = cases.randn(3, 2, seed=1)
check_tensor(call(double, y.clone(), name="double(y)"), 2 * y, name="double(y)")
with cases.kind("{DTYPE_KIND[0]}", "{DTYPE_KIND[1]}"):
    z = cases.randn(4, seed=2, dtype=cases.widest_float())
    check_tensor(call(double, z.clone(), name="double(z)"), 2 * z, name="double(z)")
### END HIDDEN TESTS"""
EX2_TEST = """check_tensor(call(row_sums, cases.tensor([[1.0, 2.0], [3.5, 0.0]]), name="row_sums(x)"),
             cases.tensor([3.0, 3.5]), name="row_sums(x)")
### BEGIN HIDDEN TESTS
w = cases.randn(4, 3, seed=3)
check_tensor(call(row_sums, w.clone(), name="row_sums(w)"), w.sum(dim=1), name="row_sums(w)", atol=1e-5)
### END HIDDEN TESTS"""
SOLUTIONS = {"ex1_double": "def double(x):\n    return 2 * x\n",
             "ex2_rows": "def row_sums(x):\n    return x.sum(dim=1)\n"}
STUB = "    # 在这里写你的代码 / YOUR CODE HERE\n    raise NotImplementedError()"  # as released
POINTS = {"ex1_test": 3, "ex2_test": 2}

# The class: {student: {answer cell: source}}; a missing answer is the solution.
STUDENTS = {
    "full": {},
    "blank": {"ex1_double": "def double(x):\n" + STUB, "ex2_rows": "def row_sums(x):\n" + STUB},
    "returns_none": {"ex1_double": "def double(x):\n    2 * x\n"},  # answer_is_none, visible
    "flattens": {"ex1_double": "def double(x):\n    return 2 * x.flatten()\n"},  # hidden, no kind
    "float32": {"ex1_double": "def double(x):\n    return (2 * x).float()\n"},  # hidden, dtype kind
    # the same dtype mistake, and a kernel that dies in exercise 2's answer cell
    "dies": {"ex1_double": "def double(x):\n    return (2 * x).float()\n",
             "ex2_rows": "import os\nos._exit(1)\n"},
    # right answers, a patched torch (flagged) and active content in a Markdown cell of its own
    "cheat": {"ex2_rows": "torch.allclose = lambda *a, **k: True\n" + SOLUTIONS["ex2_rows"]},
}
ACTIVE_CONTENT = ('<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'
                  "我的笔记 My notes")
FORGED = {"passed": True, "mistake": None, "part": None, "case": None, "error": None}
BROKEN = "broken"  # an unreadable notebook
CELL_TIMEOUT = 30


def _meta(grade_id, *, locked=True, solution=False, grade=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook():
    def solution(grade_id):
        body = SOLUTIONS[grade_id].rstrip("\n").split("\n")
        return "\n".join([body[0], "    ### BEGIN SOLUTION", *body[1:], "    ### END SOLUTION"])

    cells = [
        new_markdown_cell("# 报告样例作业\n\n两道小题。", metadata={**_meta("intro_zh"), "tags": ["zh"]}),
        new_markdown_cell("# A sample assignment for the report\n\nTwo small exercises.",
                          metadata={**_meta("intro_en"), "tags": ["en"]}),
        new_code_cell(SETUP, metadata=_meta("setup")),
        new_code_cell(solution("ex1_double"), metadata=_meta("ex1_double", locked=False, solution=True)),
        new_code_cell(EX1_TEST, metadata=_meta("ex1_test", grade=True, points=POINTS["ex1_test"])),
        new_code_cell(solution("ex2_rows"), metadata=_meta("ex2_rows", locked=False, solution=True)),
        new_code_cell(EX2_TEST, metadata=_meta("ex2_test", grade=True, points=POINTS["ex2_test"])),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python",
                                 "name": "python3"}
    return nb


def submission(student: str):
    """The student's notebook: the released cells (no hidden tests) with their answers."""
    nb = source_notebook()
    answers = STUDENTS[student]
    for cell in nb.cells:
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        if grade_id in SOLUTIONS:
            cell.source = answers.get(grade_id, SOLUTIONS[grade_id])
        elif grade_id in POINTS:
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0].rstrip()
    if student == "cheat":
        nb.cells.append(new_markdown_cell(ACTIVE_CONTENT))
    if student == "returns_none":  # verdicts of its own making: never counted
        for cell in nb.cells:
            cell.metadata["autograder"] = FORGED
    return nb


def grade(root: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.instructor.grade_class", ASSIGNMENT,
                           "--timeout", str(CELL_TIMEOUT), *extra], cwd=root, capture_output=True,
                          text=True, timeout=600)


def build(root: Path) -> None:
    shutil.copy(REPO / "nbgrader_config.py", root)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    nbformat.write(source_notebook(), root / "source" / ASSIGNMENT / NOTEBOOK)
    for student in STUDENTS:
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(student), folder / NOTEBOOK)
    folder = root / "submitted" / BROKEN / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(REPO / "tests" / "submissions" / "broken.ipynb", folder / NOTEBOOK)


def graded_class(tmp_path_factory) -> Path:
    """The course root of the graded class (graded once per session, shared by the workers)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # shared by this session's workers
    root = base / "report_sample_class"
    with FileLock(str(base / "report_sample_class.lock")):
        log = root / "grade_class.log"
        if not log.is_file():
            if root.exists():
                shutil.rmtree(root)
            root.mkdir()
            build(root)
            proc = grade(root)
            assert proc.returncode == 0, f"grade_class failed:\n{proc.stdout}\n{proc.stderr}"
            log.write_text(proc.stdout, encoding="utf-8")
    return root


def copy_of(root: Path, target: Path) -> Path:
    """A copy of the graded course to change (times kept: --resume compares them)."""
    shutil.copytree(root, target, symlinks=True)
    return target


def feedback(root: Path, student: str) -> Path:
    return root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html"


def autograded(root: Path, student: str):
    return nbformat.read(root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)
