"""The translator: an XMILE syntax tree into the model's equation language.

Names are resolved in a `Scope` (variables, graphical functions, flattened
arrays); XMILE functions become the language's (``SMTH1`` -> ``smooth``),
INT and MOD keep XMILE's meaning (towards zero; the sign of the dividend), and
the result is checked against `MAX_TRANSLATED_SIZE` and `MAX_NESTING` before
its text is written. Nothing is ever evaluated.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping

from csframework.errors import FormatError, close_matches
from csframework.sd import expressions
from csframework.sd.xmile import limits
from csframework.sd.xmile.names import name_key
from csframework.sd.xmile.parser import (
    Bin,
    Call,
    IfElse,
    Node,
    Num,
    Ref,
    Unary,
    balanced,
    parse_equation,
)

__all__ = ["EXPANDS", "Scope", "Translator", "translate_equation", "unparse"]

_SIMPLE_FUNCTIONS: dict[str, tuple[str, tuple[int, ...]]] = {
    "abs": ("abs", (1,)), "arccos": ("acos", (1,)), "arcsin": ("asin", (1,)),
    "arctan": ("atan", (1,)), "cos": ("cos", (1,)), "sin": ("sin", (1,)), "tan": ("tan", (1,)),
    "exp": ("exp", (1,)), "ln": ("log", (1,)), "log10": ("log10", (1,)),
    "sqrt": ("sqrt", (1,)), "safediv": ("safediv", (2, 3)),
    "step": ("step", (2,)), "pulse": ("pulse", (2, 3)), "ramp": ("ramp", (2, 3)),
    "init": ("init", (1,)), "smth1": ("smooth", (2, 3)), "smth3": ("smooth3", (2, 3)),
    "delay1": ("delay1", (2, 3)), "delay3": ("delay3", (2, 3)),
    "delayn": ("delay_n", (3, 4)), "smthn": ("smooth_n", (3, 4)), "trend": ("trend", (2, 3)),
    "forcst": ("forecast", (3, 4)),
}
_BIN_OPS: dict[str, ast.operator] = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(),
                                     "/": ast.Div(), "^": ast.Pow()}
_CMP_OPS: dict[str, ast.cmpop] = {"<": ast.Lt(), "<=": ast.LtE(), ">": ast.Gt(),
                                  ">=": ast.GtE(), "=": ast.Eq(), "<>": ast.NotEq()}


def _call(func: str, args: Iterable[ast.expr]) -> ast.Call:
    return ast.Call(func=ast.Name(id=func, ctx=ast.Load()), args=list(args), keywords=[])


def _name(ident: str) -> ast.Name:
    return ast.Name(id=ident, ctx=ast.Load())


def _num(value: float) -> ast.expr:
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


class Scope:
    """What names in one model mean: variables, lookups and arrays."""

    def __init__(self, variables: Mapping[str, str], lookups: Mapping[str, str] | None = None,
                 arrays: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
                 start: float = 0.0, stop: float = 100.0):
        self.variables = dict(variables)          # name key -> identifier
        self.lookups = dict(lookups or {})        # name key -> lookup identifier
        self.arrays = dict(arrays or {})          # name key -> (dim key, elem key -> ident)
        self.start = start
        self.stop = stop


class Translator:
    """Translates one equation's syntax tree; `element` is the (dimension, element) keys
    of the array element whose equation it is, if any.
    """

    def __init__(self, scope: Scope, where: str, element: tuple[str, str] | None = None):
        self.scope = scope
        self.where = where
        self.element = element                    # (dim key, elem key) of an array element

    def fail(self, message: str) -> None:
        raise FormatError(f"{self.where}: {message}")

    def unknown(self, name: str) -> None:
        known = list(self.scope.variables) + list(self.scope.lookups) + list(self.scope.arrays)
        matches = close_matches(name_key(name), known)
        hint = f"; did you mean {matches[0]!r}?" if matches else ""
        self.fail(f"unknown name {name!r}{hint}")

    def node(self, n: Node) -> ast.expr:
        """The equation language's tree of `n`."""
        method: Callable[[Node], ast.expr] = getattr(self, "on_" + type(n).__name__.lower())
        return method(n)

    def on_num(self, n: Num) -> ast.expr:
        return ast.Constant(n.value)

    def on_unary(self, n: Unary) -> ast.expr:
        operand = self.node(n.operand)
        op: ast.unaryop = {"-": ast.USub(), "+": ast.UAdd(), "not": ast.Not()}[n.op]
        return ast.UnaryOp(op=op, operand=operand)

    def on_bin(self, n: Bin) -> ast.expr:
        if (n.op == "-" and isinstance(n.right, Bin) and n.right.op == "*"
                and isinstance(n.right.right, IfElse)
                and _floor_pattern(n.right.right) == Bin("/", n.left, n.right.left)):
            # how to_xmile writes the language's modulo(a, b)
            return _call("modulo", [self.node(n.left), self.node(n.right.left)])
        left, right = self.node(n.left), self.node(n.right)
        if n.op in _BIN_OPS:
            return ast.BinOp(left=left, op=_BIN_OPS[n.op], right=right)
        if n.op in _CMP_OPS:
            return ast.Compare(left=left, ops=[_CMP_OPS[n.op]], comparators=[right])
        if n.op == "mod":
            return _remainder(left, right)
        op = ast.And() if n.op == "and" else ast.Or()
        return ast.BoolOp(op=op, values=[left, right])

    def on_ifelse(self, n: IfElse) -> ast.expr:
        floor_of = _floor_pattern(n)
        if floor_of is not None:  # how to_xmile writes the language's int()/floor()
            return _call("int", [self.node(floor_of)])
        return ast.IfExp(test=self.node(n.cond), body=self.node(n.then),
                         orelse=self.node(n.other))

    # names ----------------------------------------------------------------
    def on_ref(self, n: Ref) -> ast.expr:
        key = name_key(n.name)
        if n.subscripts is None:
            if key in ("time", "dt"):
                return _name(key)
            if key == "pi":
                return _name("pi")
            if key in ("starttime", "stoptime"):
                return _num(self.scope.start if key == "starttime" else self.scope.stop)
            if key in self.scope.variables:
                return _name(self.scope.variables[key])
            if key in self.scope.arrays:
                return _name(self.array_element(n.name, key, None))
            if key in self.scope.lookups:
                self.fail(f"the graphical function {n.name!r} needs an input: "
                          f"write {n.name}(x) or LOOKUP({n.name}, x)")
            self.unknown(n.name)
        if key not in self.scope.arrays:
            if key in self.scope.variables:
                self.fail(f"{n.name!r} has no dimensions, so it cannot be subscripted")
            self.unknown(n.name)
        if len(n.subscripts) != 1:
            self.fail(f"{n.name}[{', '.join(n.subscripts)}]: arrays with more than one "
                      "dimension are not supported")
        return _name(self.array_element(n.name, key, n.subscripts[0]))

    def array_element(self, name: str, key: str, sub: str | None) -> str:
        dim, elements = self.scope.arrays[key]
        sub_key = None if sub is None else name_key(sub)
        if sub_key in elements:
            return elements[sub_key]
        if (sub_key in (None, dim, "*")) and self.element and self.element[0] == dim:
            return elements[self.element[1]]
        self.fail(f"{name}[{sub or ''}] needs one element of {name!r}: one of "
                  f"{', '.join(sorted(elements))} (whole arrays only inside MIN, MAX, SUM "
                  "or MEAN)")
        raise AssertionError  # pragma: no cover

    def whole_array(self, arg: Node) -> list[ast.expr] | None:
        """The elements of ``name[dim]`` / ``name[*]`` as an argument of MIN, MAX, ..."""
        if not isinstance(arg, Ref):
            return None
        key = name_key(arg.name)
        if key not in self.scope.arrays:
            return None
        dim, elements = self.scope.arrays[key]
        subs = arg.subscripts
        if subs is None or (len(subs) == 1 and name_key(subs[0]) in (dim, "*")):
            if self.element and self.element[0] == dim:
                return None  # apply-to-all: one element
            return [_name(ident) for ident in elements.values()]
        return None

    # calls ----------------------------------------------------------------
    def on_call(self, n: Call) -> ast.expr:
        key = name_key(n.name)
        if key in self.scope.lookups:
            self.arity(n, (1,))
            return _call(self.scope.lookups[key], [self.node(n.args[0])])
        if key in _SIMPLE_FUNCTIONS:
            func, counts = _SIMPLE_FUNCTIONS[key]
            self.arity(n, counts)
            return _call(func, [self.node(a) for a in n.args])
        if key == "int":
            self.arity(n, (1,))
            return _truncate(self.node(n.args[0]))
        if key == "mod":
            self.arity(n, (2,))
            return _remainder(self.node(n.args[0]), self.node(n.args[1]))
        if key in ("min", "max", "sum", "mean"):
            return self.aggregate(key, n)
        if key == "pi":
            self.arity(n, (0,))
            return _name("pi")
        if key in ("time", "dt", "starttime", "stoptime"):
            self.arity(n, (0,))
            return self.on_ref(Ref(n.name))
        if key == "delay":
            self.arity(n, (2, 3))
            args = [self.node(a) for a in n.args]
            if len(args) == 2:
                args.append(self.node(n.args[0]))
            return _call("delay_fixed", args)
        if key == "lookup":
            self.arity(n, (2,))
            table = n.args[0]
            if not (isinstance(table, Ref) and name_key(table.name) in self.scope.lookups):
                self.fail("LOOKUP(table, x) needs the name of a graphical function first")
            return _call(self.scope.lookups[name_key(table.name)], [self.node(n.args[1])])
        if key in self.scope.variables or key in self.scope.arrays:
            self.fail(f"{n.name!r} is called like a function but has no graphical function")
        supported = sorted({k.upper() for k in _SIMPLE_FUNCTIONS} | {
            "MIN", "MAX", "SUM", "MEAN", "PI", "DELAY", "LOOKUP", "TIME", "DT"})
        self.fail(f"the function {n.name.upper()}() is not supported; supported functions are "
                  + ", ".join(supported))
        raise AssertionError  # pragma: no cover

    def arity(self, n: Call, counts: tuple[int, ...]) -> None:
        if len(n.args) not in counts:
            wanted = " or ".join(str(c) for c in counts)
            self.fail(f"{n.name.upper()}() takes {wanted} argument(s), got {len(n.args)}")

    def aggregate(self, key: str, n: Call) -> ast.expr:
        if key in ("min", "max") and len(n.args) == 2:
            return _call(key, [self.node(a) for a in n.args])
        self.arity(n, (1,))
        items = self.whole_array(n.args[0]) or [self.node(n.args[0])]
        if key in ("min", "max"):  # pairs of pairs: a long argument list stays shallow
            return balanced(items, lambda a, b: _call(key, [a, b])) \
                if len(items) > expressions.CHAIN_LENGTH else _call(key, items)
        total = balanced(
            items, lambda a, b: ast.BinOp(left=a, op=ast.Add(), right=b))
        if key == "mean" and len(items) > 1:
            total = ast.BinOp(left=total, op=ast.Div(), right=ast.Constant(len(items)))
        return total


def _floor_pattern(n: IfElse) -> Node | None:
    """`x` if `n` is ``IF x < INT(x) THEN INT(x) - 1 ELSE INT(x)`` (a floor), else None."""
    def is_int_of(node: Node) -> Node | None:
        if isinstance(node, Call) and name_key(node.name) == "int" and len(node.args) == 1:
            return node.args[0]
        return None

    x = is_int_of(n.other)
    if (x is not None and n.cond == Bin("<", x, n.other)
            and n.then == Bin("-", n.other, Num(1))):
        return x
    return None


def _truncate(x: ast.expr) -> ast.expr:
    """XMILE INT as the canonical outputs expect it: towards zero (``INT(-9.9) = -9``).

    The equation language's ``int`` rounds down, so negative values are mirrored.
    """
    negated = ast.UnaryOp(op=ast.USub(), operand=x)
    return ast.IfExp(test=ast.Compare(left=x, ops=[ast.GtE()], comparators=[ast.Constant(0)]),
                     body=_call("int", [x]),
                     orelse=ast.UnaryOp(op=ast.USub(), operand=_call("int", [negated])))


def _remainder(a: ast.expr, b: ast.expr) -> ast.expr:
    """XMILE ``a MOD b`` as the canonical outputs expect it: ``a - b * INT(a / b)``,
    so the result has the sign of `a` (``-10 MOD 3 = -1``)."""
    quotient = _truncate(ast.BinOp(left=a, op=ast.Div(), right=b))
    return ast.BinOp(left=a, op=ast.Sub(), right=ast.BinOp(left=b, op=ast.Mult(), right=quotient))


def unparse(node: ast.expr, where: str = "equation", expands: bool = True) -> str:
    """The equation language's text of a translated tree, within the limits.

    Translation shares subtrees (INT and MOD use their argument several times),
    so the size is counted as the text would repeat them, before writing it.
    Without INT or MOD (`expands` false) the translation is as deep and as
    large as the parsed equation, which is checked already.
    """
    if expands:
        _check_translated(node, where)
    return ast.unparse(ast.fix_missing_locations(ast.Expression(body=node)))


def _check_translated(node: ast.expr, where: str) -> None:
    sizes: dict[int, int] = {}
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        if id(current) in sizes:
            continue
        children = list(ast.iter_child_nodes(current))
        if done:
            sizes[id(current)] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[id(current)] > limits.MAX_TRANSLATED_SIZE:
                raise FormatError(f"{where}: the equation grows to more than "
                                  f"{limits.MAX_TRANSLATED_SIZE:,} terms when translated (INT "
                                  "and MOD repeat their argument; the limit MAX_TRANSLATED_SIZE)")
        else:
            stack.append((current, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    depth = expressions.nesting(node)
    if depth > limits.MAX_NESTING:
        raise FormatError(f"{where}: the translated equation nests {depth} levels deep, more "
                          f"than {limits.MAX_NESTING} (the limit MAX_NESTING)")


#: Matches equation text that may use INT or MOD, whose translation repeats its argument.
EXPANDS = re.compile(r"int|mod", re.IGNORECASE)


def translate_equation(text: str, variables: Mapping[str, str],
                       lookups: Mapping[str, str] | None = None, where: str = "equation",
                       start: float = 0.0, stop: float = 100.0) -> str:
    """Translate one XMILE equation into the model's equation language.

    Parameters
    ----------
    text : str
        The XMILE equation, e.g. ``IF a > 0 THEN SMTH1(b, 3) ELSE 0``.
    variables : mapping
        XMILE name (any spelling) -> Python identifier of each variable.
    lookups : mapping, optional
        XMILE name -> identifier of each graphical function.
    where : str
        Where the equation came from, for error messages.
    start, stop : float
        The values of STARTTIME and STOPTIME.

    Notes
    -----
    Operators: IF-THEN-ELSE, OR, AND, NOT, = <> < <= > >=, + - * / MOD, ^
    (right-associative, ``-2^2 = -4``). Functions (any case): ABS, ARCCOS,
    ARCSIN, ARCTAN, COS, SIN, TAN, EXP, LN, LOG10, SQRT, INT (towards zero),
    MOD (sign of the dividend), MIN and MAX (one or two arguments, or a whole
    array), SUM, MEAN, PI, SAFEDIV (2 or 3 arguments), DELAY (a pipeline,
    optional initial value), DELAY1, DELAY3, SMTH1, SMTH3, INIT, STEP, PULSE,
    RAMP, TIME, DT, STARTTIME, STOPTIME, LOOKUP(table, x), and any graphical
    function called by name.

    Examples
    --------
    >>> translate_equation("SMTH1(Input, 2) + DELAY(Input, 1)", {"Input": "input"})
    'smooth(input, 2) + delay_fixed(input, 1, input)'
    >>> translate_equation("-2^2 + 30^-cons", {"cons": "cons"})
    '-2 ** 2 + 30 ** (-cons)'
    >>> translate_equation("SAFEDIV(a, b) <> 0 AND NOT c", {"a": "a", "b": "b", "c": "c"})
    'safediv(a, b) != 0 and (not c)'
    >>> translate_equation("table(time)", {}, {"Table": "table"})
    'table(time)'
    """
    scope = Scope({name_key(k): v for k, v in variables.items()},
                   {name_key(k): v for k, v in (lookups or {}).items()}, start=start, stop=stop)
    return unparse(Translator(scope, where).node(parse_equation(text, where)), where,
                    bool(EXPANDS.search(text)))
