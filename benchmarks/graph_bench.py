"""How fast draw_graph builds DOT source, next to torchviz.make_dot on the same graphs.

Run:  .venv/bin/python benchmarks/graph_bench.py   (or: make bench)

Graphs are chains (y = y + 1, repeated) and balanced binary trees (leaves summed in pairs) of
500, 1k, 10k and 100k nodes. Only building the DOT source is timed, not rendering it with dot.
Each time is the best of 5 runs (1 run at 100k nodes); torchviz is measured in the same run on
the same graph. The last column, torchviz time / draw_graph time, is above 1 where draw_graph
is faster. Where torchviz fails (its recursion stops at Python's recursion limit, 1000 frames by
default, so it cannot walk a 1k-node chain), the table says so.
"""

import gc
import platform
import time
import warnings

import torch

from helpers.graph import draw_graph, free_chain

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # torchviz imports the deprecated distutils
    from torchviz import make_dot

SIZES = (500, 1_000, 10_000, 100_000)


def chain(node_count: int) -> torch.Tensor:
    """A leaf, node_count - 2 additions, the output: node_count nodes in a line."""
    y = torch.tensor(1.0, requires_grad=True)
    for _ in range(node_count - 2):
        y = y + 1
    return y


def binary_tree(node_count: int) -> torch.Tensor:
    """node_count / 2 leaves added in pairs, level by level: leaves + additions + output = node_count."""
    level = [torch.tensor(1.0, requires_grad=True) for _ in range(node_count // 2)]
    while len(level) > 1:
        sums = [a + b for a, b in zip(level[0::2], level[1::2])]
        level = sums + level[2 * len(sums):]  # an odd one out moves up a level
    return level[0]


def best_time(make_source, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        make_source()
        times.append(time.perf_counter() - start)
    return min(times)


def torchviz_time(output: torch.Tensor, repeats: int):
    """Seconds for make_dot(output).source, or the name of the error it raised."""
    try:
        return best_time(lambda: make_dot(output).source, repeats)
    except RecursionError:
        return "RecursionError"
    except Exception as error:  # report any other failure as a result, not a crash
        return type(error).__name__


def measure(shape: str, node_count: int) -> list[str]:
    holder = [chain(node_count) if shape == "chain" else binary_tree(node_count)]
    repeats = 1 if node_count >= 100_000 else 5
    nodes = draw_graph(holder[0]).node_count
    ours = best_time(lambda: draw_graph(holder[0]).source, repeats)
    theirs = torchviz_time(holder[0], repeats)
    if shape == "chain":
        free_chain(holder)  # see free_chain: dropping a deep drawn chain at once crashes PyTorch 2.13
    if isinstance(theirs, str):
        torchviz_column, ratio_column = f"fails: {theirs}", "-"
    else:
        torchviz_column, ratio_column = f"{theirs:.3f}", f"{theirs / ours:.2f}"
    return [shape, f"{nodes:,}", f"{ours:.3f}", f"{ours / nodes * 1e6:.2f}", torchviz_column, ratio_column]


def main() -> None:
    header = ["graph", "nodes", "draw_graph s", "us/node", "torchviz s", "torchviz/draw_graph"]
    rows = [measure(shape, size) for shape in ("chain", "binary tree") for size in SIZES]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"torch {torch.__version__}, Python {platform.python_version()}: DOT source only, best of 5 runs (1 at 100k)")
    for row in [header, ["-" * width for width in widths], *rows]:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths)))


if __name__ == "__main__":
    main()
