"""Long chains of operators regrouped into balanced trees, and how deep a tree nests.

Generated code nests one bracket per level of an equation's syntax tree, and
Python reads at most 200; a sum of a thousand terms written left to right is a
thousand levels deep. :func:`balance` regroups such chains into trees of depth
log2(n), and :func:`nesting` measures what is left.

Examples
--------
>>> import ast
>>> tree = ast.parse("+".join(["x"] * 1000), mode="eval").body
>>> nesting(balance(tree))
10
"""

from __future__ import annotations

import ast
from collections.abc import Callable

__all__ = ["CHAIN_LENGTH", "balance", "grouped", "nesting"]

#: Sums, products, ``and``/``or`` chains and ``min``/``max`` argument lists longer
#: than this are regrouped into a balanced tree, so a long sum stays shallow.
CHAIN_LENGTH = 16


_ADDITIVE = (ast.Add, ast.Sub)
_MULTIPLICATIVE = (ast.Mult, ast.Div)


def _chain(node: ast.BinOp, ops: tuple[type, ...]) -> list[tuple[bool, ast.expr]]:
    """The operands of a run of ``+ -`` (or ``* /``) operators, each with its sign.

    ``a - (b + c) * d`` gives ``[(True, a), (False, (b + c) * d)]``; ``a - b + c``
    gives ``[(True, a), (False, b), (True, c)]``. Walks without recursion.
    """
    inverse = ast.Sub if ops is _ADDITIVE else ast.Div
    terms: list[tuple[bool, ast.expr]] = []
    stack: list[tuple[bool, ast.expr]] = [(True, node)]
    while stack:
        positive, current = stack.pop()
        if isinstance(current, ast.BinOp) and isinstance(current.op, ops):
            flip = isinstance(current.op, inverse)
            stack.append((positive != flip, current.right))
            stack.append((positive, current.left))
        else:
            terms.append((positive, current))
    return terms


def grouped(items: list[ast.expr], join: Callable[[ast.expr, ast.expr], ast.expr]) -> ast.expr:
    """`items` joined pairwise by `join` into a tree of depth log2(len(items)).

    Examples
    --------
    >>> items = [ast.Name(id=n, ctx=ast.Load()) for n in "abcde"]
    >>> ast.unparse(grouped(items, lambda a, b: ast.BinOp(left=a, op=ast.Add(), right=b)))
    'a + b + (c + d) + e'
    """
    while len(items) > 1:
        pairs = [join(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
        items = pairs + ([items[-1]] if len(items) % 2 else [])
    return items[0]


def balance(node: ast.expr) -> ast.expr:
    """Regroup long chains so that the tree stays shallow; short ones are kept as written.

    ``a1 + a2 - a3 + ... `` becomes ``(sum of the added terms) - (sum of the
    subtracted ones)``, each sum a balanced tree, and products and quotients the
    same way; long ``and``/``or`` chains and ``min``/``max`` argument lists are
    split in halves. The value is the same up to the rounding of the sum.
    """
    if isinstance(node, ast.BinOp) and isinstance(node.op, _ADDITIVE + _MULTIPLICATIVE):
        ops = _ADDITIVE if isinstance(node.op, _ADDITIVE) else _MULTIPLICATIVE
        terms = _chain(node, ops)
        if len(terms) > CHAIN_LENGTH:
            plus, minus = (ast.Add(), ast.Sub()) if ops is _ADDITIVE else (ast.Mult(), ast.Div())
            def join(a: ast.expr, b: ast.expr) -> ast.expr:
                return ast.BinOp(left=a, op=plus, right=b)
            kept = [balance(t) for positive, t in terms if positive]
            taken = [balance(t) for positive, t in terms if not positive]
            result = grouped(kept, join)
            if taken:
                result = ast.BinOp(left=result, op=minus, right=grouped(taken, join))
            return ast.copy_location(result, node)
    if isinstance(node, ast.BoolOp) and len(node.values) > CHAIN_LENGTH:
        values = [balance(v) for v in node.values]
        tree = grouped(values, lambda a, b: ast.BoolOp(op=node.op, values=[a, b]))
        return ast.copy_location(tree, node)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in ("min", "max") and len(node.args) > CHAIN_LENGTH
            and not node.keywords):
        name = node.func.id
        args = [balance(a) for a in node.args]
        tree = grouped(args, lambda a, b: ast.Call(func=ast.Name(id=name, ctx=ast.Load()),
                                                    args=[a, b], keywords=[]))
        return ast.copy_location(tree, node)
    for field_name, value in ast.iter_fields(node):
        if isinstance(value, ast.expr):
            setattr(node, field_name, balance(value))
        elif isinstance(value, list):
            setattr(node, field_name, [balance(v) if isinstance(v, ast.expr) else v
                                       for v in value])
        elif isinstance(value, ast.keyword):  # pragma: no cover - keywords are in lists
            value.value = balance(value.value)
    if isinstance(node, ast.Call):
        for kw in node.keywords:
            kw.value = balance(kw.value)
    return node


def nesting(node: ast.AST) -> int:
    """How deeply the code generated for `node` nests (see ``expressions.MAX_NESTING``).

    Each operator, call and condition is one level; a chain of ``and``, of
    comparisons or of ``min``/``max`` arguments nests one level per link.

    Examples
    --------
    >>> nesting(ast.parse("a + b * c", mode="eval").body)
    2
    >>> nesting(ast.parse("-(-(-x))", mode="eval").body)
    3
    """
    deepest = 0
    stack: list[tuple[ast.AST, int]] = [(node, 0)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, ast.BoolOp):
            depth += len(current.values) - 1
        elif isinstance(current, ast.Compare):
            depth += len(current.ops)
        elif isinstance(current, ast.Call):
            depth += max(1, len(current.args) - 1)
        elif isinstance(current, ast.BinOp | ast.UnaryOp | ast.IfExp):
            depth += 1
        deepest = max(deepest, depth)
        stack.extend((child, depth) for child in ast.iter_child_nodes(current)
                     if not isinstance(child, ast.expr_context | ast.operator | ast.unaryop
                                       | ast.cmpop | ast.boolop))
    return deepest

