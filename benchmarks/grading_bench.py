"""How long grading a class takes: against executing the same notebooks bare, and --jobs 2 against
--jobs 1.

Run:  .venv/bin/python benchmarks/grading_bench.py [ASSIGNMENT] [--students 40]   (or: make bench)

A scratch course gets a class of generated submissions for ASSIGNMENT (default: the first in
source/), in four kinds, a quarter each: correct (the instructor's solutions), wrong (the sample
students of tests/submissions/ASSIGNMENT.yml, in turn), blank (the release as handed out) and
slow (the solutions with a 2-second sleep in the first answer). The class is graded twice with
the course's command, ``--jobs 1`` and ``--jobs 2``, each into a fresh gradebook; both runs must
give the same grades. Then every submission is executed bare, one after the other: nbclient in a
plain kernel, the instructor's test cells (hidden tests included) in place of the student's, as
nbgrader grades them. Grading per submission is the serial class's time over its size: it
includes what grading adds (the sandbox, the referee, nbgrader's steps, feedback, and the class's
fixed costs spread over it). Every figure is measured in this run; compare the ratios across
machines, and run it on a quiet machine: anything else on the cores shows in the figures (the
load average is printed at the start and the end).
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
RATIO_AIM, SPEED_UP_AIM = 1.3, 1.8


def submissions(assignment: str, count: int) -> dict:
    """{student id: notebook}: correct, wrong, blank and slow, a quarter each."""
    notebook = f"{assignment}.ipynb"
    source = nbformat.read(ROOT / "source" / assignment / notebook, as_version=4)
    release = nbformat.read(ROOT / "release" / assignment / notebook, as_version=4)
    specs = yaml.safe_load((ROOT / "tests" / "submissions" / f"{assignment}.yml").read_text())
    wrong = [spec.get("answers") or {} for spec in specs["students"].values()]
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    first = next(iter(solutions))

    def answered(answers):
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            cell.source = answers.get(grade_id, cell.source)
        return nb

    kinds = {
        "correct": lambda i: answered(solutions),
        "wrong": lambda i: answered(wrong[i % len(wrong)]),
        "blank": lambda i: release,
        "slow": lambda i: answered({**solutions,
                                    first: "import time\ntime.sleep(2)\n" + solutions[first]}),
    }
    return {f"{kind}_{i:02d}": make(i) for i in range(count // 4) for kind, make in kinds.items()}


def grade(assignment: str, class_: dict, jobs: int) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
        for sid, nb in class_.items():
            folder = course / "submitted" / sid / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{assignment}.ipynb")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "autograder.instructor.grade_class", assignment,
                        "--jobs", str(jobs)], cwd=course, check=True, capture_output=True)
        elapsed = time.perf_counter() - start
        with open(course / f"grades-{assignment}-summary.csv", encoding="utf-8") as f:
            return elapsed, {r["student_id"]: r["score"] for r in csv.DictReader(f)}


def as_graded(nb, source):
    """The submission as nbgrader runs it: the instructor's locked cells (tests with their hidden
    part) in place of the student's copies."""
    locked = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source.cells
              if c.metadata.get("nbgrader", {}).get("locked")
              and not c.metadata["nbgrader"].get("solution")}
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    for cell in nb.cells:
        cell.source = locked.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    return nb


def bare_execution(assignment: str, class_: dict) -> float:
    """Seconds to execute every submission with nbclient in a plain kernel, one after the other."""
    source = nbformat.read(ROOT / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    os.environ["COURSE_DEVICE"] = "cpu"  # as grading does
    start = time.perf_counter()
    for nb in class_.values():
        with tempfile.TemporaryDirectory(prefix="grading-bench-bare-") as folder:
            NotebookClient(as_graded(nb, source), kernel_name="python3", allow_errors=True,
                           timeout=60, resources={"metadata": {"path": folder}}).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?",
                        default=sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0])
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()
    class_ = submissions(args.assignment, args.students)
    n = len(class_)
    print(f"{args.assignment}: {n} submissions (correct, wrong, blank, slow); "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")

    serial, serial_grades = grade(args.assignment, class_, jobs=1)
    parallel, parallel_grades = grade(args.assignment, class_, jobs=2)
    assert serial_grades == parallel_grades, "--jobs 2 gave other grades than --jobs 1"
    bare = bare_execution(args.assignment, class_)
    print(f"bare nbclient       {bare:7.1f} s   {bare / n:5.2f} s per submission")
    print(f"graded (--jobs 1)   {serial:7.1f} s   {serial / n:5.2f} s per submission   "
          f"ratio {serial / bare:.2f} (aim: {RATIO_AIM} or less)")
    print(f"graded (--jobs 2)   {parallel:7.1f} s   {parallel / n:5.2f} s per submission   "
          f"speed-up {serial / parallel:.2f}x (aim: {SPEED_UP_AIM}x or more on 2 cores); "
          f"same grades: yes")
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
