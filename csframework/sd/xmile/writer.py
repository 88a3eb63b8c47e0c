"""The XMILE writer: a model into XMILE 1.0 text that the reader and PySD both read.

The model's equation language (a safe subset of Python expressions) is
written as XMILE equations by `EquationWriter`; names come from
`csframework.sd.xmile.names.xmile_name`, positions go into ``<views>``
(`csframework.sd.xmile.views`). `write` is the entry point
(`StockFlowModel.to_xmile` calls it).
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from csframework._atomic import write_atomic
from csframework._version import VERSION
from csframework.errors import FormatError
from csframework.sd import expressions
from csframework.sd.xmile import limits
from csframework.sd.xmile.names import model_elements, xmile_name, xmile_number
from csframework.sd.xmile.nonnegative import floor_flows
from csframework.sd.xmile.safexml import XMILE_NAMESPACE
from csframework.sd.xmile.views import write_views

if TYPE_CHECKING:
    from csframework.sd.model import Element as ModelElement
    from csframework.sd.model import StockFlowModel

__all__ = ["EquationWriter", "to_xmile", "write"]

_XMILE_FUNCTIONS = {
    "abs": "ABS", "exp": "EXP", "log": "LN", "log10": "LOG10", "sqrt": "SQRT", "sin": "SIN",
    "cos": "COS", "tan": "TAN", "asin": "ARCSIN", "acos": "ARCCOS", "atan": "ARCTAN",
    "step": "STEP", "pulse": "PULSE", "ramp": "RAMP", "safediv": "SAFEDIV", "smooth": "SMTH1",
    "smooth3": "SMTH3", "delay1": "DELAY1", "delay3": "DELAY3", "delay_fixed": "DELAY",
    "init": "INIT", "xidz": "SAFEDIV", "zidz": "SAFEDIV", "integer": "INT", "trend": "TREND",
    "forecast": "FORCST", "delay_n": "DELAYN", "smooth_n": "SMTHN",
}
# functions whose omitted initial value is their input: an ACTIVE INITIAL input gives its own
_INITIAL_IS_INPUT = {"smooth": 2, "smooth3": 2, "delay1": 2, "delay3": 2, "delay_n": 3,
                     "smooth_n": 3}
# XMILE precedence, lowest first; every operand of lower precedence gets parentheses
_P_IF, _P_OR, _P_AND, _P_EQ, _P_REL, _P_ADD, _P_MUL, _P_UNARY, _P_POW, _P_ATOM = range(10)
_PY_CMP = {ast.Eq: ("=", _P_EQ), ast.NotEq: ("<>", _P_EQ), ast.Lt: ("<", _P_REL),
           ast.LtE: ("<=", _P_REL), ast.Gt: (">", _P_REL), ast.GtE: (">=", _P_REL)}
_PY_BIN = {ast.Add: ("+", _P_ADD), ast.Sub: ("-", _P_ADD), ast.Mult: ("*", _P_MUL),
           ast.Div: ("/", _P_MUL)}


class EquationWriter:
    """The model's equation language (a Python subset) -> XMILE equation text.

    `names` maps identifiers to XMILE names; `where` names the element written, for
    messages; ``dialect="pysd"`` writes the time step as PySD's ``TIME_STEP``.
    """

    def __init__(self, names: Mapping[str, str], where: str, dialect: str = "standard"):
        self.names = names            # identifier -> XMILE name
        self.where = where
        # variables defined as active_initial(x, initial): name -> the initial value's tree
        self.active: dict[str, ast.expr] = {}
        # PySD's XMILE reader knows the time step only as its control variable
        self.dt_name = "TIME_STEP" if dialect == "pysd" else "DT"

    def ref(self, ident: str) -> str:
        return self.names.get(ident, ident).replace(" ", "_")

    def text(self, equation: str | float, initial: bool = False) -> str:
        """XMILE text of an equation; `initial`: it is computed while initialising."""
        if isinstance(equation, int | float):
            return xmile_number(equation)
        tree = expressions.parse(str(equation)).tree.body  # long chains come balanced
        if initial:
            tree = self.initialising(tree)
        elif isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and \
                tree.func.id == "active_initial":
            tree = tree.args[0]  # the variable itself; its initial value goes where it is used
        return self.checked(self.emit(tree)[0])

    def checked(self, text: str) -> str:
        """Refuse text that INT and MOD (written with INT) have made too long."""
        if len(text) > limits.MAX_WRITTEN:
            raise FormatError(f"{self.where}: the XMILE text of the equation would be over "
                              f"{limits.MAX_WRITTEN:,} characters (nested int, floor or modulo "
                              "repeat their argument); split it into auxiliaries")
        return text

    def initialising(self, tree: ast.expr) -> ast.expr:
        """`tree` with ACTIVE INITIAL variables replaced by their initial values.

        XMILE has no ACTIVE INITIAL: where the initial value of a stock or of a
        smooth or delay uses such a variable directly, its initial value is
        written there instead.
        """
        active = self.active

        class Swap(ast.NodeTransformer):
            def visit_Name(self, node: ast.Name) -> ast.AST:
                return copy.deepcopy(active[node.id]) if node.id in active else node

        return Swap().visit(copy.deepcopy(tree)) if active else tree

    def wrap(self, node: ast.AST, least: int) -> str:
        text, prec = self.emit(node)
        return f"({text})" if prec < least else text

    def emit(self, node: ast.AST) -> tuple[str, int]:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            text = xmile_number(node.value)
            return text, _P_UNARY if text.startswith("-") else _P_ATOM
        if isinstance(node, ast.Name):
            special = {"time": "TIME", "dt": self.dt_name, "pi": "PI()"}
            return special.get(node.id, self.ref(node.id)), _P_ATOM
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.UnaryOp):
            op = "NOT " if isinstance(node.op, ast.Not) else (
                "-" if isinstance(node.op, ast.USub) else "+")
            return op + self.wrap(node.operand, _P_UNARY), _P_UNARY
        if isinstance(node, ast.BoolOp):
            word, prec = ("AND", _P_AND) if isinstance(node.op, ast.And) else ("OR", _P_OR)
            return f" {word} ".join(self.wrap(v, prec + 1) for v in node.values), prec
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.IfExp):
            return (f"IF {self.emit(node.test)[0]} THEN {self.emit(node.body)[0]} "
                    f"ELSE {self.emit(node.orelse)[0]}", _P_IF)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self.call(node)
        raise FormatError(f"{self.where}: {ast.unparse(node)!r} cannot be written as XMILE")

    def binop(self, node: ast.BinOp) -> tuple[str, int]:
        if isinstance(node.op, ast.Pow):
            left = self.wrap(node.left, _P_ATOM)
            right = self.wrap(node.right, _P_ATOM)
            return f"{left}^{right}", _P_POW
        symbol, prec = _PY_BIN[type(node.op)]
        left = self.wrap(node.left, prec)
        right = self.wrap(node.right, prec + 1)
        return f"{left} {symbol} {right}", prec

    def compare(self, node: ast.Compare) -> tuple[str, int]:
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            symbol, prec = _PY_CMP[type(op)]
            parts.append((f"{self.wrap(left, prec + 1)} {symbol} {self.wrap(right, prec + 1)}",
                          prec))
            left = right
        if len(parts) == 1:
            return parts[0]
        return " AND ".join(f"({text})" for text, _ in parts), _P_AND

    def floor(self, x: ast.expr) -> str:
        """The language's floor/int (round down) from XMILE's INT (towards zero)."""
        inner = self.checked(self.emit(x)[0])
        return f"(IF {self.wrap(x, _P_REL + 1)} < INT({inner}) THEN INT({inner}) - 1 " \
               f"ELSE INT({inner}))"

    def call(self, node: ast.Call) -> tuple[str, int]:
        name = node.func.id  # type: ignore[attr-defined]
        if name not in expressions.FUNCTIONS:  # a lookup called like a function
            return f"{self.ref(name)}({self.emit(node.args[0])[0]})", _P_ATOM
        args = expressions.bind_arguments(node, expressions.FUNCTIONS[name])
        if name in ("sample_if_true", "active_initial"):
            raise FormatError(f"{self.where}: {name}() has no XMILE equivalent, so "
                              f"{ast.unparse(node)!r} cannot be written as XMILE")
        if name in _INITIAL_IS_INPUT and self.active:
            at = _INITIAL_IS_INPUT[name]
            if args[at] is None and isinstance(args[0], ast.Name) and \
                    args[0].id in self.active:
                args[at] = self.active[args[0].id]
            elif args[at] is not None:
                args[at] = self.initialising(args[at])
        if name in ("min", "max"):
            if len(args) == 1:
                return self.emit(args[0])
            text = self.emit(args[-1])[0]
            for arg in reversed(args[:-1]):
                text = f"{name.upper()}({self.emit(arg)[0]}, {text})"
            return text, _P_ATOM
        if name in ("floor", "int"):
            return self.floor(args[0]), _P_ATOM
        if name == "modulo":
            a, b = args
            quotient = ast.BinOp(left=a, op=ast.Div(), right=b)
            return (f"{self.wrap(a, _P_ADD)} - {self.wrap(b, _P_MUL)} * {self.floor(quotient)}",
                    _P_ADD)
        present = [a for a in args if a is not None]
        if name == "pulse" and len(present) == 3 and _is_zero(present[2]):
            present = present[:2]
        if name == "safediv" and len(present) == 3 and _is_zero(present[2]):
            present = present[:2]
        inner = ", ".join(self.emit(a)[0] for a in present)
        return f"{_XMILE_FUNCTIONS[name]}({inner})", _P_ATOM


def _is_zero(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == 0


def _add_text(parent: Element, tag: str, text: str | None) -> None:
    if text:
        SubElement(parent, tag).text = text


def to_xmile(model: StockFlowModel, dialect: str = "standard") -> str:
    """Write a model as XMILE 1.0 text.

    ``dialect="pysd"`` writes the time step as PySD's ``TIME_STEP`` control
    variable instead of the standard ``DT``, which PySD 3 cannot resolve.

    Variables are named by their label when the label reads back to the same
    identifier (``"Room Temperature"`` for ``room_temperature``), else by the
    identifier. Constants become auxiliaries with a ``<range>``; lookups become
    graphical functions; functions become the XMILE built-ins PySD also knows
    (``smooth`` -> SMTH1, ``delay_fixed`` -> DELAY, ``safediv`` -> SAFEDIV, ...).
    ``int``, ``floor`` and ``modulo`` round down, so they are written with
    XMILE's INT (which rounds towards zero) and a correction.

    A stock that the reader keeps at zero with an extra inflow
    (``<stock>_floor``, whose equation uses DT) is written as it was read: a
    ``<non_negative/>`` stock without that flow. So the file reads back the
    same here and in PySD, which cannot resolve DT.

    The model's ``<views>`` hold every element's position (see
    `csframework.sd.xmile.views.write_views`): the stored ones
    (`StockFlowModel.place`), else the stock-and-flow layout, at `VIEW_SCALE`
    pixels per em with y pointing down.

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("Decay", stop=4)
    >>> _ = m.constant("k", 0.5, min=0, max=1)
    >>> _ = m.stock("x", 1, outflows=["loss"], non_negative=True)
    >>> _ = m.flow("loss", "k * x if time > 1 else smooth(x, 2)")
    >>> text = to_xmile(m)
    >>> print(text[text.index("<model>"):text.index("<views>")].strip())
    <model>
        <variables>
          <stock name="x">
            <eqn>1</eqn>
            <outflow>loss</outflow>
            <non_negative />
          </stock>
          <flow name="loss">
            <eqn>IF TIME &gt; 1 THEN k * x ELSE SMTH1(x, 2)</eqn>
          </flow>
          <aux name="k">
            <eqn>0.5</eqn>
            <range min="0" max="1" />
          </aux>
        </variables>
    >>> from csframework.sd.xmile import read
    >>> read(text, StockFlowModel).flows["loss"].equation
    'k * x if time > 1 else smooth(x, 2)'
    """
    names = {ident: xmile_name(ident, getattr(el, "label", None))
             for ident, el in model_elements(model)}
    if dialect not in ("standard", "pysd"):
        raise FormatError(f"unknown XMILE dialect {dialect!r}; expected 'standard' or 'pysd'")
    writer = EquationWriter(names, f"model {model.name!r}", dialect)
    for element in (*model.flows.values(), *model.auxiliaries.values()):
        body = element.expression.tree.body
        if isinstance(body, ast.Call) and isinstance(body.func, ast.Name) and \
                body.func.id == "active_initial":
            writer.active[element.name] = body.args[1]
    root = Element("xmile", {"version": "1.0", "xmlns": XMILE_NAMESPACE})
    header = SubElement(root, "header")
    SubElement(header, "name").text = model.name
    SubElement(header, "vendor").text = "csframework"
    SubElement(header, "product", {"version": VERSION, "lang": "en"}).text = "csframework"
    # PySD integrates with Euler whatever a file says; its runs are Euler runs
    method = "Euler" if dialect == "pysd" else {"euler": "Euler", "rk4": "RK4"}[model.method]
    specs = SubElement(root, "sim_specs", {"method": method, "time_units": model.time_unit})
    SubElement(specs, "start").text = xmile_number(model.start)
    SubElement(specs, "stop").text = xmile_number(model.stop)
    SubElement(specs, "dt").text = xmile_number(model.dt)
    model_element = SubElement(root, "model")
    variables = SubElement(model_element, "variables")
    floors = floor_flows(model)
    clamped = set(floors.values())
    for ident, el in model_elements(model):
        if ident in floors:
            continue
        if ident in clamped:  # as read: a non-negative stock, without the helper flow
            el = dataclasses.replace(el, inflows=el.inflows[:-1], non_negative=True)
        _write_element(variables, el, names[ident], writer)
    write_views(model_element, model, names, set(floors))
    indent(root, space="  ")
    body = tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _write_element(parent: Element, el: ModelElement, name: str,
                   writer: EquationWriter) -> None:
    kind = el.kind
    if kind == "lookup":
        node = SubElement(parent, "gf", {"name": name})
        if el.extrapolate:
            node.set("type", "extrapolate")
        SubElement(node, "xpts").text = ",".join(xmile_number(x) for x in el.xs)
        SubElement(node, "ypts").text = ",".join(xmile_number(y) for y in el.ys)
    else:
        tag = {"stock": "stock", "flow": "flow"}.get(kind, "aux")
        node = SubElement(parent, tag, {"name": name})
        writer.where = f"{kind} {el.name!r}"
        if kind == "stock":
            SubElement(node, "eqn").text = writer.text(el.initial, initial=True)
            for flow in el.inflows:
                SubElement(node, "inflow").text = writer.ref(flow)
            for flow in el.outflows:
                SubElement(node, "outflow").text = writer.ref(flow)
        elif kind == "constant":
            SubElement(node, "eqn").text = xmile_number(el.value)
        else:
            SubElement(node, "eqn").text = writer.text(el.equation)
        if getattr(el, "non_negative", False):
            SubElement(node, "non_negative")
        # PySD reads a <range> only with both bounds
        if kind == "constant" and el.min is not None and el.max is not None:
            bounds = {k: xmile_number(v) for k, v in (("min", el.min), ("max", el.max))
                      if v is not None}
            SubElement(node, "range", bounds)
    _add_text(node, "units", el.units)
    _add_text(node, "doc", el.doc)


def write(model: StockFlowModel, path: str | Path | None = None, *,
          dialect: str = "standard") -> str:
    """`to_xmile` (in the given `dialect`), also written atomically to `path` when one is given.

    Examples
    --------
    >>> from csframework.sd.model import StockFlowModel
    >>> m = StockFlowModel("m")
    >>> _ = m.constant("c", 1)
    >>> write(m).startswith('<?xml version="1.0" encoding="utf-8"?>')
    True
    """
    text = to_xmile(model, dialect=dialect)
    if path is not None:
        write_atomic(Path(path), text)
    return text
