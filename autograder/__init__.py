"""The course's grading code, in two parts:

* :mod:`autograder.student`: what a student's kernel imports (the checks, the mistake catalogue,
  test inputs). Everything public is re-exported here, so test cells write
  ``from autograder import check_tensor, call, cases``.
* :mod:`autograder.instructor`: the instructor's tools (``release``, ``grade_class``, the
  tampering scan). Never imported by a notebook.

The test-cell contract
----------------------
Two rules decide what a test cell may contain and what a point may rest on.

**1. Points come only from facts the student's kernel cannot forge.** At grading time a test cell
runs in the referee (:mod:`autograder.instructor.referee`), in the grader's process, from the
instructor's source. It may rest a point on:

* *values*: what a student's function returns, or what an answer variable holds, reached through
  ``call(fn, *args, name=...)`` or by reading the name. They cross from the kernel as plain data
  and are judged here, against expected values this process computed from its own inputs,
  before the call (the kernel gets copies);
* *the submitted source*: ``written(name, mode)`` (:mod:`autograder.student.written`) builds the
  student's function or Function class from the cells of the submitted file and runs it here,
  in an interpreter that knows only tensor math (:mod:`autograder.student.interpreter`). An
  exercise whose point is *how* something is computed is judged this way: ``BY_HAND`` (no
  autograd at all), ``FUNCTION`` (a custom Function's forward and backward, no autograd inside),
  ``AUTOGRAD`` (a training loop, repeated backward passes). Then memory sharing, in-place
  writes, leaf status, what a Function saved, how many backward passes ran: all are facts about
  objects in this process.

Never on anything the kernel reports about itself: a count, a flag, a guard's verdict, whether
a kernel tensor requires grad, shares memory or is a leaf. Where an exercise's point is how, and
neither values nor the source can show it, change the exercise, or say it is graded by hand.

**2. A released notebook reveals nothing.** The visible part of a test cell (what students see)
holds data and calls only: its inputs (small literals, or ``cases`` draws), the expected results
and the typical wrong results *as values*, calls of the student's code, and the checks. No
``def``, ``lambda`` or class, no arithmetic or method calls on tensors, no torch call but
``torch.tensor`` of literals: the solution, the oracles and the mistake formulas live in the hidden
part (between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``), which runs only in the
referee and draws other values, shapes and dtypes per grading run (``cases`` is salted). A
prediction's expected value never appears in the visible part; each prediction item is graded in
a cell of its own and backed by a hidden question the snippet alone does not answer.
``tests/test_release_leaks.py`` enforces this on release/, and ``tests/test_same_points.py``
grades every sample answer under many salts: the same answer must always get the same points.

How a visible test reads::

    x = cases.tensor([[1.0, -2.0], [0.5, 3.0]])
    check_tensor(call(normalise, x, name="normalise(x)"),
                 cases.tensor([[0.4472, -0.8944], [0.1644, 0.9864]]), name="normalise(x)",
                 atol=1e-4, mistakes={"normalised_wrong_dim": cases.tensor([[0.8944, -0.5547],
                                                                            [0.4472, 0.8321]])})

A check returns None when the answer is right and raises :class:`GradingError` (an
AssertionError, so nbgrader counts the failure) whose message is Chinese, then English, and names
the likely mistake; its ``mistake`` attribute is the key. A function of the test's own that the
student's code must call is written ``cases.function("lambda t: ...")`` (it travels as source).

    call(fn, *args, name=None, errors=None, **kwargs)
        fn(*args, **kwargs), with warnings silenced; an unanswered stub, or any exception inside
        it, becomes a GradingError naming the call and what the PyTorch error means
        (autograder/student/errors.py; a chapter may add patterns as TORCH_ERRORS).
        ``errors`` = {regex: mistake key} names the error a typical mistake of this exercise
        raises, so the message explains it in the exercise's terms.
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
    written(name, mode="by hand")
        The student's function or Function class ``name`` built from their cells and run here
        (modes "by hand", "function", "autograd"; autograder/student/written.py).
    check_derivative(df, name, *, f=None, points=None, expected=None, shapes, low, high, seed,
                     mistakes, atol, rtol)
        A derivative by hand (``written("df", "by hand")``): against autograd's derivative of f
        at seeded points (mistakes map a key to a function of x), or against ``expected`` at
        ``points`` (mistakes map a key to values).
    check_function(fn, name, *, inputs, arg_names, reference=None, expected=None, function=None,
                   gradgrad=False, saves=None, mistakes=None, forward_mistakes=None,
                   dtypes=(float32, float64))
        A custom autograd Function as written (autograder/student/functions.py): its forward
        against reference(*args) or expected values, its inputs left alone, no tensor kept on
        ctx, the output on its own node, what its backward returns (count, None, shapes), that it
        leaves grad_output alone, its gradients with grad_output all ones and then random (with
        expected values: a grad_output the test gives, as (output, grads, grad_outputs, grads))
        (ignored grad_output, sign, factor, exercise mistakes; a Jacobian table), in float32 and
        float64, then gradcheck, and with gradgrad=True second derivatives and gradgradcheck.
    check_answered(**answers), check_prediction(answer, expected, name, mistakes),
    unpack(answer, names, name), single(answer, name), check_trainable(w, name),
    check_two_losses(fn, name, *, x, shared, heads, expected, mistakes, errors)
        For autograd exercises (autograder/student/autograd.py): a prediction still ``...``; a
        predicted tensor judged without showing the expected one; a tuple answer's items; a
        parameter that is still a leaf tensor requiring grad (a tensor written() code returned);
        the gradients of two losses on a graph the check builds, with a hook on its own shared
        part counting the backward passes.
    called_again(again, mistake="not_reproducible")
        Rules (for ``rules=``) for an answer that must not change from call to call, such as a
        seeded draw: ``again`` is what a second call with the same arguments returned.
    check_value(answer, expected, name, *, mistakes=None)
        An exact non-tensor answer (a shape as a tuple, a dtype, True/False, a count). The
        expected value is never shown.
    check_shares_memory(answer, base, name, *, shares=True, base_name="x")
        Storage-based: a copy where a view was asked, or a view where a copy was needed.
    check_unchanged(tensor, before, name)
        An input that had to stay unchanged was modified.

Mistake keys live in autograder/student/mistakes/ (common.py and one module per chapter); the
rules in autograder/student/rules.py; what every check shares (the GradingError, running a
diagnosis, the tensor pipeline) in autograder/student/judging.py.
"""
from autograder.student import *  # noqa: F401,F403  (the public API, listed in __all__)
from autograder.student import __all__  # noqa: F401
