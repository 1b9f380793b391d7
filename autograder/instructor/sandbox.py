"""Grading kernels in a bubblewrap sandbox, so a hostile submission cannot game the grader.

nbgrader runs each submitted notebook in a Jupyter kernel started by a jupyter_client kernel
manager. :class:`SandboxKernelManager` starts that kernel inside ``bwrap`` (Debian/Ubuntu package
``bubblewrap``), where it sees only:

* a scratch copy of its notebook's folder, writable, as its working directory (same path),
  without the notebooks (the one being graded holds the hidden tests nbgrader put back);
* read-only: /usr, a few files of /etc, Python, the venv and the course packages
  ``autograder`` and ``helpers`` (the copies it would import; never the course directory, so
  not source/, gradebook.db, submitted/ or $HOME), plus a small private /tmp (its $HOME);
* its own PID namespace (it cannot see or signal the grader), no network (only its own
  loopback: the grader talks to it over IPC sockets in a folder bound into the sandbox), and
  limits on address space, CPU time, processes and file size (set by :data:`LAUNCHER`);
* a grader running as root runs each kernel as a fresh unprivileged user (root would ignore the
  process limit); otherwise bwrap runs it as the grader's user in a new user namespace.

Killing bwrap (``--die-with-parent``) kills every process of the sandbox, so nothing outlives a
kernel. Timeouts interrupt a cell by an ``interrupt_request`` message, as signals do not cross
into the sandbox. The kernel's Python is started by the path the sandbox mounts (a venv reached
through a symbolic link is mounted where the link points: :func:`interpreter`).

The autograde pipeline's execute step (:mod:`autograder.instructor.execute`) starts its kernels
with this manager.

Where bubblewrap cannot run, :func:`sandbox_status` says why, and on Linux no kernel starts
unsandboxed unless the instructor allows it (``c.SandboxKernelManager.allow_unsandboxed = True``
in nbgrader_config.py, or ``grade_class --allow-unsandboxed``): :class:`SandboxUnavailable`, whose
message says what failed and what to do. Elsewhere (macOS) there is no bubblewrap at all, and
grading runs unsandboxed with a warning.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List

from helpers.text import bilingual

ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "fonts", "localtime",
       "passwd", "group", "nsswitch.conf"]
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "TZ", "TERM")
ENV_KEEP_PREFIXES = ("LC_", "PYTHON", "COURSE_", "NBGRADER_", "OMP_", "MKL_", "MPLBACKEND")

# Runs inside the sandbox: as root, become the kernel's own user; set the limits; exec the kernel.
#   python -c LAUNCHER UID=<uid> AS=<bytes> CPU=<seconds> NPROC=<n> FSIZE=<bytes> -- <kernel argv>
LAUNCHER = """\
import os, resource, sys
split = sys.argv.index("--")
limits = dict(item.split("=") for item in sys.argv[1:split])
uid = int(limits.pop("UID"))
if os.getuid() == 0:
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
for name, value in limits.items():
    resource.setrlimit(getattr(resource, "RLIMIT_" + name), (int(value), int(value)))
os.execvp(sys.argv[split + 1], sys.argv[split + 1:])
"""


def system_mounts() -> list[tuple[str, str, str]]:
    """/usr and the top-level links into it, read-only, and a few harmless files of /etc."""
    mounts = [("--ro-bind", "/usr", "/usr")]
    for top in ("/bin", "/lib", "/lib64", "/sbin"):
        if os.path.islink(top):
            mounts.append(("--symlink", os.readlink(top), top))
        elif os.path.isdir(top):
            mounts.append(("--ro-bind", top, top))
    return mounts + [("--ro-bind-try", f"/etc/{name}", f"/etc/{name}") for name in ETC]


def with_parents(mounts: list[tuple[str, str, str]]) -> list[str]:
    """The mounts as bwrap arguments, each after a world-readable --dir for every missing parent
    folder (bwrap run as root makes them 0700, and the kernel, not root, could not pass)."""
    args, made, mounted = [], {"/", "/tmp"}, []
    for flag, src, dest in mounts:
        for parent in reversed(Path(dest).parents):
            if str(parent) not in made and not any(parent.is_relative_to(m) for m in mounted):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        args += [flag, src, dest]
        mounted.append(dest)
    return args


def python_dirs(env: dict[str, str], packages: list[str]) -> list[str]:
    """Python, the venv, and each course package where the kernel will import it from: the
    grader's own copy and any under PYTHONPATH (never a PYTHONPATH folder itself)."""
    dirs = [sys.base_prefix, sys.prefix]
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec and spec.submodule_search_locations:
            dirs.append(list(spec.submodule_search_locations)[0])
    for entry in filter(None, env.get("PYTHONPATH", "").split(os.pathsep)):
        dirs += [str(Path(entry, name)) for name in packages if Path(entry, name).is_dir()]
    return list(dict.fromkeys(os.path.realpath(d) for d in dirs))


def kernel_env(env: dict[str, str]) -> dict[str, str]:
    """What the kernel may see of the grader's environment (no tokens, no $HOME)."""
    kept = {k: v for k, v in env.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}
    return {**kept, "HOME": "/tmp", "USER": "student"}


def bwrap_command(ipc: str, work: str, cwd: str, env: dict[str, str], packages: list[str],
                  tmp_size: int) -> list[str]:
    """bwrap and its arguments: namespaces, then the file system the kernel sees."""
    root = os.geteuid() == 0
    args = [shutil.which("bwrap") or "bwrap",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--setenv", "JPY_PARENT_PID", "1"]  # its parent there; the grader's PID would stop it
    # As root, no user namespace: the launcher drops to the kernel's user (needs these two).
    args += (["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if root
             else ["--unshare-user", "--disable-userns"])
    args += ["--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(tmp_size), "--tmpfs", "/tmp"]
    mounts = system_mounts() + [("--ro-bind", path, path) for path in python_dirs(env, packages)]
    mounts += [("--bind", ipc, ipc), ("--bind", work, cwd)]
    return args + with_parents(mounts) + ["--chdir", cwd]


def no_imports_from_cwd(cmd: list[str], kw: dict) -> tuple[list[str], dict]:
    """A submission's folder must not shadow a module: an `autograder.py` or `torch.py` handed in
    beside the notebook would otherwise be what `import autograder` finds. Python (-m) and IPython
    both put the working directory first on sys.path; PYTHONSAFEPATH and ignore_cwd turn that off."""
    kw["env"] = {**(kw.get("env") or os.environ), "PYTHONSAFEPATH": "1"}
    return [*cmd, "--IPKernelApp.ignore_cwd=True"], kw


def on_the_cpu(kw: dict) -> dict:
    """A grading kernel runs on the CPU: in the sandbox it sees no GPU, and the referee builds its
    tensors on the CPU too (referee.py), so that the two always agree."""
    kw["env"] = {**(kw.get("env") or os.environ), "COURSE_DEVICE": "cpu"}
    return kw


def mounted(path: str) -> str:
    """Where a Python executable is inside the sandbox: its folder resolved, as the sandbox mounts
    resolved paths (python_dirs), its own name kept (a venv's bin/python is a link to the base
    Python, and only started by this name is it the venv's)."""
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def interpreter() -> str:
    """The grader's Python, by the path that exists inside the sandbox."""
    return mounted(sys.executable)


def launcher_command(uid: int, limits: dict[str, int]) -> list[str]:
    return [interpreter(), "-c", LAUNCHER, f"UID={uid}", *(f"{k}={v}" for k, v in limits.items()),
            "--"]


def kernel_uid() -> int:
    """Who a kernel runs as when the grader is root, who is exempt from RLIMIT_NPROC: a fresh
    unprivileged user per kernel, so kernels graded in parallel neither share that limit nor
    can touch each other's files."""
    return 1_000_000 + secrets.randbelow(1_000_000_000)


def give_to_kernel(uid: int, *folders: Path) -> None:
    """As root, hand the scratch folders to the user the kernel runs as."""
    if os.geteuid() != 0:
        return
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            os.lchown(path, uid, uid)


@functools.lru_cache(maxsize=None)
def sandbox_status() -> tuple[bool, str]:
    """(True, "bubblewrap <version>") when grading kernels run sandboxed in this process, else
    (False, why not). Decided once, by starting Python in the sandbox exactly as a kernel."""
    if not sys.platform.startswith("linux"):
        return False, f"bubblewrap needs Linux; this is {sys.platform}"
    if shutil.which("bwrap") is None:
        return False, "bwrap not found (install the bubblewrap package: make system-deps)"
    km, env, uid = SandboxKernelManager(), kernel_env(dict(os.environ)), kernel_uid()
    with tempfile.TemporaryDirectory(prefix="sandbox-probe-") as tmp:
        give_to_kernel(uid, Path(tmp))
        cmd = (bwrap_command(tmp, tmp, tmp, env, km.packages, km.file_size_limit)
               + launcher_command(uid, km.limits()) + [interpreter(), "-c", ""])
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)
        except (OSError, subprocess.TimeoutExpired) as err:
            return False, f"bwrap failed: {err}"
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
        return False, f"bwrap cannot run here: {lines[-1]}"
    version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
    return True, version or "bubblewrap"


class SandboxUnavailable(RuntimeError):
    """Grading would run unsandboxed, and the instructor has not allowed that."""


def refusal(allowed: bool) -> str | None:
    """Why grading must not start here (bilingual), or None: where bubblewrap cannot run on Linux,
    unless unsandboxed grading is ``allowed``."""
    sandboxed, why = sandbox_status()
    if sandboxed or allowed or not sys.platform.startswith("linux"):
        return None
    return bilingual(
        f"拒绝在沙箱外批改：bubblewrap 在这台机器上无法运行（{why}）。在沙箱外，提交的代码能读写批改程序能读写的一切"
        "（课程目录、gradebook.db、$HOME）。请安装 bubblewrap（make system-deps），并允许非特权用户命名空间"
        "（Debian：sysctl kernel.unprivileged_userns_clone=1；Ubuntu 24.04："
        "sysctl kernel.apparmor_restrict_unprivileged_userns=0；Docker：--security-opt seccomp=unconfined）。"
        "如果确实要在沙箱外批改：在 nbgrader_config.py 中设置 c.SandboxKernelManager.allow_unsandboxed = True，"
        "或者给 grade_class 加上 --allow-unsandboxed。",
        f"Refusing to grade outside the sandbox: bubblewrap cannot run on this machine ({why}). "
        "Outside it, submitted code can read and write everything the grader can (the course "
        "directory, gradebook.db, $HOME). Install bubblewrap (make system-deps) and allow "
        "unprivileged user namespaces (Debian: sysctl kernel.unprivileged_userns_clone=1; "
        "Ubuntu 24.04: sysctl kernel.apparmor_restrict_unprivileged_userns=0; Docker: "
        "--security-opt seccomp=unconfined). To grade unsandboxed all the same: set "
        "c.SandboxKernelManager.allow_unsandboxed = True in nbgrader_config.py, or pass "
        "--allow-unsandboxed to grade_class.")


def summary_line() -> str:
    """One line for grade_class's summary: were the kernels sandboxed?"""
    sandboxed, why = sandbox_status()
    if sandboxed:
        return (f"沙箱 / sandbox: 每个评分内核都在沙箱中运行 / every grading kernel ran sandboxed "
                f"({why})")
    return (f"⚠ 未使用沙箱 / NOT sandboxed ({why}): 提交的代码能读写课程目录 / "
            f"submitted code could read and write the course directory")


class SandboxKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernels run in a bubblewrap sandbox (where bwrap runs)."""

    memory_limit = Integer(8 << 30, help="Address space of a kernel, bytes (each thread "
                                         "reserves some: raise it on many cores)").tag(config=True)
    cpu_limit = Integer(1200, help="CPU time of a kernel (all its threads), seconds; a cell's wall "
                                   "time is Execute.timeout").tag(config=True)
    process_limit = Integer(256, help="Processes and threads of a kernel").tag(config=True)
    file_size_limit = Integer(64 << 20, help="Largest file a kernel may write, bytes; also "
                                             "the size of its private /tmp").tag(config=True)
    packages = List(["autograder", "helpers"], help="Course packages a kernel may import "
                                                    "(read-only)").tag(config=True)
    allow_unsandboxed = Bool(False, help="Start kernels unsandboxed where bubblewrap cannot run "
                                         "(on Linux grading refuses otherwise); submitted code can "
                                         "then read and write what the grader can").tag(config=True)

    sandboxed = False  # whether the last kernel this manager started is sandboxed
    scratch: Path | None = None

    def limits(self) -> dict[str, int]:
        return {"AS": self.memory_limit, "CPU": self.cpu_limit, "NPROC": self.process_limit,
                "FSIZE": self.file_size_limit}

    def make_scratch(self, cwd: str | None) -> tuple[Path, Path]:
        """A fresh folder: ipc/ (connection file and sockets) and work/ (a copy of cwd)."""
        self.scratch = Path(tempfile.mkdtemp(prefix="sandbox-kernel-"))
        ipc, work = self.scratch / "ipc", self.scratch / "work"
        ipc.mkdir()
        if cwd and os.path.isdir(cwd):
            # A link stays a link (never its target); the scratch folder is skipped, should cwd
            # hold it (a kernel started in /tmp would otherwise copy its copy, endlessly); and so
            # are notebooks: the one being graded holds the hidden tests nbgrader put back.
            shutil.copytree(cwd, work, symlinks=True, ignore=lambda folder, names: [
                name for name in names
                if Path(folder, name) == self.scratch or name.endswith(".ipynb")])
        else:
            work.mkdir()
        return ipc, work

    async def _async_pre_start_kernel(self, **kw):
        self.sandboxed, why = sandbox_status()
        if not self.sandboxed:
            if refused := refusal(self.allow_unsandboxed):
                raise SandboxUnavailable(refused)
            self.log.warning("评分内核未在沙箱中运行 / Grading kernel NOT sandboxed: %s", why)
            cmd, kw = await super()._async_pre_start_kernel(**kw)
            return no_imports_from_cwd(cmd, on_the_cpu(kw))
        ipc, work = self.make_scratch(kw.get("cwd"))
        cwd = os.path.realpath(kw["cwd"]) if kw.get("cwd") else str(work)  # same path inside
        self.transport, self.cache_ports = "ipc", False
        self.ip, self.connection_file = str(ipc / "kernel"), str(ipc / "kernel.json")
        self.kernel_spec.interrupt_mode = "message"  # a signal would only reach bwrap
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        if os.path.isabs(cmd[0]):
            cmd = [mounted(cmd[0]), *cmd[1:]]  # the kernel's Python, where the sandbox has it
        uid = kernel_uid()
        give_to_kernel(uid, ipc, work)
        kw["env"] = kernel_env(kw.get("env") or dict(os.environ))
        kw["cwd"] = str(work)
        sandbox = bwrap_command(str(ipc), str(work), cwd, kw["env"], self.packages,
                                self.file_size_limit)
        cmd, kw = no_imports_from_cwd(cmd, on_the_cpu(kw))
        return sandbox + launcher_command(uid, self.limits()) + cmd, kw

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None

    cleanup_resources = _async_cleanup_resources  # nbclient calls it after a kernel died
