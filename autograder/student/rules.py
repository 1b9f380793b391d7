"""Diagnosis rules: (mistake key, test) pairs that a check tries, in order, on a wrong tensor.

A rule's test gets a :class:`Wrong` (the answer that failed and what was expected) and returns
the facts it found as ``(zh, en)``, or None when the answer does not look like that mistake. The
first rule that matches names the mistake; its explanation comes from the catalogue
(:mod:`autograder.student.mistakes`). A chapter that needs a new diagnosis adds a rule here (or in
its own module) and passes it in a check's ``rules=``; no check grows a branch.

Two rule sets cover the gradients in this course:

* ``AFTER_BACKWARD``: a ``.grad`` that autograd wrote. A k-times answer there is an accumulated
  gradient (``backward()`` ran k times without zeroing).
* ``BY_HAND``: a gradient or derivative computed with a formula. No ``backward()`` ran, so a
  k-times answer is a constant factor, never accumulation.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


@dataclass(frozen=True)
class Wrong:
    """A tensor answer with wrong values: float64 copies on the CPU, and the tolerances."""
    answer: torch.Tensor  # as given (it may still carry requires_grad / .grad)
    values: torch.Tensor
    expected: torch.Tensor
    name: str
    atol: float
    rtol: float

    def close(self, other: torch.Tensor) -> bool:
        return (self.values.shape == other.shape
                and torch.allclose(self.values, other, rtol=self.rtol, atol=self.atol,
                                   equal_nan=True))


@dataclass(frozen=True)
class Rule:
    mistake: str
    test: Callable[[Wrong], "tuple[str, str] | None"]


def _own_grad(wrong: Wrong):
    answer = wrong.answer
    if not answer.requires_grad or answer.grad is None:  # .grad warns on a non-leaf; checks silence it
        return None
    grad = answer.grad.detach().cpu().double()
    if grad.shape != wrong.expected.shape or not torch.allclose(
            grad, wrong.expected, rtol=wrong.rtol, atol=wrong.atol, equal_nan=True):
        return None
    return (f"{wrong.name} 是一个需要梯度的张量，而它自己的 .grad 才等于正确答案。",
            f"{wrong.name} is a tensor that requires grad, and its own .grad is the right answer.")


def all_zero(mistake: str) -> Rule:
    def test(wrong: Wrong):
        if wrong.expected.any() and not wrong.values.any():
            return (f"{wrong.name} 全是 0，但正确结果不是。",
                    f"{wrong.name} is all zeros, but the right result is not.")
        return None
    return Rule(mistake, test)


def _sign_flipped(wrong: Wrong):
    if wrong.expected.any() and wrong.close(-wrong.expected):
        return (f"{wrong.name} 的符号反了：它正好是正确结果的相反数。",
                f"{wrong.name} has the wrong sign: it is exactly the negative of the right result.")
    return None


def _transposed(wrong: Wrong):
    if wrong.values.ndim >= 2 and wrong.close(wrong.expected.mT):
        return (f"{wrong.name} 正好是正确结果的转置。",
                f"{wrong.name} is exactly the transpose of the right result.")
    return None


def multiple(mistake: str, factors=range(2, 11)) -> Rule:
    """The answer is exactly k times the expected value, for a whole k in ``factors``."""
    def test(wrong: Wrong):
        for k in factors:
            if wrong.expected.any() and wrong.close(k * wrong.expected):
                return (f"{wrong.name} 正好是正确结果的 {k} 倍。",
                        f"{wrong.name} is exactly {k} times the right result.")
        return None
    return Rule(mistake, test)


def fraction(mistake: str, factors=range(2, 11)) -> Rule:
    """The answer is exactly 1/k of the expected value."""
    def test(wrong: Wrong):
        for k in factors:
            if wrong.expected.any() and wrong.close(wrong.expected / k):
                return (f"{wrong.name} 正好是正确结果的 1/{k}。",
                        f"{wrong.name} is exactly 1/{k} of the right result.")
        return None
    return Rule(mistake, test)


def called_again(again, mistake: str = "not_reproducible") -> tuple:
    """For an answer that must not change from call to call (a seeded draw): ``again`` is what a
    second call with the same arguments returned, and an answer that differs from it is
    ``mistake``. Returns the rules to pass in ``rules=``."""
    def test(wrong: Wrong):
        if isinstance(again, torch.Tensor) and wrong.close(again.detach().cpu().double()):
            return None
        return (f"同样的参数再调用一次，得到的结果和 {wrong.name} 不一样。",
                f"Called again with the same arguments, it returned something other than {wrong.name}.")
    return (Rule(mistake, test),)


TENSOR_INSTEAD_OF_GRAD = Rule("tensor_instead_of_grad", _own_grad)
SIGN_FLIPPED = Rule("sign_flipped", _sign_flipped)
TRANSPOSED = Rule("transposed", _transposed)

AFTER_BACKWARD = (TENSOR_INSTEAD_OF_GRAD, all_zero("gradient_zero"), SIGN_FLIPPED, TRANSPOSED,
                  multiple("accumulated_gradient"), fraction("divided_gradient"))
BY_HAND = (all_zero("derivative_zero"), SIGN_FLIPPED, TRANSPOSED,
           multiple("constant_factor"), fraction("constant_factor"))
