"""A symbolic link in a submission never brings another file in, on the stock nbgrader command
line (``nbgrader autograde`` / ``generate_feedback``, what the Formgrader runs): nbgrader copies a
submission's files by following links, and SandboxExecute drops those copies before anything runs
(autograder/instructor/links.py). The exchange's collect is tested in test_exchange.py."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograder.instructor.links import drop_followed_links, remove_links

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = sorted(p.name for p in (ROOT / "source").glob("[0-9][0-9]_*"))[0]
NBGRADER = str(Path(sys.executable).parent / "nbgrader")


def test_drop_followed_links_removes_exactly_the_copies(tmp_path):
    submitted, copied = tmp_path / "submitted", tmp_path / "autograded"
    for folder in (submitted, copied):
        (folder / "data").mkdir(parents=True)
        (folder / "mine.txt").write_text("mine")
    (tmp_path / "secret").write_text("secret")
    (submitted / "data" / "link.txt").symlink_to(tmp_path / "secret")
    (copied / "data" / "link.txt").write_text("secret")
    assert drop_followed_links(submitted, copied) == ["data/link.txt"]
    assert not (copied / "data" / "link.txt").exists() and (copied / "mine.txt").exists()
    assert remove_links(submitted) == ["removed symbolic link data/link.txt"]


def test_the_nbgrader_command_line_does_not_hand_out_a_linked_file(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, course / "source" / ASSIGNMENT)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run([NBGRADER, "generate_assignment", ASSIGNMENT, "--force"], cwd=course, env=env,
                   check=True, capture_output=True)
    folder = course / "submitted" / "eve" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
    (folder / "answers.txt").symlink_to(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    for command in ("autograde", "generate_feedback"):
        proc = subprocess.run([NBGRADER, command, ASSIGNMENT, "--force", "--create"] if command ==
                              "autograde" else [NBGRADER, command, ASSIGNMENT, "--force"],
                              cwd=course, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
    assert (course / "autograded" / "eve" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
    assert not list(course.glob("autograded/eve/**/answers.txt"))
    assert not list(course.glob("feedback/eve/**/answers.txt"))
