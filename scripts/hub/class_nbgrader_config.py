"""nbgrader settings for every user of the class's environment, students and instructor alike.

scripts/hub/setup.py copies this file to <env>/etc/jupyter/nbgrader_config.py (nbgrader reads it
wherever its user starts it) and writes the values it reads to pytorch_course_hub.json beside it.
Students never get the course's own nbgrader_config.py: without this file their Assignment List
finds no exchange ("The exchange directory does not exist").
"""
import json
import os
import secrets
import shutil
import stat
from pathlib import Path

from nbgrader.exchange.default.submit import ExchangeSubmit

c = get_config()  # noqa: F821  (provided by the config loader)
_class = json.loads(Path(__file__).with_name("pytorch_course_hub.json").read_text())
c.Exchange.root = _class["exchange"]
c.CourseDirectory.course_id = _class["course_id"]  # the Assignment List shows this course only


class PrivateSubmit(ExchangeSubmit):
    """``nbgrader submit`` whose folder in inbound/ only its student and the instructor can read.

    nbgrader leaves a submission's folder writable by everyone (0777) and its files readable by
    everyone. inbound/ is setgid to the instructor's group (setup.py), so what is created in it
    gets that group; but nbgrader's copy gives the folder the mode of the student's own folder,
    without the setgid bit, before it writes timestamp.txt and submission_secret.txt, which then
    get the student's group (and a student cannot give a file a group they are not in). So the
    submission is copied once more, into a folder made here, and swapped in: every file gets the
    instructor's group, then folders become 0750 and files 0640. Meanwhile no one else can find
    it: inbound/ cannot be listed and the folder's name ends in a random string. Where inbound/ is
    not setgid (an exchange not laid out by setup.py) nbgrader's modes stay, or the instructor
    could not read it."""

    def copy_files(self):
        super().copy_files()
        if not os.stat(self.inbound_path).st_mode & stat.S_ISGID:
            return
        folder = os.path.join(self.inbound_path, self.assignment_filename)
        fresh = os.path.join(self.inbound_path, "." + secrets.token_hex(8))  # collect skips it
        shutil.copytree(folder, fresh, copy_function=shutil.copyfile)
        for dirpath, _, filenames in os.walk(fresh):
            os.chmod(dirpath, 0o750)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o640)
        os.rename(folder, fresh + "-old")
        os.rename(fresh, folder)
        shutil.rmtree(fresh + "-old")


c.ExchangeFactory.submit = PrivateSubmit
