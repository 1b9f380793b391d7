"""What every check shares: the GradingError, a message made of the facts found and the
catalogue's explanation of the mistake, running a diagnosis so that nothing from inside it reaches
the student, and the pipeline that judges a tensor (is it one, its shape, dtype and values).

    grading_error(mistake, zh, en)  the GradingError for a mistake: the facts found (zh, en),
                                    then the catalogue's explanation
    fail(mistake, zh, en)           raise it
    run_diagnosis(name, judge, *args, **kwargs)
                                    run a diagnosis with warnings silenced: the fresh GradingError
                                    it found (no traceback from inside the checks), or None
    diagnose(answer, expected, name, *, atol, rtol, check_dtype, mistakes, rules, inputs, missing)
                                    the tensor pipeline: raise GradingError for the first thing wrong
    check_is_tensor, check_supported, check_mistake_keys, close, shape_hint, sum_recipe,
    broadcasts_to, describe         its steps, for checks that judge other things

The public checks (autograder/student/checks.py, functions.py, autograd.py, values.py,
memory.py) are thin: each runs its diagnosis through ``run_diagnosis`` and raises what it found
from its own frame.
"""
import math
import numbers
import warnings

import numpy as np
import torch

from autograder.student.mistakes import EXPLANATIONS
from autograder.student.rules import Wrong
from helpers.text import bilingual


class GradingError(AssertionError):
    """A wrong answer, explained in Chinese then English; ``mistake`` is its key in MISTAKES."""

    def __init__(self, message, mistake=None):
        super().__init__(message)
        self.mistake = mistake

    def _render_traceback_(self):
        # IPython (and so nbgrader's feedback) shows these lines instead of a traceback: the
        # learner sees what is wrong, not frames from inside the checks.
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m:", *str(self).splitlines()]


# ---------------------------------------------------------------- running and failing


def run_diagnosis(name, judge, *args, **kwargs):
    """Run a diagnosis with warnings silenced; return the GradingError it found, or None."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            judge(*args, **kwargs)
    except GradingError as error:
        # A fresh error carries no traceback or context from inside the checks (but its case).
        fresh = GradingError(str(error), error.mistake)
        fresh.case = getattr(error, "case", None)
        return fresh
    except Exception as error:
        detail = describe(error)
        return grading_error("could_not_check", f"无法检查 {name}：检查时出现了 {detail}。",
                      f"{name} could not be checked: {detail}.")
    return None


def grading_error(mistake, zh, en):
    """The facts found (zh, en) followed by the catalogue's explanation of the mistake."""
    explain_zh, explain_en = EXPLANATIONS[mistake]
    return GradingError(bilingual(zh + explain_zh, f"{en.strip()} {explain_en}"), mistake)


def fail(mistake, zh, en):
    raise grading_error(mistake, zh, en)


def describe(error):
    try:
        return f"{type(error).__name__}: {str(error).strip()}"
    except Exception:  # an exception whose __str__ itself fails
        return type(error).__name__


# ---------------------------------------------------------------- the shared pipeline


def diagnose(answer, expected, name, *, atol, rtol, check_dtype=True, mistakes=None, rules=(),
              inputs=None, missing="answer_is_none"):
    """Raise GradingError for the first thing wrong.

    Order: a tensor at all; right (shape, dtype, values) → pass; a known mistake of the exercise;
    shape; dtype; NaN/inf; the diagnosis ``rules``; which values are wrong. ``inputs`` are the
    points a derivative was evaluated at; ``missing`` the mistake key for an answer that is None.
    """
    check_mistake_keys(mistakes)
    expected = torch.as_tensor(expected).detach().cpu()
    if expected.is_complex():
        fail("check_misconfigured", "这个检查的正确答案是复数张量，而检查只比较实数。",
              "This check's expected value is a complex tensor, but the checks compare real numbers.")
    check_is_tensor(answer, name, missing)
    values = answer.detach().cpu()
    dtype_ok = values.dtype == expected.dtype or not check_dtype
    if dtype_ok and close(values, expected, atol, rtol):
        return
    _check_known_mistakes(values, expected, name, mistakes, atol, rtol)
    _check_shape(values, expected, name)
    _check_dtype(values, expected, name, check_dtype)
    values, expected = values.double(), expected.double()
    _check_finite(values, expected, name, inputs)
    wrong = Wrong(answer, values, expected, name, atol, rtol)
    for rule in rules:
        if (facts := rule.test(wrong)) is not None:
            fail(rule.mistake, *facts)
    _fail_values(values, expected, name, atol, rtol, inputs)


def close(values, expected, atol, rtol):
    return (values.shape == expected.shape
            and torch.allclose(values.double(), expected.double(), rtol=rtol, atol=atol,
                               equal_nan=True))


def _check_known_mistakes(values, expected, name, mistakes, atol, rtol):
    """Name the exercise's own mistake when the answer is exactly what that mistake gives.

    A mistake given as a tensor of another dtype than the expected one (e.g. int64 where float
    was asked) only matches an answer of that dtype.
    """
    for mistake, wrong in (mistakes or {}).items():
        wrong = torch.as_tensor(wrong).detach().cpu()
        if wrong.dtype != expected.dtype and wrong.dtype != values.dtype:
            continue
        if close(values, wrong, atol, rtol):
            fail(mistake, f"{name} 正好等于一个常见错误的结果。",
                  f"{name} is exactly what a common mistake gives.")


def check_mistake_keys(mistakes):
    unknown = sorted(set(mistakes or {}) - set(EXPLANATIONS))
    if unknown:
        fail("check_misconfigured", f"这个检查的 mistakes 参数里有未知的键 {unknown}。",
              f"This check's mistakes argument has unknown keys {unknown}.")


def check_is_tensor(answer, name, missing="answer_is_none"):
    if answer is None:
        fail(missing,
              f"{name} 是 None。", f"{name} is None.")
    if not isinstance(answer, torch.Tensor):
        zh, en = _how_to_make_tensor(answer)
        type_name = type(answer).__name__
        fail("not_a_tensor", f"{name} 的类型是 {type_name}，不是张量（torch.Tensor）。{zh}",
              f"{name} is of type {type_name}, not a tensor (torch.Tensor). {en}")
    check_supported(answer, name)


def _how_to_make_tensor(answer):
    if isinstance(answer, (list, tuple)):
        if _holds_tensors(answer):
            return ("它里面装的是张量：用 torch.stack(...) 把它们合成一个张量。",
                    "It holds tensors: combine them into one tensor with torch.stack(...).")
        return "用 torch.tensor(...) 把它变成张量。", "Make it a tensor with torch.tensor(...)."
    if isinstance(answer, np.ndarray):
        return ("用 torch.from_numpy(...) 把它变成张量（NumPy 默认是 float64，需要 float32 时再加 .float()）。",
                "Make it a tensor with torch.from_numpy(...) (NumPy defaults to float64; add "
                ".float() when float32 is expected).")
    if isinstance(answer, numbers.Number):
        return ("如果结果是常数，用 torch.full_like(x, c) 得到和 x 形状相同的张量；如果它来自 .item() "
                "或 math 模块的函数，请改用 torch 的函数（例如 torch.sin）。",
                "If the result is a constant, torch.full_like(x, c) makes a tensor of x's shape; if "
                "it came from .item() or a math-module function, use torch functions (such as "
                "torch.sin) instead.")
    return "", ""


def _holds_tensors(items):
    return any(isinstance(item, torch.Tensor)
               or isinstance(item, (list, tuple)) and _holds_tensors(item) for item in items)


def check_supported(tensor, name):
    """Reject the tensors the checks cannot compare (subclass, sparse, nested, quantized, complex, meta)."""
    if type(tensor) not in (torch.Tensor, torch.nn.Parameter):
        # A subclass can redefine comparisons to always agree, so only plain tensors are graded.
        kind = type(tensor).__name__
        what = (f"torch.Tensor 的子类 {kind}", f"{kind}, a subclass of torch.Tensor",
                "用 .as_subclass(torch.Tensor) 转成普通张量", "convert it with .as_subclass(torch.Tensor)")
    elif tensor.is_nested:
        what = ("嵌套张量（nested tensor）", "a nested tensor", "用 torch.stack 组成一个普通张量",
                "build one ordinary tensor with torch.stack")
    elif tensor.layout != torch.strided:
        what = (f"稀疏张量（{tensor.layout}）", f"a sparse tensor ({tensor.layout})",
                "用 .to_dense() 把它转成普通张量", "convert it with .to_dense()")
    elif tensor.is_quantized:
        what = ("量化张量", "a quantized tensor", "用 .dequantize() 把它转回浮点张量",
                "convert it back with .dequantize()")
    elif tensor.is_complex():
        what = (f"复数张量（{tensor.dtype}）", f"a complex tensor ({tensor.dtype})",
                "用 .real 取出实部，或者找出是哪一步产生了复数",
                "take the real part with .real, or find the step that made it complex")
    elif tensor.is_meta:
        what = ("一个 meta 设备上的张量，它没有数值", "a tensor on the meta device, which holds no values",
                "在 CPU 或 GPU 上计算它", "compute it on the CPU or a GPU")
    else:
        return
    zh_what, en_what, zh_fix, en_fix = what
    fail("unsupported_tensor", f"{name} 是{zh_what}。请{zh_fix}。",
          f"{name} is {en_what}. Please {en_fix}.")


def _check_shape(values, expected, name):
    got, want = tuple(values.shape), tuple(expected.shape)
    if got != want:
        zh, en = shape_hint(got, want)
        fail("wrong_shape", f"{name} 的形状是 {got}，应为 {want}。{zh}",
              f"{name} has shape {got}, expected {want}. {en}")


def shape_hint(got, want):
    """What probably turned shape ``want`` into ``got``."""
    if len(got) > len(want) and _without_ones(got) == _without_ones(want):
        return (f"它多了大小为 1 的维度：用 .squeeze(dim) 去掉，或者 .reshape({want})。",
                f"It has an extra dimension of size 1: remove it with .squeeze(dim) or "
                f".reshape({want}).")
    if len(got) < len(want) and _without_ones(got) == _without_ones(want):
        return (f"它少了大小为 1 的维度：用 .unsqueeze(dim) 加上，或者 .reshape({want})。",
                f"It is missing a dimension of size 1: add it with .unsqueeze(dim) or "
                f".reshape({want}).")
    if len(got) >= 2 and got[:-2] + got[-2:][::-1] == want:
        return ("看起来是转置了：检查矩阵乘法里两个因子的顺序，或者用 .T / .mT 转回来。",
                "It looks transposed: check the order of the factors in a matrix product, or "
                "transpose it back with .T / .mT.")
    if math.prod(got) > math.prod(want) and broadcasts_to(want, got):
        recipe = sum_recipe(got, want)
        return (f"这像是广播造成的：形状为 {want} 的结果和另一个形状的张量一起运算，被广播成了 {got}"
                f"（例如 (3,) 和 (3, 1) 相加得到 (3, 3)）。检查参与运算的张量的形状；如果本来就要在"
                f"广播出来的维度上求和（自动求导对被广播的参数就是这样做的），对结果调用 {recipe}。",
                f"This looks like broadcasting: a result of shape {want} met a tensor of another "
                f"shape and was broadcast to {got} (for example (3,) + (3, 1) gives (3, 3)). Check "
                f"the shapes of the operands; if you do mean to sum over the broadcast dimensions "
                f"(as autograd does for a broadcast parameter), call {recipe} on the result.")
    if math.prod(got) < math.prod(want) and broadcasts_to(got, want):
        return ("它的元素少了：可能是 .sum() 或 .mean() 把某个维度约掉了；只在需要的维度上求和，"
                "或者加上 keepdim=True。",
                "It has too few elements: a .sum() or .mean() probably removed a dimension; reduce "
                "only the dimensions you mean to, or pass keepdim=True.")
    if math.prod(got) == math.prod(want):
        return ("元素个数相同，只是排列不同：检查 .reshape() 的参数。",
                "It has the right number of elements in the wrong arrangement: check the "
                "arguments of .reshape().")
    return "", ""


def _without_ones(shape):
    return [size for size in shape if size != 1]


def broadcasts_to(small, big):
    """Whether broadcasting a tensor of shape ``small`` against one of ``big`` gives ``big``."""
    return len(small) <= len(big) and all(
        s in (1, b) for s, b in zip(reversed(small), reversed(big)))


def sum_recipe(got, want):
    """The .sum(...) calls that undo broadcasting a shape ``want`` up to ``got``."""
    extra = len(got) - len(want)
    kept = [extra + i for i, size in enumerate(want) if size == 1 and got[extra + i] != 1]
    recipe = f".sum(dim={_dims(kept)}, keepdim=True)" if kept else ""
    if extra:
        recipe += f".sum(dim={_dims(range(extra))})"
    return recipe


def _dims(dims):
    dims = tuple(dims)
    return str(dims[0]) if len(dims) == 1 else str(dims)


def _check_dtype(values, expected, name, check_dtype):
    if values.dtype == expected.dtype or not check_dtype:
        return
    got, want = values.dtype, expected.dtype
    method = {torch.float32: ".float()", torch.float64: ".double()", torch.float16: ".half()",
              torch.int64: ".long()", torch.int32: ".int()", torch.bool: ".bool()"}
    convert = method.get(want, f".to({want})")
    zh = f"用 {convert} 转换，或者在创建时写 dtype={want}。"
    en = f"Convert it with {convert}, or create it with dtype={want}."
    if want.is_floating_point and not (got.is_floating_point or got.is_complex):
        zh += "注意：torch.tensor([1, 2]) 这样的整数列表得到的是 int64，写成 [1.0, 2.0] 就是浮点数。"
        en += " Note that a list of integers such as torch.tensor([1, 2]) gives int64; [1.0, 2.0] gives floats."
    fail("wrong_dtype", f"{name} 的数据类型是 {got}，应为 {want}。{zh}",
          f"{name} has dtype {got}, expected {want}. {en}")


def _check_finite(values, expected, name, inputs):
    # NaN or inf is only a mistake where the expected value is not the same NaN or inf.
    bad = ~torch.isfinite(values) & ~torch.isclose(values, expected, equal_nan=True)
    if bad.any():
        index = _first(bad)
        where = _position(name, index, inputs)
        yours, right = _format(values[index]), _format(expected[index])
        count, total = int(bad.sum()), bad.numel()
        fail("nan_or_inf",
              f"{name} 中有 NaN 或 inf（{total} 个元素中有 {count} 个）。第一个在 {where} 处："
              f"你的值是 {yours}，应为 {right}。",
              f"{name} contains NaN or inf ({count} of {total} elements). The first is at {where}: "
              f"yours is {yours}, expected {right}.")


def _fail_values(values, expected, name, atol, rtol, inputs):
    wrong = ~torch.isclose(values, expected, rtol=rtol, atol=atol, equal_nan=True)
    index = _first(wrong)
    yours, right = _format(values[index]), _format(expected[index])
    if values.numel() == 1 and inputs is None:
        fail("wrong_values", f"{name} 的值不对：你的值是 {yours}，应为 {right}。",
              f"{name} is wrong: yours is {yours}, expected {right}.")
    count, total = int(wrong.sum()), wrong.numel()
    largest = _format((values - expected).abs()[wrong].max())
    where = _position(name, index, inputs)
    fail("wrong_values",
          f"{name} 的数值不对（{total} 个元素中有 {count} 个超出容差，最大绝对误差为 {largest}）。"
          f"第一个不对的在 {where} 处：你的值是 {yours}，应为 {right}。",
          f"{name} has wrong values ({count} of {total} elements outside the tolerance, largest "
          f"absolute error {largest}). The first wrong one is at {where}: yours is {yours}, "
          f"expected {right}.")


def _first(mask):
    return tuple(torch.nonzero(mask)[0].tolist())


def _position(name, index, inputs):
    """An element's place, e.g. ``x.grad[1, 2]``, or ``x[3] = 0.25`` for a derivative."""
    subscript = f"[{', '.join(map(str, index))}]" if index else ""
    if inputs is None:
        return f"{name}{subscript}"
    return f"x{subscript} = {_format(inputs[index])}"


def _format(value):
    return f"{float(value):.6g}"
