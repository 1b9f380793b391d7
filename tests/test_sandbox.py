"""The grading sandbox (autograder/instructor/sandbox.py): each test runs code in a kernel started
through SandboxKernelManager, the way nbgrader's Execute starts it, and checks that what a hostile
submission would try is denied. Skipped only where bubblewrap cannot run on this machine. The whole
grading paths (stock `nbgrader autograde` and grade_class) are attacked by tests/test_hostile.py."""
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
from autograder.instructor import sandbox
from autograder.instructor.course import load_config
from autograder.instructor.sandbox import SandboxExecute, SandboxKernelManager, sandbox_status

REPO = Path(__file__).resolve().parents[1]
SITE_PACKAGES = Path(nbformat.__file__).resolve().parents[1]
DEFAULTS = SandboxKernelManager()

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
                      "else 'real modules')", course)
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


def test_nbgrader_config_uses_the_sandbox():
    """nbgrader's Execute ignores c.Execute.kernel_manager_class, so the config swaps the step."""
    config = load_config(REPO)
    steps = [import_item(s) if isinstance(s, str) else s
             for s in config.Autograde.autograde_preprocessors]
    assert SandboxExecute in steps
    execute_step = SandboxExecute(config=config)
    assert execute_step.kernel_manager_class is SandboxKernelManager
    assert execute_step.timeout == config.Execute.timeout  # still configured as Execute


def test_unsandboxed_where_bwrap_cannot_run(tmp_path, monkeypatch):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "bwrap"
                        else real_which(name, *a, **k))
    sandbox_status.cache_clear()
    try:
        ok, why = sandbox_status()
        assert not ok and "bwrap" in why, why
        (tmp_path / "data.txt").write_text("data")
        out, km = execute("import os\nprint('sees', os.path.isfile('data.txt'))\n", tmp_path)
        assert not km.sandboxed and "sees True" in out, out
        assert "NOT sandboxed" in sandbox.summary_line()
    finally:
        sandbox_status.cache_clear()


def _run_notebook(sources, path, **limits):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    start = time.monotonic()
    SandboxExecute(**limits).preprocess(nb, {"metadata": {"path": str(path)}})
    return nb.cells, time.monotonic() - start


def test_an_ignored_interrupt_stops_the_kernel_and_costs_only_the_cells_left(tmp_path):
    ignores = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
               "while True:\n    pass")
    cells, took = _run_notebook(["print('kept')", ignores, "print('never')"], tmp_path,
                                timeout=5, interrupt_grace=3)
    assert cells[0].outputs[0].text == "kept\n"
    assert [o.ename for o in cells[1].outputs] == ["CellTimeoutError"]
    assert [o.ename for o in cells[2].outputs] == ["NotRun"], "a test cell left without output scores full"
    assert took < 40, f"took {took:.0f} s"


def test_a_notebook_has_a_total_time_limit(tmp_path):
    cells, took = _run_notebook(["import time\ntime.sleep(2.5)\nprint('one')",
                                 "time.sleep(9)\nprint('two')", "print('three')"], tmp_path,
                                timeout=30, notebook_timeout=4)
    assert "one" in cells[0].outputs[0].text
    assert "CellTimeoutError" in [o.get("ename") for o in cells[1].outputs]  # cut short
    assert [o.ename for o in cells[2].outputs] == ["NotRun"]
    assert took < 20, f"took {took:.0f} s"
