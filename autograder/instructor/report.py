"""The class report: what a class got right and wrong in one assignment.

    python -m autograder.instructor.report ASSIGNMENT [--course-dir DIR]

writes ``reports/<assignment>.html`` and ``reports/<assignment>.csv`` in the course root. grade_class
writes them after every run (``--resume`` included); after the Formgrader's Autograde button, run
this command. Everything is read from what grading left behind, never from feedback HTML:

* the gradebook: the students, their scores per cell and the cells' points;
* the autograded notebooks: the verdict the referee recorded in each test cell and the cells where
  grading ran into trouble (verdicts.py);
* grade_class's summary (grades-<assignment>-summary.csv) for each student's status and reasons
  (flagged, tampering, broken, error); a student it does not list (graded from the Formgrader) is
  scanned for tampering here (tampering.py).

A diagnosis that says the check itself is misconfigured is listed with the grading problems (and
left out of the class's most common mistakes, as is ``unanswered``).

Per exercise: the share of students with full points, and the diagnoses given, counted once per
student and named in both languages from the mistake catalogue (the first sentence of its
explanation), e.g. "37% (10 of 27) · Exercise 5 · accumulated_gradient: ...". Then a score histogram,
a bar chart of the share with full points per exercise (matplotlib, Chinese labels as SVG text),
the students flagged and why, and the grading problems (timeouts, lost kernels, cells not run,
notebooks that could not be read or graded).

The CSV has one row per fact: ``kind`` is ``exercise`` (key ``full_points``: count of ``of``
students), ``diagnosis`` (key: the catalogue's key, or a bracketed kind of failure without one),
``student`` (key: the student; count: score, of: maximum), ``flagged`` and ``problem`` (key: the
student, or for a misconfigured check the diagnosis with its exercise and count; the reason in zh
and en).
"""
from __future__ import annotations

import argparse
import csv
import html
import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.instructor import verdicts
from autograder.instructor.feedback import (ZH_SENTENCE, EN_SENTENCE, exercise_label, exercise_of,
                                            first_sentence)

# Failures without a catalogue key, named by the error the referee showed (verdict "error").
UNNAMED = {
    "NameError": ("答案的名字没有定义（没有作答，或者它的单元格出错了）",
                  "the answer's name was not defined (not answered, or its cell failed)"),
    "CellTimeoutError": ("超时：代码没能在时限内完成", "timed out: the code did not finish in time"),
    "KernelDied": ("内核在评分时退出了", "the kernel died while it was judged"),
    "KernelStopped": ("内核不响应中断，被停止了", "the kernel ignored the interrupt and was stopped"),
    "NotRun": ("没有运行（笔记本的时间用完了，或者没有内核了）",
               "not run (the notebook's time was up, or no kernel was left)"),
}
OTHER_ERROR = ("测试没能判定答案（{}）", "the test could not judge the answer ({})")
NO_VERDICT = ("没有记录判定（这个单元格不是由裁判评判的）",
              "no verdict recorded (the cell was not judged by the referee)")
INCIDENTS = {
    verdicts.TIMED_OUT: ("超时，被中断", "timed out and was interrupted"),
    verdicts.KERNEL_DIED: ("内核退出了", "the kernel died"),
    verdicts.KERNEL_STOPPED: ("内核不响应中断，被停止了", "the kernel ignored the interrupt and was stopped"),
    verdicts.NOT_RUN: ("没有运行", "not run"),
}
# Diagnoses that say the check itself is wrong: a grading problem, not the class's mistake.
CHECK_PROBLEMS = {"check_misconfigured"}
NOT_MISUNDERSTOOD = {"unanswered", *CHECK_PROBLEMS}
FLAGGED = ("flagged", "tampering")
PROBLEMS = ("broken", "error")
CSV_COLUMNS = ["kind", "exercise", "key", "count", "of", "share", "zh", "en"]


@dataclass
class Student:
    sid: str
    status: str = "ok"
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0
    max_score: float = 0.0
    graded: bool = False  # an autograded notebook was read
    exercises: dict[str, list[float]] = field(default_factory=dict)  # exercise -> [score, points]
    diagnoses: dict[str, set[str]] = field(default_factory=dict)  # exercise -> diagnosis keys
    problems: list[tuple[str, str]] = field(default_factory=list)  # (zh, en)


@dataclass
class ClassReport:
    assignment: str
    exercises: list[str]  # in the notebooks' order
    points: dict[str, float]
    students: list[Student]
    missing: list[str]  # on the roster, no submission

    @property
    def graded(self) -> list[Student]:
        return [s for s in self.students if s.graded]

    def full_points(self, exercise: str) -> int:
        return sum(1 for s in self.graded if _full(*s.exercises.get(exercise, (0.0, 1.0))))

    def diagnoses(self, exercise: str) -> list[tuple[str, int]]:
        """(diagnosis key, how many students) for one exercise, most frequent first."""
        counts = Counter(key for s in self.graded for key in s.diagnoses.get(exercise, ()))
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def top(self, n: int = 3) -> list[tuple[str, str, int]]:
        """The n most frequent mistakes of the class, (exercise, catalogue key, students): what
        was misunderstood, so neither ``unanswered`` nor a failure without a key."""
        found = [(exercise, key, count) for exercise in self.exercises
                 for key, count in self.diagnoses(exercise)
                 if key not in NOT_MISUNDERSTOOD and not key.startswith("[")]
        return sorted(found, key=lambda item: -item[2])[:n]  # stable: the exercises' order

    def flagged(self) -> list[Student]:
        return [s for s in self.students if s.status in FLAGGED]

    def problems(self) -> list[tuple[Student, str, str]]:
        return [(s, zh, en) for s in self.students for zh, en in s.problems]

    def broken_checks(self) -> list[tuple[str, str, int]]:
        """(exercise, key, students) where the checks themselves said they are misconfigured."""
        return [(exercise, key, count) for exercise in self.exercises
                for key, count in self.diagnoses(exercise) if key in CHECK_PROBLEMS]


def _full(score: float, points: float) -> bool:
    return score >= points - 1e-9


def name(key: str) -> tuple[str, str]:
    """A diagnosis named in both languages: the catalogue's first sentence of its explanation, or
    what a failure without a key was."""
    from autograder.student.mistakes import EXPLANATIONS
    if key in EXPLANATIONS:
        zh, en = EXPLANATIONS[key]
        return first_sentence(zh, ZH_SENTENCE), first_sentence(en, EN_SENTENCE)
    inner = key.strip("[]")
    if inner in UNNAMED:
        return UNNAMED[inner]
    if inner == "no verdict":
        return NO_VERDICT
    return OTHER_ERROR[0].format(inner), OTHER_ERROR[1].format(inner)


def diagnosis_key(verdict: dict | None) -> str:
    """What a failed test is counted as: its catalogue key, else ``[the error's name]``."""
    if not verdict or "passed" not in verdict:
        return "[no verdict]"
    return verdict.get("mistake") or f"[{verdict.get('error') or 'error'}]"


# ---------------------------------------------------------------- reading what grading left


def gather(root: Path, assignment: str, api=None) -> ClassReport:
    from nbgrader.api import Gradebook, MissingEntry
    from autograder.instructor.course import make_api
    api = api or make_api(root)
    coursedir = api.coursedir
    summary = _summary(root / f"grades-{assignment}-summary.csv")
    with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
        found = gb.find_assignment(assignment)
        notebooks = [nb.name for nb in found.notebooks]
        several = len(notebooks) > 1

        def exercise(notebook: str, grade_id: str) -> str:
            return f"{notebook}:{exercise_of(grade_id)}" if several else exercise_of(grade_id)

        exercises, points = [], {}
        for nb in found.notebooks:
            cells = {cell.name: cell for cell in nb.grade_cells}
            for source in nb.source_cells:  # the notebook's order
                if source.name in cells:
                    name_ = exercise(nb.name, source.name)
                    if name_ not in points:
                        exercises.append(name_)
                    points[name_] = points.get(name_, 0.0) + float(cells[source.name].max_score)
        source_cells = {nb.name: nb.source_cells for nb in found.notebooks}
        students, missing = [], []
        for student in sorted(gb.students, key=lambda s: s.id):
            try:
                submission = gb.find_submission(assignment, student.id)
            except MissingEntry:
                missing.append(student.id)
                continue
            row = summary.get(student.id, {})
            one = Student(student.id, row.get("status", "ok"),
                          [r for r in row.get("reason", "").split("; ") if r],
                          max(0.0, submission.score - (submission.late_submission_penalty or 0)),
                          float(found.max_score))
            for nb in submission.notebooks:
                for grade in nb.grades:
                    tally = one.exercises.setdefault(exercise(nb.notebook.name, grade.name), [0.0, 0.0])
                    tally[0] += float(grade.score or 0)
                    tally[1] += float(grade.max_score or 0)
            for name_ in notebooks:
                _read_graded(one, coursedir, assignment, name_, lambda g, n=name_: exercise(n, g),
                             scan=None if student.id in summary else source_cells[name_])
            students.append(one)
    return ClassReport(assignment, exercises, points, students, missing)


def _summary(path: Path) -> dict[str, dict]:
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def _read_graded(student: Student, coursedir, assignment: str, notebook: str, exercise,
                 scan=None) -> None:
    """The verdicts and incidents of one autograded notebook; with ``scan`` (the gradebook's
    cells), the submitted notebook is also read for tampering (a student grade_class did not
    grade)."""
    path = Path(coursedir.format_path(coursedir.autograded_directory, student.sid, assignment)) \
        / f"{notebook}.ipynb"
    if not path.is_file():
        if student.status not in PROBLEMS + ("missing",):
            student.problems.append((f"{notebook}.ipynb 没有评分结果", f"{notebook}.ipynb has no graded notebook"))
        return
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as error:  # noqa: BLE001 - one unreadable file must not stop the report
        student.problems.append((f"{notebook}.ipynb 的评分结果无法读取", f"{notebook}.ipynb's graded "
                                 f"notebook cannot be read ({type(error).__name__})"))
        return
    student.graded = True
    for index, cell in enumerate(nb.cells, start=1):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        found = verdicts.of(cell)
        where = f"{notebook}: {grade_id or f'cell {index}'}"
        if found and found.get("incident") in INCIDENTS:
            zh, en = INCIDENTS[found["incident"]]
            student.problems.append((f"{where}：{zh}", f"{where}: {en}"))
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            if found is None or found.get("passed") is not True:
                student.diagnoses.setdefault(exercise(grade_id), set()).add(diagnosis_key(found))
    if scan is not None:
        _scan(student, coursedir, assignment, notebook, scan)


def _scan(student: Student, coursedir, assignment: str, notebook: str, source_cells) -> None:
    from autograder.instructor import tampering
    path = Path(coursedir.format_path(coursedir.submitted_directory, student.sid, assignment)) \
        / f"{notebook}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 - the graded copy was read; the scan is extra
        return
    cells = [tampering.SourceCell(c.name, c.cell_type, c.locked, (c.checksum,), c.source)
             for c in source_cells]
    findings = tampering.scan(nb, cells).findings
    if findings:
        student.status = "flagged"
        student.reasons += [f"{notebook}: {f}" for f in findings]


# ---------------------------------------------------------------- writing it


def share(count: int, of: int) -> str:
    return f"{round(100 * count / of)}%" if of else "–"


def rows(report: ClassReport) -> list[list]:
    """The CSV's rows (see the module)."""
    graded = len(report.graded)
    out = []
    for exercise in report.exercises:
        zh, en = exercise_label(exercise.rpartition(":")[2])
        full = report.full_points(exercise)
        out.append(["exercise", exercise, "full_points", full, graded, share(full, graded), zh, en])
        for key, count in report.diagnoses(exercise):
            out.append(["diagnosis", exercise, key, count, graded, share(count, graded), *name(key)])
    for s in report.students:
        out.append(["student", "", s.sid, f"{s.score:g}", f"{s.max_score:g}", "", s.status, ""])
    for s in report.flagged():
        reasons = "; ".join(s.reasons)
        out.append(["flagged", "", s.sid, "", "", "", f"{s.status}：{reasons}", f"{s.status}: {reasons}"])
    for s in report.students:
        if s.status in PROBLEMS:
            reasons = "; ".join(s.reasons)
            out.append(["problem", "", s.sid, "", "", "", f"{s.status}：{reasons}", f"{s.status}: {reasons}"])
    for s, zh, en in report.problems():
        out.append(["problem", "", s.sid, "", "", "", zh, en])
    for exercise, key, count in report.broken_checks():
        zh, en = _broken_check(exercise, key, count)
        out.append(["problem", exercise, key, count, graded, share(count, graded), zh, en])
    return out


def _broken_check(exercise: str, key: str, count: int) -> tuple[str, str]:
    ex_zh, ex_en = exercise_label(exercise.rpartition(":")[2])
    return (f"{ex_zh}：{count} 名学生的测试说检查本身配置有误（{key}），请检查这道题的测试",
            f"{ex_en}: the tests of {count} students say the check itself is misconfigured "
            f"({key}): check this exercise's tests")


def write(root: Path, assignment: str, api=None) -> tuple[Path, Path]:
    """Gather and write reports/<assignment>.html and .csv; their paths."""
    report = gather(root, assignment, api)
    folder = root / "reports"
    folder.mkdir(exist_ok=True)
    table = folder / f"{assignment}.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        writer.writerows(rows(report))
    page = folder / f"{assignment}.html"
    page.write_text(render(report), encoding="utf-8")
    return page, table


def _svg(figure) -> str:
    import matplotlib
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "class-report"}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def charts(report: ClassReport) -> list[tuple[str, str]]:
    """(caption, inline SVG) for the score histogram and the per-exercise bar chart."""
    from matplotlib.figure import Figure
    from helpers.fonts import use_chinese_font
    use_chinese_font()
    scores = [s.score for s in report.students]
    top = max([s.max_score for s in report.students] + [sum(report.points.values()), 1.0])
    histogram = Figure(figsize=(6.4, 3.2))
    ax = histogram.subplots()
    ax.hist(scores, bins=min(10, max(1, int(top))), range=(0, top), color="#4c72b0", edgecolor="white")
    ax.set_xlabel("得分 Score")
    ax.set_ylabel("学生人数 Students")
    ax.set_title(f"得分分布 Score distribution（{len(scores)} 人 students）")
    ax.yaxis.get_major_locator().set_params(integer=True)
    bars = Figure(figsize=(6.4, 3.4))
    ax = bars.subplots()
    labels = ["\n".join(exercise_label(e.rpartition(":")[2])) for e in report.exercises]
    graded = len(report.graded)
    values = [100 * report.full_points(e) / graded if graded else 0 for e in report.exercises]
    ax.bar(range(len(values)), values, color="#55a868")
    ax.set_xticks(range(len(values)), labels, fontsize=8)
    ax.set_ylim(0, 100)
    ax.set_ylabel("满分的比例 % Share with full points")
    ax.set_title("各练习满分的比例 Full points per exercise")
    return [("得分分布 Score distribution", _svg(histogram)),
            ("各练习满分的比例 Full points per exercise", _svg(bars))]


def render(report: ClassReport) -> str:
    e = html.escape
    graded = len(report.graded)
    scores = [s.score for s in report.students]
    total = sum(report.points.values())
    parts = [f"""<!DOCTYPE html>
<html lang="zh-Hans"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>班级报告 Class report · {e(report.assignment)}</title>
<style>{CSS}</style></head><body><main>
<h1>班级报告 Class report · {e(report.assignment)}</h1>
<p>{len(report.students)} 份提交，{graded} 份已评分；平均分 {_mean(scores)} / {total:g}，中位数 {_median(scores)}。
<br><span class="en">{len(report.students)} submissions, {graded} graded; mean score {_mean(scores)} of
{total:g}, median {_median(scores)}.</span>{_missing(report)}</p>"""]
    top = report.top(3)
    if top:
        parts.append('<h2>最常见的错误 Most common mistakes</h2><ol id="top-mistakes">')
        parts += [f"<li>{_diagnosis_line(report, ex, key, count)}</li>" for ex, key, count in top]
        parts.append("</ol>")
    parts.append('<h2>图表 Charts</h2><div class="charts">')
    parts += [f'<figure class="chart">{svg}<figcaption>{e(caption)}</figcaption></figure>'
              for caption, svg in charts(report)]
    parts.append("</div>")
    parts.append('<h2>各练习 Per exercise</h2><table id="exercises"><thead><tr><th>练习 Exercise</th>'
                 "<th>分值 Points</th><th>满分 Full points</th><th>判定 Diagnoses given</th></tr>"
                 "</thead><tbody>")
    for exercise in report.exercises:
        zh, en = exercise_label(exercise.rpartition(":")[2])
        full = report.full_points(exercise)
        given = report.diagnoses(exercise)
        items = "".join(f"<li>{_diagnosis_line(report, exercise, key, count, where=False)}</li>"
                        for key, count in given)
        parts.append(f'<tr data-exercise="{e(exercise)}"><td>{e(zh)}<br><span class="en">{e(en)}</span></td>'
                     f"<td>{report.points.get(exercise, 0):g}</td>"
                     f"<td>{share(full, graded)}（{full}/{graded}）</td>"
                     f"<td>{'<ul>' + items + '</ul>' if items else '—'}</td></tr>")
    parts.append("</tbody></table>")
    parts.append('<h2>被标记的学生 Students flagged</h2>')
    flagged = report.flagged()
    parts.append('<ul id="flagged">' + "".join(
        f"<li><b>{e(s.sid)}</b> ({e(s.status)}): {e('; '.join(s.reasons) or '—')}</li>" for s in flagged)
        + "</ul>" if flagged else "<p>没有 None.</p>")
    parts.append('<h2>评分中的问题 Grading problems</h2>')
    problems = [(s.sid, f"{s.status}：{'; '.join(s.reasons)}", f"{s.status}: {'; '.join(s.reasons)}")
                for s in report.students if s.status in PROBLEMS]
    problems += [(s.sid, zh, en) for s, zh, en in report.problems()]
    problems = [("⚠", *_broken_check(*found)) for found in report.broken_checks()] + problems
    parts.append('<ul id="problems">' + "".join(
        f'<li><b>{e(who)}</b>: {e(zh)}<br><span class="en">{e(en)}</span></li>' for who, zh, en in problems)
        + "</ul>" if problems else "<p>没有 None.</p>")
    parts.append("</main></body></html>\n")
    return "\n".join(parts)


def _diagnosis_line(report: ClassReport, exercise: str, key: str, count: int, where: bool = True) -> str:
    e = html.escape
    graded = len(report.graded)
    zh, en = name(key)
    ex_zh, ex_en = exercise_label(exercise.rpartition(":")[2])
    code = f"<code>{e(key)}</code>"
    return (f'<span class="share">{share(count, graded)}</span>（{count}/{graded}）'
            f"{e(ex_zh) + ' · ' if where else ''}{code}：{e(zh)}<br>"
            f'<span class="en">{share(count, graded)} ({count} of {graded})'
            f"{' · ' + e(ex_en) if where else ''} · {e(en)}</span>")


def _mean(values) -> str:
    return f"{statistics.fmean(values):.1f}" if values else "–"


def _median(values) -> str:
    return f"{statistics.median(values):g}" if values else "–"


def _missing(report: ClassReport) -> str:
    if not report.missing:
        return ""
    names = html.escape(", ".join(report.missing))
    return (f"<br>没有提交 No submission: {len(report.missing)}（{names}）")


CSS = """
body { font-family: system-ui, sans-serif; margin: 0; color: #222; }
main { max-width: 1100px; margin: 0 auto; padding: 1em 1.5em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; }
.en { color: #555; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.4em 0.6em; vertical-align: top; text-align: left; }
td ul { margin: 0; padding-left: 1.2em; } li { margin-bottom: 0.4em; overflow-wrap: break-word; }
.share { font-weight: bold; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure.chart { margin: 0; flex: 1 1 480px; max-width: 100%; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("--course-dir", default=".", help="course root (default: here or above)")
    args = parser.parse_args(argv)
    from autograder.instructor.course import find_root
    root = find_root(args.course_dir)
    page, table = write(root, args.assignment)
    print(f"班级报告 / class report: {page}\n表格 / table: {table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
