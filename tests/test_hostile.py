"""Hostile submissions (tests/hostile/<assignment>.yml), graded on both grading paths.

Each test class grades every corpus once (01: the whole older class of attacks; 05 and 06: what
a kernel could say about how a value was computed, issue 14), in a scratch course of its own with
a private $HOME: TestStockNbgrader with the stock ``nbgrader autograde`` + ``generate_feedback`` commands
(what the Formgrader's buttons run), TestGradeClass with ``python -m
autograder.instructor.grade_class``. Small tests then read the results: every student gets
exactly what its honest answers earn (nothing unearned, nothing lost), the honest classmates keep
their scores and files, no hidden test shows in any autograded output or feedback page, no
output or feedback page carries active content, and no file or process an attack made outlives
grading. ``pytest -n 2 --dist loadscope`` grades the two paths at the same time.

The limits are short here (nbgrader_config.py of the scratch course gets CELL_TIMEOUT and
friends appended) so that the denial-of-service samples take seconds, not minutes. A student
whose kernel dies (z_kernel_dies_twice) or is stopped (h5_*) loses only the cell it happened in.
"""
from __future__ import annotations

import base64
import contextlib
import csv
import hashlib
import html
import json
import os
import re
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import time
import uuid
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook, MissingEntry

from autograder.instructor.outputs import SAFE_TYPES
from tests.test_nbgrader_roundtrip import COURSE_ID, REPO, _grade_ids, _output_text, _specs, _submission

CORPORA = {path.stem: path for path in sorted((REPO / "tests" / "hostile").glob("*.yml"))}
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# An honest notebook takes 2-6 s; one whose kernel dies twice takes two fresh kernels more.
CELL_TIMEOUT, INTERRUPT_GRACE, NOTEBOOK_TIMEOUT = 5, 2, 30
SCRATCH_CONFIG = f"""
# tests/test_hostile.py: short limits, so that the denial-of-service samples are quick
c.Execute.timeout = {CELL_TIMEOUT}
c.SandboxExecute.interrupt_grace = {INTERRUPT_GRACE}
c.SandboxExecute.notebook_timeout = {NOTEBOOK_TIMEOUT}
c.SandboxKernelManager.memory_limit = 4 << 30
"""
HONEST_CLASSES = ("honest", 6)
MARKDOWN_CELL_PAYLOAD = "xss-markdown-"  # the corpus's payloads in a markdown cell (not an output)
DAEMON_DELAY = 3  # seconds: the corpus's background processes write their markers after 2 s

# "assignment/student" -> its spec (a student is graded in its corpus's assignment)
STUDENTS = {f"{assignment}/{sid}": spec for assignment, path in CORPORA.items() for sid, spec in
            yaml.safe_load(path.read_text(encoding="utf-8"))["students"].items()}
HONEST = [who for who, spec in STUDENTS.items() if spec["class"] in HONEST_CLASSES]
HOSTILE = [who for who, spec in STUDENTS.items() if spec["class"] not in HONEST_CLASSES]


def _split(who: str) -> tuple[str, str]:
    """("01_tensor_creation", "h1_patch_checks") for "01_tensor_creation/h1_patch_checks"."""
    assignment, sid = who.split("/")
    return assignment, sid


def _classmates(who: str) -> list[str]:
    """The honest classmates a hostile student must leave alone, in its own assignment."""
    assignment, _ = _split(who)
    named = STUDENTS[who].get("must_not_affect")
    return [f"{assignment}/{mate}" for mate in named] if named else \
        [mate for mate in HONEST if _split(mate)[0] == assignment]


def _notebook_path(root: Path, step: str, who: str) -> Path:
    assignment, sid = _split(who)
    return root / step / sid / assignment / f"{assignment}.ipynb"

# Real findings: (test name, student) -> what happens, on both paths. Marked xfail(strict=True),
# never weakened: fix the grader, then delete the entry.
FINDINGS: dict[tuple[str, str], str] = {}


def _students(test: str, ids: list[str]) -> list:
    return [pytest.param(sid, id=sid, marks=[pytest.mark.xfail(strict=True, reason=FINDINGS[test, sid])]
                         if (test, sid) in FINDINGS else []) for sid in ids]


# ---------------------------------------------------------------- building the class


def _placeholders(course: Path, home: Path, markers: Path, token: str, hidden: list[str]) -> dict:
    return {"@@COURSE@@": str(course), "@@HOME@@": str(home), "@@MARKERS@@": str(markers),
            "@@REPO@@": str(REPO), "@@SITE@@": sysconfig.get_paths()["purelib"], "@@TOKEN@@": token,
            "@@HIDDEN_B64@@": base64.b64encode(json.dumps(hidden).encode()).decode()}


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _hidden_lines(source_nb, release_nb) -> list[str]:
    """Distinctive lines of the hidden tests: long enough, and in no visible part of the notebook
    nor in the instructor's solutions (which the solution's own feedback shows)."""
    visible = "\n".join([cell.source for cell in release_nb.cells] +
                        [cell.source for cell in source_nb.cells if HIDDEN_BEGIN not in cell.source])
    lines = set()
    for cell in source_nb.cells:
        if HIDDEN_BEGIN in cell.source:
            hidden = cell.source.split(HIDDEN_BEGIN, 1)[1].split(HIDDEN_END, 1)[0]
            lines |= {line.strip() for line in hidden.splitlines()
                      if len(line.strip()) >= 20 and line.strip() not in visible}
    assert lines, "the source notebook has no hidden tests to look for"
    return sorted(lines)


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _notebook(who: str, spec: dict, release_nb, source_nb, values: dict):
    """One student's notebook, built as the corpus file's header describes."""
    if spec.get("notebook") == "source":
        return source_nb
    assignment, sid = _split(who)
    answers = dict(_specs(assignment)[spec["answers_from"]]["answers"]) if "answers_from" in spec else {}
    answers.update(spec.get("answers") or {})
    answers.update(spec.get("sources") or {})
    nb = _submission(release_nb, sid, {g: _fill(s, values) for g, s in answers.items()},
                     spec.get("delete_cells") or [])
    for grade_id, keys in (spec.get("metadata") or {}).items():
        _cell(nb, grade_id).metadata["nbgrader"].update(keys)
    for grade_id, cell_type in (spec.get("cell_types") or {}).items():
        old = _cell(nb, grade_id)
        new = (nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_code_cell)(
            old.source, metadata=old.metadata)
        nb.cells[nb.cells.index(old)] = new
    last = {}  # anchor grade_id -> the cell inserted after it last (extra cells keep their order)
    for extra in spec.get("extra_cells") or []:
        anchor = last.get(extra["after"]) or _cell(nb, extra["after"])
        make = nbformat.v4.new_markdown_cell if extra.get("cell_type") == "markdown" else nbformat.v4.new_code_cell
        cell = make(_fill(extra["source"], values), metadata=extra.get("metadata") or {})
        nb.cells.insert(next(i for i, c in enumerate(nb.cells) if c is anchor) + 1, cell)
        last[extra["after"]] = cell
    return nb


def _scratch_course(root: Path) -> Path:
    course = root / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(SCRATCH_CONFIG)
    for assignment in CORPORA:
        shutil.copytree(REPO / "source" / assignment, course / "source" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return course


def _run(command: list[str], course: Path, env: dict) -> dict:
    started = time.monotonic()
    # A session of its own: a signal sent to the grader's process group cannot reach pytest.
    proc = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True,
                          timeout=600, start_new_session=True)
    return {"command": " ".join(command[2:]), "returncode": proc.returncode,
            "seconds": round(time.monotonic() - started, 1), "log": proc.stdout + proc.stderr}


def _sha256(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# ---------------------------------------------------------------- what grading left behind


def _left_behind(token: str, roots: list[Path]) -> list[Path]:
    """Files an attack made (their names hold the token) anywhere it might have reached."""
    deep = [*roots, REPO / "autograder", REPO / "helpers"]
    shallow = [Path("/tmp"), Path("/dev/shm"), Path(sysconfig.get_paths()["purelib"]),
               *map(Path, site.getsitepackages()),
               Path.home() / ".ipython" / "profile_default" / "startup"]
    found = {p for root in deep if root.is_dir() for p in root.rglob(f"*{token}*")}
    found |= {p for root in shallow if root.is_dir() for p in root.glob(f"*{token}*")}
    return sorted(found)


def _processes(token: str) -> dict[int, str]:
    """Running processes whose command line holds the token (only an attack's would)."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if token in command and int(entry.name) != os.getpid():
            found[int(entry.name)] = command
    return found


def _scores(course: Path) -> tuple[dict, dict]:
    """{student: score as nbgrader's export computes it, None if nothing was recorded} and
    {student: {grade_id: score}}, from the course's gradebook."""
    scores, cells = {}, {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        for who in STUDENTS:
            assignment, sid = _split(who)
            try:
                submission = gradebook.find_submission(assignment, sid)
                notebook = gradebook.find_submission_notebook(assignment, assignment, sid)
            except MissingEntry:
                scores[who] = None
                continue
            scores[who] = max(0.0, submission.score - submission.late_submission_penalty)
            cells[who] = {grade.name: grade.score for grade in notebook.grades}
    return scores, cells


def _feedback_text(page: str) -> str:
    """What a feedback page shows, as text (tags gone, entities decoded, no syntax colouring)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


# ---------------------------------------------------------------- the two grading paths


class HostileClass:
    """One grading path; a subclass sets ``path``."""
    path: str

    @staticmethod
    def prepare(course: Path, env: dict) -> list[dict]:
        raise NotImplementedError

    @staticmethod
    def grade(course: Path, env: dict) -> list[dict]:
        raise NotImplementedError

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, tmp_path_factory):
        root = tmp_path_factory.mktemp(f"hostile-{cls.path}")
        course, home, markers = _scratch_course(root), root / "home", root / "markers"
        home.mkdir()
        markers.mkdir()
        token = f"hostile{uuid.uuid4().hex[:12]}"
        env = {**os.environ, "HOME": str(home),
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        runs = cls.prepare(course, env)
        assert all(r["returncode"] == 0 for r in runs), runs
        hidden, values = {}, {}
        for assignment in CORPORA:
            notebook = f"{assignment}.ipynb"
            release_nb = nbformat.read(REPO / "release" / assignment / notebook, as_version=4)
            source_nb = nbformat.read(course / "source" / assignment / notebook, as_version=4)
            hidden[assignment] = _hidden_lines(source_nb, release_nb)
            values[assignment] = _placeholders(course, home, markers, token, hidden[assignment])
            for who, spec in STUDENTS.items():
                if _split(who)[0] != assignment:
                    continue
                path = _notebook_path(course, "submitted", who)
                path.parent.mkdir(parents=True)
                nbformat.write(_notebook(who, spec, release_nb, source_nb, values[assignment]), path)
                for name, content in (spec.get("files") or {}).items():
                    (path.parent / name).parent.mkdir(parents=True, exist_ok=True)
                    (path.parent / name).write_text(_fill(content, values[assignment]), encoding="utf-8")
                for name, target in (spec.get("links") or {}).items():
                    (path.parent / name).symlink_to(_fill(target, values[assignment]))
        submitted = {who: _sha256(_notebook_path(course, "submitted", who)) for who in STUDENTS}

        started = time.monotonic()
        runs += cls.grade(course, env)
        seconds = time.monotonic() - started
        time.sleep(DAEMON_DELAY)  # a background process that escaped would have written by now

        scores, cells = _scores(course)
        results = {
            "path": cls.path, "course": course, "token": token, "hidden": hidden, "runs": runs,
            "grading_seconds": round(seconds, 1), "scores": scores, "cells": cells,
            "submitted_before": submitted,
            "submitted_after": {who: _sha256(_notebook_path(course, "submitted", who)) for who in STUDENTS},
            "autograded": {}, "feedback": {}, "summary": {},
            "left_behind": _left_behind(token, [root]),
            "processes": _processes(token),
        }
        for who in STUDENTS:
            assignment, sid = _split(who)
            path = _notebook_path(course, "autograded", who)
            results["autograded"][who] = nbformat.read(path, as_version=4) if path.exists() else None
            path = course / "feedback" / sid / assignment / f"{assignment}.html"
            results["feedback"][who] = path.read_text(encoding="utf-8") if path.exists() else None
        for assignment in CORPORA:
            summary = course / f"grades-{assignment}-summary.csv"
            if summary.exists():
                with open(summary, encoding="utf-8") as f:
                    results["summary"].update({f"{assignment}/{row['student_id']}": row
                                               for row in csv.DictReader(f)})
        yield results
        # Clean up after an attack that got out (each is reported by a failing test).
        for pid in results["processes"]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for path in results["left_behind"]:
            if not path.is_relative_to(root):
                with contextlib.suppress(OSError):
                    shutil.rmtree(path) if path.is_dir() else path.unlink()

    # ------------------------------------------------------------ helpers of the tests

    def about(self, graded, sid: str) -> str:
        """What to print when a student's test fails."""
        row = graded["summary"].get(sid, {})
        logs = "\n".join(f"$ {r['command']} -> {r['returncode']} ({r['seconds']} s)"
                         for r in graded["runs"])
        return (f"[{self.path}] {sid}: score {graded['scores'].get(sid)}, cells "
                f"{graded['cells'].get(sid)}, summary {row.get('status')} {row.get('reason', '')}\n{logs}")

    @staticmethod
    def submitted_text(graded, who: str) -> str:
        """What the student handed in (a line of it that a hidden test shares is theirs to see)."""
        path = _notebook_path(graded["course"], "submitted", who)
        if not path.exists():
            return ""
        return "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)

    def outputs(self, graded, sid: str) -> str:
        nb = graded["autograded"][sid]
        return _output_text(nb.cells) if nb is not None else ""

    # ------------------------------------------------------------ the tests

    @pytest.mark.parametrize("sid", _students("test_score", list(STUDENTS)))
    def test_score(self, graded, sid):
        """Exactly what the honest answers earn: nothing unearned, nothing lost."""
        score = graded["scores"][sid] or 0.0
        assert score == pytest.approx(float(STUDENTS[sid]["expected_score"])), self.about(graded, sid)

    @pytest.mark.parametrize("sid", _students("test_spares_classmates", HOSTILE))
    def test_spares_classmates(self, graded, sid):
        """The classmates a hostile student must not affect keep their scores and their files."""
        hurt = []
        for mate in _classmates(sid):
            if (graded["scores"][mate] or 0.0) != pytest.approx(float(STUDENTS[mate]["expected_score"])):
                hurt.append(f"{mate}: score {graded['scores'][mate]}")
            if graded["submitted_after"][mate] != graded["submitted_before"][mate]:
                hurt.append(f"{mate}: submitted notebook changed")
            if graded["autograded"][mate] is None or graded["feedback"][mate] is None:
                hurt.append(f"{mate}: no autograded notebook or no feedback")
        assert not hurt, "\n".join(hurt) + "\n" + self.about(graded, sid)

    @pytest.mark.parametrize("sid", _students("test_no_hidden_test_shown", list(STUDENTS)))
    def test_no_hidden_test_shown(self, graded, sid):
        """No line of the hidden tests in anyone's autograded outputs or feedback page (the
        autograded notebook's test cells hold them by nbgrader's design: only outputs count)."""
        feedback = _feedback_text(graded["feedback"][sid] or "")
        places = {"autograded outputs": self.outputs(graded, sid), "feedback": feedback}
        shown = [f"{where}: {line}" for where, text in places.items()
                 for line in graded["hidden"][_split(sid)[0]]
                 if line in text and line not in self.submitted_text(graded, sid)]
        assert not shown, "hidden tests shown:\n" + "\n".join(shown) + "\n" + self.about(graded, sid)

    @pytest.mark.parametrize("sid", _students("test_no_escape_reported", HOSTILE))
    def test_no_escape_reported(self, graded, sid):
        """A hostile step prints ESCAPED (or its must_not_print strings) when it got through."""
        text = self.outputs(graded, sid)
        shown = [s for s in ["ESCAPED", *(STUDENTS[sid].get("must_not_print") or [])] if s in text]
        lines = [line for line in text.splitlines() if any(s in line for s in shown)]
        assert not shown, "\n".join(lines[:20]) + "\n" + self.about(graded, sid)

    def live_payloads(self, graded, sid: str) -> list[str]:
        """A student's payloads (their text holds the token) inside a tag or a script of its
        feedback page, where a browser would run them."""
        page, token = graded["feedback"][sid] or "", re.escape(graded["token"])
        return re.findall(rf"<[^>]*{token}[^>]*>|<script[^>]*>[^<]*{token}[^<]*", page)

    @pytest.mark.parametrize("sid", _students("test_outputs_are_inert", list(STUDENTS)))
    def test_outputs_are_inert(self, graded, sid):
        """Only plain text and pictures in the autograded outputs, and no payload of an output
        live in the feedback page."""
        nb = graded["autograded"][sid]
        active = [f"cell {i}: {sorted(set(out.get('data', {})) - set(SAFE_TYPES))}"
                  for i, cell in enumerate(nb.cells if nb else []) for out in cell.get("outputs", [])
                  if set(out.get("data", {})) - set(SAFE_TYPES)]
        live = [p for p in self.live_payloads(graded, sid) if MARKDOWN_CELL_PAYLOAD not in p]
        assert not active and not live, f"active outputs {active}, live payload {live[:5]}\n" + \
            self.about(graded, sid)

    @pytest.mark.parametrize("sid", _students("test_markdown_cells_are_inert", list(STUDENTS)))
    def test_markdown_cells_are_inert(self, graded, sid):
        """A student's own markdown cell is shown, never run: no <script>, event handler or
        javascript: link of it live in the feedback page."""
        live = [p for p in self.live_payloads(graded, sid) if MARKDOWN_CELL_PAYLOAD in p]
        assert not live, f"live payload {live[:5]}\n" + self.about(graded, sid)

    @pytest.mark.parametrize("sid", [sid for sid, spec in STUDENTS.items() if spec.get("lost_kernels")])
    def test_a_lost_kernel_is_said(self, graded, sid):
        """Each cell in which the kernel died or was stopped says so (zh + en) and that the cells
        after it ran in a fresh kernel; so does grade_class's summary."""
        nb, expected = graded["autograded"][sid], STUDENTS[sid]["lost_kernels"]
        said = [[o.get("ename") or o.get("text", "") for o in cell.outputs] for cell in nb.cells
                if any(o.get("ename") in ("KernelDied", "KernelStopped") for o in cell.get("outputs", []))]
        assert len(said) == expected and all("fresh kernel" in said_[-1] and "新内核" in said_[-1]
                                             for said_ in said), f"{said}\n" + self.about(graded, sid)
        if graded["summary"]:
            reason = graded["summary"][sid]["reason"]
            assert reason.count("the cells after it were graded in a fresh kernel") == expected, \
                self.about(graded, sid)

    @pytest.mark.parametrize("sid", [sid for sid, spec in STUDENTS.items() if spec.get("links")])
    def test_no_linked_file_is_copied(self, graded, sid):
        """nbgrader copies a submission's files by following links: what a link pointed to is
        in neither the autograded folder (the kernel's) nor the feedback (the student's)."""
        assignment, student = _split(sid)
        copies = [str(p) for step in ("autograded", "feedback") for name in STUDENTS[sid]["links"]
                  for p in graded["course"].glob(f"{step}/{student}/{assignment}/**/{name}")]
        assert not copies, copies

    def test_nothing_left_behind(self, graded):
        """No file an attack wrote outlives grading: not in $HOME, /tmp, /dev/shm, the course,
        the repository's packages, site-packages or an IPython startup folder."""
        assert not graded["left_behind"], graded["left_behind"]

    def test_nothing_still_running(self, graded):
        """No process a kernel started outlives grading."""
        assert not graded["processes"], graded["processes"]

    def test_honest_students_are_graded_cleanly(self, graded):
        """Honest students: autograded and feedback written, and (grade_class) nothing flagged."""
        problems = [f"{sid}: {'no autograded notebook' if graded['autograded'][sid] is None else 'no feedback'}"
                    for sid in HONEST if graded["autograded"][sid] is None or graded["feedback"][sid] is None]
        problems += [f"{sid}: {row['status']} {row['reason']}" for sid, row in graded["summary"].items()
                     if sid in HONEST and row["status"] != "ok"]
        assert not problems, problems


class TestStockNbgrader(HostileClass):
    """The stock nbgrader commands, as the Formgrader's buttons run them."""
    path = "nbgrader"

    @staticmethod
    def prepare(course, env):
        return [_run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force"],
                     course, env) for assignment in CORPORA]

    @staticmethod
    def grade(course, env):
        return [_run([sys.executable, "-m", "nbgrader", step, assignment, "--force"], course, env)
                for assignment in CORPORA for step in ("autograde", "generate_feedback")]


class TestGradeClass(HostileClass):
    """The instructor's one command."""
    path = "grade_class"

    @staticmethod
    def prepare(course, env):
        return []  # grade_class syncs the gradebook with source/ itself

    @staticmethod
    def grade(course, env):
        return [_run([sys.executable, "-m", "autograder.instructor.grade_class", assignment,
                      "--timeout", str(CELL_TIMEOUT)], course, env) for assignment in CORPORA]


def test_corpus_is_well_formed():
    """Every student names a class and an expected score; every grade_id it names exists in its
    assignment; every class of the issue has at least one hostile student, and a partial-honest
    one is among them."""
    for who, spec in STUDENTS.items():
        assignment, sid = _split(who)
        release_nb = nbformat.read(REPO / "release" / assignment / f"{assignment}.ipynb", as_version=4)
        known = set(_grade_ids(release_nb))
        assert spec["class"] in (*HONEST_CLASSES, 1, 2, 3, 4, 5), who
        assert "expected_score" in spec and spec.get("description"), who
        named = {*(spec.get("answers") or {}), *(spec.get("sources") or {}), *(spec.get("metadata") or {}),
                 *(spec.get("cell_types") or {}), *(spec.get("delete_cells") or []),
                 *(extra["after"] for extra in spec.get("extra_cells") or [])}
        assert named <= known, f"{who}: unknown grade_ids {named - known}"
        assert set(_classmates(who)) <= set(HONEST), who
    assert {spec["class"] for spec in STUDENTS.values()} >= {1, 2, 3, 4, 5, 6, "honest"}
    assert any(0 < STUDENTS[who]["expected_score"] < 31 for who in HOSTILE)
