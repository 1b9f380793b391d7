"""How long grading a class takes: serially, with --jobs 2, and against bare execution.

Run:  .venv/bin/python benchmarks/grading_bench.py [ASSIGNMENT] [--students 40]   (or: make bench)

A scratch course gets a class of generated submissions for ASSIGNMENT (default: the first in
source/), in four kinds, a quarter each: correct (the instructor's solutions), wrong (the sample
students of tests/submissions/ASSIGNMENT.yml, in turn), blank (the release as handed out) and
slow (the solutions with a 2-second sleep in the first answer). The class is graded twice with
the course's command, ``--jobs 1`` and ``--jobs 2``, each into a fresh gradebook; both runs must
give the same grades. Then one correct notebook is executed bare with nbclient, and graded
alone, so the per-notebook overhead of grading shows. Every figure is measured in this run; the
ratios are what to compare across machines.
"""
import argparse
import csv
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


def bare_execution(nb) -> float:
    nb = nbformat.reads(nbformat.writes(nb), as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?",
                        default=sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0])
    parser.add_argument("--students", type=int, default=40)
    args = parser.parse_args()
    class_ = submissions(args.assignment, args.students)
    print(f"{args.assignment}: {len(class_)} submissions (correct, wrong, blank, slow)")

    serial, serial_grades = grade(args.assignment, class_, jobs=1)
    parallel, parallel_grades = grade(args.assignment, class_, jobs=2)
    assert serial_grades == parallel_grades, "--jobs 2 gave other grades than --jobs 1"
    print(f"serial (--jobs 1)   {serial:7.1f} s   {serial / len(class_):5.2f} s per student")
    print(f"parallel (--jobs 2) {parallel:7.1f} s   {parallel / len(class_):5.2f} s per student")
    print(f"speed-up: {serial / parallel:.2f}x (aim: at least 1.7x on 2 cores); same grades: yes")

    one = {"correct_00": class_["correct_00"]}
    bare = min(bare_execution(one["correct_00"]) for _ in range(3))
    alone = min(grade(args.assignment, one, jobs=1)[0] for _ in range(3))
    print(f"one notebook: bare nbclient {bare:.1f} s, graded alone {alone:.1f} s "
          f"(ratio {alone / bare:.2f}; aim 1.3 or less), graded in the serial class "
          f"{serial / len(class_):.1f} s (ratio {serial / len(class_) / bare:.2f})")


if __name__ == "__main__":
    main()
