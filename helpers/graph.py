"""Draw a computation graph (the autograd graph behind a tensor) with Graphviz.

draw_graph: edges follow the forward pass: leaf tensors -> operations -> outputs.
draw_backward: the same picture with the backward pass on it: the order in which autograd runs
the nodes and the gradient carried along every edge, recorded with hooks during a real run.
"""

import gc
import re
from collections import deque

import graphviz
import torch
from torch.autograd.function import BackwardCFunction
from torch.autograd.graph import get_gradient_edge

from helpers.text import bilingual

_STYLES = {
    "leaf": "shape=box style=filled fillcolor=lightblue",
    "tensor": "shape=box style=filled fillcolor=lightyellow",
    "output": "shape=box style=filled fillcolor=palegreen",
    "op": "shape=ellipse style=filled fillcolor=lightgrey",
    "custom": "shape=ellipse style=filled fillcolor=orange",
    "saved": "shape=box style=dashed fontsize=10",
}
_MAX_VALUES_SHOWN = 6
_NODE_STATEMENT = re.compile(r"\tn\d+ \[")
_EDGE_STATEMENT = re.compile(r"\tn\d+ -> n\d+")

_INSTALL_GRAPHVIZ = """\
  Debian/Ubuntu: sudo apt-get install graphviz
  macOS:         brew install graphviz
  conda:         conda install -c conda-forge graphviz python-graphviz"""


class AutogradGraph(graphviz.Digraph):
    """The Digraph that draw_graph returns; JupyterLab shows it as a picture."""

    @property
    def node_count(self) -> int:
        return sum(bool(_NODE_STATEMENT.match(line)) for line in self.body)

    @property
    def edge_count(self) -> int:
        return sum(bool(_EDGE_STATEMENT.match(line)) for line in self.body)

    def __repr__(self) -> str:
        # No memory address: notebooks store this text and nbval compares it.
        return f"<AutogradGraph: {self.node_count} nodes, {self.edge_count} edges>"

    def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
        try:
            return super()._repr_mimebundle_(include, exclude, **kwargs)
        except graphviz.ExecutableNotFound:
            message = bilingual(
                "找不到 Graphviz 的 dot 程序，所以无法把计算图画成图片。"
                "请用下面的命令安装 Graphviz，然后重新运行这个单元格。下面先给出计算图的 DOT 源码。",
                "The Graphviz program `dot` was not found, so the computation graph cannot be drawn "
                "as a picture. Install Graphviz with one of the commands below, then run this cell "
                "again. The DOT source of the graph follows.",
            )
            return {"text/plain": f"{message}\n{_INSTALL_GRAPHVIZ}\n\n{self.source}"}


def draw_graph(outputs, names=None, *, show_saved=False) -> AutogradGraph:
    """Draw the computation graph that produced `outputs`.

    outputs: a tensor, a list/tuple of tensors, or a dict {name: tensor}.
    names: optional dict {name: tensor} naming leaf tensors and intermediate (non-leaf) tensors;
        tensors that are not in the graph are ignored.
    show_saved: also draw the tensors each operation saved for the backward pass.

    The result shows itself in JupyterLab; `.source` is the DOT text, `.node_count` and
    `.edge_count` count what was drawn. After drawing a chain deeper than about 50,000 operations,
    free it with free_chain() (see there why).
    """
    names, named_outputs = _checked_arguments(outputs, names, "draw_graph")
    return _GraphBuilder(named_outputs, names, show_saved).build()


def _checked_arguments(outputs, names, who):
    if names is None:
        names = {}
    if not isinstance(names, dict):
        raise TypeError(bilingual(
            f"names 必须是 {{名字: 张量}} 字典，但传入的是 {type(names).__name__}。"
            "例如：names={'x': x, 'w': w}。",
            f"names must be a dict {{name: tensor}}, but it is a {type(names).__name__}. "
            "For example: names={'x': x, 'w': w}.",
        ))
    for name, tensor in names.items():
        _check_is_tensor(tensor, f"names[{name!r}]", who)
    named_outputs = _named_outputs(outputs, names, who)
    for name, tensor in named_outputs:
        _check_in_graph(tensor, name)
    return names, named_outputs


def _named_outputs(outputs, names, who="draw_graph") -> list[tuple[str, torch.Tensor]]:
    """Pair every output with its label: its dict key, else its name in `names`, else "output"."""
    if isinstance(outputs, dict):
        labelled = [(str(key), tensor, f"outputs[{key!r}]") for key, tensor in outputs.items()]
    elif isinstance(outputs, (list, tuple)):
        labelled = [(f"output[{i}]", tensor, f"outputs[{i}]") for i, tensor in enumerate(outputs)]
    else:
        labelled = [("output", outputs, "outputs")]
    if not labelled:
        raise ValueError(bilingual(
            "outputs 是空的，没有要画的张量。请至少传入一个张量。",
            "outputs is empty, so there is nothing to draw. Pass at least one tensor.",
        ))
    for _, tensor, where in labelled:
        _check_is_tensor(tensor, where, who)
    if not isinstance(outputs, dict):
        name_of = {id(tensor): str(name) for name, tensor in names.items()}
        labelled = [(name_of.get(id(tensor), label), tensor, where) for label, tensor, where in labelled]
    return [(label, tensor) for label, tensor, _ in labelled]


def _check_is_tensor(value, where: str, who: str = "draw_graph") -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(bilingual(
            f"{who} 只接受张量，但 {where} 的类型是 {type(value).__name__}。"
            "outputs 可以是一个张量、张量的列表/元组，或 {名字: 张量} 字典；names 必须是 {名字: 张量} 字典。",
            f"{who} only accepts tensors, but {where} has type {type(value).__name__}. "
            "outputs may be a tensor, a list/tuple of tensors, or a dict {name: tensor}; "
            "names must be a dict {name: tensor}.",
        ))


def _check_in_graph(tensor: torch.Tensor, name: str) -> None:
    if not tensor.requires_grad:
        raise ValueError(bilingual(
            f"张量 {name!r} 不在任何计算图中（requires_grad=False，也没有 grad_fn），没有可画的东西。"
            "请在计算之前用 requires_grad=True 创建叶子张量，例如 "
            "x = torch.tensor([1.0, 2.0], requires_grad=True)，不要在 torch.no_grad() 里计算，然后重新计算。",
            f"Tensor {name!r} is not part of any computation graph (requires_grad=False, no grad_fn), "
            "so there is nothing to draw. Create the leaf tensors with requires_grad=True before "
            "computing, e.g. x = torch.tensor([1.0, 2.0], requires_grad=True), do not compute inside "
            "torch.no_grad(), then compute again.",
        ))


class _GraphBuilder:
    """Walks the autograd graph breadth-first from the outputs, one DOT statement per node and edge.

    Node ids are n0, n1, ... in the order nodes are first reached, so the same code always gives the
    same DOT source. A tensor is identified by its gradient edge (autograd node, output number):
    leaf tensors by their AccumulateGrad node, non-leaf tensors by their grad_fn.
    """

    def __init__(self, outputs, names, show_saved):
        self.graph = AutogradGraph(graph_attr={"rankdir": "LR"})
        self.outputs = outputs
        self.show_saved = show_saved
        self.named = {}  # (autograd node, output_nr) -> (name, tensor, style)
        for name, tensor in names.items():
            if tensor.requires_grad:
                self.named[_gradient_edge(tensor)] = (str(name), tensor, "tensor")
        for name, tensor in outputs:
            self.named[_gradient_edge(tensor)] = (name, tensor, "output")
        self.ids = {}  # autograd node, or (node, output_nr) of a named tensor -> DOT id
        self.pending = deque()  # operation nodes whose inputs are not drawn yet
        self.node_total = 0

    def build(self) -> AutogradGraph:
        for _, tensor in self.outputs:
            self._source(*_gradient_edge(tensor))
        while self.pending:
            fn = self.pending.popleft()
            for i, (next_fn, output_nr) in enumerate(fn.next_functions):
                if next_fn is not None:  # None: an input that needs no gradient
                    source = self._source(next_fn, output_nr)
                    self._add_edge(source, self.ids[fn], self._input_edge(fn, i))
            if self.show_saved:
                self._add_saved_tensors(fn)
        return self.graph

    def _source(self, fn, output_nr) -> str:
        """DOT id of the node that carries output `output_nr` of autograd node `fn` forward."""
        if hasattr(fn, "variable"):  # AccumulateGrad: stands for its leaf tensor
            return self._leaf(fn)
        if (fn, output_nr) in self.named:
            return self._named_result(fn, output_nr)
        return self._operation(fn)

    def _leaf(self, accumulate_grad) -> str:
        if accumulate_grad not in self.ids:
            name, _, _ = self.named.get((accumulate_grad, 0), ("leaf", None, None))
            self.ids[accumulate_grad] = self._add_node(self._leaf_label(accumulate_grad, name), "leaf")
        return self.ids[accumulate_grad]

    def _named_result(self, fn, output_nr) -> str:
        key = (fn, output_nr)
        if key not in self.ids:
            name, tensor, style = self.named[key]
            self.ids[key] = self._add_node(self._result_label(key, name, tensor), style)
            self._add_edge(self._operation(fn), self.ids[key], self._result_edge(key))
        return self.ids[key]

    def _operation(self, fn) -> str:
        if fn not in self.ids:
            style = "custom" if isinstance(fn, BackwardCFunction) else "op"
            self.ids[fn] = self._add_node(self._operation_label(fn), style)
            self.pending.append(fn)
        return self.ids[fn]

    # What draw_backward changes: labels, and attributes of the edges.

    def _leaf_label(self, accumulate_grad, name) -> str:
        return _tensor_label(name, accumulate_grad.variable, leaf=True)

    def _result_label(self, key, name, tensor) -> str:
        return _tensor_label(name, tensor, leaf=False)

    def _operation_label(self, fn) -> str:
        if isinstance(fn, BackwardCFunction):
            return _escape(fn.name()) + "\\ncustom Function"
        return _escape(fn.name())

    def _input_edge(self, fn, i) -> str:
        """Attributes of the edge along fn.next_functions[i]."""
        return ""

    def _result_edge(self, key) -> str:
        """Attributes of the edge from an operation to a named tensor it produced."""
        return ""

    def _add_saved_tensors(self, fn) -> None:
        for name, tensor in _saved_tensors(fn):
            details = "freed by backward()" if tensor is None else f"shape={tuple(tensor.shape)}"
            saved_id = self._add_node(f"saved {_escape(name)}\\n{details}", "saved")
            self._add_edge(saved_id, self.ids[fn], " [style=dotted]")

    def _add_node(self, label: str, style: str) -> str:
        node_id = f"n{self.node_total}"
        self.node_total += 1
        # Writing the statement directly is several times faster than Digraph.node(), which
        # re-quotes every attribute; labels are already escaped, so quoting them is enough.
        self.graph.body.append(f'\t{node_id} [label="{label}" {_STYLES[style]}]\n')
        return node_id

    def _add_edge(self, tail: str, head: str, attributes: str = "") -> None:
        self.graph.body.append(f"\t{tail} -> {head}{attributes}\n")


def _gradient_edge(tensor):
    edge = get_gradient_edge(tensor)
    return edge.node, edge.output_nr


def _saved_tensors(fn):
    """(name, tensor) for each tensor `fn` saved for the backward pass; tensor is None once freed."""
    for attr in dir(fn):
        if attr.startswith("_saved_"):
            yield from _tensors_in(fn, attr, attr[len("_saved_"):])
    if isinstance(fn, BackwardCFunction):  # a custom Function saves with ctx.save_for_backward
        yield from _tensors_in(fn, "saved_tensors", "saved_tensors")


def _tensors_in(fn, attr, name):
    try:
        value = getattr(fn, attr)
    except RuntimeError:  # backward() already freed it
        yield name, None
        return
    if isinstance(value, torch.Tensor):
        yield name, value
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            if isinstance(item, torch.Tensor):
                yield f"{name}[{i}]", item


def _tensor_label(name: str, tensor: torch.Tensor, *, leaf: bool) -> str:
    lines = [name, f"shape={tuple(tensor.shape)}"]
    if leaf:
        lines.append(f"requires_grad={tensor.requires_grad}")
    # Reading .grad of a non-leaf tensor without retain_grad() only gives None and a warning.
    grad = tensor.grad if leaf or tensor.retains_grad else None
    if grad is not None:
        lines.append(_describe_grad(grad))
    return "\\n".join(_escape(line) for line in lines)


def _describe_grad(grad: torch.Tensor) -> str:
    if grad.numel() > _MAX_VALUES_SHOWN:
        return f"grad shape={tuple(grad.shape)}"
    return f"grad={_format_numbers(grad.detach().cpu().tolist())}"


def _format_numbers(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_format_numbers(value) for value in values) + "]"
    return f"{values:.4g}"


def _escape(text: str) -> str:
    """Text for a DOT label that stays plain ASCII, whatever characters the caller used."""
    return "".join(_escape_character(character) for character in str(text))


def _escape_character(character: str) -> str:
    if character == "\\":
        return "\\\\"  # Graphviz reads \\ in a label as one backslash
    if " " <= character <= "~" and character not in '"&<>':
        return character
    if ord(character) > 0xFFFF:
        return f"U+{ord(character):X}"  # Graphviz 2.43 (Debian, Ubuntu) garbles entities past U+FFFF
    return f"&#{ord(character)};"  # Graphviz turns the entity back into the character


def free_chain(holder: list) -> None:
    """Free a drawn chain-shaped graph one autograd node at a time.

    holder: a list whose single item, the chain's output tensor, is the only reference to it.

    PyTorch 2.13 frees an autograd node that has ever had a Python object (drawing creates one per
    node) recursively, one C stack frame per node. Dropping a drawn chain deeper than about 50,000
    nodes in one go overflows the C stack and crashes Python; freeing from the output end, while
    the next node is still held here, keeps every step shallow.
    """
    gc.collect()  # garbage cycles (say, a traceback) may still hold nodes; free them while it is safe
    nodes = deque()
    fn = holder[0].grad_fn
    while fn is not None:
        nodes.append(fn)
        fn = next((next_fn for next_fn, _ in fn.next_functions if next_fn is not None), None)
    holder.clear()
    while nodes:
        nodes.popleft()


def draw_backward(outputs, names=None, *, grad_outputs=None) -> AutogradGraph:
    """Run the backward pass of `outputs` once and draw it step by step on the graph.

    outputs, names: as for draw_graph.
    grad_outputs: the gradient to start from, one per output (default: ones, as y.backward()
        uses for a scalar y).

    The picture is draw_graph's, with the arrows turned round to show where gradients flow.
    Every node autograd runs gets its step number (① runs first; ⓪ is the starting gradient)
    and the gradient it receives; every edge is labelled with the step that sent it and the
    gradient it carries. Where several edges meet, the label shows them added up
    ("receives 3 + 2 = 5"). Leaves (AccumulateGrad nodes) show what backward() would add to
    their .grad.

    The values are recorded by hooks during one real run of torch.autograd.grad (with
    retain_graph=True, the leaves as inputs); the hooks are removed afterwards. Nothing is
    accumulated: .grad of the leaves, and of the named tensors and outputs, stays as it was.
    Call it before backward() frees the tensors the graph saved for the backward pass (or pass
    retain_graph=True to that backward()). Meant for small graphs.
    """
    names, named_outputs = _checked_arguments(outputs, names, "draw_backward")
    seeds = _seed_gradients(named_outputs, grad_outputs)
    record = _record_backward([tensor for _, tensor in named_outputs], seeds, list(names.values()))
    return _BackwardBuilder(named_outputs, names, record).build()


class _BackwardRecord:
    """What one backward run did, written by the hooks."""

    def __init__(self):
        self.step = {}  # node (grad_fn or AccumulateGrad) -> step number, in the order it ran
        self.received = {}  # node -> gradient(s) it received: a tuple for grad_fn, a tensor for a leaf
        self.sent = {}  # grad_fn -> gradients it sent, one per next_functions entry
        self.arrivals = {}  # (node, output_nr) -> [(step, gradient), ...] in the order they came


def _seed_gradients(named_outputs, grad_outputs):
    if grad_outputs is None:
        return [torch.ones_like(tensor) for _, tensor in named_outputs]
    seeds = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    shapes = [tuple(tensor.shape) for _, tensor in named_outputs]
    fits = all(isinstance(seed, torch.Tensor) and tuple(seed.shape) == shape
               for seed, shape in zip(seeds, shapes))
    if len(seeds) != len(shapes) or not fits:
        raise ValueError(bilingual(
            f"grad_outputs 要为每个输出各给一个同形状的张量（输出的形状：{shapes}）。",
            f"grad_outputs needs one tensor per output, each of the output's shape (output shapes: {shapes}).",
        ))
    return seeds


def _record_backward(outputs, seeds, named_tensors) -> _BackwardRecord:
    record = _BackwardRecord()
    operations, accumulators = _nodes_of(outputs)
    leaves = [accumulate_grad.variable for accumulate_grad in accumulators]
    # .grad of tensors that retain_grad() may be written even by torch.autograd.grad: put it back.
    kept = [(tensor, tensor.grad) for tensor in {id(t): t for t in outputs + named_tensors}.values()
            if not tensor.is_leaf and tensor.retains_grad]

    def on_arrival(node, gradients):
        record.step[node] = len(record.step) + 1
        record.received[node] = _copies(gradients)

    def on_sent(fn, gradients):
        record.sent[fn] = _copies(gradients)

    handles = []
    try:
        for fn in operations:
            handles.append(fn.register_prehook(lambda grads, fn=fn: on_arrival(fn, grads)))
            handles.append(fn.register_hook(lambda grads_in, _, fn=fn: on_sent(fn, grads_in)))
        # torch.autograd.grad does not run AccumulateGrad nodes (it returns their input instead),
        # so their node hooks stay silent; a hook on the leaf tensor is a pre-hook of its
        # AccumulateGrad node that still runs, at the moment the node would have run.
        for accumulate_grad, leaf in zip(accumulators, leaves):
            handles.append(leaf.register_hook(lambda grad, node=accumulate_grad: on_arrival(node, grad)))
        try:
            torch.autograd.grad(outputs, leaves, seeds, retain_graph=True, allow_unused=True)
        except RuntimeError as error:
            if "second time" not in str(error):
                raise
            raise RuntimeError(bilingual(
                "这张计算图为反向传播保存的张量已经被 backward() 释放了，无法再画出反向传播。"
                "请重新做一遍前向计算，在调用 backward() 之前调用 draw_backward"
                "（或者给那次 backward() 传入 retain_graph=True）。",
                "The tensors this computation graph saved for the backward pass were already freed by "
                "backward(), so its backward pass cannot be drawn. Run the forward computation again and "
                "call draw_backward before backward() (or pass retain_graph=True to that backward()).",
            )) from None
    finally:
        for handle in handles:
            handle.remove()
        for tensor, grad in kept:
            tensor.grad = grad
    for key, seed in zip((_gradient_edge(tensor) for tensor in outputs), seeds):
        record.arrivals.setdefault(key, []).append((0, seed.detach().clone()))
    for fn in sorted(record.sent, key=record.step.get):
        for (next_fn, output_nr), grad in zip(fn.next_functions, record.sent[fn]):
            if next_fn is not None:
                record.arrivals.setdefault((next_fn, output_nr), []).append((record.step[fn], grad))
    return record


def _nodes_of(outputs):
    """The grad_fn nodes and the AccumulateGrad nodes of the graph behind `outputs`."""
    operations, accumulators, seen = [], [], set()
    pending = deque(_gradient_edge(tensor)[0] for tensor in outputs)
    while pending:
        fn = pending.popleft()
        if fn is None or fn in seen:
            continue
        seen.add(fn)
        if hasattr(fn, "variable"):
            accumulators.append(fn)
        else:
            operations.append(fn)
            pending.extend(next_fn for next_fn, _ in fn.next_functions)
    return operations, accumulators


def _copies(gradients):
    if gradients is None:  # a leaf whose gradient came back as None
        return None
    if isinstance(gradients, torch.Tensor):
        return gradients.detach().clone()
    return tuple(None if grad is None else grad.detach().clone() for grad in gradients)


class _BackwardBuilder(_GraphBuilder):
    """draw_graph's builder with the recorded backward run written on nodes and edges."""

    def __init__(self, outputs, names, record):
        super().__init__(outputs, names, show_saved=False)
        self.record = record

    def _leaf_label(self, accumulate_grad, name) -> str:
        lines = [f"{self._step(accumulate_grad)}{name}", "AccumulateGrad",
                 f"shape={tuple(accumulate_grad.variable.shape)}"]
        grad = self.record.received.get(accumulate_grad)
        if accumulate_grad not in self.record.step:
            lines.append("not reached")
        else:
            lines.append(f"receives {self._sum((accumulate_grad, 0), grad)}")
            if grad is not None:
                lines.append(f"{name}.grad += {_compact(grad)}")
        return "\\n".join(_escape(line) for line in lines)

    def _result_label(self, key, name, tensor) -> str:
        lines = [name, f"shape={tuple(tensor.shape)}"]
        if key in self.record.arrivals:
            lines.append(f"receives {self._sum(key)}")
        return "\\n".join(_escape(line) for line in lines)

    def _operation_label(self, fn) -> str:
        label = _escape(self._step(fn)) + super()._operation_label(fn)
        received = self.record.received.get(fn)
        if received is None:
            return label + "\\nnot run"
        if len(received) == 1:
            return label + "\\n" + _escape(f"receives {self._sum((fn, 0), received[0])}")
        parts = ", ".join(f"[{nr}] {self._sum((fn, nr), grad)}" for nr, grad in enumerate(received))
        return label + "\\n" + _escape(f"receives {parts}")

    def _input_edge(self, fn, i) -> str:
        if fn not in self.record.sent:
            return _BACKWARD_EDGE
        return self._edge_label(self.record.step[fn], self.record.sent[fn][i])

    def _result_edge(self, key) -> str:
        arrivals = self.record.arrivals.get(key, [])
        if len(arrivals) == 1 and arrivals[0][0] == 0:  # an output: the backward pass starts here
            return self._edge_label(0, arrivals[0][1])
        return _BACKWARD_EDGE  # the tensor's label shows what arrived

    def _step(self, node) -> str:
        return f"{_circled(self.record.step[node])} " if node in self.record.step else ""

    def _sum(self, key, total=...) -> str:
        """'3 + 2 = 5' when several gradients arrived at output key[1] of node key[0].

        total: what the node received (recorded by a hook); a named tensor adds them up here.
        """
        grads = [grad for _, grad in self.record.arrivals.get(key, [])]
        if total is ...:
            defined = [grad for grad in grads if grad is not None]
            total = sum(defined[1:], defined[0]) if defined else None
        if len(grads) < 2 or any(grad is None or grad.numel() > _MAX_VALUES_SHOWN for grad in grads):
            return _compact(total)
        return " + ".join(_compact(grad) for grad in grads) + f" = {_compact(total)}"

    @staticmethod
    def _edge_label(step, grad) -> str:
        return f' [label="{_escape(f"{_circled(step)} {_compact(grad)}")}" {_BACKWARD_STYLE}]'


_BACKWARD_STYLE = "dir=back color=firebrick fontcolor=firebrick"
_BACKWARD_EDGE = f" [{_BACKWARD_STYLE}]"


def _circled(number: int) -> str:
    """⓪ ① ② ... ⑳, then (21), (22), ..."""
    if number == 0:
        return "\N{CIRCLED DIGIT ZERO}"
    if number <= 20:
        return chr(ord("\N{CIRCLED DIGIT ONE}") + number - 1)
    return f"({number})"


def _compact(grad) -> str:
    if grad is None:
        return "None"
    if grad.numel() > _MAX_VALUES_SHOWN:
        return f"{tuple(grad.shape)} tensor"
    return _format_numbers(grad.detach().cpu().tolist())
