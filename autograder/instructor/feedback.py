"""The feedback page a student reads at a glance, made by nbgrader's GenerateFeedback.

nbgrader_config.py plugs two things into it, both nbgrader's own extension points:

* :class:`Diagnoses`, a preprocessor (``c.GenerateFeedback.preprocessors``, after GetGrades):
  per exercise its points and, for every test that failed, where (visible or hidden test, and a
  hidden test's kind of case, from the verdict the referee recorded: verdicts.py) and the first
  sentence of its diagnosis in Chinese and in English, taken from the cell's error output (the
  referee's own). It puts them in ``resources["autograder"]``; nothing is added to the notebook.
* the template ``templates/feedback/index.html.j2`` (``c.GenerateFeedback.HTMLExporter.
  extra_template_basedirs``; nbgrader's API asks for the template named "feedback", so ours has
  that name): bilingual labels, the summary table at the top with links to the cells, messages
  that wrap to the page width, and a failed hidden test's kind of case above its output. It
  escapes everything it prints; the outputs and Markdown cells stay sanitized as configured
  (``c.HTMLExporter.sanitize_html``, outputs.safe_markdown2html), and ClearHiddenTests still runs
  after this preprocessor.
"""
from __future__ import annotations

import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor

from autograder.instructor import verdicts
from autograder.student.mistakes import EXPLANATIONS

TEMPLATES = str(Path(__file__).resolve().parent / "templates")
EXERCISE = re.compile(r"ex(\d+)_")
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
HAN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")  # and CJK punctuation
ZH_SENTENCE = re.compile(r".+?[。！？]")
EN_SENTENCE = re.compile(r".+?[.!?](?=\s|$)")
LONGEST = 240  # characters of a first sentence shown in the summary
# A cell that lost points without a failed verdict of the referee (points withheld or set by hand).
SEE_THE_CELL = ("这个单元格的分数由老师给出或调整，详见该单元格和评语。",
                "The instructor set or changed this cell's points: see the cell and the comments.")


def exercise_of(grade_id: str) -> str:
    """``ex3`` for ``ex3_test_shape``; a grade_id without the prefix is its own exercise."""
    match = EXERCISE.match(grade_id or "")
    return f"ex{int(match.group(1))}" if match else grade_id


def exercise_label(exercise: str) -> tuple[str, str]:
    match = re.fullmatch(r"ex(\d+)", exercise)
    if match:
        return f"练习 {match.group(1)}", f"Exercise {match.group(1)}"
    return exercise, exercise


def split_languages(lines) -> tuple[str, str]:
    """A bilingual message's Chinese and English parts: the lines up to the first one without
    Chinese characters, then the rest (an error's ``Name:`` header line left out)."""
    zh, en = [], []
    for line in lines:
        line = ANSI.sub("", str(line)).strip()
        if not line or re.fullmatch(r"[\w.]+:", line):
            continue
        (zh if HAN.search(line) and not en else en).append(line)
    return " ".join(zh), " ".join(en)


def first_sentence(text: str, pattern: re.Pattern = EN_SENTENCE) -> str:
    match = pattern.match(text)
    sentence = (match.group(0) if match else text).strip()
    return sentence if len(sentence) <= LONGEST else sentence[:LONGEST - 1] + "…"


def first_sentences(lines) -> tuple[str, str]:
    """The first sentence of a diagnosis, in Chinese and in English."""
    zh, en = split_languages(lines)
    return first_sentence(zh, ZH_SENTENCE), first_sentence(en, EN_SENTENCE)


def error_lines(cell) -> list[str]:
    """The lines of a cell's last error output (the referee's, for a test cell)."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return []
    return list(errors[-1].get("traceback") or [f"{errors[-1].get('ename')}: {errors[-1].get('evalue')}"])


def is_test_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")


def failure(cell) -> dict:
    """What the summary says about a test cell that lost points: the diagnosis's first sentence,
    followed by the catalogue's first sentence about the mistake when the first only says that the
    answer is what a common mistake gives."""
    verdict = verdicts.of(cell) or {}
    zh, en = first_sentences(error_lines(cell)) if verdict.get("passed") is False else ("", "")
    if not (zh or en):
        zh, en = SEE_THE_CELL
    explained = EXPLANATIONS.get(verdict.get("mistake") or "")
    if explained and ("常见错误" in zh or "common mistake" in en):
        zh = f"{zh}{first_sentence(explained[0], ZH_SENTENCE)}"
        en = f"{en} {first_sentence(explained[1], EN_SENTENCE)}"
    case = verdict.get("case") if verdict.get("part") == "hidden" else None
    return {"grade_id": cell.metadata["nbgrader"]["grade_id"], "part": verdict.get("part"),
            "case": case if case and len(case) == 2 else None, "zh": zh, "en": en}


class Diagnoses(NbGraderPreprocessor):
    """``resources["autograder"]["exercises"]``: per exercise, in the notebook's order, its label,
    score, points and failed tests (see the module)."""

    def preprocess(self, nb, resources):
        exercises: dict[str, dict] = {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("grade"):
                continue
            name = exercise_of(meta.get("grade_id", ""))
            zh, en = exercise_label(name)
            exercise = exercises.setdefault(name, {"name": name, "zh": zh, "en": en, "score": 0.0,
                                                   "points": 0.0, "failed": []})
            score, points = float(meta.get("score") or 0), float(meta.get("points") or 0)
            exercise["score"] += score
            exercise["points"] += points
            if is_test_cell(cell) and score < points:
                exercise["failed"].append(failure(cell))
        resources.setdefault("autograder", {})["exercises"] = list(exercises.values())
        return nb, resources
