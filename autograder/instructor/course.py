"""The nbgrader course directory, seen from Python: its config and nbgrader's own API.

The instructor's commands (``autograder.release``, ``autograder.grade_class``) run nbgrader
in-process through :class:`nbgrader.apps.NbGraderAPI`, configured from the course's
``nbgrader_config.py`` exactly as the ``nbgrader`` command line would be.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG_FILE = "nbgrader_config.py"

# nbgrader's Gradebook runs the `alembic` command it installs next to this Python; make sure it is
# found when the venv is not activated (e.g. `make` calls .venv/bin/python directly).
_bin = str(Path(sys.executable).parent)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")


def find_root(start: str | Path = ".") -> Path:
    """The course directory: ``start`` or the nearest parent holding nbgrader_config.py."""
    start = Path(start).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise SystemExit(f"找不到 {CONFIG_FILE}（请在课程根目录运行）/ "
                     f"No {CONFIG_FILE} here or above {start}: run this in the course root.")


def load_config(root: Path) -> Config:
    """The course's nbgrader_config.py (``CourseDirectory.root`` comes from the file's location)."""
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    config.CourseDirectory.root = str(root)  # the file sets it too; be explicit for copies
    url = config.CourseDirectory.get("db_url", "")
    if url.startswith("sqlite:") and "?" not in url:
        # Students graded in parallel write to one SQLite gradebook: wait for the lock, not fail.
        config.CourseDirectory.db_url = url + "?timeout=120"
    return config


def make_api(root: Path, config: Config | None = None) -> NbGraderAPI:
    """nbgrader's high-level API for the course in ``root`` (logging quietly to a buffer)."""
    config = config if config is not None else load_config(root)
    return NbGraderAPI(config=config)


def source_assignments(root: Path) -> list[str]:
    """Every assignment in source/: a folder holding at least one notebook."""
    source = root / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def check(result: dict, what: str) -> None:
    """Stop with nbgrader's log when one of its API calls failed."""
    if not result.get("success"):
        raise SystemExit(f"nbgrader {what} 失败 / failed:\n{result.get('log', '')}\n"
                         f"{result.get('error', '')}")
