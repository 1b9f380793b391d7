"""draw_graph and draw_backward: golden DOT sources, determinism, big graphs, errors, and a
machine without Graphviz.

Regenerate the golden files after an intended change:
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest -p no:nbval -o addopts="" tests/test_graph.py
then review `git diff tests/golden`.
"""

import gc
import html
import os
import re
import shutil
import warnings
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.graph import AutogradGraph, _BackwardRecord, draw_backward, draw_graph, free_chain

GOLDEN = Path(__file__).parent / "golden"
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def assert_matches_golden(graph: AutogradGraph, name: str) -> None:
    path = GOLDEN / f"{name}.dot"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(graph.source, encoding="ascii")
    assert path.exists(), f"{path} is missing: run the tests once with UPDATE_GOLDEN=1"
    assert graph.source == path.read_text(encoding="ascii")


def leaves():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    return x, w


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return t * t

    @staticmethod
    def backward(ctx, grad):
        (t,) = ctx.saved_tensors
        return 2 * t * grad


def draw_basic(**options) -> AutogradGraph:
    x, w = leaves()
    y = (x + w) * (w + 1)
    return draw_graph(y, names={"x": x, "w": w}, **options)


# Golden DOT sources


def test_basic_graph():
    graph = draw_basic()
    assert_matches_golden(graph, "basic")
    assert repr(graph) == "<AutogradGraph: 6 nodes, 6 edges>"


def test_retained_intermediate_grad_after_backward():
    x, w = leaves()
    a = x + w
    a.retain_grad()
    y = (a * (w + 1)).sum()
    y.backward()
    graph = draw_graph(y, names={"x": x, "w": w, "a": a})
    assert_matches_golden(graph, "retain_grad")
    assert "a\\nshape=(2,)\\ngrad=[4, 5]" in graph.source
    assert "w\\nshape=(2,)\\nrequires_grad=True\\ngrad=[8, 11]" in graph.source


def test_custom_function_is_labelled_and_coloured():
    x, w = leaves()
    y = Square.apply(x) + w
    graph = draw_graph(y, names={"x": x, "w": w})
    assert_matches_golden(graph, "custom_function")
    assert '[label="SquareBackward\\ncustom Function" shape=ellipse style=filled fillcolor=orange]' in graph.source


def test_show_saved_tensors():
    graph = draw_basic(show_saved=True)
    assert_matches_golden(graph, "show_saved")
    assert graph.source.count("[style=dotted]") == 2


def test_multiple_outputs():
    x, w = leaves()
    graph = draw_graph([x * w, x + w], names={"x": x, "w": w})
    assert_matches_golden(graph, "multiple_outputs")
    assert "output[0]" in graph.source and "output[1]" in graph.source


def test_dict_of_outputs_routes_an_output_used_by_another():
    x, w = leaves()
    h = x * w
    loss = ((h - 1) ** 2).sum()
    graph = draw_graph({"loss": loss, "h": h}, names={"x": x, "w": w})
    assert_matches_golden(graph, "dict_outputs")
    h_id = re.search(r'\t(n\d+) \[label="h\\n', graph.source).group(1)
    assert re.search(rf"\t{h_id} -> n\d+\n", graph.source), "h should feed the next operation"


# Determinism and labels


def test_same_code_gives_same_source():
    assert draw_basic(show_saved=True).source == draw_basic(show_saved=True).source


def test_repr_has_no_memory_address():
    assert not re.search(r"0x[0-9a-f]+", repr(draw_basic()))


def test_names_can_name_an_output():
    x, w = leaves()
    y = x * w
    assert '[label="y\\nshape=(2,)"' in draw_graph(y, names={"y": y}).source


def test_a_lone_leaf_is_one_node():
    x = torch.tensor(2.0, requires_grad=True)
    graph = draw_graph(x, names={"x": x})
    assert (graph.node_count, graph.edge_count) == (1, 0)
    assert '"x\\nshape=()\\nrequires_grad=True"' in graph.source


def test_each_output_of_a_multi_output_operation_is_its_own_tensor():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a, b = x.unbind()
    graph = draw_graph(a * b, names={"x": x, "a": a, "b": b})
    assert graph.source.count("UnbindBackward0") == 1
    assert '"a\\nshape=()"' in graph.source and '"b\\nshape=()"' in graph.source
    assert (graph.node_count, graph.edge_count) == (6, 6)


def test_unretained_intermediate_shows_no_grad_and_no_warning():
    x, w = leaves()
    a = x * w
    y = a.sum()
    y.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        graph = draw_graph(y, names={"a": a})
    assert '"a\\nshape=(2,)"' in graph.source


def test_large_grad_is_summarised_by_its_shape():
    x = torch.ones(3, 4, requires_grad=True)
    (x * 2).sum().backward()
    assert "grad shape=(3, 4)" in draw_graph(x, names={"x": x}).source


def test_saved_tensors_of_custom_function_and_after_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x).sum()
    assert "saved saved_tensors[0]\\nshape=(2,)" in draw_graph(y, show_saved=True).source
    y.backward()
    assert "saved saved_tensors\\nfreed by backward()" in draw_graph(y, show_saved=True).source


def test_any_name_becomes_ascii_dot_source():
    x, w = leaves()
    graph = draw_graph(x * w, names={'权重 "w" \\ <&>': w})
    assert graph.source.isascii()
    assert "&#26435;&#37325; &#34;w&#34; \\\\ &#60;&#38;&#62;\\n" in graph.source


def test_characters_past_the_basic_plane_are_spelled_out():
    x = torch.tensor(1.0, requires_grad=True)
    assert '"U+1F600 x\\n' in draw_graph(x, names={"\N{GRINNING FACE} x": x}).source


@needs_dot
@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.text(st.characters(max_codepoint=0xFFFF, blacklist_categories=("Cc", "Cs")), min_size=1, max_size=12))
def test_dot_shows_any_name_exactly(name):
    x = torch.tensor(1.0, requires_grad=True)
    svg = draw_graph(x, names={name: x}).pipe(format="svg", encoding="utf-8")
    first_line = re.search(r"<text[^>]*>(.*?)</text>", svg).group(1)
    assert html.unescape(first_line).strip() == name.strip()


# Big graphs


def test_deep_chain_without_recursion_error():
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    chain = [y]
    del y
    graph = draw_graph(chain[0])
    assert (graph.node_count, graph.edge_count) == (100_002, 100_001)
    free_chain(chain)


def test_wide_graph():
    xs = [torch.tensor(float(i), requires_grad=True) for i in range(10_000)]
    graph = draw_graph(torch.stack(xs).sum())
    # 10,000 leaves, StackBackward0, SumBackward0, the output
    assert (graph.node_count, graph.edge_count) == (10_003, 10_002)


# Errors


@pytest.mark.parametrize(
    ("outputs", "names", "where"),
    [
        (3.0, None, "outputs"),
        ([torch.ones(1, requires_grad=True), "y"], None, "outputs[1]"),
        ({"loss": [1.0]}, None, "outputs['loss']"),
        (torch.ones(1, requires_grad=True), {"x": 1}, "names['x']"),
    ],
)
def test_not_a_tensor_is_a_type_error(outputs, names, where):
    with pytest.raises(TypeError) as error:
        draw_graph(outputs, names)
    assert f"{where} 的类型是" in str(error.value) and f"{where} has type" in str(error.value)


def test_names_must_be_a_dict():
    x = torch.ones(1, requires_grad=True)
    with pytest.raises(TypeError, match="names must be a dict"):
        draw_graph(x * 2, [x])


def test_tensor_without_graph_is_a_value_error():
    with pytest.raises(ValueError) as error:
        draw_graph(torch.ones(2) * 3)
    assert "requires_grad=True" in str(error.value)
    assert "叶子张量" in str(error.value) and "leaf tensors" in str(error.value)


def test_tensor_computed_under_no_grad_is_a_value_error():
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
    with pytest.raises(ValueError, match="torch.no_grad"):
        draw_graph({"y": y})


def test_no_outputs_is_a_value_error():
    with pytest.raises(ValueError, match="outputs is empty"):
        draw_graph([])


# Rendering


@needs_dot
def test_renders_svg_in_jupyter():
    bundle = draw_basic()._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    assert "MulBackward0" in bundle["image/svg+xml"]


def test_without_dot_jupyter_shows_install_help_and_source(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program anywhere on PATH
    graph = draw_basic()
    bundle = graph._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    text = bundle["text/plain"]
    assert "找不到 Graphviz 的 dot 程序" in text and "`dot` was not found" in text
    assert "sudo apt-get install graphviz" in text
    assert "brew install graphviz" in text
    assert "conda install -c conda-forge graphviz python-graphviz" in text
    assert text.endswith(graph.source)


# draw_backward: the backward pass drawn step by step


def two_paths():
    w = torch.tensor(1.0, requires_grad=True)
    x = torch.tensor(2.0, requires_grad=True)
    return w, x, (x + w) * (w + 1)


def node_line(source: str, label_start: str) -> str:
    return next(line for line in source.splitlines() if f'[label="{label_start}' in line)


def test_backward_two_paths_meet_in_one_accumulate_grad():
    w, x, y = two_paths()
    graph = draw_backward(y, names={"x": x, "w": w})
    assert_matches_golden(graph, "backward_two_paths")
    w_line = node_line(graph.source, "&#9316; w\\nAccumulateGrad")
    assert "receives 3 + 2 = 5\\nw.grad += 5" in w_line
    w_id = w_line.split()[0]
    assert len(re.findall(rf"\t{w_id} -> n\d+ \[label=", graph.source)) == 2  # two edges, one node
    assert graph.source.count("AccumulateGrad") == 2
    assert "&#9312; MulBackward0\\nreceives 1" in graph.source  # autograd runs Mul first
    assert '[label="&#9450; 1" dir=back' in graph.source  # the starting gradient
    assert repr(graph) == "<AutogradGraph: 6 nodes, 6 edges>"


def test_backward_leaves_grad_and_hooks_as_they_were():
    w, x, y = two_paths()
    w.grad = torch.tensor(10.0)
    a = x * 1
    a.retain_grad()
    z = y * a
    draw_backward(z, names={"x": x, "w": w, "a": a})
    assert w.grad.item() == 10.0 and x.grad is None and a.grad is None
    gc.collect()
    records = [o for o in gc.get_objects() if type(o) is _BackwardRecord]
    assert not records, "a hook still holds the record"
    assert not w._backward_hooks and not x._backward_hooks
    z.backward()  # the graph is still there, and backward() is unchanged
    assert (w.grad.item(), x.grad.item(), a.grad.item()) == (10.0 + 10.0, 2.0 * 2 + 6.0, 6.0)


def test_backward_custom_function_legendre():
    class P3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, t):
            ctx.save_for_backward(t)
            return 0.5 * (5 * t**3 - 3 * t)

        @staticmethod
        def backward(ctx, grad):
            (t,) = ctx.saved_tensors
            return grad * 1.5 * (5 * t**2 - 1)

    a, b, c, d = (torch.tensor(v, requires_grad=True) for v in (1.0, 2.0, 1.0, 2.0))
    y = a + b * P3.apply(c + d * torch.tensor(1.0))
    graph = draw_backward(y, names={"a": a, "b": b, "c": c, "d": d})
    assert_matches_golden(graph, "backward_custom_function")
    assert "P3Backward\\ncustom Function\\nreceives 2" in graph.source
    assert "fillcolor=orange" in node_line(graph.source, "&#9316; P3Backward")
    for name, grad in {"a": 1, "b": 63, "c": 132, "d": 132}.items():
        assert f"\\n{name}.grad += {grad}\"" in graph.source


def test_backward_named_intermediate_collects_its_gradients():
    w, x, _ = two_paths()
    a = x * w
    y = a * a + a
    graph = draw_backward(y, names={"a": a})
    assert '"a\\nshape=()\\nreceives 1 + 2 + 2 = 5"' in graph.source


def test_backward_grad_outputs_and_none_gradient():
    class FirstOnly(torch.autograd.Function):
        @staticmethod
        def forward(ctx, s, t):
            return s * t

        @staticmethod
        def backward(ctx, grad):
            return grad, None

    s = torch.tensor(2.0, requires_grad=True)
    t = torch.tensor(3.0, requires_grad=True)
    graph = draw_backward(FirstOnly.apply(s, t), {"s": s, "t": t}, grad_outputs=torch.tensor(3.0))
    assert '[label="&#9450; 3" dir=back' in graph.source
    assert "s.grad += 3" in graph.source
    assert "t\\nAccumulateGrad\\nshape=()\\nreceives None\"" in graph.source


def test_backward_compact_labels_for_big_tensors_and_many_steps():
    w = torch.ones(3, 4, requires_grad=True)
    assert "receives (3, 4) tensor" in draw_backward(w * 2, {"w": w}).source
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(25):
        y = y * 1
    source = draw_backward(y).source
    assert "&#9331; MulBackward0" in source and "(21) MulBackward0" in source


def test_backward_same_code_gives_same_source():
    w, x, y = two_paths()
    assert draw_backward(y, {"x": x, "w": w}).source == draw_backward(y, {"x": x, "w": w}).source


def test_backward_of_a_freed_graph_is_a_bilingual_error():
    w, x, y = two_paths()
    y.backward()
    with pytest.raises(RuntimeError) as error:
        draw_backward(y)
    message = str(error.value)  # what backward() freed is the saved tensors, not the graph
    assert "保存的张量已经被 backward() 释放" in message
    assert "saved for the backward pass were already freed by backward()" in message


def test_backward_argument_errors():
    w, x, y = two_paths()
    with pytest.raises(TypeError, match="draw_backward only accepts tensors"):
        draw_backward([y, 1.0])
    with pytest.raises(ValueError, match="grad_outputs needs one tensor per output"):
        draw_backward(y, grad_outputs=torch.ones(2))
    with pytest.raises(ValueError, match="requires_grad=True"):
        draw_backward(torch.ones(2))


@needs_dot
def test_backward_renders_svg():
    w, x, y = two_paths()
    svg = draw_backward(y, {"x": x, "w": w}).pipe(format="svg", encoding="utf-8")
    assert "MulBackward0" in svg and "3 + 2 = 5" in svg
