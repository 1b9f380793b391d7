"""Inputs for test cells: seeded tensors on the course's device, the same on every machine.

    from autograder import cases
    x = cases.randn(3, 4, seed=1)                      # float32 on cases.device()
    w = cases.randn(5, seed=2, dtype=cases.widest_float())
    i = cases.randint(0, 10, (4,), seed=3)
    t = cases.tensor([[1.0, 2.0], [3.0, 4.0]])

Random values are drawn on the CPU from their own generator and then moved, so a test sees the
same numbers on the CPU, CUDA and MPS, and no test disturbs the global random state.
"""
import functools

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


def _generator(seed):
    return torch.Generator().manual_seed(seed)


def randn(*shape, seed, dtype=torch.float32, scale=1.0):
    """Normally distributed values (times ``scale``)."""
    return (scale * torch.randn(*shape, generator=_generator(seed), dtype=torch.float64)).to(
        device=device(), dtype=dtype)


def rand(*shape, seed, low=0.0, high=1.0, dtype=torch.float32):
    """Uniform values in [low, high)."""
    values = low + (high - low) * torch.rand(*shape, generator=_generator(seed), dtype=torch.float64)
    return values.to(device=device(), dtype=dtype)


def randint(low, high, shape, *, seed, dtype=torch.int64):
    """Whole numbers in [low, high)."""
    return torch.randint(low, high, tuple(shape), generator=_generator(seed)).to(
        device=device(), dtype=dtype)


def tensor(data, dtype=None):
    """``torch.tensor(data)`` on the device."""
    return torch.tensor(data, dtype=dtype, device=device())
