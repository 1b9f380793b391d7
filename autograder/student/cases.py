"""Inputs for test cells: seeded tensors on the course's device, the same on every machine.

    from autograder import cases
    x = cases.randn(3, 4, seed=1)                      # float32 on cases.device()
    w = cases.randn(5, seed=2, dtype=cases.widest_float())
    i = cases.randint(0, 10, (4,), seed=3)
    s = cases.spread(12, seed=4)                       # 0, ±12 and values in between
    t = cases.tensor([[1.0, 2.0], [3.0, 4.0]])
    a = cases.array([1.5, -2.0], dtype="float64")      # a NumPy array
    p = cases.tensor([1.0, 2.0], requires_grad=True)  # a leaf tensor that requires grad

Random values are drawn on the CPU from their own generator and then moved, so a test sees the
same numbers on the CPU, CUDA and MPS, and no test disturbs the global random state. At grading
time the referee runs the hidden tests under :func:`varied_seeds`, so their random inputs differ
from one grading run to the next and a leaked copy of them does not help.

    f = cases.function("lambda t: t ** 3")             # a helper function a test passes to the
                                                        # student's code (it travels as source)
"""
import contextlib
import functools
import math

import torch

from helpers.device import choose_device
from helpers.device import widest_float as _widest_float


@functools.cache
def device() -> torch.device:
    """The device every test input is created on (helpers.choose_device(), chosen once)."""
    return choose_device()


def widest_float() -> torch.dtype:
    """float64 where the device has it (not on Apple MPS, where it is float32)."""
    return _widest_float(device())


_salt = 0


def generator(seed) -> torch.Generator:
    """A CPU generator seeded with ``seed`` (varied under :func:`varied_seeds`)."""
    return torch.Generator().manual_seed((seed * 1_000_003 + _salt) % 2**63 if _salt else seed)


@contextlib.contextmanager
def varied_seeds(salt: int):
    """Every seed drawn inside is mixed with ``salt`` (the referee's, per grading run)."""
    global _salt
    before, _salt = _salt, salt
    try:
        yield
    finally:
        _salt = before


class kind:
    """Names the kind of hidden case tested inside, for the feedback: a failure raised in the
    block says which kind of case failed, never its inputs (a hidden test without a label is of
    the kind "other values, shapes and dtypes")::

        with cases.kind("另一种形状", "another shape"):
            check_tensor(call(f, cases.randn(4, 3, seed=2), name="f(y)"), ...)
    """

    def __init__(self, zh: str, en: str):
        self.label = (zh, en)

    def __enter__(self):
        return self

    def __exit__(self, kind_, error, traceback):
        if error is not None and getattr(error, "case", None) is None:
            with contextlib.suppress(AttributeError, TypeError):
                error.case = self.label  # the innermost label wins
        return False


class TestFunction:
    """A helper function a test passes to the student's code, written as source: it runs here
    when called here, and at grading time it travels to the student's kernel as its source text
    (with ``names``, the values it uses), since a function object cannot be sent."""

    def __init__(self, source: str, **names):
        self.source, self.names = source, names
        self.function = build(source, names)
        self.__name__ = getattr(self.function, "__name__", "function")

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def __repr__(self):
        return self.source


def function(source: str, **names) -> TestFunction:
    return TestFunction(source, **names)


def build(source: str, names: dict):
    """The function a TestFunction's source defines: a lambda, or the one ``def`` in it."""
    namespace = {"torch": torch, "math": math, **names}
    try:
        return eval(compile(source, "<test function>", "eval"), namespace)  # noqa: S307
    except SyntaxError:
        pass
    before = set(namespace)
    exec(compile(source, "<test function>", "exec"), namespace)  # noqa: S102
    (defined,) = [namespace[name] for name in set(namespace) - before - {"__builtins__"}]
    return defined


def randn(*shape, seed, dtype=torch.float32, scale=1.0):
    """Normally distributed values (times ``scale``)."""
    return (scale * torch.randn(*shape, generator=generator(seed), dtype=torch.float64)).to(
        device=device(), dtype=dtype)


def spread(*shape, seed, high=12.0, dtype=torch.float32):
    """Values across a wide range, uniform in [-high, high], whose first elements are always 0, high
    and -high: a kink and both far tails in every draw, whatever the salt."""
    values = (2 * torch.rand(*shape, generator=generator(seed), dtype=torch.float64) - 1) * high
    flat = values.view(-1)
    for i, value in enumerate((0.0, high, -high)[:flat.numel()]):
        flat[i] = value
    return values.to(device=device(), dtype=dtype)


def rand(*shape, seed, low=0.0, high=1.0, dtype=torch.float32):
    """Uniform values in [low, high)."""
    values = low + (high - low) * torch.rand(*shape, generator=generator(seed), dtype=torch.float64)
    return values.to(device=device(), dtype=dtype)


def randint(low, high, shape, *, seed, dtype=torch.int64):
    """Whole numbers in [low, high)."""
    return torch.randint(low, high, tuple(shape), generator=generator(seed)).to(
        device=device(), dtype=dtype)


def array(data, dtype="float32"):
    """A NumPy array of ``data`` (``dtype`` as NumPy spells it): an input for exercises about
    NumPy, always in CPU memory."""
    import numpy
    return numpy.array(data, dtype=dtype)


def tensor(data, dtype=None, requires_grad=False):
    """``torch.tensor(data)`` on the device (a leaf tensor that requires grad if asked)."""
    return torch.tensor(data, dtype=dtype, device=device(), requires_grad=requires_grad)
