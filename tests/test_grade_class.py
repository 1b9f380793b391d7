"""The class-grading command: parallel grading (--jobs 2) gives exactly the grades of a serial run
(--jobs 1), and a symbolic link in a submission never reaches the grader's copy."""
import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

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


def test_parallel_grades_equal_serial_grades(tmp_path):
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
        root = tmp_path / f"jobs{jobs}"
        root.mkdir()
        shutil.copy(ROOT / "nbgrader_config.py", root)
        shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
        for sid, nb in class_.items():
            (root / "submitted" / sid / ASSIGNMENT).mkdir(parents=True)
            nbformat.write(nb, root / "submitted" / sid / ASSIGNMENT / NOTEBOOK)
        runs[jobs] = _grade(root, jobs)
    assert runs[1] == runs[2]
    assert runs[1]["full"][0] != runs[1]["half"][0] != runs[1]["blank"][0]


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


def test_a_killed_run_resumes_without_regrading_the_finished_students(tmp_path):
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / NOTEBOOK, as_version=4)
    release = nbformat.read(ROOT / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    for sid, nb in {"full": source, "blank": release, "late": source}.items():
        (root / "submitted" / sid / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / sid / ASSIGNMENT / NOTEBOOK)
    first = _grade(root, 1)
    summary = root / f"grades-{ASSIGNMENT}-summary.csv"
    # As if the run had been killed before "late": its row is missing from the summary.
    lines = summary.read_text(encoding="utf-8").splitlines()
    summary.write_text("\n".join(l for l in lines if not l.startswith("late,")) + "\n", encoding="utf-8")
    graded_before = {sid: (root / "autograded" / sid / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns
                     for sid in ("full", "blank")}
    proc = subprocess.run([sys.executable, "-m", "autograder.instructor.grade_class", ASSIGNMENT,
                           "--jobs", "1", "--resume"], cwd=root, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0 and "resuming: 2 students" in proc.stdout, proc.stdout + proc.stderr
    with open(summary, encoding="utf-8") as f:
        resumed = {r["student_id"]: (r["score"], r["status"]) for r in csv.DictReader(f)}
    assert resumed == first
    assert graded_before == {sid: (root / "autograded" / sid / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns
                             for sid in ("full", "blank")}, "a finished student was graded again"


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
