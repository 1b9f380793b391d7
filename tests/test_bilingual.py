"""Every markdown cell has a Chinese and an English twin, and both follow docs/glossary.md."""
import re
from pathlib import Path

import nbformat
import pytest

from tests.language import CHINESE, glossary, untranslated_terms

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("source/*/*.ipynb")])
FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(\d+(?:\.\d+)*)?")


def headings(markdown):
    """(level, section number or '') of each heading outside code blocks: '## 4. Title' -> (2, '4')."""
    found, fenced = [], False
    for line in markdown.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := HEADING.match(line)):
            found.append((len(match.group(1)), match.group(2) or ""))
    return found


def language_pairs(nb):
    """Yield (zh_cell, en_cell) pairs, failing on any markdown cell that breaks the convention."""
    cells = nb.cells
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.cell_type != "markdown":
            i += 1
            continue
        tags = set(cell.metadata.get("tags", [])) & {"zh", "en"}
        assert tags == {"zh"}, f"cell {i}: a markdown cell must start a pair tagged 'zh', has {tags or 'no language tag'}: {cell.source[:60]!r}"
        assert i + 1 < len(cells) and cells[i + 1].cell_type == "markdown", f"cell {i}: the zh cell has no English cell after it"
        partner_tags = set(cells[i + 1].metadata.get("tags", [])) & {"zh", "en"}
        assert partner_tags == {"en"}, f"cell {i + 1}: the cell after a zh cell must be tagged 'en', has {partner_tags or 'no language tag'}"
        yield cell, cells[i + 1]
        i += 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_cells_come_in_zh_en_pairs(path):
    nb = nbformat.read(path, as_version=4)
    pairs = list(language_pairs(nb))
    assert pairs, "a lesson needs explanations"
    for zh, en in pairs:
        assert CHINESE.search(zh.source), f"zh cell has no Chinese: {zh.source[:60]!r}"
        found = CHINESE.search(en.source)
        assert not found, f"en cell contains Chinese {found.group()!r}: {en.source[:60]!r}"
        assert headings(zh.source) == headings(en.source), (
            f"the zh and en cells have different headings {headings(zh.source)} != {headings(en.source)}: "
            f"{zh.source[:60]!r} / {en.source[:60]!r}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_glossary_terms_are_translated_the_same_way(path):
    nb = nbformat.read(path, as_version=4)
    problems = [f"{problem} in: {zh.source[:50]!r}"
                for zh, en in language_pairs(nb) for problem in untranslated_terms(zh.source, en.source)]
    assert not problems, "docs/glossary.md:\n" + "\n".join(problems)


def test_glossary_has_one_translation_per_term():
    pairs = glossary()
    assert len({en.lower() for en, _ in pairs}) == len(pairs)
    assert len({zh for _, zh in pairs}) == len(pairs)


def test_the_checker_catches_broken_notebooks():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("只有中文", metadata={"tags": ["zh"]})]
    with pytest.raises(AssertionError, match="no English cell"):
        list(language_pairs(nb))
    nb.cells = [nbformat.v4.new_markdown_cell("untagged")]
    with pytest.raises(AssertionError, match="no language tag"):
        list(language_pairs(nb))
    assert headings("## 4. 只有叶子张量\n\n```python\n# a comment\n```\n### 4.1 小节") == [(2, "4"), (3, "4.1")]
    assert headings("During the backward pass ...") == []


def test_every_chapter_notebook_is_checked():
    assert NOTEBOOKS and all(p.name[:2].isdigit() for p in NOTEBOOKS)
