"""What the language tests share: what counts as Chinese, and docs/glossary.md as data."""
import re
from pathlib import Path

# CJK ideographs and CJK / full-width punctuation
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "glossary.md"


def glossary() -> list[tuple[str, str]]:
    """(English, Chinese) pairs, longest English term first."""
    rows = [r for r in GLOSSARY.read_text(encoding="utf-8").splitlines() if r.startswith("| ")]
    pairs = [tuple(c.strip() for c in row.strip("|").split("|")) for row in rows[1:]]  # no header
    return sorted(pairs, key=lambda pair: -len(pair[0]))


CODE = re.compile(
    r"```.*?```|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]*\$"  # code blocks and spans, formulas
    r"|\b\w+(?:[._]\w+)+(?:\([^()\n]*\))?|\b\w+\([^()\n]*\)",  # x.grad, torch.tensor(...), zero_()
    re.DOTALL)


def prose(markdown: str) -> str:
    """The text without code (spans, blocks, and dotted names or calls written without backticks,
    as in the checks' messages) and formulas: terms there are code, not words."""
    return CODE.sub(" ", markdown)


def untranslated_terms(chinese: str, english: str) -> list[str]:
    """Glossary terms the English prose uses whose Chinese translation the Chinese prose lacks.

    Code spans and formulas are ignored on both sides: `torch.autograd.grad` is code, not the
    word "autograd". Longer terms are matched first and masked, so "Jacobian" inside
    "vector-Jacobian product" asks only for 向量-雅可比积, not also for 雅可比矩阵.
    """
    chinese, english = prose(chinese), prose(english)
    problems = []
    for en_term, zh_term in glossary():
        pattern = re.compile(rf"\b{re.escape(en_term)}", re.IGNORECASE)
        if pattern.search(english):
            english = pattern.sub(" ", english)
            if zh_term not in chinese:
                problems.append(f"{en_term!r} should be {zh_term!r}")
    return problems
