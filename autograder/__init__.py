"""Checks that the assignments' test cells call, and the instructor's grading commands.

Every check returns None when the answer is right and raises :class:`GradingError` (an
AssertionError, so nbgrader counts the failure) with a Chinese + English message that names the
likely mistake when it is wrong. Checks never print to stderr and never crash on a strange answer.
The error's ``mistake`` attribute is the MISTAKES key of what was diagnosed.

    check_tensor(answer, expected, name="answer", *, atol=1e-6, rtol=1e-5, check_dtype=True)
        A tensor answer: type, shape, dtype, NaN/inf, then values.
    check_number(answer, expected, name="answer", *, atol=1e-6, rtol=1e-5)
        A Python number (int/float) or a one-element tensor.
    check_gradient(answer, expected, name="x.grad", *, atol=1e-6, rtol=1e-5, mistakes=None)
        A gradient tensor (e.g. ``x.grad``). On top of check_tensor it diagnoses: None (backward
        never reached the tensor), all zeros (detach / no_grad cut the path), sign flipped,
        transposed, exactly k times the expected (k backward calls without zeroing), and the
        exercise-specific ``mistakes``: a dict {mistake key: tensor that mistake would produce},
        keys from autograder.MISTAKES (e.g. "value_instead_of_derivative",
        "missing_inner_derivative").
    check_derivative(student_fn, f, name="derivative", *, shapes=((7,),), low=-2.0, high=2.0,
                     seed=0, mistakes=None, atol=1e-5, rtol=1e-4)
        A derivative written by hand as a Python function of x. It is called at seeded random
        points on plain tensors under torch.no_grad() (so autograd cannot do the work), and
        compared with autograd's derivative of the elementwise function f, computed here.
        ``mistakes`` maps a mistake key to a function of x that makes that mistake; the value of
        f itself is always tried as "value_instead_of_derivative".
"""
from autograder.checks import (
    GradingError,
    check_derivative,
    check_gradient,
    check_number,
    check_tensor,
)
from autograder.mistakes import MISTAKES

__all__ = [
    "GradingError",
    "MISTAKES",
    "check_derivative",
    "check_gradient",
    "check_number",
    "check_tensor",
]
