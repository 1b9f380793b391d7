"""The catalogue of mistakes: what each one is and what to do about it, in Chinese and English.

One module per chapter (``ch01.py`` … ``ch06.py``) plus ``common.py`` for what the checks
diagnose by themselves. Each defines ``MISTAKES = {key: (zh, en)}``; a check's message is the
facts it found followed by the explanation of the mistake it names. Exercise authors pass these
keys in ``mistakes=``. A key may be defined once only (a test also fails on a key nothing uses).
"""
from importlib import import_module
from pkgutil import iter_modules

from helpers.text import bilingual


def _chapters():
    """{module name: its MISTAKES}, common first, then the chapters in order."""
    names = sorted(m.name for m in iter_modules(__path__))
    return {name: import_module(f"{__name__}.{name}").MISTAKES
            for name in sorted(names, key=lambda n: (n != "common", n))}


BY_CHAPTER = _chapters()
EXPLANATIONS = {}
for _chapter, _mistakes in BY_CHAPTER.items():
    _twice = set(_mistakes) & set(EXPLANATIONS)
    if _twice:
        raise ImportError(f"mistake keys defined twice (again in {_chapter}.py): {sorted(_twice)}")
    EXPLANATIONS.update(_mistakes)

MISTAKES = {key: bilingual(zh, en) for key, (zh, en) in EXPLANATIONS.items()}


def chapter_torch_errors():
    """Every chapter's extra (pattern, zh, en) explanations of PyTorch errors."""
    return [entry for name in BY_CHAPTER
            for entry in getattr(import_module(f"{__name__}.{name}"), "TORCH_ERRORS", [])]
