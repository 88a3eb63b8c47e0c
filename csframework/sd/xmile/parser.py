"""The parser of XMILE equations: tokens into a syntax tree of `Num`, `Ref`,
`Call`, `Unary`, `Bin` and `IfElse` nodes, within the limits on length,
nesting and digits.

A long run of one operator (a sum of a thousand terms) is regrouped into a
balanced tree, so that it stays shallow (`fold`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeAlias, TypeVar

from csframework.errors import FormatError
from csframework.sd import expressions
from csframework.sd.xmile import limits
from csframework.sd.xmile.names import clean_name
from csframework.sd.xmile.tokenizer import Token, tokenize

__all__ = [
    "Bin",
    "Call",
    "IfElse",
    "Node",
    "Num",
    "Ref",
    "Unary",
    "balanced",
    "depth",
    "fold",
    "parse_equation",
    "short",
]

@dataclass(frozen=True)
class Num:
    """A number."""

    value: float | int


@dataclass(frozen=True)
class Ref:
    """A name, with its subscripts if it has any."""

    name: str                      # as written (quotes removed)
    subscripts: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Call:
    """A function (or graphical function) applied to arguments."""

    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    """A sign or NOT before an operand."""

    op: str                        # "-", "+", "not"
    operand: Node


@dataclass(frozen=True)
class Bin:
    """A binary operator."""

    op: str                        # + - * / ^ mod < <= > >= = <> and or
    left: Node
    right: Node


@dataclass(frozen=True)
class IfElse:
    """IF cond THEN then ELSE other."""

    cond: Node
    then: Node
    other: Node


#: A node of an XMILE syntax tree.
Node: TypeAlias = Num | Ref | Call | Unary | Bin | IfElse


class _Parser:
    """Recursive descent over XMILE's operator precedence (lowest first):

    IF-THEN-ELSE, OR, AND, = <>, < <= > >=, + -, * / MOD, unary - + NOT,
    ^ (right-associative; its exponent may carry a sign: ``2^-1``).
    """

    def __init__(self, text: str, where: str):
        text = clean_name(text)
        if len(text) > limits.MAX_EQUATION_LENGTH:
            raise FormatError(f"{where}: the equation has {len(text):,} characters, more than "
                              f"{limits.MAX_EQUATION_LENGTH:,} (the limit MAX_EQUATION_LENGTH)")
        self.text = text
        self.where = where
        self.tokens = tokenize(text, where)
        self.i = 0
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > limits.MAX_NESTING:
            raise FormatError(f"{self.where}: the equation nests brackets, signs, functions "
                              f"or IFs more than {limits.MAX_NESTING} deep (the limit "
                              f"MAX_NESTING): {short(self.text)!r}")

    # helpers
    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        tok = self.peek()
        return tok.kind == kind and (not texts or tok.text in texts)

    def expect(self, kind: str, text: str) -> None:
        if not self.at(kind, text):
            self.fail(f"expected {text.upper() if kind == 'kw' else text!r}")
        self.take()

    def fail(self, what: str) -> None:
        tok = self.peek()
        found = "the end" if tok.kind == "end" else repr(tok.text)
        raise FormatError(f"{self.where}: {what} but found {found} at character {tok.pos + 1} "
                          f"of the equation {self.text.strip()!r}")

    # grammar
    def parse(self) -> Node:
        if self.at("end"):
            self.fail("expected an equation")
        node = self.expr()
        if not self.at("end"):
            self.fail("expected an operator or the end of the equation")
        return node

    def expr(self) -> Node:
        self.deeper()
        if self.at("kw", "if"):
            self.take()
            cond = self.expr()
            self.expect("kw", "then")
            then = self.expr()
            self.expect("kw", "else")
            node = IfElse(cond, then, self.expr())
        else:
            node = self.binary(1)
        self.depth -= 1
        return node

    _PRECEDENCE: ClassVar[dict[str, int]] = {
        "or": 1, "and": 2, "=": 3, "<>": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
        "+": 5, "-": 5, "*": 6, "/": 6, "mod": 6,
    }

    def precedence(self) -> int | None:
        tok = self.peek()
        return self._PRECEDENCE.get(tok.text) if tok.kind in ("op", "kw") else None

    def binary(self, least: int) -> Node:
        """Operators of precedence `least` and above (precedence climbing, left-associative).

        A run of operators of one precedence is kept together, so a long sum
        can be regrouped into a balanced tree (`fold`).
        """
        node = self.unary()
        while True:
            prec = self.precedence()
            if prec is None or prec < least:
                return node
            run: list[tuple[str, Node]] = []
            while self.precedence() == prec:
                op = self.take().text
                run.append((op, self.binary(prec + 1)))
            node = fold(node, run)

    def unary(self) -> Node:
        if self.at("op", "-", "+") or self.at("kw", "not"):
            op = self.take().text
            self.deeper()
            node: Node = Unary(op, self.unary())
            self.depth -= 1
            return node
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        if self.at("op", "^"):
            self.take()
            self.deeper()
            node = Bin("^", base, self.unary())
            self.depth -= 1
            return node
        return base

    def primary(self) -> Node:
        tok = self.peek()
        if tok.kind == "num":
            self.take()
            text = tok.text
            digits = sum(ch.isdigit() for ch in text.split("e")[0].split("E")[0])
            if digits > limits.MAX_DIGITS:
                raise FormatError(f"{self.where}: the number {text[:12]}... has {digits} digits, "
                                  f"more than {limits.MAX_DIGITS} (the limit MAX_DIGITS)")
            value = int(text) if text.isdigit() else float(text)
            if not math.isfinite(value):
                raise FormatError(f"{self.where}: the number {text!r} is beyond the range of "
                                  "floating-point numbers")
            return Num(value)
        if self.at("op", "("):
            self.take()
            node = self.expr()
            self.expect("op", ")")
            return node
        if self.at("kw", "if"):
            return self.expr()
        if self.at("kw", "mod") and self.tokens[self.i + 1].text == "(":
            self.take()
            return Call("MOD", self.arguments())
        if tok.kind == "name":
            self.take()
            if self.at("op", "("):
                return Call(tok.text, self.arguments())
            if self.at("op", "["):
                return Ref(tok.text, self.subscripts())
            return Ref(tok.text)
        self.fail("expected a number, a name or '('")
        raise AssertionError  # pragma: no cover

    def arguments(self) -> tuple[Node, ...]:
        self.expect("op", "(")
        args: list[Node] = []
        if not self.at("op", ")"):
            args.append(self.expr())
            while self.at("op", ","):
                self.take()
                args.append(self.expr())
        self.expect("op", ")")
        return tuple(args)

    def subscripts(self) -> tuple[str, ...]:
        self.expect("op", "[")
        subs: list[str] = []
        while True:
            tok = self.take()
            if tok.kind in ("name", "num") or (tok.kind == "op" and tok.text == "*"):
                subs.append(tok.text)
            else:
                self.i -= 1
                self.fail("expected a subscript")
            if self.at("op", "]"):
                self.take()
                return tuple(subs)
            self.expect("op", ",")


def fold(first: Node, run: list[tuple[str, Node]]) -> Node:
    """``first op1 x1 op2 x2 ...`` (one precedence) as a tree.

    Left-associative as written, unless the run is longer than
    `csframework.sd.expressions.CHAIN_LENGTH` and only adds and subtracts,
    multiplies and divides, or joins with AND or OR: then the terms are
    regrouped into a balanced tree (``(a + b + ...) - (c + ...)``), so that a
    sum of a thousand terms stays shallow.
    """
    ops = {op for op, _ in run}
    if len(run) > expressions.CHAIN_LENGTH and ops <= {"+", "-"} | {"*", "/"} | {"and"} | {"or"} \
            and len({_OP_CLASS[op] for op in ops}) == 1:
        plus, minus = _OP_CLASS[next(iter(ops))]
        kept = [first] + [x for op, x in run if op == plus]
        taken = [x for op, x in run if op != plus]

        def join(left: Node, right: Node) -> Node:
            return Bin(plus, left, right)

        node = balanced(kept, join)
        return Bin(minus, node, balanced(taken, join)) if taken else node
    node = first
    for op, x in run:
        node = Bin(op, node, x)
    return node


_OP_CLASS = {"+": ("+", "-"), "-": ("+", "-"), "*": ("*", "/"), "/": ("*", "/"),
             "and": ("and", "and"), "or": ("or", "or")}


T = TypeVar("T")


def balanced(items: list[T], join: Callable[[T, T], T]) -> T:
    """`items` joined pairwise, then the pairs pairwise...: a tree of depth log2(len(items)).

    Examples
    --------
    >>> balanced(["a", "b", "c", "d", "e"], lambda x, y: f"({x} + {y})")
    '(((a + b) + (c + d)) + e)'
    """
    while len(items) > 1:
        pairs = [join(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
        items = pairs + ([items[-1]] if len(items) % 2 else [])
    return items[0]


def short(text: str, keep: int = 60) -> str:
    """`text` on one line, cut after `keep` characters (saying how long it was) for messages."""
    text = " ".join(text.split())
    return text if len(text) <= keep + 20 else f"{text[:keep]}... ({len(text)} characters)"


def depth(node: Node) -> int:
    """The depth of an XMILE syntax tree, without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(current, Bin):
            stack += [(current.left, level + 1), (current.right, level + 1)]
        elif isinstance(current, Unary):
            stack.append((current.operand, level + 1))
        elif isinstance(current, IfElse):
            stack += [(current.cond, level + 1), (current.then, level + 1),
                      (current.other, level + 1)]
        elif isinstance(current, Call):
            stack += [(a, level + 1) for a in current.args]
    return deepest


def parse_equation(text: str, where: str = "equation") -> Node:
    """Parse XMILE equation text into a syntax tree (`Num`, `Ref`, `Call`, ...).

    Equations longer than `MAX_EQUATION_LENGTH` characters, nested deeper than
    `MAX_NESTING` or with numbers of more than `MAX_DIGITS` digits raise
    `FormatError`; long sums and products are regrouped (see `fold`).

    Examples
    --------
    >>> parse_equation("-2^2")
    Unary(op='-', operand=Bin(op='^', left=Num(value=2), right=Num(value=2)))
    >>> depth(parse_equation("+".join(["1"] * 1000)))  # regrouped, not 999 deep
    11
    """
    parser = _Parser(text, where)
    try:
        tree = parser.parse()
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise FormatError(f"{where}: the equation is nested too deeply (the limit is "
                          f"MAX_NESTING, {limits.MAX_NESTING}): {short(parser.text)!r}") from None
    deepest = depth(tree)
    if deepest > limits.MAX_NESTING:
        raise FormatError(f"{where}: the equation is {deepest} operators deep, more than "
                          f"{limits.MAX_NESTING} (the limit MAX_NESTING): "
                          f"{short(parser.text)!r}")
    return tree
