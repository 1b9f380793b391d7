"""The course is chapter-generic: chapters are found from the files. (That every notebook survives
Run All twice in one kernel is checked after nbval's run, in the root conftest.py.)"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(ROOT.glob("notebooks/[0-9][0-9]_*.ipynb"))
ASSIGNMENTS = sorted(p for p in ROOT.glob("source/[0-9][0-9]_*") if p.is_dir())


def readme_chapter_rows():
    """(lesson path, assignment path or None) for each row of the README's chapter table."""
    rows = []
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        lesson = re.search(r"`(notebooks/\d\d_\w+\.ipynb)`", line)
        if line.startswith("|") and lesson:
            assignment = re.search(r"`(source/\d\d_\w+)/?`", line)
            rows.append((lesson.group(1), assignment.group(1) if assignment else None))
    return rows


def test_readme_lists_every_chapter():
    rows = readme_chapter_rows()
    listed_lessons = {lesson for lesson, _ in rows}
    listed_assignments = {a for _, a in rows if a}
    on_disk_lessons = {str(p.relative_to(ROOT)) for p in LESSONS}
    on_disk_assignments = {str(p.relative_to(ROOT)) for p in ASSIGNMENTS}
    assert listed_lessons == on_disk_lessons, "README's chapter table and notebooks/ disagree"
    assert listed_assignments == on_disk_assignments, "README's chapter table and source/ disagree"


def test_every_assignment_belongs_to_a_lesson():
    numbers = {p.name[:2] for p in LESSONS}
    assert all(p.name[:2] in numbers for p in ASSIGNMENTS)


def test_every_assignment_has_its_notebook_and_release():
    for folder in ASSIGNMENTS:
        assert (folder / f"{folder.name}.ipynb").is_file(), folder
        assert (ROOT / "release" / folder.name / f"{folder.name}.ipynb").is_file(), (
            f"release/{folder.name}/ missing: run make release")
