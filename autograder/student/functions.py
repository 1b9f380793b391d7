"""``check_function``: a custom autograd Function (its forward and its backward), judged here.

    check_function(fn, name, *, inputs, arg_names, reference=None, expected=None, function=None,
                   needs_grad=None, gradgrad=False, saves=None, mistakes=None,
                   forward_mistakes=None, dtypes=(torch.float32, torch.float64), seed=0)

``fn`` is what the exercise asks for, as the student wrote it: ``written("Name", "function")``,
a ``torch.autograd.Function`` subclass (called as ``fn.apply(*args)``), or a function meant to use
one (then ``function`` is that class, written too). At grading time both are built from the
submitted source in this process (autograder/student/written.py), so everything below is a fact
about objects here; the student's kernel has no say. An object of the kernel's is refused.

What is expected comes from ``reference(*args)`` (ordinary torch operations, which autograd
differentiates: the hidden tests) or, where a visible test may hold values only, ``expected``:
per case ``(output, gradients)``, the gradients being those for ``grad_output`` all ones, or
``(output, gradients, grad_outputs, their gradients)`` to check a backward pass with the given
``grad_outputs`` (one per differentiable output) as well.
``inputs`` is a list of argument tuples (tensors from :mod:`autograder.cases`; non-tensor
arguments as they are); ``arg_names`` names the arguments in the messages. Every floating-point
tensor argument requires grad unless ``needs_grad`` (one bool per argument) says otherwise.

Each case runs once per dtype of ``dtypes`` (float32 first, as students use it, with float32's
tolerances; then float64), on the CPU. In order, the first problem found is a GradingError:

1. the forward pass runs, its output is right (``forward_mistakes`` = {key: function of the args
   giving what that mistake computes}), it left its inputs as they were, and it kept no tensor as
   an attribute of ctx ("tensor_on_ctx": save_for_backward is the way);
2. the output hangs on the Function's own node ("backward_never_runs", "forward_builds_graph");
3. ``saves="output"``: what the forward saved is the output, and no input;
4. a backward pass with grad_output all ones: what the backward returned (one value per forward
   input, None for a non-tensor, the input's shape), that it left grad_output alone, then each
   gradient against the expected one (``mistakes`` = {key: function of (*args, grad_output)
   giving the tuple of gradients that mistake returns}, or with ``expected``, {key: that tuple};
   sign and constant factors are recognised); with a table of the largest differences between
   the backward's Jacobian and a numerical one;
5. the same with a random grad_output (with ``expected``: the given ``grad_outputs``);
   "grad_output_ignored" when the answer is what ones gave;
6. in float64: ``torch.autograd.gradcheck``; with ``gradgrad=True`` the gradients have a graph
   ("not_twice_differentiable"), second derivatives match the reference's (with ``expected``,
   ``gradgradcheck`` alone judges them), and ``gradgradcheck`` passes.

The judge never hands its own tensors to the student's code: the Function gets copies, and what
is expected is computed from pristine copies taken before the Function ran.
"""
import math

import torch
from torch.autograd import Function

from autograder.student import cases
from autograder.student.calls import failure, is_remote
from autograder.student.judging import (GradingError, diagnose, grading_error, run_diagnosis, shape_hint,
                                        sum_recipe)
from autograder.student.rules import BY_HAND
from helpers.text import bilingual

_TABLE_ROWS = 3
_EPS = 1e-6
TOLERANCES = {torch.float32: (1e-5, 1e-4), torch.float64: (1e-7, 1e-5)}  # (atol, rtol)


def check_function(fn, name, *, inputs, arg_names, reference=None, expected=None, function=None,
                   needs_grad=None, gradgrad=False, saves=None, mistakes=None,
                   forward_mistakes=None, dtypes=(torch.float32, torch.float64), seed=0):
    """Pass if the custom Function ``fn`` computes the expected output and gradients; see the
    module."""
    __tracebackhide__ = True
    error = run_diagnosis(name, _check_function, fn, name, inputs=inputs, arg_names=arg_names,
                 reference=reference, expected=expected, function=function,
                 needs_grad=needs_grad, gradgrad=gradgrad, saves=saves, mistakes=mistakes,
                 forward_mistakes=forward_mistakes, dtypes=dtypes, seed=seed)
    if error is not None:
        raise error from None


def _check_function(fn, name, *, inputs, arg_names, reference, expected, function, needs_grad,
                    gradgrad, saves, mistakes, forward_mistakes, dtypes, seed):
    if (reference is None) == (expected is None):
        raise grading_error("check_misconfigured", "check_function 需要 reference 或 expected 二者之一。",
                     "check_function needs either reference or expected.")
    if is_remote(fn) or is_remote(function):
        raise grading_error("check_misconfigured",
                     "check_function 只评判按源代码构建的 Function：请传 written(\"名字\", \"function\")。",
                     "check_function judges a Function only as built from its source: pass "
                     "written(\"Name\", \"function\").")
    function = _function_class(fn, function, name)
    arguments = ", ".join(arg_names)
    label = f"{name}.apply({arguments})" if fn is function else f"{name}({arguments})"
    call_fn = fn.apply if fn is function else fn
    for number, args in enumerate(inputs):
        for dtype in dtypes:
            shown = str(dtype).removeprefix("torch.")
            with cases.kind(f"{shown} 的输入", f"{shown} inputs"):  # what the feedback says of a hidden case
                _check_case(_Case(call_fn, function, reference, label,
                                  _prepared(args, arg_names, needs_grad, dtype), arg_names,
                                  seed + number, dtype),
                            None if expected is None else _as_dtype(expected[number], dtype),
                            saves=saves, mistakes=mistakes, forward_mistakes=forward_mistakes,
                            gradgrad=gradgrad)


def _check_case(case, want, *, saves, mistakes, forward_mistakes, gradgrad):
    case.check_forward(forward_mistakes, want)
    if saves == "output":
        case.check_saves_output()
    case.check_backward(mistakes, want)
    if case.dtype == torch.float64:
        case.check_gradcheck()
        if gradgrad:
            case.check_gradgrad()


def _is_function_class(value) -> bool:
    return isinstance(value, type) and issubclass(value, Function)


def _function_class(fn, function, name):
    """The Function subclass whose node the output must hang on."""
    if _is_function_class(fn):
        return fn
    if function is not None and _is_function_class(function):
        if not callable(fn):
            raise grading_error("not_callable", f"{name} 不是函数，而是 {type(fn).__name__}。",
                         f"{name} is not a function but a {type(fn).__name__}.")
        return function
    what = fn if function is None else function
    kind = what.__name__ if isinstance(what, type) else type(what).__name__
    shown = getattr(what, "__name__", name)
    raise grading_error("not_a_function",
                 f"{shown} 不是 torch.autograd.Function 的子类（它是 {kind}）。",
                 f"{shown} is not a subclass of torch.autograd.Function (it is {kind}).")


def _prepared(args, arg_names, needs_grad, dtype):
    """The arguments of one case in ``dtype`` on the CPU; floating-point tensors are new leaves that
    require grad unless ``needs_grad`` says otherwise."""
    if len(arg_names) != len(args):
        raise grading_error("check_misconfigured", f"arg_names 有 {len(arg_names)} 个名字，参数却有 {len(args)} 个。",
                     f"arg_names has {len(arg_names)} names for {len(args)} arguments.")
    flags = needs_grad or [True] * len(args)
    return tuple(_prepare(a, flag, dtype) for a, flag in zip(args, flags))


def _prepare(value, needs_grad, dtype):
    if not isinstance(value, torch.Tensor):
        return value
    value = value.detach().cpu().clone()
    if value.is_floating_point():
        value = value.to(dtype).requires_grad_(bool(needs_grad))
    return value


def _as_dtype(value, dtype):
    """Expected values (tensors, tuples of them, None) in ``dtype`` where floating."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(dtype) if value.is_floating_point() else value.detach().cpu()
    if isinstance(value, (tuple, list)):
        return type(value)(_as_dtype(v, dtype) for v in value)
    return value


def _fresh(args):
    """New leaves with the same values."""
    return tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor)
                 else a for a in args)


def _outputs(output):
    return output if isinstance(output, tuple) else (output,)


def _differentiable(tensor) -> bool:
    return isinstance(tensor, torch.Tensor) and tensor.requires_grad


def _has_graph(gradient) -> bool:
    """Whether a gradient has a graph that can be differentiated again."""
    node = gradient.grad_fn if gradient is not None else None
    return node is not None and type(node).__name__ not in ("Error", "DelayedError")  # once_differentiable


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


class _Case:
    """One argument tuple in one dtype: the student's Function run on copies, and the judge."""

    def __init__(self, call_fn, function, reference, label, args, arg_names, seed, dtype):
        self.call_fn, self.function, self.reference, self.label = call_fn, function, reference, label
        self.function_name = function.__name__
        self.args, self.names, self.seed, self.dtype = args, list(arg_names), seed, dtype
        self.pristine = _fresh(args)  # taken before the student's code ran; never handed to it
        self.atol, self.rtol = TOLERANCES.get(dtype, TOLERANCES[torch.float64])
        self.grad_positions = [i for i, a in enumerate(args) if _differentiable(a)]
        self.output = None

    def fresh(self):
        """Copies of the pristine arguments, for the reference and the mistakes."""
        return _fresh(self.pristine)

    def random_like(self, tensor, salt):
        generator = torch.Generator().manual_seed(1000 * self.seed + 17 + salt)
        return torch.randn(tensor.shape, generator=generator, dtype=torch.float64).to(tensor.dtype)

    def shapes(self):
        shown = ", ".join(f"{n}: {tuple(a.shape)}" if isinstance(a, torch.Tensor) else f"{n} = {a!r}"
                          for n, a in zip(self.names, self.pristine))
        return f"{shown}, {str(self.dtype).replace('torch.', '')}"

    def lead(self, what_zh, what_en):
        """The sentence a message starts with: what was checked, on which inputs."""
        return f"检查{what_zh}（{self.shapes()}）。", f"Checking {what_en} ({self.shapes()})."

    # ------------------------------------------------------------ 1-3: forward, graph, saved

    def check_forward(self, forward_mistakes, want):
        try:
            self.output = self.call_fn(*self.args)
        except Exception as raised:  # noqa: BLE001 - the student's error, explained
            raise failure(self.label, raised) from None
        if want is not None:
            expected = want[0]
        else:
            with torch.no_grad():
                expected = self.reference(*self.fresh())
        wrong = {}
        for key, mistaken in (forward_mistakes or {}).items():
            if callable(mistaken):
                with torch.no_grad():
                    mistaken = mistaken(*self.fresh())
            wrong[key] = mistaken
        lead = self.lead(f" {self.label} 的输出", f"the output of {self.label}")
        outputs, expected_outputs = _outputs(self.output), _outputs(expected)
        if len(outputs) != len(expected_outputs):
            raise grading_error("wrong_answer_type",
                         f"{self.label} 应该返回 {len(expected_outputs)} 个输出，却返回了 {len(outputs)} 个。",
                         f"{self.label} should return {len(expected_outputs)} output(s), but it "
                         f"returned {len(outputs)}.")
        for k, (got, right) in enumerate(zip(outputs, expected_outputs)):
            shown = self.label if len(outputs) == 1 else f"{self.label}[{k}]"
            _diagnose_here(got, right, shown, self, lead=lead, rules=(),
                           mistakes={key: _outputs(w)[k] for key, w in wrong.items()})
        self.check_inputs_unchanged("forward")
        self.check_node()
        self.check_ctx_attributes()

    def check_inputs_unchanged(self, where):
        for name, arg, before in zip(self.names, self.args, self.pristine):
            if isinstance(arg, torch.Tensor) and not torch.equal(arg.detach(), before.detach()):
                raise grading_error("input_modified",
                             f"{self.function_name}.{where} 原地修改了输入 {name}。",
                             f"{self.function_name}.{where} changed its input {name} in place.")

    def check_ctx_attributes(self):
        nodes = [o.grad_fn for o in _outputs(self.output) if _differentiable(o) and o.grad_fn is not None]
        kept = sorted({key for node in nodes for key, value in vars(node).items()
                       if isinstance(value, torch.Tensor)})
        if kept:
            raise grading_error("tensor_on_ctx",
                         f"{self.function_name}.forward 把一个张量挂在了 ctx.{kept[0]} 上，而不是用 "
                         f"ctx.save_for_backward 保存它。",
                         f"{self.function_name}.forward keeps a tensor as ctx.{kept[0]} instead of "
                         f"saving it with ctx.save_for_backward.")

    def check_node(self):
        function = self.function_name
        differentiable = [o for o in _outputs(self.output) if _differentiable(o)]
        if self.grad_positions and not differentiable:
            raise grading_error("backward_never_runs",
                         f"{self.label} 的输出不在计算图里（requires_grad=False，没有 grad_fn），"
                         f"所以 {function} 的 backward 永远不会被调用。",
                         f"The output of {self.label} is not in the computation graph "
                         f"(requires_grad=False, no grad_fn), so the backward of {function} can "
                         f"never be called.")
        for output in differentiable:
            node = output.grad_fn
            own = node is not None and getattr(node, "_forward_cls", None) is self.function
            if not own:
                shown = node.name() if node is not None else None
                raise grading_error("forward_builds_graph",
                             f"{self.label} 的输出的 grad_fn 是 {shown}，而不是 {function}Backward："
                             f"自动求导对前向计算里的运算求了导，你写的 backward 根本没有用上。",
                             f"The output of {self.label} has grad_fn {shown}, not "
                             f"{function}Backward: autograd differentiated the operations of the "
                             f"forward computation, and your backward is never used.")

    def check_saves_output(self):
        """What the forward saved is the output, and none of the inputs."""
        node = _outputs(self.output)[0].grad_fn
        saved = list(node.saved_tensors)
        output = _outputs(self.output)[0]
        function = self.function_name
        inputs = [name for name, a in zip(self.names, self.args)
                  if isinstance(a, torch.Tensor) and any(_same_tensor(t, a) for t in saved)]
        if any(_same_tensor(t, output) for t in saved):
            if inputs:
                raise grading_error("saved_input_not_output",
                             f"{function} 用 save_for_backward 保存了输出，却也保存了输入 {inputs[0]}。",
                             f"{function} saved its output with save_for_backward, but its input "
                             f"{inputs[0]} as well.")
            return
        if inputs:
            raise grading_error("saved_input_not_output",
                         f"{function} 用 save_for_backward 保存的是输入 {inputs[0]}，而不是输出。",
                         f"{function} saved its input {inputs[0]} with save_for_backward, not its output.")
        raise grading_error("saved_input_not_output",
                     f"{function} 没有用 save_for_backward 保存它的输出（保存了 {len(saved)} 个张量，"
                     f"都不是输出）。",
                     f"{function} did not save its output with save_for_backward ({len(saved)} "
                     f"tensors saved, none of them the output).")

    # ------------------------------------------------------------ 4-5: the backward pass

    def grad_outputs_like(self, make):
        return [make(o) for o in _outputs(self.output) if _differentiable(o)]

    def student_grads(self, grad_outputs, *, create_graph=False, wrong=None):
        """The gradients the student's backward gives for ``grad_outputs`` (their copies go to
        the backward), after checking what it returned (``wrong``: the mistakes' gradients, a
        shape one of them explains is named as that mistake) and that it left them alone."""
        leaves = [self.args[i] for i in self.grad_positions]
        given = [g.detach().clone().requires_grad_(create_graph) for g in grad_outputs]
        outputs = [o for o in _outputs(self.output) if _differentiable(o)]
        backward, error, grads = f"{self.function_name}.backward", None, None
        with _Probe(self.function) as probe:
            try:
                grads = torch.autograd.grad(outputs, leaves, given, retain_graph=True,
                                            create_graph=create_graph, allow_unused=True)
            except Exception as raised:  # noqa: BLE001 - weighed against what the backward returned
                error = raised
        if error is not None and isinstance(error, NotImplementedError) \
                and "backward or vjp" not in str(error):
            raise grading_error("unanswered", f"{backward} 还没有作答（它抛出了 NotImplementedError）。",
                         f"{backward} is not answered yet (it raised NotImplementedError).")
        if not probe.returned:
            if error is not None:
                raise failure(backward, error)
            raise grading_error("backward_never_runs",
                         f"反向传播经过了 {self.label} 的输出，{backward} 却一次也没有被调用。",
                         f"The backward pass went through the output of {self.label}, but "
                         f"{backward} was never called.")
        self.check_returned(probe.returned[0], wrong)
        if error is not None:
            raise failure(backward, error)
        for before, after in zip(grad_outputs, given):
            if not torch.equal(before.detach(), after.detach()):
                raise grading_error("grad_output_modified",
                             f"{backward} 原地修改了它收到的 grad_output。",
                             f"{backward} changed the grad_output it was given in place.")
        self.check_inputs_unchanged("backward")
        return {i: (torch.zeros_like(self.args[i]) if g is None else g)
                for i, g in zip(self.grad_positions, grads)}

    def check_returned(self, returned, wrong=None):
        function = self.function_name
        values = returned if isinstance(returned, tuple) else (returned,)
        if len(values) != len(self.args):
            kind = f"{len(values)} 个值" if isinstance(returned, tuple) else "1 个值（不是元组）"
            kind_en = (_count(len(values), "value") if isinstance(returned, tuple)
                       else "1 value (not a tuple)")
            raise grading_error("wrong_gradient_count",
                         f"forward 接收 {len(self.args)} 个输入（{', '.join(self.names)}），"
                         f"{function}.backward 却返回了 {kind}。",
                         f"forward takes {_count(len(self.args), 'input')} ({', '.join(self.names)}), "
                         f"but {function}.backward returned {kind_en}.")
        for position, (name, arg, value) in enumerate(zip(self.names, self.args, values)):
            if not _differentiable(arg):
                if value is not None and not isinstance(arg, torch.Tensor):
                    raise grading_error("gradient_for_non_tensor",
                                 f"{name} 不是张量（{name} = {arg!r}），{function}.backward 在它的位置却返回了 "
                                 f"{type(value).__name__}。",
                                 f"{name} is not a tensor ({name} = {arg!r}), but {function}.backward "
                                 f"returned a {type(value).__name__} in its place.")
                continue
            if value is None:
                raise grading_error("gradient_missing",
                             f"{name} 需要梯度，{function}.backward 在它的位置却返回了 None。",
                             f"{name} needs a gradient, but {function}.backward returned None in its place.")
            if not isinstance(value, torch.Tensor):
                raise grading_error("not_a_tensor",
                             f"{function}.backward 为 {name} 返回的是 {type(value).__name__}，不是张量。",
                             f"{function}.backward returned a {type(value).__name__} for {name}, not a tensor.")
            got, want = tuple(value.shape), tuple(arg.shape)
            if got == want:
                continue
            self.check_known_shape(value, position, wrong)
            if _broadcasts_to(want, got):
                recipe = sum_recipe(got, want)
                raise grading_error("broadcast_not_summed",
                             f"{function}.backward 为 {name} 返回的梯度形状是 {got}，而 {name} 的形状是 {want}："
                             f"{name} 在前向传播中被广播了，这个梯度还有广播出来的维度没有求和"
                             f"（对它调用 {recipe}，或者 .sum_to_size({name}.shape)）。",
                             f"{function}.backward returned a gradient of shape {got} for {name}, whose "
                             f"shape is {want}: {name} was broadcast in the forward pass, and this "
                             f"gradient still has broadcast dimensions that were not summed (call "
                             f"{recipe} on it, or .sum_to_size({name}.shape)).")
            zh, en = shape_hint(got, want)
            raise grading_error("gradient_wrong_shape",
                         f"{function}.backward 为 {name} 返回的梯度形状是 {got}，应为 {want}。{zh}",
                         f"{function}.backward returned a gradient of shape {got} for {name}, "
                         f"expected {want}. {en}")

    def check_known_shape(self, value, position, wrong):
        """A gradient of the wrong shape that an exercise's mistake gives is named as that mistake."""
        name = self.names[position]
        for key, given in (wrong or {}).items():
            mistaken = given.get(position)
            if (isinstance(mistaken, torch.Tensor) and mistaken.shape == value.shape
                    and torch.allclose(value.detach().double(), mistaken.detach().double(),
                                       rtol=self.rtol, atol=self.atol)):
                raise grading_error(key, f"{self.function_name}.backward 为 {name} 返回的形状为 "
                                  f"{tuple(value.shape)} 的梯度正好是一个常见错误的结果（{name} 的形状是 "
                                  f"{tuple(self.args[position].shape)}）。",
                             f"The gradient of shape {tuple(value.shape)} that {self.function_name}.backward "
                             f"returned for {name} is exactly what a common mistake gives ({name} has shape "
                             f"{tuple(self.args[position].shape)}).")

    def reference_grads(self, grad_outputs, *, create_graph=False):
        args = self.fresh()
        leaves = [args[i] for i in self.grad_positions]
        with torch.enable_grad():
            outputs = [o for o in _outputs(self.reference(*args)) if _differentiable(o)]
            grads = torch.autograd.grad(outputs, leaves, grad_outputs, allow_unused=True,
                                        create_graph=create_graph)
        grads = [torch.zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]
        return dict(zip(self.grad_positions, grads)), args

    def check_backward(self, mistakes, want):
        ones = self.grad_outputs_like(torch.ones_like)
        if want is not None:
            expected = dict(zip(self.grad_positions, _outputs(want[1])))
            wrong = {key: dict(zip(self.grad_positions, _outputs(_as_dtype(g, self.dtype))))
                     for key, g in (mistakes or {}).items()}
            self.compare(self.student_grads(ones, wrong=wrong), expected, wrong, kind="ones")
            if len(want) == 4:  # a given grad_output, and the gradients it must give
                given = [g.to(o.dtype) for g, o in zip(_outputs(want[2]), self.grad_outputs_like(torch.ones_like))]
                other = dict(zip(self.grad_positions, _outputs(want[3])))
                wrong = {}
                for i, g in expected.items():  # right with ones, wrong now
                    if not torch.allclose(g, other[i], rtol=self.rtol, atol=self.atol):
                        wrong.setdefault("grad_output_ignored", {})[i] = g
                self.compare(self.student_grads(given), other, wrong, kind="given")
            return
        wrong = self.mistaken(mistakes, ones)
        self.compare(self.student_grads(ones, wrong=wrong), self.reference_grads(ones)[0], wrong,
                     kind="ones")
        random = self.grad_outputs_like(lambda o: self.random_like(o, 0))
        expected = self.reference_grads(random)[0]
        wrong = self.mistaken(mistakes, random)
        for i, g in self.reference_grads(ones)[0].items():  # right with ones, wrong now
            if not torch.allclose(g, expected[i], rtol=self.rtol, atol=self.atol):
                wrong.setdefault("grad_output_ignored", {})[i] = g
        self.compare(self.student_grads(random, wrong=wrong), expected, wrong, kind="random")

    def mistaken(self, mistakes, grad_outputs):
        """{key: {position: the gradient that mistake gives}}."""
        wrong = {}
        for key, mistaken in (mistakes or {}).items():
            with torch.no_grad():
                given = mistaken(*self.fresh(), *grad_outputs)
            wrong[key] = dict(zip(range(len(self.args)), _outputs(given)))
        return wrong

    def compare(self, grads, expected, wrong, *, kind):
        function = self.function_name
        kind_zh, kind_en = {"ones": ("全为 1", "a grad_output of all ones"),
                            "random": ("是随机的", "a random grad_output"),
                            "given": ("是测试给定的值", "the test's own grad_output")}[kind]
        for i in self.grad_positions:
            name = self.names[i]
            mistakes = {key: given[i] for key, given in wrong.items()
                        if isinstance(given.get(i), torch.Tensor)}
            lead = self.lead(f" {function}.backward 为输入 {name} 返回的梯度 grad_{name}，grad_output {kind_zh}",
                             f"grad_{name}, the gradient {function}.backward returns for the input "
                             f"{name}, with {kind_en}")
            _diagnose_here(grads[i], expected[i], f"grad_{name}", self, mistakes=mistakes,
                           rules=BY_HAND, lead=lead, table_input=i)

    # ------------------------------------------------------------ 6: gradcheck, gradgradcheck

    def check_gradcheck(self):
        # fast_mode: a random projection of the Jacobians (PyTorch's own), not all of them
        if torch.autograd.gradcheck(self.call_fn, self.fresh(), raise_exception=False, fast_mode=True):
            return
        worst = max(self.grad_positions, key=lambda i: self._largest_difference(i))
        name = self.names[worst]
        error = grading_error("backward_mismatch",
                       f"gradcheck 没有通过：{self.function_name}.backward 为 {name} 算出的雅可比矩阵和"
                       f"数值雅可比矩阵不一致（{self.shapes()}）。",
                       f"gradcheck failed: the Jacobian {self.function_name}.backward gives for "
                       f"{name} differs from the numerical Jacobian ({self.shapes()}).")
        raise GradingError(f"{error}\n{self.table(worst)}", error.mistake)

    def check_gradgrad(self):
        v = self.grad_outputs_like(lambda o: self.random_like(o, 1))
        u = {i: self.random_like(self.args[i], 2 + i) for i in self.grad_positions}
        first = self.student_grads(v, create_graph=True)
        function = self.function_name
        for i in self.grad_positions:
            if not _has_graph(first[i]):
                raise grading_error("not_twice_differentiable",
                             f"{function}.backward 为 {self.names[i]} 返回的梯度不带可以继续求导的计算图"
                             f"（requires_grad=False，或者 backward 加了 @once_differentiable），"
                             f"所以二阶导数无从谈起。",
                             f"The gradient {function}.backward returns for {self.names[i]} carries no "
                             f"graph that can be differentiated again (requires_grad=False, or backward "
                             f"is marked @once_differentiable), so there is no second derivative.")
        if self.reference is not None:
            self.compare_second_derivatives(first, v, u)
        if not torch.autograd.gradgradcheck(self.call_fn, self.fresh(), raise_exception=False, fast_mode=True):
            raise grading_error("second_derivative_wrong",
                         f"gradgradcheck 没有通过（{self.shapes()}）。",
                         f"gradgradcheck failed ({self.shapes()}).")

    def compare_second_derivatives(self, first, v, u):
        function = self.function_name
        leaves = [self.args[i] for i in self.grad_positions]
        total = sum((first[i] * u[i]).sum() for i in self.grad_positions)
        second = torch.autograd.grad(total, leaves, allow_unused=True, retain_graph=True)
        expected_first, ref_args = self.reference_grads(v, create_graph=True)
        ref_total = sum((expected_first[i] * u[i]).sum() for i in self.grad_positions)
        ref_leaves = [ref_args[i] for i in self.grad_positions]
        expected = [None] * len(ref_leaves)
        if ref_total.requires_grad:
            expected = torch.autograd.grad(ref_total, ref_leaves, allow_unused=True)
        for position, got, want in zip(self.grad_positions, second, expected):
            name = self.names[position]
            want = torch.zeros_like(self.args[position]) if want is None else want.detach()
            if got is None and want.any():
                raise grading_error("not_twice_differentiable",
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
                raise grading_error("second_derivative_wrong",
                             f"二阶导数不对：对 {function}.backward 返回的梯度再求导，在 {at} 处你的值是 {yours}，"
                             f"应为 {right}（{self.shapes()}）。",
                             f"The second derivative is wrong: differentiating the gradient "
                             f"{function}.backward returns once more gives {yours} at {at}, expected "
                             f"{right} ({self.shapes()}).")

    # ------------------------------------------------------------ the Jacobian table

    def jacobians(self, i):
        """(analytical, numerical) Jacobians of the first output with respect to argument i, in
        float64; None when they cannot be computed."""
        try:
            return self._jacobians(i)
        except Exception:  # noqa: BLE001 - the table is only a hint: the message stands alone
            return None

    def _jacobians(self, i):
        args = [a.detach().double().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor)
                and a.is_floating_point() else a for a in self.fresh()]
        out = _outputs(self.call_fn(*args))[0]
        analytical = torch.zeros(out.numel(), args[i].numel(), dtype=torch.float64)
        for row in range(out.numel()):
            v = torch.zeros(out.numel(), dtype=out.dtype)
            v[row] = 1
            (g,) = torch.autograd.grad(out, args[i], v.reshape(out.shape), retain_graph=True,
                                       allow_unused=True)
            if g is not None:
                analytical[row] = g.detach().reshape(-1).double()
        numerical = torch.zeros_like(analytical)
        base = args[i].detach()
        for column in range(base.numel()):
            values = []
            for step in (_EPS, -_EPS):
                moved = base.clone().reshape(-1)
                moved[column] += step
                shifted = list(_fresh(args))
                shifted[i] = moved.reshape(base.shape)
                with torch.no_grad():
                    values.append(_outputs(self.call_fn(*shifted))[0].detach().reshape(-1).double())
            numerical[:, column] = (values[0] - values[1]) / (2 * _EPS)
        return analytical, numerical

    def _largest_difference(self, i):
        jacobians = self.jacobians(i)
        if jacobians is None:
            return math.inf
        analytical, numerical = jacobians
        return float((analytical - numerical).abs().max()) if analytical.numel() else 0.0

    def table(self, i):
        """The largest differences between the two Jacobians, as a few lines of text."""
        jacobians = self.jacobians(i)
        if jacobians is None:
            return ""
        analytical, numerical = jacobians
        difference = (analytical - numerical).abs().reshape(-1)
        order = torch.argsort(difference, descending=True, stable=True)[:_TABLE_ROWS]
        out_shape, in_shape = tuple(_outputs(self.output)[0].shape), tuple(self.args[i].shape)
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
    """judging.diagnose, its message led by what was checked (and a Jacobian table for a gradient)."""
    try:
        diagnose(answer if not isinstance(answer, torch.Tensor) else answer.detach(),
                  expected.detach() if isinstance(expected, torch.Tensor) else expected, name,
                  atol=case.atol, rtol=case.rtol, mistakes=mistakes, rules=rules)
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
