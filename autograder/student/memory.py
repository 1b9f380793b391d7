"""Checks about memory: does a result share storage with its input, was an input left unchanged?

Sharing is decided by the storage, never by ``id()``: two tensors share memory when they view the
same storage (``untyped_storage().data_ptr()``); a tensor and a NumPy array when their buffers
overlap (``np.shares_memory``).
"""
import numpy as np
import torch

from autograder.student.judging import check_is_tensor, grading_error, run_diagnosis


def shares_memory(a, b) -> bool:
    """Whether two tensors (or a tensor and a NumPy array, or two arrays) share memory."""
    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    arrays = [x.detach().numpy() if isinstance(x, torch.Tensor) and x.device.type == "cpu"
              else x for x in (a, b)]
    if not all(isinstance(x, np.ndarray) for x in arrays):
        return False  # a tensor on an accelerator never shares memory with a NumPy array
    return bool(np.shares_memory(*arrays))


def check_shares_memory(answer, base, name="answer", *, shares=True, base_name="x"):
    """Pass if ``answer`` shares memory with ``base`` (``shares=True``) or does not (False)."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_shares, answer, base, name, shares=shares, base_name=base_name)
    if error is not None:
        raise error from None


def _check_shares(answer, base, name, *, shares, base_name):
    if not isinstance(answer, np.ndarray):
        check_is_tensor(answer, name)
    if shares_memory(answer, base) == shares:
        return
    if shares:
        raise grading_error("copy_instead_of_view", f"{name} 与 {base_name} 不共享内存：它是一份副本，而这里要的是视图。",
                     f"{name} does not share memory with {base_name}: it is a copy, but a view was asked for.")
    raise grading_error("view_instead_of_copy", f"{name} 与 {base_name} 共享内存：它是视图，而这里要的是一份独立的副本。",
                 f"{name} shares memory with {base_name}: it is a view, but an independent copy was asked for.")


def check_unchanged(tensor, before, name="x"):
    """Pass if ``tensor`` still equals ``before`` (a copy taken before the student's code ran)."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_unchanged, tensor, before, name)
    if error is not None:
        raise error from None


def _check_unchanged(tensor, before, name):
    now, before = torch.as_tensor(tensor).detach().cpu(), torch.as_tensor(before).detach().cpu()
    if now.shape == before.shape and torch.equal(now, before):
        return
    raise grading_error("input_modified", f"调用之后，输入 {name} 变了。", f"After the call, the input {name} has changed.")
