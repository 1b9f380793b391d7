"""Validate a finished assignment the way grading will run it; exit 1 when a test fails.

    python -m scripts.validate workspace/01_tensor_creation/01_tensor_creation.ipynb

It runs nbgrader's validator (the same as the Validate button), prints its report, and, unlike
``nbgrader validate``, exits with status 1 when any test cell fails or a locked cell was changed,
so a script or a Makefile can rely on it.
"""
import sys
from pathlib import Path

from nbgrader.validator import Validator

from helpers.text import bilingual


def validate(path: Path) -> bool:
    validator = Validator()
    results = validator.validate(str(path))
    validator.validate_and_print(str(path))
    return not any(results.get(key) for key in ("failed", "changed", "type_changed"))


def main(paths: list[str]) -> int:
    if not paths:
        print(bilingual("用法：python -m scripts.validate 笔记本.ipynb",
                        "Usage: python -m scripts.validate NOTEBOOK.ipynb"))
        return 2
    return 0 if all([validate(Path(p)) for p in paths]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
