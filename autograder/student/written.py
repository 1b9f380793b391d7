"""The student's functions and classes as they wrote them, run by the interpreter in this process.

    df = written("df", "by hand")              # a derivative by hand: no autograd, under no_grad
    Softplus = written("Softplus", "function")  # a Function: forward and backward run here
    train = written("train", "autograd")       # a training loop: autograd allowed

``written(name, mode)`` reads the definitions in the student's cells and returns the function or
Function class ``name`` as :class:`~autograder.student.interpreter.Interpreter` builds it: what it
computes, it computes here, with this process's torch, on the inputs the test gives it. Whatever the
student's kernel does, it cannot change what these calls return; that is why an exercise whose
point is *how* something is computed is judged this way (the contract in autograder/__init__.py).

Where the cells come from:

* in the student's kernel (a visible test, or Validate): the cells the kernel ran, oldest first
  (IPython's ``In``, or what autograder.student.notebook recorded), without the test cell running
  now;
* at grading time: the submitted notebook's cells above the test cell, as the referee read them
  from the file (:func:`cells_from`).
"""
from __future__ import annotations

import contextlib

from autograder.student.interpreter import Interpreter

BY_HAND = "by hand"  # no autograd at all, every call under torch.no_grad()
FUNCTION = "function"  # no autograd entry points; a Function's apply records its node as usual
AUTOGRAD = "autograd"  # autograd allowed (a training loop, repeated backward passes)

_cells: list[str] | None = None  # set by the referee while it judges a test cell
_deadline: float | None = None
_latest: dict = {}


@contextlib.contextmanager
def cells_from(cells: list[str], deadline: float | None = None):
    """Inside: ``written`` reads these cells (the referee's, from the submitted file)."""
    global _cells, _deadline
    before = _cells, _deadline
    _cells, _deadline = list(cells), deadline
    try:
        yield
    finally:
        _cells, _deadline = before


def written(name: str, mode: str = BY_HAND, refuse: dict | None = None):
    """The student's ``name`` (a function or a Function class) built from their cells; NameError
    when no cell defines it. ``refuse`` = {torch function or tensor method name: mistake key}: what
    this exercise does not allow (``torch.broadcast_shapes`` where the rule itself is asked for);
    a use of it is that mistake. Two more keys: ``"loop"`` refuses Python loops (for, while,
    comprehensions) and ``"global_seed"`` names torch.manual_seed outside fork_rng (always refused)."""
    if mode not in (BY_HAND, FUNCTION, AUTOGRAD):
        raise ValueError(f"mode must be {BY_HAND!r}, {FUNCTION!r} or {AUTOGRAD!r}, not {mode!r}")
    cells = _cells if _cells is not None else kernel_cells()
    key = (tuple(cells), mode, _deadline, tuple(sorted((refuse or {}).items())))
    if _latest.get("key") != key:  # one interpreter per cells and mode: Softplus and the softplus
        _latest.update(key=key, interpreter=Interpreter(  # that applies it share one class
            cells, autograd=mode == AUTOGRAD, grad_off=mode == BY_HAND, deadline=_deadline,
            quiet=_cells is not None, refuse=refuse))
    interpreter = _latest["interpreter"]
    return interpreter.lookup(name)


def kernel_cells() -> list[str]:
    """The cells this IPython kernel has run, oldest first, without the one running now: IPython's
    ``In``, or, when the cells were run without storing history, the ones autograder recorded."""
    try:
        from IPython import get_ipython
    except ImportError:
        return []
    shell = get_ipython()
    history = list(shell.user_ns.get("In", [])) if shell is not None else []
    if len(history) > 1:
        return history[:-1]
    from autograder.student.notebook import ran
    return list(ran)
