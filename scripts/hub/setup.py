"""Lay out a JupyterHub for a class on one machine, then (``--start``) run it: `make hub`.

    sudo python -m scripts.hub.setup [--prefix /opt/pytorch-course]
        [--exchange /srv/nbgrader/exchange] [--instructor instructor] [--students "alice bob"]
        [--homes /home] [--ip 127.0.0.1] [--port 8000] [--start]

Runs as root, from the course's clone after `make setup`. Re-running it is safe: what is already
right is left alone; it never overwrites the instructor's course or a user's files.

1. nodejs and npm (Debian's, by scripts/system-deps.sh) and configurable-http-proxy (npm ci into
   scripts/hub/node_modules).
2. The class's Python environment, PREFIX/env: the course's .venv (installed by `make setup` from
   requirements-lock.txt) copied with hard links (seconds, no disk), on a Python every user can run,
   with the course packages as plain copies (students never need the clone). Its
   etc/jupyter/nbgrader_config.py (class_nbgrader_config.py) tells every user's nbgrader where
   the exchange is and makes submissions private; the Formgrader, Course List and Create
   Assignment are switched off there and on for the instructor (~/.jupyter).
3. The users: the instructor and the students; a missing one is created (no password: for PAM
   logins, `passwd NAME`); every home becomes private (0700).
4. The exchange (see PERMISSIONS): root owned, sticky; the course's folder pre-created and the
   instructor's; inbound/ writable but not listable, sticky, setgid to the instructor's group.
5. The instructor's course: a copy of this course's files in ~instructor/course (0700), with
   .venv linking to the class's environment, when it is not there yet.
6. PREFIX/hub/settings.json (root only), which scripts/hub/jupyterhub_config.py reads.
"""
from __future__ import annotations

import argparse
import grp
import hashlib
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

from helpers.text import bilingual

REPO = Path(__file__).resolve().parents[2]
HUB = REPO / "scripts" / "hub"
PROXY = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
MARKER = ".pytorch-course-hub"  # in an environment this script made (and may rebuild)
GECOS = "pytorch-course class"  # the comment of the accounts this script created

# Path (relative to the exchange root; {course} is the course id) -> owner, mode, why.
PERMISSIONS = {
    ".": ("root", 0o1777, "every user's nbgrader checks that it can write here; sticky: no one "
                          "renames or deletes a folder that is not theirs (the course's)"),
    "{course}": ("instructor", 0o755, "pre-created, so no student can take the course's name"),
    "{course}/outbound": ("instructor", 0o755, "released assignments: students read, never write"),
    "{course}/inbound": ("instructor", 0o3733, "students create submissions but cannot list them; "
                                               "sticky: no one deletes another's; setgid: each "
                                               "submission gets the instructor's group"),
    "{course}/feedback": ("instructor", 0o711, "not listable: a student opens only the feedback "
                                               "whose name their own submission's secret gives"),
}


def fail(zh: str, en: str) -> None:
    raise SystemExit(bilingual(zh, en))


def run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=True, **kw)


def deps_hash(repo: Path = REPO) -> str:
    """What the Makefile writes to .venv/.installed: pyproject.toml + the lock, hashed."""
    data = (repo / "pyproject.toml").read_bytes() + (repo / "requirements-lock.txt").read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- 1. the proxy ----------------------------------------------------------------------------

def install_proxy() -> None:
    run(["bash", str(REPO / "scripts" / "system-deps.sh"), "hub"])  # node, npm, patchelf
    lock = hashlib.sha256((HUB / "package-lock.json").read_bytes()).hexdigest()
    stamp = HUB / "node_modules" / MARKER
    if PROXY.exists() and stamp.is_file() and stamp.read_text() == lock:
        return
    print("正在安装 configurable-http-proxy / Installing configurable-http-proxy (npm ci)...")
    run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HUB)
    stamp.write_text(lock)


# ---- 2. the class's environment --------------------------------------------------------------

def runs_for_everyone(python: str) -> bool:
    """Whether a user who owns nothing (nobody) can start this Python."""
    proc = subprocess.run(["runuser", "-u", "nobody", "--", python, "-c", ""], cwd="/",
                          capture_output=True)
    return proc.returncode == 0


def python_for_everyone(venv: Path, prefix: Path) -> str:
    """The .venv's Python, or where other users cannot run it (a Python built under /root, as
    pyenv's is), a copy of its installation in PREFIX/python (hard links, its own site-packages
    left out) whose program finds its library beside it. Another Python of the same X.Y would not
    do: a package may need a later patch release (soupsieve 4.1 needs 3.11.5, Debian 12 has 3.11.2)."""
    base = os.path.realpath(venv / "bin" / "python")
    if runs_for_everyone(base):
        return base
    home = Path(run([base, "-c", "import sys; print(sys.base_prefix)"], capture_output=True,
                    text=True).stdout.strip())
    target, name = prefix / "python", Path(base).name
    if not (target / MARKER).is_file() or (target / MARKER).read_text() != str(home):
        print(f"正在复制 Python / Copying Python for every user: {home} -> {target}")
        shutil.rmtree(target, ignore_errors=True)
        version = name.removeprefix("python")
        link_tree(home / "lib", target / "lib", skip={home / "lib" / f"python{version}" / "site-packages"})
        (target / "lib" / f"python{version}" / "site-packages").mkdir()
        (target / "bin").mkdir()
        shutil.copy2(base, target / "bin" / name)
        runpath = run(["patchelf", "--print-rpath", str(target / "bin" / name)], capture_output=True,
                      text=True).stdout.strip()
        if runpath:  # e.g. /root/.pyenv/versions/3.11.7/lib, where libpython is
            run(["patchelf", "--set-rpath", runpath.replace(str(home / "lib"), "$ORIGIN/../lib"),
                 str(target / "bin" / name)])
        (target / MARKER).write_text(str(home))
    if runs_for_everyone(str(target / "bin" / name)):
        return str(target / "bin" / name)
    fail(f".venv 的 Python（{base}）其他用户无法运行，复制到 {target} 的也不行。请用所有用户都能运行的 Python "
         f"重建课程环境：rm -rf .venv && make setup PYTHON=/usr/bin/python3（它要满足 requirements-lock.txt），"
         f"然后再运行 make hub。",
         f"The .venv's Python ({base}) cannot be run by other users, nor can its copy in {target}. "
         f"Rebuild the course's environment with a Python every user can run (one that "
         f"requirements-lock.txt's packages accept): rm -rf .venv && make setup "
         f"PYTHON=/usr/bin/python3, then make hub again.")


def link_tree(source: Path, target: Path, skip: set[Path]) -> None:
    """Hard links (a copy across file systems), symbolic links kept, ``skip`` left out."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = [d for d in dirs if Path(folder, d) not in skip]
        (target / Path(folder).relative_to(source)).mkdir(parents=True, exist_ok=True)
        for name in files + [d for d in dirs if Path(folder, d).is_symlink()]:
            src, dst = Path(folder, name), target / Path(folder, name).relative_to(source)
            if src.is_symlink():
                dst.symlink_to(os.readlink(src))
            else:
                try:
                    os.link(src, dst)
                except OSError:
                    shutil.copy2(src, dst)


def clone_tree(source: Path, target: Path) -> None:
    """Hard links where source and target share a file system (seconds), a copy elsewhere."""
    if subprocess.run(["cp", "-al", str(source), str(target)], capture_output=True).returncode:
        shutil.rmtree(target, ignore_errors=True)
        run(["cp", "-a", str(source), str(target)])


def rewrite(path: Path, content: bytes | str) -> None:
    """Replace a file by a new one (never write into a file hard-linked to the .venv's)."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    path.unlink(missing_ok=True)
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    path.chmod(mode)


def build_environment(venv: Path, env: Path, prefix: Path) -> None:
    """PREFIX/env from the course's .venv, unless it was built from the same dependencies."""
    if not (venv / ".installed").is_file():
        fail("还没有安装课程环境：请先运行 make setup。",
             "The course's environment is not installed: run make setup first.")
    stamp = deps_hash()
    if env.exists() and not (env / MARKER).is_file():
        fail(f"{env} 已经存在，但不是 make hub 创建的。请换一个 HUB_PREFIX，或者检查后删除它。",
             f"{env} exists but make hub did not create it. Choose another HUB_PREFIX, or check "
             f"it and remove it.")
    if (env / MARKER).is_file() and (env / MARKER).read_text() == stamp:
        return
    python = python_for_everyone(venv, prefix)
    print(f"正在建立全班的 Python 环境 / Building the class's Python environment: {env}")
    shutil.rmtree(env, ignore_errors=True)
    env.parent.mkdir(parents=True, exist_ok=True)
    clone_tree(venv, env)
    shutil.rmtree(env / "etc")  # its config files are rewritten below: copies, not links
    shutil.copytree(venv / "etc", env / "etc", symlinks=True)
    old, new = str(venv.resolve()).encode(), str(env).encode()
    for path in (env / "bin").iterdir():
        if path.is_symlink() and path.name.startswith("python"):
            path.unlink()
            path.symlink_to(python)
        elif path.is_file() and path.stat().st_size < 1 << 20 and old in path.read_bytes():
            rewrite(path, path.read_bytes().replace(old, new))  # scripts' #! lines, activate
    version = subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True, check=True).stdout.strip()
    rewrite(env / "pyvenv.cfg", f"home = {Path(python).parent}\ninclude-system-site-packages = "
                                f"false\nversion = {version}\nexecutable = {python}\n")
    rewrite(env / ".installed", stamp + "\n")
    (env / MARKER).write_text(stamp)


def site_packages(env: Path) -> Path:
    return next((env / "lib").glob("python3*/site-packages"))


def install_course_packages(env: Path) -> None:
    """helpers and autograder as plain copies of this clone's (refreshed on every run)."""
    site = site_packages(env)
    for stale in [*site.glob("__editable__*pytorch_course*"), *site.glob("pytorch_course-*.dist-info")]:
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    for package in ("helpers", "autograder"):
        shutil.rmtree(site / package, ignore_errors=True)
        shutil.copytree(REPO / package, site / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def configure_environment(env: Path, exchange: Path, course_id: str) -> None:
    """Every user's nbgrader and Jupyter settings, in the environment's etc/jupyter."""
    etc = env / "etc" / "jupyter"
    rewrite(etc / "nbgrader_config.py", (HUB / "class_nbgrader_config.py").read_bytes())
    rewrite(etc / "pytorch_course_hub.json",
            json.dumps({"exchange": str(exchange), "course_id": course_id}, indent=2))
    # Students get the Assignment List and Validate; the instructor's own settings add the rest.
    rewrite(etc / "jupyter_server_config.d" / "nbgrader.json", json.dumps({"ServerApp": {
        "jpserver_extensions": {**{e: False for e in INSTRUCTOR_SERVER},
                                "nbgrader.server_extensions.assignment_list": True,
                                "nbgrader.server_extensions.validate_assignment": True}}}, indent=2))
    (etc / "labconfig").mkdir(exist_ok=True)
    rewrite(etc / "labconfig" / "page_config.json",
            json.dumps({"disabledExtensions": {e: True for e in INSTRUCTOR_LAB}}, indent=2))
    # No "get news about Jupyter?" question for a class: it covers the Assignment List's buttons.
    overrides = env / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    rewrite(overrides, json.dumps({"@jupyterlab/apputils-extension:notification":
                                   {"fetchNews": "false"}}, indent=2))


INSTRUCTOR_SERVER = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
INSTRUCTOR_LAB = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list",
                  "@jupyter/nbgrader:create-assignment"]


def check_environment(env: Path) -> None:
    proc = subprocess.run(["runuser", "-u", "nobody", "--", str(env / "bin" / "python"), "-c",
                           "import torch, nbgrader, jupyterhub, autograder.instructor.links"],
                          cwd="/", capture_output=True, text=True)
    if proc.returncode:
        fail(f"其他用户无法使用全班的环境 {env}：\n{proc.stderr[-1500:]}",
             f"Other users cannot use the class's environment {env}:\n{proc.stderr[-1500:]}")


# ---- 3. users ----------------------------------------------------------------------------------

def ensure_user(name: str, homes: Path) -> pwd.struct_passwd:
    created = False
    try:
        user = pwd.getpwnam(name)
    except KeyError:
        run(["useradd", "--create-home", "--home-dir", str(homes / name), "--shell", "/bin/bash",
             "--comment", GECOS, name])
        user, created = pwd.getpwnam(name), True
        print(f"已创建用户 {name}（用 PAM 登录前请设置密码：passwd {name}）/ created user {name} "
              f"(give it a password for PAM logins: passwd {name})")
    home = Path(user.pw_dir)
    home.mkdir(mode=0o700, exist_ok=True)
    os.chown(home, user.pw_uid, user.pw_gid)
    if home.stat().st_mode & 0o077:
        if not created:
            print(f"{home}: {oct(home.stat().st_mode & 0o777)} -> 0o700 (只有本人能读 / private)")
        home.chmod(0o700)
    return user


def check_instructor_group(instructor: pwd.struct_passwd, students: list[pwd.struct_passwd]) -> None:
    """Submissions are readable by the instructor's group: no student may be in it."""
    group = grp.getgrgid(instructor.pw_gid)
    members = {s.pw_name for s in students if s.pw_gid == group.gr_gid or s.pw_name in group.gr_mem}
    if members:
        fail(f"学生 {', '.join(sorted(members))} 属于老师的用户组 {group.gr_name}，能读到别人的提交。请给老师"
             f"一个只属于自己的用户组（usermod -g {instructor.pw_name} {instructor.pw_name}），再运行 make hub。",
             f"Students {', '.join(sorted(members))} are in the instructor's group {group.gr_name} and "
             f"could read everyone's submissions. Give the instructor a group of their own (usermod "
             f"-g {instructor.pw_name} {instructor.pw_name}), then run make hub again.")


# ---- 4. the exchange ---------------------------------------------------------------------------

def lay_out_exchange(exchange: Path, course_id: str, instructor: pwd.struct_passwd) -> None:
    exchange.mkdir(parents=True, exist_ok=True)
    for relative, (owner, mode, _) in PERMISSIONS.items():
        path = exchange / relative.format(course=course_id)
        uid, gid = (0, 0) if owner == "root" else (instructor.pw_uid, instructor.pw_gid)
        if path.is_symlink() or (path.exists() and path.lstat().st_uid != uid):
            fail(f"{path} 已经存在，却属于别人（{path.lstat().st_uid}）：有人抢先占用了它？请检查并（以 root 身份）"
                 f"删除它，再运行 make hub。",
                 f"{path} exists but belongs to someone else (uid {path.lstat().st_uid}): did "
                 f"someone take it first? Check it, remove it (as root), then run make hub again.")
        path.mkdir(exist_ok=True)
        os.chown(path, uid, gid)
        path.chmod(mode)


# ---- 5. the instructor's course ---------------------------------------------------------------

def course_files(repo: Path = REPO) -> list[str]:
    """The files git knows about, committed or not (ignored ones left out)."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                 cwd=repo, capture_output=True).stdout.decode()
    return [name for name in listed.split("\0") if name and (repo / name).is_file()]


def lay_out_course(course: Path, env: Path, instructor: pwd.struct_passwd) -> None:
    if not course.exists():
        print(f"正在复制课程 / Copying the course to {course}")
        for name in course_files():
            (course / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, course / name)
        (course / ".venv").symlink_to(env)  # make release etc. use the class's environment
        run(["chown", "-R", "--no-dereference", f"{instructor.pw_uid}:{instructor.pw_gid}",
             str(course)])
    course.chmod(0o700)  # source/, gradebook.db and submitted/ are the instructor's alone
    jupyter = Path(instructor.pw_dir) / ".jupyter"
    files = {
        # The Formgrader runs in the instructor's server (cwd: home), with the course's settings.
        jupyter / "nbgrader_config.py":
            f"c = get_config()  # noqa: F821\nc.CourseDirectory.root = {str(course)!r}\n"
            f"load_subconfig('nbgrader_config.py', path={str(course)!r})\n",
        jupyter / "jupyter_server_config.json":
            json.dumps({"ServerApp": {"jpserver_extensions": {e: True for e in INSTRUCTOR_SERVER}}},
                       indent=2),
        jupyter / "labconfig" / "page_config.json":
            json.dumps({"disabledExtensions": {e: False for e in INSTRUCTOR_LAB}}, indent=2),
    }
    for path, content in files.items():
        if path.exists():
            continue  # the instructor's own settings win
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        for made in (jupyter, *path.relative_to(jupyter).parents, path.relative_to(jupyter)):
            os.chown(jupyter / made, instructor.pw_uid, instructor.pw_gid)


# ---- 6. settings, and starting the hub ---------------------------------------------------------

def course_id(repo: Path = REPO) -> str:
    from traitlets.config.loader import PyFileConfigLoader

    os.environ.setdefault("NBGRADER_EXCHANGE", "/nonexistent")  # the course's config needs one
    return PyFileConfigLoader("nbgrader_config.py", path=str(repo)).load_config().CourseDirectory.course_id


def hub_command(prefix: Path) -> tuple[list[str], dict[str, str]]:
    """How to start the hub (argv, environment), as root."""
    env = {**os.environ, "PYTORCH_COURSE_HUB": str(prefix / "hub" / "settings.json")}
    return [str(prefix / "env" / "bin" / "jupyterhub"), "-f", str(HUB / "jupyterhub_config.py")], env


def set_up(args: argparse.Namespace) -> dict:
    if os.geteuid() != 0:
        fail("make hub 需要 root 权限（它创建用户和 exchange，并以每个用户的身份启动他们的服务器）：sudo make hub",
             "make hub needs root (it creates users and the exchange, and starts each user's "
             "server as that user): sudo make hub")
    prefix, exchange = Path(args.prefix).resolve(), Path(args.exchange).resolve()
    students = args.students.replace(",", " ").split()
    if args.instructor in students:
        fail("老师不能同时是学生。", "The instructor cannot be one of the students.")
    install_proxy()
    prefix.mkdir(parents=True, exist_ok=True)
    prefix.chmod(0o755)
    env = prefix / "env"
    build_environment(REPO / ".venv", env, prefix)
    install_course_packages(env)
    cid = course_id()
    configure_environment(env, exchange, cid)
    check_environment(env)
    homes = Path(args.homes)
    instructor = ensure_user(args.instructor, homes)
    accounts = [ensure_user(name, homes) for name in students]
    check_instructor_group(instructor, accounts)
    lay_out_exchange(exchange, cid, instructor)
    course = Path(instructor.pw_dir) / "course"
    lay_out_course(course, env, instructor)

    state = prefix / "hub"
    state.mkdir(mode=0o700, exist_ok=True)
    state.chmod(0o700)
    settings_path = state / "settings.json"
    old = json.loads(settings_path.read_text()) if settings_path.exists() else {}
    settings = {
        "ip": args.ip, "port": args.port,
        "hub_port": args.hub_port or old.get("hub_port") or free_port(),
        "proxy_api_port": args.proxy_api_port or old.get("proxy_api_port") or free_port(),
        "authenticator": args.authenticator, "dummy_password": args.dummy_password,
        "api_token": args.api_token, "instructor": args.instructor, "students": students,
        "env": str(env), "exchange": str(exchange), "course": str(course), "course_id": cid,
        "proxy": str(PROXY),
    }
    settings_path.write_text(json.dumps(settings, indent=2))
    settings_path.chmod(0o600)
    return settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefix", default="/opt/pytorch-course",
                        help="the class's environment (env/) and the hub's state (hub/)")
    parser.add_argument("--exchange", default="/srv/nbgrader/exchange")
    parser.add_argument("--instructor", default="instructor")
    parser.add_argument("--students", default="", help="user names, separated by spaces or commas")
    parser.add_argument("--homes", default="/home", help="where missing users' homes are made")
    parser.add_argument("--ip", default="127.0.0.1", help="the hub's address (0.0.0.0: every "
                                                          "interface; put TLS in front of it)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--hub-port", type=int, default=0, help="the hub's internal API (default: "
                                                                "a free port, kept on re-runs)")
    parser.add_argument("--proxy-api-port", type=int, default=0)
    parser.add_argument("--authenticator", choices=["pam", "dummy"], default="pam")
    parser.add_argument("--dummy-password", default=None, help=argparse.SUPPRESS)  # tests
    parser.add_argument("--api-token", default=None, help=argparse.SUPPRESS)  # tests
    parser.add_argument("--start", action="store_true", help="then run the hub (Ctrl-C stops it)")
    args = parser.parse_args(argv)
    if args.authenticator == "dummy" and not args.dummy_password:
        parser.error("--authenticator dummy needs --dummy-password")
    settings = set_up(args)
    print(bilingual(
        f"课程已就绪。老师：{settings['instructor']}（课程在 {settings['course']}），学生："
        f"{' '.join(settings['students']) or '（无）'}。",
        f"The class is laid out. Instructor: {settings['instructor']} (course in "
        f"{settings['course']}); students: {' '.join(settings['students']) or '(none)'}."))
    if args.start:
        argv, env = hub_command(Path(args.prefix).resolve())
        print(f"JupyterHub: http://{settings['ip']}:{settings['port']}/  (Ctrl-C 停止 / stops it)",
              flush=True)
        os.execve(argv[0], argv, env)


if __name__ == "__main__":
    main()
