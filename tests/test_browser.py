"""What users see in a real browser: JupyterLab started as `make lab` starts it (details in
tests/browser.py), driven by Chromium through Playwright.

1. Every lesson notebooks/NN_*.ipynb: Run All (command notebook:run-all-cells from the command
   palette) ends with every code cell run; only cells tagged `raises-exception` show an error;
   every Graphviz graph (SVG) and matplotlib figure (PNG) is drawn with a non-zero size; the page
   draws the Chinese text of a markdown cell with a font that has Chinese glyphs.
2. A student copies the first assignment of release/ into workspace/ (scripts.workspace, as
   `make assignment` does), answers its first exercise with visible tests wrong by typing in
   the editor (the answers above it right), runs the test cell
   and sees the bilingual diagnosis (no traceback); answers it right and sees "visible tests
   passed"; 3. presses nbgrader's Validate button and sees its dialog.
4. The Formgrader lists every assignment of source/.
5. The instructor releases the assignment from the Formgrader and the student fetches it from
   the Assignment List (skipped while nbgrader_config.py sets no c.Exchange.root).
6. At 1280 px, a graded student's feedback page (tests/report_class.py's class) shows its first
   diagnosis without scrolling, sideways or down, and wraps the messages; a student's script
   does not run; the class report's charts draw their Chinese with a font that has the glyphs.

Screenshots of each step: build/browser/NN_step.png. Wrong and right answers come from
tests/submissions/NN_name.yml and the source notebook's solution, so the test follows the
assignment. Without Chromium or Playwright the module skips, except under CI (CI=true): fails.
"""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.text import bilingual
from tests.browser import (ACTIVE, CHROMIUM_ARGS, CJK_FONT, HAN, REPO, SHOTS, Lab, code_cells,
                           focus_notebook, fonts_of, fonts_rendering_chinese, menu, open_in_lab,
                           open_notebook, pictures, require_browser, run_and_wait, run_cell,
                           run_command, scratch_course, set_cell_source, shoot, wait_for_all_cells)

pytestmark = pytest.mark.timeout(300)

LESSONS = sorted(REPO.glob("notebooks/[0-9][0-9]_*.ipynb"))
SOURCES = sorted(p.name for p in (REPO / "source").glob("[0-9][0-9]_*") if p.is_dir())
RELEASED = sorted(p.name for p in (REPO / "release").glob("[0-9][0-9]_*") if p.is_dir())
# The student's assignment: chapter 01's once it is released, else the first one released.
ASSIGNMENT = RELEASED[0] if RELEASED else None
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PICTURE_MIMES = ("image/svg+xml", "image/png")
RUN_TIMEOUT = 150  # seconds for one Run All; the slowest lesson takes ~20 s on an idle machine


AFTER_LESSONS = len(LESSONS)


def step_name(n: int, name: str) -> str:
    """Screenshots are numbered in the order of the steps: the lessons first."""
    return f"{n:02d}_{name}"


@pytest.fixture(scope="module")
def chromium():
    return require_browser()


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    scratch = tmp_path_factory.mktemp("browser")
    server = Lab(scratch_course(scratch / "course"), scratch)
    try:
        server.wait_until_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def page(lab, chromium):
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
            page.set_default_timeout(30_000)
            # "Leave the page? Changes you made may not be saved": yes (a scratch copy).
            page.on("dialog", lambda dialog: dialog.accept())
            yield page
        finally:
            browser.close()


def cell_tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def shown_as(output) -> str | None:
    """The MIME type JupyterLab renders for a stored output (its first choice among the data)."""
    data = output.get("data", {})
    for mime in ("application/javascript", "text/html", "text/markdown", "text/latex",
                 "image/svg+xml", "image/png", "image/jpeg", "text/plain"):
        if mime in data:
            return mime
    return None


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_all_in_the_browser(page, lab, lesson):
    path = str(lesson.relative_to(REPO))
    name = step_name(LESSONS.index(lesson) + 1, f"lesson_{lesson.stem}")
    nb = nbformat.read(lesson, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    expected_pictures = sum(shown_as(out) in PICTURE_MIMES
                            for cell in code for out in cell.get("outputs", []))

    open_notebook(page, lab, path)
    focus_notebook(page)
    # Outputs and counts stored in the file would hide cells that did not run: clear them first.
    run_command(page, "notebook:clear-all-cell-outputs", "Clear Outputs of All Cells")
    run_and_wait(page, lambda: run_command(page, "notebook:run-all-cells", "Run All Cells"),
                 RUN_TIMEOUT, f"Run All in {path}", cells=len(nb.cells))
    cells = code_cells(page)
    assert len(cells) == len(code), (
        f"{path}: the page shows {len(cells)} code cells, the file has {len(code)}")

    unexpected = [(i, c) for i, c in enumerate(cells)
                  if c["errors"] and "raises-exception" not in cell_tags(code[i])]
    if unexpected:
        page.locator(f"{ACTIVE} .jp-CodeCell").nth(unexpected[0][0]).scroll_into_view_if_needed()
        shot = shoot(page, name)
        pytest.fail(f"{path}: errors in cells not tagged raises-exception (screenshot {shot}):\n"
                    + "\n".join(f"code cell {i + 1} {c['prompt']} {c['source'][:80]!r}:\n"
                                f"{c['errors'][0][-800:]}" for i, c in unexpected), pytrace=False)
    not_run = [(i + 1, c["prompt"], c["source"][:80]) for i, c in enumerate(cells)
               if not re.fullmatch(r"\[\d+\]:", c["prompt"])]
    assert not not_run, f"{path}: code cells without an execution count after Run All: {not_run}"

    found = pictures(page)  # scrolls to each; the screenshot shows the last one
    shot = shoot(page, name)
    assert len(found) == expected_pictures, (f"{path}: {len(found)} graphs/figures on the page, "
                                             f"{expected_pictures} in the stored outputs")
    empty = [p for p in found if not (p["width"] > 0 and p["height"] > 0 and p["natural"] != 0)]
    assert not empty, f"{path}: pictures drawn with no size (screenshot {shot}): {empty}"

    text, fonts = fonts_rendering_chinese(page)
    assert text, f"{path}: no Chinese paragraph or heading in its markdown cells"
    han = len(HAN.findall(text))
    cjk_glyphs = sum(f["glyphCount"] for f in fonts if CJK_FONT.search(f["familyName"]))
    assert cjk_glyphs >= han, (
        f"{path}: the page draws {text[:40]!r} ({han} Chinese characters) with {fonts}: no font "
        "with Chinese glyphs (install fonts-noto-cjk: scripts/system-deps.sh)")
    lab.shut_down_kernels(wait=False)


# ---- 2 + 3: a student answers an exercise and validates ----------------------------------------

def solution_source(cell) -> str:
    """nbgrader's solution: the source cell without its BEGIN/END SOLUTION lines."""
    lines = [line for line in cell.source.splitlines()
             if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
    return textwrap.dedent("\n".join(lines)) + "\n"


def first_exercise(assignment: str) -> dict:
    """The first exercise whose visible tests judge the answer (a prediction's only check that it
    was answered): its answer cells (every one above its test cell), the test cell, the right
    answers (the solution) and a wrong student from tests/submissions/<assignment>.yml: the first
    one whose description starts with "exN:" (their convention) and whose mistake shows in the
    visible tests."""
    release = nbformat.read(REPO / "release" / assignment / f"{assignment}.ipynb", as_version=4)
    source = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    specs = yaml.safe_load((REPO / "tests" / "submissions" / f"{assignment}.yml").read_text(
        encoding="utf-8"))["students"]
    meta = [c.metadata.get("nbgrader", {}) for c in release.cells]
    code = [cell.cell_type == "code" for cell in release.cells]
    for test in (i for i, m in enumerate(meta) if m.get("grade") and code[i]):
        if re.search(r"\bcheck_(?!answered)\w+\(", release.cells[test].source) is None:
            continue  # a prediction: judged at grading time only
        number = re.match(r"ex(\d+)_", meta[test]["grade_id"]).group(1)
        answers = [i for i in range(test) if meta[i].get("solution") and code[i]]
        grade_ids = [meta[i]["grade_id"] for i in answers]
        solutions = {c.metadata["nbgrader"]["grade_id"]: solution_source(c) for c in source.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") in grade_ids}
        wrong = [(sid, spec) for sid, spec in specs.items()
                 if re.match(rf"\s*ex{number}\b", spec.get("description", ""))
                 and "passes the visible tests" not in spec["description"]
                 and not spec.get("delete_cells") and spec.get("expected_messages")
                 and any((spec.get("answers") or {}).get(g, solutions[g]).strip() != solutions[g].strip()
                         for g in grade_ids)]
        if not wrong:
            continue
        sid, spec = wrong[0]
        return {"number": number, "cells": len(release.cells), "test": test, "answers": answers,
                "test_source": release.cells[test].source,
                "right": [solutions[g] for g in grade_ids],
                "wrong": [spec["answers"].get(g, solutions[g]) for g in grade_ids],
                "wrong_student": sid, "wrong_messages": spec["expected_messages"]}
    raise AssertionError(f"tests/submissions/{assignment}.yml has no student with a wrong answer to "
                         f"an exercise with visible tests (description starting with 'exN:') for "
                         f"the browser test to type in")


def output_of(page, cell_index: int):
    cell = page.locator(f"{ACTIVE} .jp-Notebook .jp-Cell").nth(cell_index)
    cell.scroll_into_view_if_needed()
    return cell.locator(".jp-OutputArea").inner_text(), cell.locator(STDERR).count()


def answer(page, exercise: dict, sources: list[str], what: str) -> tuple[str, int]:
    """Type the answers, run the cells above the test cell (the answers among them), then it."""
    for index, source in zip(exercise["answers"], sources):
        set_cell_source(page, index, source)
    focus_notebook(page, exercise["test"])
    run_and_wait(page, lambda: run_command(page, "notebook:run-all-above", "Run All Above"),
                 120, f"{what}: Run All Above Selected Cell")
    failed = [c for c in code_cells(page) if c["index"] < exercise["test"] and c["errors"]]
    assert not failed, f"{what}: a cell above the test cell failed: {failed[0]}"
    run_cell(page, exercise["test"], f"{what}: the test cell")
    return output_of(page, exercise["test"])


@pytest.mark.skipif(ASSIGNMENT is None, reason="release/ has no assignment yet")
def test_student_sees_diagnosis_then_passes_then_validates(page, lab):
    from scripts.workspace import copy_assignment  # what `make assignment CHAPTER=NN` does

    exercise = first_exercise(ASSIGNMENT)
    notebook = copy_assignment(ASSIGNMENT[:2], root=lab.root)
    open_in_lab(page, lab, str(notebook.relative_to(lab.root)))
    wait_for_all_cells(page, exercise["cells"])

    # Wrong answer: the bilingual diagnosis, no traceback.
    number = exercise["number"]
    text, errors = answer(page, exercise, exercise["wrong"], f"{ASSIGNMENT} ex. {number}, wrong answer")
    shot = shoot(page, step_name(AFTER_LESSONS + 1, "assignment_wrong_answer"))
    where = f"{ASSIGNMENT} exercise {number} answered as {exercise['wrong_student']!r} (screenshot {shot})"
    assert errors, f"{where}: the test cell shows no error:\n{text}"
    assert "Traceback" not in text, f"{where}: a traceback instead of a diagnosis:\n{text}"
    assert HAN.search(text) and re.search(r"[A-Za-z]+(?:[ ,:'][A-Za-z()]+){3}", text), (
        f"{where}: the diagnosis is not in Chinese and English:\n{text}")
    assert any(m in text for m in exercise["wrong_messages"]), (
        f"{where}: none of {exercise['wrong_messages']} in:\n{text}")

    # Right answer: it passes.
    text, errors = answer(page, exercise, exercise["right"], f"{ASSIGNMENT} ex. {number}, right answer")
    shot = shoot(page, step_name(AFTER_LESSONS + 2, "assignment_right_answer"))
    assert not errors and "visible tests passed" in text, (
        f"{ASSIGNMENT} exercise {number} answered right (screenshot {shot}):\n{text}")

    # Validate (saves, then runs the whole notebook on the server): a dialog with the results.
    page.locator(f"{ACTIVE} .validate-button").click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=150_000)
    shot = shoot(page, step_name(AFTER_LESSONS + 3, "validate"))
    content = dialog.inner_text()
    assert "Validation Results" in content, (
        f"the Validate dialog (screenshot {shot}):\n{content[:2000]}")
    squash = lambda s: " ".join(s.split())  # noqa: E731
    assert squash(exercise["test_source"]) not in squash(content), (
        f"Validate still lists exercise {number}'s test cell as failing (screenshot {shot})")
    dialog.locator(".jp-Dialog-button").last.click()
    lab.shut_down_kernels()


# ---- 4 + 5: the instructor's Formgrader, the student's Assignment List -------------------------

def assignment_names(frame) -> set[str]:
    frame.locator("#main-table td.name a").first.wait_for(timeout=60_000)
    return set(frame.locator("#main-table td.name a").all_inner_texts())


def test_formgrader_lists_every_assignment(page, lab):
    open_in_lab(page, lab)
    menu(page, "Nbgrader", "nbgrader:open-formgrader")
    frame = page.frame_locator(".jp-MainAreaWidget:not(.lm-mod-hidden) iframe").first
    try:
        names = assignment_names(frame)
    except Exception as error:
        shot = shoot(page, step_name(AFTER_LESSONS + 4, "formgrader"))
        raise AssertionError(f"the Formgrader lists no assignment (screenshot {shot}): {error}\n"
                             f"server log:\n{lab.log_tail()}") from None
    shot = shoot(page, step_name(AFTER_LESSONS + 4, "formgrader"))
    assert names == set(SOURCES), (f"the Formgrader lists {sorted(names)}, source/ has {SOURCES} "
                                   f"(screenshot {shot})")


def exchange_root(course) -> str | None:
    """c.Exchange.root as the course's nbgrader_config.py sets it (None: not set)."""
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    return config.Exchange.root if "root" in config.Exchange else None


@pytest.mark.skipif(ASSIGNMENT is None, reason="release/ has no assignment yet")
def test_student_fetches_from_the_assignment_list(page, lab):
    root = exchange_root(lab.root)
    if root is None:
        pytest.skip(bilingual("nbgrader_config.py 没有设置 c.Exchange.root，作业列表无法工作。",
                              "nbgrader_config.py sets no c.Exchange.root: no Assignment List."))
    # The instructor creates the exchange once (nbgrader's docs: a folder everyone can write);
    # until then the Formgrader has no Release button and the Assignment List says "Error
    # fetching courses!".
    Path(root).mkdir(parents=True, exist_ok=True)
    Path(root).chmod(0o777)

    page.goto(f"{lab.url}/formgrader?token={lab.token}")
    row = page.locator("#main-table tr", has=page.locator("td.name a", has_text=re.compile(
        f"^{ASSIGNMENT}$")))
    row.locator("td.release a").click()
    modal = page.locator(".modal.in", has_text="Successfully released")
    try:
        modal.wait_for(timeout=60_000)
        page.wait_for_function(  # faded in, for the screenshot
            "() => getComputedStyle(document.querySelector('.modal.in')).opacity === '1'")
    finally:
        shoot(page, step_name(AFTER_LESSONS + 5, "formgrader_release"))
    modal.locator("button", has_text="OK").first.click()

    open_in_lab(page, lab)
    menu(page, "Nbgrader", "nbgrader:open-assignment-list")
    panel = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)")
    released = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
    try:
        released.wait_for(timeout=60_000)
    finally:
        shot = shoot(page, step_name(AFTER_LESSONS + 6, "assignment_list"))
    assert "Error fetching courses" not in panel.inner_text(), f"screenshot {shot}"
    released.locator("button", has_text="Fetch").click()
    fetched = panel.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT)
    fetched.wait_for(timeout=60_000)
    shot = shoot(page, step_name(AFTER_LESSONS + 7, "assignment_fetched"))
    assert (lab.root / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), (
        f"Fetch put no {ASSIGNMENT}/{ASSIGNMENT}.ipynb in the course folder (screenshot {shot})")


# ---- 6: the feedback page and the class report, read at 1280 px ------------------------------

WIDTHS_JS = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def test_feedback_and_class_report_read_at_a_glance(page, tmp_path_factory):
    from tests.report_class import ASSIGNMENT, feedback, graded_class

    course = graded_class(tmp_path_factory)
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        page.goto(feedback(course, "float32").as_uri(), wait_until="domcontentloaded")
        first = page.locator("#summary .diagnosis").first
        box, (scroll, client) = first.bounding_box(), page.evaluate(WIDTHS_JS)
        shot = shoot(page, step_name(AFTER_LESSONS + 8, "feedback"))
        assert scroll <= client, f"the feedback page scrolls sideways: {scroll} > {client} px ({shot})"
        assert first.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= client \
            and box["y"] + box["height"] <= 900, f"the first diagnosis is not in view: {box} ({shot})"
        message = page.locator("div.output_error pre").first
        message.scroll_into_view_if_needed()
        shot = shoot(page, step_name(AFTER_LESSONS + 9, "feedback_message"))
        assert message.evaluate("e => e.scrollWidth <= e.clientWidth"), f"an unwrapped message ({shot})"

        page.goto(feedback(course, "cheat").as_uri(), wait_until="domcontentloaded")
        assert page.evaluate("() => window.pwned === undefined"), "a student's script ran"

        page.goto((course / "reports" / f"{ASSIGNMENT}.html").as_uri(), wait_until="domcontentloaded")
        page.locator("figure.chart").first.scroll_into_view_if_needed()
        shot = shoot(page, step_name(AFTER_LESSONS + 10, "class_report"))
        assert page.locator("figure.chart svg").count() == 2, f"two charts expected ({shot})"
        drawn = [(text, fonts) for text, fonts in fonts_of(page, "figure.chart svg text")
                 if HAN.search(text)]
        assert drawn, f"no Chinese text in the charts ({shot})"
        for text, fonts in drawn:
            glyphs = sum(f["glyphCount"] for f in fonts if CJK_FONT.search(f["familyName"]))
            assert glyphs >= len(HAN.findall(text)), (
                f"the chart text {text!r} is drawn with {fonts}: no font with Chinese glyphs ({shot})")
    finally:
        page.set_viewport_size({"width": 1400, "height": 900})
