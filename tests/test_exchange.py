"""nbgrader's exchange, end to end, in a temporary exchange folder, with the real command line:

release_assignment → two students fetch_assignment and submit → collect → the course's grading
command (autograde + feedback) → release_feedback → each student fetch_feedback. One student
submits the solutions (full marks), the other the blank assignment (0).
"""
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0]
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
NBGRADER = str(Path(sys.executable).parent / "nbgrader")
COURSE_ID = "pytorch-tensors-autograd"


def run(args, cwd, env):
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def exchange_flow(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exchange_flow")
    course, exchange = tmp / "course", tmp / "exchange"
    course.mkdir()
    exchange.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    env = {**os.environ, "NBGRADER_EXCHANGE": str(exchange), "COURSE_DEVICE": "cpu",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    # the committed release/ (the round trip checks it is what generate_assignment makes)
    shutil.copytree(ROOT / "release" / ASSIGNMENT, course / "release" / ASSIGNMENT)
    run([NBGRADER, "release_assignment", ASSIGNMENT, "--force"], course, env)

    solution = nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    students = {"alice": solution, "bob": None}  # bob hands in the blank assignment
    homes = {}
    for student, answers in students.items():
        home = tmp / student
        home.mkdir()
        student_env = {**env, "HOME": str(home), "USER": student, "LOGNAME": student,
                       "JUPYTERHUB_USER": student}
        # On a JupyterHub each student is a Unix user; here everyone is the same user, so the
        # student id is given explicitly.
        flags = [f"--Exchange.root={exchange}", "--course", COURSE_ID, "--student", student]
        run([NBGRADER, "fetch_assignment", ASSIGNMENT, *flags], home, student_env)
        fetched = home / ASSIGNMENT / NOTEBOOK
        assert fetched.is_file(), f"{student} did not get {NOTEBOOK}"
        assert not (home / ASSIGNMENT / "source").exists()
        if answers is not None:
            nb = nbformat.read(fetched, as_version=4)
            wanted = {c.metadata["nbgrader"]["grade_id"]: c.source for c in answers.cells
                      if c.metadata.get("nbgrader", {}).get("solution")}
            for cell in nb.cells:
                cell.source = wanted.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
            nbformat.write(nb, fetched)
        run([NBGRADER, "submit", ASSIGNMENT, *flags], home, student_env)
        homes[student] = (home, student_env, flags)

    # A student can write into their own submission in the exchange: a link to the gradebook
    (inbound,) = (exchange / COURSE_ID / "inbound").glob(f"bob+{ASSIGNMENT}+*")
    (inbound / "grades.db").symlink_to(course / "gradebook.db")
    run([NBGRADER, "collect", ASSIGNMENT], course, env)
    run([sys.executable, "-m", "autograder.instructor.grade_class", ASSIGNMENT], course, env)
    run([NBGRADER, "release_feedback", ASSIGNMENT], course, env)
    for student, (home, student_env, flags) in homes.items():
        run([NBGRADER, "fetch_feedback", ASSIGNMENT, *flags], home, student_env)
    return course, homes, solution


def test_instructor_collects_and_grades_both(exchange_flow):
    course, homes, solution = exchange_flow
    assert {p.name for p in (course / "submitted").iterdir()} == set(homes)
    with open(course / f"grades-{ASSIGNMENT}-summary.csv", encoding="utf-8") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    full = sum(float(c.metadata["nbgrader"].get("points", 0)) for c in solution.cells
               if c.metadata.get("nbgrader", {}).get("grade"))
    assert scores == {"alice": full, "bob": 0.0}


def test_collect_does_not_follow_a_link_in_a_submission(exchange_flow):
    course, homes, _ = exchange_flow
    assert not list(course.glob("submitted/bob/**/grades.db"))
    assert not list(homes["bob"][0].rglob("grades.db"))


def test_each_student_fetches_their_own_feedback(exchange_flow):
    _, homes, _ = exchange_flow
    for student, (home, _, _) in homes.items():
        feedback = list((home / ASSIGNMENT / "feedback").rglob("*.html"))
        assert feedback, f"{student} got no feedback"
        other = "bob" if student == "alice" else "alice"
        assert not (home / ASSIGNMENT / "feedback" / other).exists()
