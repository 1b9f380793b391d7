"""``check_value``: exact answers that are not tensors: a predicted shape, dtype, True/False, count.

The expected value is never printed: these are prediction questions, and the visible test must
not give the answer away.
"""
import numbers

import numpy as np
import torch

from autograder.student.judging import grading_error, run_diagnosis


def check_value(answer, expected, name="answer", *, mistakes=None):
    """Pass if ``answer`` equals ``expected`` exactly (shapes as tuples: torch.Size and lists of
    ints count as tuples); ``mistakes`` = {key: the value that mistake gives}."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_value, answer, expected, name, mistakes=mistakes)
    if error is not None:
        raise error from None


def _normalise(value):
    """torch.Size, lists and NumPy scalars as plain Python values, so equal answers compare equal."""
    if isinstance(value, (torch.Size, list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _kind(value):
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, numbers.Integral):
        return "int"
    if isinstance(value, numbers.Real):
        return "float"
    if isinstance(value, tuple):
        return "tuple"
    if isinstance(value, torch.dtype):
        return "dtype"
    return type(value).__name__


_KIND_NAMES = {  # how to write an answer of each kind
    "bool": ("True 或 False", "True or False"),
    "int": ("一个整数，例如 3", "a whole number such as 3"),
    "float": ("一个数，例如 0.5", "a number such as 0.5"),
    "tuple": ("一个元组，例如 (2, 3)；形状可以写成 tuple(t.shape)", "a tuple such as (2, 3); a shape can be written tuple(t.shape)"),
    "dtype": ("一个数据类型，例如 torch.float32", "a dtype such as torch.float32"),
    "str": ("一个字符串", "a string"),
    "NoneType": ("None", "None"),
}


def _check_value(answer, expected, name, *, mistakes):
    answer, expected = _normalise(answer), _normalise(expected)
    if _kind(answer) == _kind(expected) and answer == expected:
        return
    for mistake, wrong in (mistakes or {}).items():  # a known mistake may also be of another type
        wrong = _normalise(wrong)
        if _kind(answer) == _kind(wrong) and answer == wrong and not isinstance(answer, torch.Tensor):
            raise grading_error(mistake, f"你的答案 {name} = {answer!r} 正是一个常见错误的结果。",
                         f"Your answer {name} = {answer!r} is what a common mistake gives.")
    if isinstance(answer, torch.Tensor) or (
            _kind(answer) != _kind(expected) and {_kind(answer), _kind(expected)} != {"int", "float"}):
        want_zh, want_en = _KIND_NAMES.get(_kind(expected), (_kind(expected), _kind(expected)))
        raise grading_error("wrong_answer_type",
                     f"{name} 的类型是 {type(answer).__name__}，而这里需要{' ' if want_zh[0].isascii() else ''}{want_zh}。",
                     f"{name} is of type {type(answer).__name__}, but {want_en} is needed here.")
    if answer == expected:
        return
    raise grading_error("wrong_prediction", f"{name} = {answer!r} 不对。", f"{name} = {answer!r} is not right.")
