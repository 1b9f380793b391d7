"""Symbolic links in a submission never bring another file in; a submission is collected only
as its owner's.

nbgrader copies a submission's files by following links, as the instructor, outside the sandbox:
``nbgrader collect`` (exchange → submitted/), ``autograde`` (submitted/ → autograded/) and
``generate_feedback`` (autograded/ → feedback/, which students fetch). A link to gradebook.db,
source/ or a classmate's notebook would bring that file's contents to the student. Each path
drops links instead: :class:`CollectWithoutLinks` (nbgrader_config.py's ExchangeFactory.collect),
:class:`DropFollowedLinks` (an autograde step before the notebook runs) and :func:`remove_links`
(grade_class, before anything is copied).

On a shared machine (a JupyterHub) every student can write into the exchange's inbound/, and a
folder's name says whose submission it is: ``nbgrader submit --student alice`` run by bob, or a
folder bob plants there, names alice. :class:`CollectWithoutLinks` takes a folder as alice's only
when alice (or the instructor collecting) owns it and everything in it; otherwise it refuses it,
collects her latest genuine submission instead, says so in the log and writes the refusals to
``refused-<assignment>.csv`` in the course, which grade_class's summary reports.
"""
from __future__ import annotations

import csv
import os
import pwd
import shutil
import stat
from datetime import datetime
from pathlib import Path

from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import ignore_patterns

from helpers.text import bilingual

REFUSED_FIELDS = ["student_id", "owner", "folder", "reason"]


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


def user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def not_theirs(folder: Path, student: str) -> tuple[str, str] | None:
    """(owner, why) when ``folder`` in inbound/ cannot be taken as ``student``'s submission: it, or
    something in it, belongs to someone else than the student and the user collecting (as on one
    machine, where the instructor submits for every student), or it is a link. None: it can."""
    allowed = {os.geteuid()}
    try:
        allowed.add(pwd.getpwnam(student).pw_uid)
    except KeyError:  # no such Unix user: only the collecting user's own folders are genuine
        pass
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            return user_name(os.lstat(folder).st_uid), "the folder is a symbolic link"
        for path in [folder, *sorted(folder.rglob("*"))]:
            uid = path.lstat().st_uid
            if uid not in allowed:
                what = "the folder" if path == folder else str(path.relative_to(folder))
                return user_name(uid), f"{what} is owned by {user_name(uid)}, not {student}"
    except OSError as err:
        return "?", f"cannot be read ({err.strerror})"
    return None


def read_refused(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class DropFollowedLinks(NbGraderPreprocessor):
    """Autograde step, before the notebook runs: nbgrader has copied the submission's files to
    autograded/ (where the kernel starts) through their links; drop those copies."""

    def preprocess(self, nb, resources):
        grading, folder = resources.get("nbgrader"), resources.get("metadata", {}).get("path")
        if grading and folder:
            coursedir = CourseDirectory(config=self.config)
            submitted = coursedir.format_path(coursedir.submitted_directory, grading["student"],
                                              grading["assignment"])
            for name in drop_followed_links(Path(submitted), Path(folder)):
                self.log.warning("Dropped what the symbolic link %s in the submission pointed to",
                                 name)
        return nb, resources


class CollectWithoutLinks(ExchangeCollect):
    """``nbgrader collect`` that takes a folder as a student's only when it is theirs (see the
    module's docstring; ``CollectApp.check_owner = False`` turns that off) and skips the symbolic
    links in a submission."""

    def _path_to_record(self, path):
        try:
            record = super()._path_to_record(path)
        except ValueError:  # a timestamp nbgrader cannot read (say, planted): refused, never a stop
            name = os.path.basename(path)
            record = {"username": name.split("+")[0], "filename": name, "timestamp": datetime.min}
            record["owner"] = user_name(os.lstat(path).st_uid)
            record["refused"] = "its name holds no timestamp nbgrader can read"
            self._scanned = getattr(self, "_scanned", []) + [record]
            return record
        refused = not_theirs(Path(path), record["username"]) if self.check_owner else None
        record["owner"], record["refused"] = refused or ("", None)
        self._scanned = getattr(self, "_scanned", []) + [record]
        return record

    def _sort_by_timestamp(self, records):
        """Each student's genuine submissions first (latest first), then the refused ones."""
        return sorted(records, key=lambda r: (r["refused"] is None, r["timestamp"]), reverse=True)

    def copy_files(self):
        refused = [r for r in getattr(self, "_scanned", []) if r["refused"]]
        for r in refused:
            self.log.error(bilingual(
                f"拒收 inbound/{r['filename']}：{r['refused']}（冒名提交？）。收取的是 {r['username']} "
                f"自己最新的提交（如果有的话）。请查看这个文件夹，核实后从 inbound/ 中删除它（不是你的文件夹就以 root 身份删除）。",
                f"Refused inbound/{r['filename']}: {r['refused']} (a forged submission?). "
                f"{r['username']}'s own latest submission, if any, is what was collected. Look "
                f"into it, then delete that folder from inbound/ (as root where it is not yours)."))
        self.src_records = [r for r in self.src_records if not r["refused"]]
        self.write_refused(refused)
        return super().copy_files()

    def write_refused(self, refused: list[dict]) -> None:
        """refused-<assignment>.csv in the course: this collect's refusals, plus the earlier ones
        of the students it did not look at (``--student``)."""
        path = Path(self.coursedir.root) / f"refused-{self.coursedir.assignment_id}.csv"
        scanned = self.coursedir.student_id or "*"
        rows = [row for row in read_refused(path) if scanned != "*" and row["student_id"] != scanned]
        rows += [{"student_id": r["username"], "owner": r["owner"], "folder": r["filename"],
                  "reason": r["refused"]} for r in refused]
        if not rows:
            path.unlink(missing_ok=True)
            return
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, REFUSED_FIELDS)
            writer.writeheader()
            writer.writerows(rows)

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
