"""What a student's kernel imports: the checks, the mistake catalogue, test inputs.

Nothing here imports nbgrader or reads the course directory; the instructor's tools live in
:mod:`autograder.instructor`. The contract for test cells is in :mod:`autograder`'s docstring.
"""
from autograder.student import cases, notebook
from autograder.student.autograd import (check_answered, check_derivative, check_prediction,
                                        check_trainable, check_two_losses, single, unpack)
from autograder.student.calls import call
from autograder.student.checks import (
    GradingError,
    check_gradient,
    check_number,
    check_tensor,
)
from autograder.student.functions import check_function
from autograder.student.memory import check_shares_memory, check_unchanged, shares_memory
from autograder.student.mistakes import MISTAKES
from autograder.student.rules import AFTER_BACKWARD, BY_HAND, Rule, called_again
from autograder.student.values import check_value
from autograder.student.written import written

notebook.install()  # an unanswered cell says so in both languages (see notebook.py)

__all__ = [
    "AFTER_BACKWARD", "BY_HAND", "GradingError", "MISTAKES", "Rule", "call", "called_again",
    "cases", "check_answered", "check_derivative", "check_function", "check_gradient",
    "check_number", "check_prediction", "check_shares_memory", "check_tensor", "check_trainable",
    "check_two_losses", "check_unchanged", "check_value", "shares_memory", "single", "unpack",
    "written",
]
