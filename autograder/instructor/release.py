"""Regenerate release/ (the student version) from source/ with ``nbgrader generate_assignment``.

    python -m autograder.instructor.release                 # every assignment in source/  (make release)
    python -m autograder.instructor.release 01_tensor_creation   # just these

release/<assignment>/ is exactly nbgrader's output (solutions and hidden tests removed, outputs
cleared, checksums and locks set); never edit it by hand. The gradebook that generate_assignment
needs is a throwaway one, so this leaves no gradebook.db behind; ``autograder.grade_class`` syncs
the real gradebook with source/ itself.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from autograder.instructor.course import check, find_root, load_config, make_api, source_assignments


def release(root: Path, assignments: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="nbgrader-release-") as tmp:
        config = load_config(root)
        config.CourseDirectory.db_url = "sqlite:///" + str(Path(tmp) / "gradebook.db")
        api = make_api(root, config)
        for assignment in assignments:
            if not (root / "source" / assignment).is_dir():
                raise SystemExit(f"没有这个作业 / No such assignment: source/{assignment}")
            check(api.generate_assignment(assignment, force=True), f"generate_assignment {assignment}")
            print(f"release/{assignment}/ ← source/{assignment}/")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", help="default: every assignment in source/")
    parser.add_argument("--course-dir", default=".", help="course root (default: here or above)")
    args = parser.parse_args(argv)
    root = find_root(args.course_dir)
    release(root, args.assignments or source_assignments(root))


if __name__ == "__main__":
    main()
