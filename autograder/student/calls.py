"""Calling a student's function from a test cell: ``call(fn, *args, name=...)``.

Every call of a student's function in a test cell goes through ``call``, so that whatever
happens inside it reaches the student as one bilingual message that names the call, never as a
raw English traceback from PyTorch: an unanswered stub says so, and the usual PyTorch errors are
explained (:mod:`autograder.student.errors`). Warnings the answer triggers are silenced (a
correct answer that makes torch warn must not lose points to stderr).
"""
import re
import warnings

from autograder.student.cases import TestFunction
from autograder.student.judging import GradingError, describe, grading_error
from autograder.student.errors import explain
from autograder.student.interpreter import Refused


def call(fn, *args, name=None, errors=None, **kwargs):
    """``fn(*args, **kwargs)``, or a GradingError that says what went wrong inside it.

    ``errors`` = {regular expression: mistake key}: an exception whose ``"Type: message"``
    matches is that mistake of the exercise, explained in its terms (the catalogue's text), with
    PyTorch's own words only quoted."""
    __tracebackhide__ = True
    label = name or f"{getattr(fn, '__name__', 'function')}(...)"
    if not callable(fn):
        raise grading_error("not_callable", f"{label}：{type(fn).__name__} 类型的对象不能调用。",
                     f"{label}: an object of type {type(fn).__name__} cannot be called.") from None
    error = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _where_the_student_code_runs(fn, args)(*args, **kwargs)
    except Exception as raised:
        error = failure(label, raised, errors)
    raise error from None


def described(error):
    """An exception as plain data, for a judge in another process than the code that raised it.

    {"type": class name, "message": str(error) (None when that fails), "kinds": the names of its
    classes, most specific first, "mistake": a GradingError's mistake key, else None}.
    """
    if isinstance(error, dict):
        return error
    try:
        message = str(error)
    except Exception:  # an exception whose __str__ itself fails
        message = None
    return {"type": type(error).__name__, "message": message,
            "kinds": [kind.__name__ for kind in type(error).__mro__ if kind is not object],
            "mistake": error.mistake if isinstance(error, GradingError) else None}


def failure(label, error, errors=None):
    """The GradingError for what calling ``label`` raised: an exception or its ``described`` dict;
    ``errors`` as in ``call``."""
    if isinstance(error, Refused):  # the interpreter refused the student's code (written.py)
        where_zh, where_en = _where(error.line)
        key = error.mistake or ("autograd_in_derivative" if error.autograd else "not_allowed_here")
        return grading_error(key, f"{label}{where_zh}：{error.zh}", f"{label}{where_en}: {error.en}")
    description = described(error)
    if "NotImplementedError" in description["kinds"]:
        return grading_error("unanswered", f"{label} 还没有作答（它抛出了 NotImplementedError）。",
                      f"{label} is not answered yet (it raised NotImplementedError).")
    if "GradingError" in description["kinds"]:  # e.g. a check the student called inside their function
        return GradingError(description["message"], description["mistake"])
    text = f"{description['type']}: {description['message']}"
    for pattern, mistake in (errors or {}).items():
        if re.search(pattern, text):
            detail = describe(_as_exception(error)).rstrip(".。 ")[:400]
            where_zh, where_en = _where(getattr(error, "student_line", None))
            return grading_error(mistake, f"调用 {label} 时出错{where_zh}（PyTorch 的报错是 {detail}）。",
                          f"Calling {label} failed{where_en} (PyTorch said {detail}).")
    return raised(label, error)


def _as_exception(error):
    """An exception, or one rebuilt from its ``described`` dict with the same class name and message.

    _describe and explain read only those two; a message of None makes str() fail on the rebuilt
    one (__str__ returning None raises TypeError), as it failed on the original.
    """
    if isinstance(error, BaseException):
        return error
    return type(error["type"], (Exception,), {"__str__": lambda self: error["message"]})()


def raised(label, error):
    """function_raised for an exception (or its ``described`` dict) raised while calling ``label``."""
    error = _as_exception(error)
    detail = describe(error).rstrip(".。 ")
    if len(detail) > 400:
        detail = detail[:400] + " …"
    meaning_zh, meaning_en = explain(error)
    where_zh, where_en = _where(getattr(error, "student_line", None))
    zh = f"调用 {label} 时出错{where_zh}：{detail}。" + (f"这通常是说：{meaning_zh}" if meaning_zh else "")
    en = f"Calling {label} failed{where_en} with {detail}." + (f" This usually means: {meaning_en}"
                                                               if meaning_en else "")
    return grading_error("function_raised", zh, en)


def _where(line):
    """Where in the student's cell, when the interpreter knows the line."""
    if not line:
        return "", ""
    return f"（所在单元格的第 {line} 行）", f" (line {line} of its cell)"


def is_remote(value) -> bool:
    """Whether value is the referee's stand-in for an object in the student's kernel."""
    return getattr(type(value), "_REFEREE_REMOTE", False)


def beside(anchor, factory, *args):
    """``factory(*args)`` where the student's code runs. In the student's kernel that is here;
    at grading time ``anchor`` (the student's function or class) is the referee's Remote, and
    factory (a course function or a cases.function) runs in the kernel, its result coming back
    as data or as a Remote."""
    return anchor.run_beside(factory, *args) if is_remote(anchor) else factory(*args)


def _where_the_student_code_runs(fn, args):
    """fn itself, except for a test's own function (cases.function) that is given the student's
    code: at grading time that runs in the student's kernel (see beside)."""
    anchor = next((a for a in args if is_remote(a)), None)
    if isinstance(fn, TestFunction) and anchor is not None:
        return lambda *args, **kwargs: beside(anchor, fn, *args)
    return fn
