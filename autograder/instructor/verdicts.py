"""The verdicts recorded while grading, in the autograded notebook's cell metadata.

The execute step (execute.py) writes them, on the referee's side, never from anything the
student's kernel says: a graded test cell gets

    cell.metadata["autograder"] = {"passed": bool,
                                   "mistake": the GradingError's key in the catalogue, or None,
                                   "part": "visible" | "hidden" | None (passed),
                                   "case": [zh, en] (a failed hidden test's kind) or None,
                                   "error": the error output's ename (GradingError, NameError,
                                            CellTimeoutError, KernelDied, NotRun ...) or None,
                                   "incident": see below, or absent}

and any code cell where grading ran into trouble gets ``{"incident": ...}``: ``timed_out``,
``kernel_died``, ``kernel_stopped`` or ``not_run``. Whatever the submitted notebook carried under
that key is dropped before anything runs (:func:`forget`). The feedback (feedback.py) and the class
report (report.py) read them.

A hidden test names the kind of case it tests with ``cases.kind(zh, en)``; a failure outside any
such block is of the kind :data:`OTHER_CASES`.
"""
from __future__ import annotations

KEY = "autograder"
# a hidden test without a label: the feedback reads "隐藏测试（其他的值、形状和数据类型）/ Hidden test
# (other values, shapes and dtypes)"
OTHER_CASES = ("其他的值、形状和数据类型", "other values, shapes and dtypes")
TIMED_OUT, KERNEL_DIED, KERNEL_STOPPED, NOT_RUN = "timed_out", "kernel_died", "kernel_stopped", "not_run"
# the ename of a test cell's error output -> the incident it is
INCIDENTS = {"CellTimeoutError": TIMED_OUT, "KernelDied": KERNEL_DIED,
             "KernelStopped": KERNEL_STOPPED, "NotRun": NOT_RUN}


def judged(failure: BaseException | None, part: str | None, ename: str | None) -> dict:
    """The verdict on a test cell the referee ran: ``failure`` raised (None: it passed) in the
    ``part`` it was raised in; ``ename``: the name its error output shows."""
    if failure is None:
        return {"passed": True, "mistake": None, "part": None, "case": None, "error": None}
    mistake = getattr(failure, "mistake", None)
    case = getattr(failure, "case", None) if part == "hidden" else None
    if part == "hidden" and not _label(case):
        case = OTHER_CASES
    verdict = {"passed": False, "mistake": mistake if isinstance(mistake, str) else None,
               "part": part, "case": list(case) if case else None, "error": ename}
    if ename in INCIDENTS:
        verdict["incident"] = INCIDENTS[ename]
    return verdict


def not_run() -> dict:
    """A test cell that was never judged (the notebook's time was up, no kernel was left)."""
    return {"passed": False, "mistake": None, "part": None, "case": None, "error": "NotRun",
            "incident": NOT_RUN}


def _label(case) -> bool:
    return (isinstance(case, (tuple, list)) and len(case) == 2
            and all(isinstance(s, str) and s for s in case))


def record(cell, verdict: dict) -> None:
    cell.metadata[KEY] = verdict


def incident(cell, what: str) -> None:
    """Say in the cell's metadata what went wrong while it ran (a cell that also has a verdict
    keeps it)."""
    cell.metadata.setdefault(KEY, {})["incident"] = what


def forget(nb) -> None:
    """Drop what the submitted notebook carried under our key: only this run's verdicts count."""
    for cell in nb.cells:
        cell.metadata.pop(KEY, None)
    nb.metadata.pop(KEY, None)


def of(cell) -> dict | None:
    """A cell's recorded verdict or incident, or None."""
    found = cell.get("metadata", {}).get(KEY)
    return found if isinstance(found, dict) else None
