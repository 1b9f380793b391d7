"""A class on JupyterHub, end to end, with real Unix users: what `make hub` lays out.

scripts/hub/setup.py (what `make hub` runs) lays out a class in a scratch folder of /tmp, with
an instructor and two students created for this test (useradd; removed at the end), the
DummyAuthenticator and a hub on a free port of 127.0.0.1. Then, through the hub's REST API and
each user's own server (the endpoints the Formgrader and the Assignment List call):

  the instructor releases chapter 01 -> both students fetch it, answer (alice right, bob wrong),
  validate and submit -> bob attacks (forges, plants, renames, deletes, reads) -> the instructor
  collects -> grades the class as herself (not root), sandboxed -> releases feedback -> each
  student fetches theirs.

Every attack of the issue that prompted this (impersonation through the exchange, world-writable
submissions, readable homes, a hijacked course folder) is tried and must be denied or detected,
with alice's grade untouched. One more student logs in through the hub's login page in Chromium
and fetches the assignment from the Assignment List. The cycle's timings go to
build/hub/cycle.json, the screenshots to build/hub/.

Needs root on Linux (it creates users; the hub starts each user's server as that user): skipped
otherwise, except under CI, where it must run.
"""
from __future__ import annotations

import csv
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers.text import bilingual
from tests.browser import CHROMIUM_ARGS, free_port, menu, require_browser, under_ci

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_tensor_creation"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
OUT = REPO / "build" / "hub"
BASE_PREFIX = "pytorch-course-hub-"  # /tmp/pytorch-course-hub-<pid of the test>-xxxx
PASSWORD = secrets.token_hex(8)


def require_root() -> None:
    if sys.platform.startswith("linux") and os.geteuid() == 0 and shutil.which("useradd"):
        return
    message = bilingual(
        "JupyterHub 测试要创建 Unix 用户，并以每个用户的身份启动他们的服务器，需要在 Linux 上以 root 身份运行："
        "sudo make test（CI 就是这样运行的）。",
        "The JupyterHub test creates Unix users and starts each user's server as that user: it "
        "needs root on Linux. Run it as root (sudo make test), as CI does.")
    if under_ci():
        pytest.fail(message + "\n(CI=true: CI must run the hub test.)", pytrace=False)
    pytest.skip(message)


# ---- the class's machine: users, processes ---------------------------------------------------

def processes_of(uids: set[int]) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if proc.stat().st_uid in uids:
                    pids.append(int(proc.name))
            except OSError:
                pass
    return pids


def remove_users(names: list[str]) -> None:
    """Stop every process of these users (all started by this test), then delete them and their
    homes."""
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    for _ in range(20):
        pids = processes_of(uids)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
    for name in names:
        subprocess.run(["userdel", "--remove", name], capture_output=True)
        subprocess.run(["groupdel", name], capture_output=True)  # if userdel left it


def remove_stale_classes() -> None:
    """Users and folders an earlier run of this test left behind when it was killed."""
    for base in Path(tempfile.gettempdir()).glob(f"{BASE_PREFIX}*"):
        pid = int(base.name[len(BASE_PREFIX):].split("-")[0] or 0)
        if pid and Path(f"/proc/{pid}").exists():
            continue  # another test run, still going
        remove_users([u.pw_name for u in pwd.getpwall() if u.pw_dir.startswith(f"{base}/")])
        shutil.rmtree(base, ignore_errors=True)


def as_user(user: str, args: list[str], env: dict, cwd: Path | str = "/", timeout: float = 300,
            check: bool = True) -> subprocess.CompletedProcess:
    """A command as ``user`` would run it in a terminal of their hub server."""
    proc = subprocess.run(["runuser", "-u", user, "--", "env", "-i",
                           *[f"{k}={v}" for k, v in env.items()], *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, (f"as {user}: {' '.join(args)} exited with {proc.returncode}:"
                                      f"\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc


# ---- the hub -----------------------------------------------------------------------------------

class Hub:
    def __init__(self, base: Path, settings: dict, api_token: str):
        from scripts.hub.setup import hub_command

        self.base, self.settings, self.api_token = base, settings, api_token
        self.url = f"http://127.0.0.1:{settings['port']}"
        self.tokens: dict[str, str] = {}
        argv, env = hub_command(base)
        self.log_path = base / "jupyterhub.log"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(argv, cwd=base, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def request(self, method: str, path: str, token: str, body=None, timeout: float = 120):
        data = None if body is None else json.dumps(body).encode()
        if method == "POST" and data is None:
            data = b""
        request = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                         headers={"Authorization": f"token {token}"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text.strip() else None)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def api(self, method: str, path: str, body=None):
        status, value = self.request(method, f"/hub/api{path}", self.api_token, body)
        assert status < 400, f"{method} /hub/api{path}: {status} {value}\n{self.log_tail()}"
        return value

    def on_server(self, user: str, method: str, route: str, **params):
        """A call to ``user``'s own server with their token, as their browser makes it."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        return self.request(method, f"/user/{user}{route}{query}", self.tokens[user], timeout=300)

    def wait_until_up(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"jupyterhub exited:\n{self.log_tail()}"
            try:
                urllib.request.urlopen(f"{self.url}/hub/api", timeout=2).read()
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"the hub did not answer within {timeout} s:\n{self.log_tail()}")

    def start_servers(self, users: list[str], timeout: float = 180) -> None:
        for user in users:
            self.api("POST", f"/users/{user}/server")
        deadline = time.monotonic() + timeout
        for user in users:
            while not self.api("GET", f"/users/{user}")["servers"].get("", {}).get("ready"):
                assert time.monotonic() < deadline, f"{user}'s server did not start:\n{self.log_tail()}"
                time.sleep(0.3)
            self.tokens[user] = self.api("POST", f"/users/{user}/tokens", {"note": "test"})["token"]

    def stop(self) -> None:
        """The hub stops the users' servers and the proxy it started; then make sure."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        pid_file = Path(self.base / "hub" / "jupyterhub-proxy.pid")
        if pid_file.exists():  # the proxy, if the hub could not stop it
            try:
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        self.log.close()


# ---- what the students hand in -------------------------------------------------------------------

def sample_answers() -> tuple[dict, dict, float]:
    """alice: every answer right (another way than the solution); bob: the first sample student
    in tests/submissions/ who loses points (and his expected score)."""
    specs = yaml.safe_load((REPO / "tests" / "submissions" / f"{ASSIGNMENT}.yml").read_text(
        encoding="utf-8"))["students"]
    right = specs["all_correct_another_way"]
    wrong = next(s for s in specs.values() if s.get("expected_score", 0) < right["expected_score"]
                 and not s.get("delete_cells") and "answers" in s)
    return right["answers"], wrong["answers"], float(wrong["expected_score"])


def answer(hub: Hub, user: str, answers: dict) -> None:
    """Write answers into the fetched notebook through the server's contents API."""
    path = f"/api/contents/{ASSIGNMENT}/{NOTEBOOK}"
    status, model = hub.on_server(user, "GET", path)
    assert status == 200, f"{user} cannot open the fetched notebook: {status} {model}"
    for cell in model["content"]["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    status, saved = hub.request("PUT", f"/user/{user}{path}", hub.tokens[user],
                                {"type": "notebook", "format": "json", "content": model["content"]})
    assert status in (200, 201), f"{user} could not save: {status} {saved}"


# Run by bob (a plain Python, as in a terminal of his server); prints what each attempt did.
ATTACKS = r'''
import json, os, shutil, sys
paths = json.loads(sys.argv[1])
results = {}

def attempt(name, action):
    try:
        action()
        results[name] = "done"
    except OSError as err:
        results[name] = type(err).__name__

def read(path):
    with open(path, "rb") as f:
        f.read()

for name, path in paths["read"].items():
    attempt("read " + name, lambda path=path: read(path))
for name, path in paths["list"].items():
    attempt("list " + name, lambda path=path: os.listdir(path))
for name, path in paths["delete"].items():
    attempt("delete " + name, lambda path=path: os.unlink(path))
for name, path in paths["remove"].items():
    attempt("remove " + name, lambda path=path: shutil.rmtree(path))
for name, (old, new) in paths["rename"].items():
    attempt("rename " + name, lambda old=old, new=new: os.rename(old, new))
for name, path in paths["create"].items():
    attempt("create " + name, lambda path=path: os.mkdir(path))
for name, path in paths["write"].items():
    attempt("write " + name, lambda path=path: open(path, "ab").close())
print(json.dumps(results))
'''


def attack(user: str, env: dict, paths: dict) -> dict[str, str]:
    kinds = ("read", "list", "delete", "remove", "rename", "create", "write")
    plan = json.dumps({k: paths.get(k, {}) for k in kinds}, default=str)
    proc = as_user(user, [env["PYTHON"], "-c", ATTACKS, plan], env)
    return json.loads(proc.stdout)


# ---- the whole cycle, once for the module --------------------------------------------------------

@pytest.fixture(scope="module")
def cycle():
    require_root()
    remove_stale_classes()
    OUT.mkdir(parents=True, exist_ok=True)
    tag = secrets.token_hex(2)
    instructor, alice, bob, carol = (f"ptc{tag}-{n}" for n in ("teacher", "alice", "bob", "carol"))
    students = [alice, bob, carol]
    base = Path(tempfile.mkdtemp(prefix=f"{BASE_PREFIX}{os.getpid()}-"))
    base.chmod(0o755)  # every user reaches the class's environment and the exchange in it
    exchange = base / "exchange"
    api_token = secrets.token_hex(16)
    timings, hub = {}, None
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 1)
        clock = now

    try:
        setup = subprocess.run(
            [sys.executable, "-m", "scripts.hub.setup", "--prefix", str(base), "--exchange",
             str(exchange), "--homes", str(base / "home"), "--instructor", instructor,
             "--students", " ".join(students), "--port", str(free_port()),
             "--authenticator", "dummy", "--dummy-password", PASSWORD, "--api-token", api_token],
            cwd=REPO, capture_output=True, text=True, timeout=600)
        assert setup.returncode == 0, f"scripts/hub/setup.py failed:\n{setup.stdout}\n{setup.stderr}"
        settings = json.loads((base / "hub" / "settings.json").read_text())
        lap("setup (make hub's layout)")

        hub = Hub(base, settings, api_token)
        hub.wait_until_up()
        hub.start_servers([instructor, alice, bob])
        hub.api("POST", f"/users/{carol}/server")  # ready by the time she logs in, in Chromium
        lap("hub up, three servers started")

        course_id, course = settings["course_id"], Path(settings["course"])
        status, released = hub.on_server(instructor, "POST",
                                         f"/formgrader/api/assignment/{ASSIGNMENT}/release")
        assert status == 200 and released["success"], f"release: {status} {released}"
        for student in (alice, bob):
            status, listed = hub.on_server(student, "POST", "/assignments/fetch",
                                           course_id=course_id, assignment_id=ASSIGNMENT)
            assert status == 200 and listed["success"], f"{student} fetch: {status} {listed}"
        lap("release, two fetches")

        right, wrong, bob_expected = sample_answers()
        answer(hub, alice, right)
        answer(hub, bob, wrong)
        with ThreadPoolExecutor(2) as pool:  # both at once, as a class does
            validated = dict(zip((alice, bob), pool.map(
                lambda student: hub.on_server(student, "POST", "/assignments/validate",
                                              path=f"{ASSIGNMENT}/{NOTEBOOK}"), (alice, bob))))
        lap("answer, validate (both at once)")

        submitted = {}
        for student in (alice, bob):
            submitted[student] = hub.on_server(student, "POST", "/assignments/submit",
                                               course_id=course_id, assignment_id=ASSIGNMENT)
        lap("two submissions")

        # ---- bob's attacks, before the instructor collects ----
        env = {"HOME": pwd.getpwnam(bob).pw_dir, "USER": bob, "LOGNAME": bob,
               "PATH": f"{settings['env']}/bin:/usr/bin:/bin", "PYTHON": f"{settings['env']}/bin/python",
               "NBGRADER_EXCHANGE": str(exchange)}
        inbound = exchange / course_id / "inbound"
        (alice_folder,) = inbound.glob(f"{alice}+{ASSIGNMENT}+*")
        alice_home, teacher_home = Path(pwd.getpwnam(alice).pw_dir), Path(pwd.getpwnam(instructor).pw_dir)
        forged_submit = as_user(bob, ["nbgrader", "submit", ASSIGNMENT, "--student", alice],
                                env, cwd=env["HOME"], check=False)
        later = time.strftime("%Y-%m-%d %H:%M:%S.000000 UTC", time.gmtime(time.time() + 3600))
        planted = inbound / f"{alice}+{ASSIGNMENT}+{later}+planted"
        plant = ("import os, shutil, sys; os.mkdir(sys.argv[1]); shutil.copy(sys.argv[2], sys.argv[1]);"
                 "open(os.path.join(sys.argv[1], 'timestamp.txt'), 'w').write(sys.argv[3])")
        planting = [as_user(bob, [env["PYTHON"], "-c", plant, str(folder),
                                  f"{env['HOME']}/{ASSIGNMENT}/{NOTEBOOK}", later], env, check=False)
                    # the second one's name holds no timestamp: nbgrader's collect would stop
                    for folder in (planted, inbound / f"{alice}+{ASSIGNMENT}+not-a-time")]
        course_folder = exchange / course_id
        cache = alice_home / ".local/share/jupyter/nbgrader_cache" / course_id
        before = attack(bob, env, {
            "read": {"alice's answers": alice_home / ASSIGNMENT / NOTEBOOK,
                     "alice's submission secret": next(cache.glob("*/submission_secret.txt")),
                     "alice's submitted notebook": alice_folder / NOTEBOOK,
                     "the instructor's source/": course / "source" / ASSIGNMENT / NOTEBOOK,
                     "the gradebook": course / "gradebook.db"},
            "list": {"inbound/": inbound, "alice's home": alice_home, "the instructor's home": teacher_home},
            "delete": {"alice's submitted notebook": alice_folder / NOTEBOOK},
            "remove": {"alice's submission": alice_folder},
            "rename": {"alice's submission": (alice_folder, inbound / f"{bob}+{ASSIGNMENT}+x"),
                       "the course's folder": (course_folder, exchange / "hijacked"),
                       "the released assignment": (course_folder / "outbound" / ASSIGNMENT,
                                                   course_folder / "outbound" / "old")},
            "create": {"a folder in the course's folder": course_folder / "outbound2",
                       "a second release": course_folder / "outbound" / "02_fake"},
            "write": {"the released notebook": course_folder / "outbound" / ASSIGNMENT / NOTEBOOK},
        })
        student_formgrader = hub.on_server(bob, "GET", "/formgrader/api/assignments")
        lap("bob's attacks")

        status, collected = hub.on_server(instructor, "POST",
                                          f"/formgrader/api/assignment/{ASSIGNMENT}/collect")
        assert status == 200 and collected["success"], f"collect: {status} {collected}"
        lap("collect (the Formgrader's Collect)")

        instructor_env = {"HOME": str(teacher_home), "USER": instructor, "LOGNAME": instructor,
                          "PATH": f"{settings['env']}/bin:/usr/bin:/bin",
                          "NBGRADER_EXCHANGE": str(exchange)}
        # The instructor's `make` finds the class's environment up to date and installs nothing.
        instructor_make = as_user(instructor, ["make", "install"], instructor_env, cwd=course,
                                  check=False)
        graded = as_user(instructor, [f"{settings['env']}/bin/python", "-m",
                                      "autograder.instructor.grade_class", ASSIGNMENT, "--jobs", "2"],
                         instructor_env, cwd=course, timeout=600)
        lap("grade_class as the instructor (2 students, sandboxed)")

        status, feedback = hub.on_server(instructor, "POST",
                                         f"/formgrader/api/assignment/{ASSIGNMENT}/release_feedback")
        assert status == 200 and feedback["success"], f"release_feedback: {status} {feedback}"
        fetched = {}
        for student in (alice, bob):
            fetched[student] = hub.on_server(student, "POST", "/assignments/fetch_feedback",
                                             course_id=course_id, assignment_id=ASSIGNMENT)
        lap("release feedback, two fetches")

        after = attack(bob, env, {
            "list": {"the released feedback": course_folder / "feedback",
                     "alice's fetched feedback": alice_home / ASSIGNMENT / "feedback"},
        })
        timings["total"] = round(sum(timings.values()), 1)
        (OUT / "cycle.json").write_text(json.dumps(timings, indent=2))
        yield {
            "hub": hub, "base": base, "exchange": exchange, "course": course, "settings": settings,
            "instructor": instructor, "alice": alice, "bob": bob, "carol": carol,
            "alice_folder": alice_folder, "planted": planted, "bob_expected": bob_expected,
            "validated": validated, "submitted": submitted, "forged_submit": forged_submit,
            "planting": planting, "before": before, "after": after, "collected": collected,
            "graded": graded, "fetched": fetched, "timings": timings,
            "instructor_make": instructor_make,
            "student_formgrader": student_formgrader,
        }
    finally:
        if hub is not None:
            hub.stop()
        remove_users([instructor, *students])
        shutil.rmtree(base, ignore_errors=True)


def summary(course: Path) -> dict[str, dict]:
    with open(course / f"grades-{ASSIGNMENT}-summary.csv", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


# ---- the cycle ---------------------------------------------------------------------------------

def test_students_validate_and_submit_through_their_servers(cycle):
    alice, bob = cycle["alice"], cycle["bob"]
    for student in (alice, bob):
        status, result = cycle["validated"][student]
        assert status == 200 and result["success"], f"{student}'s Validate: {status} {result}"
        status, result = cycle["submitted"][student]
        assert status == 200 and result["success"], f"{student}'s Submit: {status} {result}"
    assert "failed" not in cycle["validated"][alice][1]["value"], cycle["validated"][alice]
    assert cycle["validated"][bob][1]["value"].get("failed"), (
        f"bob's wrong answers pass Validate: {cycle['validated'][bob]}")


def test_the_instructor_grades_the_class_sandboxed_as_herself(cycle):
    out = cycle["graded"].stdout
    assert "every grading kernel ran sandboxed" in out, f"grade_class:\n{out[-3000:]}"
    rows = summary(cycle["course"])
    alice, bob = rows[cycle["alice"]], rows[cycle["bob"]]
    assert (alice["status"], float(alice["score"])) == ("ok", float(alice["max_score"])), alice
    assert float(bob["score"]) == cycle["bob_expected"], bob


def test_the_instructors_make_uses_the_class_environment_as_it_is(cycle):
    made = cycle["instructor_make"]
    assert made.returncode == 0 and "pip" not in made.stdout + made.stderr, (
        f"make install, as the instructor:\n{made.stdout}\n{made.stderr}")


def test_each_student_fetches_only_their_own_feedback(cycle):
    hub = cycle["hub"]
    for student, other in ((cycle["alice"], cycle["bob"]), (cycle["bob"], cycle["alice"])):
        status, result = cycle["fetched"][student]
        assert status == 200 and result["success"], f"{student}'s Fetch Feedback: {status} {result}"
        home = Path(pwd.getpwnam(student).pw_dir)
        feedback = list(home.glob(f"{ASSIGNMENT}/feedback/*/*.html"))
        assert len(feedback) == 1, f"{student} fetched {feedback}"
        own = next((home / ".local/share/jupyter/nbgrader_cache").glob(
            f"*/{student}+{ASSIGNMENT}+*/timestamp.txt")).read_text()
        assert feedback[0].parent.name == own, "the feedback is not for their own submission"
        made = cycle["course"] / "feedback" / "{}" / ASSIGNMENT / NOTEBOOK.replace(".ipynb", ".html")
        assert feedback[0].read_bytes() == Path(str(made).format(student)).read_bytes(), (
            f"{student}'s fetched feedback is not the one grade_class wrote for them")
        assert feedback[0].read_bytes() != Path(str(made).format(other)).read_bytes()
    # alice's Assignment List shows her own submission only (bob's shows his forged one too:
    # it lists his own cache).
    listed = [a for a in hub.on_server(cycle["alice"], "GET", "/assignments",
                                       course_id=cycle["settings"]["course_id"])[1]["value"]
              if a["status"] == "submitted"]
    assert listed and all(a["student_id"] == cycle["alice"] for a in listed), listed


def test_permissions_are_as_laid_out(cycle):
    """The permissions table (scripts/hub/setup.py's PERMISSIONS), the homes, the course, and
    the submissions as the class's nbgrader made them."""
    from scripts.hub.setup import PERMISSIONS

    exchange, cid = cycle["exchange"], cycle["settings"]["course_id"]
    instructor = pwd.getpwnam(cycle["instructor"])
    for relative, (owner, mode, why) in PERMISSIONS.items():
        path = exchange / relative.format(course=cid)
        st = path.stat()
        uid = 0 if owner == "root" else instructor.pw_uid
        assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (uid, mode), (
            f"{path}: {st.st_uid} {oct(stat.S_IMODE(st.st_mode))}, want {owner} {oct(mode)} ({why})")
    for user in (cycle["instructor"], cycle["alice"], cycle["bob"]):
        home = Path(pwd.getpwnam(user).pw_dir)
        assert stat.S_IMODE(home.stat().st_mode) == 0o700, f"{home} is not private"
    assert stat.S_IMODE(cycle["course"].stat().st_mode) == 0o700
    folder = cycle["alice_folder"]
    for path, mode in [(folder, 0o750), *((p, 0o640) for p in folder.iterdir())]:
        st = path.stat()
        assert (stat.S_IMODE(st.st_mode), st.st_gid) == (mode, instructor.pw_gid), (
            f"{path}: {oct(stat.S_IMODE(st.st_mode))} group {st.st_gid}, want {oct(mode)} "
            f"group {instructor.pw_gid} (the instructor's)")


# ---- the attacks ---------------------------------------------------------------------------------

def test_a_forged_or_planted_submission_is_refused_and_reported(cycle):
    alice, bob = cycle["alice"], cycle["bob"]
    # nbgrader lets bob submit in alice's name and plant a folder: both are there...
    assert cycle["forged_submit"].returncode == 0, cycle["forged_submit"].stderr[-2000:]
    for planting in cycle["planting"]:
        assert planting.returncode == 0, planting.stderr[-2000:]
    # ...and collect refuses both, says so, and keeps alice's own submission.
    log = cycle["collected"]["log"]
    assert log.count(f"Refused inbound/{alice}+") == 3, log
    assert f"is owned by {bob}, not {alice}" in log, log
    stamp = (cycle["course"] / "submitted" / alice / ASSIGNMENT / "timestamp.txt").read_text()
    assert stamp == (cycle["alice_folder"] / "timestamp.txt").read_text(), "alice's submission was replaced"
    out = cycle["graded"].stdout
    assert out.count("⚠ collect 拒收了 inbound/") == 3, out[-3000:]
    rows = summary(cycle["course"])
    assert rows[alice]["status"] == "ok" and float(rows[alice]["score"]) == float(rows[alice]["max_score"])
    assert rows[bob]["status"] == "flagged" and "named " + alice in rows[bob]["reason"], rows[bob]


def test_bob_cannot_read_list_or_touch_what_is_not_his(cycle):
    before, after = cycle["before"], cycle["after"]
    done = {k: v for k, v in {**before, **after}.items() if v == "done"}
    assert not done, f"bob managed to: {sorted(done)}"
    assert len(before) == 16 and len(after) == 2, (before, after)


def test_students_have_no_formgrader(cycle):
    status, _ = cycle["student_formgrader"]
    assert status == 404, f"a student's server answers the Formgrader's API: {status}"


# ---- one student in Chromium -----------------------------------------------------------------

def test_a_student_logs_in_and_fetches_from_the_assignment_list(cycle):
    from playwright.sync_api import sync_playwright

    chromium = require_browser()
    hub, carol = cycle["hub"], cycle["carol"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="en-US")
            page.set_default_timeout(60_000)
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", carol)
            page.fill("#password_input", PASSWORD)
            page.screenshot(path=str(OUT / "1_login.png"))
            page.click("#login_submit")
            page.wait_for_url(re.compile(f"/user/{carol}/lab"), timeout=120_000)
            page.wait_for_selector(".jp-LauncherCard", timeout=120_000)
            menu(page, "Nbgrader", "nbgrader:open-assignment-list")
            panel = page.locator(".jp-MainAreaWidget:not(.lm-mod-hidden)")
            released = panel.locator("#released_assignments_list .list_item", has_text=ASSIGNMENT)
            try:
                released.wait_for(timeout=60_000)
            finally:
                page.screenshot(path=str(OUT / "2_assignment_list.png"))
            released.locator("button", has_text="Fetch").click()
            panel.locator("#fetched_assignments_list > .list_item", has_text=ASSIGNMENT).wait_for()
            page.screenshot(path=str(OUT / "3_fetched.png"))
            page.locator(".lm-MenuBar-item", has_text="Nbgrader").click()
            items = page.locator(".lm-Menu-item:visible .lm-Menu-itemLabel").all_inner_texts()
            page.keyboard.press("Escape")
            assert "Assignment List" in items and "Formgrader" not in items, (
                f"a student's Nbgrader menu: {items}")
        finally:
            browser.close()
    fetched = Path(pwd.getpwnam(carol).pw_dir) / ASSIGNMENT / NOTEBOOK
    assert fetched.is_file(), f"Fetch put no {fetched} in carol's home (screenshots in {OUT})"
