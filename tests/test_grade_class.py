"""The class-grading command: parallel grading (--jobs 2) gives exactly the grades of a serial run
(--jobs 1), a killed run resumes without grading a finished student again, and a symbolic link in
a submission never reaches the grader's copy. One class is graded both ways (a module fixture),
and the resume test continues the serial run."""
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0]
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def _grade(root: Path, jobs: int) -> dict:
    proc = subprocess.run([sys.executable, "-m", "autograder.instructor.grade_class", ASSIGNMENT,
                           "--jobs", str(jobs)], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(root / f"grades-{ASSIGNMENT}-summary.csv", encoding="utf-8") as f:
        return {r["student_id"]: (r["score"], r["status"]) for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded_both_ways(tmp_path_factory) -> dict:
    """{jobs: (course root, summary)} for one class graded with --jobs 1 and with --jobs 2."""
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    release = nbformat.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    half = nbformat.reads(nbformat.writes(release), as_version=4)
    solutions = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    answered = {c.metadata["nbgrader"]["grade_id"]: c.source for c in solutions[: len(solutions) // 2]}
    for cell in half.cells:
        cell.source = answered.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    class_ = {"full": source, "blank": release, "half": half, "half_again": half}
    runs = {}
    for jobs in (1, 2):
        root = tmp_path_factory.mktemp(f"jobs{jobs}")
        shutil.copy(ROOT / "nbgrader_config.py", root)
        shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
        for sid, nb in class_.items():
            (root / "submitted" / sid / ASSIGNMENT).mkdir(parents=True)
            nbformat.write(nb, root / "submitted" / sid / ASSIGNMENT / NOTEBOOK)
        runs[jobs] = (root, _grade(root, jobs))
    return runs


def test_parallel_grades_equal_serial_grades(graded_both_ways):
    serial, parallel = graded_both_ways[1][1], graded_both_ways[2][1]
    assert serial == parallel
    assert serial["full"][0] != serial["half"][0] != serial["blank"][0]


def test_a_symbolic_link_in_a_submission_is_removed_before_grading(tmp_path):
    from autograder.instructor.links import remove_links

    secret = tmp_path / "gradebook.db"
    secret.write_text("grades")
    folder = tmp_path / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / "data.txt").symlink_to(secret)
    (folder / "real.txt").write_text("mine")
    assert remove_links(folder) == ["removed symbolic link data.txt"]
    assert not (folder / "data.txt").exists() and (folder / "real.txt").exists() and secret.exists()


def test_a_killed_run_resumes_without_regrading_the_finished_students(graded_both_ways):
    root, first = graded_both_ways[1]
    summary = root / f"grades-{ASSIGNMENT}-summary.csv"
    # As if the run had been killed before "half_again": its row is missing from the summary.
    lines = summary.read_text(encoding="utf-8").splitlines()
    summary.write_text("\n".join(l for l in lines if not l.startswith("half_again,")) + "\n",
                       encoding="utf-8")
    finished = ("full", "blank", "half")
    graded_before = {sid: (root / "autograded" / sid / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns
                     for sid in finished}
    proc = subprocess.run([sys.executable, "-m", "autograder.instructor.grade_class", ASSIGNMENT,
                           "--jobs", "1", "--resume"], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0 and "resuming: 3 students" in proc.stdout, proc.stdout + proc.stderr
    with open(summary, encoding="utf-8") as f:
        resumed = {r["student_id"]: (r["score"], r["status"]) for r in csv.DictReader(f)}
    assert resumed == first
    assert graded_before == {sid: (root / "autograded" / sid / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns
                             for sid in finished}, "a finished student was graded again"


def test_the_grader_says_when_its_own_files_differ_from_the_committed_ones(tmp_path):
    from autograder.instructor.grade_class import uncommitted_changes

    package = tmp_path / "repo" / "autograder"
    package.mkdir(parents=True)
    (package / "checks.py").write_text("def check(): pass\n")
    git = ["git", "-C", str(tmp_path / "repo")]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], check=True)
    assert uncommitted_changes([package]) == []
    (package / "checks.py").write_text("def check(): return 'backdoor'\n")
    (package / "sneaky.pth").write_text("import os\n")
    assert sorted(uncommitted_changes([package])) == ["autograder/checks.py", "autograder/sneaky.pth"]
    assert uncommitted_changes([tmp_path]) == []  # not a git checkout: nothing to compare with


def test_a_release_that_differs_from_source_is_noticed(tmp_path):
    """grade_class compares the release it generates with the committed one, byte for byte (the
    round trip's release check relies on it)."""
    from autograder.instructor.grade_class import _differs

    fresh, committed = tmp_path / "fresh", tmp_path / "committed"
    for folder in (fresh, committed):
        (folder / ".ipynb_checkpoints").mkdir(parents=True)
        (folder / "ps1.ipynb").write_bytes(b'{"cells": []}')
    (committed / ".ipynb_checkpoints" / "ps1-checkpoint.ipynb").write_text("opened once")
    assert not _differs(fresh, committed)
    (committed / "ps1.ipynb").write_bytes(b'{"cells": [] }')
    assert _differs(fresh, committed)
    (committed / "ps1.ipynb").write_bytes(b'{"cells": []}')
    (committed / "data.csv").write_text("1")
    assert _differs(fresh, committed)
