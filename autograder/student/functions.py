"""``check_function``: a custom autograd Function (its forward and its backward) against a reference.

    check_function(fn, reference, name, *, inputs, arg_names, function=None, needs_grad=None,
                   gradgrad=False, saves=None, mistakes=None, forward_mistakes=None,
                   atol=1e-7, rtol=1e-5, seed=0)

``fn`` is what the exercise asks for: a ``torch.autograd.Function`` subclass (it is called as
``fn.apply(*args)``) or a function that is meant to use one (then ``function`` names that class).
``reference(*args)`` computes the same output with ordinary torch operations; autograd
differentiates it, which gives the expected gradients. ``inputs`` is a list of argument tuples
(tensors from :mod:`autograder.cases`, and non-tensor arguments as they are); ``arg_names`` names
the arguments in the messages. Every case runs in float64, on the course's device where it has
float64 and on the CPU where it does not (Apple's MPS), and every floating-point tensor argument
requires grad unless ``needs_grad`` (one bool per argument) says otherwise.

For each case, in order, the first problem found is a GradingError naming the mistake:

1. the forward pass: it runs (errors explained), and its output is right (``forward_mistakes`` =
   {key: function of the args giving what that mistake computes});
2. the output hangs on the Function's own node: no grad_fn at all is "backward_never_runs"
   (the backward can never be called), another node is "forward_builds_graph" (autograd
   differentiated the forward's own operations, the backward is not used);
3. ``saves="output"``: what the forward saved is the output, not the input;
4. a backward pass with grad_output all ones: what the backward itself returned (before PyTorch
   reshapes or rejects it): one value per forward input ("wrong_gradient_count"), None for a
   non-tensor input, a tensor of the input's shape ("broadcast_not_summed" when it has the
   broadcast shape); then each input's gradient against the reference (``mistakes`` = {key:
   function of (*args, grad_output) giving the tuple of gradients that mistake returns}; sign
   and constant factors are recognised); a wrong gradient comes with a small table of the
   largest differences between the backward's Jacobian and a numerical one from the forward;
5. the same with a random grad_output: right with ones and wrong now is "grad_output_ignored"
   when the answer is what ones gave;
6. ``torch.autograd.gradcheck`` on the Function itself;
7. ``gradgrad=True``: the gradient the backward returns has a graph ("not_twice_differentiable"
   otherwise), second derivatives match the reference's, and ``gradgradcheck`` passes.

The check is split in two so that a referee can grade in another process than the student's:
:class:`StudentFunction` lives beside the student's code and does everything that touches it
(calls, the backward probe, autograd on the student's graph), returning only plain data; the
judge (``_Case``) holds the reference and the expected values, and reaches the student's code
only through that object, which it gets from :func:`beside`.
"""
import math

import numpy as np
import torch
from torch.autograd import Function
from torch.autograd.function import BackwardCFunction

from autograder.student import cases
from autograder.student.calls import _failure, _raised, beside, described, is_remote
from autograder.student.checks import GradingError, _diagnose, _error, _run, _shape_hint, _sum_recipe
from autograder.student.rules import BY_HAND
from helpers.text import bilingual

_TABLE_ROWS = 3
_EPS = 1e-6


def check_function(fn, reference, name, *, inputs, arg_names, function=None, needs_grad=None,
                   gradgrad=False, saves=None, mistakes=None, forward_mistakes=None,
                   atol=1e-7, rtol=1e-5, seed=0):
    """Pass if the custom Function ``fn`` computes ``reference`` and its gradients; see the module."""
    __tracebackhide__ = True
    error = _run(name, _check_function, fn, reference, name, inputs=inputs, arg_names=arg_names,
                 function=function, needs_grad=needs_grad, gradgrad=gradgrad, saves=saves,
                 mistakes=mistakes, forward_mistakes=forward_mistakes, atol=atol, rtol=rtol,
                 seed=seed)
    if error is not None:
        raise error from None


def _check_function(fn, reference, name, *, inputs, arg_names, function, needs_grad, gradgrad,
                    saves, mistakes, forward_mistakes, atol, rtol, seed):
    function = _function_class(fn, function, name)
    arguments = ", ".join(arg_names)
    label = f"{name}.apply({arguments})" if fn is function else f"{name}({arguments})"
    for number, args in enumerate(inputs):
        args = _prepared(args, arg_names, needs_grad)
        student = beside(fn, StudentFunction, fn, function, args, label)
        case = _Case(student, reference, function.__name__, label, args, arg_names,
                     seed + number, atol, rtol)
        case.check_forward(forward_mistakes)
        if saves == "output":
            case.check_saves_output()
        ones = torch.ones_like(case.output)
        case.check_backward(ones, mistakes, previous=None)
        case.check_backward(case.random_like(case.output, 0), mistakes, previous=ones)
        case.check_gradcheck()
        if gradgrad:
            case.check_gradgrad()


def _is_function_class(value) -> bool:
    if is_remote(value):  # the student's, in their kernel
        return value.is_function_class
    return isinstance(value, type) and issubclass(value, Function)


def _is_class(value) -> bool:
    return value.is_class if is_remote(value) else isinstance(value, type)


def _type_name(value) -> str:
    return value.type_name if is_remote(value) else type(value).__name__


def _function_class(fn, function, name):
    """The Function subclass whose node the output must hang on."""
    if _is_function_class(fn):
        return fn
    if function is not None and _is_function_class(function):
        if not callable(fn):
            raise _error("not_callable", f"{name} 不是函数，而是 {_type_name(fn)}。",
                         f"{name} is not a function but a {_type_name(fn)}.")
        return function
    what = fn if function is None else function
    kind = what.__name__ if _is_class(what) else _type_name(what)
    shown = getattr(what, "__name__", name)
    raise _error("not_a_function",
                 f"{shown} 不是 torch.autograd.Function 的子类（它是 {kind}）。",
                 f"{shown} is not a subclass of torch.autograd.Function (it is {kind}).")


def _prepared(args, arg_names, needs_grad):
    """The arguments of one case in float64 on the checks' device; floating-point tensors are new
    leaves that require grad unless ``needs_grad`` says otherwise."""
    if len(arg_names) != len(args):
        raise _error("check_misconfigured", f"arg_names 有 {len(arg_names)} 个名字，参数却有 {len(args)} 个。",
                     f"arg_names has {len(arg_names)} names for {len(args)} arguments.")
    device = cases.device() if cases.widest_float() == torch.float64 else torch.device("cpu")
    flags = needs_grad or [True] * len(args)
    return tuple(_prepare(a, flag, device) for a, flag in zip(args, flags))


def _prepare(value, needs_grad, device):
    if not isinstance(value, torch.Tensor):
        return value
    value = value.detach().to(device)
    if value.is_floating_point():
        value = value.to(torch.float64).requires_grad_(bool(needs_grad))
    return value


def _grad_positions(args):
    return [i for i, a in enumerate(args) if isinstance(a, torch.Tensor) and a.requires_grad]


def _fresh(args):
    """New leaves with the same values."""
    return tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor)
                 else a for a in args)


class _Probe:
    """Wraps the Function's backward while the check runs, to see what it really returns."""

    def __init__(self, function):
        self.function = function
        self.returned = []  # what each call of the backward returned, as it returned it

    def __enter__(self):
        cls = self.function
        self.attribute = "vjp" if cls.vjp is not Function.vjp else "backward"
        self.original = cls.__dict__.get(self.attribute)
        user_backward = getattr(cls, self.attribute)

        def backward(ctx, *grad_outputs):
            result = user_backward(ctx, *grad_outputs)
            self.returned.append(result)
            return result

        setattr(cls, self.attribute, staticmethod(backward))
        return self

    def __exit__(self, *exc):
        if self.original is None:
            delattr(self.function, self.attribute)
        else:
            setattr(self.function, self.attribute, self.original)
        return False


class StudentFunction:
    """The student's Function on one case, observed beside the student's code.

    ``fn`` is what the exercise asks for, ``function`` the Function subclass, ``args`` the
    prepared arguments (used as they are), ``label`` how the messages name the call. The object
    keeps the student's output with its graph; every public method takes and returns only plain
    data (detached tensors, numbers, strings, None, and tuples, lists and dicts of them), never
    a student's object, a graph node or an exception (those come back as ``described`` dicts).
    Errors that are not the student's answer (inside gradcheck, say) are raised as they are.
    """

    def __init__(self, fn, function, args, label):
        self.call_fn = fn.apply if fn is function else fn
        self.function, self.args, self.label = function, tuple(args), label
        self.grad_positions = _grad_positions(self.args)
        self.output = None  # the student's output, graph and all, once forward() ran

    def __repr__(self):
        return f"StudentFunction({self.label})"

    def forward(self):
        """{"output": the output as plain data (None when it is not; "type" names it),
        "type", "error": what the call raised, "node": the output's grad_fn name,
        "own_node": whether that node is the Function's own}."""
        try:
            self.output = self.call_fn(*self.args)
        except Exception as raised:
            return {"output": None, "type": None, "error": described(raised), "node": None,
                    "own_node": False}
        node = self.output.grad_fn if isinstance(self.output, torch.Tensor) else None
        return {"output": _plain(self.output), "type": type(self.output).__name__, "error": None,
                "node": None if node is None else node.name(),
                "own_node": isinstance(node, BackwardCFunction)
                and issubclass(node._forward_cls, self.function)}

    def saved(self):
        """What the forward kept for the backward: {"output": whether save_for_backward saved
        the output, "args": the positions of the arguments it saved, "count": how many tensors
        it saved, "on_ctx": the ctx attributes that hold the output}."""
        node = self.output.grad_fn
        saved = list(node.saved_tensors)
        return {"output": any(_same_tensor(t, self.output) for t in saved),
                "args": [i for i, a in enumerate(self.args)
                         if isinstance(a, torch.Tensor) and any(_same_tensor(t, a) for t in saved)],
                "count": len(saved),
                "on_ctx": [key for key, value in vars(node).items()
                           if isinstance(value, torch.Tensor) and _same_tensor(value, self.output)]}

    def grads(self, grad_output):
        """A backward pass from the output: {"called": whether the backward ran, "returned":
        what its first call returned (see _returned_kinds), "error": what autograd raised,
        "grads": the gradient per grad position (None for none), or None after an error}."""
        report, grads = self._backward(grad_output, create_graph=False)
        return {**report, "grads": _detached(grads)}

    def second(self, v, u):
        """The backward pass with create_graph (as ``grads`` reports it, grad_output ``v``), then
        "twice": per grad position whether its gradient has a graph to differentiate, and
        "second": the gradient of sum(grad_i * u_i) (``u`` one tensor per grad position), once
        every first gradient has such a graph (else None)."""
        report, grads = self._backward(v.detach().clone().requires_grad_(), create_graph=True)
        twice = None if grads is None else [_differentiable(g) for g in grads]
        second = None
        if twice and all(twice):
            total = sum((g * w).sum() for g, w in zip(grads, u))
            leaves = [self.args[i] for i in self.grad_positions]
            second = _detached(torch.autograd.grad(total, leaves, allow_unused=True, retain_graph=True))
        return {**report, "grads": _detached(grads), "twice": twice, "second": second}

    def _backward(self, grad_output, create_graph):
        leaves = [self.args[i] for i in self.grad_positions]
        error, grads = None, None
        with _Probe(self.function) as probe:
            try:
                grads = torch.autograd.grad(self.output, leaves, grad_output, retain_graph=True,
                                            create_graph=create_graph, allow_unused=True)
            except Exception as raised:  # the judge weighs it against what the backward returned
                error = described(raised)
        returned = _returned_kinds(probe.returned[0]) if probe.returned else None
        return {"called": bool(probe.returned), "returned": returned, "error": error}, grads

    def gradcheck(self):
        return bool(torch.autograd.gradcheck(self.call_fn, self.args, raise_exception=False))

    def gradgradcheck(self):
        return bool(torch.autograd.gradgradcheck(self.call_fn, self.args, raise_exception=False))

    def jacobians(self, i):
        """(analytical, numerical) Jacobians of the output with respect to argument i, on the
        CPU in float64; None when they cannot be computed."""
        try:
            return self._jacobians(i)
        except Exception:  # the table is only a hint: without it the message stands alone
            return None

    def _jacobians(self, i):
        out = self.output
        analytical = torch.zeros(out.numel(), self.args[i].numel(), dtype=torch.float64)
        for row in range(out.numel()):
            v = torch.zeros(out.numel(), dtype=out.dtype, device=out.device)
            v[row] = 1
            (g,) = torch.autograd.grad(out, self.args[i], v.reshape(out.shape), retain_graph=True,
                                       allow_unused=True)
            if g is not None:
                analytical[row] = g.detach().reshape(-1).cpu().double()
        numerical = torch.zeros_like(analytical)
        base = self.args[i].detach()
        for column in range(base.numel()):
            values = []
            for step in (_EPS, -_EPS):
                moved = base.clone().reshape(-1)
                moved[column] += step
                args = list(_fresh(self.args))
                args[i] = moved.reshape(base.shape)
                with torch.no_grad():
                    values.append(self.call_fn(*args).detach().reshape(-1).cpu().double())
            numerical[:, column] = (values[0] - values[1]) / (2 * _EPS)
        return analytical, numerical


def _plain(value):
    """``value`` as plain data (tensors detached), or None when it is something else."""
    if type(value) in (torch.Tensor, torch.nn.Parameter):
        return value.detach()
    if value is None or type(value) in (bool, int, float, complex, str):
        return value
    if type(value) in (list, tuple):
        items = [_plain(item) for item in value]
        if any(item is None and original is not None for item, original in zip(items, value)):
            return None
        return type(value)(items)
    if isinstance(value, (np.ndarray, np.generic)) and not value.dtype.hasobject:
        return value.copy()
    return None


def _detached(tensors):
    if tensors is None:
        return None
    return tuple(None if t is None else t.detach() for t in tensors)


def _differentiable(gradient):
    """Whether a gradient has a graph that can be differentiated again."""
    node = gradient.grad_fn if gradient is not None else None
    return node is not None and type(node).__name__ not in ("Error", "DelayedError")  # once_differentiable


def _returned_kinds(returned):
    """What a backward returned, as plain data: {"tuple": whether it was a tuple, "values": per
    value None, or {"type": its class name, "shape": a tensor's shape, else None}}."""
    values = returned if isinstance(returned, tuple) else (returned,)
    return {"tuple": isinstance(returned, tuple),
            "values": [None if value is None else
                       {"type": type(value).__name__,
                        "shape": tuple(value.shape) if isinstance(value, torch.Tensor) else None}
                       for value in values]}


class _Case:
    """The judge of one argument tuple: the float64 arguments, the reference, and what the
    student's Function (``student``, a StudentFunction) reports."""

    def __init__(self, student, reference, function_name, label, args, arg_names, seed, atol, rtol):
        self.student, self.reference, self.function_name = student, reference, function_name
        self.label, self.args, self.names, self.seed = label, args, list(arg_names), seed
        self.atol, self.rtol = atol, rtol
        self.grad_positions = _grad_positions(self.args)

    def fresh(self):
        """New leaves with the same values, for the reference."""
        return _fresh(self.args)

    def random_like(self, tensor, salt):
        generator = torch.Generator().manual_seed(1000 * self.seed + 17 + salt)
        values = torch.randn(tensor.shape, generator=generator, dtype=torch.float64)
        return values.to(device=tensor.device, dtype=tensor.dtype)

    def shapes(self):
        return ", ".join(f"{n}: {tuple(a.shape)}" if isinstance(a, torch.Tensor) else f"{n} = {a!r}"
                         for n, a in zip(self.names, self.args))

    def lead(self, what_zh, what_en):
        """The sentence a message starts with: what was checked, on which inputs."""
        return f"检查{what_zh}（{self.shapes()}）。", f"Checking {what_en} ({self.shapes()})."

    # ------------------------------------------------------------ 1-3: forward, graph, saved

    def check_forward(self, forward_mistakes):
        report = self.student.forward()
        if report["error"] is not None:
            raise _failure(self.label, report["error"])
        self.output = report["output"]
        if self.output is None and report["type"] != "NoneType":
            # Not plain data: only its class name came back, which is all the message needs.
            self.output = type(report["type"], (), {})()
        with torch.no_grad():
            expected = self.reference(*self.fresh())
            wrong = {key: f(*self.fresh()) for key, f in (forward_mistakes or {}).items()}
        _diagnose_here(self.output, expected, self.label, self, mistakes=wrong, rules=(),
                       lead=self.lead(f" {self.label} 的输出", f"the output of {self.label}"))
        function = self.function_name
        if report["node"] is None:
            raise _error("backward_never_runs",
                         f"{self.label} 的输出不在计算图里（requires_grad=False，没有 grad_fn），"
                         f"所以 {function} 的 backward 永远不会被调用。",
                         f"The output of {self.label} is not in the computation graph "
                         f"(requires_grad=False, no grad_fn), so the backward of {function} can "
                         f"never be called.")
        if not report["own_node"]:
            raise _error("forward_builds_graph",
                         f"{self.label} 的输出的 grad_fn 是 {report['node']}，而不是 {function}Backward："
                         f"自动求导对前向计算里的运算求了导，你写的 backward 根本没有用上。",
                         f"The output of {self.label} has grad_fn {report['node']}, not "
                         f"{function}Backward: autograd differentiated the operations of the "
                         f"forward computation, and your backward is never used.")

    def check_saves_output(self):
        saved = self.student.saved()
        if saved["output"]:
            return
        function = self.function_name
        inputs = [self.names[i] for i in saved["args"]]
        if saved["on_ctx"]:
            raise _error("tensor_on_ctx",
                         f"{function} 把输出存成了 ctx.{saved['on_ctx'][0]}，而不是用 ctx.save_for_backward 保存。",
                         f"{function} keeps its output as ctx.{saved['on_ctx'][0]} instead of saving it with "
                         f"ctx.save_for_backward.")
        if inputs:
            raise _error("saved_input_not_output",
                         f"{function} 用 save_for_backward 保存的是输入 {inputs[0]}，而不是输出。",
                         f"{function} saved its input {inputs[0]} with save_for_backward, not its output.")
        raise _error("saved_input_not_output",
                     f"{function} 没有用 save_for_backward 保存它的输出（保存了 {saved['count']} 个张量，"
                     f"都不是输出）。",
                     f"{function} did not save its output with save_for_backward ({saved['count']} "
                     f"tensors saved, none of them the output).")

    # ------------------------------------------------------------ 4-5: the backward pass

    def student_grads(self, report):
        """The gradients in a report of the student's backward, after checking what it returned."""
        error = report["error"]
        backward = f"{self.function_name}.backward"
        if (error is not None and "NotImplementedError" in error["kinds"]
                and "backward or vjp" not in (error["message"] or "")):
            raise _error("unanswered", f"{backward} 还没有作答（它抛出了 NotImplementedError）。",
                         f"{backward} is not answered yet (it raised NotImplementedError).")
        if not report["called"]:
            if error is not None:
                raise _raised(backward, error)
            raise _error("backward_never_runs",
                         f"反向传播经过了 {self.label} 的输出，{backward} 却一次也没有被调用。",
                         f"The backward pass went through the output of {self.label}, but "
                         f"{backward} was never called.")
        self._check_returned(report["returned"])
        if error is not None:
            raise _raised(backward, error)
        return dict(zip(self.grad_positions, report["grads"]))

    def _check_returned(self, returned):
        function = self.function_name
        values = returned["values"]
        if len(values) != len(self.args):
            kind = (f"{len(values)} 个值" if returned["tuple"] else "1 个值（不是元组）")
            kind_en = (_count(len(values), "value") if returned["tuple"]
                       else "1 value (not a tuple)")
            raise _error("wrong_gradient_count",
                         f"forward 接收 {len(self.args)} 个输入（{', '.join(self.names)}），"
                         f"{function}.backward 却返回了 {kind}。",
                         f"forward takes {_count(len(self.args), 'input')} ({', '.join(self.names)}), "
                         f"but {function}.backward returned {kind_en}.")
        for name, arg, value in zip(self.names, self.args, values):
            if not isinstance(arg, torch.Tensor) or not arg.requires_grad:
                if value is not None and not isinstance(arg, torch.Tensor):
                    raise _error("gradient_for_non_tensor",
                                 f"{name} 不是张量（{name} = {arg!r}），{function}.backward 在它的位置却返回了 "
                                 f"{value['type']}。",
                                 f"{name} is not a tensor ({name} = {arg!r}), but {function}.backward "
                                 f"returned a {value['type']} in its place.")
                continue
            if value is None:
                raise _error("gradient_missing",
                             f"{name} 需要梯度，{function}.backward 在它的位置却返回了 None。",
                             f"{name} needs a gradient, but {function}.backward returned None in its place.")
            if value["shape"] is None:
                raise _error("not_a_tensor",
                             f"{function}.backward 为 {name} 返回的是 {value['type']}，不是张量。",
                             f"{function}.backward returned a {value['type']} for {name}, not a tensor.")
            got, want = tuple(value["shape"]), tuple(arg.shape)
            if got == want:
                continue
            if _broadcasts_to(want, got):
                recipe = _sum_recipe(got, want)
                raise _error("broadcast_not_summed",
                             f"{function}.backward 为 {name} 返回的梯度形状是 {got}，而 {name} 的形状是 {want}："
                             f"{name} 在前向传播中被广播了，这个梯度还有广播出来的维度没有求和"
                             f"（对它调用 {recipe}，或者 .sum_to_size({name}.shape)）。",
                             f"{function}.backward returned a gradient of shape {got} for {name}, whose "
                             f"shape is {want}: {name} was broadcast in the forward pass, and this "
                             f"gradient still has broadcast dimensions that were not summed (call "
                             f"{recipe} on it, or .sum_to_size({name}.shape)).")
            zh, en = _shape_hint(got, want)
            raise _error("gradient_wrong_shape",
                         f"{function}.backward 为 {name} 返回的梯度形状是 {got}，应为 {want}。{zh}",
                         f"{function}.backward returned a gradient of shape {got} for {name}, "
                         f"expected {want}. {en}")

    def reference_grads(self, grad_output, *, create_graph=False):
        args = self.fresh()
        leaves = [args[i] for i in self.grad_positions]
        with torch.enable_grad():
            output = self.reference(*args)
            grads = torch.autograd.grad(output, leaves, grad_output, allow_unused=True,
                                        create_graph=create_graph)
        grads = [torch.zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]
        return dict(zip(self.grad_positions, grads)), args

    def check_backward(self, grad_output, mistakes, previous):
        grads = self.student_grads(self.student.grads(grad_output))
        expected, _ = self.reference_grads(grad_output)
        wrong = {i: {} for i in self.grad_positions}
        if previous is not None:  # right with ones, now compared with what ones gave
            for i, g in self.reference_grads(previous)[0].items():
                if not torch.allclose(g, expected[i], rtol=self.rtol, atol=self.atol):
                    wrong[i]["grad_output_ignored"] = g
        for key, mistaken in (mistakes or {}).items():
            with torch.no_grad():
                given = mistaken(*self.fresh(), grad_output)
            given = given if isinstance(given, tuple) else (given,)
            for i, g in zip(range(len(self.args)), given):
                if i in wrong and isinstance(g, torch.Tensor):
                    wrong[i][key] = g
        ones = previous is None
        for i in self.grad_positions:
            name = self.names[i]
            answer = grads[i] if grads[i] is not None else torch.zeros_like(self.args[i])
            function = self.function_name
            kind_zh, kind_en = ("全为 1", "a grad_output of all ones") if ones else \
                ("是随机的", "a random grad_output")
            lead = self.lead(f" {function}.backward 为输入 {name} 返回的梯度 grad_{name}，grad_output {kind_zh}",
                             f"grad_{name}, the gradient {function}.backward returns for the input "
                             f"{name}, with {kind_en}")
            _diagnose_here(answer, expected[i], f"grad_{name}", self, mistakes=wrong[i],
                           rules=BY_HAND, lead=lead, table_input=i)

    # ------------------------------------------------------------ 6-7: gradcheck, gradgradcheck

    def check_gradcheck(self):
        if self.student.gradcheck():
            return
        worst = max(self.grad_positions, key=lambda i: self._largest_difference(i))
        name = self.names[worst]
        error = _error("backward_mismatch",
                       f"gradcheck 没有通过：{self.function_name}.backward 为 {name} 算出的雅可比矩阵和"
                       f"数值雅可比矩阵不一致（{self.shapes()}）。",
                       f"gradcheck failed: the Jacobian {self.function_name}.backward gives for "
                       f"{name} differs from the numerical Jacobian ({self.shapes()}).")
        raise GradingError(f"{error}\n{self.table(worst)}", error.mistake)

    def check_gradgrad(self):
        v = self.random_like(self.output, 1)
        u = {i: self.random_like(self.args[i], 2 + i) for i in self.grad_positions}
        report = self.student.second(v, tuple(u[i] for i in self.grad_positions))
        self.student_grads(report)
        function = self.function_name
        for i, twice in zip(self.grad_positions, report["twice"]):
            if not twice:
                raise _error("not_twice_differentiable",
                             f"{function}.backward 为 {self.names[i]} 返回的梯度不带可以继续求导的计算图"
                             f"（requires_grad=False，或者 backward 加了 @once_differentiable），"
                             f"所以二阶导数无从谈起。",
                             f"The gradient {function}.backward returns for {self.names[i]} carries no "
                             f"graph that can be differentiated again (requires_grad=False, or backward "
                             f"is marked @once_differentiable), so there is no second derivative.")
        expected_first, ref_args = self.reference_grads(v, create_graph=True)
        ref_total = sum((expected_first[i] * u[i]).sum() for i in self.grad_positions)
        ref_leaves = [ref_args[i] for i in self.grad_positions]
        expected = [None] * len(ref_leaves)
        if ref_total.requires_grad:
            expected = torch.autograd.grad(ref_total, ref_leaves, allow_unused=True)
        for position, got, want in zip(self.grad_positions, report["second"], expected):
            name = self.names[position]
            want = torch.zeros_like(self.args[position]) if want is None else want.detach()
            if got is None and want.any():
                raise _error("not_twice_differentiable",
                             f"{function}.backward 为 {name} 返回的梯度虽然带计算图，却不依赖 {name}，"
                             f"对它求导得不到二阶导数。",
                             f"The gradient {function}.backward returns for {name} has a graph but does "
                             f"not depend on {name}, so differentiating it gives no second derivative.")
            got = torch.zeros_like(want) if got is None else got.detach()
            if not torch.allclose(got, want, rtol=1e-4, atol=1e-6):
                index = tuple(int(k) for k in torch.unravel_index(
                    torch.argmax((got - want).abs()), got.shape)) if got.dim() else ()
                yours, right = f"{float(got[index]):.6g}", f"{float(want[index]):.6g}"
                at = f"{name}[{', '.join(map(str, index))}]" if index else name
                raise _error("second_derivative_wrong",
                             f"二阶导数不对：对 {function}.backward 返回的梯度再求导，在 {at} 处你的值是 {yours}，"
                             f"应为 {right}（{self.shapes()}）。",
                             f"The second derivative is wrong: differentiating the gradient "
                             f"{function}.backward returns once more gives {yours} at {at}, expected "
                             f"{right} ({self.shapes()}).")
        if not self.student.gradgradcheck():
            raise _error("second_derivative_wrong",
                         f"gradgradcheck 没有通过（{self.shapes()}）。",
                         f"gradgradcheck failed ({self.shapes()}).")

    # ------------------------------------------------------------ the Jacobian table

    def _largest_difference(self, i):
        jacobians = self.student.jacobians(i)
        if jacobians is None:
            return math.inf
        analytical, numerical = jacobians
        return float((analytical - numerical).abs().max()) if analytical.numel() else 0.0

    def table(self, i):
        """The largest differences between the two Jacobians, as a few lines of text."""
        jacobians = self.student.jacobians(i)
        if jacobians is None:
            return ""
        analytical, numerical = jacobians
        difference = (analytical - numerical).abs().reshape(-1)
        order = torch.argsort(difference, descending=True, stable=True)[:_TABLE_ROWS]
        out_shape, in_shape = tuple(self.output.shape), tuple(self.args[i].shape)
        name = self.names[i]
        lines = [bilingual(f"雅可比矩阵中相差最大的元素（d 输出 / d {name}）：",
                           f"Largest differences in the Jacobian (d output / d {name}):").replace("\n", " / "),
                 f"  {'output':<12}{'input':<14}{'backward':>14}{'numerical':>14}"]
        for flat in order.tolist():
            if difference[flat] == 0:
                break
            row, column = divmod(flat, analytical.shape[1])
            lines.append(f"  {_index('out', row, out_shape):<12}{_index(name, column, in_shape):<14}"
                         f"{float(analytical[row, column]):>14.6g}{float(numerical[row, column]):>14.6g}")
        return "\n".join(lines)


def _diagnose_here(answer, expected, name, case, *, mistakes, rules, lead, table_input=None):
    """checks._diagnose, its message led by what was checked (and a Jacobian table for a gradient)."""
    try:
        _diagnose(answer, expected.detach(), name, atol=case.atol, rtol=case.rtol,
                  mistakes=mistakes, rules=rules)
    except GradingError as error:
        zh, _, en = str(error).partition("\n")
        message = bilingual(lead[0] + zh, f"{lead[1]} {en}")
        if table_input is not None:
            table = case.table(table_input)
            if table:
                message += "\n" + table
        raise GradingError(message, error.mistake) from None


def _index(name, flat, shape):
    if not shape:
        return name
    index = []
    for size in reversed(shape):
        flat, rest = divmod(flat, size)
        index.append(rest)
    return f"{name}[{', '.join(map(str, reversed(index)))}]"


def _count(number, noun):
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _same_tensor(a, b):
    return (a.shape == b.shape and a.device == b.device
            and a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
            and a.storage_offset() == b.storage_offset())


def _broadcasts_to(small, big):
    return len(small) <= len(big) and all(s in (1, b) for s, b in zip(reversed(small), reversed(big)))
