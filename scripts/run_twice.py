"""Run a notebook top to bottom twice in ONE kernel, as a student pressing Run All twice does.

    python -m scripts.run_twice notebooks/01_tensor_creation.ipynb [...]

A cell that only works on a fresh kernel (it relies on a warning being emitted, or edits a
tensor in place that an earlier run already changed) fails the second pass. Cells tagged
``raises-exception`` may raise; any other error stops with the cell's number and source.
"""
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def run_twice(path: Path, timeout: int = 120) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for run in (1, 2):
            for index, cell in enumerate(nb.cells):
                if cell.cell_type != "code":
                    continue
                try:
                    client.execute_cell(cell, index)
                except CellExecutionError as error:
                    raise AssertionError(f"{path}: run {run}, cell {index} failed:\n"
                                         f"{cell.source[:300]}\n{str(error)[-1500:]}") from None


def main(paths: list[str]) -> None:
    os.environ.setdefault("COURSE_DEVICE", "cpu")
    for name in paths:
        run_twice(Path(name))
        print(f"{name}: ran twice in one kernel")


if __name__ == "__main__":
    main(sys.argv[1:])
