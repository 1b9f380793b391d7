"""Execute notebooks in place so their stored outputs are a fresh CPU run's (what nbval compares).

    python -m scripts.execute_notebooks notebooks/01_tensor_creation.ipynb source/01_tensor_creation/01_tensor_creation.ipynb
"""
import os
import sys
import time
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ExecutePreprocessor


def execute(path: Path, timeout: int = 600) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    ExecutePreprocessor(timeout=timeout, kernel_name="python3", record_timing=False).preprocess(
        nb, {"metadata": {"path": str(path.parent)}}
    )
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(paths: list[str]) -> None:
    os.environ.setdefault("COURSE_DEVICE", "cpu")  # stored outputs are always a CPU run's
    for name in paths:
        print(f"{name}: {execute(Path(name)):.1f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
