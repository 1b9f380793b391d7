"""check_function: one wrong custom Function per diagnosis, and right ones in several styles."""
import re

import pytest
import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable

from autograder import GradingError, cases, check_function
from autograder.student.calls import raised, described
from autograder.student.functions import _Probe
from autograder.student.interpreter import Interpreter


def softplus(x):
    return torch.log1p(torch.exp(x))


def scaled_product(x, y, alpha):
    return alpha * x * y


def affine(x, w, b):
    return x * w + b


def gaussian(x):
    return torch.exp(-x * x / 2)


ONE_INPUT = [(cases.randn(3, 4, seed=1),), (cases.randn(5, seed=2),)]
TWO_INPUTS = [(cases.randn(3, 4, seed=1), cases.randn(3, 4, seed=2), 1.5)]
BROADCAST = [(cases.randn(4, 3, seed=1), cases.randn(3, seed=2), cases.randn(3, seed=3)),
             (cases.randn(2, 3, 5, seed=4), cases.randn(5, seed=5), cases.randn(5, seed=6))]


def check(fn, reference=softplus, name="Softplus", inputs=ONE_INPUT, arg_names=("x",), **options):
    check_function(fn, name, reference=reference, inputs=inputs, arg_names=arg_names, **options)


def mistake_of(fn, **options):
    with pytest.raises(GradingError) as error:
        check(fn, **options)
    message = str(error.value)
    zh, en = message.split("\n")[:2]
    assert re.search(r"[\u4e00-\u9fff]", zh), message
    assert not re.search(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", en), message
    return error.value.mistake, message


# ---------------------------------------------------------------- Functions to check


class Softplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)


class SoftplusNewStyle(Function):
    @staticmethod
    def forward(x):
        return torch.nn.functional.softplus(x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (1 - torch.exp(-y))


def variant(base, **methods):
    """A subclass of ``base`` with some methods replaced (all static)."""
    return type(base.__name__, (base,), {k: staticmethod(v) for k, v in methods.items()})


def saved_x(ctx):
    return ctx.saved_tensors[0]


# ---------------------------------------------------------------- right answers pass


@pytest.mark.parametrize("fn", [Softplus, SoftplusNewStyle])
def test_right_functions_pass(fn):
    check(fn)


def test_a_function_that_applies_the_class_passes():
    check(lambda x: Softplus.apply(x), name="softplus", function=Softplus)


def test_probe_puts_the_backward_back():
    before = Softplus.__dict__["backward"]
    check(Softplus)
    assert Softplus.__dict__["backward"] is before
    with _Probe(SoftplusNewStyle):
        pass
    assert "backward" in SoftplusNewStyle.__dict__ and "vjp" not in SoftplusNewStyle.__dict__


# ---------------------------------------------------------------- one test per diagnosis


def test_grad_output_ignored():
    fn = variant(Softplus, backward=lambda ctx, g: torch.sigmoid(saved_x(ctx)))
    mistake, message = mistake_of(fn)
    assert mistake == "grad_output_ignored"
    assert "a random grad_output" in message and "Largest differences in the Jacobian" in message


def test_sign_flipped_comes_with_a_jacobian_table():
    fn = variant(Softplus, backward=lambda ctx, g: -g * torch.sigmoid(saved_x(ctx)))
    mistake, message = mistake_of(fn)
    assert mistake == "sign_flipped"
    assert "grad_output of all ones" in message
    table = message.split("\n")[2:]
    assert table[1].split() == ["output", "input", "backward", "numerical"] and len(table) == 5
    row = table[2].split()
    assert float(row[-2]) == pytest.approx(-float(row[-1]), rel=1e-4)


def test_constant_factor():
    fn = variant(Softplus, backward=lambda ctx, g: 2 * g * torch.sigmoid(saved_x(ctx)))
    assert mistake_of(fn)[0] == "constant_factor"


def test_exercise_mistake_is_named():
    fn = variant(Softplus, backward=lambda ctx, g: g / (1 + torch.exp(saved_x(ctx))))
    mistakes = {"missing_inner_derivative": lambda x, g: (g / (1 + torch.exp(x)),)}
    mistake, message = mistake_of(fn, mistakes=mistakes)
    assert mistake == "missing_inner_derivative" and "grad_x" in message


def test_wrong_gradient_count():
    fn = variant(Softplus, backward=lambda ctx, g: (g * torch.sigmoid(saved_x(ctx)), None))
    mistake, message = mistake_of(fn)
    assert mistake == "wrong_gradient_count"
    assert "forward takes 1 input (x), but Softplus.backward returned 2 values" in message


class ScaledProduct(Function):
    """alpha * x * y, right; the tests below replace its backward."""

    @staticmethod
    def forward(ctx, x, y, alpha):
        ctx.save_for_backward(x, y)
        ctx.alpha = alpha
        return alpha * x * y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return ctx.alpha * y * g, ctx.alpha * x * g, None


def product_mistake(backward):
    return mistake_of(variant(ScaledProduct, backward=backward), reference=scaled_product,
                      inputs=TWO_INPUTS, arg_names=("x", "y", "alpha"))


def test_the_right_product_passes():
    check_function(ScaledProduct, "ScaledProduct", reference=scaled_product, inputs=TWO_INPUTS,
                   arg_names=("x", "y", "alpha"))


def test_wrong_gradient_elsewhere_is_a_backward_mismatch_with_its_input_named():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return ctx.alpha * y * g, ctx.alpha * x * g + 1, None

    mistake, message = product_mistake(backward)
    assert mistake == "wrong_values" and "grad_y" in message and "d output / d y" in message


def test_one_gradient_for_two_inputs():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return ctx.alpha * y * g, ctx.alpha * x * g

    mistake, message = product_mistake(backward)
    assert mistake == "wrong_gradient_count" and "returned 2 values" in message


def test_gradient_for_a_non_tensor():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return ctx.alpha * y * g, ctx.alpha * x * g, (x * y * g).sum()

    assert product_mistake(backward)[0] == "gradient_for_non_tensor"


def test_gradient_missing():
    fn = variant(Softplus, backward=lambda ctx, g: None)
    assert mistake_of(fn)[0] == "gradient_missing"


class Affine(Function):
    @staticmethod
    def forward(ctx, x, w, b):
        ctx.save_for_backward(x, w)
        return x * w + b

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, (g * x).sum_to_size(w.shape), g.sum_to_size(w.shape)


def test_broadcast_not_summed():
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, g * x, g

    mistake, message = mistake_of(variant(Affine, backward=backward), reference=affine,
                                  inputs=BROADCAST, arg_names=("x", "w", "b"))
    assert mistake == "broadcast_not_summed"
    assert "gradient of shape (4, 3) for w, whose shape is (3,)" in message and ".sum(dim=0)" in message


def test_summed_without_keepdim_is_a_wrong_shape():
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g * w, (g * x).sum(0), g.sum(0)

    inputs = [(cases.randn(4, 3, seed=1), cases.randn(1, 3, seed=2), cases.randn(1, 3, seed=3))]
    mistake, message = mistake_of(variant(Affine, backward=backward), reference=affine,
                                  inputs=inputs, arg_names=("x", "w", "b"))
    assert mistake == "gradient_wrong_shape" and "expected (1, 3)" in message


def test_right_broadcast_passes():
    check(Affine, reference=affine, inputs=BROADCAST, arg_names=("x", "w", "b"))


def test_forward_that_builds_a_graph():
    mistake, message = mistake_of(softplus, function=Softplus)
    assert mistake == "forward_builds_graph" and "grad_fn Log1PBackward0, not SoftplusBackward" in message


def test_forward_called_directly_builds_a_graph():
    class NoCtx(Function):
        @staticmethod
        def forward(ctx, x):
            return torch.log1p(torch.exp(x))

        @staticmethod
        def backward(ctx, g):
            return g

    assert mistake_of(lambda x: NoCtx.forward(None, x), function=NoCtx)[0] == "forward_builds_graph"


def test_backward_never_runs():
    def detached(x):
        with torch.no_grad():
            return Softplus.apply(x)

    mistake, message = mistake_of(detached, function=Softplus)
    assert mistake == "backward_never_runs" and "requires_grad=False" in message


def test_not_a_function():
    class Plain:
        @staticmethod
        def apply(x):
            return softplus(x)

    assert mistake_of(Plain)[0] == "not_a_function"


def test_wrong_forward():
    fn = variant(Softplus, forward=lambda ctx, x: (ctx.save_for_backward(x), torch.exp(x))[-1])
    mistake, message = mistake_of(fn, forward_mistakes={"value_instead_of_derivative": torch.sigmoid})
    assert mistake == "wrong_values" and "Checking the output of Softplus.apply(x)" in message


def test_forward_error_is_explained():
    def forward(ctx, x, y, alpha):
        ctx.save_for_backward(x, y, alpha)
        return alpha * x * y

    class Product(Function):
        pass

    Product.forward = staticmethod(forward)
    Product.backward = staticmethod(lambda ctx, g: (g, g, None))
    mistake, message = mistake_of(Product, reference=scaled_product, inputs=TWO_INPUTS,
                                  arg_names=("x", "y", "alpha"))
    assert mistake == "function_raised" and "ctx.alpha = alpha" in message


def test_unanswered_backward():
    fn = variant(Softplus, backward=lambda ctx, g: (_ for _ in ()).throw(NotImplementedError()))
    mistake, message = mistake_of(fn)
    assert mistake == "unanswered" and "Softplus.backward is not answered yet" in message


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)


def test_saves_output():
    check(Tanh, reference=torch.tanh, saves="output")


def test_saved_input_not_output():
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.tanh(x)

    fn = variant(Tanh, forward=forward, backward=lambda ctx, g: g * (1 - torch.tanh(saved_x(ctx)) ** 2))
    mistake, message = mistake_of(fn, reference=torch.tanh, saves="output")
    assert mistake == "saved_input_not_output" and "saved its input x" in message


def test_saved_the_output_and_the_input_too():
    def forward(ctx, x):
        y = torch.tanh(x)
        ctx.save_for_backward(x, y)
        return y

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * (1 - torch.tanh(x) ** 2)

    mistake, message = mistake_of(variant(Tanh, forward=forward, backward=backward),
                                  reference=torch.tanh, saves="output")
    assert mistake == "saved_input_not_output" and "but its input x as well" in message


def test_tensor_on_ctx():
    def forward(ctx, x):
        ctx.y = torch.tanh(x)
        return ctx.y

    fn = variant(Tanh, forward=forward, backward=lambda ctx, g: g * (1 - ctx.y ** 2))
    mistake, message = mistake_of(fn, reference=torch.tanh, saves="output")
    assert mistake == "tensor_on_ctx" and "ctx.y" in message


class Gaussian(Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(-x * x / 2)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return -g * x * y


def test_twice_differentiable_passes():
    check(Gaussian, reference=gaussian, gradgrad=True)


def test_once_differentiable_is_not_twice_differentiable():
    @once_differentiable
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return -g * x * y

    fn = variant(Gaussian, backward=backward)
    check(fn, reference=gaussian)  # first derivatives are fine
    mistake, message = mistake_of(fn, reference=gaussian, gradgrad=True)
    assert mistake == "not_twice_differentiable" and "@once_differentiable" in message


def test_no_grad_in_backward_is_not_twice_differentiable():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        with torch.no_grad():
            return -g * x * y

    assert mistake_of(variant(Gaussian, backward=backward), reference=gaussian,
                      gradgrad=True)[0] == "not_twice_differentiable"


def test_detached_factor_gives_a_wrong_second_derivative():
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return -g * x.detach() * y

    mistake, message = mistake_of(variant(Gaussian, backward=backward), reference=gaussian,
                                  gradgrad=True)
    assert mistake == "second_derivative_wrong" and "The second derivative is wrong" in message


def test_misconfigured_arg_names():
    assert mistake_of(Softplus, arg_names=("x", "y"))[0] == "check_misconfigured"


def test_inputs_need_not_require_grad():
    class Scale(Function):
        @staticmethod
        def forward(ctx, x, w):
            ctx.save_for_backward(x, w)
            return x * w

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            assert ctx.needs_input_grad == (True, False)
            return g * w, None

    check(Scale, reference=lambda x, w: x * w, inputs=[(cases.randn(3, seed=1), cases.randn(3, seed=2))],
          arg_names=("x", "w"), needs_grad=(True, False))


# ---------------------------------------------------------------- the judge's own tensors


def test_grad_output_changed_in_place():
    def backward(ctx, g):
        return g.mul_(torch.sigmoid(saved_x(ctx)))

    mistake, message = mistake_of(variant(Softplus, backward=backward))
    assert mistake == "grad_output_modified" and "changed the grad_output it was given" in message


def test_an_input_changed_in_place():
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(x.exp_())

    mistake, message = mistake_of(variant(Softplus, forward=forward))
    assert mistake == "input_modified" and "changed its input x in place" in message


def test_what_a_backward_writes_into_its_inputs_does_not_become_the_expected_value():
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        x.data.mul_(0)  # the expected value from these inputs would now be that of 0
        return g * torch.sigmoid(x)

    assert mistake_of(variant(Softplus, backward=backward))[0] == "input_modified"


# ---------------------------------------------------------------- dtypes and ranges


def test_a_function_right_only_in_float64_fails_in_float32():
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x.double())).to(x.dtype) if x.dtype == torch.float64 else x * 0

    mistake, message = mistake_of(variant(Softplus, forward=forward))
    assert mistake == "wrong_values" and "float32" in message


def test_a_backward_wrong_only_far_out_fails_on_wide_inputs():
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * torch.where(x.abs() > 8, torch.zeros_like(x), torch.sigmoid(x))

    fn = variant(Softplus, backward=backward)
    check(fn)  # the usual randn inputs never reach |x| > 8
    mistake, _ = mistake_of(fn, inputs=[(cases.spread(12, seed=3),)])
    assert mistake in ("wrong_values", "backward_mismatch")


# ---------------------------------------------------------------- values instead of a reference


def test_expected_values_instead_of_a_reference():
    x = cases.tensor([-2.0, 0.0, 3.0])
    output, grad = softplus(x), torch.sigmoid(x)
    check_function(Softplus, "Softplus", inputs=[(x,)], arg_names=("x",), expected=[(output, (grad,))])
    flipped = variant(Softplus, backward=lambda ctx, g: -g * torch.sigmoid(saved_x(ctx)))
    with pytest.raises(GradingError) as error:
        check_function(flipped, "Softplus", inputs=[(x,)], arg_names=("x",),
                       expected=[(output, (grad,))], mistakes={"missing_inner_derivative": (-grad,)})
    assert error.value.mistake == "missing_inner_derivative"


def test_expected_values_with_a_given_grad_output_catch_an_ignored_one():
    x, g = cases.tensor([-2.0, 0.0, 3.0]), cases.tensor([2.0, -1.0, 0.5])
    output, grad = softplus(x), torch.sigmoid(x)
    expected = [(output, (grad,), (g,), (g * grad,))]
    check_function(Softplus, "Softplus", inputs=[(x,)], arg_names=("x",), expected=expected)
    ignored = variant(Softplus, backward=lambda ctx, g: torch.sigmoid(saved_x(ctx)))
    with pytest.raises(GradingError) as error:
        check_function(ignored, "Softplus", inputs=[(x,)], arg_names=("x",), expected=expected)
    assert error.value.mistake == "grad_output_ignored" and "the test's own grad_output" in str(error.value)


def test_second_derivatives_against_expected_values_rest_on_gradgradcheck():
    x = cases.tensor([0.0, 1.0, -2.5])
    expected = [(gaussian(x), (-x * gaussian(x),))]
    check_function(Gaussian, "Gaussian", inputs=[(x,)], arg_names=("x",), expected=expected, gradgrad=True)

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return -g * x.detach() * y

    with pytest.raises(GradingError) as error:
        check_function(variant(Gaussian, backward=backward), "Gaussian", inputs=[(x,)], arg_names=("x",),
                       expected=expected, gradgrad=True)
    assert error.value.mistake == "second_derivative_wrong" and "gradgradcheck failed" in str(error.value)


def test_a_gradient_of_the_wrong_shape_that_a_mistake_gives_is_named():
    # the exercise's mistake is tried before the shape is blamed (here: w's gradient left unsummed)
    unsummed = variant(Affine, backward=lambda ctx, g: (g * ctx.saved_tensors[1], g * saved_x(ctx), g.sum(0)))
    mistake, message = mistake_of(unsummed, reference=affine, inputs=BROADCAST[:1], arg_names=("x", "w", "b"),
                                  mistakes={"mean_instead_of_sum": lambda x, w, b, g: (None, g * x, None)})
    assert mistake == "mean_instead_of_sum" and "is exactly what a common mistake gives (w has shape (3,))" in message


# ---------------------------------------------------------------- as written


WRITTEN = """
import torch
from torch.autograd import Function

class Softplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.x = x
        return torch.log1p(torch.exp(x))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * torch.sigmoid(ctx.x)

class Sort(Function):
    @staticmethod
    def forward(ctx, x):
        values, indices = torch.sort(x, dim=-1)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return values, indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        return torch.zeros_like(grad_values).scatter(-1, indices, grad_values)
"""


def test_a_written_function_keeping_its_input_on_ctx():
    softplus_class = Interpreter([WRITTEN], autograd=False).lookup("Softplus")
    mistake, message = mistake_of(softplus_class)
    assert mistake == "tensor_on_ctx" and "ctx.x" in message


def test_a_written_function_with_a_second_output_that_is_not_differentiable():
    sort = Interpreter([WRITTEN], autograd=False).lookup("Sort")
    check(sort, reference=lambda x: torch.sort(x, dim=-1), name="Sort",
          inputs=[(cases.randn(3, 4, seed=1),)])


def test_an_object_of_the_kernel_is_refused():
    class Remote:
        _REFEREE_REMOTE = True

    with pytest.raises(GradingError) as error:
        check(Remote())
    assert error.value.mistake == "check_misconfigured" and "written" in str(error.value)


class Unprintable(Exception):
    def __str__(self):
        raise ValueError


@pytest.mark.parametrize("error", [RuntimeError("mat1 and mat2 shapes cannot be multiplied (3x4 and 7x7)"),
                                   KeyError("k"), Unprintable()])
def test_an_error_described_as_plain_data_reads_as_the_error_itself(error):
    description = described(error)
    assert all(value is None or isinstance(value, (str, list)) for value in description.values())
    assert str(raised("f(x)", described(error))) == str(raised("f(x)", error))


def test_a_failure_says_which_dtype_it_was_found_in():
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x)) if x.dtype == torch.float64 else x * 0

    with pytest.raises(GradingError) as error:
        check(variant(Softplus, forward=forward))
    assert error.value.case == ("float32 的输入", "float32 inputs")
