"""What a released test cell may show: data and calls, never a formula (the contract, rule 2).

The visible part of a test cell is what students read. :func:`formula_problems` lists what in it
could compute an answer: a ``def``, ``lambda`` or class; arithmetic or a comparison on anything but
number literals; a method call or attribute of a computed value (``torch.tensor([1]).dtype``); a
call of anything but the checks, ``call``/``written``, ``cases`` constructors, ``torch.tensor``
and ``print``; an import from anywhere but ``autograder`` and ``torch``. What it may hold:
literal inputs and expected and wrong values (``torch.inf`` and ``torch.nan`` are literals too),
the student's names, loops over literal cases.

:func:`answer_candidates` lists what a released cell offers as a ready-made answer anyway: every
literal value and every ``cases.function`` source. tests/test_release_leaks.py grades each as
the student's answer (autograder.instructor.dry_run) and requires it to fail.
"""
from __future__ import annotations

import ast

import torch

import autograder

CONSTRUCTORS = {"tensor", "randn", "rand", "randint", "function", "widest_float", "device",
                "array"}
ALLOWED_CALLS = set(autograder.__all__) - {"cases", "MISTAKES", "GradingError", "Rule"} | {"print"}
ALLOWED_MODULES = {"autograder", "torch"}


def formula_problems(source: str) -> list[str]:
    """Why this visible test code could compute an answer (empty when it holds data only)."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return [f"syntax error: {error}"]
    return [f"line {node.lineno}: {why}" for node, why in _Walker().problems(tree)]


class _Walker(ast.NodeVisitor):
    def problems(self, tree):
        self.found = []
        self.visit(tree)
        return self.found

    def flag(self, node, why):
        self.found.append((node, why))

    def visit_FunctionDef(self, node):
        self.flag(node, f"defines a function ({node.name})")

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.flag(node, f"defines a class ({node.name})")

    def visit_Lambda(self, node):
        self.flag(node, "defines a lambda")

    def visit_Import(self, node):
        for alias in node.names:
            if alias.name.split(".")[0] not in ALLOWED_MODULES or alias.name != alias.name.split(".")[0]:
                self.flag(node, f"imports {alias.name}")

    def visit_ImportFrom(self, node):
        if node.module != "autograder":
            self.flag(node, f"imports from {node.module}")

    def visit_BinOp(self, node):
        if not (_is_number(node.left) and _is_number(node.right)):
            self.flag(node, "computes with values (arithmetic on something but number literals)")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if not _is_number(node.operand):
            self.flag(node, "computes with values (an operator on something but a number literal)")

    def visit_Compare(self, node):
        self.flag(node, "compares values")

    def visit_BoolOp(self, node):
        self.flag(node, "combines values with and/or")

    visit_IfExp = visit_BoolOp

    def visit_ListComp(self, node):
        self.flag(node, "computes values in a comprehension")

    visit_SetComp = visit_DictComp = visit_GeneratorExp = visit_ListComp

    def visit_For(self, node):
        if not isinstance(node.iter, (ast.List, ast.Tuple)):
            self.flag(node, "loops over something but a literal list of cases")
        self.generic_visit(node)

    def visit_While(self, node):
        self.flag(node, "loops with while")

    def visit_If(self, node):
        self.flag(node, "branches on a value")

    def visit_Subscript(self, node):
        if not (isinstance(node.value, ast.Name) and isinstance(node.slice, ast.Constant)):
            self.flag(node, "indexes a computed value")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        if not (isinstance(node.value, ast.Name) and (
                node.value.id == "cases" and node.attr in CONSTRUCTORS
                or node.value.id == "torch" and (isinstance(getattr(torch, node.attr, None), torch.dtype)
                                                 or node.attr in ("tensor", "inf", "nan")))):
            self.flag(node, f"reads .{node.attr} of a value")
        self.generic_visit(node)

    def visit_Call(self, node):
        function = node.func
        if isinstance(function, ast.Name) and function.id not in ALLOWED_CALLS:
            self.flag(node, f"calls {function.id}(...) (only the checks, call, written, cases and "
                            f"torch.tensor may be called)")
        for child in [*node.args, *(k.value for k in node.keywords)]:
            self.visit(child)
        if isinstance(function, ast.Attribute):
            self.visit(function)


def _is_number(node) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return _is_number(node.operand)
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == "torch" and node.attr in ("inf", "nan")):
        return True
    if isinstance(node, ast.BinOp):
        return _is_number(node.left) and _is_number(node.right)
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) \
        and not isinstance(node.value, bool)


def answer_candidates(source: str) -> list[tuple[str, str]]:
    """What the visible test code offers as an answer: ("function", source) for every
    ``cases.function`` source, and ("value", source) for every literal given as data: assigned to
    a name, passed positionally, or listed in ``mistakes=`` (a number, bool, string, tuple, dtype,
    or ``cases.tensor``/``torch.tensor`` of literals). Keyword options of the checks (``atol=``,
    ``name=``, ...) are not data."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    data = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            data.append(node.value)
        elif isinstance(node, ast.Call):
            if _called(node) == ("cases", "function") and node.args and \
                    isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                continue
            data += node.args
            data += [k.value for k in node.keywords if k.arg in ("mistakes", "expected")]
    found = [("function", node.args[0].value) for node in ast.walk(tree)
             if isinstance(node, ast.Call) and _called(node) == ("cases", "function") and node.args
             and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)]
    for node in data:
        found += _values(node)
    return list(dict.fromkeys(found))


def _values(node) -> list[tuple[str, str]]:
    """The literal values in a piece of data, containers and their items alike."""
    if isinstance(node, ast.Call) and _called(node) in (("cases", "tensor"), ("torch", "tensor")):
        return [("value", ast.unparse(node))]
    if isinstance(node, ast.Attribute) and _called_name(node) == "torch":
        return [("value", ast.unparse(node))]
    if isinstance(node, ast.Dict):
        return [v for value in node.values for v in _values(value)]
    found = [("value", ast.unparse(node))] if _is_literal(node) else []
    if isinstance(node, (ast.Tuple, ast.List)):
        found += [v for item in node.elts for v in _values(item)]
    return found


def _called(call) -> tuple[str, str] | None:
    function = call.func
    if isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name):
        return function.value.id, function.attr
    return None


def _called_name(node):
    return node.value.id if isinstance(node.value, ast.Name) else None


def _is_literal(node) -> bool:
    try:
        ast.literal_eval(node)
    except ValueError:
        return False
    return not (isinstance(node, ast.Constant) and node.value is None)
