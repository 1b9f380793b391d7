"""The interpreter that runs students' answers from their source (autograder/student/interpreter.py):
what it runs, what it refuses (autograd where it is not allowed, every way out of tensor math,
work beyond its limits) and what written() reads."""
import resource
import time

import pytest
import torch
from torch.autograd import gradcheck, gradgradcheck

from autograder import GradingError, call
from autograder.student.interpreter import MAX_ELEMENTS, Interpreter, Refused
from autograder.student.written import cells_from, written

X = torch.tensor([1.0, -2.0, 0.5])


def build(source, name, *, autograd=False, grad_off=True, **kwargs):
    return Interpreter([source], autograd=autograd, grad_off=grad_off, **kwargs).lookup(name)


def refused(source, *args, autograd=False):
    with pytest.raises(Refused) as caught:
        build(source, "f", autograd=autograd)(*(args or (X.clone(),)))
    return caught.value


# ---------------------------------------------------------------- what it runs


def test_a_derivative_by_hand_and_its_helpers():
    source = """
import torch
import math

def inner(x):
    return x ** 2

def f(x, scale=2):
    # comments, defaults, helpers of the same cell
    u = inner(x)
    return -scale * x * torch.sin(u) + 0 * math.pi
"""
    assert torch.allclose(build(source, "f")(X), -2 * X * torch.sin(X ** 2))


def test_break_continue_and_else_in_loops():
    source = """
def f(x):
    kept = []
    for v in x.tolist():
        if v < 0:
            continue
        if v > 10:
            break
        kept.append(v)
    else:
        kept.append(100.0)
    n = 0
    while n < 5:
        n += 1
        if n == 3:
            break
    else:
        n = -1
    m = 0
    while m < 2:
        m += 1
    else:
        m = m * 10
    return kept, n, m
"""
    f = build(source, "f")
    assert f(torch.tensor([1.0, -2.0, 3.0])) == ([1.0, 3.0, 100.0], 3, 20)
    assert f(torch.tensor([1.0, 20.0, 3.0])) == ([1.0], 3, 20)

def test_a_lambda_at_top_level_and_an_alias():
    f = build("import torch as t\ng = lambda x: t.cos(x) * 3\nf = g", "f")
    assert torch.allclose(f(X), torch.cos(X) * 3)


def test_loops_comprehensions_tuples_and_methods():
    source = """
def f(X, Y, W, b):
    residual = X @ W + b - Y
    n, k = residual.shape
    rows = [residual[i].sum() for i in range(n) if True]
    total = 0
    for i, row in enumerate(rows):
        total += row
    tails = torch.stack([residual[j:].sum(dim=0) for j in range(len(residual))])
    return 2 / (n * k) * X.T @ residual, total, tails.flip(0).cumsum(0), torch.max(residual, dim=0).values
"""
    X, Y, W, b = torch.randn(4, 3), torch.randn(4, 2), torch.randn(3, 2), torch.randn(2)
    grad_W, total, tails, best = Interpreter(["import torch\n" + source], autograd=False).lookup("f")(X, Y, W, b)
    residual = X @ W + b - Y
    assert torch.allclose(grad_W, 2 / 8 * X.T @ residual)
    assert torch.allclose(total, residual.sum())
    assert torch.allclose(best, residual.max(dim=0).values)
    assert tails.shape == (4, 2)


def test_in_place_writes_and_views_are_real():
    f = build("def f(x):\n    v = x[1:]\n    v.mul_(10)\n    x[0] = 7\n    return v", "f", grad_off=False)
    x = X.clone()
    v = f(x)
    assert torch.equal(x, torch.tensor([7.0, -20.0, 5.0])) and v.data_ptr() == x[1:].data_ptr()


def test_a_by_hand_function_runs_without_grad_and_restores_grad_mode():
    f = build("def f(x):\n    return x * 2", "f")
    leaf = X.clone().requires_grad_()
    assert f(leaf).grad_fn is None and torch.is_grad_enabled()


def test_a_later_definition_replaces_an_earlier_one_and_a_broken_cell_defines_nothing():
    cells = ["def f(x):\n    return x", "def f(x):\n    return 2 * x", "def f(x:\n    return 3 * x"]
    assert torch.equal(Interpreter(cells, autograd=False).lookup("f")(X), 2 * X)


# ---------------------------------------------------------------- autograd, where it is not allowed


@pytest.mark.parametrize("line", [
    "return torch.autograd.grad(x.sum(), x)",
    "x.requires_grad_()\n    return x",
    "with torch.enable_grad():\n        return x",
    "torch.set_grad_enabled(True)\n    return x",
    "return torch.func.grad(torch.sin)(x)",
    "return torch.autograd.functional.jacobian(torch.sin, x)",
    "x.sum().backward()\n    return x",
    "return x.grad",
    "x.grad = x\n    return x",
    "x.requires_grad = True\n    return x",
    "return torch.ones(3, requires_grad=True)",
    "return x.detach().clone().requires_grad_(True)",
])
def test_autograd_is_refused_by_hand(line):
    error = refused(f"import torch\ndef f(x):\n    {line}")
    assert error.autograd and error.line == 3


@pytest.mark.parametrize("line", [
    "import threading\n    return threading.Thread",  # autograd in a helper thread
    "return torch._C.DisableTorchFunction()",  # the old by-hand guard's blind spot
    "from autograder.student import autograd\n    return autograd",  # the checks themselves
    "import numpy as np\n    return np.sin(x)",
])
def test_ways_around_the_rule_do_not_exist(line):
    assert not refused(f"import torch\ndef f(x):\n    {line}").autograd


# ---------------------------------------------------------------- every way out of tensor math


@pytest.mark.parametrize("line", [
    "return x.__class__",
    "return ().__class__.__bases__[0].__subclasses__()",
    "return getattr(x, 'grad_fn')",
    "return eval('1')",
    "return exec('1')",
    "return open('/etc/passwd').read()",
    "return __import__('os')",
    "import os\n    return os.system('true')",
    "return torch.load('x')",
    "return x.storage()",
    "return x.untyped_storage()",
    "return x.data_ptr()",
    "return x.grad_fn",
    "return type(x)",
    "return globals()",
    "return x.register_hook(print)",
    "return x.numpy()",
    "return torch.manual_seed(0)",
    "return torch.Tensor.add",
    "return f.__globals__",
    "try:\n        return 1\n    except Exception:\n        return 2",
])
def test_escapes_are_refused(line):
    with pytest.raises((Refused, NameError)):
        build(f"import torch\ndef f(x):\n    {line}", "f")(X.clone())


def test_a_plain_value_lacks_an_attribute_as_in_python():
    f = build("def f(a):\n    return a.requires_grad", "f")
    with pytest.raises(AttributeError, match="'float' object has no attribute 'requires_grad'"):
        f(0.5)
    with pytest.raises(Refused):  # an attribute Python has stays out of reach
        build("def f(a):\n    return a.conjugate", "f")(0.5)


def test_only_function_classes_and_no_decorators():
    with pytest.raises(Refused):
        build("class f:\n    pass", "f")
    with pytest.raises(Refused):
        build("import functools\n@functools.cache\ndef f(x):\n    return x", "f")


# ---------------------------------------------------------------- limits


@pytest.mark.parametrize("line", [
    f"return torch.zeros({MAX_ELEMENTS * 4})",
    "return x.repeat(100000, 100000)",
    "return x.expand(100000, 3) * torch.ones(100000, 1, 3)",
    "return torch.ones(3000)[:, None] * torch.ones(3000)[None, :]",
    "return 2 ** 10 ** 10",
    "return [0] * 10 ** 9",
    "return 'a' * 10 ** 9",
    "return list(range(10 ** 9))",
    "return f'{1:1000000000}'",
    "while True:\n        pass",
    "return f(x)",  # endless recursion
    "return torch.stack([torch.ones(2000, 2000) for _ in range(100)])",
])
def test_work_beyond_the_limits_is_refused_before_it_is_done(line):
    memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    refused(f"import torch\ndef f(x):\n    {line}")
    assert time.monotonic() - start < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory < 300_000  # KiB


def test_the_deadline():
    slow = "def f(x):\n    for i in range(1000000):\n        x = x + 1\n    return x"
    with pytest.raises(Refused, match="out of time"):
        build(slow, "f", deadline=time.monotonic() + 0.2)(X)


def test_grad_mode_switched_off_by_the_code_is_restored():
    f = build("import torch\ndef f(x):\n    torch.set_grad_enabled(False)\n    return x", "f",
              autograd=True, grad_off=False)
    f(X)
    assert torch.is_grad_enabled()


# ---------------------------------------------------------------- custom Functions

FUNCTIONS = """
import torch
from torch.autograd import Function
from torch.autograd.function import once_differentiable

class Softplus(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.log1p(torch.exp(x))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.sigmoid(x)

def softplus(x):
    return Softplus.apply(x)

class Gaussian(Function):
    @staticmethod
    def forward(ctx, x):
        y = torch.exp(-x * x / 2)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    @once_differentiable
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return -g * x * y

class Scaled(Function):
    @staticmethod
    def forward(ctx, x, alpha):
        ctx.x = x
        ctx.alpha = alpha
        return alpha * x

    @staticmethod
    def backward(ctx, g):
        return ctx.alpha * g, None

class Exp(Function):
    @staticmethod
    def forward(x):
        return x.exp()

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * y

class Cheat(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.exp()

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        t = x.detach().requires_grad_()
        return torch.autograd.grad(t.exp(), t, g)
"""


def functions():
    return Interpreter([FUNCTIONS], autograd=False)


def test_a_written_function_is_a_real_function_node():
    interpreter = functions()
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    softplus, Softplus = interpreter.lookup("softplus"), interpreter.lookup("Softplus")
    assert softplus(x).grad_fn.name() == "SoftplusBackward"
    assert gradcheck(Softplus.apply, (x,)) and gradgradcheck(Softplus.apply, (x,))
    assert gradcheck(interpreter.lookup("Exp").apply, (x,))


def test_once_differentiable_is_kept_and_attributes_set_on_ctx_stay_there():
    interpreter = functions()
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    assert not gradgradcheck(interpreter.lookup("Gaussian").apply, (x,), raise_exception=False)
    node = interpreter.lookup("Scaled").apply(x, 2.0).grad_fn
    assert set(vars(node)) == {"x", "alpha"} and vars(node)["x"] is x


def test_autograd_inside_a_backward_is_refused():
    x = torch.randn(3, requires_grad=True)
    with pytest.raises(Refused, match="autograd"):
        functions().lookup("Cheat").apply(x).sum().backward()


def test_a_function_class_is_not_called_directly():
    with pytest.raises(Refused, match="apply"):
        Interpreter([FUNCTIONS + "\ndef f(x):\n    return Softplus(x)"], autograd=False).lookup("f")(X)


@pytest.mark.parametrize("body", ["Softplus.forward(None, x)", "Softplus(x)"])
def test_a_forward_called_directly_is_named_in_terms_of_apply(body):
    f = Interpreter([FUNCTIONS + f"\ndef f(x):\n    return {body}"], autograd=False).lookup("f")
    with pytest.raises(GradingError) as caught:
        call(f, X, name="f(x)")
    assert caught.value.mistake == "forward_called_directly" and "Softplus.apply" in str(caught.value)


# ---------------------------------------------------------------- autograd, where it is allowed


def test_a_training_loop():
    source = """
import torch
def train(X, Y, lr, steps):
    w = torch.zeros(X.shape[1], dtype=X.dtype, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((X @ w - Y) ** 2).mean()
        loss.backward()
        opt.step()
    return w
"""
    X, Y = torch.randn(8, 3), torch.randn(8)
    w = Interpreter([source], autograd=True).lookup("train")(X, Y, 0.1, 5)
    assert w.is_leaf and w.requires_grad and w.grad is not None


# ---------------------------------------------------------------- written()


def test_written_reads_the_cells_it_is_given_and_call_names_the_line():
    with cells_from(["import torch", "def df(x):\n    y = x\n    return y @ torch.ones(5)"]):
        df = written("df", "by hand")
    with pytest.raises(GradingError) as caught:
        call(df, X, name="df(x)")
    assert caught.value.mistake == "function_raised" and "line 3 of its cell" in str(caught.value)
    with cells_from(["def df(x):\n    return x.detach().requires_grad_()"]):
        with pytest.raises(GradingError) as caught:
            call(written("df", "by hand"), X, name="df(x)")
    assert caught.value.mistake == "autograd_in_derivative" and "line 2" in str(caught.value)


def test_written_in_a_kernel_reads_the_cells_it_ran():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        shell.run_cell("def df(x):\n    return 3 * x", store_history=True)
        shell.run_cell("from autograder import written\nanswer = written('df', 'by hand')", store_history=True)
        assert torch.equal(shell.user_ns["answer"](X), 3 * X)
    finally:
        InteractiveShell.clear_instance()


def test_written_in_a_kernel_reads_the_cells_it_ran_without_history():
    from IPython.core.interactiveshell import InteractiveShell

    from autograder.student import notebook
    shell = InteractiveShell.instance()
    before = list(notebook.ran)
    try:
        assert notebook.install()
        notebook.ran.clear()
        shell.run_cell("def df(x):\n    return 3 * x", store_history=False)  # as nbval runs cells
        shell.run_cell("from autograder import written\nanswer = written('df', 'by hand')", store_history=False)
        assert torch.equal(shell.user_ns["answer"](X), 3 * X)
    finally:
        notebook.ran[:] = before
        InteractiveShell.clear_instance()


def test_an_unknown_name_and_an_unknown_mode():
    with cells_from([]), pytest.raises(NameError):
        written("df")
    with pytest.raises(ValueError):
        written("df", "by magic")


def test_an_exercise_can_refuse_a_torch_function_or_a_tensor_method():
    cells = ["import torch\nfrom torch import broadcast_shapes as shapes\n"
             "def f(a, b):\n    return tuple(shapes(a, b))\n"
             "def g(x):\n    return x.is_contiguous()\n"
             "def h(a, b):\n    return tuple(torch.broadcast_shapes(a, b))"]
    refuse = {"broadcast_shapes": "not_allowed_here", "is_contiguous": "not_allowed_here"}
    interpreter = Interpreter(cells, autograd=False, refuse=refuse)
    for name, args, spelled in [("f", ((1, 2), (3, 1)), "torch.broadcast_shapes"),
                                ("h", ((1, 2), (3, 1)), "torch.broadcast_shapes"),
                                ("g", (X,), ".is_contiguous()")]:
        with pytest.raises(Refused) as caught:
            interpreter.lookup(name)(*args)
        assert caught.value.mistake == "not_allowed_here" and spelled in caught.value.en
    assert Interpreter(cells, autograd=False).lookup("h")((1, 2), (3, 1)) == (3, 2)
    with cells_from(cells):
        with pytest.raises(GradingError) as caught:
            call(written("f", "by hand", refuse=refuse), (1,), (2,), name="f((1,), (2,))")
    assert "This exercise does not allow torch.broadcast_shapes" in str(caught.value)


def test_strides_offsets_and_an_array_the_test_passes():
    import numpy as np
    source = """
import torch
def positions(t):
    return t.storage_offset(), t.stride()
def tensor_of(a):
    return torch.from_numpy(a)
"""
    interpreter = Interpreter([source], autograd=False)
    assert interpreter.lookup("positions")(torch.arange(12.0).view(3, 4)[1:, ::2]) == (4, (4, 2))
    array = np.arange(3.0)
    assert np.shares_memory(interpreter.lookup("tensor_of")(array).numpy(), array)
    refused("import numpy\ndef f(x):\n    return numpy.zeros(3)")  # the code cannot reach NumPy


def test_a_notebook_global_the_interpreter_cannot_compute_is_named_where_the_code_reads_it():
    setup = "import torch\nfrom helpers import choose_device\n\ndevice = choose_device()"
    f = Interpreter([setup, "def f(t):\n    return torch.zeros(3, device=device)"], autograd=False).lookup("f")
    with pytest.raises(Refused) as caught:
        f(X)
    assert caught.value.line == 2 and "global variable device" in caught.value.en
    assert "helpers.choose_device is not available here" in caught.value.en


def test_random_numbers_from_a_generator_or_a_forked_global_stream():
    source = """
import torch
from torch.random import fork_rng

def own(n, seed):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(1, 7, (n,), generator=g), g.initial_seed()

def forked(n, seed):
    with fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.randint(1, 7, (n,))

def unforked(n, seed):
    torch.random.manual_seed(seed)
    return torch.randint(1, 7, (n,))
"""
    interpreter = Interpreter([source], autograd=False, grad_off=True, refuse={"global_seed": "not_allowed_here"})
    torch.manual_seed(11)
    state = torch.get_rng_state()
    expected = torch.randint(1, 7, (5,), generator=torch.Generator().manual_seed(3))
    rolls, seed = interpreter.lookup("own")(5, 3)
    assert torch.equal(rolls, expected) and seed == 3
    assert torch.equal(interpreter.lookup("forked")(5, 3), expected)  # returned inside the block
    assert torch.equal(torch.get_rng_state(), state)  # the global stream is as it was
    with pytest.raises(Refused) as caught:
        interpreter.lookup("unforked")(5, 3)
    assert caught.value.mistake == "not_allowed_here" and "fork_rng" in caught.value.en
    assert torch.equal(torch.get_rng_state(), state)
    refused("import torch\ndef f(x):\n    return torch.rand(3, generator=x)")  # a tensor is no generator


def test_an_exercise_can_refuse_python_loops():
    source = ("import torch\ndef f(x):\n    return torch.stack([v * 2 for v in x])\n"
              "def g(x):\n    for v in x:\n        pass\n    return x\n"
              "def h(x):\n    return x * 2")
    interpreter = Interpreter([source], autograd=False, refuse={"loop": "not_allowed_here"})
    for name in ("f", "g"):
        with pytest.raises(Refused) as caught:
            interpreter.lookup(name)(X)
        assert caught.value.mistake == "not_allowed_here" and "Python loops" in caught.value.en
    assert torch.equal(interpreter.lookup("h")(X), X * 2)
    assert torch.equal(build(source, "f")(X), X * 2)  # loops are fine where nothing refuses them


def test_a_numpy_array_only_becomes_a_tensor():
    import numpy as np
    for body in ("a[:, :-1]", "a.copy()", "a.astype('float32')"):
        assert "NumPy array" in refused(f"def f(a):\n    return {body}", np.zeros((2, 3))).en
