"""The whole nbgrader round trip for every assignment in source/, each in a scratch copy of the course.

For each assignment NN_name (found from source/NN_*/): (a) release/ is exactly what
``nbgrader generate_assignment`` makes from source/ (byte for byte); then the instructor's one
command, ``python -m autograder.instructor.grade_class``, grades a class of: (b) the source
notebook with solutions → full marks, (c) the untouched release notebook → 0, (d) every sample
student in tests/submissions/NN_name.yml (the release notebook with those cells' sources
replaced) and the unreadable tests/submissions/broken.ipynb; each score must be the expected one,
each expected message must show up in that student's outputs (or, for a submission nbgrader could
not run or that was flagged, in the grade summary's reason) and no unexpected one may, (e) every
graded submission has an HTML feedback file and (f) nbgrader's grade table has the right scores.

Sample students who differ from the class's usual answers in one exercise only (most of them:
one typical mistake each) are graded together, one from each exercise in one notebook, to keep
the run short: each is then checked on their own exercise's cells alone (its points lost, its
messages). Exercises are the grade_ids' ``exN_`` prefixes. The others are graded alone, and so
is a student marked ``alone: true`` (one whose messages speak of other exercises too). Each
class is graded once, in one run; one test class per assignment, so ``pytest -n 2 --dist
loadscope`` grades two assignments at a time.
"""
from __future__ import annotations

import csv
import difflib
import filecmp
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
import yaml
from nbgrader.api import Gradebook

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "tests" / "submissions"
BROKEN = SUBMISSIONS / "broken.ipynb"
CELL_TIMEOUT = 15  # seconds; shorter than nbgrader_config.py's so a hanging student is quick
SOLUTION, UNTOUCHED, BROKEN_ID = "instructor_solution", "untouched_release", "broken_json"
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").glob("[0-9][0-9]_*") if p.is_dir())
COURSE_ID = "pytorch-tensors-autograd"
EXERCISE = re.compile(r"(ex\d+)_")


def _specs(assignment: str) -> dict:
    path = SUBMISSIONS / f"{assignment}.yml"
    if not path.exists():
        return {}
    specs = {str(sid): spec for sid, spec in
             yaml.safe_load(path.read_text(encoding="utf-8"))["students"].items()}
    assert not {SOLUTION, UNTOUCHED, BROKEN_ID} & set(specs), f"{path.name}: reserved student id"
    assert not any(sid.startswith("pack_") for sid in specs), f"{path.name}: pack_ ids are reserved"
    return specs


def _exercise(grade_id: str | None) -> str | None:
    match = EXERCISE.match(grade_id or "")
    return match.group(1) if match else None


def _grade_ids(nb) -> list[str]:
    return [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]


def _points(nb) -> dict[str, float]:
    """{grade_id: points} of the graded cells."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"].get("points", 0))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


@dataclass
class Sample:
    """One sample student of the YAML, and where it is graded."""
    sid: str
    score: float
    wanted: list[str]
    unwanted: list[str]
    submitted_as: str = ""  # its own id, or the pack it was graded in
    exercise: str | None = None  # set when it is graded in a pack: only this exercise is its own


@dataclass
class Plan:
    """The class to submit: {submitted id: (answers, deleted cells)}, and every sample student."""
    submissions: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)
    totals: dict = field(default_factory=dict)  # submitted id -> expected score


def _plan(specs: dict, source_nb) -> Plan:
    points = _points(source_nb)
    full = sum(points.values())
    per_exercise = Counter()
    for grade_id, value in points.items():
        per_exercise[_exercise(grade_id)] += value
    answer_ids = [c.metadata["nbgrader"]["grade_id"] for c in source_nb.cells
                  if c.metadata.get("nbgrader", {}).get("solution")]
    usual = {g: Counter((spec.get("answers") or {}).get(g) for spec in specs.values()).most_common(1)[0][0]
             for g in answer_ids} if specs else {}
    plan, by_exercise = Plan(), {}
    for sid, spec in specs.items():
        answers, deleted = spec.get("answers") or {}, spec.get("delete_cells") or []
        sample = Sample(sid, float(spec["expected_score"]), list(spec.get("expected_messages") or []),
                        list(spec.get("unexpected_messages") or []))
        plan.samples[sid] = sample
        changed = {_exercise(g) for g in answer_ids if answers.get(g) != usual.get(g)}
        loss = full - sample.score
        if not spec.get("alone") and not deleted and len(changed) == 1 and None not in changed and 0 <= loss <= per_exercise[next(iter(changed))]:
            by_exercise.setdefault(next(iter(changed)), []).append((sample, answers))
        else:
            sample.submitted_as = sid
            plan.submissions[sid] = (answers, deleted)
            plan.totals[sid] = sample.score
    queues = [list(group) for _, group in sorted(by_exercise.items())]
    number = 0
    while any(queues):
        number += 1
        pack, answers, total = f"pack_{number:02d}", dict(usual), full
        for queue in queues:
            if queue:
                sample, own = queue.pop(0)
                sample.submitted_as, sample.exercise = pack, _exercise(next(
                    g for g in answer_ids if own.get(g) != usual.get(g)))
                answers.update({g: own.get(g) for g in answer_ids if _exercise(g) == sample.exercise})
                total -= full - sample.score
        plan.submissions[pack] = ({g: a for g, a in answers.items() if a is not None}, [])
        plan.totals[pack] = total
    return plan


def _submission(release_nb, sid: str, answers: dict[str, str], deleted: list[str]):
    """The release notebook with the cells named in ``answers`` given those sources, and the
    cells named in ``deleted`` removed."""
    nb = nbformat.reads(nbformat.writes(release_nb), as_version=4)  # a deep copy
    unknown = (set(answers) | set(deleted)) - set(_grade_ids(nb))
    assert not unknown, (f"student {sid!r} names unknown grade_id(s) {sorted(unknown)}; "
                         f"the release notebook has {_grade_ids(nb)}")
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in deleted]
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def _cells(nb, exercise: str | None):
    """The cells of one exercise (grade_id exN_…), or every cell."""
    return [c for c in nb.cells
            if exercise is None or _exercise(c.metadata.get("nbgrader", {}).get("grade_id")) == exercise]


def _output_text(cells) -> str:
    parts = []
    for cell in cells:
        for out in cell.get("outputs", []):
            parts += [out.get("text", ""), out.get("ename", ""), out.get("evalue", "")]
            parts += out.get("traceback", [])
            parts.append(str(out.get("data", {}).get("text/plain", "")))
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(parts))  # no ANSI colours


def _release_problems(fresh: Path, committed: Path, assignment: str) -> list[str]:
    files = {folder: {str(p.relative_to(folder)) for p in folder.rglob("*")
                      if p.is_file() and ".ipynb_checkpoints" not in p.parts}  # opening it makes one
             for folder in (fresh, committed)}
    problems = [f"only in the generated release: {name}" for name in files[fresh] - files[committed]]
    problems += [f"only in the committed release: {name}" for name in files[committed] - files[fresh]]
    for name in sorted(files[fresh] & files[committed]):
        if filecmp.cmp(fresh / name, committed / name, shallow=False):
            continue
        diff = difflib.unified_diff(
            (committed / name).read_text(encoding="utf-8", errors="replace").splitlines(),
            (fresh / name).read_text(encoding="utf-8", errors="replace").splitlines(),
            f"committed release/{assignment}/{name}", f"generated from source/{assignment}/{name}",
            lineterm="", n=2)
        problems.append("\n".join(list(diff)[:60]))
    return problems


def _copy_course(root: Path, assignment: str) -> None:
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / assignment, root / "source" / assignment,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


class RoundTrip:
    """The round trip of one assignment; a subclass per assignment sets ``assignment``."""
    assignment: str

    @pytest.fixture(scope="class")
    @classmethod
    def course(cls, tmp_path_factory) -> Path:
        """A scratch course: config, source/<assignment> and the committed release/<assignment>
        (grade_class generates the release from source/ to sync its gradebook, and says when the
        committed one differs)."""
        root = tmp_path_factory.mktemp(cls.assignment)
        _copy_course(root, cls.assignment)
        if (REPO / "release" / cls.assignment).is_dir():
            shutil.copytree(REPO / "release" / cls.assignment, root / "release" / cls.assignment,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        return root

    @pytest.fixture(scope="class")
    @classmethod
    def graded(cls, course):
        """Submit the whole class and run the instructor's command once."""
        assignment, notebook = cls.assignment, f"{cls.assignment}.ipynb"
        release_nb = nbformat.read(REPO / "release" / assignment / notebook, as_version=4)
        source_nb = nbformat.read(REPO / "source" / assignment / notebook, as_version=4)
        plan = _plan(_specs(assignment), source_nb)
        notebooks = {SOLUTION: source_nb, UNTOUCHED: release_nb}
        for sid, (answers, deleted) in plan.submissions.items():
            notebooks[sid] = _submission(release_nb, sid, answers, deleted)
        for sid, nb in notebooks.items():
            folder = course / "submitted" / sid / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / notebook)
        (course / "submitted" / BROKEN_ID / assignment).mkdir(parents=True)
        shutil.copy(BROKEN, course / "submitted" / BROKEN_ID / assignment / notebook)

        proc = subprocess.run(
            [sys.executable, "-m", "autograder.instructor.grade_class", assignment,
             "--timeout", str(CELL_TIMEOUT)], cwd=course, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, f"grade_class failed:\n{proc.stdout}\n{proc.stderr}"
        with open(course / f"grades-{assignment}-summary.csv", encoding="utf-8") as f:
            summary = {row["student_id"]: row for row in csv.DictReader(f)}
        totals = {SOLUTION: sum(_points(source_nb).values()), UNTOUCHED: 0.0, BROKEN_ID: 0.0,
                  **plan.totals}
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
            cells = {sid: {g.name: (g.score, g.max_score) for g in
                           gb.find_submission_notebook(assignment, assignment, sid).grades}
                     for sid in plan.totals if summary.get(sid, {}).get("status") == "ok"}
        return {"root": course, "log": proc.stdout, "summary": summary, "totals": totals,
                "plan": plan, "cells": cells}

    def students(self) -> list[str]:
        return [SOLUTION, UNTOUCHED, *_specs(self.assignment), BROKEN_ID]

    def submitted(self, graded) -> list[str]:
        return list(graded["totals"])

    def autograded(self, graded, submitted_id: str):
        path = graded["root"] / "autograded" / submitted_id / self.assignment / f"{self.assignment}.ipynb"
        return nbformat.read(path, as_version=4) if path.exists() else None

    def test_release_matches_generate_assignment(self, graded, tmp_path):
        """(a) The committed release/ is byte-for-byte nbgrader's output for source/: grade_class
        generated it from source/ and compared (it says "is stale" otherwise); then our release
        command shows what differs."""
        committed = REPO / "release" / self.assignment
        assert committed.is_dir(), f"release/{self.assignment}/ is missing: run `make release`"
        if "is stale" not in graded["log"]:
            return
        _copy_course(tmp_path, self.assignment)
        subprocess.run([sys.executable, "-m", "autograder.instructor.release", self.assignment],
                       cwd=tmp_path, check=True, capture_output=True, text=True)
        problems = _release_problems(tmp_path / "release" / self.assignment, committed, self.assignment)
        pytest.fail("release/ is out of date with source/; run `make release`\n" + "\n".join(problems))

    def test_score(self, graded, sid):
        """(b) (c) (d) Every student gets exactly the expected score (in a pack: on their exercise)."""
        sample = graded["plan"].samples.get(sid)
        where = sample.submitted_as if sample else sid
        row = graded["summary"].get(where)
        assert row is not None, f"{sid} ({where}) is missing from the summary:\n{graded['log']}"
        if sample is None or sample.exercise is None:
            expected = graded["totals"][where]
            assert float(row["score"]) == pytest.approx(expected), (
                f"{sid}: got {row['score']}/{row['max_score']}, expected {expected}, status "
                f"{row['status']}, {row['reason']}")
            return
        own = {g: v for g, v in graded["cells"][where].items() if _exercise(g) == sample.exercise}
        lost = sum(top - (score or 0) for score, top in own.values())
        full = float(row["max_score"])
        assert lost == pytest.approx(full - sample.score), (
            f"{sid} (graded in {where}): lost {lost} on {sample.exercise}, expected "
            f"{full - sample.score}; cells {own}; {row['reason']}")

    def test_messages(self, graded, sid):
        """(d) The student sees the expected explanations (their outputs) and none of the
        unexpected ones (a diagnosis that names the wrong mistake)."""
        sample = graded["plan"].samples.get(sid)
        if sample is None:
            return
        row = graded["summary"][sample.submitted_as]
        nb = self.autograded(graded, sample.submitted_as)
        text = _output_text(_cells(nb, sample.exercise)) if nb is not None else ""
        text += "\n" + row["reason"]
        missing = [m for m in sample.wanted if m not in text]
        shown = [m for m in sample.unwanted if m in text]
        assert not missing and not shown, (f"{sid}: messages not shown {missing}, shown although "
                                           f"wrong {shown}\n--- outputs ---\n{text[-3000:]}")

    def test_no_raw_traceback(self, graded):
        """A wrong or unanswered answer shows a diagnosis, never a bare AssertionError or a
        traceback from inside the checks."""
        raw = []
        for sid in self.submitted(graded):
            nb = self.autograded(graded, sid)
            raw += [f"{sid} {c.metadata['nbgrader']['grade_id']}: {o.get('ename')}: {o.get('evalue')}"
                    for c in (nb.cells if nb else []) if c.metadata.get("nbgrader", {}).get("grade")
                    for o in c.get("outputs", []) if o.get("output_type") == "error"
                    and o.get("ename") not in ("GradingError", "KeyboardInterrupt", "CellTimeoutError")]
        assert not raw, "test cells show raw errors instead of diagnoses:\n" + "\n".join(raw)

    def test_broken_notebook_is_recorded(self, graded):
        row = graded["summary"][BROKEN_ID]
        assert (row["status"], float(row["score"])) == ("broken", 0.0), row

    def test_feedback_for_every_graded_submission(self, graded):
        """(e) generate_feedback wrote an HTML file for every submission nbgrader could grade."""
        graded_ids = [sid for sid, row in graded["summary"].items() if row["status"] in ("ok", "flagged", "tampering")]
        assert set(graded_ids) >= set(self.submitted(graded)) - {BROKEN_ID}, graded["summary"]
        missing = [sid for sid in graded_ids if not (
            graded["root"] / "feedback" / sid / self.assignment / f"{self.assignment}.html").is_file()]
        assert not missing, f"no feedback HTML for {missing}"

    def test_feedback_hides_the_hidden_tests(self, graded):
        """No feedback file shows the hidden tests' code (the solution's feedback included)."""
        shown = [sid for sid in self.submitted(graded)
                 if (path := graded["root"] / "feedback" / sid / self.assignment /
                     f"{self.assignment}.html").is_file()
                 and "HIDDEN TESTS" in path.read_text(encoding="utf-8")]
        assert not shown, f"hidden tests in the feedback of {shown}"

    def test_grade_table_export(self, graded):
        """(f) nbgrader's export lists every submission with the expected score."""
        with open(graded["root"] / "grades.csv", encoding="utf-8") as f:
            rows = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == self.assignment}
        assert set(rows) == set(self.submitted(graded))
        wrong = {sid: (rows[sid]["score"], total) for sid, total in graded["totals"].items()
                 if float(rows[sid]["score"]) != pytest.approx(total)}
        assert not wrong, f"grades.csv disagrees with the expected scores: {wrong}"

    def test_verdicts_agree_with_the_points_and_the_class_report_counts_them(self, graded):
        """Every graded test cell has the referee's verdict, which says passed exactly when the
        gradebook gives the cell its points and names a key of the mistake catalogue (or none);
        the class report (reports/<assignment>.csv) counts, per exercise, the students with full
        points (from the gradebook) and those given each diagnosis (from the verdicts)."""
        from autograder.instructor.report import diagnosis_key
        from autograder.student.mistakes import EXPLANATIONS

        root, wrong, full, given = graded["root"], [], Counter(), Counter()
        graded_ids = [sid for sid in graded["summary"] if self.autograded(graded, sid) is not None]
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
            points = {sid: {g.name: (g.score, g.max_score) for g in
                            gb.find_submission_notebook(self.assignment, self.assignment, sid).grades}
                      for sid in graded_ids}
        for sid in graded_ids:
            by_exercise = {}
            for grade_id, (score, top) in points[sid].items():
                by_exercise.setdefault(_exercise(grade_id) or grade_id, []).append(score == top)
            full.update(e for e, passed in by_exercise.items() if all(passed))
            keys = {}
            for cell in self.autograded(graded, sid).cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade_id") not in points[sid] or meta.get("solution"):
                    continue
                verdict = cell.metadata.get("autograder") or {}
                score, top = points[sid][meta["grade_id"]]
                tampered = graded["summary"][sid]["status"] == "tampering"  # points withheld
                if (verdict.get("passed") is not (score == top) and not tampered) or (
                        verdict.get("mistake") not in (None, *EXPLANATIONS)):
                    wrong.append(f"{sid} {meta['grade_id']}: {verdict} with {score}/{top}")
                if not verdict.get("passed"):
                    keys.setdefault(_exercise(meta["grade_id"]) or meta["grade_id"], set()).add(
                        diagnosis_key(verdict))
            given.update((exercise, key) for exercise, found in keys.items() for key in found)
        assert not wrong, "verdicts that disagree with the gradebook:\n" + "\n".join(wrong)
        with open(root / "reports" / f"{self.assignment}.csv", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        exercises = [r for r in rows if r["kind"] == "exercise"]
        assert {int(r["of"]) for r in exercises} == {len(graded_ids)}
        assert {r["exercise"]: int(r["count"]) for r in exercises} == {
            r["exercise"]: full[r["exercise"]] for r in exercises}
        assert {(r["exercise"], r["key"]): int(r["count"]) for r in rows
                if r["kind"] == "diagnosis"} == dict(given)


def pytest_generate_tests(metafunc):
    if "sid" in metafunc.fixturenames:
        metafunc.parametrize("sid", metafunc.cls().students())


for _assignment in ASSIGNMENTS:
    globals()[f"TestRoundTrip_{_assignment}"] = type(
        f"TestRoundTrip_{_assignment}", (RoundTrip,), {"assignment": _assignment})


def test_every_assignment_has_sample_submissions():
    missing = [a for a in ASSIGNMENTS if not (SUBMISSIONS / f"{a}.yml").exists()]
    assert not missing, f"no tests/submissions/<assignment>.yml for {missing}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_packing_keeps_every_student_and_the_expected_totals(assignment):
    """The packing itself: each sample student is graded exactly once, never two of one exercise
    in a pack, and a pack's expected score is the full score minus what each member loses."""
    source_nb = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    specs = _specs(assignment)
    plan = _plan(specs, source_nb)
    full = sum(_points(source_nb).values())
    assert set(plan.samples) == set(specs)
    assert {s.submitted_as for s in plan.samples.values()} == set(plan.submissions)
    for pack, total in plan.totals.items():
        members = [s for s in plan.samples.values() if s.submitted_as == pack]
        assert total == pytest.approx(full - sum(full - s.score for s in members))
        exercises = [s.exercise for s in members if s.exercise]
        assert len(exercises) == len(set(exercises)), f"{pack} holds two students of one exercise"


# The tampering scanner on its own (no kernels): what it must catch, and ordinary code it must not.
TAMPERING = {
    "patch a check": "import autograder\nautograder.check_gradient = lambda *a, **k: None",
    "patch torch": "torch.allclose = lambda *a, **k: True",
    "patch through an alias": "t = torch\nt.equal = lambda a, b: True",
    "patch a method": "torch.Tensor.__eq__ = lambda a, b: True",
    "setattr": "import autograder.student.checks as c\nsetattr(c, 'check_gradient', print)",
    "delattr": "delattr(torch, 'allclose')",
    "builtins": "import builtins\nbuiltins.AssertionError = Warning",
    "sys.modules": "import sys\nsys.modules.pop('autograder')",
    "reload": "import importlib\nimportlib.reload(torch)",
    "import_module": "from importlib import import_module\nimport_module('autograder')",
    "shadow a check": "def check_gradient(*args, **kwargs):\n    pass",
    "rebind a check": "check_number = print",
    "globals": "globals()['check_gradient'] = print",
    "mock": "from unittest import mock\nmock.patch('autograder.check_gradient').start()",
    "ipython": "get_ipython().showtraceback = lambda *a, **k: None",
    "exec": "exec('tor' + 'ch.equal = print')",
    "writefile": "%%writefile autograder_patch.py\nX = 1",
    "shell on the grader": "!sed -i s/assert/pass/ autograder/student/checks.py",
    "code object": "check_gradient.__code__ = (lambda *a, **k: None).__code__",
}
ORDINARY = [
    "def df(x):\n    return -2 * x * torch.sin(x ** 2)",
    "def fresh_grad(x):\n    x.grad = None\n    (x ** 2).sum().backward()\n    return x.grad",
    "import os\nos.environ['KMP_DUPLICATE_LIB_OK'] = 'TRUE'\n%matplotlib inline\n!pip list",
    "import matplotlib.pyplot as plt\nplt.rcParams['font.size'] = 12\nfrom autograder import check_gradient",
    "def broken(:\n    pass",  # a syntax error is the student's own failure, not tampering
    'def df(x):\n    """Written by hand, since the autograder runs this under no_grad."""\n    return 2 * x',
    "import importlib\nimport math",
]


def _scan(code: str):
    from autograder.instructor.tampering import SourceCell, scan

    setup = SourceCell("setup", "code", True, ("-",), "import torch\nfrom autograder import "
                       "check_gradient, check_number")
    return scan(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)]), [setup])


@pytest.mark.parametrize("code", TAMPERING.values(), ids=TAMPERING.keys())
def test_scanner_flags_tampering(code):
    assert _scan(code).findings


@pytest.mark.parametrize("code", ORDINARY)
def test_scanner_leaves_ordinary_code_alone(code):
    assert _scan(code).findings == []
