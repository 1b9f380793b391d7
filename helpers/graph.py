"""Draw a computation graph (the autograd graph behind a tensor) with Graphviz.

Edges follow the forward pass: leaf tensors -> operations -> outputs.
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
        _check_is_tensor(tensor, f"names[{name!r}]")
    named_outputs = _named_outputs(outputs, names)
    for name, tensor in named_outputs:
        _check_in_graph(tensor, name)
    return _GraphBuilder(named_outputs, names, show_saved).build()


def _named_outputs(outputs, names) -> list[tuple[str, torch.Tensor]]:
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
        _check_is_tensor(tensor, where)
    if not isinstance(outputs, dict):
        name_of = {id(tensor): str(name) for name, tensor in names.items()}
        labelled = [(name_of.get(id(tensor), label), tensor, where) for label, tensor, where in labelled]
    return [(label, tensor) for label, tensor, _ in labelled]


def _check_is_tensor(value, where: str) -> None:
    if not isinstance(value, torch.Tensor):
        raise TypeError(bilingual(
            f"draw_graph 只接受张量，但 {where} 的类型是 {type(value).__name__}。"
            "outputs 可以是一个张量、张量的列表/元组，或 {名字: 张量} 字典；names 必须是 {名字: 张量} 字典。",
            f"draw_graph only accepts tensors, but {where} has type {type(value).__name__}. "
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
            for next_fn, output_nr in fn.next_functions:
                if next_fn is not None:  # None: an input that needs no gradient
                    self._add_edge(self._source(next_fn, output_nr), self.ids[fn])
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
            label = _tensor_label(name, accumulate_grad.variable, leaf=True)
            self.ids[accumulate_grad] = self._add_node(label, "leaf")
        return self.ids[accumulate_grad]

    def _named_result(self, fn, output_nr) -> str:
        key = (fn, output_nr)
        if key not in self.ids:
            name, tensor, style = self.named[key]
            self.ids[key] = self._add_node(_tensor_label(name, tensor, leaf=False), style)
            self._add_edge(self._operation(fn), self.ids[key])
        return self.ids[key]

    def _operation(self, fn) -> str:
        if fn not in self.ids:
            if isinstance(fn, BackwardCFunction):
                self.ids[fn] = self._add_node(_escape(fn.name()) + "\\ncustom Function", "custom")
            else:
                self.ids[fn] = self._add_node(_escape(fn.name()), "op")
            self.pending.append(fn)
        return self.ids[fn]

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
