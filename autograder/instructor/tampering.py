"""Find code in a submission that tries to change how it is graded, by reading it (never running it).

Only the code that the autograder will actually run is read: the student's cells. Locked cells
(setup and test cells) are put back to the instructor's version by nbgrader before grading, so an
edit there earns nothing; it is reported as a *note* (via nbgrader's own checksums), not a finding.

A *finding* is evidence for the instructor (grade_class flags the submission and lists the reason
and line), never a zero: the points come from the referee (autograder/instructor/referee.py),
which the student's code cannot reach, so a finding shows an attempt, not a changed grade. Each
check and what it catches:

* writing to (assign / augmented assign / ``del`` / ``setattr`` / ``delattr`` / ``.update()`` …)
  anything reached from an imported name or an alias of one: ``autograder.check_tensor = …``,
  ``torch.allclose = …``, ``torch.Tensor.__eq__ = …``, ``builtins.AssertionError = …``,
  ``np.testing.x = …``, ``check_gradient.__code__ = …``, ``t = torch; t.equal = …``,
  ``get_ipython().showtraceback = …``, ``globals()["check_tensor"] = …``
  (allowed: ``os.environ``, matplotlib ``rcParams``, ``torch.backends`` settings);
* ``sys.modules`` touched at all, ``unittest.mock`` / ``ctypes`` imported,
  ``importlib.reload`` / ``import_module`` / ``__import__`` / ``exec`` / ``eval`` / ``compile``
  called, ``__builtins__`` used;
* rebinding a name the tests rely on (anything the locked cells import, and the public names of
  :mod:`autograder`): ``def check_tensor(…)``, ``check_number = lambda *a: None``,
  ``import numpy as torch``, ``class torch: …``;
* cell magics that run code the scanner cannot see (``%%writefile``, ``%run``, ``%%bash`` …) and
  any string that names the grader's code (``mock.patch("autograder.…")``, shell commands on
  ``autograder/…`` files); a docstring that mentions "the autograder" is prose, not a finding.

It cannot see through computed strings (``getattr(m, "al" + "lclose")``), code hidden in data
or files written in a roundabout way, or answers that are objects built to fool a comparison;
the checks in :mod:`autograder` and the instructor's review cover those.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Iterable

from IPython.core.inputtransformer2 import TransformerManager
from nbgrader import utils as nbutils

SUSPICIOUS_MODULES = {"unittest.mock", "mock", "ctypes"}  # importlib: only its calls are flagged
DYNAMIC_CODE = {"exec", "eval", "compile", "__import__", "reload"}
MUTATORS = {"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__",
            "__setattr__", "__delattr__"}
RISKY_MAGICS = {"writefile", "file", "run", "script", "bash", "sh", "python", "python3",
                "pypy", "perl", "ruby", "load"}
ALLOWED_WRITES = ("os.environ", "matplotlib.rcParams", "matplotlib.pyplot.rcParams",
                  "torch.backends")


@dataclass
class SourceCell:
    """What the gradebook knows about one cell of the instructor's version."""
    name: str
    cell_type: str
    locked: bool
    checksums: tuple[str, ...]  # nbgrader checksums of the cell as released and as in source/
    source: str


@dataclass
class Report:
    findings: list[str] = field(default_factory=list)  # tampering: zero the autograded points
    notes: list[str] = field(default_factory=list)  # worth a look, no effect on the grade


def _python(source: str) -> ast.Module | None:
    """The cell as Python (IPython magics become get_ipython() calls); None if it does not parse."""
    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None  # the student's syntax error fails their own cell; nothing to scan


def _imports(tree: ast.AST) -> dict[str, str]:
    """{name bound: what it is} for the import statements in ``tree``."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                bound[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for a in node.names:
                if a.name != "*":
                    bound[a.asname or a.name] = f"{node.module}.{a.name}"
    return bound


def guarded_names(source_cells: Iterable[SourceCell]) -> dict[str, str]:
    """Names the instructor's locked code relies on (its imports), plus autograder's public API."""
    import autograder

    public = getattr(autograder, "__all__", None) or [
        n for n, v in vars(autograder).items()
        if not n.startswith("_") and callable(v) and getattr(v, "__module__", "").startswith("autograder")]
    names = {n: f"autograder.{n}" for n in public}
    for cell in source_cells:
        if cell.cell_type == "code" and cell.locked and (tree := _python(cell.source)):
            names.update(_imports(tree))
    return names


class _Scanner(ast.NodeVisitor):
    def __init__(self, guarded: dict[str, str]):
        self.guarded = guarded
        # name -> what it is; the locked cells' imports are bound when the student's code runs
        self.aliases: dict[str, str] = {"__builtins__": "builtins", **guarded}
        self.found: list[tuple[int, str]] = []

    def flag(self, node: ast.AST, reason: str) -> None:
        self.found.append((getattr(node, "lineno", 0), reason))

    # What an expression is, when it is (part of) an imported module or object.
    def origin(self, node: ast.AST) -> str | None:
        if isinstance(node, ast.Name):
            return self.aliases.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self.origin(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            base = self.origin(node.value)
            return f"{base}[]" if base else None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name, args = node.func.id, node.args
            if name in ("get_ipython", "globals", "locals"):
                return f"{name}()"
            if name == "vars" and args:
                base = self.origin(args[0])
                return f"{base}.__dict__" if base else None
            if name == "getattr" and len(args) >= 2 and isinstance(args[1], ast.Constant):
                base = self.origin(args[0])
                return f"{base}.{args[1].value}" if base else None
        return None

    def check_write(self, node: ast.AST, target: ast.AST, verb: str) -> None:
        where = self.origin(target)
        if where and not where.startswith(ALLOWED_WRITES):
            self.flag(node, f"{verb} {where}")

    def bind(self, node: ast.AST, name: str, origin: str | None, verb: str = "") -> None:
        if verb and name in self.guarded and origin != self.guarded[name]:
            self.flag(node, f"{verb} {name!r}, which the tests use")
        if origin:
            self.aliases[name] = origin
        else:
            self.aliases.pop(name, None)

    def visit_Import(self, node):
        for name, origin in _imports(node).items():
            if any(origin == m or origin.startswith(m + ".") for m in SUSPICIOUS_MODULES):
                self.flag(node, f"imports {origin}")
            self.bind(node, name, origin, "rebinds")

    visit_ImportFrom = visit_Import

    def visit_Assign(self, node):
        self.generic_visit(node)
        origin = self.origin(node.value)  # `t = torch` makes t an alias of torch
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.bind(node, target.id, origin)  # visit_Name flags guarded names

    def visit_Name(self, node):
        if node.id == "__builtins__":
            self.flag(node, "uses __builtins__")
        elif isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in self.guarded:
            self.flag(node, f"assigns to or deletes {node.id!r}, which the tests use")

    def visit_def(self, node):
        self.bind(node, node.name, None, "defines")
        self.generic_visit(node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = visit_def

    def visit_Attribute(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.check_write(node, node, "changes")
        if (self.origin(node) or "").startswith("sys.modules"):
            self.flag(node, "touches sys.modules")
        self.generic_visit(node)

    def visit_Subscript(self, node):
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            self.check_write(node, node.value, "changes an item of")
        self.generic_visit(node)

    def visit_Call(self, node):
        func, args = node.func, node.args
        if isinstance(func, ast.Name):
            if func.id in ("setattr", "delattr") and args:
                self.check_write(node, args[0], f"{func.id}() on")
            elif func.id in DYNAMIC_CODE:
                self.flag(node, f"calls {func.id}()")
            elif (self.origin(func) or "").startswith("importlib."):  # from importlib import …
                self.flag(node, f"calls {self.origin(func)}()")
        elif isinstance(func, ast.Attribute):
            target = self.origin(func) or ""
            if target.startswith("importlib."):
                self.flag(node, f"calls {target}()")
            elif func.attr in MUTATORS:
                self.check_write(node, func.value, f".{func.attr}() on")
            elif (target.startswith("get_ipython()") and func.attr.endswith("_magic") and args
                  and isinstance(args[0], ast.Constant) and args[0].value in RISKY_MAGICS):
                self.flag(node, f"runs the %{args[0].value} magic")
        self.generic_visit(node)

    def visit_Constant(self, node):
        # A path or dotted name of the grader ("autograder.check_tensor", "autograder/student"),
        # not prose: a docstring that mentions "the autograder" is harmless.
        if isinstance(node.value, str) and re.search(r"autograder\s*[./]|autograder\s+import",
                                                      node.value, re.IGNORECASE):
            self.flag(node, "names the grader's code in a string")


def scan(nb, source_cells: Iterable[SourceCell]) -> Report:
    """Read every cell of the submitted notebook ``nb`` (an nbformat v4 notebook)."""
    source_cells = list(source_cells)
    by_name = {c.name: c for c in source_cells}
    report = Report()
    scanner = _Scanner(guarded_names(source_cells))
    names = [cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") for cell in nb.cells]
    last = {name: number for number, name in enumerate(names, start=1)}  # nbgrader keeps the last
    for number, (cell, name) in enumerate(zip(nb.cells, names), start=1):
        original = by_name.get(name) if last[name] == number else None  # a copy runs as typed
        label = f"cell {number}" + (f" ({name})" if name else "")
        if original is not None and original.locked:
            try:
                edited = nbutils.compute_checksum(cell) not in original.checksums
            except (KeyError, TypeError, ValueError):
                edited = True  # its nbgrader metadata was mangled
            if edited:
                report.notes.append(f"{label}: locked cell edited; nbgrader restores it")
            continue  # nbgrader runs the instructor's version of this cell
        if cell.cell_type != "code" or (tree := _python(cell.source)) is None:
            continue
        before = len(scanner.found)
        scanner.visit(tree)
        for line, why in dict.fromkeys(scanner.found[before:]):  # unique, in order
            report.findings.append(f"{label}, line {line}: {why}")
    for missing in sorted(c.name for c in source_cells if c.locked and c.name not in last):
        report.notes.append(f"cell {missing} deleted")
    return report
