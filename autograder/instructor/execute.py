"""The execute step of the autograde pipeline (nbgrader_config.py declares the whole pipeline).

:class:`SandboxExecute` is nbgrader's Execute preprocessor, configured like it
(``c.Execute.timeout`` …), made of single-purpose pieces:

* the kernel is a :class:`~autograder.instructor.sandbox.SandboxKernelManager`'s (nbgrader's
  Execute ignores ``c.Execute.kernel_manager_class``, hence this subclass);
* :class:`Deadline`: the notebook's total time; a cell's timeout is cut to what is left of it, and
  the code cells that would start after it are not run;
* :func:`interrupt_or_stop`: a cell or a referee request past its time interrupts the kernel, and a
  kernel that does not answer within ``interrupt_grace`` seconds is stopped;
* :class:`Judging`: the graded test cells are judged by the referee (referee.py), each in its place
  in the notebook, through this step's own kernel client; each verdict is recorded in the cell's
  metadata (verdicts.py), as are the cells that timed out, lost the kernel or were not run;
* restarts: when the kernel dies (a segfault, ``os._exit``, an out-of-memory kill) or is stopped,
  the cell it happened in says so and earns nothing, and the cells after it run in a fresh
  sandboxed kernel that first re-runs, quietly and within the notebook's time, the code cells
  before them, except the test cells and every cell in which a kernel was lost
  (``max_restarts`` per notebook).

So a crash or a stuck cell costs only its own cell; the verdicts already judged keep their points.
"""
from __future__ import annotations

import asyncio
import math
import time
from concurrent.futures import ThreadPoolExecutor
from queue import Empty

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer

from autograder.instructor import referee, verdicts
from autograder.instructor.outputs import (KERNEL_DIED, KERNEL_STOPPED, NOTEBOOK_TIME_UP,
                                           RESTART_FAILED, kernel_lost, not_run, restarted_note,
                                           too_many_restarts)
from autograder.instructor.sandbox import SandboxKernelManager


class Deadline:
    """A notebook's total time. It starts with the notebook's first cell."""

    def __init__(self, seconds: float):
        self.seconds, self.ends = seconds, None

    def start(self) -> None:
        if self.ends is None:
            self.ends = time.monotonic() + self.seconds

    @property
    def passed(self) -> bool:
        return self.ends is not None and time.monotonic() > self.ends

    def cut(self, timeout: int) -> int:
        """A cell's timeout, shortened to what is left."""
        if self.ends is None:
            return timeout
        return max(1, min(timeout, math.ceil(self.ends - time.monotonic())))


async def interrupt_or_stop(km, kc, grace: float, log) -> bool:
    """Interrupt the kernel (a cell or a referee request ran out of time); stop it if it does not
    answer within ``grace`` seconds. True while the kernel still runs."""
    if not await ensure_async(km.is_alive()):
        return False
    await ensure_async(km.interrupt_kernel())
    if await answers(kc, within=grace):
        return True
    log.error("The kernel ignored the interrupt: stopping it")
    await ensure_async(km.shutdown_kernel(now=True))
    return False


async def answers(kc, within: float) -> bool:
    """Whether the kernel answers a kernel_info request within ``within`` seconds (it cannot while
    a cell still runs: an interrupt that worked lets it answer)."""
    msg_id = kc.kernel_info()
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        try:
            msg = await ensure_async(kc.shell_channel.get_msg(timeout=left))
        except Empty:
            return False
        if msg["parent_header"].get("msg_id") == msg_id:
            return True
    return False


class Judging:
    """The referee, hooked into execution: a graded test cell is judged by it instead of run in
    the kernel. The judging code is synchronous and the kernel client belongs to the step's event
    loop, so the referee runs in a thread of its own and sends its requests through that loop: one
    client per kernel."""

    def __init__(self, step: SandboxExecute, grading: dict, salt: int):
        self.step, self.grading, self.salt = step, grading, salt
        self.referee: referee.Referee | None = None
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="referee")

    async def judge(self, cell, timeout: int) -> tuple[str, str] | None:
        """The cell's outputs become the referee's verdict; how the kernel was lost meanwhile, or
        None."""
        loop = asyncio.get_running_loop()
        if self.referee is None:
            self.referee = self.start(loop)
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        cell.outputs, verdict = await loop.run_in_executor(
            self.thread, self.referee.judged, grade_id, timeout, self.cells_above(cell))
        verdicts.record(cell, verdict)
        cell.execution_count = None
        return self.referee.kernel.gone

    def cells_above(self, cell) -> list[str]:
        """The sources of the code cells above a test cell in the submitted file, test cells left
        out: what ``written(...)`` builds the student's functions from (the locked ones are the
        instructor's, put back by nbgrader)."""
        above = []
        for other in self.step.nb.cells:
            if other is cell:
                return above
            if other.cell_type == "code" and not referee.is_test_cell(other):
                above.append(other.source)
        return above

    def start(self, loop) -> referee.Referee:
        def on_loop(coroutine):
            return asyncio.run_coroutine_threadsafe(coroutine, loop).result()

        kernel = referee.Kernel(_Client(self, on_loop), lambda: on_loop(self.step.interrupt_or_stop()))
        cells = referee.gradebook_cells(self.grading["db_url"], self.grading["notebook"],
                                        self.grading["assignment"], graded=self.step.nb)
        return referee.Referee(kernel, cells, self.salt)

    async def execute_interactive(self, code: str, **options) -> dict:
        """The step's client runs ``code``; KernelGone as soon as the kernel dies."""
        request = asyncio.ensure_future(self.step.kc.execute_interactive(code, **options))
        while not (await asyncio.wait({request}, timeout=0.5))[0]:
            if not await ensure_async(self.step.km.is_alive()):
                request.cancel()
                raise referee.KernelGone(KERNEL_DIED)
        return request.result()

    def restarted(self) -> None:
        if self.referee is not None:
            self.referee.kernel.gone = None

    def close(self) -> None:
        self.thread.shutdown()


class _Client:
    """What the referee's Kernel calls (from the judging thread), run on the step's loop."""

    def __init__(self, judging: Judging, on_loop):
        self.judging, self.on_loop = judging, on_loop

    def execute_interactive(self, code: str, **options) -> dict:
        return self.on_loop(self.judging.execute_interactive(code, **options))


class SandboxExecute(Execute):
    """nbgrader's Execute with sandboxed kernels, the referee, a total time and restarts (see the
    module)."""
    notebook_timeout = Integer(900, help="Seconds for a whole notebook").tag(config=True)
    interrupt_grace = Integer(10, help="Seconds an interrupted kernel has to answer before it is "
                                       "stopped").tag(config=True)
    max_restarts = Integer(3, help="Fresh kernels a notebook gets after its kernel died or was "
                                   "stopped").tag(config=True)
    use_referee = Bool(True, help="Judge graded test cells in the grader's process "
                                  "(autograder/instructor/referee.py)").tag(config=True)
    referee_salt = Integer(0, help="Mixed into the hidden tests' seeds; 0: a new one per "
                                   "grading run").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(**kwargs)
        self.timeout_func = self.cell_timeout
        self.deadline = Deadline(self.notebook_timeout)

    def preprocess(self, nb, resources=None, km=None):
        self.deadline = Deadline(self.notebook_timeout)
        self.stopped = None  # why the code cells from here on are not run
        self.lost = None  # how the kernel was lost in the cell running now
        self.lost_in: set[int] = set()  # the cells in which a kernel was lost: never re-run
        self.restarts = 0
        verdicts.forget(nb)  # only this run's verdicts count, never what the file carried
        grading = (resources or {}).get("nbgrader")
        self.judging = (Judging(self, grading, self.referee_salt or RUN_SALT)
                        if self.use_referee and grading else None)
        try:
            return super().preprocess(nb, resources, km)
        finally:
            if self.judging is not None:
                self.judging.close()

    def cell_timeout(self, cell) -> int:
        return self.deadline.cut(self.timeout)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        self.deadline.start()
        if cell.cell_type != "code":
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if self.deadline.passed:
            self.stopped = self.stopped or NOTEBOOK_TIME_UP
        if self.stopped:
            cell.outputs, cell.execution_count = [not_run(self.stopped)], None
            if referee.is_test_cell(cell):
                verdicts.record(cell, verdicts.not_run())
            else:
                verdicts.incident(cell, verdicts.NOT_RUN)
            return cell
        if await self.run(cell, cell_index, execution_count, store_history):
            self.lost_in.add(cell_index)
            if await self.restart(before=cell_index):
                cell.outputs.append(restarted_note())
        return cell

    execute_cell = run_sync(async_execute_cell)  # nbclient binds its own async_execute_cell

    async def run(self, cell, index, execution_count=None, store_history=True):
        """Run one code cell (a graded test cell: judge it); how the kernel was lost in it, or
        None."""
        self.lost = None
        if self.judging is not None and referee.is_test_cell(cell):
            return await self.judging.judge(cell, self.cell_timeout(cell))  # its verdict says it
        try:
            await super().async_execute_cell(cell, index, execution_count, store_history)
        except (CellTimeoutError, DeadKernelError):
            if self.lost is None and await ensure_async(self.km.is_alive()):
                raise  # not a lost kernel
            if self.lost is KERNEL_STOPPED:
                cell.outputs.append(nbformat.NotebookNode(self.error_on_timeout, output_type="error"))
            self.lost = self.lost or KERNEL_DIED
        if self.lost:
            cell.outputs.append(kernel_lost(self.lost))
            verdicts.incident(cell, LOST_INCIDENT[self.lost])
        return self.lost

    async def restart(self, before: int) -> bool:
        """A fresh kernel for the cells after ``before``, having re-run the ones before it. False
        when none could be had: the cells after it are not run."""
        while self.restarts < self.max_restarts:
            self.restarts += 1
            try:
                await self._async_cleanup_kernel()
                self.km = self.create_kernel_manager()
                await self.async_start_new_kernel()
                await self.async_start_new_kernel_client()
            except Exception:  # noqa: BLE001 - the verdicts so far must stand
                self.log.exception("No fresh kernel after the kernel was lost")
                self.stopped = RESTART_FAILED
                return False
            if self.judging is not None:
                self.judging.restarted()
            lost_in = await self.replay(before)
            if lost_in is None:
                return not self.stopped
            self.lost_in.add(lost_in)
        self.stopped = too_many_restarts(self.restarts)
        return False

    async def replay(self, before: int) -> int | None:
        """Re-run the code cells before ``before`` in the fresh kernel, outputs dropped, within
        the notebook's time; skip the test cells and those in which a kernel was lost. The index
        of a cell in which this kernel was lost too, or None."""
        for index, cell in enumerate(self.nb.cells[:before]):
            if (cell.cell_type != "code" or not cell.source.strip() or index in self.lost_in
                    or referee.is_test_cell(cell)):
                continue
            if self.deadline.passed:
                break
            try:
                lost = await self.run(nbformat.from_dict(cell), index, store_history=False)
            finally:
                self.nb.cells[index] = cell  # nbclient stores the copy it ran
                self.clear_display_id_mapping(index)  # its displays are not the cell's outputs
            if lost:
                return index
        if self.deadline.passed:
            self.stopped = self.stopped or NOTEBOOK_TIME_UP
        return None

    async def interrupt_or_stop(self) -> bool:
        return await interrupt_or_stop(self.km, self.kc, self.interrupt_grace, self.log)

    async def _async_handle_timeout(self, timeout, cell=None):
        if not self.interrupt_on_timeout:
            return await super()._async_handle_timeout(timeout, cell)
        self.log.error("Timeout waiting for execute reply (%is).", timeout)
        if cell is not None:
            verdicts.incident(cell, verdicts.TIMED_OUT)
        if not await self.interrupt_or_stop():
            self.lost = KERNEL_STOPPED
        return {"content": {**self.error_on_timeout, "status": "error"}}

    async def _async_cleanup_kernel(self) -> None:
        if self.km is not None:  # None after a restart that failed half-way
            await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)


LOST_INCIDENT = {KERNEL_DIED: verdicts.KERNEL_DIED, KERNEL_STOPPED: verdicts.KERNEL_STOPPED}
RUN_SALT = referee.new_salt()
