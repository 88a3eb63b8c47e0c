"""The equation language of stock-and-flow models: parsing and checking equations.

The function table lives in :mod:`csframework.sd.functions` and the regrouping
of long chains in :mod:`csframework.sd.chains` (both re-exported here). What
each function computes is defined once, by the engine's code generation
(:mod:`csframework.sd.codegen`), which runs, ensembles, link polarities and
loop dominance all use; :func:`csframework.sd.engine.evaluate` evaluates a
single equation with it. Of :mod:`csframework.sd` this module imports only
those two modules and :mod:`csframework.sd.lookups`.

Equations are a safe subset of Python expressions. They are parsed with
:mod:`ast` and every node is checked against a whitelist; the text is never
passed to ``eval``, ``exec`` or ``compile``. What is allowed:

- numbers, model variable names, ``time``, ``dt`` and the constant ``pi``;
- ``+ - * / **``, unary ``-``, comparisons (also chained, ``0 < x < 1``),
  ``and``, ``or``, ``not`` and ``a if condition else b``;
- the functions listed in :data:`FUNCTIONS` (``min``, ``max``, ``exp``,
  ``step``, ``smooth``, ``delay_fixed``, ...), and the model's lookups, called
  like functions: ``effect_of_crowding(density)``.

Anything else (attributes, subscripts, strings, lambdas, unknown functions,
...) raises :class:`~csframework.errors.EquationError` naming the construct,
where it is, and the equation it belongs to.

Examples
--------
>>> from csframework.sd.expressions import parse
>>> eq = parse("(teacup_temperature - room_temperature) / characteristic_time")
>>> eq.dependencies
('teacup_temperature', 'room_temperature', 'characteristic_time')
>>> parse("os.system('ls')", variable="x")
Traceback (most recent call last):
...
csframework.errors.EquationError: attribute access ('a.b') is not allowed (line 1, column 1 ...
    os.system('ls')
    ^
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from csframework.errors import EquationError, close_matches
from csframework.sd.chains import CHAIN_LENGTH, balance, grouped, nesting
from csframework.sd.functions import (
    FUNCTIONS,
    RESERVED_NAMES,
    SPECIAL_NAMES,
    STATEFUL_FUNCTIONS,
    FunctionSpec,
    bind_arguments,
    check_name,
)
from csframework.sd.lookups import check_points, interpolate

__all__ = [
    "CHAIN_LENGTH",
    "FUNCTIONS",
    "MAX_DIGITS",
    "MAX_EQUATION_LENGTH",
    "MAX_NESTING",
    "MAX_OPERATORS",
    "RESERVED_NAMES",
    "SPECIAL_NAMES",
    "STATEFUL_FUNCTIONS",
    "Equation",
    "FunctionSpec",
    "Occurrence",
    "bind_arguments",
    "check_name",
    "check_points",
    "dependencies",
    "equation_error",
    "grouped",
    "interpolate",
    "nesting",
    "parse",
]

#: Longest equation text accepted (longer text is almost certainly a mistake).
MAX_EQUATION_LENGTH = 20_000

#: Deepest syntax tree accepted, counted after long chains are balanced (see `parse`).
#: Generated code nests one bracket per level, and Python reads at most 200.
MAX_NESTING = 100

#: Most operators (and commas) one equation may have: Python's own parser, which reads
#: equations, fails on much longer chains.
MAX_OPERATORS = 1_000

#: Most digits a number may have (a float holds about 17 significant digits).
MAX_DIGITS = 100

_OPERATOR = re.compile(r"\*\*|[-+*/<>=!]=?|,|\b(?:and|or|not|if)\b")
_LONG_NUMBER = re.compile(rf"(?<!\w)\d{{{MAX_DIGITS + 1},}}")


_BINARY_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_COMPARE_OPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
                ast.NotEq: "!="}

_CONSTRUCT_NAMES = {
    ast.Attribute: "attribute access ('a.b')",
    ast.Subscript: "subscripts ('a[i]')",
    ast.Lambda: "lambda functions",
    ast.NamedExpr: "assignment expressions (':=')",
    ast.List: "lists ('[...]')",
    ast.Tuple: "tuples ('a, b')",
    ast.Set: "sets ('{...}')",
    ast.Dict: "dictionaries ('{...}')",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "generator expressions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
    ast.Starred: "'*' unpacking",
    ast.Slice: "slices",
}

_OPERATOR_HINTS = {
    ast.Mod: "the '%' operator is not allowed; use modulo(a, b)",
    ast.FloorDiv: "the '//' operator is not allowed; use floor(a / b)",
    ast.MatMult: "the '@' operator is not allowed",
    ast.BitAnd: "the '&' operator is not allowed; use 'and'",
    ast.BitOr: "the '|' operator is not allowed; use 'or'",
    ast.BitXor: "the '^' operator is not allowed; use '**' for powers",
    ast.LShift: "the '<<' operator is not allowed",
    ast.RShift: "the '>>' operator is not allowed",
    ast.Invert: "the '~' operator is not allowed; use 'not'",
    ast.Is: "'is' is not allowed; use '=='",
    ast.IsNot: "'is not' is not allowed; use '!='",
    ast.In: "'in' is not allowed",
    ast.NotIn: "'not in' is not allowed",
}


@dataclass(frozen=True)
class Occurrence:
    """One place where a name is used inside an equation.

    Attributes
    ----------
    name : str
        The variable name.
    node : ast.Name
        Its node in the equation's syntax tree.
    ancestors : tuple of ast.AST
        The nodes enclosing it, from the root expression down to its parent;
        structure analysis reads link polarities from them.
    """

    name: str
    node: ast.Name = field(repr=False, compare=False)
    ancestors: tuple = field(repr=False, compare=False)


@dataclass(frozen=True)
class Equation:
    """A parsed, validated equation.

    Attributes
    ----------
    text : str
        The equation as written.
    variable : str or None
        The model variable it defines, if known (used in messages).
    tree : ast.Expression
        The validated syntax tree.
    dependencies : tuple of str
        The model names it uses (variables and lookups, not ``time``/``dt``/
        ``pi``), in order of first appearance.
    lookups_called : tuple of str
        Names called like functions that are not built-in functions: these
        must be lookups of the model.
    functions : tuple of str
        Built-in functions used, in order of first appearance.

    Examples
    --------
    >>> eq = parse("smooth(sales, perception_time) * 2", variable="perceived")
    >>> eq.dependencies, eq.functions, eq.is_stateful
    (('sales', 'perception_time'), ('smooth',), True)
    >>> str(eq)
    'smooth(sales, perception_time) * 2'
    """

    text: str
    variable: str | None = None
    tree: ast.Expression = field(default=None, repr=False, compare=False)
    dependencies: tuple[str, ...] = field(default=(), repr=False, compare=False)
    lookups_called: tuple[str, ...] = field(default=(), repr=False, compare=False)
    functions: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def __str__(self) -> str:
        return self.text

    @property
    def is_stateful(self) -> bool:
        """True if it uses a function that keeps state (smooth, delays, init)."""
        return any(f in STATEFUL_FUNCTIONS for f in self.functions)

    @property
    def constant_value(self) -> float | None:
        """The number, if the equation is just a number (``-3.5``), else None.

        Examples
        --------
        >>> parse("-3.5").constant_value, parse("2 * x").constant_value
        (-3.5, None)
        """
        return _literal_value(self.tree.body)

    def occurrences(self, name: str | None = None) -> tuple[Occurrence, ...]:
        """Every use of `name` (or of every model name), with its enclosing nodes.

        Examples
        --------
        >>> eq = parse("a - b / (1 + b)")
        >>> [type(o.ancestors[-1]).__name__ for o in eq.occurrences("b")]
        ['BinOp', 'BinOp']
        """
        found: list[Occurrence] = []

        def walk(node: ast.AST, ancestors: tuple) -> None:
            if isinstance(node, ast.Name) and node.id not in SPECIAL_NAMES and (
                    name is None or node.id == name):
                found.append(Occurrence(node.id, node, ancestors))
            inner = (*ancestors, node)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.Name) and isinstance(node, ast.Call) and (
                        child is node.func):
                    if child.id not in FUNCTIONS and (name is None or child.id == name):
                        found.append(Occurrence(child.id, child, inner))
                    continue
                walk(child, inner)

        walk(self.tree.body, (self.tree,))
        return tuple(found)


def _literal_value(node: ast.AST) -> float | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        inner = _literal_value(node.operand)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    return None


def _shortened(text: str, keep: int = 60) -> str:
    return text if len(text) <= keep + 20 else f"{text[:keep]}... ({len(text)} characters)"


def _describe_where(variable: str | None, where: str | None) -> str:
    if where:
        return where
    if variable:
        return f"the equation of {variable!r}"
    return "the equation"


def equation_error(message: str, text: str, line: int | None, col: int | None,
           variable: str | None, where: str | None) -> EquationError:
    """An EquationError that shows the offending line with a caret.

    `line` and `col` are as :mod:`ast` gives them (1-based line, column in
    UTF-8 bytes); the message names `where` (or the equation of `variable`).

    Examples
    --------
    >>> print(equation_error("unknown function 'f'", "2 * f(x)", 1, 4, "y", None))
    unknown function 'f' (line 1, column 5 of the equation of 'y'):
        2 * f(x)
            ^
    """
    place = _describe_where(variable, where)
    lines = text.splitlines() or [text]
    if line is None or not 1 <= line <= len(lines):
        err = EquationError(f"{message} in {place}: {text!r}")
    else:
        source = lines[line - 1]
        # ast column offsets count UTF-8 bytes; the caret counts characters.
        chars = len(source.encode("utf-8")[: max(col or 0, 0)].decode("utf-8", "ignore"))
        shown, caret = source, chars
        if len(source) > 100:  # a window around the caret
            first = max(0, chars - 40)
            shown = ("..." if first else "") + source[first:first + 80] + (
                "..." if first + 80 < len(source) else "")
            caret = chars - first + (3 if first else 0)
        err = EquationError(
            f"{message} (line {line}, column {chars + 1} of {place}):\n"
            f"    {shown}\n    {' ' * caret}^")
        col = chars + 1
    err.text, err.variable, err.line, err.column = text, variable, line, col
    return err


class _Validator:
    """Walks a parsed tree, rejecting anything outside the whitelist."""

    def __init__(self, text, variable, where, lookups):
        self.text, self.variable, self.where, self.lookups = text, variable, where, lookups
        self.names: dict[str, None] = {}
        self.lookups_called: dict[str, None] = {}
        self.functions: dict[str, None] = {}

    def fail(self, message: str, node: ast.AST) -> EquationError:
        return equation_error(message, self.text, getattr(node, "lineno", None),
                      getattr(node, "col_offset", None), self.variable, self.where)

    def visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                what = "strings" if isinstance(value, str | bytes) else repr(value)
                if isinstance(value, bool):
                    what = f"{value!r} (use 1 or 0)"
                raise self.fail(f"{what} not allowed; equations compute numbers", node)
            try:
                finite = math.isfinite(float(value))
            except OverflowError:
                finite = False
            if not finite:
                raise self.fail(f"the number {self.text_of(node)} is too large", node)
        elif isinstance(node, ast.Name):
            self.visit_name(node)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY_OPS:
                raise self.fail(_OPERATOR_HINTS.get(type(node.op), "this operator is not "
                                                    "allowed"), node)
            self.visit(node.left)
            self.visit(node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
                raise self.fail(_OPERATOR_HINTS.get(type(node.op), "this operator is not "
                                                    "allowed"), node)
            self.visit(node.operand)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _COMPARE_OPS:
                    raise self.fail(_OPERATOR_HINTS.get(type(op), "this comparison is not "
                                                        "allowed"), node)
            self.visit(node.left)
            for comparator in node.comparators:
                self.visit(comparator)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.visit(value)
        elif isinstance(node, ast.IfExp):
            self.visit(node.test)
            self.visit(node.body)
            self.visit(node.orelse)
        elif isinstance(node, ast.Call):
            self.visit_call(node)
        else:
            construct = _CONSTRUCT_NAMES.get(type(node), f"'{type(node).__name__}' expressions")
            raise self.fail(f"{construct} {'is' if 'access' in construct else 'are'} "
                            "not allowed", node)

    def text_of(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def visit_name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("_"):
            raise self.fail(f"the name {name!r} is not allowed (names starting with '_' are "
                            "reserved)", node)
        if name in FUNCTIONS:
            raise self.fail(f"{name!r} is a function; call it like "
                            f"{FUNCTIONS[name].signature}", node)
        if name in {"True", "False", "None"}:
            raise self.fail(f"{name} is not allowed; equations compute numbers", node)
        if name not in SPECIAL_NAMES:
            self.names.setdefault(name, None)

    def visit_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name):
            self.visit(node.func)  # names the construct (attribute, subscript, ...)
            what = _CONSTRUCT_NAMES.get(type(node.func), "this kind of call")
            raise self.fail(f"only functions and lookups can be called, not {what}", node)
        name = node.func.id
        spec = FUNCTIONS.get(name)
        if spec is not None:
            self.functions.setdefault(name, None)
            try:
                bound = bind_arguments(node, spec)
            except ValueError as exc:
                raise self.fail(f"{exc}; expected {spec.signature}", node) from None
            for arg in bound:
                if arg is not None:
                    self.visit(arg)
            return
        if name in SPECIAL_NAMES:
            raise self.fail(f"{name!r} is not a function", node)
        if name.startswith("_"):
            raise self.fail(f"unknown function {name!r} (names starting with '_' are "
                            "reserved)", node)
        if self.lookups is not None and name not in self.lookups:
            hint = close_matches(name, list(FUNCTIONS) + list(self.lookups))
            tip = f"; did you mean {hint[0]!r}?" if hint else (
                "; functions are " + ", ".join(sorted(FUNCTIONS)))
            raise self.fail(f"unknown function {name!r}{tip}", node)
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            hint = close_matches(name, FUNCTIONS)
            if hint:
                raise self.fail(f"unknown function {name!r}; did you mean {hint[0]!r}? "
                                f"(a lookup is called with one argument, like {name}(x))", node)
            raise self.fail(f"{name!r} is not a function of the equation language; a lookup "
                            f"is called with one argument, like {name}(x)", node)
        self.names.setdefault(name, None)
        self.lookups_called.setdefault(name, None)
        self.visit(node.args[0])


def parse(text: str | float, *, variable: str | None = None, where: str | None = None,
          lookups: Collection[str] | None = None) -> Equation:
    """Parse and validate one equation.

    Parameters
    ----------
    text : str or number
        The equation, e.g. ``"(teacup_temperature - room_temperature) / 10"``.
    variable : str, optional
        The variable it defines, named in error messages.
    where : str, optional
        A fuller description of where the equation comes from, used in error
        messages instead of `variable` (e.g. ``"the equation of flow 'x'"``).
    lookups : collection of str, optional
        The lookups that may be called. By default any name that is not a
        built-in function may be called (the model checks it later).

    Returns
    -------
    Equation

    Raises
    ------
    EquationError
        If the text is not an expression of the equation language, or a
        function is called with the wrong arguments, or it is beyond the
        limits below.

    Notes
    -----
    Limits, so that a hostile equation cannot exhaust time or memory: at most
    `MAX_EQUATION_LENGTH` characters and `MAX_OPERATORS` operators, numbers
    of at most `MAX_DIGITS` digits, and at most `MAX_NESTING` levels of
    brackets, functions and conditions.
    Sums and products of more than `CHAIN_LENGTH` terms (and as long ``and``,
    ``or``, ``min`` and ``max`` chains) are regrouped into a balanced tree
    before that count, so a sum of thousands of terms is fine; its value may
    differ from strict left-to-right adding in the last digit.

    Examples
    --------
    >>> parse("min(stock / dt, demand)").dependencies
    ('stock', 'demand')
    >>> len(parse("+".join(["x"] * 1000)).dependencies)  # regrouped, not 999 deep
    1
    >>> parse("exp(" * 120 + "x" + ")" * 120, variable="y")
    Traceback (most recent call last):
    ...
    csframework.errors.EquationError: the equation is nested too deeply (120, at most 100 ...
    >>> parse("step(10)")
    Traceback (most recent call last):
    ...
    csframework.errors.EquationError: step() is missing the argument 'start'; expected ...
        step(10)
        ^
    """
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        place = _describe_where(variable, where)
        raise EquationError(f"{place} must be text or a number, not {type(text).__name__} "
                            f"{text!r}")
    if not isinstance(text, str):
        if not math.isfinite(text):
            raise EquationError(f"{_describe_where(variable, where)} must be a finite number, "
                                f"not {text!r}")
        text = repr(text)
    source = text.strip()
    if not source:
        raise equation_error("the equation is empty", text, None, None, variable, where)
    if len(source) > MAX_EQUATION_LENGTH:
        raise equation_error(f"the equation is too long ({len(source)} characters, at most "
                             f"{MAX_EQUATION_LENGTH})", _shortened(source), None, None,
                             variable, where)
    operators = len(_OPERATOR.findall(source))
    if operators > MAX_OPERATORS:
        raise equation_error(f"the equation has {operators} operators, more than "
                             f"{MAX_OPERATORS}; split it into auxiliaries", _shortened(source),
                             None, None, variable, where)
    long_number = _LONG_NUMBER.search(source)
    if long_number:
        digits = long_number.group()
        raise equation_error(f"the number {digits[:12]}... has {len(digits)} digits, more "
                             f"than {MAX_DIGITS} (a number keeps about 17 significant digits; "
                             f"write {digits[0]}.{digits[1:4]}e{len(digits) - 1})",
                             _shortened(source), None, None, variable, where)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        reason = (exc.msg or "invalid syntax").split(" (", 1)[0]
        line = exc.lineno or 1
        col = exc.offset - 1 if exc.offset else 0
        src_line = source.splitlines()[line - 1] if source.splitlines() else source
        col = len(src_line[:col].encode("utf-8"))  # equation_error expects bytes
        raise equation_error(f"this is not a valid expression ({reason})", source, line, col,
                             variable, where) from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise equation_error(f"the equation cannot be read ({type(exc).__name__})",
                             _shortened(source), None, None, variable, where) from None
    too_deep = (f"the equation is nested too deeply (more than {MAX_NESTING} levels of "
                "brackets, functions and conditions); split it into auxiliaries")
    if operators > CHAIN_LENGTH:  # otherwise there is no long chain to regroup
        try:
            tree.body = balance(tree.body)
        except RecursionError:
            raise equation_error(too_deep, _shortened(source), None, None, variable,
                                 where) from None
    # every level of nesting is an operator or a call, so short equations need no count
    depth = 0 if operators + source.count("(") <= MAX_NESTING else nesting(tree.body)
    if depth > MAX_NESTING:
        raise equation_error(too_deep.replace("more than", f"{depth}, at most"),
                             _shortened(source), None, None, variable, where)
    validator = _Validator(source, variable, where, lookups)
    validator.visit(tree.body)
    return Equation(source, variable, tree, tuple(validator.names),
                    tuple(validator.lookups_called), tuple(validator.functions))


def dependencies(equation: str | Equation) -> tuple[str, ...]:
    """The model names an equation uses, in order of first appearance.

    Examples
    --------
    >>> dependencies("births - deaths + time * 0 + pi")
    ('births', 'deaths')
    """
    if not isinstance(equation, Equation):
        equation = parse(equation)
    return equation.dependencies


