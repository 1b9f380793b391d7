"""The Formgrader's Autograde button: nbgrader's handler calls ``NbGraderAPI.autograde`` inside the
Jupyter server, where an event loop is already running. The sandbox, the referee, the hard stop
of a kernel that ignores the interrupt and the fresh kernel after a crash must work there as on
the command line."""
import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0]
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
# The class's answers: the solutions; the solutions with one function that swallows the interrupt
# (its kernel is stopped: only that exercise's test loses its points, the later ones are judged in a
# fresh kernel); the solutions with a cell that segfaults after the first test (full marks).
DEAF = """def {name}(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except KeyboardInterrupt:
            pass
"""

AUTOGRADE_IN_A_RUNNING_LOOP = """
import asyncio, json, sys
from nbgrader.apps import NbGraderAPI
from nbgrader.apps.baseapp import NbGrader

app = NbGrader()
app.load_config_file()
app.config.Execute.timeout = 8  # the setup cell imports torch, on a busy machine too
app.config.SandboxExecute.interrupt_grace = 2


async def handler():  # what formgrader's AutogradeHandler.post does, on the server's loop
    api = NbGraderAPI(config=app.config)
    return {sid: api.autograde(sys.argv[1], sid)["success"] for sid in sys.argv[2:]}

print(json.dumps(asyncio.run(handler())))
"""


SEGFAULT = "import faulthandler\nfaulthandler._sigsegv()"


def _grade_id(cell):
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _answered(source_nb, grade_id, answer):
    nb = nbformat.reads(nbformat.writes(source_nb), as_version=4)
    for cell in nb.cells:
        if _grade_id(cell) == grade_id:
            cell.source = answer
    return nb


def _crashing(source_nb, after):
    nb = nbformat.reads(nbformat.writes(source_nb), as_version=4)
    at = next(i for i, cell in enumerate(nb.cells) if _grade_id(cell) == after)
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(SEGFAULT))
    return nb


def test_the_autograde_button_grades_with_the_referee_and_survives_a_lost_kernel(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
                   cwd=course, env=env, check=True, capture_output=True)
    source_nb = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    answers = [c for c in source_nb.cells if c.metadata.get("nbgrader", {}).get("solution")
               and c.cell_type == "code" and "def " in c.source]
    second = answers[1]  # a function the referee calls, after the first exercise was judged
    name = second.source.split("def ", 1)[1].split("(", 1)[0]
    tests = [_grade_id(c) for c in source_nb.cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    students = {"solved": source_nb,
                "deaf": _answered(source_nb, _grade_id(second), DEAF.format(name=name)),
                "crashed": _crashing(source_nb, after=tests[0])}
    for sid, nb in students.items():
        folder = course / "submitted" / sid / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / NOTEBOOK)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for sid in students:
            gb.add_student(sid)

    proc = subprocess.run([sys.executable, "-c", AUTOGRADE_IN_A_RUNNING_LOOP, ASSIGNMENT, *students],
                          cwd=course, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0 and '"solved": true' in proc.stdout, proc.stderr[-3000:]

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        points = {c.name: c.max_score for c in gb.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells}
        scores = {sid: gb.find_submission(ASSIGNMENT, sid).score for sid in students}
        deaf = {g.name: g.score for g in gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "deaf").grades}
    assert scores["solved"] == scores["crashed"] == sum(points.values()), scores
    exercise = _grade_id(second).split("_")[0] + "_"
    assert scores["deaf"] == sum(v for t, v in points.items() if not t.startswith(exercise)), deaf

    def outputs(sid, grade_id):
        nb = nbformat.read(course / "autograded" / sid / ASSIGNMENT / NOTEBOOK, as_version=4)
        return [o.get("ename") or o.output_type for o in next(
            c for c in nb.cells if _grade_id(c) == grade_id).outputs]

    stopped = next(t for t in tests if t.startswith(exercise))
    assert outputs("deaf", stopped) == ["KernelStopped", "stream"]  # and the fresh-kernel note

    def verdict(sid, grade_id):  # recorded by the referee's side (autograder/instructor/verdicts.py)
        nb = nbformat.read(course / "autograded" / sid / ASSIGNMENT / NOTEBOOK, as_version=4)
        return next(c for c in nb.cells if _grade_id(c) == grade_id).metadata.get("autograder")

    assert verdict("deaf", stopped)["incident"] == "kernel_stopped"
    assert all(verdict("solved", t)["passed"] for t in tests)
    assert outputs("deaf", tests[-1]) == ["stream"]  # judged, and passed, in the fresh kernel
    crashed = nbformat.read(course / "autograded" / "crashed" / ASSIGNMENT / NOTEBOOK, as_version=4)
    segfault = next(c for c in crashed.cells if c.source == SEGFAULT)
    assert [o.get("ename") for o in segfault.outputs][0] == "KernelDied"
