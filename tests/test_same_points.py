"""The same answer gets the same points in every grading run.

Hidden tests draw their inputs through ``cases`` with a salt that changes per grading run, so a
wrong answer must fail, and a right one pass, whatever the salt. Every test cell is judged (in
this process, autograder/instructor/dry_run.py) on the instructor's solution and on every sample
student of tests/submissions/ (their typical mistakes and their "another way" answers): once, and
when the hidden tests drew salted values, under SALTS salts in all, which must agree.
"""
from pathlib import Path

import yaml

from autograder.instructor.dry_run import DryRun

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENTS = sorted(p.name for p in (REPO / "source").glob("[0-9][0-9]_*") if p.is_dir())
SALTS = 50


def _students(assignment):
    path = REPO / "tests" / "submissions" / f"{assignment}.yml"
    students = yaml.safe_load(path.read_text(encoding="utf-8"))["students"] if path.exists() else {}
    return {str(sid): spec.get("answers") or {} for sid, spec in students.items()}


def _own(answers, test_id):
    """The answers of the test cell's own exercise: what its outcome depends on."""
    exercise = test_id.split("_")[0] + "_"
    return tuple(sorted((g, a) for g, a in answers.items() if g.startswith(exercise)))


def every_sample_gets_the_same_points_under_every_salt(assignment):
    source = REPO / "source" / assignment / f"{assignment}.ipynb"
    release = REPO / "release" / assignment / f"{assignment}.ipynb"
    solution = DryRun(source)
    failing = [t for t in solution.test_ids() if not solution.run(t, {}, salt=1).passed]
    assert not failing, f"the solution fails {failing}"
    runs = [("instructor_solution", solution, {})]
    samples = DryRun(source, release)
    runs += [(sid, samples, answers) for sid, answers in _students(assignment).items()]
    changing, seen = [], set()
    for sid, dry, answers in runs:
        for test_id in dry.test_ids():
            key = (dry is solution, test_id, _own(answers, test_id))
            if key in seen:
                continue  # judged already, on the same answers of this exercise
            seen.add(key)
            first = dry.run(test_id, answers, salt=1)
            if not first.salted or first.in_visible:
                continue  # the salt changed nothing that decided this verdict
            verdicts = {first.passed} | {outcome.passed for outcome in
                                         dry.run_salted(test_id, answers, range(2, SALTS + 1))}
            if len(verdicts) > 1:
                changing.append(f"{sid}: {test_id} passes under some salts and fails under others")
    assert not changing, "\n".join(changing)


class SamePoints:
    """One assignment; a class each, so that pytest-xdist (--dist loadscope) spreads them."""
    assignment: str

    def test_every_sample_gets_the_same_points_under_every_salt(self):
        every_sample_gets_the_same_points_under_every_salt(self.assignment)


for _assignment in ASSIGNMENTS:
    globals()[f"TestSamePoints_{_assignment}"] = type(
        f"TestSamePoints_{_assignment}", (SamePoints,), {"assignment": _assignment})
