"""SafeOutputs: a graded notebook's outputs are safe to show and cannot be read as a score."""
import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.utils import determine_grade

from autograder.instructor.outputs import REMOVED, SafeOutputs

GRADED = {"nbgrader": {"grade": True, "grade_id": "ex1_test", "points": 5, "solution": False,
                       "locked": True, "schema_version": 3, "task": False}}


def _run(*cells):
    nb = new_notebook(cells=list(cells))
    nb, _ = SafeOutputs().preprocess(nb, {})
    return nb.cells


def test_active_content_is_removed_and_plain_text_and_pictures_stay():
    cell = new_code_cell("show()", outputs=[new_output("display_data", data={
        "text/html": "<script>steal()</script>", "application/javascript": "steal()",
        "image/svg+xml": "<svg onload='steal()'/>", "image/png": "iVBORw0KGgo=",
        "text/plain": "<Figure>"})])
    (out,) = _run(cell)[0].outputs
    assert set(out.data) == {"image/png", "text/plain"}
    assert "<Figure>" in out.data["text/plain"] and REMOVED in out.data["text/plain"]


def test_one_huge_line_is_capped_in_bytes():
    cell = new_code_cell("print('x' * 10**7)",
                         outputs=[new_output("stream", name="stdout", text="x" * 10**7)])
    text = _run(cell)[0].outputs[0].text
    assert len(text.encode()) < 21_000 and "truncated" in text


def test_an_execute_result_in_a_test_cell_is_never_read_as_a_score():
    cell = new_code_cell("check()", metadata=GRADED, outputs=[
        new_output("execute_result", data={"text/plain": "-1"}, execution_count=3),
        new_output("error", ename="GradingError", evalue="wrong", traceback=["wrong"])])
    before = determine_grade(nbformat.from_dict(cell))
    (safe,) = _run(cell)
    assert before != (0, 5.0), "nbgrader reads the execute_result first (the exploit)"
    assert determine_grade(safe) == (0, 5.0)
    assert safe.outputs[0].output_type == "display_data"


def test_a_test_cell_traceback_never_quotes_the_cell():
    cell = new_code_cell("check()", metadata=GRADED, outputs=[new_output(
        "error", ename="KeyboardInterrupt", evalue="",
        traceback=["----> 31 _case(x)", "     34 ### BEGIN HIDDEN TESTS", "KeyboardInterrupt: "])])
    diagnosis = new_code_cell("check()", metadata=GRADED, outputs=[new_output(
        "error", ename="GradingError", evalue="wrong", traceback=["GradingError:", "中文", "English"])])
    safe, kept = _run(cell, diagnosis)
    assert safe.outputs[0].traceback == ["KeyboardInterrupt: "]
    assert kept.outputs[0].traceback == ["GradingError:", "中文", "English"]


def test_a_test_cell_the_referee_judged_keeps_its_bilingual_lines():
    judged = new_code_cell("check()", metadata={**GRADED, "autograder": {"passed": False}}, outputs=[
        new_output("error", ename="NameError", evalue="f is not defined.",
                   traceback=["NameError:", "f 还没有定义。", "f is not defined."])])
    assert _run(judged)[0].outputs[0].traceback == ["NameError:", "f 还没有定义。", "f is not defined."]


def test_markdown_is_rendered_without_active_content():
    from autograder.instructor.outputs import safe_markdown2html
    html = safe_markdown2html("# 标题\n\n*x* `a < b` $x^2$ <script>alert(1)</script> "
                              "<img src=p.png onerror=alert(1)> [l](javascript:alert(1))")
    assert "<h1" in html and "<em>x</em>" in html and "<code>a &lt; b</code>" in html
    assert "$x^2$" in html and '<img src="p.png">' in html
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
