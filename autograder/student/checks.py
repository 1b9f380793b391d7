"""The checks of tensors, numbers and gradients that assignment test cells call. The contract is
in autograder/__init__.py; what every check shares is in autograder/student/judging.py.

Each check is thin: it runs its diagnosis through ``run_diagnosis`` (warnings silenced, any
unexpected exception turned into a GradingError) and re-raises what it found from its own frame,
so a learner sees one short bilingual message and no traceback from inside the checks.
"""
import numbers

import numpy as np
import torch

from autograder.student.judging import (GradingError, check_supported, diagnose, fail,  # noqa: F401
                                        run_diagnosis)  # (GradingError: what test cells import here)
from autograder.student.rules import AFTER_BACKWARD


# ---------------------------------------------------------------- public checks


def check_tensor(answer, expected, name="answer", *, atol=1e-6, rtol=1e-5, check_dtype=True,
                 mistakes=None, rules=()):
    """Pass if ``answer`` is a tensor close to ``expected``; else raise GradingError.

    ``mistakes``: {mistake key: the tensor that mistake gives}, tried before anything else, so a
    wrong shape or dtype that a known mistake produces is named as that mistake. ``rules``: the
    diagnosis rules (:mod:`autograder.student.rules`) tried on wrong values.
    """
    __tracebackhide__ = True
    error = run_diagnosis(name, diagnose, answer, expected, name, atol=atol, rtol=rtol,
                 check_dtype=check_dtype, mistakes=mistakes, rules=rules)
    if error is not None:
        raise error from None


def check_number(answer, expected, name="answer", *, atol=1e-6, rtol=1e-5, mistakes=None):
    """Pass if ``answer`` (int, float or one-element tensor) is close to ``expected``."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_number, answer, expected, name, atol=atol, rtol=rtol,
                 mistakes=mistakes)
    if error is not None:
        raise error from None


def check_gradient(answer, expected, name="x.grad", *, atol=1e-6, rtol=1e-5, mistakes=None,
                   rules=AFTER_BACKWARD):
    """Pass if the gradient ``answer`` is close to ``expected``; else name the likely mistake.

    The default rules read the answer as a ``.grad`` that backward() wrote; pass
    ``rules=BY_HAND`` for a gradient computed with a formula.
    """
    __tracebackhide__ = True
    error = run_diagnosis(name, diagnose, answer, expected, name, atol=atol, rtol=rtol,
                 mistakes=mistakes, rules=rules, missing="gradient_none")
    if error is not None:
        raise error from None


# ---------------------------------------------------------------- numbers


def _check_number(answer, expected, name, *, atol, rtol, mistakes):
    expected = torch.as_tensor(expected, dtype=torch.float64).detach().cpu().reshape(())
    mistakes = {key: torch.as_tensor(wrong, dtype=torch.float64).reshape(())
                for key, wrong in (mistakes or {}).items()}
    diagnose(_as_number(answer, name), expected, name, atol=atol, rtol=rtol, check_dtype=False,
              mistakes=mistakes)


def _as_number(answer, name):
    """The answer as a 0-d float64 tensor, or a GradingError saying why it is not a number.

    bool is refused although Python counts it as an int: True/False nearly always means a
    comparison (a == b) was returned instead of the value.
    """
    if answer is None:
        fail("answer_is_none", f"{name} 是 None。", f"{name} is None.")
    if isinstance(answer, torch.Tensor):
        check_supported(answer, name)
        if answer.numel() == 1 and answer.dtype != torch.bool:
            return answer.detach().cpu().double().reshape(())
    elif isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)):
        return torch.tensor(float(answer), dtype=torch.float64)
    zh, en = _why_not_a_number(answer, name)
    fail("not_a_number", zh, en)


def _why_not_a_number(answer, name):
    if isinstance(answer, torch.Tensor):
        if answer.numel() != 1:
            count, shape = answer.numel(), tuple(answer.shape)
            return (f"{name} 是含 {count} 个元素的张量（形状 {shape}）。"
                    "是不是漏了 .sum() 或 .mean()，或者忘了取出其中一个元素？",
                    f"{name} is a tensor with {count} elements (shape {shape}). Did you forget "
                    "a .sum() or .mean(), or to pick one element?")
        zh = f"{name} 是数据类型为 {answer.dtype} 的张量，不是一个实数。"
        en = f"{name} is a tensor of dtype {answer.dtype}, not a real number."
        is_bool = answer.dtype == torch.bool
    else:
        zh = f"{name} 的类型是 {type(answer).__name__}，不是一个实数。"
        en = f"{name} is of type {type(answer).__name__}, not a real number."
        is_bool = isinstance(answer, (bool, np.bool_))
    if is_bool:
        zh += "布尔值（True/False）通常来自比较，例如 a == b；请返回数值本身。"
        en += " A bool (True/False) usually comes from a comparison such as a == b; return the value itself."
    if isinstance(answer, str):
        zh += "请返回数值本身，而不是打印或格式化出来的文字。"
        en += " Return the number itself, not printed or formatted text."
    return zh, en
