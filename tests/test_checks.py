"""Every diagnosis of autograder's checks: the right mistake, a message in both languages, quietly."""
import math
import warnings

import numpy as np
import pytest
import torch

from autograder import (
    call,
    cases,
    MISTAKES,
    GradingError,
    check_derivative,
    check_gradient,
    check_number,
    check_tensor,
    check_two_losses,
)
from autograder.student.interpreter import Interpreter
from autograder.student.mistakes import EXPLANATIONS
from tests.language import CHINESE, untranslated_terms


E = torch.tensor([1.0, -2.0, 3.0])
M = torch.tensor([[1.0, 2.0], [3.0, 4.0]])


def diagnose(check, *args, **kwargs):
    """The GradingError a check raises (the test fails if it passes or raises anything else)."""
    with pytest.raises(GradingError) as caught:
        check(*args, **kwargs)
    return caught.value


def assert_diagnosis(error, mistake, zh, en):
    message = str(error)
    assert error.mistake == mistake, message
    assert zh in message and en in message, message
    chinese, english = message.split("\n", 1)
    assert zh in chinese and en in english, message


def quietly(make):
    """Build an exotic tensor whose constructor warns (deprecated or prototype APIs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return make()


# ---------------------------------------------------------------- right answers


@pytest.mark.parametrize("answer", [
    E.clone(),
    E.clone().requires_grad_(),
    (E * 1).requires_grad_() * 1,  # has a grad_fn
    E + 1e-7,
    torch.nn.Parameter(E.clone()),
])
def test_right_tensor_passes(answer):
    check_tensor(answer, E)
    check_gradient(answer, E)


def test_float64_passes_without_dtype_check():
    check_tensor(E.double(), E, check_dtype=False)
    check_tensor(torch.tensor([1, -2, 3]), E, check_dtype=False)


def test_expected_that_requires_grad_is_fine():
    check_tensor(E.clone(), E.clone().requires_grad_())


@pytest.mark.parametrize("answer", [0.5, np.float32(0.5), torch.tensor(0.5),
                                    torch.tensor([0.5], requires_grad=True),
                                    torch.tensor([[0.5]], dtype=torch.float64)])
def test_right_number_passes(answer):
    check_number(answer, 0.5)
    check_number(answer, torch.tensor(0.5))


def test_int_number_passes():
    check_number(3, 3.0)
    check_number(torch.tensor(3), 3)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_answer_on_gpu_compares():
    check_tensor(E.cuda().requires_grad_(), E)
    error = diagnose(check_gradient, 3 * E.cuda(), E)
    assert error.mistake == "accumulated_gradient"


@pytest.mark.skipif(not torch.backends.mps.is_available(), reason="needs Apple MPS")
def test_answer_on_mps_compares():
    check_tensor(E.to("mps"), E)


# ---------------------------------------------------------------- not a tensor


@pytest.mark.parametrize("answer, zh, en", [
    ([1.0, -2.0, 3.0], "torch.tensor(...)", "torch.tensor(...)"),
    ((1.0, -2.0, 3.0), "类型是 tuple", "of type tuple"),
    ([torch.tensor(1.0), torch.tensor(2.0)], "torch.stack", "torch.stack"),
    ([[torch.tensor(1.0)], [torch.tensor(2.0)]], "torch.stack", "torch.stack"),
    (np.array([1.0, -2.0, 3.0]), "torch.from_numpy", "torch.from_numpy"),
    (3.0, "torch.full_like", "torch.full_like"),
    (3, "类型是 int", "of type int"),
    ("1, -2, 3", "类型是 str", "of type str"),
    ({"a": 1}, "不是张量", "not a tensor"),
])
def test_not_a_tensor(answer, zh, en):
    assert_diagnosis(diagnose(check_tensor, answer, E), "not_a_tensor", zh, en)


def test_none_tensor():
    assert_diagnosis(diagnose(check_tensor, None, E), "answer_is_none", "漏写了 return",
                     "missing its return")


def test_weird_object_is_not_a_tensor():
    class Weird:
        def __eq__(self, other):
            raise RuntimeError("no comparing")

        def __len__(self):
            raise RuntimeError("no length")

        __hash__ = object.__hash__

    assert_diagnosis(diagnose(check_tensor, Weird(), E), "not_a_tensor", "类型是 Weird",
                     "of type Weird")


@pytest.mark.parametrize("make, zh, en", [
    (lambda: E.to_sparse(), ".to_dense()", ".to_dense()"),
    (lambda: torch.empty(3, device="meta"), "meta", "meta device"),
    (lambda: torch.quantize_per_tensor(E, 0.1, 0, torch.qint8), ".dequantize()",
     ".dequantize()"),
    (lambda: torch.nested.nested_tensor([torch.ones(2), torch.ones(3)]), "嵌套张量",
     "nested tensor"),
])
def test_unsupported_tensor(make, zh, en):
    answer = quietly(make)
    assert_diagnosis(diagnose(check_tensor, answer, E), "unsupported_tensor", zh, en)


def test_broken_tensor_subclass_is_refused_not_crashed_on():
    class Broken(torch.Tensor):
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            raise RuntimeError("this tensor refuses everything")

    answer = torch.ones(3).as_subclass(Broken)
    error = diagnose(check_tensor, answer, E)
    assert_diagnosis(error, "unsupported_tensor", "子类", "subclass")


def test_an_unexpected_failure_inside_a_check_becomes_a_grading_error():
    error = diagnose(check_tensor, torch.ones(3), object())
    assert_diagnosis(error, "could_not_check", "无法检查 answer", "answer could not be checked")


def test_list_that_cannot_be_read_could_not_be_checked():
    class Unreadable(list):
        def __iter__(self):
            raise RuntimeError("unreadable")

    assert_diagnosis(diagnose(check_tensor, Unreadable(), E), "could_not_check", "unreadable",
                     "unreadable")


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize("answer, mistake, zh, en", [
    (True, "not_a_number", "布尔值", "bool"),
    (torch.tensor(True), "not_a_number", "布尔值", "bool"),
    (None, "answer_is_none", "是 None", "is None"),
    ("0.50", "not_a_number", "格式化", "formatted text"),
    (E, "not_a_number", "含 3 个元素", "3 elements"),
    (torch.empty(0), "not_a_number", "含 0 个元素", "0 elements"),
    ([0.5], "not_a_number", "类型是 list", "of type list"),
    (0.5 + 0j, "not_a_number", "不是一个实数", "not a real number"),
    (np.array([0.5, 1.0]), "not_a_number", "类型是 ndarray", "of type ndarray"),
])
def test_not_a_number(answer, mistake, zh, en):
    assert_diagnosis(diagnose(check_number, answer, 0.5), mistake, zh, en)


def test_wrong_number():
    error = diagnose(check_number, 0.4, 0.5, name="loss")
    assert_diagnosis(error, "wrong_values", "loss 的值不对：你的值是 0.4，应为 0.5",
                     "loss is wrong: yours is 0.4, expected 0.5")


def test_nan_number():
    assert_diagnosis(diagnose(check_number, float("nan"), 0.5), "nan_or_inf", "NaN", "NaN")


# ---------------------------------------------------------------- shapes


@pytest.mark.parametrize("got, want, zh, en", [
    ((3, 3), (3,), ".sum(dim=0)", "broadcast"),
    ((3, 3), (3, 1), ".sum(dim=1, keepdim=True)", "broadcast"),
    ((4, 3, 5), (3, 1), ".sum(dim=2, keepdim=True).sum(dim=0)", "broadcast"),
    ((1, 3), (3,), ".squeeze(dim)", "extra dimension of size 1"),
    ((3,), (3, 1), ".unsqueeze(dim)", "missing a dimension of size 1"),
    ((3, 2), (2, 3), "转置", "transposed"),
    ((5, 3, 2), (5, 2, 3), "转置", "transposed"),
    ((), (3,), ".sum()", "keepdim=True"),
    ((2, 3), (3, 2, 1), ".reshape()", "wrong arrangement"),
    ((2,), (5,), "应为 (5,)", "expected (5,)"),
])
def test_wrong_shape(got, want, zh, en):
    error = diagnose(check_tensor, torch.ones(got), torch.ones(want))
    assert_diagnosis(error, "wrong_shape", zh, en)
    assert f"形状是 {got}" in str(error) and f"has shape {got}" in str(error)


# ---------------------------------------------------------------- dtypes, NaN and inf


@pytest.mark.parametrize("answer, expected, zh, en", [
    (torch.tensor([1, -2, 3]), E, "torch.int64，应为 torch.float32", "[1.0, 2.0]"),
    (E.double(), E, "torch.float64，应为 torch.float32", "dtype=torch.float32"),
    (E, E.double(), ".double()", "dtype=torch.float64"),
    (E, torch.tensor([1, -2, 3]), ".long()", "torch.int64"),
    (E > 0, E, "torch.bool", "torch.bool"),
])
def test_wrong_dtype(answer, expected, zh, en):
    assert_diagnosis(diagnose(check_tensor, answer, expected), "wrong_dtype", zh, en)


def test_complex_answer_is_never_compared():
    error = diagnose(check_tensor, E.to(torch.complex64), E, check_dtype=False)
    assert_diagnosis(error, "unsupported_tensor", "复数张量", "complex tensor")


def test_complex_expected_is_a_misconfigured_check():
    error = diagnose(check_tensor, E, E.to(torch.complex64))
    assert_diagnosis(error, "check_misconfigured", "复数", "complex")


@pytest.mark.parametrize("bad, zh, en", [
    (float("nan"), "你的值是 nan", "yours is nan"),
    (float("inf"), "你的值是 inf", "yours is inf"),
    (-float("inf"), "你的值是 -inf", "yours is -inf"),
])
def test_nan_or_inf(bad, zh, en):
    answer = torch.tensor([1.0, bad, 3.0])
    error = diagnose(check_tensor, answer, E)
    assert_diagnosis(error, "nan_or_inf", zh, en)
    assert "answer[1]" in str(error) and "1 of 3" in str(error)


def test_nan_where_nan_is_expected_passes():
    expected = torch.tensor([1.0, float("nan"), float("inf")])
    check_tensor(expected.clone(), expected)


# ---------------------------------------------------------------- values


def test_wrong_values_name_the_first_wrong_element():
    answer = torch.tensor([[1.0, 2.0], [3.0, 4.5]])
    error = diagnose(check_tensor, answer, M, name="W")
    assert_diagnosis(error, "wrong_values", "W[1, 1] 处：你的值是 4.5，应为 4",
                     "at W[1, 1]: yours is 4.5, expected 4")
    assert "最大绝对误差为 0.5" in str(error) and "largest absolute error 0.5" in str(error)


def test_tolerances_are_used():
    check_tensor(E + 0.01, E, atol=0.1)
    diagnose(check_tensor, E + 0.01, E)


# ---------------------------------------------------------------- gradients


def test_gradient_none():
    x = torch.ones(3)
    error = diagnose(check_gradient, x.grad, E)
    assert_diagnosis(error, "gradient_none", "x.grad 是 None", "x.grad is None")
    assert "requires_grad=True" in str(error) and "叶子张量" in str(error)


def test_gradient_zero():
    assert_diagnosis(diagnose(check_gradient, torch.zeros(3), E), "gradient_zero", "detach()",
                     "detach()")


def test_sign_flipped():
    assert_diagnosis(diagnose(check_gradient, -E, E), "sign_flipped", "符号反了", "wrong sign")


def test_transposed_square_gradient():
    error = diagnose(check_gradient, M.T, M, name="W.grad")
    assert_diagnosis(error, "transposed", "W.grad 正好是正确结果的转置", "exactly the transpose")


def test_symmetric_expected_is_not_called_transposed():
    symmetric = torch.tensor([[1.0, 2.0], [2.0, 1.0]])
    assert diagnose(check_gradient, symmetric + 1, symmetric).mistake == "wrong_values"


@pytest.mark.parametrize("k", range(2, 11))
def test_accumulated_k_times(k):
    error = diagnose(check_gradient, k * E, E)
    assert_diagnosis(error, "accumulated_gradient", f"{k} 倍", f"exactly {k} times")
    assert "zero_()" in str(error)


def test_gradients_really_accumulated_over_backward_calls():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for _ in range(3):
        (x ** 2).sum().backward()
    assert diagnose(check_gradient, x.grad, 2 * x.detach()).mistake == "accumulated_gradient"


@pytest.mark.parametrize("k", [2, 7])
def test_divided_by_k(k):
    assert_diagnosis(diagnose(check_gradient, E / k, E), "divided_gradient", f"1/{k}",
                     f"1/{k} of")


def test_exercise_specific_mistake():
    wrong = torch.tensor([5.0, 6.0, 7.0])
    error = diagnose(check_gradient, wrong.clone(), E, mistakes={"missing_inner_derivative": wrong})
    assert_diagnosis(error, "missing_inner_derivative", "链式法则", "chain rule")


def test_tensor_passed_instead_of_its_grad():
    x = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    (x * E).sum().backward()
    assert_diagnosis(diagnose(check_gradient, x, E), "tensor_instead_of_grad", ".grad",
                     "its own .grad")


def test_non_leaf_tensor_instead_of_its_grad():
    x = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    (y * E).sum().backward()
    assert diagnose(check_gradient, y, E).mistake == "tensor_instead_of_grad"


def test_zero_expected_only_reports_values():
    assert diagnose(check_gradient, E, torch.zeros(3)).mistake == "wrong_values"


def test_unknown_mistake_key_is_reported_even_for_a_right_answer():
    error = diagnose(check_gradient, E, E, mistakes={"no_such_mistake": E})
    assert_diagnosis(error, "check_misconfigured", "no_such_mistake", "no_such_mistake")


# ---------------------------------------------------------------- derivatives


def sin_of_square(x):
    return torch.sin(x ** 2)


def by_hand(source, name="df"):
    """A derivative as the interpreter builds it from a student's source (no autograd there)."""
    return Interpreter(["import torch\nimport math\n" + source], autograd=False, grad_off=True).lookup(name)


def derivative(df, f, **options):
    check_derivative(df, "df", f=f, **options)


def test_right_derivative_passes_on_every_shape():
    derivative(by_hand("def df(x):\n    return torch.cos(x ** 2) * 2 * x"), sin_of_square,
               shapes=((), (7,), (2, 3), (2, 2, 2)))


def test_derivative_runs_on_seeded_plain_points():
    seen = []

    def spy(x):
        seen.append((x.clone(), x.requires_grad))
        return 2 * x

    for _ in range(2):
        derivative(spy, lambda x: x ** 2, shapes=((50,),), low=-1.0, high=3.0, seed=4)
    (first, requires_grad), (second, _) = seen
    assert torch.equal(first, second) and first.dtype == torch.float32 and not requires_grad
    assert first.min() >= -1.0 and first.max() < 3.0


def test_derivative_cannot_change_the_expected_values():
    def vandal(x):
        result = 2 * x
        x.mul_(100)
        return result

    derivative(vandal, lambda x: x ** 2)


def test_derivative_against_values():
    x = torch.tensor([0.5, -1.0, 2.0])
    df = by_hand("def df(x):\n    return 3 * x ** 2")
    check_derivative(df, "df", points=x, expected=3 * x ** 2)
    error = diagnose(check_derivative, by_hand("def df(x):\n    return x ** 2"), "df", points=x,
                     expected=3 * x ** 2, mistakes={"missing_inner_derivative": x ** 2})
    assert error.mistake == "missing_inner_derivative"


def test_value_instead_of_derivative_is_automatic():
    error = diagnose(derivative, sin_of_square, sin_of_square)
    assert_diagnosis(error, "value_instead_of_derivative", "函数值 f(x)", "function's value f(x)")


def test_derivative_exercise_mistake():
    def forgot_inner(x):
        return torch.cos(x ** 2)

    error = diagnose(derivative, forgot_inner, sin_of_square,
                     mistakes={"missing_inner_derivative": forgot_inner})
    assert_diagnosis(error, "missing_inner_derivative", "内层函数的导数", "inner derivative")


def test_unanswered_stub():
    stub = by_hand("def df(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert_diagnosis(diagnose(derivative, stub, sin_of_square), "unanswered", "还没有作答",
                     "not answered yet")


@pytest.mark.parametrize("body", [
    "return torch.autograd.grad(torch.sin(x ** 2).sum(), x)[0]",
    "torch.sin(x.requires_grad_() ** 2).sum().backward()\n    return x.grad",
    "with torch.enable_grad():\n        x.requires_grad_()\n        torch.sin(x ** 2).sum().backward()\n    return x.grad",
])
def test_autograd_inside_a_derivative_by_hand(body):
    error = diagnose(derivative, by_hand(f"def df(x):\n    {body}"), sin_of_square)
    assert_diagnosis(error, "autograd_in_derivative", "用求导法则写出导数公式",
                     "compute the derivative with a formula")


def test_a_derivative_from_the_kernel_is_refused():
    class Remote:
        _REFEREE_REMOTE = True

    assert diagnose(derivative, Remote(), sin_of_square).mistake == "check_misconfigured"


def test_math_module_on_a_tensor():
    error = diagnose(derivative, lambda x: math.cos(x), torch.sin)
    assert_diagnosis(error, "function_raised", "torch.sin", "torch.sin")


def test_derivative_raises_something_else():
    def broken(x):
        return {}["missing"]

    assert_diagnosis(diagnose(derivative, broken, torch.sin), "function_raised", "KeyError",
                     "failed with KeyError")


def test_derivative_returns_a_python_number():
    error = diagnose(derivative, lambda x: 3.0, lambda x: 3 * x)
    assert_diagnosis(error, "not_a_tensor", "torch.full_like(x, c)", "torch.full_like(x, c)")


def test_derivative_returns_none():
    assert diagnose(derivative, lambda x: None, torch.sin).mistake == "answer_is_none"


def test_derivative_wrong_shape():
    error = diagnose(derivative, lambda x: torch.cos(x)[:, None], torch.sin)
    assert_diagnosis(error, "wrong_shape", "(7, 1)，应为 (7,)", "(7, 1), expected (7,)")


@pytest.mark.parametrize("answer, f, mistake", [
    (lambda x: 6 * x ** 2, lambda x: x ** 3, "constant_factor"),
    (lambda x: x, lambda x: x ** 2, "constant_factor"),
    (torch.sin, torch.cos, "sign_flipped"),
    (torch.zeros_like, torch.cos, "derivative_zero"),
    (lambda x: torch.sqrt(x), lambda x: x ** 3, "nan_or_inf"),
])
def test_derivative_diagnoses(answer, f, mistake):
    assert diagnose(derivative, answer, f).mistake == mistake


def test_wrong_derivative_names_the_input_point():
    error = diagnose(derivative, lambda x: x, lambda x: x ** 3, shapes=((2, 3),))
    assert_diagnosis(error, "wrong_values", "x[0, 0] = ", "at x[0, 0] = ")


# ---------------------------------------------------------------- two losses on a shared part


TWO_LOSSES = """
import torch
def two_passes(loss1, loss2, x):
    (g1,) = torch.autograd.grad(loss1, x, retain_graph=True)
    (g2,) = torch.autograd.grad(loss2, x)
    return g1, g2

def batched(loss1, loss2, x):
    pick = torch.eye(2, dtype=x.dtype)
    (both,) = torch.autograd.grad(torch.stack([loss1, loss2]), x, pick, is_grads_batched=True)
    return both[0], both[1]

def summed(loss1, loss2, x):
    (loss1 + loss2).backward()
    return x.grad, x.grad

def aliased(loss1, loss2, x):
    loss1.backward(retain_graph=True)
    g1 = x.grad
    loss2.backward()
    return g1, x.grad

def untouched(loss1, loss2, x):
    return torch.zeros_like(x), torch.zeros_like(x)
"""


def two_losses(name):
    x = torch.tensor([0.0, 0.5, -1.0])
    heads = (lambda h, t: (h * t).sum(), lambda h, t: (h ** 2).sum())
    g1, g2 = (torch.autograd.grad(head(torch.exp(t), t), t)[0]
              for head in heads for t in [x.clone().requires_grad_()])
    check_two_losses(Interpreter([TWO_LOSSES], autograd=True).lookup(name), f"{name}(loss1, loss2, x)",
                     x=x, shared=torch.exp, heads=heads, expected=(g1, g2),
                     mistakes={"single_pass_through_shared": (1, g1 + g2, g1 + g2),
                               "grad_not_cloned": (2, g1 + g2, g1 + g2)})


@pytest.mark.parametrize("name", ["two_passes", "batched"])
def test_two_passes_or_one_batched_pass_through_the_shared_part(name):
    two_losses(name)


@pytest.mark.parametrize("name, mistake", [("summed", "single_pass_through_shared"),
                                           ("aliased", "grad_not_cloned"),
                                           ("untouched", "shared_part_recomputed")])
def test_the_same_values_told_apart_by_the_passes_the_check_counted(name, mistake):
    assert diagnose(two_losses, name).mistake == mistake


def test_a_test_input_can_require_grad():
    p = cases.tensor([1.0, 2.0], requires_grad=True)
    assert p.is_leaf and p.requires_grad and not cases.tensor([1.0]).requires_grad


# ---------------------------------------------------------------- quiet, short errors


def failing_and_passing_checks():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2  # a non-leaf tensor: reading its .grad warns
    y.sum().backward()

    def noisy(t):
        warnings.warn("a warning from the learner's code")
        return torch.cos(t)

    calls = [
        lambda: check_tensor(E.clone(), E),
        lambda: check_tensor([1, 2], E),
        lambda: check_tensor(torch.ones(3, 3), E),
        lambda: check_gradient(y, E),
        lambda: check_gradient(None, E),
        lambda: check_gradient(3 * E, E),
        lambda: check_number(torch.tensor([0.5], requires_grad=True), 0.5),
        lambda: check_derivative(noisy, "df", f=torch.sin),
        lambda: check_derivative(noisy, "df", f=torch.cos),
        lambda: check_tensor(quietly(lambda: torch.nested.nested_tensor([E, E[:2]])), E),
    ]
    return calls


def test_nothing_reaches_stderr_and_no_warning_escapes(capfd):
    for call in failing_and_passing_checks():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                call()
            except GradingError:
                pass
        assert caught == []
    captured = capfd.readouterr()
    assert captured.err == ""


def test_error_is_raised_from_the_public_frame_without_context():
    error = diagnose(check_tensor, "not a tensor", E)
    assert isinstance(error, AssertionError)
    assert error.__cause__ is None and error.__suppress_context__ is True
    assert error.__context__ is None
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    assert frame.tb_frame.f_code.co_name == "check_tensor"
    assert frame.tb_frame.f_locals["__tracebackhide__"] is True


@pytest.mark.parametrize("check, args", [
    (check_tensor, (None, E)),
    (check_number, (None, 0.5)),
    (check_gradient, (None, E)),
    (check_derivative, (lambda x: 1 / 0, "df")),
])
def test_every_public_check_raises_from_its_own_frame(check, args):
    error = diagnose(check, *args, **({"f": torch.sin} if check is check_derivative else {}))
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    assert frame.tb_frame.f_code is check.__code__
    assert error.__cause__ is None and error.__suppress_context__ is True


# ---------------------------------------------------------------- the catalogue


def test_catalogue_has_the_promised_keys_in_both_languages():
    assert {"value_instead_of_derivative", "missing_inner_derivative"} <= MISTAKES.keys()
    for key, text in MISTAKES.items():
        chinese, english = text.split("\n")
        assert CHINESE.search(chinese), key
        assert not CHINESE.search(english), key


def test_catalogue_follows_the_glossary():
    problems = {key: untranslated_terms(chinese, english)
                for key, (chinese, english) in EXPLANATIONS.items()}
    assert not {key: found for key, found in problems.items() if found}


class _AlwaysEqual(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func is torch.allclose:
            return True
        return super().__torch_function__(func, types, args, kwargs or {})


def test_a_tensor_subclass_cannot_fake_a_right_answer():
    wrong = torch.zeros(3).as_subclass(_AlwaysEqual)
    with pytest.raises(GradingError, match="subclass") as caught:
        check_tensor(wrong, torch.ones(3))
    assert caught.value.mistake == "unsupported_tensor"
    with pytest.raises(GradingError, match="subclass"):
        check_number(torch.zeros(()).as_subclass(_AlwaysEqual), 1.0)


def test_ipython_shows_the_message_without_a_traceback():
    with pytest.raises(GradingError) as caught:
        check_tensor([1.0, 2.0], torch.ones(2))
    lines = caught.value._render_traceback_()
    assert "GradingError" in lines[0]
    assert lines[1:] == str(caught.value).splitlines()
    assert not any("File " in line or "checks.py" in line for line in lines)


def test_an_error_the_exercise_expects_is_explained_in_its_terms():
    def stacks_wrongly(images):
        return torch.tensor(images)

    with pytest.raises(GradingError) as error:
        call(stacks_wrongly, [torch.ones(2), torch.ones(2)], name="batch_of(images)",
             errors={r"only one element tensors|Tensor.*list": "not_a_tensor"})
    message = str(error.value)
    assert error.value.mistake == "not_a_tensor" and "PyTorch said ValueError" in message
    assert message.splitlines()[1].endswith(EXPLANATIONS["not_a_tensor"][1])
