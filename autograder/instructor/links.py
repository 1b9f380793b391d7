"""Symbolic links in a submission never bring another file in.

nbgrader copies a submission's files by following links, as the instructor, outside the sandbox:
``nbgrader collect`` (exchange → submitted/), ``autograde`` (submitted/ → autograded/) and
``generate_feedback`` (autograded/ → feedback/, which students fetch). A link to gradebook.db,
source/ or a classmate's notebook would bring that file's contents to the student. Each path
drops links instead: :class:`CollectWithoutLinks` (nbgrader_config.py's ExchangeFactory.collect),
:func:`drop_followed_links` (SandboxExecute, before a notebook runs) and :func:`remove_links`
(grade_class, before anything is copied).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import ignore_patterns


def links_in(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).rglob("*") if p.is_symlink())


def remove_links(folder: Path) -> list[str]:
    """Delete the symbolic links in a submission folder; say what was removed."""
    links = links_in(folder)
    for link in links:
        link.unlink()
    return [f"removed symbolic link {link.relative_to(folder)}" for link in links]


def drop_followed_links(submitted: Path, copied: Path) -> list[str]:
    """Delete from ``copied`` (autograded/…) the files nbgrader copied through the links in
    ``submitted``."""
    dropped = []
    for link in links_in(submitted):
        target = Path(copied) / link.relative_to(submitted)
        if target.is_file() or target.is_symlink():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        dropped.append(str(link.relative_to(submitted)))
    return dropped


class CollectWithoutLinks(ExchangeCollect):
    """``nbgrader collect`` that skips the symbolic links in a student's submission."""

    def do_copy(self, src, dest, log=None):
        links = links_in(Path(src))
        if not links:
            return super().do_copy(src, dest, log)
        for link in links:
            self.log.warning("Skipping symbolic link in a submission: %s", link)
        patterns = ignore_patterns(exclude=self.coursedir.ignore, include=self.coursedir.include,
                                   max_file_size=self.coursedir.max_file_size, log=self.log)

        def ignore(directory, names):
            return set(patterns(directory, names)) | {
                name for name in names if os.path.islink(os.path.join(directory, name))}

        shutil.copytree(src, dest, ignore=ignore)
