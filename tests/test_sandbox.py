"""The grading sandbox (autograder/instructor/sandbox.py) and the execute step around it
(autograder/instructor/execute.py): each test runs code in a kernel started through
SandboxKernelManager, the way the execute step starts it, and checks that what a hostile
submission would try is denied, that a notebook's limits hold, and that a kernel that dies or is
stopped costs only its own cell. Skipped only where bubblewrap cannot run on this machine. The
whole grading paths (stock `nbgrader autograde` and grade_class) are attacked by
tests/test_hostile.py."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from traitlets.config import Config
from traitlets.utils.importstring import import_item

import autograder
from autograder.instructor import referee, sandbox
from autograder.instructor.course import load_config
from autograder.instructor.execute import SandboxExecute
from autograder.instructor.links import DropFollowedLinks
from autograder.instructor.outputs import SafeOutputs
from autograder.instructor.sandbox import (SandboxKernelManager, SandboxUnavailable,
                                           sandbox_status)

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(nbformat.__file__).resolve().parents[1]
DEFAULTS = SandboxKernelManager()
UNSANDBOXED = Config({"SandboxKernelManager": {"allow_unsandboxed": True}})

# Defined in the kernel before each test's code: try an action, print whether it was denied.
ATTEMPT = '''
import os
def attempt(label, action):
    try:
        action()
    except BaseException as err:
        print(label, "DENIED", type(err).__name__, err)
    else:
        print(label, "ALLOWED")
def peek(path):  # read a file, list a folder
    return open(path, "rb").read(1) if os.path.isfile(path) else os.listdir(path)
'''


@pytest.fixture
def bwrap() -> None:
    ok, why = sandbox_status()
    if not ok:
        pytest.skip(f"bubblewrap cannot run on this machine: {why}")


@pytest.fixture
def course(bwrap, tmp_path) -> Path:
    """A scratch course whose autograded folder holds a data file; returns that folder."""
    root = tmp_path / "course"
    (root / "source" / "ps1").mkdir(parents=True)
    (root / "source" / "ps1" / "hidden_tests.txt").write_text("the answers")
    (root / "submitted" / "other" / "ps1").mkdir(parents=True)
    (root / "submitted" / "other" / "ps1" / "ps1.ipynb").write_text("{}")
    (root / "gradebook.db").write_text("grades")
    folder = root / "autograded" / "s1" / "ps1"
    folder.mkdir(parents=True)
    (folder / "data.txt").write_text("given to the student")
    (folder / "ps1.ipynb").write_text("### BEGIN HIDDEN TESTS")  # nbgrader put the tests back
    return folder


class Manager(SandboxKernelManager):
    """SandboxKernelManager that remembers its last instance (nbclient drops it after a run)."""
    last: SandboxKernelManager | None = None

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        Manager.last = self


def execute(code: str, cwd: Path, config: Config | None = None, **options
            ) -> tuple[str, SandboxKernelManager]:
    """Run one cell in a kernel started by SandboxKernelManager: its outputs (text), its manager."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ATTEMPT + code)])
    client = NotebookClient(nb, kernel_manager_class=Manager, timeout=120, allow_errors=True,
                            config=config or Config(), kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}, **options)
    client.execute()
    text = "".join(o.get("text", "") + o.get("ename", "") + o.get("evalue", "")
                   for o in nb.cells[0].outputs)
    return text, Manager.last


def denied(code: str, cwd: Path, expected: int, **kwargs) -> str:
    out, km = execute(code, cwd, **kwargs)
    assert km.sandboxed, "the kernel was not sandboxed"
    assert "ALLOWED" not in out and out.count("DENIED") == expected, out
    return out


def test_cannot_read_course_home_or_gradebook(course):
    root = course.parents[2]
    with tempfile.NamedTemporaryFile(dir=Path.home(), prefix=".sandbox-test-") as secret:
        targets = [str(p) for p in (
            REPO / "nbgrader_config.py", REPO / "source", REPO / "gradebook.db",
            root / "gradebook.db", root / "source" / "ps1" / "hidden_tests.txt",
            root / "submitted" / "other" / "ps1" / "ps1.ipynb", Path(secret.name))
            if p.exists()]  # all there for the grader
        code = "".join(f"attempt({p!r}, lambda: peek({p!r}))\n" for p in targets)
        code += f"print('REPO HOLDS', sorted(os.listdir({str(REPO)!r})))\n"
        out = denied(code, course, expected=len(targets))
    assert f"REPO HOLDS {sorted(['.venv', 'autograder', 'helpers'])}" in out, out


def test_sees_its_data_files_but_not_the_notebook_with_the_hidden_tests(course, monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cuda")  # the grader's own choice does not reach it
    out, km = execute("print(sorted(os.listdir('.')), open('data.txt').read(), "
                      "os.environ['COURSE_DEVICE'])", course)
    assert km.sandboxed and "['data.txt'] given to the student cpu" in out, out


def test_cannot_write_venv_or_course_packages(course):
    package = Path(autograder.__file__).parent
    targets = [SITE_PACKAGES / "sandbox_evil.py", package / "sandbox_evil.py",
               package / "student" / "checks.py"]
    code = "".join(f"attempt({str(p)!r}, lambda: open({str(p)!r}, 'a').write('x = 1'))\n"
                   for p in targets)
    before = (package / "student" / "checks.py").read_bytes()
    denied(code, course, expected=len(targets))
    assert not (SITE_PACKAGES / "sandbox_evil.py").exists()
    assert not (package / "sandbox_evil.py").exists()
    assert (package / "student" / "checks.py").read_bytes() == before


def test_cannot_signal_the_grader(course):
    victim = subprocess.Popen(["sleep", "60"])
    try:
        code = (f"attempt('victim', lambda: os.kill({victim.pid}, 9))\n"
                f"attempt('grader', lambda: os.kill({os.getpid()}, 0))\n")  # 0: is it there?
        out = denied(code, course, expected=2)
        assert victim.poll() is None, "the sandboxed kernel killed a process of the grader"
        assert "ProcessLookupError" in out, out
    finally:
        victim.kill()
        victim.wait()


def test_cannot_reach_the_network(course):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.settimeout(0.5)
        port = server.getsockname()[1]
        code = "import socket\n" + "".join(
            f"attempt({host!r}, lambda: socket.create_connection(({host!r}, {port}), timeout=5))\n"
            for host, port in (("127.0.0.1", port), ("192.0.2.1", 80)))  # the grader's; outside
        denied(code, course, expected=2)
        with pytest.raises(socket.timeout):
            server.accept()


def test_cannot_allocate_beyond_the_memory_limit(course):
    code = f"attempt('allocate', lambda: bytearray({DEFAULTS.memory_limit}))\n"
    assert "MemoryError" in denied(code, course, expected=1)


def test_cannot_fork_beyond_the_process_limit(course):
    limit = DEFAULTS.process_limit
    code = f"""import os, time
children = []
def fork_bomb():
    for _ in range({limit}):
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
attempt('fork', fork_bomb)
print('forked', len(children))
for pid in children:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
"""
    out = denied(code, course, expected=1)
    assert "BlockingIOError" in out, out


def test_cannot_write_a_file_beyond_the_size_limit(course):
    code = f"""def write_big():
    with open('big.bin', 'wb') as f:
        f.write(bytes({DEFAULTS.file_size_limit + 1}))
attempt('write', write_big)
"""
    assert "File too large" in denied(code, course, expected=1)


def test_cpu_time_is_limited(course):
    config = Config()
    config.SandboxKernelManager.cpu_limit = 3  # seconds, starting the kernel included
    with pytest.raises(DeadKernelError):
        execute("while True:\n    pass\n", course, config=config)
    assert Manager.last.scratch is None  # cleaned up after the kernel died


def _alive(marker: str) -> list[int]:
    """Processes whose command line holds marker, or bwrap processes started by this one."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit():
                continue
            stat = (proc / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            bwrap_child = "(bwrap)" in stat and parent == os.getpid()
            if bwrap_child or marker.encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            pass
    return found


@pytest.mark.parametrize("shutdown", ["graceful", "immediate"])  # immediate: bwrap is killed
def test_leaves_no_process_behind(course, shutdown):
    marker = f"sandbox-test-{uuid.uuid4()}"
    code = f"""import subprocess, sys, time
sleeper = 'import time; time.sleep(300)'
daemon = 'import os, time; os.fork() and os._exit(0); os.setsid(); time.sleep(300)'
subprocess.Popen([sys.executable, '-c', sleeper, {marker!r}], start_new_session=True)
subprocess.Popen([sys.executable, '-c', daemon, {marker!r}]).wait()  # an orphan now
time.sleep(1)
print('started')
"""
    out, km = execute(code, course, shutdown_kernel=shutdown)
    assert km.sandboxed and "started" in out, out
    deadline = time.monotonic() + 10
    while _alive(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(marker) == [], "processes the kernel started outlived it"
    assert km.scratch is None


@pytest.mark.parametrize("sandboxed", [True, False])
def test_a_file_beside_the_notebook_cannot_shadow_a_module(course, monkeypatch, sandboxed):
    (course / "autograder.py").write_text("FAKE = True\n")
    (course / "torch.py").write_text("FAKE = True\n")
    if not sandboxed:
        monkeypatch.setattr(sandbox, "sandbox_status", lambda: (False, "test"))
    out, km = execute("import autograder, torch\n"
                      "print('shadowed' if hasattr(autograder, 'FAKE') or hasattr(torch, 'FAKE') "
                      "else 'real modules')", course, config=None if sandboxed else UNSANDBOXED)
    assert km.sandboxed == sandboxed and "real modules" in out, out


def test_torch_autograder_and_helpers_import(course):
    out, km = execute("import torch, autograder, helpers\n"
                      "x = torch.ones(3, requires_grad=True); (x * x).sum().backward()\n"
                      "print('grad', x.grad.tolist())\n"
                      "print('data', open('data.txt').read())\n"
                      "open('written.txt', 'w').write('scratch')\n"
                      "print('written', open('written.txt').read())\n", course)
    assert km.sandboxed
    assert "grad [2.0, 2.0, 2.0]" in out and "data given to the student" in out, out
    assert "written scratch" in out, out
    assert not (course / "written.txt").exists(), "the kernel wrote into the real folder"


def test_a_notebook_runs_through_nbclient(course):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 20"),
                                         nbformat.v4.new_code_cell("x + 22"),
                                         nbformat.v4.new_code_cell("while True:\n    pass"),
                                         nbformat.v4.new_code_cell("print('after', x)")])
    client = NotebookClient(nb, kernel_manager_class=Manager, timeout=5,
                            interrupt_on_timeout=True, allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": str(course)}})
    client.execute()
    assert Manager.last.sandboxed
    assert nb.cells[1].outputs[0]["data"]["text/plain"] == "42"
    # a hanging cell is interrupted (by message: a signal would not reach into the sandbox)
    assert [o.get("ename") for o in nb.cells[2].outputs] == ["KeyboardInterrupt"]
    assert nb.cells[3].outputs[0]["text"] == "after 20\n"


def test_nbgrader_config_declares_the_pipeline():
    """nbgrader_config.py lists the autograde steps: nbgrader's defaults in nbgrader's order, with
    Execute replaced by ours (links dropped before it, outputs made safe right after it)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    config = load_config(REPO)
    steps = [import_item(s) for s in config.Autograde.autograde_preprocessors]
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    assert steps[:3] == [DropFollowedLinks, SandboxExecute, SafeOutputs]
    assert steps[3:] == [step for step in defaults if step is not Execute]
    sanitize = [import_item(s) for s in config.Autograde.sanitize_preprocessors]
    assert sanitize == Autograde.class_traits()["sanitize_preprocessors"].default()
    execute_step = SandboxExecute(config=config)
    assert execute_step.kernel_manager_class is SandboxKernelManager
    assert execute_step.timeout == config.Execute.timeout  # still configured as Execute


def test_unsandboxed_only_when_allowed(tmp_path, monkeypatch):
    """Where bwrap cannot run, a kernel starts only if the instructor allowed it (on Linux), and
    the refusal says why and what to do, in Chinese and English."""
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap"
                        else real_which(name, *a, **k))
    sandbox_status.cache_clear()
    try:
        ok, why = sandbox_status()
        assert not ok and "bwrap" in why, why
        (tmp_path / "data.txt").write_text("data")
        with pytest.raises(SandboxUnavailable) as refused:
            execute("print('ran')", tmp_path)
        zh, en = str(refused.value).split("\n")
        assert "拒绝" in zh and why in zh and "allow_unsandboxed" in zh
        assert why in en and "allow_unsandboxed" in en and "make system-deps" in en
        out, km = execute("import os\nprint('sees', os.path.isfile('data.txt'))\n", tmp_path,
                          config=UNSANDBOXED)
        assert not km.sandboxed and "sees True" in out, out
        assert "NOT sandboxed" in sandbox.summary_line()
    finally:
        sandbox_status.cache_clear()


def test_a_venv_reached_through_a_link_runs_sandboxed(bwrap, tmp_path):
    """.venv a symbolic link (a shared course environment): the sandbox mounts where it points,
    and starts the Python it mounted (it used to start the link's path, which bwrap could not
    find, and grading fell back to running unsandboxed)."""
    (tmp_path / "venv").symlink_to(os.path.realpath(sys.prefix))
    python = tmp_path / "venv" / "bin" / Path(sys.executable).name
    code = f"""
import nbformat
from nbclient import NotebookClient
from autograder.instructor.sandbox import SandboxKernelManager, sandbox_status
print("status", sandbox_status())
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys, torch; print(sys.prefix)")])
NotebookClient(nb, kernel_manager_class=SandboxKernelManager, kernel_name="python3", timeout=120,
               resources={{"metadata": {{"path": {str(tmp_path)!r}}}}}).execute()
print("kernel", nb.cells[0].outputs[0]["text"])
"""
    proc = subprocess.run([str(python), "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "status (True," in proc.stdout, proc.stdout
    assert f"kernel {os.path.realpath(sys.prefix)}\n" in proc.stdout, proc.stdout


FAKE_BWRAP = """#!/bin/sh
echo "bwrap: No permissions to create new namespace (a fake bwrap of the tests)" >&2
exit 1
"""


def test_every_grading_command_refuses_to_run_unsandboxed(tmp_path):
    """Where bwrap fails (here a fake one first on PATH), `nbgrader autograde` and grade_class
    refuse, saying why in both languages; grade_class --allow-unsandboxed grades, and says so."""
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('answered')", metadata={
        "nbgrader": {"grade": True, "solution": False, "locked": True, "grade_id": "t",
                     "points": 1, "schema_version": 3}})])
    nbformat.write(nb, course / "source" / "ps1" / "ps1.ipynb")
    (course / "submitted" / "s1" / "ps1").mkdir(parents=True)
    nbformat.write(nb, course / "submitted" / "s1" / "ps1" / "ps1.ipynb")
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "bwrap").write_text(FAKE_BWRAP)
    (fake / "bwrap").chmod(0o755)
    env = {**os.environ, "PATH": os.pathsep.join([str(fake), str(Path(sys.executable).parent),
                                                  os.environ["PATH"]])}

    def run(*args):
        return subprocess.run([sys.executable, "-m", *args], cwd=course, env=env, text=True,
                              capture_output=True, timeout=300)

    refused = run("autograder.instructor.grade_class", "ps1")
    allowed = run("autograder.instructor.grade_class", "ps1", "--allow-unsandboxed", "--jobs", "1")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "NOT sandboxed" in allowed.stdout and "s1" in allowed.stdout, allowed.stdout
    autograded = course / "autograded" / "s1" / "ps1" / "ps1.ipynb"
    assert autograded.exists()
    for command in (refused, run("nbgrader", "autograde", "ps1", "--force")):
        output = command.stdout + command.stderr
        assert command.returncode != 0 and "fake bwrap of the tests" in output, output[-3000:]
        assert "拒绝在沙箱外批改" in output and "Refusing to grade outside the sandbox" in output
    assert not autograded.exists(), "nbgrader kept a notebook it could not grade"


def _run_notebook(sources, path, **limits):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    start = time.monotonic()
    SandboxExecute(**limits).preprocess(nb, {"metadata": {"path": str(path)}})
    return nb.cells, time.monotonic() - start


def _outputs(cell) -> list[str]:
    """A cell's outputs: their error names, or the text they show."""
    return [o.get("ename") or o.get("text") for o in cell.outputs]


def test_an_ignored_interrupt_stops_the_kernel_and_costs_only_its_own_cell(tmp_path):
    ignores = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
               "while True:\n    pass")
    cells, took = _run_notebook(["x = 'kept'\nprint(x)", ignores, "print('after', x)"], tmp_path,
                                timeout=5, interrupt_grace=3)
    assert _outputs(cells[0]) == ["kept\n"]
    assert _outputs(cells[1])[:2] == ["CellTimeoutError", "KernelStopped"]
    assert "fresh kernel" in _outputs(cells[1])[2]
    assert _outputs(cells[2]) == ["after kept\n"], "the fresh kernel re-ran the first cell"
    assert took < 45, f"took {took:.0f} s"


def test_a_notebook_has_a_total_time_limit(tmp_path):
    cells, took = _run_notebook(["import time\ntime.sleep(2.5)\nprint('one')",
                                 "time.sleep(9)\nprint('two')", "print('three')"], tmp_path,
                                timeout=30, notebook_timeout=4)
    assert "one" in cells[0].outputs[0].text
    assert "CellTimeoutError" in [o.get("ename") for o in cells[1].outputs]  # cut short
    assert [o.ename for o in cells[2].outputs] == ["NotRun"]
    assert took < 20, f"took {took:.0f} s"


def test_a_kernel_that_dies_costs_only_its_own_cell(tmp_path):
    """The cells before keep their outputs (the fresh kernel re-runs them quietly), the cell that
    killed the kernel says so, and every cell in which a kernel died is skipped when re-running;
    after max_restarts fresh kernels the rest is not run."""
    cells, _ = _run_notebook(["x = 1\nprint('once')", "import os\nos._exit(1)", "y = 2",
                              "import faulthandler\nfaulthandler._sigsegv()", "print(x, y)",
                              "import os\nos._exit(2)", "print('never')"], tmp_path, timeout=30,
                             max_restarts=2)
    assert _outputs(cells[0]) == ["once\n"]
    for killer in (cells[1], cells[3]):
        assert _outputs(killer)[0] == "KernelDied" and "fresh kernel" in _outputs(killer)[1]
        assert "segfault" in killer.outputs[0]["evalue"] and "段错误" in killer.outputs[0]["evalue"]
    assert _outputs(cells[4]) == ["1 2\n"]
    assert _outputs(cells[5]) == ["KernelDied"]
    assert _outputs(cells[6]) == ["NotRun"] and "restarted 2 times" in cells[6].outputs[0]["evalue"]


def test_re_running_the_cells_before_stays_within_the_notebooks_time(tmp_path):
    cells, took = _run_notebook(["import time\ntime.sleep(3)", "import os\nos._exit(1)",
                                 "print('after')"], tmp_path, timeout=30, notebook_timeout=5)
    assert _outputs(cells[1]) == ["KernelDied"]  # no fresh kernel for the cells after it
    assert _outputs(cells[2]) == ["NotRun"] and "total time" in cells[2].outputs[0]["evalue"]
    assert took < 30, f"took {took:.0f} s"


def test_a_test_cell_whose_call_kills_the_kernel_costs_only_that_cell(tmp_path, monkeypatch):
    """The referee's request in a test cell kills the kernel: that cell fails, the verdict before
    it stands, and the next test cell is judged in a fresh kernel."""
    def test_cell(grade_id, source):
        return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
            "grade": True, "solution": False, "locked": True, "grade_id": grade_id, "points": 1}})

    setup = "from autograder import call, check_value"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("import os\ndef one():\n    return 1\ndef dies():\n    os._exit(1)"),
        test_cell("t1", "check_value(call(one), 1, name='one()')\nprint('one passed')"),
        test_cell("t2", "check_value(call(dies), 2, name='dies()')"),
        nbformat.v4.new_code_cell("def three():\n    return 3"),
        test_cell("t3", "check_value(call(three), 3, name='three()')\nprint('three passed')")])
    gradebook = [{"name": "setup", "source": setup, "cell_type": "code", "locked": True,
                  "test": False}]
    gradebook += [{"name": c.metadata["nbgrader"]["grade_id"], "source": c.source,
                   "cell_type": "code", "locked": True, "test": True}
                  for c in nb.cells if "nbgrader" in c.metadata]
    monkeypatch.setattr(referee, "gradebook_cells", lambda *args, **kwargs: gradebook)
    grading = {"db_url": "-", "notebook": "n", "assignment": "a", "student": "s"}
    SandboxExecute(timeout=30).preprocess(nb, {"metadata": {"path": str(tmp_path)},
                                               "nbgrader": grading})
    assert _outputs(nb.cells[2]) == ["one passed\n"]
    assert _outputs(nb.cells[3])[0] == "KernelDied" and "fresh kernel" in _outputs(nb.cells[3])[1]
    assert _outputs(nb.cells[5]) == ["three passed\n"]
