"""The referee: graded test cells judged in the grader's process, not in the student's kernel.

At grading time (the execute step, execute.py, on every grading path) the student's notebook runs in its
sandboxed kernel as usual, except its graded test cells: the referee runs those here, from the
instructor's source in the gradebook, in a namespace of its own built by running the assignment's
locked setup cells here too. A name the tests read that the namespace lacks is the student's: it
is fetched from the kernel, as plain data (autograder/student/wire.py) or, for a function or any
other object, as a :class:`Remote` whose calls run in the kernel and whose results come back as
data. So the checks, torch and the expected values all live in a process the student's code
cannot reach: patching them, tracing, display hooks or input transformers in the kernel change
nothing here, the hidden tests never enter the kernel (only the inputs they send), and a test
cell's outcome is the referee's own output: an error, or a clean pass.

What a Remote call does: the arguments travel as values (the kernel gets copies); the kernel
calls the student's function (``autograder.student.remote``); the result comes back as values.
Nothing else does: not what the call wrote into its arguments, not memory sharing, requires_grad,
leaf status or grad_fn (autograder/student/wire.py), since the kernel could report those as it
likes. An exercise that needs such facts judges the submitted source here (``written``).

The hidden tests run under :func:`autograder.cases.varied_seeds` with a salt drawn per grading run.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import keyword
import os
import secrets
import time
import warnings

import nbformat
from nbgrader import utils as nbutils

from autograder.instructor import verdicts
from autograder.instructor.outputs import KERNEL_STOPPED, kernel_lost
from autograder.student import cases
from autograder.student.checks import GradingError
from autograder.student.notebook import unanswered_lines
from autograder.student.remote import MIME, trusted
from autograder.student.wire import Codec, WireError
from autograder.student.written import cells_from
from helpers.text import bilingual

MAX_REPLY = 64 << 20
HIDDEN = "### BEGIN HIDDEN TESTS"


class StudentError(Exception):
    """An exception raised in the student's kernel, rebuilt here (by its type's name)."""


class StudentTimeout(BaseException):
    """The student's code did not finish in the time a test cell has. (Not an Exception: the
    checks must not read it as an error inside the student's function.)"""


class KernelGone(BaseException):
    """The kernel was stopped (it ignored an interrupt) or died; ``why``: outputs.KERNEL_DIED or
    KERNEL_STOPPED."""

    def __init__(self, why: tuple[str, str]):
        super().__init__(why[1])
        self.why = why


def rebuild_error(description) -> Exception:
    """The student's exception as one of ours: a builtin type when it names one, else a
    StudentError subclass with that name (so messages read the same as in the kernel)."""
    if not isinstance(description, dict):
        return StudentError("the kernel sent a malformed error")
    name = str(description.get("type", "Exception"))
    message = str(description.get("message") or "")[:4000]
    builtin = getattr(builtins, name, None)
    if isinstance(builtin, type) and issubclass(builtin, KeyError):
        with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
            return builtin(ast.literal_eval(message))  # str(KeyError(k)) is repr(k): read it back
    if isinstance(builtin, type) and issubclass(builtin, Exception) and builtin is not StopIteration:
        with contextlib.suppress(Exception):
            return builtin(message)
    if not name.isidentifier() or keyword.iskeyword(name):
        name = "StudentError"
    return type(name[:100], (StudentError,), {})(message)


# ---------------------------------------------------------------- the student's kernel


class Kernel:
    """The student's kernel, as the referee talks to it: one request, one reply."""

    def __init__(self, client, interrupt_or_stop):
        self.client = client  # has execute_interactive (and may raise KernelGone when it died)
        self.interrupt_or_stop = interrupt_or_stop  # () -> True if the kernel still runs after
        self.deadline = None  # the current test cell's
        self.gone = None  # how the kernel was lost (outputs.KERNEL_DIED or KERNEL_STOPPED)

    def request(self, op: str, codec: Codec, **fields) -> dict:
        """Send one request; the reply, checked to be a message (its values are decoded later)."""
        if self.gone:
            raise KernelGone(self.gone)
        text = self.exchange(json.dumps({"op": op, **fields}))
        if len(text) > MAX_REPLY:
            raise WireError("the answer is too large")
        try:
            reply = json.loads(text)
        except ValueError as error:
            raise WireError("the answer is not JSON") from error
        if not isinstance(reply, dict):
            raise WireError("the answer is not a message")
        return reply

    def exchange(self, message: str) -> str:
        """Run serve(message) in the kernel, within the cell's time; the reply's text."""
        code = f"__import__('autograder.student.remote', fromlist=['serve']).serve({message!r})"
        replies = []

        def collect(msg):
            data = msg["content"].get("data", {}) if msg["msg_type"] == "display_data" else {}
            if isinstance(data.get(MIME), str):
                replies.append(data[MIME])

        left = max(1.0, self.deadline - time.monotonic()) if self.deadline else 60.0
        try:
            # stop_on_error=False: an interrupted request must not make the kernel drop the next
            self.client.execute_interactive(code, store_history=False, timeout=left,
                                            output_hook=collect, allow_stdin=False,
                                            stop_on_error=False)
        except TimeoutError:
            if self.interrupt_or_stop():
                raise StudentTimeout(f"did not finish within {round(left)} s") from None
            self.gone = KERNEL_STOPPED
            raise KernelGone(KERNEL_STOPPED) from None
        except KernelGone as lost:
            self.gone = lost.why
            raise
        if not replies:
            raise WireError("the kernel sent no answer")
        return replies[-1]

    # ------------------------------------------------------------ the operations

    def codec(self) -> Codec:
        codec = Codec()
        codec.encode_object = lambda value: self.reference(value, codec)
        codec.decode_reference = self.remote
        return codec

    def get(self, name: str):
        codec = self.codec()
        reply = self.request("get", codec, name=name)
        if "error" in reply:
            raise rebuild_error(reply["error"])
        return codec.decode(reply.get("value"))

    def getattr(self, remote: Remote, name: str):
        codec = self.codec()
        reply = self.request("getattr", codec, ref=remote._ref, name=name)
        if "error" in reply:
            raise rebuild_error(reply["error"])
        return codec.decode(reply.get("value"))

    def call(self, target, args, kwargs):
        codec = self.codec()
        reply = self.request("call", codec, target=codec.encode(target),
                             args=codec.encode(tuple(args)), kwargs=codec.encode(dict(kwargs)))
        if "error" in reply:
            raise rebuild_error(reply["error"])
        return codec.decode(reply.get("value"))

    def forget(self) -> None:
        """Drop the kernel's references to this cell's objects."""
        with contextlib.suppress(Exception, StudentTimeout, KernelGone):
            self.request("forget", self.codec())

    def remote(self, info) -> Remote:
        if not isinstance(info, dict) or not isinstance(info.get("ref"), int):
            raise WireError("bad reference")
        kind = RemoteFunction if info.get("callable") is True else Remote
        return kind(self, info)

    def reference(self, value, codec: Codec) -> dict:
        """How a value that is not data travels to the kernel."""
        if isinstance(value, Remote):
            return {"ref": value._ref}
        if isinstance(value, cases.TestFunction):
            return {"source": value.source,
                    "names": {k: codec.encode(v) for k, v in value.names.items()}}
        for name in _helper_names(value):
            with contextlib.suppress(Exception):
                if trusted(name) is value:
                    return {"helper": name}
        raise WireError(f"cannot send a {type(value).__name__} to the student's kernel: pass a test's own "
                        f"function as cases.function(source)")


def _helper_names(value):
    module, name = getattr(value, "__module__", None) or "", getattr(value, "__qualname__", "")
    yield f"{module}:{name}"
    for home in ("torch", "torch.nn.functional", "torch.special", "math"):
        yield f"{home}:{getattr(value, '__name__', '')}"


class Remote:
    """An object that lives in the student's kernel; its attributes are fetched from there."""

    _REFEREE_REMOTE = True

    def __init__(self, kernel: Kernel, info: dict):
        self._kernel, self._ref = kernel, info["ref"]
        self.type_name = str(info.get("type", "object"))
        self.__name__ = str(info.get("name") or self.type_name)
        self.is_class = info.get("class") is True
        self.is_function_class = info.get("function_class") is True

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self._kernel.getattr(self, name)

    def run_beside(self, factory, *args):
        """``factory(*args)`` run in the student's kernel (factory: a TestFunction or a function
        of the course's packages); the result comes back as data or a Remote."""
        return self._kernel.call(factory, args, {})

    def __repr__(self):
        return f"<{self.type_name} {self.__name__} (in the student's kernel)>"


class RemoteFunction(Remote):
    def __call__(self, *args, **kwargs):
        return self._kernel.call(self, args, kwargs)


# ---------------------------------------------------------------- the test cells


class Namespace(dict):
    """The test cells' globals: what the instructor's cells defined, then builtins, then the
    student's names, fetched from the kernel on every read; a function or class (whose calls run
    in the kernel anyway) once per test cell, as a test calls one many times."""

    def __init__(self, kernel: Kernel):
        super().__init__(__name__="__main__", __builtins__=builtins)
        self.kernel = kernel
        self.callables: dict[str, RemoteFunction] = {}  # this test cell's; forgotten after it

    def __missing__(self, name):
        if hasattr(builtins, name):
            return getattr(builtins, name)
        if name in self.callables:
            return self.callables[name]
        try:
            value = self.kernel.get(name)
        except NameError:
            raise NameError(f"name '{name}' is not defined", name=name) from None
        if isinstance(value, RemoteFunction):
            self.callables[name] = value
        return value


class Referee:
    """Judges one notebook's graded test cells (see the module)."""

    def __init__(self, kernel: Kernel, source_cells: list[dict], salt: int):
        self.kernel, self.salt = kernel, salt
        self.cells = source_cells  # the gradebook's: {"name", "source", "cell_type", "locked", "test"}
        self.namespace = Namespace(kernel)
        self.done = 0  # how many of self.cells have run here

    def judge(self, grade_id: str, timeout: float, cells_above: list[str] = ()) -> list:
        """The outputs of the test cell ``grade_id``: nothing printed but its own lines, an
        error output when it fails. ``cells_above``: the submitted file's code cells above it, for
        ``written(...)``."""
        return self.judged(grade_id, timeout, cells_above)[0]

    def judged(self, grade_id: str, timeout: float,
               cells_above: list[str] = ()) -> tuple[list, dict]:
        """The test cell's outputs (as :meth:`judge`) and the verdict to record
        (verdicts.py): passed or not, the mistake's key, in the visible or the hidden part, the
        kind of hidden case."""
        position = next(i for i, cell in enumerate(self.cells) if cell["name"] == grade_id)
        with _on_the_cpu():
            for cell in self.cells[self.done:position]:  # the setup it needs, in notebook order
                if cell["cell_type"] == "code" and cell["locked"] and not cell["test"]:
                    self.run_quietly(cell["source"])
        self.done = max(self.done, position + 1)
        self.namespace.callables.clear()  # the kernel forgot them after the last test cell
        self.kernel.deadline = time.monotonic() + timeout
        printed, part = io.StringIO(), "visible"
        try:
            with contextlib.redirect_stdout(printed), _no_warnings(), _on_the_cpu(), \
                    cells_from(cells_above, deadline=self.kernel.deadline):
                visible, _, hidden = self.cells[position]["source"].partition(HIDDEN)
                self.run(visible, grade_id)
                part = "hidden"
                with cases.varied_seeds(self.salt):
                    self.run(hidden, grade_id)
            failure = None
        except (Exception, StudentTimeout, KernelGone) as error:  # noqa: BLE001 - the cell's error
            failure = error
        finally:
            self.kernel.deadline = time.monotonic() + 5  # forgetting is quick, or not worth waiting for
            self.kernel.forget()
            self.kernel.deadline = None
        outputs, ename = [], None
        if printed.getvalue():
            outputs.append(nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue()))
        if failure is not None:
            outputs.append(error_output(failure))
            ename = outputs[-1]["ename"]
        return outputs, verdicts.judged(failure, part, ename)

    def run(self, source: str, grade_id: str) -> None:
        exec(compile(source, f"<{grade_id}>", "exec"), self.namespace)  # noqa: S102

    def run_quietly(self, source: str) -> None:
        """An instructor's setup cell: its definitions are what the tests build on."""
        with contextlib.redirect_stdout(io.StringIO()), _no_warnings():
            with contextlib.suppress(Exception):
                self.run(source, "setup")


@contextlib.contextmanager
def _on_the_cpu():
    """The tests' tensors on the CPU, where the grading kernel has its own (sandbox.on_the_cpu)."""
    before = os.environ.get("COURSE_DEVICE")
    os.environ["COURSE_DEVICE"] = "cpu"
    cases.device.cache_clear()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("COURSE_DEVICE", None)
        else:
            os.environ["COURSE_DEVICE"] = before
        cases.device.cache_clear()


@contextlib.contextmanager
def _no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def error_output(error: Exception):
    """What the student reads for a failed test: the check's own message, never a traceback
    (which would quote the hidden tests)."""
    if isinstance(error, GradingError):
        lines = str(error).splitlines()
    elif isinstance(error, NameError):
        lines = unanswered_lines(NameError, error)[1:]
    elif isinstance(error, StudentTimeout):
        lines = bilingual(f"这个测试单元格超时了：你的代码没能在测试的时限内完成（{error}），已被中断。"
                          "检查有没有死循环，或者是不是做了多余的大量计算。",
                          f"This test cell timed out: your code {error}, and was interrupted. "
                          "Look for an endless loop, or for much more work than the task "
                          "needs.").splitlines()
        return nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=lines[-1],
                                      traceback=lines)
    elif isinstance(error, KernelGone):
        return kernel_lost(error.why)
    else:
        lines = bilingual(f"测试没能判定你的答案：{type(error).__name__}: {error}",
                          f"The test could not judge your answer: {type(error).__name__}: "
                          f"{error}").splitlines()
    name = type(error).__name__
    return nbformat.v4.new_output("error", ename=name, evalue=lines[-1] if lines else "",
                                  traceback=[f"\x1b[0;31m{name}\x1b[0m:", *lines])


def new_salt() -> int:
    return secrets.randbelow(2**31) + 1


def gradebook_cells(db_url: str, notebook: str, assignment: str, graded=None) -> list[dict]:
    """The instructor's cells of a notebook, in order, from the gradebook (never the student's
    copy): locked cells and graded test cells. Read once per assignment notebook and kept while
    ``graded``, the notebook being graded, holds exactly the kept locked cells, in the same order
    (nbgrader has just put them back from the gradebook: a test changed since is read afresh)."""
    key = (db_url, assignment, notebook)
    kept = _KEPT.get(key)
    if kept is None or graded is None or _locked(kept) != _locked_in(graded, kept):
        kept = _KEPT[key] = _read_gradebook_cells(db_url, notebook, assignment)
    return kept


_KEPT: dict[tuple[str, str, str], list[dict]] = {}


def _read_gradebook_cells(db_url: str, notebook: str, assignment: str) -> list[dict]:
    from nbgrader.api import Gradebook
    with Gradebook(db_url) as gradebook:
        source = gradebook.find_notebook(notebook, assignment)
        tests = {cell.name for cell in source.grade_cells if cell.cell_type == "code"}
        solutions = {cell.name for cell in source.solution_cells}
        return [{"name": cell.name, "source": cell.source, "cell_type": cell.cell_type,
                 "locked": bool(cell.locked) and cell.name not in solutions,
                 "test": cell.name in tests and cell.name not in solutions}
                for cell in source.source_cells]


def _locked(cells: list[dict]) -> list[tuple[str, str]]:
    return [(cell["name"], cell["source"]) for cell in cells if cell["locked"] or cell["test"]]


def _locked_in(nb, cells: list[dict]) -> list[tuple[str, str]]:
    names = {name for name, _ in _locked(cells)}
    return [(grade_id, cell.source) for cell in nb.cells
            if (grade_id := cell.metadata.get("nbgrader", {}).get("grade_id")) in names]


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and nbutils.is_grade(cell) and not nbutils.is_solution(cell)


__all__ = ["Referee", "Kernel", "Remote", "RemoteFunction", "gradebook_cells", "is_test_cell",
           "new_salt", "rebuild_error"]
