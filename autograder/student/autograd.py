"""Checks for autograd exercises (chapter 05): derivatives by hand, tuple answers, predictions.

    check_derivative(df, name, *, f=None, points=None, expected=None, shapes, low, high, seed,
                     mistakes, atol, rtol)
        A derivative written by hand, ``df = written("df", "by hand")`` (the student's source run
        here, where autograd does not exist for it: autograder/student/written.py), compared with
        autograd's derivative of the elementwise ``f`` at seeded points (hidden tests), or with
        ``expected`` at ``points`` (visible tests, values only). Exported from autograder.
    unpack(answer, names, name) / single(answer, name, mistake="autograd_grad_tuple")
        A tuple answer with one item per name, each a single value: a wrong count, or an item that
        is still the tuple torch.autograd.grad returns, is a GradingError that says so.
    check_answered(**answers)
        Prediction answers start as ``...`` in the answer cell; any still ``...`` is "unanswered".
    check_prediction(answer, expected, name, mistakes)
        check_tensor for a predicted tensor that never shows the expected values: wrong values
        that no listed mistake explains are "wrong_prediction".
    check_trainable(w, name, mistake="parameter_rebound")
        w (a tensor a written training function returned) is a leaf tensor that requires grad;
        otherwise the mistake, with what w is instead.
    check_two_losses(fn, name, *, x, shared, heads, expected, mistakes, errors, atol, rtol)
        fn(loss1, loss2, x) on a graph the check builds itself (h = shared(x), loss_i =
        head_i(h, x)), with a hook on its own h counting the backward passes through it: the
        gradients against ``expected``, a known mistake by its values and its number of passes.
"""
import torch

from autograder.student import cases
from autograder.student.calls import call, is_remote
from autograder.student.checks import check_tensor
from autograder.student.judging import (GradingError, check_mistake_keys, close, diagnose, grading_error,
                                        run_diagnosis)
from autograder.student.rules import AFTER_BACKWARD, BY_HAND


# ---------------------------------------------------------------- tuple answers


def unpack(answer, names, name):
    """The items of a tuple answer, one per name; torch.autograd.grad's 1-tuples are refused."""
    __tracebackhide__ = True

    if not isinstance(answer, (tuple, list)) or len(answer) != len(names):
        what = (f"长度为 {len(answer)} 的 {type(answer).__name__}"
                if isinstance(answer, (tuple, list)) else type(answer).__name__)
        what_en = (f"a {type(answer).__name__} of length {len(answer)}"
                   if isinstance(answer, (tuple, list)) else f"a {type(answer).__name__}")
        raise grading_error("wrong_answer_type",
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
        raise grading_error("unanswered", f"{names} 还没有作答（仍然是 ...）：把 ... 换成你的预测。",
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
    raise grading_error("wrong_prediction", f"{name} 的数值不对。", f"{name} has the wrong values.") from None


def check_trainable(w, name, mistake="parameter_rebound"):
    """w is a parameter training can go on with: a leaf tensor that requires grad."""
    __tracebackhide__ = True

    if w.is_leaf and w.requires_grad:
        return
    grad_fn = w.grad_fn.name() if w.grad_fn is not None else None
    if not w.requires_grad:
        zh = f"{name} 返回的 w 不需要梯度（requires_grad=False），没法接着训练。"
        en = f"The w that {name} returned requires no gradient (requires_grad=False), so training cannot go on with it."
    else:
        zh = f"{name} 返回的 w 不是叶子张量（它的 grad_fn 是 {grad_fn}）。"
        en = f"The w that {name} returned is not a leaf tensor (its grad_fn is {grad_fn})."
    raise grading_error(mistake, zh, en) from None


def check_two_losses(fn, name, *, x, shared, heads, expected, mistakes=None, errors=None,
                     atol=1e-5, rtol=1e-4):
    """``fn(loss1, loss2, x)`` returns the gradients of two losses that share a part ``h``.

    The graph is built here, on this process's tensors: ``x`` a new leaf with the given values,
    ``h = shared(x)``, ``loss_i = heads[i](h, x)``; a hook on ``h`` counts the backward passes
    that go through it. Right values pass whatever the count, as long as the given graph was
    used: two passes, or one batched pass (``is_grads_batched=True``). No pass through ``h``
    is "shared_part_recomputed". ``mistakes`` = {key: (passes or None for any, g1, g2)}: what
    that mistake returns, and how many passes it makes (summed losses and an aliased ``x.grad``
    return the same values, one pass against two)."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_two_losses, fn, name, x=x, shared=shared, heads=heads,
                 expected=expected, mistakes=mistakes, errors=errors, atol=atol, rtol=rtol)
    if error is not None:
        raise error from None


def _check_two_losses(fn, name, *, x, shared, heads, expected, mistakes, errors, atol, rtol):
    check_mistake_keys(mistakes)
    passes = []
    with torch.enable_grad():
        leaf = x.detach().clone().requires_grad_(True)
        h = shared(leaf)
        h.register_hook(lambda grad: passes.append(1))
        losses = [head(h, leaf) for head in heads]
    answer = call(fn, *losses, leaf, name=name, errors=errors)
    count = len(passes)
    if count == 0:
        raise grading_error("shared_part_recomputed",
                     f"给 {name} 的那张图里，共用的部分 h 一次梯度也没有收到。",
                     f"The shared part h of the graph given to {name} received no gradient at all.")
    got = unpack(answer, ("g1", "g2"), name)
    if all(_same(g, e, atol, rtol) for g, e in zip(got, expected)):
        return
    for key, (wrong_passes, *wrong) in (mistakes or {}).items():
        if (wrong_passes is None or wrong_passes == count) and all(
                _same(g, w, atol, rtol) for g, w in zip(got, wrong)):
            raise grading_error(key, f"{name} 返回的 (g1, g2) 正好是一个常见错误的结果"
                              f"（共用的部分 h 收到了 {count} 次梯度）。",
                         f"{name} returned exactly the (g1, g2) a common mistake gives (the shared "
                         f"part h received a gradient {count} time(s)).")
    for item, right, label in zip(got, expected, ("g1", "g2")):
        diagnose(item, right, label, atol=atol, rtol=rtol, rules=AFTER_BACKWARD,
                  missing="gradient_none")


def _same(answer, expected, atol, rtol):
    if not isinstance(answer, torch.Tensor):
        return False
    expected = torch.as_tensor(expected).detach().cpu()
    values = answer.detach().cpu()
    return values.dtype == expected.dtype and close(values, expected, atol, rtol)


def single(answer, name, mistake="autograd_grad_tuple"):
    """The answer itself, unless it is a 1-tuple (or list) holding a tensor."""
    __tracebackhide__ = True

    if (isinstance(answer, (tuple, list)) and len(answer) == 1
            and isinstance(answer[0], torch.Tensor)):
        raise grading_error(mistake,
                     f"{name} 是一个只装着一个张量的 {type(answer).__name__}，不是张量本身。",
                     f"{name} is a {type(answer).__name__} holding one tensor, not the tensor "
                     "itself.") from None
    return answer


def check_derivative(df, name="df", *, f=None, points=None, expected=None, shapes=((7,),),
                     low=-2.0, high=2.0, seed=0, mistakes=None, atol=1e-5, rtol=1e-4):
    """Pass if ``df(x)`` is the derivative of the elementwise ``f`` at seeded points (or equals
    ``expected`` at ``points``); see the module."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_derivative, df, name, f=f, points=points, expected=expected,
                 shapes=shapes, low=low, high=high, seed=seed, mistakes=mistakes, atol=atol, rtol=rtol)
    if error is not None:
        raise error from None


# ---------------------------------------------------------------- derivatives


def _check_derivative(df, name, *, f, points, expected, shapes, low, high, seed, mistakes, atol, rtol):
    check_mistake_keys(mistakes)
    if is_remote(df) or (f is None) == (expected is None):
        raise grading_error("check_misconfigured",
                     "check_derivative 需要按源代码构建的函数（written(\"df\", \"by hand\")），以及 f 或 expected 二者之一。",
                     "check_derivative needs the function as built from its source (written(\"df\", "
                     "\"by hand\")) and either f or expected.")
    if expected is not None:
        cases_ = [(points, expected, dict(mistakes or {}))]
    else:
        generator = cases.generator(seed)
        cases_ = []
        for shape in shapes:
            x = low + (high - low) * torch.rand(shape, generator=generator, dtype=torch.float32)
            right, value = _autograd_derivative(f, x)
            wrong = {"value_instead_of_derivative": value}
            wrong.update({mistake: _evaluate(g, x) for mistake, g in (mistakes or {}).items()})
            cases_.append((x, right, wrong))
    for x, right, wrong in cases_:
        # the student's function gets a copy: what it does to it changes nothing here
        answer = call(df, x.clone(), name=f"{name}(x)")
        diagnose(answer, right, f"{name}(x)", atol=atol, rtol=rtol, check_dtype=False,
                  mistakes=wrong, rules=BY_HAND, inputs=x)


def _autograd_derivative(f, x):
    """f'(x) and f(x) by autograd, computed in float64 and returned in x's dtype."""
    x64 = x.double().requires_grad_()
    with torch.enable_grad():
        value = f(x64)
        (derivative,) = torch.autograd.grad(value.sum(), x64)
    return derivative.to(x.dtype), value.detach().to(x.dtype)


def _evaluate(mistaken_fn, x):
    with torch.no_grad():
        return torch.as_tensor(mistaken_fn(x.double())).to(x.dtype)
