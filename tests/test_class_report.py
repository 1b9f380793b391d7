"""The verdicts recorded while grading, the feedback page made from them and the class report.

A tiny class with known mistakes (tests/report_class.py) is graded once by grade_class; the tests
read what it left: the verdicts in the graded notebooks, the feedback pages, reports/<assignment>
.html and .csv. The report is rebuilt by ``--resume`` and by the report command alone (the
Formgrader's path, without grade_class's summary). The counting itself is checked on a class
made by hand, without grading."""
from __future__ import annotations

import csv
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.instructor import report, verdicts
from autograder.instructor.feedback import failure, first_sentences, split_languages
from autograder.instructor.referee import StudentTimeout, error_output
from autograder.student import cases
from autograder.student.checks import GradingError
from autograder.student.mistakes import EXPLANATIONS
from tests.report_class import (ACTIVE_CONTENT, ASSIGNMENT, BROKEN, DTYPE_KIND, HIDDEN_MARKER,
                                autograded, copy_of, feedback, grade, graded_class)

OTHER = list(verdicts.OTHER_CASES)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return graded_class(tmp_path_factory)


def _verdicts(course, student) -> dict:
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.metadata["autograder"]
            for cell in autograded(course, student).cells if "autograder" in cell.metadata}


def _failed(mistake, part, case=None, error="GradingError"):
    return {"passed": False, "mistake": mistake, "part": part, "case": case, "error": error}


PASSED = {"passed": True, "mistake": None, "part": None, "case": None, "error": None}


# ---------------------------------------------------------------- the verdicts


def test_the_referee_records_each_test_cells_verdict(course):
    assert _verdicts(course, "full") == {"ex1_test": PASSED, "ex2_test": PASSED}
    assert _verdicts(course, "blank") == {"ex1_test": _failed("unanswered", "visible"),
                                          "ex2_test": _failed("unanswered", "visible")}
    assert _verdicts(course, "flattens")["ex1_test"] == _failed("wrong_shape", "hidden", OTHER)
    assert _verdicts(course, "float32")["ex1_test"] == _failed("wrong_dtype", "hidden",
                                                               list(DTYPE_KIND))


def test_a_lost_kernel_is_recorded_where_it_happened(course):
    found = _verdicts(course, "dies")
    assert found["ex2_rows"] == {"incident": verdicts.KERNEL_DIED}
    assert found["ex2_test"] == _failed(None, "visible", error="NameError")


def test_verdicts_the_submission_carried_are_dropped(course):
    """The student planted "passed" verdicts in every cell: only the referee's remain."""
    assert _verdicts(course, "returns_none") == {"ex1_test": _failed("answer_is_none", "visible"),
                                                 "ex2_test": PASSED}


def test_a_failure_takes_the_innermost_kind_and_hidden_tests_fall_back_to_other_cases():
    with pytest.raises(GradingError) as raised:
        with cases.kind("外层", "outer"), cases.kind("内层", "inner"):
            raise GradingError("错。\nWrong.", "wrong_shape")
    assert raised.value.case == ("内层", "inner")
    assert verdicts.judged(raised.value, "hidden", "GradingError")["case"] == ["内层", "inner"]
    assert verdicts.judged(raised.value, "visible", "GradingError")["case"] is None
    assert verdicts.judged(GradingError("x", "wrong_shape"), "hidden", "GradingError")["case"] == OTHER
    timeout = StudentTimeout("did not finish within 2 s")
    judged = verdicts.judged(timeout, "hidden", error_output(timeout)["ename"])
    assert judged["error"] == "CellTimeoutError" and judged["incident"] == verdicts.TIMED_OUT
    assert verdicts.judged(None, "hidden", None) == PASSED


def test_a_diagnosis_splits_into_its_first_sentences():
    lines = ["\x1b[0;31mGradingError\x1b[0m:", "你的答案 f(0.3) = 3 正是一个常见错误的结果。浮点数里",
             "0.3 / 0.1 = 2.9999999。", "Your answer f(0.3) = 3 is what a common mistake gives. "
             "In floating point 0.3 / 0.1 = 2.9999999."]
    assert split_languages(lines)[0].endswith("2.9999999。")
    assert first_sentences(lines) == ("你的答案 f(0.3) = 3 正是一个常见错误的结果。",
                                      "Your answer f(0.3) = 3 is what a common mistake gives.")


def test_a_known_mistake_adds_what_the_catalogue_says_of_it():
    cell = nbformat.v4.new_code_cell(metadata={"nbgrader": {"grade_id": "ex1_test", "grade": True},
                                               "autograder": {"passed": False, "mistake": "wrong_dtype",
                                                              "part": "visible"}})
    cell.outputs = [nbformat.v4.new_output("error", ename="GradingError", evalue="", traceback=[
        "GradingError:", "f(x) 正好等于一个常见错误的结果。", "f(x) is exactly what a common mistake gives."])]
    said = failure(cell)
    zh_explained, en_explained = EXPLANATIONS["wrong_dtype"]
    assert said["zh"].startswith("f(x) 正好等于一个常见错误的结果。") and zh_explained[:10] in said["zh"]
    assert said["en"].startswith("f(x) is exactly what a common mistake gives. ")
    assert en_explained.split(".")[0] in said["en"]


# ---------------------------------------------------------------- the feedback page


def test_the_feedback_page_leads_with_each_exercises_points_and_diagnoses(course):
    page = feedback(course, "float32").read_text(encoding="utf-8")
    summary = page[page.index('<section id="summary">'):page.index("</section>")]
    ex1, ex2 = summary.split('<tr class="exercise"')[1:]
    assert 'data-exercise="ex1"' in ex1 and "0 / 3" in ex1 and 'href="#ex1_test"' in ex1
    assert f"隐藏测试 Hidden test（{DTYPE_KIND[0]} · {DTYPE_KIND[1]}）" in ex1
    assert "double(z) 的数据类型是 torch.float32，应为 torch.float64。" in ex1
    assert "double(z) has dtype torch.float32, expected torch.float64.</p>" in ex1
    assert "2 / 2" in ex2 and "全部通过 All passed" in ex2
    assert '<a id="ex1_test"></a>' in page  # where the link goes
    assert f"隐藏测试没有通过：{DTYPE_KIND[0]}。" in page  # above the cell's output


def test_the_feedback_page_speaks_both_languages_and_names_unlabelled_hidden_cases(course):
    page = feedback(course, "flattens").read_text(encoding="utf-8")
    for label in ("学生的答案 Student's answer", "测试单元格 Test cell", "得分 Score",
                  "回到顶部 Top", "没有通过的测试 Tests not passed"):
        assert label in page
    assert "(Score:" not in page and ">Student's answer" not in page  # nbgrader's English labels
    assert f"隐藏测试 Hidden test（{OTHER[0]} · {OTHER[1]}）" in page
    assert "可见测试 Visible test" in feedback(course, "returns_none").read_text(encoding="utf-8")
    dies = feedback(course, "dies").read_text(encoding="utf-8")  # not a GradingError: both languages
    assert '"zh">row_sums 还没有定义。</p>' in dies and '"en">row_sums is not defined.</p>' in dies


def test_the_feedback_carries_no_hidden_test_and_no_student_script(course):
    pages = {s: feedback(course, s).read_text(encoding="utf-8")
             for s in ("full", "blank", "flattens", "float32", "dies", "cheat", "returns_none")}
    for student, page in pages.items():
        assert "HIDDEN TESTS" not in page and HIDDEN_MARKER not in page, student
        assert "cases.kind" not in page and "cases.randn(3, 2" not in page, student
    cheat = pages["cheat"]
    assert "我的笔记 My notes" in cheat
    assert "<script>window.pwned" not in cheat and "onerror" not in cheat and ACTIVE_CONTENT not in cheat


# ---------------------------------------------------------------- the class report


def _rows(path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _counts(rows, kind) -> dict:
    return {(r["exercise"], r["key"]): (int(r["count"]), int(r["of"]), r["share"])
            for r in rows if r["kind"] == kind}


EXERCISES = {("ex1", "full_points"): (2, 7, "29%"), ("ex2", "full_points"): (5, 7, "71%")}
DIAGNOSES = {("ex1", "wrong_dtype"): (2, 7, "29%"), ("ex1", "answer_is_none"): (1, 7, "14%"),
             ("ex1", "unanswered"): (1, 7, "14%"), ("ex1", "wrong_shape"): (1, 7, "14%"),
             ("ex2", "[NameError]"): (1, 7, "14%"), ("ex2", "unanswered"): (1, 7, "14%")}


def test_the_report_counts_full_points_and_diagnoses_per_exercise(course):
    rows = _rows(course / "reports" / f"{ASSIGNMENT}.csv")
    assert _counts(rows, "exercise") == EXERCISES
    assert _counts(rows, "diagnosis") == DIAGNOSES
    named = {r["key"]: (r["zh"], r["en"]) for r in rows if r["kind"] == "diagnosis"}
    assert named["wrong_dtype"] == ("数据类型决定了数值的精度和能做的运算：例如整数张量不能保存小数，也不能求梯度。",
                                    "The dtype decides the precision and which operations are "
                                    "possible: an integer tensor, for example, cannot hold "
                                    "fractions or have a gradient.")
    scores = {r["key"]: float(r["count"]) for r in rows if r["kind"] == "student"}
    assert scores == {"blank": 0, BROKEN: 0, "cheat": 5, "dies": 0, "flattens": 2, "float32": 2,
                      "full": 5, "returns_none": 2}
    assert [r["key"] for r in rows if r["kind"] == "flagged"] == ["cheat"]
    problems = [(r["key"], r["en"]) for r in rows if r["kind"] == "problem"]
    assert [key for key, _ in problems] == [BROKEN, "dies"]
    assert "ex2_rows: the kernel died" in problems[1][1]


def test_the_report_page_names_the_top_mistakes_and_draws_both_charts(course):
    page = (course / "reports" / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")
    top = re.findall(r"<code>(\w+)</code>", page[page.index('id="top-mistakes"'):page.index("</ol>")])
    assert top == ["wrong_dtype", "answer_is_none", "wrong_shape"]
    assert "29%" in page and "2 of 7" in page and "练习 1" in page
    charts = re.findall(r'<figure class="chart"><svg.*?</svg>', page, re.S)
    assert len(charts) == 2
    for chart in charts:
        assert re.search(r"<text[^>]*>[^<]*[\u4e00-\u9fff]", chart), "no Chinese as SVG text"
    assert "<script" not in page
    assert "ex2_rows: the kernel died" in page and "changes torch.allclose" in page


def test_the_report_is_rebuilt_after_resume(course, tmp_path):
    copy = copy_of(course, tmp_path / "course")
    before = (copy / "reports" / f"{ASSIGNMENT}.csv").read_text(encoding="utf-8")
    for path in (copy / "reports").iterdir():
        path.unlink()
    proc = grade(copy, "--resume")
    assert proc.returncode == 0 and "resuming: 8 students" in proc.stdout, proc.stdout + proc.stderr
    assert (copy / "reports" / f"{ASSIGNMENT}.csv").read_text(encoding="utf-8") == before
    assert (copy / "reports" / f"{ASSIGNMENT}.html").is_file()


def test_the_report_command_reads_a_class_graded_without_grade_class(course, tmp_path):
    """As after the Formgrader's Autograde: the gradebook and the graded notebooks, no summary."""
    copy = copy_of(course, tmp_path / "course")
    (copy / f"grades-{ASSIGNMENT}-summary.csv").unlink()
    for path in (copy / "reports").iterdir():
        path.unlink()
    proc = subprocess.run([sys.executable, "-m", "autograder.instructor.report", ASSIGNMENT],
                          cwd=copy, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(copy / "reports" / f"{ASSIGNMENT}.csv")
    assert _counts(rows, "exercise") == EXERCISES and _counts(rows, "diagnosis") == DIAGNOSES
    flagged = [r for r in rows if r["kind"] == "flagged"]
    assert [r["key"] for r in flagged] == ["cheat"] and "torch.allclose" in flagged[0]["en"]
    assert {r["key"] for r in rows if r["kind"] == "problem"} == {BROKEN, "dies"}


def test_each_student_counts_once_per_diagnosis_and_exercise():
    one = report.Student("a", graded=True, exercises={"ex1": [0.0, 2.0], "ex2": [1.0, 1.0]},
                         diagnoses={"ex1": {"wrong_shape"}})
    two = report.Student("b", graded=True, exercises={"ex1": [2.0, 2.0], "ex2": [0.0, 1.0]},
                         diagnoses={"ex2": {"wrong_shape", "[CellTimeoutError]"}})
    absent = report.Student("c", status="broken")
    made = report.ClassReport("a1", ["ex1", "ex2"], {"ex1": 2.0, "ex2": 1.0}, [one, two, absent], [])
    assert made.full_points("ex1") == 1 and made.full_points("ex2") == 1
    assert made.diagnoses("ex2") == [("[CellTimeoutError]", 1), ("wrong_shape", 1)]
    assert made.top() == [("ex1", "wrong_shape", 1), ("ex2", "wrong_shape", 1)]
    assert report.name("[CellTimeoutError]")[1] == "timed out: the code did not finish in time"
    assert report.diagnosis_key(None) == "[no verdict]"
    rows = report.rows(made)
    assert ["exercise", "ex1", "full_points", 1, 2, "50%"] == rows[0][:6]
    two.diagnoses["ex2"].add("check_misconfigured")  # the check's fault, not a mistake
    assert made.top() == [("ex1", "wrong_shape", 1), ("ex2", "wrong_shape", 1)]
    assert made.broken_checks() == [("ex2", "check_misconfigured", 1)]
    assert report.rows(made)[-1][:4] == ["problem", "ex2", "check_misconfigured", 1]
