"""Calling a student's function from a test cell: ``call(fn, *args, name=...)``.

Every call of a student's function in a test cell goes through ``call``, so that whatever
happens inside it reaches the student as one bilingual message that names the call, never as a
raw English traceback from PyTorch: an unanswered stub says so, and the usual PyTorch errors are
explained (:mod:`autograder.student.errors`). Warnings the answer triggers are silenced (a
correct answer that makes torch warn must not lose points to stderr).
"""
import warnings

from autograder.student.checks import GradingError, _describe, _error
from autograder.student.errors import explain


def call(fn, *args, name=None, **kwargs):
    """``fn(*args, **kwargs)``, or a GradingError that says what went wrong inside it."""
    __tracebackhide__ = True
    label = name or f"{getattr(fn, '__name__', 'function')}(...)"
    if not callable(fn):
        raise _error("not_callable", f"{label}：{type(fn).__name__} 类型的对象不能调用。",
                     f"{label}: an object of type {type(fn).__name__} cannot be called.") from None
    error = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return fn(*args, **kwargs)
    except NotImplementedError:
        error = _error("unanswered", f"{label} 还没有作答（它抛出了 NotImplementedError）。",
                       f"{label} is not answered yet (it raised NotImplementedError).")
    except GradingError as raised:  # e.g. a check the student called inside their function
        error = GradingError(str(raised), raised.mistake)
    except Exception as raised:
        error = _raised(label, raised)
    raise error from None


def _raised(label, error):
    detail = _describe(error).rstrip(".。 ")
    if len(detail) > 400:
        detail = detail[:400] + " …"
    meaning_zh, meaning_en = explain(error)
    zh = f"调用 {label} 时出错：{detail}。" + (f"这通常是说：{meaning_zh}" if meaning_zh else "")
    en = f"Calling {label} failed with {detail}." + (f" This usually means: {meaning_en}"
                                                     if meaning_en else "")
    return _error("function_raised", zh, en)
