"""The mistake catalogue: grouped by chapter, every key used somewhere, every key explained."""
import re
from pathlib import Path

import nbformat

from autograder.student.mistakes import BY_CHAPTER, EXPLANATIONS

ROOT = Path(__file__).resolve().parents[1]


def _code_that_names_mistakes() -> str:
    """The checks' own code and every test cell of every assignment."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "autograder" / "student").rglob("*.py")
             if "mistakes" not in p.parts]
    for path in ROOT.glob("source/*/*.ipynb"):
        texts += [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    return "\n".join(texts)


def test_every_mistake_is_used():
    code = _code_that_names_mistakes()
    unused = [key for key in EXPLANATIONS if not re.search(rf"[\"']{key}[\"']", code)]
    assert not unused, f"mistake keys that no check or test cell uses: {unused}"


def test_catalogue_is_grouped_by_chapter():
    chapters = set(BY_CHAPTER) - {"common"}
    assert chapters and all(re.fullmatch(r"ch0[1-6]", name) for name in chapters), sorted(BY_CHAPTER)
    numbers = {p.name[:2] for p in ROOT.glob("source/[0-9][0-9]_*")}
    assert {name[2:] for name in chapters} <= numbers, "a chapter catalogue without an assignment"


def test_every_explanation_is_bilingual():
    for key, (zh, en) in EXPLANATIONS.items():
        assert re.search(r"[\u4e00-\u9fff]", zh) and en.strip(), f"{key}: needs Chinese and English"
        assert not re.search(r"[\u4e00-\u9fff]", en), f"{key}: English explanation has Chinese"
