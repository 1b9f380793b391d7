"""`make zh` / `make en` keep one language's markdown cells and every code cell."""
import shutil
from pathlib import Path

import nbformat

from scripts.export_language import export

ROOT = Path(__file__).resolve().parents[1]


def test_export_keeps_one_language(tmp_path):
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    for language, other in (("zh", "en"), ("en", "zh")):
        for path in export(language, tmp_path):
            original = nbformat.read(tmp_path / "notebooks" / path.name, as_version=4)
            copy = nbformat.read(path, as_version=4)
            tags = [set(c.metadata.get("tags", [])) for c in copy.cells if c.cell_type == "markdown"]
            assert tags and all(language in t and other not in t for t in tags)
            code = [c.source for c in original.cells if c.cell_type == "code"]
            assert [c.source for c in copy.cells if c.cell_type == "code"] == code
