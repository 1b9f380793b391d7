"""Grade a whole class in one command: autograde, feedback, grade table.

    python -m autograder.instructor.grade_class 01_tensor_creation [--jobs N] [--resume]
        [--timeout SECONDS] [--course-dir DIR] [--allow-unsandboxed]

Run it in the course root (where nbgrader_config.py is). It expects nbgrader's layout,

    submitted/<student_id>/<assignment>/<notebook>.ipynb   (+ optional timestamp.txt)

which ``nbgrader collect ASSIGNMENT`` (exchange) or ``nbgrader zip_collect ASSIGNMENT`` (a folder
of downloaded files) creates. Then, for every student:

1. the gradebook (gradebook.db) is synced with source/ (``generate_assignment`` into a scratch
   folder, so release/ is left alone) and every submitting student is added to it;
2. each notebook is opened with nbformat: one that cannot be read is recorded as ``broken`` with
   0 points and never stops the others;
3. the student's code is read for tampering (:mod:`autograder.tampering`): a finding is evidence
   for the instructor (status "flagged", reason and line in the summary), never a zero, since the
   points come from the referee's verdicts (autograder/instructor/referee.py), which student code
   cannot reach; the grader's own files are checked after the run;
4. ``nbgrader autograde`` runs it (COURSE_DEVICE=cpu, nbgrader_config.py's per-cell timeout: a
   hanging cell is interrupted and only that cell's points are lost; a kernel that dies or is
   stopped costs only the cell it happened in, and the summary says so);
5. a submission that changed the grader's files (possible only unsandboxed) gets 0 for every
   autograded cell, marked "needs manual grade" in the gradebook with the reason as a comment, so
   the formgrader, the feedback and the export agree and the instructor can review (and override) it;
6. ``nbgrader generate_feedback`` writes feedback/<student_id>/<assignment>/<notebook>.html;
7. the class report (report.py) is written from the gradebook and the verdicts recorded in the
   graded notebooks: reports/<assignment>.html and .csv (after ``--resume`` too, for the whole class).

Outputs in the course root (all gitignored, rewritten on every run):
    grades.csv                          ``nbgrader export``: every assignment × every student
    grades-<assignment>-summary.csv     student_id, score, max_score, status, reason; rewritten
                                        after every student, so a run that is killed keeps
                                        what it finished, and ``--resume`` grades only the rest
status is ok | flagged (the scan found something: review it) | broken (unreadable notebook) |
tampering (changed the grader's files: 0 until reviewed) | missing (no submission) | error
(nbgrader could not run it; 0 points and marked for manual grading).

On Linux it refuses to grade where bubblewrap cannot run (the kernels would run unsandboxed),
unless ``--allow-unsandboxed`` or ``c.SandboxKernelManager.allow_unsandboxed = True``.

Exit code 0 when every student's grade was recorded (0 points included); 1 when the tool itself
could not run (no such assignment, nbgrader failed on the instructor's files, gradebook error,
no sandbox).
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import filecmp
import importlib.util
import multiprocessing
import multiprocessing.util
import os
import re
import shutil
import subprocess
import tempfile
import traceback
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin
from sqlalchemy.exc import SAWarning
from tqdm import tqdm

from autograder.instructor import report, tampering
from autograder.instructor.links import read_refused, remove_links
from autograder.instructor.course import check, find_root, load_config, make_api
from autograder.instructor.outputs import LOST, RESTARTED
from autograder.instructor.sandbox import SandboxKernelManager, refusal, sandbox_status, summary_line

TIMED_OUT = {"CellTimeoutError", "KeyboardInterrupt"}
KERNEL_LOST = {name: why for why, name in LOST.items()}  # ename -> (zh, en)
GRADER_PACKAGES = ("autograder", "helpers")  # what the notebooks import from this repository


@dataclass
class Result:
    student_id: str
    status: str = "ok"
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0


@contextlib.contextmanager
def override(obj, **values):
    """Set attributes for the duration of a block (nbgrader's temp_attrs, exception-safe)."""
    old = {k: getattr(obj, k) for k in values}
    for k, v in values.items():
        setattr(obj, k, v)
    try:
        yield obj
    finally:
        for k, v in old.items():
            setattr(obj, k, v)


def _last_line(result: dict) -> str:
    """The exception that stopped nbgrader (its log holds the student's traceback)."""
    text = (result.get("log") or "") + (result.get("error") or "")
    errors = [m.group(0) for m in re.finditer(r"^\s*[\w.]*(Error|Exception|Interrupt)\b:.*$", text, re.M)
              if "NbGraderException" not in m.group(0)]
    return errors[0].strip() if errors else "unknown error"


class ClassGrader:
    def __init__(self, root: Path, assignment: str, timeout: int | None = None,
                 allow_unsandboxed: bool = False):
        config = load_config(root)
        if timeout:
            config.Execute.timeout = timeout
        if allow_unsandboxed:
            config.SandboxKernelManager.allow_unsandboxed = True
        self.root, self.assignment, self.timeout = root, assignment, timeout
        self.allow_unsandboxed = SandboxKernelManager(config=config).allow_unsandboxed
        self.api = make_api(root, config)
        self.coursedir = self.api.coursedir
        self.db_url = self.coursedir.db_url
        self.submitted = Path(os.path.normpath(
            self.coursedir.format_path(self.coursedir.submitted_directory, ".", ".")))
        # The kernels import a private copy of the grader packages (via PYTHONPATH), checked and
        # rewritten after every student: a submission that edits it is caught and cannot affect
        # the next one, and the course's own files are never written to.
        packages = [Path(list(importlib.util.find_spec(p).submodule_search_locations)[0])
                    for p in GRADER_PACKAGES]
        self.grader_files = {path.relative_to(package.parent): path.read_bytes()
                             for package in packages for path in package.rglob("*.py")}
        # What the copy is made from must be what was committed (an earlier run, unsandboxed,
        # could have left a backdoor in the course's own package): said in the summary.
        self.uncommitted = uncommitted_changes(packages)

    def gradebook(self) -> Gradebook:
        return Gradebook(self.db_url, self.coursedir.course_id)

    # 1. the gradebook knows the assignment (from source/) and every student
    def sync_gradebook(self) -> list[str]:
        if not (self.root / "source" / self.assignment).is_dir():
            raise SystemExit(f"没有这个作业 / No such assignment: source/{self.assignment}")
        with tempfile.TemporaryDirectory(prefix="nbgrader-sync-") as scratch:
            with override(self.coursedir, release_directory=scratch):
                check(self.api.generate_assignment(self.assignment, force=True), "generate_assignment")
            fresh, committed = Path(scratch) / self.assignment, self.root / "release" / self.assignment
            if committed.is_dir() and _differs(fresh, committed):
                print(f"⚠ release/{self.assignment}/ 与 source/ 不一致，请运行 make release / "
                      f"is stale: run `make release` before handing it out again")
            released = {}  # grade_id -> checksum of the student version of the cell
            for path in fresh.glob("*.ipynb"):
                for cell in nbformat.read(path, as_version=4).cells:
                    meta = cell.metadata.get("nbgrader", {})
                    released[meta.get("grade_id")] = meta.get("checksum")
        students = sorted(p.parent.name for p in self.submitted.glob(f"*/{self.assignment}") if p.is_dir())
        with self.gradebook() as gb:
            for sid in students:
                gb.update_or_create_student(sid)
            self.notebooks = {
                nb.name: [tampering.SourceCell(c.name, c.cell_type, c.locked,
                                               (c.checksum, released.get(c.name)), c.source)
                          for c in nb.source_cells]
                for nb in gb.find_assignment(self.assignment).notebooks}
            roster = [s.id for s in gb.students]
        return sorted(set(students) | set(roster))

    # 2-5. one student; never raises for a problem with the submission
    def grade_student(self, sid: str) -> Result:
        result, folder = Result(sid), self.submitted / sid / self.assignment
        if not folder.is_dir():
            result.status, result.reasons = "missing", ["没有提交 / no submission"]
            return result
        result.reasons += remove_links(folder)
        if not sandbox_status()[0]:
            result.reasons.append("未在沙箱中批改 / graded NOT sandboxed: " + sandbox_status()[1])
        readable, zeroed = [], {}  # zeroed: notebook -> needs manual grade?
        for name, source_cells in self.notebooks.items():
            path = folder / f"{name}.ipynb"
            if not path.exists():
                others = sorted(p.name for p in folder.glob("*.ipynb")
                                if p.stem not in self.notebooks)  # e.g. "01_tensor_creation (1).ipynb"
                result.reasons.append(f"{name}.ipynb missing" + (
                    f" (found {', '.join(others)}: rename it and grade again)" if others else ""))
                zeroed[name] = False
                continue
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception as err:  # not JSON, not a notebook, unknown nbformat ...
                result.status = "broken"
                result.reasons.append(f"{name}.ipynb unreadable ({type(err).__name__}: "
                                      f"{str(err).splitlines()[0][:120] if str(err) else ''})")
                zeroed[name] = False
                continue
            report = tampering.scan(nb, source_cells)
            if report.findings:
                result.status = "flagged"
            result.reasons += [f"{name}: {r}" for r in report.findings + report.notes]
            readable.append(name)
        if not readable and result.status == "ok":
            result.status = "missing"

        self.record_submission(sid, folder)
        for name in readable:
            with override(self.coursedir, notebook_id=name):
                outcome = self.api.autograde(self.assignment, sid, force=True)
            if not outcome.get("success"):
                result.status = "error" if result.status in ("ok", "flagged") else result.status
                result.reasons.append(f"{name}: nbgrader autograde failed: {_last_line(outcome)}")
                zeroed[name] = True
            else:
                result.reasons += self.incidents(sid, name)
        if changed := self.restore_grader_files():
            result.status = "tampering"
            result.reasons.append("changed the grader's files: " + ", ".join(changed))

        with self.gradebook() as gb:
            for name in self.notebooks:
                if name in zeroed:
                    _zero(gb, name, self.assignment, sid, needs_review=zeroed[name])
                    self.remove_stale_outputs(sid, name)
                elif result.status == "tampering":
                    _zero(gb, name, self.assignment, sid, needs_review=True,
                          comment="自动评分已作废，等待老师复查 / Autograded points withheld for review: "
                                  + "; ".join(result.reasons))
        return result

    def record_submission(self, sid: str, folder: Path) -> None:
        """Create the submission (all cells ungraded) even if nbgrader never gets to run it."""
        timestamp = self.coursedir.get_existing_timestamp(str(folder))
        with self.gradebook() as gb, warnings.catch_warnings():
            warnings.simplefilter("ignore", SAWarning)  # nbgrader's add_submission, harmless
            gb.update_or_create_submission(self.assignment, sid,
                                           **({"timestamp": timestamp} if timestamp else {}))

    def remove_stale_outputs(self, sid: str, name: str) -> None:
        """An earlier run's autograded notebook / feedback must not outlive a failed regrade."""
        for step, suffix in ((self.coursedir.autograded_directory, ".ipynb"),
                             (self.coursedir.feedback_directory, ".html")):
            stale = Path(self.coursedir.format_path(step, sid, self.assignment)) / f"{name}{suffix}"
            stale.unlink(missing_ok=True)

    def incidents(self, sid: str, name: str) -> list[str]:
        """The cells that timed out, and those in which the kernel died or was stopped."""
        path = Path(self.coursedir.format_path(self.coursedir.autograded_directory, sid,
                                               self.assignment)) / f"{name}.ipynb"
        said = []
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells, start=1):
            outputs = cell.get("outputs", []) if cell.cell_type == "code" else []
            names = {o.get("ename") for o in outputs}
            where = f"{name}: cell {i} ({cell.metadata.get('nbgrader', {}).get('grade_id', '-')})"
            if lost := [KERNEL_LOST[n] for n in names if n in KERNEL_LOST]:
                zh, en = lost[0]
                if any(RESTARTED[1] in o.get("text", "") for o in outputs):
                    then = "后面的单元格在新内核中评分 / the cells after it were graded in a fresh kernel"
                else:
                    then = "后面的单元格没有运行 / the cells after it were not run"
                said.append(f"{where}: {zh}，这个单元格不得分 / {en}: no points for it; {then}")
            elif names & TIMED_OUT:
                said.append(f"{where} timed out and was interrupted")
        return said

    def restore_grader_files(self) -> list[str]:
        """Rewrite the kernels' copy of the grader; name the files a student's code changed."""
        present = {p.relative_to(self.grader_copy): p.read_bytes()
                   for p in self.grader_copy.rglob("*") if p.is_file()}
        changed = sorted(str(p) for p in self.grader_files.keys() | present.keys()
                         if present.get(p) != self.grader_files.get(p))
        for child in self.grader_copy.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        for path, content in self.grader_files.items():
            (self.grader_copy / path).parent.mkdir(parents=True, exist_ok=True)
            (self.grader_copy / path).write_bytes(content)
        return changed

    # 6. feedback, grade tables
    def feedback(self, result: Result) -> None:
        if result.status in ("ok", "flagged", "tampering"):
            outcome = self.api.generate_feedback(self.assignment, result.student_id, force=True)
            if not outcome.get("success"):
                result.reasons.append(f"no feedback: {_last_line(outcome)}")

    def score(self, result: Result) -> None:
        """The student's score, exactly as nbgrader's export computes it."""
        with self.gradebook() as gb:
            result.max_score = gb.find_assignment(self.assignment).max_score
            try:
                sub = gb.find_submission(self.assignment, result.student_id)
            except MissingEntry:
                result.score = 0.0
            else:
                result.score = max(0.0, sub.score - sub.late_submission_penalty)

    @property
    def summary_path(self) -> Path:
        return self.root / f"grades-{self.assignment}-summary.csv"

    def save_summary(self, results: list[Result]) -> None:
        """The summary table, rewritten after every student: a run that is killed keeps the
        students it finished (and --resume does not grade them again)."""
        partial = self.summary_path.with_suffix(".tmp")
        with open(partial, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["student_id", "score", "max_score", "status", "reason"])
            for r in results:
                writer.writerow([r.student_id, f"{r.score:g}", f"{r.max_score:g}", r.status,
                                 "; ".join(r.reasons)])
        partial.replace(self.summary_path)

    def finished_before(self, students: list[str]) -> dict[str, Result]:
        """The students of an earlier run's summary whose submission has not changed since."""
        if not self.summary_path.exists():
            return {}
        written = self.summary_path.stat().st_mtime
        with open(self.summary_path, encoding="utf-8") as f:
            rows = {row["student_id"]: row for row in csv.DictReader(f)}
        done = {}
        for sid in students:
            folder = self.submitted / sid / self.assignment
            changed = [p for p in folder.rglob("*") if p.stat(follow_symlinks=False).st_mtime >= written]
            if sid in rows and not changed:
                row = rows[sid]
                done[sid] = Result(sid, row["status"], [r for r in row["reason"].split("; ") if r],
                                   float(row["score"]), float(row["max_score"]))
        return done

    def export(self, results: list[Result]) -> tuple[Path, Path]:
        grades = self.root / "grades.csv"
        with self.gradebook() as gb:
            CsvExportPlugin(to=str(grades), parent=self.api).export(gb)
        self.save_summary(results)
        return grades, self.summary_path

    @contextlib.contextmanager
    def private_grader(self):
        """The kernels import a private, checked copy of the grader packages (via PYTHONPATH)."""
        with tempfile.TemporaryDirectory(prefix="nbgrader-grader-") as copy:
            self.grader_copy = Path(copy)
            self.restore_grader_files()
            env = {"PYTHONPATH": os.pathsep.join(filter(None, [copy, os.environ.get("PYTHONPATH")])),
                   "PYTHONDONTWRITEBYTECODE": "1", "COURSE_DEVICE": "cpu"}  # grade on the CPU
            old = {k: os.environ.get(k) for k in env}
            os.environ.update(env)  # the kernels inherit it
            try:
                yield
            finally:
                for k, v in old.items():
                    os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)

    def run(self, jobs: int = 1, resume: bool = False) -> list[Result]:
        """Grade every student, ``jobs`` at a time; the results in the students' order. With
        ``resume``, the students an earlier (killed) run finished are kept, not graded again."""
        if refused := refusal(self.allow_unsandboxed):
            raise SystemExit(refused)
        students = self.sync_gradebook()
        if not students:
            print(f"⚠ {self.submitted}/*/{self.assignment}/ 下没有提交 / no submissions found "
                  f"(nbgrader collect / zip_collect put them there)")
        done = self.finished_before(students) if resume else {}
        if done:
            print(f"继续上次的评分：{len(done)} 名学生已评完 / resuming: {len(done)} students "
                  "already graded")
        todo = [sid for sid in students if sid not in done]
        bar = tqdm(total=len(todo), unit="student", desc="评分 grading", dynamic_ncols=True)

        def finished(result: Result) -> None:
            self.score(result)
            done[result.student_id] = result
            self.save_summary([done[sid] for sid in students if sid in done])
            bar.set_postfix_str(result.student_id)
            bar.update()

        if jobs <= 1 or len(todo) <= 1:
            with self.private_grader():
                for sid in todo:
                    finished(self.grade_one(sid))
        else:
            self.grade_in_parallel(todo, jobs, finished)
        bar.close()
        return [done[sid] for sid in students]

    def grade_in_parallel(self, students: list[str], jobs: int, finished) -> None:
        """Each worker process has its own grader (and private copy); one student per task."""
        # Workers fork from a fresh server process that has imported the grader once: nothing of
        # this process's state is shared (as with "spawn"), and no worker imports it all again.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["autograder.instructor.grade_class"])
        setup = (self.root, self.assignment, self.timeout, self.allow_unsandboxed, self.notebooks)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                                 initargs=setup) as pool:
            futures = {pool.submit(_grade_in_worker, sid): sid for sid in students}
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as err:  # the worker itself died (killed, out of memory)
                    result = self.grading_failed(futures[future], err)
                finished(result)

    def grade_one(self, sid: str) -> Result:
        """Grade one student and write their feedback; never raises."""
        try:
            result = self.grade_student(sid)
        except Exception as err:  # a bug or a gradebook hiccup for this one student
            traceback.print_exc()
            self.restore_grader_files()
            result = self.grading_failed(sid, err)
        self.feedback(result)
        return result

    def grading_failed(self, sid: str, err: BaseException) -> Result:
        """0 points, marked for review, and no stale autograded notebook or feedback."""
        self.record_submission(sid, self.submitted / sid / self.assignment)
        with self.gradebook() as gb:
            for name in self.notebooks:
                _zero(gb, name, self.assignment, sid, needs_review=True)
                self.remove_stale_outputs(sid, name)
        return Result(sid, "error", [f"{type(err).__name__}: {err}"])


_WORKER: ClassGrader | None = None


def _start_worker(root, assignment, timeout, allow_unsandboxed, notebooks) -> None:
    """A worker process's grader, with its own private copy of the grader packages."""
    global _WORKER
    _WORKER = ClassGrader(root, assignment, timeout, allow_unsandboxed)
    _WORKER.notebooks = notebooks
    stack = contextlib.ExitStack()
    stack.enter_context(_WORKER.private_grader())
    multiprocessing.util.Finalize(_WORKER, stack.close, exitpriority=10)


def _grade_in_worker(sid: str) -> Result:
    return _WORKER.grade_one(sid)


def _differs(a: Path, b: Path) -> bool:
    """Whether two folders hold different files (names or bytes)."""
    files = [{p.relative_to(d) for p in d.rglob("*")
              if p.is_file() and ".ipynb_checkpoints" not in p.parts} for d in (a, b)]
    return files[0] != files[1] or any(not filecmp.cmp(a / f, b / f, shallow=False) for f in files[0])


def _zero(gb: Gradebook, notebook: str, assignment: str, sid: str, *, needs_review: bool,
          comment: str | None = None) -> None:
    """0 points for the autograded cells of one submitted notebook, through the gradebook."""
    submission = gb.find_submission_notebook(notebook, assignment, sid)
    for grade in submission.grades:
        grade.auto_score = 0.0
        grade.needs_manual_grade = needs_review
    if comment and submission.comments:  # shown in the feedback under the first answer
        submission.comments[0].auto_comment = comment
    gb.db.commit()


def uncommitted_changes(folders: list[Path]) -> list[str]:
    """Files in these folders that differ from the committed versions (git), or [] where the
    folders are not in a git checkout (an installed course)."""
    changed = []
    for folder in folders:
        proc = subprocess.run(["git", "-C", str(folder), "status", "--porcelain", "--", "."],
                              capture_output=True, text=True)
        if proc.returncode == 0:
            changed += [line[3:] for line in proc.stdout.splitlines() if line.strip()]
    return changed


def flag_forgers(results: list[Result], refused: list[dict]) -> None:
    """A student who owns a submission that collect refused (it named someone else) is flagged."""
    for result in results:
        for row in refused:
            if row["owner"] == result.student_id:
                result.status = "flagged" if result.status == "ok" else result.status
                result.reasons.append(f"collect refused inbound/{row['folder']}, owned by "
                                      f"{row['owner']} but named {row['student_id']}")


def print_summary(results: list[Result], grades: Path, summary: Path,
                  uncommitted: list[str] = (), refused: list[dict] = ()) -> None:
    width = max([len(r.student_id) for r in results] + [10])
    print(f"\n{'学生 student':<{width}}  {'得分 score':>12}  状态 status")
    for r in results:
        print(f"{r.student_id:<{width}}  {r.score:>5g} / {r.max_score:<4g}  {r.status}"
              + (f"  — {'; '.join(r.reasons)}" if r.reasons else ""))
    counts = {s: sum(r.status == s for r in results) for s in dict.fromkeys(r.status for r in results)}
    print(f"\n共 {len(results)} 名学生 / {len(results)} students: "
          + ", ".join(f"{s} {n}" for s, n in counts.items()))
    print(summary_line())
    for row in refused:
        print(f"⚠ collect 拒收了 inbound/{row['folder']}（以 {row['student_id']} 的名义提交）/ collect "
              f"refused inbound/{row['folder']} (named {row['student_id']}): {row['reason']}")
    if uncommitted:
        print("⚠ 批改程序自己的文件与提交的版本不同，请先检查 / the grader's own files differ from the "
              "committed versions; check them first: " + ", ".join(uncommitted))
    print(f"成绩表 / grade table: {grades}\n汇总 / summary: {summary}")
    print("反馈 / feedback: feedback/<student_id>/<assignment>/*.html")
    if any(r.status in ("flagged", "tampering", "error") for r in results):
        print("⚠ 请在 formgrader 中复查标记为 flagged / tampering / error 的提交 / "
              "Review the flagged / tampering / error submissions in the formgrader.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--timeout", type=int, help="seconds per cell (default: nbgrader_config.py)")
    parser.add_argument("--course-dir", default=".", help="course root (default: here or above)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="students graded at the same time (default: the number of cores)")
    parser.add_argument("--resume", action="store_true",
                        help="keep the students an earlier, interrupted run already graded")
    parser.add_argument("--allow-unsandboxed", action="store_true",
                        help="grade even where bubblewrap cannot run: submitted code can then "
                             "read and write what you can")
    args = parser.parse_args(argv)
    grader = ClassGrader(find_root(args.course_dir), args.assignment, args.timeout,
                         args.allow_unsandboxed)
    results = grader.run(max(1, args.jobs), resume=args.resume)
    refused = read_refused(grader.root / f"refused-{args.assignment}.csv")  # by nbgrader collect
    flag_forgers(results, refused)
    grades, summary = grader.export(results)
    print_summary(results, grades, summary, grader.uncommitted, refused)
    try:
        page, table = report.write(grader.root, args.assignment, grader.api)
    except Exception:  # noqa: BLE001 - the grades are recorded; the report is their reading
        traceback.print_exc()
        print("⚠ 班级报告没能生成 / the class report could not be written: python -m "
              f"autograder.instructor.report {args.assignment}")
    else:
        print(f"班级报告 / class report: {page} ({table.name})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
