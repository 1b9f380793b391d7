"""An assignment's test cells run in this process on answers given as source: a dry run of grading.

    dry = DryRun(Path("source/05_autograd/05_autograd.ipynb"))
    outcome = dry.run("ex1_df_test", {"ex1_df": "def df(x):\\n    return 2 * x"}, salt=7)
    outcome.passed, outcome.mistake, outcome.message

The answers are the instructor's own samples (tests/submissions/, candidates taken from a release),
so they run with plain ``exec``; the test cell runs as the referee runs it: visible part, then the
hidden part under ``cases.varied_seeds(salt)``, with ``written(...)`` reading the cells above it.
No kernel, no nbgrader: fast enough to grade every sample under many salts
(tests/test_same_points.py) and every answer a release could leak (tests/test_release_leaks.py).
Cells that a test cell does not need (the answers of later exercises) are not run.
"""
from __future__ import annotations

import contextlib
import io
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.student import cases
from autograder.student.checks import GradingError
from autograder.student.written import cells_from

HIDDEN = "### BEGIN HIDDEN TESTS"
TIME_LIMIT = 5.0  # seconds for a sample's cells or a test cell (a sample may hang on purpose)


@dataclass
class Outcome:
    passed: bool
    mistake: str | None = None  # the GradingError's key; None when it passed or raised otherwise
    message: str = ""
    salted: bool = False  # whether the hidden tests drew anything from a salted generator
    in_visible: bool = False  # whether it failed in the visible part (which no salt changes)


def grade_id(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    flags = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(flags.get("grade")) and not flags.get("solution")


def is_answer_cell(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


class DryRun:
    """The instructor's notebook of one assignment (with its hidden tests), and the release's
    stubs for answers a sample leaves out."""

    def __init__(self, source: Path, release: Path | None = None):
        self.cells = nbformat.read(source, as_version=4).cells
        stubs = nbformat.read(release, as_version=4).cells if release and release.exists() else []
        self.stubs = {grade_id(c): c.source for c in stubs if is_answer_cell(c)}

    def test_ids(self) -> list[str]:
        return [grade_id(c) for c in self.cells if is_test_cell(c)]

    def answer_ids(self, test_id: str | None = None) -> list[str]:
        """The answer cells above ``test_id`` (every answer cell when None)."""
        found = []
        for cell in self.cells:
            if test_id is not None and grade_id(cell) == test_id:
                break
            if is_answer_cell(cell):
                found.append(grade_id(cell))
        return found

    def run(self, test_id: str, answers: dict[str, str], salt: int = 0) -> Outcome:
        """The test cell ``test_id`` judged on ``answers`` ({answer grade_id: source})."""
        return self.run_salted(test_id, answers, [salt])[0]

    def run_salted(self, test_id: str, answers: dict[str, str], salts: list[int]) -> list[Outcome]:
        """The test cell judged once per salt: the cells above and its visible part run once, its
        hidden part under each salt (stopping at the first failure of the visible part, which no
        salt changes)."""
        namespace = {"__name__": "__main__"}
        above = []
        modules = _Modules()  # a sample that patches torch or the checks patches its own kernel only
        for cell in self.cells:
            if grade_id(cell) == test_id:
                modules.restore()
                return self.judge(cell.source, namespace, above, salts)
            if cell.cell_type != "code" or is_test_cell(cell):
                continue
            source = answers.get(grade_id(cell), self.stubs.get(grade_id(cell), cell.source)) \
                if is_answer_cell(cell) else cell.source
            above.append(source)
            with _quiet(), contextlib.suppress(Exception), _time_limit(TIME_LIMIT):
                exec(compile(source, f"<{grade_id(cell)}>", "exec"), namespace)  # noqa: S102
        raise KeyError(f"no test cell {test_id}")

    @staticmethod
    def judge(source: str, namespace: dict, above: list[str], salts: list[int]) -> list[Outcome]:
        visible, _, hidden = source.partition(HIDDEN)
        with cells_from(above):
            failure = _failure(visible, namespace)
            if failure is not None:
                return [Outcome(False, *failure, in_visible=True)] * len(salts)
            outcomes = []
            for salt in salts:
                drawn = _count_salted_draws()
                with cases.varied_seeds(salt), drawn:
                    failure = _failure(hidden, namespace)
                outcomes.append(Outcome(failure is None, *(failure or (None, "")), salted=drawn.count > 0))
            return outcomes


def _failure(code: str, namespace: dict) -> tuple[str | None, str] | None:
    """(mistake key, message) of what running a part of a test cell raised, or None."""
    try:
        with _quiet(), _time_limit(TIME_LIMIT):
            exec(compile(code, "<test cell>", "exec"), namespace)  # noqa: S102
    except Exception as error:  # noqa: BLE001 - the test cell's own failure
        message = str(error) if isinstance(error, GradingError) else f"{type(error).__name__}: {error}"
        return getattr(error, "mistake", None), message
    return None


class _Modules:
    """What torch's and the course's modules hold now, to put back what a sample's cells replaced
    (at grading time those cells run in the student's kernel, never where the test is judged)."""

    def __init__(self):
        self.saved = {name: dict(vars(module)) for name, module in list(sys.modules.items())
                      if name == "torch" or name.split(".")[0] in ("autograder", "helpers")}

    def restore(self):
        for name, saved in self.saved.items():
            attributes = vars(sys.modules[name])
            for key in [key for key in attributes if key not in saved]:
                del attributes[key]
            attributes.update(saved)


class _count_salted_draws:
    """Counts the generators ``cases`` hands out while the hidden tests run."""

    def __init__(self):
        self.count = 0

    def __enter__(self):
        self.original = cases.generator

        def counted(seed):
            self.count += 1
            return self.original(seed)

        cases.generator = counted
        return self

    def __exit__(self, *exc):
        cases.generator = self.original
        return False


class OutOfTime(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds):
    """Python code run inside stops with OutOfTime after ``seconds`` (checked line by line, so
    a sample's endless loop ends; signals are pytest-timeout's)."""
    deadline, lines = time.monotonic() + seconds, [0]

    def trace(frame, event, arg):
        lines[0] += 1
        if lines[0] % 4096 == 0 and time.monotonic() > deadline:
            raise OutOfTime(f"more than {seconds} s")
        return trace

    before = sys.gettrace()
    sys.settrace(trace)
    try:
        yield
    finally:
        sys.settrace(before)


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield
