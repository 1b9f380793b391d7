"""A small interpreter for students' answers that knows tensor math and nothing else.

Some exercises are about *how* a value is computed: a derivative by hand, the backward of a custom
``torch.autograd.Function``, a training loop that must keep its parameter a leaf. Calling the
student's function in their own kernel cannot judge that, since the kernel reports whatever it
likes. So the checks build the student's function from the source they wrote
(:mod:`autograder.student.written`) and run it in the checking process with this interpreter: at
grading time the referee's process, where the student's code cannot reach.

What the interpreter runs is plain Python, walked node by node: ``def``, ``lambda``, ``class
X(Function)`` with static ``forward``/``backward``, assignments, ``if``/``for``/``while``,
comprehensions, ``with torch.no_grad():``, ``raise``, ``assert``. What exists for it:

* torch's tensor operations: the functions and ``Tensor`` methods that PyTorch lets
  ``__torch_function__`` override (in ``torch``, ``torch.nn.functional``, ``torch.linalg``,
  ``torch.special``, ``torch.fft``), the factories, dtypes and ``torch.finfo``;
* ``math``, a few builtins (``len``, ``range``, ``abs``, ``min``, ``max``, ``sum``, ...);
* the student's own functions and classes;
* random numbers: ``torch.Generator`` objects (``generator=``), and the global CPU generator,
  whose state the code can change only inside ``with torch.random.fork_rng():``, which puts it
  back on exit (so ``torch.manual_seed`` works there only).

Nothing else: no other imports, no attribute that starts with ``_``, no storage, hooks or graph
nodes; values are numbers, strings, tuples, lists, dicts, tensors, sizes, dtypes and devices.
With ``autograd=False`` (by hand, and a Function's own forward and backward) the autograd entry
points do not exist either (``backward``, ``torch.autograd``, ``torch.func``, ``enable_grad``,
``requires_grad_``, ``.grad``); with ``grad_off=True`` (by hand) every top-level call runs under
``torch.no_grad()``. A top-level call leaves grad mode as it found it.

Limits, so that hostile code costs the grader nothing: each tensor operation is first run on the
``meta`` device (shapes only, no memory), and one that would make a tensor of more than
``MAX_ELEMENTS`` elements, or push a call's total past ``MAX_WORK`` elements, is refused before it
allocates; Python numbers, strings and lists are bounded; so are the steps, the call depth and
the time (``deadline``).

Anything refused is a :class:`Refused` (an Exception) with the line and a bilingual reason; an
error inside the student's code (a shape mismatch, say) is raised as it is, with the line
recorded in ``student_line``.
"""
from __future__ import annotations

import ast
import re
import builtins
import contextlib
import math
import operator
import time

import torch
import torch.nn.functional
from torch.autograd.function import FunctionCtx, once_differentiable

MAX_ELEMENTS = 1 << 22  # the largest tensor one operation may make
MAX_WORK = 1 << 25  # elements all operations of one top-level call may make together
MAX_STEPS = 200_000  # statements and loop iterations of one top-level call
MAX_DEPTH = 64  # nested calls of the student's own functions
MAX_SEQUENCE = 1 << 20  # items in a list, tuple or string
MAX_INT = 1 << 64


class Refused(Exception):
    """The code does something this exercise does not allow (or too much of it)."""

    def __init__(self, zh: str, en: str, line: int | None = None, *, autograd: bool = False,
                 mistake: str | None = None):
        self.zh, self.en, self.line, self.autograd = zh, en, line, autograd
        self.mistake = mistake  # the catalogue's key when the refusal names a known mistake
        where = f" (line {line})" if line else ""
        super().__init__(f"{en}{where}")


class _Return(BaseException):  # control flow; BaseException, so no student code can catch it
    def __init__(self, value):
        self.value = value


class _Break(BaseException):
    pass


class _Continue(BaseException):
    pass


# ---------------------------------------------------------------- what exists for the code

_AUTOGRAD_TENSOR = {"backward", "requires_grad_", "retain_grad", "grad"}
_NEVER_TENSOR = {  # capabilities beyond tensor math: memory, hooks, graph nodes, other devices
    "storage", "untyped_storage", "data_ptr", "const_data_ptr", "storage_type",
    "register_hook", "register_post_accumulate_grad_hook", "grad_fn", "output_nr", "retains_grad",
    "numpy", "apply_", "map_", "map2_", "set_", "resize_", "resize_as_", "share_memory_",
    "pin_memory", "record_stream", "cuda", "mps", "xpu", "ipu", "as_subclass", "grad_dtype",
    "volatile", "name", "names", "rename", "rename_", "refine_names", "align_to", "align_as",
    "new", "module_load", "dim_order", "tolist_", "to_sparse", "to_sparse_csr", "to_sparse_csc",
    "to_sparse_bsr", "to_sparse_bsc", "to_mkldnn", "is_shared", "is_pinned", "bincount",
}
_NEVER_TORCH = {
    "bincount", "save", "load", "from_file", "frombuffer", "compile", "export",
    "cond", "fork", "wait", "vmap", "seed", "set_rng_state", "get_rng_state",
}
_FACTORIES = {
    "tensor", "as_tensor", "scalar_tensor", "zeros", "ones", "full", "empty", "eye", "arange",
    "linspace", "logspace", "tril_indices", "triu_indices", "rand", "randn", "randint",
    "zeros_like", "ones_like", "full_like", "empty_like", "rand_like", "randn_like",
    "randint_like",
}
_TORCH_VALUES = {"finfo", "iinfo", "promote_types", "result_type", "can_cast", "is_tensor",
                 "is_floating_point", "is_grad_enabled", "broadcast_shapes",
                 "get_default_dtype", "no_grad", "inference_mode", "Tensor", "Size",
                 "from_numpy", "Generator"}  # from_numpy: only on arrays a test passes (the code cannot make one)
_AUTOGRAD_TORCH = {"enable_grad", "set_grad_enabled"}
_DATA_DEPENDENT = {"item", "tolist", "nonzero", "argwhere", "masked_select", "unique",
                   "unique_consecutive", "equal", "allclose", "__getitem__", "__bool__",
                   "__float__", "__int__", "__index__", "__len__", "__contains__"}


def _public_overridable():
    """{namespace: {name: function}} of the operations PyTorch lets __torch_function__ override."""
    found = {}
    for namespace, functions in torch.overrides.get_overridable_functions().items():
        names = found.setdefault(namespace, {})
        for function in functions:
            name = getattr(function, "__name__", None)
            if name and not name.startswith("_"):
                names[name] = function
    return found


_OVERRIDABLE = _public_overridable()
_TENSOR_NAMES = {name for name in dir(torch.Tensor) if not name.startswith("_")} & (
    set(_OVERRIDABLE.get(torch.Tensor, {})) | {
        "shape", "dtype", "device", "ndim", "T", "mT", "H", "mH", "real", "imag", "is_leaf",
        "requires_grad", "grad", "data", "layout", "itemsize", "nbytes", "is_cuda", "is_cpu",
        "is_mps", "is_meta", "stride", "storage_offset"})  # layout numbers, not addresses
_TENSOR_NAMES -= _NEVER_TENSOR
_TENSOR_PROPERTIES = {name for name in _TENSOR_NAMES if not callable(getattr(torch.Tensor, name))}


class Module:
    """What the code sees of a module: a fixed table of members."""

    def __init__(self, name: str, members: dict):
        self.name, self.members = name, members

    def __repr__(self):
        return f"<module {self.name} (restricted)>"


def _math_module() -> Module:
    members = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    for name in ("factorial", "comb", "perm", "prod", "fsum", "lcm", "gcd", "isqrt", "sumprod"):
        members.pop(name, None)  # unbounded in time or iterate over anything
    return Module("math", members)


def _torch_modules(autograd: bool) -> dict[str, Module]:
    def table(namespace, extra=()):
        members = {n: f for n, f in _OVERRIDABLE.get(namespace, {}).items() if n not in _NEVER_TORCH}
        members.update({n: getattr(torch, n) for n in extra if hasattr(torch, n)})
        return members

    torch_members = table(torch, _FACTORIES | _TORCH_VALUES | (_AUTOGRAD_TORCH if autograd else set()))
    torch_members.update(table(torch.functional))
    torch_members.update({name: value for name, value in vars(torch).items()
                          if isinstance(value, torch.dtype) or name in ("pi", "e", "inf", "nan")})
    random = Module("torch.random", {"fork_rng": ForkRng, "manual_seed": manual_seed})
    torch_members.update(random=random, manual_seed=manual_seed)
    functional = Module("torch.nn.functional", table(torch.nn.functional))
    modules = {
        "torch.nn.functional": functional,
        "torch.nn": Module("torch.nn", {"functional": functional}),
        "torch.linalg": Module("torch.linalg", table(torch.linalg)),
        "torch.special": Module("torch.special", table(torch.special)),
        "torch.fft": Module("torch.fft", table(torch.fft)),
    }
    autograd_members = {"Function": torch.autograd.Function,
                        "function": Module("torch.autograd.function",
                                           {"Function": torch.autograd.Function,
                                            "once_differentiable": once_differentiable})}
    if autograd:
        autograd_members.update(grad=torch.autograd.grad, backward=torch.autograd.backward)
        modules["torch.optim"] = Module("torch.optim", {"SGD": torch.optim.SGD})
    modules["torch.random"] = random
    modules["torch.autograd.function"] = autograd_members["function"]
    modules["torch.autograd"] = Module("torch.autograd", autograd_members)
    torch_members.update(nn=modules["torch.nn"], linalg=modules["torch.linalg"],
                         special=modules["torch.special"], fft=modules["torch.fft"],
                         autograd=modules["torch.autograd"])
    if autograd:
        torch_members["optim"] = modules["torch.optim"]
    modules["torch"] = Module("torch", torch_members)
    modules["math"] = _math_module()
    return modules


# torch's autograd, named as the code would name it, for the message when it is not allowed
_AUTOGRAD_NAMES = {"backward", "requires_grad_", "retain_grad", "grad", "enable_grad",
                   "set_grad_enabled", "autograd", "func", "requires_grad", "optim", "vjp", "jvp",
                   "jacrev", "jacfwd", "hessian", "functional"}

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow, ast.MatMult: operator.matmul, ast.BitAnd: operator.and_,
           ast.BitOr: operator.or_, ast.BitXor: operator.xor, ast.LShift: operator.lshift,
           ast.RShift: operator.rshift}
_INPLACE = {ast.Add: operator.iadd, ast.Sub: operator.isub, ast.Mult: operator.imul,
            ast.Div: operator.itruediv, ast.FloorDiv: operator.ifloordiv, ast.Mod: operator.imod,
            ast.Pow: operator.ipow, ast.MatMult: operator.imatmul, ast.BitAnd: operator.iand,
            ast.BitOr: operator.ior, ast.BitXor: operator.ixor}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Invert: operator.invert,
          ast.Not: operator.not_}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
            ast.IsNot: operator.is_not, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b}

_ERRORS = {name: getattr(builtins, name) for name in (
    "NotImplementedError", "ValueError", "TypeError", "RuntimeError", "AssertionError",
    "IndexError", "KeyError", "ZeroDivisionError", "ArithmeticError", "Exception")}
_PLAIN = (type(None), bool, int, float, complex, str, slice, type(Ellipsis), torch.dtype,
          torch.device, torch.Size, torch.finfo, torch.iinfo, torch.layout, torch.memory_format)


# ---------------------------------------------------------------- the student's definitions


class WrittenFunction:
    """A ``def`` or ``lambda`` of the student's, run by the interpreter when called."""

    def __init__(self, interpreter, node, scope, defaults, kw_defaults):
        self.interpreter, self.node, self.scope = interpreter, node, scope
        self.defaults, self.kw_defaults = defaults, kw_defaults
        self.__name__ = getattr(node, "name", "<lambda>")

    def __call__(self, *args, **kwargs):
        return self.interpreter.run_function(self, args, kwargs)

    def __repr__(self):
        return f"<function {self.__name__} (as written)>"


_CTX_API = {"save_for_backward", "saved_tensors", "needs_input_grad", "mark_dirty",
            "mark_non_differentiable", "set_materialize_grads"}


# ---------------------------------------------------------------- the interpreter


class Interpreter:
    """Runs the definitions in ``sources`` (the student's cells, oldest first; a later
    definition of a name replaces an earlier one, as running the cells would)."""

    def __init__(self, sources: list[str], *, autograd: bool, grad_off: bool = False,
                 deadline: float | None = None, quiet: bool = True, refuse: dict | None = None):
        self.autograd, self.grad_off = autograd, grad_off
        # {torch function or tensor method, or "loop" (for, while, comprehensions), or
        # "global_seed" (torch.manual_seed outside fork_rng): the mistake key it is}
        self.refuse = dict(refuse or {})
        self.deadline, self.quiet = deadline, quiet
        self.modules = _torch_modules(autograd)
        self.torch_members = {id(member): member for module in self.modules.values()
                              for member in module.members.values() if not isinstance(member, Module)}
        self.globals: dict[str, object] = {}
        self.pending: dict[str, ast.AST] = {}  # top-level assignments, evaluated when first read
        self.depth = 0
        self.steps = self.work = 0
        self.forked = 0  # how many fork_rng blocks the code is in
        for source in sources:
            self.load(source)

    # ------------------------------------------------------------ loading the cells

    def load(self, source: str) -> None:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            return  # the cell fails when run, so it defines nothing
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)):
                self.pending[self._bound_names(node)[0]] = node
                for extra in self._bound_names(node)[1:]:
                    self.pending[extra] = node
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1
                  and isinstance(node.targets[0], ast.Name)):
                self.pending[node.targets[0].id] = node

    @staticmethod
    def _bound_names(node) -> list[str]:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            return [node.name]
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]

    def lookup(self, name: str, line=None):
        """A top-level name: the student's definition, an import, or a builtin."""
        if name in self.globals:
            return self.globals[name]
        node = self.pending.pop(name, None)
        if node is not None:
            self.globals[name] = None  # a definition that reads itself sees nothing yet
            try:
                self.globals[name] = self._define(name, node)
            except BaseException as error:
                del self.globals[name]
                self.pending[name] = node
                if isinstance(error, Refused) and isinstance(node, ast.Assign) and line is not None:
                    raise _global_refused(name, error, line) from None  # said where the code reads it
                raise
            return self.globals[name]
        if name in _BUILTINS:
            value = _BUILTINS[name]
            return value(self) if isinstance(value, type) and issubclass(value, _Builtin) else value
        if name in _ERRORS:
            return _ERRORS[name]
        raise NameError(f"name '{name}' is not defined", name=name)

    def _define(self, name, node):
        if isinstance(node, ast.FunctionDef):
            return self.function_def(node, scope=None)
        if isinstance(node, ast.ClassDef):
            return self.class_def(node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self.imported(name, node)
        return self.eval(node.value, None)

    def imported(self, name, node):
        for alias in node.names:
            bound = (alias.asname or alias.name).split(".")[0]
            if bound != name:
                continue
            if isinstance(node, ast.ImportFrom):
                module = self.modules.get(node.module or "")
                if module is not None and alias.name in module.members:
                    return module.members[alias.name]
                if module is not None and f"{node.module}.{alias.name}" in self.modules:
                    return self.modules[f"{node.module}.{alias.name}"]
                what = f"{node.module}.{alias.name}"
            else:
                wanted = alias.name if alias.asname else alias.name.split(".")[0]
                if wanted in self.modules:
                    return self.modules[wanted]
                what = alias.name
            return _Missing(what)
        raise NameError(name)

    # ------------------------------------------------------------ calling written functions

    def run_function(self, function: WrittenFunction, args, kwargs):
        """Call a written function: a top-level call starts the budget and the grad mode."""
        top = self.depth == 0
        if top:
            self.steps = self.work = 0
        if self.depth >= MAX_DEPTH:
            raise Refused("函数调用嵌套得太深（递归太多层）。", "The calls nest too deeply (too much recursion).",
                          function.node.lineno)
        self.depth += 1
        grad_mode = torch.is_grad_enabled()  # the code may switch it; the checks need theirs back
        try:
            if top and self.grad_off:
                with torch.no_grad():
                    result = self._run(function, args, kwargs)
            else:
                result = self._run(function, args, kwargs)
            if top:
                self.check_result(result, function.node)
            return result
        finally:
            self.depth -= 1
            torch.set_grad_enabled(grad_mode)

    def _run(self, function, args, kwargs):
        frame = Frame(function.scope)
        self.bind(function, frame, args, kwargs)
        node = function.node
        if isinstance(node, ast.Lambda):
            return self.eval(node.body, frame)
        try:
            self.block(node.body, frame)
        except _Return as returned:
            return returned.value
        return None

    def bind(self, function, frame, args, kwargs):
        spec = function.node.args
        if spec.posonlyargs or spec.kwarg:
            raise Refused("这里不支持仅限位置的参数和 **kwargs。", "Positional-only parameters and **kwargs "
                          "are not supported here.", function.node.lineno)
        names = [a.arg for a in spec.args]
        if len(args) > len(names) and spec.vararg is None:
            raise TypeError(f"{function.__name__}() takes {len(names)} positional arguments but "
                            f"{len(args)} were given")
        values = dict(zip(names, args))
        for name, value in kwargs.items():
            if name in values or (name not in names and name not in [a.arg for a in spec.kwonlyargs]):
                raise TypeError(f"{function.__name__}() got an unexpected or repeated argument '{name}'")
            values[name] = value
        first_default = len(names) - len(function.defaults)
        for i, name in enumerate(names):
            if name not in values:
                if i < first_default:
                    raise TypeError(f"{function.__name__}() missing required argument: '{name}'")
                values[name] = function.defaults[i - first_default]
        for arg, default in zip(spec.kwonlyargs, function.kw_defaults):
            if arg.arg not in values:
                if default is _NO_DEFAULT:
                    raise TypeError(f"{function.__name__}() missing keyword argument: '{arg.arg}'")
                values[arg.arg] = default
        if spec.vararg is not None:
            values[spec.vararg.arg] = tuple(args[len(names):])
        frame.locals.update(values)

    def function_def(self, node, scope, *, decorated=False):
        for decorator in getattr(node, "decorator_list", []) if not decorated else []:
            raise Refused("这里的函数不能加装饰器。", "Functions here take no decorators.", decorator.lineno)
        defaults = [self.eval(d, scope) for d in node.args.defaults]
        kw_defaults = [_NO_DEFAULT if d is None else self.eval(d, scope) for d in node.args.kw_defaults]
        return WrittenFunction(self, node, scope, defaults, kw_defaults)

    # ------------------------------------------------------------ Function classes

    def class_def(self, node):
        """``class Name(Function)`` with static forward/backward (and optional setup_context),
        built as a real Function whose methods run here."""
        line = node.lineno
        if len(node.bases) != 1 or node.keywords or self.eval(node.bases[0], None) is not torch.autograd.Function:
            raise Refused("这里只能定义 torch.autograd.Function 的子类。",
                          "The only classes allowed here are subclasses of torch.autograd.Function.", line)
        attributes = {}
        for item in node.body:
            if isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant):
                continue  # a docstring
            if isinstance(item, ast.Pass):
                continue
            if not isinstance(item, ast.FunctionDef):
                raise Refused("Function 类的类体里只能写静态方法（forward、backward、setup_context）。",
                              "A Function class body holds only static methods (forward, backward, "
                              "setup_context).", item.lineno)
            attributes[item.name] = self.method(item)
        if "forward" not in attributes:
            raise Refused(f"{node.name} 没有定义 forward。", f"{node.name} defines no forward.", line)
        cls = type(node.name, (torch.autograd.Function,), attributes)
        cls.__module__ = "written"
        return cls

    def method(self, node):
        static, once = False, False
        for decorator in node.decorator_list:
            value = self.eval(decorator, None)
            if value is staticmethod:
                static = True
            elif value is once_differentiable:
                once = True
            else:
                raise Refused("Function 的方法只能用 @staticmethod 和 @once_differentiable 装饰。",
                              "A Function's methods take only @staticmethod and @once_differentiable.",
                              decorator.lineno)
        if not static or node.name not in ("forward", "backward", "setup_context", "vjp", "jvp"):
            raise Refused(f"{node.name} 应该是 forward、backward 或 setup_context，并且加上 @staticmethod。",
                          f"{node.name} should be forward, backward or setup_context, marked @staticmethod.",
                          node.lineno)
        written = self.function_def(node, scope=None, decorated=True)

        def run(*args):
            return self.run_function(written, args, {})

        run.__name__ = node.name
        return staticmethod(once_differentiable(run) if once else run)

    # ------------------------------------------------------------ statements

    def tick(self, node):
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise Refused("代码执行的步数太多（循环太长？）。", "The code takes too many steps (a loop that "
                          "runs too long?).", getattr(node, "lineno", None))
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise Refused("代码运行超时了。", "The code ran out of time.", getattr(node, "lineno", None))

    def block(self, statements, frame):
        for statement in statements:
            self.statement(statement, frame)

    def statement(self, node, frame):
        self.tick(node)
        handler = getattr(self, "do_" + type(node).__name__, None)
        if handler is None:
            raise Refused(f"这里不支持这种语句（{type(node).__name__}）。",
                          f"This kind of statement ({type(node).__name__}) is not supported here.",
                          node.lineno)
        try:
            handler(node, frame)
        except (Refused, _Return, _Break, _Continue):
            raise
        except Exception as error:
            _mark(error, node)
            raise

    def do_Expr(self, node, frame):
        self.eval(node.value, frame)

    def do_Pass(self, node, frame):
        pass

    def do_Return(self, node, frame):
        raise _Return(None if node.value is None else self.eval(node.value, frame))

    def do_Break(self, node, frame):
        raise _Break()

    def do_Continue(self, node, frame):
        raise _Continue()

    def do_FunctionDef(self, node, frame):
        frame.locals[node.name] = self.function_def(node, frame)

    def do_Import(self, node, frame):
        for alias in node.names:
            name = (alias.asname or alias.name).split(".")[0]
            frame.locals[name] = self.imported(name, node)

    do_ImportFrom = do_Import

    def do_Assign(self, node, frame):
        value = self.eval(node.value, frame)
        for target in node.targets:
            self.assign(target, value, frame)

    def do_AnnAssign(self, node, frame):
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, frame), frame)

    def do_AugAssign(self, node, frame):
        op = _INPLACE.get(type(node.op))
        if op is None:
            raise Refused("这里不支持这种复合赋值。", "This augmented assignment is not supported here.", node.lineno)
        current = self.eval(_as_load(node.target), frame)
        value = self.eval(node.value, frame)
        self.assign(node.target, self.apply_operator(op, (current, value), node), frame)

    def do_If(self, node, frame):
        self.block(node.body if self.truth(self.eval(node.test, frame), node) else node.orelse, frame)

    def do_For(self, node, frame):
        self.no_loop(node)
        for item in self.iterate(self.eval(node.iter, frame), node):
            self.assign(node.target, item, frame)
            if not self.loop_body(node, frame):
                return
        self.block(node.orelse, frame)

    def do_While(self, node, frame):
        self.no_loop(node)
        while self.truth(self.eval(node.test, frame), node):
            if not self.loop_body(node, frame):
                return
        self.block(node.orelse, frame)

    def loop_body(self, node, frame) -> bool:
        """One pass through a loop's body; False when it breaks out of the loop."""
        self.tick(node)
        try:
            self.block(node.body, frame)
        except _Break:
            return False
        except _Continue:
            pass
        return True

    def do_With(self, node, frame):
        managers = []
        for item in node.items:
            manager = self.eval(item.context_expr, frame)
            if isinstance(manager, ForkRng):
                manager = self.forked_rng(manager.enabled)
            elif not isinstance(manager, (torch.no_grad, torch.enable_grad, torch.set_grad_enabled,
                                          torch.inference_mode)):
                raise Refused("with 后面只能是 torch.no_grad() 这一类梯度模式，或 torch.random.fork_rng()。",
                              "with takes only grad modes such as torch.no_grad(), or "
                              "torch.random.fork_rng(), here.", node.lineno)
            managers.append((manager, item.optional_vars))
        self._with(managers, node.body, frame)

    @contextlib.contextmanager
    def forked_rng(self, enabled):
        """fork_rng for the code: the global CPU generator's state comes back on exit."""
        if not enabled:
            yield
            return
        state = torch.get_rng_state()
        self.forked += 1
        try:
            yield
        finally:
            self.forked -= 1
            torch.set_rng_state(state)

    def no_loop(self, node):
        if "loop" in self.refuse:
            raise Refused("这道题不能用 Python 循环（for、while 或推导式）。",
                          "This exercise does not allow Python loops (for, while or comprehensions).",
                          getattr(node, "lineno", None), mistake=self.refuse["loop"])

    def _with(self, managers, body, frame):
        if not managers:
            self.block(body, frame)
            return
        (manager, target), rest = managers[0], managers[1:]
        with manager as value:
            if target is not None:
                self.assign(target, value, frame)
            self._with(rest, body, frame)

    def do_Raise(self, node, frame):
        error = self.eval(node.exc, frame) if node.exc is not None else RuntimeError("re-raised")
        if isinstance(error, type) and error in _ERRORS.values():
            error = error()
        if not isinstance(error, tuple(_ERRORS.values())):
            raise Refused("raise 后面只能是内置的异常。", "raise takes a built-in exception here.", node.lineno)
        raise error

    def do_Assert(self, node, frame):
        if not self.truth(self.eval(node.test, frame), node):
            message = self.eval(node.msg, frame) if node.msg is not None else ""
            raise AssertionError(str(message)[:1000])

    def do_Delete(self, node, frame):
        for target in node.targets:
            if not isinstance(target, ast.Name) or frame is None or target.id not in frame.locals:
                raise Refused("del 只能删除局部变量。", "del removes local variables only.", node.lineno)
            del frame.locals[target.id]

    # ------------------------------------------------------------ assignment

    def assign(self, target, value, frame):
        if isinstance(target, ast.Name):
            if frame is None:
                raise Refused("这里不能给全局变量赋值。", "Global variables cannot be assigned here.", target.lineno)
            frame.locals[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(self.iterate(value, target))
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if not starred and len(items) != len(target.elts):
                raise ValueError(f"cannot unpack {len(items)} values into {len(target.elts)} names")
            if starred:
                i = starred[0]
                after = len(target.elts) - i - 1
                if len(items) < len(target.elts) - 1:
                    raise ValueError(f"not enough values to unpack ({len(items)})")
                items = items[:i] + [list(items[i:len(items) - after])] + items[len(items) - after:]
            for element, item in zip(target.elts, items):
                self.assign(element.value if isinstance(element, ast.Starred) else element, item, frame)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            if isinstance(container, torch.Tensor):
                self.tensor_call(operator.setitem, "__setitem__", (container, key, value), {}, target)
            elif isinstance(container, (list, dict)):
                self.check_value(key, target)
                container[key] = value
            else:
                raise Refused(f"不能给 {type(container).__name__} 的元素赋值。",
                              f"Items of a {type(container).__name__} cannot be assigned.", target.lineno)
        elif isinstance(target, ast.Attribute):
            self.set_attribute(self.eval(target.value, frame), target.attr, value, target)
        else:
            raise Refused("这里不支持这种赋值。", "This kind of assignment is not supported here.", target.lineno)

    def set_attribute(self, obj, name, value, node):
        if name.startswith("_"):
            raise _underscore(name, node)
        if isinstance(obj, FunctionCtx) and name not in _CTX_API:
            setattr(obj, name, value)
            return
        if isinstance(obj, torch.Tensor) and name in ("grad", "requires_grad", "data"):
            if not self.autograd and name != "data":
                raise self.no_autograd(name, node)
            setattr(obj, name, value)
            return
        raise Refused(f"不能给 {type(obj).__name__} 设置属性 {name}。",
                      f"The attribute {name} of a {type(obj).__name__} cannot be set.", node.lineno)

    # ------------------------------------------------------------ expressions

    def eval(self, node, frame):
        handler = getattr(self, "ev_" + type(node).__name__, None)
        if handler is None:
            raise Refused(f"这里不支持这种表达式（{type(node).__name__}）。",
                          f"This kind of expression ({type(node).__name__}) is not supported here.",
                          getattr(node, "lineno", None))
        return handler(node, frame)

    def ev_Constant(self, node, frame):
        if isinstance(node.value, bytes):
            raise Refused("这里不支持 bytes。", "bytes are not supported here.", node.lineno)
        return node.value

    def ev_Name(self, node, frame):
        scope = frame
        while scope is not None:
            if node.id in scope.locals:
                return scope.locals[node.id]
            scope = scope.parent
        return self.lookup(node.id, node.lineno)

    def ev_Tuple(self, node, frame):
        return tuple(self.elements(node.elts, frame))

    def ev_List(self, node, frame):
        return list(self.elements(node.elts, frame))

    def ev_Set(self, node, frame):
        return set(self.elements(node.elts, frame))

    def ev_Dict(self, node, frame):
        if any(key is None for key in node.keys):
            raise Refused("这里不支持 ** 展开字典。", "** unpacking of a dict is not supported here.", node.lineno)
        return {self.eval(k, frame): self.eval(v, frame) for k, v in zip(node.keys, node.values)}

    def elements(self, nodes, frame):
        items = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                items.extend(self.iterate(self.eval(node.value, frame), node))
            else:
                items.append(self.eval(node, frame))
            if len(items) > MAX_SEQUENCE:
                raise _too_long(node)
        return items

    def ev_Slice(self, node, frame):
        part = lambda n: None if n is None else self.eval(n, frame)  # noqa: E731
        return slice(part(node.lower), part(node.upper), part(node.step))

    def ev_BinOp(self, node, frame):
        left, right = self.eval(node.left, frame), self.eval(node.right, frame)
        return self.apply_operator(_BINARY[type(node.op)], (left, right), node)

    def ev_UnaryOp(self, node, frame):
        operand = self.eval(node.operand, frame)
        if isinstance(node.op, ast.Not):
            return not self.truth(operand, node)
        return self.apply_operator(_UNARY[type(node.op)], (operand,), node)

    def ev_BoolOp(self, node, frame):
        value = None
        for item in node.values:
            value = self.eval(item, frame)
            truth = self.truth(value, node)
            if isinstance(node.op, ast.And) and not truth or isinstance(node.op, ast.Or) and truth:
                return value
        return value

    def ev_Compare(self, node, frame):
        left = self.eval(node.left, frame)
        result = True
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node, frame)
            result = self.apply_operator(_COMPARE[type(op)], (left, right), node)
            if not (isinstance(result, torch.Tensor) or self.truth(result, node)):
                return result
            left = right
        return result

    def ev_IfExp(self, node, frame):
        return self.eval(node.body if self.truth(self.eval(node.test, frame), node) else node.orelse, frame)

    def ev_NamedExpr(self, node, frame):
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def ev_Lambda(self, node, frame):
        return self.function_def(node, frame)

    def ev_JoinedStr(self, node, frame):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(value.value)
                continue
            if value.format_spec is not None:
                spec = self.eval(value.format_spec, frame)
                if any(int(width) > 100 for width in re.findall(r"\d+", spec)):
                    raise _too_long(node)
                parts.append(format(self.eval(value.value, frame), spec))
            else:
                parts.append(str(self.eval(value.value, frame)))
            if sum(map(len, parts)) > MAX_SEQUENCE:
                raise _too_long(node)
        return "".join(parts)

    def ev_Subscript(self, node, frame):
        value, key = self.eval(node.value, frame), self.eval(node.slice, frame)
        if isinstance(value, torch.Tensor):
            return self.tensor_call(operator.getitem, "__getitem__", (value, key), {}, node)
        self.check_value(value, node)
        return value[key]

    def ev_Starred(self, node, frame):
        raise Refused("这里不能用 * 展开。", "* unpacking is not allowed here.", node.lineno)

    def ev_ListComp(self, node, frame):
        return list(self.comprehension(node, frame, lambda f: self.eval(node.elt, f)))

    def ev_GeneratorExp(self, node, frame):
        return self.ev_ListComp(node, frame)  # evaluated at once: bounded, and simpler

    def ev_SetComp(self, node, frame):
        return set(self.comprehension(node, frame, lambda f: self.eval(node.elt, f)))

    def ev_DictComp(self, node, frame):
        return dict(self.comprehension(node, frame, lambda f: (self.eval(node.key, f), self.eval(node.value, f))))

    def comprehension(self, node, frame, element):
        self.no_loop(node)
        results = []

        def loop(generators, scope):
            if not generators:
                results.append(element(scope))
                if len(results) > MAX_SEQUENCE:
                    raise _too_long(node)
                return
            generator, rest = generators[0], generators[1:]
            for item in self.iterate(self.eval(generator.iter, scope), node):
                self.tick(node)
                self.assign(generator.target, item, scope)
                if all(self.truth(self.eval(test, scope), node) for test in generator.ifs):
                    loop(rest, scope)

        loop(node.generators, Frame(frame))
        return results

    def ev_Attribute(self, node, frame):
        return self.get_attribute(self.eval(node.value, frame), node.attr, node)

    def ev_Call(self, node, frame):
        function = self.eval(node.func, frame)
        args = self.elements(node.args, frame)
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise Refused("这里不支持 ** 展开参数。", "** unpacking of arguments is not supported here.",
                              node.lineno)
            kwargs[keyword.arg] = self.eval(keyword.value, frame)
        return self.call(function, args, kwargs, node)

    # ------------------------------------------------------------ attributes and calls

    def get_attribute(self, obj, name, node):
        if name.startswith("_"):
            raise _underscore(name, node)
        if isinstance(obj, Module):
            if name in obj.members:
                return obj.members[name]
            if not self.autograd and name in _AUTOGRAD_NAMES:
                raise self.no_autograd(f"{obj.name}.{name}", node)
            raise Refused(f"这里不能用 {obj.name}.{name}。", f"{obj.name}.{name} is not available here.",
                          node.lineno)
        if isinstance(obj, _Missing):
            raise obj.refused(node)
        if isinstance(obj, torch.Tensor):
            if name in _AUTOGRAD_TENSOR and not self.autograd:
                raise self.no_autograd(name, node)
            if name not in _TENSOR_NAMES:
                raise Refused(f"这里不能用张量的 .{name}。", f"The tensor attribute .{name} is not available "
                              "here.", node.lineno)
            if name in _TENSOR_PROPERTIES:
                return self.tensor_call(getattr, name, (obj, name), {}, node)
            return BoundOp(obj, name)
        if isinstance(obj, FunctionCtx):
            if name in _CTX_API or name in vars(obj):
                return getattr(obj, name)
            raise AttributeError(f"ctx has no attribute '{name}'")
        if isinstance(obj, type) and issubclass(obj, torch.autograd.Function) and obj is not torch.autograd.Function:
            if name == "apply":
                return obj.apply
            raise Refused(f"这里只能用 {obj.__name__}.apply。", f"Only {obj.__name__}.apply is available here.",
                          node.lineno, mistake="forward_called_directly")
        if isinstance(obj, _Optimizer) and name in ("step", "zero_grad"):
            return ValueMethod(obj, getattr(obj.optimizer, name))
        allowed = _VALUE_ATTRIBUTES.get(type(obj))
        if allowed is None and type(obj).__module__ == "torch.return_types":
            allowed = {field for field in dir(obj) if not field.startswith("_")}
        if allowed is not None and name in allowed:
            value = getattr(obj, name)
            return ValueMethod(obj, value) if callable(value) else value
        if type(obj).__module__ == "numpy":
            raise _numpy_refused(node)
        if isinstance(obj, (type(None), bool, int, float, complex, str)) and not hasattr(obj, name):
            # what Python itself says (a number has no .requires_grad), not a rule of the checks
            raise AttributeError(f"'{type(obj).__name__}' object has no attribute '{name}'")
        raise Refused(f"这里不能用 {type(obj).__name__} 的 .{name}。",
                      f"The attribute .{name} of a {type(obj).__name__} is not available here.", node.lineno)

    def call(self, function, args, kwargs, node):
        self.tick(node)
        if isinstance(function, WrittenFunction):
            return function(*args, **kwargs)
        if isinstance(function, BoundOp):  # unbound, so that the meta try gets a meta tensor
            self.not_refused(f".{function.name}()", function.name, node)
            return self.tensor_call(getattr(torch.Tensor, function.name), function.name,
                                    (function.tensor, *args), kwargs, node)
        if isinstance(function, ValueMethod):
            return function(self, node, *args, **kwargs)
        if isinstance(function, _Builtin):
            return function(*args, **kwargs)
        if isinstance(function, type) and issubclass(function, torch.autograd.Function):
            raise Refused(f"Function 不是这样调用的：用 {function.__name__}.apply(...)。",
                          f"A Function is not called like this: use {function.__name__}.apply(...).",
                          node.lineno, mistake="forward_called_directly")
        if function in _ERRORS.values():
            return function(*[str(a)[:1000] for a in args])
        if any(function is plain for plain in _PLAIN_BUILTINS):
            result = function(*args, **kwargs)
            self.check_value(result, node)
            return result
        if getattr(function, "__self__", None) is not None and isinstance(function.__self__, FunctionCtx):
            return self.ctx_call(function, args, kwargs, node)
        if _is_apply(function):
            return function(*args, **kwargs)
        if function is manual_seed and not self.forked:
            raise Refused("torch.manual_seed 会改掉整个程序共用的全局随机数流；这里只能在 "
                          "with torch.random.fork_rng(devices=[]): 里面用它（退出时状态会恢复），"
                          "或者改用你自己的 torch.Generator。",
                          "torch.manual_seed changes the global random stream the whole program "
                          "shares; here it may be used only inside with torch.random.fork_rng("
                          "devices=[]): (which puts the state back on exit), or use a "
                          "torch.Generator of your own.", node.lineno, mistake=self.refuse.get("global_seed"))
        if function is torch.optim.SGD and self.autograd:
            return _Optimizer(torch.optim.SGD(*args, **kwargs))
        if self.is_torch(function):
            name = getattr(function, "__name__", "")
            self.not_refused(f"torch.{name}", name, node)
            if not self.autograd and kwargs.get("requires_grad"):
                raise self.no_autograd("requires_grad=True", node)
            if not isinstance(kwargs.get("generator"), (torch.Generator, type(None))):
                raise Refused("generator= 只能是一个 torch.Generator。", "generator= takes a torch.Generator "
                              "only.", node.lineno)
            return self.tensor_call(function, name, tuple(args), kwargs, node)
        if isinstance(function, _Missing):
            raise function.refused(node)
        if isinstance(function, Module):
            raise Refused(f"{function.name} 是模块，不能调用。", f"{function.name} is a module and cannot be "
                          "called.", node.lineno)
        raise Refused(f"这里不能调用 {getattr(function, '__name__', type(function).__name__)}。",
                      f"{getattr(function, '__name__', type(function).__name__)} cannot be called here.",
                      node.lineno)

    def not_refused(self, spelled, name, node):
        """A function this exercise refuses (``refuse``) is that exercise's mistake."""
        if name in self.refuse:
            raise Refused(f"这道题不能用 {spelled}。", f"This exercise does not allow {spelled}.",
                          node.lineno, mistake=self.refuse[name])

    def is_torch(self, value) -> bool:
        return self.torch_members.get(id(value)) is value

    def ctx_call(self, method, args, kwargs, node):
        name = method.__name__
        if name not in _CTX_API:
            raise Refused(f"这里不能用 ctx.{name}。", f"ctx.{name} is not available here.", node.lineno)
        return method(*args, **kwargs)

    def tensor_call(self, function, name, args, kwargs, node):
        """A torch operation: tried on the meta device first, refused if it would be too big."""
        self.tick(node)
        factory = name in _FACTORIES or name.startswith("new_") or name == "combinations"
        meta = _to_meta((args, kwargs), factory) if factory or _bound((args, kwargs)) > MAX_ELEMENTS else None
        if meta is not None:
            try:
                with torch.no_grad():
                    shaped = function(*meta[0], **meta[1])
            except Exception:
                shaped = None  # data-dependent, or an error the real call will raise too
            self.count(shaped, node)
        result = function(*args, **kwargs)
        if meta is None or shaped is None:
            self.count(result, node)
        self.check_value(result, node)
        return result

    def apply_operator(self, op, operands, node):
        if any(isinstance(x, torch.Tensor) for x in operands):
            return self.tensor_call(op, op.__name__, operands, {}, node)
        for x in operands:
            self.check_value(x, node)
        if op in (operator.pow, operator.ipow) and all(isinstance(x, int) for x in operands):
            if abs(operands[1]) > 128 and abs(operands[0]) > 1:
                raise _too_big(node)
        if op in (operator.lshift,) and isinstance(operands[1], int) and operands[1] > 64:
            raise _too_big(node)
        if op in (operator.mul, operator.imul) and len(operands) == 2:
            sequence = next((x for x in operands if isinstance(x, (str, list, tuple))), None)
            count = next((x for x in operands if isinstance(x, int)), 0)
            if sequence is not None and len(sequence) * max(count, 0) > MAX_SEQUENCE:
                raise _too_long(node)
        result = op(*operands)
        self.check_value(result, node)
        return result

    def count(self, value, node):
        for tensor in _tensors(value):
            self.work += tensor.numel()
            if tensor.numel() > MAX_ELEMENTS or self.work > MAX_WORK:
                raise _too_big(node)

    def check_value(self, value, node, depth=0):
        """Only plain values, tensors and the interpreter's own objects exist for the code."""
        if type(value).__module__ == "numpy":
            raise _numpy_refused(node)
        if isinstance(value, _PLAIN) or isinstance(value, torch.Tensor):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
                raise _too_big(node)
            if isinstance(value, str) and len(value) > MAX_SEQUENCE:
                raise _too_long(node)
            return
        if isinstance(value, (tuple, list, set, dict)):
            if len(value) > MAX_SEQUENCE:
                raise _too_long(node)
            if depth < 3:
                for item in (list(value.items()) if isinstance(value, dict) else value):
                    self.check_value(item, node, depth + 1)
            return
        if isinstance(value, (WrittenFunction, BoundOp, ValueMethod, Module, FunctionCtx, range,
                              _Optimizer, _Missing, _Builtin, torch.Generator, ForkRng)) or _is_apply(value):
            return
        if isinstance(value, type) and issubclass(value, torch.autograd.Function):
            return
        if type(value).__module__ == "torch.return_types":
            return
        if isinstance(value, (torch.no_grad, torch.enable_grad, torch.set_grad_enabled, torch.inference_mode)):
            return
        if self.is_torch(value) or value in _ERRORS.values() or isinstance(value, BaseException):
            return
        raise Refused(f"这里不能用 {type(value).__name__} 类型的值。",
                      f"Values of type {type(value).__name__} are not available here.",
                      getattr(node, "lineno", None))

    def check_result(self, value, node):
        """What the code hands back to the checks: data and tensors only."""
        if isinstance(value, _Missing):
            raise value.refused(node)
        if isinstance(value, (tuple, list)):
            for item in value:
                self.check_result(item, node)
        elif not (isinstance(value, (*_PLAIN, torch.Tensor, dict))
                  or type(value).__module__ == "torch.return_types"):
            raise Refused(f"函数返回了 {type(value).__name__}：这里只能返回张量、数和它们组成的元组或列表。",
                          f"The function returned a {type(value).__name__}: only tensors, numbers and "
                          "tuples or lists of them can be returned here.", getattr(node, "lineno", None))

    def truth(self, value, node):
        if isinstance(value, torch.Tensor):
            return bool(self.tensor_call(bool, "__bool__", (value,), {}, node))
        return bool(value)

    def iterate(self, value, node):
        if isinstance(value, torch.Tensor):
            if value.dim() == 0:
                raise TypeError("iteration over a 0-d tensor")
            return [self.tensor_call(operator.getitem, "__getitem__", (value, i), {}, node)
                    for i in range(len(value))]
        if isinstance(value, (range, tuple, list, str, set, dict, torch.Size)) or type(value).__module__ == "torch.return_types":
            if len(value) > MAX_SEQUENCE:
                raise _too_long(node)
            return list(value)
        if isinstance(value, _Iterated):
            return value.items
        raise TypeError(f"'{type(value).__name__}' object is not iterable")

    def no_autograd(self, what, node):
        return Refused(f"这道题不能用自动求导（{what}）：梯度要你自己按公式算。",
                       f"This exercise does not allow autograd ({what}): compute the gradient with "
                       "a formula yourself.", getattr(node, "lineno", None), autograd=True)


class Frame:
    def __init__(self, parent):
        self.parent, self.locals = parent, {}


class BoundOp:
    """A tensor method read from a tensor, called through Interpreter.tensor_call."""

    def __init__(self, tensor, name):
        self.tensor, self.name = tensor, name


class _Missing:
    """An import of something the interpreter does not have; fails when used."""

    def __init__(self, what):
        self.what = what

    def refused(self, node):
        return Refused(f"这里不能用 {self.what}：只有 torch 和 math 的数学运算。",
                       f"{self.what} is not available here: only torch's and math's mathematics.",
                       getattr(node, "lineno", None))


class _Optimizer:
    """torch.optim.SGD for a training loop (autograd mode): step() and zero_grad() only."""

    def __init__(self, optimizer):
        self.optimizer = optimizer


class ValueMethod:
    """A method of a plain value (list.append, Size.numel, ...), or an optimizer's step."""

    def __init__(self, owner, bound):
        self.owner, self.bound = owner, bound

    def __call__(self, interpreter, node, *args, **kwargs):
        result = self.bound(*args, **kwargs)
        if isinstance(result, (type({}.items()), type({}.keys()), type({}.values()))):
            result = list(result)
        interpreter.check_value(self.owner, node)  # a list that grew too long
        interpreter.check_value(result, node)
        return result


class _Iterated:
    def __init__(self, items):
        self.items = items


_NO_DEFAULT = object()


def _as_load(target):
    copy = ast.parse(ast.unparse(target), mode="eval").body
    return ast.copy_location(copy, target)


def _is_apply(value) -> bool:
    owner = getattr(value, "__self__", None)
    return (getattr(value, "__name__", "") == "apply" and isinstance(owner, type)
            and issubclass(owner, torch.autograd.Function) and owner.__module__ == "written")


def _tensors(value):
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _tensors(item)


def _bound(value) -> float:
    """An upper bound on the elements an operation that is not a factory can make from these
    arguments: the product of its tensors' sizes and of its numbers (at least 1 each). Below
    MAX_ELEMENTS the try on the meta device (costly: it runs PyTorch's Python reference
    kernels) is skipped; count() still checks the result."""
    if isinstance(value, torch.Tensor):
        return max(1, value.numel())
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, (int, float)):
        return max(1.0, abs(value)) if math.isfinite(value) else math.inf
    if isinstance(value, (tuple, list)):
        return math.prod(_bound(item) for item in value)
    if isinstance(value, dict):
        return math.prod(_bound(item) for item in value.values())
    return 1


def _to_meta(value, factory):
    """The arguments with every tensor replaced by a meta tensor of its shape, or None when there
    is nothing to try on the meta device (no tensor and not a factory)."""
    found = [False]

    def convert(item):
        if isinstance(item, torch.Tensor):
            found[0] = True
            return torch.empty_strided(item.shape, item.stride(), dtype=item.dtype, device="meta")
        if isinstance(item, tuple) and not isinstance(item, torch.Size):
            return tuple(convert(i) for i in item)
        if isinstance(item, list):
            return [convert(i) for i in item]
        if isinstance(item, dict):
            return {k: convert(v) for k, v in item.items()}
        return item

    args, kwargs = convert(value)
    if factory:
        kwargs = {**kwargs, "device": "meta"}
        found[0] = True
    return (args, kwargs) if found[0] else None


def _mark(error, node):
    if getattr(error, "student_line", None) is None:
        try:
            error.student_line = node.lineno
        except Exception:  # an exception type that takes no attributes
            pass


def _underscore(name, node):
    return Refused(f"这里不能用以下划线开头的名字（{name}）。",
                   f"Names that start with an underscore ({name}) are not available here.",
                   getattr(node, "lineno", None))


def _global_refused(name, refused, line):
    return Refused(
        f"测试运行你的函数时，笔记本里的全局变量 {name} 在这里算不出来（{refused.zh.rstrip('。')}）。"
        "函数需要的东西请从参数里得到，例如新张量放在输入所在的设备上：device=t.device。",
        f"When the tests run your function, the notebook's global variable {name} cannot be computed "
        f"here ({refused.en.rstrip('.')}). Get what the function needs from its arguments; a new "
        "tensor, for example, goes on the device of an input: device=t.device.",
        line, autograd=refused.autograd, mistake=refused.mistake)


def _numpy_refused(node):
    return Refused("NumPy 的数组在这里只能交给 torch.tensor、torch.from_numpy 或 torch.as_tensor，"
                   "变成张量之后再处理。",
                   "A NumPy array can only be handed to torch.tensor, torch.from_numpy or "
                   "torch.as_tensor here; work on the tensor it becomes.", getattr(node, "lineno", None))


class ForkRng:
    """torch.random.fork_rng as the code sees it (the interpreter forks the CPU generator)."""

    def __init__(self, devices=None, enabled=True, device_type="cuda"):
        self.enabled = bool(enabled)


def manual_seed(seed):
    """torch.manual_seed as the code sees it: the CPU generator only, and only inside fork_rng
    (Interpreter.call); it returns nothing (not the process's default generator)."""
    torch.default_generator.manual_seed(int(seed))


def _too_big(node):
    return Refused("这一步会产生太大的张量或数。", "This step would make too large a tensor or number.",
                   getattr(node, "lineno", None))


def _too_long(node):
    return Refused("这一步会产生太长的序列或字符串。", "This step would make too long a sequence or string.",
                   getattr(node, "lineno", None))


# ---------------------------------------------------------------- builtins


class _Builtin:
    """A builtin that needs the interpreter (to bound what it iterates over)."""

    def __init__(self, function, interpreter=None):
        self.function, self.interpreter = function, interpreter
        self.__name__ = function.__name__

    def __call__(self, *args, **kwargs):
        return self.function(self.interpreter, *args, **kwargs)


def _builtin(function):
    class Bound(_Builtin):
        def __init__(self, interpreter):
            super().__init__(function, interpreter)

    Bound.__name__ = function.__name__
    return Bound


def _range(interpreter, *args):
    for arg in args:
        if not isinstance(arg, int) and not (isinstance(arg, torch.Tensor) and arg.dim() == 0):
            raise TypeError("range() takes integers")
    bounds = range(*(int(a) for a in args))
    if len(bounds) > MAX_SEQUENCE:
        raise _too_long(None)
    return bounds


def _print(interpreter, *args, **kwargs):
    if not interpreter.quiet:
        print(*args, **{k: v for k, v in kwargs.items() if k in ("sep", "end")})


def _isinstance(interpreter, value, kinds):
    allowed = (torch.Tensor, int, float, bool, str, tuple, list, dict, complex, type(None))
    for kind in kinds if isinstance(kinds, tuple) else (kinds,):
        if kind not in allowed and kind is not torch.nn.Parameter:
            raise Refused("isinstance 在这里只能判断张量和基本类型。",
                          "isinstance can test only for tensors and plain types here.")
    return isinstance(value, kinds)


def _sum(interpreter, iterable, start=0):
    total = start
    for item in interpreter.iterate(iterable, None):
        total = interpreter.apply_operator(operator.add, (total, item), None)
    return total


def _bounded(function):
    def run(interpreter, *args, **kwargs):
        if len(args) == 1 and not isinstance(args[0], (int, float)):
            args = (interpreter.iterate(args[0], None),)
        return function(*args, **kwargs)

    run.__name__ = function.__name__
    return run


def _zip(interpreter, *iterables):
    return _Iterated(list(zip(*(interpreter.iterate(i, None) for i in iterables))))


def _enumerate(interpreter, iterable, start=0):
    return _Iterated(list(enumerate(interpreter.iterate(iterable, None), start)))


def _reversed(interpreter, sequence):
    return _Iterated(list(reversed(interpreter.iterate(sequence, None))))


_PLAIN_BUILTINS = (len, abs, float, int, bool, round, str, divmod, slice)
_BUILTINS = {
    **{function.__name__: function for function in _PLAIN_BUILTINS}, "staticmethod": staticmethod,
    "True": True, "False": False, "None": None, "Ellipsis": Ellipsis,
    "range": _builtin(_range), "print": _builtin(_print), "isinstance": _builtin(_isinstance),
    "zip": _builtin(_zip), "enumerate": _builtin(_enumerate), "reversed": _builtin(_reversed),
    "tuple": _builtin(_bounded(tuple)), "list": _builtin(_bounded(list)),
    "sum": _builtin(_sum), "min": _builtin(_bounded(min)), "max": _builtin(_bounded(max)),
    "any": _builtin(_bounded(any)), "all": _builtin(_bounded(all)),
    "sorted": _builtin(_bounded(sorted)), "dict": _builtin(_bounded(dict)),
    "set": _builtin(_bounded(set)),
}

_VALUE_ATTRIBUTES = {
    torch.Size: {"numel", "count", "index"},
    tuple: {"count", "index"},
    list: {"append", "extend", "insert", "pop", "index", "count", "reverse", "copy"},
    dict: {"get", "items", "keys", "values"},
    torch.dtype: {"is_floating_point", "is_complex", "is_signed", "itemsize"},
    torch.device: {"type", "index"},
    torch.finfo: {"eps", "max", "min", "tiny", "smallest_normal", "resolution", "bits"},
    torch.iinfo: {"max", "min", "bits"},
    torch.Generator: {"manual_seed", "initial_seed", "seed", "get_state", "set_state", "device"},
    float: {"is_integer", "real", "imag"},
    int: {"real", "imag", "bit_length"},
}
