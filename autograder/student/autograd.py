"""Checks for autograd exercises (chapter 05): derivatives by hand, the by-hand guard, predictions.

    check_derivative(student_fn, f, name, *, shapes, low, high, seed, mistakes, atol, rtol)
        A derivative written by hand, called through call_by_hand on copies of seeded points and
        compared with autograd's derivative of the elementwise f (exported from autograder).

    call_by_hand(fn, *args, name)
        ``call(fn, *args)`` for an exercise that asks for a gradient computed with a formula: fn
        runs under torch.no_grad(), and if it switches autograd back on anyway (torch.enable_grad,
        set_grad_enabled, torch.autograd.grad / backward on a copy that requires grad,
        torch.autograd.functional, torch.func.grad / vjp / jacrev / jacfwd, forward-mode AD), the
        call fails with "autograd_in_derivative", whatever it returned.
    by_hand(fn)
        The guard itself, as a wrapper: the wrapped function raises AutogradUsed (a RuntimeError)
        when fn used autograd.
    unpack(answer, names, name) / single(answer, name, mistake="autograd_grad_tuple")
        A tuple answer with one item per name, each a single value: a wrong count, or an item that
        is still the tuple torch.autograd.grad returns, is a GradingError that says so.
    check_answered(**answers)
        Prediction answers start as ``...`` in the answer cell; any still ``...`` is "unanswered".
    check_prediction(answer, expected, name, mistakes)
        check_tensor for a predicted tensor that never shows the expected values: wrong values
        that no listed mistake explains are "wrong_prediction".
    check_trainable(w, name, mistake="parameter_rebound")
        w (a tensor a training function returned) is a leaf tensor that requires grad; otherwise
        the mistake, with what w is instead.
    check_passes(count, expected=2, mistakes={key: count})
        The number of backward passes a hook on the shared node counted.
"""
import torch
from torch.overrides import TorchFunctionMode

from autograder.student import cases
from autograder.student.calls import beside, call
from autograder.student.checks import (GradingError, _check_mistake_keys, _diagnose, _error,
                                       _run, check_tensor)
from autograder.student.rules import BY_HAND
from autograder.student.wire import grad_fn_name


# ---------------------------------------------------------------- the by-hand guard

# torch functions that mean autograd even with grad mode off (forward-mode AD needs no grad mode)
_ALWAYS = {"grad", "backward", "requires_grad_", "_make_dual", "_unpack_dual"}
_ENTRY_POINTS = {  # what a student wrote, named by the torch function it calls
    "_set_grad_enabled": "torch.enable_grad() / set_grad_enabled",
    "requires_grad_": "requires_grad_()",
    "grad": "torch.autograd.grad / torch.func.grad",
    "backward": ".backward()",
    "_make_dual": "forward-mode AD (torch.func.jvp / jacfwd)",
}


class AutogradUsed(RuntimeError):
    """Raised by a by_hand() function that used autograd."""


class _Watch(TorchFunctionMode):
    """Notes every torch call made with grad mode on, and every call in _ALWAYS."""

    def __init__(self):
        super().__init__()
        self.used = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", type(func).__name__)
        if (torch.is_grad_enabled() or name in _ALWAYS) and name not in self.used:
            self.used.append(name)
        return func(*args, **(kwargs or {}))

    def summary(self) -> str:
        named = [_ENTRY_POINTS[name] for name in self.used if name in _ENTRY_POINTS]
        return ", ".join(named) if named else "grad mode on"


def by_hand(fn):
    """fn run under torch.no_grad(); raises AutogradUsed if it used autograd anyway."""

    def run(*args, **kwargs):
        __tracebackhide__ = True
        watch = _Watch()
        run.used = ""
        error = None
        with torch.no_grad(), watch:
            try:
                result = fn(*args, **kwargs)
            except NotImplementedError:
                raise
            except Exception as raised:  # an autograd call may fail under no_grad: report the use
                error = raised
        if watch.used:
            run.used = watch.summary()
            raise AutogradUsed(f"autograd used: {run.used}") from None
        if error is not None:
            raise error
        return result

    run.__name__ = getattr(fn, "__name__", "function")
    run.used = ""
    return run


def call_by_hand(fn, *args, name):
    """call(fn, *args, name=name) with fn under the by-hand guard."""
    __tracebackhide__ = True

    guarded = beside(fn, by_hand, fn) if callable(fn) else fn  # the guard runs where fn runs
    try:
        return call(guarded, *args, name=name)
    except GradingError:
        if not getattr(guarded, "used", ""):
            raise
    raise _error("autograd_in_derivative",
                 f"{name} 在函数里重新打开了自动求导（{guarded.used}）。",
                 f"{name} switched autograd back on inside the function ({guarded.used}).") from None


# ---------------------------------------------------------------- tuple answers


def unpack(answer, names, name):
    """The items of a tuple answer, one per name; torch.autograd.grad's 1-tuples are refused."""
    __tracebackhide__ = True

    if not isinstance(answer, (tuple, list)) or len(answer) != len(names):
        what = (f"长度为 {len(answer)} 的 {type(answer).__name__}"
                if isinstance(answer, (tuple, list)) else type(answer).__name__)
        what_en = (f"a {type(answer).__name__} of length {len(answer)}"
                   if isinstance(answer, (tuple, list)) else f"a {type(answer).__name__}")
        raise _error("wrong_answer_type",
                     f"{name} 应该返回 {len(names)} 个值 ({', '.join(names)})，它返回的却是 {what}。",
                     f"{name} should return {len(names)} values ({', '.join(names)}), but it "
                     f"returned {what_en}.") from None
    return tuple(single(item, item_name) for item, item_name in zip(answer, names))


def check_answered(**answers):
    """Fail with "unanswered" while a prediction is still the placeholder ``...``."""
    __tracebackhide__ = True

    missing = [name for name, value in answers.items() if value is Ellipsis]
    if missing:
        names = ", ".join(missing)
        raise _error("unanswered", f"{names} 还没有作答（仍然是 ...）：把 ... 换成你的预测。",
                     f"{names} not answered yet (still ...): replace ... with your prediction.") from None


def check_prediction(answer, expected, name, mistakes=None):
    """check_tensor for a predicted tensor, without ever showing the expected values."""
    __tracebackhide__ = True

    try:
        check_tensor(answer, expected, name=name, mistakes=mistakes)
    except GradingError as error:
        if error.mistake not in ("wrong_values", "nan_or_inf"):  # these two quote the expected values
            raise
    else:
        return
    raise _error("wrong_prediction", f"{name} 的数值不对。", f"{name} has the wrong values.") from None


def check_trainable(w, name, mistake="parameter_rebound"):
    """w is a parameter training can go on with: a leaf tensor that requires grad."""
    __tracebackhide__ = True

    if w.is_leaf and w.requires_grad:
        return
    grad_fn = grad_fn_name(w) if w.grad_fn is not None else None
    if not w.requires_grad:
        zh = f"{name} 返回的 w 不需要梯度（requires_grad=False），没法接着训练。"
        en = f"The w that {name} returned requires no gradient (requires_grad=False), so training cannot go on with it."
    else:
        zh = f"{name} 返回的 w 不是叶子张量（它的 grad_fn 是 {grad_fn}）。"
        en = f"The w that {name} returned is not a leaf tensor (its grad_fn is {grad_fn})."
    raise _error(mistake, zh, en) from None


def check_passes(count, expected=2, mistakes=None):
    """The backward passes counted by a hook on the shared node h; mistakes = {key: count}."""
    __tracebackhide__ = True

    if count == expected:
        return
    key = next((key for key, wrong in (mistakes or {}).items() if wrong == count), "wrong_values")
    raise _error(key, f"共用的部分 h 收到了 {count} 次梯度，应为 {expected} 次（每个损失一次）。",
                 f"The shared part h received a gradient {count} time(s), expected {expected} "
                 "(once per loss).") from None


def single(answer, name, mistake="autograd_grad_tuple"):
    """The answer itself, unless it is a 1-tuple (or list) holding a tensor."""
    __tracebackhide__ = True

    if (isinstance(answer, (tuple, list)) and len(answer) == 1
            and isinstance(answer[0], torch.Tensor)):
        raise _error(mistake,
                     f"{name} 是一个只装着一个张量的 {type(answer).__name__}，不是张量本身。",
                     f"{name} is a {type(answer).__name__} holding one tensor, not the tensor "
                     "itself.") from None
    return answer


def check_derivative(student_fn, f, name="derivative", *, shapes=((7,),), low=-2.0, high=2.0,
                     seed=0, mistakes=None, atol=1e-5, rtol=1e-4):
    """Pass if ``student_fn(x)`` equals the derivative of the elementwise ``f`` at random points."""
    __tracebackhide__ = True
    error = _run(name, _check_derivative, student_fn, f, name, shapes=shapes, low=low, high=high,
                 seed=seed, mistakes=mistakes, atol=atol, rtol=rtol)
    if error is not None:
        raise error from None


# ---------------------------------------------------------------- derivatives


def _check_derivative(student_fn, f, name, *, shapes, low, high, seed, mistakes, atol, rtol):
    _check_mistake_keys(mistakes)
    generator = cases.generator(seed)
    for shape in shapes:
        x = low + (high - low) * torch.rand(shape, generator=generator, dtype=torch.float32)
        # The learner's function runs first, on a copy, under the by-hand guard: it never sees
        # the expected values, and autograd switched back on inside it fails.
        answer = call_by_hand(student_fn, x.clone(), name=f"{name}(x)")
        expected, value = _autograd_derivative(f, x)
        wrong = {"value_instead_of_derivative": value}
        wrong.update({mistake: _evaluate(g, x) for mistake, g in (mistakes or {}).items()})
        _diagnose(answer, expected, f"{name}(x)", atol=atol, rtol=rtol, check_dtype=False,
                  mistakes=wrong, rules=BY_HAND, inputs=x)


def _autograd_derivative(f, x):
    """f(x) and f'(x) by autograd, computed in float64 and returned in x's dtype."""
    x64 = x.double().requires_grad_()
    with torch.enable_grad():
        value = f(x64)
        (derivative,) = torch.autograd.grad(value.sum(), x64)
    return derivative.to(x.dtype), value.detach().to(x.dtype)


def _evaluate(mistaken_fn, x):
    with torch.no_grad():
        return torch.as_tensor(mistaken_fn(x.double())).to(x.dtype)
