"""Write single-language copies of the lessons: `make zh` -> build/zh/, `make en` -> build/en/.

Each markdown cell is tagged with its language; the other language's cells are removed by
nbconvert's TagRemovePreprocessor. Code cells and outputs are kept.
"""
import sys
from pathlib import Path

from nbconvert import NotebookExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

LANGUAGES = {"zh": "en", "en": "zh"}  # language kept -> tag removed


def export(language: str, root: Path = Path(".")) -> list[Path]:
    config = Config()
    config.TagRemovePreprocessor.remove_cell_tags = {LANGUAGES[language]}
    exporter = NotebookExporter(config=config)
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    written = []
    for notebook in sorted(root.glob("notebooks/*.ipynb")):
        body, _ = exporter.from_filename(str(notebook))
        target = root / "build" / language / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in LANGUAGES:
        sys.exit("用法 / usage: python -m scripts.export_language zh|en")
    for path in export(sys.argv[1]):
        print(path)
