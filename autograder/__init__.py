"""The course's grading code, in two parts:

* :mod:`autograder.student`: what a student's kernel imports (the checks, the mistake catalogue,
  test inputs). Everything public is re-exported here, so test cells write
  ``from autograder import check_tensor, call, cases``.
* :mod:`autograder.instructor`: the instructor's tools (``release``, ``grade_class``, the
  tampering scan). Never imported by a notebook.

The test-cell contract
----------------------
A graded test cell (1) builds its inputs with :mod:`autograder.cases` (seeded, on the course's
device), (2) reaches the student's code ONLY through ``call(fn, *args, name="fn(x)")`` or by
reading an answer variable by its name, (3) computes what is expected with its own (instructor)
code, and (4) compares with one of the checks below, passing ``mistakes={key: what that mistake
gives}`` for the exercise's typical wrong answers. A check returns None when the answer is right
and raises :class:`GradingError` (an AssertionError, so nbgrader counts the failure) whose message
is Chinese, then English, and names the likely mistake; its ``mistake`` attribute is the key.
At grading time the test cells run in the referee (:mod:`autograder.instructor.referee`), in the
grader's process: a name the cell reads that the instructor's cells did not define is fetched
from the student's kernel, as data (tensors with their memory, numbers, tuples, ...) or as a
Remote whose calls run there. A function of the test's own that the student's code must call is
written ``cases.function("lambda t: ...")`` (it travels as source); ``call(setting, student_fn,
...)`` with such a function runs it beside the student's code.

Visible tests come first, then hidden tests between ``### BEGIN HIDDEN TESTS`` and
``### END HIDDEN TESTS`` with other values, shapes and dtypes (``cases.widest_float()``). Never
write the answer to a prediction question as a literal in a visible test.

    call(fn, *args, name=None, **kwargs)
        fn(*args, **kwargs), with warnings silenced; an unanswered stub, or any exception inside
        it, becomes a GradingError naming the call and what the PyTorch error means
        (autograder/student/errors.py; a chapter may add patterns as TORCH_ERRORS).
    check_tensor(answer, expected, name, *, atol=1e-6, rtol=1e-5, check_dtype=True,
                 mistakes=None, rules=())
        A tensor: type, [known mistakes], shape (with broadcasting / squeeze / transpose
        hints), dtype, NaN/inf, [rules], values. Known mistakes are tried before the shape, so a
        (N, N) that a broadcast made is named as that broadcast.
    check_number(answer, expected, name, *, atol, rtol, mistakes=None)
        A Python number or a one-element tensor.
    check_gradient(answer, expected, name, *, atol, rtol, mistakes=None, rules=AFTER_BACKWARD)
        A gradient: None (backward never reached it), and the AFTER_BACKWARD rules (zeros, sign,
        transpose, k times = accumulated, 1/k). For a gradient computed by a formula pass
        rules=BY_HAND (k times = a constant factor, never accumulation).
    check_derivative(student_fn, f, name, *, shapes, low, high, seed, mistakes, atol, rtol)
        A derivative written by hand: called through the by-hand guard (autograder/student/
        autograd.py: torch.no_grad(), and any use of autograd inside fails) on copies of seeded
        points, compared with autograd's derivative of f; mistakes map a key to a function of x.
    check_function(fn, reference, name, *, inputs, arg_names, function=None, gradgrad=False,
                   saves=None, mistakes=None, forward_mistakes=None)
        A custom autograd Function (autograder/student/functions.py): its forward against
        reference(*args), that the output hangs on its node, what its backward returns (count,
        None, shapes), its gradients with grad_output all ones and then random (ignored
        grad_output, sign, factor, exercise mistakes; a Jacobian table), gradcheck, and with
        gradgrad=True second derivatives and gradgradcheck; float64, on the CPU under MPS.
    check_value(answer, expected, name, *, mistakes=None)
        An exact non-tensor answer (a shape as a tuple, a dtype, True/False, a count). The
        expected value is never shown.
    check_shares_memory(answer, base, name, *, shares=True, base_name="x")
        Storage-based: a copy where a view was asked, or a view where a copy was needed.
    check_unchanged(tensor, before, name)
        An input that had to stay unchanged was modified.

Mistake keys live in autograder/student/mistakes/ (common.py and one module per chapter); the
rules in autograder/student/rules.py.
"""
from autograder.student import *  # noqa: F401,F403  (the public API, listed in __all__)
from autograder.student import __all__  # noqa: F401
