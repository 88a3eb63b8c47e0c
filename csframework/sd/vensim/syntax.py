"""Pieces of the equation language's syntax tree, and the tables of Vensim's
operators and functions the translator uses (`csframework.sd.vensim.equations`).
"""

from __future__ import annotations

import ast

__all__ = [
    "ARITHMETIC",
    "COMPARISONS",
    "SAME_FUNCTIONS",
    "SUBSCRIPT_FUNCTIONS",
    "VENSIM_ZERO",
    "binary_node",
    "call_node",
    "compare_node",
    "if_node",
    "name_node",
    "number_node",
    "pulse",
    "quantum",
    "vensim_word",
]

#: The time PySD and Vensim count as zero in PULSE, RAMP and QUANTUM.
VENSIM_ZERO = 1e-6


def number_node(value: float) -> ast.expr:
    """A number; a negative one as a minus sign before its magnitude (as the parser makes it)."""
    value = float(value) if not isinstance(value, int) else value
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def name_node(ident: str) -> ast.Name:
    """A name read: a variable, ``time`` or ``dt``."""
    return ast.Name(id=ident, ctx=ast.Load())


def call_node(function: str, *args: ast.expr) -> ast.Call:
    """A call of a function of the equation language (or of a lookup)."""
    return ast.Call(func=name_node(function), args=list(args), keywords=[])


def binary_node(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.BinOp:
    """``left op right``."""
    return ast.BinOp(left=left, op=op, right=right)


def if_node(test: ast.expr, body: ast.expr, orelse: ast.expr) -> ast.IfExp:
    """``body if test else orelse``."""
    return ast.IfExp(test=test, body=body, orelse=orelse)


def compare_node(left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.Compare:
    """``left op right`` for one comparison."""
    return ast.Compare(left=left, ops=[op], comparators=[right])


#: Vensim's arithmetic operators and comparisons as Python's.
ARITHMETIC = {"+": ast.Add, "-": ast.Sub, "*": ast.Mult, "/": ast.Div, "^": ast.Pow}
COMPARISONS = {"=": ast.Eq, "<>": ast.NotEq, "<": ast.Lt, "<=": ast.LtE, ">": ast.Gt,
               ">=": ast.GtE}
#: Vensim functions that the equation language has under the same or another name.
SAME_FUNCTIONS = {"abs": "abs", "exp": "exp", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
                  "tan": "tan", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
                  "ln": "log", "min": "min", "max": "max", "xidz": "xidz", "zidz": "zidz",
                  "integer": "integer", "active_initial": "active_initial"}
#: Vensim functions over subscripts (only some of them, with one argument, are read).
SUBSCRIPT_FUNCTIONS = {"sum", "prod", "vmin", "vmax", "elmcount", "vector_select",
                       "vector_sort_order", "vector_reorder", "vector_rank", "invert_matrix"}


def vensim_word(reference: str) -> str:
    """A PySD reference as Vensim writes it, for messages: ``get_time_value`` ->
    ``GET TIME VALUE``."""
    return reference.replace("_", " ").upper()


def quantum(a: ast.expr, b: ast.expr) -> ast.expr:
    """PySD's QUANTUM: a when b < 1e-6, else b * INTEGER(a / b)."""
    return if_node(compare_node(b, ast.Lt(), number_node(VENSIM_ZERO)), a,
                   binary_node(b, ast.Mult(), call_node("integer", binary_node(a, ast.Div(), b))))


def pulse(start: ast.expr, width: ast.expr) -> ast.expr:
    """PySD's PULSE: 1 from start (less 1e-6) for width time units."""
    low = binary_node(start, ast.Sub(), number_node(VENSIM_ZERO))
    high = binary_node(start, ast.Add(), width)
    return if_node(ast.Compare(left=low, ops=[ast.LtE(), ast.Lt()],
                               comparators=[name_node("time"), high]),
                   number_node(1), number_node(0))
