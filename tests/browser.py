"""A real browser on the course's JupyterLab, for tests/test_browser.py.

The server is started the way `make lab` starts it (the venv's `jupyter lab`, .venv/bin on PATH,
``--ServerApp.root_dir=.``), but in a scratch copy of the course (the files git knows about,
committed or not, ignored ones left out), on a free port of 127.0.0.1 with a token, and with
JupyterLab's settings, workspaces and runtime files in the scratch folder, so the test neither
reads nor changes yours. The browser is Debian's Chromium driven by Playwright for Python
(Playwright's own browser download is not used).
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from helpers.text import bilingual

REPO = Path(__file__).resolve().parents[1]
# `make lab` runs .venv/bin/jupyter (a conda environment: the running interpreter's).
BIN = (REPO / ".venv" / "bin" if (REPO / ".venv" / "bin" / "jupyter").exists()
       else Path(sys.executable).parent)
SHOTS = REPO / "build" / "browser"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# Without the background-networking flags Chromium's own connections get refused on the course
# machines and slow everything down.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The notebook the user is looking at (JupyterLab hides the others).
ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
HAN = re.compile(r"[\u4e00-\u9fff]")
# Fonts that have Chinese glyphs (Linux: Noto/Source Han, WenQuanYi; macOS: PingFang, Heiti, Songti;
# Windows: Microsoft YaHei, SimSun, SimHei).
CJK_FONT = re.compile(r"CJK|Source Han|WenQuanYi|PingFang|Hei|Song|YaHei|Sim|Noto Sans SC", re.I)


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_browser() -> str:
    """Chromium's path; skips (fails under CI, which must run the browser test) without it."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        what = "playwright"
    else:
        chromium = next(filter(None, map(shutil.which, CHROMIUM_CANDIDATES)), None)
        if chromium:
            return chromium
        what = "chromium"
    message = bilingual(
        f"浏览器测试需要 {what}，但没有找到。运行 make setup（会用 apt-get 安装 chromium，"
        "并安装 playwright），或者：sudo apt-get install chromium。",
        f"The browser test needs {what}, which was not found. Run make setup (installs chromium "
        "with apt-get and playwright with pip), or: sudo apt-get install chromium.")
    if under_ci():
        pytest.fail(message + "\n(CI=true: CI must run the browser test.)", pytrace=False)
    pytest.skip(message)


def scratch_course(target: Path) -> Path:
    """A copy of the course as git sees it (tracked and untracked-but-not-ignored files)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet committed is still listed
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """`jupyter lab` serving ``root``; ``stop()`` shuts it and its kernels down."""

    def __init__(self, root: Path, scratch: Path):
        self.root, self.scratch = root, scratch
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = scratch / "jupyter.log"
        self._shutting_down: list[threading.Thread] = []
        settings = scratch / "lab-settings"
        # The "get news about Jupyter?" toast would cover the notebook in every screenshot.
        news = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        news.parent.mkdir(parents=True)
        news.write_text(json.dumps({"fetchNews": "false"}))
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               "COURSE_DEVICE": "cpu",
               "JUPYTERLAB_SETTINGS_DIR": str(settings),
               "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "lab-workspaces"),
               "JUPYTER_RUNTIME_DIR": str(scratch / "runtime")}
        env.pop("NBGRADER_EXCHANGE", None)  # the exchange is the scratch course's exchange/
        env.pop("JUPYTER_TOKEN", None)
        args = [str(BIN / "jupyter"), "lab", "--ServerApp.root_dir=.", "--no-browser",
                "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}"]
        if os.geteuid() == 0:
            args.append("--allow-root")  # as the Makefile does
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(args, cwd=root, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def log_tail(self, chars: int = 3000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def api(self, method: str, path: str, timeout: float = 10):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def wait_until_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"jupyter lab exited with {self.proc.returncode}:\n"
                                     f"{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise AssertionError(f"jupyter lab did not answer within {timeout:.0f} s:\n"
                             f"{self.log_tail()}")

    def shut_down_kernels(self, wait: bool = True) -> None:
        """Shut down the kernels of every open notebook (without ``wait``: in the background)."""
        delete = [threading.Thread(target=self._delete_session, args=(s["id"],), daemon=True)
                  for s in self.api("GET", "/api/sessions")]
        for thread in delete:
            thread.start()
        self._shutting_down += delete
        if wait:
            for thread in self._shutting_down:
                thread.join()

    def _delete_session(self, session_id: str) -> None:
        try:
            self.api("DELETE", f"/api/sessions/{session_id}", timeout=30)
        except (OSError, urllib.error.URLError):
            pass  # already gone, or the server is stopping: stop() cleans up either way

    def stop(self) -> None:
        """Ask the server to shut down (it stops its kernels), then make sure nothing is left."""
        for thread in self._shutting_down:
            thread.join(timeout=30)
        if self.proc.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=5)
            except (OSError, urllib.error.URLError):
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        # Kernels run in sessions of their own; theirs are the command lines naming our runtime dir.
        for pid in processes_mentioning(str(self.scratch)):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.log.close()


def processes_mentioning(text: str) -> list[int]:
    """Processes whose command line contains ``text`` (Linux; elsewhere none are found)."""
    pids = []
    for proc in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if proc.name.isdigit() and int(proc.name) != os.getpid():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
                cmdline = cmdline.decode(errors="replace")
            except OSError:
                continue
            if text in cmdline:
                pids.append(int(proc.name))
    return pids


# ---- what a user does in the page -----------------------------------------------------------

def open_in_lab(page, lab: Lab, path: str = "") -> None:
    """Open JupyterLab with a fresh workspace, showing ``path`` (a notebook) if given."""
    route = f"/lab/tree/{path}" if path else "/lab"
    page.goto(f"{lab.url}{route}?reset&token={lab.token}")
    if path.endswith(".ipynb"):
        page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status=idle]",
                               timeout=90_000)
    else:
        page.wait_for_selector(".jp-LauncherCard", timeout=90_000)


def open_notebook(page, lab: Lab, path: str) -> None:
    """Open a notebook as a user does in an open JupyterLab: a double click in the file browser
    when it shows the notebook's folder (else: load JupyterLab showing the notebook)."""
    folder, _, name = path.rpartition("/")
    if page.locator(".jp-Dialog").count():  # left open by a failed step: start afresh
        open_in_lab(page, lab, path)
        return
    crumbs = page.locator(".jp-FileBrowser-crumbs")
    item = page.locator(".jp-DirListing-item", has=page.locator(
        ".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(name)}$")))
    if not (page.url.startswith(f"{lab.url}/lab") and crumbs.count()
            and crumbs.first.inner_text().replace(" ", "").strip("/") == folder and item.count()):
        open_in_lab(page, lab, path)
        return
    item.first.dblclick()
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current", has_text=name).wait_for()
    page.wait_for_selector(f"{ACTIVE} .jp-Notebook-ExecutionIndicator[data-status=idle]",
                           timeout=90_000)


def focus_notebook(page, cell_index: int = 0) -> None:
    """Select a cell by clicking its prompt area, then leave edit mode (command mode)."""
    page.locator(f"{ACTIVE} .jp-Cell").nth(cell_index).locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")


def run_command(page, command: str, search: str) -> None:
    """Run a JupyterLab command from the command palette, as a user would. The palette is opened
    from the menu (View → Activate Command Palette): its shortcut, Ctrl+Shift+C, is only heard
    where the page has the keyboard focus, which a loaded machine makes a matter of timing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    palette = page.locator(".lm-CommandPalette-input")
    for attempt in range(3):
        menu(page, "View", "apputils:activate-command-palette")
        try:  # on a loaded machine the palette once stayed hidden after the click (2 of 6
            palette.wait_for(state="visible", timeout=10_000)  # lessons in one CI run): again
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    palette.fill(search)
    page.locator(f".lm-CommandPalette-item[data-command='{command}']").first.click()


def menu(page, menu_name: str, command: str) -> None:
    page.locator(".lm-MenuBar-item", has_text=menu_name).click()
    page.locator(f".lm-Menu-item[data-command='{command}']").click()


WATCH_JS = f"""() => {{
    // Remembers whether any cell of the notebook showed [*] (queued or running) from now on,
    // however briefly: a MutationObserver sees every change of the prompts.
    const nb = document.querySelector('{ACTIVE}');
    window.__courseRunStarted = false;
    if (window.__courseWatch) window.__courseWatch.disconnect();
    window.__courseWatch = new MutationObserver(() => {{
        if ([...nb.querySelectorAll('.jp-InputPrompt')].some(p => p.textContent.includes('*'))) {{
            window.__courseRunStarted = true;
            window.__courseWatch.disconnect();
        }}
    }});
    window.__courseWatch.observe(nb, {{subtree: true, childList: true, characterData: true}});
}}"""

DONE_JS = f"""() => {{
    const nb = document.querySelector('{ACTIVE}');
    const status = nb.querySelector('.jp-Notebook-ExecutionIndicator').dataset.status;
    const prompts = [...nb.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
        .map(e => e.textContent);
    return window.__courseRunStarted && status === 'idle' && !prompts.some(p => p.includes('*'));
}}"""


def run_and_wait(page, start, timeout_s: float, what: str, cells: int = 0) -> None:
    """Call ``start()`` (which makes cells run), then wait until cells were queued ([*]), none is
    queued or running any more and the kernel is idle. JupyterLab attaches a long notebook's
    cells to the page a few at a time: with ``cells``, also until that many are there."""
    page.evaluate(WATCH_JS)
    start()
    deadline = time.monotonic() + timeout_s
    try:
        page.wait_for_function(DONE_JS, timeout=timeout_s * 1000, polling=200)
        if cells:
            wait_for_all_cells(page, cells, timeout_s=max(deadline - time.monotonic(), 1))
            # a cell attached late may still be queued
            page.wait_for_function(DONE_JS, timeout=max(deadline - time.monotonic(), 1) * 1000,
                                   polling=200)
    except Exception as error:  # Playwright's TimeoutError
        raise AssertionError(f"{what}: not finished after {timeout_s:.0f} s") from error


def wait_for_all_cells(page, count: int, timeout_s: float = 60) -> None:
    """JupyterLab attaches a long notebook's cells a few at a time; wait for all of them."""
    page.wait_for_function(
        f"n => document.querySelectorAll('{ACTIVE} .jp-Notebook .jp-Cell').length >= n",
        arg=count, timeout=timeout_s * 1000)


CODE_CELLS_JS = f"""() => {{
    const nb = document.querySelector('{ACTIVE}');
    const all = [...nb.querySelectorAll('.jp-Notebook .jp-Cell')];
    return [...nb.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(cell => ({{
        index: all.indexOf(cell),
        prompt: cell.querySelector('.jp-InputPrompt').textContent.trim(),
        errors: [...cell.querySelectorAll(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')]
            .map(e => e.textContent),
        source: cell.querySelector('.jp-InputArea-editor').textContent.slice(0, 200),
    }}));
}}"""

PICTURES_JS = f"""async () => {{
    const nb = document.querySelector('{ACTIVE}');
    const cells = [...nb.querySelectorAll('.jp-Notebook .jp-CodeCell')];
    const outputs = [...nb.querySelectorAll(
        '.jp-OutputArea-output[data-mime-type="image/svg+xml"], '
        + '.jp-OutputArea-output[data-mime-type="image/png"]')];
    const frame = () => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    const found = [];
    for (const output of outputs) {{
        output.scrollIntoView({{block: 'center'}});
        const picture = output.querySelector('img, svg');
        if (picture && picture.tagName === 'IMG' && !picture.complete) {{
            await new Promise(r => {{
                picture.onload = picture.onerror = r;
                setTimeout(r, 5000);
            }});
        }}
        await frame();
        const box = picture ? picture.getBoundingClientRect() : {{width: 0, height: 0}};
        found.push({{mime: output.dataset.mimeType,
                     cell: cells.indexOf(output.closest('.jp-CodeCell')),
                     tag: picture ? picture.tagName : null,
                     natural: picture && picture.tagName === 'IMG' ? picture.naturalWidth : null,
                     width: box.width, height: box.height}});
    }}
    if (outputs.length) {{  // again: cells laid out meanwhile may have moved it
        outputs[outputs.length - 1].scrollIntoView({{block: 'center'}});
        await frame();
    }}
    return found;
}}"""


def code_cells(page) -> list[dict]:
    return page.evaluate(CODE_CELLS_JS)


def pictures(page) -> list[dict]:
    return page.evaluate(PICTURES_JS)


def fonts_rendering_chinese(page) -> tuple[str, list[dict]]:
    """The first Chinese paragraph or heading of a rendered markdown cell, and the platform fonts
    Chromium actually used to draw its text (DevTools' CSS.getPlatformFontsForNode).

    ``document.fonts.check('16px "Noto Sans CJK SC"')`` cannot tell: for a font that is not a web
    font it answers true whether or not the font exists."""
    probe = page.evaluate_handle(f"""() => {{
        const blocks = document.querySelectorAll(
            '{ACTIVE} .jp-MarkdownCell .jp-RenderedMarkdown :is(p, h1, h2, h3, li)');
        const block = [...blocks].find(e => /[\\u4e00-\\u9fff]/.test(e.textContent));
        if (block) {{
            block.scrollIntoView({{block: 'center'}});
            block.setAttribute('data-font-probe', '');
        }}
        return block || null;
    }}""")
    element = probe.as_element()
    if element is None:
        return "", []
    text = element.text_content()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-font-probe]"})
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    finally:
        cdp.detach()
        element.evaluate("e => e.removeAttribute('data-font-probe')")
    return text, fonts


def set_cell_source(page, cell_index: int, source: str) -> None:
    """Replace a code cell's text in its editor: click in, select all, type (inserted as one piece,
    so the editor's auto-indent does not indent the pasted lines twice)."""
    editor = page.locator(f"{ACTIVE} .jp-Cell").nth(cell_index).locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source.rstrip("\n"))
    page.keyboard.press("Escape")
    typed = editor.evaluate(
        "e => [...e.querySelectorAll('.cm-line')].map(l => l.textContent).join('\\n')")
    assert typed.rstrip() == source.rstrip(), f"the editor holds {typed!r}, not {source!r}"


def run_cell(page, cell_index: int, what: str, timeout_s: float = 90) -> None:
    """Select the cell and run it (Run Selected Cell and Do not Advance); wait until it has run."""
    focus_notebook(page, cell_index)
    run_and_wait(page, lambda: run_command(page, "notebook:run-cell", "Run Selected Cell and Do"),
                 timeout_s, what)


def shoot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def fonts_of(page, selector: str) -> list[tuple[str, list[dict]]]:
    """(text, platform fonts Chromium drew it with) for every element matching ``selector``
    (DevTools' CSS.getPlatformFontsForNode, as :func:`fonts_rendering_chinese`)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        found = []
        for node in cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": selector})["nodeIds"]:
            text = re.sub(r"<[^>]+>", "", cdp.send("DOM.getOuterHTML", {"nodeId": node})["outerHTML"])
            found.append((text, cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]))
        return found
    finally:
        cdp.detach()
